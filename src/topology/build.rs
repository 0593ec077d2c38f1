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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;
    use crate::network::{DeviceKind, LineOptions, NetworkBuilder};

    /// The network's own longest outage-device chain (the import report's) is the
    /// normal view's `max_depth` plus one.
    fn assert_depth_agrees(net: &Network) {
        let view = EnergizationView::normal(net).expect("a built network is radial");
        assert_eq!(net.longest_outage_chain(), view.max_depth() as usize + 1);
    }

    #[test]
    fn longest_outage_chain_matches_the_view_on_the_fixtures() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut models = 0;
        for dir in std::fs::read_dir(root).expect("fixtures").flatten() {
            for file in ["master.dss", "eval_master.dss"] {
                let path = dir.path().join(file);
                if path.is_file() {
                    let (net, report) = crate::import_opendss(&path).expect("a fixture imports");
                    assert_depth_agrees(&net);
                    assert_eq!(report.max_depth, net.longest_outage_chain());
                    models += 1;
                }
            }
        }
        assert!(
            models >= 6,
            "the fixtures hold the feeders ({models} found)"
        );
    }

    /// One bus hung below an earlier one: the element joining it (a line, a switch or
    /// a distribution transformer), what sits on it, a parallel element, customers.
    #[derive(Debug, Clone)]
    struct Branch {
        parent: Index,
        kind: u8,
        device: u8,
        parallel: u8,
        customers: u8,
    }

    fn branch() -> impl Strategy<Value = Branch> {
        (any::<Index>(), 0u8..3, 0u8..5, 0u8..3, 0u8..3).prop_map(
            |(parent, kind, device, parallel, customers)| Branch {
                parent,
                kind,
                device,
                parallel,
                customers,
            },
        )
    }

    /// A radial network from branches, with normally-open ties between any two buses.
    fn network(branches: &[Branch], ties: &[(Index, Index)]) -> Network {
        let mut b = NetworkBuilder::new("t");
        b.add_bus("b0");
        b.add_source("circuit.t", "b0").unwrap();
        let switch = LineOptions {
            switch: true,
            ..LineOptions::default()
        };
        for (i, br) in branches.iter().enumerate() {
            let (bus, parent) = (
                format!("b{}", i + 1),
                format!("b{}", br.parent.index(i + 1)),
            );
            b.add_bus(&bus);
            let el = match br.kind {
                0 => b.add_line(&format!("line.l{i}"), &parent, &bus),
                1 => b.add_line_with(&format!("line.l{i}"), &parent, &bus, switch),
                _ => b.add_transformer(&format!("transformer.t{i}"), &parent, &bus, 0.24, 25.0),
            };
            let el = el.unwrap();
            let fuse = (format!("fuse.f{i}"), DeviceKind::Fuse, false);
            let recloser = (format!("recloser.r{i}"), DeviceKind::Recloser, false);
            let tie = (format!("swtcontrol.s{i}"), DeviceKind::Switch, true);
            let devices = match br.device {
                1 => vec![fuse],
                2 => vec![recloser],
                3 => vec![tie],
                4 => vec![fuse, recloser],
                _ => vec![],
            };
            for (name, kind, open) in devices {
                b.add_device_on(&name, kind, el, true, open).unwrap();
            }
            if br.parallel > 0 {
                let p = b.add_line(&format!("line.p{i}"), &parent, &bus).unwrap();
                if br.parallel == 2 {
                    b.add_device_on(
                        &format!("swtcontrol.p{i}"),
                        DeviceKind::Switch,
                        p,
                        true,
                        true,
                    )
                    .unwrap();
                }
            }
            for c in 0..br.customers {
                b.add_customer(&format!("c{i}_{c}"), &bus).unwrap();
            }
        }
        let n = branches.len() + 1;
        let open = LineOptions {
            switch: true,
            normally_open: true,
            ..LineOptions::default()
        };
        for (k, (x, y)) in ties.iter().enumerate() {
            let (x, y) = (format!("b{}", x.index(n)), format!("b{}", y.index(n)));
            b.add_line_with(&format!("line.tie{k}"), &x, &y, open)
                .unwrap();
        }
        b.build().expect("a tree with open ties is radial")
    }

    proptest! {
        #[test]
        fn longest_outage_chain_matches_the_view(
            branches in prop::collection::vec(branch(), 0..40),
            ties in prop::collection::vec((any::<Index>(), any::<Index>()), 0..4),
        ) {
            assert_depth_agrees(&network(&branches, &ties));
        }
    }
}
