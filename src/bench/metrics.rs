//! The accuracy metrics of `../shared/eval/score.py`, in Rust: an engine's conclusions
//! (its [`Record`]s, or a JSON Lines file of any engine) scored against a scenario's
//! [`Truth`].
//!
//! * **Device precision, recall, F1** at checkpoints (each fault's start + 5, 15, 30 min
//!   and one per scenario): the devices of the open `fault` outages against the truly
//!   out ones, summed over checkpoints. Devices holding off exactly the same customers
//!   count as one, named by the topmost of them; "strict" compares names as given.
//! * **Recall ceiling**: the share of truly out devices that had any evidence of their
//!   own by the checkpoint (a report from one of their customers before a larger
//!   outage swallowed them, or a SCADA open).
//! * **Customer Jaccard** per checkpoint, averaged.
//! * **Time to detect**: from a fault's start (a nested one's: from the restoration
//!   above it) to the first moment its device is among the open fault outages.
//! * **Tickets per fault**, **call classification accuracy**, **momentary false
//!   positives** (fault outages opened within 2 min of a momentary, at or below its
//!   device, still open 5 min later, holding off no customer of a true fault).
//!
//! The numbers agree with `score.py` to the printed precision when the network is the
//! one `score.py` reads (its topology reader and the crate's agree on the shared
//! feeders).
//!
//! ```
//! use outage_locator::metrics::{Conclusions, aggregate, score};
//! use outage_locator::simulate::{Profile, SimulationOptions, Simulator};
//! use outage_locator::{EngineOptions, Replay};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let (net, _) = outage_locator::import_opendss(path).unwrap();
//! let sim = Simulator::new(&net).unwrap();
//! let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 1);
//! let mut replay = Replay::new(&net, EngineOptions::default()).unwrap();
//! let mut records = Vec::new();
//! for &e in &s.events {
//!     records.extend_from_slice(replay.feed(e));
//! }
//! records.extend_from_slice(replay.finish());
//! let raw = score(&net, sim.view(), &s.truth, &Conclusions::from_records(&records), Some(&s.events));
//! let m = aggregate(&[raw]);
//! assert!(m.precision >= 0.0 && m.precision <= 1.0);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::ops::Range;

use serde::Serialize;

use crate::bench::simulate::{CheckpointKind, Truth};
use crate::evidence::{Event, Evidence};
use crate::ids::OutageDeviceId;
use crate::network::Network;
use crate::replay::Record;
use crate::time::{SECOND, Timestamp};
use crate::topology::EnergizationView;

/// One outage record of an engine's output.
#[derive(Debug, Clone, PartialEq)]
struct OutageRow {
    at: Option<Timestamp>,
    op: String,
    outage: String,
    device: String,
    cause: Option<String>,
}

/// What an engine concluded: its outage, ticket and call records, in output order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conclusions {
    outages: Vec<OutageRow>,
    tickets_opened: u64,
    tickets_merged: u64,
    /// (customer `load.x`, cause as printed, or `None`).
    calls: Vec<(String, String)>,
    /// Lines that were not JSON objects with a `type`.
    pub bad_lines: u64,
}

fn customer_key(c: &str) -> String {
    let c = c.to_ascii_lowercase();
    if c.starts_with("load.") {
        c
    } else {
        format!("load.{c}")
    }
}

impl Conclusions {
    /// From the records of a [`Replay`](crate::Replay) or a
    /// [`Rollup`](crate::bench::rollup::Rollup).
    pub fn from_records(records: &[Record]) -> Self {
        let mut c = Conclusions::default();
        for r in records {
            match r {
                Record::Outage {
                    at,
                    op,
                    outage,
                    device,
                    cause,
                    ..
                } => c.outages.push(OutageRow {
                    at: Some(*at),
                    op: op.to_string(),
                    outage: outage.to_string(),
                    device: device.to_ascii_lowercase(),
                    cause: Some(cause.to_string()),
                }),
                Record::Ticket {
                    op, merged_into, ..
                } => {
                    c.tickets_opened += (*op == "open") as u64;
                    c.tickets_merged += (*op == "close" && merged_into.is_some()) as u64;
                }
                Record::Call {
                    customer, cause, ..
                } => c.calls.push((customer_key(customer), cause.to_string())),
                Record::Summary { .. } => {}
            }
        }
        c
    }

