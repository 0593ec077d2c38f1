//! The engine's choice of pings: for each fault outage the engine opens or moves, the
//! meters whose answers are worth most ([`Engine::ping_candidates`]), within budgets
//! per outage, per round and per hour.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{Change, Engine, OutageCause, OutageId, OutageStatus};
use crate::time::{MINUTE, Millis, SECOND, Timestamp};

/// How many pings the policy may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PingBudget {
    /// Pings about one outage over its life; also the pings, in any hour, about all
    /// the outages held at the children of one device (a family).
    pub per_outage: u32,
    /// Pings about one outage at one device (a round): the outage gets a new round
    /// when its device moves.
    pub per_round: u32,
    /// Pings in any hour (a head-end answers a few thousand an hour).
    pub per_hour: u32,
    /// A meter is not pinged again within this long.
    pub reping_after: Millis,
    /// An outage is pinged once it has stood at its device this long: the last gasps
    /// of one fault arrive over a minute, and the small outages the first of them
    /// suggest mostly roll up into one before then.
    pub settle: Millis,
}

impl Default for PingBudget {
    fn default() -> Self {
        PingBudget {
            per_outage: 4,
            per_round: 2,
            per_hour: 2000,
            reping_after: 10 * MINUTE,
            settle: 30 * SECOND,
        }
    }
}

/// A ping to send: the meter, and the outage it is meant to confirm or rule out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PingRequest {
    /// The meter.
    pub meter: CustomerId,
    /// The outage the answer is for.
    pub outage: Option<OutageId>,
}

/// Chooses the pings to send after each step of the engine.
///
/// The rule: when a predicted fault outage opens, or its device moves, it gets a round
/// of pings once it has stood [`PingBudget::settle`] (at the device it then holds): the
/// candidates the engine proposes for it (one per competing explanation,
/// each worth at least [`MIN_GAIN`](crate::inference::MIN_GAIN) bits under the
/// engine's model), most informative first, up to [`PingBudget::per_round`], as long
/// as the outage's budget, its family's and the hour's allow, skipping meters pinged
/// lately. A confirmed outage (SCADA, or a ping that answered off) gets none.
///
/// The family budget is what makes the budget hold per fault: the outages held at
/// the children of one device in one hour share [`PingBudget::per_outage`]. When a
/// large outage's last gasps come in, the engine can hold dozens of small outages
/// below it for minutes (a stale on proof or a lost restore below keeps the large
/// one down), and each would have had its own round: on utility-shaped storms with
/// drawn rates that was most of the 6.3 pings per true fault outage. Siblings that
/// are truly separate faults share the budget too, which costs them a round only
/// when more than two are held in the same hour.
///
/// ```
/// use outage_locator::service::{PingBudget, PingPolicy};
/// let policy = PingPolicy::new(PingBudget::default());
/// assert_eq!(policy.sent(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct PingPolicy {
    budget: PingBudget,
    /// Per outage: pings sent, and the device of its last round.
    outages: HashMap<OutageId, (u32, OutageDeviceId)>,
    /// Per family (the parent of the outages' devices): pings sent in the hour that
    /// began at the time kept.
    families: HashMap<OutageDeviceId, (u32, Timestamp)>,
    /// When each meter was last pinged.
    last_ping: HashMap<CustomerId, Timestamp>,
    /// The send times of the last hour.
    hour: VecDeque<Timestamp>,
    /// Outages waiting to settle before their round, and when it is due.
    waiting: Vec<(OutageId, Timestamp)>,
    sent: u64,
}

impl PingPolicy {
    /// A policy with the given budget.
    pub fn new(budget: PingBudget) -> Self {
        PingPolicy {
            budget,
            ..PingPolicy::default()
        }
    }

    /// Pings chosen so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The pings to send now, after an engine step that reported `changes`, appended
    /// to `out`.
    ///
    /// # Complexity
    /// O(changes + outages waiting to settle), plus, per outage whose round is due,
    /// that of [`Engine::ping_candidates`].
    pub fn choose(&mut self, engine: &Engine, changes: &[Change], out: &mut Vec<PingRequest>) {
        let now = engine.clock();
        for ch in changes {
            if let Change::Opened(oid) | Change::Updated(oid) = *ch
                && self.wants_round(engine, oid)
                && !self.waiting.iter().any(|w| w.0 == oid)
            {
                self.waiting.push((oid, now + self.budget.settle));
            }
        }
        if self.waiting.iter().all(|w| w.1 > now) {
            return;
        }
        let mut waiting = std::mem::take(&mut self.waiting);
        waiting.retain(|&(oid, due)| {
            if due > now {
                return true;
            }
            if self.wants_round(engine, oid) {
                self.round(engine, oid, out);
            }
            false
        });
        self.waiting = waiting;
    }

    /// Whether an outage is a predicted fault outage whose device has not had its
    /// round, with budget left.
    fn wants_round(&self, engine: &Engine, oid: OutageId) -> bool {
        let Some(o) = engine.outage(oid) else {
            return false;
        };
        o.cause == OutageCause::Fault
            && o.status == OutageStatus::Predicted
            && o.closed_at.is_none()
            && self
                .outages
                .get(&oid)
                .is_none_or(|&(n, d)| d != o.device && n < self.budget.per_outage)
    }

    /// A round of pings about an outage at its current device.
    fn round(&mut self, engine: &Engine, oid: OutageId, out: &mut Vec<PingRequest>) {
        let now = engine.clock();
        let Some(o) = engine.outage(oid) else { return };
        let entry = self.outages.entry(oid).or_insert((0, o.device));
        entry.1 = o.device;
        let family = engine.view().parent(o.device).unwrap_or(o.device);
        let kin = self.families.entry(family).or_insert((0, now));
        if now.0 - kin.1.0 >= 60 * MINUTE {
            *kin = (0, now);
        }
        let mut round = 0;
        for c in engine.ping_candidates(oid) {
            if round >= self.budget.per_round
                || entry.0 >= self.budget.per_outage
                || kin.0 >= self.budget.per_outage
            {
                break;
            }
            while self
                .hour
                .front()
                .is_some_and(|&t| t.0 <= now.0 - 60 * MINUTE)
            {
                self.hour.pop_front();
            }
            if self.hour.len() >= self.budget.per_hour as usize {
                return;
            }
            if self
                .last_ping
                .get(&c.meter)
                .is_some_and(|&t| now.0 - t.0 < self.budget.reping_after)
            {
                continue;
            }
            self.last_ping.insert(c.meter, now);
            self.hour.push_back(now);
            entry.0 += 1;
            kin.0 += 1;
            round += 1;
            self.sent += 1;
            out.push(PingRequest {
                meter: c.meter,
                outage: Some(oid),
            });
        }
    }
}
