//! Topology views: for a set of switch states, the radial energization view of a
//! [`Network`]: who feeds whom, pre-order intervals over the outage-device tree, and
//! the customers a set of open devices de-energizes.

use crate::error::SwitchingError;
use crate::ids::{BusId, CustomerId, ElementId, NONE, OutageDeviceId, SourceId};
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
    states: SwitchStates,
    /// The number of customers: outage devices below it are services.
    nc: u32,
    /// Per bus: the element feeding it (NONE at sources and for dead buses).
    bus_parent_element: Vec<u32>,
    /// Per bus: the nearest outage device above (NONE for dead buses).
    bus_device: Vec<u32>,
    /// Per outage device: its parent (NONE for roots and for dead devices).
    dev_parent: Vec<u32>,
    /// Per outage device: pre-order index (NONE when dead).
    pre: Vec<u32>,
    /// Per non-service device (index `d - nc`): subtree end in pre-order (exclusive;
    /// NONE when dead), its customer span (0..0 when dead), depth (0 when dead).
    end: Vec<u32>,
    cust_lo: Vec<u32>,
    cust_hi: Vec<u32>,
    depth: Vec<u16>,
    /// Children in CSR form by `d - nc`, each list in id order, for the devices with a
    /// child that is not a service; the others' children are a slice of `order`.
    child_start: Vec<u32>,
    children: Vec<OutageDeviceId>,
    /// Outage devices in pre-order.
    order: Vec<OutageDeviceId>,
    /// Customers in pre-order.
    cust_order: Vec<CustomerId>,
    max_depth: u16,
}

