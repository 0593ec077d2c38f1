//! Names: what a name of the network's name index stands for, bus keys, and the
//! network's lookups by name.

use crate::ids::{BusId, CustomerId, DeviceId, ElementId, NONE, OutageDeviceId, SourceId};

use super::Network;
use super::model::NetworkData;

/// What a name of the name index stands for: the kind in the top two bits of the tag,
/// the index in the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Named {
    Element(ElementId),
    Device(DeviceId),
    Customer(CustomerId),
    Source(SourceId),
}

impl Named {
    /// The kind in the two bits above `bits` bits of index.
    pub(super) fn tag(self, bits: u32) -> u32 {
        match self {
            Named::Element(e) => e.0,
            Named::Device(d) => (1 << bits) | d.0,
            Named::Customer(c) => (2 << bits) | c.0,
            Named::Source(s) => (3 << bits) | s.0,
        }
    }

    pub(super) fn from_tag(t: u32, bits: u32) -> Named {
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
    pub(super) fn tag_bits(&self) -> u32 {
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

    pub(super) fn name_of(&self, tag: u32, bits: u32) -> &str {
        match Named::from_tag(tag, bits) {
            Named::Element(e) => &self.elements[e.index()].name,
            Named::Device(d) => &self.devices[d.index()].name,
            Named::Customer(c) => &self.customers[c.index()].name,
            Named::Source(s) => &self.sources[s.index()].name,
        }
    }
}

impl Network {
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
}

fn some_id(x: u32) -> Option<OutageDeviceId> {
    (x != NONE).then_some(OutageDeviceId(x))
}

/// Bus name without node suffixes, as given: `B1.1.2` -> `B1`.
pub(super) fn bus_key_str(name: &str) -> &str {
    name.trim().split('.').next().unwrap_or("")
}

/// Lowercase bus name without node suffixes: `B1.1.2` -> `b1`.
pub(crate) fn bus_key(name: &str) -> String {
    bus_key_str(name).to_ascii_lowercase()
}
