//! The replay contract (`../shared/spec/replay.md`): events in, JSON Lines conclusions
//! out, driving the [`Engine`] and the [`WorkOrders`].

use std::io::{Read, Write};

use serde::Serialize;

use crate::error::EventError;
use crate::evidence::{Event, EventReader};
use crate::inference::{Change, Engine, EngineOptions, Outage, OutageCause};
use crate::network::Network;
use crate::tickets::{TimeLimits, WorkOrderChange, WorkOrders};

/// One conclusion record of the replay contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// An outage opened, changed or closed.
    Outage {
        /// The engine's clock.
        at: String,
        /// `open`, `update` or `close`.
        op: &'static str,
        /// `O…`.
        outage: String,
        /// `class.name`.
        device: String,
        /// `fault`, `planned` or `disconnect`.
        cause: &'static str,
        /// `predicted`, `confirmed`, `restored` or `retracted`.
        status: &'static str,
        /// Customers held off.
        customers: u32,
        /// Probability that the device is out.
        confidence: f64,
    },
    /// A work order opened, changed or closed.
    Ticket {
        /// The engine's clock.
        at: String,
        /// `open`, `update` or `close`.
        op: &'static str,
        /// `W…`.
        ticket: String,
        /// Its outage.
        outage: String,
        /// Its device.
        device: String,
        /// On open and update.
        #[serde(skip_serializing_if = "Option::is_none")]
        priority: Option<&'static str>,
        /// Crew on site due, on open and update.
        #[serde(skip_serializing_if = "Option::is_none")]
        due: Option<String>,
        /// On a merge.
        #[serde(skip_serializing_if = "Option::is_none")]
        merged_into: Option<String>,
    },
    /// A call's classification.
    Call {
        /// The engine's clock.
        at: String,
        /// `load.x`.
        customer: String,
        /// `fault`, `planned`, `disconnect` or `none`.
        cause: &'static str,
        /// The outage it belongs to.
        outage: Option<String>,
        /// The fault outage's work order.
        ticket: Option<String>,
    },
    /// The last line.
    Summary {
        /// Rows read (header excluded).
        rows: u64,
        /// Rows skipped.
        skipped: u64,
        /// Outages opened.
        outages: u64,
        /// Tickets opened.
        tickets: u64,
    },
}

/// Counts of a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReplaySummary {
    /// Rows read.
    pub rows: u64,
    /// Rows skipped (unknown ids, malformed).
    pub skipped: u64,
    /// Outages opened.
    pub outages: u64,
    /// Tickets opened.
    pub tickets: u64,
}

/// A snapshot of a [`Replay`] (serde).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ReplaySnapshot {
    engine: crate::inference::EngineSnapshot,
    orders: WorkOrders,
    summary: ReplaySummary,
}

/// A replay in progress: an engine, its work orders, and the records they produce.
///
/// ```
/// use outage_locator::{Replay, EngineOptions, import_opendss};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let events = "time,kind,id,detail\n2026-07-01T12:00:00Z,call,s1a,no_power\n";
/// let mut out = Vec::new();
/// let mut replay = Replay::new(&net, EngineOptions::default()).unwrap();
/// let summary = replay.run(events.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
/// assert_eq!(summary.rows, 1);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.lines().last().unwrap().contains("\"type\":\"summary\""));
/// ```
pub struct Replay<'n> {
    engine: Engine<'n>,
    orders: WorkOrders,
    summary: ReplaySummary,
    records: Vec<Record>,
}

impl<'n> Replay<'n> {
    /// A replay over a network.
    pub fn new(net: &'n Network, opts: EngineOptions) -> Result<Self, crate::SwitchingError> {
        Ok(Replay {
            engine: Engine::new(net, opts)?,
            orders: WorkOrders::new(TimeLimits::default()),
            summary: ReplaySummary::default(),
            records: Vec::new(),
        })
    }

    /// A serialisable snapshot of the engine, the work orders and the counts.
    pub fn snapshot(&self) -> ReplaySnapshot {
        ReplaySnapshot {
            engine: self.engine.snapshot(),
            orders: self.orders.clone(),
            summary: self.summary,
        }
    }

