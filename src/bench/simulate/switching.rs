//! Operators' switching on a simulated day: after a fault outage is located, the
//! sectionalizing switches below the faulted device open and the healthy sections
//! beyond them go over to normally-open ties, within the network's ratings; after the
//! repair the switches go back to normal.
//!
//! The switching is what [`restoration::Planner`](crate::restoration::Planner) plans
//! for the fault on the day's normal configuration: each of its steps is one transfer
//! (the boundary opened, the tie closed). A transfer is made only where the day leaves
//! it exact: its customers are the subtree below the opened switch (less the other
//! opened switches' subtrees), as many as the plan says; and nothing else interrupts
//! them, the faulted device's ancestors, or the tie's far side while it lasts (so that
//! "back on supply from the tie" is the whole story of those customers until the
//! repair). Everything is drawn from the day's own switching stream, after every other
//! plan: a day without switching draws nothing here and is what it was.

use serde::{Deserialize, Serialize};

use super::TruthTransfer;
use super::run::{FOREVER, Run, What, secs, whole};
use crate::evidence::Evidence;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::restoration::Planner;
use crate::rng::SplitMix64;
use crate::time::Timestamp;

/// How operators switch around located faults on a simulated day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OperatorSwitching {
    /// Probability that operators switch around a fault outage whose plan gives
    /// supply back to someone.
    pub p_transfer: f64,
    /// At most this many fault outages a day get switching (drawn per day, scaled to
    /// the network's size like the other counts).
    pub transfer_faults: [u32; 2],
    /// Minutes from the fault to the first switch opened: locating the fault and
    /// deciding the switching.
    pub switch_after_min: [f64; 2],
}

impl Default for OperatorSwitching {
    /// Nine in ten switchable faults, two to four a day, 10 to 40 minutes after the
    /// fault.
    fn default() -> Self {
        OperatorSwitching {
            p_transfer: 0.9,
            transfer_faults: [2, 4],
            switch_after_min: [10.0, 40.0],
        }
    }
}

/// Seconds between one switching operation and the next (an operator confirming the
/// switch before the next command).
const STEP_S: [f64; 2] = [20.0, 120.0];

/// Customers that a transfer gave supply back to before their interruption ended.
#[derive(Debug, Clone)]
pub(super) struct Moved {
    /// The interruption (index into the run's interruptions).
    pub(super) int: usize,
    /// When the tie closed.
    pub(super) at: Timestamp,
    /// The customers, sorted.
    pub(super) customers: Vec<CustomerId>,
}

/// A transfer being planned: the switch opened, the tie closed, the customers moved.
struct Transfer {
    open: OutageDeviceId,
    tie: OutageDeviceId,
    customers: Vec<CustomerId>,
}

impl Run<'_, '_> {
    /// The day's switching: for fault outages in start order, with probability
    /// `p_transfer`, the transfers of their plans, up to the day's count of faults.
    ///
    /// # Complexity
    /// O(B + E + C) for the planner, then for each top-level fault O(plan + T · I) for
    /// its T transfers checked against the I interruptions.
    pub(super) fn plan_transfers(&mut self, rng: &mut SplitMix64) {
        let Some(sw) = self.o.switching else { return };
        let mut budget = self.count(rng, sw.transfer_faults);
        let planner = Planner::new(self.sim.net, &self.sim.view);
        let mut faults: Vec<usize> = (0..self.ints.len())
            .filter(|&j| matches!(self.ints[j].what, What::Fault(i) if self.outages[i].nested_in.is_none()))
            .collect();
        faults.sort_by_key(|&j| (self.ints[j].start, j));
        for j in faults {
            if budget == 0 {
                break;
            }
            let transfers = self.transfers_of(&planner, j);
            if transfers.is_empty() || !rng.chance(sw.p_transfer) {
                continue;
            }
            let after = secs(rng.uniform(sw.switch_after_min) * 60.0);
            let mut t = whole(self.ints[j].start + after);
            let mut done = Vec::new();
            for x in transfers {
                let open_at = t;
                let at = whole(open_at + secs(rng.uniform(STEP_S)));
                if at >= self.ints[j].end.min(self.end) || !self.undisturbed(j, &x, open_at) {
                    break;
                }
                self.push(open_at, Evidence::DeviceOpen { device: x.open });
                self.push(at, Evidence::DeviceClose { device: x.tie });
                t = whole(at + secs(rng.uniform(STEP_S)));
                done.push((x, open_at, at));
            }
            if done.is_empty() {
                continue;
            }
            budget -= 1;
            self.back_to_normal(rng, j, &done);
            self.record_transfers(j, done);
        }
    }

