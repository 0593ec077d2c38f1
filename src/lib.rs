//! # outage-locator
//!
//! Finds where the power is out on an electricity distribution network, fast and with
//! evidence, and turns that into work orders.
//!
//! A utility's power-supply service command centre receives repair calls, smart-meter
//! last gasps and power restores, SCADA trips and recloses, and meter ping answers.
//! The reference is China's State Grid: 95598 is its customer-service hotline, and its
//! power-supply service command system takes the hotline's fault reports (the "95598
//! work orders") together with the meters' and SCADA's evidence, and holds the repair
//! crews to the service promise's time limits. This
//! crate keeps, at every moment, the devices that are out (a breaker, recloser, fuse,
//! switch, distribution transformer or one customer's service), the customers they
//! hold off and how sure it is; tells calls about known faults from planned work,
//! load shedding and disconnections; and opens one proactive work order per fault.
//!
//! ## From a model file to a work order
//!
//! ```
//! use outage_locator::service::{CommandCentreOptions, WorkOrderChange};
//! use outage_locator::{CommandCentre, EngineOptions, Event, Evidence, MINUTE, Timestamp};
//!
//! // The network, from the OpenDSS model a utility brings.
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let (net, report) = outage_locator::import_opendss(path)?;
//! assert_eq!(report.customers, 91);
//!
//! // The engine and its work orders, kept in step; the centre keeps the network
//! // (hand it an `Arc<Network>` instead to share it).
//! let opts = CommandCentreOptions::default();
//! let mut centre = CommandCentre::new(net, EngineOptions::default(), opts)?;
//!
//! // Evidence: the meters below fuse f_l68 send their last gasps.
//! let fuse = centre.network().outage_device_by_name("fuse.f_l68").unwrap();
//! let t0: Timestamp = "2026-07-01T12:00:00Z".parse()?;
//! for meter in centre.engine().view().customers_below(fuse).to_vec() {
//!     centre.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter } });
//! }
//!
//! // Last gasps are held a minute (a momentary interruption would restore within
//! // seconds); then the engine locates the outage at the fuse, and a work order opens.
//! let out = centre.ingest(Event { time: t0 + 5 * MINUTE, evidence: Evidence::Tick });
//! assert!(matches!(out.orders[0], WorkOrderChange::Opened(_)));
//! let outage = centre.engine().open_outages().next().unwrap();
//! assert_eq!(outage.device, fuse);
//! assert_eq!(outage.customers, 13);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The layers, in the order the data flows
//!
//! | module | what it holds | main types |
//! | --- | --- | --- |
//! | [`network`] | the model: buses, elements, protective devices, customers; the OpenDSS and CIM XML readers | [`Network`], [`NetworkBuilder`], [`import_opendss`], [`load_network`] |
//! | [`topology`] | energization views: who is below what, switching | [`EnergizationView`] |
//! | [`evidence`] | typed events and the event-file reader | [`Event`], [`Evidence`], [`EventReader`] |
//! | [`inference`] | the engine: exact most probable explanation on the radial network | [`Engine`], [`EngineOptions`], [`Outage`], [`Change`] |
//! | [`service`] | work orders, time limits, crews, notices, call answers | [`CommandCentre`], [`WorkOrders`], [`WorkOrder`] |
//! | [`replay`] | the file contract: event file in, JSON Lines records out | [`Replay`], [`Record`] |
//! | [`map`] | the state as an SVG map | [`map::render_svg`] |
//! | [`bench`](mod@bench) | the yardstick: day simulator with truth, roll-up rule, metrics, synthetic networks | [`bench::simulate::Simulator`] |
//!
//! Ids ([`CustomerId`], [`OutageDeviceId`], …), times ([`Timestamp`]) and errors
//! ([`Error`] and one enum per area) are at the root. Imports inside the crate point
//! down the table, never up.
//!
//! ## Where to read more
//!
//! - [`_documentation::formats`]: the files in and out (the event CSV with every kind
//!   and detail, the JSON Lines records with every field, the JSON network file, the
//!   engine's options), versioned.
//! - [`_documentation::design`]: why the engine is built the way it is (the likelihood
//!   model, exact inference on the device tree, pre-order intervals, held last gasps).
//! - [`_documentation::changelog`]: what changed, breaking changes marked.
//! - [`bench::metrics`]: how accuracy is scored.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod binary;
mod bits;
mod error;
mod ids;
mod rng;
mod time;
mod variant_names;

pub mod bench;
pub mod evidence;
pub mod inference;
pub mod map;
pub mod network;
pub mod reliability;
pub mod replay;
pub mod restoration;
pub mod service;
pub mod topology;

pub mod _documentation {
    //! Longer documents, rendered with the API docs.

    #[doc = include_str!("../DESIGN.md")]
    pub mod design {}

    #[doc = include_str!("../CHANGELOG.md")]
    pub mod changelog {}

    #[doc = include_str!("_documentation/formats.md")]
    pub mod formats {}
}

/// The `geo` crate, whose types appear in the API ([`network::Bus::point`]).
pub use geo;
/// The `petgraph` crate, whose types appear in the API ([`Network::physical_graph`]).
pub use petgraph;

pub use error::{
    CimError, Error, EventError, FileRefusal, ImportError, NetworkError, OptionsError, ReplayError,
    SourceLocation, SwitchingError,
};
pub use evidence::{Event, EventReader, Evidence};
pub use ids::{BusId, CustomerId, DeviceId, ElementId, OutageDeviceId, SourceId};
pub use inference::{Change, Engine, EngineOptions, Outage, OutageId};
pub use network::{
    Element, ElementKind, ImportOptions, ImportReport, Network, NetworkBuilder, import_opendss,
    import_opendss_str, import_opendss_str_with, import_opendss_with, load_network,
    load_network_with,
};
pub use replay::{Record, Replay};
pub use service::{CommandCentre, WorkOrder, WorkOrderId, WorkOrders};
pub use time::{MINUTE, Millis, SECOND, TimeParseError, Timestamp};
pub use topology::EnergizationView;

/// The README's code, compiled with the doc tests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
