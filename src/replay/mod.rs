//! The replay contract ([formats](crate::_documentation::formats)): events in, JSON Lines conclusions
//! out, driving a [`CommandCentre`]: the [`Engine`] and its [`WorkOrders`].

mod partition;
mod record;

use std::io::{Read, Write};
use std::sync::Arc;

use serde::Serialize;

pub use crate::error::ReplayError;
pub use partition::PartitionedReplay;
pub use record::{CallCause, Record, RecordOp};

use crate::error::{EventError, FileRefusal};
use crate::evidence::{Event, EventReader, EventRow};
use crate::inference::{Change, Engine, EngineOptions, Outage, OutageCause};
use crate::network::Network;
use crate::service::centre::{CommandCentre, CommandCentreOptions, CommandCentreSnapshot};
use crate::service::tickets::{Fields, WorkOrderChange, WorkOrderId, WorkOrderOptions, WorkOrders};
use crate::service::verification::{HeadEnd, PingBudget, PingPolicy, PingRequest};
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
    /// Pings sent, in a replay with a head-end ([`Replay::with_head_end`]).
    #[serde(default)]
    pub pings: Option<u64>,
}

impl ReplaySummary {
    /// The contract's closing `summary` record.
    pub fn record(&self) -> Record<'static> {
        Record::Summary {
            rows: self.rows,
            skipped: self.skipped,
            outages: self.outages,
            tickets: self.tickets,
            pings: self.pings,
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

impl ReplaySnapshot {
    /// The snapshot in the compact binary form (serde through `postcard`; see
    /// [`EngineSnapshot::to_bytes`](crate::inference::EngineSnapshot::to_bytes)): what
    /// a standby keeps to take over a replay.
    ///
    /// ```
    /// use outage_locator::{EngineOptions, Replay, import_opendss};
    /// use outage_locator::replay::ReplaySnapshot;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// let net = std::sync::Arc::new(import_opendss(path).unwrap().0);
    /// let replay = Replay::new(net.clone(), EngineOptions::default()).unwrap();
    /// let bytes = replay.snapshot().to_bytes();
    /// let back = Replay::from_snapshot(net, ReplaySnapshot::from_bytes(&bytes).unwrap()).unwrap();
    /// assert_eq!(back.summary(), replay.summary());
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        // The counts first, then the command centre's bytes as they are (not copied
        // into a byte array of the encoding, element by element).
        let mut out = crate::binary::to_bytes(&(self.summary, self.tickets));
        out.extend_from_slice(&self.centre.to_bytes());
        out
    }

    /// A snapshot read back from [`ReplaySnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Snapshot`](crate::Error::Snapshot) when the bytes are not a snapshot of
    /// this version; whether it fits a network is checked by [`Replay::from_snapshot`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        let ((summary, tickets), rest) = crate::binary::take_from_bytes(bytes)?;
        Ok(ReplaySnapshot {
            centre: CommandCentreSnapshot::from_bytes(rest)?,
            summary,
            tickets,
        })
    }
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
/// let mut replay = Replay::new(net, EngineOptions::default()).unwrap();
/// let summary = replay.run(events.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
/// assert_eq!(summary.rows, 1);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.lines().last().unwrap().contains("\"type\":\"summary\""));
/// ```
pub struct Replay {
    centre: CommandCentre,
    summary: ReplaySummary,
    records: RecordBuffer,
    /// Whether work orders and notices follow the engine (see
    /// [`Replay::inference_only`]).
    tickets: bool,
    /// The head-end pings go through, and the choice of pings.
    verify: Option<Verifier>,
}

/// Verification in the loop: a head-end, the policy that chooses what to ping, and
/// reusable buffers for answers and requests.
struct Verifier {
    head_end: Box<dyn HeadEnd>,
    policy: PingPolicy,
    answers: Vec<Event>,
    requests: Vec<PingRequest>,
}

impl Replay {
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

    /// How long a prediction stands before its order opens in a replay with a
    /// head-end: until its first round of pings has been answered, or reported off
    /// for want of an answer ([`PingBudget::settle`] plus
    /// [`SimulatedHeadEnd::GIVE_UP`](crate::service::SimulatedHeadEnd::GIVE_UP), 90 s by
    /// default). A ping that answers off confirms the outage and opens its order at
    /// once; one that moves it moves the order's device before any crew is sent. The
    /// wait is small beside the time limits (a crew is due on site in 45 minutes
    /// at the soonest), so it never costs a limit.
    pub fn ami_order_after(budget: &PingBudget) -> crate::Millis {
        budget.settle + crate::service::SimulatedHeadEnd::GIVE_UP
    }

