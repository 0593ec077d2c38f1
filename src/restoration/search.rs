//! The restoration search: which switches to operate so that the healthy parts below
//! a faulted section get supply back through normally-open ties, within the ratings.
//!
//! The parts below the section's boundaries are cut into *sections* (buses joined by
//! closed elements that cannot be switched). The switchable elements between sections
//! and the ties from sections to live buses are the search's variables; a configuration
//! of them is valid when it closes no loop (each energized group of sections has one
//! closed tie), and no rating is passed:
//!
//! - on each tie's path to its source, the load already through each rated element
//!   (see [`Planner`]'s upper bound, less the load the fault took off it) plus the load
//!   of every group picked up through it;
//! - inside an energized group, the switchable elements between its sections, which
//!   carry the load on their far side from the tie (the lines within a section are
//!   not checked).
//!
//! Groups of sections that no tie reaches are left out. Configurations rank by
//! customers restored, then by fewer operations (a boundary opened, a switch toggled, a
//! tie closed). With at most [`EXACT_LIMIT`] variables every configuration is tried, so
//! the plan is the best one; beyond, the ties and the switches on the paths between
//! ties and boundaries are tried (up to the limit) and the rest stay as they are.
//!
//! # Complexity
//! O(R + t · depth) to build, for the R buses of the parts and t ties, then
//! O(2^V · V²) for V ≤ [`EXACT_LIMIT`] variables.

use std::collections::{HashMap, HashSet};

use crate::ids::{BusId, ElementId, OutageDeviceId};
use crate::network::ElementKind;

use super::{Planner, RestorationPlan, RestorationStep, Section};

/// Variables searched over every configuration (at most 2^12 = 4,096).
pub(super) const EXACT_LIMIT: usize = 12;

const NONE: usize = usize::MAX;

/// A section (or sections joined by switches kept closed).
struct Node {
    customers: u32,
    kva: f64,
    /// The least capacity (kVA) of the switches on the paths between ties and
    /// boundaries kept closed inside it: the whole group's load must fit under it.
    cap: f64,
}

/// A switchable element between two nodes.
struct Edge {
    e: ElementId,
    a: usize,
    b: usize,
    /// Closed in the configuration planned on.
    closed: bool,
    /// Its capacity, kVA.
    cap: Option<f64>,
}

/// A normally-open element from a node to a live bus.
struct Tie {
    e: ElementId,
    node: usize,
    /// Indexes into the rated elements of the ties' paths.
    path: Vec<usize>,
}

/// A rated element on a tie's path to its source.
struct Rated {
    /// Load through it after the fault, kVA (an upper bound).
    existing: f64,
    /// Capacity, kVA.
    cap: f64,
}

/// The search's graph: nodes, variable switches and ties, and the boundaries (each with
/// the node below it).
struct Search {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    ties: Vec<Tie>,
    entries: Vec<(ElementId, usize)>,
    rated: Vec<Rated>,
}

/// The sections of the parts searched: each bus's section, each section's buses, and
/// each part's boundary with the section below it.
struct Sections {
    section: HashMap<BusId, usize>,
    buses: Vec<Vec<BusId>>,
    entries: Vec<(ElementId, usize)>,
}

/// A union-find over nodes, reused between configurations.
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn reset(&mut self, n: usize) {
        self.parent.clear();
        self.parent.extend(0..n);
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    /// Joins two groups; `false` when they were one already (a loop).
    fn join(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        self.parent[ra] = rb;
        ra != rb
    }
}

/// What a configuration gives, per group root: the tie closed, load and customers;
/// buffers reused between configurations.
struct Outcome {
    restored: u32,
    ops: u32,
    g: Groups,
    side: Groups,
    tie_of: Vec<usize>,
    load: Vec<f64>,
    customers: Vec<u32>,
    cap: Vec<f64>,
    added: Vec<f64>,
}

impl Outcome {
    fn new() -> Self {
        Outcome {
            restored: 0,
            ops: 0,
            g: Groups { parent: Vec::new() },
            side: Groups { parent: Vec::new() },
            tie_of: Vec::new(),
            load: Vec::new(),
            customers: Vec::new(),
            cap: Vec::new(),
            added: Vec::new(),
        }
    }
}

