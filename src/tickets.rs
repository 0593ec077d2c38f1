//! Work orders: one proactive order per fault outage, following the engine's outages
//! through roll-ups (merge) and splits.

use serde::{Deserialize, Serialize};

use crate::ids::OutageDeviceId;
use crate::inference::{Change, Engine, OutageCause, OutageId};
use crate::network::ServiceZone;
use crate::time::{MINUTE, Millis, Timestamp};

/// A work order id (`W1`, `W2`, … in the replay output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkOrderId(pub u32);

impl std::fmt::Display for WorkOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "W{}", self.0)
    }
}

/// How urgent an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Critical customers or a wire down.
    Emergency,
    /// Fifty customers or more.
    High,
    /// Five customers or more.
    Medium,
    /// Fewer.
    Low,
}

impl Priority {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "emergency",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
}

/// Time limits of the service promise, per zone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// Crew on site, urban.
    pub arrival_urban: Millis,
    /// Crew on site, rural.
    pub arrival_rural: Millis,
    /// Crew on site, remote.
    pub arrival_remote: Millis,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            arrival_urban: 45 * MINUTE,
            arrival_rural: 90 * MINUTE,
            arrival_remote: 120 * MINUTE,
        }
    }
}

impl TimeLimits {
    /// The arrival limit of a zone.
    pub fn arrival(&self, z: ServiceZone) -> Millis {
        match z {
            ServiceZone::Urban => self.arrival_urban,
            ServiceZone::Rural => self.arrival_rural,
            ServiceZone::Remote => self.arrival_remote,
        }
    }
}

/// A work order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// Id.
    pub id: WorkOrderId,
    /// The fault outage it works on.
    pub outage: OutageId,
    /// The device to go to.
    pub device: OutageDeviceId,
    /// Priority.
    pub priority: Priority,
    /// Crew on site due.
    pub due: Timestamp,
    /// Opened at.
    pub opened_at: Timestamp,
    /// Closed at, if closed.
    pub closed_at: Option<Timestamp>,
    /// The order it merged into, if any.
    pub merged_into: Option<WorkOrderId>,
}

/// What happened to a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkOrderChange {
    /// Opened.
    Opened(WorkOrderId),
    /// Device or priority changed.
    Updated(WorkOrderId),
    /// Closed (merged when `merged_into` is set on the order).
    Closed(WorkOrderId),
}

/// The work orders of a command centre, kept in step with an [`Engine`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkOrders {
    limits: TimeLimits,
    orders: Vec<WorkOrder>,
    by_outage: std::collections::BTreeMap<OutageId, WorkOrderId>,
    #[serde(skip)]
    changes: Vec<WorkOrderChange>,
}

impl WorkOrders {
    /// Work orders under the given time limits.
    pub fn new(limits: TimeLimits) -> Self {
        WorkOrders {
            limits,
            ..Default::default()
        }
    }

    /// One order.
    pub fn order(&self, id: WorkOrderId) -> &WorkOrder {
        &self.orders[id.0 as usize - 1]
    }

    /// All orders.
    pub fn orders(&self) -> &[WorkOrder] {
        &self.orders
    }

    /// The order of an outage.
    pub fn order_of(&self, o: OutageId) -> Option<WorkOrderId> {
        self.by_outage.get(&o).copied()
    }

    /// Follows the engine's changes; returns the order changes.
    pub fn follow(&mut self, engine: &Engine<'_>, changes: &[Change]) -> &[WorkOrderChange] {
        self.changes.clear();
        let now = engine.clock();
        for ch in changes {
            match *ch {
                Change::Opened(oid) => {
                    let Some(o) = engine.outage(oid) else {
                        continue;
                    };
                    if o.cause != OutageCause::Fault {
                        continue;
                    }
                    let (priority, due) = self.assess(engine, o.device, now);
                    let id = WorkOrderId(self.orders.len() as u32 + 1);
                    self.orders.push(WorkOrder {
                        id,
                        outage: oid,
                        device: o.device,
                        priority,
                        due,
                        opened_at: now,
                        closed_at: None,
                        merged_into: None,
                    });
                    self.by_outage.insert(oid, id);
                    self.changes.push(WorkOrderChange::Opened(id));
                }
                Change::Updated(oid) => {
                    let (Some(o), Some(&id)) = (engine.outage(oid), self.by_outage.get(&oid))
                    else {
                        continue;
                    };
                    if self.orders[id.0 as usize - 1].device != o.device {
                        let (priority, _) = self.assess(engine, o.device, now);
                        let w = &mut self.orders[id.0 as usize - 1];
                        w.device = o.device;
                        w.priority = w.priority.min(priority);
                        self.changes.push(WorkOrderChange::Updated(id));
                    }
                }
                Change::Closed {
                    outage,
                    merged_into,
                } => {
                    let Some(id) = self.by_outage.remove(&outage) else {
                        continue;
                    };
                    let into = merged_into.and_then(|m| self.by_outage.get(&m).copied());
                    let w = &mut self.orders[id.0 as usize - 1];
                    w.closed_at = Some(now);
                    w.merged_into = into;
                    self.changes.push(WorkOrderChange::Closed(id));
                }
                Change::Call(_) | Change::Momentary(_) => {}
            }
        }
        &self.changes
    }

    fn assess(
        &self,
        engine: &Engine<'_>,
        d: OutageDeviceId,
        now: Timestamp,
    ) -> (Priority, Timestamp) {
        let net = engine.network();
        let below = engine.view().customers_below(d);
        let mut critical = false;
        let mut wire = false;
        let mut zone = ServiceZone::Urban;
        for &c in below {
            let cu = net.customer(c);
            critical |= cu.critical;
            wire |= engine.wire_down(c);
            if (cu.zone as u8) > (zone as u8) {
                zone = cu.zone;
            }
        }
        let n = below.len();
        let p = if critical || wire {
            Priority::Emergency
        } else if n >= 50 {
            Priority::High
        } else if n >= 5 {
            Priority::Medium
        } else {
            Priority::Low
        };
        (p, now + self.limits.arrival(zone))
    }
}
