//! The network model: buses, elements, protective devices, customers and sources,
//! built and validated by [`NetworkBuilder`].

pub(crate) mod opendss;

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
    /// `class.name` -> object, as a [`Named`] tag (case-insensitive).
    names: NameIndex,
    /// Bits of index in a [`Named`] tag.
    tag_bits: u32,
    /// Bus name -> bus (case-insensitive).
    bus_names: NameIndex,
    /// For every element, the representative element of its parallel bundle.
    element_rep: Vec<ElementId>,
    /// Whether a protective device sits on the element itself.
    has_device: Vec<bool>,
    /// Outage devices after the customers' services (whose kinds are implicit: the
    /// first `customers.len()` outage devices are the services, in customer order).
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
    /// Per customer, its zone and whether it is critical in one byte (a dense copy of
    /// what whole-outage scans read: one cache line holds 64 customers).
    customer_tags: Vec<u8>,
}

/// [`Derived::customer_tags`]: the bit of a critical customer (the zone is below).
const TAG_CRITICAL: u8 = 4;

/// What a name of the name index stands for: the kind in the top two bits of the tag,
/// the index in the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Element(ElementId),
    Device(DeviceId),
    Customer(CustomerId),
    Source(SourceId),
}

impl Named {
    /// The kind in the two bits above `bits` bits of index.
    fn tag(self, bits: u32) -> u32 {
        match self {
            Named::Element(e) => e.0,
            Named::Device(d) => (1 << bits) | d.0,
            Named::Customer(c) => (2 << bits) | c.0,
            Named::Source(s) => (3 << bits) | s.0,
        }
    }

    fn from_tag(t: u32, bits: u32) -> Named {
        let i = t & ((1 << bits) - 1);
        match t >> bits {
            0 => Named::Element(ElementId(i)),
            1 => Named::Device(DeviceId(i)),
            2 => Named::Customer(CustomerId(i)),
            _ => Named::Source(SourceId(i)),
        }
    }
}

impl NetworkData {
    /// Bits of index in a name tag: enough for the largest kind.
    fn tag_bits(&self) -> u32 {
        let most = [
            self.elements.len(),
            self.devices.len(),
            self.customers.len(),
            self.sources.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        (usize::BITS - most.leading_zeros()).max(1)
    }

    fn name_of(&self, tag: u32, bits: u32) -> &str {
        match Named::from_tag(tag, bits) {
            Named::Element(e) => &self.elements[e.index()].name,
            Named::Device(d) => &self.devices[d.index()].name,
            Named::Customer(c) => &self.customers[c.index()].name,
            Named::Source(s) => &self.sources[s.index()].name,
        }
    }
}

pub(crate) use name_index::NameIndex;

/// A hash index from names to `u32` values that does not store the names: they live in
/// the network's arrays, and the index holds only the values, each in a 4-byte slot
/// whose spare high bits keep bits of its name's hash, asking for a value's name only
/// when those match. Case-insensitive (ASCII).
///
/// Why not a `HashMap<String, _>`: at a million customers that map costs about 100
/// bytes a name (a second copy of every name plus a 32-byte slot), half the memory
/// budget of the whole network; this index costs about 8.
mod name_index {
    /// An empty slot: no slot holds it, since no value has all its value bits set.
    const EMPTY: u32 = u32::MAX;

    #[derive(Debug, Clone, Default)]
    pub(crate) struct NameIndex {
        /// Open addressing with linear probing; the length is 0 or a power of two.
        slots: Vec<u32>,
        len: usize,
        /// The low bits of a slot hold the value (below `2^value_bits - 1`), the others
        /// the same bits of the name's hash.
        value_bits: u32,
    }

    /// Bits that hold `v` with the all-ones pattern to spare.
    fn bits_for(v: u32) -> u32 {
        64 - (v as u64 + 1).leading_zeros()
    }