    /// A replay restored from a snapshot taken on the same network; feeding it the
    /// rest of the events gives exactly the output of an uninterrupted run.
    pub fn from_snapshot(net: &'n Network, snap: ReplaySnapshot) -> Result<Self, crate::Error> {
        Ok(Replay {
            engine: Engine::from_snapshot(net, snap.engine)?,
            orders: snap.orders,
            summary: snap.summary,
            records: Vec::new(),
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine<'n> {
        &self.engine
    }

    /// The work orders.
    pub fn orders(&self) -> &WorkOrders {
        &self.orders
    }

    /// Feeds one event; returns the records it produced.
    pub fn feed(&mut self, ev: Event) -> &[Record] {
        self.records.clear();
        self.summary.rows += 1;
        let changes = self.engine.ingest(ev).to_vec();
        self.emit(&changes);
        &self.records
    }

    /// Counts a row that could not be used.
    pub fn skip(&mut self) {
        self.summary.rows += 1;
        self.summary.skipped += 1;
    }

    /// Ends the stream: brings the inference up to date; returns the last records.
    pub fn finish(&mut self) -> &[Record] {
        self.records.clear();
        let changes = self.engine.flush().to_vec();
        self.emit(&changes);
        let s = self.summary;
        self.records.push(Record::Summary {
            rows: s.rows,
            skipped: s.skipped,
            outages: s.outages,
            tickets: s.tickets,
        });
        &self.records
    }

    /// Replays a whole event file: records to `out`, skipped rows to `diag`.
    pub fn run(
        &mut self,
        events: impl Read,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> std::io::Result<ReplaySummary> {
        let net = self.engine.network();
        let mut buf = Vec::with_capacity(256);
        for row in EventReader::new(events, net) {
            match row {
                Ok((_, ev)) => {
                    self.feed(ev);
                }
                Err(e) => {
                    self.skip();
                    writeln!(diag, "{}", describe(&e))?;
                }
            }
            write_records(&self.records, out, &mut buf)?;
            self.records.clear();
        }
        self.finish();
        write_records(&self.records, out, &mut buf)?;
        out.flush()?;
        Ok(self.summary)
    }

    fn emit(&mut self, changes: &[Change]) {
        let net = self.engine.network();
        let at = self.engine.clock().to_string();
        let mut tickets: Vec<WorkOrderChange> = Vec::new();
        // Tickets follow outage changes; merged orders close after the absorbing update.
        let order_changes = self.orders.follow(&self.engine, changes).to_vec();
        tickets.extend(order_changes);
        for ch in changes {
            match *ch {
                Change::Opened(oid) | Change::Updated(oid) | Change::Closed { outage: oid, .. } => {
                    let Some(o) = self.engine.outage(oid) else {
                        continue;
                    };
                    let op = match ch {
                        Change::Opened(_) => {
                            self.summary.outages += 1;
                            "open"
                        }
                        Change::Updated(_) => "update",
                        _ => "close",
                    };
                    self.records.push(outage_record(net, o, op, &at));
                    // The order of this outage, right after it.
                    if let Some(id) = self.orders.order_of(oid).or_else(|| {
                        self.orders
                            .orders()
                            .iter()
                            .rev()
                            .find(|w| w.outage == oid)
                            .map(|w| w.id)
                    }) && let Some(pos) = tickets.iter().position(|t| {
                        matches!(t, WorkOrderChange::Opened(x) | WorkOrderChange::Updated(x) | WorkOrderChange::Closed(x) if *x == id)
                    }) {
                        let tc = tickets.remove(pos);
                        self.ticket_record(tc, &at);
                    }
                }
                Change::Call(cl) => {
                    let outage = cl.outage.map(|o| o.to_string());
                    let ticket = match cl.cause {
                        Some(OutageCause::Fault) => cl
                            .outage
                            .and_then(|o| self.orders.order_of(o))
                            .map(|w| w.to_string()),
                        _ => None,
                    };
                    self.records.push(Record::Call {
                        at: at.clone(),
                        customer: net.customer(cl.customer).name.clone(),
                        cause: cl.cause.map_or("none", OutageCause::as_str),
                        outage,
                        ticket,
                    });
                }
                Change::Momentary(_) => {}
            }
        }
        for tc in tickets {
            self.ticket_record(tc, &at);
        }
    }

    fn ticket_record(&mut self, tc: WorkOrderChange, at: &str) {
        let net = self.engine.network();
        let (id, op) = match tc {
            WorkOrderChange::Opened(id) => {
                self.summary.tickets += 1;
                (id, "open")
            }
            WorkOrderChange::Updated(id) => (id, "update"),
            WorkOrderChange::Closed(id) => (id, "close"),
        };
        let w = self.orders.order(id);
        let open = op != "close";
        self.records.push(Record::Ticket {
            at: at.to_string(),
            op,
            ticket: id.to_string(),
            outage: w.outage.to_string(),
            device: net.outage_device_name(w.device).to_string(),
            priority: open.then(|| w.priority.as_str()),
            due: open.then(|| w.due.to_string()),
            merged_into: w.merged_into.map(|m| m.to_string()),
        });
    }
}

fn outage_record(net: &Network, o: &Outage, op: &'static str, at: &str) -> Record {
    Record::Outage {
        at: at.to_string(),
        op,
        outage: o.id.to_string(),
        device: net.outage_device_name(o.device).to_string(),
        cause: o.cause.as_str(),
        status: o.status.as_str(),
        customers: o.customers,
        confidence: o.confidence,
    }
}

fn write_records(
    records: &[Record],
    out: &mut impl Write,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    for r in records {
        buf.clear();
        serde_json::to_writer(&mut *buf, r).map_err(std::io::Error::other)?;
        buf.push(b'\n');
        out.write_all(buf)?;
    }
    Ok(())
}

/// A skipped row's diagnostic line.
pub fn describe(e: &EventError) -> String {
    format!("skipped: {e}")
}
