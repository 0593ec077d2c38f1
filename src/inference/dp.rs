//! The dynamic programme: the most probable set of out devices, kept exact as
//! evidence arrives.
//!
//! On a radial network a device is either out (then everything below it is off
//! whatever its descendants do) or in, and then its children are decided
//! independently. With `S(d)` the log-odds of "d out" against "all on" (see
//! `likelihood`) and `B(d) = Σ A(child)`, the best gain of the subtree is
//! `A(d) = max(S(d), B(d))`; `d` is flagged (out in its subtree's best explanation) iff
//! `S(d) > B(d)`, and out in the best explanation iff flagged with nothing flagged
//! above it (kept by `roots`). A device with no off evidence below it has
//! `S(d) <= 0 = B(d)` and is never flagged, so only devices with evidence are ever
//! evaluated: they are the *active* ones.
//!
//! `S(d)` depends only on the counts of customers below `d` by evidence kind, the
//! earliest report below it and the span of its last gasps, so a customer's new
//! evidence changes the counts, and hence `A`, only on the path from its meter to the
//! source. The terms that depend on the clock are brought up to date by a refresh of
//! every active device, bottom-up.
//!
//! # Complexity
//!
//! * A change of one customer's flags ([`Engine::set_bits_scoped`]): O(depth), one
//!   [`Node`] record per level.
//! * A re-evaluation of one path ([`Engine::touch_path`]): O(depth).
//! * A refresh ([`Engine::refresh_all`]): O(a) for `a` devices with evidence below them
//!   (a counting sort on depth puts the active devices deepest first), plus O(c / 8)
//!   to scan the services' flags eight at a time for `c` customers.
//!
//! Services are most of the devices: a service's counts, first report and span follow
//! from its one customer's flags, so they keep no [`Node`] of their own.

use super::Engine;
use super::likelihood::FORCED_BONUS;
use super::state::{Counts, Flag, Flags, NO_SPAN, Node};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::time::Timestamp;

/// How one customer's change of flags moves the counts of a device above it.
#[derive(Debug, Clone, Copy, Default)]
struct Delta {
    call: i32,
    weak: i32,
    lg: i32,
    ping_off: i32,
    on: i32,
    await_: i32,
    excluded: i32,
    active: i32,
    call_only: i32,
}

impl Delta {
    /// From flags `old` to flags `new` (both as they count at the device).
    #[inline]
    fn between(old: Flags, new: Flags) -> Delta {
        let d = |f: Flag| new.has(f) as i32 - old.has(f) as i32;
        Delta {
            call: d(Flag::Call),
            weak: d(Flag::PartialCall),
            lg: d(Flag::LastGasp),
            ping_off: d(Flag::PingOff),
            on: d(Flag::On),
            await_: d(Flag::AwaitingRestore),
            excluded: d(Flag::Excluded),
            active: new.active() as i32 - old.active() as i32,
            call_only: new.call_only() as i32 - old.call_only() as i32,
        }
    }

    /// Applies the change to a device's counts.
    #[inline]
    fn apply(&self, k: &mut Counts) {
        let add = |x: u32, dlt: i32| (x as i64 + dlt as i64).max(0) as u32;
        k.call = add(k.call, self.call);
        k.weak = add(k.weak, self.weak);
        k.lg = add(k.lg, self.lg);
        k.ping_off = add(k.ping_off, self.ping_off);
        k.on = add(k.on, self.on);
        k.await_ = add(k.await_, self.await_);
        k.pop = add(k.pop, -self.excluded);
        k.active = add(k.active, self.active);
        k.call_only = add(k.call_only, self.call_only);
    }
}

/// One customer's change of flags and scope, as the walk up its path applies it.
struct Walk {
    /// The counts' change by (old scope crossed, new scope crossed): without a scope
    /// every flag counts all the way up; from its scope on (the scope itself
    /// included), a scoped flag no longer counts.
    by_crossing: [[Delta; 2]; 2],
    old_scope: u32,
    new_scope: u32,
    crossed_old: bool,
    crossed_new: bool,
    /// The customer's earliest report, and whether the new flags report below and
    /// from the new scope.
    report: Timestamp,
    reporting: bool,
    reporting_unscoped: bool,
    /// The customer's last gasp stands, at this time.
    gasped: bool,
    gasp_at: Timestamp,
    /// A last gasp was withdrawn: the spans above are rebuilt from the children's, up
    /// to the first that does not change.
    narrowing: bool,
}

