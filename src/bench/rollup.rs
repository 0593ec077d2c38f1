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
//! ```
//! use outage_locator::rollup::{Rollup, RollupOptions};
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

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::ops::Range;

use crate::error::SwitchingError;
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::inference::OutageId;
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
    n: u64,
    device: OutageDeviceId,
    cause: &'static str,
    status: &'static str,
    customers: u32,
    confidence: f64,
    ticket: Option<u64>,
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
    pending_lg: BTreeMap<u32, (Timestamp, Timestamp)>,
    bursts: HashMap<OutageDeviceId, Vec<Timestamp>>,
    restored: Vec<Option<Timestamp>>,
    scada_open: BTreeMap<u32, Timestamp>,
    planned: Vec<Planned>,
    disconnected: HashMap<u32, Rec>,
    cleared_at: Vec<Option<Timestamp>>,
    /// Open fault outages by number (the order they opened), and by device.
    open: BTreeMap<u64, Rec>,
    open_dev: HashMap<OutageDeviceId, u64>,
    n_out: u64,
    n_tkt: u64,
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

/// Rounds to 3 decimals from the exact value of the float, as Python's `round` does.
fn round3(x: f64) -> f64 {
    format!("{x:.3}").parse().unwrap_or(x)
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
        run_event_file(self, net, events, out, diag)
    }

    fn now(&self) -> Timestamp {
        self.clock.unwrap_or_default()
    }

    fn stale(&self, c: CustomerId, t: Timestamp) -> bool {
        self.cleared_at[c.index()].is_some_and(|x| t <= x)
    }

    fn service(c: CustomerId) -> OutageDeviceId {
        OutageDeviceId(c.0)
    }

    fn handle(&mut self, t: Timestamp, ev: Evidence) {
        match ev {
            Evidence::Tick => {}
            Evidence::Call {
                customer: c,
                detail,
            } => {
                if detail != CallDetail::Flicker && !self.stale(c, t) {
                    self.reports[c.index()].get_or_insert(t);
                }
            }
            Evidence::LastGasp { meter: c } => {
                if !self.stale(c, t) && !self.in_burst(c, t) {
                    let now = self.now();
                    self.pending_lg.entry(c.0).or_insert((t, now));
                }
            }
            Evidence::PowerRestore { meter: c } | Evidence::Ping { meter: c, on: true } => {
                self.on_restore(c, t);
            }
            Evidence::Ping {
                meter: c,
                on: false,
            } => {
                self.reports[c.index()].get_or_insert(t);
            }
            Evidence::Disconnect { meter: c } => {
                let rec = self.open_outage(Self::service(c), "disconnect", "confirmed", 1.0, false);
                self.disconnected.insert(c.0, rec);
            }
            Evidence::Reconnect { meter: c } => {
                if let Some(rec) = self.disconnected.remove(&c.0) {
                    self.close_outage(rec, "restored", None);
                }
            }
            Evidence::DeviceOpen { device } => {
                self.scada_open.insert(device.0, t);
            }
            Evidence::DeviceClose { device } => {
                if let Some(t_open) = self.scada_open.remove(&device.0)
                    && t.0 - t_open.0 >= self.opts.scada_hold
                {
                    // A lockout ended, not a reclose.
                    for i in self.view.customer_span(device) {
                        let c = self.view.customers_in_preorder()[i as usize];
                        self.clear(c, t);
                    }
                }
            }
            Evidence::PlannedOutage { device, end } => {
                if let Some(p) = self.planned.iter_mut().find(|p| p.device == device) {
                    p.end = end;
                } else {
                    let rec = self.open_outage(device, "planned", "confirmed", 1.0, false);
                    let span = self.view.customer_span(device);
                    self.planned.push(Planned {
                        device,
                        end,
                        rec,
                        span,
                    });
                }
            }
        }
    }

    /// The recloser, breaker or source whose trips interrupt the customer.
    fn zone(&self, c: CustomerId) -> Option<OutageDeviceId> {
        self.view.upstream(Self::service(c)).find(|&d| {
            matches!(
                self.net.outage_device_class(d),
                OutageDeviceClass::Recloser
                    | OutageDeviceClass::Breaker
                    | OutageDeviceClass::Source
            )
        })
    }

    fn in_burst(&self, c: CustomerId, t: Timestamp) -> bool {
        if self.bursts.is_empty() {
            return false;
        }
        self.view.upstream(Self::service(c)).any(|d| {
            self.bursts.get(&d).is_some_and(|v| {
                v.iter()
                    .any(|tb| (t.0 - tb.0).abs() <= self.opts.burst_window)
            })
        })
    }

    fn on_restore(&mut self, c: CustomerId, t: Timestamp) {
        // The peer's momentary filter.
        if let Some(&(t_lg, _)) = self.pending_lg.get(&c.0)
            && t.0 - t_lg.0 <= self.opts.momentary_max
            && let Some(zone) = self.zone(c)
        {
            self.bursts.entry(zone).or_default().push(t_lg);
            let span = self.view.customer_span(zone);
            let view = &self.view;
            let w = self.opts.burst_window;
            self.pending_lg.retain(|&x, &mut (tx, _)| {
                !(span.contains(&view.customer_position(CustomerId(x)))
                    && (tx.0 - t_lg.0).abs() <= w)
            });
        }
        let r = &mut self.restored[c.index()];
        *r = Some(r.map_or(t, |x| x.max(t)));
        self.clear(c, t);
        // The baseline's addition: a restore below a predicted outage restores it.
        let hit = self.view.upstream(Self::service(c)).find_map(|d| {
            let n = *self.open_dev.get(&d)?;
            let rec = &self.open[&n];
            (rec.status == "predicted" && t.0 >= rec.since.0 - self.opts.restore_lookback)
                .then_some(d)
        });
        if let Some(d) = hit {
            for i in self.view.customer_span(d) {
                let x = self.view.customers_in_preorder()[i as usize];
                self.clear(x, t);
            }
        }
    }

    /// Evidence of customer `c` from before `t` no longer counts.
    fn clear(&mut self, c: CustomerId, t: Timestamp) {
        if self.reports[c.index()].is_some_and(|r| r <= t) {
            self.reports[c.index()] = None;
        }
        if self.pending_lg.get(&c.0).is_some_and(|&(x, _)| x <= t) {
            self.pending_lg.remove(&c.0);
        }
        let x = &mut self.cleared_at[c.index()];
        *x = Some(x.map_or(t, |y| y.max(t)));
    }

    fn promote_last_gasps(&mut self) {
        let now = self.now();
        let hold = self.opts.lg_hold;
        let reports = &mut self.reports;
        self.pending_lg.retain(|&c, &mut (t, arr)| {
            if now.0 - t.max(arr).0 >= hold {
                reports[c as usize].get_or_insert(t);
                false
            } else {
                true
            }
        });
    }

    /// (cause, outage) if a disconnection or a planned outage explains customer `c`.
    fn known_cause(&self, c: CustomerId) -> Option<(&'static str, u64)> {
        if let Some(r) = self.disconnected.get(&c.0) {
            return Some(("disconnect", r.n));
        }
        let pos = self.view.customer_position(c);
        if !self.view.is_supplied(c) {
            return None;
        }
        self.planned
            .iter()
            .find(|p| p.span.contains(&pos))
            .map(|p| ("planned", p.rec.n))
    }

    fn expire_planned(&mut self) {
        let now = self.now();
        let mut i = 0;
        while i < self.planned.len() {
            if self.planned[i].end <= now {
                let p = self.planned.remove(i);
                self.close_outage(p.rec, "restored", None);
            } else {
                i += 1;
            }
        }
    }

    /// The predicted devices, topmost first: (device, confidence, status).
    fn predict(&mut self) -> Vec<(OutageDeviceId, f64, &'static str)> {
        self.promote_last_gasps();
        let now = self.now();
        let o = self.opts;
        let scada_hold = o.scada_hold;
        let scada: Vec<u32> = self
            .scada_open
            .iter()
            .filter(|&(_, &t)| now.0 - t.0 >= scada_hold)
            .map(|(&d, _)| d)
            .collect();
        let is_scada = |d: OutageDeviceId| scada.binary_search(&d.0).is_ok();
        let nc = self.net.customers().len() as u32;
        for &d in self.topdown.iter().rev() {
            let i = d.index();
            let out = if d.0 < nc {
                let c = CustomerId(d.0);
                let rep = self.reports[i].is_some() && self.known_cause(c).is_none();
                self.nrep[i] = rep as u32;
                rep
            } else {
                let n = self.view.customer_count_below(d);
                let nrep = self.nrep[i];
                let npk = self.npk[i];
                let out = if n == 0 {
                    false
                } else if self.net.outage_device_class(d) == OutageDeviceClass::Transformer {
                    nrep >= o.xfmr_min.min(n)
                } else {
                    (npk >= o.child_min
                        && npk as f64 >= o.child_frac * self.kids_with_cust[i] as f64)
                        || nrep as f64 >= o.share_min * n as f64
                };
                out || is_scada(d)
            };
            self.out[i] = out;
            let p = self.tree_parent[i];
            if p != NONE {
                self.nrep[p as usize] += self.nrep[i];
                self.npk[p as usize] += out as u32;
            }
        }
        // On the way down `out` becomes "held": the topmost device out holds the outage,
        // and every device below it is held by it.
        let mut pred = Vec::new();
        for &d in &self.topdown {
            let i = d.index();
            let p = self.tree_parent[i];
            if p != NONE && self.out[p as usize] {
                self.out[i] = true;
                continue;
            }
            if self.out[i] {
                if is_scada(d) {
                    pred.push((d, 1.0, "confirmed"));
                } else {
                    let n = self.view.customer_count_below(d).max(1) as f64;
                    pred.push((
                        d,
                        (0.5 + 0.5 * self.nrep[i] as f64 / n).min(0.99),
                        "predicted",
                    ));
                }
            }
        }
        for &d in &self.topdown {
            self.nrep[d.index()] = 0;
            self.npk[d.index()] = 0;
        }
        pred
    }

    fn refresh(&mut self) {
        let pred = self.predict();
        let in_pred: HashMap<OutageDeviceId, (f64, &'static str)> =
            pred.iter().map(|&(d, c, s)| (d, (c, s))).collect();
        let mut new: Vec<OutageDeviceId> = pred
            .iter()
            .map(|p| p.0)
            .filter(|d| !self.open_dev.contains_key(d))
            .collect();
        let gone: Vec<u64> = self
            .open
            .values()
            .filter(|r| !in_pred.contains_key(&r.device))
            .map(|r| r.n)
            .collect();
        // Outages that disappear because an ancestor now holds them merge into it.
        let anc_of: Vec<Option<OutageDeviceId>> = gone
            .iter()
            .map(|n| {
                let d = self.open[n].device;
                self.view
                    .upstream(d)
                    .skip(1)
                    .find(|p| in_pred.contains_key(p))
            })
            .collect();
        new.sort_by_key(|&d| std::cmp::Reverse(self.view.customer_count_below(d)));
        for &d in &new {
            let (conf, status) = in_pred[&d];
            let rec = self.open_outage(d, "fault", status, conf, true);
            self.open_dev.insert(d, rec.n);
            self.open.insert(rec.n, rec);
        }
        for (n, anc) in gone.into_iter().zip(anc_of) {
            let rec = self.open.remove(&n).expect("gone outages are open");
            self.open_dev.remove(&rec.device);
            let merged = anc
                .and_then(|p| self.open_dev.get(&p))
                .and_then(|m| self.open[m].ticket);
            if let Some(w) = merged {
                self.close_outage(rec, "retracted", Some(w));
            } else {
                let restored = self
                    .view
                    .customers_below(rec.device)
                    .iter()
                    .any(|c| self.restored[c.index()].is_some_and(|x| x >= rec.since));
                self.close_outage(rec, if restored { "restored" } else { "retracted" }, None);
            }
        }
        let at = self.now();
        for (d, conf, status) in pred {
            if new.contains(&d) {
                continue;
            }
            let n = self.open_dev[&d];
            let rec = self.open.get_mut(&n).expect("predicted outages are open");
            let conf = round3(conf);
            if status != rec.status || (conf - rec.confidence).abs() >= 0.05 {
                rec.status = status;
                rec.confidence = conf;
                let r = outage_record(self.net, rec, "update", at);
                self.records.push(r);
            }
        }
    }

    fn open_outage(
        &mut self,
        device: OutageDeviceId,
        cause: &'static str,
        status: &'static str,
        confidence: f64,
        ticket: bool,
    ) -> Rec {
        self.n_out += 1;
        self.summary.outages += 1;
        let now = self.now();
        let mut rec = Rec {
            n: self.n_out,
            device,
            cause,
            status,
            customers: self.view.customer_count_below(device),
            confidence: round3(confidence),
            ticket: None,
            since: now,
        };
        self.records
            .push(outage_record(self.net, &rec, "open", now));
        if ticket && cause == "fault" {
            self.n_tkt += 1;
            self.summary.tickets += 1;
            rec.ticket = Some(self.n_tkt);
            let n = rec.customers;
            let (prio, due_min) = if n >= 50 {
                ("high", 45)
            } else if n >= 5 {
                ("medium", 120)
            } else {
                ("low", 240)
            };
            self.records.push(Record::Ticket {
                at: now,
                op: "open",
                ticket: WorkOrderId(self.n_tkt as u32),
                outage: Some(OutageId(rec.n as u32)),
                device: self.net.outage_device_name(device),
                priority: Some(prio),
                due: Some(now + due_min * MINUTE),
                merged_into: None,
            });
        }
        rec
    }

    fn close_outage(&mut self, mut rec: Rec, status: &'static str, merged_into: Option<u64>) {
        rec.status = status;
        let now = self.now();
        self.records
            .push(outage_record(self.net, &rec, "close", now));
        if let Some(w) = rec.ticket {
            self.records.push(Record::Ticket {
                at: now,
                op: "close",
                ticket: WorkOrderId(w as u32),
                outage: Some(OutageId(rec.n as u32)),
                device: self.net.outage_device_name(rec.device),
                priority: None,
                due: None,
                merged_into: merged_into.map(|m| WorkOrderId(m as u32)),
            });
        }
    }

    fn classify(&mut self, c: CustomerId) {
        let at = self.now();
        let customer = self.net.customer(c).name.as_str();
        let rec = if let Some((cause, n)) = self.known_cause(c) {
            Record::Call {
                at,
                customer,
                cause,
                outage: Some(OutageId(n as u32)),
                ticket: None,
            }
        } else if let Some(r) = self
            .view
            .upstream(Self::service(c))
            .find_map(|d| self.open_dev.get(&d).map(|n| &self.open[n]))
        {
            Record::Call {
                at,
                customer,
                cause: "fault",
                outage: Some(OutageId(r.n as u32)),
                ticket: r.ticket.map(|w| WorkOrderId(w as u32)),
            }
        } else {
            Record::Call {
                at,
                customer,
                cause: "none",
                outage: None,
                ticket: None,
            }
        };
        self.records.push(rec);
    }
}

fn outage_record<'n>(net: &'n Network, rec: &Rec, op: &'static str, at: Timestamp) -> Record<'n> {
    Record::Outage {
        at,
        op,
        outage: OutageId(rec.n as u32),
        device: net.outage_device_name(rec.device),
        cause: rec.cause,
        status: rec.status,
        customers: rec.customers,
        confidence: rec.confidence,
    }
}
