//! Switching: the engine follows the operators' switching, moving customers under
//! their new upstream devices and re-reading what it holds in the new configuration.
//!
//! A `device_open` / `device_close` of a switch (a line with `switch=yes`, a
//! `SwtControl`), or a call of [`Engine::switch`], changes the configuration from that
//! moment. The engine makes the new
//! [`EnergizationView`](crate::EnergizationView) (the view's incremental
//! rebuild, which also names the devices whose supply or parent changed), then
//! *rebases* what it derives from the customers' evidence on it: the customers of the
//! maximal moved subtrees leave the counts along their old paths and enter them along
//! the new ones, the SCADA-confirmed openings whose path or customers change move with
//! them, the decisions are re-taken, and the derived indexes (held outages and
//! wire-down calls by pre-order) rebuilt. Customers that a closed tie gives supply
//! again are read as after a restoration above them (their off evidence awaits their
//! power restore, scoped to the tie), so the last gasps of a transferred section do
//! not point at the tie. Every open outage whose count of customers held off changed
//! says so (an `update`).
//!
//! A closing that would close a loop (a make-before-break transfer) is accepted and
//! held: the view stays as it was until the opening that follows makes the network
//! radial again, and then both take effect together.
//!
//! # Complexity
//! A switching step: the view's rebuild (O(A log A) for the A buses and devices whose
//! supply changes, plus linear copies), then O(k log k + m + e · depth) for the k
//! moved devices, the m devices and customers of the moved subtrees and the e of
//! those customers holding evidence, and a re-evaluation of the a devices with
//! evidence below them, O(a + C/8) for C customers, as a refresh does.

use super::Engine;
use super::state::{Counts, Flag, Flags, NO_SPAN, Node};
use crate::ids::{CustomerId, ElementId, OutageDeviceId};
use crate::network::{OutageDeviceClass, OutageDeviceKind};
use crate::time::Timestamp;
use crate::topology::{EnergizationView, SwitchingOp};

use super::changes::{Change, Changes};
use crate::evidence::{Event, Evidence};

/// What the engine does with a switching it cannot follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Followed {
    /// The configuration changed.
    Applied,
    /// The step closes a loop: held until an opening makes the network radial again.
    Held,
    /// Nothing to do (the device is not a switch, or the step changes nothing the
    /// view can take).
    Ignored,
}

impl Engine {
    /// Switching that the host system reports: opens (`open`) or closes a switch at
    /// `at`, as a `device_open` / `device_close` event of it would, and returns what
    /// changed. A device that is not a switch (a breaker, recloser or fuse) is taken as
    /// SCADA evidence, exactly as the event.
    ///
    /// ```
    /// use outage_locator::{Engine, EngineOptions, import_opendss};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/feeder_with_tie/master.dss");
    /// let net = std::sync::Arc::new(import_opendss(path).unwrap().0);
    /// let mut engine = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
    /// let t: outage_locator::Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// let (sw, tie) = (net.outage_device_by_name("swtcontrol.sw_a").unwrap(),
    ///                  net.outage_device_by_name("line.tie").unwrap());
    /// let far = net.customer_by_name("load.a6").unwrap();
    /// // Make before break: the tie closes (a loop, held), then the switch opens.
    /// engine.switch(tie, false, t);
    /// engine.switch(sw, true, t + 1_000);
    /// let feeder_b = net.outage_device_by_name("relay.brk_b").unwrap();
    /// assert!(engine.view().is_below(outage_locator::OutageDeviceId(far.0), feeder_b));
    /// ```
    pub fn switch(&mut self, device: OutageDeviceId, open: bool, at: Timestamp) -> Changes {
        let evidence = if open {
            Evidence::DeviceOpen { device }
        } else {
            Evidence::DeviceClose { device }
        };
        self.ingest(Event { time: at, evidence })
    }