/// The high bit marks "leave this device" on the depth-first stack.
const EXIT: u32 = 1 << 31;

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
    ///
    /// # Complexity
    /// O(B + E + D) time and memory.
    pub fn build(net: &Network, states: SwitchStates) -> Result<Self, SwitchingError> {
        let nb = net.buses().len();
        let nd = net.outage_device_count();
        let nc = net.customers().len();
        assert!(nd < EXIT as usize, "fewer than 2^31 outage devices");
        let nn = nd - nc;
        let mut bus_parent_element = vec![NONE; nb];
        let mut bus_device = vec![NONE; nb];
        let mut dev_parent = vec![NONE; nd];
        let mut bfs: Vec<BusId> = Vec::with_capacity(nb);
        let mut roots: Vec<OutageDeviceId> = Vec::with_capacity(net.sources().len());
        for (i, s) in net.sources().iter().enumerate() {
            let dev = net.source_outage_device(SourceId::from(i));
            roots.push(dev);
            if bus_device[s.bus.index()] == NONE {
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
                if bus_device[nb2.index()] != NONE {
                    return Err(loop_error(net, &bus_parent_element, b, nb2, e));
                }
                bus_parent_element[nb2.index()] = e.0;
                let mut cur = here;
                for &d in net.outage_devices_on(e) {
                    dev_parent[d.index()] = cur;
                    cur = d.0;
                }
                bus_device[nb2.index()] = cur;
                bfs.push(nb2);
            }
        }
        drop(bfs);
        for (i, c) in net.customers().iter().enumerate() {
            dev_parent[i] = bus_device[c.bus.index()];
        }
        // Every device's children (CSR by non-service id), each list in id order: the
        // walk needs them all; the view keeps the lists with a non-service child.
        let mut child_start = vec![0u32; nn + 1];
        for &p in &dev_parent {
            if p != NONE {
                child_start[p as usize - nc + 1] += 1;
            }
        }
        for j in 0..nn {
            child_start[j + 1] += child_start[j];
        }
        let mut children = vec![OutageDeviceId(0); child_start[nn] as usize];
        {
            let mut fill: Vec<u32> = child_start[..nn].to_vec();
            for (i, &p) in dev_parent.iter().enumerate() {
                if p != NONE {
                    let j = p as usize - nc;
                    children[fill[j] as usize] = OutageDeviceId::from(i);
                    fill[j] += 1;
                }
            }
        }
        let mut view = EnergizationView {
            states,
            nc: nc as u32,
            bus_parent_element,
            bus_device,
            dev_parent,
            pre: vec![NONE; nd],
            end: vec![NONE; nn],
            cust_lo: vec![0; nn],
            cust_hi: vec![0; nn],
            depth: vec![0; nn],
            child_start,
            children,
            order: Vec::with_capacity(nd),
            cust_order: Vec::with_capacity(nc),
            max_depth: 0,
        };
        let mut stack: Vec<u32> = Vec::new();
        for &r in &roots {
            if view.dev_parent[r.index()] != NONE || view.pre[r.index()] != NONE {
                continue;
            }
            view.walk(r, 0, &mut stack);
        }
        // Keep the lists that hold a non-service child (lists are in id order: such a
        // list ends with one).
        let mut w = 0usize;
        let mut r = 0usize;
        for j in 0..nn {
            let t = view.child_start[j + 1] as usize;
            view.child_start[j] = w as u32;
            if t > r && view.children[t - 1].index() >= nc {
                view.children.copy_within(r..t, w);
                w += t - r;
            }
            r = t;
        }
        view.child_start[nn] = w as u32;
        view.children.truncate(w);
        view.children.shrink_to_fit();
        Ok(view)
    }

    /// Numbers the subtree of the non-service device `root` in pre-order from the ends
    /// of `order` and `cust_order`, `root` being at depth `depth`. Reads the full
    /// children lists that `build` makes before it compacts them.
    fn walk(&mut self, root: OutageDeviceId, depth: u16, stack: &mut Vec<u32>) {
        let nc = self.nc as usize;
        self.depth[root.index() - nc] = depth;
        stack.push(root.0);
        while let Some(x) = stack.pop() {
            if x & EXIT != 0 {
                let j = (x & !EXIT) as usize - nc;
                self.end[j] = self.order.len() as u32;
                self.cust_hi[j] = self.cust_order.len() as u32;
                continue;
            }
            let d = x as usize;
            let j = d - nc;
            self.pre[d] = self.order.len() as u32;
            self.cust_lo[j] = self.cust_order.len() as u32;
            self.order.push(OutageDeviceId(x));
            let dd = self.depth[j];
            self.max_depth = self.max_depth.max(dd);
            let (s, t) = (
                self.child_start[j] as usize,
                self.child_start[j + 1] as usize,
            );
            let kids = &self.children[s..t];
            // Services have the smallest ids: they open the list, and are leaves.
            let split = kids.partition_point(|k| k.index() < nc);
            if split > 0 {
                self.max_depth = self.max_depth.max(dd.saturating_add(1));
            }
            for &k in &kids[..split] {
                self.pre[k.index()] = self.order.len() as u32;
                self.order.push(k);
                self.cust_order.push(CustomerId(k.0));
            }
            stack.push(x | EXIT);
            for &k in kids[split..].iter().rev() {
                self.depth[k.index() - nc] = dd.saturating_add(1);
                stack.push(k.0);
            }
        }
    }

    /// The switch states this view was built for.
    pub fn states(&self) -> &SwitchStates {
        &self.states
    }

    /// A new view after switching; `self` is unchanged. Refuses a state that closes a
    /// loop, and operations on elements that cannot be switched. The result is the view
    /// [`build`](Self::build) makes for the new states, field for field.
    ///
    /// # Complexity
    /// O(A log A) for the A buses and devices whose supply changes, plus a few linear
    /// passes that copy and shift the view's arrays (no graph search outside the
    /// affected part). Most of the time of a switching on a large network goes to
    /// fresh memory for the new view: see [`switch_reusing`](Self::switch_reusing).
    pub fn switch(&self, net: &Network, ops: &[SwitchingOp]) -> Result<Self, SwitchingError> {
        self.switch_impl(net, ops, None)
    }

    /// [`switch`](Self::switch), recycling the memory of `spare`, a view of the same
    /// network that is no longer needed (typically the view before the previous
    /// switching). The result is the same; only the memory is reused, which saves the
    /// operating system's page faults on tens of megabytes at a million customers.
    ///
    /// ```
    /// use outage_locator::{EnergizationView, SwitchingOp};
    /// use outage_locator::synth::{SyntheticNetworkOptions, synthetic_network};
    /// let net = synthetic_network(&SyntheticNetworkOptions { customers: 5_000, ..Default::default() });
    /// let sw = net.element_by_name("line.f1_sw").unwrap();
    /// let mut view = EnergizationView::normal(&net).unwrap();
    /// let mut spare = view.clone();
    /// for op in [SwitchingOp::Open(sw), SwitchingOp::Close(sw)] {
    ///     let next = view.switch_reusing(&net, &[op], spare).unwrap();
    ///     spare = std::mem::replace(&mut view, next);
    /// }
    /// assert!(view == EnergizationView::normal(&net).unwrap());
    /// ```
    pub fn switch_reusing(
        &self,
        net: &Network,
        ops: &[SwitchingOp],
        spare: EnergizationView,
    ) -> Result<Self, SwitchingError> {
        self.switch_impl(net, ops, Some(spare))
    }

    fn switch_impl(
        &self,
        net: &Network,
        ops: &[SwitchingOp],
        spare: Option<EnergizationView>,
    ) -> Result<Self, SwitchingError> {
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
        let mut touched = Vec::with_capacity(2 * ops.len());
        let mut set = |states: &mut SwitchStates, e: ElementId, s: SwitchState| {
            states.set(e, s);
            touched.push(e);
        };
        for op in ops {
            match *op {
                SwitchingOp::Open(e) => set(&mut states, check(e)?, SwitchState::Open),
                SwitchingOp::Close(e) => set(&mut states, check(e)?, SwitchState::Closed),
                SwitchingOp::Transfer { open, close } => {
                    set(&mut states, check(open)?, SwitchState::Open);
                    set(&mut states, check(close)?, SwitchState::Closed);
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        touched.retain(|&e| states.is_open(e) != self.states.is_open(e));
        if touched.is_empty() {
            return Ok(match spare {
                Some(mut v) => {
                    v.clone_from(self);
                    v
                }
                None => self.clone(),
            });
        }
        Rebuild::new(self, net, states, spare.unwrap_or_default()).run(&touched)
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
    fn has_services(&self, j: usize) -> bool {
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
    fn end_of(&self, d: u32) -> u32 {
        if d < self.nc {
            self.pre[d as usize] + 1
        } else {
            self.end[d as usize - self.nc as usize]
        }
    }

    /// The customer span of a live device.
    #[inline]
    fn span_of(&self, d: u32) -> (u32, u32) {
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

/// The bus feeding `x` in a view whose feeding elements are `bpe`.
fn parent_bus(net: &Network, bpe: &[u32], x: u32) -> u32 {
    match bpe[x as usize] {
        NONE => NONE,
        e => {
            let el = net.element(ElementId(e));
            if el.to.0 == x { el.from.0 } else { el.to.0 }
        }
    }
}

/// The loop that closing `closing` between the energized buses `a` and `b` would form:
/// `closing`, then the feeding elements from `a` up to where the two paths meet, then
/// down to `b`. Buses fed from different sources meet at no bus: both paths go up to
/// their sources.
fn loop_error(
    net: &Network,
    bpe: &[u32],
    a: BusId,
    b: BusId,
    closing: ElementId,
) -> SwitchingError {
    let up = |mut x: u32| {
        let mut v = vec![x];
        loop {
            x = parent_bus(net, bpe, x);
            if x == NONE {
                return v;
            }
            v.push(x);
        }
    };
    let pa = up(a.0);
    let pb = up(b.0);
    let set_b: std::collections::HashSet<u32> = pb.iter().copied().collect();
    let mut elements = vec![net.element(closing).name.clone()];
    let mut meet = NONE;
    // A source bus has no feeding element: the two paths end there when they do not
    // meet.
    let feeding = |x: u32| {
        (bpe[x as usize] != NONE).then(|| net.element(ElementId(bpe[x as usize])).name.clone())
    };
    for &x in &pa {
        if set_b.contains(&x) {
            meet = x;
            break;
        }
        elements.extend(feeding(x));
    }
    let mut right = Vec::new();
    for &x in &pb {
        if x == meet {
            break;
        }
        right.extend(feeding(x));
    }
    elements.extend(right.into_iter().rev());
    SwitchingError::ClosesLoop {
        closing: net.element(closing).name.clone(),
        elements,
    }
}

/// A subtree taken out of the pre-order: old positions `[s, t)` and customer positions
/// `[cs, ct)`.
#[derive(Debug, Clone, Copy)]
struct Removal {
    s: u32,
    t: u32,
    cs: u32,
    ct: u32,
    /// The parent of the subtree's root, which keeps supply.
    parent: u32,
}

/// A newly energized subtree put into the pre-order before old position `q` (customer
/// position `qc`), as the child `root` of the surviving device `parent`.
#[derive(Debug, Clone)]
struct Insert {
    q: u32,
    qc: u32,
    /// Deeper parents first among inserts at one position: an insert at the end of a
    /// device's subtree goes inside it, before the inserts of its ancestors.
    parent_depth: u16,
    root: u32,
    parent: u32,
    /// The subtree's devices in pre-order, with their relative numbers, and its
    /// customers.
    devices: Vec<Numbered>,
    customers: Vec<CustomerId>,
}

/// A device of a new subtree, numbered relative to the subtree's start.
#[derive(Debug, Clone, Copy)]
struct Numbered {
    d: u32,
    pre: u32,
    end: u32,
    cust_lo: u32,
    cust_hi: u32,
    depth: u16,
}

/// The incremental rebuild behind [`EnergizationView::switch`].
///
/// The buses whose supply changes are found by walking only the affected parts: the
/// subtrees below elements that open, and the regions that elements that close bring
/// into supply. In device terms that is a set of subtrees taken out of the pre-order
/// (removals) and a set of new subtrees put in (inserts, each numbered by the same
/// depth-first walk as [`EnergizationView::build`], at the place among its siblings that
/// id order gives it). Every other device keeps its parent and its relative order, so
/// its pre-order index and customer position move by a shift that depends only on where
/// it is relative to the removals and inserts: one streaming pass over the arrays.
struct Rebuild<'a> {
    old: &'a EnergizationView,
    net: &'a Network,
    states: SwitchStates,
    bpe: Vec<u32>,
    bdev: Vec<u32>,
    parent: Vec<u32>,
    /// Devices that lost supply (then perhaps regained it).
    cut: Vec<u32>,
    /// Devices that gained supply, with their new parents in `parent`.
    grown: Vec<u32>,
    /// The memory the new view is made in.
    spare: EnergizationView,
}

/// Empties a recycled vector and makes room for `n` items.
fn recycled<T>(mut v: Vec<T>, n: usize) -> Vec<T> {
    v.clear();
    v.reserve(n);
    v
}

impl<'a> Rebuild<'a> {
    fn new(
        old: &'a EnergizationView,
        net: &'a Network,
        states: SwitchStates,
        mut spare: EnergizationView,
    ) -> Self {
        let take = |v: &mut Vec<u32>, from: &Vec<u32>| {
            let mut w = std::mem::take(v);
            w.clone_from(from);
            w
        };
        let bpe = take(&mut spare.bus_parent_element, &old.bus_parent_element);
        let bdev = take(&mut spare.bus_device, &old.bus_device);
        let parent = take(&mut spare.dev_parent, &old.dev_parent);
        Rebuild {
            old,
            net,
            states,
            bpe,
            bdev,
            parent,
            cut: Vec::new(),
            grown: Vec::new(),
            spare,
        }
    }

    fn run(mut self, touched: &[ElementId]) -> Result<EnergizationView, SwitchingError> {
        let (opened, closed): (Vec<ElementId>, Vec<ElementId>) =
            touched.iter().partition(|&&e| self.states.is_open(e));
        for e in opened {
            self.cut_below(e);
        }
        let removal_roots = self.removal_roots();
        for e in closed {
            self.grow_through(e)?;
        }
        Ok(self.assemble(removal_roots))
    }

    /// Takes supply off everything fed through `e`, if `e` fed anything.
    fn cut_below(&mut self, e: ElementId) {
        let old = self.old;
        let el = self.net.element(e);
        if el.from == el.to {
            // Joins a bus to itself: not part of the topology.
            return;
        }
        let x = if old.bus_parent_element[el.to.index()] == e.0 {
            el.to
        } else if old.bus_parent_element[el.from.index()] == e.0 {
            el.from
        } else {
            return;
        };
        let mut stack = vec![x];
        while let Some(b) = stack.pop() {
            // Already cut below another element that opened.
            if self.bdev[b.index()] == NONE {
                continue;
            }
            let pe = ElementId(old.bus_parent_element[b.index()]);
            for &d in self.net.outage_devices_on(pe) {
                self.parent[d.index()] = NONE;
                self.cut.push(d.0);
            }
            for &c in self.net.customers_at(b) {
                self.parent[c.index()] = NONE;
                self.cut.push(c.0);
            }
            self.bdev[b.index()] = NONE;
            self.bpe[b.index()] = NONE;
            for &(nb, e2) in self.net.neighbours(b) {
                if old.bus_parent_element[nb.index()] == e2.0 {
                    stack.push(nb);
                }
            }
        }
    }

    /// The cut devices whose parent keeps supply: the roots of the removed subtrees.
    fn removal_roots(&self) -> Vec<u32> {
        let old = self.old;
        let is_cut = |p: u32| old.dev_parent[p as usize] != NONE && self.parent[p as usize] == NONE;
        self.cut
            .iter()
            .copied()
            .filter(|&d| !is_cut(old.dev_parent[d as usize]))
            .collect()
    }

    /// Brings into supply what closing `e` connects to an energized bus, refusing loops.
    fn grow_through(&mut self, e: ElementId) -> Result<(), SwitchingError> {
        let net = self.net;
        let el = net.element(e);
        let (f, t) = (el.from, el.to);
        // Already feeding a bus, or joining a bus to itself (not part of the topology).
        if f == t || self.bpe[f.index()] == e.0 || self.bpe[t.index()] == e.0 {
            return Ok(());
        }
        let (lf, lt) = (self.bdev[f.index()] != NONE, self.bdev[t.index()] != NONE);
        if lf && lt {
            return Err(loop_error(net, &self.bpe, f, t, e));
        }
        if !lf && !lt {
            return Ok(());
        }
        let (a, b) = if lf { (f, t) } else { (t, f) };
        self.enter(b, a, e);
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            let here = self.bdev[x.index()];
            for &c in net.customers_at(x) {
                self.parent[c.index()] = here;
                self.grown.push(c.0);
            }
            for &(nb, e2) in net.neighbours(x) {
                if self.states.is_open(e2) || self.bpe[x.index()] == e2.0 {
                    continue;
                }
                if self.bdev[nb.index()] != NONE {
                    return Err(loop_error(net, &self.bpe, x, nb, e2));
                }
                self.enter(nb, x, e2);
                stack.push(nb);
            }
        }
        Ok(())
    }

    /// Feeds bus `b` from the energized bus `a` through `e`.
    fn enter(&mut self, b: BusId, a: BusId, e: ElementId) {
        self.bpe[b.index()] = e.0;
        let mut cur = self.bdev[a.index()];
        for &d in self.net.outage_devices_on(e) {
            self.parent[d.index()] = cur;
            self.grown.push(d.0);
            cur = d.0;
        }
        self.bdev[b.index()] = cur;
    }

    /// Makes the new view from the old one, the removals and the grown devices.
    fn assemble(self, removal_roots: Vec<u32>) -> EnergizationView {
        let old = self.old;
        let nc = old.nc as usize;
        let nd = old.pre.len();
        let nn = nd - nc;
        let parent = self.parent;
        let spare = self.spare;

        // Removals, by position.
        let mut removals: Vec<Removal> = removal_roots
            .iter()
            .map(|&r| {
                let (cs, ct) = old.span_of(r);
                Removal {
                    s: old.pre[r as usize],
                    t: old.end_of(r),
                    cs,
                    ct,
                    parent: old.dev_parent[r as usize],
                }
            })
            .collect();
        removals.sort_unstable_by_key(|r| r.s);

        // Grown devices: their children lists, and the roots of the new subtrees.
        let mut grown = self.grown;
        grown.sort_unstable();
        let is_grown = |d: u32| grown.binary_search(&d).is_ok();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(grown.len());
        let mut roots: Vec<(u32, u32)> = Vec::new();
        for &g in &grown {
            let p = parent[g as usize];
            if is_grown(p) {
                pairs.push((p, g));
            } else {
                roots.push((p, g));
            }
        }
        pairs.sort_unstable();
        let kids_of = |p: u32| {
            let lo = pairs.partition_point(|&(q, _)| q < p);
            let hi = pairs.partition_point(|&(q, _)| q <= p);
            &pairs[lo..hi]
        };

        // Each new subtree: where it goes, and its own pre-order numbering (depth-first,
        // children in id order, as `walk` numbers them).
        let mut inserts: Vec<Insert> = Vec::with_capacity(roots.len());
        let mut stack: Vec<(u32, u16, bool)> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for &(p, g) in &roots {
            let sibs = old.children(OutageDeviceId(p));
            let k = sibs.partition_point(|c| c.0 < g);
            let (q, qc) = match sibs.get(k) {
                Some(c) => (old.pre[c.index()], old.span_of(c.0).0),
                None => (old.end_of(p), old.span_of(p).1),
            };
            let pd = old.depth[p as usize - nc];
            let mut devices: Vec<Numbered> = Vec::new();
            let mut customers: Vec<CustomerId> = Vec::new();
            stack.push((g, pd.saturating_add(1), false));
            while let Some((d, depth, done)) = stack.pop() {
                if done {
                    if let Some(i) = open.pop() {
                        devices[i].end = devices.len() as u32;
                        devices[i].cust_hi = customers.len() as u32;
                    }
                    continue;
                }
                let here = devices.len() as u32;
                let service = (d as usize) < nc;
                devices.push(Numbered {
                    d,
                    pre: here,
                    end: here + 1,
                    cust_lo: customers.len() as u32,
                    cust_hi: customers.len() as u32 + service as u32,
                    depth,
                });
                if service {
                    customers.push(CustomerId(d));
                    continue;
                }
                open.push(devices.len() - 1);
                stack.push((d, depth, true));
                for &(_, k) in kids_of(d).iter().rev() {
                    stack.push((k, depth.saturating_add(1), false));
                }
            }
            inserts.push(Insert {
                q,
                qc,
                parent_depth: pd,
                root: g,
                parent: p,
                devices,
                customers,
            });
        }
        inserts.sort_unstable_by_key(|x| (x.q, std::cmp::Reverse(x.parent_depth), x.root));

        // Shift events, by old position: a removal ending at t moves later devices back,
        // an insert at q moves devices at q and later on.
        let mut events: Vec<(u32, i64, i64)> = Vec::with_capacity(removals.len() + inserts.len());
        for r in &removals {
            events.push((r.t, -((r.t - r.s) as i64), -((r.ct - r.cs) as i64)));
        }
        for x in &inserts {
            events.push((x.q, x.devices.len() as i64, x.customers.len() as i64));
        }
        events.sort_unstable_by_key(|e| e.0);
        let shift = Shift::new(&events);

        let mut pre = recycled(spare.pre, nd);
        pre.resize(nd, 0);
        shift.apply(&old.pre, &mut pre);
        let mut end = recycled(spare.end, nn);
        let mut cust_lo = recycled(spare.cust_lo, nn);
        let mut cust_hi = recycled(spare.cust_hi, nn);
        for j in 0..nn {
            let x = old.pre[nc + j];
            if x == NONE {
                end.push(old.end[j]);
                cust_lo.push(old.cust_lo[j]);
                cust_hi.push(old.cust_hi[j]);
            } else {
                let dc = shift.customers_at(x);
                let lo = old.cust_lo[j].wrapping_add(dc);
                end.push(pre[nc + j] + (old.end[j] - x));
                cust_lo.push(lo);
                cust_hi.push(lo + (old.cust_hi[j] - old.cust_lo[j]));
            }
        }
        let mut depth = recycled(spare.depth, nn);
        depth.extend_from_slice(&old.depth);

        // Subtree sizes change along the paths above removals and inserts.
        let mut bump = |mut a: u32, ds: i64, dc: i64| {
            while a != NONE {
                let j = a as usize - nc;
                end[j] = (end[j] as i64 + ds) as u32;
                cust_hi[j] = (cust_hi[j] as i64 + dc) as u32;
                a = old.dev_parent[a as usize];
            }
        };
        for x in &removals {
            bump(x.parent, -((x.t - x.s) as i64), -((x.ct - x.cs) as i64));
        }
        for x in &inserts {
            bump(x.parent, x.devices.len() as i64, x.customers.len() as i64);
        }

        // Lost supply: dead.
        for &d in &self.cut {
            pre[d as usize] = NONE;
            if d as usize >= nc {
                let j = d as usize - nc;
                end[j] = NONE;
                cust_lo[j] = 0;
                cust_hi[j] = 0;
                depth[j] = 0;
            }
        }

        // The new order and customers, and the numbers of the grown devices.
        let removed: usize = removals.iter().map(|r| (r.t - r.s) as usize).sum();
        let added: usize = inserts.iter().map(|x| x.devices.len()).sum();
        let mut order = recycled(spare.order, old.order.len() - removed + added);
        let removed_c: usize = removals.iter().map(|r| (r.ct - r.cs) as usize).sum();
        let added_c: usize = inserts.iter().map(|x| x.customers.len()).sum();
        let mut cust_order = recycled(spare.cust_order, old.cust_order.len() - removed_c + added_c);
        {
            let (mut x, mut xc) = (0usize, 0usize);
            let (mut ri, mut ii) = (0usize, 0usize);
            loop {
                let next_r = removals.get(ri).map_or(usize::MAX, |r| r.s as usize);
                let next_i = inserts.get(ii).map_or(usize::MAX, |x| x.q as usize);
                let next = next_r.min(next_i).min(old.order.len());
                order.extend_from_slice(&old.order[x..next]);
                x = next;
                if next_i == x {
                    let ins = &inserts[ii];
                    cust_order.extend_from_slice(&old.cust_order[xc..ins.qc as usize]);
                    xc = ins.qc as usize;
                    let (base, cbase) = (order.len() as u32, cust_order.len() as u32);
                    for n in &ins.devices {
                        let du = n.d as usize;
                        pre[du] = base + n.pre;
                        if du >= nc {
                            let j = du - nc;
                            end[j] = base + n.end;
                            cust_lo[j] = cbase + n.cust_lo;
                            cust_hi[j] = cbase + n.cust_hi;
                            depth[j] = n.depth;
                        }
                        order.push(OutageDeviceId(n.d));
                    }
                    cust_order.extend_from_slice(&ins.customers);
                    ii += 1;
                } else if next_r == x {
                    let r = removals[ri];
                    cust_order.extend_from_slice(&old.cust_order[xc..r.cs as usize]);
                    xc = r.ct as usize;
                    x = r.t as usize;
                    ri += 1;
                } else {
                    break;
                }
            }
            cust_order.extend_from_slice(&old.cust_order[xc..]);
        }

        // Children lists: rewritten for the devices whose children changed (kept only
        // when they hold a non-service child), copied for every other device.
        let mut lists: Vec<(u32, Vec<OutageDeviceId>)> = Vec::new();
        {
            let mut changed: Vec<u32> = removals
                .iter()
                .map(|r| r.parent)
                .chain(roots.iter().map(|&(p, _)| p))
                .chain(self.cut.iter().copied().filter(|&d| d as usize >= nc))
                .chain(grown.iter().copied().filter(|&d| d as usize >= nc))
                .collect();
            changed.sort_unstable();
            changed.dedup();
            for d in changed {
                let mut list: Vec<OutageDeviceId> = if is_grown(d) {
                    kids_of(d).iter().map(|&(_, k)| OutageDeviceId(k)).collect()
                } else if parent[d as usize] == NONE && old.dev_parent[d as usize] != NONE {
                    // Lost supply.
                    Vec::new()
                } else {
                    let mut l: Vec<OutageDeviceId> = old
                        .children(OutageDeviceId(d))
                        .iter()
                        .copied()
                        .filter(|k| parent[k.index()] == d)
                        .collect();
                    let extra: Vec<OutageDeviceId> = roots
                        .iter()
                        .filter(|&&(p, g)| p == d && !l.contains(&OutageDeviceId(g)))
                        .map(|&(_, g)| OutageDeviceId(g))
                        .collect();
                    l.extend(extra);
                    l
                };
                list.sort_unstable();
                if list.last().is_none_or(|k| k.index() < nc) {
                    list.clear();
                }
                lists.push((d, list));
            }
        }
        let mut child_start = recycled(spare.child_start, nn + 1);
        let mut children = recycled(spare.children, old.children.len() + grown.len());
        {
            // Copies the lists of the devices `from..to` (by `d - nc`) unchanged.
            let copy_run = |from: usize,
                            to: usize,
                            child_start: &mut Vec<u32>,
                            children: &mut Vec<OutageDeviceId>| {
                let (a, b) = (old.child_start[from] as usize, old.child_start[to] as usize);
                let off = (children.len() as u32).wrapping_sub(a as u32);
                child_start.extend(
                    old.child_start[from..to]
                        .iter()
                        .map(|&v| v.wrapping_add(off)),
                );
                children.extend_from_slice(&old.children[a..b]);
            };
            let mut j0 = 0usize;
            for (d, list) in &lists {
                let j = *d as usize - nc;
                copy_run(j0, j, &mut child_start, &mut children);
                child_start.push(children.len() as u32);
                children.extend_from_slice(list);
                j0 = j + 1;
            }
            copy_run(j0, nn, &mut child_start, &mut children);
            child_start.push(children.len() as u32);
        }

        let mut view = EnergizationView {
            states: self.states,
            nc: old.nc,
            bus_parent_element: self.bpe,
            bus_device: self.bdev,
            dev_parent: parent,
            pre,
            end,
            cust_lo,
            cust_hi,
            depth,
            child_start,
            children,
            order,
            cust_order,
            max_depth: 0,
        };
        // The longest chain: a device's depth, plus one when services hang below it.
        view.max_depth = (0..nn)
            .filter(|&j| view.end[j] != NONE)
            .map(|j| view.depth[j].saturating_add(view.has_services(j) as u16))
            .max()
            .unwrap_or(0);
        view
    }
}

/// The step function "how far an old position moves": the sum of the shifts of the
/// events at or before it.
struct Shift {
    /// Event positions, ascending, with each event's shift of pre-order positions and
    /// of customer positions (wrapping: a negative shift is its two's complement).
    pos: Vec<u32>,
    dpre: Vec<u32>,
    dcust: Vec<u32>,
}

impl Shift {
    fn new(events: &[(u32, i64, i64)]) -> Self {
        Shift {
            pos: events.iter().map(|e| e.0).collect(),
            dpre: events.iter().map(|e| e.1 as u32).collect(),
            dcust: events.iter().map(|e| e.2 as u32).collect(),
        }
    }

    /// The customer shift at an energized position.
    fn customers_at(&self, x: u32) -> u32 {
        self.pos
            .iter()
            .zip(&self.dcust)
            .filter(|(p, _)| **p <= x)
            .fold(0u32, |acc, (_, d)| acc.wrapping_add(*d))
    }

    /// `out[d] = pre[d] + shift` for energized devices; NONE stays.
    fn apply(&self, pre: &[u32], out: &mut [u32]) {
        const LANES: usize = 8;
        if self.pos.len() <= LANES {
            // Few events: a branch-free sum over a fixed-size table, which the compiler
            // vectorizes. Padding events never fire (no energized position is NONE).
            let mut pos = [NONE; LANES];
            let mut a = [0u32; LANES];
            pos[..self.pos.len()].copy_from_slice(&self.pos);
            a[..self.pos.len()].copy_from_slice(&self.dpre);
            for (&x, o) in pre.iter().zip(out.iter_mut()) {
                let mut s = 0u32;
                for k in 0..LANES {
                    s = s.wrapping_add(a[k] & ((x >= pos[k]) as u32).wrapping_neg());
                }
                *o = if x == NONE { NONE } else { x.wrapping_add(s) };
            }
        } else {
            let mut cum = vec![0u32; self.pos.len() + 1];
            for k in 0..self.pos.len() {
                cum[k + 1] = cum[k].wrapping_add(self.dpre[k]);
            }
            for (&x, o) in pre.iter().zip(out.iter_mut()) {
                *o = if x == NONE {
                    NONE
                } else {
                    x.wrapping_add(cum[self.pos.partition_point(|&p| p <= x)])
                };
            }
        }
    }
}
