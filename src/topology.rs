//! Topology views: for a set of switch states, the radial energization view of a
//! [`Network`]: who feeds whom, pre-order intervals over the outage-device tree, and
//! the customers a set of open devices de-energizes.

use crate::error::SwitchingError;
use crate::ids::{BusId, CustomerId, ElementId, NONE, OutageDeviceId};
use crate::network::Network;

/// Whether an element is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchState {
    /// Carries no current.
    Open,
    /// Carries current.
    Closed,
}

/// The open/closed state of every element of a network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SwitchStates {
    open: Vec<bool>,
}

impl SwitchStates {
    /// The model's normal state: elements opened or disabled in the model, and elements
    /// carrying a normally-open device, are open.
    pub fn normal(net: &Network) -> Self {
        let mut open: Vec<bool> = net.elements().iter().map(|e| e.normally_open).collect();
        for d in net.devices() {
            if d.normally_open {
                open[d.element.index()] = true;
            }
        }
        SwitchStates { open }
    }

    /// The state of an element.
    pub fn state(&self, e: ElementId) -> SwitchState {
        if self.open[e.index()] {
            SwitchState::Open
        } else {
            SwitchState::Closed
        }
    }

    /// Sets the state of an element.
    pub fn set(&mut self, e: ElementId, s: SwitchState) {
        self.open[e.index()] = s == SwitchState::Open;
    }

    fn is_open(&self, e: ElementId) -> bool {
        self.open[e.index()]
    }
}

/// One switching operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchingOp {
    /// Open an element (a switch, or the element of a protective device).
    Open(ElementId),
    /// Close an element.
    Close(ElementId),
    /// A transfer: open one point and close another (typically a normally-open tie).
    Transfer {
        /// The element opened.
        open: ElementId,
        /// The element closed.
        close: ElementId,
    },
}

/// The radial energization view of a network for one set of switch states.
///
/// The outage devices that are energized form a forest (one tree per source). Each
/// device has a pre-order index and the end of its subtree, so that "is X below Y" is
/// two comparisons; customers are numbered in the same pre-order, so that the customers
/// below a device are one contiguous slice.
///
/// ```
/// use outage_locator::{EnergizationView, NetworkBuilder, DeviceKind};
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
/// let names: Vec<_> = view.upstream(net.outage_device_by_name("c2").unwrap())
///     .map(|d| net.outage_device_name(d)).collect();
/// assert_eq!(names, ["load.c2", "transformer.t2", "fuse.f2", "circuit.demo"]);
/// ```
#[derive(Debug, Clone)]
pub struct EnergizationView {
    states: SwitchStates,
    /// Per bus: the element feeding it (NONE at sources and for dead buses).
    bus_parent_element: Vec<u32>,
    /// Per bus: the nearest outage device above (NONE for dead buses).
    bus_device: Vec<u32>,
    /// Per outage device: its parent (NONE for roots and for dead devices).
    dev_parent: Vec<u32>,
    /// Per outage device: pre-order index (NONE when dead) and subtree end (exclusive).
    pre: Vec<u32>,
    end: Vec<u32>,
    depth: Vec<u16>,
    /// Outage devices in pre-order.
    order: Vec<OutageDeviceId>,
    /// Customers in pre-order, and per device its slice [cust_lo, cust_hi).
    cust_order: Vec<CustomerId>,
    cust_lo: Vec<u32>,
    cust_hi: Vec<u32>,
    /// Children in CSR form, indexed by pre-order position of the parent.
    child_start: Vec<u32>,
    children: Vec<OutageDeviceId>,
    max_depth: u16,
}

impl EnergizationView {
    /// The view of the network's normal state.
    ///
    /// # Complexity
    /// O(B + E + D) time and memory for B buses, E elements and D outage devices.
    pub fn normal(net: &Network) -> Result<Self, SwitchingError> {
        Self::build(net, SwitchStates::normal(net))
    }

