//! Deriving the tables a network's queries read: the name indexes, the bus adjacency,
//! parallel bundles, the outage devices and where they sit, and the customers at each
//! bus.

use crate::error::{NetworkError, SourceLocation};
use crate::ids::{BusId, CustomerId, DeviceId, ElementId, NONE, OutageDeviceId, SourceId};

use super::model::{Derived, NetworkData, TAG_CRITICAL};
use super::name_index::{self, NameIndex};
use super::names::Named;
use super::radial::check_radial;
use super::{Element, ElementKind, OutageDeviceKind, ServiceZone};

/// Computes the derived tables and validates.
///
/// The phases, in order: the name indexes (which find unknown buses, devices on
/// missing elements and duplicate names), the bus adjacency, the parallel bundles,
/// the outage devices, the customers by bus, and last the radial check.
///
/// # Complexity
/// O(B + E + D + C) for B buses, E elements, D devices, C customers (one hash probe per
/// name), with no hash map keyed by strings: the name indexes hold 4 bytes a slot.
///
/// `bus_names` is the bus index of a [`NetworkBuilder`](super::NetworkBuilder), which
/// holds every bus under a distinct name already; without it the index is made here.
pub(super) fn derive(
    data: &NetworkData,
    bus_names: Option<NameIndex>,
) -> Result<Derived, NetworkError> {
    if data.sources.is_empty() {
        return Err(NetworkError::NoSource);
    }
    let tag_bits = data.tag_bits();
    assert!(
        tag_bits <= 30,
        "a network holds fewer than 2^30 objects of a kind"
    );
    let (names, has_device) = index_names(data, tag_bits)?;
    let bus_names = match bus_names {
        Some(index) => index,
        None => index_buses(data)?,
    };
    let (mut adj_start, mut adj) = adjacency(data);
    let element_rep = bundles(data, &adj_start, &adj);
    keep_representatives(&element_rep, &mut adj_start, &mut adj);
    let mut numbered = number_outage_devices(data, &element_rep);
    let (on_element_start, on_element) = stack_on_elements(data, &element_rep, &mut numbered);
    let (bus_cust_start, bus_cust) = customers_by_bus(data);
    let mut outage_kinds = numbered.kinds;
    outage_kinds.shrink_to_fit();
    let derived = Derived {
        names,
        tag_bits,
        bus_names,
        element_rep,
        has_device,
        outage_kinds,
        on_element_start,
        on_element,
        source_device: numbered.source_device,
        device_outage: numbered.device_outage,
        element_outage: numbered.element_outage,
        adj_start,
        adj,
        bus_cust_start,
        bus_cust,
        customer_tags: customer_tags(data),
    };
    check_radial(data, &derived)?;
    Ok(derived)
}

/// The name index of sources, elements, devices and customers, checking on the way
/// that every bus and element they name exists; with whether a protective device sits
/// on each element.
///
/// The first error in array order (sources, elements, devices, customers) is returned.
fn index_names(data: &NetworkData, tag_bits: u32) -> Result<(NameIndex, Vec<bool>), NetworkError> {
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
    let max_tag = Named::Source(SourceId::from(data.sources.len() - 1)).tag(tag_bits);
    let total = ne + data.devices.len() + data.customers.len() + data.sources.len();
    let mut names = NameIndex::with_capacity(total, max_tag);
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
    Ok((names, has_device))
}

/// The bus name index, refusing two buses of one name.
fn index_buses(data: &NetworkData) -> Result<NameIndex, NetworkError> {
    let nb = data.buses.len();
    let mut index = NameIndex::with_capacity(nb, nb as u32);
    for (i, b) in data.buses.iter().enumerate() {
        index
            .insert(&b.name, i as u32, |x| &data.buses[x as usize].name)
            .map_err(|_| NetworkError::DuplicateName {
                name: format!("bus {}", b.name),
                at: SourceLocation::default(),
            })?;
    }
    Ok(index)
}

/// Bus adjacency over every element joining two buses, whatever its state (CSR):
/// `(start, list)`, the neighbours of bus `b` being `list[start[b]..start[b + 1]]`
/// as `(neighbour, element)`.
fn adjacency(data: &NetworkData) -> (Vec<u32>, Vec<(BusId, ElementId)>) {
    let nb = data.buses.len();
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
    (adj_start, adj)
}

/// For every element, the representative of its parallel bundle.
///
/// Parallel bundles among normally closed elements: one representative per unordered
/// bus pair, a transformer first, then by name (as the scoring reader does). For each
/// bus `a`, `stamp[b] == a` marks that the pair (a, b) was met, with its best element
/// so far in `best[b]`.
fn bundles(data: &NetworkData, adj_start: &[u32], adj: &[(BusId, ElementId)]) -> Vec<ElementId> {
    let nb = data.buses.len();
    let closed = |e: ElementId| {
        let el = &data.elements[e.index()];
        !el.normally_open && el.from != el.to
    };
    let better = |x: ElementId, y: ElementId| {
        let (ex, ey) = (&data.elements[x.index()], &data.elements[y.index()]);
        (ex.kind != ElementKind::Transformer, &ex.name)
            < (ey.kind != ElementKind::Transformer, &ey.name)
    };
    let mut element_rep: Vec<ElementId> = (0..data.elements.len()).map(ElementId::from).collect();
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
    element_rep
}

