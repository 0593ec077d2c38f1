//! The [`Network`] itself: the stored arrays, the tables derived from them, and the
//! accessors over both.

use serde::{Deserialize, Serialize};

use crate::ids::{BusId, CustomerId, DeviceId, ElementId, OutageDeviceId};

use super::name_index::NameIndex;
use super::{Bus, Customer, Element, OutageDeviceKind, ProtectiveDevice, ServiceZone, Source};

/// A network that passed validation: the arrays, the name index, and derived tables
/// (parallel bundles, outage devices, adjacency) that the topology views use.
///
/// Serialises to the crate's JSON network format; deserialising validates again.
///
/// ```
/// use outage_locator::{NetworkBuilder};
/// use outage_locator::network::{DeviceKind};
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
    pub(super) data: NetworkData,
    pub(super) derived: Derived,
}

/// The stored part of a network (its JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct NetworkData {
    pub(super) format: String,
    pub(super) name: String,
    pub(super) buses: Vec<Bus>,
    pub(super) elements: Vec<Element>,
    pub(super) devices: Vec<ProtectiveDevice>,
    pub(super) customers: Vec<Customer>,
    pub(super) sources: Vec<Source>,
}

/// The tables derived from the stored arrays when a network is built (see `derive`).
#[derive(Debug, Clone, Default)]
pub(super) struct Derived {
    /// `class.name` -> object, as a [`Named`](super::names::Named) tag (case-insensitive).
    pub(super) names: NameIndex,
    /// Bits of index in a [`Named`](super::names::Named) tag.
    pub(super) tag_bits: u32,
    /// Bus name -> bus (case-insensitive).
    pub(super) bus_names: NameIndex,
    /// For every element, the representative element of its parallel bundle.
    pub(super) element_rep: Vec<ElementId>,
    /// Whether a protective device sits on the element itself.
    pub(super) has_device: Vec<bool>,
    /// Outage devices after the customers' services (whose kinds are implicit: the
    /// first `customers.len()` outage devices are the services, in customer order).
    pub(super) outage_kinds: Vec<OutageDeviceKind>,
    /// Outage devices sitting on each representative element, upstream-most first (CSR).
    pub(super) on_element_start: Vec<u32>,
    pub(super) on_element: Vec<OutageDeviceId>,
    /// Outage device of each source.
    pub(super) source_device: Vec<OutageDeviceId>,
    /// Outage device of each protective device (NONE when it sits on no element in use).
    pub(super) device_outage: Vec<u32>,
    /// Outage device of each element (transformer or switch), NONE otherwise.
    pub(super) element_outage: Vec<u32>,
    /// Bus adjacency over representative elements (CSR): (neighbour, element).
    pub(super) adj_start: Vec<u32>,
    pub(super) adj: Vec<(BusId, ElementId)>,
    /// Customers at each bus (CSR).
    pub(super) bus_cust_start: Vec<u32>,
    pub(super) bus_cust: Vec<CustomerId>,
    /// Per customer, its zone and whether it is critical in one byte (a dense copy of
    /// what whole-outage scans read: one cache line holds 64 customers).
    pub(super) customer_tags: Vec<u8>,
}

/// [`Derived::customer_tags`]: the bit of a critical customer (the zone is below).
pub(super) const TAG_CRITICAL: u8 = 4;

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
    ///
    /// # Panics
    /// When the id is not of this network (ids are plain numbers; one from this
    /// network's names or iterators is always valid). [`Network::get_bus`] checks.
    pub fn bus(&self, id: BusId) -> &Bus {
        &self.data.buses[id.index()]
    }
    /// One element.
    ///
    /// # Panics
    /// When the id is not of this network; [`Network::get_element`] checks.
    pub fn element(&self, id: ElementId) -> &Element {
        &self.data.elements[id.index()]
    }
    /// One protective device.
    ///
    /// # Panics
    /// When the id is not of this network; [`Network::get_device`] checks.
    pub fn device(&self, id: DeviceId) -> &ProtectiveDevice {
        &self.data.devices[id.index()]
    }
    /// One customer.
    ///
    /// # Panics
    /// When the id is not of this network; [`Network::get_customer`] checks.
    pub fn customer(&self, id: CustomerId) -> &Customer {
        &self.data.customers[id.index()]
    }
    /// One bus, or `None` when the id is not of this network.
    pub fn get_bus(&self, id: BusId) -> Option<&Bus> {
        self.data.buses.get(id.index())
    }
    /// One element, or `None` when the id is not of this network.
    pub fn get_element(&self, id: ElementId) -> Option<&Element> {
        self.data.elements.get(id.index())
    }
    /// One protective device, or `None` when the id is not of this network.
    pub fn get_device(&self, id: DeviceId) -> Option<&ProtectiveDevice> {
        self.data.devices.get(id.index())
    }
    /// One customer, or `None` when the id is not of this network.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let (net, _) = outage_locator::import_opendss(path).unwrap();
    /// use outage_locator::CustomerId;
    /// assert!(net.get_customer(CustomerId(0)).is_some());
    /// assert!(net.get_customer(CustomerId(u32::MAX)).is_none());
    /// ```
    pub fn get_customer(&self, id: CustomerId) -> Option<&Customer> {
        self.data.customers.get(id.index())
    }

    /// A customer's service zone (its [`Customer::zone`], from a dense table: for scans
    /// over the customers of an outage).
    #[inline]
    pub fn customer_zone(&self, id: CustomerId) -> ServiceZone {
        match self.derived.customer_tags[id.index()] & 3 {
            0 => ServiceZone::Urban,
            1 => ServiceZone::Rural,
            _ => ServiceZone::Remote,
        }
    }

    /// Whether a customer is critical (its [`Customer::critical`], from the same dense
    /// table as [`Network::customer_zone`]).
    #[inline]
    pub fn customer_is_critical(&self, id: CustomerId) -> bool {
        self.derived.customer_tags[id.index()] & TAG_CRITICAL != 0
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

    /// Whether an element can be switched: a switch line, or one carrying a protective
    /// device.
    pub fn is_switchable(&self, e: ElementId) -> bool {
        self.element(e).switch || self.derived.has_device[e.index()]
    }
}

impl PartialEq for Network {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}
