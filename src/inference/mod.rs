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
//! service's counts follow from its customer's flags (services keep no per-device
//! arrays), and the best explanation is kept between events and updated flip by flip.
//!
//! # Where things are
//!
//! The engine is one type, [`Engine`]; its work is split by job:
//!
//! | module | its job |
//! | --- | --- |
//! | `options` | the options ([`EngineOptions`]) and the device priors they imply |
//! | `state` | what the engine learns, per customer (evidence flags, last gasp, supply) and per device (counts, A and B): what a snapshot holds |
//! | `evidence` | the `on_*` handler of each kind of event |
//! | `momentary` | momentary interruptions: bursts of last gasps cancelled by zone |
//! | `timers` | the timer queue, and one handler per timer that settles a customer's or device's standing |
//! | `rates` | the online estimates of the last-gasp, call and restore rates through one sample estimator |
//! | `likelihood` | the log-odds of "d out" from the counts below it |
//! | `dp` | the dynamic programme over the device tree, kept exact event by event |
//! | `roots` | the best explanation kept between events, flip by flip |
//! | `outages` | the outage lifecycle: open, roll up, split, nest, restore, retract |
//! | `pings` | which meters to ping to tell an outage from its competitors |
//! | `changes` | what the engine tells its caller after each event |
//! | `snapshot` | snapshots and restoring from them |
//! | `switching` | following the operators' switching: the new view, the counts rebased on it |
//! | `indicators` | the fault indicators' readings: which way fault current went |
//!
//! An event goes through [`Engine::ingest`]: the timers due before it run, its
//! handler changes the flags of a customer (the change is carried up the path by the
//! dynamic programme) or a device, the timers due by then run, a periodic refresh
//! brings the clock-dependent terms up to date, and the outage lifecycle compares the
//! best explanation with the outages held and reports the changes.

mod changes;
mod dedup;
mod dp;
mod evidence;
mod indicators;
mod likelihood;
mod momentary;
mod options;
mod outages;
mod pings;
mod rates;
mod recheck;
mod roots;
mod snapshot;
mod state;
mod switching;
#[cfg(test)]
mod tests;
mod timers;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use crate::error::OptionsError;
pub use changes::{
    CallClassification, Change, Changes, EngineWarnings, EvidenceSummary, Momentary,
};
pub use options::{EngineOptions, OutageDevicePriors};
pub use outages::{Outage, OutageCause, OutageId, OutageStatus};
pub use pings::{CONFIDENCE_TEMPER, MIN_GAIN, PING_LOSS, PingCandidate, ping_gain};
pub use rates::{RateEstimate, Rates};
pub use snapshot::EngineSnapshot;

use crate::bits::bit;
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::Network;
use crate::time::Timestamp;
use crate::topology::EnergizationView;
use likelihood::{Weights, call_silence, sigmoid, weights};
use options::{calm_intensity, log_priors};
use outages::NO_OUTAGE;
use roots::Roots;

/// A device's place in the view's pre-order of outage devices
/// ([`EnergizationView::preorder_index`]): the devices below it follow it, up to its
/// [`EnergizationView::preorder_end`].
type PreorderIndex = u32;

/// A customer's place in the view's pre-order of customers
/// ([`EnergizationView::customer_position`]): the customers below a device are a
/// range of positions ([`EnergizationView::customer_span`]).
type CustomerPosition = u32;
use state::{Node, State, Supply};

/// The inference engine. Feed it events with [`Engine::ingest`]; read the outages it
/// holds with [`Engine::open_outages`].
///
/// Ids are checked where events come in: [`Engine::ingest`] ignores (and counts) an
/// event naming an id that is not of the engine's network. The queries that take an
/// id ([`Engine::confidence`], [`Engine::classify`], [`Engine::evidence_below`], ...)
/// index the engine's tables like a slice and panic on such an id; ids from the
/// network's names, from the engine's changes or from its view are always valid
/// ([`Network::get_customer`] checks one from elsewhere).
///
/// ```
/// use std::sync::Arc;
/// use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let net = Arc::new(import_opendss(path).unwrap().0);
/// let mut engine = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
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
pub struct Engine {
    net: Arc<Network>,
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
    /// The earliest reports of still-dark customers that count below their scope
    /// only, carried up to each device above the services during a refresh (index
    /// minus `nc`; `i64::MAX` outside a refresh). Empty until a refresh needs it.
    scoped_first: Vec<Timestamp>,
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
    held_by_pre: BTreeMap<PreorderIndex, OutageDeviceId>,
    /// The pre-order positions of the customers whose call reported a wire down (the
    /// customers set in `st.wire_down` with supply in the view). Derived.
    wire_down_at: BTreeSet<CustomerPosition>,
    /// The best explanation kept between events (derived): flagged devices with no
    /// flagged device above them, by id and by pre-order index, and every energized
    /// flagged device by pre-order index. Valid until a refresh recomputes every flag.
    roots: Roots,
    /// What the next update of the outages must look at again (derived).
    recheck: recheck::Recheck,
    /// The view before the latest switching: its memory makes the next one.
    spare_view: EnergizationView,
    /// The view as the network is drawn, once switching has moved away from it: the
    /// customers an outage held off before a transfer.
    normal_view: Option<EnergizationView>,
}

