//! The incremental rebuild behind [`EnergizationView::switch`]: the affected parts of
//! the old view cut and grown, then the new view assembled from the old one.

mod assemble;
mod shift;

use crate::error::SwitchingError;
use crate::ids::{BusId, ElementId, NONE};
use crate::network::Network;

use super::loops::loop_error;
use super::{EnergizationView, SwitchStates};

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
pub(super) struct Rebuild<'a> {
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

impl<'a> Rebuild<'a> {
    pub(super) fn new(
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

    /// The new view, and the devices whose supply or parent may have changed (those
    /// that lost supply, then those that gained it; a device can be in both): every
    /// other device keeps its parent.
    pub(super) fn run(
        mut self,
        touched: &[ElementId],
    ) -> Result<(EnergizationView, Vec<u32>), SwitchingError> {
        let (opened, closed): (Vec<ElementId>, Vec<ElementId>) =
            touched.iter().partition(|&&e| self.states.is_open(e));
        for e in opened {
            self.cut_below(e);
        }
        let removal_roots = self.removal_roots();
        for e in closed {
            self.grow_through(e)?;
        }
        let mut moved = Vec::with_capacity(self.cut.len() + self.grown.len());
        moved.extend_from_slice(&self.cut);
        moved.extend_from_slice(&self.grown);
        Ok((self.assemble(removal_roots), moved))
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
}
