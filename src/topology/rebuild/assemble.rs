//! Assembling the new view from the old one, the removed subtrees and the grown ones.
//!
//! The phases: the removals by position; the grown devices' children and the roots of
//! the new subtrees; each new subtree numbered where it goes (an insert); the shift of
//! every surviving device's numbers; the subtree sizes along the paths above removals
//! and inserts; the devices that lost supply marked dead; the new pre-order and
//! customer order merged from the old ones and the inserts; the children lists.

use crate::ids::{CustomerId, NONE, OutageDeviceId};

use super::super::EnergizationView;
use super::Rebuild;
use super::shift::Shift;

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

/// The devices that gained supply: sorted, with the (parent, child) pairs among them
/// and the roots of the new subtrees as (surviving parent, root).
struct Grown {
    sorted: Vec<u32>,
    pairs: Vec<(u32, u32)>,
    roots: Vec<(u32, u32)>,
}

impl Grown {
    fn new(mut grown: Vec<u32>, parent: &[u32]) -> Self {
        grown.sort_unstable();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(grown.len());
        let mut roots: Vec<(u32, u32)> = Vec::new();
        for &g in &grown {
            let p = parent[g as usize];
            if grown.binary_search(&p).is_ok() {
                pairs.push((p, g));
            } else {
                roots.push((p, g));
            }
        }
        pairs.sort_unstable();
        Grown {
            sorted: grown,
            pairs,
            roots,
        }
    }

    fn contains(&self, d: u32) -> bool {
        self.sorted.binary_search(&d).is_ok()
    }

    /// The (parent, child) pairs of a grown device, children in id order.
    fn kids_of(&self, p: u32) -> &[(u32, u32)] {
        let lo = self.pairs.partition_point(|&(q, _)| q < p);
        let hi = self.pairs.partition_point(|&(q, _)| q <= p);
        &self.pairs[lo..hi]
    }
}

/// The new view's numbers: per device its pre-order index; per non-service device (by
/// `d - nc`) its subtree end, customer span and depth.
struct Numbers {
    pre: Vec<u32>,
    end: Vec<u32>,
    cust_lo: Vec<u32>,
    cust_hi: Vec<u32>,
    depth: Vec<u16>,
}

/// Empties a recycled vector and makes room for `n` items.
fn recycled<T>(mut v: Vec<T>, n: usize) -> Vec<T> {
    v.clear();
    v.reserve(n);
    v
}

