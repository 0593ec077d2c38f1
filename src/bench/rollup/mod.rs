//! The classic roll-up rule of commercial outage management systems, as a peer of the
//! [`Engine`](crate::Engine) under the same replay contract: a Rust port of
//! `../shared/eval/baseline.py` (and of the `Peer` of `common.py` it builds on), so that
//! both can be run and compared in Rust.
//!
//! * Every call (except `flicker`) marks its customer as out at once; a last gasp does
//!   so if no power restore follows within [`lg_hold`](RollupOptions::lg_hold) of its
//!   arrival (the AMI momentary filter: a quick restore also drops the burst of last
//!   gasps sent within [`burst_window`](RollupOptions::burst_window) of it in the same
//!   recloser or breaker zone, including ones that arrive late).
//! * A customer's power restore (or a ping answering *on*) clears it; the first restore
//!   from below a predicted outage stands for the crew's restoration and clears every
//!   older report below it.
//! * Prediction, bottom-up over the protective-device tree (switches skipped): a
//!   customer who reports is a service outage; a distribution transformer is out when
//!   [`xfmr_min`](RollupOptions::xfmr_min) of its customers report (all of them, if it
//!   has fewer); a fuse, recloser or breaker when at least
//!   [`child_min`](RollupOptions::child_min) and a share
//!   [`child_frac`](RollupOptions::child_frac) of its children with customers are out,
//!   or a share [`share_min`](RollupOptions::share_min) of its customers report. The
//!   topmost predicted device holds the outage; its children merge into it.
//! * SCADA `device_open` not followed by `device_close` within
//!   [`scada_hold`](RollupOptions::scada_hold) (a reclose) confirms the device;
//!   `device_close` restores it.
//! * Planned outages and disconnections are known causes: their customers' calls are
//!   classified so, and their reports do not count.
//!
//! Predictions are refreshed on every row but last gasps, power restores and pings (AMI
//! rows wait for the next tick), as in the Python peer.
//!
//! The rule lives in three rooms beside the type: how each row is read (reports, the
//! momentary filter, restores, SCADA, planned work and disconnections), the prediction
//! with the refresh that turns it into outages, and the records it writes.
//!
//! ```
//! use outage_locator::bench::rollup::{Rollup, RollupOptions};
//! use outage_locator::Record;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let (net, _) = outage_locator::import_opendss(path).unwrap();
//! let events = "time,kind,id,detail\n\
//!     2026-07-01T12:00:00Z,call,s1a,no_power\n";
//! let mut out = Vec::new();
//! let mut rollup = Rollup::new(&net, RollupOptions::default()).unwrap();
//! rollup.run(events.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.lines().next().unwrap().contains("\"device\":\"load.s1a\""));
//! ```

mod evidence;
mod predict;
mod records;

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::ops::Range;

use crate::error::SwitchingError;
use crate::evidence::{Event, Evidence};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::inference::{OutageCause, OutageId, OutageStatus};
use crate::network::{Network, OutageDeviceClass};
use crate::replay::{Record, RecordEngine, ReplaySummary, run_event_file};
use crate::service::tickets::WorkOrderId;
use crate::time::{MINUTE, Millis, SECOND, Timestamp};
use crate::topology::EnergizationView;

/// The thresholds of the roll-up rule; the defaults are those of `baseline.py`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RollupOptions {
    /// Reports that put a distribution transformer out (all of its customers if fewer).
    pub xfmr_min: u32,
    /// Children out that put a fuse, recloser or breaker out...
    pub child_min: u32,
    /// ...when they are also at least this share of its children with customers.
    pub child_frac: f64,
    /// Or this share of its customers reporting.
    pub share_min: f64,
    /// A last gasp counts once held this long (since its arrival) without a restore.
    pub lg_hold: Millis,
    /// A restore this soon after the last gasp makes a momentary.
    pub momentary_max: Millis,
    /// Last gasps this close to a momentary one belong to its burst.
    pub burst_window: Millis,
    /// A SCADA open closed again within this is a reclose.
    pub scada_hold: Millis,
    /// A restore from below a predicted outage restores it if it came no earlier than
    /// this before the outage opened.
    pub restore_lookback: Millis,
}

impl Default for RollupOptions {
    fn default() -> Self {
        RollupOptions {
            xfmr_min: 2,
            child_min: 2,
            child_frac: 0.2,
            share_min: 0.3,
            lg_hold: 60 * SECOND,
            momentary_max: 60 * SECOND,
            burst_window: 10 * SECOND,
            scada_hold: 30 * SECOND,
            restore_lookback: 5 * MINUTE,
        }
    }
}

/// An outage the roll-up holds.
#[derive(Debug, Clone)]
struct Rec {
    id: OutageId,
    device: OutageDeviceId,
    cause: OutageCause,
    status: OutageStatus,
    customers: u32,
    confidence: f64,
    ticket: Option<WorkOrderId>,
    since: Timestamp,
}

#[derive(Debug, Clone)]
struct Planned {
    device: OutageDeviceId,
    end: Timestamp,
    rec: Rec,
    span: Range<u32>,
}