/// Compacts the adjacency to the bundles' representatives, in place.
fn keep_representatives(
    element_rep: &[ElementId],
    adj_start: &mut [u32],
    adj: &mut Vec<(BusId, ElementId)>,
) {
    let nb = adj_start.len() - 1;
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

/// The outage devices after the services, numbered: see [`number_outage_devices`].
struct Numbered {
    /// The kinds of the outage devices after the services, in id order.
    kinds: Vec<OutageDeviceKind>,
    /// The protective devices, upstream-most kinds first (the order they are numbered
    /// in).
    devices_sorted: Vec<usize>,
    /// Per representative element, how many protective devices sit on it.
    on_count: Vec<u32>,
    /// Outage device of each protective device.
    device_outage: Vec<u32>,
    /// Outage device of each element (its own transformer or switch), NONE otherwise.
    element_outage: Vec<u32>,
    /// Outage device of each source.
    source_device: Vec<OutageDeviceId>,
}

/// Numbers the outage devices: services first (implicit, in customer order), then
/// protective devices (upstream-most kinds first), transformers and switches, sources.
fn number_outage_devices(data: &NetworkData, element_rep: &[ElementId]) -> Numbered {
    let ne = data.elements.len();
    let nc = data.customers.len();
    let nd = data.devices.len();
    let mut bundle_all_lines = vec![true; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if e.kind != ElementKind::Line {
            bundle_all_lines[element_rep[i].index()] = false;
        }
    }
    let mut kinds: Vec<OutageDeviceKind> = Vec::new();
    let next_id = |kinds: &Vec<OutageDeviceKind>| OutageDeviceId::from(nc + kinds.len());
    let mut device_outage = vec![NONE; nd];
    let mut devices_sorted: Vec<usize> = (0..nd).collect();
    devices_sorted.sort_by_key(|&i| data.devices[i].kind.rank());
    let mut on_count = vec![0u32; ne];
    for &i in &devices_sorted {
        let rep = element_rep[data.devices[i].element.index()];
        device_outage[i] = next_id(&kinds).0;
        kinds.push(OutageDeviceKind::Protective(DeviceId::from(i)));
        on_count[rep.index()] += 1;
    }
    let mut element_outage = vec![NONE; ne];
    for (i, e) in data.elements.iter().enumerate() {
        if element_rep[i].index() != i {
            continue;
        }
        if e.is_distribution_transformer() {
            element_outage[i] = next_id(&kinds).0;
            kinds.push(OutageDeviceKind::Transformer(ElementId::from(i)));
        } else if e.kind == ElementKind::Line && e.switch && on_count[i] == 0 && bundle_all_lines[i]
        {
            element_outage[i] = next_id(&kinds).0;
            kinds.push(OutageDeviceKind::Switch(ElementId::from(i)));
        }
    }
    drop(bundle_all_lines);
    let mut source_device = Vec::with_capacity(data.sources.len());
    for s in 0..data.sources.len() {
        source_device.push(next_id(&kinds));
        kinds.push(OutageDeviceKind::Source(SourceId::from(s)));
    }
    Numbered {
        kinds,
        devices_sorted,
        on_count,
        device_outage,
        element_outage,
        source_device,
    }
}

/// The outage devices on each element, upstream-most first (CSR): protective devices
/// by kind (they were numbered in that order), then the element's own transformer or
/// switch. An element with devices but none of its own is named by its upstream-most
/// device from then on (in `element_outage`).
fn stack_on_elements(
    data: &NetworkData,
    element_rep: &[ElementId],
    numbered: &mut Numbered,
) -> (Vec<u32>, Vec<OutageDeviceId>) {
    let ne = data.elements.len();
    let on_count = std::mem::take(&mut numbered.on_count);
    let element_outage = &mut numbered.element_outage;
    let mut on_element_start = vec![0u32; ne + 1];
    for i in 0..ne {
        let own = (element_outage[i] != NONE) as u32;
        on_element_start[i + 1] = on_element_start[i] + on_count[i] + own;
    }
    drop(on_count);
    let mut fill: Vec<u32> = on_element_start[..ne].to_vec();
    let mut on_element = vec![OutageDeviceId(0); on_element_start[ne] as usize];
    for &i in &numbered.devices_sorted {
        let rep = element_rep[data.devices[i].element.index()].index();
        on_element[fill[rep] as usize] = OutageDeviceId(numbered.device_outage[i]);
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
    (on_element_start, on_element)
}

/// Customers at each bus (CSR), in customer order.
fn customers_by_bus(data: &NetworkData) -> (Vec<u32>, Vec<CustomerId>) {
    let nb = data.buses.len();
    let mut bus_cust_start = vec![0u32; nb + 1];
    for c in &data.customers {
        bus_cust_start[c.bus.index() + 1] += 1;
    }
    for b in 0..nb {
        bus_cust_start[b + 1] += bus_cust_start[b];
    }
    let mut fill: Vec<u32> = bus_cust_start[..nb].to_vec();
    let mut bus_cust = vec![CustomerId(0); data.customers.len()];
    for (i, c) in data.customers.iter().enumerate() {
        bus_cust[fill[c.bus.index()] as usize] = CustomerId::from(i);
        fill[c.bus.index()] += 1;
    }
    (bus_cust_start, bus_cust)
}

/// Per customer, its zone and whether it is critical in one byte (see
/// [`Derived::customer_tags`]).
fn customer_tags(data: &NetworkData) -> Vec<u8> {
    data.customers
        .iter()
        .map(|c| {
            let zone = match c.zone {
                ServiceZone::Urban => 0,
                ServiceZone::Rural => 1,
                ServiceZone::Remote => 2,
            };
            zone | if c.critical { TAG_CRITICAL } else { 0 }
        })
        .collect()
}
