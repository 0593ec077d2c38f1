//! # outage-locator
//!
//! Finds where the power is out on an electricity distribution network, fast and with
//! evidence, and turns that into work orders.
//!
//! The layers follow the data, and imports point one way:
//! network model ([`Network`], [`NetworkBuilder`], the OpenDSS reader
//! [`import_opendss`]) → topology views ([`EnergizationView`]).
//! The ticket layer follows the inference ([`Engine`]): work orders with their crews and
//! time limits ([`WorkOrders`]), outage notices ([`Notices`]) and call answers, driven
//! together by the [`CommandCentre`] and drawn by [`render_svg`].
//!
//! ```
//! use outage_locator::{import_opendss, EnergizationView};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let (net, report) = import_opendss(path).unwrap();
//! let view = EnergizationView::normal(&net).unwrap();
//! let fuse = net.outage_device_by_name("fuse.f_l68").unwrap();
//! assert_eq!(view.customer_count_below(fuse), 13);
//! assert_eq!(report.fuses, 17);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bits;
mod error;
mod ids;
mod rng;
mod time;

pub mod bench;
mod evidence;
mod inference;
mod map;
mod network;
mod replay;
mod service;
mod topology;

pub use bench::{metrics, rollup, simulate, synth};
pub use error::{
    CimError, Error, EventError, FileRefusal, ImportError, NetworkError, SourceLocation,
    SwitchingError,
};
pub use evidence::{CallDetail, Event, EventReader, EventRow, Evidence};
pub use ids::{BusId, CustomerId, DeviceId, ElementId, OutageDeviceId, SourceId};
pub use inference::{
    CallClassification, Change, Engine, EngineOptions, EngineSnapshot, EngineWarnings,
    EvidenceSummary, Momentary, Outage, OutageCause, OutageDevicePriors, OutageId, OutageStatus,
    RateEstimate, Rates,
};
pub use map::{MapOptions, render_svg};
pub use network::cim::{import_cim, import_cim_str, import_cim_str_with, import_cim_with};
pub use network::opendss::{
    ImportOptions, ImportReport, ImportWarning, import_opendss, import_opendss_str,
    import_opendss_str_with, import_opendss_with, load_network, load_network_with, report_for,
};
pub use network::{
    Bus, Customer, CustomerClass, DeviceKind, Element, ElementKind, LineOptions, Network,
    NetworkBuilder, OutageDeviceClass, OutageDeviceKind, ProtectiveDevice, ServiceZone, Source,
};
pub use replay::{Record, Replay, ReplaySnapshot, ReplaySummary};
pub use service::answers::{Advice, AnswerOptions, CallAnswer, DisconnectReason};
pub use service::centre::{CommandCentre, CommandCentreOptions, CommandCentreSnapshot, Outputs};
pub use service::crews::{Crew, CrewId, Geometry};
pub use service::notices::{
    Notice, NoticeId, NoticeKind, NoticeOptions, Notices, PlannedKind, PlannedWork, Progress,
};
pub use service::supervision::{
    DepartmentStats, DispatchOption, SupervisionCounts, SupervisionRow,
};
pub use service::tickets::{
    Action, AuditEntry, AuditEvent, Closing, CrewState, Etr, EtrSource, FaultCause, Fields,
    LimitKind, LimitState, LimitStatus, LinkedCall, OrderState, OutageSource, RestorationHistory,
    Step, TicketError, WorkOrderOptions, ZoneLimits, device_position, zone_name,
};
pub use service::tickets::{
    Priority, TimeLimits, WorkOrder, WorkOrderChange, WorkOrderId, WorkOrders,
};
pub use time::{MINUTE, Millis, SECOND, TimeParseError, Timestamp};
pub use topology::{EnergizationView, SwitchState, SwitchStates, SwitchingOp, Upstream};