/// The classic roll-up rule, fed event by event; see the [module documentation](self).
pub struct Rollup<'n> {
    net: &'n Network,
    view: EnergizationView,
    opts: RollupOptions,
    /// Per outage device: its parent in the protective-device tree (NONE for roots
    /// and for devices outside the tree).
    tree_parent: Vec<u32>,
    /// The devices of the tree, parents before children.
    topdown: Vec<OutageDeviceId>,
    /// Per device: children (in the tree) that hold off customers.
    kids_with_cust: Vec<u32>,
    clock: Option<Timestamp>,
    reports: Vec<Option<Timestamp>>,
    /// Held last gasps: customer -> (time, clock when it arrived).
    pending_lg: BTreeMap<CustomerId, (Timestamp, Timestamp)>,
    bursts: HashMap<OutageDeviceId, Vec<Timestamp>>,
    restored: Vec<Option<Timestamp>>,
    scada_open: BTreeMap<OutageDeviceId, Timestamp>,
    planned: Vec<Planned>,
    disconnected: HashMap<CustomerId, Rec>,
    cleared_at: Vec<Option<Timestamp>>,
    /// Open fault outages by id (the order they opened), and by device.
    open: BTreeMap<OutageId, Rec>,
    open_dev: HashMap<OutageDeviceId, OutageId>,
    /// Outages and tickets opened so far: the last ids given.
    n_out: u32,
    n_tkt: u32,
    summary: ReplaySummary,
    records: Vec<Record<'n>>,
    // Scratch space of `predict`.
    nrep: Vec<u32>,
    npk: Vec<u32>,
    out: Vec<bool>,
}

/// Whether the rule predicts outages at devices of this class.
fn in_tree(c: OutageDeviceClass) -> bool {
    !matches!(c, OutageDeviceClass::Switch | OutageDeviceClass::Source)
}

impl RecordEngine for Rollup<'_> {
    fn feed(&mut self, ev: Event) -> &[Record<'_>] {
        Rollup::feed(self, ev)
    }
    fn skip(&mut self) {
        Rollup::skip(self)
    }
    fn finish(&mut self) -> &[Record<'_>] {
        Rollup::finish(self)
    }
    fn summary(&self) -> ReplaySummary {
        Rollup::summary(self)
    }
}

impl<'n> Rollup<'n> {
    /// The rule over a network in its normal state.
    ///
    /// # Complexity
    /// O(D) for D outage devices; then each refresh is O(D), each restore O(depth).
    pub fn new(net: &'n Network, opts: RollupOptions) -> Result<Self, SwitchingError> {
        let view = EnergizationView::normal(net)?;
        let nd = net.outage_device_count();
        let nc = net.customers().len();
        let mut tree_parent = vec![NONE; nd];
        let mut topdown = Vec::new();
        for &d in view.preorder() {
            if !in_tree(net.outage_device_class(d)) {
                continue;
            }
            topdown.push(d);
            if let Some(p) = view
                .upstream(d)
                .skip(1)
                .find(|&p| in_tree(net.outage_device_class(p)))
            {
                tree_parent[d.index()] = p.0;
            }
        }
        let mut kids_with_cust = vec![0u32; nd];
        for &d in &topdown {
            let p = tree_parent[d.index()];
            if p != NONE && view.customer_count_below(d) > 0 {
                kids_with_cust[p as usize] += 1;
            }
        }
        Ok(Rollup {
            net,
            view,
            opts,
            tree_parent,
            topdown,
            kids_with_cust,
            clock: None,
            reports: vec![None; nc],
            pending_lg: BTreeMap::new(),
            bursts: HashMap::new(),
            restored: vec![None; nc],
            scada_open: BTreeMap::new(),
            planned: Vec::new(),
            disconnected: HashMap::new(),
            cleared_at: vec![None; nc],
            open: BTreeMap::new(),
            open_dev: HashMap::new(),
            n_out: 0,
            n_tkt: 0,
            summary: ReplaySummary::default(),
            records: Vec::new(),
            nrep: vec![0; nd],
            npk: vec![0; nd],
            out: vec![false; nd],
        })
    }

    /// The counts so far.
    pub fn summary(&self) -> ReplaySummary {
        self.summary
    }

    /// The devices of the open fault outages.
    pub fn open_devices(&self) -> Vec<OutageDeviceId> {
        self.open.values().map(|r| r.device).collect()
    }

    /// Feeds one event; returns the records it produced.
    pub fn feed(&mut self, ev: Event) -> &[Record<'n>] {
        self.records.clear();
        self.summary.rows += 1;
        let t = ev.time;
        self.clock = Some(self.clock.map_or(t, |c| c.max(t)));
        self.handle(t, ev.evidence);
        self.expire_planned();
        let refresh = !matches!(
            ev.evidence,
            Evidence::LastGasp { .. } | Evidence::PowerRestore { .. } | Evidence::Ping { .. }
        );
        if refresh {
            self.refresh();
        }
        if let Evidence::Call { customer, .. } = ev.evidence {
            self.classify(customer);
        }
        &self.records
    }

    /// Counts a row that could not be used.
    pub fn skip(&mut self) {
        self.summary.rows += 1;
        self.summary.skipped += 1;
    }

    /// Ends the stream: a last refresh and the summary record.
    pub fn finish(&mut self) -> &[Record<'n>] {
        self.records.clear();
        if self.clock.is_some() {
            self.refresh();
        }
        self.records.push(self.summary.record());
        &self.records
    }

    /// Replays a whole event file: records to `out` (JSON Lines), skipped rows to
    /// `diag`.
    pub fn run(
        &mut self,
        events: impl Read + Send,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> std::io::Result<ReplaySummary> {
        let net = self.net;
        run_event_file(self, net, events, out, diag).map_err(std::io::Error::from)
    }

    fn now(&self) -> Timestamp {
        self.clock.unwrap_or_default()
    }

    fn service(c: CustomerId) -> OutageDeviceId {
        OutageDeviceId(c.0)
    }
}
