//! The outage inference engine: from calls, last gasps, power restores, pings and SCADA,
//! the set of out devices at every moment, with posterior confidence.
//!
//! # The model
//!
//! Every outage device `d` is either out or not, with prior odds from its class's share
//! of faults over the number of devices of that class, times the current fault
//! intensity ([`OutageDevicePriors`], [`EngineOptions::calm_faults`]). A customer is off
//! supply iff some device on its chain is out. Given that, the customers' evidence is
//! independent:
//!
//! * an off customer calls with probability `p_call` (spread over time by a log-normal
//!   delay), sends a last gasp with probability `p_lg`; an on customer calls or sends a
//!   false last gasp at small background rates;
//! * a power restore or a ping answering *on* says the customer is on; a ping answering
//!   *off* says it is off;
//! * after a restoration above it, a customer that is still off never sends a power
//!   restore, one that is back on does with probability `p_pr`;
//! * the meters below one out device lose power together and stamp their last gasps
//!   within a minute of each other: when the last gasps below a device span more than
//!   three minutes, "d out" explains all but one of them (the other is another fault's
//!   or a stray).
//!
//! On a radial network the most probable set of out devices is found exactly by a
//! dynamic programme over the device tree: with `S(d)` the log-odds of "d out" against
//! "everything on" (prior plus the evidence of every customer below), and
//! `B(d) = Σ A(child)`, the best gain of the subtree is `A(d) = max(S(d), B(d))`; `d` is
//! out in the best explanation iff `S(d) > B(d)` and no ancestor is out. The sums are
//! kept per device as counts of customers by evidence kind, so a new report changes
//! only the values on the path from its meter to the source: O(depth) per event.
//! Time-dependent terms (how many silent customers should have reported by now) are
//! refreshed over the devices that hold any evidence when the clock moves on. A
//! service's counts follow from its customer's bits (services keep no per-device
//! arrays), and the best explanation is kept between events and updated flip by flip.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::bits::{bit, set_bit, set_bits_in};
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{Network, OutageDeviceClass};
use crate::time::{MINUTE, Millis, SECOND, Timestamp};
use crate::topology::EnergizationView;

/// Each class's share of faults: a device's prior odds are its class's share times the
/// current fault intensity (expected concurrent faults, see
/// [`EngineOptions::calm_faults`]), over the number of devices of that class.
/// Normalising by class size keeps the ratios between classes on any network: a lone
/// report means less where there are more customers who could have sent it, and a
/// fuse is likelier to be the cause than any one of the many services below it. The
/// shares of classes a network does not have (a feeder with no recloser, or with its
/// loads on the primary and no distribution transformer) go to the classes it has, in
/// proportion: the faults happen somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutageDevicePriors {
    /// Customers' own service drops.
    pub service: f64,
    /// Distribution transformers.
    pub transformer: f64,
    /// Fuses.
    pub fuse: f64,
    /// Sectionalizers.
    pub sectionalizer: f64,
    /// Switches (switches do not operate on faults: they are rarely the cause).
    pub switch: f64,
    /// Reclosers.
    pub recloser: f64,
    /// Breakers.
    pub breaker: f64,
    /// Loss of a source itself.
    pub source: f64,
}

impl Default for OutageDevicePriors {
    fn default() -> Self {
        // Typical shares of distribution faults by the device that clears them.
        OutageDevicePriors {
            service: 0.35,
            transformer: 0.30,
            fuse: 0.25,
            sectionalizer: 0.02,
            switch: 0.0005,
            recloser: 0.07,
            breaker: 0.03,
            source: 0.002,
        }
    }
}

impl OutageDevicePriors {
    /// The share of a class.
    pub fn of(&self, class: OutageDeviceClass) -> f64 {
        match class {
            OutageDeviceClass::Service => self.service,
            OutageDeviceClass::Transformer => self.transformer,
            OutageDeviceClass::Fuse => self.fuse,
            OutageDeviceClass::Sectionalizer => self.sectionalizer,
            OutageDeviceClass::Switch => self.switch,
            OutageDeviceClass::Recloser => self.recloser,
            OutageDeviceClass::Breaker => self.breaker,
            OutageDeviceClass::Source => self.source,
        }
    }
}

/// The engine's options: priors, initial rates (re-estimated online), and windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineOptions {
    /// Shares of faults by class (normalised by class size into per-device priors).
    pub priors: OutageDevicePriors,
    /// Expected concurrent faults on a calm day, at least: the scale of the priors
    /// (the fault intensity) on a network of up to `calm_faults /
    /// calm_faults_per_customer` customers.
    pub calm_faults: f64,
    /// Expected concurrent faults per customer on a calm day: the intensity of a
    /// larger network.
    pub calm_faults_per_customer: f64,
    /// The fault intensity never exceeds this many faults per customer (on a small
    /// network the class shares would otherwise make every device likely out).
    pub max_faults_per_customer: f64,
    /// Raise the fault intensity with the outages the engine holds (a storm makes
    /// every report likelier to be real), re-estimated at every refresh.
    pub adapt_intensity: bool,
    /// Initial probability that an off customer calls (estimated online).
    pub call_probability: f64,
    /// Initial probability that an off meter's last gasp arrives (estimated online).
    pub last_gasp_probability: f64,
    /// Initial probability that a restored meter's power restore arrives.
    pub power_restore_probability: f64,
    /// Probability that an on customer calls about no power within an outage's span.
    pub background_call_probability: f64,
    /// Probability that an on meter sends a false last gasp within an outage's span.
    pub false_last_gasp_probability: f64,
    /// Median delay of an affected customer's call.
    pub call_delay_median: Millis,
    /// Log-normal spread (sigma) of call delays.
    pub call_delay_sigma: f64,
    /// Probability that a telemetered device's opening is not reported by SCADA.
    pub telemetry_miss_probability: f64,
    /// A last gasp counts only after this hold (the AMI momentary filter).
    pub last_gasp_hold: Millis,
    /// A last gasp followed by a power restore within this is a momentary.
    pub momentary_max: Millis,
    /// Last gasps this close to a momentary in the same zone belong to it (a
    /// momentary's meters lose power at one instant and gasp within seconds; a
    /// sustained fault's last gasp a few seconds later is its own).
    pub burst_window: Millis,
    /// A SCADA open followed by a close within this is a reclose (momentary).
    pub reclose_window: Millis,
    /// Events older than the clock by more than this are counted as too late (they are
    /// still applied).
    pub late_window: Millis,
    /// After a restoration, customers that stay silent this long count as still off.
    pub restore_grace: Millis,
    /// After a restoration, power restores from below it count against nested outages
    /// for this long.
    pub restore_window: Millis,
    /// A power restore or ping answering on counts against outages for this long;
    /// after it the customer is simply silent again.
    pub on_memory: Millis,
    /// Re-estimate the rates from confirmed outages.
    pub estimate_rates: bool,
    /// How often the clock-dependent terms of every device with evidence are
    /// recomputed (a path is always current after its own event).
    pub refresh_interval: Millis,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            priors: OutageDevicePriors::default(),
            calm_faults: 20.0,
            calm_faults_per_customer: 0.001,
            max_faults_per_customer: 0.1,
            adapt_intensity: true,
            call_probability: 0.15,
            last_gasp_probability: 0.5,
            power_restore_probability: 0.7,
            background_call_probability: 0.002,
            false_last_gasp_probability: 0.001,
            call_delay_median: 8 * MINUTE,
            call_delay_sigma: 1.0,
            telemetry_miss_probability: 0.3,
            last_gasp_hold: MINUTE,
            momentary_max: 90 * SECOND,
            burst_window: 5 * SECOND,
            reclose_window: 30 * SECOND,
            late_window: 5 * MINUTE,
            restore_grace: 2 * MINUTE,
            on_memory: 2 * MINUTE,
            restore_window: 30 * MINUTE,
            estimate_rates: true,
            refresh_interval: 5 * MINUTE,
        }
    }
}

/// Why customers are off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageCause {
    /// An unplanned fault.
    Fault,
    /// Planned work or orderly-use load shedding.
    Planned,
    /// A remote disconnection (for example for arrears).
    Disconnect,
}

impl OutageCause {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageCause::Fault => "fault",
            OutageCause::Planned => "planned",
            OutageCause::Disconnect => "disconnect",
        }
    }
}

/// How sure the engine is of an outage, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageStatus {
    /// Inferred from the evidence.
    Predicted,
    /// Confirmed by SCADA, a ping, or known cause.
    Confirmed,
    /// Supply came back.
    Restored,
    /// The evidence no longer supports it.
    Retracted,
}

impl OutageStatus {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageStatus::Predicted => "predicted",
            OutageStatus::Confirmed => "confirmed",
            OutageStatus::Restored => "restored",
            OutageStatus::Retracted => "retracted",
        }
    }
}

/// A stable outage id (`O1`, `O2`, … in the replay output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutageId(pub u32);

impl std::fmt::Display for OutageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "O{}", self.0)
    }
}

/// An outage the engine holds (or held).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    /// Stable id.
    pub id: OutageId,
    /// The out device.
    pub device: OutageDeviceId,
    /// Why.
    pub cause: OutageCause,
    /// How sure, or how it ended.
    pub status: OutageStatus,
    /// Customers held off supply.
    pub customers: u32,
    /// Probability that this device is out.
    pub confidence: f64,
    /// Estimated start (earliest evidence; backdated for nested outages).
    pub start: Timestamp,
    /// When the engine opened it.
    pub opened_at: Timestamp,
    /// When it closed, if it did.
    pub closed_at: Option<Timestamp>,
    /// For planned outages: the announced end.
    pub planned_end: Option<Timestamp>,
    /// When the event at this device itself began (SCADA opening or first last gasp
    /// outside outages nested below it), if known.
    pub own_start: Option<Timestamp>,
}

/// A momentary interruption (for MAIFI): never a sustained outage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Momentary {
    /// The reclosing device (or the zone's head); a service when its meter alone
    /// gasped and came back (a sag or a meter reset).
    pub device: OutageDeviceId,
    /// When.
    pub time: Timestamp,
}

/// How a call was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CallClassification {
    /// The caller.
    pub customer: CustomerId,
    /// The known cause, or `None` when no outage explains the call yet.
    pub cause: Option<OutageCause>,
    /// The outage it belongs to.
    pub outage: Option<OutageId>,
}

/// One change of the engine's conclusions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// A new outage.
    Opened(OutageId),
    /// An outage changed (device, status, customers or confidence).
    Updated(OutageId),
    /// An outage closed; `merged_into` when it rolled up into another.
    Closed {
        /// The outage.
        outage: OutageId,
        /// The outage that absorbed it.
        merged_into: Option<OutageId>,
    },
    /// A call was classified.
    Call(CallClassification),
    /// A momentary interruption was recognised.
    Momentary(Momentary),
}

/// The evidence below a device and the log-odds the engine compares; see
/// [`Engine::evidence_below`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvidenceSummary {
    /// Customers below (not off for a known cause).
    pub customers: u32,
    /// Of them, with a no-power or wire-down call.
    pub calls: u32,
    /// With a partial-power call.
    pub partial_calls: u32,
    /// With a last gasp (held past the momentary filter).
    pub last_gasps: u32,
    /// With a ping answering off.
    pub pings_off: u32,
    /// Known on (recent power restore or ping on).
    pub known_on: u32,
    /// Still silent after a restoration above them.
    pub awaiting_restore: u32,
    /// SCADA reports the device locked out.
    pub scada_open: bool,
    /// Log-odds of "this device is out" against "all on".
    pub log_odds_out: f64,
    /// Log-odds of the best explanation of the subtree with the device in.
    pub log_odds_below: f64,
    /// Whether the device is out in the best explanation of its subtree.
    pub out_in_best_explanation: bool,
}

const SNAPSHOT_FORMAT: &str = "outage-locator/engine-snapshot/9";

/// A serialisable snapshot of an [`Engine`]: its options and everything it has learnt.
/// Restoring it and feeding the rest of the events gives exactly the output of an
/// uninterrupted run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineSnapshot {
    format: String,
    network: String,
    customers: usize,
    options: EngineOptions,
    state: State,
}

/// Counted warnings: events that were used with a caveat or not at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineWarnings {
    /// Events older than the late-arrival window (still applied).
    pub too_late: u64,
    /// Exact repeats of an earlier event (ignored as evidence).
    pub duplicates: u64,
    /// Evidence from before the customer's last known-on time, and power restores
    /// from before the meter's current last gasp (stale, ignored).
    pub stale: u64,
}

// Customer evidence bits (what the customer contributes to the counts above it).
const B_CALL: u8 = 1;
const B_WEAK: u8 = 2;
const B_LG: u8 = 4;
const B_PING_OFF: u8 = 8;
const B_ON: u8 = 16;
const B_AWAIT: u8 = 32;
const B_EXCLUDED: u8 = 64;
/// Bits that count only below a customer's scope, when it has one.
const SCOPED: u8 = B_ON | B_AWAIT;
const REPORTING: u8 = B_CALL | B_WEAK | B_LG | B_PING_OFF | B_AWAIT;

const LG_NONE: u8 = 0;
const LG_PENDING: u8 = 1;
const LG_COUNTED: u8 = 2;

/// Timers in due order. Nearly every timer is due a fixed delay after the event that
/// set it, so each (kind, delay) lane is a queue that events fill in time order: a
/// push is O(1) but for late events, a pop compares the lanes' fronts. The order is
/// that of a heap on (due, timer).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TimerQueue {
    /// (kind, delay, timers in due order).
    lanes: Vec<TimerLane>,
    /// No timer is due before this (a lower bound: exact after a pop, lowered by
    /// pushes; a new or restored queue starts from "maybe any time" and finds out).
    #[serde(skip, default = "any_time")]
    next_due: i64,
}

/// The earliest time there is: a bound that holds before anything is known.
fn any_time() -> i64 {
    i64::MIN
}

impl Default for TimerQueue {
    fn default() -> Self {
        TimerQueue {
            lanes: Vec::new(),
            next_due: any_time(),
        }
    }
}

type TimerLane = (u8, i64, VecDeque<(i64, Timer)>);

impl TimerQueue {
    /// Whether every timer names a customer below `nc` or a device below `nd`.
    fn fits(&self, nc: usize, nd: usize) -> bool {
        self.lanes.iter().flat_map(|l| l.2.iter()).all(|&(_, t)| {
            let (id, limit) = match t {
                Timer::LastGaspHold(c, _)
                | Timer::AwaitGrace(c, _)
                | Timer::AwaitExpire(c, _)
                | Timer::OnExpire(c, _)
                | Timer::EstimateLastGaspFromCall(c, _)
                | Timer::SilenceSettled(c, _) => (c, nc),
                Timer::Lockout(d, _)
                | Timer::PlannedEnd(d, _)
                | Timer::EstimateLastGasp(d, _)
                | Timer::EstimateCall(d, _)
                | Timer::EstimateRestore(d, _)
                | Timer::EstimateLastGaspFromMomentary(d, _) => (d, nd),
            };
            (id as usize) < limit
        })
    }

