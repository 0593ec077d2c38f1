//! The replay contract (`../shared/spec/replay.md`): events in, JSON Lines conclusions
//! out, driving a [`CommandCentre`]: the [`Engine`] and its [`WorkOrders`].

mod record;

use std::io::{Read, Write};

use serde::Serialize;

pub use record::{CallCause, Record, RecordOp};

use crate::error::EventError;
use crate::evidence::{Event, EventReader, EventRow};
use crate::inference::{Change, Engine, EngineOptions, Outage, OutageCause};
use crate::network::Network;
use crate::service::centre::{CommandCentre, CommandCentreOptions, CommandCentreSnapshot};
use crate::service::tickets::{Fields, WorkOrderChange, WorkOrderId, WorkOrderOptions, WorkOrders};
use crate::time::{SECOND, Timestamp};

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

impl ReplaySummary {
    /// The contract's closing `summary` record.
    pub fn record(&self) -> Record<'static> {
        Record::Summary {
            rows: self.rows,
            skipped: self.skipped,
            outages: self.outages,
            tickets: self.tickets,
        }
    }
}

/// A snapshot of a [`Replay`] (serde): the command centre's snapshot and the counts.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ReplaySnapshot {
    centre: CommandCentreSnapshot,
    summary: ReplaySummary,
    /// Whether work orders and notices follow the engine.
    #[serde(default = "yes")]
    tickets: bool,
}

fn yes() -> bool {
    true
}

/// A replay in progress: a command centre (engine, work orders, notices) and the
/// records it produces.
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
    centre: CommandCentre<'n>,
    summary: ReplaySummary,
    records: Vec<Record<'n>>,
    /// Whether work orders and notices follow the engine (see
    /// [`Replay::inference_only`]).
    tickets: bool,
}

impl<'n> Replay<'n> {
    /// The ticket layer's options for an unattended replay: no crew closes orders, so
    /// an order closes when its outage is restored; a prediction gets its order once
    /// it has stood [`Replay::ORDER_AFTER`] and the engine is at least
    /// [`Replay::ORDER_CONFIDENCE`] sure of it, or once it has stood
    /// [`Replay::ORDER_UNSURE_AFTER`] (at once when confirmed or an emergency).
    pub fn centre_options() -> CommandCentreOptions {
        CommandCentreOptions {
            orders: WorkOrderOptions {
                close_on_restore: true,
                open_after: Self::ORDER_AFTER,
                open_confidence: Self::ORDER_CONFIDENCE,
                open_unsure_after: Self::ORDER_UNSURE_AFTER,
                ..WorkOrderOptions::default()
            },
            ..CommandCentreOptions::default()
        }
    }

    /// How long a prediction stands before its order opens in a replay.
    pub const ORDER_AFTER: crate::Millis = 60 * SECOND;

    /// How sure the engine must be of a predicted outage before its order opens in a
    /// replay.
    pub const ORDER_CONFIDENCE: f64 = 0.9;

    /// How long a less sure prediction stands before its order opens in a replay.
    pub const ORDER_UNSURE_AFTER: crate::Millis = 10 * crate::MINUTE;

    /// A replay over a network, with [`Replay::centre_options`].
    pub fn new(net: &'n Network, opts: EngineOptions) -> Result<Self, crate::SwitchingError> {
        Self::with_options(net, opts, Self::centre_options())
    }

    /// A replay with the given ticket-layer options.
    pub fn with_options(
        net: &'n Network,
        opts: EngineOptions,
        centre: CommandCentreOptions,
    ) -> Result<Self, crate::SwitchingError> {
        Ok(Replay {
            centre: CommandCentre::new(net, opts, centre)?,
            summary: ReplaySummary::default(),
            records: Vec::new(),
            tickets: true,
        })
    }

    /// A replay of the inference alone: `outage` and `call` records (with `ticket`
    /// null) and the summary, no work orders or notices. What the ticket layer adds
    /// to a replay is the difference between this and [`Replay::new`]
    /// (`cargo bench --bench tickets`).
    ///
    /// ```
    /// use outage_locator::{EngineOptions, Replay, import_opendss};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// let (net, _) = import_opendss(path).unwrap();
    /// let csv = "time,kind,id,detail\n\
    ///            2026-07-01T12:00:00Z,device_open,relay.brk_sw1,\n\
    ///            2026-07-01T12:05:00Z,tick,,\n";
    /// let mut out = Vec::new();
    /// let mut replay = Replay::inference_only(&net, EngineOptions::default()).unwrap();
    /// let summary = replay.run(csv.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
    /// assert_eq!((summary.outages, summary.tickets), (1, 0));
    /// let text = String::from_utf8(out).unwrap();
    /// assert!(text.contains(r#""type":"outage""#) && !text.contains(r#""type":"ticket""#));
    /// ```
    pub fn inference_only(
        net: &'n Network,
        opts: EngineOptions,
    ) -> Result<Self, crate::SwitchingError> {
        let mut r = Self::new(net, opts)?;
        r.tickets = false;
        Ok(r)
    }

