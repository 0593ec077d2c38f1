//! The network model: buses, elements, protective devices, customers and sources,
//! built and validated by [`NetworkBuilder`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{NetworkError, SourceLocation};
use crate::ids::{BusId, CustomerId, DeviceId, ElementId, NONE, OutageDeviceId, SourceId};

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
}

/// What an outage device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutageDeviceKind {
    /// A customer's own service.
    Service(CustomerId),
    /// A distribution transformer.
    Transformer(ElementId),
    /// A line with `switch=yes` that carries no protective device.
    Switch(ElementId),
    /// A protective device.
    Protective(DeviceId),
    /// A whole source (loss of supply to the circuit).
    Source(SourceId),
}

/// The coarse class of an outage device, for priors and statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageDeviceClass {
    /// A customer's service.
    Service,
    /// A distribution transformer.
    Transformer,
    /// A fuse.
    Fuse,
    /// A sectionalizer.
    Sectionalizer,
    /// A manual or controlled switch.
    Switch,
    /// A recloser.
    Recloser,
    /// A breaker.
    Breaker,
    /// The source.
    Source,
}

impl OutageDeviceClass {
    /// All classes, downstream-most first.
    pub const ALL: [OutageDeviceClass; 8] = [
        OutageDeviceClass::Service,
        OutageDeviceClass::Transformer,
        OutageDeviceClass::Fuse,
        OutageDeviceClass::Sectionalizer,
        OutageDeviceClass::Switch,
        OutageDeviceClass::Recloser,
        OutageDeviceClass::Breaker,
        OutageDeviceClass::Source,
    ];
}

/// A network that passed validation: the arrays, the name index, and derived tables
/// (parallel bundles, outage devices, adjacency) that the topology views use.
///
/// Serialises to the crate's JSON network format; deserialising validates again.
///
/// ```
/// use outage_locator::{NetworkBuilder, DeviceKind};
/// let mut b = NetworkBuilder::new("demo");
/// b.add_bus("s"); b.add_bus("a"); b.add_bus("x");
/// b.add_source("circuit.demo", "s").unwrap();
/// b.add_line("line.l1", "s", "a").unwrap();
/// b.add_transformer("transformer.t1", "a", "x", 0.24, 25.0).unwrap();
/// b.add_device("fuse.f1", DeviceKind::Fuse, "line.l1").unwrap();
/// b.add_customer("load.c1", "x").unwrap();
/// let net = b.build().unwrap();
/// assert_eq!(net.customers().len(), 1);
/// assert!(net.outage_device_by_name("FUSE.F1").is_some());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "NetworkData", into = "NetworkData")]
pub struct Network {
    data: NetworkData,
    derived: Derived,
}

/// The stored part of a network (its JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NetworkData {
    format: String,
    name: String,
    buses: Vec<Bus>,
    elements: Vec<Element>,
    devices: Vec<ProtectiveDevice>,
    customers: Vec<Customer>,
    sources: Vec<Source>,
}

const FORMAT: &str = "outage-locator/network/1";

#[derive(Debug, Clone, Default)]
struct Derived {
    /// Lowercase name -> object.
    names: HashMap<String, Named>,
    /// Lowercase bus name -> bus.
    bus_names: HashMap<String, BusId>,
    /// For every element, the representative element of its parallel bundle.
    element_rep: Vec<ElementId>,
    /// Outage devices.
    outage_kinds: Vec<OutageDeviceKind>,
    /// Outage devices sitting on each representative element, upstream-most first (CSR).
    on_element_start: Vec<u32>,
    on_element: Vec<OutageDeviceId>,
    /// Outage device of each source.
    source_device: Vec<OutageDeviceId>,
    /// Outage device of each protective device (NONE when it sits on no element in use).
    device_outage: Vec<u32>,
    /// Outage device of each element (transformer or switch), NONE otherwise.
    element_outage: Vec<u32>,
    /// Bus adjacency over representative elements (CSR): (neighbour, element).
    adj_start: Vec<u32>,
    adj: Vec<(BusId, ElementId)>,
    /// Customers at each bus (CSR).
    bus_cust_start: Vec<u32>,
    bus_cust: Vec<CustomerId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Element(ElementId),
    Device(DeviceId),
    Customer(CustomerId),
    Source(SourceId),
}

