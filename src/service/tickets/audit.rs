//! The append-only audit trail: its entries, what they record, and the one place they
//! are written.

use serde::{Deserialize, Serialize};

use super::limits::LimitKind;
use super::order::{Closing, Etr, OrderState, Priority, WorkOrderId};
use super::{WorkOrders, idx};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::OutageId;
use crate::network::ServiceZone;
use crate::service::crews::CrewId;
use crate::time::Timestamp;

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// The order.
    pub order: WorkOrderId,
    /// The crew on the order then.
    pub crew: Option<CrewId>,
    /// What happened.
    pub event: AuditEvent,
}

/// What an audit entry records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditEvent {
    /// Opened.
    Created {
        /// Its outage.
        outage: Option<OutageId>,
        /// Its device.
        device: OutageDeviceId,
        /// Its priority.
        priority: Priority,
        /// Customers off.
        customers: u32,
    },
    /// The outage moved to another device (roll-up or split).
    DeviceChanged {
        /// Before.
        from: OutageDeviceId,
        /// After.
        to: OutageDeviceId,
        /// Customers off now.
        customers: u32,
    },
    /// Priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// The zone (and so the limits) changed.
    ZoneChanged {
        /// Before.
        from: ServiceZone,
        /// After.
        to: ServiceZone,
    },
    /// The promise's clock moved earlier (an absorbed order had waited longer).
    PromiseStartChanged {
        /// Now.
        to: Timestamp,
    },
    /// A call linked.
    CallLinked {
        /// The caller.
        customer: CustomerId,
        /// A wire down.
        wire_down: bool,
    },
    /// A single-customer order now follows an outage, or an order follows another
    /// outage id.
    OutageLinked {
        /// The outage.
        outage: OutageId,
    },
    /// A lifecycle step.
    Step {
        /// The state entered.
        state: OrderState,
    },
    /// Another crew took over.
    Reassigned {
        /// The crew that left.
        from: CrewId,
    },
    /// The crew was freed (its order merged or was cancelled).
    CrewReleased {
        /// The crew.
        released: CrewId,
    },
    /// Merged into another order.
    Merged {
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Absorbed another order (its calls and, if this one had none, its crew).
    Absorbed {
        /// The merged order.
        from: WorkOrderId,
    },
    /// The engine retracted the outage while a crew was at it: the crew decides.
    OutageRetracted,
    /// Closed, with the cause.
    Closed {
        /// The closing.
        closing: Closing,
    },
    /// The estimated restoration time changed.
    EtrChanged {
        /// Before.
        from: Option<Timestamp>,
        /// After.
        to: Etr,
    },
    /// A limit entered its warning share.
    Warning {
        /// The limit.
        limit: LimitKind,
    },
    /// A limit passed its due time.
    Breached {
        /// The limit.
        limit: LimitKind,
    },
}

impl WorkOrders {
    /// Appends an entry to the audit trail, with the order's crew then: the one
    /// place entries are written.
    pub(super) fn log(&mut self, at: Timestamp, order: WorkOrderId, event: AuditEvent) {
        let crew = self.orders[idx(order)].crew;
        self.audit.push(AuditEntry {
            at,
            order,
            crew,
            event,
        });
    }
}
