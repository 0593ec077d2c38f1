//! The timer queue and the handlers of the timers that change a customer's or a
//! device's standing: a last gasp's hold, the silence around it, an on proof, an
//! awaited restore, a SCADA lockout. (The timers that estimate rates are handled in
//! `rates`, the end of planned work in `evidence`.)
//!
//! Nearly every timer is due a fixed delay after the event that set it, so the queue
//! keeps one lane per (kind, delay), filled in time order by the events: a push is O(1)
//! but for late events, a pop compares the lanes' fronts. Timers come out in the order
//! of a heap on (due, timer).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::Engine;
use super::rates::{CALL_ESTIMATE_AFTER, LAST_GASP_ESTIMATE_AFTER};
use super::state::{Flag, LastGasp};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::time::{MINUTE, Timestamp};

/// A timer: what falls due, for whom, and the time it counts from (its due time less
/// its delay). The variants' order breaks ties between timers due at the same moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) enum Timer {
    /// A last gasp's hold ends (customer, the last gasp's time).
    LastGaspHold(CustomerId, Timestamp),
    /// An awaited power restore's grace ends (customer, restoration time).
    AwaitGrace(CustomerId, Timestamp),
    /// An on proof stops counting against new outages (customer, its time).
    OnExpire(CustomerId, Timestamp),
    /// A missing power restore stops counting for a nested outage unless one is held
    /// above the customer (customer, restoration time).
    AwaitExpire(CustomerId, Timestamp),
    /// A SCADA open that is not reclosed by now is a lockout (device, open time).
    Lockout(OutageDeviceId, Timestamp),
    /// A planned outage ends (device, the announced end).
    PlannedEnd(OutageDeviceId, Timestamp),
    /// Estimate the last-gasp rate from a confirmed opening (device, open time).
    EstimateLastGasp(OutageDeviceId, Timestamp),
    /// Estimate the call rate from a confirmed opening still open (device, open time).
    EstimateCall(OutageDeviceId, Timestamp),
    /// Estimate the last-gasp rate from a caller: did its meter gasp? (customer, call
    /// time).
    EstimateLastGaspFromCall(CustomerId, Timestamp),
    /// Estimate the power-restore rate after a restoration (device, time).
    EstimateRestore(OutageDeviceId, Timestamp),
    /// Estimate the last-gasp rate from a momentary: every meter in its zone lost
    /// power at once (zone, the burst's time).
    EstimateLastGaspFromMomentary(OutageDeviceId, Timestamp),
    /// The silence of the meters around a counted last gasp has fully set in
    /// (customer, the last gasp's time): its path is re-evaluated, so the outage
    /// it suggests is narrowed now rather than at the next refresh.
    SilenceSettled(CustomerId, Timestamp),
}

/// The kind of a timer, as the key of its lane. Snapshots name it by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub(super) enum TimerKind {
    /// [`Timer::LastGaspHold`].
    LastGaspHold = 0,
    /// [`Timer::AwaitGrace`].
    AwaitGrace = 1,
    /// [`Timer::OnExpire`].
    OnExpire = 2,
    /// [`Timer::Lockout`].
    Lockout = 3,
    /// [`Timer::PlannedEnd`].
    PlannedEnd = 4,
    /// [`Timer::EstimateLastGasp`].
    EstimateLastGasp = 5,
    /// [`Timer::EstimateCall`].
    EstimateCall = 6,
    /// [`Timer::EstimateRestore`].
    EstimateRestore = 7,
    /// [`Timer::EstimateLastGaspFromCall`].
    EstimateLastGaspFromCall = 8,
    /// [`Timer::AwaitExpire`].
    AwaitExpire = 9,
    /// [`Timer::SilenceSettled`].
    SilenceSettled = 10,
    /// [`Timer::EstimateLastGaspFromMomentary`].
    EstimateLastGaspFromMomentary = 11,
}

