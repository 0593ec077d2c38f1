//! The outage devices: what each is, its class, name, bus and element, how they stack
//! on the elements (upstream-most first), and the depth of their tree.

use serde::{Deserialize, Serialize};

use crate::ids::{BusId, CustomerId, DeviceId, ElementId, NONE, OutageDeviceId, SourceId};

use super::{DeviceKind, Network};

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

impl Network {
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

    pub(crate) fn outage_devices_on(&self, rep: ElementId) -> &[OutageDeviceId] {
        let s = self.derived.on_element_start[rep.index()] as usize;
        let t = self.derived.on_element_start[rep.index() + 1] as usize;
        &self.derived.on_element[s..t]
    }

    pub(crate) fn source_outage_device(&self, s: SourceId) -> OutageDeviceId {
        self.derived.source_device[s.index()]
    }

    /// The element an outage device sits on, if any.
    pub fn outage_device_element(&self, id: OutageDeviceId) -> Option<ElementId> {
        match self.outage_device_kind(id) {
            OutageDeviceKind::Transformer(e) | OutageDeviceKind::Switch(e) => Some(e),
            OutageDeviceKind::Protective(d) => Some(self.device(d).element),
            _ => None,
        }
    }

    /// The longest chain of outage devices from a customer's service up to its source
    /// in the normal state, counting both ends: the import report's `max_depth`, one
    /// more than the `max_depth` of the normal energization view.
    ///
    /// The normal state is the topology's: elements opened or disabled in the model,
    /// and elements carrying a normally-open device, are open. Depths saturate at
    /// `u16::MAX` as the view's do.
    ///
    /// # Complexity
    /// O(B + E + D) time and O(B + E) memory for B buses, E elements, D outage
    /// devices: one breadth-first walk from the sources.
    pub(crate) fn longest_outage_chain(&self) -> usize {
        let mut open: Vec<bool> = self.data.elements.iter().map(|e| e.normally_open).collect();
        for d in &self.data.devices {
            if d.normally_open {
                open[d.element.index()] = true;
            }
        }
        // Per bus, the depth of the nearest outage device above it (NONE: not reached).
        let mut depth = vec![NONE; self.data.buses.len()];
        let mut queue: Vec<BusId> = Vec::with_capacity(self.data.buses.len());
        for s in &self.data.sources {
            if depth[s.bus.index()] == NONE {
                depth[s.bus.index()] = 0;
                queue.push(s.bus);
            }
        }
        let mut longest = 0u16;
        let mut head = 0;
        while head < queue.len() {
            let b = queue[head];
            head += 1;
            let here = depth[b.index()] as u16;
            longest = longest.max(here);
            if !self.customers_at(b).is_empty() {
                // The services below the bus's device.
                longest = longest.max(here.saturating_add(1));
            }
            for &(next, e) in self.neighbours(b) {
                // A bus met already is the one feeding `b`: the build refused loops
                // among closed elements, and the normal state only opens more.
                if open[e.index()] || depth[next.index()] != NONE {
                    continue;
                }
                let stacked = u16::try_from(self.outage_devices_on(e).len()).unwrap_or(u16::MAX);
                depth[next.index()] = here.saturating_add(stacked) as u32;
                queue.push(next);
            }
        }
        longest as usize + 1
    }
}
