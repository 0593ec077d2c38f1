//! The first phase of a generation: what happens on the day (planned work, faults and
//! the faults nested below them, momentary interruptions, remote disconnections), drawn
//! from the plan stream before any evidence.

use super::run::{FOREVER, Interruption, Run, What, secs, whole};
use super::{CallCause, TruthCause, TruthMomentary, fault_class};
use crate::evidence::{CallDetail, Evidence};
use crate::ids::OutageDeviceId;
use crate::rng::SplitMix64;
use crate::time::{MINUTE, Millis, SECOND, Timestamp};

impl Run<'_, '_> {
    pub(super) fn plan_planned(&mut self, rng: &mut SplitMix64) {
        let sim = self.sim;
        if sim.planned.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.planned) {
            let d = sim.planned[rng.index(sim.planned.len())];
            let start = self.begin_time(rng);
            let len = rng.count(self.o.planned_min) as Millis * MINUTE;
            let until = whole(start + len);
            let idx = self.new_outage(d, TruthCause::Planned, start, self.clip(until), None, false);
            self.add_interruption(d, start, Some(until), What::Planned(idx));
            self.push(
                start,
                Evidence::PlannedOutage {
                    device: d,
                    end: until,
                },
            );
        }
    }

    pub(super) fn plan_faults(&mut self, rng: &mut SplitMix64) {
        let o = self.o;
        let sim = self.sim;
        let n = self.count(rng, o.n_faults);
        let mut starts: Vec<Timestamp> = (0..n).map(|_| self.begin_time(rng)).collect();
        starts.sort();
        let weights: Vec<f64> = (0..5)
            .map(|k| {
                if sim.by_class[k].is_empty() {
                    0.0
                } else {
                    o.mix.get(k)
                }
            })
            .collect();
        for start in starts {
            let Some(k) = rng.weighted(&weights) else {
                break;
            };
            let d = sim.by_class[k][rng.index(sim.by_class[k].len())];
            // Dead equipment does not trip: a fault drawn at or below a device that is
            // out does not happen (faults hidden below a larger one come as nested).
            if self.dark_at(d, start) {
                continue;
            }
            let end = self.clip(start + self.repair(rng, k));
            // Nor does one inside planned work at any time while it lasts (planned
            // work at or above it): a call or a gasp there would be both.
            if self.planned_above_during(d, start, end.unwrap_or(FOREVER)) {
                continue;
            }
            let scada = k >= 3 && self.net().is_telemetered(d) && rng.chance(o.p_scada);
            let idx = self.new_outage(d, TruthCause::Fault, start, end, None, scada);
            self.add_interruption(d, start, end, What::Fault(idx));
            if scada {
                self.push(start, Evidence::DeviceOpen { device: d });
                if let Some(e) = end {
                    self.push(e, Evidence::DeviceClose { device: d });
                }
            }
            if rng.chance(o.p_nested) {
                self.plan_nested(rng, idx, d, start, end);
            }
        }
    }

    /// A fault below the fault `parent`, found only after the parent's restoration.
    fn plan_nested(
        &mut self,
        rng: &mut SplitMix64,
        parent: usize,
        d: OutageDeviceId,
        start: Timestamp,
        parent_end: Option<Timestamp>,
    ) {
        let view = &self.sim.view;
        let net = self.net();
        let Some(first) = view.preorder_index(d) else {
            return;
        };
        let mut below: [Vec<OutageDeviceId>; 5] = Default::default();
        let n = view.customer_count_below(d);
        for &x in &view.preorder()[first as usize + 1..] {
            if !view.is_below(x, d) {
                break;
            }
            // Below and smaller: a device holding off the same customers as the parent
            // could not be told apart from it.
            let m = view.customer_count_below(x);
            if m == 0 || m == n {
                continue;
            }
            if let Some(k) = fault_class(net.outage_device_class(x)) {
                below[k].push(x);
            }
        }
        let weights: Vec<f64> = (0..5)
            .map(|k| {
                if below[k].is_empty() {
                    0.0
                } else {
                    self.o.mix.get(k)
                }
            })
            .collect();
        let Some(k) = rng.weighted(&weights) else {
            return;
        };
        let x = below[k][rng.index(below[k].len())];
        let end = parent_end.and_then(|e| self.clip(e + self.repair(rng, k)));
        if self.planned_above_during(x, start, end.unwrap_or(FOREVER)) {
            return;
        }
        let pid = Some(format!("#{parent}"));
        let idx = self.new_outage(x, TruthCause::Fault, start, end, pid, false);
        self.add_interruption(x, start, end, What::Fault(idx));
    }

    pub(super) fn plan_momentaries(&mut self, rng: &mut SplitMix64) {
        let sim = self.sim;
        if sim.momentary.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.momentaries) {
            for _ in 0..20 {
                let d = sim.momentary[rng.index(sim.momentary.len())];
                let t = self.begin_time(rng);
                if self.dark_at(d, t) {
                    continue;
                }
                let dur_s = (rng.uniform(self.o.momentary_s) * 10.0).round() / 10.0;
                let back = t + secs(dur_s).max(SECOND);
                let scada = self.net().is_telemetered(d) && rng.chance(self.o.p_scada);
                if scada {
                    self.push(t, Evidence::DeviceOpen { device: d });
                    self.push(back, Evidence::DeviceClose { device: d });
                }
                self.ints.push(Interruption {
                    device: d,
                    start: t,
                    end: back,
                    what: What::Momentary,
                    size: sim.view.customer_count_below(d),
                });
                self.momentaries.push(TruthMomentary {
                    device: self.net().outage_device_name(d).to_string(),
                    time: t,
                    duration_s: dur_s,
                    customers: sim.view.customer_count_below(d),
                    scada,
                });
                break;
            }
        }
    }

    pub(super) fn plan_disconnects(&mut self, rng: &mut SplitMix64, calls: &mut SplitMix64) {
        let sim = self.sim;
        if sim.customers.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.disconnects) {
            let t = self.begin_time(rng);
            let back = rng
                .chance(self.o.reconnect_p)
                .then(|| t + rng.count(self.o.reconnect_min) as Millis * MINUTE)
                .and_then(|b| self.clip(b));
            // A customer with supply, not disconnected already, whose service does not
            // fail while it is disconnected.
            let mut pick = None;
            for _ in 0..20 {
                let c = sim.customers[rng.index(sim.customers.len())];
                let until = back.unwrap_or(FOREVER);
                if !self.dark_at(OutageDeviceId(c.0), t)
                    && !self
                        .disconnects
                        .iter()
                        .any(|&(x, a, b, _)| x == c && a < until && t < b)
                    && !self.service_fault_during(c, t, until)
                {
                    pick = Some(c);
                    break;
                }
            }
            let Some(c) = pick else { continue };
            let idx = self.new_outage(
                OutageDeviceId(c.0),
                TruthCause::Disconnect,
                t,
                back,
                None,
                false,
            );
            self.disconnects.push((c, t, back.unwrap_or(FOREVER), idx));
            self.push(t, Evidence::Disconnect { meter: c });
            if let Some(b) = back {
                self.push(b, Evidence::Reconnect { meter: c });
            }
            if calls.chance(self.o.disconnect_call_p) {
                let tc = t + self.call_delay(calls);
                if tc < back.unwrap_or(FOREVER) && tc < self.end {
                    self.push_call(tc, c, CallDetail::NoPower, CallCause::Disconnect, Some(idx));
                }
            }
        }
    }
}
