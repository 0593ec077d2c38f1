//! The replay's JSON Lines read back into interruptions, and the `reliability` report
//! of the replay contract (version 2) computed from them exactly as it specifies.

use std::collections::{BTreeSet, HashMap};
use std::io::BufRead;

use serde::{Deserialize, Serialize};

use super::SUSTAINED_AFTER;
use super::ledger::{Interruption, InterruptionKind, MomentaryEvent};
use super::med::{day_of, major_event_days};
use crate::network::Network;
use crate::time::{MINUTE, Timestamp};
use crate::topology::EnergizationView;

/// One outage of a replay output: its records in order.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageTrace {
    /// `fault`, `planned` or `disconnect` (of its last record).
    pub cause: String,
    /// `(at, device, customers)` of each record.
    pub steps: Vec<(Timestamp, String, u32)>,
    /// The `at` of its `close`.
    pub closed: Option<Timestamp>,
    /// Whether it closed as `retracted`.
    pub retracted: bool,
}

impl OutageTrace {
    /// When it ended: its close, else the file's last `at`.
    fn end(&self, last: Timestamp) -> Timestamp {
        self.closed.unwrap_or(last)
    }

    /// The largest `customers` of its records.
    fn peak(&self) -> u32 {
        self.steps.iter().map(|s| s.2).max().unwrap_or(0)
    }

    /// Σ customers × minutes between one record and the next (the last up to the end).
    fn customer_minutes(&self, end: Timestamp) -> f64 {
        // Summed in customer-milliseconds, exactly, then divided once.
        let mut sum = 0i128;
        for (k, s) in self.steps.iter().enumerate() {
            let until = self.steps.get(k + 1).map_or(end, |n| n.0);
            sum += i128::from(s.2) * i128::from(until.0 - s.0.0);
        }
        sum as f64 / MINUTE as f64
    }
}

/// One replay output file read back: its outages (by id), momentaries and time span.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayOutput {
    /// The outages in the order they opened.
    pub outages: Vec<OutageTrace>,
    /// `(at, device, customers)` of each `momentary` record.
    pub momentaries: Vec<(Timestamp, String, u32)>,
    /// `(at, customer, cause)` of each `call` record.
    pub calls: Vec<(Timestamp, String, String)>,
    /// The first and last `at` of the file.
    pub span: Option<(Timestamp, Timestamp)>,
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: String,
    at: Option<String>,
    op: Option<String>,
    outage: Option<serde_json::Value>,
    device: Option<String>,
    customer: Option<String>,
    cause: Option<String>,
    status: Option<String>,
    customers: Option<u32>,
}

impl ReplayOutput {
    /// Reads a replay output.
    ///
    /// # Errors
    /// A line that is not JSON, or a time that is not RFC 3339: the line number.
    ///
    /// # Complexity
    /// O(lines).
    pub fn read(r: impl BufRead) -> Result<Self, String> {
        let mut out = ReplayOutput::default();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (n, line) in r.lines().enumerate() {
            let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let l: Line =
                serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
            let Some(at) = l.at.as_deref() else { continue };
            let at: Timestamp = at
                .parse()
                .map_err(|_| format!("line {}: bad time", n + 1))?;
            out.span = Some(out.span.map_or((at, at), |(a, b)| (a.min(at), b.max(at))));
            match l.kind.as_str() {
                "outage" => out.outage_line(&mut by_id, l, at),
                "momentary" => out.momentaries.push((
                    at,
                    l.device.unwrap_or_default().to_ascii_lowercase(),
                    l.customers.unwrap_or(0),
                )),
                "call" => out.calls.push((
                    at,
                    l.customer.unwrap_or_default(),
                    l.cause.unwrap_or_default(),
                )),
                _ => {}
            }
        }
        Ok(out)
    }

    fn outage_line(&mut self, by_id: &mut HashMap<String, usize>, l: Line, at: Timestamp) {
        let id = match l.outage {
            Some(serde_json::Value::String(s)) => s,
            Some(v) => v.to_string(),
            None => return,
        };
        let k = *by_id.entry(id).or_insert_with(|| {
            self.outages.push(OutageTrace {
                cause: String::new(),
                steps: Vec::new(),
                closed: None,
                retracted: false,
            });
            self.outages.len() - 1
        });
        let o = &mut self.outages[k];
        if let Some(c) = l.cause {
            o.cause = c;
        }
        if l.op.as_deref() == Some("close") {
            o.closed = Some(at);
            o.retracted = l.status.as_deref() == Some("retracted");
        } else {
            let device = l.device.unwrap_or_default().to_ascii_lowercase();
            o.steps.push((at, device, l.customers.unwrap_or(0)));
        }
    }

    /// The outages that are interruptions (fault or planned, not retracted), with
    /// their ends, and whether each is sustained.
    fn interrupting(&self) -> impl Iterator<Item = (&OutageTrace, Timestamp, bool)> {
        let last = self.span.map_or(Timestamp(0), |s| s.1);
        self.outages
            .iter()
            .filter(|o| !o.retracted && !o.steps.is_empty())
            .filter(|o| o.cause == "fault" || o.cause == "planned")
            .map(move |o| {
                let end = o.end(last);
                (o, end, end.0 - o.steps[0].0.0 > SUSTAINED_AFTER)
            })
    }

