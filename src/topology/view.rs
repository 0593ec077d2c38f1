//! The energization view and its queries: who feeds whom, pre-order intervals over
//! the outage-device tree, and the customers a set of open devices de-energizes.

use crate::ids::{BusId, CustomerId, ElementId, NONE, OutageDeviceId};

use super::SwitchStates;

/// The radial energization view of a network for one set of switch states.
///
/// The outage devices that are energized form a forest (one tree per source). Each
/// device has a pre-order index and the end of its subtree, so that "is X below Y" is
/// two comparisons; customers are numbered in the same pre-order, so that the customers
/// below a device are one contiguous slice.
///
/// ```
/// use outage_locator::{EnergizationView, NetworkBuilder};
/// use outage_locator::network::{DeviceKind};
/// let mut b = NetworkBuilder::new("demo");
/// for bus in ["s", "a", "b", "x", "y"] { b.add_bus(bus); }
/// b.add_source("circuit.demo", "s").unwrap();
/// b.add_line("line.l1", "s", "a").unwrap();
/// b.add_line("line.l2", "a", "b").unwrap();
/// b.add_device("fuse.f2", DeviceKind::Fuse, "line.l2").unwrap();
/// b.add_transformer("transformer.t1", "a", "x", 0.24, 25.0).unwrap();
/// b.add_transformer("transformer.t2", "b", "y", 0.24, 25.0).unwrap();
/// b.add_customer("c1", "x").unwrap();
/// b.add_customer("c2", "y").unwrap();
/// let net = b.build().unwrap();
/// let view = EnergizationView::normal(&net).unwrap();
/// let fuse = net.outage_device_by_name("fuse.f2").unwrap();
/// let c2 = net.customer_by_name("c2").unwrap();
/// assert_eq!(view.customers_below(fuse), &[c2]);
/// assert!(view.is_below(net.outage_device_by_name("load.c2").unwrap(), fuse));
/// let names: Vec<_> = view.upstream(net.outage_device_by_name("load.c2").unwrap())
///     .map(|d| net.outage_device_name(d)).collect();
/// assert_eq!(names, ["load.c2", "transformer.t2", "fuse.f2", "circuit.demo"]);
/// ```
///
/// # Layout
/// Customers' services are leaves and are the first outage devices (ids below the
/// customer count), so the view keeps for them only a parent and a pre-order index:
/// a device's services come first among its children (they have the smallest ids) and
/// follow it directly in pre-order, which gives a service's customer position from its
/// parent's, and the children of a device whose children are all services as a slice of
/// the pre-order. Subtree ends, customer spans, depths and the other children lists are
/// kept for the other devices only. At a million customers the view takes about 25
/// bytes a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnergizationView {
    pub(super) states: SwitchStates,
    /// The number of customers: outage devices below it are services.
    pub(super) nc: u32,
    /// Per bus: the element feeding it (NONE at sources and for dead buses).
    pub(super) bus_parent_element: Vec<u32>,
    /// Per bus: the nearest outage device above (NONE for dead buses).
    pub(super) bus_device: Vec<u32>,
    /// Per outage device: its parent (NONE for roots and for dead devices).
    pub(super) dev_parent: Vec<u32>,
    /// Per outage device: pre-order index (NONE when dead).
    pub(super) pre: Vec<u32>,
    /// Per non-service device (index `d - nc`): subtree end in pre-order (exclusive;
    /// NONE when dead), its customer span (0..0 when dead), depth (0 when dead).
    pub(super) end: Vec<u32>,
    pub(super) cust_lo: Vec<u32>,
    pub(super) cust_hi: Vec<u32>,
    pub(super) depth: Vec<u16>,
    /// Children in CSR form by `d - nc`, each list in id order, for the devices with a
    /// child that is not a service; the others' children are a slice of `order`.
    pub(super) child_start: Vec<u32>,
    pub(super) children: Vec<OutageDeviceId>,
    /// Outage devices in pre-order.
    pub(super) order: Vec<OutageDeviceId>,
    /// Customers in pre-order.
    pub(super) cust_order: Vec<CustomerId>,
    pub(super) max_depth: u16,
}

impl EnergizationView {
    /// The switch states this view was built for.
    pub fn states(&self) -> &SwitchStates {
        &self.states
    }

    /// Whether the outage device is energized in this view (fed from a source).
    #[inline]
    pub fn is_energized(&self, d: OutageDeviceId) -> bool {
        self.pre[d.index()] != NONE
    }

    /// Whether a customer is supplied in this view.
    #[inline]
    pub fn is_supplied(&self, c: CustomerId) -> bool {
        self.pre[c.index()] != NONE
    }