    /// From a JSON Lines output of any engine (the replay contract); lines that are not
    /// JSON objects with a `type` are counted in [`bad_lines`](Self::bad_lines).
    pub fn from_jsonl(input: impl BufRead) -> std::io::Result<Self> {
        let mut c = Conclusions::default();
        for line in input.lines() {
            let line = line?;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => {
                    c.bad_lines += 1;
                    continue;
                }
            };
            let Some(o) = v.as_object().filter(|o| o.contains_key("type")) else {
                c.bad_lines += 1;
                continue;
            };
            let s = |k: &str| o.get(k).and_then(|x| x.as_str());
            match s("type") {
                Some("outage") => c.outages.push(OutageRow {
                    at: s("at").and_then(|t| t.parse().ok()),
                    op: s("op").unwrap_or_default().to_string(),
                    outage: o.get("outage").map(|x| x.to_string()).unwrap_or_default(),
                    device: s("device").unwrap_or_default().to_ascii_lowercase(),
                    cause: s("cause").map(str::to_string),
                }),
                Some("ticket") => {
                    c.tickets_opened += (s("op") == Some("open")) as u64;
                    let merged = o.get("merged_into").is_some_and(|m| match m {
                        serde_json::Value::Null => false,
                        serde_json::Value::String(x) => !x.is_empty(),
                        serde_json::Value::Bool(b) => *b,
                        _ => true,
                    });
                    c.tickets_merged += (s("op") == Some("close") && merged) as u64;
                }
                Some("call") => c.calls.push((
                    customer_key(s("customer").unwrap_or_default()),
                    s("cause").unwrap_or("None").to_string(),
                )),
                _ => {}
            }
        }
        Ok(c)
    }
}

/// Raw counts at the checkpoints of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckpointCounts {
    /// True positives (canonical names).
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub fn_: u64,
    /// True positives, names as given.
    pub tp_strict: u64,
    /// False positives, names as given.
    pub fp_strict: u64,
    /// False negatives, names as given.
    pub fn_strict: u64,
    /// Truly out devices that had evidence of their own.
    pub obs: u64,
    /// Of those, how many the engine held.
    pub tp_obs: u64,
    /// Customer Jaccard at each checkpoint.
    pub jac: Vec<f64>,
}

/// The raw counts of one scenario, to be summed by [`aggregate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScenarioScore {
    /// By checkpoint kind, in the order of [`CheckpointKind::ALL`].
    pub cp: [CheckpointCounts; 4],
    /// Times to detect of the detected fault outages, seconds.
    pub ttd_s: Vec<f64>,
    /// Fault outages never detected while they lasted.
    pub missed: u64,
    /// Tickets opened less those merged.
    pub tickets: i64,
    /// True fault outages.
    pub faults: u64,
    /// Calls in the truth.
    pub calls: u64,
    /// Calls classified right.
    pub calls_correct: u64,
    /// `truth->engine` counts.
    pub call_confusion: BTreeMap<String, u64>,
    /// Momentary interruptions in the truth.
    pub momentaries: u64,
    /// Momentary false positives.
    pub momentary_fp: u64,
}

/// The summary metrics over scenarios; the keys of `score.py --json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Device precision over all checkpoints.
    pub precision: f64,
    /// Device recall.
    pub recall: f64,
    /// Device F1.
    pub f1: f64,
    /// Device F1, names as given.
    pub f1_strict: f64,
    /// Share of true outages with evidence of their own.
    pub recall_ceiling: Option<f64>,
    /// Recall among those.
    pub recall_observable: Option<f64>,
    /// F1 by checkpoint kind.
    #[serde(skip)]
    pub f1_at: [Option<f64>; 4],
    /// Jaccard by checkpoint kind.
    #[serde(skip)]
    pub jaccard_at: [Option<f64>; 4],
    /// Recall ceiling by checkpoint kind.
    #[serde(skip)]
    pub ceiling_at: [Option<f64>; 4],
    /// Mean customer Jaccard over all checkpoints.
    pub jaccard: Option<f64>,
    /// Median time to detect, seconds.
    pub ttd_median_s: Option<f64>,
    /// 90th percentile of time to detect, seconds.
    pub ttd_p90_s: Option<f64>,
    /// Share of fault outages detected.
    pub detected: Option<f64>,
    /// Tickets per true fault outage.
    pub tickets_per_fault: Option<f64>,
    /// Share of calls classified right.
    pub call_accuracy: Option<f64>,
    /// `truth->engine` counts.
    pub call_confusion: BTreeMap<String, u64>,
    /// Momentary false positives.
    pub momentary_fp: u64,
    /// Momentary interruptions.
    pub momentaries: u64,
    /// Checkpoints.
    pub checkpoints: u64,
    /// True fault outages.
    pub fault_outages: u64,
}

