//! The outage lifecycle: the outages the engine holds follow the best explanation,
//! opened, rolled up, split, kept nested, restored or retracted as it changes.
//!
//! After each event the best explanation is compared with the fault outages held: a
//! new out device takes over an outage below it (a roll-up: the largest part keeps
//! its identity) or above it (a split), or opens a new one; an outage no longer in
//! the best explanation stays open, nested, when it began well before the outage now
//! holding its customers, and otherwise closes as restored (some customer below it has
//! supply since it began) or retracted.

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::changes::Change;
use super::state::Flag;
use super::{CustomerPosition, Engine};
use crate::bits::{bit, set_bit};
use crate::ids::OutageDeviceId;
use crate::time::{Millis, SECOND, Timestamp};

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

crate::variant_names::display_as_serde_name!(OutageCause, OutageStatus);

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
    /// Estimated start. For a fault outage: the time SCADA reported the device open;
    /// else the median last-gasp time of the customers below it (the upper median,
    /// leaving out customers inside SCADA-confirmed outages held below); else, when
    /// only calls or pings speak for it, the earliest off report below it (a call is
    /// dated two minutes before it was made). When the outage moves to another device
    /// (rolled up or split) it keeps the earlier of its start and the new device's.
    /// For a planned outage or a disconnection: the time of its event row.
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

/// The placeholder at index 0 of the outages (ids start at 1).
pub(super) const NO_OUTAGE: OutageId = OutageId(0);
/// An outage that began this much before the outage above it stays open, nested.
const NESTED_MARGIN: Millis = 60 * SECOND;

/// Customer spans (pre-order positions) of held outages, by start, asked about
/// positions in increasing order.
pub(super) struct HeldSpans {
    spans: Vec<std::ops::Range<CustomerPosition>>,
    next: usize,
}

