//! What an engine concluded, read for scoring: its outage, ticket, call and ping
//! records, from a [`Replay`](crate::Replay)'s records or from any engine's JSON Lines
//! output.

use std::io::BufRead;

use crate::replay::Record;
use crate::time::Timestamp;

/// One outage record of an engine's output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OutageRow {
    /// When (`None`: no time that reads).
    pub(super) at: Option<Timestamp>,
    /// `open`, `update` or `close`.
    pub(super) op: String,
    /// The outage, as printed.
    pub(super) outage: String,
    /// The device, lowercase.
    pub(super) device: String,
    /// The cause, as printed.
    pub(super) cause: Option<String>,
    /// The customers it holds off, as printed (`None`: not a number).
    pub(super) customers: Option<f64>,
}

/// One ticket (work order) record of an engine's output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TicketRow {
    /// When (`None`: no time that reads).
    pub(super) at: Option<Timestamp>,
    /// `open`, `update` or `close`.
    pub(super) op: String,
    /// The ticket, as printed (`None`: missing or null).
    pub(super) ticket: Option<String>,
    /// Its device, lowercase (`None`: missing or empty).
    pub(super) device: Option<String>,
    /// Whether it names another ticket it was merged into.
    pub(super) merged: bool,
}

/// What an engine concluded: its outage, ticket, call and ping records, in output
/// order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conclusions {
    /// The outage records, in output order.
    pub(super) outages: Vec<OutageRow>,
    /// Tickets opened.
    pub(super) tickets_opened: u64,
    /// Tickets closed by a merge into another.
    pub(super) tickets_merged: u64,
    /// The ticket records, in output order.
    pub(super) tickets: Vec<TicketRow>,
    /// Pings the engine sent (its `ping` records).
    pub(super) pings: u64,
    /// (customer `load.x`, cause as printed, or `None`).
    pub(super) calls: Vec<(String, String)>,
    /// Lines that were not JSON objects with a `type`.
    pub bad_lines: u64,
}

/// Whether a JSON value is true as the judge's Python reads it: not null, false, zero
/// or empty.
fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        serde_json::Value::String(x) => !x.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

/// A customer's name as the truth spells it: lowercase, with the `load.` prefix.
fn customer_key(c: &str) -> String {
    let c = c.to_ascii_lowercase();
    if c.starts_with("load.") {
        c
    } else {
        format!("load.{c}")
    }
}

impl Conclusions {
    /// Counts a ticket record and keeps it for judging orders one by one.
    fn push_ticket(&mut self, t: TicketRow) {
        self.tickets_opened += (t.op == "open") as u64;
        self.tickets_merged += (t.op == "close" && t.merged) as u64;
        self.tickets.push(t);
    }

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
                    customers,
                    ..
                } => c.outages.push(OutageRow {
                    at: Some(*at),
                    op: op.to_string(),
                    outage: outage.to_string(),
                    device: device.to_ascii_lowercase(),
                    cause: Some(cause.to_string()),
                    customers: Some(f64::from(*customers)),
                }),
                Record::Ticket {
                    at,
                    op,
                    ticket,
                    device,
                    merged_into,
                    ..
                } => c.push_ticket(TicketRow {
                    at: Some(*at),
                    op: op.to_string(),
                    ticket: Some(ticket.to_string()),
                    device: (!device.is_empty()).then(|| device.to_ascii_lowercase()),
                    merged: merged_into.is_some(),
                }),
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
                    customers: o.get("customers").and_then(|x| x.as_f64()),
                }),
                Some("ticket") => c.push_ticket(TicketRow {
                    at: s("at").and_then(|t| t.parse().ok()),
                    op: s("op").unwrap_or_default().to_string(),
                    ticket: o
                        .get("ticket")
                        .filter(|x| !x.is_null())
                        .map(|x| x.to_string()),
                    device: o
                        .get("device")
                        .filter(|x| truthy(x))
                        .map(|x| x.as_str().map_or(x.to_string(), str::to_string))
                        .map(|x| x.to_ascii_lowercase()),
                    merged: o.get("merged_into").is_some_and(truthy),
                }),
                Some("ping") => c.pings += 1,
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