    /// The view for the given switch states; a state with a loop among closed elements
    /// is refused with the elements of the loop.
    pub fn build(net: &Network, states: SwitchStates) -> Result<Self, SwitchingError> {
        let nb = net.buses().len();
        let nd = net.outage_device_count();
        let mut bus_parent_element = vec![NONE; nb];
        let mut bus_parent = vec![NONE; nb];
        let mut bus_device = vec![NONE; nb];
        let mut dev_parent = vec![NONE; nd];
        let mut bfs: Vec<BusId> = Vec::with_capacity(nb);
        let mut seen = vec![false; nb];
        let mut roots: Vec<OutageDeviceId> = Vec::with_capacity(net.sources().len());
        for (i, s) in net.sources().iter().enumerate() {
            let dev = net.source_outage_device(crate::ids::SourceId::from(i));
            roots.push(dev);
            if !seen[s.bus.index()] {
                seen[s.bus.index()] = true;
                bus_device[s.bus.index()] = dev.0;
                bfs.push(s.bus);
            }
        }
        let mut head = 0;
        while head < bfs.len() {
            let b = bfs[head];
            head += 1;
            let here = bus_device[b.index()];
            for &(nb2, e) in net.neighbours(b) {
                if states.is_open(e) || bus_parent_element[b.index()] == e.0 {
                    continue;
                }
                if seen[nb2.index()] {
                    return Err(loop_error(net, &bus_parent, &bus_parent_element, b, nb2, e));
                }
                seen[nb2.index()] = true;
                bus_parent_element[nb2.index()] = e.0;
                bus_parent[nb2.index()] = b.0;
                let mut cur = here;
                for &d in net.outage_devices_on(e) {
                    dev_parent[d.index()] = cur;
                    cur = d.0;
                }
                bus_device[nb2.index()] = cur;
                bfs.push(nb2);
            }
        }
        for (i, c) in net.customers().iter().enumerate() {
            dev_parent[i] = bus_device[c.bus.index()];
        }
        // Children lists (CSR by device id), then an iterative pre-order walk.
        let mut count = vec![0u32; nd + 1];
        for &p in &dev_parent {
            if p != NONE {
                count[p as usize] += 1;
            }
        }
        let mut start = vec![0u32; nd + 1];
        let mut acc = 0u32;
        for i in 0..nd {
            start[i] = acc;
            acc += count[i];
        }
        start[nd] = acc;
        let mut fill = start.clone();
        let mut kids = vec![OutageDeviceId(0); acc as usize];
        for (i, &p) in dev_parent.iter().enumerate() {
            if p != NONE {
                kids[fill[p as usize] as usize] = OutageDeviceId::from(i);
                fill[p as usize] += 1;
            }
        }
        let nc = net.customers().len();
        let mut pre = vec![NONE; nd];
        let mut end = vec![NONE; nd];
        let mut depth = vec![0u16; nd];
        let mut cust_lo = vec![0u32; nd];
        let mut cust_hi = vec![0u32; nd];
        let mut order = Vec::with_capacity(nd);
        let mut cust_order = Vec::with_capacity(nc);
        let mut stack: Vec<(OutageDeviceId, bool)> = Vec::new();
        let mut max_depth = 0u16;
        for &r in &roots {
            if dev_parent[r.index()] != NONE || pre[r.index()] != NONE {
                continue;
            }
            stack.push((r, false));
            while let Some((d, done)) = stack.pop() {
                let di = d.index();
                if done {
                    end[di] = order.len() as u32;
                    cust_hi[di] = cust_order.len() as u32;
                    continue;
                }
                pre[di] = order.len() as u32;
                cust_lo[di] = cust_order.len() as u32;
                order.push(d);
                if di < nc {
                    cust_order.push(CustomerId(d.0));
                }
                let p = dev_parent[di];
                if p != NONE {
                    depth[di] = depth[p as usize] + 1;
                    max_depth = max_depth.max(depth[di]);
                }
                stack.push((d, true));
                let (s, t) = (start[di] as usize, start[di + 1] as usize);
                for &k in kids[s..t].iter().rev() {
                    stack.push((k, false));
                }
            }
        }
        // Children CSR re-indexed by pre-order position, children in pre-order.
        let mut child_start = Vec::with_capacity(order.len() + 1);
        let mut children = Vec::with_capacity(order.len());
        for &d in &order {
            child_start.push(children.len() as u32);
            let (s, t) = (start[d.index()] as usize, start[d.index() + 1] as usize);
            children.extend_from_slice(&kids[s..t]);
        }
        child_start.push(children.len() as u32);
        Ok(EnergizationView {
            states,
            bus_parent_element,
            bus_device,
            dev_parent,
            pre,
            end,
            depth,
            order,
            cust_order,
            cust_lo,
            cust_hi,
            child_start,
            children,
            max_depth,
        })
    }