    /// FxHash-style multiplicative hashing of the lowercase bytes of `parts`, joined,
    /// then a final avalanche (the top bits pick the slot, the low bits are kept).
    #[inline]
    pub(crate) fn hash(parts: &[&[u8]]) -> u64 {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h: u64 = 0;
        for p in parts {
            for &b in *p {
                h = (h.rotate_left(5) ^ b.to_ascii_lowercase() as u64).wrapping_mul(K);
            }
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    #[inline]
    fn matches(name: &[u8], parts: &[&[u8]]) -> bool {
        let mut rest = name;
        for p in parts {
            if rest.len() < p.len() || !rest[..p.len()].eq_ignore_ascii_case(p) {
                return false;
            }
            rest = &rest[p.len()..];
        }
        rest.is_empty()
    }

    impl NameIndex {
        /// An index sized for `n` names of values up to `max_value` (no growth up to
        /// that).
        pub(crate) fn with_capacity(n: usize, max_value: u32) -> Self {
            NameIndex {
                slots: vec![EMPTY; Self::slots_for(n)],
                len: 0,
                value_bits: bits_for(max_value),
            }
        }

        /// Slots for n names at a load of at most 3/4.
        fn slots_for(n: usize) -> usize {
            (n + n / 3 + 1).next_power_of_two().max(8)
        }

        #[inline]
        fn value_mask(&self) -> u32 {
            if self.value_bits >= 32 {
                u32::MAX
            } else {
                (1 << self.value_bits) - 1
            }
        }

        #[inline]
        fn start(&self, h: u64) -> usize {
            // The top bits: the slot count is a power of two.
            let bits = self.slots.len().trailing_zeros();
            (h >> (64 - bits)) as usize
        }

        /// The value whose name is the concatenation of `parts` (case-insensitive).
        #[inline]
        pub(crate) fn find_parts<'n>(
            &self,
            parts: &[&[u8]],
            name_of: impl Fn(u32) -> &'n str,
        ) -> Option<u32> {
            self.find_hashed(hash(parts), parts, name_of)
        }

        /// The value named `name` (case-insensitive).
        #[inline]
        pub(crate) fn find<'n>(&self, name: &str, name_of: impl Fn(u32) -> &'n str) -> Option<u32> {
            self.find_parts(&[name.as_bytes()], name_of)
        }

        /// [`find_parts`](Self::find_parts) with the [`hash`] of the parts computed.
        #[inline]
        pub(crate) fn find_hashed<'n>(
            &self,
            h: u64,
            parts: &[&[u8]],
            name_of: impl Fn(u32) -> &'n str,
        ) -> Option<u32> {
            if self.slots.is_empty() {
                return None;
            }
            let mask = self.slots.len() - 1;
            let vmask = self.value_mask();
            let frag = h as u32 & !vmask;
            let mut i = self.start(h);
            loop {
                let slot = self.slots[i];
                if slot == EMPTY {
                    return None;
                }
                let v = slot & vmask;
                if slot & !vmask == frag && matches(name_of(v).as_bytes(), parts) {
                    return Some(v);
                }
                i = (i + 1) & mask;
            }
        }

        /// Adds a value under `name` (which `name_of(value)` must return from now on);
        /// when a value of the same name is there already, returns it and adds nothing.
        pub(crate) fn insert<'n>(
            &mut self,
            name: &str,
            value: u32,
            name_of: impl Fn(u32) -> &'n str,
        ) -> Result<(), u32> {
            self.insert_hashed(hash(&[name.as_bytes()]), name, value, name_of)
        }