    /// Its interruptions and momentaries on the network's devices (names it does not
    /// know are left out). Fault outages of five minutes or less are kept as
    /// interruptions; the ledger counts them as momentary.
    pub fn interruptions(&self, net: &Network) -> (Vec<Interruption>, Vec<MomentaryEvent>) {
        let ints = self
            .interrupting()
            .filter_map(|(o, end, _)| {
                let steps: Vec<_> = o
                    .steps
                    .iter()
                    .filter_map(|(t, d, c)| Some((*t, net.outage_device_by_name(d)?, *c)))
                    .collect();
                let kind = if o.cause == "planned" {
                    InterruptionKind::Planned
                } else {
                    InterruptionKind::Unplanned
                };
                (!steps.is_empty()).then_some(Interruption { kind, steps, end })
            })
            .collect();
        let moms = self
            .momentaries
            .iter()
            .filter_map(|(t, d, _)| {
                Some(MomentaryEvent {
                    device: net.outage_device_by_name(d)?,
                    time: *t,
                })
            })
            .collect();
        (ints, moms)
    }
}

/// The contract's `reliability` report, field for field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractReport {
    /// Customers served (as `inspect` counts them).
    pub customers_served: u32,
    /// Sustained interruptions (outages longer than five minutes).
    pub sustained_interruptions: u64,
    /// Σ of their largest `customers`.
    pub customer_interruptions: u64,
    /// Σ of their customers × minutes between records.
    pub customer_minutes: f64,
    /// Customer interruptions per customer served.
    pub saifi: f64,
    /// Customer minutes per customer served.
    pub saidi: f64,
    /// Customer minutes per customer interruption.
    pub caidi: f64,
    /// Customer interruptions per distinct customer interrupted.
    pub caifi: f64,
    /// Share of customer minutes with supply over the days.
    pub asai: f64,
    /// Customers of momentary records and of fault outages of five minutes or less,
    /// per customer served.
    pub maifi_e: f64,
    /// Calendar days (UTC) the files span.
    pub days: u32,
    /// Days (`YYYY-MM-DD`) whose SAIDI passes the 2.5 beta threshold (empty with
    /// fewer than 365 days).
    pub major_event_days: Vec<String>,
}

/// The contract's report over replay outputs, for `net`'s customers. Each sustained
/// interruption counts on the day it began. Distinct customers interrupted are the
/// customers below its devices, as many as its records say are off (the ledger's
/// reading of a record).
///
/// # Complexity
/// O(lines + Σ customers of the sustained outages' records + days).
pub fn contract_report(
    net: &Network,
    view: &EnergizationView,
    outputs: &[ReplayOutput],
) -> ContractReport {
    let served = net.customers().len() as u32;
    let n = f64::from(served.max(1));
    let (mut sustained, mut ci, mut cm, mut momentary) = (0u64, 0u64, 0.0, 0u64);
    let mut hit = vec![false; served as usize];
    let mut days = BTreeSet::new();
    let mut daily: HashMap<i64, f64> = HashMap::new();
    for out in outputs {
        if let Some((a, b)) = out.span {
            days.extend(day_of(a)..=day_of(b));
        }
        momentary += out.momentaries.iter().map(|m| u64::from(m.2)).sum::<u64>();
        for (o, end, is_sustained) in out.interrupting() {
            if !is_sustained {
                momentary += u64::from(if o.cause == "fault" { o.peak() } else { 0 });
                continue;
            }
            sustained += 1;
            ci += u64::from(o.peak());
            let minutes = o.customer_minutes(end);
            cm += minutes;
            *daily.entry(day_of(o.steps[0].0)).or_default() += minutes / n;
            for (_, d, k) in &o.steps {
                if let Some(d) = net.outage_device_by_name(d) {
                    let below = view.customers_below(d);
                    for c in &below[..(*k as usize).min(below.len())] {
                        hit[c.index()] = true;
                    }
                }
            }
        }
    }
    let interrupted = hit.iter().filter(|&&h| h).count().max(1) as f64;
    let ci_f = ci as f64;
    let history: Vec<(i64, f64)> = days
        .iter()
        .map(|&d| (d, daily.get(&d).copied().unwrap_or(0.0)))
        .collect();
    let med = if history.len() >= 365 {
        major_event_days(&history).map_or(Vec::new(), |m| m.days)
    } else {
        Vec::new()
    };
    ContractReport {
        customers_served: served,
        sustained_interruptions: sustained,
        customer_interruptions: ci,
        customer_minutes: cm,
        saifi: ci_f / n,
        saidi: cm / n,
        caidi: if ci == 0 { 0.0 } else { cm / ci_f },
        caifi: ci_f / interrupted,
        asai: 1.0 - cm / (n * days.len().max(1) as f64 * 1440.0),
        maifi_e: momentary as f64 / n,
        days: days.len() as u32,
        major_event_days: med.into_iter().map(date).collect(),
    }
}

/// `YYYY-MM-DD` of a UTC day number.
pub(crate) fn date(day: i64) -> String {
    let t = Timestamp(day * 86_400_000).to_string();
    t.get(..10).unwrap_or(&t).to_string()
}