impl HeldSpans {
    /// Whether `pos` lies in a span; positions must come in increasing order.
    pub(super) fn contains(&mut self, pos: CustomerPosition) -> bool {
        while self.spans.get(self.next).is_some_and(|r| r.end <= pos) {
            self.next += 1;
        }
        self.spans.get(self.next).is_some_and(|r| r.start <= pos)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Engine {
    /// Opens an outage at `d` as of the clock.
    pub(super) fn new_outage(
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

    /// Closes an outage as of the clock (once: a closed outage stays as it closed).
    pub(super) fn close_outage(
        &mut self,
        id: OutageId,
        status: OutageStatus,
        merged_into: Option<OutageId>,
    ) {
        let clock = self.st.clock;
        let o = &mut self.st.outages[id.0 as usize];
        if o.closed_at.is_some() {
            return;
        }
        o.status = status;
        o.closed_at = Some(clock);
        if o.cause == OutageCause::Fault {
            let d = o.device;
            self.st.open_fault.remove(&d);
            self.set_held(d, false);
            self.forget_kept(d);
            if self.roots.by_id.contains(&d) {
                // A root left without its outage: the next update holds it again.
                self.recheck.roots.push(d);
            }
        }
        self.changes.push(Change::Closed {
            outage: id,
            merged_into,
        });
    }

    /// Brings the fault outages held in line with the best explanation after an
    /// event.
    ///
    /// # Complexity
    /// After a refresh, a switching or a restored snapshot: O(f + o) for f devices in
    /// the best explanation and o outages held, plus the starts of the outages it
    /// looks at. Otherwise only the roots this event changed and the outages kept
    /// below the roots whose evidence changed are looked at (see `recheck`).
    pub(super) fn update_outages(&mut self) {
        let incremental = self.roots.valid && self.recheck.valid;
        let Some(best) = self.best_after_flips(incremental) else {
            // The set of out devices is unchanged: only confidences and statuses move.
            if !self.st.open_fault.is_empty() {
                self.update_statuses();
            }
            return;
        };
        let (mut new, mut gone) = if incremental {
            let changed = std::mem::take(&mut self.recheck.roots);
            let new: Vec<OutageDeviceId> = changed
                .iter()
                .copied()
                .filter(|d| self.roots.by_id.contains(d) && !self.st.open_fault.contains_key(d))
                .collect();
            let mut gone = self.kept_to_recheck(&changed);
            gone.extend_from_slice(&changed);
            gone.sort_unstable();
            gone.dedup();
            // What the update looks at and finds held and out of the best
            // explanation (a kept outage may be a root again).
            gone.retain(|d| !self.roots.by_id.contains(d) && self.st.open_fault.contains_key(d));
            (new, gone)
        } else {
            self.recheck_everything();
            let new = best
                .iter()
                .copied()
                .filter(|d| !self.st.open_fault.contains_key(d))
                .collect();
            let gone = self
                .st
                .open_fault
                .keys()
                .copied()
                .filter(|d| best.binary_search(d).is_err())
                .collect();
            (new, gone)
        };
        new.sort_unstable();
        new.dedup();
        let looked_at = gone.clone();
        let own: HashMap<OutageDeviceId, Option<Timestamp>> =
            new.iter().map(|&d| (d, self.own_start(d))).collect();
        let keep_nested = self.nested_to_keep(&gone);
        gone.retain(|g| !keep_nested.contains(g));
        // An outage whose device switching left without supply stays: its customers
        // are still off for their own fault, whatever feeds them later.
        if !self.st.switching.is_empty() {
            gone.retain(|&g| self.view.is_energized(g));
        }
        // Largest first, so that a roll-up keeps the identity of the largest part.
        new.sort_by_key(|&d| (Reverse(self.view.customer_count_below(d)), d));
        for d in new {
            let own_start = own.get(&d).copied().flatten();
            self.hold(d, own_start, &mut gone);
        }
        for g in gone {
            self.close_gone(g);
        }
        self.note_kept(&looked_at);
        self.recheck.roots.clear();
        self.update_statuses();
    }

    /// The best explanation after this event's flips, or `None` when the set of out
    /// devices cannot have changed (no flip, or only flips below a device that is out
    /// in the best explanation, which change nothing the engine holds).
    fn best_after_flips(&mut self, incremental: bool) -> Option<Vec<OutageDeviceId>> {
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
        let best = if !self.st.flags_changed {
            None
        } else if self.roots.valid {
            self.st.flags_changed = false;
            self.update_roots(&flipped);
            // The incremental update asks the roots one by one.
            Some(if incremental {
                Vec::new()
            } else {
                self.roots.by_id.iter().copied().collect()
            })
        } else {
            self.st.flags_changed = false;
            Some(self.rebuild_roots())
        };
        flipped.clear();
        self.flipped = flipped;
        best
    }

    /// The outages no longer in the best explanation (`gone`) that stay open, nested:
    /// those that began well before the outage now holding their customers (a
    /// transformer out before the breaker tripped is still out after it recloses).
    fn nested_to_keep(&self, gone: &[OutageDeviceId]) -> Vec<OutageDeviceId> {
        let mut keep_nested = Vec::new();
        for &g in gone {
            let Some(&gid) = self.st.open_fault.get(&g) else {
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
                .find(|a| self.roots.by_id.contains(a));
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
        keep_nested
    }

    /// Holds an outage at `d`, newly in the best explanation: it takes over the
    /// largest gone outage below it (a roll-up; the others below merge into it) or the
    /// gone outage above it (a split), else opens a new one.
    fn hold(
        &mut self,
        d: OutageDeviceId,
        own_start: Option<Timestamp>,
        gone: &mut Vec<OutageDeviceId>,
    ) {
        let mut below: Vec<OutageDeviceId> = gone
            .iter()
            .copied()
            .filter(|&g| self.view.is_below(g, d))
            .collect();
        below.sort_by_key(|&g| (Reverse(self.view.customer_count_below(g)), g));
        let above = gone.iter().copied().find(|&g| self.view.is_below(d, g));
        let Some(g) = below.first().copied().or(above) else {
            let oid = self.new_outage(
                d,
                OutageCause::Fault,
                self.status_of(d),
                self.held_off_count(d),
                round3(self.confidence(d)),
                self.start_of(d),
            );
            self.st.outages[oid.0 as usize].own_start = own_start;
            self.st.open_fault.insert(d, oid);
            self.set_held(d, true);
            return;
        };
        let oid = self.take_over(g, d, own_start);
        gone.retain(|&x| x != g);
        for &g2 in below.iter().skip(1) {
            if let Some(o2) = self.st.open_fault.get(&g2).copied() {
                gone.retain(|&x| x != g2);
                self.close_outage(o2, OutageStatus::Retracted, Some(oid));
            }
        }
    }

    /// Moves the outage held at `g` to `d` (keeping its identity and its earliest
    /// start).
    fn take_over(
        &mut self,
        g: OutageDeviceId,
        d: OutageDeviceId,
        own_start: Option<Timestamp>,
    ) -> OutageId {
        let conf = self.confidence(d);
        let status = self.status_of(d);
        let customers = self.held_off_count(d);
        let start = self.start_of(d);
        let oid = self.st.open_fault.remove(&g).unwrap_or(NO_OUTAGE);
        self.set_held(g, false);
        let o = &mut self.st.outages[oid.0 as usize];
        o.own_start = own_start;
        o.device = d;
        o.status = status;
        o.customers = customers;
        o.confidence = round3(conf);
        o.start = o.start.min(start);
        self.st.open_fault.insert(d, oid);
        self.set_held(d, true);
        self.changes.push(Change::Updated(oid));
        oid
    }

    /// Closes the outage held at `g`, no longer in the best explanation: restored if
    /// a customer below it has had supply since it began, else retracted.
    fn close_gone(&mut self, g: OutageDeviceId) {
        let Some(oid) = self.st.open_fault.get(&g).copied() else {
            return;
        };
        let start = self.st.outages[oid.0 as usize].start;
        let restored = self
            .view
            .customers_below(g)
            .iter()
            .any(|c| self.st.supply[c.index()].since >= start);
        let st = if restored {
            OutageStatus::Restored
        } else {
            OutageStatus::Retracted
        };
        self.close_outage(oid, st, None);
    }

    /// Status and confidence of the open fault outages: all of them after a refresh,
    /// else those on the paths this event changed.
    fn update_statuses(&mut self) {
        let ids: Vec<(OutageDeviceId, OutageId)> = if std::mem::take(&mut self.refreshed) {
            self.st.open_fault.iter().map(|(&d, &o)| (d, o)).collect()
        } else {
            let mut t = std::mem::take(&mut self.touched);
            t.sort_unstable();
            t.dedup();
            let ids = t
                .iter()
                .filter_map(|&d| self.st.open_fault.get(&d).map(|&o| (d, o)))
                .collect();
            t.clear();
            self.touched = t;
            ids
        };
        self.touched.clear();
        for (dev, oid) in ids {
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
    fn start_outside(
        &self,
        d: OutageDeviceId,
        skip: std::ops::Range<CustomerPosition>,
    ) -> Option<Timestamp> {
        if let Some(&t) = self.st.scada_open.get(&d) {
            return Some(t);
        }
        let mut held = self.held_spans_below(d, true);
        let order = self.view.customers_in_preorder();
        let mut times: Vec<i64> = Vec::new();
        for pos in self.view.customer_span(d) {
            let c = order[pos as usize];
            if !skip.contains(&pos)
                && !held.contains(pos)
                && self.st.bits[c.index()].has(Flag::LastGasp)
            {
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
    pub(super) fn held_spans_below(&self, d: OutageDeviceId, confirmed: bool) -> HeldSpans {
        let (Some(p), Some(end)) = (self.view.preorder_index(d), self.view.preorder_end(d)) else {
            return HeldSpans {
                spans: Vec::new(),
                next: 0,
            };
        };
        let spans: Vec<std::ops::Range<CustomerPosition>> = self
            .held_by_pre
            .range(p + 1..end)
            .map(|(_, &g)| g)
            .filter(|&g| !confirmed || self.st.forced[g.index()])
            .map(|g| self.view.customer_span(g))
            .collect();
        // Devices in pre-order have their customers in pre-order: already by start.
        debug_assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
        HeldSpans { spans, next: 0 }
    }

    /// Whether a device holds an open fault outage (a key of `st.open_fault`). O(1).
    #[inline]
    pub(super) fn is_held(&self, d: OutageDeviceId) -> bool {
        bit(&self.held, d.index())
    }

    /// Marks a device as holding an open fault outage or not (the derived indexes of
    /// `st.open_fault`).
    pub(super) fn set_held(&mut self, d: OutageDeviceId, on: bool) {
        set_bit(&mut self.held, d.index(), on);
        if self.st.forced[d.index()] {
            // A confirmed outage's customers leave the starts above it.
            self.starts_changed(d);
        }
        if let Some(p) = self.view.preorder_index(d) {
            if on {
                self.held_by_pre.insert(p, d);
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
            .filter(|c| self.st.bits[c.index()].reporting())
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
}
