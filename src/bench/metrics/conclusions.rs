//! What an engine concluded, read for scoring: its outage, ticket and call records,
//! from a [`Replay`](crate::Replay)'s records or from any engine's JSON Lines output.

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
}

/// What an engine concluded: its outage, ticket and call records, in output order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conclusions {
    /// The outage records, in output order.
    pub(super) outages: Vec<OutageRow>,
    /// Tickets opened.
    pub(super) tickets_opened: u64,
    /// Tickets closed by a merge into another.
    pub(super) tickets_merged: u64,
    /// (customer `load.x`, cause as printed, or `None`).
    pub(super) calls: Vec<(String, String)>,
    /// Lines that were not JSON objects with a `type`.
    pub bad_lines: u64,
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
