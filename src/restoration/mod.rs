//! Restoration plans (FLISR): for a located fault, the section to isolate, the
//! switching that isolates it and the switching that gives supply back to the healthy
//! sections, within the network's ratings.
//!
//! A [`Planner`] is made once for a configuration (an [`EnergizationView`]); it keeps
//! the physical graph (`petgraph`, open ties included) and the load below every outage
//! device as prefix sums over the view's pre-order. [`Planner::plan`] then plans one
//! fault:
//!
//! 1. The faulted section: the buses fed through the faulted device's element up to
//!    the next switchable elements (switch lines, elements carrying a device). A fault
//!    indicator that saw fault current (`passed`) at one of those boundaries moves the
//!    section below it, and the faulted device itself recloses first.
//! 2. Each boundary's downstream part is a candidate for transfer: the normally-open
//!    switchable elements that join it to a live bus outside the dead region are its
//!    ties (a tie whose far side the model does not reach leads to a feeder left out of
//!    the model and is live). Where no one tie carries the whole part, the part is split
//!    at one of its switchable elements and each half takes its own tie.
//! 3. The ratings check, load-flow free: the part's load (customers' kW and kvar as kVA)
//!    is added to the load already below each element on the tie's path to its source,
//!    and compared with the element's ampacity at the source's nominal voltage
//!    (`normal_amps`, three-phase: `I = S / (√3 · kV)`), or a transformer's kVA. The load
//!    already through an element is taken as the load below the nearest outage device
//!    above it: an upper bound, so the check errs on the safe side. Voltage drop, phase
//!    imbalance and losses are left out.
//! 4. Alternatives rank by customers restored, then by switching operations.
//!
//! # Complexity
//! [`Planner::new`]: O(B + E + C) for the graph and the prefix sums. [`Planner::plan`]:
//! O(R + k · (R + depth)) for the R buses of the dead region and its k switchable
//! elements (the split candidates), each search a `petgraph` breadth-first search.

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::{Bfs, EdgeFiltered, EdgeRef};
use serde::Serialize;

use crate::ids::{BusId, ElementId, OutageDeviceId};
use crate::network::Network;
use crate::topology::{EnergizationView, SwitchState};

#[cfg(test)]
mod tests;

/// What a fault indicator saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultIndicator {
    /// Fault current passed the device: the fault lies below it.
    Passed,
    /// No fault current passed: the fault does not lie below it.
    NotPassed,
}

/// One step of a plan: a device closed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestorationStep {
    /// Always `close` (openings are the plan's `isolate`).
    pub op: &'static str,
    /// The device closed, named as in the replay contract.
    pub device: String,
    /// The customers the step gives supply back to.
    pub customers: u32,
    /// The highest loading on the tie's path to its source after the step, percent of
    /// the rating; absent where no rating is known (or for the faulted device).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loading_pct: Option<f64>,
}

/// A restoration plan, as the `restore` example prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestorationPlan {
    /// The faulted device.
    pub fault: String,
    /// The customers the fault holds off before any switching.
    pub customers_out: u32,
    /// The devices to open, in order: around the faulted section, then the splits.
    pub isolate: Vec<String>,
    /// The closings, in order.
    pub steps: Vec<RestorationStep>,
    /// Customers given supply back.
    pub customers_restored: u32,
    /// Customers still out after the plan.
    pub customers_still_out: u32,
}

/// A part of the dead region that a tie can pick up.
struct Part {
    /// The element opened to cut it off (its boundary), and the elements opened to
    /// split it.
    opens: Vec<ElementId>,
    /// The tie closed and its loading, if the part is restored.
    tie: Option<(ElementId, Option<f64>)>,
    customers: u32,
}

/// Plans restoration on one configuration; see the [module documentation](self).
pub struct Planner<'n> {
    net: &'n Network,
    view: &'n EnergizationView,
    graph: UnGraph<BusId, ElementId>,
    /// kVA of the customers by pre-order position, summed: `prefix[i]` is the load of
    /// the first `i` customers in the view's pre-order.
    prefix: Vec<f64>,
    /// The nominal line-to-line voltage of the ampacity check, kV.
    kv: f64,
}

/// A customer's kVA (its kW and kvar; 1 kW where the model gives none).
fn kva(net: &Network, c: crate::ids::CustomerId) -> f64 {
    let cu = net.customer(c);
    let p = cu.kw.unwrap_or(1.0);
    let q = cu.kvar.unwrap_or(0.0);
    (p * p + q * q).sqrt()
}

