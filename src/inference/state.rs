//! What the engine learns from events, per customer and per device: the state a
//! snapshot holds.
//!
//! A customer's evidence is one byte of [`Flags`] (what it contributes to the counts
//! above it), its last gasp a [`LastGasp`], its supply a 16-byte [`Supply`]; a device
//! above the services is one [`Node`] record. These are flat arrays indexed by id, so
//! an event's walk up its path touches one record per level.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::Momentary;
use super::changes::EngineWarnings;
use super::outages::{NO_OUTAGE, Outage, OutageCause, OutageId, OutageStatus};
use super::rates::Rates;
use super::timers::TimerQueue;
use crate::ids::{CustomerId, ElementId, NONE, OutageDeviceId};
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// One piece of a customer's evidence, as it counts at the devices above it. The
/// discriminants are the bits of [`Flags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Flag {
    /// A call saying there is no power or a wire is down.
    Call = 1,
    /// A call saying the power is partial (a full call replaces it).
    PartialCall = 2,
    /// A last gasp past its hold.
    LastGasp = 4,
    /// A ping answering off.
    PingOff = 8,
    /// Known on: a recent power restore or ping answering on.
    On = 16,
    /// Still silent after a restoration above it: its power restore is awaited.
    AwaitingRestore = 32,
    /// Off for a known cause (planned work, a disconnection): it counts for nothing
    /// but its absence.
    Excluded = 64,
}

/// A customer's evidence flags, one byte per customer: the refresh and every event's
/// walk up its path read them as a whole (the counts' deltas come from comparing two
/// bytes), so they stay a byte rather than a struct of booleans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[repr(transparent)]
pub(super) struct Flags(u8);

impl Flags {
    /// No evidence.
    pub(super) const NONE: Flags = Flags(0);
    /// The flags that count only below a customer's scope, when it has one.
    const SCOPED: u8 = Flag::On as u8 | Flag::AwaitingRestore as u8;
    /// The flags that say the customer is off.
    const REPORTING: u8 = Flag::Call as u8
        | Flag::PartialCall as u8
        | Flag::LastGasp as u8
        | Flag::PingOff as u8
        | Flag::AwaitingRestore as u8;

    /// Just this flag.
    #[inline]
    pub(super) const fn of(f: Flag) -> Flags {
        Flags(f as u8)
    }

    /// Whether the flag is set.
    #[inline]
    pub(super) fn has(self, f: Flag) -> bool {
        self.0 & f as u8 != 0
    }

    /// These flags and `f`.
    #[inline]
    pub(super) fn with(self, f: Flag) -> Flags {
        Flags(self.0 | f as u8)
    }

    /// These flags but `f`.
    #[inline]
    pub(super) fn without(self, f: Flag) -> Flags {
        Flags(self.0 & !(f as u8))
    }

    /// These flags and those of `other`.
    #[inline]
    pub(super) fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// No flag set: a silent customer.
    #[inline]
    pub(super) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any flag says the customer is off (a call, a last gasp, a ping
    /// answering off, an awaited restore).
    #[inline]
    pub(super) fn reporting(self) -> bool {
        self.0 & Self::REPORTING != 0
    }

    /// Whether any flag counts only below the customer's scope.
    #[inline]
    pub(super) fn scoped(self) -> bool {
        self.0 & Self::SCOPED != 0
    }

    /// These flags without the scoped ones: how they count from the scope up.
    #[inline]
    pub(super) fn unscoped(self) -> Flags {
        Flags(self.0 & !Self::SCOPED)
    }

    /// Just the exclusion, if set: what a reset of the customer's evidence keeps.
    #[inline]
    pub(super) fn exclusion(self) -> Flags {
        Flags(self.0 & Flag::Excluded as u8)
    }

    /// The flags as they count: a customer off for a known cause contributes nothing
    /// but its absence.
    #[inline]
    pub(super) fn effective(self) -> Flags {
        if self.has(Flag::Excluded) {
            Flags::of(Flag::Excluded)
        } else {
            self
        }
    }

    /// Whether any flag but the exclusion is set (the customer is among the active
    /// ones below a device).
    #[inline]
    pub(super) fn active(self) -> bool {
        self.0 & !(Flag::Excluded as u8) != 0
    }

    /// A caller whose meter sent no last gasp and answered no ping off: its meter's
    /// silence is certain, since a call comes minutes after the power went.
    #[inline]
    pub(super) fn call_only(self) -> bool {
        (self.has(Flag::Call) || self.has(Flag::PartialCall))
            && !self.has(Flag::LastGasp)
            && !self.has(Flag::PingOff)
    }

    /// Whether any call (full or partial) is set.
    #[inline]
    pub(super) fn called(self) -> bool {
        self.has(Flag::Call) || self.has(Flag::PartialCall)
    }
}

/// Where a customer's last gasp stands. Snapshots keep it as its number (0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub(super) enum LastGasp {
    /// No last gasp stands.
    None = 0,
    /// Held by the momentary filter: it does not count yet.
    Held = 1,
    /// Past its hold: it counts (unless a restoration took it for still dark).
    Counted = 2,
}