impl Network {
    /// The network's name (the circuit name for OpenDSS models).
    pub fn name(&self) -> &str {
        &self.data.name
    }
    /// All buses.
    pub fn buses(&self) -> &[Bus] {
        &self.data.buses
    }
    /// All power-delivery elements.
    pub fn elements(&self) -> &[Element] {
        &self.data.elements
    }
    /// All protective devices.
    pub fn devices(&self) -> &[ProtectiveDevice] {
        &self.data.devices
    }
    /// All customers.
    pub fn customers(&self) -> &[Customer] {
        &self.data.customers
    }
    /// All sources.
    pub fn sources(&self) -> &[Source] {
        &self.data.sources
    }
    /// One bus.
    pub fn bus(&self, id: BusId) -> &Bus {
        &self.data.buses[id.index()]
    }
    /// One element.
    pub fn element(&self, id: ElementId) -> &Element {
        &self.data.elements[id.index()]
    }
    /// One protective device.
    pub fn device(&self, id: DeviceId) -> &ProtectiveDevice {
        &self.data.devices[id.index()]
    }
    /// One customer.
    pub fn customer(&self, id: CustomerId) -> &Customer {
        &self.data.customers[id.index()]
    }

    /// A bus by name (case-insensitive, node suffixes ignored).
    pub fn bus_by_name(&self, name: &str) -> Option<BusId> {
        let key = bus_key(name);
        self.derived.bus_names.get(&key).copied()
    }

    /// A customer (and its meter) by name: `load.x` or just `x`, case-insensitive.
    pub fn customer_by_name(&self, name: &str) -> Option<CustomerId> {
        let lower = lower_trim(name);
        let hit = if lower.starts_with("load.") {
            self.derived.names.get(lower.as_ref())
        } else {
            self.derived.names.get(&format!("load.{lower}"))
        };
        match hit {
            Some(Named::Customer(c)) => Some(*c),
            _ => None,
        }
    }

    /// An element by `class.name` (case-insensitive).
    pub fn element_by_name(&self, name: &str) -> Option<ElementId> {
        match self.derived.names.get(lower_trim(name).as_ref()) {
            Some(Named::Element(e)) => Some(*e),
            _ => None,
        }
    }

    /// A protective device by `class.name` (case-insensitive).
    pub fn device_by_name(&self, name: &str) -> Option<DeviceId> {
        match self.derived.names.get(lower_trim(name).as_ref()) {
            Some(Named::Device(d)) => Some(*d),
            _ => None,
        }
    }

    /// An outage device by the name of the replay contract: `circuit.x`, a protective
    /// device, a switch or distribution transformer element (or an element bundled in
    /// parallel with one), or a customer `load.x`. Case-insensitive.
    pub fn outage_device_by_name(&self, name: &str) -> Option<OutageDeviceId> {
        let lower = lower_trim(name);
        match self.derived.names.get(lower.as_ref()) {
            Some(Named::Customer(c)) => Some(OutageDeviceId(c.0)),
            Some(Named::Source(s)) => Some(self.derived.source_device[s.index()]),
            Some(Named::Device(d)) => some_id(self.derived.device_outage[d.index()]),
            Some(Named::Element(e)) => {
                let rep = self.derived.element_rep[e.index()];
                some_id(self.derived.element_outage[rep.index()])
            }
            None => None,
        }
    }

    /// The number of outage devices.
    pub fn outage_device_count(&self) -> usize {
        self.derived.outage_kinds.len()
    }

    /// What an outage device is.
    pub fn outage_device_kind(&self, id: OutageDeviceId) -> OutageDeviceKind {
        self.derived.outage_kinds[id.index()]
    }