impl Search {
    fn variables(&self) -> usize {
        self.edges.len() + self.ties.len()
    }

    fn edge_closed(&self, k: usize, mask: u32) -> bool {
        self.edges[k].closed ^ (mask & (1 << k) != 0)
    }

    fn tie_closed(&self, t: usize, mask: u32) -> bool {
        mask & (1 << (self.edges.len() + t)) != 0
    }

    /// The groups of a configuration, or `None` when it closes a loop.
    fn group(&self, mask: u32, g: &mut Groups, skip: usize) -> Option<()> {
        g.reset(self.nodes.len());
        for (k, ed) in self.edges.iter().enumerate() {
            if k != skip && self.edge_closed(k, mask) && !g.join(ed.a, ed.b) {
                return None;
            }
        }
        Some(())
    }

    /// Fills `out` with a configuration's customers restored and operations; `false`
    /// when it is not valid. O(V²), allocation-free once the buffers have grown.
    fn evaluate(&self, mask: u32, out: &mut Outcome) -> bool {
        let n = self.nodes.len();
        if self.group(mask, &mut out.g, NONE).is_none() {
            return false;
        }
        out.restored = 0;
        out.ops = mask.count_ones();
        out.tie_of.clear();
        out.tie_of.resize(n, NONE);
        for (t, tie) in self.ties.iter().enumerate() {
            if self.tie_closed(t, mask) {
                let r = out.g.find(tie.node);
                if out.tie_of[r] != NONE {
                    return false;
                }
                out.tie_of[r] = t;
            }
        }
        out.load.clear();
        out.load.resize(n, 0.0);
        out.customers.clear();
        out.customers.resize(n, 0);
        out.cap.clear();
        out.cap.resize(n, f64::INFINITY);
        for (i, node) in self.nodes.iter().enumerate() {
            let r = out.g.find(i);
            out.load[r] += node.kva;
            out.customers[r] += node.customers;
            out.cap[r] = out.cap[r].min(node.cap);
        }
        out.added.clear();
        out.added.resize(self.rated.len(), 0.0);
        for r in 0..n {
            let t = out.tie_of[r];
            if t == NONE {
                continue;
            }
            if out.load[r] > out.cap[r] {
                return false;
            }
            out.restored += out.customers[r];
            for &i in &self.ties[t].path {
                out.added[i] += out.load[r];
            }
        }
        for &(_, node) in &self.entries {
            if out.tie_of[out.g.find(node)] != NONE {
                out.ops += 1;
            }
        }
        let over = self
            .rated
            .iter()
            .zip(out.added.iter())
            .any(|(x, &a)| a > 0.0 && x.existing + a > x.cap);
        !over && self.switches_within_ratings(mask, out)
    }

    /// Whether each closed, rated switch inside an energized group carries no more than
    /// its capacity: the load of the group's side away from the tie.
    fn switches_within_ratings(&self, mask: u32, out: &mut Outcome) -> bool {
        for (k, ed) in self.edges.iter().enumerate() {
            let Some(cap) = ed.cap else { continue };
            if !self.edge_closed(k, mask) {
                continue;
            }
            let t = out.tie_of[out.g.find(ed.a)];
            if t == NONE {
                continue;
            }
            // Cannot close a loop: the configuration's groups were made without one.
            let _ = self.group(mask, &mut out.side, k);
            let tie_side = out.side.find(self.ties[t].node);
            let far = if out.side.find(ed.a) == tie_side {
                ed.b
            } else {
                ed.a
            };
            let far = out.side.find(far);
            let mut flow = 0.0;
            for i in 0..self.nodes.len() {
                if out.side.find(i) == far {
                    flow += self.nodes[i].kva;
                }
            }
            if flow > cap {
                return false;
            }
        }
        true
    }