impl From<LastGasp> for u8 {
    fn from(s: LastGasp) -> u8 {
        s as u8
    }
}

impl TryFrom<u8> for LastGasp {
    type Error = String;
    fn try_from(x: u8) -> Result<Self, String> {
        match x {
            0 => Ok(LastGasp::None),
            1 => Ok(LastGasp::Held),
            2 => Ok(LastGasp::Counted),
            _ => Err(format!("no last-gasp state {x}")),
        }
    }
}

/// A customer's supply as its meter and the known causes tell it, in one 16-byte
/// record: every meter report reads `since` and writes `report`, and a power restore
/// writes `by_restore` (one cache line for all three).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Supply {
    /// Since when the customer has had supply (a power restore, a ping answering on,
    /// the end of planned work, a reconnection); `NEVER` when not known.
    pub(super) since: Timestamp,
    /// The meter's latest report, whether or not it was news: whole seconds since
    /// [`REPORT_EPOCH_S`] times two, plus one when it said the meter has supply; 0 when
    /// none (see [`Supply::note_report`]).
    pub(super) report: u32,
    /// Whether `since` came from a power restore (not a ping).
    pub(super) by_restore: bool,
}

/// The origin of [`Supply::report`]: 2020-01-01T00:00:00Z, in Unix seconds (reports
/// fit until 2088; earlier and later ones are clamped).
const REPORT_EPOCH_S: i64 = 1_577_836_800;

impl Supply {
    /// Nothing known.
    const UNKNOWN: Supply = Supply {
        since: Timestamp::NEVER,
        report: 0,
        by_restore: false,
    };

    /// Keeps a meter report at `t` if it is the latest: later reports compare greater,
    /// and at the same second one saying on is the greater.
    #[inline]
    pub(super) fn note_report(&mut self, t: Timestamp, on: bool) {
        let secs = (t.0.div_euclid(1000) - REPORT_EPOCH_S).clamp(1, (1 << 31) - 1) as u32;
        self.report = self.report.max((secs << 1) | on as u32);
    }

    /// The latest meter report: its time (whole seconds) and whether it said on.
    pub(super) fn latest_report(&self) -> Option<(Timestamp, bool)> {
        let r = self.report;
        (r != 0).then(|| {
            let secs = (r >> 1) as i64 + REPORT_EPOCH_S;
            (Timestamp(secs * 1000), r & 1 == 1)
        })
    }
}

/// Counts of the customers below a device by the evidence they hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Counts {
    /// Customers below, not off for a known cause.
    pub(super) pop: u32,
    /// With a call.
    pub(super) call: u32,
    /// With a partial-power call.
    pub(super) weak: u32,
    /// With a counted last gasp.
    pub(super) lg: u32,
    /// With a ping answering off.
    pub(super) ping_off: u32,
    /// Known on.
    pub(super) on: u32,
    /// Awaiting their power restore after a restoration.
    pub(super) await_: u32,
    /// With any flag but the exclusion.
    pub(super) active: u32,
    /// Customers who called but whose meter sent no last gasp.
    pub(super) call_only: u32,
    /// SCADA-confirmed open devices at or below (their customers are known off).
    pub(super) forced: u32,
    /// Customers below the SCADA-confirmed open devices at or below.
    pub(super) forced_pop: u32,
}

impl Counts {
    /// Whether any off evidence lies below a device with these counts.
    #[inline]
    pub(super) fn reports(&self) -> bool {
        self.call + self.weak + self.lg + self.ping_off + self.await_ + self.forced > 0
    }
}

/// No last gasp below a device: an empty span.
pub(super) const NO_SPAN: (Timestamp, Timestamp) = (Timestamp(i64::MAX), Timestamp(i64::MIN));

