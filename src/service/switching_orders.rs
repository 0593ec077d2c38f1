//! Switching orders: a confirmed fault's restoration plan as the switching a dispatcher
//! sends out beside the repair order, with its own time limit, and its place in the
//! supervision statistics.
//!
//! An order holds the plan's steps in order (the openings that isolate the faulted
//! section, then the closings that give supply back). It is raised when its fault
//! outage is confirmed, linked to the outage's repair order, may be dispatched to a
//! crew (manual switching), and closes when it is executed or when its outage ends
//! first (the repair came before the switching).

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::OutageDeviceId;
use crate::inference::OutageId;
use crate::service::crews::CrewId;
use crate::service::supervision::{DepartmentStats, SupervisionCounts};
use crate::service::tickets::WorkOrderId;
use crate::time::{MINUTE, Millis, Timestamp};

/// A switching order's id, printed `SO…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SwitchingOrderId(pub u32);

impl fmt::Display for SwitchingOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SO{}", self.0)
    }
}

/// One step of a switching order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitchingStep {
    /// Open (`true`) or close the device.
    pub open: bool,
    /// The device operated.
    pub device: OutageDeviceId,
    /// Customers the step gives supply back to (0 for an opening).
    pub customers: u32,
    /// The highest loading on the tie's path after the step, percent of the rating.
    pub loading_pct: Option<f64>,
}

/// Why a switching order closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchingClosing {
    /// Its steps were carried out.
    Executed,
    /// Its outage ended before it was carried out.
    OutageEnded,
}

/// A switching order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitchingOrder {
    /// Its id.
    pub id: SwitchingOrderId,
    /// The fault outage it restores around.
    pub outage: OutageId,
    /// The outage's repair order, when it had one as the switching was raised.
    pub repair: Option<WorkOrderId>,
    /// The faulted device.
    pub fault: OutageDeviceId,
    /// The steps, in order.
    pub steps: Vec<SwitchingStep>,
    /// Customers the steps give supply back to.
    pub customers: u32,
    /// Raised at.
    pub opened: Timestamp,
    /// To be executed by.
    pub due: Timestamp,
    /// The crew sent to carry it out.
    pub crew: Option<CrewId>,
    /// When the crew was sent.
    pub dispatched: Option<Timestamp>,
    /// When and why it closed.
    pub closed: Option<(Timestamp, SwitchingClosing)>,
}

/// The time limit of switching orders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SwitchingOptions {
    /// From raising to executed.
    pub limit: Millis,
    /// The share of the limit after which an open order is in warning.
    pub warning_share: f64,
}

impl Default for SwitchingOptions {
    /// Executed within 30 minutes of the fault's confirmation (healthy sections back
    /// long before the repair); in warning after 80 % of that.
    fn default() -> Self {
        SwitchingOptions {
            limit: 30 * MINUTE,
            warning_share: 0.8,
        }
    }
}

/// The register of switching orders: at most one open per outage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SwitchingOrders {
    opts: SwitchingOptions,
    orders: Vec<SwitchingOrder>,
    open: HashMap<OutageId, SwitchingOrderId>,
}

impl SwitchingOrders {
    /// An empty register.
    pub fn new(opts: SwitchingOptions) -> Self {
        SwitchingOrders {
            opts,
            ..SwitchingOrders::default()
        }
    }

    /// Raises a switching order for `outage` at `at`; `None` when one is open for it
    /// already or there are no steps.
    pub fn raise(
        &mut self,
        outage: OutageId,
        repair: Option<WorkOrderId>,
        fault: OutageDeviceId,
        steps: Vec<SwitchingStep>,
        at: Timestamp,
    ) -> Option<SwitchingOrderId> {
        if steps.is_empty() || self.open.contains_key(&outage) {
            return None;
        }
        let id = SwitchingOrderId(self.orders.len() as u32 + 1);
        self.orders.push(SwitchingOrder {
            id,
            outage,
            repair,
            fault,
            customers: steps.iter().map(|s| s.customers).sum(),
            steps,
            opened: at,
            due: Timestamp(at.0 + self.opts.limit),
            crew: None,
            dispatched: None,
            closed: None,
        });
        self.open.insert(outage, id);
        Some(id)
    }

    /// Sends a crew to carry out an open order; `false` when it is closed.
    ///
    /// # Panics
    /// When `id` was not raised here.
    pub fn dispatch(&mut self, id: SwitchingOrderId, crew: CrewId, at: Timestamp) -> bool {
        let w = &mut self.orders[id.0 as usize - 1];
        if w.closed.is_some() {
            return false;
        }
        w.crew = Some(crew);
        w.dispatched = Some(at);
        true
    }