    /// The coarse class of an outage device.
    pub fn outage_device_class(&self, id: OutageDeviceId) -> OutageDeviceClass {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Service(_) => OutageDeviceClass::Service,
            OutageDeviceKind::Transformer(_) => OutageDeviceClass::Transformer,
            OutageDeviceKind::Switch(_) => OutageDeviceClass::Switch,
            OutageDeviceKind::Source(_) => OutageDeviceClass::Source,
            OutageDeviceKind::Protective(d) => match self.device(d).kind {
                DeviceKind::Breaker => OutageDeviceClass::Breaker,
                DeviceKind::Recloser => OutageDeviceClass::Recloser,
                DeviceKind::Sectionalizer => OutageDeviceClass::Sectionalizer,
                DeviceKind::Fuse => OutageDeviceClass::Fuse,
                DeviceKind::Switch => OutageDeviceClass::Switch,
            },
        }
    }

    /// The name of an outage device, as the replay contract prints it.
    pub fn outage_device_name(&self, id: OutageDeviceId) -> &str {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Service(c) => &self.customer(c).name,
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => {
                &self.element(e).name
            }
            OutageDeviceKind::Protective(d) => &self.device(d).name,
            OutageDeviceKind::Source(s) => &self.data.sources[s.index()].name,
        }
    }

    /// Whether SCADA reports this outage device's state.
    pub fn is_telemetered(&self, id: OutageDeviceId) -> bool {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Protective(d) => self.device(d).telemetered,
            OutageDeviceKind::Source(_) => true,
            _ => false,
        }
    }

    /// The bus an outage device sits at (the downstream bus of its element; a
    /// customer's own bus; a source's bus). Used for map positions.
    pub fn outage_device_bus(&self, id: OutageDeviceId) -> BusId {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Service(c) => self.customer(c).bus,
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => {
                self.element(e).to
            }
            OutageDeviceKind::Protective(d) => self.element(self.device(d).element).from,
            OutageDeviceKind::Source(s) => self.data.sources[s.index()].bus,
        }
    }

    /// The representative element of the parallel bundle an element belongs to
    /// (itself when it has no parallel partner).
    pub fn bundle_representative(&self, e: ElementId) -> ElementId {
        self.derived.element_rep[e.index()]
    }

    /// The physical graph on `petgraph`: one node per bus (weight: the bus id), one edge
    /// per element (weight: the element id), open ties and disabled elements included.
    pub fn physical_graph(&self) -> petgraph::graph::UnGraph<BusId, ElementId> {
        let mut g = petgraph::graph::UnGraph::with_capacity(
            self.data.buses.len(),
            self.data.elements.len(),
        );
        for i in 0..self.data.buses.len() {
            g.add_node(BusId::from(i));
        }
        for (i, e) in self.data.elements.iter().enumerate() {
            g.add_edge(
                petgraph::graph::NodeIndex::new(e.from.index()),
                petgraph::graph::NodeIndex::new(e.to.index()),
                ElementId::from(i),
            );
        }
        g
    }

    pub(crate) fn outage_devices_on(&self, rep: ElementId) -> &[OutageDeviceId] {
        let s = self.derived.on_element_start[rep.index()] as usize;
        let t = self.derived.on_element_start[rep.index() + 1] as usize;
        &self.derived.on_element[s..t]
    }

    pub(crate) fn source_outage_device(&self, s: SourceId) -> OutageDeviceId {
        self.derived.source_device[s.index()]
    }

    pub(crate) fn neighbours(&self, b: BusId) -> &[(BusId, ElementId)] {
        let s = self.derived.adj_start[b.index()] as usize;
        let t = self.derived.adj_start[b.index() + 1] as usize;
        &self.derived.adj[s..t]
    }

    /// The customers served at a bus.
    pub fn customers_at(&self, b: BusId) -> &[CustomerId] {
        let s = self.derived.bus_cust_start[b.index()] as usize;
        let t = self.derived.bus_cust_start[b.index() + 1] as usize;
        &self.derived.bus_cust[s..t]
    }

    /// The element an outage device sits on, if any.
    pub fn outage_device_element(&self, id: OutageDeviceId) -> Option<ElementId> {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => Some(e),
            OutageDeviceKind::Protective(d) => Some(self.device(d).element),
            _ => None,
        }
    }

    /// Whether an element can be switched: a switch line, or one carrying a protective
    /// device.
    pub fn is_switchable(&self, e: ElementId) -> bool {
        self.element(e).switch || self.data.devices.iter().any(|d| d.element == e)
    }
}

