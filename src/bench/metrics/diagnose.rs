//! Where an engine goes wrong: the true fault outages of each device class found,
//! held too high or too low, or missed, and the devices held that were not out.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::Conclusions;
use super::intern::canonical;
use crate::bench::simulate::{CheckpointKind, Truth};
use crate::ids::OutageDeviceId;
use crate::inference::OutageCause;
use crate::network::{Network, OutageDeviceClass};
use crate::replay::RecordOp;
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// How the true fault outages of one class fared at the checkpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassOutcome {
    /// True outages of this class active at the checkpoints.
    pub truth: u64,
    /// Held at the right device (canonical names).
    pub found: u64,
    /// Not held, but a device above it is (rolled up too far).
    pub above: u64,
    /// Not held, but devices below it are (not rolled up enough).
    pub below: u64,
    /// Nothing held on its customers.
    pub missed: u64,
    /// Devices of this class the engine held that were not truly out.
    pub false_pos: u64,
    /// Of those, how many sat above or below a true outage (misplaced rather than
    /// invented).
    pub false_pos_related: u64,
}

impl std::ops::AddAssign<&ClassOutcome> for ClassOutcome {
    /// Adds the counts of another set of scenarios.
    fn add_assign(&mut self, o: &ClassOutcome) {
        self.truth += o.truth;
        self.found += o.found;
        self.above += o.above;
        self.below += o.below;
        self.missed += o.missed;
        self.false_pos += o.false_pos;
        self.false_pos_related += o.false_pos_related;
    }
}

/// Outcomes by device class at checkpoints of one kind: where an engine goes wrong.
///
/// ```
/// # use outage_locator::bench::metrics::*;
/// # use outage_locator::bench::simulate::*;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// # let (net, _) = outage_locator::import_opendss(path).unwrap();
/// # let sim = Simulator::new(&net).unwrap();
/// # let s = sim.run(&SimulationOptions::default(), 1);
/// let none = Conclusions::default();
/// let d = diagnose(&net, sim.view(), &s.truth, &none, CheckpointKind::Plus15);
/// assert_eq!(d.values().map(|o| o.found).sum::<u64>(), 0);
/// ```
pub fn diagnose(
    net: &Network,
    view: &EnergizationView,
    truth: &Truth,
    out: &Conclusions,
    kind: CheckpointKind,
) -> BTreeMap<OutageDeviceClass, ClassOutcome> {
    let mut res: BTreeMap<OutageDeviceClass, ClassOutcome> = BTreeMap::new();
    let tl = fault_timeline(net, out);
    let faults: Vec<(OutageDeviceId, Timestamp, Option<Timestamp>)> = truth
        .faults()
        .filter_map(|o| Some((net.outage_device_by_name(&o.device)?, o.start, o.end)))
        .collect();
    for cp in truth.checkpoints.iter().filter(|c| c.kind == kind) {
        let t = cp.at;
        let k = tl.partition_point(|x| x.0 <= t);
        let held: Vec<OutageDeviceId> = if k == 0 {
            Vec::new()
        } else {
            tl[k - 1].1.clone()
        };
        let held: HashSet<OutageDeviceId> = held.iter().map(|&d| canonical(view, d)).collect();
        let active: Vec<OutageDeviceId> = faults
            .iter()
            .filter(|f| f.1 <= t && f.2.is_none_or(|e| t < e))
            .map(|f| canonical(view, f.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        classify(&mut res, net, view, &held, &active);
    }
    res
}

/// The devices of the engine's open fault outages after each outage record (devices
/// the network does not have left out).
fn fault_timeline(net: &Network, out: &Conclusions) -> Vec<(Timestamp, Vec<OutageDeviceId>)> {
    let mut state: BTreeMap<&str, &str> = BTreeMap::new();
    let mut tl = Vec::new();
    for r in &out.outages {
        let Some(t) = r.at else { continue };
        match r.op {
            RecordOp::Open | RecordOp::Update if r.cause == Some(OutageCause::Fault) => {
                state.insert(&r.outage, &r.device);
            }
            RecordOp::Open | RecordOp::Update | RecordOp::Close => {
                state.remove(r.outage.as_str());
            }
        }
        tl.push((
            t,
            state
                .values()
                .filter_map(|d| net.outage_device_by_name(d))
                .collect(),
        ));
    }
    tl
}

/// Counts one checkpoint: each truly out device (`active`) found, held above or below,
/// or missed; each device `held` that was not out, and whether it sat above or below
/// one that was. Both are canonical.
fn classify(
    res: &mut BTreeMap<OutageDeviceClass, ClassOutcome>,
    net: &Network,
    view: &EnergizationView,
    held: &HashSet<OutageDeviceId>,
    active: &[OutageDeviceId],
) {
    for &d in active {
        let o = res.entry(net.outage_device_class(d)).or_default();
        o.truth += 1;
        if held.contains(&d) {
            o.found += 1;
        } else if held.iter().any(|&h| h != d && view.is_below(d, h)) {
            o.above += 1;
        } else if held.iter().any(|&h| h != d && view.is_below(h, d)) {
            o.below += 1;
        } else {
            o.missed += 1;
        }
    }
    let act: HashSet<OutageDeviceId> = active.iter().copied().collect();
    for &h in held {
        if act.contains(&h) {
            continue;
        }
        let o = res.entry(net.outage_device_class(h)).or_default();
        o.false_pos += 1;
        if active
            .iter()
            .any(|&d| view.is_below(d, h) || view.is_below(h, d))
        {
            o.false_pos_related += 1;
        }
    }
}