    /// Closes an open order at `at`; `false` when it is closed already.
    ///
    /// # Panics
    /// When `id` was not raised here.
    pub fn close(&mut self, id: SwitchingOrderId, why: SwitchingClosing, at: Timestamp) -> bool {
        let w = &mut self.orders[id.0 as usize - 1];
        if w.closed.is_some() {
            return false;
        }
        w.closed = Some((at, why));
        self.open.remove(&w.outage);
        true
    }

    /// Every order raised, in order.
    pub fn orders(&self) -> &[SwitchingOrder] {
        &self.orders
    }

    /// One order.
    ///
    /// # Panics
    /// When `id` was not raised here.
    pub fn order(&self, id: SwitchingOrderId) -> &SwitchingOrder {
        &self.orders[id.0 as usize - 1]
    }

    /// The open order of an outage.
    pub fn open_for(&self, outage: OutageId) -> Option<SwitchingOrderId> {
        self.open.get(&outage).copied()
    }

    /// The open orders at `now` by how their time limit stands, as the supervision
    /// view counts work orders.
    pub fn supervision(&self, now: Timestamp) -> SupervisionCounts {
        let warn_at = (self.opts.limit as f64 * self.opts.warning_share) as Millis;
        let mut c = SupervisionCounts::default();
        for w in self.orders.iter().filter(|w| w.closed.is_none()) {
            c.open += 1;
            if now >= w.due {
                c.breached += 1;
            } else if now.0 - w.opened.0 >= warn_at {
                c.warning += 1;
            }
        }
        c
    }

    /// The statistics of the switching department, as the supervision statistics give
    /// them for crews' departments: orders executed (those whose outage ended first are
    /// not counted), on time or not; the mean arrival is the mean time from raising to
    /// dispatch, the mean restoration the mean time from raising to execution.
    pub fn department_stats(&self) -> DepartmentStats {
        let executed: Vec<&SwitchingOrder> = self
            .orders
            .iter()
            .filter(|w| matches!(w.closed, Some((_, SwitchingClosing::Executed))))
            .collect();
        let n = executed.len() as u32;
        let on_time = executed
            .iter()
            .filter(|w| w.closed.is_some_and(|(t, _)| t <= w.due))
            .count() as u32;
        let mean = |f: &dyn Fn(&SwitchingOrder) -> Option<Millis>| {
            let xs: Vec<Millis> = executed.iter().filter_map(|w| f(w)).collect();
            (!xs.is_empty()).then(|| xs.iter().sum::<Millis>() / xs.len() as i64)
        };
        DepartmentStats {
            department: "switching".into(),
            orders: n,
            decided: n,
            on_time,
            breaches: n - on_time,
            on_time_rate: (n > 0).then(|| f64::from(on_time) / f64::from(n)),
            mean_arrival: mean(&|w| w.dispatched.map(|t| t.0 - w.opened.0)),
            mean_restoration: mean(&|w| w.closed.map(|(t, _)| t.0 - w.opened.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_open_order_per_outage_closed_by_execution_or_the_outage() {
        let mut s = SwitchingOrders::new(SwitchingOptions::default());
        let step = |open, customers| SwitchingStep {
            open,
            device: OutageDeviceId(3),
            customers,
            loading_pct: None,
        };
        let o = OutageId(1);
        let steps = vec![step(true, 0), step(false, 12)];
        let a = s
            .raise(o, None, OutageDeviceId(9), steps.clone(), Timestamp(0))
            .unwrap();
        assert_eq!(a.to_string(), "SO1");
        assert_eq!(s.order(a).customers, 12);
        assert_eq!(
            s.raise(o, None, OutageDeviceId(9), steps.clone(), Timestamp(1)),
            None
        );
        assert_eq!(
            s.raise(
                OutageId(2),
                None,
                OutageDeviceId(9),
                Vec::new(),
                Timestamp(1)
            ),
            None
        );
        let c = s.supervision(Timestamp(25 * MINUTE));
        assert_eq!((c.open, c.warning, c.breached), (1, 1, 0));
        assert_eq!(s.supervision(Timestamp(31 * MINUTE)).breached, 1);
        assert!(s.dispatch(a, CrewId(0), Timestamp(5 * MINUTE)));
        assert!(s.close(a, SwitchingClosing::Executed, Timestamp(20 * MINUTE)));
        assert!(!s.close(a, SwitchingClosing::OutageEnded, Timestamp(21 * MINUTE)));
        let b = s
            .raise(o, None, OutageDeviceId(9), steps, Timestamp(0))
            .unwrap();
        assert!(s.close(b, SwitchingClosing::OutageEnded, Timestamp(40 * MINUTE)));
        let st = s.department_stats();
        assert_eq!((st.orders, st.on_time, st.breaches), (1, 1, 0));
        assert_eq!(st.mean_arrival, Some(5 * MINUTE));
        assert_eq!(st.mean_restoration, Some(20 * MINUTE));
    }
}
