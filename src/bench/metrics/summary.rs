//! The summary metrics over scenarios: the raw counts of [`score`](super::score)
//! summed and turned into rates, and the table they print as.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CheckpointCounts, ScenarioScore};
use crate::bench::simulate::CheckpointKind;

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
    /// Share of work orders at a true fault.
    pub orders_right: Option<f64>,
    /// Orders per true fault outage that an order found (above 1: duplicates).
    pub orders_per_covered_fault: Option<f64>,
    /// Share of the fault outages with evidence of their own that an order found.
    pub evidenced_faults_covered: Option<f64>,
    /// Share of transfers the engine followed.
    pub transfers_followed: Option<f64>,
    /// Transfers judged.
    pub transfers: u64,
    /// Pings the engine sent per true fault outage.
    pub pings_per_fault: Option<f64>,
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
    /// A metric by its `score.py` key (`f1@+15m`, `ttd_median_s`, ...): a key of
    /// [`to_json`](Self::to_json) with a number.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.to_json().get(key).and_then(serde_json::Value::as_f64)
    }

    /// As `score.py --json` prints it (without the confusion matrix).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            for k in CheckpointKind::ALL {
                let i = k.index();
                o.insert(format!("f1@{k}"), self.f1_at[i].into());
                o.insert(format!("jaccard@{k}"), self.jaccard_at[i].into());
                if let Some(c) = self.ceiling_at[i] {
                    o.insert(format!("ceiling@{k}"), c.into());
                }
            }
        }
        v
    }
}

/// The rows of `score.py`'s table: key, label, decimals.
pub const ROWS: [(&str, &str, usize); 24] = [
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
    ("orders_right", "  orders at a true fault", 3),
    (
        "orders_per_covered_fault",
        "  orders per fault they found",
        2,
    ),
    (
        "evidenced_faults_covered",
        "  reported faults given an order",
        3,
    ),
    ("pings_per_fault", "pings sent per fault outage", 1),
    (
        "transfers_followed",
        "transfers followed (customers right)",
        3,
    ),
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

/// Combines the raw counts of scenarios into the summary metrics (`score.py`'s
/// `aggregate`).
pub fn aggregate(results: &[ScenarioScore]) -> Summary {
    let mut cp: [CheckpointCounts; 4] = Default::default();
    for r in results {
        for (a, b) in cp.iter_mut().zip(&r.cp) {
            add_counts(a, b);
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
    let (f1_at, jaccard_at, ceiling_at) = by_kind(&cp);
    let ttd: Vec<f64> = results
        .iter()
        .flat_map(|r| r.ttd_s.iter().copied())
        .collect();
    let missed: u64 = results.iter().map(|r| r.missed).sum();
    let faults: u64 = results.iter().map(|r| r.faults).sum();
    let calls: u64 = results.iter().map(|r| r.calls).sum();
    let total = |f: fn(&ScenarioScore) -> u64| results.iter().map(f).sum::<u64>();
    let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
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
        orders_right: ratio(total(|r| r.orders_right), total(|r| r.orders)),
        orders_per_covered_fault: ratio(
            total(|r| r.orders_on_covered),
            total(|r| r.faults_covered),
        ),
        evidenced_faults_covered: ratio(
            total(|r| r.faults_evidenced_covered),
            total(|r| r.faults_evidenced),
        ),
        transfers_followed: ratio(total(|r| r.transfers_followed), total(|r| r.transfers)),
        transfers: total(|r| r.transfers),
        pings_per_fault: ratio(total(|r| r.pings), faults),
        call_accuracy: (calls > 0)
            .then(|| results.iter().map(|r| r.calls_correct).sum::<u64>() as f64 / calls as f64),
        call_confusion,
        momentary_fp: results.iter().map(|r| r.momentary_fp).sum(),
        momentaries: results.iter().map(|r| r.momentaries).sum(),
        checkpoints: alljac.len() as u64,
        fault_outages: faults,
    }
}

/// Adds the counts of `b` to `a`; Jaccard values are appended in order.
fn add_counts(a: &mut CheckpointCounts, b: &CheckpointCounts) {
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

/// A metric at each checkpoint kind, in the order of [`CheckpointKind::ALL`]; `None`
/// where a kind has nothing to measure.
type ByKind = [Option<f64>; 4];

/// The metrics of each checkpoint kind: F1, mean Jaccard, recall ceiling.
fn by_kind(cp: &[CheckpointCounts; 4]) -> (ByKind, ByKind, ByKind) {
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
    (f1_at, jaccard_at, ceiling_at)
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

/// Precision, recall and F1 of counts; precision is 1 when nothing was predicted and
/// nothing missed, recall 1 when nothing was out.
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

/// The mean (`None` of nothing).
fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}