    /// How sure the engine must be of a predicted outage before its order opens in a
    /// replay.
    pub const ORDER_CONFIDENCE: f64 = 0.9;

    /// How long a less sure prediction stands before its order opens in a replay.
    pub const ORDER_UNSURE_AFTER: crate::Millis = 10 * crate::MINUTE;

    /// A replay over a network, with [`Replay::centre_options`]; it keeps the network
    /// as [`Engine::new`] does.
    ///
    /// # Errors
    /// [`SwitchingError`](crate::SwitchingError) when the network's normal state is not
    /// radial.
    pub fn new(
        net: impl Into<Arc<Network>>,
        opts: EngineOptions,
    ) -> Result<Self, crate::SwitchingError> {
        Self::with_options(net, opts, Self::centre_options())
    }

    /// A replay with the given ticket-layer options.
    ///
    /// # Errors
    /// As [`Replay::new`].
    pub fn with_options(
        net: impl Into<Arc<Network>>,
        opts: EngineOptions,
        centre: CommandCentreOptions,
    ) -> Result<Self, crate::SwitchingError> {
        let net = net.into();
        Ok(Replay {
            centre: CommandCentre::new(Arc::clone(&net), opts, centre)?,
            summary: ReplaySummary::default(),
            records: RecordBuffer::new(net, |_| Vec::new()),
            tickets: true,
            verify: None,
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
    /// let mut replay = Replay::inference_only(net, EngineOptions::default()).unwrap();
    /// let summary = replay.run(csv.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
    /// assert_eq!((summary.outages, summary.tickets), (1, 0));
    /// let text = String::from_utf8(out).unwrap();
    /// assert!(text.contains(r#""type":"outage""#) && !text.contains(r#""type":"ticket""#));
    /// ```
    ///
    /// # Errors
    /// As [`Replay::new`].
    pub fn inference_only(
        net: impl Into<Arc<Network>>,
        opts: EngineOptions,
    ) -> Result<Self, crate::SwitchingError> {
        let mut r = Self::new(net, opts)?;
        r.tickets = false;
        Ok(r)
    }

    /// This replay with verification in the loop (replay contract version 2): after
    /// each step the engine's ping policy chooses meters to ping within `budget`, the
    /// head-end sends them (each printed as a `ping` record), and its answers are fed
    /// to the engine, merged into the events by time. An answer due after the last
    /// event is never read. A snapshot does not hold the head-end or the policy.
    ///
    /// ```
    /// use outage_locator::service::{PingBudget, SimulatedHeadEnd, SupplyTable};
    /// use outage_locator::{EngineOptions, Replay, import_opendss};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// let (net, _) = import_opendss(path).unwrap();
    /// let supply = SupplyTable::read(&net, "meter,off,on\n".as_bytes()).unwrap();
    /// let head_end = Box::new(SimulatedHeadEnd::new(supply, 1));
    /// let mut replay = Replay::new(net, EngineOptions::default())
    ///     .unwrap()
    ///     .with_head_end(head_end, PingBudget::default());
    /// let events = "time,kind,id,detail\n2026-07-01T12:00:00Z,call,s1a,no_power\n";
    /// let mut out = Vec::new();
    /// let summary = replay.run(events.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
    /// assert!(summary.pings.is_some());
    /// assert!(String::from_utf8(out).unwrap().contains(r#""pings":"#));
    /// ```
    pub fn with_head_end(mut self, head_end: Box<dyn HeadEnd>, budget: PingBudget) -> Self {
        self.summary.pings = Some(self.summary.pings.unwrap_or(0));
        let orders = self.centre.orders_mut().options_mut();
        orders.open_after = orders.open_after.max(Self::ami_order_after(&budget));
        self.verify = Some(Verifier {
            head_end,
            policy: PingPolicy::new(budget),
            answers: Vec::new(),
            requests: Vec::new(),
        });
        self
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
    ///
    /// # Errors
    /// As [`CommandCentre::from_snapshot`].
    pub fn from_snapshot(
        net: impl Into<Arc<Network>>,
        snap: ReplaySnapshot,
    ) -> Result<Self, crate::Error> {
        let net = net.into();
        Ok(Replay {
            centre: CommandCentre::from_snapshot(Arc::clone(&net), snap.centre)?,
            summary: snap.summary,
            records: RecordBuffer::new(net, |_| Vec::new()),
            tickets: snap.tickets,
            verify: None,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        self.centre.engine()
    }

    /// The work orders.
    pub fn orders(&self) -> &WorkOrders {
        self.centre.orders()
    }

    /// The command centre.
    pub fn centre(&self) -> &CommandCentre {
        &self.centre
    }

    /// The command centre, to act on orders between events.
    pub fn centre_mut(&mut self) -> &mut CommandCentre {
        &mut self.centre
    }

    /// The counts so far.
    pub fn summary(&self) -> ReplaySummary {
        self.summary
    }

    /// Feeds one event; returns the records it produced. They borrow the replay (their
    /// names are the network's): to keep them past the next event, serialise them or
    /// count them into [`Conclusions`](crate::bench::metrics::Conclusions).
    pub fn feed(&mut self, ev: Event) -> &[Record<'_>] {
        self.summary.rows += 1;
        self.records
            .with_dependent_mut(|_, records| records.clear());
        if let Some(v) = &mut self.verify
            && v.head_end.next_answer().is_some_and(|t| t <= ev.time)
        {
            let mut answers = std::mem::take(&mut v.answers);
            v.head_end.answers_until(ev.time, &mut answers);
            for a in answers.drain(..) {
                self.step(a);
            }
            if let Some(v) = &mut self.verify {
                v.answers = answers;
            }
        }
        self.step(ev);
        self.records.borrow_dependent()
    }

    /// One step of the centre: the event in, its records out, and the pings the
    /// policy chooses after it sent.
    fn step(&mut self, ev: Event) {
        self.centre.ingest_inference_only(ev);
        self.follow_tickets();
        self.emit();
        self.send_pings();
    }

    /// Appends the records of the centre's last step to the record buffer.
    fn emit(&mut self) {
        let (centre, summary) = (&self.centre, &mut self.summary);
        self.records
            .with_dependent_mut(|net, records| emit(centre, net, records, summary));
    }

    /// Sends the pings the policy chooses after the centre's last step, each with its
    /// `ping` record.
    fn send_pings(&mut self) {
        let Some(v) = &mut self.verify else { return };
        let engine = self.centre.engine();
        v.policy
            .choose(engine, self.centre.last().changes, &mut v.requests);
        let at = engine.clock();
        let summary = &mut self.summary;
        self.records.with_dependent_mut(|net, records| {
            for r in v.requests.drain(..) {
                v.head_end.ping(r.meter, at);
                *summary.pings.get_or_insert(0) += 1;
                records.push(Record::Ping {
                    at,
                    meter: &net.customer(r.meter).name,
                    outage: r.outage,
                });
            }
        });
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
    pub fn finish(&mut self) -> &[Record<'_>] {
        self.records
            .with_dependent_mut(|_, records| records.clear());
        self.centre.flush_inference_only();
        self.follow_tickets();
        self.emit();
        self.send_pings();
        let summary = self.summary.record();
        self.records
            .with_dependent_mut(|_, records| records.push(summary));
        self.records.borrow_dependent()
    }

    /// Replays a whole event file: records to `out`, skipped rows to `diag`. The file
    /// is read and parsed on a second thread, a few thousand rows ahead of the engine
    /// (the output is the same as reading row by row). A row far ahead of the clock
    /// ([`Engine::is_far_ahead`]) is skipped.
    ///
    /// # Errors
    /// [`ReplayError::Write`] when `out` or `diag` cannot be written (the replay stops);
    /// after the records are finished, [`ReplayError::Unreadable`] when the input
    /// failed part-way, [`ReplayError::NoRows`] when it held no row and
    /// [`ReplayError::NothingUsable`] when every row was skipped.
    pub fn run(
        &mut self,
        events: impl Read + Send,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> Result<ReplaySummary, ReplayError> {
        let net = Arc::clone(self.engine().shared_network());
        run_event_file(self, &net, events, out, diag)
    }
}

/// The records of a replay's last step; their names borrow the network the buffer
/// keeps (the one the replay's engine shares).
type RecordVec<'n> = Vec<Record<'n>>;

self_cell::self_cell!(
    struct RecordBuffer {
        owner: Arc<Network>,
        #[covariant]
        dependent: RecordVec,
    }
);

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
/// records, then the remaining ticket records, with call records in place, and last the
/// plans of the outages the step confirmed.
fn emit<'n>(
    centre: &CommandCentre,
    net: &'n Network,
    records: &mut Vec<Record<'n>>,
    summary: &mut ReplaySummary,
) {
    let engine = centre.engine();
    let orders = centre.orders();
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
    for (oid, plan) in centre.last_plans() {
        let fault = engine
            .outage(*oid)
            .map(|o| net.outage_device_name(o.device));
        let switching = centre.switching().open_for(*oid);
        let ticket = orders.order_of(*oid);
        records.push(Record::plan(
            at,
            *oid,
            ticket,
            switching,
            fault.unwrap_or(""),
            plan,
        ));
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
    /// The clock, when an event at `t` lies implausibly far ahead of it (the row is
    /// skipped rather than moving the clock).
    fn far_ahead(&self, t: Timestamp) -> Option<Timestamp> {
        let _ = t;
        None
    }
}

impl RecordEngine for Replay {
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
    fn far_ahead(&self, t: Timestamp) -> Option<Timestamp> {
        let engine = self.engine();
        engine.is_far_ahead(t).then(|| engine.clock())
    }
}

/// Replays an event file through an engine: records to `out` as JSON Lines, skipped
/// rows to `diag`. The records are finished (the summary last) also when the events
/// turn out unusable; then the error says why.
pub(crate) fn run_event_file(
    engine: &mut impl RecordEngine,
    net: &Network,
    events: impl Read + Send,
    out: &mut impl Write,
    diag: &mut impl Write,
) -> Result<ReplaySummary, ReplayError> {
    let mut buf = Vec::with_capacity(256);
    let mut first_skip = None;
    let mut unreadable = None;
    // Reading, parsing and name lookup (a third of a replay) run on their own thread,
    // in batches, while the engine works through the rows already parsed: in order,
    // so the output is exactly that of reading row by row.
    std::thread::scope(|scope| -> Result<(), ReplayError> {
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
                let skipped = match row {
                    Ok((line, ev)) => match engine.far_ahead(ev.time) {
                        None => {
                            write_records(engine.feed(ev), out, &mut buf).map_err(records)?;
                            continue;
                        }
                        Some(clock) => EventError::FarAhead {
                            line,
                            time: ev.time.to_string(),
                            clock: clock.to_string(),
                        },
                    },
                    Err(e @ EventError::Unreadable { .. }) => {
                        unreadable = Some(e);
                        continue;
                    }
                    Err(e) => e,
                };
                engine.skip();
                writeln!(diag, "{}", describe(&skipped)).map_err(diagnostics)?;
                first_skip.get_or_insert(skipped);
            }
            let _ = spent.send(batch);
        }
        Ok(())
    })?;
    write_records(engine.finish(), out, &mut buf).map_err(records)?;
    out.flush().map_err(records)?;
    outcome(engine.summary(), unreadable, first_skip)
}

/// A finished replay's outcome: its counts, or why its events were not usable.
fn outcome(
    summary: ReplaySummary,
    unreadable: Option<EventError>,
    first_skip: Option<EventError>,
) -> Result<ReplaySummary, ReplayError> {
    match (unreadable, first_skip) {
        (Some(e), _) => Err(ReplayError::Unreadable(e)),
        (None, _) if summary.rows == 0 => Err(ReplayError::NoRows),
        (None, Some(first)) if summary.skipped == summary.rows => Err(ReplayError::NothingUsable {
            rows: summary.rows,
            first,
        }),
        _ => Ok(summary),
    }
}

fn records(source: std::io::Error) -> ReplayError {
    ReplayError::Write {
        stream: "records",
        source,
    }
}

fn diagnostics(source: std::io::Error) -> ReplayError {
    ReplayError::Write {
        stream: "diagnostics",
        source,
    }
}

/// Opens an events file for [`Replay::run`]: `-` is standard input; otherwise a
/// regular file or a pipe (a folder or a device such as `/dev/zero` is refused, as
/// they would read as one unreadable row or without end).
///
/// # Errors
/// [`ReplayError::Open`] naming the file and why it is not read.
pub fn open_events(path: &str) -> Result<Box<dyn Read + Send>, ReplayError> {
    use std::os::unix::fs::FileTypeExt;
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let refuse = |reason| ReplayError::Open {
        path: path.into(),
        reason,
    };
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(FileRefusal::NotFound),
        kind => refuse(FileRefusal::Unreadable(kind)),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let kind = file.metadata().map_err(io)?.file_type();
    if !(kind.is_file() || kind.is_fifo()) {
        return Err(refuse(FileRefusal::NotAFile));
    }
    Ok(Box::new(file))
}

/// Rows parsed ahead of the engine are handed over this many at a time.
const READ_BATCH: usize = 1024;
/// Batches the reader may have ready before it waits for the engine.
const READ_AHEAD: usize = 8;

/// Writes records as JSON Lines, one per line, through `buf` (reused between calls so
/// that a long run serialises without allocating).
///
/// # Errors
/// Writing to `out` fails.
pub fn write_records(
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
