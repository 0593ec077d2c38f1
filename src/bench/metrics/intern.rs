//! Devices and customers by number, for scoring: each device name with its canonical
//! device (the topmost of those holding off exactly the same customers) and the span
//! of customers it holds off, and the arithmetic of spans.

use std::collections::HashMap;
use std::ops::Range;

use crate::ids::OutageDeviceId;
use crate::network::Network;
use crate::topology::EnergizationView;

/// A scorer's key: a number for a name of the output or the truth, given in order of
/// first sight (or, for customers the network supplies, their pre-order position).
macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(super) struct $name(pub(super) u32);
    };
}

key_type!(
    /// A device name interned by [`Devices::id`].
    DeviceKey
);
key_type!(
    /// A canonical device (see [`canonical`]), interned: devices with the same key
    /// hold off the same customers.
    CanonKey
);
key_type!(
    /// A customer interned by [`Customers::id`]: its pre-order position when the
    /// network supplies it, a number past them otherwise.
    CustomerKey
);
key_type!(
    /// An outage of an engine's output, interned from its printed id.
    OutageKey
);

/// Device names interned, with their canonical key and customer span.
pub(super) struct Devices<'a> {
    net: &'a Network,
    view: &'a EnergizationView,
    index: HashMap<String, DeviceKey>,
    /// Per interned name: the name.
    names: Vec<String>,
    /// Per interned name: canonical key.
    canon: Vec<CanonKey>,
    /// Per interned name: customer positions below.
    span: Vec<Range<u32>>,
    canon_index: HashMap<CanonName, CanonKey>,
}

/// What names a canonical device: the topmost energized device of those holding off
/// the same customers, or the name itself for a device the network does not have (or
/// that is not energized).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CanonName {
    Device(OutageDeviceId),
    Name(String),
}

impl<'a> Devices<'a> {
    pub(super) fn new(net: &'a Network, view: &'a EnergizationView) -> Self {
        Devices {
            net,
            view,
            index: HashMap::new(),
            names: Vec::new(),
            canon: Vec::new(),
            span: Vec::new(),
            canon_index: HashMap::new(),
        }
    }

    /// The interned index of a (lowercase) device name.
    pub(super) fn id(&mut self, name: &str) -> DeviceKey {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let d = self
            .net
            .outage_device_by_name(name)
            .filter(|&d| self.view.is_energized(d));
        let (key, span) = match d {
            Some(d) => (
                CanonName::Device(canonical(self.view, d)),
                self.view.customer_span(d),
            ),
            None => (CanonName::Name(name.to_string()), 0..0),
        };
        let next = CanonKey(self.canon_index.len() as u32);
        let c = *self.canon_index.entry(key).or_insert(next);
        let i = DeviceKey(self.canon.len() as u32);
        self.canon.push(c);
        self.span.push(span);
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    /// The name an interned device was made from.
    pub(super) fn name(&self, d: DeviceKey) -> &str {
        &self.names[d.0 as usize]
    }

    /// The canonical device of an interned device.
    pub(super) fn canon(&self, d: DeviceKey) -> CanonKey {
        self.canon[d.0 as usize]
    }

    /// The customer positions below an interned device (empty for a device the
    /// network does not have or does not energize).
    pub(super) fn span(&self, d: DeviceKey) -> Range<u32> {
        self.span[d.0 as usize].clone()
    }
}

/// The topmost device holding off exactly the customers of `d`: devices with the same
/// customers lie on one chain, and the topmost of them names them all.
pub(super) fn canonical(view: &EnergizationView, d: OutageDeviceId) -> OutageDeviceId {
    let n = view.customer_count_below(d);
    let mut top = d;
    while n > 0
        && let Some(p) = view.parent(top)
        && view.customer_count_below(p) == n
    {
        top = p;
    }
    top
}

/// Customers interned: pre-order positions for the network's, numbers past them for
/// names it does not know.
pub(super) struct Customers<'a> {
    net: &'a Network,
    view: &'a EnergizationView,
    unknown: HashMap<String, CustomerKey>,
}

impl<'a> Customers<'a> {
    pub(super) fn new(net: &'a Network, view: &'a EnergizationView) -> Self {
        Customers {
            net,
            view,
            unknown: HashMap::new(),
        }
    }

    /// The interned index of a customer name: its pre-order position when the network
    /// supplies it.
    pub(super) fn id(&mut self, name: &str) -> CustomerKey {
        if let Some(c) = self
            .net
            .customer_by_name(name)
            .filter(|&c| self.view.is_supplied(c))
        {
            return CustomerKey(self.view.customer_position(c));
        }
        let base = self.net.customers().len() as u32;
        let n = self.unknown.len() as u32;
        *self
            .unknown
            .entry(name.to_ascii_lowercase())
            .or_insert(CustomerKey(base + n))
    }
}

/// The union of ranges, as sorted disjoint ranges.
pub(super) fn merge(mut r: Vec<Range<u32>>) -> Vec<Range<u32>> {
    r.retain(|x| x.start < x.end);
    r.sort_by_key(|x| x.start);
    let mut out: Vec<Range<u32>> = Vec::with_capacity(r.len());
    for x in r {
        match out.last_mut() {
            Some(l) if x.start <= l.end => l.end = l.end.max(x.end),
            _ => out.push(x),
        }
    }
    out
}

/// The length of sorted disjoint ranges.
pub(super) fn total(r: &[Range<u32>]) -> u64 {
    r.iter().map(|x| (x.end - x.start) as u64).sum()
}

/// The length of the intersection of two lists of sorted disjoint ranges.
pub(super) fn intersection(a: &[Range<u32>], b: &[Range<u32>]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        if lo < hi {
            n += (hi - lo) as u64;
        }
        if a[i].end < b[j].end { i += 1 } else { j += 1 }
    }
    n
}

/// Whether a sorted list of customers holds one at a position in the range.
pub(super) fn any_in(sorted: &[CustomerKey], r: &Range<u32>) -> bool {
    let k = sorted.partition_point(|x| x.0 < r.start);
    k < sorted.len() && sorted[k].0 < r.end
}