        /// [`insert`](Self::insert) with the name's [`hash`] already computed (hashing
        /// all names first, in memory order, then inserting, halves the cache misses of
        /// building a large index).
        pub(crate) fn insert_hashed<'n>(
            &mut self,
            h: u64,
            name: &str,
            value: u32,
            name_of: impl Fn(u32) -> &'n str,
        ) -> Result<(), u32> {
            if (self.len + 1) * 4 > self.slots.len() * 3 || value >= self.value_mask() {
                let bits = self
                    .value_bits
                    .max(bits_for(value))
                    .max(bits_for(2 * self.len as u32 + 1));
                self.rehash(Self::slots_for((self.len + 1) * 2), bits, &name_of);
            }
            let mask = self.slots.len() - 1;
            let vmask = self.value_mask();
            let parts = [name.as_bytes()];
            let frag = h as u32 & !vmask;
            let mut i = self.start(h);
            loop {
                let slot = self.slots[i];
                if slot == EMPTY {
                    self.slots[i] = frag | value;
                    self.len += 1;
                    return Ok(());
                }
                let v = slot & vmask;
                if slot & !vmask == frag && matches(name_of(v).as_bytes(), &parts) {
                    return Err(v);
                }
                i = (i + 1) & mask;
            }
        }

        fn rehash<'n>(&mut self, slots: usize, value_bits: u32, name_of: &impl Fn(u32) -> &'n str) {
            let old_mask = self.value_mask();
            let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots]);
            self.value_bits = value_bits;
            let mask = self.slots.len() - 1;
            let vmask = self.value_mask();
            for slot in old.into_iter().filter(|&s| s != EMPTY) {
                let v = slot & old_mask;
                let h = hash(&[name_of(v).as_bytes()]);
                let mut i = self.start(h);
                while self.slots[i] != EMPTY {
                    i = (i + 1) & mask;
                }
                self.slots[i] = (h as u32 & !vmask) | v;
            }
        }
    }
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

    /// A bus by name (case-insensitive, node suffixes ignored).
    pub fn bus_by_name(&self, name: &str) -> Option<BusId> {
        let key = bus_key_str(name);
        let buses = &self.data.buses;
        self.derived
            .bus_names
            .find(key, |b| &buses[b as usize].name)
            .map(BusId)
    }

    fn named(&self, parts: &[&[u8]]) -> Option<Named> {
        self.derived
            .names
            .find_parts(parts, |t| self.data.name_of(t, self.derived.tag_bits))
            .map(|t| Named::from_tag(t, self.derived.tag_bits))
    }

    /// A customer (and its meter) by name: `load.x` or just `x`, case-insensitive.
    pub fn customer_by_name(&self, name: &str) -> Option<CustomerId> {
        let name = name.trim();
        let has_prefix = name.len() >= 5 && name.as_bytes()[..5].eq_ignore_ascii_case(b"load.");
        let hit = if has_prefix {
            self.named(&[name.as_bytes()])
        } else {
            self.named(&[b"load.", name.as_bytes()])
        };
        match hit {
            Some(Named::Customer(c)) => Some(c),
            _ => None,
        }
    }

    /// An element by `class.name` (case-insensitive).
    pub fn element_by_name(&self, name: &str) -> Option<ElementId> {
        match self.named(&[name.trim().as_bytes()]) {
            Some(Named::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// A protective device by `class.name` (case-insensitive).
    pub fn device_by_name(&self, name: &str) -> Option<DeviceId> {
        match self.named(&[name.trim().as_bytes()]) {
            Some(Named::Device(d)) => Some(d),
            _ => None,
        }
    }

    /// An outage device by the name of the replay contract: `circuit.x`, a protective
    /// device, a switch or distribution transformer element (or an element bundled in
    /// parallel with one), or a customer `load.x`. Case-insensitive.
    pub fn outage_device_by_name(&self, name: &str) -> Option<OutageDeviceId> {
        match self.named(&[name.trim().as_bytes()]) {
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
        self.data.customers.len() + self.derived.outage_kinds.len()
    }

    /// What an outage device is.
    #[inline]
    pub fn outage_device_kind(&self, id: OutageDeviceId) -> OutageDeviceKind {
        let nc = self.data.customers.len();
        if id.index() < nc {
            OutageDeviceKind::Service(CustomerId(id.0))
        } else {
            self.derived.outage_kinds[id.index() - nc]
        }
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
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => &self.element(e).name,
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
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => self.element(e).to,
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
        self.element(e).switch || self.derived.has_device[e.index()]
    }
}

fn some_id(x: u32) -> Option<OutageDeviceId> {
    (x != NONE).then_some(OutageDeviceId(x))
}

/// Bus name without node suffixes, as given: `B1.1.2` -> `B1`.
fn bus_key_str(name: &str) -> &str {
    name.trim().split('.').next().unwrap_or("")
}

/// Lowercase bus name without node suffixes: `B1.1.2` -> `b1`.
pub(crate) fn bus_key(name: &str) -> String {
    bus_key_str(name).to_ascii_lowercase()
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
        let derived = derive(&data, None)?;
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
    bus_names: NameIndex,
    /// The first `elements_indexed` elements are in `element_names`: the index catches
    /// up when an element is looked up by name, so that builders that never do (the
    /// synthetic generator) never pay for it.
    element_names: NameIndex,
    elements_indexed: usize,
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
        let key = bus_key_str(name);
        let h = name_index::hash(&[key.as_bytes()]);
        let buses = &self.data.buses;
        if let Some(b) = self
            .bus_names
            .find_hashed(h, &[key.as_bytes()], |b| &buses[b as usize].name)
        {
            return BusId(b);
        }
        let id = BusId::from(self.data.buses.len());
        self.data.buses.push(Bus {
            name: key.to_ascii_lowercase(),
            position: None,
        });
        let buses = &self.data.buses;
        // The name is new: it was not found just above.
        let _ = self
            .bus_names
            .insert_hashed(h, &buses[id.index()].name, id.0, |b| {
                &buses[b as usize].name
            });
        id
    }

    /// Sets a bus position; unknown buses are ignored (returns false).
    pub fn set_bus_position(&mut self, name: &str, x: f64, y: f64) -> bool {
        match self.bus_id(name) {
            Some(b) => {
                self.data.buses[b.index()].position = Some([x, y]);
                true
            }
            None => false,
        }
    }

    /// The bus of that name, if added.
    pub fn bus_id(&self, name: &str) -> Option<BusId> {
        let buses = &self.data.buses;
        self.bus_names
            .find(bus_key_str(name), |b| &buses[b as usize].name)
            .map(BusId)
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
    pub fn add_line(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
    ) -> Result<ElementId, NetworkError> {
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
        self.index_elements();
        let Some(pos) = self.element_id(&el) else {
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

    /// Sets the position of a bus by id; unknown ids are ignored (returns false).
    pub fn set_bus_point(&mut self, bus: BusId, x: f64, y: f64) -> bool {
        match self.data.buses.get_mut(bus.index()) {
            Some(b) => {
                b.position = Some([x, y]);
                true
            }
            None => false,
        }
    }

    /// Adds any element between two buses given by id: the id form of
    /// [`push_element`](NetworkBuilder::push_element), for generators that already hold
    /// the ids.
    #[allow(clippy::too_many_arguments)]
    pub fn push_element_at(
        &mut self,
        name: &str,
        kind: ElementKind,
        from: BusId,
        to: BusId,
        opts: LineOptions,
        lowest_kv: Option<f64>,
        rated_kva: Option<f64>,
    ) -> Result<ElementId, NetworkError> {
        let name = name.to_ascii_lowercase();
        for b in [from, to] {
            if b.index() >= self.data.buses.len() {
                return Err(NetworkError::UnknownBus {
                    element: name,
                    bus: format!("#{}", b.0),
                    at: self.at.clone(),
                });
            }
        }
        let id = ElementId::from(self.data.elements.len());
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

    /// Adds a protective device on an element given by id, with its telemetry flag and
    /// normal state.
    pub fn add_device_on(
        &mut self,
        name: &str,
        kind: DeviceKind,
        element: ElementId,
        telemetered: bool,
        normally_open: bool,
    ) -> Result<DeviceId, NetworkError> {
        let name = name.to_ascii_lowercase();
        if element.index() >= self.data.elements.len() {
            return Err(NetworkError::MissingElement {
                device: name,
                element: format!("#{}", element.0),
                at: self.at.clone(),
            });
        }
        let id = DeviceId::from(self.data.devices.len());
        self.data.devices.push(ProtectiveDevice {
            name,
            kind,
            element,
            telemetered,
            normally_open,
            at: self.at.clone(),
        });
        Ok(id)
    }

    /// Adds a customer at a bus given by id, with class, critical flag and service zone.
    pub fn add_customer_at(
        &mut self,
        name: &str,
        bus: BusId,
        class: CustomerClass,
        critical: bool,
        zone: ServiceZone,
    ) -> Result<CustomerId, NetworkError> {
        let mut name = name.to_ascii_lowercase();
        if !name.starts_with("load.") {
            name = format!("load.{name}");
        }
        if bus.index() >= self.data.buses.len() {
            return Err(NetworkError::UnknownBus {
                element: name,
                bus: format!("#{}", bus.0),
                at: self.at.clone(),
            });
        }
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
    ///
    /// O(1) when the elements were indexed by an earlier lookup through `&mut self`
    /// (adding a device by element name); the elements added since are searched one by
    /// one.
    pub fn element_id(&self, name: &str) -> Option<ElementId> {
        let els = &self.data.elements;
        let name = name.trim();
        self.element_names
            .find(name, |e| &els[e as usize].name)
            .or_else(|| {
                (self.elements_indexed..els.len())
                    .find(|&i| els[i].name.eq_ignore_ascii_case(name))
                    .map(|i| i as u32)
            })
            .map(ElementId)
    }

    /// Brings the element index up to date. A second element of the same name stays
    /// out of it (lookups find the first) and `build` reports the duplicate.
    fn index_elements(&mut self) {
        let els = &self.data.elements;
        for i in self.elements_indexed..els.len() {
            let _ = self
                .element_names
                .insert(&els[i].name, i as u32, |e| &els[e as usize].name);
        }
        self.elements_indexed = els.len();
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
        // The bus index is the network's; the element index goes before the network's
        // indexes are made, to keep the peak low.
        let mut data = std::mem::take(&mut self.data);
        let bus_names = std::mem::take(&mut self.bus_names);
        drop(self);
        if data.format.is_empty() {
            data.format = FORMAT.to_string();
        }
        let derived = derive(&data, Some(bus_names))?;
        Ok(Network { data, derived })
    }
}

/// Computes the derived tables and validates.
///
/// # Complexity
/// O(B + E + D + C) for B buses, E elements, D devices, C customers (one hash probe per
/// name), with no hash map keyed by strings: the name indexes hold 4 bytes a slot.
///
/// `bus_names` is the bus index of a [`NetworkBuilder`], which holds every bus under a
/// distinct name already; without it the index is made here.
fn derive(data: &NetworkData, bus_names: Option<NameIndex>) -> Result<Derived, NetworkError> {
    if data.sources.is_empty() {
        return Err(NetworkError::NoSource);
    }
    let nb = data.buses.len();
    let ne = data.elements.len();
    let nc = data.customers.len();
    let nd = data.devices.len();
    let tag_bits = data.tag_bits();
    assert!(
        tag_bits <= 30,
        "a network holds fewer than 2^30 objects of a kind"
    );
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
    let max_tag = Named::Source(SourceId::from(data.sources.len() - 1)).tag(tag_bits);
    let mut names = NameIndex::with_capacity(ne + nd + nc + data.sources.len(), max_tag);
    // Hash every name first, reading the arrays in order; then insert.
    let hashes: Vec<u64> = (data.sources.iter().map(|s| &s.name))
        .chain(data.elements.iter().map(|e| &e.name))
        .chain(data.devices.iter().map(|d| &d.name))
        .chain(data.customers.iter().map(|c| &c.name))
        .map(|n| name_index::hash(&[n.as_bytes()]))
        .collect();
    let mut next_hash = hashes.into_iter();
    let mut insert = |named: Named, at: &SourceLocation| {
        let tag = named.tag(tag_bits);
        let name = data.name_of(tag, tag_bits);
        // One hash was computed per name, in the order of the inserts below.
        let h = next_hash.next().expect("a hash per name");
        names
            .insert_hashed(h, name, tag, |t| data.name_of(t, tag_bits))
            .map_err(|_| NetworkError::DuplicateName {
                name: name.to_string(),
                at: at.clone(),
            })
    };
    let none = SourceLocation::default();
    for (i, s) in data.sources.iter().enumerate() {
        check_bus(s.bus, &s.name, &none)?;
        insert(Named::Source(SourceId::from(i)), &none)?;
    }
    for (i, e) in data.elements.iter().enumerate() {
        check_bus(e.from, &e.name, &e.at)?;
        check_bus(e.to, &e.name, &e.at)?;
        insert(Named::Element(ElementId::from(i)), &e.at)?;
    }
    let mut has_device = vec![false; ne];
    for (i, d) in data.devices.iter().enumerate() {
        if d.element.index() >= ne {
            return Err(NetworkError::MissingElement {
                device: d.name.clone(),
                element: format!("#{}", d.element.0),
                at: d.at.clone(),
            });
        }
        has_device[d.element.index()] = true;
        insert(Named::Device(DeviceId::from(i)), &d.at)?;
    }
    for (i, c) in data.customers.iter().enumerate() {
        check_bus(c.bus, &c.name, &c.at)?;
        insert(Named::Customer(CustomerId::from(i)), &c.at)?;
    }
    let bus_names = match bus_names {
        Some(index) => index,
        None => {
            let mut index = NameIndex::with_capacity(nb, nb as u32);
            for (i, b) in data.buses.iter().enumerate() {
                index
                    .insert(&b.name, i as u32, |x| &data.buses[x as usize].name)
                    .map_err(|_| NetworkError::DuplicateName {
                        name: format!("bus {}", b.name),
                        at: none.clone(),
                    })?;
            }
            index
        }
    };

    // Bus adjacency over every element joining two buses, whatever its state (CSR).
    let joins = |e: &Element| e.from != e.to;
    let mut adj_start = vec![0u32; nb + 1];
    for e in data.elements.iter().filter(|e| joins(e)) {
        adj_start[e.from.index() + 1] += 1;
        adj_start[e.to.index() + 1] += 1;
    }
    for b in 0..nb {
        adj_start[b + 1] += adj_start[b];
    }
    let mut fill: Vec<u32> = adj_start[..nb].to_vec();
    let mut adj = vec![(BusId(0), ElementId(0)); adj_start[nb] as usize];
    for (i, e) in data.elements.iter().enumerate() {
        if joins(e) {
            let id = ElementId::from(i);
            adj[fill[e.from.index()] as usize] = (e.to, id);
            fill[e.from.index()] += 1;
            adj[fill[e.to.index()] as usize] = (e.from, id);
            fill[e.to.index()] += 1;
        }
    }
    drop(fill);

    // Parallel bundles among normally closed elements: one representative per unordered
    // bus pair, a transformer first, then by name (as the scoring reader does). For each
    // bus `a`, `stamp[b] == a` marks that the pair (a, b) was met, with its best element
    // so far in `best[b]`.
    let closed = |e: ElementId| {
        let el = &data.elements[e.index()];
        !el.normally_open && el.from != el.to
    };
    let better = |x: ElementId, y: ElementId| {
        let (ex, ey) = (&data.elements[x.index()], &data.elements[y.index()]);
        (ex.kind != ElementKind::Transformer, &ex.name)
            < (ey.kind != ElementKind::Transformer, &ey.name)
    };
    let mut element_rep: Vec<ElementId> = (0..ne).map(ElementId::from).collect();
    {
        let mut stamp = vec![NONE; nb];
        let mut best = vec![ElementId(0); nb];
        for a in 0..nb {
            let list = &adj[adj_start[a] as usize..adj_start[a + 1] as usize];
            let mut parallel = false;
            for &(b, e) in list {
                if b.index() <= a || !closed(e) {
                    continue;
                }
                if stamp[b.index()] != a as u32 {
                    stamp[b.index()] = a as u32;
                    best[b.index()] = e;
                } else {
                    parallel = true;
                    if better(e, best[b.index()]) {
                        best[b.index()] = e;
                    }
                }
            }
            if parallel {
                for &(b, e) in list {
                    if b.index() > a && closed(e) {
                        element_rep[e.index()] = best[b.index()];
                    }
                }
            }
        }
    }
    // The adjacency keeps the representatives only.
    {
        let mut w = 0usize;
        let mut r = 0usize;
        for b in 0..nb {
            let end = adj_start[b + 1] as usize;
            adj_start[b] = w as u32;
            while r < end {
                let (_, e) = adj[r];
                if element_rep[e.index()] == e {
                    adj[w] = adj[r];
                    w += 1;
                }
                r += 1;
            }
        }
        adj_start[nb] = w as u32;
        adj.truncate(w);
        adj.shrink_to_fit();
    }
    let mut bundle_all_lines = vec![true; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if e.kind != ElementKind::Line {
            bundle_all_lines[element_rep[i].index()] = false;
        }
    }

    // Outage devices: services first (implicit, in customer order), then protective
    // devices (upstream-most kinds first), transformers and switches, sources.
    let mut outage_kinds: Vec<OutageDeviceKind> = Vec::new();
    let next_id = |kinds: &Vec<OutageDeviceKind>| OutageDeviceId::from(nc + kinds.len());
    let mut device_outage = vec![NONE; nd];
    let mut devices_sorted: Vec<usize> = (0..nd).collect();
    devices_sorted.sort_by_key(|&i| data.devices[i].kind.rank());
    let mut on_count = vec![0u32; ne];
    for &i in &devices_sorted {
        let rep = element_rep[data.devices[i].element.index()];
        device_outage[i] = next_id(&outage_kinds).0;
        outage_kinds.push(OutageDeviceKind::Protective(DeviceId::from(i)));
        on_count[rep.index()] += 1;
    }
    let mut element_outage = vec![NONE; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if element_rep[i].index() != i {
            continue;
        }
        if e.is_distribution_transformer() {
            element_outage[i] = next_id(&outage_kinds).0;
            outage_kinds.push(OutageDeviceKind::Transformer(ElementId::from(i)));
        } else if e.kind == ElementKind::Line && e.switch && on_count[i] == 0 && bundle_all_lines[i]
        {
            element_outage[i] = next_id(&outage_kinds).0;
            outage_kinds.push(OutageDeviceKind::Switch(ElementId::from(i)));
        }
    }
    drop(bundle_all_lines);
    let mut source_device = Vec::with_capacity(data.sources.len());
    for s in 0..data.sources.len() {
        source_device.push(next_id(&outage_kinds));
        outage_kinds.push(OutageDeviceKind::Source(SourceId::from(s)));
    }
    // Outage devices on each element, upstream-most first: protective devices by kind
    // (they were numbered in that order), then the element's own transformer or switch.
    let mut on_element_start = vec![0u32; ne + 1];
    for i in 0..ne {
        let own = (element_outage[i] != NONE) as u32;
        on_element_start[i + 1] = on_element_start[i] + on_count[i] + own;
    }
    drop(on_count);
    let mut fill: Vec<u32> = on_element_start[..ne].to_vec();
    let mut on_element = vec![OutageDeviceId(0); on_element_start[ne] as usize];
    for &i in &devices_sorted {
        let rep = element_rep[data.devices[i].element.index()].index();
        on_element[fill[rep] as usize] = OutageDeviceId(device_outage[i]);
        fill[rep] += 1;
    }
    for i in 0..ne {
        if element_outage[i] != NONE {
            on_element[fill[i] as usize] = OutageDeviceId(element_outage[i]);
        } else if on_element_start[i] < on_element_start[i + 1] {
            // Naming the element names its upstream-most device.
            element_outage[i] = on_element[on_element_start[i] as usize].0;
        }
    }
    drop(fill);

    let mut bus_cust_start = vec![0u32; nb + 1];
    for c in &data.customers {
        bus_cust_start[c.bus.index() + 1] += 1;
    }
    for b in 0..nb {
        bus_cust_start[b + 1] += bus_cust_start[b];
    }
    let mut fill: Vec<u32> = bus_cust_start[..nb].to_vec();
    let mut bus_cust = vec![CustomerId(0); nc];
    for (i, c) in data.customers.iter().enumerate() {
        bus_cust[fill[c.bus.index()] as usize] = CustomerId::from(i);
        fill[c.bus.index()] += 1;
    }
    drop(fill);

    outage_kinds.shrink_to_fit();
    let customer_tags = data
        .customers
        .iter()
        .map(|c| {
            let zone = match c.zone {
                ServiceZone::Urban => 0,
                ServiceZone::Rural => 1,
                ServiceZone::Remote => 2,
            };
            zone | if c.critical { TAG_CRITICAL } else { 0 }
        })
        .collect();
    let derived = Derived {
        names,
        tag_bits,
        bus_names,
        element_rep,
        has_device,
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
        customer_tags,
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