/// What the inference keeps about one device above the services, in one record: an
/// event's walk up the path reads and writes all of it at each device (one or two
/// cache lines instead of one per array).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Node {
    /// The evidence counted below the device.
    pub(super) counts: Counts,
    /// The earliest off evidence below the device (`i64::MAX` when none).
    pub(super) t_first: Timestamp,
    /// The earliest and latest last gasp below the device (the span of `lg_at` over
    /// customers whose last gasp stands), widened as last gasps come and recomputed
    /// at each refresh.
    pub(super) lg_span: (Timestamp, Timestamp),
    /// The best explanation of the subtree with the device out or in (A), and with
    /// it in (B).
    pub(super) a: f64,
    pub(super) b: f64,
}

/// Everything the engine learns from events: what a snapshot holds. The fields are
/// serialised in this order; renaming or reordering one changes the snapshot format.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct State {
    /// Expected concurrent faults on the network: the scale of the priors.
    pub(super) intensity: f64,
    pub(super) rates: Rates,
    pub(super) clock: Timestamp,
    pub(super) last_refresh: Timestamp,
    // customers
    pub(super) bits: Vec<Flags>,
    pub(super) lg_state: Vec<LastGasp>,
    pub(super) lg_at: Vec<Timestamp>,
    pub(super) call_at: Vec<Timestamp>,
    /// Per customer: since when it has supply, and its meter's latest report.
    pub(super) supply: Vec<Supply>,
    pub(super) report_at: Vec<Timestamp>,
    pub(super) await_since: Vec<Timestamp>,
    /// When customers' meters answered a ping saying they are off (pings are few: by
    /// customer, not an array the size of the network).
    pub(super) ping_off_at: BTreeMap<CustomerId, Timestamp>,
    /// One bit per customer: its call reported a wire down.
    pub(super) wire_down: Vec<u64>,
    /// Per customer: the restored device below which its awaited restore (and its
    /// power restore after a restoration) counts; NONE when it counts everywhere.
    pub(super) scope: Vec<u32>,
    pub(super) disconnected: BTreeMap<CustomerId, OutageId>,
    pub(super) planned_depth: Vec<u16>,
    // devices
    /// The devices above the services, one record each (index minus `nc`); a
    /// service's counts follow from its customer's bits.
    pub(super) node: Vec<Node>,
    /// A of each service (by customer).
    pub(super) a_service: Vec<f64>,
    pub(super) flag: Vec<bool>,
    pub(super) forced: Vec<bool>,
    /// The devices above the services that the refresh recomputes, deepest first
    /// once sorted (active services are known by `in_active` alone).
    pub(super) active: Vec<OutageDeviceId>,
    pub(super) in_active: Vec<bool>,
    pub(super) active_sorted: bool,
    pub(super) flags_changed: bool,
    pub(super) flagged: Vec<OutageDeviceId>,
    pub(super) in_flagged: Vec<bool>,
    // scada and momentaries
    pub(super) scada_open: BTreeMap<OutageDeviceId, Timestamp>,
    pub(super) bursts: VecDeque<(OutageDeviceId, Timestamp)>,
    pub(super) recent_lg: VecDeque<(Timestamp, CustomerId)>,
    /// The last gasps of momentaries (the burst's time, the meter), to estimate the
    /// last-gasp rate from them.
    pub(super) burst_lg: VecDeque<(Timestamp, CustomerId)>,
    pub(super) momentaries: Vec<Momentary>,
    pub(super) timers: TimerQueue,
    // outages
    pub(super) outages: Vec<Outage>,
    pub(super) open_fault: BTreeMap<OutageDeviceId, OutageId>,
    pub(super) planned: BTreeMap<OutageDeviceId, OutageId>,
    /// The evidence keys seen within twice the late-arrival window.
    pub(super) last_seen: super::dedup::RecentKeys,
    pub(super) warnings: EngineWarnings,
    // switching
    /// The switching followed since the normal state, in order (element, opened).
    pub(super) switching: Vec<(u32, bool)>,
    /// Switching held because it closes a loop (a make-before-break transfer under
    /// way), in order (element, opened).
    pub(super) pending: Vec<(u32, bool)>,
    /// When the restores a transfer should bring are due: the outages recount then.
    pub(super) recount_at: Option<Timestamp>,
    /// The latest fault indicator reading of each element: its time, and whether
    /// fault current passed.
    pub(super) fault_indications: BTreeMap<ElementId, (Timestamp, bool)>,
}

