//! # outage-locator
//!
//! Finds where the power is out on an electricity distribution network, fast and with
//! evidence, and turns that into work orders.
//!
//! The layers follow the data, and imports point one way:
//! network model ([`Network`], [`NetworkBuilder`], the OpenDSS reader
//! [`import_opendss`]) → topology views ([`EnergizationView`]).
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

mod error;
mod evidence;
mod ids;
mod inference;
mod network;
mod opendss;
mod replay;
mod tickets;
mod time;
mod topology;

pub mod metrics;
pub mod rollup;
pub mod simulate;
pub mod synth;

pub use error::{Error, EventError, ImportError, NetworkError, SourceLocation, SwitchingError};
pub use evidence::{CallDetail, Event, EventReader, EventRow, Evidence};
pub use ids::{BusId, CustomerId, DeviceId, ElementId, OutageDeviceId, SourceId};
pub use inference::{
    CallClassification, Change, Engine, EngineOptions, EngineSnapshot, EngineWarnings,
    EvidenceSummary, Momentary, Outage, OutageCause, OutageDevicePriors, OutageId, OutageStatus,
    RateEstimate, Rates,
};
pub use network::{
    Bus, Customer, CustomerClass, DeviceKind, Element, ElementKind, LineOptions, Network,
    NetworkBuilder, OutageDeviceClass, OutageDeviceKind, ProtectiveDevice, ServiceZone, Source,
};
pub use opendss::{
    ImportReport, ImportWarning, import_opendss, import_opendss_str, load_network, report_for,
};
pub use replay::{Record, Replay, ReplaySnapshot, ReplaySummary};
pub use tickets::{Priority, TimeLimits, WorkOrder, WorkOrderChange, WorkOrderId, WorkOrders};
pub use time::{MINUTE, Millis, SECOND, TimeParseError, Timestamp};
pub use topology::{EnergizationView, SwitchState, SwitchStates, SwitchingOp, Upstream};