    /// The best configuration (most customers restored, then fewest operations, then
    /// the lowest mask), evaluated into `out`; `None` when none restores anyone.
    fn best(&self, out: &mut Outcome) -> Option<u32> {
        let mut best: Option<(u32, u32, u32)> = None;
        for mask in 1u32..(1 << self.variables()) {
            if !self.evaluate(mask, out) || out.restored == 0 {
                continue;
            }
            let better = best.is_none_or(|(_, r, o)| {
                (out.restored, std::cmp::Reverse(out.ops)) > (r, std::cmp::Reverse(o))
            });
            if better {
                best = Some((mask, out.restored, out.ops));
            }
        }
        let (mask, ..) = best?;
        self.evaluate(mask, out);
        Some(mask)
    }
}

impl Planner<'_> {
    /// An element's capacity, kVA: a transformer's rating, or its normal ampacity at
    /// the nominal voltage (three-phase).
    fn capacity(&self, e: ElementId) -> Option<f64> {
        let el = self.net.element(e);
        if el.kind == ElementKind::Transformer {
            el.rated_kva
        } else {
            el.normal_amps
                .filter(|a| *a > 0.0)
                .map(|a| a * 3f64.sqrt() * self.kv)
        }
    }

    /// The load below the nearest outage device above `b` (kVA).
    fn load_below_bus(&self, b: BusId) -> (Option<OutageDeviceId>, f64) {
        let d = self.view.device_above_bus(b);
        let load = d.map_or(0.0, |d| {
            let r = self.view.customer_span(d);
            self.prefix[r.end as usize] - self.prefix[r.start as usize]
        });
        (d, load)
    }

    /// The far side of an element from bus `b`.
    fn other_end(&self, e: ElementId, b: BusId) -> BusId {
        let el = self.net.element(e);
        if el.from == b { el.to } else { el.from }
    }

    /// Fills in the plan's faulted section (below `at`, down to `bounds`) and its
    /// restoration: the boundaries to open and the switching that gives the parts
    /// below them supply back (see the [module documentation](self)).
    pub(super) fn restore(
        &self,
        at: ElementId,
        bounds: &[ElementId],
        dead: &HashSet<BusId>,
        fault: OutageDeviceId,
        plan: &mut RestorationPlan,
    ) {
        let (section, _) = self.region(self.downstream_bus(at), &[at], true);
        plan.section = Section {
            device: self.name(at),
            ends: bounds.iter().map(|&b| self.name(b)).collect(),
            customers: self.customers_on(&section).0,
        };
        // The load the fault and the isolation take off the network: the load below the
        // device on `at` (every switchable element carries one).
        let removed = self
            .net
            .outage_devices_on(self.net.bundle_representative(at))
            .first()
            .map_or(0.0, |&d| {
                let r = self.view.customer_span(d);
                self.prefix[r.end as usize] - self.prefix[r.start as usize]
            });
        let Some(s) = self.search(bounds, dead, fault, removed) else {
            return;
        };
        let mut out = Outcome::new();
        let Some(mask) = s.best(&mut out) else { return };
        let mut g = std::mem::replace(&mut out.g, Groups { parent: Vec::new() });
        let energized = |g: &mut Groups, node: usize| out.tie_of[g.find(node)] != NONE;
        for &(b, node) in &s.entries {
            let name = self.name(b);
            if energized(&mut g, node) && !plan.isolate.contains(&name) {
                plan.isolate.push(name);
            }
        }
        for (k, ed) in s.edges.iter().enumerate() {
            if ed.closed && !s.edge_closed(k, mask) {
                plan.isolate.push(self.name(ed.e));
            }
        }
        let mut added = vec![0.0; s.rated.len()];
        for (t, tie) in s.ties.iter().enumerate() {
            if !s.tie_closed(t, mask) {
                continue;
            }
            let r = g.find(tie.node);
            for (k, ed) in s.edges.iter().enumerate() {
                if !ed.closed && s.edge_closed(k, mask) && g.find(ed.a) == r {
                    plan.steps.push(RestorationStep {
                        op: "close",
                        device: self.name(ed.e),
                        customers: 0,
                        loading_pct: None,
                    });
                }
            }
            let mut worst: Option<f64> = None;
            for &i in &tie.path {
                added[i] += out.load[r];
                let pct = 100.0 * (s.rated[i].existing + added[i]) / s.rated[i].cap;
                worst = Some(worst.map_or(pct, |w: f64| w.max(pct)));
            }
            plan.steps.push(RestorationStep {
                op: "close",
                device: self.name(tie.e),
                customers: out.customers[r],
                loading_pct: worst.map(|p| (p * 10.0).round() / 10.0),
            });
        }
    }

    /// The search's graph for the parts below `bounds`; `None` when no tie reaches
    /// them.
    /// The sections of the parts worth searching (those with a tie, and those an open
    /// switch joins to them: a part no tie can reach stays dark), by bus, and each
    /// part's boundary with the section below it. O(R).
    fn sections(&self, bounds: &[ElementId], dead: &HashSet<BusId>) -> Sections {
        let mut wanted = vec![false; bounds.len()];
        let mut want = |p: Option<usize>| {
            if let Some(p) = p {
                wanted[p] = true;
            }
        };
        for &x in dead {
            for er in self.graph.edges(petgraph::graph::NodeIndex::new(x.index())) {
                let e = *er.weight();
                if !self.closed(e)
                    && self.net.is_switchable(e)
                    && !dead.contains(&self.other_end(e, x))
                {
                    want(self.part_of(x, bounds, dead));
                }
            }
        }
        // The sections of those parts, by bus, section by section down each part
        // across the switches met.
        let mut section: HashMap<BusId, usize> = HashMap::new();
        let mut buses: Vec<Vec<BusId>> = Vec::new();
        let mut entries = Vec::new();
        let mut done = vec![false; bounds.len()];
        // In the boundaries' order, so that the plan does not depend on hashing.
        while let Some(p) = (0..bounds.len()).find(|&p| wanted[p] && !done[p]) {
            done[p] = true;
            let b = bounds[p];
            entries.push((b, buses.len()));
            let mut todo = vec![self.downstream_bus(b)];
            while let Some(x) = todo.pop() {
                if section.contains_key(&x) {
                    continue;
                }
                let (sec, met) = self.region(x, &[b], true);
                for &y in &sec {
                    section.insert(y, buses.len());
                    for er in self.graph.edges(petgraph::graph::NodeIndex::new(y.index())) {
                        let e = *er.weight();
                        let far = self.other_end(e, y);
                        if !self.closed(e)
                            && self.net.is_switchable(e)
                            && dead.contains(&far)
                            && let Some(q) = self.part_of(far, bounds, dead)
                        {
                            wanted[q] = true;
                        }
                    }
                }
                for e in met {
                    let el = self.net.element(e);
                    todo.extend(
                        [el.from, el.to]
                            .into_iter()
                            .filter(|y| !section.contains_key(y)),
                    );
                }
                buses.push(sec);
            }
        }
        Sections {
            section,
            buses,
            entries,
        }
    }

    /// The switchable elements between sections, and the ties (element, section, live
    /// bus across). O(R).
    fn switches(
        &self,
        section: &HashMap<BusId, usize>,
        buses: &[Vec<BusId>],
        dead: &HashSet<BusId>,
    ) -> (Vec<Edge>, Vec<(ElementId, usize, BusId)>) {
        let mut edges = Vec::new();
        let mut ties: Vec<(ElementId, usize, BusId)> = Vec::new();
        let mut seen: HashSet<ElementId> = HashSet::new();
        for (i, sec) in buses.iter().enumerate() {
            for &x in sec {
                for er in self.graph.edges(petgraph::graph::NodeIndex::new(x.index())) {
                    let e = *er.weight();
                    let rep = self.net.bundle_representative(e);
                    if !self.net.is_switchable(e) || seen.contains(&rep) {
                        continue;
                    }
                    let far = self.other_end(e, x);
                    match section.get(&far) {
                        Some(&j) if j != i => {
                            seen.insert(rep);
                            edges.push(Edge {
                                e,
                                a: i,
                                b: j,
                                closed: self.closed(e),
                                cap: self.capacity(e),
                            });
                        }
                        None if !self.closed(e) && !dead.contains(&far) => {
                            seen.insert(rep);
                            ties.push((e, i, far));
                        }
                        _ => {}
                    }
                }
            }
        }
        (edges, ties)
    }

    fn search(
        &self,
        bounds: &[ElementId],
        dead: &HashSet<BusId>,
        fault: OutageDeviceId,
        removed: f64,
    ) -> Option<Search> {
        let Sections {
            section,
            buses,
            entries,
        } = self.sections(bounds, dead);
        let (edges, ties) = self.switches(&section, &buses, dead);
        if ties.is_empty() {
            return None;
        }
        let nodes = buses
            .iter()
            .map(|sec| {
                let (customers, kva) = self.customers_on(sec);
                Node {
                    customers,
                    kva,
                    cap: f64::INFINITY,
                }
            })
            .collect();
        let mut s = Search {
            nodes,
            edges,
            ties: Vec::new(),
            entries,
            rated: Vec::new(),
        };
        let tie_nodes: Vec<usize> = ties.iter().map(|t| t.1).collect();
        let map = s.keep_reachable(&tie_nodes);
        let mut index: HashMap<ElementId, usize> = HashMap::new();
        for (e, node, far) in ties {
            let path = self.rated_path(far, fault, removed, &mut index, &mut s.rated);
            s.ties.push(Tie {
                e,
                node: map[node],
                path,
            });
        }
        s.limit();
        Some(s)
    }

    /// The part a dead bus lies in: the index of the boundary above it, found up its
    /// feeding path; `None` in the faulted section or above it. O(depth · bounds).
    fn part_of(&self, bus: BusId, bounds: &[ElementId], dead: &HashSet<BusId>) -> Option<usize> {
        let mut x = bus;
        while dead.contains(&x) {
            let e = self.view.feeding_element(x)?;
            let rep = self.net.bundle_representative(e);
            if let Some(p) = bounds
                .iter()
                .position(|&b| self.net.bundle_representative(b) == rep)
            {
                return Some(p);
            }
            x = self.other_end(e, x);
        }
        None
    }

    /// The rated elements on the path from `far` to its source, as indexes into
    /// `rated` (added once per element). O(depth).
    fn rated_path(
        &self,
        far: BusId,
        fault: OutageDeviceId,
        removed: f64,
        index: &mut HashMap<ElementId, usize>,
        rated: &mut Vec<Rated>,
    ) -> Vec<usize> {
        let mut path = Vec::new();
        let mut x = far;
        while let Some(e) = self.view.feeding_element(x) {
            if let Some(cap) = self.capacity(e) {
                let i = *index.entry(e).or_insert_with(|| {
                    let (d, below) = self.load_below_bus(x);
                    // The fault's dead region no longer draws through it.
                    let gone = d.is_some_and(|d| self.view.is_below(fault, d));
                    rated.push(Rated {
                        existing: if gone {
                            (below - removed).max(0.0)
                        } else {
                            below
                        },
                        cap,
                    });
                    rated.len() - 1
                });
                path.push(i);
            }
            x = self.other_end(e, x);
        }
        path
    }
}