impl TimerKind {
    /// Every kind, by its number.
    const ALL: [TimerKind; 12] = [
        TimerKind::LastGaspHold,
        TimerKind::AwaitGrace,
        TimerKind::OnExpire,
        TimerKind::Lockout,
        TimerKind::PlannedEnd,
        TimerKind::EstimateLastGasp,
        TimerKind::EstimateCall,
        TimerKind::EstimateRestore,
        TimerKind::EstimateLastGaspFromCall,
        TimerKind::AwaitExpire,
        TimerKind::SilenceSettled,
        TimerKind::EstimateLastGaspFromMomentary,
    ];
}

impl From<TimerKind> for u8 {
    fn from(k: TimerKind) -> u8 {
        k as u8
    }
}

impl TryFrom<u8> for TimerKind {
    type Error = String;
    fn try_from(x: u8) -> Result<Self, String> {
        TimerKind::ALL
            .get(x as usize)
            .copied()
            .ok_or_else(|| format!("no timer kind {x}"))
    }
}

/// What a timer is about: a customer or an outage device.
enum Subject {
    Customer(CustomerId),
    Device(OutageDeviceId),
}

impl Timer {
    /// The timer's kind and the time it counts from (its due time less its delay).
    fn key(&self) -> (TimerKind, Timestamp) {
        match *self {
            Timer::LastGaspHold(_, t) => (TimerKind::LastGaspHold, t),
            Timer::AwaitGrace(_, t) => (TimerKind::AwaitGrace, t),
            Timer::OnExpire(_, t) => (TimerKind::OnExpire, t),
            Timer::Lockout(_, t) => (TimerKind::Lockout, t),
            Timer::PlannedEnd(_, t) => (TimerKind::PlannedEnd, t),
            Timer::EstimateLastGasp(_, t) => (TimerKind::EstimateLastGasp, t),
            Timer::EstimateCall(_, t) => (TimerKind::EstimateCall, t),
            Timer::EstimateLastGaspFromCall(_, t) => (TimerKind::EstimateLastGaspFromCall, t),
            Timer::EstimateRestore(_, t) => (TimerKind::EstimateRestore, t),
            Timer::AwaitExpire(_, t) => (TimerKind::AwaitExpire, t),
            Timer::SilenceSettled(_, t) => (TimerKind::SilenceSettled, t),
            Timer::EstimateLastGaspFromMomentary(_, t) => {
                (TimerKind::EstimateLastGaspFromMomentary, t)
            }
        }
    }

    /// The customer or device the timer is about.
    fn subject(&self) -> Subject {
        match *self {
            Timer::LastGaspHold(c, _)
            | Timer::AwaitGrace(c, _)
            | Timer::AwaitExpire(c, _)
            | Timer::OnExpire(c, _)
            | Timer::EstimateLastGaspFromCall(c, _)
            | Timer::SilenceSettled(c, _) => Subject::Customer(c),
            Timer::Lockout(d, _)
            | Timer::PlannedEnd(d, _)
            | Timer::EstimateLastGasp(d, _)
            | Timer::EstimateCall(d, _)
            | Timer::EstimateRestore(d, _)
            | Timer::EstimateLastGaspFromMomentary(d, _) => Subject::Device(d),
        }
    }
}

/// The timers of one kind and delay, in due order (a snapshot keeps it as
/// `[kind, delay, timers]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Lane(TimerKind, i64, VecDeque<(i64, Timer)>);

/// Timers in due order, one lane per (kind, delay).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct TimerQueue {
    lanes: Vec<Lane>,
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

impl TimerQueue {
    /// Whether every timer names a customer below `nc` or a device below `nd`.
    pub(super) fn fits(&self, nc: usize, nd: usize) -> bool {
        self.lanes
            .iter()
            .flat_map(|l| l.2.iter())
            .all(|(_, t)| match t.subject() {
                Subject::Customer(c) => c.index() < nc,
                Subject::Device(d) => d.index() < nd,
            })
    }