impl Summary {
    /// A metric by its `score.py` key (`f1@+15m`, `ttd_median_s`, ...).
    pub fn get(&self, key: &str) -> Option<f64> {
        for k in CheckpointKind::ALL {
            let i = k.index();
            if let Some(rest) = key.strip_suffix(k.as_str()) {
                match rest {
                    "f1@" => return self.f1_at[i],
                    "jaccard@" => return self.jaccard_at[i],
                    "ceiling@" => return self.ceiling_at[i],
                    _ => {}
                }
            }
        }
        Some(match key {
            "precision" => self.precision,
            "recall" => self.recall,
            "f1" => self.f1,
            "f1_strict" => self.f1_strict,
            "recall_ceiling" => return self.recall_ceiling,
            "recall_observable" => return self.recall_observable,
            "jaccard" => return self.jaccard,
            "ttd_median_s" => return self.ttd_median_s,
            "ttd_p90_s" => return self.ttd_p90_s,
            "detected" => return self.detected,
            "tickets_per_fault" => return self.tickets_per_fault,
            "call_accuracy" => return self.call_accuracy,
            "momentary_fp" => self.momentary_fp as f64,
            "momentaries" => self.momentaries as f64,
            "checkpoints" => self.checkpoints as f64,
            "fault_outages" => self.fault_outages as f64,
            _ => return None,
        })
    }

    /// As `score.py --json` prints it (without the confusion matrix).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            for k in CheckpointKind::ALL {
                let i = k.index();
                o.insert(format!("f1@{}", k.as_str()), self.f1_at[i].into());
                o.insert(format!("jaccard@{}", k.as_str()), self.jaccard_at[i].into());
                if let Some(c) = self.ceiling_at[i] {
                    o.insert(format!("ceiling@{}", k.as_str()), c.into());
                }
            }
        }
        v
    }
}

/// The rows of `score.py`'s table: key, label, decimals.
pub const ROWS: [(&str, &str, usize); 19] = [
    ("precision", "device precision", 3),
    ("recall", "device recall", 3),
    ("f1", "device F1", 3),
    ("f1_strict", "device F1 (strict names)", 3),
    ("recall_ceiling", "recall ceiling (had evidence)", 3),
    ("recall_observable", "recall of those with evidence", 3),
    ("f1@+5m", "  F1 at start+5 min", 3),
    ("f1@+15m", "  F1 at start+15 min", 3),
    ("f1@+30m", "  F1 at start+30 min", 3),
    ("f1@scenario", "  F1 at scenario checkpoint", 3),
    ("jaccard", "customer Jaccard", 3),
    ("ttd_median_s", "time to detect, median (s)", 0),
    ("ttd_p90_s", "time to detect, p90 (s)", 0),
    ("detected", "fault outages detected", 3),
    ("tickets_per_fault", "tickets per fault outage", 2),
    ("call_accuracy", "call classification accuracy", 3),
    ("momentary_fp", "momentary false positives", 0),
    ("fault_outages", "fault outages", 0),
    ("checkpoints", "checkpoints", 0),
];