impl<'n> Planner<'n> {
    /// A planner for the configuration `view` of `net`. O(B + E + C).
    pub fn new(net: &'n Network, view: &'n EnergizationView) -> Self {
        let mut prefix = Vec::with_capacity(view.customers_in_preorder().len() + 1);
        let mut acc = 0.0;
        prefix.push(acc);
        for &c in view.customers_in_preorder() {
            acc += kva(net, c);
            prefix.push(acc);
        }
        let kv = net
            .sources()
            .iter()
            .find_map(|s| s.base_kv)
            .unwrap_or(12.47);
        Planner {
            net,
            view,
            graph: net.physical_graph(),
            prefix,
            kv,
        }
    }

    fn closed(&self, e: ElementId) -> bool {
        self.view.states().state(e) == SwitchState::Closed
    }

    /// The name a switchable element goes by: its upstream-most outage device's.
    fn name(&self, e: ElementId) -> String {
        let rep = self.net.bundle_representative(e);
        match self.net.outage_devices_on(rep).first() {
            Some(&d) => self.net.outage_device_name(d).to_string(),
            None => self.net.element(e).name.clone(),
        }
    }

    /// The end of `e` its supply flows into in this view.
    fn downstream_bus(&self, e: ElementId) -> BusId {
        let el = self.net.element(e);
        let rep = self.net.bundle_representative(e);
        match self.view.feeding_element(el.to) {
            Some(f) if self.net.bundle_representative(f) == rep => el.to,
            _ => el.from,
        }
    }