    fn push(&mut self, Reverse((due, timer)): Reverse<(i64, Timer)>) {
        let (kind, base) = timer.key();
        let delay = due - base;
        let lane = match self
            .lanes
            .iter()
            .position(|(k, d, _)| *k == kind && *d == delay)
        {
            Some(i) => i,
            None => {
                self.lanes.push((kind, delay, VecDeque::new()));
                self.lanes.len() - 1
            }
        };
        self.next_due = self.next_due.min(due);
        let q = &mut self.lanes[lane].2;
        let item = (due, timer);
        if q.back().is_none_or(|b| *b <= item) {
            q.push_back(item);
            return;
        }
        // A late event, or one among many due at the same moment: its place is near
        // the back, so gallop back from there, then bisect.
        let mut hi = q.len() - 1; // q[hi] > item
        let mut step = 1;
        let mut lo = loop {
            if hi < step {
                break 0;
            }
            let probe = hi - step;
            if q[probe] <= item {
                break probe + 1;
            }
            hi = probe;
            step *= 2;
        };
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if q[mid] <= item {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        q.insert(lo, item);
    }

    /// The lane whose front is due first.
    fn first(&self) -> Option<usize> {
        let mut best: Option<(usize, (i64, Timer))> = None;
        for (i, (_, _, q)) in self.lanes.iter().enumerate() {
            if let Some(&f) = q.front()
                && best.is_none_or(|(_, b)| f < b)
            {
                best = Some((i, f));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The first timer in due order if it is due by `now`.
    fn pop_due(&mut self, now: i64) -> Option<(i64, Timer)> {
        if self.next_due > now {
            return None;
        }
        let Some(i) = self.first() else {
            self.next_due = i64::MAX;
            return None;
        };
        let front = self.lanes[i].2.front().copied();
        match front {
            Some((due, _)) if due <= now => self.lanes[i].2.pop_front(),
            Some((due, _)) => {
                self.next_due = due;
                None
            }
            None => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Timer {
    /// A last gasp's hold ends (customer, the last gasp's time).
    LastGaspHold(u32, i64),
    /// An awaited power restore's grace ends (customer, restoration time).
    AwaitGrace(u32, i64),
    /// An on proof stops counting against new outages (customer, its time).
    OnExpire(u32, i64),
    /// A missing power restore stops counting for a nested outage unless one is held
    /// above the customer (customer, restoration time).
    AwaitExpire(u32, i64),
    /// A SCADA open that is not reclosed by now is a lockout (device, open time).
    Lockout(u32, i64),
    /// A planned outage ends (device).
    PlannedEnd(u32, i64),
    /// Estimate the last-gasp rate from a confirmed opening (device, open time).
    EstimateLastGasp(u32, i64),
    /// Estimate the call rate from a confirmed opening still open (device, open time).
    EstimateCall(u32, i64),
    /// Estimate the last-gasp rate from a caller: did its meter gasp? (customer, call
    /// time).
    EstimateLastGaspFromCall(u32, i64),
    /// Estimate the power-restore rate after a restoration (device, time).
    EstimateRestore(u32, i64),
    /// Estimate the last-gasp rate from a momentary: every meter in its zone lost
    /// power at once (zone, the burst's time).
    EstimateLastGaspFromMomentary(u32, i64),
    /// The silence of the meters around a counted last gasp has fully set in
    /// (customer, the last gasp's time): its path is re-evaluated, so the outage
    /// it suggests is narrowed now rather than at the next refresh.
    SilenceSettled(u32, i64),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Counts {
    pop: u32,
    call: u32,
    weak: u32,
    lg: u32,
    ping_off: u32,
    on: u32,
    await_: u32,
    active: u32,
    /// Customers who called but whose meter sent no last gasp.
    call_only: u32,
    /// SCADA-confirmed open devices at or below (their customers are known off).
    forced: u32,
    forced_pop: u32,
}

/// What the inference keeps about one device above the services, in one record: an
/// event's walk up the path reads and writes all of it at each device (one or two
/// cache lines instead of one per array).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Node {
    /// The evidence counted below the device.
    counts: Counts,
    /// The earliest off evidence below the device (`i64::MAX` when none).
    t_first: Timestamp,
    /// The earliest and latest last gasp below the device (the span of `lg_at` over
    /// customers whose last gasp stands), widened as last gasps come and recomputed
    /// at each refresh.
    lg_span: (Timestamp, Timestamp),
    /// The best explanation of the subtree with the device out or in (A), and with
    /// it in (B).
    a: f64,
    b: f64,
}

impl Timer {
    /// The timer's kind and the time it counts from (its due time less its delay).
    fn key(&self) -> (u8, i64) {
        match *self {
            Timer::LastGaspHold(_, t) => (0, t),
            Timer::AwaitGrace(_, t) => (1, t),
            Timer::OnExpire(_, t) => (2, t),
            Timer::Lockout(_, t) => (3, t),
            Timer::PlannedEnd(_, t) => (4, t),
            Timer::EstimateLastGasp(_, t) => (5, t),
            Timer::EstimateCall(_, t) => (6, t),
            Timer::EstimateLastGaspFromCall(_, t) => (8, t),
            Timer::EstimateRestore(_, t) => (7, t),
            Timer::AwaitExpire(_, t) => (9, t),
            Timer::SilenceSettled(_, t) => (10, t),
            Timer::EstimateLastGaspFromMomentary(_, t) => (11, t),
        }
    }
}

/// A running Beta estimate of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateEstimate {
    /// Pseudo-count of successes.
    pub hits: f64,
    /// Pseudo-count of trials.
    pub trials: f64,
}

impl RateEstimate {
    fn new(p: f64, weight: f64) -> Self {
        RateEstimate {
            hits: p * weight,
            trials: weight,
        }
    }
    /// The current estimate.
    pub fn value(&self) -> f64 {
        (self.hits / self.trials).clamp(0.01, 0.99)
    }
    fn add(&mut self, hits: f64, trials: f64) {
        self.hits += hits;
        self.trials += trials;
    }
}

/// The rates the engine currently believes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// Probability that an off customer calls.
    pub call: RateEstimate,
    /// Probability that an off meter's last gasp arrives.
    pub last_gasp: RateEstimate,
    /// Probability that a restored meter's power restore arrives.
    pub power_restore: RateEstimate,
}

/// Derived log-weights, recomputed when rates change.
#[derive(Debug, Clone, Copy)]
struct Weights {
    call: f64,
    weak: f64,
    lg: f64,
    ping_off: f64,
    on: f64,
    await_: f64,
    p_lg: f64,
    p_call: f64,
    /// ln(1 - p_lg): an off meter whose last gasp is overdue.
    ln_no_lg: f64,
}

/// The inference engine. Feed it events with [`Engine::ingest`]; read the outages it
/// holds with [`Engine::open_outages`].
///
/// ```
/// use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
/// let fuse = net.outage_device_by_name("fuse.f_l68").unwrap();
/// let t0: outage_locator::Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
/// // Every customer below the fuse sends a last gasp; two of them call.
/// let below: Vec<_> = engine.view().customers_below(fuse).to_vec();
/// for &c in &below {
///     engine.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter: c } });
/// }
/// engine.ingest(Event { time: t0 + 300_000, evidence: Evidence::Tick });
/// let out: Vec<_> = engine.open_outages().map(|o| o.device).collect();
/// assert_eq!(out, [fuse]);
/// ```
pub struct Engine<'n> {
    net: &'n Network,
    view: EnergizationView,
    opts: EngineOptions,
    w: Weights,
    /// Prior log-odds of the devices above the services (index minus `nc`).
    lp: Vec<f32>,
    /// Prior log-odds of a service.
    lp_service: f64,
    /// ln(1 - p_call F(dt)) by dt in steps of `SILENCE_STEP` up to `SILENCE_SPAN`: the
    /// silence of a customer who would have called by now (F: the call-delay
    /// distribution). Rebuilt with the weights.
    call_silence: Vec<f64>,
    /// Customers: the first `nc` outage devices are their services.
    nc: usize,
    st: State,
    changes: Vec<Change>,
    scratch: Vec<OutageDeviceId>,
    /// Devices with an open fault outage whose values changed during this event.
    touched: Vec<OutageDeviceId>,
    /// The last refresh recomputed every device: every open outage's confidence may
    /// have moved.
    refreshed: bool,
    /// Devices whose decision flipped during this event.
    flipped: Vec<OutageDeviceId>,
    /// One bit per device: it holds an open fault outage (the keys of
    /// `st.open_fault`, for the hot path). Derived.
    held: Vec<u64>,
    /// The energized devices holding an open fault outage by pre-order index (the
    /// outages below a device are a range). Derived.
    held_by_pre: BTreeMap<u32, u32>,
    /// The pre-order positions of the customers whose call reported a wire down (the
    /// customers set in `st.wire_down` with supply in the view). Derived.
    wire_down_at: BTreeSet<u32>,
    /// The best explanation kept between events (derived): flagged devices with no
    /// flagged device above them, by id and by pre-order index, and every energized
    /// flagged device by pre-order index. Valid until a refresh recomputes every flag.
    roots: Roots,
}

/// Customer spans (pre-order positions) of held outages, by start, asked about
/// positions in increasing order.
struct HeldSpans {
    spans: Vec<std::ops::Range<u32>>,
    next: usize,
}

impl HeldSpans {
    /// Whether `pos` lies in a span; positions must come in increasing order.
    fn contains(&mut self, pos: u32) -> bool {
        while self.spans.get(self.next).is_some_and(|r| r.end <= pos) {
            self.next += 1;
        }
        self.spans.get(self.next).is_some_and(|r| r.start <= pos)
    }
}

/// The best explanation, maintained flip by flip (see `Engine::update_roots`).
#[derive(Default)]
struct Roots {
    valid: bool,
    by_id: BTreeSet<u32>,
    by_pre: BTreeMap<u32, u32>,
    /// One bit per pre-order position: the device there is flagged.
    flagged_at: Vec<u64>,
}

/// A customer's supply as its meter and the known causes tell it, in one 16-byte
/// record: every meter report reads `since` and writes `report`, and a power restore
/// writes `by_restore` (one cache line for all three).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Supply {
    /// Since when the customer has had supply (a power restore, a ping answering on,
    /// the end of planned work, a reconnection); `NEVER` when not known.
    since: Timestamp,
    /// The meter's latest report, whether or not it was news: whole seconds since
    /// [`REPORT_EPOCH_S`] times two, plus one when it said the meter has supply; 0 when
    /// none (see [`encode_report`]).
    report: u32,
    /// Whether `since` came from a power restore (not a ping).
    by_restore: bool,
}

/// The origin of [`Supply::report`]: 2020-01-01T00:00:00Z, in Unix seconds (reports
/// fit until 2088; earlier and later ones are clamped).
const REPORT_EPOCH_S: i64 = 1_577_836_800;

/// A meter report as [`Supply::report`] keeps it: later reports compare greater, and at
/// the same second one saying on is the greater.
fn encode_report(t: Timestamp, on: u32) -> u32 {
    let secs = (t.0.div_euclid(1000) - REPORT_EPOCH_S).clamp(1, (1 << 31) - 1) as u32;
    (secs << 1) | on
}

/// Everything the engine learns from events: what a snapshot holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    /// Expected concurrent faults on the network: the scale of the priors.
    intensity: f64,
    rates: Rates,
    clock: Timestamp,
    last_refresh: Timestamp,
    // customers
    bits: Vec<u8>,
    lg_state: Vec<u8>,
    lg_at: Vec<Timestamp>,
    call_at: Vec<Timestamp>,
    /// Per customer: since when it has supply, and its meter's latest report.
    supply: Vec<Supply>,
    report_at: Vec<Timestamp>,
    await_since: Vec<Timestamp>,
    /// When customers' meters answered a ping saying they are off (pings are few: by
    /// customer, not an array the size of the network).
    ping_off_at: BTreeMap<u32, Timestamp>,
    /// One bit per customer: its call reported a wire down.
    wire_down: Vec<u64>,
    /// Per customer: the restored device below which its awaited restore (and its
    /// power restore after a restoration) counts; NONE when it counts everywhere.
    scope: Vec<u32>,
    disconnected: BTreeMap<u32, OutageId>,
    planned_depth: Vec<u16>,
    // devices
    /// The devices above the services, one record each (index minus `nc`); a
    /// service's counts follow from its customer's bits.
    node: Vec<Node>,
    /// A of each service (by customer).
    a_service: Vec<f64>,
    flag: Vec<bool>,
    forced: Vec<bool>,
    /// The devices above the services that the refresh recomputes, deepest first
    /// once sorted (active services are known by `in_active` alone).
    active: Vec<OutageDeviceId>,
    in_active: Vec<bool>,
    active_sorted: bool,
    flags_changed: bool,
    flagged: Vec<OutageDeviceId>,
    in_flagged: Vec<bool>,
    // scada and momentaries
    scada_open: BTreeMap<u32, Timestamp>,
    bursts: VecDeque<(OutageDeviceId, Timestamp)>,
    recent_lg: VecDeque<(Timestamp, CustomerId)>,
    /// The last gasps of momentaries (the burst's time, the meter), to estimate the
    /// last-gasp rate from them.
    burst_lg: VecDeque<(Timestamp, CustomerId)>,
    momentaries: Vec<Momentary>,
    timers: TimerQueue,
    // outages
    outages: Vec<Outage>,
    open_fault: BTreeMap<u32, OutageId>,
    planned: BTreeMap<u32, OutageId>,
    last_seen: BTreeSet<(i64, u32, u32)>,
    warnings: EngineWarnings,
}

impl State {
    /// Whether a restored state fits a network of `nc` customers and `nd` outage
    /// devices: every array of the right length, every id in range (a snapshot that
    /// does not is refused, not left to panic later).
    fn fits(&self, nc: usize, nd: usize) -> bool {
        let above = nd.saturating_sub(nc);
        let lens = [
            (self.bits.len(), nc),
            (self.lg_state.len(), nc),
            (self.lg_at.len(), nc),
            (self.call_at.len(), nc),
            (self.supply.len(), nc),
            (self.report_at.len(), nc),
            (self.await_since.len(), nc),
            (self.wire_down.len(), nc.div_ceil(64)),
            (self.scope.len(), nc),
            (self.planned_depth.len(), nc),
            (self.node.len(), above),
            (self.a_service.len(), nc),
            (self.flag.len(), nd),
            (self.forced.len(), nd),
            (self.in_active.len(), nd),
            (self.in_flagged.len(), nd),
        ];
        let device = |d: u32| (d as usize) < nd;
        let customer = |c: u32| (c as usize) < nc;
        let outage = |o: OutageId| (o.0 as usize) < self.outages.len();
        lens.iter().all(|&(have, want)| have == want)
            && self
                .scope
                .iter()
                .all(|&d| d == crate::ids::NONE || device(d))
            && self.active.iter().all(|d| device(d.0) && d.index() >= nc)
            && self.flagged.iter().all(|d| device(d.0))
            && self.outages.iter().all(|o| device(o.device.0))
            && self
                .open_fault
                .iter()
                .all(|(&d, &o)| device(d) && outage(o))
            && self.planned.iter().all(|(&d, &o)| device(d) && outage(o))
            && self
                .disconnected
                .iter()
                .all(|(&c, &o)| customer(c) && outage(o))
            && self.scada_open.keys().all(|&d| device(d))
            && self.ping_off_at.keys().all(|&c| customer(c))
            && self.bursts.iter().all(|(d, _)| device(d.0))
            && self.recent_lg.iter().all(|(_, c)| customer(c.0))
            && self.burst_lg.iter().all(|(_, c)| customer(c.0))
            && self.momentaries.iter().all(|m| device(m.device.0))
            && self.timers.fits(nc, nd)
    }
}

const NO_OUTAGE: OutageId = OutageId(0);
/// No last gasp below a device: an empty span.
const NO_SPAN: (Timestamp, Timestamp) = (Timestamp(i64::MAX), Timestamp(i64::MIN));
/// Meters below one out device lose power at once and stamp their last gasps within
/// a minute of it; last gasps below a device further apart than this are not all
/// explained by that device going out.
const LG_COHERENCE: Millis = 3 * MINUTE;
/// The share of a silent meter's missing last gasp that counts against an outage
/// when the first last gasp below it has just passed its hold (the rest counts over
/// the following minute, as late gasps would have arrived).
const SILENCE_AT_HOLD: f64 = 0.5;
/// An outage that began this much before the outage above it stays open, nested.
const NESTED_MARGIN: Millis = 60 * SECOND;
/// How many faults each held fault outage stands for when estimating the intensity
/// (some have no evidence yet, others are lost under larger ones).
const INTENSITY_PER_OUTAGE: f64 = 1.5;
/// How long before a call the caller's power is taken to have gone (calls come
/// minutes after, last gasps within a minute): a call dates its report this much
/// earlier, so the meters' silence counts at once.
const CALL_LEAD: Millis = 2 * MINUTE;
/// How long after a SCADA-confirmed opening its customers' calls are counted to
/// estimate the call rate.
const CALL_ESTIMATE_AFTER: Millis = 40 * MINUTE;
/// How long after a call its meter's last gasp is looked for (to estimate the
/// last-gasp rate from callers).
const LG_FROM_CALL_AFTER: Millis = 5 * MINUTE;
/// The weight of one caller in the last-gasp rate (a SCADA opening weighs up to 50).
const LG_FROM_CALL_WEIGHT: f64 = 1.0;
/// How long after a momentary its burst's last gasps are counted to estimate the
/// last-gasp rate (late AMI messages arrive minutes after).
const MOMENTARY_ESTIMATE_AFTER: Millis = 4 * MINUTE;
/// A burst needs this many meters' last gasps to estimate the last-gasp rate from (a
/// meter or two that gasped and came back may be a blip of their own, not their
/// zone's momentary).
const MOMENTARY_ESTIMATE_MIN_GASPS: u32 = 3;
/// How much a SCADA-confirmed opening outweighs any explanation below it.
const FORCED_BONUS: f64 = 1e4;

impl<'n> Engine<'n> {
    /// An engine over the network's normal state.
    pub fn new(net: &'n Network, opts: EngineOptions) -> Result<Self, crate::SwitchingError> {
        let view = EnergizationView::normal(net)?;
        let nd = net.outage_device_count();
        let nc = net.customers().len();
        let intensity = calm_intensity(net, &opts);
        let (lp_service, lp) = log_priors(net, &opts, intensity);
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
        let rates = Rates {
            call: RateEstimate::new(opts.call_probability, 20.0),
            last_gasp: RateEstimate::new(opts.last_gasp_probability, 10.0),
            power_restore: RateEstimate::new(opts.power_restore_probability, 10.0),
        };
        let st = State {
            intensity,
            rates,
            clock: Timestamp::NEVER,
            last_refresh: Timestamp::NEVER,
            bits: vec![0; nc],
            lg_state: vec![LG_NONE; nc],
            lg_at: vec![Timestamp::NEVER; nc],
            call_at: vec![Timestamp::NEVER; nc],
            supply: vec![
                Supply {
                    since: Timestamp::NEVER,
                    report: 0,
                    by_restore: false,
                };
                nc
            ],
            report_at: vec![Timestamp::NEVER; nc],
            await_since: vec![Timestamp::NEVER; nc],
            ping_off_at: BTreeMap::new(),
            wire_down: vec![0; nc.div_ceil(64)],
            scope: vec![crate::ids::NONE; nc],
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
            last_seen: BTreeSet::new(),
            warnings: EngineWarnings::default(),
        };
        Ok(Engine {
            net,
            view,
            w: weights(&opts, &st.rates),
            call_silence: call_silence(&opts, st.rates.call.value()),
            opts,
            lp,
            lp_service,
            nc,
            st,
            changes: Vec::new(),
            scratch: Vec::new(),
            touched: Vec::new(),
            refreshed: false,
            flipped: Vec::new(),
            held: vec![0; nd.div_ceil(64)],
            held_by_pre: BTreeMap::new(),
            wire_down_at: BTreeSet::new(),
            roots: Roots::default(),
        })
    }

    /// The engine's state as a serialisable snapshot (with its options).
    ///
    /// ```
    /// # use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let (net, _) = import_opendss(path).unwrap();
    /// let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
    /// let t = "2026-07-01T12:00:00Z".parse().unwrap();
    /// engine.ingest(Event { time: t, evidence: Evidence::Tick });
    /// let json = serde_json::to_string(&engine.snapshot()).unwrap();
    /// let back = Engine::from_snapshot(&net, serde_json::from_str(&json).unwrap()).unwrap();
    /// assert_eq!(back.clock(), engine.clock());
    /// ```
    pub fn snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            format: SNAPSHOT_FORMAT.to_string(),
            network: self.net.name().to_string(),
            customers: self.net.customers().len(),
            options: self.opts.clone(),
            state: self.st.clone(),
        }
    }