    /// The transfers of the plan for fault interruption `j`, each exact (see the
    /// module documentation); empty when there are none or the plan cannot be made
    /// exactly.
    fn transfers_of(&self, planner: &Planner<'_>, j: usize) -> Vec<Transfer> {
        let net = self.net();
        let view = &self.sim.view;
        let d = self.ints[j].device;
        let plan = planner.plan(d, &[]);
        if plan.steps.is_empty() || plan.steps.len() != plan.isolate.len() {
            return Vec::new();
        }
        let opens: Option<Vec<OutageDeviceId>> = plan
            .isolate
            .iter()
            .map(|n| {
                net.outage_device_by_name(n)
                    .filter(|&o| o != d && view.is_below(o, d))
            })
            .collect();
        let Some(opens) = opens else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(opens.len());
        for (&open, step) in opens.iter().zip(&plan.steps) {
            let Some(tie) = net.outage_device_by_name(&step.device) else {
                return Vec::new();
            };
            let mut customers: Vec<CustomerId> = view
                .customers_below(open)
                .iter()
                .copied()
                .filter(|&c| {
                    !opens.iter().any(|&o| {
                        o != open && view.is_below(o, open) && view.is_below(OutageDeviceId(c.0), o)
                    })
                })
                .collect();
            if customers.len() != step.customers as usize {
                return Vec::new();
            }
            customers.sort_unstable();
            out.push(Transfer {
                open,
                tie,
                customers,
            });
        }
        out
    }

    /// Whether the day plays a transfer exactly from `from` to the repair of fault
    /// interruption `j`: the interruptions that overlap it on the faulted device's
    /// ancestors are those above the tie's far side too (they take the moved customers
    /// off on either path), none on the far side's path is not above the faulted
    /// device, and none lies between the faulted device and the opened switch (the
    /// moved customers no longer go through them). Interruptions below the opened
    /// switch play out as they are: customers below an open fuse stay off on either
    /// path.
    fn undisturbed(&self, j: usize, x: &Transfer, from: Timestamp) -> bool {
        let view = &self.sim.view;
        let net = self.net();
        let d = self.ints[j].device;
        let to = self.ints[j].end;
        let far = net.outage_device_element(x.tie).and_then(|e| {
            let el = net.element(e);
            [el.from, el.to]
                .into_iter()
                .filter_map(|b| view.device_above_bus(b))
                .find(|&a| !view.is_below(a, d))
        });
        self.ints.iter().enumerate().all(|(k, i)| {
            if k == j || i.end <= from || to <= i.start {
                return true;
            }
            let above = view.is_below(d, i.device);
            let feeds_tie = far.is_some_and(|f| view.is_below(f, i.device));
            let on_the_way = view.is_below(i.device, d) && view.is_below(x.open, i.device);
            above == feeds_tie && !on_the_way
        })
    }

    /// After the repair, each opened switch closes again and then its tie opens
    /// (closing before opening: no interruption), in the order they were switched.
    fn back_to_normal(
        &mut self,
        rng: &mut SplitMix64,
        j: usize,
        done: &[(Transfer, Timestamp, Timestamp)],
    ) {
        let end = self.ints[j].end;
        if end == FOREVER {
            return;
        }
        let mut t = whole(end + secs(rng.uniform(STEP_S)));
        for (x, _, _) in done {
            let open_tie = whole(t + secs(rng.uniform(STEP_S)));
            if open_tie >= self.end {
                return;
            }
            self.push(t, Evidence::DeviceClose { device: x.open });
            self.push(open_tie, Evidence::DeviceOpen { device: x.tie });
            t = whole(open_tie + secs(rng.uniform(STEP_S)));
        }
    }

