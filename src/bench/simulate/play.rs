//! The second phase of a generation: the evidence the day leaves, customer by customer
//! (last gasps, power restores, calls and their true causes), and the background of
//! calls from customers who are not out and false last gasps.

use super::CallCause;
use super::run::{Interruption, Run, What, secs, whole};
use crate::evidence::{CallDetail, Evidence};
use crate::ids::CustomerId;
use crate::rng::SplitMix64;
use crate::time::{MINUTE, Timestamp};

/// One off-supply interval of a customer's meter: the merged interruptions above it.
struct Off {
    /// When supply was lost: the start of the first interruption.
    from: Timestamp,
    /// When it came back (exclusive).
    until: Timestamp,
    /// What began the interval.
    first: What,
    /// The moments inside it when a sustained interruption ended with the customer
    /// still off, sorted, without repeats.
    ends: Vec<Timestamp>,
}

impl Run<'_, '_> {
    /// The evidence of every customer below an interruption.
    pub(super) fn play_customers(&mut self, ami: &mut SplitMix64, calls: &mut SplitMix64) -> u64 {
        let view = &self.sim.view;
        // (customer, interruption) for every customer below every interruption.
        let mut pairs: Vec<(CustomerId, u32)> = Vec::new();
        for (j, i) in self.ints.iter().enumerate() {
            pairs.extend(
                view.customers_below(i.device)
                    .iter()
                    .map(|&c| (c, j as u32)),
            );
        }
        let ints = &self.ints;
        pairs.sort_by_key(|&(c, j)| {
            (
                c,
                ints[j as usize].start,
                std::cmp::Reverse(ints[j as usize].size),
                j,
            )
        });
        let mut late = 0;
        let mut k = 0;
        while k < pairs.len() {
            let c = pairs[k].0;
            let mut m = k;
            while m < pairs.len() && pairs[m].0 == c {
                m += 1;
            }
            let covering: Vec<usize> = pairs[k..m].iter().map(|p| p.1 as usize).collect();
            late += self.play_customer(c, &covering, ami, calls);
            k = m;
        }
        late
    }

    /// One customer's evidence; `covering` are the interruptions above it, by start
    /// (the topmost first among those starting together).
    fn play_customer(
        &mut self,
        c: CustomerId,
        covering: &[usize],
        ami: &mut SplitMix64,
        calls: &mut SplitMix64,
    ) -> u64 {
        let mut late = 0;
        // As the customer lives them: a transfer ends an interruption early.
        let lived: Vec<Interruption> = covering
            .iter()
            .map(|&j| self.interruption_for(j, c))
            .collect();
        // Merge into off-supply intervals, each begun by its first interruption; inside
        // one, the moments when a sustained interruption ended with the customer still
        // off (a nested outage, or one swallowed by a larger one).
        let mut i = 0;
        while i < lived.len() {
            let first = lived[i];
            let (a, mut b) = (first.start, first.end);
            let mut j = i + 1;
            while j < lived.len() && lived[j].start <= b {
                b = b.max(lived[j].end);
                j += 1;
            }
            let mut ends: Vec<Timestamp> = lived[i..j]
                .iter()
                .filter(|x| x.what != What::Momentary && x.end > a && x.end < b)
                .map(|x| x.end)
                .collect();
            ends.sort();
            ends.dedup();
            self.off[c.index()].push((a, b));
            let off = Off {
                from: a,
                until: b,
                first: first.what,
                ends,
            };
            late += self.play_meter(c, &off, ami);
            self.play_calls(c, &off, &lived[i..j], calls);
            i = j;
        }
        late
    }

    /// What the customer's meter says of an off-supply interval: a last gasp going off,
    /// a power restore coming back. Returns how many of them arrive late.
    fn play_meter(&mut self, c: CustomerId, off: &Off, ami: &mut SplitMix64) -> u64 {
        let o = self.o;
        let (a, b) = (off.from, off.until);
        let mut late = 0;
        if ami.chance(self.p_lg) {
            let d = if off.first == What::Momentary {
                secs(ami.uniform([0.0, o.momentary_lg_s]))
            } else {
                secs(ami.uniform(o.lg_delay_s))
            };
            if a + d < self.end {
                late += self.push_ami(ami, a + d, Evidence::LastGasp { meter: c }) as u64;
            }
        }
        if b < self.end && ami.chance(o.p_pr) {
            let t = b + secs(ami.uniform(o.pr_delay_s));
            if t < self.end {
                late += self.push_ami(ami, t, Evidence::PowerRestore { meter: c }) as u64;
            }
        }
        late
    }

