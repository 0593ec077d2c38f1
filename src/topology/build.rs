//! Building a view from scratch: a breadth-first walk from the sources over closed
//! elements, then a depth-first numbering of the outage-device tree.

use crate::error::SwitchingError;
use crate::ids::{BusId, CustomerId, NONE, OutageDeviceId, SourceId};
use crate::network::Network;

use super::loops::loop_error;
use super::{EnergizationView, SwitchStates};

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
        let nd = net.outage_device_count();
        let nc = net.customers().len();
        assert!(nd < EXIT as usize, "fewer than 2^31 outage devices");
        let nn = nd - nc;
        let fed = feed(net, &states)?;
        let (child_start, children) = all_children(&fed.dev_parent, nc, nn);
        let mut view = EnergizationView {
            states,
            nc: nc as u32,
            bus_parent_element: fed.bus_parent_element,
            bus_device: fed.bus_device,
            dev_parent: fed.dev_parent,
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
        for &r in &fed.roots {
            if view.dev_parent[r.index()] != NONE || view.pre[r.index()] != NONE {
                continue;
            }
            view.walk(r, 0, &mut stack);
        }
        view.keep_lists_with_devices();
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

    /// Keeps the children lists that hold a non-service child (lists are in id order:
    /// such a list ends with one); the others' children are a slice of the pre-order.
    fn keep_lists_with_devices(&mut self) {
        let nc = self.nc as usize;
        let nn = self.child_start.len() - 1;
        let mut w = 0usize;
        let mut r = 0usize;
        for j in 0..nn {
            let t = self.child_start[j + 1] as usize;
            self.child_start[j] = w as u32;
            if t > r && self.children[t - 1].index() >= nc {
                self.children.copy_within(r..t, w);
                w += t - r;
            }
            r = t;
        }
        self.child_start[nn] = w as u32;
        self.children.truncate(w);
        self.children.shrink_to_fit();
    }
}

/// Who feeds whom: the breadth-first walk's result.
struct Fed {
    /// Per bus: the element feeding it (NONE at sources and for dead buses).
    bus_parent_element: Vec<u32>,
    /// Per bus: the nearest outage device above (NONE for dead buses).
    bus_device: Vec<u32>,
    /// Per outage device: its parent (NONE for roots and for dead devices).
    dev_parent: Vec<u32>,
    /// The sources' outage devices.
    roots: Vec<OutageDeviceId>,
}

/// Walks breadth-first from the sources over closed elements, chaining the outage
/// devices on each element below the device above it; refuses a loop.
fn feed(net: &Network, states: &SwitchStates) -> Result<Fed, SwitchingError> {
    let nb = net.buses().len();
    let mut bus_parent_element = vec![NONE; nb];
    let mut bus_device = vec![NONE; nb];
    let mut dev_parent = vec![NONE; net.outage_device_count()];
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
    Ok(Fed {
        bus_parent_element,
        bus_device,
        dev_parent,
        roots,
    })
}

/// Every device's children (CSR by non-service id `d - nc`), each list in id order:
/// the walk needs them all; the view keeps the lists with a non-service child.
fn all_children(dev_parent: &[u32], nc: usize, nn: usize) -> (Vec<u32>, Vec<OutageDeviceId>) {
    let mut child_start = vec![0u32; nn + 1];
    for &p in dev_parent {
        if p != NONE {
            child_start[p as usize - nc + 1] += 1;
        }
    }
    for j in 0..nn {
        child_start[j + 1] += child_start[j];
    }
    let mut children = vec![OutageDeviceId(0); child_start[nn] as usize];
    let mut fill: Vec<u32> = child_start[..nn].to_vec();
    for (i, &p) in dev_parent.iter().enumerate() {
        if p != NONE {
            let j = p as usize - nc;
            children[fill[j] as usize] = OutageDeviceId::from(i);
            fill[j] += 1;
        }
    }
    (child_start, children)
}

