//! What the command centre does with the engine's conclusions: work orders with their
//! time limits and supervision, crews, outage notices, call answers, and the
//! [`CommandCentre`] that drives them together.
//!
//! The rooms, in the order the engine's changes flow through them:
//!
//! - `tickets`: work orders ([`WorkOrders`]) that follow the
//!   engine's outages, with the crew lifecycle, the time limits and the audit trail.
//! - `supervision`: the promise watched across orders: warnings and breaches by zone
//!   and crew, department statistics, the nearest crews to send, and the view of
//!   repair and early-warning orders side by side ([`Supervision`]).
//! - `crews`: a crew ([`Crew`]) and how it travels.
//! - `notices`: what affected customers are told, and when
//!   ([`Notices`]).
//! - `answers`: what a call-centre agent tells a caller
//!   ([`CallAnswer`]).
//! - `verification`: the AMI head-end meters are pinged through ([`HeadEnd`], the
//!   simulated [`SimulatedHeadEnd`]) and the choice of pings ([`PingPolicy`]).
//! - `warnings`: early-warning orders, preventive inspections of weak spots
//!   ([`EarlyWarnings`]), with their own time limit.
//! - `watch`: weak spots found live as faults repeat and calls cluster
//!   ([`WarningWatch`]), raising early-warning orders.
//! - `switching_orders` and `plans`: a confirmed fault's restoration plan and the
//!   switching order that carries it out ([`SwitchingOrders`]), beside its repair
//!   order, with their own time limit.
//! - `centre`: the [`CommandCentre`] that drives them together
//!   event by event.

pub(crate) mod answers;
pub(crate) mod centre;
pub(crate) mod crews;
pub(crate) mod notices;
pub(crate) mod plans;
pub(crate) mod supervision;
pub(crate) mod switching_orders;
pub(crate) mod tickets;
pub(crate) mod verification;
pub(crate) mod warnings;
pub(crate) mod watch;

pub use answers::{Advice, AnswerOptions, CallAnswer, DisconnectReason};
pub use centre::{CommandCentre, CommandCentreOptions, CommandCentreSnapshot, Outputs};
pub use crews::{Crew, CrewId, Geometry};
pub use notices::{
    Notice, NoticeId, NoticeKind, NoticeOptions, Notices, PlannedKind, PlannedWork, Progress,
};
pub use supervision::{
    DepartmentStats, DispatchOption, EarlyWarningRow, Supervision, SupervisionCounts,
    SupervisionRow,
};
pub use switching_orders::{
    SwitchingClosing, SwitchingOptions, SwitchingOrder, SwitchingOrderId, SwitchingOrders,
    SwitchingStep,
};
pub use tickets::{
    Action, AuditEntry, AuditEvent, Closing, CrewState, Etr, EtrSource, FaultCause, Fields,
    LimitKind, LimitState, LimitStatus, LinkedCall, OrderState, OutageSource, Priority,
    RestorationHistory, Step, TicketError, TimeLimits, WorkOrder, WorkOrderChange, WorkOrderId,
    WorkOrderOptions, WorkOrders, ZoneLimits, device_position,
};
pub use verification::{
    HeadEnd, PingBudget, PingPolicy, PingRequest, SimulatedHeadEnd, SupplyTable,
};
pub use warnings::{
    EarlyWarning, EarlyWarningId, EarlyWarningOptions, EarlyWarnings, WarningReason,
};
pub use watch::{WarningRules, WarningWatch};