    /// The customer's calls in an off-supply interval, unless it is disconnected: a
    /// flicker call after a momentary; otherwise a chance of a call when supply is
    /// lost and again at each end of an interruption that left it off, each with its
    /// true cause at the moment of the call. `covering` are the interval's
    /// interruptions as the customer lives them.
    fn play_calls(
        &mut self,
        c: CustomerId,
        off: &Off,
        covering: &[Interruption],
        calls: &mut SplitMix64,
    ) {
        let o = self.o;
        let (a, b) = (off.from, off.until);
        if self.disconnected(c, a).is_some() {
            return;
        }
        if off.first == What::Momentary && b.0 - a.0 < MINUTE {
            if calls.chance(self.p_call * o.momentary_call_mult) {
                let tc = a + self.call_delay(calls);
                if tc < self.end {
                    self.push_call(tc, c, CallDetail::Flicker, CallCause::NoOutage, None);
                }
            }
            return;
        }
        let p = match off.first {
            What::Planned(_) => self.p_call * o.planned_call_mult,
            _ => self.p_call,
        };
        let mut moments = vec![(a, p)];
        moments.extend(off.ends.iter().map(|&e| (e, self.p_call)));
        for (t, p) in moments {
            if !calls.chance(p) {
                continue;
            }
            let tc = t + self.call_delay(calls);
            if tc >= b || tc >= self.end {
                continue;
            }
            if let Some((cause, idx)) = self.cause_at(c, tc, covering) {
                let detail = match cause {
                    CallCause::Fault => self.fault_detail(calls),
                    _ => CallDetail::NoPower,
                };
                self.push_call(tc, c, detail, cause, Some(idx));
            }
        }
    }

    /// Why customer `c` is off at `t`, and which outage holds it off: a disconnection,
    /// else a planned outage, else the topmost fault.
    fn cause_at(
        &self,
        c: CustomerId,
        t: Timestamp,
        covering: &[Interruption],
    ) -> Option<(CallCause, usize)> {
        if let Some(i) = self.disconnected(c, t) {
            return Some((CallCause::Disconnect, i));
        }
        let active = covering.iter().filter(|i| i.start <= t && t < i.end);
        let mut best: Option<(CallCause, usize, u32)> = None;
        for i in active {
            let (cause, idx) = match i.what {
                What::Planned(x) => (CallCause::Planned, x),
                What::Fault(x) => (CallCause::Fault, x),
                What::Momentary => continue,
            };
            let better = match best {
                None => true,
                Some((bc, _, bs)) => {
                    (cause == CallCause::Planned && bc == CallCause::Fault)
                        || (cause == bc && i.size > bs)
                }
            };
            if better {
                best = Some((cause, idx, i.size));
            }
        }
        best.map(|(c, i, _)| (c, i))
    }

    fn fault_detail(&self, rng: &mut SplitMix64) -> CallDetail {
        let m = self.o.fault_call_detail;
        match rng.weighted(&[m.no_power, m.partial, m.wire_down]) {
            Some(1) => CallDetail::Partial,
            Some(2) => CallDetail::WireDown,
            _ => CallDetail::NoPower,
        }
    }

    /// Calls from customers who are not out, and false last gasps.
    pub(super) fn play_background(&mut self, rng: &mut SplitMix64) -> u64 {
        let o = self.o;
        let sim = self.sim;
        let n = sim.customers.len();
        if n == 0 {
            return 0;
        }
        let hours = (self.end.0 - self.t0.0) as f64 / (60.0 * MINUTE as f64);
        let mut late = 0;
        for kind in 0..2 {
            let per_h = if kind == 0 {
                o.bg_calls_per_kh
            } else {
                o.false_lg_per_kh
            } * n as f64
                / 1000.0;
            if per_h <= 0.0 {
                continue;
            }
            let mut h = rng.exponential(per_h);
            while h < hours {
                let t = whole(self.t0 + secs(h * 3600.0));
                h += rng.exponential(per_h);
                let mut pick = None;
                for _ in 0..20 {
                    let c = sim.customers[rng.index(n)];
                    if self.on_supply(c, t) {
                        pick = Some(c);
                        break;
                    }
                }
                let Some(c) = pick else { continue };
                if kind == 0 {
                    let m = o.bg_call_detail;
                    let detail = match rng.weighted(&[m.no_power, m.partial, m.flicker]) {
                        Some(1) => CallDetail::Partial,
                        Some(2) => CallDetail::Flicker,
                        _ => CallDetail::NoPower,
                    };
                    self.push_call(t, c, detail, CallCause::NoOutage, None);
                } else {
                    self.false_lg += 1;
                    late += self.push_ami(rng, t, Evidence::LastGasp { meter: c }) as u64;
                    // The meter comes back at once: a restore, unless it is lost or
                    // the meter has nothing to restore.
                    if rng.chance(o.false_lg_restore_p.unwrap_or(o.p_pr)) {
                        let back = whole(t + secs(rng.uniform(o.false_lg_restore_s)));
                        if back < self.end && self.on_supply(c, back) {
                            let restore = Evidence::PowerRestore { meter: c };
                            late += self.push_ami(rng, back, restore) as u64;
                        }
                    }
                }
            }
        }
        late
    }
}