    /// A serialisable snapshot of the engine, the ticket layer and the counts.
    pub fn snapshot(&self) -> ReplaySnapshot {
        ReplaySnapshot {
            centre: self.centre.snapshot(),
            summary: self.summary,
            tickets: self.tickets,
        }
    }

    /// A replay restored from a snapshot taken on the same network; feeding it the
    /// rest of the events gives exactly the output of an uninterrupted run.
    pub fn from_snapshot(net: &'n Network, snap: ReplaySnapshot) -> Result<Self, crate::Error> {
        Ok(Replay {
            centre: CommandCentre::from_snapshot(net, snap.centre)?,
            summary: snap.summary,
            records: Vec::new(),
            tickets: snap.tickets,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine<'n> {
        self.centre.engine()
    }

    /// The work orders.
    pub fn orders(&self) -> &WorkOrders {
        self.centre.orders()
    }

    /// The command centre.
    pub fn centre(&self) -> &CommandCentre<'n> {
        &self.centre
    }

    /// The command centre, to act on orders between events.
    pub fn centre_mut(&mut self) -> &mut CommandCentre<'n> {
        &mut self.centre
    }

    /// The counts so far.
    pub fn summary(&self) -> ReplaySummary {
        self.summary
    }

    /// Feeds one event; returns the records it produced.
    pub fn feed(&mut self, ev: Event) -> &[Record<'n>] {
        self.records.clear();
        self.summary.rows += 1;
        self.centre.ingest_inference_only(ev);
        self.follow_tickets();
        emit(&self.centre, &mut self.records, &mut self.summary);
        &self.records
    }

    /// Lets the work orders and notices follow the engine's last step, unless this
    /// replay is of the inference alone.
    fn follow_tickets(&mut self) {
        if self.tickets {
            self.centre.follow();
        }
    }

    /// Counts a row that could not be used.
    pub fn skip(&mut self) {
        self.summary.rows += 1;
        self.summary.skipped += 1;
    }

    /// Ends the stream: brings the inference up to date; returns the last records.
    pub fn finish(&mut self) -> &[Record<'n>] {
        self.records.clear();
        self.centre.flush_inference_only();
        self.follow_tickets();
        emit(&self.centre, &mut self.records, &mut self.summary);
        self.records.push(self.summary.record());
        &self.records
    }

    /// Replays a whole event file: records to `out`, skipped rows to `diag`. The file
    /// is read and parsed on a second thread, a few thousand rows ahead of the engine
    /// (the output is the same as reading row by row).
    pub fn run(
        &mut self,
        events: impl Read + Send,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> std::io::Result<ReplaySummary> {
        let net = self.centre.network();
        run_event_file(self, net, events, out, diag)
    }
}

/// The ticket changes the contract prints: open, update (device, priority or due),
/// close.
fn printed(tc: &WorkOrderChange) -> Option<(WorkOrderId, RecordOp)> {
    match *tc {
        WorkOrderChange::Opened(id) => Some((id, RecordOp::Open)),
        WorkOrderChange::Updated { order, fields }
            if fields.intersects(Fields::DEVICE | Fields::PRIORITY | Fields::DUE) =>
        {
            Some((order, RecordOp::Update))
        }
        WorkOrderChange::Merged { order, .. } | WorkOrderChange::Closed(order) => {
            Some((order, RecordOp::Close))
        }
        _ => None,
    }
}

/// The records of the centre's last step: each outage record followed by its ticket
/// records, then the remaining ticket records, with call records in place.
fn emit<'n>(
    centre: &CommandCentre<'n>,
    records: &mut Vec<Record<'n>>,
    summary: &mut ReplaySummary,
) {
    let engine = centre.engine();
    let orders = centre.orders();
    let net = engine.network();
    let last = centre.last();
    if last.changes.is_empty() && last.orders.is_empty() {
        // Most events change nothing printed: no time to format.
        return;
    }
    let at = engine.clock();
    let mut tickets: Vec<(WorkOrderId, RecordOp)> =
        last.orders.iter().filter_map(printed).collect();
    for ch in last.changes {
        match *ch {
            Change::Opened(oid) | Change::Updated(oid) | Change::Closed { outage: oid, .. } => {
                let Some(o) = engine.outage(oid) else {
                    continue;
                };
                let op = match ch {
                    Change::Opened(_) => {
                        summary.outages += 1;
                        RecordOp::Open
                    }
                    Change::Updated(_) => RecordOp::Update,
                    _ => RecordOp::Close,
                };
                records.push(outage_record(net, o, op, at));
                // The tickets of this outage, right after it.
                if !tickets.is_empty() {
                    let mut i = 0;
                    while i < tickets.len() {
                        if orders.order(tickets[i].0).outage == Some(oid) {
                            let (id, op) = tickets.remove(i);
                            ticket_record(net, orders, id, op, at, records, summary);
                        } else {
                            i += 1;
                        }
                    }
                }
            }
            Change::Call(cl) => {
                let ticket = match cl.cause {
                    Some(OutageCause::Fault) => cl.outage.and_then(|o| orders.order_of(o)),
                    _ => None,
                };
                records.push(Record::Call {
                    at,
                    customer: &net.customer(cl.customer).name,
                    cause: cl.cause.into(),
                    outage: cl.outage,
                    ticket,
                });
            }
            Change::Momentary(m) => records.push(Record::Momentary {
                at,
                device: net.outage_device_name(m.device),
                customers: engine.view().customer_count_below(m.device),
            }),
        }
    }
    for (id, op) in tickets {
        ticket_record(net, orders, id, op, at, records, summary);
    }
}