    /// The transfers into the truth outage of fault interruption `j`, and the
    /// customers they moved into the run (their supply returns when the tie closes).
    fn record_transfers(&mut self, j: usize, done: Vec<(Transfer, Timestamp, Timestamp)>) {
        let What::Fault(idx) = self.ints[j].what else {
            return;
        };
        let net = self.net();
        for (x, at_open, at) in done {
            self.outages[idx].transfers.push(TruthTransfer {
                open: net.outage_device_name(x.open).to_string(),
                close: net.outage_device_name(x.tie).to_string(),
                at_open,
                at,
                customers: x
                    .customers
                    .iter()
                    .map(|&c| net.customer(c).name.clone())
                    .collect(),
            });
            self.moved.push(Moved {
                int: j,
                at,
                customers: x.customers,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Profile, SimulationOptions, Simulator, TruthCause};
    use crate::evidence::Evidence;
    use crate::network::Network;

    fn feeder_with_tie() -> Network {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/feeder_with_tie/master.dss"
        );
        crate::import_opendss(path).unwrap().0
    }

    /// On the fixture with a tie, storm days with switching transfer the far end of
    /// feeder A when its breaker faults: the switch opens, the tie closes, the moved
    /// customers have supply from then on, and everything goes back after the repair.
    #[test]
    fn transfers_give_supply_back_when_the_tie_closes() {
        let net = feeder_with_tie();
        let sim = Simulator::new(&net).unwrap();
        let opts = SimulationOptions::for_profile(Profile::StormSwitching);
        let mut seen = 0;
        for seed in 1..40 {
            let s = sim.run(&opts, seed);
            let storm = sim.run(&SimulationOptions::for_profile(Profile::Storm), seed);
            // Switching changes nothing else of the day's plan.
            assert_eq!(s.truth.outages.len(), storm.truth.outages.len());
            for o in s.truth.faults().filter(|o| !o.transfers.is_empty()) {
                seen += 1;
                let x = &o.transfers[0];
                assert_eq!(x.open, "swtcontrol.sw_a");
                assert_eq!(x.close, "line.tie");
                assert!(o.start < x.at_open && x.at_open < x.at);
                assert!(o.end.is_none_or(|e| x.at < e));
                for name in &x.customers {
                    assert!(o.customers.contains(name));
                    let c = net.customer_by_name(name).unwrap();
                    // Off from the fault until the tie closed, unless another outage
                    // below the switch still holds it off then.
                    let held = s.truth.outages.iter().any(|p| {
                        p.id != o.id
                            && p.cause != TruthCause::Disconnect
                            && p.start <= x.at
                            && p.end.is_none_or(|e| x.at < e)
                            && p.customers.contains(name)
                    });
                    let back = s
                        .supply
                        .iter()
                        .any(|&(k, a, b)| k == c && a <= o.start && b == Some(x.at));
                    assert!(back != held, "{name} at {:?}: {back} {held}", x.at);
                }
                let sw = net.outage_device_by_name("swtcontrol.sw_a").unwrap();
                let tie = net.outage_device_by_name("line.tie").unwrap();
                let ops: Vec<_> = s
                    .events
                    .iter()
                    .filter(|e| match e.evidence {
                        Evidence::DeviceOpen { device } | Evidence::DeviceClose { device } => {
                            device == sw || device == tie
                        }
                        _ => false,
                    })
                    .map(|e| e.evidence)
                    .collect();
                assert_eq!(ops[0], Evidence::DeviceOpen { device: sw });
                assert_eq!(ops[1], Evidence::DeviceClose { device: tie });
                if ops.len() > 2 {
                    assert_eq!(ops[2], Evidence::DeviceClose { device: sw });
                    assert_eq!(ops[3], Evidence::DeviceOpen { device: tie });
                }
            }
        }
        assert!(seen > 0, "no transfer in 39 storm days with switching");
    }

    /// IEEE 8500 (5 normally-open ties): storm days with switching make transfers.
    #[test]
    #[ignore = "needs ../shared: feeders/ieee8500"]
    fn ieee8500_storm_days_make_transfers() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/feeders/ieee8500/eval_master.dss"
        );
        let net = crate::import_opendss(path).unwrap().0;
        let sim = Simulator::new(&net).unwrap();
        let planner = crate::restoration::Planner::new(&net, sim.view());
        let with_plan: Vec<String> = sim
            .view()
            .preorder()
            .iter()
            .filter(|&&d| !planner.plan(d, &[]).steps.is_empty())
            .map(|&d| net.outage_device_name(d).to_string())
            .collect();
        eprintln!("devices with a transfer plan: {with_plan:?}");
        let opts = SimulationOptions::for_profile(Profile::StormSwitching);
        let n: usize = (1..=8)
            .map(|seed| {
                let s = sim.run(&opts, seed);
                s.truth.faults().map(|o| o.transfers.len()).sum::<usize>()
            })
            .sum();
        assert!(n > 0, "no transfer in 8 days");
    }
}