impl Walk {
    /// Notes that the walk reached `x`.
    #[inline]
    fn reach(&mut self, x: OutageDeviceId) {
        self.crossed_old |= x.0 == self.old_scope;
        self.crossed_new |= x.0 == self.new_scope;
    }

    /// The change of counts where the walk is.
    #[inline]
    fn delta(&self) -> &Delta {
        &self.by_crossing[self.crossed_old as usize][self.crossed_new as usize]
    }

    /// Whether the customer's new flags report where the walk is.
    #[inline]
    fn reports_here(&self) -> bool {
        if self.crossed_new {
            self.reporting_unscoped
        } else {
            self.reporting
        }
    }
}

impl Engine {
    /// A service's flags as they count at the service itself.
    #[inline]
    pub(super) fn service_bits(&self, i: usize) -> Flags {
        let eff = self.st.bits[i].effective();
        if self.st.scope[i] == i as u32 {
            eff.unscoped()
        } else {
            eff
        }
    }

    /// The counts below a device (a service's from its customer's flags).
    #[inline]
    pub(super) fn counts_of(&self, d: OutageDeviceId) -> Counts {
        let i = d.index();
        if i >= self.nc {
            return self.st.node[i - self.nc].counts;
        }
        let b = self.service_bits(i);
        let bit = |f: Flag| b.has(f) as u32;
        let forced = self.st.forced[i] as u32;
        Counts {
            pop: 1 - bit(Flag::Excluded),
            call: bit(Flag::Call),
            weak: bit(Flag::PartialCall),
            lg: bit(Flag::LastGasp),
            ping_off: bit(Flag::PingOff),
            on: bit(Flag::On),
            await_: bit(Flag::AwaitingRestore),
            active: b.active() as u32,
            call_only: b.call_only() as u32,
            forced,
            forced_pop: forced,
        }
    }

