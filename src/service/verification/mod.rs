//! Verification in the loop: the AMI head-end a deployment pings meters through
//! ([`HeadEnd`]), the simulated one that answers from a supply file
//! ([`SimulatedHeadEnd`]), and the engine's choice of pings ([`PingPolicy`]), the
//! same code whichever head-end answers.
//!
//! A ping sent at `t` comes back as an [`Evidence::Ping`] event some seconds later;
//! the caller merges the answers into its stream by time
//! ([`HeadEnd::answers_until`]) and feeds them to the engine like any other evidence.

mod policy;
mod supply;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use policy::{PingBudget, PingPolicy, PingRequest};
pub use supply::SupplyTable;

use crate::evidence::{Event, Evidence};
use crate::ids::CustomerId;
use crate::rng::SplitMix64;
use crate::time::{Millis, SECOND, Timestamp};

/// An AMI head-end: sends on-demand reads to meters and reports their answers.
///
/// A deployment implements it against its own AMI system (answers arrive as they
/// come, late or never); the crate's [`SimulatedHeadEnd`] answers from a supply file
/// as the replay contract says. A meter that does not answer is reported off once
/// the head-end gives up on it.
pub trait HeadEnd {
    /// Sends an on-demand read of `meter` at time `at`.
    fn ping(&mut self, meter: CustomerId, at: Timestamp);

    /// The time of the earliest answer not yet reported, if any.
    fn next_answer(&self) -> Option<Timestamp>;

    /// Appends to `out`, in time order, the answers due at or before `until` that
    /// have not been reported, as `ping` events stamped with the time they arrive.
    fn answers_until(&mut self, until: Timestamp, out: &mut Vec<Event>);
}

/// The head-end of the replay contract (`replay --ami SUPPLY.csv`): a meter with
/// supply at the ping's time answers `on` after a delay drawn uniformly from
/// [`ANSWER_DELAY`](SimulatedHeadEnd::ANSWER_DELAY), except for
/// [`LOSS`](SimulatedHeadEnd::LOSS) of such pings that are lost; a lost ping, or one
/// to a meter with no supply, is reported `off` [`GIVE_UP`](SimulatedHeadEnd::GIVE_UP)
/// after it was sent. Draws are seeded, so runs repeat exactly.
///
/// ```
/// use outage_locator::service::{HeadEnd, SimulatedHeadEnd, SupplyTable};
/// use outage_locator::{CustomerId, Evidence, Timestamp, import_opendss};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let csv = "meter,off,on\nload.s1a,2026-07-01T12:00:00Z,2026-07-01T13:00:00Z\n";
/// let supply = SupplyTable::read(&net, csv.as_bytes()).unwrap();
/// let mut head_end = SimulatedHeadEnd::new(supply, 1);
/// let t: Timestamp = "2026-07-01T12:30:00Z".parse().unwrap();
/// let s1a = net.customer_by_name("s1a").unwrap();
/// head_end.ping(s1a, t);
/// let mut answers = Vec::new();
/// head_end.answers_until(t + 60_000, &mut answers);
/// assert!(matches!(answers[0].evidence, Evidence::Ping { on: false, .. }));
/// assert_eq!(answers[0].time, t + 60_000);
/// ```
#[derive(Debug, Clone)]
pub struct SimulatedHeadEnd {
    supply: SupplyTable,
    rng: SplitMix64,
    /// Answers not yet reported: (due, order sent, meter, on).
    pending: BinaryHeap<Reverse<(Timestamp, u64, u32, bool)>>,
    sent: u64,
}

impl SimulatedHeadEnd {
    /// The delay of an answer from a meter with supply, from and to, milliseconds.
    pub const ANSWER_DELAY: [Millis; 2] = [5 * SECOND, 30 * SECOND];
    /// The share of pings to meters with supply that are lost.
    pub const LOSS: f64 = 0.03;
    /// How long after a ping without an answer the head-end reports the meter off.
    pub const GIVE_UP: Millis = 60 * SECOND;

    /// A head-end answering from `supply`, with its draws seeded by `seed`.
    pub fn new(supply: SupplyTable, seed: u64) -> Self {
        SimulatedHeadEnd {
            supply,
            rng: SplitMix64::new(seed),
            pending: BinaryHeap::new(),
            sent: 0,
        }
    }

    /// Pings sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }
}

impl HeadEnd for SimulatedHeadEnd {
    fn ping(&mut self, meter: CustomerId, at: Timestamp) {
        self.sent += 1;
        let answer = if self.supply.has_supply(meter, at) && !self.rng.chance(Self::LOSS) {
            let [lo, hi] = Self::ANSWER_DELAY;
            let delay = lo + self.rng.below((hi - lo + 1) as u64) as Millis;
            (at + delay, true)
        } else {
            (at + Self::GIVE_UP, false)
        };
        self.pending
            .push(Reverse((answer.0, self.sent, meter.0, answer.1)));
    }

    fn next_answer(&self) -> Option<Timestamp> {
        self.pending.peek().map(|Reverse((t, ..))| *t)
    }

    fn answers_until(&mut self, until: Timestamp, out: &mut Vec<Event>) {
        while let Some(&Reverse((t, _, meter, on))) = self.pending.peek() {
            if t > until {
                break;
            }
            self.pending.pop();
            out.push(Event {
                time: t,
                evidence: Evidence::Ping {
                    meter: CustomerId(meter),
                    on,
                },
            });
        }
    }
}

#[cfg(test)]
mod tests;
