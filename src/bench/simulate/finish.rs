//! The last phase of a generation: the outages numbered, the event file in arrival
//! order, the checkpoints, and the truth with the rates drawn for the day.

use super::run::{Row, Run};
use super::{
    CLASS_NAMES, Checkpoint, CheckpointKind, Scenario, Truth, TruthCall, TruthCounts, TruthOutage,
};
use crate::evidence::{Event, Evidence};
use crate::ids::CustomerId;
use crate::rng::SplitMix64;
use crate::time::MINUTE;
use crate::time::Timestamp;

/// The event file being finished: the events in file order, whether each row leaves
/// out the `load.` prefix, and the calls with their rows.
struct EventFile {
    events: Vec<Event>,
    short_names: Vec<bool>,
    calls: Vec<TruthCall>,
}

impl Run<'_, '_> {
    /// The scenario: the truth's outages numbered, the rows in arrival order, the
    /// checkpoints of the faults and the truth.
    pub(super) fn finish(mut self, late: u64, names: &mut SplitMix64) -> Scenario {
        let (order, id_of) = self.number_outages();
        let file = event_file(
            std::mem::take(&mut self.rows),
            &id_of,
            names,
            self.o.short_name_p,
        );
        let faults: Vec<&TruthOutage> = order
            .iter()
            .map(|&i| &self.outages[i])
            .filter(|o| o.cause.is_fault())
            .collect();
        let checkpoints = checkpoints(&faults);
        self.outages.sort_by_key(|o| o.start);
        let params = self.params();
        let net = self.net();
        let circuit = net
            .sources()
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let truth = Truth {
            version: 1,
            feeder: net.name().to_string(),
            model: "eval_master.dss".to_string(),
            circuit,
            profile: match self.o.ranges {
                Some(_) => format!("{}_ranged", self.o.profile),
                None => self.o.profile.to_string(),
            },
            seed: self.seed,
            start: self.t0,
            end: self.end,
            params,
            outages: self.outages,
            momentaries: self.momentaries,
            calls: file.calls,
            checkpoints,
            counts: TruthCounts {
                rows: file.events.len() as u64,
                false_last_gasps: self.false_lg,
                late_messages: late,
            },
        };
        let mut supply: Vec<(CustomerId, Timestamp, Option<Timestamp>)> = self
            .off
            .iter()
            .enumerate()
            .flat_map(|(i, v)| {
                v.iter()
                    .map(move |&(a, b)| (CustomerId(i as u32), a, (b < self.end).then_some(b)))
            })
            .collect();
        supply.sort_by_key(|&(c, a, _)| (a, c));
        Scenario {
            events: file.events,
            truth,
            short_names: file.short_names,
            supply,
        }
    }

    /// Gives the outages their ids, faults by start (a nested fault right after its
    /// parent) then the rest, and points `nested_in` at them; returns the outages in id
    /// order and the id of each outage by its index.
    fn number_outages(&mut self) -> (Vec<usize>, Vec<String>) {
        let mut order: Vec<usize> = (0..self.outages.len()).collect();
        order.sort_by_key(|&i| (!self.outages[i].cause.is_fault(), self.outages[i].start, i));
        let mut id_of = vec![String::new(); self.outages.len()];
        for (n, &i) in order.iter().enumerate() {
            id_of[i] = format!("T{}", n + 1);
        }
        for (i, o) in self.outages.iter_mut().enumerate() {
            o.id = id_of[i].clone();
            o.nested_in = renumber(&o.nested_in, &id_of);
        }
        (order, id_of)
    }

    /// The generator's options for the truth's `params`, with the rates drawn for the
    /// day (to three decimals) and the sizes and weights of the fault classes.
    fn params(&self) -> serde_json::Value {
        let sim = self.sim;
        let mut params = serde_json::to_value(self.o).unwrap_or_default();
        if let Some(p) = params.as_object_mut() {
            let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
            p.insert("p_lg".into(), r3(self.p_lg).into());
            p.insert("p_call".into(), r3(self.p_call).into());
            p.insert("n_customers".into(), sim.customers.len().into());
            let mut sizes = serde_json::Map::new();
            let mut weights = serde_json::Map::new();
            for (k, name) in CLASS_NAMES.iter().enumerate() {
                sizes.insert(name.to_string(), sim.by_class[k].len().into());
                if !sim.by_class[k].is_empty() {
                    weights.insert(name.to_string(), self.o.mix.get(k).into());
                }
            }
            p.insert("class_weights".into(), weights.into());
            p.insert("class_sizes".into(), sizes.into());
        }
        params
    }
}

/// An outage reference made while generating (`#i`, the outage's index) as its id.
fn renumber(r: &Option<String>, id_of: &[String]) -> Option<String> {
    r.as_ref()
        .and_then(|x| x.strip_prefix('#'))
        .and_then(|x| x.parse::<usize>().ok())
        .map(|i| id_of[i].clone())
}

/// The event file: the rows by arrival (a tick after the rows of its second), each
/// customer row drawing whether it leaves out the `load.` prefix, and the calls with
/// their line numbers (the header is line 1).
fn event_file(
    mut rows: Vec<Row>,
    id_of: &[String],
    names: &mut SplitMix64,
    short_name_p: f64,
) -> EventFile {
    rows.sort_by_key(|r| (r.arrival, r.tick, r.seq));
    let mut events = Vec::with_capacity(rows.len());
    let mut short_names = Vec::with_capacity(rows.len());
    let mut calls = Vec::new();
    for (k, r) in rows.into_iter().enumerate() {
        let cust = !matches!(
            r.event.evidence,
            Evidence::Tick
                | Evidence::DeviceOpen { .. }
                | Evidence::DeviceClose { .. }
                | Evidence::PlannedOutage { .. }
                | Evidence::FaultIndicator { .. }
        );
        short_names.push(cust && names.chance(short_name_p));
        if let Some(mut call) = r.call {
            call.row = k as u64 + 2;
            call.outage = renumber(&call.outage, id_of);
            calls.push(call);
        }
        events.push(r.event);
    }
    EventFile {
        events,
        short_names,
        calls,
    }
}

/// The checkpoints, by time: each fault's start + 5, 15 and 30 min, and the scenario's
/// 30 min after the last fault began. `faults` are in id order.
fn checkpoints(faults: &[&TruthOutage]) -> Vec<Checkpoint> {
    let mut checkpoints = Vec::new();
    for f in faults {
        for (kind, m) in [
            (CheckpointKind::Plus5, 5),
            (CheckpointKind::Plus15, 15),
            (CheckpointKind::Plus30, 30),
        ] {
            checkpoints.push(Checkpoint {
                at: f.start + m * MINUTE,
                label: format!("{}+{m}m", f.id),
                kind,
            });
        }
    }
    if let Some(last) = faults.iter().map(|o| o.start).max() {
        checkpoints.push(Checkpoint {
            at: last + 30 * MINUTE,
            label: "scenario".to_string(),
            kind: CheckpointKind::Scenario,
        });
    }
    checkpoints.sort_by_key(|c| c.at);
    checkpoints
}
