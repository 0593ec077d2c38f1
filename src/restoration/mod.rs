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
//! 2. The parts below the section's boundaries are given back through normally-open
//!    ties: the switchable elements that join them to a live bus outside the dead
//!    region (a tie whose far side the model does not reach leads to a feeder left out
//!    of the model and is live). A part's load may be split between ties by opening
//!    switchable elements inside it, and parts no tie can carry whole are given back in
//!    part. The search (`search.rs`) tries every combination of the switches when they
//!    are few (at most 12), so that the plan is the best one, and a reduced set beyond.
//! 3. The ratings check, load-flow free: the load picked up (customers' kW and kvar as
//!    kVA) is added to the load already through each element on the tie's path to its
//!    source, and compared with the element's ampacity at the source's nominal voltage
//!    (`normal_amps`, three-phase: `I = S / (√3 · kV)`), or a transformer's kVA. The
//!    load already through an element is taken as the load below the nearest outage
//!    device above it, less the load the fault took off: an upper bound, exact where
//!    the element carries the device, so the check errs on the safe side. Loads picked
//!    up through two ties that share a path add up there. Inside a part, the switchable
//!    elements carry the load on their far side from the tie. Voltage drop, phase
//!    imbalance and losses are left out.
//! 4. Alternatives rank by customers restored, then by switching operations.
//!
//! # Complexity
//! [`Planner::new`]: O(B + E + C) for the graph and the prefix sums. [`Planner::plan`]:
//! O(R + t · depth + 2^V · V²) for the R buses of the dead region, its t ties and
//! V ≤ 12 switches searched, the regions `petgraph` breadth-first searches.

use std::borrow::Cow;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::{Bfs, EdgeFiltered, EdgeRef};
use serde::Serialize;

use crate::ids::{BusId, ElementId, OutageDeviceId};
use crate::network::Network;
use crate::topology::{EnergizationView, SwitchState, SwitchStates};

mod search;
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
    /// The faulted section (not in the `restore` example's object, which the replay
    /// contract fixes; the replay's `plan` records print it).
    #[serde(skip)]
    pub section: Section,
}

/// The faulted section a plan isolates: the buses below its head device down to the
/// next switchable elements.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Section {
    /// The device above it: the faulted device, or the one opened below it where fault
    /// indicators moved the fault down and the faulted device recloses.
    pub device: String,
    /// The switchable devices at its lower ends.
    pub ends: Vec<String>,
    /// The customers in it.
    pub customers: u32,
}

/// Plans restoration on one configuration; see the [module documentation](self).
pub struct Planner<'n> {
    net: &'n Network,
    view: &'n EnergizationView,
    graph: Cow<'n, UnGraph<BusId, ElementId>>,
    /// kVA of the customers by pre-order position, summed: `prefix[i]` is the load of
    /// the first `i` customers in the view's pre-order.
    prefix: Cow<'n, [f64]>,
    /// The nominal line-to-line voltage of the ampacity check, kV.
    kv: f64,
}

/// The customers' kVA summed along the view's pre-order. O(C).
fn load_prefix(net: &Network, view: &EnergizationView) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(view.customers_in_preorder().len() + 1);
    let mut acc = 0.0;
    prefix.push(acc);
    for &c in view.customers_in_preorder() {
        acc += kva(net, c);
        prefix.push(acc);
    }
    prefix
}

/// The nominal line-to-line voltage of the ampacity check: the first source's, kV.
fn nominal_kv(net: &Network) -> f64 {
    net.sources()
        .iter()
        .find_map(|s| s.base_kv)
        .unwrap_or(12.47)
}

/// What a [`Planner`] needs beyond the network and the view, kept between faults: the
/// physical graph (the same in every configuration) and the loads summed along the
/// view's pre-order (made again only when the configuration has changed). A host that
/// plans as faults are confirmed keeps one, so that each plan costs its search alone.
///
/// ```
/// use outage_locator::{EnergizationView, import_opendss};
/// use outage_locator::restoration::PlannerCache;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/feeder_with_tie/master.dss");
/// let net = import_opendss(path).unwrap().0;
/// let view = EnergizationView::normal(&net).unwrap();
/// let mut cache = PlannerCache::new(&net);
/// let brk = net.outage_device_by_name("relay.brk_a").unwrap();
/// let plan = cache.planner(&net, &view).plan(brk, &[]);
/// assert_eq!(plan.customers_restored, 3);
/// ```
#[derive(Debug, Clone)]
pub struct PlannerCache {
    graph: UnGraph<BusId, ElementId>,
    prefix: Vec<f64>,
    /// The configuration `prefix` was summed for.
    states: Option<SwitchStates>,
    kv: f64,
}

impl PlannerCache {
    /// A cache for a network, its loads not summed yet. O(B + E).
    pub fn new(net: &Network) -> Self {
        PlannerCache {
            graph: net.physical_graph(),
            prefix: Vec::new(),
            states: None,
            kv: nominal_kv(net),
        }
    }

    /// A planner for the configuration `view` of `net` (the network the cache was
    /// made for): O(1), or O(C) when the configuration changed since the last call.
    pub fn planner<'a>(&'a mut self, net: &'a Network, view: &'a EnergizationView) -> Planner<'a> {
        if self.states.as_ref() != Some(view.states()) {
            self.prefix = load_prefix(net, view);
            self.states = Some(view.states().clone());
        }
        Planner {
            net,
            view,
            graph: Cow::Borrowed(&self.graph),
            prefix: Cow::Borrowed(&self.prefix),
            kv: self.kv,
        }
    }
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
        Planner {
            net,
            view,
            graph: Cow::Owned(net.physical_graph()),
            prefix: Cow::Owned(load_prefix(net, view)),
            kv: nominal_kv(net),
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
            &*self.graph,
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
            section: Section::default(),
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
        self.restore(at, &bounds, &dead, device, &mut plan);
        plan.customers_restored = plan.steps.iter().map(|s| s.customers).sum();
        plan.customers_still_out = out.saturating_sub(plan.customers_restored);
        plan
    }
}
