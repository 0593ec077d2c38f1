//! What the ticket layer reports: the changes to orders each call makes, and the fields
//! an update touched.

use super::WorkOrders;
use super::limits::LimitKind;
use super::order::{OrderState, WorkOrderId};
use crate::ids::CustomerId;

/// Which fields of an order an update touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fields(u8);

impl Fields {
    /// The device (and position, customers, zone).
    pub const DEVICE: Fields = Fields(1);
    /// The priority.
    pub const PRIORITY: Fields = Fields(2);
    /// A due time.
    pub const DUE: Fields = Fields(4);
    /// The customers or the critical customers.
    pub const CUSTOMERS: Fields = Fields(8);
    /// The estimated restoration time.
    pub const ETR: Fields = Fields(16);

    /// Whether every field of `other` is in `self`.
    pub fn contains(self, other: Fields) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any field of `other` is in `self`.
    pub fn intersects(self, other: Fields) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no field is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Fields {
    type Output = Fields;
    fn bitor(self, o: Fields) -> Fields {
        Fields(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Fields {
    fn bitor_assign(&mut self, o: Fields) {
        self.0 |= o.0;
    }
}

/// What happened to a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkOrderChange {
    /// Opened.
    Opened(WorkOrderId),
    /// Fields changed.
    Updated {
        /// The order.
        order: WorkOrderId,
        /// What changed.
        fields: Fields,
    },
    /// A lifecycle step (dispatched, en route, on site, restored; a reassignment shows
    /// as `Dispatched` again).
    Progressed {
        /// The order.
        order: WorkOrderId,
        /// The state entered.
        state: OrderState,
    },
    /// Merged into another order (and closed).
    Merged {
        /// The order.
        order: WorkOrderId,
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Closed: completed or cancelled (see [`WorkOrder::closing`](crate::WorkOrder::closing)).
    Closed(WorkOrderId),
    /// A call was linked.
    CallLinked {
        /// The order.
        order: WorkOrderId,
        /// The caller.
        customer: CustomerId,
    },
    /// A limit entered its warning share.
    Warning {
        /// The order.
        order: WorkOrderId,
        /// The limit.
        limit: LimitKind,
    },
    /// A limit passed its due time.
    Breached {
        /// The order.
        order: WorkOrderId,
        /// The limit.
        limit: LimitKind,
    },
}

impl WorkOrderChange {
    /// The order it is about.
    pub fn order(&self) -> WorkOrderId {
        match *self {
            WorkOrderChange::Opened(o) | WorkOrderChange::Closed(o) => o,
            WorkOrderChange::Updated { order, .. }
            | WorkOrderChange::Progressed { order, .. }
            | WorkOrderChange::Merged { order, .. }
            | WorkOrderChange::CallLinked { order, .. }
            | WorkOrderChange::Warning { order, .. }
            | WorkOrderChange::Breached { order, .. } => order,
        }
    }
}

impl WorkOrders {
    /// Reports an update of an order, when it touched any field.
    pub(super) fn updated(&mut self, order: WorkOrderId, fields: Fields) {
        if !fields.is_empty() {
            self.changes
                .push(WorkOrderChange::Updated { order, fields });
        }
    }
}
