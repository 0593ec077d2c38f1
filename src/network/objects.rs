//! The objects a network is made of: buses, power-delivery elements, protective
//! devices, customers and sources, as the model describes them.

use serde::{Deserialize, Serialize};

use crate::error::SourceLocation;
use crate::ids::{BusId, ElementId};

/// A bus: a node of the physical network, with its position where the model has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    /// Lowercase bus name, without node suffixes.
    pub name: String,
    /// `[x, y]` in the model's coordinates, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<[f64; 2]>,
}

impl Bus {
    /// The position as a `geo` point.
    pub fn point(&self) -> Option<geo::Point<f64>> {
        self.position.map(|[x, y]| geo::Point::new(x, y))
    }
}

/// What a power-delivery element is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// A line section (overhead, cable, service drop, or a switch when `switch` is set).
    Line,
    /// A transformer; `lowest_kv` below 1 kV makes it a distribution transformer.
    Transformer,
    /// A series reactor.
    Reactor,
}

/// A power-delivery element joining two buses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Element {
    /// Lowercase `class.name`, for example `line.l12` or `transformer.t5`.
    pub name: String,
    /// What it is.
    pub kind: ElementKind,
    /// The bus of terminal 1 (towards the source in a normally fed feeder).
    pub from: BusId,
    /// The bus of terminal 2.
    pub to: BusId,
    /// Number of phases.
    pub phases: u8,
    /// A line that is a switch (`switch=yes`).
    #[serde(default)]
    pub switch: bool,
    /// Open in the model's normal state (opened, or disabled).
    #[serde(default)]
    pub normally_open: bool,
    /// For transformers: the lowest winding voltage, kV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lowest_kv: Option<f64>,
    /// For transformers: the rating, kVA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_kva: Option<f64>,
    /// For transformers: the highest winding voltage (the primary's), kV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_kv: Option<f64>,
    /// The normal current rating (OpenDSS `normamps`), A, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_amps: Option<f64>,
    /// The emergency current rating (OpenDSS `emergamps`), A, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_amps: Option<f64>,
    /// Where it was defined.
    #[serde(default)]
    pub at: SourceLocation,
}

impl Element {
    /// A transformer stepping down to utilisation voltage (lowest winding below 1 kV).
    pub fn is_distribution_transformer(&self) -> bool {
        self.kind == ElementKind::Transformer && self.lowest_kv.is_some_and(|kv| kv < 1.0)
    }
}

/// The kind of a protective device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A circuit breaker (an OpenDSS `Relay` stands for the breaker it trips).
    Breaker,
    /// A recloser.
    Recloser,
    /// A sectionalizer.
    Sectionalizer,
    /// A fuse.
    Fuse,
    /// A controlled switch (`SwtControl`).
    Switch,
}

impl DeviceKind {
    /// Upstream-most first: the order devices stack on one element.
    pub(crate) fn rank(self) -> u8 {
        match self {
            DeviceKind::Breaker => 0,
            DeviceKind::Recloser => 1,
            DeviceKind::Sectionalizer => 2,
            DeviceKind::Fuse => 3,
            DeviceKind::Switch => 4,
        }
    }
}

/// A protective device (or controlled switch) at terminal 1 of an element: it holds
/// off everything downstream of that element when open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectiveDevice {
    /// Lowercase `class.name`: `relay.brk1`, `recloser.r3`, `fuse.f12`, `swtcontrol.s1`.
    pub name: String,
    /// What it is.
    pub kind: DeviceKind,
    /// The element it opens.
    pub element: ElementId,
    /// Reports its state to SCADA.
    #[serde(default)]
    pub telemetered: bool,
    /// Open in the normal state (a normally-open tie).
    #[serde(default)]
    pub normally_open: bool,
    /// Where it was defined.
    #[serde(default)]
    pub at: SourceLocation,
}

/// A customer's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerClass {
    /// Households.
    #[default]
    Residential,
    /// Shops and offices.
    Commercial,
    /// Factories.
    Industrial,
    /// Farms and irrigation.
    Agricultural,
    /// Public services.
    Public,
}

/// The service zone a customer lies in; it sets the time limits of the service promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceZone {
    /// City.
    #[default]
    Urban,
    /// Countryside.
    Rural,
    /// Remote areas.
    Remote,
}

impl ServiceZone {
    /// All zones, strictest first.
    pub const ALL: [ServiceZone; 3] = [ServiceZone::Urban, ServiceZone::Rural, ServiceZone::Remote];

    /// The zone's place in [`ServiceZone::ALL`], for per-zone tables.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// A customer, served at one service point by one meter, at a bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// Lowercase `load.name`; the meter has the same name.
    pub name: String,
    /// The bus of the service point.
    pub bus: BusId,
    /// Customer class.
    #[serde(default)]
    pub class: CustomerClass,
    /// A hospital, life-support or other critical customer.
    #[serde(default)]
    pub critical: bool,
    /// Service zone.
    #[serde(default)]
    pub zone: ServiceZone,
    /// The load's active power, kW, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kw: Option<f64>,
    /// The load's reactive power, kvar, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kvar: Option<f64>,
    /// Where it was defined.
    #[serde(default)]
    pub at: SourceLocation,
}

/// A source: the substation bus of a circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Lowercase `circuit.name`.
    pub name: String,
    /// The bus it feeds.
    pub bus: BusId,
    /// The nominal line-to-line voltage at the source bus, kV, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_kv: Option<f64>,
}