impl Engine {
    /// An engine over the network's normal state. It keeps the network: pass the
    /// [`Network`] itself when the engine alone uses it, or an [`Arc<Network>`] shared
    /// with whatever else reads it (a command centre's answers, an event reader, other
    /// engines).
    ///
    /// # Errors
    /// [`SwitchingError`](crate::SwitchingError) when the network's normal state is not
    /// radial.
    pub fn new(
        net: impl Into<Arc<Network>>,
        opts: EngineOptions,
    ) -> Result<Self, crate::SwitchingError> {
        let net = net.into();
        let view = EnergizationView::normal(&net)?;
        let nd = net.outage_device_count();
        let nc = net.customers().len();
        let intensity = calm_intensity(&net, &opts);
        let (lp_service, lp) = log_priors(&net, &opts, intensity);
        let rates = Rates::initial(
            opts.call_probability,
            opts.last_gasp_probability,
            opts.power_restore_probability,
        );
        let st = State::new(&view, nc, nd, intensity, rates);
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
            scoped_first: Vec::new(),
            touched: Vec::new(),
            refreshed: false,
            flipped: Vec::new(),
            held: vec![0; nd.div_ceil(64)],
            held_by_pre: BTreeMap::new(),
            wire_down_at: BTreeSet::new(),
            roots: Roots::default(),
            recheck: recheck::Recheck::default(),
            spare_view: EnergizationView::default(),
            normal_view: None,
        })
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The network, shared: a clone of the engine's handle.
    pub fn shared_network(&self) -> &Arc<Network> {
        &self.net
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

    /// Ingests one event and returns what changed. Never panics on any event: an event
    /// naming a customer or device that is not of this network (ids are plain numbers)
    /// is counted in [`EngineWarnings::foreign_ids`] and ignored, and one implausibly
    /// far ahead of the clock ([`Engine::is_far_ahead`]) in
    /// [`EngineWarnings::far_ahead`].
    ///
    /// The changes are the caller's own (a few inline, no allocation in the common
    /// case): the engine can be asked about each of them inside the loop over them.
    ///
    /// ```
    /// # use outage_locator::{Change, Engine, EngineOptions, Event, Evidence, import_opendss};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let (net, _) = import_opendss(path).unwrap();
    /// let mut engine = Engine::new(net, EngineOptions::default()).unwrap();
    /// let t = "2026-07-01T12:00:00Z".parse().unwrap();
    /// let relay = engine.network().outage_device_by_name("relay.brk_sw1").unwrap();
    /// for change in engine.ingest(Event { time: t, evidence: Evidence::DeviceOpen { device: relay } }) {
    ///     if let Change::Opened(id) = change {
    ///         let outage = engine.outage(id).unwrap();
    ///         assert_eq!(outage.device, relay);
    ///         engine.ingest(Event { time: t, evidence: Evidence::Tick });
    ///     }
    /// }
    /// ```
    ///
    /// # Complexity
    /// O(depth) for a report, plus O(active devices) when the clock moves past a
    /// refresh point; O(customers below) for SCADA restorations and planned outages.
    pub fn ingest(&mut self, ev: Event) -> Changes {
        self.step(ev);
        Changes::from_slice(&self.changes)
    }

    /// [`Engine::ingest`] without handing the changes over: they stay in
    /// [`Engine::last_changes`] until the next step.
    pub(crate) fn step(&mut self, ev: Event) {
        self.changes.clear();
        let t = ev.time;
        if !self.is_of_network(&ev.evidence) {
            self.st.warnings.foreign_ids += 1;
            return;
        }
        if self.is_far_ahead(t) {
            self.st.warnings.far_ahead += 1;
            return;
        }
        if self.st.clock == Timestamp::NEVER {
            self.st.clock = t;
            self.st.last_refresh = t;
        }
        if t.0 < self.st.clock.0.saturating_sub(self.opts.late_window) {
            self.st.warnings.too_late += 1;
        }
        let report = match ev.evidence {
            Evidence::PowerRestore { meter } | Evidence::Ping { meter, on: true } => {
                Some((meter, true))
            }
            Evidence::LastGasp { meter } | Evidence::Ping { meter, on: false } => {
                Some((meter, false))
            }
            _ => None,
        };
        if let Some((c, on)) = report
            && let Some(s) = self.st.supply.get_mut(c.index())
        {
            s.note_report(t, on);
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
        if !self.st.switching.is_empty()
            && self
                .changes
                .iter()
                .any(|c| matches!(c, Change::Opened(_) | Change::Closed { .. }))
        {
            self.recount_outages();
        }
        if let Evidence::Call { customer, detail } = ev.evidence
            && !self.changes.iter().any(|c| matches!(c, Change::Call(_)))
        {
            self.classify_call(customer, detail);
        }
    }

    /// The changes of the last step.
    pub(crate) fn last_changes(&self) -> &[Change] {
        &self.changes
    }

    /// Brings the inference up to date at the current clock (the time-dependent terms)
    /// and returns what changed; call at the end of a stream.
    pub fn flush(&mut self) -> Changes {
        self.flush_step();
        Changes::from_slice(&self.changes)
    }

    /// [`Engine::flush`] without handing the changes over.
    pub(crate) fn flush_step(&mut self) {
        self.changes.clear();
        self.run_timers();
        self.refresh_all();
        self.update_outages();
    }

    /// Whether an event repeats an earlier one exactly (same time, kind and id) within
    /// twice the late-arrival window of the clock: only evidence is deduplicated,
    /// calls are counted by the contract row by row. O(1) amortised (see `dedup`).
    fn is_duplicate(&mut self, ev: &Event) -> bool {
        let (k, id) = match ev.evidence {
            Evidence::Call { customer, detail } => (detail as u32 + 1, customer.0),
            Evidence::LastGasp { meter } => (10, meter.0),
            Evidence::PowerRestore { meter } => (11, meter.0),
            Evidence::Ping { meter, on } => (12 + on as u32, meter.0),
            Evidence::DeviceOpen { device } => (14, device.0),
            Evidence::DeviceClose { device } => (15, device.0),
            Evidence::FaultIndicator { element, passed } => (16 + passed as u32, element.0),
            _ => return false,
        };
        let horizon = self
            .st
            .clock
            .0
            .saturating_sub(self.opts.late_window.saturating_mul(2));
        let key = (ev.time.0, k, id);
        self.st.last_seen.repeat(key, self.st.clock.0, horizon) == dedup::Repeat::Yes
    }

    /// Whether every id an event names is of this network.
    fn is_of_network(&self, ev: &Evidence) -> bool {
        let nd = self.net.outage_device_count();
        match *ev {
            Evidence::Call { customer: c, .. }
            | Evidence::LastGasp { meter: c }
            | Evidence::PowerRestore { meter: c }
            | Evidence::Ping { meter: c, .. }
            | Evidence::Disconnect { meter: c }
            | Evidence::Reconnect { meter: c } => c.index() < self.nc,
            Evidence::DeviceOpen { device: d }
            | Evidence::DeviceClose { device: d }
            | Evidence::PlannedOutage { device: d, .. } => d.index() < nd,
            Evidence::FaultIndicator { element, .. } => element.index() < self.net.elements().len(),
            Evidence::Tick => true,
        }
    }

    /// Whether an event time lies further ahead of the clock than the late-arrival
    /// window and a day ([`Engine::MAX_AHEAD`]): such an event is implausible (a
    /// corrupt or mistyped time) and is counted and ignored rather than moving the
    /// clock, which would make every event after it late. Never true before the first
    /// event.
    pub fn is_far_ahead(&self, t: Timestamp) -> bool {
        self.st.clock != Timestamp::NEVER
            && t.0
                > self
                    .st
                    .clock
                    .0
                    .saturating_add(self.opts.late_window)
                    .saturating_add(Self::MAX_AHEAD)
    }

    /// How far beyond the late-arrival window an event may lie ahead of the clock.
    pub const MAX_AHEAD: crate::Millis = 24 * 60 * crate::time::MINUTE;

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

    /// The open fault outage holding a customer off, if any.
    pub fn fault_outage_of(&self, c: CustomerId) -> Option<OutageId> {
        self.view
            .upstream(OutageDeviceId(c.0))
            .find(|&d| self.is_held(d))
            .and_then(|d| self.st.open_fault.get(&d).copied())
    }

    /// The latest report of a customer's meter, in event time, whether or not the
    /// engine took it as news (a duplicate, a stale or a momentary's report counts):
    /// its time and whether it said the meter has supply (a power restore or a ping
    /// answering on). `None` when the meter has said nothing.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use outage_locator::*;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// let net = Arc::new(import_opendss(path).unwrap().0);
    /// let mut engine = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    /// let meter = CustomerId(0);
    /// let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// assert_eq!(engine.latest_meter_report(meter), None);
    /// engine.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter } });
    /// engine.ingest(Event { time: t0 + MINUTE, evidence: Evidence::PowerRestore { meter } });
    /// assert_eq!(engine.latest_meter_report(meter), Some((t0 + MINUTE, true)));
    /// ```
    pub fn latest_meter_report(&self, c: CustomerId) -> Option<(Timestamp, bool)> {
        self.st.supply.get(c.index())?.latest_report()
    }

    /// Classifies a customer's call against what the engine holds now.
    pub fn classify(&self, c: CustomerId) -> CallClassification {
        if let Some(&oid) = self.st.disconnected.get(&c) {
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
                .find_map(|d| self.st.planned.get(&d).copied());
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