impl Rebuild<'_> {
    /// Makes the new view from the old one, the removals and the grown devices.
    pub(super) fn assemble(self, removal_roots: Vec<u32>) -> EnergizationView {
        let old = self.old;
        let nc = old.nc as usize;
        let nn = old.pre.len() - nc;
        let spare = self.spare;
        let removals = removals(old, &removal_roots);
        let grown = Grown::new(self.grown, &self.parent);
        let inserts = inserts(old, &grown);
        let shift = Shift::new(&shift_events(&removals, &inserts));
        let mut numbers = Numbers {
            pre: spare.pre,
            end: spare.end,
            cust_lo: spare.cust_lo,
            cust_hi: spare.cust_hi,
            depth: spare.depth,
        };
        numbers.shift(old, &shift);
        numbers.resize_paths(old, &removals, &inserts);
        numbers.mark_dead(nc, &self.cut);
        let (order, cust_order) = merge_orders(
            old,
            &removals,
            &inserts,
            &mut numbers,
            spare.order,
            spare.cust_order,
        );
        let lists = changed_lists(old, &self.parent, &removals, &grown, &self.cut);
        let (child_start, children) = children_lists(
            old,
            &lists,
            spare.child_start,
            spare.children,
            grown.sorted.len(),
        );
        let mut view = EnergizationView {
            states: self.states,
            nc: old.nc,
            bus_parent_element: self.bpe,
            bus_device: self.bdev,
            dev_parent: self.parent,
            pre: numbers.pre,
            end: numbers.end,
            cust_lo: numbers.cust_lo,
            cust_hi: numbers.cust_hi,
            depth: numbers.depth,
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

/// The removed subtrees, by position.
fn removals(old: &EnergizationView, removal_roots: &[u32]) -> Vec<Removal> {
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
    removals
}

/// Each new subtree: where it goes, and its own pre-order numbering (depth-first,
/// children in id order, as the view's build numbers them); by position, deeper
/// parents first at one position.
fn inserts(old: &EnergizationView, grown: &Grown) -> Vec<Insert> {
    let nc = old.nc as usize;
    let mut inserts: Vec<Insert> = Vec::with_capacity(grown.roots.len());
    let mut stack: Vec<(u32, u16, bool)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for &(p, g) in &grown.roots {
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
            for &(_, k) in grown.kids_of(d).iter().rev() {
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
    inserts
}

/// Shift events, by old position: a removal ending at t moves later devices back, an
/// insert at q moves devices at q and later on.
fn shift_events(removals: &[Removal], inserts: &[Insert]) -> Vec<(u32, i64, i64)> {
    let mut events: Vec<(u32, i64, i64)> = Vec::with_capacity(removals.len() + inserts.len());
    for r in removals {
        events.push((r.t, -((r.t - r.s) as i64), -((r.ct - r.cs) as i64)));
    }
    for x in inserts {
        events.push((x.q, x.devices.len() as i64, x.customers.len() as i64));
    }
    events.sort_unstable_by_key(|e| e.0);
    events
}

impl Numbers {
    /// The old view's numbers, shifted past the removals and inserts (into the
    /// recycled vectors).
    fn shift(&mut self, old: &EnergizationView, shift: &Shift) {
        let nc = old.nc as usize;
        let nd = old.pre.len();
        let nn = nd - nc;
        let mut pre = recycled(std::mem::take(&mut self.pre), nd);
        pre.resize(nd, 0);
        shift.apply(&old.pre, &mut pre);
        let mut end = recycled(std::mem::take(&mut self.end), nn);
        let mut cust_lo = recycled(std::mem::take(&mut self.cust_lo), nn);
        let mut cust_hi = recycled(std::mem::take(&mut self.cust_hi), nn);
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
        let mut depth = recycled(std::mem::take(&mut self.depth), nn);
        depth.extend_from_slice(&old.depth);
        *self = Numbers {
            pre,
            end,
            cust_lo,
            cust_hi,
            depth,
        };
    }

    /// Subtree sizes change along the paths above removals and inserts.
    fn resize_paths(&mut self, old: &EnergizationView, removals: &[Removal], inserts: &[Insert]) {
        let nc = old.nc as usize;
        let mut bump = |mut a: u32, ds: i64, dc: i64| {
            while a != NONE {
                let j = a as usize - nc;
                self.end[j] = (self.end[j] as i64 + ds) as u32;
                self.cust_hi[j] = (self.cust_hi[j] as i64 + dc) as u32;
                a = old.dev_parent[a as usize];
            }
        };
        for x in removals {
            bump(x.parent, -((x.t - x.s) as i64), -((x.ct - x.cs) as i64));
        }
        for x in inserts {
            bump(x.parent, x.devices.len() as i64, x.customers.len() as i64);
        }
    }

    /// Lost supply: dead.
    fn mark_dead(&mut self, nc: usize, cut: &[u32]) {
        for &d in cut {
            self.pre[d as usize] = NONE;
            if d as usize >= nc {
                let j = d as usize - nc;
                self.end[j] = NONE;
                self.cust_lo[j] = 0;
                self.cust_hi[j] = 0;
                self.depth[j] = 0;
            }
        }
    }
}

/// The new order and customers (into the recycled vectors), and the numbers of the
/// grown devices: the old orders with the removed runs left out and the inserts put in.
fn merge_orders(
    old: &EnergizationView,
    removals: &[Removal],
    inserts: &[Insert],
    numbers: &mut Numbers,
    order: Vec<OutageDeviceId>,
    cust_order: Vec<CustomerId>,
) -> (Vec<OutageDeviceId>, Vec<CustomerId>) {
    let nc = old.nc as usize;
    let removed: usize = removals.iter().map(|r| (r.t - r.s) as usize).sum();
    let added: usize = inserts.iter().map(|x| x.devices.len()).sum();
    let mut order = recycled(order, old.order.len() - removed + added);
    let removed_c: usize = removals.iter().map(|r| (r.ct - r.cs) as usize).sum();
    let added_c: usize = inserts.iter().map(|x| x.customers.len()).sum();
    let mut cust_order = recycled(cust_order, old.cust_order.len() - removed_c + added_c);
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
                numbers.pre[du] = base + n.pre;
                if du >= nc {
                    let j = du - nc;
                    numbers.end[j] = base + n.end;
                    numbers.cust_lo[j] = cbase + n.cust_lo;
                    numbers.cust_hi[j] = cbase + n.cust_hi;
                    numbers.depth[j] = n.depth;
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
    (order, cust_order)
}

/// The children lists of the devices whose children changed, by device: kept only
/// when they hold a non-service child (empty otherwise).
fn changed_lists(
    old: &EnergizationView,
    parent: &[u32],
    removals: &[Removal],
    grown: &Grown,
    cut: &[u32],
) -> Vec<(u32, Vec<OutageDeviceId>)> {
    let nc = old.nc as usize;
    let mut changed: Vec<u32> = removals
        .iter()
        .map(|r| r.parent)
        .chain(grown.roots.iter().map(|&(p, _)| p))
        .chain(cut.iter().copied().filter(|&d| d as usize >= nc))
        .chain(grown.sorted.iter().copied().filter(|&d| d as usize >= nc))
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let mut lists: Vec<(u32, Vec<OutageDeviceId>)> = Vec::new();
    for d in changed {
        let mut list: Vec<OutageDeviceId> = if grown.contains(d) {
            grown
                .kids_of(d)
                .iter()
                .map(|&(_, k)| OutageDeviceId(k))
                .collect()
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
            let extra: Vec<OutageDeviceId> = grown
                .roots
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
    lists
}

/// The new children lists (CSR, into the recycled vectors): `lists` for the devices
/// whose children changed, the old lists copied for every other device.
fn children_lists(
    old: &EnergizationView,
    lists: &[(u32, Vec<OutageDeviceId>)],
    child_start: Vec<u32>,
    children: Vec<OutageDeviceId>,
    grown: usize,
) -> (Vec<u32>, Vec<OutageDeviceId>) {
    let nc = old.nc as usize;
    let nn = old.pre.len() - nc;
    let mut child_start = recycled(child_start, nn + 1);
    let mut children = recycled(children, old.children.len() + grown);
    // Copies the lists of the devices `from..to` (by `d - nc`) unchanged.
    let copy_run =
        |from: usize, to: usize, child_start: &mut Vec<u32>, children: &mut Vec<OutageDeviceId>| {
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
    for (d, list) in lists {
        let j = *d as usize - nc;
        copy_run(j0, j, &mut child_start, &mut children);
        child_start.push(children.len() as u32);
        children.extend_from_slice(list);
        j0 = j + 1;
    }
    copy_run(j0, nn, &mut child_start, &mut children);
    child_start.push(children.len() as u32);
    (child_start, children)
}