fn some_id(x: u32) -> Option<OutageDeviceId> {
    (x != NONE).then_some(OutageDeviceId(x))
}

fn lower_trim(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    if t.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// Lowercase bus name without node suffixes: `B1.1.2` -> `b1`.
pub(crate) fn bus_key(name: &str) -> String {
    name.trim()
        .split('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

impl From<Network> for NetworkData {
    fn from(n: Network) -> Self {
        n.data
    }
}

impl TryFrom<NetworkData> for Network {
    type Error = NetworkError;
    fn try_from(mut data: NetworkData) -> Result<Self, NetworkError> {
        if data.format.is_empty() {
            data.format = FORMAT.to_string();
        }
        let derived = derive(&data)?;
        Ok(Network { data, derived })
    }
}

impl PartialEq for Network {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

/// Builds and validates a [`Network`]. Names are case-insensitive and stored lowercase.
///
/// Validation in [`build`](NetworkBuilder::build): duplicate names, unknown buses, a
/// device on a missing element, no source, loops among closed elements (the elements of
/// the loop are reported) and customers with no path to a source, each error naming the
/// offending object and where it was defined.
#[derive(Debug, Clone, Default)]
pub struct NetworkBuilder {
    data: NetworkData,
    bus_names: HashMap<String, BusId>,
    element_names: HashMap<String, ElementId>,
    errors: Vec<NetworkError>,
    at: SourceLocation,
}

impl Default for NetworkData {
    fn default() -> Self {
        NetworkData {
            format: FORMAT.to_string(),
            name: String::new(),
            buses: Vec::new(),
            elements: Vec::new(),
            devices: Vec::new(),
            customers: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// How a line is added: phases, switch, normal state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineOptions {
    /// Number of phases (default 3).
    pub phases: u8,
    /// A switch (`switch=yes`).
    pub switch: bool,
    /// Open in the normal state.
    pub normally_open: bool,
}

impl Default for LineOptions {
    fn default() -> Self {
        LineOptions {
            phases: 3,
            switch: false,
            normally_open: false,
        }
    }
}

impl NetworkBuilder {
    /// A builder for a network of that name.
    pub fn new(name: &str) -> Self {
        NetworkBuilder {
            data: NetworkData {
                name: name.to_ascii_lowercase(),
                ..NetworkData::default()
            },
            ..Default::default()
        }
    }

    /// Where the next objects are defined (file and line), for error messages.
    pub fn at(&mut self, at: SourceLocation) -> &mut Self {
        self.at = at;
        self
    }

    /// Adds a bus (or returns the existing one of that name).
    pub fn add_bus(&mut self, name: &str) -> BusId {
        let key = bus_key(name);
        if let Some(&b) = self.bus_names.get(&key) {
            return b;
        }
        let id = BusId::from(self.data.buses.len());
        self.data.buses.push(Bus {
            name: key.clone(),
            position: None,
        });
        self.bus_names.insert(key, id);
        id
    }

    /// Sets a bus position; unknown buses are ignored (returns false).
    pub fn set_bus_position(&mut self, name: &str, x: f64, y: f64) -> bool {
        match self.bus_names.get(&bus_key(name)) {
            Some(&b) => {
                self.data.buses[b.index()].position = Some([x, y]);
                true
            }
            None => false,
        }
    }

    /// The bus of that name, if added.
    pub fn bus_id(&self, name: &str) -> Option<BusId> {
        self.bus_names.get(&bus_key(name)).copied()
    }

    fn bus_for(&mut self, element: &str, bus: &str) -> Result<BusId, NetworkError> {
        self.bus_id(bus).ok_or_else(|| NetworkError::UnknownBus {
            element: element.to_string(),
            bus: bus.to_string(),
            at: self.at.clone(),
        })
    }

    /// Adds a source (`circuit.name`) at a bus.
    pub fn add_source(&mut self, name: &str, bus: &str) -> Result<SourceId, NetworkError> {
        let name = name.to_ascii_lowercase();
        let bus = self.bus_for(&name, bus)?;
        let id = SourceId::from(self.data.sources.len());
        self.data.sources.push(Source { name, bus });
        Ok(id)
    }

    /// Adds a closed three-phase line.
    pub fn add_line(&mut self, name: &str, from: &str, to: &str) -> Result<ElementId, NetworkError> {
        self.add_line_with(name, from, to, LineOptions::default())
    }

    /// Adds a line with options (phases, switch, normal state).
    pub fn add_line_with(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
        opts: LineOptions,
    ) -> Result<ElementId, NetworkError> {
        self.push_element(name, ElementKind::Line, from, to, opts, None, None)
    }

    /// Adds a transformer with its lowest winding voltage (kV) and rating (kVA).
    pub fn add_transformer(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
        lowest_kv: f64,
        rated_kva: f64,
    ) -> Result<ElementId, NetworkError> {
        self.push_element(
            name,
            ElementKind::Transformer,
            from,
            to,
            LineOptions::default(),
            Some(lowest_kv),
            Some(rated_kva),
        )
    }

    /// Adds any element; the general form behind the `add_*` helpers.
    #[allow(clippy::too_many_arguments)]
    pub fn push_element(
        &mut self,
        name: &str,
        kind: ElementKind,
        from: &str,
        to: &str,
        opts: LineOptions,
        lowest_kv: Option<f64>,
        rated_kva: Option<f64>,
    ) -> Result<ElementId, NetworkError> {
        let name = name.to_ascii_lowercase();
        let from = self.bus_for(&name, from)?;
        let to = self.bus_for(&name, to)?;
        let id = ElementId::from(self.data.elements.len());
        self.element_names.insert(name.clone(), id);
        self.data.elements.push(Element {
            name,
            kind,
            from,
            to,
            phases: opts.phases,
            switch: opts.switch,
            normally_open: opts.normally_open,
            lowest_kv,
            rated_kva,
            at: self.at.clone(),
        });
        Ok(id)
    }

    /// Adds a protective device on an element (named `class.name`).
    pub fn add_device(
        &mut self,
        name: &str,
        kind: DeviceKind,
        element: &str,
    ) -> Result<DeviceId, NetworkError> {
        let telemetered = matches!(kind, DeviceKind::Breaker | DeviceKind::Recloser);
        self.add_device_with(name, kind, element, telemetered, false)
    }

    /// Adds a protective device with its telemetry flag and normal state.
    pub fn add_device_with(
        &mut self,
        name: &str,
        kind: DeviceKind,
        element: &str,
        telemetered: bool,
        normally_open: bool,
    ) -> Result<DeviceId, NetworkError> {
        let name = name.to_ascii_lowercase();
        let el = element.to_ascii_lowercase();
        let Some(&pos) = self.element_names.get(&el) else {
            return Err(NetworkError::MissingElement {
                device: name,
                element: el,
                at: self.at.clone(),
            });
        };
        let id = DeviceId::from(self.data.devices.len());
        self.data.devices.push(ProtectiveDevice {
            name,
            kind,
            element: pos,
            telemetered,
            normally_open,
            at: self.at.clone(),
        });
        Ok(id)
    }

    /// Adds a residential, non-critical, urban customer at a bus.
    pub fn add_customer(&mut self, name: &str, bus: &str) -> Result<CustomerId, NetworkError> {
        self.add_customer_with(
            name,
            bus,
            CustomerClass::Residential,
            false,
            ServiceZone::Urban,
        )
    }

    /// Adds a customer with class, critical flag and service zone.
    pub fn add_customer_with(
        &mut self,
        name: &str,
        bus: &str,
        class: CustomerClass,
        critical: bool,
        zone: ServiceZone,
    ) -> Result<CustomerId, NetworkError> {
        let mut name = name.to_ascii_lowercase();
        if !name.starts_with("load.") {
            name = format!("load.{name}");
        }
        let bus = self.bus_for(&name, bus)?;
        let id = CustomerId::from(self.data.customers.len());
        self.data.customers.push(Customer {
            name,
            bus,
            class,
            critical,
            zone,
            at: self.at.clone(),
        });
        Ok(id)
    }

    /// The element of that name, if added.
    pub fn element_id(&self, name: &str) -> Option<ElementId> {
        self.element_names.get(&name.to_ascii_lowercase()).copied()
    }

    /// Marks an element as open in the normal state.
    pub fn open_element(&mut self, e: ElementId) {
        self.data.elements[e.index()].normally_open = true;
    }

    /// Records an error found while feeding the builder; `build` returns the first.
    pub fn push_error(&mut self, e: NetworkError) {
        self.errors.push(e);
    }

    /// Number of customers added so far.
    pub fn customer_count(&self) -> usize {
        self.data.customers.len()
    }

    /// Validates and builds the network.
    pub fn build(mut self) -> Result<Network, NetworkError> {
        if let Some(e) = self.errors.drain(..).next() {
            return Err(e);
        }
        Network::try_from(self.data)
    }
}

/// Computes the derived tables and validates.
///
/// # Complexity
/// O(B + E + D + C) for B buses, E elements, D devices, C customers, plus a hash insert
/// per named object.
fn derive(data: &NetworkData) -> Result<Derived, NetworkError> {
    if data.sources.is_empty() {
        return Err(NetworkError::NoSource);
    }
    let nb = data.buses.len();
    let ne = data.elements.len();
    let check_bus = |b: BusId, who: &str, at: &SourceLocation| {
        if b.index() >= nb {
            Err(NetworkError::UnknownBus {
                element: who.to_string(),
                bus: format!("#{}", b.0),
                at: at.clone(),
            })
        } else {
            Ok(())
        }
    };
    let mut names: HashMap<String, Named> =
        HashMap::with_capacity(ne + data.devices.len() + data.customers.len() + 1);
    let mut insert = |name: &str, v: Named, at: &SourceLocation| {
        if names.insert(name.to_string(), v).is_some() {
            return Err(NetworkError::DuplicateName {
                name: name.to_string(),
                at: at.clone(),
            });
        }
        Ok(())
    };
    let none = SourceLocation::default();
    for (i, s) in data.sources.iter().enumerate() {
        check_bus(s.bus, &s.name, &none)?;
        insert(&s.name, Named::Source(SourceId::from(i)), &none)?;
    }
    for (i, e) in data.elements.iter().enumerate() {
        check_bus(e.from, &e.name, &e.at)?;
        check_bus(e.to, &e.name, &e.at)?;
        insert(&e.name, Named::Element(ElementId::from(i)), &e.at)?;
    }
    for (i, d) in data.devices.iter().enumerate() {
        if d.element.index() >= ne {
            return Err(NetworkError::MissingElement {
                device: d.name.clone(),
                element: format!("#{}", d.element.0),
                at: d.at.clone(),
            });
        }
        insert(&d.name, Named::Device(DeviceId::from(i)), &d.at)?;
    }
    for (i, c) in data.customers.iter().enumerate() {
        check_bus(c.bus, &c.name, &c.at)?;
        insert(&c.name, Named::Customer(CustomerId::from(i)), &c.at)?;
    }
    let mut bus_names = HashMap::with_capacity(nb);
    for (i, b) in data.buses.iter().enumerate() {
        bus_names.insert(b.name.clone(), BusId::from(i));
    }

    // Parallel bundles among normally closed elements: one representative per unordered
    // bus pair, a transformer first, then by name (as the scoring reader does).
    let closed = |e: &Element| !e.normally_open && e.from != e.to;
    let mut element_rep: Vec<ElementId> = (0..ne).map(ElementId::from).collect();
    {
        let mut by_pair: HashMap<(u32, u32), ElementId> = HashMap::new();
        for (i, e) in data.elements.iter().enumerate() {
            if !closed(e) {
                continue;
            }
            let key = (e.from.0.min(e.to.0), e.from.0.max(e.to.0));
            let id = ElementId::from(i);
            match by_pair.get_mut(&key) {
                None => {
                    by_pair.insert(key, id);
                }
                Some(rep) => {
                    let cur = &data.elements[rep.index()];
                    let better = (e.kind != ElementKind::Transformer, &e.name)
                        < (cur.kind != ElementKind::Transformer, &cur.name);
                    if better {
                        *rep = id;
                    }
                }
            }
        }
        for (i, e) in data.elements.iter().enumerate() {
            if closed(e) {
                let key = (e.from.0.min(e.to.0), e.from.0.max(e.to.0));
                element_rep[i] = by_pair[&key];
            }
        }
    }
    let mut bundle_all_lines = vec![true; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if e.kind != ElementKind::Line {
            bundle_all_lines[element_rep[i].index()] = false;
        }
    }

    // Outage devices: services first (in customer order), then transformers and
    // switches, protective devices, sources.
    let nc = data.customers.len();
    let mut outage_kinds: Vec<OutageDeviceKind> = (0..nc)
        .map(|c| OutageDeviceKind::Service(CustomerId::from(c)))
        .collect();
    let mut per_element: Vec<Vec<(u8, OutageDeviceId)>> = vec![Vec::new(); ne];
    let mut device_outage = vec![NONE; data.devices.len()];
    let mut devices_sorted: Vec<usize> = (0..data.devices.len()).collect();
    devices_sorted.sort_by_key(|&i| data.devices[i].kind.rank());
    for &i in &devices_sorted {
        let d = &data.devices[i];
        let rep = element_rep[d.element.index()];
        let id = OutageDeviceId::from(outage_kinds.len());
        outage_kinds.push(OutageDeviceKind::Protective(DeviceId::from(i)));
        per_element[rep.index()].push((d.kind.rank(), id));
        device_outage[i] = id.0;
    }
    let mut element_outage = vec![NONE; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if element_rep[i].index() != i {
            continue;
        }
        if e.is_distribution_transformer() {
            let id = OutageDeviceId::from(outage_kinds.len());
            outage_kinds.push(OutageDeviceKind::Transformer(ElementId::from(i)));
            per_element[i].push((10, id));
            element_outage[i] = id.0;
        } else if e.kind == ElementKind::Line
            && e.switch
            && per_element[i].is_empty()
            && bundle_all_lines[i]
        {
            let id = OutageDeviceId::from(outage_kinds.len());
            outage_kinds.push(OutageDeviceKind::Switch(ElementId::from(i)));
            per_element[i].push((9, id));
            element_outage[i] = id.0;
        } else if let Some(&(_, first)) = per_element[i].first() {
            // Naming the element names its upstream-most device.
            element_outage[i] = first.0;
        }
    }
    let mut source_device = Vec::with_capacity(data.sources.len());
    for s in 0..data.sources.len() {
        let id = OutageDeviceId::from(outage_kinds.len());
        outage_kinds.push(OutageDeviceKind::Source(SourceId::from(s)));
        source_device.push(id);
    }
    let mut on_element_start = Vec::with_capacity(ne + 1);
    let mut on_element = Vec::new();
    on_element_start.push(0u32);
    for mut list in per_element {
        list.sort_by_key(|&(r, id)| (r, id));
        on_element.extend(list.into_iter().map(|(_, id)| id));
        on_element_start.push(on_element.len() as u32);
    }

    // Adjacency over representative elements (all states: views decide what is closed).
    let mut deg = vec![0u32; nb + 1];
    for (i, e) in data.elements.iter().enumerate() {
        if element_rep[i].index() == i && e.from != e.to {
            deg[e.from.index()] += 1;
            deg[e.to.index()] += 1;
        }
    }
    let mut adj_start = Vec::with_capacity(nb + 1);
    let mut acc = 0u32;
    for d in deg.iter().take(nb) {
        adj_start.push(acc);
        acc += d;
    }
    adj_start.push(acc);
    let mut fill: Vec<u32> = adj_start[..nb].to_vec();
    let mut adj = vec![(BusId(0), ElementId(0)); acc as usize];
    for (i, e) in data.elements.iter().enumerate() {
        if element_rep[i].index() == i && e.from != e.to {
            let id = ElementId::from(i);
            adj[fill[e.from.index()] as usize] = (e.to, id);
            fill[e.from.index()] += 1;
            adj[fill[e.to.index()] as usize] = (e.from, id);
            fill[e.to.index()] += 1;
        }
    }
    let mut cdeg = vec![0u32; nb];
    for c in &data.customers {
        cdeg[c.bus.index()] += 1;
    }
    let mut bus_cust_start = Vec::with_capacity(nb + 1);
    let mut acc = 0u32;
    for d in &cdeg {
        bus_cust_start.push(acc);
        acc += d;
    }
    bus_cust_start.push(acc);
    let mut fill: Vec<u32> = bus_cust_start[..nb].to_vec();
    let mut bus_cust = vec![CustomerId(0); nc];
    for (i, c) in data.customers.iter().enumerate() {
        bus_cust[fill[c.bus.index()] as usize] = CustomerId::from(i);
        fill[c.bus.index()] += 1;
    }

    let derived = Derived {
        names,
        bus_names,
        element_rep,
        outage_kinds,
        on_element_start,
        on_element,
        source_device,
        device_outage,
        element_outage,
        adj_start,
        adj,
        bus_cust_start,
        bus_cust,
    };
    check_radial(data, &derived)?;
    Ok(derived)
}

/// Loops among closed elements and customers without supply.
fn check_radial(data: &NetworkData, d: &Derived) -> Result<(), NetworkError> {
    let nb = data.buses.len();
    let mut parent: Vec<(u32, u32)> = vec![(NONE, NONE); nb];
    let mut seen = vec![false; nb];
    let mut queue = std::collections::VecDeque::new();
    for s in &data.sources {
        if !seen[s.bus.index()] {
            seen[s.bus.index()] = true;
            queue.push_back(s.bus);
        }
    }
    while let Some(b) = queue.pop_front() {
        let s = d.adj_start[b.index()] as usize;
        let t = d.adj_start[b.index() + 1] as usize;
        for &(nb2, e) in &d.adj[s..t] {
            if data.elements[e.index()].normally_open {
                continue;
            }
            if parent[b.index()].1 == e.0 {
                continue;
            }
            if seen[nb2.index()] {
                // A second path to nb2: the loop is the two tree paths plus e.
                let mut left = vec![e];
                let path_up = |mut x: BusId| {
                    let mut v = Vec::new();
                    while parent[x.index()].0 != NONE {
                        v.push((x, ElementId(parent[x.index()].1)));
                        x = BusId(parent[x.index()].0);
                    }
                    v
                };
                let pa = path_up(b);
                let pb = path_up(nb2);
                let in_b: std::collections::HashSet<u32> = pb.iter().map(|(x, _)| x.0).collect();
                let mut meet = None;
                for (x, el) in &pa {
                    if in_b.contains(&x.0) {
                        meet = Some(*x);
                        break;
                    }
                    left.push(*el);
                }
                let mut right = Vec::new();
                for (x, el) in &pb {
                    if Some(*x) == meet {
                        break;
                    }
                    right.push(*el);
                }
                // Buses reached from two different sources also count (the meet is None).
                left.extend(right.into_iter().rev());
                return Err(NetworkError::Loop {
                    elements: left
                        .iter()
                        .map(|e| data.elements[e.index()].name.clone())
                        .collect(),
                });
            }
            seen[nb2.index()] = true;
            parent[nb2.index()] = (b.0, e.0);
            queue.push_back(nb2);
        }
    }
    for c in &data.customers {
        if !seen[c.bus.index()] {
            return Err(NetworkError::Unsupplied {
                customer: c.name.clone(),
                at: c.at.clone(),
            });
        }
    }
    Ok(())
}
