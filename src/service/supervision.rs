//! Supervision of the service promise: which open orders are about to breach a time
//! limit or have breached one, by zone and by crew; per-department statistics; and,
//! for an order, the nearest available crews with the effect of sending each.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::OutageDeviceId;
use crate::network::ServiceZone;
use crate::service::crews::CrewId;
use crate::service::tickets::{
    Closing, CrewState, Etr, LimitKind, LimitState, LimitStatus, OrderState, Priority, WorkOrder,
    WorkOrderId, WorkOrders,
};
use crate::service::warnings::{EarlyWarningId, EarlyWarnings, WarningReason};
use crate::time::{Millis, Timestamp};

/// One open order as the supervision view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisionRow {
    /// The order.
    pub order: WorkOrderId,
    /// Its device.
    pub device: OutageDeviceId,
    /// Its zone.
    pub zone: ServiceZone,
    /// Its priority.
    pub priority: Priority,
    /// Its state.
    pub state: OrderState,
    /// Its crew.
    pub crew: Option<CrewId>,
    /// Customers off.
    pub customers: u32,
    /// Critical customers off.
    pub critical: u32,
    /// The limit that matters now (the earliest-due one not yet met).
    pub next: Option<LimitStatus>,
    /// The worst state of its unmet limits (`Overdue` when any is).
    pub alarm: LimitState,
    /// The estimated restoration time.
    pub etr: Option<Etr>,
}

/// Counts of open orders by how their limits stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionCounts {
    /// Open orders.
    pub open: u32,
    /// Of them, with a limit in its warning share (and none overdue).
    pub warning: u32,
    /// Of them, with a limit overdue.
    pub breached: u32,
}

impl SupervisionCounts {
    pub(crate) fn add(&mut self, alarm: LimitState) {
        self.open += 1;
        match alarm {
            LimitState::Warning => self.warning += 1,
            LimitState::Overdue => self.breached += 1,
            _ => {}
        }
    }
}

/// Statistics of one department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentStats {
    /// The department (`unassigned` for orders no crew took).
    pub department: String,
    /// Orders worked (merged and cancelled orders are not counted).
    pub orders: u32,
    /// Orders whose outcome is known: every limit met, or one late.
    pub decided: u32,
    /// Of them, with every limit met in time.
    pub on_time: u32,
    /// Limits breached (each limit of each order once).
    pub breaches: u32,
    /// `on_time / decided`.
    pub on_time_rate: Option<f64>,
    /// Mean time from the outage becoming known to the crew on site.
    pub mean_arrival: Option<Millis>,
    /// Mean time from the crew's arrival to restoration.
    pub mean_restoration: Option<Millis>,
}

/// One open early-warning order (a preventive inspection) as the supervision view
/// shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarningRow {
    /// The order.
    pub id: EarlyWarningId,
    /// The device to inspect.
    pub device: OutageDeviceId,
    /// Why.
    pub reason: WarningReason,
    /// Raised at.
    pub opened: Timestamp,
    /// The inspection is due by.
    pub due: Timestamp,
    /// How its time limit stands.
    pub alarm: LimitState,
    /// Hotspots found again while it was open.
    pub repeats: u32,
}

/// The supervision view of a command centre: repair orders and early-warning orders
/// side by side, each kind with its own counts, and the departments' statistics (the
/// preventive inspections as a department of their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supervision {
    /// Open repair orders, as [`WorkOrders::supervision`] orders them.
    pub orders: Vec<SupervisionRow>,
    /// Open early-warning orders, overdue first, then in warning, then by due time.
    pub early_warnings: Vec<EarlyWarningRow>,
    /// Open repair orders by how their limits stand.
    pub repair: SupervisionCounts,
    /// Open early-warning orders by how their limit stands.
    pub early_warning: SupervisionCounts,
    /// Per department, in name order, then `preventive inspection` when any
    /// early-warning order was raised.
    pub departments: Vec<DepartmentStats>,
}

impl Supervision {
    /// The view at `now` of a centre's work orders and early-warning register.
    ///
    /// # Complexity
    /// O(W log W + E log E) for W work orders and E early-warning orders.
    pub fn of(orders: &WorkOrders, warnings: &EarlyWarnings, now: Timestamp) -> Self {
        let rows = orders.supervision(now);
        let mut repair = SupervisionCounts::default();
        for r in &rows {
            repair.add(r.alarm);
        }
        let mut early_warnings: Vec<EarlyWarningRow> = warnings
            .orders()
            .iter()
            .filter(|w| w.closed.is_none())
            .map(|w| EarlyWarningRow {
                id: w.id,
                device: w.device,
                reason: w.reason,
                opened: w.opened,
                due: w.due,
                alarm: warnings.alarm(w, now),
                repeats: w.repeats,
            })
            .collect();
        early_warnings.sort_by_key(|r| (std::cmp::Reverse(r.alarm), r.due, r.id));
        let mut departments = orders.statistics(now);
        if !warnings.orders().is_empty() {
            departments.push(warnings.department_stats());
        }
        Supervision {
            orders: rows,
            early_warnings,
            repair,
            early_warning: warnings.supervision(now),
            departments,
        }
    }
}