fn ticket_record<'n>(
    net: &'n Network,
    orders: &WorkOrders,
    id: WorkOrderId,
    op: RecordOp,
    at: Timestamp,
    records: &mut Vec<Record<'n>>,
    summary: &mut ReplaySummary,
) {
    if op == RecordOp::Open {
        summary.tickets += 1;
    }
    let w = orders.order(id);
    let open = op != RecordOp::Close;
    records.push(Record::Ticket {
        at,
        op,
        ticket: id,
        outage: w.outage,
        device: net.outage_device_name(w.device),
        priority: open.then_some(w.priority),
        due: open.then(|| w.arrival_due(orders.limits())),
        merged_into: w.merged_into,
    });
}

fn outage_record<'n>(net: &'n Network, o: &Outage, op: RecordOp, at: Timestamp) -> Record<'n> {
    Record::Outage {
        at,
        op,
        outage: o.id,
        device: net.outage_device_name(o.device),
        cause: o.cause,
        status: o.status,
        customers: o.customers,
        confidence: o.confidence,
    }
}

/// What turns events into the contract's records: the [`Replay`] and the classic
/// roll-up rule, driven over an event file by [`run_event_file`].
pub(crate) trait RecordEngine {
    /// Feeds one event; returns the records it produced.
    fn feed(&mut self, ev: Event) -> &[Record<'_>];
    /// Counts a row that could not be used.
    fn skip(&mut self);
    /// Ends the stream; returns the last records, the summary last.
    fn finish(&mut self) -> &[Record<'_>];
    /// The counts so far.
    fn summary(&self) -> ReplaySummary;
}

impl RecordEngine for Replay<'_> {
    fn feed(&mut self, ev: Event) -> &[Record<'_>] {
        Replay::feed(self, ev)
    }
    fn skip(&mut self) {
        Replay::skip(self)
    }
    fn finish(&mut self) -> &[Record<'_>] {
        Replay::finish(self)
    }
    fn summary(&self) -> ReplaySummary {
        Replay::summary(self)
    }
}

/// Replays an event file through an engine: records to `out` as JSON Lines, skipped
/// rows to `diag`.
pub(crate) fn run_event_file(
    engine: &mut impl RecordEngine,
    net: &Network,
    events: impl Read + Send,
    out: &mut impl Write,
    diag: &mut impl Write,
) -> std::io::Result<ReplaySummary> {
    let mut buf = Vec::with_capacity(256);
    // Reading, parsing and name lookup (a third of a replay) run on their own thread,
    // in batches, while the engine works through the rows already parsed: in order,
    // so the output is exactly that of reading row by row.
    std::thread::scope(|scope| -> std::io::Result<()> {
        let (rows, parsed) = std::sync::mpsc::sync_channel::<Vec<EventRow>>(READ_AHEAD);
        let (spent, spare) = std::sync::mpsc::channel::<Vec<EventRow>>();
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(READ_BATCH);
            for row in EventReader::new(events, net) {
                batch.push(row);
                if batch.len() == READ_BATCH {
                    let next = spare
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(READ_BATCH));
                    if rows.send(std::mem::replace(&mut batch, next)).is_err() {
                        // The replay stopped (an output error): stop reading.
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = rows.send(batch);
            }
        });
        for mut batch in parsed {
            for row in batch.drain(..) {
                match row {
                    Ok((_, ev)) => write_records(engine.feed(ev), out, &mut buf)?,
                    Err(e) => {
                        engine.skip();
                        writeln!(diag, "{}", describe(&e))?;
                    }
                }
            }
            let _ = spent.send(batch);
        }
        Ok(())
    })?;
    write_records(engine.finish(), out, &mut buf)?;
    out.flush()?;
    Ok(engine.summary())
}

/// Rows parsed ahead of the engine are handed over this many at a time.
const READ_BATCH: usize = 1024;
/// Batches the reader may have ready before it waits for the engine.
const READ_AHEAD: usize = 8;

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
