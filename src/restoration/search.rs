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

use super::{Planner, RestorationPlan, RestorationStep};

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

/// What a configuration gives: per group root, the tie closed, load and customers.
struct Outcome {
    restored: u32,
    ops: u32,
    tie_of: Vec<usize>,
    load: Vec<f64>,
    customers: Vec<u32>,
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

    /// Customers restored and operations of a configuration, or `None` when it is
    /// not valid. O(V²).
    fn evaluate(&self, mask: u32, g: &mut Groups, added: &mut Vec<f64>) -> Option<Outcome> {
        let n = self.nodes.len();
        self.group(mask, g, NONE)?;
        let mut out = Outcome {
            restored: 0,
            ops: mask.count_ones(),
            tie_of: vec![NONE; n],
            load: vec![0.0; n],
            customers: vec![0; n],
        };
        for (t, tie) in self.ties.iter().enumerate() {
            if self.tie_closed(t, mask) {
                let r = g.find(tie.node);
                if out.tie_of[r] != NONE {
                    return None;
                }
                out.tie_of[r] = t;
            }
        }
        let mut cap = vec![f64::INFINITY; n];
        for (i, node) in self.nodes.iter().enumerate() {
            let r = g.find(i);
            out.load[r] += node.kva;
            out.customers[r] += node.customers;
            cap[r] = cap[r].min(node.cap);
        }
        added.clear();
        added.resize(self.rated.len(), 0.0);
        for r in 0..n {
            let t = out.tie_of[r];
            if t == NONE {
                continue;
            }
            if out.load[r] > cap[r] {
                return None;
            }
            out.restored += out.customers[r];
            for &i in &self.ties[t].path {
                added[i] += out.load[r];
            }
        }
        for &(_, node) in &self.entries {
            if out.tie_of[g.find(node)] != NONE {
                out.ops += 1;
            }
        }
        let over = self
            .rated
            .iter()
            .zip(added.iter())
            .any(|(x, &a)| a > 0.0 && x.existing + a > x.cap);
        if over || !self.switches_within_ratings(mask, g, &out) {
            return None;
        }
        Some(out)
    }

    /// Whether each closed, rated switch inside an energized group carries no more than
    /// its capacity: the load of the group's side away from the tie.
    fn switches_within_ratings(&self, mask: u32, g: &mut Groups, out: &Outcome) -> bool {
        let mut roots = Vec::with_capacity(self.edges.len());
        for ed in &self.edges {
            roots.push(g.find(ed.a));
        }
        for (k, ed) in self.edges.iter().enumerate() {
            let Some(cap) = ed.cap else { continue };
            let t = out.tie_of[roots[k]];
            if !self.edge_closed(k, mask) || t == NONE {
                continue;
            }
            let mut side = Groups { parent: Vec::new() };
            // Cannot close a loop: the configuration's groups were made without one.
            let _ = self.group(mask, &mut side, k);
            let tie_side = side.find(self.ties[t].node);
            let far = if side.find(ed.a) == tie_side {
                ed.b
            } else {
                ed.a
            };
            let far = side.find(far);
            let flow: f64 = (0..self.nodes.len())
                .filter(|&i| side.find(i) == far)
                .map(|i| self.nodes[i].kva)
                .sum();
            if flow > cap {
                return false;
            }
        }
        true
    }

    /// The best configuration: most customers restored, then fewest operations, then
    /// the lowest mask.
    fn best(&self) -> Option<(u32, Outcome)> {
        let v = self.variables();
        let mut g = Groups { parent: Vec::new() };
        let mut added = Vec::new();
        let mut best: Option<(u32, Outcome)> = None;
        for mask in 1u32..(1 << v) {
            let Some(out) = self.evaluate(mask, &mut g, &mut added) else {
                continue;
            };
            let better = match &best {
                None => out.restored > 0,
                Some((_, b)) => {
                    (out.restored, std::cmp::Reverse(out.ops))
                        > (b.restored, std::cmp::Reverse(b.ops))
                }
            };
            if better {
                best = Some((mask, out));
            }
        }
        best
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

    /// Fills in the plan's restoration: the boundaries to open and the switching that
    /// gives the parts below them supply back (see the [module documentation](self)).
    /// `removed` is the load the fault and the isolation take off the network (kVA).
    pub(super) fn restore(
        &self,
        bounds: &[ElementId],
        dead: &HashSet<BusId>,
        fault: OutageDeviceId,
        removed: f64,
        plan: &mut RestorationPlan,
    ) {
        let Some(s) = self.search(bounds, dead, fault, removed) else {
            return;
        };
        let Some((mask, out)) = s.best() else { return };
        let mut g = Groups { parent: Vec::new() };
        // The best configuration was valid, so it groups without a loop.
        let _ = s.group(mask, &mut g, NONE);
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
    fn search(
        &self,
        bounds: &[ElementId],
        dead: &HashSet<BusId>,
        fault: OutageDeviceId,
        removed: f64,
    ) -> Option<Search> {
        // The sections of the parts, by bus.
        let mut section: HashMap<BusId, usize> = HashMap::new();
        let mut buses: Vec<Vec<BusId>> = Vec::new();
        let mut entries = Vec::new();
        for &b in bounds {
            let start = self.downstream_bus(b);
            let (part, _) = self.region(start, &[b], false);
            for x in part {
                if section.contains_key(&x) {
                    continue;
                }
                let (sec, _) = self.region(x, &[], true);
                for &y in &sec {
                    section.insert(y, buses.len());
                }
                buses.push(sec);
            }
            entries.push((b, section[&start]));
        }
        // The switchable elements between sections, and the ties.
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

    /// Above [`EXACT_LIMIT`] variables: keeps the ties and then the switches on the
    /// paths between ties, boundaries and open switches (a tree's leaves that are none
    /// of these pruned away) as variables, up to the limit; the other switches stay as
    /// they are (closed ones join their nodes, whose group then fits under their
    /// capacity if they lie on such a path). O(V + n).
    fn limit(&mut self) {
        if self.variables() <= EXACT_LIMIT {
            return;
        }
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
        for i in 0..n {
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
            m.customers += self.nodes[i].customers;
            m.kva += self.nodes[i].kva;
            m.cap = m.cap.min(cap[i]);
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