/// An available crew for an order, and what sending it would do to the time limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DispatchOption {
    /// The crew.
    pub crew: CrewId,
    /// Straight-line distance to the order's device.
    pub distance_m: f64,
    /// Turnout plus the trip.
    pub travel: Millis,
    /// When it would be on site, dispatched now.
    pub eta: Timestamp,
    /// The order's arrival due time.
    pub arrival_due: Timestamp,
    /// `arrival_due − eta`: negative when the crew would arrive late.
    pub slack: Millis,
    /// Whether it would arrive in time.
    pub meets_arrival: bool,
    /// For orders with critical customers: whether dispatching now meets the dispatch
    /// limit.
    pub meets_dispatch: Option<bool>,
}

fn alarm(w: &WorkOrder, limits: &crate::service::TimeLimits, now: Timestamp) -> LimitState {
    w.limits(limits, now)
        .iter()
        .filter(|l| l.met_at.is_none())
        .map(|l| l.state)
        .max()
        .unwrap_or(LimitState::Running)
}

impl WorkOrders {
    /// The supervision view at `now`: every open order, overdue ones first, then those
    /// in their warning share, then by their next due time.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use outage_locator::*;
    /// # use outage_locator::service::{LimitKind, LimitState, WorkOrderOptions};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let net = Arc::new(import_opendss(path).unwrap().0);
    /// # let engine = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    /// let mut orders = WorkOrders::new(WorkOrderOptions::default());
    /// let t: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// let w = orders.open_for_customer(&engine, net.customer_by_name("s1a").unwrap(), t);
    /// // Urban: on site within 45 min, warned at 80 % (36 min).
    /// assert_eq!(orders.supervision(t + 30 * MINUTE)[0].alarm, LimitState::Running);
    /// assert_eq!(orders.about_to_breach(t + 40 * MINUTE)[0].0, w);
    /// let (id, limit) = orders.breached(t + 46 * MINUTE)[0];
    /// assert_eq!((id, limit.kind), (w, LimitKind::Arrival));
    /// ```
    pub fn supervision(&self, now: Timestamp) -> Vec<SupervisionRow> {
        let limits = self.limits();
        let mut rows: Vec<SupervisionRow> = self
            .open_orders()
            .map(|w| SupervisionRow {
                order: w.id,
                device: w.device,
                zone: w.zone,
                priority: w.priority,
                state: w.state,
                crew: w.crew,
                customers: w.customers,
                critical: w.critical.len() as u32,
                next: w.next_limit(limits, now),
                alarm: alarm(w, limits, now),
                etr: w.etr,
            })
            .collect();
        rows.sort_by_key(|r| {
            (
                std::cmp::Reverse(r.alarm),
                r.next.map_or(Timestamp(i64::MAX), |l| l.due),
                r.priority,
                r.order,
            )
        });
        rows
    }

    fn open_limits(&self, now: Timestamp, state: LimitState) -> Vec<(WorkOrderId, LimitStatus)> {
        let limits = self.limits();
        let mut v: Vec<(WorkOrderId, LimitStatus)> = self
            .open_orders()
            .flat_map(|w| {
                w.limits(limits, now)
                    .into_iter()
                    .filter(move |l| l.state == state)
                    .map(move |l| (w.id, l))
            })
            .collect();
        v.sort_by_key(|(id, l)| (l.due, *id));
        v
    }

    /// Open orders' limits in their warning share (about to breach), earliest due first.
    pub fn about_to_breach(&self, now: Timestamp) -> Vec<(WorkOrderId, LimitStatus)> {
        self.open_limits(now, LimitState::Warning)
    }

    /// Open orders' overdue limits, earliest due first.
    pub fn breached(&self, now: Timestamp) -> Vec<(WorkOrderId, LimitStatus)> {
        self.open_limits(now, LimitState::Overdue)
    }

