//! Joining the rows: terminals to their equipment and nodes (a transformer's through
//! its ends and tanks as well), a transformer's windings to its voltages and rating,
//! limit sets to the equipment they rate, phases to their equipment.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::SourceLocation;
use crate::network::opendss::ImportWarning;

use super::ids::{Def, Ids, NONE, Ref};
use super::tables::{EqClass, Tables};

/// A transformer's windings: the lowest and highest rated voltage (V) and the rating
/// (VA, summed over its tanks).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Windings {
    pub(super) lowest_v: Option<f64>,
    pub(super) highest_v: Option<f64>,
    pub(super) rated_va: Option<f64>,
}

/// Current ratings of a piece of equipment, A.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Ratings {
    pub(super) normal_a: Option<f64>,
    pub(super) emergency_a: Option<f64>,
}

/// The rows joined, by equipment index.
#[derive(Debug, Default)]
pub(super) struct Joined {
    /// Each piece of equipment's terminals in sequence order, as node indexes (`NONE`
    /// for a terminal on no node): `term_node[term_start[e]..term_start[e + 1]]`.
    term_start: Vec<u32>,
    term_node: Vec<u32>,
    /// Each transformer's windings.
    pub(super) windings: HashMap<u32, Windings>,
    /// Each rated piece of equipment's ratings.
    pub(super) ratings: HashMap<u32, Ratings>,
    /// Each piece of equipment's phase objects (0 when it has none).
    pub(super) phases: Vec<u8>,
    /// How many terminals of the subset's equipment sit on each node.
    pub(super) node_uses: Vec<u32>,
}

impl Joined {
    /// The nodes of equipment `e`'s terminals, in sequence order.
    pub(super) fn terminals(&self, e: usize) -> &[u32] {
        &self.term_node[self.term_start[e] as usize..self.term_start[e + 1] as usize]
    }
}

/// The warnings of the joins, with the file they are about.
struct Warn<'a> {
    path: &'a Arc<PathBuf>,
    list: &'a mut Vec<ImportWarning>,
}

impl Warn<'_> {
    fn at(&mut self, line: u32, message: String) {
        self.list.push(ImportWarning {
            at: SourceLocation::new(self.path, line),
            message,
        });
    }
}

/// Joins the rows; a reference that leads nowhere, or to an object of the wrong
/// class, is a warning naming the object that holds it.
///
/// # Complexity
/// O(R log R) for R rows (terminals are sorted by equipment), memory O(R).
pub(super) fn join(
    ids: &Ids,
    t: &mut Tables,
    path: &Arc<PathBuf>,
    warnings: &mut Vec<ImportWarning>,
) -> Joined {
    let mut w = Warn {
        path,
        list: warnings,
    };
    let mut joined = Joined {
        windings: windings(ids, t, &mut w),
        phases: vec![0; t.equipment.len()],
        node_uses: vec![0; t.nodes.len()],
        ..Joined::default()
    };
    let term_eq = terminals(ids, t, &mut joined, &mut w);
    joined.ratings = ratings(ids, t, &term_eq);
    for &r in &t.phases {
        if let Def::Equipment(i) = ids.def(r) {
            let p = &mut joined.phases[i as usize];
            *p = p.saturating_add(1);
        }
    }
    joined
}