    /// Whether an outage device is a switch whose operation changes the configuration
    /// (not a protective device, whose opening is evidence of a fault).
    pub fn is_switch(&self, d: OutageDeviceId) -> bool {
        self.net.outage_device_class(d) == OutageDeviceClass::Switch
            && matches!(
                self.net.outage_device_kind(d),
                OutageDeviceKind::Switch(_) | OutageDeviceKind::Protective(_)
            )
    }

    /// The switching steps held because they close a loop (a make-before-break
    /// transfer under way): the elements and whether each is opened.
    pub fn held_switching(&self) -> impl Iterator<Item = (ElementId, bool)> + '_ {
        self.st
            .pending
            .iter()
            .map(|&(e, open)| (ElementId(e), open))
    }

    /// Follows the switching of `d` at `t`.
    pub(super) fn on_switching(&mut self, d: OutageDeviceId, open: bool, t: Timestamp) -> Followed {
        let Some(e) = self.net.outage_device_element(d) else {
            return Followed::Ignored;
        };
        self.st.pending.push((e.0, open));
        if self.st.pending.iter().all(|x| !x.1) {
            let closes: Vec<ElementId> = self.st.pending.iter().map(|x| ElementId(x.0)).collect();
            if self.view.closing_joins_live_buses(&self.net, &closes) {
                // Told without a new view, whose memory would be spent for nothing.
                return Followed::Held;
            }
        }
        let ops = switching_ops(&self.st.pending);
        let spare = std::mem::take(&mut self.spare_view);
        match self.view.switch_moved(&self.net, &ops, spare) {
            Ok((next, moved)) => {
                let closed: Vec<ElementId> = self
                    .st
                    .pending
                    .iter()
                    .filter(|x| !x.1)
                    .map(|x| ElementId(x.0))
                    .collect();
                self.st.switching.append(&mut self.st.pending);
                let changed = self.view.states() != next.states();
                let forced = if changed {
                    self.rebase_out(&next, &moved)
                } else {
                    Vec::new()
                };
                self.spare_view = std::mem::replace(&mut self.view, next);
                if changed {
                    if self.normal_view.is_none() {
                        self.normal_view = crate::EnergizationView::normal(&self.net).ok();
                    }
                    self.rebase_in(&moved, forced);
                    self.reread_transferred(&closed, t);
                    self.recount_outages();
                    if !closed.is_empty() {
                        self.st.recount_at = Some(t + self.opts.restore_grace);
                    }
                    self.compact_switching();
                }
                Followed::Applied
            }
            Err(crate::SwitchingError::ClosesLoop { .. }) => Followed::Held,
            Err(crate::SwitchingError::NotSwitchable { .. }) => {
                self.st.pending.pop();
                Followed::Ignored
            }
        }
    }

    /// Keeps in the switching followed only the last step of each element still away
    /// from its normal state, in order: the same configuration, and a list that does
    /// not grow over a day of switching back and forth. O(s log s) for s steps.
    fn compact_switching(&mut self) {
        let Some(normal) = self.normal_view.as_ref() else {
            return;
        };
        let (net, view) = (&self.net, &self.view);
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<(u32, bool)> = Vec::with_capacity(self.st.switching.len());
        for &(e, open) in self.st.switching.iter().rev() {
            let rep = net.bundle_representative(ElementId(e));
            if seen.insert(rep) && view.states().state(rep) != normal.states().state(rep) {
                kept.push((e, open));
            }
        }
        kept.reverse();
        self.st.switching = kept;
    }

    /// The first half of a rebase, on the view before the switching: takes what hangs
    /// below the devices that move (`moved`, as the view's switching lists them) out
    /// of the counts of the devices above them, clears the counts and decisions below
    /// them, and takes out the SCADA-confirmed openings whose path or customers
    /// change, in this view or in the `next` one. Returns those openings, for
    /// [`rebase_in`](Self::rebase_in).
    ///
    /// # Complexity
    /// O(k log k + m + e · depth + r · depth) for k moved devices, m devices and
    /// customers in the moved subtrees, e of those customers holding evidence, and r
    /// subtree roots.
    fn rebase_out(
        &mut self,
        next: &EnergizationView,
        moved: &[OutageDeviceId],
    ) -> Vec<OutageDeviceId> {
        let roots = self.view.subtree_roots(moved);
        let mut forced = self.forced_around(&self.view, &roots);
        forced.extend(self.forced_around(next, &next.subtree_roots(moved)));
        forced.sort_unstable();
        forced.dedup();
        for &f in &forced {
            self.shift_forced(f, false);
        }
        let nc = self.nc;
        for &x in &roots {
            let n = self.view.customer_count_below(x);
            for a in self.view.upstream(x).skip(1) {
                let k = &mut self.st.node[a.index() - nc].counts;
                k.pop = k.pop.saturating_sub(n);
            }
            for pos in self.view.customer_span(x) {
                let c = self.view.customers_in_preorder()[pos as usize];
                if self.st.bits[c.index()] != Flags::NONE {
                    self.count_in(c, true);
                }
                // As a fresh rebase has them: a service is active again only once it
                // reports in the new configuration.
                self.st.in_active[c.index()] = false;
                self.st.a_service[c.index()] = 0.0;
                self.st.flag[c.index()] = false;
            }
            let (lo, hi) = (
                self.view.preorder_index(x).unwrap_or(0) as usize,
                self.view.preorder_end(x).unwrap_or(0) as usize,
            );
            for i in lo..hi {
                let d = self.view.preorder()[i];
                if let Some(j) = d.index().checked_sub(nc) {
                    self.st.node[j] = empty_node();
                    self.st.flag[d.index()] = false;
                }
            }
        }
        forced
    }

    /// The second half of a rebase, on the view after the switching: counts what hangs
    /// below the devices that moved into the devices above them, puts back the
    /// SCADA-confirmed openings `forced` that have supply, and re-takes the decisions of every device with evidence below it. The result
    /// is what a fresh engine given the same per-customer evidence in this
    /// configuration would hold.
    ///
    /// # Complexity
    /// O(k log k + m + e · depth + r · depth) as [`rebase_out`](Self::rebase_out),
    /// plus the re-evaluation of the a devices with evidence below them, O(a + C/8).
    fn rebase_in(&mut self, moved: &[OutageDeviceId], forced: Vec<OutageDeviceId>) {
        let roots = self.view.subtree_roots(moved);
        let nc = self.nc;
        for &y in &roots {
            let n = self.view.customer_count_below(y);
            for a in self.view.upstream(y).skip(1) {
                self.st.node[a.index() - nc].counts.pop += n;
            }
            let (lo, hi) = (
                self.view.preorder_index(y).unwrap_or(0) as usize,
                self.view.preorder_end(y).unwrap_or(0) as usize,
            );
            for i in lo..hi {
                let d = self.view.preorder()[i];
                if let Some(j) = d.index().checked_sub(nc) {
                    self.st.node[j].counts.pop = self.view.customer_count_below(d);
                }
            }
            for pos in self.view.customer_span(y) {
                let c = self.view.customers_in_preorder()[pos as usize];
                if self.st.bits[c.index()] != Flags::NONE {
                    self.count_in(c, false);
                }
            }
        }
        for &f in &forced {
            self.shift_forced(f, true);
        }
        // Depths changed below the roots: the refresh order is taken again.
        self.st.active_sorted = false;
        self.flipped.clear();
        self.roots.valid = false;
        self.st.flags_changed = true;
        self.recompute_active();
        self.flipped.clear();
        self.rebuild_derived();
    }

    /// The SCADA-confirmed openings whose path or customers a move of the subtrees
    /// below `roots` in `view` changes: those in the subtrees and those above their
    /// roots. O(m + r · depth).
    fn forced_around(
        &self,
        view: &EnergizationView,
        roots: &[OutageDeviceId],
    ) -> Vec<OutageDeviceId> {
        let forced = |d: &OutageDeviceId| self.st.forced[d.index()];
        let mut out = Vec::new();
        for &x in roots {
            out.extend(view.upstream(x).skip(1).filter(forced));
            let (lo, hi) = (
                view.preorder_index(x).unwrap_or(0) as usize,
                view.preorder_end(x).unwrap_or(0) as usize,
            );
            out.extend(view.preorder()[lo..hi].iter().copied().filter(forced));
        }
        out
    }

    /// Puts a SCADA-confirmed opening's count on its path (`on`) or takes it off, in
    /// the current view; nothing for a device without supply, which counts nowhere.
    /// O(depth).
    fn shift_forced(&mut self, f: OutageDeviceId, on: bool) {
        if !self.view.is_energized(f) {
            return;
        }
        let n = self.view.customer_count_below(f);
        let mut x = f;
        loop {
            if let Some(xn) = x.index().checked_sub(self.nc) {
                let k = &mut self.st.node[xn].counts;
                if on {
                    k.forced += 1;
                    k.forced_pop += n;
                } else {
                    k.forced = k.forced.saturating_sub(1);
                    k.forced_pop = k.forced_pop.saturating_sub(n);
                }
            }
            if on {
                self.activate(x);
            }
            match self.view.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
    }

    /// Re-derives everything the engine keeps per device from the customers' flags
    /// and the SCADA-confirmed openings, on the whole current view: the reference the
    /// incremental rebase is checked against. O(D + C/8 + e · depth).
    #[cfg(test)]
    pub(super) fn rebase_full(&mut self) {
        let nc = self.nc;
        for (i, on) in self.st.in_active[..nc].iter_mut().enumerate() {
            if *on {
                *on = false;
                self.st.a_service[i] = 0.0;
            }
        }
        for d in std::mem::take(&mut self.st.active) {
            self.st.in_active[d.index()] = false;
        }
        self.st.active_sorted = true;
        let view = &self.view;
        for (j, node) in self.st.node.iter_mut().enumerate() {
            *node = Node {
                counts: Counts {
                    pop: view.customer_count_below(OutageDeviceId((nc + j) as u32)),
                    ..Counts::default()
                },
                ..empty_node()
            };
        }
        for d in std::mem::take(&mut self.st.flagged) {
            self.st.flag[d.index()] = false;
            self.st.in_flagged[d.index()] = false;
        }
        self.flipped.clear();
        self.roots.valid = false;
        self.st.flags_changed = true;
        for i in 0..nc {
            let c = CustomerId(i as u32);
            if self.st.bits[i] != Flags::NONE && self.view.is_supplied(c) {
                self.count_in(c, false);
            }
        }
        let forced: Vec<usize> = (0..self.st.forced.len())
            .filter(|&d| self.st.forced[d])
            .collect();
        for d in forced {
            let d = OutageDeviceId(d as u32);
            if self.view.is_energized(d) {
                self.st.forced[d.index()] = false;
                self.set_forced(d, true);
            }
        }
        self.recompute_active();
        self.flipped.clear();
        self.rebuild_derived();
    }

    /// The indexes by pre-order position (held outages, wire-down calls), rebuilt for
    /// the current view. O(h log h + w log w).
    fn rebuild_derived(&mut self) {
        self.held_by_pre.clear();
        let held: Vec<OutageDeviceId> = self.st.open_fault.keys().copied().collect();
        for d in held {
            self.set_held(d, true);
        }
        self.wire_down_at.clear();
        let words = self.st.wire_down.clone();
        for (w, &word) in words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.note_wire_down(CustomerId((w * 64 + k) as u32), true);
            }
        }
    }

    /// The customers a closed tie gives supply again, read as after a restoration
    /// above them: their off evidence from before `t` awaits their power restore,
    /// counted only below the tie.
    fn reread_transferred(&mut self, closed: &[ElementId], t: Timestamp) {
        for &e in closed {
            let rep = self.net.bundle_representative(e);
            let top = self
                .net
                .outage_devices_on(rep)
                .iter()
                .copied()
                .find(|&d| self.view.is_energized(d));
            if let Some(d) = top {
                self.restore_below(d, t, None);
            }
        }
    }

    /// How many customers an outage at `d` holds off: those below `d` in the current
    /// view, and, once switching has moved customers, those that were below `d` as
    /// the network is drawn, are no longer below it, and are still off: without
    /// supply, below another fault outage held, off for a known cause (a
    /// disconnection, planned work), or dark since before the outage began by their
    /// own evidence (a nested fault the engine does not hold) and not on since. A
    /// transfer takes only the customers it gives supply back off their outage. The count is taken again when
    /// the restores the transfer should bring are due (the still-dark among them may
    /// have made a nested outage by then).
    ///
    /// # Complexity
    /// O(1) without switching; O(s) for s switched elements when none of them lies
    /// below `d` as drawn; else O(n · depth) for the n customers below `d` as drawn.
    pub(super) fn held_off_count(&self, d: OutageDeviceId) -> u32 {
        let here = self.view.customer_count_below(d);
        let Some(normal) = self
            .normal_view
            .as_ref()
            .filter(|_| !self.st.switching.is_empty())
        else {
            return here;
        };
        // Customers leave d's subtree only through a switched element below d as drawn.
        let moved_below = self.st.switching.iter().any(|&(e, _)| {
            let rep = self.net.bundle_representative(ElementId(e));
            self.net
                .outage_devices_on(rep)
                .iter()
                .any(|&x| normal.is_below(x, d))
        });
        if !moved_below {
            return here;
        }
        let svc = |c: CustomerId| OutageDeviceId(c.0);
        let start = self
            .st
            .open_fault
            .get(&d)
            .map(|&o| self.st.outages[o.0 as usize].start);
        let elsewhere = normal
            .customers_below(d)
            .iter()
            .filter(|&&c| !self.view.is_below(svc(c), d))
            .filter(|&&c| {
                !self.view.is_supplied(c)
                    || self.st.bits[c.index()].has(Flag::Excluded)
                    || start.is_some_and(|s| self.dark_before(c, s))
                    || self.fault_outage_of(c).is_some()
            })
            .count() as u32;
        here + elsewhere
    }

    /// Whether a customer's own evidence says it went dark before `start` (by more than
    /// the margin of a start's estimate) and nothing says it has been on since. O(1).
    fn dark_before(&self, c: CustomerId, start: Timestamp) -> bool {
        let i = c.index();
        let first = self.st.report_at[i];
        first != Timestamp::NEVER
            && first.0 < start.0.saturating_sub(DARK_BEFORE_MARGIN)
            && self.st.supply[i].since < first
    }

    /// Brings every open outage's count of customers held off in line with the view,
    /// reporting those that changed; an outage whose device switching left without
    /// supply keeps its count.
    pub(super) fn recount_outages(&mut self) {
        let open: Vec<super::OutageId> = self
            .open_outages()
            .filter(|o| o.cause != super::OutageCause::Disconnect)
            .map(|o| o.id)
            .collect();
        for oid in open {
            let o = &self.st.outages[oid.0 as usize];
            if !self.view.is_energized(o.device) {
                continue;
            }
            let n = if o.cause == super::OutageCause::Fault {
                self.held_off_count(o.device)
            } else {
                self.view.customer_count_below(o.device)
            };
            if n != o.customers {
                self.st.outages[oid.0 as usize].customers = n;
                if !self
                    .changes
                    .iter()
                    .any(|c| matches!(*c, Change::Opened(x) | Change::Updated(x) if x == oid))
                {
                    self.changes.push(Change::Updated(oid));
                }
            }
        }
    }

    /// The view an engine restored from a snapshot reasons on: the normal view after
    /// the switching the snapshot's engine followed.
    pub(super) fn replay_switching(&mut self) -> Result<(), crate::SwitchingError> {
        if self.st.switching.is_empty() {
            return Ok(());
        }
        let ops = switching_ops(&self.st.switching);
        self.view = self.view.switch(&self.net, &ops)?;
        Ok(())
    }

    /// The view a fresh engine would reason on in the current configuration, and
    /// whether every count the engine keeps equals a from-scratch sum over the
    /// customers below each device (for tests).
    #[cfg(test)]
    pub(super) fn counts_match_scratch(&self) -> bool {
        let view = &self.view;
        for j in 0..self.st.node.len() {
            let d = OutageDeviceId((self.nc + j) as u32);
            let mut k = Counts::default();
            for &c in view.customers_below(d) {
                let ck = self.counts_of(OutageDeviceId(c.0));
                let scope = self.st.scope[c.index()];
                // Scoped flags count only strictly below the scope, which lies on the
                // customer's path.
                let past_scope = scope != crate::ids::NONE
                    && view.is_energized(OutageDeviceId(scope))
                    && view.is_below(OutageDeviceId(c.0), OutageDeviceId(scope))
                    && view.is_below(OutageDeviceId(scope), d);
                let b = self.st.bits[c.index()].effective();
                let b = if past_scope { b.unscoped() } else { b };
                let bit = |f: super::state::Flag| b.has(f) as u32;
                k.pop += ck.pop;
                k.call += bit(super::state::Flag::Call);
                k.weak += bit(super::state::Flag::PartialCall);
                k.lg += bit(super::state::Flag::LastGasp);
                k.ping_off += bit(super::state::Flag::PingOff);
                k.on += bit(super::state::Flag::On);
                k.await_ += bit(super::state::Flag::AwaitingRestore);
                k.active += b.active() as u32;
                k.call_only += b.call_only() as u32;
            }
            let have = self.st.node[j].counts;
            if (
                have.pop,
                have.call,
                have.weak,
                have.lg,
                have.ping_off,
                have.on,
            ) != (k.pop, k.call, k.weak, k.lg, k.ping_off, k.on)
                || (have.await_, have.active, have.call_only) != (k.await_, k.active, k.call_only)
            {
                return false;
            }
        }
        true
    }
}

