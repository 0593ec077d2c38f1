//! Building a network: [`NetworkBuilder`] takes the objects one by one, by name or by
//! id, and validates them all in [`build`](NetworkBuilder::build).

use crate::error::{NetworkError, SourceLocation};
use crate::ids::{BusId, CustomerId, DeviceId, ElementId, SourceId};

use super::derive::derive;
use super::json::FORMAT;
use super::model::NetworkData;
use super::name_index::{self, NameIndex};
use super::names::bus_key_str;
use super::radial::loop_openings;
use super::{
    Bus, Customer, CustomerClass, DeviceKind, Element, ElementKind, Network, ProtectiveDevice,
    ServiceZone, Source,
};

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
        self.data.sources.push(Source {
            name,
            bus,
            base_kv: None,
        });
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
            rated_kv: None,
            normal_amps: None,
            emergency_amps: None,
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
            kw: None,
            kvar: None,
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
            rated_kv: None,
            normal_amps: None,
            emergency_amps: None,
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
            kw: None,
            kvar: None,
            at: self.at.clone(),
        });
        Ok(id)
    }

    /// Makes room for `elements` more elements and `customers` more customers, so that
    /// a reader that knows their number upfront never copies the arrays as they grow.
    pub(crate) fn reserve(&mut self, elements: usize, customers: usize) {
        self.data.elements.reserve_exact(elements);
        self.data.customers.reserve_exact(customers);
    }

    /// Adds an element named `name` (lowercase already) between two buses of this
    /// builder, at the current definition: [`push_element_at`](Self::push_element_at)
    /// for a reader that holds the ids and the lowercase name.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_named_element(
        &mut self,
        name: String,
        kind: ElementKind,
        [from, to]: [BusId; 2],
        opts: LineOptions,
        lowest_kv: Option<f64>,
        rated_kva: Option<f64>,
    ) -> ElementId {
        debug_assert!(from.index() < self.data.buses.len() && to.index() < self.data.buses.len());
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
            rated_kv: None,
            normal_amps: None,
            emergency_amps: None,
            at: self.at.clone(),
        });
        id
    }

    /// Adds a residential, non-critical, urban customer named `name` (lowercase
    /// `load.name` already) at a bus of this builder, at the current definition.
    pub(crate) fn push_named_customer(&mut self, name: String, bus: BusId) -> CustomerId {
        debug_assert!(bus.index() < self.data.buses.len() && name.starts_with("load."));
        let id = CustomerId::from(self.data.customers.len());
        self.data.customers.push(Customer {
            name,
            bus,
            class: CustomerClass::Residential,
            critical: false,
            zone: ServiceZone::Urban,
            kw: None,
            kvar: None,
            at: self.at.clone(),
        });
        id
    }

    /// A bus's name (lowercase).
    ///
    /// # Panics
    /// When `b` is not a bus of this builder.
    pub(crate) fn bus_name(&self, b: BusId) -> &str {
        &self.data.buses[b.index()].name
    }

    /// An element's name and where it was defined.
    ///
    /// # Panics
    /// When `e` is not an element of this builder.
    pub(crate) fn element_name_at(&self, e: ElementId) -> (&str, &SourceLocation) {
        let el = &self.data.elements[e.index()];
        (&el.name, &el.at)
    }

    /// Number of buses added so far.
    pub(crate) fn bus_count(&self) -> usize {
        self.data.buses.len()
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

    /// Sets an element's current ratings, A (`None` where unknown).
    ///
    /// # Panics
    /// When `e` is not an element of this builder.
    pub fn set_element_rating(
        &mut self,
        e: ElementId,
        normal_amps: Option<f64>,
        emergency_amps: Option<f64>,
    ) {
        let el = &mut self.data.elements[e.index()];
        el.normal_amps = normal_amps;
        el.emergency_amps = emergency_amps;
    }

    /// Sets a transformer's highest winding voltage (its primary's), kV.
    ///
    /// # Panics
    /// When `e` is not an element of this builder.
    pub fn set_transformer_kv(&mut self, e: ElementId, rated_kv: f64) {
        self.data.elements[e.index()].rated_kv = Some(rated_kv);
    }

    /// Sets a customer's load: active power, kW, and reactive power, kvar.
    ///
    /// # Panics
    /// When `c` is not a customer of this builder.
    pub fn set_customer_load(&mut self, c: CustomerId, kw: f64, kvar: f64) {
        let cu = &mut self.data.customers[c.index()];
        cu.kw = Some(kw);
        cu.kvar = Some(kvar);
    }

    /// Sets a source's nominal line-to-line voltage, kV.
    ///
    /// # Panics
    /// When `s` is not a source of this builder.
    pub fn set_source_kv(&mut self, s: SourceId, base_kv: f64) {
        self.data.sources[s.index()].base_kv = Some(base_kv);
    }

    /// Opens closed elements until no loop is left among the closed elements that the
    /// sources reach, and returns them in id order: an OMS must cut a meshed network
    /// somewhere to follow it radially. A loop is opened at a switchable element (a
    /// switch line or one carrying a protective device) where it has one, else at its
    /// far side from the source, where the shortest paths around it meet.
    ///
    /// # Complexity
    /// O(B + E log B) for B buses and E elements: one spanning forest grown from the
    /// sources, whose complement is opened.
    pub fn open_loops(&mut self) -> Vec<ElementId> {
        let opened = loop_openings(&self.data);
        for &e in &opened {
            self.data.elements[e.index()].normally_open = true;
        }
        opened
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