    /// Sets `timer` to fall due at `due`. O(1) when it is due no earlier than the
    /// last of its lane, else O(log lane). A timer due at the end of time (a window so
    /// long that its end saturates) never falls due and is not kept: its delay would
    /// differ from every other timer's and open a lane of its own.
    pub(super) fn push(&mut self, due: i64, timer: Timer) {
        if due == i64::MAX {
            return;
        }
        let (kind, base) = timer.key();
        let delay = due.saturating_sub(base.0);
        let lane = match self.lanes.iter().position(|l| l.0 == kind && l.1 == delay) {
            Some(i) => i,
            None => {
                self.lanes.push(Lane(kind, delay, VecDeque::new()));
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
        for (i, Lane(_, _, q)) in self.lanes.iter().enumerate() {
            if let Some(&f) = q.front()
                && best.is_none_or(|(_, b)| f < b)
            {
                best = Some((i, f));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The first timer in due order if it is due by `now`.
    #[inline]
    pub(super) fn pop_due(&mut self, now: i64) -> Option<(i64, Timer)> {
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

/// Drops the items at the front of a queue while `old` says so.
fn drop_front_while<T>(q: &mut VecDeque<T>, old: impl Fn(&T) -> bool) {
    while q.front().is_some_and(&old) {
        q.pop_front();
    }
}

impl Engine {
    /// Runs every timer due by the clock, in due order, then forgets the bursts and
    /// last gasps too old to matter.
    pub(super) fn run_timers(&mut self) {
        while let Some((_, timer)) = self.st.timers.pop_due(self.st.clock.0) {
            match timer {
                Timer::LastGaspHold(c, t) => self.on_last_gasp_hold_end(c, t),
                Timer::SilenceSettled(c, t) => self.on_silence_settled(c, t),
                Timer::OnExpire(c, t) => self.on_on_proof_expired(c, t),
                Timer::AwaitGrace(c, t) => self.on_await_grace_end(c, t),
                Timer::AwaitExpire(c, t) => self.on_await_expired(c, t),
                Timer::Lockout(d, t) => self.on_lockout(d, t),
                Timer::PlannedEnd(d, t) => self.end_planned(d, t),
                Timer::EstimateLastGasp(d, t) => self.estimate_last_gasp(d, t.0),
                Timer::EstimateCall(d, t) => self.estimate_call(d, t.0),
                Timer::EstimateLastGaspFromCall(c, t) => self.estimate_last_gasp_from_call(c, t.0),
                Timer::EstimateRestore(d, t) => self.estimate_restore(d, t.0),
                Timer::EstimateLastGaspFromMomentary(d, t) => {
                    self.estimate_last_gasp_from_momentary(d, t.0)
                }
            }
        }
        // Forget old bursts and last gasps.
        let old = |t: Timestamp| t.0 < self.st.clock.0 - 10 * MINUTE;
        drop_front_while(&mut self.st.bursts, |&(_, t)| old(t));
        drop_front_while(&mut self.st.burst_lg, |&(t, _)| old(t));
        drop_front_while(&mut self.st.recent_lg, |&(t, _)| old(t));
    }

    /// A last gasp at `t` has been held past the momentary filter: it counts, unless
    /// a power restore or a later gasp replaced it meanwhile.
    fn on_last_gasp_hold_end(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.lg_state[i] != LastGasp::Held || self.st.lg_at[i] > t {
            return;
        }
        self.st.lg_state[i] = LastGasp::Counted;
        let gasp = self.st.lg_at[i];
        if self.st.bits[i].has(Flag::AwaitingRestore) && gasp > self.st.await_since[i] {
            // A last gasp after the restoration: the meter had power again (its power
            // restore was lost), so it is not still dark from before, and this gasp
            // starts its new report.
            self.drop_await(c);
            self.st.report_at[i] = gasp;
        }
        self.note_report(c, gasp);
        let nb = self.st.bits[i].with(Flag::LastGasp);
        self.set_bits(c, nb);
        // Its neighbours' silence counts in full a minute later.
        let due = gasp
            .0
            .saturating_add(self.opts.last_gasp_hold)
            .saturating_add(MINUTE);
        self.st.timers.push(due, Timer::SilenceSettled(c, gasp));
    }

    /// The silence around a counted last gasp has set in: its path is re-evaluated
    /// now. Only a flagged device above the meter can lose its flag to the silence
    /// (the service's own value does not depend on it).
    fn on_silence_settled(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        let svc = OutageDeviceId(c.0);
        if self.st.lg_state[i] == LastGasp::Counted
            && self.st.lg_at[i] == t
            && self.st.bits[i].has(Flag::LastGasp)
            && self
                .view
                .upstream(svc)
                .skip(1)
                .any(|d| self.st.flag[d.index()])
        {
            self.touch_path(svc);
        }
    }

    /// An on proof from `t` stops counting, unless a newer one replaced it.
    fn on_on_proof_expired(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.supply[i].since == t && self.st.bits[i].has(Flag::On) {
            let nb = self.st.bits[i].without(Flag::On);
            self.set_bits(c, nb);
            if !nb.scoped() {
                self.st.scope[i] = NONE;
            }
        }
    }

    /// The grace after a restoration at `t` is over and the customer sent no power
    /// restore: it is taken for still dark.
    fn on_await_grace_end(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.await_since[i] == t && self.st.supply[i].since < t {
            let nb = self.st.bits[i].with(Flag::AwaitingRestore);
            self.set_bits(c, nb);
            let due = t.0.saturating_add(self.opts.restore_window);
            self.st.timers.push(due, Timer::AwaitExpire(c, t));
        }
    }

    /// A restore awaited since a restoration at `t` stops counting: nested outages
    /// are sought as long as the others' power restores count, and a missing restore
    /// older than that is a lost message, unless an outage held above the customer
    /// says it is still dark.
    fn on_await_expired(&mut self, c: CustomerId, t: Timestamp) {
        let i = c.index();
        if self.st.await_since[i] != t || !self.st.bits[i].has(Flag::AwaitingRestore) {
            return;
        }
        let held_above = self
            .view
            .upstream(OutageDeviceId(c.0))
            .any(|d| self.is_held(d));
        if held_above {
            // Again a whole number of windows after the restoration (the timer queues
            // are per delay).
            let w = self.opts.restore_window.max(1);
            let windows = 1 + (self.st.clock.0 - t.0).max(0) / w;
            let due = t.0.saturating_add(w.saturating_mul(windows));
            self.st.timers.push(due, Timer::AwaitExpire(c, t));
        } else {
            self.reset_report_time(c, self.st.bits[i].without(Flag::AwaitingRestore));
            self.drop_await(c);
        }
    }

    /// A SCADA opening at `t` was not reclosed: the device is locked out, and its
    /// customers sample the last-gasp and call rates.
    fn on_lockout(&mut self, d: OutageDeviceId, t: Timestamp) {
        if self.st.scada_open.get(&d) != Some(&t) {
            return;
        }
        self.set_forced(d, true);
        if self.opts.estimate_rates {
            let due = t.0 + LAST_GASP_ESTIMATE_AFTER;
            self.st.timers.push(due, Timer::EstimateLastGasp(d, t));
            let due = t.0 + CALL_ESTIMATE_AFTER;
            self.st.timers.push(due, Timer::EstimateCall(d, t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
                let (c, at) = (CustomerId(c), Timestamp(t));
                let (due, timer) = match kind {
                    0 => (t + 60, Timer::LastGaspHold(c, at)),
                    1 => (t + 60, Timer::SilenceSettled(c, at)),
                    _ => (t + 5, Timer::OnExpire(c, at)),
                };
                q.push(due, timer);
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

    /// A snapshot names a lane by its kind's number and a timer by its variant, with
    /// plain numbers for its subject and time.
    #[test]
    fn lanes_serialise_with_their_kind_numbers() {
        let mut q = TimerQueue::default();
        q.push(70, Timer::EstimateRestore(OutageDeviceId(3), Timestamp(10)));
        q.push(9, Timer::LastGaspHold(CustomerId(2), Timestamp(4)));
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(
            json,
            r#"{"lanes":[[7,60,[[70,{"EstimateRestore":[3,10]}]]],[0,5,[[9,{"LastGaspHold":[2,4]}]]]]}"#
        );
        for k in TimerKind::ALL {
            assert_eq!(TimerKind::try_from(k as u8), Ok(k));
        }
        assert!(TimerKind::try_from(12).is_err());
    }
}