/// How long before an outage's start a customer's first report must be for it to
/// count as dark for another cause: a start is estimated from the earliest reports.
const DARK_BEFORE_MARGIN: crate::time::Millis = 5 * crate::time::MINUTE;

/// A device's record with nothing below it.
fn empty_node() -> Node {
    Node {
        counts: Counts::default(),
        t_first: Timestamp(i64::MAX),
        lg_span: NO_SPAN,
        a: 0.0,
        b: 0.0,
    }
}

/// The view's switching operations for `(element, open)` pairs, in order.
fn switching_ops(pairs: &[(u32, bool)]) -> Vec<SwitchingOp> {
    pairs
        .iter()
        .map(|&(e, open)| {
            if open {
                SwitchingOp::Open(ElementId(e))
            } else {
                SwitchingOp::Close(ElementId(e))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{Engine, EngineOptions};
    use crate::bench::synth::{SyntheticNetworkOptions, storm_events, synthetic_network};
    use crate::evidence::{Event, Evidence};
    use crate::ids::OutageDeviceId;
    use crate::network::Network;
    use crate::time::{MINUTE, Timestamp};

    fn tie_feeder() -> Network {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/feeder_with_tie/master.dss"
        );
        crate::network::import_opendss(path).unwrap().0
    }

    /// Feeder A's breaker locks out; the operators open the sectionalizing switch and
    /// close the tie: the breaker's outage holds off only the section above the
    /// switch, says so, and the transferred customers' last gasps implicate nothing on
    /// feeder B.
    #[test]
    fn a_transfer_shrinks_the_outage_and_blames_nothing_on_the_tie() {
        let net = std::sync::Arc::new(tie_feeder());
        let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let dev = |n: &str| net.outage_device_by_name(n).unwrap();
        let brk = dev("relay.brk_a");
        let below: Vec<_> = e.view().customers_below(brk).to_vec();
        e.ingest(Event {
            time: t0,
            evidence: Evidence::DeviceOpen { device: brk },
        });
        for &c in &below {
            e.ingest(Event {
                time: t0 + 1_000,
                evidence: Evidence::LastGasp { meter: c },
            });
        }
        e.ingest(Event {
            time: t0 + 5 * MINUTE,
            evidence: Evidence::Tick,
        });
        let held: Vec<_> = e.open_outages().map(|o| (o.device, o.customers)).collect();
        assert_eq!(held, [(brk, below.len() as u32)]);
        e.switch(dev("swtcontrol.sw_a"), true, t0 + 10 * MINUTE);
        e.switch(dev("line.tie"), false, t0 + 11 * MINUTE);
        let changes = e.ingest(Event {
            time: t0 + 12 * MINUTE,
            evidence: Evidence::Tick,
        });
        let _ = changes;
        let left = e.view().customer_count_below(brk);
        assert!(left < below.len() as u32 && left > 0);
        let held: Vec<_> = e.open_outages().map(|o| (o.device, o.customers)).collect();
        assert_eq!(held, [(brk, left)]);
        assert!(e.counts_match_scratch());
        // Back to normal, closing before opening: the loop is held, then both apply.
        e.switch(dev("swtcontrol.sw_a"), false, t0 + 60 * MINUTE);
        assert_eq!(e.held_switching().count(), 1);
        e.switch(dev("line.tie"), true, t0 + 60 * MINUTE + 1_000);
        assert_eq!(e.held_switching().count(), 0);
        assert_eq!(e.view(), &crate::EnergizationView::normal(&net).unwrap());
        assert!(e.counts_match_scratch());
    }

    /// A customer beyond the sectionalizing switch, dark for a known cause since before
    /// the breaker locked out, stays dark after the transfer: the breaker's outage
    /// still counts it among those it holds off.
    #[test]
    fn a_transfer_leaves_the_customers_dark_for_another_cause_with_the_outage() {
        let net = std::sync::Arc::new(tie_feeder());
        let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let dev = |n: &str| net.outage_device_by_name(n).unwrap();
        let brk = dev("relay.brk_a");
        let far = e.view().customers_below(dev("swtcontrol.sw_a"))[0];
        let ev = |time: Timestamp, evidence: Evidence| Event { time, evidence };
        e.ingest(ev(t0 - 40 * MINUTE, Evidence::Disconnect { meter: far }));
        e.ingest(ev(t0, Evidence::DeviceOpen { device: brk }));
        let below: Vec<_> = e.view().customers_below(brk).to_vec();
        for &c in below.iter().filter(|&&c| c != far) {
            e.ingest(ev(t0 + 1_000, Evidence::LastGasp { meter: c }));
        }
        e.ingest(ev(t0 + 5 * MINUTE, Evidence::Tick));
        e.switch(dev("swtcontrol.sw_a"), true, t0 + 10 * MINUTE);
        e.switch(dev("line.tie"), false, t0 + 11 * MINUTE);
        e.ingest(ev(t0 + 12 * MINUTE, Evidence::Tick));
        let left = e.view().customer_count_below(brk);
        let held: Vec<_> = e
            .open_outages()
            .filter(|o| o.device == brk)
            .map(|o| o.customers)
            .collect();
        assert_eq!(held, [left + 1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// The incremental rebase holds what a rebase of the whole network holds: the
        /// same counts at every device (SCADA-confirmed openings included), the same
        /// decisions, and the same best explanation, under random storm evidence,
        /// feeder lockouts and transfers.
        #[test]
        fn the_incremental_rebase_equals_a_full_one(
            seed in 0u64..1000,
            steps in proptest::collection::vec(
                (0usize..64, any::<bool>(), 0usize..300, any::<bool>()), 1..6),
        ) {
            let net = std::sync::Arc::new(synthetic_network(&SyntheticNetworkOptions {
                customers: 2_000,
                seed,
                ..Default::default()
            }));
            let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
            let events = storm_events(&net, e.view(), 300, seed);
            let feeders: Vec<_> = (0..64)
                .filter_map(|g| {
                    Some((
                        net.outage_device_by_name(&format!("line.f{g}_sw"))?,
                        net.outage_device_by_name(&format!("line.f{g}_tie"))?,
                        net.outage_device_by_name(&format!("recloser.f{g}_r1"))?,
                    ))
                })
                .collect();
            prop_assume!(!feeders.is_empty());
            let mut k = 0;
            for (i, ev) in events.iter().enumerate() {
                e.ingest(*ev);
                while k < steps.len() && steps[k].2 == i {
                    let (f, mbb, _, lockout) = steps[k];
                    let (sw, tie, rec) = feeders[f % feeders.len()];
                    let t = ev.time;
                    if lockout {
                        e.ingest(Event { time: t, evidence: Evidence::DeviceOpen { device: rec } });
                        e.ingest(Event { time: t + 5 * MINUTE, evidence: Evidence::Tick });
                    }
                    let open_now = e.view().is_energized(sw);
                    let t = e.clock();
                    if mbb {
                        e.switch(tie, !open_now, t);
                        e.switch(sw, open_now, t);
                    } else {
                        e.switch(sw, open_now, t);
                        e.switch(tie, !open_now, t);
                    }
                    let counts: Vec<_> = e.st.node.iter().map(|n| n.counts).collect();
                    let flags = e.st.flag.clone();
                    let best = e.rebuild_roots();
                    e.rebase_full();
                    prop_assert!(counts == e.st.node.iter().map(|n| n.counts).collect::<Vec<_>>());
                    prop_assert!(flags == e.st.flag);
                    prop_assert_eq!(best, e.rebuild_roots());
                    k += 1;
                }
            }
        }

        /// Under random storm evidence and random transfers (either order), the counts
        /// the engine keeps equal a from-scratch sum in the new configuration, and its
        /// best explanation equals a full recomputation's, whatever the history.
        #[test]
        fn switching_equals_a_rebuild_in_the_new_configuration(
            seed in 0u64..1000,
            steps in proptest::collection::vec((0usize..64, any::<bool>(), 0usize..400), 1..6),
        ) {
            let net = std::sync::Arc::new(synthetic_network(&SyntheticNetworkOptions {
                customers: 3_000,
                seed,
                ..Default::default()
            }));
            let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
            let events = storm_events(&net, e.view(), 400, seed);
            let feeders: Vec<(OutageDeviceId, OutageDeviceId)> = (0..64)
                .filter_map(|g| {
                    Some((
                        net.outage_device_by_name(&format!("line.f{g}_sw"))?,
                        net.outage_device_by_name(&format!("line.f{g}_tie"))?,
                    ))
                })
                .collect();
            prop_assume!(!feeders.is_empty());
            let mut k = 0;
            for (i, ev) in events.iter().enumerate() {
                e.ingest(*ev);
                while k < steps.len() && steps[k].2 == i {
                    let (f, mbb, _) = steps[k];
                    let (sw, tie) = feeders[f % feeders.len()];
                    let open_now = e.view().is_energized(sw);
                    let t = ev.time;
                    if mbb {
                        e.switch(tie, !open_now, t);
                        e.switch(sw, open_now, t);
                    } else {
                        e.switch(sw, open_now, t);
                        e.switch(tie, !open_now, t);
                    }
                    prop_assert!(e.counts_match_scratch());
                    let kept = e.most_probable_outages();
                    e.refresh_all();
                    let _ = e.rebuild_roots();
                    prop_assert_eq!(kept, e.most_probable_outages());
                    k += 1;
                }
            }
        }
    }
}
