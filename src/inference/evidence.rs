//! The evidence handlers: what each kind of event does to the customers' and devices'
//! standing, one `on_*` handler per kind.
//!
//! A handler changes a customer's flags through [`Engine::set_bits`] (which carries
//! the change up the path) and sets the timers that settle it later; it never decides
//! outages itself: the dynamic programme and the outage lifecycle follow after every
//! event.

use super::Engine;
use super::changes::Change;
use super::likelihood::LG_COHERENCE;
use super::outages::{OutageCause, OutageStatus};
use super::rates::RESTORE_ESTIMATE_AFTER;
use super::state::{Flag, Flags, LastGasp};
use super::timers::Timer;
use crate::bits::{bit, set_bit};
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::time::{MINUTE, Millis, Timestamp};

/// How long before a call the caller's power is taken to have gone (calls come
/// minutes after, last gasps within a minute): a call dates its report this much
/// earlier, so the meters' silence counts at once.
pub(super) const CALL_LEAD: Millis = 2 * MINUTE;

impl Engine {
    /// Applies one event's evidence.
    pub(super) fn apply(&mut self, ev: Event) {
        let t = ev.time;
        match ev.evidence {
            Evidence::Tick => {}
            Evidence::Call { customer, detail } => self.on_call(customer, detail, t),
            Evidence::LastGasp { meter } => self.on_last_gasp(meter, t),
            Evidence::PowerRestore { meter } => self.on_power_restore(meter, t, false),
            Evidence::Ping { meter, on: true } => self.on_power_restore(meter, t, true),
            Evidence::Ping { meter, on: false } => self.on_ping_off(meter, t),
            Evidence::DeviceOpen { device } | Evidence::DeviceClose { device }
                if self.is_switch(device) =>
            {
                let open = matches!(ev.evidence, Evidence::DeviceOpen { .. });
                self.on_switching(device, open, t);
            }
            Evidence::DeviceOpen { device } => self.on_device_open(device, t),
            Evidence::DeviceClose { device } => self.on_device_close(device, t),
            Evidence::PlannedOutage { device, end } => self.on_planned(device, t, end),
            Evidence::Disconnect { meter } => self.on_disconnect(meter, t),
            Evidence::Reconnect { meter } => self.on_reconnect(meter, t),
            Evidence::FaultIndicator { element, passed } => {
                self.on_fault_indicator(element, passed, t)
            }
        }
    }

