//! The plan: the joined rows turned into what the builder is given (named buses,
//! sources, elements with the devices they carry, customers), with the counts of the
//! import report.
//!
//! How CIM's objects map onto the crate's model:
//!
//! - a `ConnectivityNode` is a bus, named by its name (a `.` in it becomes `_`, since
//!   bus names end at a node suffix);
//! - an `ACLineSegment` is a line `line.x` from its terminal 1 to its terminal 2, a
//!   `Jumper` a line `jumper.x`;
//! - a `LoadBreakSwitch`, `Disconnector` or `Sectionaliser` is a switch element
//!   `switch.x` (an outage device of its own), open when `Switch.normalOpen`;
//! - a `Breaker`, `Recloser` or `Fuse` is a short line `line.breaker.x` (and so on)
//!   carrying the protective device `breaker.x` at its terminal 1;
//! - a `PowerTransformer` is `transformer.x` between the nodes of its first two ends
//!   (its own terminals, or those its `PowerTransformerEnd`s or its tanks'
//!   `TransformerTankEnd`s name), a distribution transformer when its lowest rated
//!   voltage is below 1 kV;
//! - an `EnergyConsumer` is a customer `load.x`, unless it is an aggregate (1 kV or
//!   more, or no voltage given, and 1 MW or more);
//! - an `EnergySource` is a source `circuit.n`, `n` being the name of the `Feeder` or
//!   `Substation` holding it (when that holds no other source), else its own name.
//!
//! Objects without a name are named by their mRID; a name met twice is a warning, and
//! the later object is named by its mRID. Equipment with
//! `Equipment.normallyInService` false is open (a source or consumer is left out).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{CimError, ImportError, SourceLocation};
use crate::network::opendss::{ImportOptions, ImportReport, ImportWarning};
use crate::network::{DeviceKind, ElementKind};

use super::ids::{Ids, NONE};
use super::join::{Joined, Ratings, describe, join};
use super::parse::Parsed;
use super::tables::{ContainerKind, EqClass, Equipment, Tables};

/// An element as it goes to the builder, with the device it carries.
#[derive(Debug)]
pub(super) struct PlannedElement {
    pub(super) name: String,
    pub(super) kind: ElementKind,
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) phases: u8,
    pub(super) switch: bool,
    pub(super) open: bool,
    pub(super) lowest_kv: Option<f64>,
    pub(super) highest_kv: Option<f64>,
    pub(super) rated_kva: Option<f64>,
    pub(super) device: Option<(String, DeviceKind)>,
    pub(super) ratings: Ratings,
    pub(super) line: u32,
}

/// A customer as it goes to the builder.
#[derive(Debug)]
pub(super) struct PlannedCustomer {
    pub(super) name: String,
    pub(super) bus: u32,
    /// kW and kvar (0 when the model gives no `EnergyConsumer.q`).
    pub(super) load: Option<(f64, f64)>,
    pub(super) line: u32,
}

/// A source as it goes to the builder.
#[derive(Debug)]
pub(super) struct PlannedSource {
    pub(super) name: String,
    pub(super) bus: u32,
    pub(super) kv: Option<f64>,
}

/// Everything the builder is given, and the report so far.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) name: String,
    /// Bus names and positions, in order of first use.
    pub(super) buses: Vec<(String, Option<[f64; 2]>)>,
    pub(super) sources: Vec<PlannedSource>,
    pub(super) elements: Vec<PlannedElement>,
    pub(super) customers: Vec<PlannedCustomer>,
    pub(super) report: ImportReport,
    pub(super) warnings: Vec<ImportWarning>,
}