impl State {
    /// The state before any event, on the view's `nc` customers and `nd` outage
    /// devices. O(devices).
    pub(super) fn new(
        view: &EnergizationView,
        nc: usize,
        nd: usize,
        intensity: f64,
        rates: Rates,
    ) -> State {
        let node = (nc..nd)
            .map(|d| Node {
                counts: Counts {
                    pop: view.customer_count_below(OutageDeviceId::from(d)),
                    ..Counts::default()
                },
                t_first: Timestamp(i64::MAX),
                lg_span: NO_SPAN,
                a: 0.0,
                b: 0.0,
            })
            .collect();
        State {
            intensity,
            rates,
            clock: Timestamp::NEVER,
            last_refresh: Timestamp::NEVER,
            bits: vec![Flags::NONE; nc],
            lg_state: vec![LastGasp::None; nc],
            lg_at: vec![Timestamp::NEVER; nc],
            call_at: vec![Timestamp::NEVER; nc],
            supply: vec![Supply::UNKNOWN; nc],
            report_at: vec![Timestamp::NEVER; nc],
            await_since: vec![Timestamp::NEVER; nc],
            ping_off_at: BTreeMap::new(),
            wire_down: vec![0; nc.div_ceil(64)],
            scope: vec![NONE; nc],
            disconnected: BTreeMap::new(),
            planned_depth: vec![0; nc],
            node,
            a_service: vec![0.0; nc],
            flag: vec![false; nd],
            forced: vec![false; nd],
            active: Vec::new(),
            in_active: vec![false; nd],
            active_sorted: true,
            flags_changed: false,
            flagged: Vec::new(),
            in_flagged: vec![false; nd],
            scada_open: BTreeMap::new(),
            bursts: VecDeque::new(),
            burst_lg: VecDeque::new(),
            recent_lg: VecDeque::new(),
            momentaries: Vec::new(),
            timers: TimerQueue::default(),
            outages: vec![Outage {
                id: NO_OUTAGE,
                device: OutageDeviceId(0),
                cause: OutageCause::Fault,
                status: OutageStatus::Retracted,
                customers: 0,
                confidence: 0.0,
                start: Timestamp::NEVER,
                opened_at: Timestamp::NEVER,
                closed_at: None,
                planned_end: None,
                own_start: None,
            }],
            open_fault: BTreeMap::new(),
            planned: BTreeMap::new(),
            last_seen: super::dedup::RecentKeys::default(),
            warnings: EngineWarnings::default(),
            switching: Vec::new(),
            pending: Vec::new(),
            recount_at: None,
            fault_indications: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed state keeps the snapshot's form: flags are their byte, a last gasp
    /// its number, and both stay one byte per customer.
    #[test]
    fn flags_and_last_gasps_serialise_as_their_bytes() {
        let f = Flags::of(Flag::Call)
            .with(Flag::LastGasp)
            .with(Flag::Excluded);
        assert_eq!(serde_json::to_string(&f).unwrap(), "69");
        assert_eq!(serde_json::from_str::<Flags>("69").unwrap(), f);
        let states = [LastGasp::None, LastGasp::Held, LastGasp::Counted];
        assert_eq!(serde_json::to_string(&states).unwrap(), "[0,1,2]");
        assert_eq!(
            serde_json::from_str::<[LastGasp; 3]>("[0,1,2]").unwrap(),
            states
        );
        assert!(serde_json::from_str::<LastGasp>("3").is_err());
        assert_eq!(std::mem::size_of::<Flags>(), 1);
        assert_eq!(std::mem::size_of::<LastGasp>(), 1);
        assert_eq!(std::mem::size_of::<Supply>(), 16);
    }

    /// What a customer's flags count as: an exclusion hides every other flag, the
    /// scoped flags are on-proofs and awaited restores, a full call is not call-only
    /// once the meter gasped.
    #[test]
    fn flags_count_as_the_model_says() {
        let gasped_caller = Flags::of(Flag::Call).with(Flag::LastGasp);
        assert!(gasped_caller.reporting() && gasped_caller.active());
        assert!(!gasped_caller.call_only());
        assert!(Flags::of(Flag::PartialCall).call_only());
        assert_eq!(
            gasped_caller.with(Flag::Excluded).effective(),
            Flags::of(Flag::Excluded)
        );
        assert!(!Flags::of(Flag::Excluded).active());
        let on = Flags::of(Flag::On);
        assert!(on.scoped() && !on.reporting());
        assert!(Flags::of(Flag::AwaitingRestore).reporting());
        assert_eq!(on.with(Flag::PingOff).unscoped(), Flags::of(Flag::PingOff));
    }
}