    /// The buses reached from `start` over closed elements, crossing none of `stop`
    /// and, with `switchable_stops`, no switchable element (those met are returned).
    fn region(
        &self,
        start: BusId,
        stop: &[ElementId],
        switchable_stops: bool,
    ) -> (Vec<BusId>, Vec<ElementId>) {
        let mut met = Vec::new();
        let stopped = |e: ElementId| {
            let rep = self.net.bundle_representative(e);
            stop.iter()
                .any(|&s| self.net.bundle_representative(s) == rep)
        };
        let filtered = EdgeFiltered::from_fn(
            &self.graph,
            |er: petgraph::graph::EdgeReference<'_, ElementId>| {
                let e = *er.weight();
                self.closed(e) && !stopped(e) && !(switchable_stops && self.net.is_switchable(e))
            },
        );
        let mut bfs = Bfs::new(&filtered, NodeIndex::new(start.index()));
        let mut buses = Vec::new();
        while let Some(n) = bfs.next(&filtered) {
            buses.push(BusId::from(n.index()));
        }
        if switchable_stops {
            let inside: std::collections::HashSet<BusId> = buses.iter().copied().collect();
            for &b in &buses {
                for er in self.graph.edges(NodeIndex::new(b.index())) {
                    let e = *er.weight();
                    let other = BusId::from(if er.source().index() == b.index() {
                        er.target().index()
                    } else {
                        er.source().index()
                    });
                    if self.closed(e)
                        && !stopped(e)
                        && self.net.is_switchable(e)
                        && !inside.contains(&other)
                    {
                        met.push(e);
                    }
                }
            }
            met.sort_unstable();
            met.dedup_by_key(|e| self.net.bundle_representative(*e));
        }
        (buses, met)
    }

    fn customers_on(&self, buses: &[BusId]) -> (u32, f64) {
        let mut n = 0;
        let mut load = 0.0;
        for &b in buses {
            for &c in self.net.customers_at(b) {
                n += 1;
                load += kva(self.net, c);
            }
        }
        (n, load)
    }

    /// The open switchable elements from a part to a live bus outside the dead region.
    fn ties(
        &self,
        part: &[BusId],
        dead: &std::collections::HashSet<BusId>,
    ) -> Vec<(ElementId, BusId)> {
        let mut out = Vec::new();
        for &b in part {
            for er in self.graph.edges(NodeIndex::new(b.index())) {
                let e = *er.weight();
                if self.closed(e) || !self.net.is_switchable(e) {
                    continue;
                }
                let other = if er.source().index() == b.index() {
                    er.target()
                } else {
                    er.source()
                };
                let far = BusId::from(other.index());
                if !dead.contains(&far) {
                    out.push((e, far));
                }
            }
        }
        out
    }

    /// Whether current through element `e` also flows through `b`: `e` feeds a bus in
    /// this view and `b` lies on that bus's path to its source (or is `e`). O(depth).
    fn passes_through(&self, e: ElementId, b: ElementId) -> bool {
        let rep = |x: ElementId| self.net.bundle_representative(x);
        let mut x = self.downstream_bus(e);
        if self.view.feeding_element(x).map(rep) != Some(rep(e)) {
            return false;
        }
        while let Some(f) = self.view.feeding_element(x) {
            if rep(f) == rep(b) {
                return true;
            }
            let el = self.net.element(f);
            x = if el.to == x { el.from } else { el.to };
        }
        false
    }

    /// The highest loading (percent) on the path from `far` to its source with `load`
    /// kVA more; `None` when no element on it has a rating (or the far side is not in
    /// the model). O(depth).
    fn loading(&self, far: BusId, load: f64) -> Option<f64> {
        let mut worst: Option<f64> = None;
        let mut x = far;
        while let Some(e) = self.view.feeding_element(x) {
            let el = self.net.element(e);
            let below = self
                .view
                .device_above_bus(x)
                .map(|d| {
                    let r = self.view.customer_span(d);
                    self.prefix[r.end as usize] - self.prefix[r.start as usize]
                })
                .unwrap_or(0.0);
            let total = below + load;
            let pct = if let Some(kva_rating) = el
                .rated_kva
                .filter(|_| el.kind == crate::network::ElementKind::Transformer)
            {
                Some(100.0 * total / kva_rating)
            } else {
                el.normal_amps
                    .filter(|a| *a > 0.0)
                    .map(|a| 100.0 * total / (3f64.sqrt() * self.kv) / a)
            };
            if let Some(p) = pct {
                worst = Some(worst.map_or(p, |w: f64| w.max(p)));
            }
            x = if el.to == x { el.from } else { el.to };
        }
        worst
    }

    /// The best tie for a part: feasible (no rating passed), least loaded.
    fn best_tie(&self, ties: &[(ElementId, BusId)], load: f64) -> Option<(ElementId, Option<f64>)> {
        ties.iter()
            .map(|&(e, far)| (e, self.loading(far, load)))
            .filter(|(_, p)| p.is_none_or(|p| p <= 100.0))
            .min_by(|a, b| {
                a.1.unwrap_or(0.0)
                    .total_cmp(&b.1.unwrap_or(0.0))
                    .then(a.0.cmp(&b.0))
            })
    }

    /// The best way to give a boundary's downstream part back: one tie, or a split at
    /// one of its switchable elements with a tie for each half; by customers restored,
    /// then by operations.
    fn restore_part(
        &self,
        boundary: ElementId,
        dead: &std::collections::HashSet<BusId>,
    ) -> Vec<Part> {
        let start = self.downstream_bus(boundary);
        let (buses, _) = self.region(start, &[boundary], false);
        let (n, load) = self.customers_on(&buses);
        let ties = self.ties(&buses, dead);
        let whole = self.best_tie(&ties, load);
        let mut best = vec![Part {
            opens: vec![boundary],
            tie: whole,
            customers: n,
        }];
        let score = |parts: &[Part]| {
            let restored: u32 = parts
                .iter()
                .filter(|p| p.tie.is_some())
                .map(|p| p.customers)
                .sum();
            let ops: usize = parts
                .iter()
                .filter(|p| p.tie.is_some())
                .map(|p| p.opens.len() + 1)
                .sum();
            (restored, std::cmp::Reverse(ops))
        };
        if whole.is_some() || ties.len() < 2 {
            return best;
        }
        let inside: Vec<ElementId> = {
            let set: std::collections::HashSet<BusId> = buses.iter().copied().collect();
            self.net
                .elements()
                .iter()
                .enumerate()
                .map(|(i, _)| ElementId::from(i))
                .filter(|&e| {
                    let el = self.net.element(e);
                    self.closed(e)
                        && self.net.is_switchable(e)
                        && set.contains(&el.from)
                        && set.contains(&el.to)
                })
                .collect()
        };
        for s in inside {
            let (lower, _) = self.region(self.downstream_bus(s), &[s, boundary], false);
            let low: std::collections::HashSet<BusId> = lower.iter().copied().collect();
            let upper: Vec<BusId> = buses.iter().copied().filter(|b| !low.contains(b)).collect();
            let (nl, ll) = self.customers_on(&lower);
            let (nu, lu) = self.customers_on(&upper);
            let lt = self.best_tie(&self.ties(&lower, dead), ll);
            let ut = self.best_tie(&self.ties(&upper, dead), lu);
            let parts = vec![
                Part {
                    opens: vec![boundary],
                    tie: ut,
                    customers: nu,
                },
                Part {
                    opens: vec![s],
                    tie: lt,
                    customers: nl,
                },
            ];
            if score(&parts) > score(&best) {
                best = parts;
            }
        }
        best
    }

    /// The plan for a fault below `device`, narrowed by fault indicators at outage
    /// devices below it: [`plan_indicated`](Self::plan_indicated) with each
    /// indicator at its device's element.
    pub fn plan(
        &self,
        device: OutageDeviceId,
        indicators: &[(OutageDeviceId, FaultIndicator)],
    ) -> RestorationPlan {
        let at_elements: Vec<(ElementId, FaultIndicator)> = indicators
            .iter()
            .filter_map(|&(d, f)| Some((self.net.outage_device_element(d)?, f)))
            .collect();
        self.plan_indicated(device, &at_elements)
    }

    /// The plan for a fault below `device`, narrowed by fault indicators at elements
    /// (as [`Engine::fault_indications`](crate::Engine::fault_indications) gives them,
    /// `true` being [`FaultIndicator::Passed`]): the section to isolate moves below a
    /// boundary when an indicator at it or anywhere below it saw fault current and
    /// the boundary's own indicator did not say it saw none, so the fault lies below
    /// the last indicator that saw the current and above the first that did not.
    ///
    /// # Complexity
    /// That of the module, plus O(i · depth) per boundary for i indicators.
    pub fn plan_indicated(
        &self,
        device: OutageDeviceId,
        indicators: &[(ElementId, FaultIndicator)],
    ) -> RestorationPlan {
        let out = self.view.customer_count_below(device);
        let mut plan = RestorationPlan {
            fault: self.net.outage_device_name(device).to_string(),
            customers_out: out,
            isolate: Vec::new(),
            steps: Vec::new(),
            customers_restored: 0,
            customers_still_out: out,
        };
        let Some(top) = self
            .net
            .outage_device_element(device)
            .filter(|_| self.view.is_energized(device))
        else {
            return plan;
        };
        // The faulted section, moved below every boundary fault current passed.
        let rep = |e: ElementId| self.net.bundle_representative(e);
        let says = |b: ElementId, f: FaultIndicator| {
            indicators.iter().any(|&(e, g)| g == f && rep(e) == rep(b))
        };
        let mut at = top;
        let (_, mut bounds) = self.region(self.downstream_bus(at), &[at], true);
        loop {
            let passed = bounds.iter().copied().find(|&b| {
                !says(b, FaultIndicator::NotPassed)
                    && indicators
                        .iter()
                        .any(|&(e, f)| f == FaultIndicator::Passed && self.passes_through(e, b))
            });
            let Some(b) = passed else { break };
            at = b;
            (_, bounds) = self.region(self.downstream_bus(at), &[at], true);
        }
        let dead: std::collections::HashSet<BusId> = {
            let (all, _) = self.region(self.downstream_bus(top), &[top], false);
            all.into_iter().collect()
        };
        if at != top {
            plan.isolate.push(self.name(at));
            let below_at = {
                let (b, _) = self.region(self.downstream_bus(at), &[at], false);
                self.customers_on(&b).0
            };
            plan.steps.push(RestorationStep {
                op: "close",
                device: self.name(top),
                customers: out - below_at,
                loading_pct: None,
            });
        }
        for b in bounds {
            for part in self.restore_part(b, &dead) {
                if let Some((tie, pct)) = part.tie {
                    plan.isolate
                        .extend(part.opens.iter().map(|&e| self.name(e)));
                    plan.steps.push(RestorationStep {
                        op: "close",
                        device: self.name(tie),
                        customers: part.customers,
                        loading_pct: pct.map(|p| (p * 10.0).round() / 10.0),
                    });
                }
            }
        }
        plan.customers_restored = plan.steps.iter().map(|s| s.customers).sum();
        plan.customers_still_out = out.saturating_sub(plan.customers_restored);
        plan
    }
}
