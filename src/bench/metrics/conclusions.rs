//! What an engine concluded, read for scoring: its outage, ticket, call and ping
//! records, from a [`Replay`](crate::Replay)'s records or from any engine's JSON Lines
//! output.

use std::io::BufRead;

use serde::Deserialize;

use crate::inference::{OutageCause, OutageStatus};
use crate::replay::{CallCause, Record, RecordOp};
use crate::service::tickets::Priority;
use crate::time::Timestamp;

/// One outage record of an engine's output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OutageRow {
    /// When (`None`: no time that reads).
    pub(super) at: Option<Timestamp>,
    /// Opened, updated or closed.
    pub(super) op: RecordOp,
    /// The outage, as printed.
    pub(super) outage: String,
    /// The device, lowercase.
    pub(super) device: String,
    /// The cause (`None`: not given).
    pub(super) cause: Option<OutageCause>,
    /// The customers it holds off, as printed (`None`: not given).
    pub(super) customers: Option<f64>,
}

/// One ticket (work order) record of an engine's output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TicketRow {
    /// When (`None`: no time that reads).
    pub(super) at: Option<Timestamp>,
    /// Opened, updated or closed.
    pub(super) op: RecordOp,
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
    /// (customer `load.x`, the cause given, if any).
    pub(super) calls: Vec<(String, Option<CallCause>)>,
    /// Lines of a JSON Lines output that are not records of the replay contract: not
    /// JSON, a `type` the contract does not name, or a field that does not read (an
    /// `op`, `cause`, `status` or `priority` it does not name, a value of the wrong
    /// type). They are left out of the scoring.
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
    /// Counts a ticket record and keeps it for judging orders one by one.
    fn push_ticket(&mut self, t: TicketRow) {
        self.tickets_opened += (t.op == RecordOp::Open) as u64;
        self.tickets_merged += (t.op == RecordOp::Close && t.merged) as u64;
        self.tickets.push(t);
    }

    /// From the records of a [`Replay`](crate::Replay) or a
    /// [`Rollup`](crate::bench::rollup::Rollup).
    pub fn from_records(records: &[Record]) -> Self {
        let mut c = Conclusions::default();
        c.extend(records);
        c
    }

    /// Counts more records in, in the order they came: the records of each step of a
    /// [`Replay`](crate::Replay), which borrow it until its next step.
    pub fn extend(&mut self, records: &[Record]) {
        let c = self;
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
                    op: *op,
                    outage: outage.to_string(),
                    device: device.to_ascii_lowercase(),
                    cause: Some(*cause),
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
                    op: *op,
                    ticket: Some(ticket.to_string()),
                    device: (!device.is_empty()).then(|| device.to_ascii_lowercase()),
                    merged: merged_into.is_some(),
                }),
                Record::Call {
                    customer, cause, ..
                } => c.calls.push((customer_key(customer), Some(*cause))),
                Record::Ping { .. } => c.pings += 1,
                Record::Momentary { .. } | Record::Plan { .. } | Record::Summary { .. } => {}
            }
        }
    }

    /// From a JSON Lines output of any engine (the replay contract); lines that are not
    /// its records are counted in [`bad_lines`](Self::bad_lines).
    ///
    /// # Errors
    /// An I/O error of the input.
    pub fn from_jsonl(input: impl BufRead) -> std::io::Result<Self> {
        let mut c = Conclusions::default();
        for line in input.lines() {
            let line = line?;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Line>(line) {
                Ok(Line::Outage(o)) => c.outages.push(OutageRow {
                    at: o.at.and_then(|t| t.parse().ok()),
                    op: o.op,
                    outage: o.outage.0,
                    device: o.device.to_ascii_lowercase(),
                    cause: o.cause,
                    customers: o.customers,
                }),
                Ok(Line::Ticket(t)) => c.push_ticket(TicketRow {
                    at: t.at.and_then(|x| x.parse().ok()),
                    op: t.op,
                    ticket: t.ticket.map(|x| x.0),
                    device: t
                        .device
                        .filter(|d| !d.is_empty())
                        .map(|d| d.to_ascii_lowercase()),
                    merged: t.merged_into.is_some_and(|m| !m.0.is_empty()),
                }),
                Ok(Line::Call(x)) => c.calls.push((customer_key(&x.customer), x.cause)),
                Ok(Line::Ping) => c.pings += 1,
                Ok(Line::Momentary | Line::Plan | Line::Summary) => {}
                Err(_) => c.bad_lines += 1,
            }
        }
        Ok(c)
    }
}

/// A line of the replay contract's output, as the judge reads it: only what it scores
/// is kept, but every value given must be one the contract names. Fields the judge
/// does not need may be missing (an output need not print a status to be scored).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    Outage(OutageLine),
    Ticket(TicketLine),
    Call(CallLine),
    Ping,
    Momentary,
    /// A restoration plan: not scored.
    Plan,
    Summary,
}

#[derive(Deserialize)]
struct OutageLine {
    at: Option<String>,
    op: RecordOp,
    outage: IdText,
    #[serde(default)]
    device: String,
    cause: Option<OutageCause>,
    /// Read to check that it names a status; the judge does not use it.
    #[serde(rename = "status")]
    _status: Option<OutageStatus>,
    customers: Option<f64>,
}

#[derive(Deserialize)]
struct TicketLine {
    at: Option<String>,
    op: RecordOp,
    ticket: Option<IdText>,
    device: Option<String>,
    /// Read to check that it names a priority; the judge does not use it.
    #[serde(rename = "priority")]
    _priority: Option<Priority>,
    merged_into: Option<IdText>,
}

#[derive(Deserialize)]
struct CallLine {
    #[serde(default)]
    customer: String,
    cause: Option<CallCause>,
}

/// An id as printed (`O7`, `W3`), kept as text: a string, or a number another engine
/// may print instead.
struct IdText(String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Printed {
            Text(String),
            Number(u64),
        }
        Ok(IdText(match Printed::deserialize(d)? {
            Printed::Text(s) => s,
            Printed::Number(n) => n.to_string(),
        }))
    }
}