    /// The earliest off evidence below a device (`i64::MAX` when none).
    #[inline]
    pub(super) fn t_first_of(&self, d: OutageDeviceId) -> Timestamp {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].t_first
        } else if self.service_bits(i).reporting() {
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
        } else if self.service_bits(i).has(Flag::LastGasp) {
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
    pub(super) fn widen_lg_spans(&mut self, c: CustomerId) {
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
    pub(super) fn b_of(&self, d: OutageDeviceId) -> f64 {
        let i = d.index();
        if i >= self.nc {
            self.st.node[i - self.nc].b
        } else {
            0.0
        }
    }

    /// The best explanation of the subtree below a device, with the device out or in.
    #[inline]
    pub(super) fn a_of(&self, d: OutageDeviceId) -> f64 {
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

    /// Sets a customer's flags (its scope unchanged).
    pub(super) fn set_bits(&mut self, c: CustomerId, new: Flags) {
        let scope = self.st.scope[c.index()];
        self.set_bits_scoped(c, new, scope);
    }

    /// Sets a customer's flags and scope together, in one walk up the path: the old
    /// flags leave the counts as the old scope had them count, the new ones enter as
    /// the new scope has them count. O(depth).
    pub(super) fn set_bits_scoped(&mut self, c: CustomerId, new: Flags, new_scope: u32) {
        let i = c.index();
        let (raw_old, old_scope) = (self.st.bits[i], self.st.scope[i]);
        if raw_old == new && old_scope == new_scope {
            return;
        }
        self.st.bits[i] = new;
        self.st.scope[i] = new_scope;
        if raw_old.has(Flag::LastGasp) != new.has(Flag::LastGasp) {
            self.starts_changed(OutageDeviceId(c.0));
        }
        // A customer off for a known cause contributes nothing but its absence.
        let (old, new) = (raw_old.effective(), new.effective());
        // A scope only matters to the flags it scopes.
        if old == new && (!old.scoped() || old_scope == new_scope) {
            return;
        }
        let (old_out, new_out) = (old.unscoped(), new.unscoped());
        let mut walk = Walk {
            by_crossing: [
                [Delta::between(old, new), Delta::between(old, new_out)],
                [
                    Delta::between(old_out, new),
                    Delta::between(old_out, new_out),
                ],
            ],
            old_scope,
            new_scope,
            crossed_old: false,
            crossed_new: false,
            report: self.st.report_at[i],
            reporting: new.reporting(),
            reporting_unscoped: new_out.reporting(),
            gasped: new.has(Flag::LastGasp),
            gasp_at: self.st.lg_at[i],
            narrowing: old.has(Flag::LastGasp) && !new.has(Flag::LastGasp),
        };
        // The service itself: its counts follow from the flags.
        let mut x = OutageDeviceId(c.0);
        walk.reach(x);
        let k = self.counts_of(x);
        if k.reports() {
            self.activate(x);
        }
        let mut delta = self.reeval_with(x, &k);
        // The devices above it (a parent is never a service).
        while let Some(p) = self.view.parent(x) {
            let below_active = self.st.in_active[x.index()];
            x = p;
            walk.reach(x);
            delta = self.count_at(x, &mut walk, delta, below_active);
        }
    }

    /// One level of [`Engine::set_bits_scoped`]'s walk at a device above the services:
    /// its counts, first report and span take the change, its B the change of its
    /// child's A (`delta`); returns how much its own A moved. The device is active
    /// when it reports or its child on the path is (a still-dark customer's report
    /// stops below its scope, yet its A counts in every B above).
    #[inline]
    fn count_at(
        &mut self,
        x: OutageDeviceId,
        walk: &mut Walk,
        delta: f64,
        below_active: bool,
    ) -> f64 {
        let xn = x.index() - self.nc;
        // Updated in a local and stored once: reading the record back after
        // field-by-field stores would stall on store forwarding.
        let mut k = self.st.node[xn].counts;
        walk.delta().apply(&mut k);
        self.st.node[xn].counts = k;
        if walk.reports_here() && walk.report < self.st.node[xn].t_first {
            self.st.node[xn].t_first = walk.report;
        }
        if walk.gasped {
            let span = &mut self.st.node[xn].lg_span;
            span.0 = span.0.min(walk.gasp_at);
            span.1 = span.1.max(walk.gasp_at);
        } else if walk.narrowing {
            let span = self.children_lg_span(x);
            if span == self.st.node[xn].lg_span {
                walk.narrowing = false;
            } else {
                self.st.node[xn].lg_span = span;
            }
        }
        if k.reports() || below_active {
            self.activate(x);
        }
        self.st.node[xn].b += delta;
        self.reeval_with(x, &k)
    }

    /// Puts a device among those the periodic refresh recomputes.
    #[inline]
    pub(super) fn activate(&mut self, x: OutageDeviceId) {
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
    /// from then on). O(depth).
    pub(super) fn touch_path(&mut self, d: OutageDeviceId) {
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
        } else if k.reports() {
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
    /// O(a) for a devices with evidence below them, plus O(c / 8) for c customers.
    pub(super) fn refresh_all(&mut self) {
        self.st.last_refresh = self.st.clock;
        self.refreshed = true;
        self.adapt_intensity();
        self.recompute_active();
        self.st.flags_changed = true;
        self.flipped.clear();
        self.roots.valid = false;
    }

    /// Re-evaluates every active device bottom-up from its counts (its B, first
    /// report and span from its children's). O(a) for a active devices.
    pub(super) fn recompute_active(&mut self) {
        self.sort_active();
        for idx in 0..self.st.active.len() {
            let n = self.st.active[idx].index() - self.nc;
            let node = &mut self.st.node[n];
            node.b = 0.0;
            node.t_first = Timestamp(i64::MAX);
            node.lg_span = NO_SPAN;
        }
        // Forget devices no longer flagged.
        let (flag, marks) = (&self.st.flag, &mut self.st.in_flagged);
        self.st.flagged.retain(|d| {
            let keep = flag[d.index()];
            marks[d.index()] = keep;
            keep
        });
        let mut dropped = false;
        for d in self.refresh_order() {
            dropped |= !self.refresh_device(d);
        }
        if dropped {
            // Order kept: the list stays deepest first.
            let in_active = &self.st.in_active;
            self.st.active.retain(|d| in_active[d.index()]);
        }
    }

    /// Adds a customer's flags to the counts on its path and activates the devices
    /// that now report, without re-evaluating them (a [`Engine::recompute_active`]
    /// follows): the rebase after switching, from counts without this customer. With
    /// `out`, takes them away instead (the rebase's first half, before the customer
    /// moves). O(depth).
    pub(super) fn count_in(&mut self, c: CustomerId, out: bool) {
        let i = c.index();
        let new = self.st.bits[i].effective();
        let scope = self.st.scope[i];
        let between = |f: Flags| {
            if out {
                Delta::between(f, Flags::NONE)
            } else {
                Delta::between(Flags::NONE, f)
            }
        };
        let (inside, outside) = (between(new), between(new.unscoped()));
        let mut x = OutageDeviceId(c.0);
        let mut crossed = x.0 == scope;
        if self.counts_of(x).reports() && !out {
            self.activate(x);
        }
        while let Some(p) = self.view.parent(x) {
            let below_active = self.st.in_active[x.index()];
            x = p;
            crossed |= x.0 == scope;
            let k = &mut self.st.node[x.index() - self.nc].counts;
            if crossed {
                outside.apply(k);
            } else {
                inside.apply(k);
            }
            if (k.reports() || below_active) && !out {
                self.activate(x);
            }
        }
    }

    /// Sorts the active devices deepest first (children before parents): a counting
    /// sort on depth. O(a).
    fn sort_active(&mut self) {
        if self.st.active_sorted {
            return;
        }
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

    /// The order of a refresh: the active services first, in id order (their arrays
    /// are read in sequence; the flags are scanned eight at a time), then the active
    /// devices above them, deepest first.
    fn refresh_order(&self) -> Vec<OutageDeviceId> {
        let nc = self.nc;
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
        order
    }

    /// Recomputes one device of a refresh (its children are done) and hands its A,
    /// first report and span to its parent; returns whether it stays active. A device
    /// with nothing reported or forced below it at its own level stays while a child
    /// does: still-dark customers below a restored device give it an A of their own.
    fn refresh_device(&mut self, d: OutageDeviceId) -> bool {
        let nc = self.nc;
        let i = d.index();
        let k = self.counts_of(d);
        let up = self.first_report_passing(d);
        if !k.reports()
            && !self
                .view
                .children(d)
                .iter()
                .any(|c| self.st.in_active[c.index()])
        {
            // Nothing reported or forced below: the whole subtree explains nothing
            // (every A and B below is 0), so it leaves the refresh.
            self.st.in_active[i] = false;
            self.set_a(d, 0.0);
            if let Some(n) = i.checked_sub(nc) {
                self.st.node[n].b = 0.0;
            }
            if self.st.flag[i] {
                self.st.flag[i] = false;
                self.st.flags_changed = true;
            }
            return false;
        }
        self.eval_with(d, &k);
        if let Some(p) = self.view.parent(d) {
            // A parent is never a service.
            let a = self.a_of(d);
            let (first, last) = self.lg_span_of(d);
            let parent: &mut Node = &mut self.st.node[p.index() - nc];
            parent.b += a;
            if up < parent.t_first {
                parent.t_first = up;
            }
            parent.lg_span.0 = parent.lg_span.0.min(first);
            parent.lg_span.1 = parent.lg_span.1.max(last);
        }
        true
    }

    /// The earliest report below `d` that counts at its parent too, in a refresh. A
    /// device's own first report becomes what its children handed up plus the
    /// still-dark reports carried to it; a still-dark customer whose report counts
    /// only below its scope (the restored device) is carried up to there instead of
    /// being handed on. O(1), or O(depth) for such a customer.
    fn first_report_passing(&mut self, d: OutageDeviceId) -> Timestamp {
        const NONE_YET: Timestamp = Timestamp(i64::MAX);
        let i = d.index();
        if let Some(n) = i.checked_sub(self.nc) {
            let up = self.st.node[n].t_first;
            if let Some(s) = self.scoped_first.get_mut(n) {
                let carried = std::mem::replace(s, NONE_YET);
                self.st.node[n].t_first = up.min(carried);
            }
            return up;
        }
        let (bits, scope) = (self.service_bits(i), self.st.scope[i]);
        if !bits.reporting() || bits.unscoped().reporting() || scope == NONE {
            return self.t_first_of(d);
        }
        if self.scoped_first.is_empty() {
            self.scoped_first = vec![NONE_YET; self.st.node.len()];
        }
        let t = self.st.report_at[i];
        let mut x = d;
        while let Some(p) = self.view.parent(x) {
            if p.0 == scope {
                break;
            }
            let s = &mut self.scoped_first[p.index() - self.nc];
            *s = (*s).min(t);
            x = p;
        }
        NONE_YET
    }
}
