//! The work order and what it is made of: its id, priority, state and steps, how it was
//! closed, its estimated restoration time and its linked calls.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::OutageId;
use crate::network::{OutageDeviceClass, ServiceZone};
use crate::service::crews::CrewId;
use crate::time::Timestamp;

/// A work order id (`W1`, `W2`, … in the replay output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkOrderId(pub u32);

impl std::fmt::Display for WorkOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "W{}", self.0)
    }
}

/// How urgent an order is; `Emergency` sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Critical customers off supply, or a wire down.
    Emergency,
    /// Many customers ([`WorkOrderOptions::high_customers`](crate::service::WorkOrderOptions::high_customers) or more).
    High,
    /// Several customers ([`WorkOrderOptions::medium_customers`](crate::service::WorkOrderOptions::medium_customers) or more).
    Medium,
    /// Fewer.
    Low,
}

/// Where an order stands. The states are ordered: an order only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Opened, no crew yet.
    Created,
    /// A crew is assigned.
    Dispatched,
    /// The crew is on its way.
    EnRoute,
    /// The crew is at the device.
    OnSite,
    /// Supply is back (reported by the crew or seen by the engine).
    Restored,
    /// Done: completed with a cause, merged into another order, or cancelled.
    Closed,
}

crate::variant_names::display_as_serde_name!(Priority, OrderState);

/// What the crew found, given when the order is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultCause {
    /// Wind, lightning, ice, flooding.
    Weather,
    /// Trees and branches.
    Vegetation,
    /// Birds, squirrels, snakes.
    Animal,
    /// Equipment failure (transformer, cable, connector, insulator).
    Equipment,
    /// Third-party damage: vehicles, digging, kites.
    ThirdParty,
    /// Overload.
    Overload,
    /// The crew found no fault.
    NoFaultFound,
    /// Not established.
    Unknown,
}

/// How an order was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// Work done; the cause when the crew gave one (`None` when the order was closed
    /// automatically on restoration, see [`WorkOrderOptions::close_on_restore`](crate::service::WorkOrderOptions::close_on_restore)).
    Completed {
        /// The cause.
        cause: Option<FaultCause>,
    },
    /// Its outage rolled up into another outage: this order merged into that one's.
    Merged {
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Withdrawn before a crew reached the site (the prediction was retracted, or by
    /// hand).
    Cancelled,
}

/// One lifecycle step of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The state entered.
    pub state: OrderState,
    /// When.
    pub at: Timestamp,
    /// The crew on the order then.
    pub crew: Option<CrewId>,
}

/// Where an estimated restoration time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtrSource {
    /// Historical mean restoration time for the device class and zone.
    Historical,
    /// Entered by the crew.
    Crew,
    /// The previous estimate passed with the supply still off: moved on, and announced.
    Extended,
}

/// An estimated restoration time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Etr {
    /// When supply is expected back.
    pub at: Timestamp,
    /// Where the estimate comes from.
    pub source: EtrSource,
}

/// A call linked to an order (one entry per customer; repeated calls add nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedCall {
    /// The caller.
    pub customer: CustomerId,
    /// When the first call was linked.
    pub at: Timestamp,
    /// Whether the caller reported a wire down.
    pub wire_down: bool,
}

/// A work order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// Id.
    pub id: WorkOrderId,
    /// The fault outage it works on, or worked on when that closed (`None` for a
    /// single-customer order opened on a call that no outage explains).
    pub outage: Option<OutageId>,
    /// The device to go to.
    pub device: OutageDeviceId,
    /// The device's class (restoration times are kept per class and zone).
    pub class: OutageDeviceClass,
    /// The device's position (its bus), in the model's coordinates.
    pub position: Option<[f64; 2]>,
    /// The zone whose limits apply: the zone of most of the affected customers.
    pub zone: ServiceZone,
    /// Customers off supply below the device.
    pub customers: u32,
    /// The critical customers among them.
    pub critical: Vec<CustomerId>,
    /// Priority.
    pub priority: Priority,
    /// Where it stands.
    pub state: OrderState,
    /// Every step taken, in order, with its time and crew.
    pub steps: Vec<Step>,
    /// The crew on it.
    pub crew: Option<CrewId>,
    /// The department of the crew that took it.
    pub department: Option<String>,
    /// How it was closed.
    pub closing: Option<Closing>,
    /// The order it merged into.
    pub merged_into: Option<WorkOrderId>,
    /// Linked calls, one per customer, in the order they were linked (an absorbed
    /// order's calls are appended at the merge).
    pub calls: Vec<LinkedCall>,
    /// Estimated restoration time.
    pub etr: Option<Etr>,
    /// The outage's estimated start.
    pub outage_start: Timestamp,
    /// When the promise's clock started (the outage opened).
    pub promise_start: Timestamp,
    /// Since when critical customers are on it (the dispatch limit runs from then).
    pub critical_since: Option<Timestamp>,
    /// Where the crew started its trip from.
    pub(super) crew_origin: Option<[f64; 2]>,
    /// Warnings and breaches already raised (bits of [`LimitKind`](crate::service::LimitKind), breaches shifted
    /// by 4).
    pub(super) alerts: u8,
}

impl WorkOrder {
    /// The step that entered a state, if taken.
    pub fn step(&self, state: OrderState) -> Option<&Step> {
        self.steps.iter().rev().find(|s| s.state == state)
    }

    /// When a state was entered, if it was.
    pub fn time_of(&self, state: OrderState) -> Option<Timestamp> {
        self.step(state).map(|s| s.at)
    }

    /// When the order was created.
    pub fn created_at(&self) -> Timestamp {
        self.steps[0].at
    }

    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.state != OrderState::Closed
    }
}