impl Search {
    /// Drops the nodes (and their switches and boundaries) that no tie can reach
    /// through any switch: nothing can give them supply. The kept nodes are
    /// renumbered in order; returns the new number of each old one.
    fn keep_reachable(&mut self, tie_nodes: &[usize]) -> Vec<usize> {
        let n = self.nodes.len();
        let mut g = Groups { parent: Vec::new() };
        g.reset(n);
        for ed in &self.edges {
            g.join(ed.a, ed.b);
        }
        let mut live = vec![false; n];
        for &t in tie_nodes {
            let r = g.find(t);
            live[r] = true;
        }
        let mut map = vec![NONE; n];
        let mut kept = Vec::new();
        for (i, node) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if live[g.find(i)] {
                map[i] = kept.len();
                kept.push(node);
            }
        }
        self.nodes = kept;
        self.edges.retain(|ed| map[ed.a] != NONE);
        for ed in &mut self.edges {
            (ed.a, ed.b) = (map[ed.a], map[ed.b]);
        }
        self.entries.retain(|en| map[en.1] != NONE);
        for en in &mut self.entries {
            en.1 = map[en.1];
        }
        map
    }

    /// Which switches lie on the paths between ties, boundaries and open switches: the
    /// closed ones left when the tree's other leaves are pruned away. O(n · V).
    fn spine(&self) -> Vec<bool> {
        let n = self.nodes.len();
        let mut terminal = vec![false; n];
        for t in &self.ties {
            terminal[t.node] = true;
        }
        for en in &self.entries {
            terminal[en.1] = true;
        }
        let mut degree = vec![0usize; n];
        for ed in &self.edges {
            if ed.closed {
                degree[ed.a] += 1;
                degree[ed.b] += 1;
            } else {
                terminal[ed.a] = true;
                terminal[ed.b] = true;
            }
        }
        let mut spine: Vec<bool> = self.edges.iter().map(|ed| ed.closed).collect();
        let mut leaves: Vec<usize> = (0..n).filter(|&i| degree[i] == 1 && !terminal[i]).collect();
        while let Some(x) = leaves.pop() {
            for (k, ed) in self.edges.iter().enumerate() {
                if spine[k] && (ed.a == x || ed.b == x) {
                    spine[k] = false;
                    let y = if ed.a == x { ed.b } else { ed.a };
                    degree[x] -= 1;
                    degree[y] -= 1;
                    if degree[y] == 1 && !terminal[y] {
                        leaves.push(y);
                    }
                }
            }
        }
        spine
    }

    /// Above [`EXACT_LIMIT`] variables: keeps the ties and then the switches on the
    /// paths between ties, boundaries and open switches (a tree's leaves that are none
    /// of these pruned away) as variables, up to the limit; the other switches stay as
    /// they are (closed ones join their nodes, whose group then fits under their
    /// capacity if they lie on such a path). O(n · V).
    fn limit(&mut self) {
        if self.variables() <= EXACT_LIMIT {
            return;
        }
        let n = self.nodes.len();
        let spine = self.spine();
        self.ties.truncate(EXACT_LIMIT);
        let mut room = EXACT_LIMIT - self.ties.len();
        let mut chosen = vec![false; self.edges.len()];
        for pass in [true, false] {
            for k in 0..self.edges.len() {
                let wanted = if pass {
                    spine[k]
                } else {
                    !self.edges[k].closed
                };
                if room > 0 && wanted && !chosen[k] {
                    chosen[k] = true;
                    room -= 1;
                }
            }
        }
        let mut g = Groups { parent: Vec::new() };
        g.reset(n);
        let mut cap = vec![f64::INFINITY; n];
        for (k, ed) in self.edges.iter().enumerate() {
            if !chosen[k] && ed.closed {
                g.join(ed.a, ed.b);
                if let (true, Some(c)) = (spine[k], ed.cap) {
                    cap[ed.a] = cap[ed.a].min(c);
                }
            }
        }
        let mut map = vec![NONE; n];
        let mut nodes: Vec<Node> = Vec::new();
        for (i, (old, &c)) in self.nodes.iter().zip(&cap).enumerate() {
            let r = g.find(i);
            if map[r] == NONE {
                map[r] = nodes.len();
                nodes.push(Node {
                    customers: 0,
                    kva: 0.0,
                    cap: f64::INFINITY,
                });
            }
            let m = &mut nodes[map[r]];
            m.customers += old.customers;
            m.kva += old.kva;
            m.cap = m.cap.min(c);
        }
        let mut k = 0;
        self.edges.retain(|_| {
            k += 1;
            chosen[k - 1]
        });
        for ed in &mut self.edges {
            (ed.a, ed.b) = (map[g.find(ed.a)], map[g.find(ed.b)]);
        }
        for t in &mut self.ties {
            t.node = map[g.find(t.node)];
        }
        for en in &mut self.entries {
            en.1 = map[g.find(en.1)];
        }
        self.nodes = nodes;
    }
}