/// A table with one column per named summary, in the layout of `score.py`, over the
/// given rows (`(key, label, decimals)`, for example [`ROWS`]).
pub fn table(columns: &[(&str, &Summary)], rows: &[(&str, &str, usize)]) -> String {
    let w0 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0) + 2;
    let w = columns
        .iter()
        .map(|c| c.0.len() + 2)
        .max()
        .unwrap_or(0)
        .max(10);
    let mut out = format!("{:w0$}", "");
    for (name, _) in columns {
        out.push_str(&format!("{name:>w$}"));
    }
    for &(key, label, dec) in rows {
        out.push('\n');
        out.push_str(&format!("{label:w0$}"));
        for (_, s) in columns {
            let cell = s.get(key).map_or("-".to_string(), |v| format!("{v:.dec$}"));
            out.push_str(&format!("{cell:>w$}"));
        }
    }
    out
}

/// Device names interned, with their canonical key and customer span.
struct Devices<'a> {
    net: &'a Network,
    view: &'a EnergizationView,
    index: HashMap<String, u32>,
    /// Per interned name: canonical key.
    canon: Vec<u32>,
    /// Per interned name: customer positions below.
    span: Vec<Range<u32>>,
    canon_index: HashMap<CanonKey, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CanonKey {
    Device(OutageDeviceId),
    Name(String),
}

impl<'a> Devices<'a> {
    fn new(net: &'a Network, view: &'a EnergizationView) -> Self {
        Devices {
            net,
            view,
            index: HashMap::new(),
            canon: Vec::new(),
            span: Vec::new(),
            canon_index: HashMap::new(),
        }
    }

    /// The interned index of a (lowercase) device name.
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let d = self
            .net
            .outage_device_by_name(name)
            .filter(|&d| self.view.is_energized(d));
        let (key, span) = match d {
            Some(d) => {
                let n = self.view.customer_count_below(d);
                let mut top = d;
                if n > 0 {
                    // Devices with the same customers lie on one chain: the topmost of
                    // them names them all.
                    while let Some(p) = self.view.parent(top) {
                        if self.view.customer_count_below(p) != n {
                            break;
                        }
                        top = p;
                    }
                }
                (CanonKey::Device(top), self.view.customer_span(d))
            }
            None => (CanonKey::Name(name.to_string()), 0..0),
        };
        let next = self.canon_index.len() as u32;
        let c = *self.canon_index.entry(key).or_insert(next);
        let i = self.canon.len() as u32;
        self.canon.push(c);
        self.span.push(span);
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Customers interned: pre-order positions for the network's, numbers past them for
/// names it does not know.
struct Customers<'a> {
    net: &'a Network,
    view: &'a EnergizationView,
    unknown: HashMap<String, u32>,
}

impl Customers<'_> {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(c) = self
            .net
            .customer_by_name(name)
            .filter(|&c| self.view.is_supplied(c))
        {
            return self.view.customer_position(c);
        }
        let base = self.net.customers().len() as u32;
        let n = self.unknown.len() as u32;
        *self
            .unknown
            .entry(name.to_ascii_lowercase())
            .or_insert(base + n)
    }
}

/// Length of the union of ranges.
fn merge(mut r: Vec<Range<u32>>) -> Vec<Range<u32>> {
    r.retain(|x| x.start < x.end);
    r.sort_by_key(|x| x.start);
    let mut out: Vec<Range<u32>> = Vec::with_capacity(r.len());
    for x in r {
        match out.last_mut() {
            Some(l) if x.start <= l.end => l.end = l.end.max(x.end),
            _ => out.push(x),
        }
    }
    out
}

fn total(r: &[Range<u32>]) -> u64 {
    r.iter().map(|x| (x.end - x.start) as u64).sum()
}

fn intersection(a: &[Range<u32>], b: &[Range<u32>]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        if lo < hi {
            n += (hi - lo) as u64;
        }
        if a[i].end < b[j].end { i += 1 } else { j += 1 }
    }
    n
}

/// Whether a sorted list holds a value in the range.
fn any_in(sorted: &[u32], r: &Range<u32>) -> bool {
    let k = sorted.partition_point(|&x| x < r.start);
    k < sorted.len() && sorted[k] < r.end
}

/// An open outage of the timeline: (outage, device, is a fault), interned.
type Held = (u32, u32, bool);

