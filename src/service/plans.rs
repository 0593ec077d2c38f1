//! The planning desk: a restoration plan for each fault outage as it is confirmed, and
//! the switching order that carries it out.
//!
//! The desk keeps a [`PlannerCache`] (made at the first confirmed fault: the physical
//! graph, and the loads summed again only after the configuration changed), so each
//! plan costs its search alone.

use std::collections::HashSet;

use crate::inference::{Change, Engine, OutageCause, OutageId, OutageStatus};
use crate::restoration::{PlannerCache, RestorationPlan};
use crate::service::switching_orders::{
    SwitchingClosing, SwitchingOrderId, SwitchingOrders, SwitchingStep,
};
use crate::service::tickets::WorkOrders;

/// Plans and switching orders, following the engine's outages.
pub(crate) struct PlanDesk {
    cache: Option<PlannerCache>,
    /// Fault outages planned (once each, when first confirmed), while open.
    planned: HashSet<OutageId>,
    /// The plans of the last step.
    last: Vec<(OutageId, RestorationPlan)>,
    /// The switching orders.
    pub(crate) orders: SwitchingOrders,
}

impl PlanDesk {
    /// A desk over an engine's state: its open confirmed fault outages count as planned
    /// already (a desk restored from a snapshot plans what the original would have).
    pub(crate) fn new(engine: &Engine, orders: SwitchingOrders) -> Self {
        PlanDesk {
            cache: None,
            planned: engine
                .open_outages()
                .filter(|o| needs_plan(o.cause, o.status))
                .map(|o| o.id)
                .collect(),
            last: Vec::new(),
            orders,
        }
    }

    /// The plans made in the last step.
    pub(crate) fn last(&self) -> &[(OutageId, RestorationPlan)] {
        &self.last
    }

    /// Plans the fault outages the engine's `changes` confirm and raises their
    /// switching orders (linked to their repair orders); closes the switching orders of
    /// the outages that ended. O(changes) plus a plan per confirmation.
    pub(crate) fn follow(&mut self, engine: &Engine, changes: &[Change], repairs: &WorkOrders) {
        self.last.clear();
        let at = engine.clock();
        for ch in changes {
            match *ch {
                Change::Opened(id) | Change::Updated(id) => {
                    let Some(o) = engine.outage(id) else { continue };
                    if !needs_plan(o.cause, o.status) || !self.planned.insert(id) {
                        continue;
                    }
                    let net = engine.network();
                    let cache = self.cache.get_or_insert_with(|| PlannerCache::new(net));
                    let plan = cache.planner(net, engine.view()).plan(o.device, &[]);
                    let steps = switching_steps(engine, &plan);
                    self.orders
                        .raise(id, repairs.order_of(id), o.device, steps, at);
                    self.last.push((id, plan));
                }
                Change::Closed { outage, .. } => {
                    self.planned.remove(&outage);
                    if let Some(s) = self.orders.open_for(outage) {
                        self.orders.close(s, SwitchingClosing::OutageEnded, at);
                    }
                }
                _ => {}
            }
        }
    }

    /// Marks a switching order executed; `false` when it was closed already.
    pub(crate) fn executed(&mut self, id: SwitchingOrderId, engine: &Engine) -> bool {
        self.orders
            .close(id, SwitchingClosing::Executed, engine.clock())
    }
}

/// Whether an outage is a confirmed fault, which gets a plan.
fn needs_plan(cause: OutageCause, status: OutageStatus) -> bool {
    cause == OutageCause::Fault && status == OutageStatus::Confirmed
}

/// A plan's openings, then its closings, as switching steps (devices by name; every
/// switchable element a plan names carries an outage device).
fn switching_steps(engine: &Engine, plan: &RestorationPlan) -> Vec<SwitchingStep> {
    let net = engine.network();
    let opens = plan.isolate.iter().filter_map(|name| {
        Some(SwitchingStep {
            open: true,
            device: net.outage_device_by_name(name)?,
            customers: 0,
            loading_pct: None,
        })
    });
    let closes = plan.steps.iter().filter_map(|s| {
        Some(SwitchingStep {
            open: false,
            device: net.outage_device_by_name(&s.device)?,
            customers: s.customers,
            loading_pct: s.loading_pct,
        })
    });
    opens.chain(closes).collect()
}