    /// The switch states this view was built for.
    pub fn states(&self) -> &SwitchStates {
        &self.states
    }

    /// A new view after switching; `self` is unchanged. Refuses a state that closes a
    /// loop, and operations on elements that cannot be switched.
    ///
    /// # Complexity
    /// A rebuild: O(B + E + D).
    pub fn switch(&self, net: &Network, ops: &[SwitchingOp]) -> Result<Self, SwitchingError> {
        let mut states = self.states.clone();
        let check = |e: ElementId| {
            if net.is_switchable(e) {
                Ok(net.bundle_representative(e))
            } else {
                Err(SwitchingError::NotSwitchable {
                    element: net.element(e).name.clone(),
                })
            }
        };
        for op in ops {
            match *op {
                SwitchingOp::Open(e) => states.set(check(e)?, SwitchState::Open),
                SwitchingOp::Close(e) => states.set(check(e)?, SwitchState::Closed),
                SwitchingOp::Transfer { open, close } => {
                    states.set(check(open)?, SwitchState::Open);
                    states.set(check(close)?, SwitchState::Closed);
                }
            }
        }
        Self::build(net, states)
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
        px != NONE && py != NONE && py <= px && px < self.end[y.index()]
    }

    /// Depth in the device tree (0 at a source).
    #[inline]
    pub fn depth(&self, d: OutageDeviceId) -> u16 {
        self.depth[d.index()]
    }

    /// The longest chain of outage devices from a customer to its source (edges).
    pub fn max_depth(&self) -> u16 {
        self.max_depth
    }

    /// The customers below a device: one contiguous slice, in pre-order. O(1).
    #[inline]
    pub fn customers_below(&self, d: OutageDeviceId) -> &[CustomerId] {
        let i = d.index();
        &self.cust_order[self.cust_lo[i] as usize..self.cust_hi[i] as usize]
    }

    /// How many customers are below a device. O(1).
    #[inline]
    pub fn customer_count_below(&self, d: OutageDeviceId) -> u32 {
        self.cust_hi[d.index()] - self.cust_lo[d.index()]
    }

    /// The range of pre-order customer positions below a device.
    #[inline]
    pub fn customer_span(&self, d: OutageDeviceId) -> std::ops::Range<u32> {
        self.cust_lo[d.index()]..self.cust_hi[d.index()]
    }

    /// The pre-order position of a customer (its index in the pre-order customer list).
    #[inline]
    pub fn customer_position(&self, c: CustomerId) -> u32 {
        self.cust_lo[c.index()]
    }

    /// The direct children of a device, in pre-order.
    pub fn children(&self, d: OutageDeviceId) -> &[OutageDeviceId] {
        let p = self.pre[d.index()];
        if p == NONE {
            return &[];
        }
        let s = self.child_start[p as usize] as usize;
        let t = self.child_start[p as usize + 1] as usize;
        &self.children[s..t]
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
        self.deenergized_spans(open).iter().map(|r| r.end - r.start).sum()
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

fn loop_error(
    net: &Network,
    bus_parent: &[u32],
    bus_parent_element: &[u32],
    a: BusId,
    b: BusId,
    closing: ElementId,
) -> SwitchingError {
    let up = |mut x: u32| {
        let mut v = vec![x];
        while bus_parent[x as usize] != NONE {
            x = bus_parent[x as usize];
            v.push(x);
        }
        v
    };
    let pa = up(a.0);
    let pb = up(b.0);
    let set_b: std::collections::HashSet<u32> = pb.iter().copied().collect();
    let mut elements = vec![net.element(closing).name.clone()];
    let mut meet = NONE;
    for &x in &pa {
        if set_b.contains(&x) {
            meet = x;
            break;
        }
        elements.push(net.element(ElementId(bus_parent_element[x as usize])).name.clone());
    }
    let mut right = Vec::new();
    for &x in &pb {
        if x == meet {
            break;
        }
        right.push(net.element(ElementId(bus_parent_element[x as usize])).name.clone());
    }
    elements.extend(right.into_iter().rev());
    SwitchingError::ClosesLoop {
        closing: net.element(closing).name.clone(),
        elements,
    }
}