/// Plans the network of a parsed model.
///
/// # Complexity
/// O(R log R) for R rows, one hash probe per name.
///
/// # Errors
/// [`ImportError::FileTooLarge`] for a model past the size bound;
/// [`CimError::Malformed`] when the XML broke off, unless `opts` accept a partial model
/// and a source was read before; [`CimError::NoSource`] when the model has no source on
/// a connectivity node; [`ImportError::NoCustomers`] when it has no customers, unless
/// `opts` accept a partial model.
pub(super) fn plan(
    parsed: Parsed,
    path: &Arc<PathBuf>,
    opts: &ImportOptions,
) -> Result<Plan, ImportError> {
    let Parsed {
        ids,
        mut tables,
        mut warnings,
        broke,
        too_large,
    } = parsed;
    if too_large {
        let (path, limit) = (path.to_path_buf(), opts.max_file_bytes);
        return Err(ImportError::FileTooLarge { path, limit });
    }
    if let Some((at, message)) = &broke {
        if !opts.accept_partial {
            let (at, message) = (at.clone(), message.clone());
            return Err(CimError::Malformed { at, message }.into());
        }
        warnings.push(ImportWarning {
            at: at.clone(),
            message: format!("malformed XML: {message}; the rest of the file is left out"),
        });
    }
    let joined = join(&ids, &mut tables, path, &mut warnings);
    let skipped = std::mem::take(&mut tables.skipped);
    let mut p = Planner {
        ids: &ids,
        t: &tables,
        j: &joined,
        path,
        node_bus: vec![NONE; tables.nodes.len()],
        names: Taken::default(),
        bus_names: Taken::default(),
        source_rows: Vec::new(),
        plan: Plan {
            name: network_name(&tables, path),
            buses: Vec::new(),
            sources: Vec::new(),
            elements: Vec::new(),
            customers: Vec::new(),
            report: ImportReport {
                files: 1,
                skipped,
                ..ImportReport::default()
            },
            warnings,
        },
    };
    for e in 0..tables.equipment.len() {
        p.equipment(e);
    }
    if p.source_rows.is_empty() {
        return Err(match broke {
            Some((at, message)) => CimError::Malformed { at, message },
            None => CimError::NoSource {
                path: path.to_path_buf(),
            },
        }
        .into());
    }
    p.name_sources();
    p.customers();
    if p.plan.customers.is_empty() && !opts.accept_partial {
        let path = path.to_path_buf();
        return Err(ImportError::NoCustomers { path });
    }
    p.positions();
    Ok(p.plan)
}

/// The network's name: the one `Feeder`'s, else the one `GeographicalRegion`'s, else
/// the one `Substation`'s, else the file's stem.
fn network_name(t: &Tables, path: &Path) -> String {
    for kind in [
        ContainerKind::Feeder,
        ContainerKind::Region,
        ContainerKind::Substation,
    ] {
        let mut of_kind = t.containers.values().filter(|c| c.kind == kind);
        if let (Some(c), None) = (of_kind.next(), of_kind.next())
            && let Some(n) = clean(c.name.as_deref())
        {
            return n;
        }
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .filter(|s| !s.is_empty() && !s.starts_with('<'))
        .unwrap_or_else(|| "cim".to_string())
}

/// A name as the network keeps it: trimmed and lowercase; `None` when empty.
fn clean(name: Option<&str>) -> Option<String> {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_lowercase)
}

/// Names taken, told apart by a keyed 64-bit hash rather than kept a second time: two
/// different names share a hash with odds of about n²/2⁶⁵ (3·10⁻⁸ for a million), and
/// then the later is named by its mRID, with a warning, as if its name were taken.
#[derive(Default)]
struct Taken {
    hasher: RandomState,
    hashes: HashSet<u64>,
}

impl Taken {
    /// Takes a name; false when it was taken before.
    fn insert(&mut self, name: &str) -> bool {
        self.hashes.insert(self.hasher.hash_one(name))
    }
}

/// The state of the planning.
struct Planner<'a> {
    ids: &'a Ids,
    t: &'a Tables,
    j: &'a Joined,
    path: &'a Arc<PathBuf>,
    /// The bus of each node (`NONE` until used).
    node_bus: Vec<u32>,
    /// The object names and bus names taken.
    names: Taken,
    bus_names: Taken,
    /// The sources' equipment rows, named once all are known.
    source_rows: Vec<(usize, u32)>,
    plan: Plan,
}