/// The equipment index of a transformer reference, directly or through a tank.
fn transformer_of(ids: &Ids, t: &Tables, r: Ref) -> Option<u32> {
    match ids.def(r) {
        Def::Equipment(i) if t.equipment[i as usize].class == EqClass::Transformer => Some(i),
        Def::Tank(k) => match ids.def(t.tanks[k as usize].transformer) {
            Def::Equipment(i) if t.equipment[i as usize].class == EqClass::Transformer => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// What a reference that does not resolve is: missing, dangling, or of another class.
fn why(ids: &Ids, r: Ref, want: &str) -> String {
    match (r, ids.def(r)) {
        (NONE, _) => format!("no {want}"),
        (_, Def::Missing) => format!("{want} {} is not in the file", ids.text(r)),
        _ => format!("{} is not a {want}", ids.text(r)),
    }
}

/// The transformers' windings from their ends, and each end's terminal given its
/// transformer and number where the terminal does not say them.
fn windings(ids: &Ids, t: &mut Tables, w: &mut Warn<'_>) -> HashMap<u32, Windings> {
    t.end_infos.sort_by_key(|e| (e.tank_info, e.number));
    let mut out: HashMap<u32, Windings> = HashMap::new();
    // The rating of each tank (or transformer) is that of its first end.
    let mut first_end: HashMap<Ref, (u32, Option<f64>, u32)> = HashMap::new();
    for e in &t.ends {
        let (class, want) = if e.of_tank {
            ("TransformerTankEnd", "TransformerTank")
        } else {
            ("PowerTransformerEnd", "PowerTransformer")
        };
        let Some(pt) = transformer_of(ids, t, e.owner) else {
            let message = format!(
                "{class} {}: {}, left out",
                ids.text(e.id),
                why(ids, e.owner, want)
            );
            w.at(e.line, message);
            continue;
        };
        let info = match ids.def(e.owner) {
            Def::Tank(k) => t.tanks[k as usize].info,
            _ => NONE,
        };
        let from_info = t
            .end_infos
            .binary_search_by_key(&(info, e.number), |x| (x.tank_info, x.number))
            .ok()
            .map(|i| &t.end_infos[i]);
        let base = match ids.def(e.base_voltage) {
            Def::BaseVoltage(b) => Some(t.base_voltages[b as usize]),
            _ => None,
        };
        let u = e.rated_u.or(from_info.and_then(|x| x.rated_u)).or(base);
        let s = e.rated_s.or(from_info.and_then(|x| x.rated_s));
        let wd = out.entry(pt).or_default();
        if let Some(u) = u.filter(|u| *u > 0.0) {
            wd.lowest_v = Some(wd.lowest_v.map_or(u, |l| l.min(u)));
            wd.highest_v = Some(wd.highest_v.map_or(u, |h| h.max(u)));
        }
        let first = first_end.entry(e.owner).or_insert((u32::MAX, None, pt));
        if e.number < first.0 {
            *first = (e.number, s, pt);
        }
        match ids.def(e.terminal) {
            Def::Terminal(ti) => {
                let term = &mut t.terminals[ti as usize];
                if term.equipment == NONE {
                    term.equipment = t.equipment[pt as usize].id;
                }
                if term.seq == 0 {
                    term.seq = e.number;
                }
            }
            Def::Missing if e.terminal == NONE => {}
            _ => {
                let message = format!(
                    "{class} {}: {}",
                    ids.text(e.id),
                    why(ids, e.terminal, "Terminal")
                );
                w.at(e.line, message);
            }
        }
    }
    for (_, s, pt) in first_end.into_values() {
        if let Some(s) = s {
            let wd = out.entry(pt).or_default();
            wd.rated_va = Some(wd.rated_va.unwrap_or(0.0) + s);
        }
    }
    out
}

/// Each piece of equipment's terminals, in sequence order (those without a number
/// after, in file order), as nodes; returns each terminal's equipment (`NONE` for
/// terminals of skipped or missing equipment).
fn terminals(ids: &Ids, t: &Tables, joined: &mut Joined, w: &mut Warn<'_>) -> Vec<u32> {
    let mut rows: Vec<(u32, u32, u32)> = Vec::with_capacity(t.terminals.len());
    let mut term_eq = vec![NONE; t.terminals.len()];
    for (ti, term) in t.terminals.iter().enumerate() {
        let eq = match ids.def(term.equipment) {
            Def::Equipment(i) => i,
            Def::Tank(_) => match transformer_of(ids, t, term.equipment) {
                Some(i) => i,
                None => continue,
            },
            Def::Skipped => continue,
            _ => {
                let message = format!(
                    "Terminal {}: {}, left out",
                    ids.text(term.id),
                    why(ids, term.equipment, "ConductingEquipment")
                );
                w.at(term.line, message);
                continue;
            }
        };
        term_eq[ti] = eq;
        let seq = if term.seq == 0 { u32::MAX } else { term.seq };
        rows.push((eq, seq, ti as u32));
    }
    rows.sort_unstable();
    let ne = t.equipment.len();
    joined.term_start = vec![0; ne + 1];
    joined.term_node = Vec::with_capacity(rows.len());
    for &(eq, _, ti) in &rows {
        let term = &t.terminals[ti as usize];
        let node = match ids.def(term.node) {
            Def::Node(n) => {
                joined.node_uses[n as usize] += 1;
                n
            }
            _ => {
                let e = &t.equipment[eq as usize];
                let message = format!(
                    "Terminal {} of {}: {}",
                    ids.text(term.id),
                    describe(ids, e.class, e.name.as_deref(), e.id),
                    why(ids, term.node, "ConnectivityNode")
                );
                w.at(term.line, message);
                NONE
            }
        };
        joined.term_start[eq as usize + 1] += 1;
        joined.term_node.push(node);
    }
    for e in 0..ne {
        joined.term_start[e + 1] += joined.term_start[e];
    }
    term_eq
}

/// Ratings from the current limits of the limit sets hung on the equipment or its
/// terminals: the lowest normal and the lowest emergency limit of each.
fn ratings(ids: &Ids, t: &Tables, term_eq: &[u32]) -> HashMap<u32, Ratings> {
    let mut set_eq: HashMap<Ref, u32> = HashMap::new();
    for (ti, term) in t.terminals.iter().enumerate() {
        if term.limits != NONE && term_eq[ti] != NONE {
            set_eq.insert(term.limits, term_eq[ti]);
        }
    }
    for s in &t.limit_sets {
        let eq = match (ids.def(s.terminal), ids.def(s.equipment)) {
            (Def::Terminal(ti), _) => term_eq[ti as usize],
            (_, Def::Equipment(i)) => i,
            _ => NONE,
        };
        if eq != NONE {
            set_eq.insert(s.id, eq);
        }
    }
    let mut out: HashMap<u32, Ratings> = HashMap::new();
    for l in &t.limits {
        let Some(&eq) = set_eq.get(&l.set) else {
            continue;
        };
        let emergency = t
            .emergency_types
            .get(&l.limit_type)
            .copied()
            .unwrap_or(false);
        let r = out.entry(eq).or_default();
        let slot = if emergency {
            &mut r.emergency_a
        } else {
            &mut r.normal_a
        };
        *slot = Some(slot.map_or(l.amps, |a| a.min(l.amps)));
    }
    out
}

/// A piece of equipment as messages name it: `class.name`, or `class.mrid`.
pub(super) fn describe(ids: &Ids, class: EqClass, name: Option<&str>, id: Ref) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{}.{}", class.word(), n.to_lowercase()),
        None => format!("{}.{}", class.word(), ids.text(id)),
    }
}