    /// An engine restored from a snapshot taken on the same network.
    pub fn from_snapshot(net: &'n Network, snap: EngineSnapshot) -> Result<Self, crate::Error> {
        let mut e = Engine::new(net, snap.options)?;
        let nd = net.outage_device_count();
        let ok = snap.format == SNAPSHOT_FORMAT
            && snap.network == net.name()
            && snap.customers == net.customers().len()
            && snap.state.fits(net.customers().len(), nd);
        if !ok {
            return Err(crate::Error::Snapshot(format!(
                "snapshot of {} ({} customers) does not fit network {}",
                snap.network,
                snap.customers,
                net.name()
            )));
        }
        e.w = weights(&e.opts, &snap.state.rates);
        e.call_silence = call_silence(&e.opts, snap.state.rates.call.value());
        (e.lp_service, e.lp) = log_priors(net, &e.opts, snap.state.intensity);
        e.st = snap.state;
        let held: Vec<u32> = e.st.open_fault.keys().copied().collect();
        for d in held {
            e.set_held(OutageDeviceId(d), true);
        }
        for i in 0..e.nc {
            if bit(&e.st.wire_down, i) {
                e.note_wire_down(CustomerId(i as u32), true);
            }
        }
        Ok(e)
    }

    /// The network.
    pub fn network(&self) -> &'n Network {
        self.net
    }

    /// The energization view the engine reasons on.
    pub fn view(&self) -> &EnergizationView {
        &self.view
    }

    /// The engine's clock: the latest event time seen.
    pub fn clock(&self) -> Timestamp {
        self.st.clock
    }

    /// The rates currently believed.
    pub fn rates(&self) -> &Rates {
        &self.st.rates
    }

    /// Counted warnings.
    pub fn warnings(&self) -> EngineWarnings {
        self.st.warnings
    }

    /// Momentary interruptions recognised so far.
    pub fn momentaries(&self) -> &[Momentary] {
        &self.st.momentaries
    }

    /// An outage by id.
    pub fn outage(&self, id: OutageId) -> Option<&Outage> {
        self.st
            .outages
            .get(id.0 as usize)
            .filter(|o| o.id != NO_OUTAGE)
    }

    /// Every outage ever opened, in id order.
    pub fn outages(&self) -> &[Outage] {
        &self.st.outages[1..]
    }

    /// The outages currently open (fault, planned and disconnect).
    pub fn open_outages(&self) -> impl Iterator<Item = &Outage> {
        self.st.outages[1..]
            .iter()
            .filter(|o| o.closed_at.is_none())
    }

    /// The posterior probability that a device is out given its parent is energized
    /// (a max-marginal of the exact model). 0 for devices with no evidence below.
    pub fn confidence(&self, d: OutageDeviceId) -> f64 {
        if self.st.forced[d.index()] {
            return 1.0;
        }
        if !self.has_reports(d) {
            return 0.0;
        }
        let s = self.s_off(d);
        sigmoid(s - self.b_of(d))
    }

    /// The evidence behind the engine's belief about a device: counts of customers below
    /// it by evidence kind, and the log-odds the dynamic programme compares.
    pub fn evidence_below(&self, d: OutageDeviceId) -> EvidenceSummary {
        let k = &self.counts_of(d);
        EvidenceSummary {
            customers: k.pop,
            calls: k.call,
            partial_calls: k.weak,
            last_gasps: k.lg,
            pings_off: k.ping_off,
            known_on: k.on,
            awaiting_restore: k.await_,
            scada_open: self.st.forced[d.index()],
            log_odds_out: if self.has_reports(d) {
                self.s_off(d)
            } else {
                f64::NEG_INFINITY
            },
            log_odds_below: self.b_of(d),
            out_in_best_explanation: self.st.flag[d.index()],
        }
    }

    /// Ingests one event and returns what changed. Never panics on any event.
    ///
    /// # Complexity
    /// O(depth) for a report, plus O(active devices) when the clock moves past a
    /// refresh point; O(customers below) for SCADA restorations and planned outages.
    pub fn ingest(&mut self, ev: Event) -> &[Change] {
        self.changes.clear();
        let t = ev.time;
        if self.st.clock == Timestamp::NEVER {
            self.st.clock = t;
            self.st.last_refresh = t;
        }
        if t.0 < self.st.clock.0 - self.opts.late_window {
            self.st.warnings.too_late += 1;
        }
        let report = match ev.evidence {
            Evidence::PowerRestore { meter } | Evidence::Ping { meter, on: true } => {
                Some((meter, 1))
            }
            Evidence::LastGasp { meter } | Evidence::Ping { meter, on: false } => Some((meter, 0)),
            _ => None,
        };
        if let Some((c, on)) = report
            && let Some(s) = self.st.supply.get_mut(c.index())
        {
            s.report = s.report.max(encode_report(t, on));
        }
        let advanced = t > self.st.clock;
        if advanced {
            self.st.clock = t;
        }
        self.run_timers();
        if !self.is_duplicate(&ev) {
            self.apply(ev);
        } else {
            self.st.warnings.duplicates += 1;
            if let Evidence::Call { customer, detail } = ev.evidence {
                self.classify_call(customer, detail);
            }
        }
        self.run_timers();
        if self.st.clock.0 - self.st.last_refresh.0 >= self.opts.refresh_interval {
            self.refresh_all();
        }
        self.update_outages();
        if let Evidence::Call { customer, detail } = ev.evidence
            && !self.changes.iter().any(|c| matches!(c, Change::Call(_)))
        {
            self.classify_call(customer, detail);
        }
        &self.changes
    }

    /// Brings the inference up to date at the current clock (the time-dependent terms)
    /// and returns what changed; call at the end of a stream.
    pub fn flush(&mut self) -> &[Change] {
        self.changes.clear();
        self.run_timers();
        self.refresh_all();
        self.update_outages();
        &self.changes
    }

    fn is_duplicate(&mut self, ev: &Event) -> bool {
        let (k, id) = match ev.evidence {
            Evidence::Call { customer, detail } => (detail as u32 + 1, customer.0),
            Evidence::LastGasp { meter } => (10, meter.0),
            Evidence::PowerRestore { meter } => (11, meter.0),
            Evidence::Ping { meter, on } => (12 + on as u32, meter.0),
            Evidence::DeviceOpen { device } => (14, device.0),
            Evidence::DeviceClose { device } => (15, device.0),
            _ => return false,
        };
        // Calls are counted by the contract row by row; only evidence is deduplicated.
        if self.st.last_seen.len() > 200_000 {
            let horizon = self.st.clock.0 - 2 * self.opts.late_window;
            self.st.last_seen.retain(|(t, _, _)| *t >= horizon);
        }
        !self.st.last_seen.insert((ev.time.0, k, id))
    }

    fn apply(&mut self, ev: Event) {
        let t = ev.time;
        match ev.evidence {
            Evidence::Tick => {}
            Evidence::Call { customer, detail } => self.on_call(customer, detail, t),
            Evidence::LastGasp { meter } => self.on_last_gasp(meter, t),
            Evidence::PowerRestore { meter } => self.on_power_restore(meter, t, false),
            Evidence::Ping { meter, on: true } => self.on_power_restore(meter, t, true),
            Evidence::Ping { meter, on: false } => self.on_ping_off(meter, t),
            Evidence::DeviceOpen { device } => self.on_device_open(device, t),
            Evidence::DeviceClose { device } => self.on_device_close(device, t),
            Evidence::PlannedOutage { device, end } => self.on_planned(device, t, end),
            Evidence::Disconnect { meter } => self.on_disconnect(meter, t),
            Evidence::Reconnect { meter } => self.on_reconnect(meter, t),
        }
    }

    // ---------------------------------------------------------------- evidence

    fn stale(&mut self, c: CustomerId, t: Timestamp) -> bool {
        if t <= self.st.supply[c.index()].since {
            self.st.warnings.stale += 1;
            true
        } else {
            false
        }
    }

    fn on_call(&mut self, c: CustomerId, detail: CallDetail, t: Timestamp) {
        if detail == CallDetail::Flicker || self.stale(c, t) {
            return;
        }
        let i = c.index();
        if self.st.call_at[i] == Timestamp::NEVER || t < self.st.call_at[i] {
            self.st.call_at[i] = t;
        }
        if detail == CallDetail::WireDown && !bit(&self.st.wire_down, i) {
            self.note_wire_down(c, true);
        }
        let bit = if detail == CallDetail::Partial {
            B_WEAK
        } else {
            B_CALL
        };
        let mut nb = self.st.bits[i] | bit;
        if nb & B_CALL != 0 {
            nb &= !B_WEAK;
        }
        let since = Timestamp(self.st.supply[i].since.0.saturating_add(1));
        self.note_report(c, Timestamp(t.0 - CALL_LEAD).max(since));
        self.set_bits(c, nb);
        if self.opts.estimate_rates && detail != CallDetail::Partial {
            // A caller's meter gasped or not independently of the call: callers are a
            // sample of off meters that needs no SCADA. Judged once every gasp stamped
            // in the window can have arrived, so the order of arrival does not matter.
            let due = t.0 + LG_FROM_CALL_AFTER + self.opts.late_window;
            self.st
                .timers
                .push(Reverse((due, Timer::EstimateLastGaspFromCall(c.0, t.0))));
        }
    }

    /// Off evidence at `t` (after the customer's last known-on time): the on proof no
    /// longer holds.
    fn note_report(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.report_at[i] == Timestamp::NEVER || t < self.st.report_at[i] {
            self.st.report_at[i] = t;
        }
        if self.st.bits[i] & B_ON != 0 {
            self.st.bits[i] &= !B_ON;
            let nb = self.st.bits[i];
            self.st.bits[i] |= B_ON;
            self.set_bits(c, nb);
        }
    }

    fn on_last_gasp(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        // A last gasp arriving after its own power restore: the same momentary as if
        // they had come in order.
        let on = self.st.supply[i].since;
        if t <= on && on.0 - t.0 <= self.opts.momentary_max && self.st.supply[i].by_restore {
            let zone = self.momentary_zone(c, t);
            self.momentary(zone, t);
        }
        if self.stale(c, t) {
            return;
        }
        if let Some(tb) = self.burst_of(c, t) {
            self.gasped_in_burst(c, tb);
            return;
        }
        if self.st.lg_state[i] != LG_NONE && t.0 - self.st.lg_at[i].0 > LG_COHERENCE {
            // A second last gasp well after the first, with no restore between: the
            // meter had power again in between (the first was a stray, or its power
            // restore was lost), so its outage began with this one.
            self.withdraw_last_gasp(c);
        }
        if self.st.lg_state[i] != LG_NONE {
            // Keep the earliest last gasp of this outage (one that comes late from
            // minutes before is of an earlier outage: the meter had power between, as
            // when they come in order).
            if t < self.st.lg_at[i] && self.st.lg_at[i].0 - t.0 <= LG_COHERENCE {
                self.st.lg_at[i] = t;
                if self.service_bits(i) & B_LG != 0 {
                    self.widen_lg_spans(c);
                }
            } else if t > self.st.lg_at[i] {
                // A later gasp: kept in view, so that a momentary found in a moment
                // can tell that this meter gasped in its burst.
                self.st.recent_lg.push_back((t, c));
            }
            return;
        }
        self.st.lg_state[i] = LG_PENDING;
        self.st.lg_at[i] = t;
        self.st.recent_lg.push_back((t, c));
        let due = t.0 + self.opts.last_gasp_hold;
        self.st
            .timers
            .push(Reverse((due, Timer::LastGaspHold(c.0, t.0))));
    }

    /// The momentary whose burst a last gasp at `t` belongs to, by its time.
    fn burst_of(&self, c: CustomerId, t: Timestamp) -> Option<Timestamp> {
        let svc = OutageDeviceId(c.0);
        self.st
            .bursts
            .iter()
            .find(|&&(zone, tb)| {
                (t.0 - tb.0).abs() <= self.opts.burst_window && self.view.is_below(svc, zone)
            })
            .map(|&(_, tb)| tb)
    }

    /// Where the momentary a meter saw (its gasp at `tb`, then its restore) happened:
    /// its reclosing zone when another meter of the zone gasped in the same burst,
    /// else the meter's own service (one meter's sag or reset is not its recloser's
    /// momentary). O(recent last gasps).
    fn momentary_zone(&self, c: CustomerId, tb: Timestamp) -> OutageDeviceId {
        let zone = self.zone_of(c);
        let window = self.opts.burst_window;
        let burst = self.st.recent_lg.iter().any(|&(t, o)| {
            o != c && (t.0 - tb.0).abs() <= window && self.view.is_below(OutageDeviceId(o.0), zone)
        }) || self
            .st
            .bursts
            .iter()
            .any(|&(z, t)| z == zone && (t.0 - tb.0).abs() <= window);
        if burst { zone } else { OutageDeviceId(c.0) }
    }

    fn zone_of(&self, c: CustomerId) -> OutageDeviceId {
        self.zone_of_device(OutageDeviceId(c.0))
    }

    fn on_power_restore(&mut self, c: CustomerId, t: Timestamp, ping: bool) {
        let i = c.index();
        if t <= self.st.supply[i].since {
            return;
        }
        // A restore (or a ping answering on) older than the meter's standing last gasp
        // was of an earlier loss of supply, or of the time before it (it arrived
        // late): the meter has been off since, as it said. (The standing gasp's time
        // is its first within three minutes, so a restore between two such gasps still
        // ends the report.)
        if self.st.lg_state[i] != LG_NONE && t < self.st.lg_at[i] {
            self.st.warnings.stale += 1;
            return;
        }
        // A restore soon after this customer's last gasp: a momentary interruption.
        let momentary = !ping
            && self.st.lg_state[i] != LG_NONE
            && t.0 - self.st.lg_at[i].0 <= self.opts.momentary_max;
        if momentary {
            let tb = self.st.lg_at[i];
            let zone = self.momentary_zone(c, tb);
            self.momentary(zone, tb);
        }
        // A restore below a predicted fault outage stands for its restoration (a ping
        // answering on does not: it says the prediction is too high, and moves it; nor
        // does the end of a momentary: the customer had supply just before it).
        let svc = OutageDeviceId(c.0);
        self.scratch.clear();
        for d in self.view.upstream(svc).filter(|_| !ping && !momentary) {
            // The held bits mirror the map's keys: a bit test per level, a map lookup
            // only where an outage is held.
            if !self.is_held(d) {
                continue;
            }
            if let Some(&oid) = self.st.open_fault.get(&d.0) {
                let o = &self.st.outages[oid.0 as usize];
                if !self.st.forced[d.index()] && t > o.start {
                    self.scratch.push(d);
                }
            }
        }
        self.st.supply[i].since = t;
        self.st.supply[i].by_restore = !ping;
        // After a restoration, a restore tells which parts below it are back: it counts
        // below the restored device for as long as nested outages are being sought.
        let scope = match (self.scratch.last(), self.st.scope[i]) {
            (Some(d), _) => d.0,
            (None, s) if self.st.await_since[i] != Timestamp::NEVER => s,
            _ => crate::ids::NONE,
        };
        self.clear_customer(c, B_ON, scope);
        let memory = if scope == crate::ids::NONE && !ping {
            self.opts.on_memory
        } else {
            self.opts.restore_window
        };
        self.st
            .timers
            .push(Reverse((t.0 + memory, Timer::OnExpire(c.0, t.0))));
        let restored = std::mem::take(&mut self.scratch);
        for d in &restored {
            self.restore_below(*d, t, Some(c));
        }
        self.scratch = restored;
    }

    fn on_ping_off(&mut self, c: CustomerId, t: Timestamp) {
        if self.stale(c, t) {
            return;
        }
        self.st.ping_off_at.insert(c.0, t);
        self.note_report(c, t);
        let nb = self.st.bits[c.index()] | B_PING_OFF;
        self.set_bits(c, nb);
    }

    /// When a customer's meter answered a ping saying it is off (`NEVER`: none stands).
    fn ping_off_at(&self, c: CustomerId) -> Timestamp {
        self.st
            .ping_off_at
            .get(&c.0)
            .copied()
            .unwrap_or(Timestamp::NEVER)
    }

    fn forget_ping_off(&mut self, c: CustomerId) {
        if !self.st.ping_off_at.is_empty() {
            self.st.ping_off_at.remove(&c.0);
        }
    }

    /// Clears a customer's off evidence and sets its `keep` bits, with `scope` for
    /// them if they are scoped (in one walk up the path).
    fn clear_customer(&mut self, c: CustomerId, keep: u8, scope: u32) {
        let i = c.index();
        self.st.lg_state[i] = LG_NONE;
        self.st.lg_at[i] = Timestamp::NEVER;
        self.st.call_at[i] = Timestamp::NEVER;
        self.st.report_at[i] = Timestamp::NEVER;
        self.st.await_since[i] = Timestamp::NEVER;
        self.forget_ping_off(c);
        if bit(&self.st.wire_down, i) {
            self.note_wire_down(c, false);
        }
        let nb = (self.st.bits[i] & B_EXCLUDED) | keep;
        let scope = if keep & SCOPED == 0 {
            crate::ids::NONE
        } else {
            scope
        };
        self.set_bits_scoped(c, nb, scope);
    }

    /// Forgets that a customer's power restore is awaited after a restoration (the
    /// customer is no longer taken for still dark); its scope goes with its last
    /// scoped bit.
    fn drop_await(&mut self, c: CustomerId) {
        let i = c.index();
        let nb = self.st.bits[i] & !B_AWAIT;
        self.set_bits(c, nb);
        if nb & SCOPED == 0 {
            self.st.scope[i] = crate::ids::NONE;
        }
        self.st.await_since[i] = Timestamp::NEVER;
    }

    /// Forgets a customer's last gasp, held or counted (its other reports stay).
    fn withdraw_last_gasp(&mut self, c: CustomerId) {
        let i = c.index();
        self.st.lg_state[i] = LG_NONE;
        self.st.lg_at[i] = Timestamp::NEVER;
        if self.st.bits[i] & B_LG != 0 {
            let nb = self.st.bits[i] & !B_LG;
            self.reset_report_time(c, nb);
            self.set_bits(c, nb);
        }
    }

    /// A meter gasped in the burst of the momentary at `tb`: the gasp is the
    /// momentary's, and since a meter gasps once per loss of supply it had supply just
    /// before the burst, so any gasp of its own up to the burst is over (a stray, or
    /// an outage whose power restore was lost).
    fn gasped_in_burst(&mut self, c: CustomerId, tb: Timestamp) {
        let i = c.index();
        self.st.burst_lg.push_back((tb, c));
        if self.st.lg_state[i] != LG_NONE && self.st.lg_at[i].0 <= tb.0 + self.opts.burst_window {
            self.withdraw_last_gasp(c);
        }
    }

    fn momentary(&mut self, zone: OutageDeviceId, tb: Timestamp) {
        let zone = self.burst_zone(zone, tb);
        if self
            .st
            .bursts
            .iter()
            .any(|&(z, t)| z == zone && (t.0 - tb.0).abs() <= self.opts.burst_window)
        {
            return;
        }
        self.st.bursts.push_back((zone, tb));
        let m = Momentary {
            device: zone,
            time: tb,
        };
        self.st.momentaries.push(m);
        self.changes.push(Change::Momentary(m));
        // Cancel the burst's last gasps, held or already counted.
        let window = self.opts.burst_window;
        let hits: Vec<CustomerId> = self
            .st
            .recent_lg
            .iter()
            .filter(|&&(t, c)| {
                (t.0 - tb.0).abs() <= window && self.view.is_below(OutageDeviceId(c.0), zone)
            })
            .map(|&(_, c)| c)
            .collect();
        for c in hits {
            self.gasped_in_burst(c, tb);
        }
        if self.opts.estimate_rates {
            let due = tb.0 + MOMENTARY_ESTIMATE_AFTER;
            self.st.timers.push(Reverse((
                due,
                Timer::EstimateLastGaspFromMomentary(zone.0, tb.0),
            )));
        }
    }

    /// The share of the meters in a momentary's zone that sent a last gasp in its
    /// burst: one observation of the last-gasp rate, early in a storm (before any
    /// lockout), since every meter there lost power at the same instant.
    fn estimate_last_gasp_from_momentary(&mut self, zone: OutageDeviceId, tb: i64) {
        let window = self.opts.burst_window;
        let mut gasped: Vec<CustomerId> = self
            .st
            .burst_lg
            .iter()
            .filter(|&&(t, c)| {
                (t.0 - tb).abs() <= window && self.view.is_below(OutageDeviceId(c.0), zone)
            })
            .map(|&(_, c)| c)
            .collect();
        gasped.sort_unstable();
        gasped.dedup();
        let hits = gasped.len() as u32;
        if hits < MOMENTARY_ESTIMATE_MIN_GASPS {
            return;
        }
        let pop = self
            .view
            .customers_below(zone)
            .iter()
            .filter(|&&c| !self.off_before(c, tb))
            .count() as u32;
        if pop >= 5 {
            let w = (pop as f64).min(50.0);
            let share = (hits as f64 / pop as f64).min(1.0);
            self.st.rates.last_gasp.add(w * share, w);
            self.reweight();
        }
    }

    /// The zone a momentary seen in `zone` at `tb` spans: the zone above it when
    /// meters outside `zone` but below the zone above sent last gasps in the same
    /// burst (a breaker's reclose darkens every recloser zone below it, also the ones
    /// whose power restores were all lost). O(recent last gasps) per level.
    fn burst_zone(&self, mut zone: OutageDeviceId, tb: Timestamp) -> OutageDeviceId {
        let window = self.opts.burst_window;
        while let Some(p) = self.view.parent(zone) {
            let above = self.zone_of_device(p);
            let outside = self
                .st
                .recent_lg
                .iter()
                .filter(|&&(t, c)| {
                    let svc = OutageDeviceId(c.0);
                    (t.0 - tb.0).abs() <= window
                        && !self.view.is_below(svc, zone)
                        && self.view.is_below(svc, above)
                })
                .count();
            if outside < 2 {
                break;
            }
            zone = above;
        }
        zone
    }

    /// The nearest recloser, breaker or source at or above `d` (the topmost device
    /// when there is none).
    fn zone_of_device(&self, d: OutageDeviceId) -> OutageDeviceId {
        let mut last = d;
        for x in self.view.upstream(d) {
            last = x;
            if matches!(
                self.net.outage_device_class(x),
                OutageDeviceClass::Recloser
                    | OutageDeviceClass::Breaker
                    | OutageDeviceClass::Source
            ) {
                return x;
            }
        }
        last
    }

    /// The earliest off evidence that remains once a customer's bits become `bits`.
    fn reset_report_time(&mut self, c: CustomerId, bits: u8) {
        let i = c.index();
        if bits & B_AWAIT != 0 {
            return; // the still-dark keep their original start
        }
        let mut t = Timestamp(i64::MAX);
        if bits & (B_CALL | B_WEAK) != 0 {
            t = t.min(self.st.call_at[i]);
        }
        if bits & B_PING_OFF != 0 {
            t = t.min(self.ping_off_at(c));
        }
        if bits & B_LG != 0 {
            t = t.min(self.st.lg_at[i]);
        }
        self.st.report_at[i] = if t.0 == i64::MAX { Timestamp::NEVER } else { t };
    }

    fn on_device_open(&mut self, d: OutageDeviceId, t: Timestamp) {
        self.st.scada_open.insert(d.0, t);
        let due = t.0 + self.opts.reclose_window;
        self.st
            .timers
            .push(Reverse((due, Timer::Lockout(d.0, t.0))));
    }

    fn on_device_close(&mut self, d: OutageDeviceId, t: Timestamp) {
        match self.st.scada_open.remove(&d.0) {
            Some(t_open)
                if t.0 - t_open.0 <= self.opts.reclose_window && !self.st.forced[d.index()] =>
            {
                // A reclose: a momentary interruption below d.
                self.momentary(d, t_open);
            }
            _ => {
                if self.st.forced[d.index()] {
                    self.set_forced(d, false);
                }
                if self.view.upstream(d).skip(1).any(|u| self.is_held(u)) {
                    // Closing d brings no supply back while an outage above it holds:
                    // d's own outage ends, and its customers stay dark under the one
                    // above, their reports with them.
                    if let Some(oid) = self.st.open_fault.get(&d.0).copied() {
                        self.close_outage(oid, OutageStatus::Restored, None);
                    }
                    return;
                }
                self.restore_below(d, t, None);
                if self.opts.estimate_rates {
                    let due = t.0 + 3 * MINUTE;
                    self.st
                        .timers
                        .push(Reverse((due, Timer::EstimateRestore(d.0, t.0))));
                }
            }
        }
    }

    fn set_forced(&mut self, d: OutageDeviceId, on: bool) {
        if self.st.forced[d.index()] == on {
            return;
        }
        self.st.forced[d.index()] = on;
        let n = self.view.customer_count_below(d);
        for x in self.view.upstream(d) {
            // A service's count follows from its flag.
            let Some(xn) = x.index().checked_sub(self.nc) else {
                continue;
            };
            let k = &mut self.st.node[xn].counts;
            if on {
                k.forced += 1;
                k.forced_pop += n;
            } else {
                k.forced = k.forced.saturating_sub(1);
                k.forced_pop = k.forced_pop.saturating_sub(n);
            }
        }
        self.touch_path(d);
    }

    /// Device `d` was restored at `t`: every customer below it whose off evidence
    /// predates `t` now awaits its power restore (still-dark customers stay silent).
    fn restore_below(&mut self, d: OutageDeviceId, t: Timestamp, except: Option<CustomerId>) {
        if let Some(oid) = self.st.open_fault.get(&d.0).copied() {
            self.close_outage(oid, OutageStatus::Restored, None);
        }
        // Outages still open below d are nested: their evidence stays theirs.
        let mut nested = self.held_spans_below(d, false);
        let span = self.view.customer_span(d);
        for pos in span {
            let c = self.view.customers_in_preorder()[pos as usize];
            if Some(c) == except || nested.contains(pos) {
                continue;
            }
            let i = c.index();
            let bits = self.st.bits[i];
            if bits & (B_CALL | B_WEAK | B_LG | B_PING_OFF | B_AWAIT) != 0
                && self.st.report_at[i] <= t
            {
                let first = self.st.report_at[i];
                self.st.lg_state[i] = LG_NONE;
                self.st.call_at[i] = Timestamp::NEVER;
                self.forget_ping_off(c);
                self.st.await_since[i] = t;
                // The still-dark keep their original start.
                self.st.report_at[i] = first;
                let nb = bits & B_EXCLUDED;
                self.set_bits(c, nb);
                self.st.scope[i] = d.0;
                let due = t.0 + self.opts.restore_grace;
                self.st
                    .timers
                    .push(Reverse((due, Timer::AwaitGrace(c.0, t.0))));
            } else if bits & B_LG == 0 && self.st.lg_state[i] == LG_PENDING && self.st.lg_at[i] <= t
            {
                self.st.lg_state[i] = LG_NONE;
            }
        }
    }

    fn on_planned(&mut self, d: OutageDeviceId, t: Timestamp, end: Timestamp) {
        if let Some(&oid) = self.st.planned.get(&d.0) {
            let o = &mut self.st.outages[oid.0 as usize];
            if o.planned_end != Some(end) {
                o.planned_end = Some(end);
                self.changes.push(Change::Updated(oid));
            }
            self.st
                .timers
                .push(Reverse((end.0, Timer::PlannedEnd(d.0, end.0))));
            return;
        }
        let customers = self.view.customer_count_below(d);
        let oid = self.new_outage(
            d,
            OutageCause::Planned,
            OutageStatus::Confirmed,
            customers,
            1.0,
            t,
        );
        self.st.outages[oid.0 as usize].planned_end = Some(end);
        self.st.planned.insert(d.0, oid);
        let span = self.view.customer_span(d);
        for pos in span {
            let c = self.view.customers_in_preorder()[pos as usize];
            self.st.planned_depth[c.index()] += 1;
            let nb = self.st.bits[c.index()] | B_EXCLUDED;
            self.set_bits(c, nb);
        }
        self.st
            .timers
            .push(Reverse((end.0, Timer::PlannedEnd(d.0, end.0))));
    }

    fn end_planned(&mut self, d: OutageDeviceId, end: Timestamp) {
        let Some(&oid) = self.st.planned.get(&d.0) else {
            return;
        };
        if self.st.outages[oid.0 as usize].planned_end != Some(end) {
            return; // extended: a later timer ends it
        }
        self.st.planned.remove(&d.0);
        self.close_outage(oid, OutageStatus::Restored, None);
        let span = self.view.customer_span(d);
        for pos in span {
            let c = self.view.customers_in_preorder()[pos as usize];
            let i = c.index();
            self.st.planned_depth[i] = self.st.planned_depth[i].saturating_sub(1);
            if self.st.planned_depth[i] == 0 && !self.st.disconnected.contains_key(&c.0) {
                // Evidence from during the work is explained by it.
                self.st.supply[i].since = self.st.supply[i].since.max(end - 1);
                self.clear_customer(c, 0, crate::ids::NONE);
                let nb = self.st.bits[i] & !B_EXCLUDED;
                self.set_bits(c, nb);
            }
        }
    }

    fn on_disconnect(&mut self, c: CustomerId, t: Timestamp) {
        if self.st.disconnected.contains_key(&c.0) {
            return;
        }
        let oid = self.new_outage(
            OutageDeviceId(c.0),
            OutageCause::Disconnect,
            OutageStatus::Confirmed,
            1,
            1.0,
            t,
        );
        self.st.disconnected.insert(c.0, oid);
        let nb = self.st.bits[c.index()] | B_EXCLUDED;
        self.set_bits(c, nb);
    }

    fn on_reconnect(&mut self, c: CustomerId, t: Timestamp) {
        let Some(oid) = self.st.disconnected.remove(&c.0) else {
            return;
        };
        self.close_outage(oid, OutageStatus::Restored, None);
        let i = c.index();
        if self.st.planned_depth[i] == 0 {
            self.st.supply[i].since = self.st.supply[i].since.max(t);
            self.clear_customer(c, 0, crate::ids::NONE);
            let nb = self.st.bits[i] & !B_EXCLUDED;
            self.set_bits(c, nb);
        }
    }

    // ---------------------------------------------------------------- timers

    fn run_timers(&mut self) {
        while let Some((_, timer)) = self.st.timers.pop_due(self.st.clock.0) {
            match timer {
                Timer::LastGaspHold(c, t) => {
                    let i = c as usize;
                    if self.st.lg_state[i] == LG_PENDING && self.st.lg_at[i].0 <= t {
                        self.st.lg_state[i] = LG_COUNTED;
                        let cid = CustomerId(c);
                        let gasp = self.st.lg_at[i];
                        if self.st.bits[i] & B_AWAIT != 0 && gasp > self.st.await_since[i] {
                            // A last gasp after the restoration: the meter had power
                            // again (its power restore was lost), so it is not still
                            // dark from before, and this gasp starts its new report.
                            self.drop_await(cid);
                            self.st.report_at[i] = gasp;
                        }
                        self.note_report(cid, gasp);
                        let nb = self.st.bits[i] | B_LG;
                        self.set_bits(cid, nb);
                        // Its neighbours' silence counts in full a minute later.
                        let due = gasp.0 + self.opts.last_gasp_hold + MINUTE;
                        self.st
                            .timers
                            .push(Reverse((due, Timer::SilenceSettled(c, gasp.0))));
                    }
                }
                Timer::SilenceSettled(c, t) => {
                    let i = c as usize;
                    // Only a flagged device above the meter can lose its flag to the
                    // silence (the service's own value does not depend on it).
                    if self.st.lg_state[i] == LG_COUNTED
                        && self.st.lg_at[i].0 == t
                        && self.st.bits[i] & B_LG != 0
                        && self
                            .view
                            .upstream(OutageDeviceId(c))
                            .skip(1)
                            .any(|d| self.st.flag[d.index()])
                    {
                        self.touch_path(OutageDeviceId(c));
                    }
                }
                Timer::OnExpire(c, t) => {
                    let i = c as usize;
                    if self.st.supply[i].since.0 == t && self.st.bits[i] & B_ON != 0 {
                        let nb = self.st.bits[i] & !B_ON;
                        self.set_bits(CustomerId(c), nb);
                        if nb & SCOPED == 0 {
                            self.st.scope[i] = crate::ids::NONE;
                        }
                    }
                }
                Timer::AwaitGrace(c, t) => {
                    let i = c as usize;
                    if self.st.await_since[i].0 == t && self.st.supply[i].since.0 < t {
                        let nb = self.st.bits[i] | B_AWAIT;
                        self.set_bits(CustomerId(c), nb);
                        let due = t + self.opts.restore_window;
                        self.st
                            .timers
                            .push(Reverse((due, Timer::AwaitExpire(c, t))));
                    }
                }
                Timer::AwaitExpire(c, t) => {
                    let i = c as usize;
                    if self.st.await_since[i].0 == t && self.st.bits[i] & B_AWAIT != 0 {
                        // As long as nested outages are sought after a restoration
                        // (the power restores of the others count as long): a
                        // missing restore older than that is a lost message, unless
                        // an outage held above the customer says it is still dark.
                        let held_above = self
                            .view
                            .upstream(OutageDeviceId(c))
                            .any(|d| self.is_held(d));
                        if held_above {
                            // Again a whole number of windows after the restoration
                            // (the timer queues are per delay).
                            let w = self.opts.restore_window.max(1);
                            let due = t + w * (1 + (self.st.clock.0 - t).max(0) / w);
                            self.st
                                .timers
                                .push(Reverse((due, Timer::AwaitExpire(c, t))));
                        } else {
                            let cid = CustomerId(c);
                            self.reset_report_time(cid, self.st.bits[i] & !B_AWAIT);
                            self.drop_await(cid);
                        }
                    }
                }
                Timer::Lockout(d, t) => {
                    if self.st.scada_open.get(&d) == Some(&Timestamp(t)) {
                        let dev = OutageDeviceId(d);
                        self.set_forced(dev, true);
                        if self.opts.estimate_rates {
                            let due = t + 4 * MINUTE;
                            self.st
                                .timers
                                .push(Reverse((due, Timer::EstimateLastGasp(d, t))));
                            let due = t + CALL_ESTIMATE_AFTER;
                            self.st
                                .timers
                                .push(Reverse((due, Timer::EstimateCall(d, t))));
                        }
                    }
                }
                Timer::PlannedEnd(d, t) => self.end_planned(OutageDeviceId(d), Timestamp(t)),
                Timer::EstimateLastGasp(d, t) => self.estimate_last_gasp(OutageDeviceId(d), t),
                Timer::EstimateCall(d, t) => self.estimate_call(OutageDeviceId(d), t),
                Timer::EstimateLastGaspFromCall(c, t) => {
                    let i = c as usize;
                    // Still off, and this call the customer's own (not a repeat).
                    if self.st.call_at[i].0 == t && self.st.bits[i] & B_CALL != 0 {
                        let gasp_in_window = (self.st.bits[i] & B_LG != 0
                            || self.st.lg_state[i] != LG_NONE)
                            && self.st.lg_at[i].0 <= t + LG_FROM_CALL_AFTER;
                        let gasped = self.st.bits[i] & B_PING_OFF != 0 || gasp_in_window;
                        self.st.rates.last_gasp.add(
                            LG_FROM_CALL_WEIGHT * gasped as u8 as f64,
                            LG_FROM_CALL_WEIGHT,
                        );
                        self.reweight();
                    }
                }
                Timer::EstimateRestore(d, t) => self.estimate_restore(OutageDeviceId(d), t),
                Timer::EstimateLastGaspFromMomentary(d, t) => {
                    self.estimate_last_gasp_from_momentary(OutageDeviceId(d), t)
                }
            }
        }
        // Forget old bursts and last gasps.
        let old = |t: Timestamp| t.0 < self.st.clock.0 - 10 * MINUTE;
        drop_front_while(&mut self.st.bursts, |&(_, t)| old(t));
        drop_front_while(&mut self.st.burst_lg, |&(t, _)| old(t));
        drop_front_while(&mut self.st.recent_lg, |&(t, _)| old(t));
    }

    /// Whether a customer was already off (reporting) well before `t_open`: it could
    /// not answer the opening at `t_open` with a last gasp or a call.
    fn off_before(&self, c: CustomerId, t_open: i64) -> bool {
        let i = c.index();
        self.st.bits[i] & B_EXCLUDED != 0
            || (self.st.bits[i] & REPORTING != 0
                && self.st.report_at[i].0 < t_open - CALL_LEAD - MINUTE)
    }

    fn estimate_last_gasp(&mut self, d: OutageDeviceId, t_open: i64) {
        let mut hits = 0u32;
        let mut pop = 0u32;
        for &c in self.view.customers_below(d) {
            let i = c.index();
            if self.off_before(c, t_open) {
                continue;
            }
            pop += 1;
            let lg = self.st.lg_at[i].0;
            let counted = self.st.lg_state[i] != LG_NONE || self.st.bits[i] & B_LG != 0;
            if counted && lg >= t_open - MINUTE && lg <= t_open + 4 * MINUTE {
                hits += 1;
            }
        }
        if pop >= 5 {
            // One opening is one observation of the rate, however many meters.
            let w = (pop as f64).min(50.0);
            self.st.rates.last_gasp.add(w * hits as f64 / pop as f64, w);
            self.reweight();
        }
    }

    /// The share of the customers below a SCADA-confirmed opening who called, by the
    /// time most calls have come, over the share of calls that come by then.
    fn estimate_call(&mut self, d: OutageDeviceId, t_open: i64) {
        if !self.st.forced[d.index()] || self.st.scada_open.get(&d.0) != Some(&Timestamp(t_open)) {
            return;
        }
        let mut hits = 0u32;
        let mut pop = 0u32;
        for &c in self.view.customers_below(d) {
            if self.off_before(c, t_open) {
                continue;
            }
            pop += 1;
            let at = self.st.call_at[c.index()].0;
            if at >= t_open {
                hits += 1;
            }
        }
        let by_now = lognormal_cdf(
            CALL_ESTIMATE_AFTER as f64,
            self.opts.call_delay_median as f64,
            self.opts.call_delay_sigma,
        )
        .max(0.1);
        if pop >= 5 {
            let w = (pop as f64).min(50.0);
            let share = (hits as f64 / pop as f64 / by_now).min(1.0);
            self.st.rates.call.add(w * share, w);
            self.reweight();
        }
    }

    fn estimate_restore(&mut self, d: OutageDeviceId, t_close: i64) {
        // Every customer below a confirmed opening was off; those still held by a
        // nested outage are not back.
        let mut nested = self.held_spans_below(d, false);
        let mut hits = 0u32;
        let mut pop = 0u32;
        let order = self.view.customers_in_preorder();
        for pos in self.view.customer_span(d) {
            let i = order[pos as usize].index();
            if self.st.bits[i] & B_EXCLUDED != 0 || nested.contains(pos) {
                continue;
            }
            pop += 1;
            if self.st.supply[i].since.0 >= t_close {
                hits += 1;
            }
        }
        if pop >= 5 {
            let w = (pop as f64).min(50.0);
            self.st
                .rates
                .power_restore
                .add(w * hits as f64 / pop as f64, w);
            self.reweight();
        }
    }

    /// New rates: the next periodic refresh applies them everywhere (paths touched
    /// before then use them at once).
    fn reweight(&mut self) {
        let p_call = self.w.p_call;
        self.w = weights(&self.opts, &self.st.rates);
        if self.w.p_call != p_call {
            self.call_silence = call_silence(&self.opts, self.w.p_call);
        }
    }

    // ---------------------------------------------------------------- the dynamic programme

    /// A service's bits as they count at the service itself.
    #[inline]
    fn service_bits(&self, i: usize) -> u8 {
        let raw = self.st.bits[i];
        let eff = if raw & B_EXCLUDED != 0 {
            B_EXCLUDED
        } else {
            raw
        };
        if self.st.scope[i] == i as u32 {
            eff & !SCOPED
        } else {
            eff
        }
    }

    /// The counts below a device (a service's from its customer's bits).
    #[inline]
    fn counts_of(&self, d: OutageDeviceId) -> Counts {
        let i = d.index();
        if i >= self.nc {
            return self.st.node[i - self.nc].counts;
        }
        let b = self.service_bits(i);
        let bit = |m: u8| (b & m != 0) as u32;
        let forced = self.st.forced[i] as u32;
        Counts {
            pop: 1 - bit(B_EXCLUDED),
            call: bit(B_CALL),
            weak: bit(B_WEAK),
            lg: bit(B_LG),
            ping_off: bit(B_PING_OFF),
            on: bit(B_ON),
            await_: bit(B_AWAIT),
            active: (b & !B_EXCLUDED != 0) as u32,
            call_only: (b & (B_CALL | B_WEAK) != 0 && b & (B_LG | B_PING_OFF) == 0) as u32,
            forced,
            forced_pop: forced,
        }
    }

    /// The earliest off evidence below a device (`i64::MAX` when none).
    #[inline]
    fn t_first_of(&self, d: OutageDeviceId) -> Timestamp {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].t_first
        } else if self.service_bits(i) & REPORTING != 0 {
            self.st.report_at[i]
        } else {
            Timestamp(i64::MAX)
        }
    }

    /// The span of the standing last gasps below a device ([`NO_SPAN`] when none).
    #[inline]
    fn lg_span_of(&self, d: OutageDeviceId) -> (Timestamp, Timestamp) {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].lg_span
        } else if self.service_bits(i) & B_LG != 0 {
            (self.st.lg_at[i], self.st.lg_at[i])
        } else {
            NO_SPAN
        }
    }

    /// The span of the standing last gasps below a device, from its children's spans.
    /// O(children).
    fn children_lg_span(&self, x: OutageDeviceId) -> (Timestamp, Timestamp) {
        let mut span = NO_SPAN;
        for &k in self.view.children(x) {
            let (first, last) = self.lg_span_of(k);
            span.0 = span.0.min(first);
            span.1 = span.1.max(last);
        }
        span
    }

    /// Widens the last-gasp spans on the path above a customer whose standing last
    /// gasp moved earlier, and re-evaluates the path when one moved.
    fn widen_lg_spans(&mut self, c: CustomerId) {
        let t = self.st.lg_at[c.index()];
        let svc = OutageDeviceId(c.0);
        let mut x = svc;
        let mut moved = false;
        while let Some(p) = self.view.parent(x) {
            let span = &mut self.st.node[p.index() - self.nc].lg_span;
            if span.0 <= t {
                break;
            }
            span.0 = t;
            moved = true;
            x = p;
        }
        if moved {
            self.touch_path(svc);
        }
    }

    /// The best explanation of the subtree below a device with the device in (0 for a
    /// service: nothing is below it).
    #[inline]
    fn b_of(&self, d: OutageDeviceId) -> f64 {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].b
        } else {
            0.0
        }
    }

    /// The best explanation of the subtree below a device, with the device out or in.
    #[inline]
    fn a_of(&self, d: OutageDeviceId) -> f64 {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].a
        } else {
            self.st.a_service[i]
        }
    }

    #[inline]
    fn set_a(&mut self, d: OutageDeviceId, a: f64) {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].a = a;
        } else {
            self.st.a_service[i] = a;
        }
    }

    #[inline]
    fn lp_of(&self, d: OutageDeviceId) -> f64 {
        let i = d.index();
        if i >= self.nc {
            self.lp[i - self.nc] as f64
        } else {
            self.lp_service
        }
    }

    fn has_reports(&self, d: OutageDeviceId) -> bool {
        reports(&self.counts_of(d))
    }

    /// Log-odds of "d out" against "all on", from the counts below d.
    fn s_off(&self, d: OutageDeviceId) -> f64 {
        self.s_off_with(d, &self.counts_of(d))
    }

    /// [`Engine::s_off`] with the counts of `d` at hand.
    #[inline]
    fn s_off_with(&self, d: OutageDeviceId, k: &Counts) -> f64 {
        let w = &self.w;
        let i = d.index();
        // The meters below one out device lose power together: last gasps further
        // apart than the coherence window cannot all be its own, so one of them is
        // taken for another fault's or a stray.
        let mut lg = k.lg;
        if lg >= 2 && i >= self.nc {
            let (first, last) = self.st.node[i - self.nc].lg_span;
            if last.0.saturating_sub(first.0) > LG_COHERENCE {
                lg -= 1;
            }
        }
        let mut s = self.lp_of(d)
            + k.call as f64 * w.call
            + k.weak as f64 * w.weak
            + lg as f64 * w.lg
            + k.ping_off as f64 * w.ping_off
            + k.on as f64 * w.on
            + k.await_ as f64 * w.await_
            + k.forced as f64 * FORCED_BONUS;
        let tf = self.t_first_of(d);
        if tf.0 != i64::MAX {
            let dt = (self.st.clock.0 - tf.0).max(0);
            let base = k
                .pop
                .saturating_sub(k.on + k.await_ + k.ping_off + k.forced_pop)
                as f64;
            let silent_lg = (base - (k.lg + k.call_only) as f64).max(0.0);
            let silent_call = (base - (k.call + k.weak) as f64).max(0.0);
            if silent_lg > 0.0 {
                // Meters gasp within a minute of the power going: by the end of the first
                // gasp's hold most of the others' gasps are in, the late ones follow
                // over the next minute.
                let f_lg = (SILENCE_AT_HOLD
                    + (1.0 - SILENCE_AT_HOLD) * (dt - self.opts.last_gasp_hold) as f64
                        / MINUTE as f64)
                    .clamp(0.0, 1.0);
                s += silent_lg
                    * if f_lg >= 1.0 {
                        w.ln_no_lg
                    } else {
                        (1.0 - w.p_lg * f_lg).max(1e-6).ln()
                    };
            }
            s += k.call_only as f64 * w.ln_no_lg;
            if silent_call > 0.0 {
                let g = match self.call_silence.get((dt / SILENCE_STEP) as usize) {
                    Some(&g) => g,
                    None => {
                        let f_call = lognormal_cdf(
                            dt as f64,
                            self.opts.call_delay_median as f64,
                            self.opts.call_delay_sigma,
                        );
                        (1.0 - w.p_call * f_call).max(1e-6).ln()
                    }
                };
                s += silent_call * g;
            }
        }
        s
    }

    fn set_bits(&mut self, c: CustomerId, new: u8) {
        let scope = self.st.scope[c.index()];
        self.set_bits_scoped(c, new, scope);
    }

    /// Sets a customer's bits and scope together, in one walk up the path: the old
    /// bits leave the counts as the old scope had them count, the new ones enter as
    /// the new scope has them count.
    fn set_bits_scoped(&mut self, c: CustomerId, new: u8, new_scope: u32) {
        let i = c.index();
        let (raw_old, old_scope) = (self.st.bits[i], self.st.scope[i]);
        if raw_old == new && old_scope == new_scope {
            return;
        }
        self.st.bits[i] = new;
        self.st.scope[i] = new_scope;
        // A customer off for a known cause contributes nothing but its absence.
        let eff = |b: u8| if b & B_EXCLUDED != 0 { B_EXCLUDED } else { b };
        let (old, new) = (eff(raw_old), eff(new));
        // A scope only matters to the bits it scopes.
        if old == new && (old & SCOPED == 0 || old_scope == new_scope) {
            return;
        }
        // Without a scope every bit counts all the way up; from its scope on (the
        // scope itself included), a scoped bit no longer counts.
        let (mut crossed_old, mut crossed_new) = (false, false);
        let (old_out, new_out) = (old & !SCOPED, new & !SCOPED);
        let deltas = |old: u8, new: u8| -> [i32; 9] {
            let d = |b: u8| (new & b != 0) as i32 - (old & b != 0) as i32;
            let was_active = old & !B_EXCLUDED != 0;
            let is_active = new & !B_EXCLUDED != 0;
            // Callers whose meter sent no last gasp: their silence is certain, since a
            // call comes minutes after the power went.
            let call_only = |b: u8| b & (B_CALL | B_WEAK) != 0 && b & (B_LG | B_PING_OFF) == 0;
            [
                d(B_CALL),
                d(B_WEAK),
                d(B_LG),
                d(B_PING_OFF),
                d(B_ON),
                d(B_AWAIT),
                d(B_EXCLUDED),
                is_active as i32 - was_active as i32,
                call_only(new) as i32 - call_only(old) as i32,
            ]
        };
        // By (old scope crossed, new scope crossed).
        let by_crossing = [
            [deltas(old, new), deltas(old, new_out)],
            [deltas(old_out, new), deltas(old_out, new_out)],
        ];
        let report = self.st.report_at[i];
        let reporting = new & REPORTING != 0;
        let (gasped, gasp_at) = (new & B_LG != 0, self.st.lg_at[i]);
        // A last gasp withdrawn: the spans above are rebuilt from the children's, up to
        // the first that does not change.
        let mut narrowing = old & B_LG != 0 && new & B_LG == 0;
        let add = |x: u32, dlt: i32| (x as i64 + dlt as i64).max(0) as u32;
        let mut delta = 0.0f64;
        let mut x = OutageDeviceId(c.0);
        let nc = self.nc;
        loop {
            let xi = x.index();
            crossed_old |= x.0 == old_scope;
            crossed_new |= x.0 == new_scope;
            if xi < nc {
                // The service itself: its counts follow from the bits.
                let k = self.counts_of(x);
                if reports(&k) {
                    self.activate(x);
                }
                delta = self.reeval_with(x, &k);
                match self.view.parent(x) {
                    Some(p) => x = p,
                    None => break,
                }
                continue;
            }
            let [dc, dw, dl, dp, dn, da, dx, dact, dco] =
                by_crossing[crossed_old as usize][crossed_new as usize];
            let xn = xi - nc;
            // Updated in a local and stored once: reading the record back after
            // field-by-field stores would stall on store forwarding.
            let mut k = self.st.node[xn].counts;
            k.call = add(k.call, dc);
            k.weak = add(k.weak, dw);
            k.lg = add(k.lg, dl);
            k.ping_off = add(k.ping_off, dp);
            k.on = add(k.on, dn);
            k.await_ = add(k.await_, da);
            k.pop = add(k.pop, -dx);
            k.active = add(k.active, dact);
            k.call_only = add(k.call_only, dco);
            self.st.node[xn].counts = k;
            let rep = if crossed_new {
                new_out & REPORTING != 0
            } else {
                reporting
            };
            if rep && report < self.st.node[xn].t_first {
                self.st.node[xn].t_first = report;
            }
            if gasped {
                let span = &mut self.st.node[xn].lg_span;
                span.0 = span.0.min(gasp_at);
                span.1 = span.1.max(gasp_at);
            } else if narrowing {
                let span = self.children_lg_span(x);
                if span == self.st.node[xn].lg_span {
                    narrowing = false;
                } else {
                    self.st.node[xn].lg_span = span;
                }
            }
            if reports(&k) {
                self.activate(x);
            }
            self.st.node[xn].b += delta;
            delta = self.reeval_with(x, &k);
            match self.view.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
    }

    /// Puts a device among those the periodic refresh recomputes.
    #[inline]
    fn activate(&mut self, x: OutageDeviceId) {
        if !self.st.in_active[x.index()] {
            self.st.in_active[x.index()] = true;
            if x.index() >= self.nc {
                self.st.active.push(x);
                self.st.active_sorted = false;
            }
        }
    }

    /// Re-evaluates a device; returns how much its A moved (what its parent's B takes).
    #[inline]
    fn reeval(&mut self, x: OutageDeviceId) -> f64 {
        let k = self.counts_of(x);
        self.reeval_with(x, &k)
    }

    /// [`Engine::reeval`] with the counts of `x` at hand.
    #[inline]
    fn reeval_with(&mut self, x: OutageDeviceId, k: &Counts) -> f64 {
        let old = self.a_of(x);
        self.eval_with(x, k);
        self.a_of(x) - old
    }

    /// Re-evaluates the path from `d` to the source (every device on it is refreshed
    /// from then on).
    fn touch_path(&mut self, d: OutageDeviceId) {
        let mut delta = 0.0;
        let mut x = d;
        loop {
            if let Some(n) = x.index().checked_sub(self.nc) {
                self.st.node[n].b += delta;
            }
            self.activate(x);
            delta = self.reeval(x);
            match self.view.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
    }

    /// A and the decision flag of one device from its counts `k` and B.
    #[inline]
    fn eval_with(&mut self, x: OutageDeviceId, k: &Counts) {
        let xi = x.index();
        if self.is_held(x) {
            self.touched.push(x);
        }
        let b = self.b_of(x);
        let (a, f) = if self.st.forced[xi] {
            (self.s_off_with(x, k).max(b + FORCED_BONUS), true)
        } else if reports(k) {
            let s = self.s_off_with(x, k);
            if s > b { (s, true) } else { (b, false) }
        } else {
            (b, false)
        };
        self.set_a(x, a);
        if self.st.flag[xi] != f {
            self.st.flag[xi] = f;
            self.st.flags_changed = true;
            self.flipped.push(x);
            if f && !self.st.in_flagged[xi] {
                self.st.in_flagged[xi] = true;
                self.st.flagged.push(x);
            }
        }
    }

    /// Recomputes every active device bottom-up at the current clock.
    ///
    /// # Complexity
    /// O(a log a) for a devices with evidence below them.
    fn refresh_all(&mut self) {
        self.st.last_refresh = self.st.clock;
        self.refreshed = true;
        self.adapt_intensity();
        if !self.st.active_sorted {
            // Deepest first (children before parents): a counting sort on depth, O(a).
            let view = &self.view;
            let max = view.max_depth() as usize + 1;
            let mut start = vec![0usize; max + 1];
            for &d in &self.st.active {
                start[max - view.depth(d) as usize] += 1;
            }
            let mut acc = 0;
            for x in start.iter_mut() {
                let n = *x;
                *x = acc;
                acc += n;
            }
            let mut sorted = vec![OutageDeviceId(0); self.st.active.len()];
            for &d in &self.st.active {
                let k = max - view.depth(d) as usize;
                sorted[start[k]] = d;
                start[k] += 1;
            }
            self.st.active = sorted;
            self.st.active_sorted = true;
        }
        let nc = self.nc;
        for idx in 0..self.st.active.len() {
            let n = self.st.active[idx].index() - nc;
            self.st.node[n].b = 0.0;
            self.st.node[n].t_first = Timestamp(i64::MAX);
            self.st.node[n].lg_span = NO_SPAN;
        }
        // Forget devices no longer flagged.
        let (flag, marks) = (&self.st.flag, &mut self.st.in_flagged);
        self.st.flagged.retain(|d| {
            let keep = flag[d.index()];
            marks[d.index()] = keep;
            keep
        });
        // Services first, in id order (their arrays are read in sequence; the flags
        // are scanned eight at a time), then the devices above them, deepest first.
        let mut order: Vec<OutageDeviceId> = Vec::with_capacity(2 * self.st.active.len());
        for (w, chunk) in self.st.in_active[..nc].chunks(8).enumerate() {
            if chunk.iter().any(|&x| x) {
                for (j, &x) in chunk.iter().enumerate() {
                    if x {
                        order.push(OutageDeviceId((w * 8 + j) as u32));
                    }
                }
            }
        }
        order.extend_from_slice(&self.st.active);
        let mut dropped = false;
        for d in order {
            let k = self.counts_of(d);
            if !reports(&k) {
                // Nothing reported or forced below: the whole subtree explains
                // nothing (every A and B below is 0), so it leaves the refresh.
                let i = d.index();
                self.st.in_active[i] = false;
                self.set_a(d, 0.0);
                if let Some(n) = i.checked_sub(nc) {
                    self.st.node[n].b = 0.0;
                }
                if self.st.flag[i] {
                    self.st.flag[i] = false;
                    self.st.flags_changed = true;
                }
                dropped = true;
                continue;
            }
            self.eval_with(d, &k);
            if let Some(p) = self.view.parent(d) {
                // A parent is never a service.
                let pn = p.index() - nc;
                self.st.node[pn].b += self.a_of(d);
                let tf = self.t_first_of(d);
                if tf < self.st.node[pn].t_first {
                    self.st.node[pn].t_first = tf;
                }
                let (first, last) = self.lg_span_of(d);
                let span = &mut self.st.node[pn].lg_span;
                span.0 = span.0.min(first);
                span.1 = span.1.max(last);
            }
        }
        if dropped {
            // Order kept: the list stays deepest first.
            let in_active = &self.st.in_active;
            self.st.active.retain(|d| in_active[d.index()]);
        }
        self.st.flags_changed = true;
        self.flipped.clear();
        self.roots.valid = false;
    }

    /// Re-estimates the fault intensity from the fault outages held: each stands for
    /// more that have no evidence yet. Priors move only on a change of more than 10 %.
    /// O(devices) when they move.
    fn adapt_intensity(&mut self) {
        if !self.opts.adapt_intensity {
            return;
        }
        let calm = calm_intensity(self.net, &self.opts);
        let held = self.st.open_fault.len() as f64 * INTENSITY_PER_OUTAGE;
        let most = self.opts.max_faults_per_customer * self.net.customers().len() as f64;
        let new = calm.max(held.min(most));
        if (new / self.st.intensity).ln().abs() > 0.1 {
            self.st.intensity = new;
            // The refresh that follows recomputes every device with evidence.
            (self.lp_service, self.lp) = log_priors(self.net, &self.opts, new);
        }
    }

    /// The fault intensity the engine currently assumes: expected concurrent faults.
    pub fn intensity(&self) -> f64 {
        self.st.intensity
    }

    /// The most probable set of out devices given the evidence (the exact MAP of the
    /// model), in id order. Outages the engine holds may add nested outages that began
    /// earlier below one of these.
    ///
    /// # Complexity
    /// O(f · depth) for f devices flagged out in their subtree's best explanation.
    pub fn most_probable_outages(&self) -> Vec<OutageDeviceId> {
        self.best_explanation()
    }

    /// Recomputes the best explanation from every flagged device and keeps it for
    /// the flips that follow. O(f · depth + f log f) for f flagged devices.
    fn rebuild_roots(&mut self) -> Vec<OutageDeviceId> {
        let best = self.best_explanation();
        // Built in bulk (sorted, then bottom-up), not by one insertion at a time.
        let view = &self.view;
        let r = &mut self.roots;
        r.flagged_at.clear();
        r.flagged_at.resize(view.preorder().len().div_ceil(64), 0);
        for &d in &self.st.flagged {
            if let Some(p) = view.preorder_index(d) {
                set_bit(&mut r.flagged_at, p as usize, true);
            }
        }
        r.by_id = best.iter().map(|d| d.0).collect();
        r.by_pre = best
            .iter()
            .filter_map(|&d| view.preorder_index(d).map(|p| (p, d.0)))
            .collect();
        r.valid = true;
        best
    }

    /// Keeps the pre-ordered set of flagged devices current with this event's flips.
    fn note_flags(&mut self, flipped: &[OutageDeviceId]) {
        for &x in flipped {
            if let Some(p) = self.view.preorder_index(x) {
                set_bit(
                    &mut self.roots.flagged_at,
                    p as usize,
                    self.st.flag[x.index()],
                );
            }
        }
    }

    fn add_root(&mut self, d: OutageDeviceId) {
        self.roots.by_id.insert(d.0);
        if let Some(p) = self.view.preorder_index(d) {
            self.roots.by_pre.insert(p, d.0);
        }
    }

    fn remove_root(&mut self, d: OutageDeviceId) {
        if self.roots.by_id.remove(&d.0)
            && let Some(p) = self.view.preorder_index(d)
        {
            self.roots.by_pre.remove(&p);
        }
    }

    /// Updates the best explanation with this event's flips (flags are final): a
    /// device flagged with nothing flagged above it becomes a root and swallows the
    /// roots below it; a root unflagged hands over to the uncovered flagged devices
    /// below it. O(flips · depth · log f), plus the flagged devices below an
    /// unflagged root.
    fn update_roots(&mut self, flipped: &[OutageDeviceId]) {
        for &x in flipped {
            let span = self.view.preorder_index(x).zip(self.view.preorder_end(x));
            if self.st.flag[x.index()] {
                if self.covered(x) {
                    self.remove_root(x);
                    continue;
                }
                self.add_root(x);
                if let Some((p, end)) = span {
                    let inside: Vec<u32> = self
                        .roots
                        .by_pre
                        .range(p + 1..end)
                        .map(|(_, &d)| d)
                        .collect();
                    for d in inside {
                        self.remove_root(OutageDeviceId(d));
                    }
                }
            } else if self.roots.by_id.contains(&x.0) {
                self.remove_root(x);
                if let Some((p, end)) = span {
                    let below: Vec<u32> = set_bits_in(&self.roots.flagged_at, p + 1..end).collect();
                    let mut skip_to = 0;
                    for q in below {
                        let y = self.view.preorder()[q as usize];
                        if q < skip_to || !self.st.flag[y.index()] || self.covered(y) {
                            continue;
                        }
                        self.add_root(y);
                        skip_to = self.view.preorder_end(y).unwrap_or(q + 1);
                    }
                }
            }
        }
    }

    /// The flagged devices with nothing flagged above them, in id order. Leaves the
    /// state as it is (the list of flagged devices is compacted at refreshes only, so
    /// that a restored snapshot compacts it at the same moments).
    fn best_explanation(&self) -> Vec<OutageDeviceId> {
        let mut out: Vec<OutageDeviceId> = self
            .st
            .flagged
            .iter()
            .copied()
            .filter(|&d| self.st.flag[d.index()] && !self.covered(d))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a device above `x` is out in its subtree's best explanation (then
    /// nothing at or below `x` is a root of the best explanation).
    fn covered(&self, x: OutageDeviceId) -> bool {
        self.view
            .upstream(x)
            .skip(1)
            .any(|p| self.st.flag[p.index()])
    }

    // ---------------------------------------------------------------- outages over time

    fn new_outage(
        &mut self,
        d: OutageDeviceId,
        cause: OutageCause,
        status: OutageStatus,
        customers: u32,
        confidence: f64,
        start: Timestamp,
    ) -> OutageId {
        let id = OutageId(self.st.outages.len() as u32);
        self.st.outages.push(Outage {
            id,
            device: d,
            cause,
            status,
            customers,
            confidence,
            start,
            opened_at: self.st.clock,
            closed_at: None,
            planned_end: None,
            own_start: None,
        });
        self.changes.push(Change::Opened(id));
        id
    }

    fn close_outage(&mut self, id: OutageId, status: OutageStatus, merged_into: Option<OutageId>) {
        let clock = self.st.clock;
        let o = &mut self.st.outages[id.0 as usize];
        if o.closed_at.is_some() {
            return;
        }
        o.status = status;
        o.closed_at = Some(clock);
        if o.cause == OutageCause::Fault {
            let d = o.device;
            self.st.open_fault.remove(&d.0);
            self.set_held(d, false);
        }
        self.changes.push(Change::Closed {
            outage: id,
            merged_into,
        });
    }

    fn update_outages(&mut self) {
        // A flip below a device that is out in the best explanation changes nothing
        // the engine holds.
        let mut flipped = std::mem::take(&mut self.flipped);
        flipped.sort_unstable();
        flipped.dedup();
        if self.roots.valid {
            self.note_flags(&flipped);
        }
        if self.st.flags_changed && !flipped.is_empty() && flipped.iter().all(|&x| self.covered(x))
        {
            self.st.flags_changed = false;
        }
        if !self.st.flags_changed {
            flipped.clear();
            self.flipped = flipped;
            // The set of out devices is unchanged: only confidences and statuses move.
            if !self.st.open_fault.is_empty() {
                self.update_statuses();
            }
            return;
        }
        self.st.flags_changed = false;
        let best = if self.roots.valid {
            self.update_roots(&flipped);
            self.roots
                .by_id
                .iter()
                .map(|&d| OutageDeviceId(d))
                .collect()
        } else {
            self.rebuild_roots()
        };
        flipped.clear();
        self.flipped = flipped;
        let mut new: Vec<OutageDeviceId> = best
            .iter()
            .copied()
            .filter(|d| !self.st.open_fault.contains_key(&d.0))
            .collect();
        let mut gone: Vec<OutageDeviceId> = self
            .st
            .open_fault
            .keys()
            .map(|&d| OutageDeviceId(d))
            .filter(|d| best.binary_search(d).is_err())
            .collect();
        gone.sort_unstable();
        // Outages that began well before the outage now holding them stay open, nested:
        // a transformer out before the breaker tripped is still out after it recloses.
        let mut own: HashMap<u32, Option<Timestamp>> = HashMap::new();
        for &d in &new {
            let st = self.own_start(d);
            own.insert(d.0, st);
        }
        let mut keep_nested = Vec::new();
        for &g in &gone {
            let Some(&gid) = self.st.open_fault.get(&g.0) else {
                continue;
            };
            // When g's own event began: the last gasps below it now (a burst still
            // arriving outvotes stray old ones), else when it was first predicted (its
            // backdated start may come from old stray reports).
            let g_start = self
                .own_start(g)
                .unwrap_or(self.st.outages[gid.0 as usize].opened_at);
            let holder = self
                .view
                .upstream(g)
                .skip(1)
                .find(|a| best.binary_search(a).is_ok());
            if let Some(a) = holder {
                // When the rest of the holder's event began: a burst 20 minutes after
                // a fuse blew, reaching past it, is a second event above it, not more
                // evidence of the first.
                let a_start = self.start_apart_from(a, g);
                if a_start.is_some_and(|st| g_start.0 < st.0 - NESTED_MARGIN) {
                    keep_nested.push(g);
                }
            }
        }
        gone.retain(|g| !keep_nested.contains(g));
        // Largest first, so that a roll-up keeps the identity of the largest part.
        new.sort_by_key(|&d| (Reverse(self.view.customer_count_below(d)), d));
        for d in new {
            let conf = self.confidence(d);
            let status = self.status_of(d);
            let customers = self.view.customer_count_below(d);
            let start = self.start_of(d);
            // Roll-up: outages below d merge into it, the largest keeps its identity.
            let mut below: Vec<OutageDeviceId> = gone
                .iter()
                .copied()
                .filter(|&g| self.view.is_below(g, d))
                .collect();
            below.sort_by_key(|&g| (Reverse(self.view.customer_count_below(g)), g));
            // Split: d was below an outage that is gone; d takes over its identity.
            let above = gone.iter().copied().find(|&g| self.view.is_below(d, g));
            let keep = below.first().copied().or(above);
            match keep {
                Some(g) => {
                    let oid = self.st.open_fault.remove(&g.0).unwrap_or(NO_OUTAGE);
                    self.set_held(g, false);
                    gone.retain(|&x| x != g);
                    {
                        let own_start = own.get(&d.0).copied().flatten();
                        let o = &mut self.st.outages[oid.0 as usize];
                        o.own_start = own_start;
                        o.device = d;
                        o.status = status;
                        o.customers = customers;
                        o.confidence = round3(conf);
                        o.start = o.start.min(start);
                    }
                    self.st.open_fault.insert(d.0, oid);
                    self.set_held(d, true);
                    self.changes.push(Change::Updated(oid));
                    for &g2 in below.iter().skip(1) {
                        if let Some(o2) = self.st.open_fault.get(&g2.0).copied() {
                            gone.retain(|&x| x != g2);
                            self.close_outage(o2, OutageStatus::Retracted, Some(oid));
                        }
                    }
                }
                None => {
                    let oid = self.new_outage(
                        d,
                        OutageCause::Fault,
                        status,
                        customers,
                        round3(conf),
                        start,
                    );
                    self.st.outages[oid.0 as usize].own_start = own.get(&d.0).copied().flatten();
                    self.st.open_fault.insert(d.0, oid);
                    self.set_held(d, true);
                }
            }
        }
        for g in gone {
            if let Some(oid) = self.st.open_fault.get(&g.0).copied() {
                let restored = self.view.customers_below(g).iter().any(|c| {
                    self.st.supply[c.index()].since >= self.st.outages[oid.0 as usize].start
                });
                let st = if restored {
                    OutageStatus::Restored
                } else {
                    OutageStatus::Retracted
                };
                self.close_outage(oid, st, None);
            }
        }
        self.update_statuses();
    }

    /// Status and confidence of the open fault outages: all of them after a refresh,
    /// else those on the paths this event changed.
    fn update_statuses(&mut self) {
        let ids: Vec<(u32, OutageId)> = if std::mem::take(&mut self.refreshed) {
            self.st.open_fault.iter().map(|(&d, &o)| (d, o)).collect()
        } else {
            let mut t = std::mem::take(&mut self.touched);
            t.sort_unstable();
            t.dedup();
            let ids = t
                .iter()
                .filter_map(|d| self.st.open_fault.get(&d.0).map(|&o| (d.0, o)))
                .collect();
            t.clear();
            self.touched = t;
            ids
        };
        self.touched.clear();
        for (d, oid) in ids {
            let dev = OutageDeviceId(d);
            let conf = round3(self.confidence(dev));
            let status = self.status_of(dev);
            let o = &mut self.st.outages[oid.0 as usize];
            if o.status != status || (o.confidence - conf).abs() >= 0.05 {
                o.status = status;
                o.confidence = conf;
                if !self
                    .changes
                    .iter()
                    .any(|c| matches!(c, Change::Opened(x) | Change::Updated(x) if *x == oid))
                {
                    self.changes.push(Change::Updated(oid));
                }
            }
        }
    }

    /// When the event at `d` itself began: the SCADA opening, or the median last-gasp
    /// time below `d` outside the SCADA-confirmed openings below it (robust to a few
    /// customers that were out before; a larger event does not take the start of a
    /// confirmed outage it swallows). `None` when only calls speak for it (their timing
    /// is too loose to tell events apart).
    ///
    /// # Complexity
    /// O(customers below + fault outages held).
    fn own_start(&self, d: OutageDeviceId) -> Option<Timestamp> {
        self.start_outside(d, 0..0)
    }

    /// When the event at `a` began apart from the outage held at `g` below it: the
    /// SCADA opening of `a`, or the median last-gasp time below `a` outside `g` and
    /// outside the SCADA-confirmed openings below `a`. `None` when no last gasp speaks
    /// for the rest of `a`.
    ///
    /// # Complexity
    /// O(customers below `a` + fault outages held).
    fn start_apart_from(&self, a: OutageDeviceId, g: OutageDeviceId) -> Option<Timestamp> {
        self.start_outside(a, self.view.customer_span(g))
    }

    /// [`Engine::own_start`] of `d` leaving out the customers at the pre-order
    /// positions `skip`.
    fn start_outside(&self, d: OutageDeviceId, skip: std::ops::Range<u32>) -> Option<Timestamp> {
        if let Some(&t) = self.st.scada_open.get(&d.0) {
            return Some(t);
        }
        let mut held = self.held_spans_below(d, true);
        let order = self.view.customers_in_preorder();
        let mut times: Vec<i64> = Vec::new();
        for pos in self.view.customer_span(d) {
            let c = order[pos as usize];
            if !skip.contains(&pos) && !held.contains(pos) && self.st.bits[c.index()] & B_LG != 0 {
                times.push(self.st.lg_at[c.index()].0);
            }
        }
        if times.is_empty() {
            return None;
        }
        let mid = times.len() / 2;
        let (_, m, _) = times.select_nth_unstable(mid);
        Some(Timestamp(*m))
    }

    /// The customer spans (pre-order positions) of the fault outages held strictly
    /// below `d` (only the SCADA-confirmed ones with `confirmed`), by start.
    /// O(log o + k) for k of o open outages below `d`.
    fn held_spans_below(&self, d: OutageDeviceId, confirmed: bool) -> HeldSpans {
        let (Some(p), Some(end)) = (self.view.preorder_index(d), self.view.preorder_end(d)) else {
            return HeldSpans {
                spans: Vec::new(),
                next: 0,
            };
        };
        let spans: Vec<std::ops::Range<u32>> = self
            .held_by_pre
            .range(p + 1..end)
            .map(|(_, &g)| OutageDeviceId(g))
            .filter(|&g| !confirmed || self.st.forced[g.index()])
            .map(|g| self.view.customer_span(g))
            .collect();
        // Devices in pre-order have their customers in pre-order: already by start.
        debug_assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
        HeldSpans { spans, next: 0 }
    }

    /// Whether a device holds an open fault outage (a key of `st.open_fault`). O(1).
    #[inline]
    fn is_held(&self, d: OutageDeviceId) -> bool {
        bit(&self.held, d.index())
    }

    /// Marks a device as holding an open fault outage or not (the derived indexes of
    /// `st.open_fault`).
    fn set_held(&mut self, d: OutageDeviceId, on: bool) {
        set_bit(&mut self.held, d.index(), on);
        if let Some(p) = self.view.preorder_index(d) {
            if on {
                self.held_by_pre.insert(p, d.0);
            } else {
                self.held_by_pre.remove(&p);
            }
        }
    }

    /// The estimated start of an outage at `d`: the SCADA opening, else the median
    /// last gasp below it, else the earliest current off evidence below it.
    /// O(customers below).
    fn start_of(&self, d: OutageDeviceId) -> Timestamp {
        if let Some(t) = self.own_start(d) {
            return t;
        }
        self.view
            .customers_below(d)
            .iter()
            .filter(|c| self.st.bits[c.index()] & REPORTING != 0)
            .map(|c| self.st.report_at[c.index()])
            .min()
            .unwrap_or(self.st.clock)
    }

    /// Confirmed by SCADA or by a meter below answering a ping with off; else predicted.
    fn status_of(&self, d: OutageDeviceId) -> OutageStatus {
        let k = &self.counts_of(d);
        if self.st.forced[d.index()] || k.ping_off > 0 {
            OutageStatus::Confirmed
        } else {
            OutageStatus::Predicted
        }
    }

    /// The open fault outage holding a customer off, if any.
    pub fn fault_outage_of(&self, c: CustomerId) -> Option<OutageId> {
        self.view
            .upstream(OutageDeviceId(c.0))
            .find(|&d| self.is_held(d))
            .and_then(|d| self.st.open_fault.get(&d.0).copied())
    }

    /// The latest report of a customer's meter, in event time, whether or not the
    /// engine took it as news (a duplicate, a stale or a momentary's report counts):
    /// its time and whether it said the meter has supply (a power restore or a ping
    /// answering on). `None` when the meter has said nothing.
    ///
    /// ```
    /// use outage_locator::*;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// let (net, _) = import_opendss(path).unwrap();
    /// let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
    /// let meter = CustomerId(0);
    /// let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// assert_eq!(engine.latest_meter_report(meter), None);
    /// engine.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter } });
    /// engine.ingest(Event { time: t0 + MINUTE, evidence: Evidence::PowerRestore { meter } });
    /// assert_eq!(engine.latest_meter_report(meter), Some((t0 + MINUTE, true)));
    /// ```
    pub fn latest_meter_report(&self, c: CustomerId) -> Option<(Timestamp, bool)> {
        let r = self.st.supply.get(c.index())?.report;
        (r != 0).then(|| {
            let secs = (r >> 1) as i64 + REPORT_EPOCH_S;
            (Timestamp(secs * 1000), r & 1 == 1)
        })
    }

    /// Classifies a customer's call against what the engine holds now.
    pub fn classify(&self, c: CustomerId) -> CallClassification {
        if let Some(&oid) = self.st.disconnected.get(&c.0) {
            return CallClassification {
                customer: c,
                cause: Some(OutageCause::Disconnect),
                outage: Some(oid),
            };
        }
        if self.st.planned_depth[c.index()] > 0 {
            let oid = self
                .view
                .upstream(OutageDeviceId(c.0))
                .find_map(|d| self.st.planned.get(&d.0).copied());
            return CallClassification {
                customer: c,
                cause: Some(OutageCause::Planned),
                outage: oid,
            };
        }
        match self.fault_outage_of(c) {
            Some(oid) => CallClassification {
                customer: c,
                cause: Some(OutageCause::Fault),
                outage: Some(oid),
            },
            None => CallClassification {
                customer: c,
                cause: None,
                outage: None,
            },
        }
    }

    /// A call's classification: a flickering light is about a momentary interruption,
    /// not about a sustained fault, even under one.
    fn classify_call(&mut self, c: CustomerId, detail: CallDetail) {
        let mut cl = self.classify(c);
        if detail == CallDetail::Flicker && cl.cause == Some(OutageCause::Fault) {
            cl.cause = None;
            cl.outage = None;
        }
        self.changes.push(Change::Call(cl));
    }

    /// Whether a customer's call was about a wire down.
    pub fn wire_down(&self, c: CustomerId) -> bool {
        bit(&self.st.wire_down, c.index())
    }

    /// Whether a customer below a device reported a wire down. O(log wire-down calls).
    pub fn wire_down_below(&self, d: OutageDeviceId) -> bool {
        self.wire_down_at
            .range(self.view.customer_span(d))
            .next()
            .is_some()
    }

    /// Marks a customer's wire-down report (and its derived index) set or cleared.
    fn note_wire_down(&mut self, c: CustomerId, down: bool) {
        set_bit(&mut self.st.wire_down, c.index(), down);
        if let Some(p) = self.view.supplied_position(c) {
            if down {
                self.wire_down_at.insert(p);
            } else {
                self.wire_down_at.remove(&p);
            }
        }
    }

    /// Meters to ping to confirm an outage or tell it apart from its best competitors,
    /// most informative first: silent meters in the largest subtrees below the device
    /// that hold no report (off confirms the device over its reporting children), then a
    /// silent meter below the parent outside the device (on confirms the device over its
    /// parent).
    pub fn proposed_pings(&self, id: OutageId, max: usize) -> Vec<CustomerId> {
        let Some(o) = self.outage(id) else {
            return Vec::new();
        };
        let d = o.device;
        let mut out = Vec::new();
        let silent = |c: CustomerId| self.st.bits[c.index()] == 0;
        let mut kids: Vec<OutageDeviceId> = self
            .view
            .children(d)
            .iter()
            .copied()
            .filter(|&k| self.counts_of(k).active == 0)
            .collect();
        kids.sort_by_key(|&k| Reverse(self.view.customer_count_below(k)));
        for k in kids {
            if out.len() + 1 >= max {
                break;
            }
            if let Some(&c) = self.view.customers_below(k).iter().find(|&&c| silent(c)) {
                out.push(c);
            }
        }
        if let Some(p) = self.view.parent(d) {
            let mut sib: Vec<OutageDeviceId> = self
                .view
                .children(p)
                .iter()
                .copied()
                .filter(|&k| k != d && self.counts_of(k).active == 0)
                .collect();
            sib.sort_by_key(|&k| Reverse(self.view.customer_count_below(k)));
            if let Some(&c) = sib
                .first()
                .and_then(|&k| self.view.customers_below(k).iter().find(|&&c| silent(c)))
            {
                out.push(c);
            }
        }
        if out.is_empty()
            && let Some(&c) = self.view.customers_below(d).iter().find(|&&c| silent(c))
        {
            out.push(c);
        }
        out.truncate(max);
        out
    }

    /// Approximate bytes of engine state per customer (on top of the network and view).
    pub fn state_bytes(&self) -> usize {
        let nc = self.st.bits.len();
        let above = self.st.node.len();
        let nd = nc + above;
        // Per customer: bits, LG state, four timestamps, the supply record, scope,
        // planned depth, and a wire-down bit; the pings that answered off.
        nc * (1 + 1 + 8 * 4 + std::mem::size_of::<Supply>() + 4 + 2)
            + nc.div_ceil(64) * 8
            + self.st.ping_off_at.len() * 16
            // Per service: A.
            + nc * 8
            // Per device: flag, forced, in_active, in_flagged, held bit.
            + nd * 4 + nd.div_ceil(8)
            // Per device above the services: its record and its prior.
            + above * (std::mem::size_of::<Node>() + 4)
            + self.st.outages.len() * std::mem::size_of::<Outage>()
    }
}

/// Drops the items at the front of a queue while `old` says so.
fn drop_front_while<T>(q: &mut VecDeque<T>, old: impl Fn(&T) -> bool) {
    while q.front().is_some_and(&old) {
        q.pop_front();
    }
}

/// The calm-day fault intensity of a network.
fn calm_intensity(net: &Network, opts: &EngineOptions) -> f64 {
    let n = net.customers().len() as f64;
    (opts.calm_faults_per_customer * n)
        .max(opts.calm_faults)
        .min(opts.max_faults_per_customer * n)
        .max(1e-6)
}

/// Per-device prior log-odds: the odds of a device are its class's expected out
/// devices times the intensity, over the number of devices of that class (so the
/// ratios between classes hold at any intensity). O(devices).
fn log_priors(net: &Network, opts: &EngineOptions, intensity: f64) -> (f64, Vec<f32>) {
    let nd = net.outage_device_count();
    let mut per_class = [0u32; OutageDeviceClass::ALL.len()];
    let class_of = |d: OutageDeviceId| net.outage_device_class(d);
    for i in 0..nd {
        per_class[class_of(OutageDeviceId::from(i)) as usize] += 1;
    }
    // The shares of classes the network does not have go to those it has (a feeder
    // with no recloser still has as many faults).
    let share = |present: bool| {
        OutageDeviceClass::ALL
            .iter()
            .filter(|&&c| !present || per_class[c as usize] > 0)
            .map(|&c| opts.priors.of(c))
            .sum::<f64>()
    };
    let scale = share(false) / share(true).max(1e-12);
    let prior = |d: OutageDeviceId| {
        let class = class_of(d);
        let n = per_class[class as usize].max(1) as f64;
        let mut odds = opts.priors.of(class) * scale * intensity / n;
        if net.is_telemetered(d) {
            odds *= opts.telemetry_miss_probability;
        }
        odds.clamp(1e-9, 1.0).ln()
    };
    let nc = net.customers().len();
    let service = if nc > 0 {
        prior(OutageDeviceId(0))
    } else {
        0.0
    };
    let rest = (nc..nd)
        .map(|i| prior(OutageDeviceId::from(i)) as f32)
        .collect();
    (service, rest)
}

fn weights(o: &EngineOptions, r: &Rates) -> Weights {
    let p_call = r.call.value();
    let p_lg = r.last_gasp.value();
    let p_pr = r.power_restore.value();
    let bg = o.background_call_probability.max(1e-6);
    let flg = o.false_last_gasp_probability.max(1e-6);
    Weights {
        // Fault callers say no power or wire down 90 %, partial 10 %; background
        // callers 60 % and 20 % (the rest is flicker, which carries no weight).
        call: (p_call * 0.9 / (bg * 0.6)).ln(),
        weak: (p_call * 0.1 / (bg * 0.2)).ln(),
        lg: (p_lg / flg).ln(),
        ping_off: 8.0,
        on: -8.0,
        await_: (1.0 / (1.0 - p_pr)).ln(),
        p_lg,
        p_call,
        ln_no_lg: (1.0 - p_lg).max(1e-6).ln(),
    }
}

/// Resolution of the call-silence table.
const SILENCE_STEP: Millis = 10 * SECOND;
/// Span of the call-silence table (beyond it the term is computed).
const SILENCE_SPAN: Millis = 12 * 60 * MINUTE;

/// The call-silence table: ln(1 - p_call F(dt)) at the start of each step.
fn call_silence(o: &EngineOptions, p_call: f64) -> Vec<f64> {
    (0..SILENCE_SPAN / SILENCE_STEP)
        .map(|k| {
            let f = lognormal_cdf(
                (k * SILENCE_STEP) as f64,
                o.call_delay_median as f64,
                o.call_delay_sigma,
            );
            (1.0 - p_call * f).max(1e-6).ln()
        })
        .collect()
}

/// Whether any off evidence lies below a device with these counts.
#[inline]
fn reports(k: &Counts) -> bool {
    k.call + k.weak + k.lg + k.ping_off + k.await_ + k.forced > 0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn sigmoid(x: f64) -> f64 {
    if x > 30.0 {
        1.0
    } else if x < -30.0 {
        0.0
    } else {
        1.0 / (1.0 + (-x).exp())
    }
}

/// P(delay <= t) for a log-normal delay with the given median and sigma.
fn lognormal_cdf(t: f64, median: f64, sigma: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let z = (t / median).ln() / (sigma * std::f64::consts::SQRT_2);
    0.5 * (1.0 + erf(z))
}

/// Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-x * x).exp();
    s * y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::synth::{SyntheticNetworkOptions, storm_events, synthetic_network};
    use proptest::prelude::*;

    /// The fault shares of classes a network does not have go to those it has, in
    /// proportion: on a feeder with a breaker, one transformer and two services (no
    /// fuse, recloser, sectionalizer or switch), a service's prior odds are its class's
    /// share over the shares present, times the intensity, over the two services.
    #[test]
    fn the_shares_of_missing_classes_go_to_the_classes_present() {
        let text = "New Circuit.c bus1=s\n\
                    New Line.head bus1=s bus2=b\n\
                    New Relay.brk MonitoredObj=Line.head MonitoredTerm=1\n\
                    New Transformer.t buses=[b lv] kvs=[12.47 0.24]\n\
                    New Load.a bus1=lv kv=0.24 kw=5\n\
                    New Load.b bus1=lv kv=0.24 kw=5\n";
        let (net, _) = crate::import_opendss_str(text).unwrap();
        let opts = EngineOptions::default();
        let p = opts.priors;
        let present = p.service + p.transformer + p.breaker + p.source;
        let all: f64 = OutageDeviceClass::ALL.iter().map(|&c| p.of(c)).sum();
        let (lp_service, _) = log_priors(&net, &opts, 2.0);
        let want = (p.service * all / present * 2.0 / 2.0).ln();
        assert!((lp_service - want).abs() < 1e-9, "{lp_service} vs {want}");
    }

    proptest! {
        /// Timers come out in (due, timer) order whatever order they were pushed in
        /// (late pushes land mid-lane), and only once due, also from a queue restored
        /// from a snapshot and at times before 1970.
        #[test]
        fn timers_pop_in_due_order(
            pushes in proptest::collection::vec((-50i64..50, 0u32..4, 0u8..3), 0..200),
            now in -60i64..120,
        ) {
            let mut q = TimerQueue::default();
            let mut all = Vec::new();
            for &(t, c, kind) in &pushes {
                let (due, timer) = match kind {
                    0 => (t + 60, Timer::LastGaspHold(c, t)),
                    1 => (t + 60, Timer::SilenceSettled(c, t)),
                    _ => (t + 5, Timer::OnExpire(c, t)),
                };
                q.push(Reverse((due, timer)));
                all.push((due, timer));
            }
            let json = serde_json::to_string(&q).unwrap();
            let mut q: TimerQueue = serde_json::from_str(&json).unwrap();
            all.sort();
            let mut got = Vec::new();
            while let Some(x) = q.pop_due(now) {
                got.push(x);
            }
            let due: Vec<_> = all.iter().copied().filter(|&(d, _)| d <= now).collect();
            prop_assert_eq!(&got, &due);
            while let Some(x) = q.pop_due(i64::MAX) {
                got.push(x);
            }
            prop_assert_eq!(got, all);
        }
    }

    /// The best explanation kept flip by flip between refreshes is the one a full
    /// recomputation gives, after every event of a storm.
    #[test]
    fn roots_kept_between_events_equal_a_full_recomputation() {
        let net = synthetic_network(&SyntheticNetworkOptions {
            customers: 3000,
            seed: 3,
            ..Default::default()
        });
        let view = EnergizationView::normal(&net).unwrap();
        let events = storm_events(&net, &view, 20_000, 11);
        let mut e = Engine::new(&net, EngineOptions::default()).unwrap();
        let mut checked = 0;
        for ev in events {
            e.ingest(ev);
            if e.roots.valid {
                let kept: Vec<OutageDeviceId> =
                    e.roots.by_id.iter().map(|&d| OutageDeviceId(d)).collect();
                assert_eq!(kept, e.most_probable_outages(), "at {}", ev.time);
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} events checked");
    }
}
