//! The network model: buses, elements, protective devices, customers and sources,
//! built and validated by [`NetworkBuilder`].
//!
//! The rooms, in the order a network comes to be:
//!
//! - `opendss`: the OpenDSS reader, which feeds a [`NetworkBuilder`] from model files.
//! - `cim`: the CIM XML reader, which feeds one from a CIM export.
//! - `builder`: [`NetworkBuilder`] and its [`LineOptions`]: objects added by name or id.
//! - `derive`: the tables derived at build time (name indexes, bus adjacency, parallel
//!   bundles, the outage devices and where they sit, customers by bus).
//! - `radial`: the check that closed elements form no loop and reach every customer.
//! - `objects`: the objects themselves ([`Bus`], [`Element`], [`ProtectiveDevice`],
//!   [`Customer`], [`Source`]) and their kinds and classes.
//! - `model`: [`Network`], the stored arrays and derived tables, with accessors.
//! - `outage_devices`: the outage devices ([`OutageDeviceKind`], [`OutageDeviceClass`]):
//!   what each is, and the depth of their tree in the normal state.
//! - `names` and `name_index`: lookups by name through a compact hash index.
//! - `json`: the crate's JSON network file.

mod builder;
pub(crate) mod cim;
mod derive;
mod json;
mod model;
mod name_index;
mod names;
mod objects;
pub(crate) mod opendss;
mod outage_devices;
mod radial;

pub use builder::{LineOptions, NetworkBuilder};
pub use cim::{import_cim, import_cim_str, import_cim_str_with, import_cim_with};
pub use model::Network;
pub(crate) use names::bus_key;
pub use objects::{
    Bus, Customer, CustomerClass, DeviceKind, Element, ElementKind, ProtectiveDevice, ServiceZone,
    Source,
};
pub use opendss::{
    ImportOptions, ImportReport, ImportWarning, import_opendss, import_opendss_str,
    import_opendss_str_with, import_opendss_with, load_network, load_network_with, report_for,
};
pub use outage_devices::{OutageDeviceClass, OutageDeviceKind};