    /// Whether evidence at `t` predates the customer's last known-on time (then it is
    /// counted as stale and ignored).
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
        let flag = if detail == CallDetail::Partial {
            Flag::PartialCall
        } else {
            Flag::Call
        };
        let mut nb = self.st.bits[i].with(flag);
        if nb.has(Flag::Call) {
            nb = nb.without(Flag::PartialCall);
        }
        let since = Timestamp(self.st.supply[i].since.0.saturating_add(1));
        self.note_report(c, Timestamp(t.0 - CALL_LEAD).max(since));
        self.set_bits(c, nb);
        self.sample_caller(c, detail, t);
    }

    /// Off evidence at `t` (after the customer's last known-on time): the on proof no
    /// longer holds.
    pub(super) fn note_report(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.report_at[i] == Timestamp::NEVER || t < self.st.report_at[i] {
            self.st.report_at[i] = t;
        }
        let b = self.st.bits[i];
        if b.has(Flag::On) {
            self.set_bits(c, b.without(Flag::On));
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
        if self.st.lg_state[i] != LastGasp::None && t.0 - self.st.lg_at[i].0 > LG_COHERENCE {
            // A second last gasp well after the first, with no restore between: the
            // meter had power again in between (the first was a stray, or its power
            // restore was lost), so its outage began with this one.
            self.withdraw_last_gasp(c);
        }
        if self.st.lg_state[i] != LastGasp::None {
            // Keep the earliest last gasp of this outage (one that comes late from
            // minutes before is of an earlier outage: the meter had power between, as
            // when they come in order).
            if t < self.st.lg_at[i] && self.st.lg_at[i].0 - t.0 <= LG_COHERENCE {
                self.st.lg_at[i] = t;
                if self.service_bits(i).has(Flag::LastGasp) {
                    self.widen_lg_spans(c);
                }
                if self.st.bits[i].has(Flag::LastGasp) {
                    self.starts_changed(OutageDeviceId(c.0));
                }
            } else if t > self.st.lg_at[i] {
                // A later gasp: kept in view, so that a momentary found in a moment
                // can tell that this meter gasped in its burst.
                self.st.recent_lg.push_back((t, c));
            }
            return;
        }
        self.st.lg_state[i] = LastGasp::Held;
        self.st.lg_at[i] = t;
        self.st.recent_lg.push_back((t, c));
        let due = t.0.saturating_add(self.opts.last_gasp_hold);
        self.st.timers.push(due, Timer::LastGaspHold(c, t));
    }

    /// A power restore, or a ping answering on (`ping`): the customer has supply
    /// since `t`.
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
        if self.st.lg_state[i] != LastGasp::None && t < self.st.lg_at[i] {
            self.st.warnings.stale += 1;
            return;
        }
        // A restore soon after this customer's last gasp: a momentary interruption.
        let momentary = !ping
            && self.st.lg_state[i] != LastGasp::None
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
            if let Some(&oid) = self.st.open_fault.get(&d) {
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
            _ => NONE,
        };
        self.clear_customer(c, Flags::of(Flag::On), scope);
        let memory = if scope == NONE && !ping {
            self.opts.on_memory
        } else {
            self.opts.restore_window
        };
        self.st
            .timers
            .push(t.0.saturating_add(memory), Timer::OnExpire(c, t));
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
        self.st.ping_off_at.insert(c, t);
        self.note_report(c, t);
        let nb = self.st.bits[c.index()].with(Flag::PingOff);
        self.set_bits(c, nb);
    }

    /// When a customer's meter answered a ping saying it is off (`NEVER`: none stands).
    fn ping_off_at(&self, c: CustomerId) -> Timestamp {
        self.st
            .ping_off_at
            .get(&c)
            .copied()
            .unwrap_or(Timestamp::NEVER)
    }

    fn forget_ping_off(&mut self, c: CustomerId) {
        if !self.st.ping_off_at.is_empty() {
            self.st.ping_off_at.remove(&c);
        }
    }

    /// Clears a customer's off evidence and sets its `keep` flags, with `scope` for
    /// them if they are scoped (in one walk up the path).
    fn clear_customer(&mut self, c: CustomerId, keep: Flags, scope: u32) {
        let i = c.index();
        self.st.lg_state[i] = LastGasp::None;
        self.st.lg_at[i] = Timestamp::NEVER;
        self.st.call_at[i] = Timestamp::NEVER;
        self.st.report_at[i] = Timestamp::NEVER;
        self.st.await_since[i] = Timestamp::NEVER;
        self.forget_ping_off(c);
        if bit(&self.st.wire_down, i) {
            self.note_wire_down(c, false);
        }
        let nb = self.st.bits[i].exclusion().union(keep);
        let scope = if keep.scoped() { scope } else { NONE };
        self.set_bits_scoped(c, nb, scope);
    }

    /// Forgets that a customer's power restore is awaited after a restoration (the
    /// customer is no longer taken for still dark); its scope goes with its last
    /// scoped flag.
    pub(super) fn drop_await(&mut self, c: CustomerId) {
        let i = c.index();
        let nb = self.st.bits[i].without(Flag::AwaitingRestore);
        self.set_bits(c, nb);
        if !nb.scoped() {
            self.st.scope[i] = NONE;
        }
        self.st.await_since[i] = Timestamp::NEVER;
    }

    /// Forgets a customer's last gasp, held or counted (its other reports stay).
    pub(super) fn withdraw_last_gasp(&mut self, c: CustomerId) {
        let i = c.index();
        self.st.lg_state[i] = LastGasp::None;
        self.st.lg_at[i] = Timestamp::NEVER;
        if self.st.bits[i].has(Flag::LastGasp) {
            let nb = self.st.bits[i].without(Flag::LastGasp);
            self.reset_report_time(c, nb);
            self.set_bits(c, nb);
        }
    }

    /// The earliest off evidence that remains once a customer's flags become `bits`.
    pub(super) fn reset_report_time(&mut self, c: CustomerId, bits: Flags) {
        let i = c.index();
        if bits.has(Flag::AwaitingRestore) {
            return; // the still-dark keep their original start
        }
        let mut t = Timestamp(i64::MAX);
        if bits.called() {
            t = t.min(self.st.call_at[i]);
        }
        if bits.has(Flag::PingOff) {
            t = t.min(self.ping_off_at(c));
        }
        if bits.has(Flag::LastGasp) {
            t = t.min(self.st.lg_at[i]);
        }
        self.st.report_at[i] = if t.0 == i64::MAX { Timestamp::NEVER } else { t };
    }

    fn on_device_open(&mut self, d: OutageDeviceId, t: Timestamp) {
        self.st.scada_open.insert(d, t);
        self.starts_changed(d);
        let due = t.0.saturating_add(self.opts.reclose_window);
        self.st.timers.push(due, Timer::Lockout(d, t));
    }

    fn on_device_close(&mut self, d: OutageDeviceId, t: Timestamp) {
        self.starts_changed(d);
        match self.st.scada_open.remove(&d) {
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
                    if let Some(oid) = self.st.open_fault.get(&d).copied() {
                        self.close_outage(oid, OutageStatus::Restored, None);
                    }
                    return;
                }
                self.restore_below(d, t, None);
                if self.opts.estimate_rates {
                    let due = t.0 + RESTORE_ESTIMATE_AFTER;
                    self.st.timers.push(due, Timer::EstimateRestore(d, t));
                }
            }
        }
    }

    /// Marks a device as SCADA-confirmed open or not, on the counts of its path.
    pub(super) fn set_forced(&mut self, d: OutageDeviceId, on: bool) {
        if self.st.forced[d.index()] == on {
            return;
        }
        self.st.forced[d.index()] = on;
        self.starts_changed(d);
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
    pub(super) fn restore_below(
        &mut self,
        d: OutageDeviceId,
        t: Timestamp,
        except: Option<CustomerId>,
    ) {
        if let Some(oid) = self.st.open_fault.get(&d).copied() {
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
            if bits.reporting() && self.st.report_at[i] <= t {
                let first = self.st.report_at[i];
                self.st.lg_state[i] = LastGasp::None;
                self.st.call_at[i] = Timestamp::NEVER;
                self.forget_ping_off(c);
                self.st.await_since[i] = t;
                // The still-dark keep their original start.
                self.st.report_at[i] = first;
                self.set_bits(c, bits.exclusion());
                self.st.scope[i] = d.0;
                let due = t.0.saturating_add(self.opts.restore_grace);
                self.st.timers.push(due, Timer::AwaitGrace(c, t));
            } else if !bits.has(Flag::LastGasp)
                && self.st.lg_state[i] == LastGasp::Held
                && self.st.lg_at[i] <= t
            {
                self.st.lg_state[i] = LastGasp::None;
            }
        }
    }

    fn on_planned(&mut self, d: OutageDeviceId, t: Timestamp, end: Timestamp) {
        if let Some(&oid) = self.st.planned.get(&d) {
            let o = &mut self.st.outages[oid.0 as usize];
            if o.planned_end != Some(end) {
                o.planned_end = Some(end);
                self.changes.push(Change::Updated(oid));
            }
            self.st.timers.push(end.0, Timer::PlannedEnd(d, end));
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
        self.st.planned.insert(d, oid);
        let span = self.view.customer_span(d);
        for pos in span {
            let c = self.view.customers_in_preorder()[pos as usize];
            self.st.planned_depth[c.index()] += 1;
            let nb = self.st.bits[c.index()].with(Flag::Excluded);
            self.set_bits(c, nb);
        }
        self.st.timers.push(end.0, Timer::PlannedEnd(d, end));
    }

    /// Planned work at `d` announced to end at `end` is over (unless it was extended):
    /// its customers have supply from then on.
    pub(super) fn end_planned(&mut self, d: OutageDeviceId, end: Timestamp) {
        let Some(&oid) = self.st.planned.get(&d) else {
            return;
        };
        if self.st.outages[oid.0 as usize].planned_end != Some(end) {
            return; // extended: a later timer ends it
        }
        self.st.planned.remove(&d);
        self.close_outage(oid, OutageStatus::Restored, None);
        let span = self.view.customer_span(d);
        for pos in span {
            let c = self.view.customers_in_preorder()[pos as usize];
            let i = c.index();
            self.st.planned_depth[i] = self.st.planned_depth[i].saturating_sub(1);
            if self.st.planned_depth[i] == 0 && !self.st.disconnected.contains_key(&c) {
                // Evidence from during the work is explained by it.
                self.st.supply[i].since = self.st.supply[i].since.max(end - 1);
                self.clear_customer(c, Flags::NONE, NONE);
                let nb = self.st.bits[i].without(Flag::Excluded);
                self.set_bits(c, nb);
            }
        }
    }

    fn on_disconnect(&mut self, c: CustomerId, t: Timestamp) {
        if self.st.disconnected.contains_key(&c) {
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
        self.st.disconnected.insert(c, oid);
        let nb = self.st.bits[c.index()].with(Flag::Excluded);
        self.set_bits(c, nb);
    }

    fn on_reconnect(&mut self, c: CustomerId, t: Timestamp) {
        let Some(oid) = self.st.disconnected.remove(&c) else {
            return;
        };
        self.close_outage(oid, OutageStatus::Restored, None);
        let i = c.index();
        if self.st.planned_depth[i] == 0 {
            self.st.supply[i].since = self.st.supply[i].since.max(t);
            self.clear_customer(c, Flags::NONE, NONE);
            let nb = self.st.bits[i].without(Flag::Excluded);
            self.set_bits(c, nb);
        }
    }

    /// Marks a customer's wire-down report (and its derived index) set or cleared.
    pub(super) fn note_wire_down(&mut self, c: CustomerId, down: bool) {
        set_bit(&mut self.st.wire_down, c.index(), down);
        if let Some(p) = self.view.supplied_position(c) {
            if down {
                self.wire_down_at.insert(p);
            } else {
                self.wire_down_at.remove(&p);
            }
        }
    }
}