impl Planner<'_> {
    fn warn(&mut self, line: u32, message: String) {
        self.plan.warnings.push(ImportWarning {
            at: SourceLocation::new(self.path, line),
            message,
        });
    }

    /// A unique name `word.base` for equipment `e`; a name taken before is a warning,
    /// and the equipment is named by its mRID instead.
    fn name(&mut self, word: &str, e: &Equipment) -> String {
        let ids = self.ids;
        let by_id = || format!("{word}.{}", ids.text(e.id).to_lowercase());
        let name = match clean(e.name.as_deref()) {
            Some(n) => format!("{word}.{n}"),
            None => by_id(),
        };
        if self.names.insert(&name) {
            return name;
        }
        let mut alt = by_id();
        let mut n = 1;
        while !self.names.insert(&alt) {
            n += 1;
            alt = format!("{}~{n}", by_id());
        }
        self.warn(
            e.line,
            format!("{name}: name taken before, this one is {alt}"),
        );
        alt
    }

    /// The bus of a node, added on first use.
    fn bus(&mut self, n: u32) -> u32 {
        if self.node_bus[n as usize] != NONE {
            return self.node_bus[n as usize];
        }
        let (t, ids) = (self.t, self.ids);
        let node = &t.nodes[n as usize];
        let by_id = || ids.text(node.id).to_lowercase().replace('.', "_");
        let mut name = clean(node.name.as_deref())
            .map(|s| s.replace('.', "_"))
            .unwrap_or_else(by_id);
        if !self.bus_names.insert(&name) {
            let taken = name;
            name = by_id();
            let mut k = 1;
            while !self.bus_names.insert(&name) {
                k += 1;
                name = format!("{}~{k}", by_id());
            }
            let message =
                format!("ConnectivityNode {taken}: name taken before, this one is {name}");
            self.warn(node.line, message);
        }
        let b = self.plan.buses.len() as u32;
        self.plan.buses.push((name, None));
        self.node_bus[n as usize] = b;
        b
    }

    /// Plans equipment `e`: an element (with its device) or a source; customers come
    /// later, once the buses with supply are known.
    fn equipment(&mut self, e: usize) {
        let t = self.t;
        let eq = &t.equipment[e];
        match eq.class {
            EqClass::Consumer => {}
            EqClass::Source => {
                let desc = describe(self.ids, eq.class, eq.name.as_deref(), eq.id);
                if !eq.in_service {
                    self.warn(eq.line, format!("{desc}: not in service, left out"));
                } else if let Some(&n) = self.j.terminals(e).iter().find(|&&n| n != NONE) {
                    let b = self.bus(n);
                    self.source_rows.push((e, b));
                } else {
                    self.warn(
                        eq.line,
                        format!("{desc}: no terminal on a connectivity node, left out"),
                    );
                }
            }
            EqClass::Transformer => {
                if eq.in_service {
                    self.plan.report.transformers += 1;
                }
                self.element(e);
            }
            _ => self.element(e),
        }
    }

    /// The two nodes an element joins, or `None` with a warning why it joins none.
    fn ends(&mut self, e: usize) -> Option<(u32, u32)> {
        let (t, j, ids) = (self.t, self.j, self.ids);
        let eq = &t.equipment[e];
        let terms = j.terminals(e);
        let desc = || describe(ids, eq.class, eq.name.as_deref(), eq.id);
        let mut distinct: Vec<u32> = Vec::with_capacity(2);
        for &n in terms.iter().filter(|&&n| n != NONE) {
            if !distinct.contains(&n) {
                distinct.push(n);
            }
        }
        let on_node = terms.iter().filter(|&&n| n != NONE).count();
        if distinct.len() >= 2 {
            if distinct[2..].iter().any(|&n| j.node_uses[n as usize] > 1) {
                let message = format!(
                    "{}: windings on {} nodes; only the first two are joined",
                    desc(),
                    distinct.len()
                );
                self.warn(eq.line, message);
            }
            return Some((distinct[0], distinct[1]));
        }
        let message = if terms.is_empty() {
            format!("{}: no terminals, left out", desc())
        } else if on_node >= 2 {
            // A line from a node to itself joins nothing and holds nothing.
            if matches!(eq.class, EqClass::Line | EqClass::Jumper) {
                return None;
            }
            format!("{}: both terminals on one node, left out", desc())
        } else {
            format!(
                "{}: {on_node} of its terminals on a connectivity node, left out",
                desc()
            )
        };
        self.warn(eq.line, message);
        None
    }

    /// Plans a two-terminal element, with the device it carries.
    fn element(&mut self, e: usize) {
        let (t, j) = (self.t, self.j);
        let eq = &t.equipment[e];
        let Some((n1, n2)) = self.ends(e) else {
            return;
        };
        let open = !eq.in_service || eq.normal_open == Some(true);
        if let (Some(now), Some(normal)) = (eq.open_now, eq.normal_open)
            && now != normal
        {
            let desc = describe(self.ids, eq.class, eq.name.as_deref(), eq.id);
            let (is, was) = if now {
                ("open", "closed")
            } else {
                ("closed", "open")
            };
            let message = format!("{desc}: {is} now but normally {was}; the normal state is used");
            self.warn(eq.line, message);
        }
        let device_kind = match eq.class {
            EqClass::Breaker => Some(DeviceKind::Breaker),
            EqClass::Recloser => Some(DeviceKind::Recloser),
            EqClass::Fuse => Some(DeviceKind::Fuse),
            _ => None,
        };
        let (name, device) = match device_kind {
            Some(kind) => {
                let device = self.name(eq.class.word(), eq);
                (format!("line.{device}"), Some((device, kind)))
            }
            None => (self.name(eq.class.word(), eq), None),
        };
        let r = &mut self.plan.report;
        match eq.class {
            EqClass::Breaker => r.breakers += 1,
            EqClass::Recloser => r.reclosers += 1,
            EqClass::Fuse => r.fuses += 1,
            EqClass::Switch => {
                r.switches += 1;
                r.open_switches += open as usize;
            }
            _ => {}
        }
        let windings = j.windings.get(&(e as u32)).copied().unwrap_or_default();
        let phases = match j.phases[e] {
            0 => 3,
            p => p.min(3),
        };
        let (from, to) = (self.bus(n1), self.bus(n2));
        self.plan.elements.push(PlannedElement {
            name,
            kind: if eq.class == EqClass::Transformer {
                ElementKind::Transformer
            } else {
                ElementKind::Line
            },
            from,
            to,
            phases,
            switch: eq.class == EqClass::Switch,
            open,
            lowest_kv: windings.lowest_v.map(|v| v / 1000.0),
            highest_kv: windings.highest_v.map(|v| v / 1000.0),
            rated_kva: windings.rated_va.map(|va| va / 1000.0),
            device,
            ratings: j.ratings.get(&(e as u32)).copied().unwrap_or_default(),
            line: eq.line,
        });
    }

    /// Names the sources: after the feeder or substation holding them when it holds
    /// no other, else by their own names.
    fn name_sources(&mut self) {
        let t = self.t;
        let rows = std::mem::take(&mut self.source_rows);
        let container_of = |e: usize| {
            let c = t.equipment[e].container;
            let held = rows.iter().filter(|(x, _)| t.equipment[*x].container == c);
            match (t.containers.get(&c), held.count()) {
                (Some(k), 1) if k.kind != ContainerKind::Region => clean(k.name.as_deref()),
                _ => None,
            }
        };
        for &(e, bus) in &rows {
            let eq = &t.equipment[e];
            let name = match container_of(e) {
                Some(n) if self.names.insert(&format!("circuit.{n}")) => format!("circuit.{n}"),
                _ => self.name("circuit", eq),
            };
            let kv = eq.nominal_v.or_else(|| self.base_v(eq)).map(|v| v / 1000.0);
            self.plan.sources.push(PlannedSource { name, bus, kv });
        }
    }

    /// The nominal voltage of equipment's `BaseVoltage`, V.
    fn base_v(&self, eq: &Equipment) -> Option<f64> {
        match self.ids.def(eq.base_voltage) {
            super::ids::Def::BaseVoltage(b) => Some(self.t.base_voltages[b as usize]),
            _ => None,
        }
    }

    /// Which buses closed elements join to a source.
    ///
    /// # Complexity
    /// O(B + E): a depth-first walk over an adjacency in compressed rows.
    fn supplied(&self) -> Vec<bool> {
        let nb = self.plan.buses.len();
        let closed = || self.plan.elements.iter().filter(|x| !x.open);
        let mut start = vec![0u32; nb + 1];
        for x in closed() {
            start[x.from as usize + 1] += 1;
            start[x.to as usize + 1] += 1;
        }
        for b in 0..nb {
            start[b + 1] += start[b];
        }
        let mut fill = start[..nb].to_vec();
        let mut adj = vec![0u32; start[nb] as usize];
        for x in closed() {
            adj[fill[x.from as usize] as usize] = x.to;
            fill[x.from as usize] += 1;
            adj[fill[x.to as usize] as usize] = x.from;
            fill[x.to as usize] += 1;
        }
        let mut seen = vec![false; nb];
        let mut stack: Vec<u32> = self.plan.sources.iter().map(|s| s.bus).collect();
        for &s in &stack {
            seen[s as usize] = true;
        }
        while let Some(b) = stack.pop() {
            for &y in &adj[start[b as usize] as usize..start[b as usize + 1] as usize] {
                if !seen[y as usize] {
                    seen[y as usize] = true;
                    stack.push(y);
                }
            }
        }
        seen
    }

    /// Plans the consumers with supply as customers, except the aggregates of another
    /// feeder, which are counted.
    fn customers(&mut self) {
        let supplied = self.supplied();
        let (t, j, ids) = (self.t, self.j, self.ids);
        for e in 0..t.equipment.len() {
            let eq = &t.equipment[e];
            if eq.class != EqClass::Consumer || !eq.in_service {
                continue;
            }
            let desc = || describe(ids, eq.class, eq.name.as_deref(), eq.id);
            let Some(&n) = j.terminals(e).iter().find(|&&n| n != NONE) else {
                let message = format!("{}: no terminal on a connectivity node, left out", desc());
                self.warn(eq.line, message);
                continue;
            };
            let bus = self.node_bus[n as usize];
            if bus == NONE || !supplied[bus as usize] {
                let node = &t.nodes[n as usize];
                let node = clean(node.name.as_deref()).unwrap_or_else(|| ids.text(node.id));
                let message = format!(
                    "{}: node {node} has no path to the source, left out",
                    desc()
                );
                self.warn(eq.line, message);
                continue;
            }
            let kv = self.base_v(eq).map(|v| v / 1000.0);
            if kv.is_none_or(|kv| kv >= 1.0) && eq.p_w.is_some_and(|p| p >= 1e6) {
                self.plan.report.aggregate_loads += 1;
                continue;
            }
            let name = self.name("load", eq);
            if eq.p_w.is_some() && eq.q_var.is_none() {
                *self
                    .plan
                    .report
                    .defaulted
                    .entry("EnergyConsumer.q".to_string())
                    .or_default() += 1;
            }
            self.plan.customers.push(PlannedCustomer {
                name,
                bus,
                load: eq
                    .p_w
                    .map(|p| (p / 1000.0, eq.q_var.unwrap_or(0.0) / 1000.0)),
                line: eq.line,
            });
        }
    }

    /// Bus positions from the equipment's locations: the k-th point (by sequence
    /// number) of a location places the node of the k-th terminal; the first
    /// equipment to place a bus places it.
    fn positions(&mut self) {
        let mut points: Vec<(u32, u32, f64, f64)> = self
            .t
            .points
            .iter()
            .map(|p| (p.location, p.seq, p.x, p.y))
            .collect();
        points.sort_by_key(|p| (p.0, p.1));
        let (t, j) = (self.t, self.j);
        for e in 0..t.equipment.len() {
            let loc = t.equipment[e].location;
            if loc == NONE {
                continue;
            }
            let first = points.partition_point(|p| p.0 < loc);
            let here = points[first..].iter().take_while(|p| p.0 == loc);
            for (&n, &(_, _, x, y)) in j.terminals(e).iter().zip(here) {
                if n == NONE || self.node_bus[n as usize] == NONE {
                    continue;
                }
                let place = &mut self.plan.buses[self.node_bus[n as usize] as usize].1;
                if place.is_none() {
                    *place = Some([x, y]);
                }
            }
        }
    }
}