    /// Whether a bus is energized in this view.
    #[inline]
    pub fn is_bus_energized(&self, b: BusId) -> bool {
        self.bus_device[b.index()] != NONE
    }

    /// The nearest outage device above a bus (whose opening de-energizes the bus).
    #[inline]
    pub fn device_above_bus(&self, b: BusId) -> Option<OutageDeviceId> {
        let d = self.bus_device[b.index()];
        (d != NONE).then_some(OutageDeviceId(d))
    }

    /// The element feeding a bus in this view.
    #[inline]
    pub fn feeding_element(&self, b: BusId) -> Option<ElementId> {
        let e = self.bus_parent_element[b.index()];
        (e != NONE).then_some(ElementId(e))
    }

    /// The parent outage device.
    #[inline]
    pub fn parent(&self, d: OutageDeviceId) -> Option<OutageDeviceId> {
        let p = self.dev_parent[d.index()];
        (p != NONE).then_some(OutageDeviceId(p))
    }

    /// The device itself and every outage device above it up to its source, nearest
    /// first: for a customer's service, the chain service → transformer → fuses →
    /// recloser → breaker → source. Allocation-free.
    #[inline]
    pub fn upstream(&self, d: OutageDeviceId) -> Upstream<'_> {
        Upstream {
            parent: &self.dev_parent,
            next: if self.is_energized(d) { d.0 } else { NONE },
        }
    }

    /// Whether `x` is `y` or below it. O(1).
    #[inline]
    pub fn is_below(&self, x: OutageDeviceId, y: OutageDeviceId) -> bool {
        let px = self.pre[x.index()];
        let py = self.pre[y.index()];
        if px == NONE || py == NONE {
            return false;
        }
        if y.0 < self.nc {
            // A service has nothing below it but itself.
            return x == y;
        }
        py <= px && px < self.end[y.index() - self.nc as usize]
    }

    /// Depth in the device tree (0 at a source, and for a dead device).
    #[inline]
    pub fn depth(&self, d: OutageDeviceId) -> u16 {
        if d.0 < self.nc {
            match self.dev_parent[d.index()] {
                NONE => 0,
                p => self.depth[p as usize - self.nc as usize].saturating_add(1),
            }
        } else {
            self.depth[d.index() - self.nc as usize]
        }
    }

    /// The longest chain of outage devices from a customer to its source (edges).
    pub fn max_depth(&self) -> u16 {
        self.max_depth
    }

    /// The customers below a device: one contiguous slice, in pre-order. O(1).
    #[inline]
    pub fn customers_below(&self, d: OutageDeviceId) -> &[CustomerId] {
        let r = self.customer_span(d);
        &self.cust_order[r.start as usize..r.end as usize]
    }

    /// How many customers are below a device. O(1).
    #[inline]
    pub fn customer_count_below(&self, d: OutageDeviceId) -> u32 {
        let r = self.customer_span(d);
        r.end - r.start
    }

    /// The range of pre-order customer positions below a device.
    #[inline]
    pub fn customer_span(&self, d: OutageDeviceId) -> std::ops::Range<u32> {
        if d.0 < self.nc {
            match self.service_position(d.0) {
                NONE => 0..0,
                p => p..p + 1,
            }
        } else {
            let j = d.index() - self.nc as usize;
            self.cust_lo[j]..self.cust_hi[j]
        }
    }

    /// The pre-order position of a customer (its index in the pre-order customer list);
    /// 0 for a customer without supply.
    #[inline]
    pub fn customer_position(&self, c: CustomerId) -> u32 {
        match self.service_position(c.0) {
            NONE => 0,
            p => p,
        }
    }

    /// The pre-order position of a customer with supply in this view (its index in
    /// the pre-order customer list); `None` without supply.
    #[inline]
    pub fn supplied_position(&self, c: CustomerId) -> Option<u32> {
        match self.service_position(c.0) {
            NONE => None,
            p => Some(p),
        }
    }

    /// A service's customer position (NONE when dead): its parent's services follow the
    /// parent directly in pre-order, from the parent's first customer position on.
    #[inline]
    fn service_position(&self, c: u32) -> u32 {
        let p = self.dev_parent[c as usize];
        if p == NONE {
            return NONE;
        }
        let j = p as usize - self.nc as usize;
        self.cust_lo[j] + (self.pre[c as usize] - self.pre[p as usize] - 1)
    }

    /// The direct children of a device, in pre-order (which is id order).
    pub fn children(&self, d: OutageDeviceId) -> &[OutageDeviceId] {
        if d.0 < self.nc || self.pre[d.index()] == NONE {
            return &[];
        }
        let j = d.index() - self.nc as usize;
        let (s, t) = (
            self.child_start[j] as usize,
            self.child_start[j + 1] as usize,
        );
        if s < t {
            &self.children[s..t]
        } else {
            // Services only (or none): they follow the device in pre-order.
            let first = self.pre[d.index()] as usize + 1;
            let n = (self.cust_hi[j] - self.cust_lo[j]) as usize;
            &self.order[first..first + n]
        }
    }

    /// Whether the non-service device `d - nc = j` has services among its children.
    pub(super) fn has_services(&self, j: usize) -> bool {
        let (s, t) = (
            self.child_start[j] as usize,
            self.child_start[j + 1] as usize,
        );
        if s < t {
            self.children[s].0 < self.nc
        } else {
            self.cust_hi[j] > self.cust_lo[j]
        }
    }

    /// Energized outage devices in pre-order (parents before children).
    pub fn preorder(&self) -> &[OutageDeviceId] {
        &self.order
    }

    /// Pre-order index of a device, if energized.
    #[inline]
    pub fn preorder_index(&self, d: OutageDeviceId) -> Option<u32> {
        let p = self.pre[d.index()];
        (p != NONE).then_some(p)
    }

    /// End (exclusive) of a device's subtree in pre-order, if energized: the devices
    /// at or below `d` are those with a pre-order index in `preorder_index(d)..end`.
    #[inline]
    pub fn preorder_end(&self, d: OutageDeviceId) -> Option<u32> {
        let p = self.pre[d.index()];
        if p == NONE {
            None
        } else if d.0 < self.nc {
            Some(p + 1)
        } else {
            Some(self.end[d.index() - self.nc as usize])
        }
    }

    /// The customers that the given open devices de-energize, in pre-order, each once.
    ///
    /// # Complexity
    /// O(k log k + m) for k devices and m customers returned.
    pub fn deenergized(&self, open: &[OutageDeviceId]) -> Vec<CustomerId> {
        let mut out = Vec::new();
        for r in self.deenergized_spans(open) {
            out.extend_from_slice(&self.cust_order[r.start as usize..r.end as usize]);
        }
        out
    }

    /// How many customers the given open devices de-energize. O(k log k).
    pub fn deenergized_count(&self, open: &[OutageDeviceId]) -> u32 {
        self.deenergized_spans(open)
            .iter()
            .map(|r| r.end - r.start)
            .sum()
    }

    /// Disjoint, sorted spans of pre-order customer positions held off by open devices.
    pub fn deenergized_spans(&self, open: &[OutageDeviceId]) -> Vec<std::ops::Range<u32>> {
        let mut spans: Vec<std::ops::Range<u32>> = open
            .iter()
            .filter(|d| self.is_energized(**d))
            .map(|&d| self.customer_span(d))
            .filter(|r| !r.is_empty())
            .collect();
        spans.sort_unstable_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut merged: Vec<std::ops::Range<u32>> = Vec::with_capacity(spans.len());
        for r in spans {
            match merged.last_mut() {
                Some(last) if r.start < last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// The customers in pre-order.
    pub fn customers_in_preorder(&self) -> &[CustomerId] {
        &self.cust_order
    }

    /// Subtree end (exclusive pre-order index) of a live device.
    #[inline]
    pub(super) fn end_of(&self, d: u32) -> u32 {
        if d < self.nc {
            self.pre[d as usize] + 1
        } else {
            self.end[d as usize - self.nc as usize]
        }
    }

    /// The customer span of a live device.
    #[inline]
    pub(super) fn span_of(&self, d: u32) -> (u32, u32) {
        let r = self.customer_span(OutageDeviceId(d));
        (r.start, r.end)
    }
}

impl Default for EnergizationView {
    /// An empty view (of no network): a spare for [`switch_reusing`](Self::switch_reusing).
    fn default() -> Self {
        EnergizationView {
            states: SwitchStates { open: Vec::new() },
            nc: 0,
            bus_parent_element: Vec::new(),
            bus_device: Vec::new(),
            dev_parent: Vec::new(),
            pre: Vec::new(),
            end: Vec::new(),
            cust_lo: Vec::new(),
            cust_hi: Vec::new(),
            depth: Vec::new(),
            child_start: Vec::new(),
            children: Vec::new(),
            order: Vec::new(),
            cust_order: Vec::new(),
            max_depth: 0,
        }
    }
}

/// Iterator over a device and its ancestors; see [`EnergizationView::upstream`].
#[derive(Debug, Clone)]
pub struct Upstream<'a> {
    parent: &'a [u32],
    next: u32,
}

impl Iterator for Upstream<'_> {
    type Item = OutageDeviceId;
    #[inline]
    fn next(&mut self) -> Option<OutageDeviceId> {
        if self.next == NONE {
            return None;
        }
        let d = OutageDeviceId(self.next);
        self.next = self.parent[d.index()];
        Some(d)
    }
}