/// A true fault outage, resolved.
struct Fault {
    device: u32,
    strict: String,
    dev_id: Option<OutageDeviceId>,
    start: Timestamp,
    end: Option<Timestamp>,
    nested_in: Option<String>,
    customers: Vec<u32>,
}

impl Fault {
    fn active(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|e| t < e)
    }
}

/// Scores one scenario: the raw counts of `score.py`'s `score`. `events` (the scenario's
/// events) adds the recall ceiling.
///
/// # Complexity
/// O(R·K + C·A² + ...) for R outage records, K open outages, C checkpoints and A
/// outages active at a checkpoint: milliseconds for a storm.
pub fn score(
    net: &Network,
    view: &EnergizationView,
    truth: &Truth,
    out: &Conclusions,
    events: Option<&[Event]>,
) -> ScenarioScore {
    let mut devs = Devices::new(net, view);
    let mut custs = Customers {
        net,
        view,
        unknown: HashMap::new(),
    };
    let mut res = ScenarioScore::default();
    // The timeline of open outages: after each outage record, (outage, device, fault?).
    let mut oids: HashMap<String, u32> = HashMap::new();
    let mut state: BTreeMap<u32, (u32, bool)> = BTreeMap::new();
    let mut tl: Vec<(Timestamp, Vec<Held>)> = Vec::new();
    let mut opens = Vec::new();
    for r in &out.outages {
        let Some(t) = r.at else { continue };
        let next = oids.len() as u32;
        let oid = *oids.entry(r.outage.clone()).or_insert(next);
        let fault = r.cause.as_deref() == Some("fault");
        match r.op.as_str() {
            "open" | "update" => {
                let d = devs.id(&r.device);
                state.insert(oid, (d, fault));
                if r.op == "open" && fault {
                    opens.push((t, d, oid));
                }
            }
            "close" => {
                state.remove(&oid);
            }
            _ => {}
        }
        tl.push((t, state.iter().map(|(&o, &(d, f))| (o, d, f)).collect()));
    }
    let state_at = |t: Timestamp| -> &[Held] {
        let (mut lo, mut hi) = (0, tl.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if tl[mid].0 <= t {
                lo = mid + 1
            } else {
                hi = mid
            }
        }
        if lo == 0 { &[] } else { &tl[lo - 1].1 }
    };
    let faults: Vec<Fault> = truth
        .faults()
        .map(|o| {
            let mut customers: Vec<u32> = o.customers.iter().map(|c| custs.id(c)).collect();
            customers.sort_unstable();
            customers.dedup();
            Fault {
                device: devs.id(&o.device.to_ascii_lowercase()),
                strict: o.device.clone(),
                dev_id: net.outage_device_by_name(&o.device),
                start: o.start,
                end: o.end,
                nested_in: o.nested_in.clone(),
                customers,
            }
        })
        .collect();
    // Evidence any engine could have seen, by the row's own time.
    let mut cust_ev: HashMap<u32, Vec<Timestamp>> = HashMap::new();
    let mut dev_ev: HashMap<OutageDeviceId, Vec<Timestamp>> = HashMap::new();
    if let Some(evs) = events {
        for e in evs {
            match e.evidence {
                Evidence::Call { customer: c, .. }
                | Evidence::LastGasp { meter: c }
                | Evidence::Ping {
                    meter: c,
                    on: false,
                } if view.is_supplied(c) => {
                    cust_ev
                        .entry(view.customer_position(c))
                        .or_default()
                        .push(e.time);
                }
                Evidence::DeviceOpen { device } => dev_ev.entry(device).or_default().push(e.time),
                _ => {}
            }
        }
    }
    // Checkpoints.
    let mut names = vec![String::new(); devs.canon.len()];
    for (k, &v) in &devs.index {
        names[v as usize] = k.clone();
    }
    for cp in &truth.checkpoints {
        let t = cp.at;
        let c = &mut res.cp[cp.kind.index()];
        let active: Vec<usize> = (0..faults.len()).filter(|&i| faults[i].active(t)).collect();
        let eng: Vec<u32> = state_at(t).iter().filter(|x| x.2).map(|x| x.1).collect();
        if events.is_some() {
            let held: HashSet<u32> = eng.iter().map(|&d| devs.canon[d as usize]).collect();
            let seen: HashSet<u32> = active
                .iter()
                .filter(|&&i| observable(&faults, i, t, &cust_ev, &dev_ev, &active))
                .map(|&i| devs.canon[faults[i].device as usize])
                .collect();
            c.obs += seen.len() as u64;
            c.tp_obs += seen.intersection(&held).count() as u64;
        }
        let t_canon: HashSet<u32> = active
            .iter()
            .map(|&i| devs.canon[faults[i].device as usize])
            .collect();
        let p_canon: HashSet<u32> = eng.iter().map(|&d| devs.canon[d as usize]).collect();
        c.tp += t_canon.intersection(&p_canon).count() as u64;
        c.fp += p_canon.difference(&t_canon).count() as u64;
        c.fn_ += t_canon.difference(&p_canon).count() as u64;
        let t_strict: HashSet<&str> = active.iter().map(|&i| faults[i].strict.as_str()).collect();
        let p_strict: HashSet<&str> = eng.iter().map(|&d| names[d as usize].as_str()).collect();
        c.tp_strict += t_strict.intersection(&p_strict).count() as u64;
        c.fp_strict += p_strict.difference(&t_strict).count() as u64;
        c.fn_strict += t_strict.difference(&p_strict).count() as u64;
        let tc = merge(
            active
                .iter()
                .map(|&i| devs.span[faults[i].device as usize].clone())
                .collect(),
        );
        let pc = merge(eng.iter().map(|&d| devs.span[d as usize].clone()).collect());
        let inter = intersection(&tc, &pc);
        let union = total(&tc) + total(&pc) - inter;
        c.jac.push(if union > 0 {
            inter as f64 / union as f64
        } else {
            1.0
        });
    }
    // Time to detect.
    let end_of: HashMap<&str, Option<Timestamp>> = truth
        .outages
        .iter()
        .map(|o| (o.id.as_str(), o.end))
        .collect();
    let has = |st: &[Held], want: u32| st.iter().any(|x| x.2 && devs.canon[x.1 as usize] == want);
    for f in &faults {
        let mut s = f.start;
        if let Some(Some(pe)) = f.nested_in.as_deref().and_then(|p| end_of.get(p)) {
            s = s.max(*pe);
        }
        if f.end.is_some_and(|e| s >= e) {
            continue;
        }
        let want = devs.canon[f.device as usize];
        let mut hit = None;
        if has(state_at(s), want) {
            hit = Some(s);
        } else {
            for (t, st) in &tl {
                if *t < s {
                    continue;
                }
                if f.end.is_some_and(|e| *t >= e) {
                    break;
                }
                if has(st, want) {
                    hit = Some(*t);
                    break;
                }
            }
        }
        match hit {
            Some(h) => res.ttd_s.push(h.seconds_since(s)),
            None => res.missed += 1,
        }
    }
    // Tickets.
    res.tickets = out.tickets_opened as i64 - out.tickets_merged as i64;
    res.faults = faults.len() as u64;
    // Calls, matched in order per customer.
    let mut eng_calls: HashMap<&str, Vec<&str>> = HashMap::new();
    for (c, cause) in &out.calls {
        eng_calls
            .entry(c.as_str())
            .or_default()
            .push(cause.as_str());
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for call in &truth.calls {
        let k = seen.entry(call.customer.as_str()).or_insert(0);
        let got = eng_calls
            .get(call.customer.as_str())
            .and_then(|l| l.get(*k))
            .copied()
            .unwrap_or("missing");
        *k += 1;
        let want = call.cause.as_str();
        *res.call_confusion
            .entry(format!("{want}->{got}"))
            .or_insert(0) += 1;
        res.calls_correct += (got == want) as u64;
    }
    res.calls = truth.calls.len() as u64;
    // Momentary false positives.
    for m in &truth.momentaries {
        let t0 = m.time;
        let below = devs.id(&m.device.to_ascii_lowercase());
        let below = devs.span[below as usize].clone();
        let later: HashSet<u32> = state_at(t0 + 300 * SECOND).iter().map(|x| x.0).collect();
        let mut true_then: Vec<u32> = faults
            .iter()
            .filter(|f| f.active(t0 + 300 * SECOND))
            .flat_map(|f| f.customers.iter().copied())
            .collect();
        true_then.sort_unstable();
        for &(t, d, oid) in &opens {
            if t < t0 || t > t0 + 120 * SECOND || !later.contains(&oid) {
                continue;
            }
            let span = &devs.span[d as usize];
            if any_in(&true_then, span) {
                continue; // a (perhaps mislocated) real fault, not the momentary
            }
            if span.is_empty() || (below.start <= span.start && span.end <= below.end) {
                res.momentary_fp += 1;
            }
        }
    }
    res.momentaries = truth.momentaries.len() as u64;
    res
}

/// Whether fault `i` had evidence of its own by `t`: a SCADA open of its device, or a
/// report from one of its customers after it began and before a larger outage active
/// at `t` swallowed it.
fn observable(
    faults: &[Fault],
    i: usize,
    t: Timestamp,
    cust: &HashMap<u32, Vec<Timestamp>>,
    dev: &HashMap<OutageDeviceId, Vec<Timestamp>>,
    active: &[usize],
) -> bool {
    let o = &faults[i];
    let s = o.start;
    if let Some(d) = o.dev_id
        && dev
            .get(&d)
            .is_some_and(|v| v.iter().any(|&x| s <= x && x <= t))
    {
        return true;
    }
    let mine = &o.customers;
    let mut until = t;
    for &j in active {
        if j == i {
            continue;
        }
        let theirs = &faults[j].customers;
        if theirs.len() > mine.len() && mine.iter().all(|c| theirs.binary_search(c).is_ok()) {
            until = until.min(faults[j].start);
        }
    }
    mine.iter().any(|c| {
        cust.get(c)
            .is_some_and(|v| v.iter().any(|&x| s <= x && x <= until))
    })
}

/// `score.py`'s percentile: linear interpolation between order statistics.
fn pct(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    let k = (xs.len() - 1) as f64 * q;
    let i = k.floor() as usize;
    let j = (i + 1).min(xs.len() - 1);
    Some(xs[i] + (xs[j] - xs[i]) * (k - i as f64))
}

fn prf(tp: u64, fp: u64, fn_: u64) -> (f64, f64, f64) {
    let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
    let p = if tp + fp > 0.0 {
        tp / (tp + fp)
    } else if fn_ == 0.0 {
        1.0
    } else {
        0.0
    };
    let r = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1)
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Combines the raw counts of scenarios into the summary metrics (`score.py`'s
/// `aggregate`).
pub fn aggregate(results: &[ScenarioScore]) -> Summary {
    let mut cp: [CheckpointCounts; 4] = Default::default();
    for r in results {
        for (a, b) in cp.iter_mut().zip(&r.cp) {
            a.tp += b.tp;
            a.fp += b.fp;
            a.fn_ += b.fn_;
            a.tp_strict += b.tp_strict;
            a.fp_strict += b.fp_strict;
            a.fn_strict += b.fn_strict;
            a.obs += b.obs;
            a.tp_obs += b.tp_obs;
            a.jac.extend_from_slice(&b.jac);
        }
    }
    let sum = |f: fn(&CheckpointCounts) -> u64| cp.iter().map(f).sum::<u64>();
    let (tp, fp, fn_) = (sum(|c| c.tp), sum(|c| c.fp), sum(|c| c.fn_));
    let (precision, recall, f1) = prf(tp, fp, fn_);
    let f1_strict = prf(
        sum(|c| c.tp_strict),
        sum(|c| c.fp_strict),
        sum(|c| c.fn_strict),
    )
    .2;
    let obs = sum(|c| c.obs);
    let (recall_ceiling, recall_observable) = if obs > 0 {
        (
            (tp + fn_ > 0).then(|| obs as f64 / (tp + fn_) as f64),
            Some(sum(|c| c.tp_obs) as f64 / obs as f64),
        )
    } else {
        (None, None)
    };
    let alljac: Vec<f64> = cp.iter().flat_map(|c| c.jac.iter().copied()).collect();
    let mut f1_at = [None; 4];
    let mut jaccard_at = [None; 4];
    let mut ceiling_at = [None; 4];
    for k in 0..4 {
        let c = &cp[k];
        if c.tp + c.fp + c.fn_ > 0 {
            f1_at[k] = Some(prf(c.tp, c.fp, c.fn_).2);
        }
        jaccard_at[k] = mean(&c.jac);
        if c.obs > 0 && c.tp + c.fn_ > 0 {
            ceiling_at[k] = Some(c.obs as f64 / (c.tp + c.fn_) as f64);
        }
    }
    let ttd: Vec<f64> = results
        .iter()
        .flat_map(|r| r.ttd_s.iter().copied())
        .collect();
    let missed: u64 = results.iter().map(|r| r.missed).sum();
    let faults: u64 = results.iter().map(|r| r.faults).sum();
    let calls: u64 = results.iter().map(|r| r.calls).sum();
    let mut call_confusion = BTreeMap::new();
    for r in results {
        for (k, v) in &r.call_confusion {
            *call_confusion.entry(k.clone()).or_insert(0) += v;
        }
    }
    Summary {
        precision,
        recall,
        f1,
        f1_strict,
        recall_ceiling,
        recall_observable,
        f1_at,
        jaccard_at,
        ceiling_at,
        jaccard: mean(&alljac),
        ttd_median_s: pct(&ttd, 0.5),
        ttd_p90_s: pct(&ttd, 0.9),
        detected: (!ttd.is_empty() || missed > 0)
            .then(|| ttd.len() as f64 / (ttd.len() as u64 + missed) as f64),
        tickets_per_fault: (faults > 0)
            .then(|| results.iter().map(|r| r.tickets).sum::<i64>() as f64 / faults as f64),
        call_accuracy: (calls > 0)
            .then(|| results.iter().map(|r| r.calls_correct).sum::<u64>() as f64 / calls as f64),
        call_confusion,
        momentary_fp: results.iter().map(|r| r.momentary_fp).sum(),
        momentaries: results.iter().map(|r| r.momentaries).sum(),
        checkpoints: alljac.len() as u64,
        fault_outages: faults,
    }
}

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
/// # use outage_locator::metrics::*;
/// # use outage_locator::simulate::*;
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
) -> BTreeMap<crate::network::OutageDeviceClass, ClassOutcome> {
    let mut res: BTreeMap<crate::network::OutageDeviceClass, ClassOutcome> = BTreeMap::new();
    let mut state: BTreeMap<&str, &str> = BTreeMap::new();
    let mut tl: Vec<(Timestamp, Vec<OutageDeviceId>)> = Vec::new();
    for r in &out.outages {
        let Some(t) = r.at else { continue };
        match r.op.as_str() {
            "open" | "update" if r.cause.as_deref() == Some("fault") => {
                state.insert(&r.outage, &r.device);
            }
            "open" | "update" | "close" => {
                state.remove(r.outage.as_str());
            }
            _ => {}
        }
        tl.push((
            t,
            state
                .values()
                .filter_map(|d| net.outage_device_by_name(d))
                .collect(),
        ));
    }
    let canon = |d: OutageDeviceId| {
        let n = view.customer_count_below(d);
        let mut top = d;
        while n > 0
            && let Some(p) = view.parent(top)
            && view.customer_count_below(p) == n
        {
            top = p;
        }
        top
    };
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
        let held_c: HashSet<OutageDeviceId> = held.iter().map(|&d| canon(d)).collect();
        let active: Vec<OutageDeviceId> = faults
            .iter()
            .filter(|f| f.1 <= t && f.2.is_none_or(|e| t < e))
            .map(|f| canon(f.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for &d in &active {
            let o = res.entry(net.outage_device_class(d)).or_default();
            o.truth += 1;
            if held_c.contains(&d) {
                o.found += 1;
            } else if held_c.iter().any(|&h| h != d && view.is_below(d, h)) {
                o.above += 1;
            } else if held_c.iter().any(|&h| h != d && view.is_below(h, d)) {
                o.below += 1;
            } else {
                o.missed += 1;
            }
        }
        let act: HashSet<OutageDeviceId> = active.iter().copied().collect();
        for &h in &held_c {
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
    res
}