    /// Open orders counted by zone (urban, rural, remote).
    pub fn by_zone(&self, now: Timestamp) -> Vec<(ServiceZone, SupervisionCounts)> {
        let mut c = [SupervisionCounts::default(); ServiceZone::ALL.len()];
        for w in self.open_orders() {
            c[w.zone.index()].add(alarm(w, self.limits(), now));
        }
        ServiceZone::ALL.into_iter().zip(c).collect()
    }

    /// Open orders counted by crew (orders without a crew under `None`), in crew order.
    pub fn by_crew(&self, now: Timestamp) -> Vec<(Option<CrewId>, SupervisionCounts)> {
        let mut m: BTreeMap<Option<CrewId>, SupervisionCounts> = BTreeMap::new();
        for w in self.open_orders() {
            m.entry(w.crew)
                .or_default()
                .add(alarm(w, self.limits(), now));
        }
        m.into_iter().collect()
    }

    /// Statistics per department (the department of the crew that took the order), in
    /// name order.
    ///
    /// # Complexity
    /// O(orders).
    pub fn statistics(&self, now: Timestamp) -> Vec<DepartmentStats> {
        #[derive(Default)]
        struct Acc {
            orders: u32,
            decided: u32,
            on_time: u32,
            breaches: u32,
            arrival: (i64, u32),
            restoration: (i64, u32),
        }
        let limits = self.limits();
        let mut m: BTreeMap<String, Acc> = BTreeMap::new();
        for w in self.orders() {
            if matches!(w.closing, Some(Closing::Merged { .. } | Closing::Cancelled)) {
                continue;
            }
            let dept = w
                .department
                .clone()
                .unwrap_or_else(|| "unassigned".to_string());
            let a = m.entry(dept).or_default();
            a.orders += 1;
            let ls = w.limits(limits, now);
            let late = ls
                .iter()
                .filter(|l| matches!(l.state, LimitState::Overdue | LimitState::MetLate))
                .count() as u32;
            a.breaches += late;
            if late > 0 {
                a.decided += 1;
            } else if w.state >= OrderState::Restored
                && ls.iter().all(|l| l.state == LimitState::MetOnTime)
            {
                a.decided += 1;
                a.on_time += 1;
            }
            if let Some(t) = w.time_of(OrderState::OnSite) {
                a.arrival.0 += t.0 - w.promise_start.0;
                a.arrival.1 += 1;
                if let Some(r) = w.time_of(OrderState::Restored) {
                    a.restoration.0 += r.0 - t.0;
                    a.restoration.1 += 1;
                }
            }
        }
        let mean = |(s, n): (i64, u32)| (n > 0).then(|| s / n as i64);
        m.into_iter()
            .map(|(department, a)| DepartmentStats {
                department,
                orders: a.orders,
                decided: a.decided,
                on_time: a.on_time,
                breaches: a.breaches,
                on_time_rate: (a.decided > 0).then(|| a.on_time as f64 / a.decided as f64),
                mean_arrival: mean(a.arrival),
                mean_restoration: mean(a.restoration),
            })
            .collect()
    }

    /// The nearest available crews for an order by straight-line distance, at most
    /// `max`, with what dispatching each now would do to the order's limits. Empty when
    /// the order is closed, has a crew on site, or has no position.
    ///
    /// # Complexity
    /// O(crews log crews).
    pub fn dispatch_options(
        &self,
        id: WorkOrderId,
        now: Timestamp,
        max: usize,
    ) -> Vec<DispatchOption> {
        let Some(w) = self.get(id) else {
            return Vec::new();
        };
        let Some(site) = w.position else {
            return Vec::new();
        };
        if !w.is_open() || w.state >= OrderState::OnSite {
            return Vec::new();
        }
        let limits = self.limits();
        let due = w.arrival_due(limits);
        let dispatch_due = w
            .limit(LimitKind::Dispatch, limits, now)
            .filter(|l| l.met_at.is_none())
            .map(|l| l.due);
        let geometry = self.options().geometry;
        let turnout = self.options().turnout;
        let mut v: Vec<DispatchOption> = self
            .crews()
            .filter(|&(c, _)| self.crew_state(c) == CrewState::Available)
            .map(|(c, crew)| {
                let distance_m = geometry.distance_m(crew.position, site);
                let travel = turnout + crew.travel_time(distance_m);
                let eta = now + travel;
                DispatchOption {
                    crew: c,
                    distance_m,
                    travel,
                    eta,
                    arrival_due: due,
                    slack: due.0 - eta.0,
                    meets_arrival: eta <= due,
                    meets_dispatch: dispatch_due.map(|d| now <= d),
                }
            })
            .collect();
        v.sort_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then(a.crew.cmp(&b.crew))
        });
        v.truncate(max);
        v
    }
}
