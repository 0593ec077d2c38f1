//! A replay of the inference split by substation: engines that each hold whole trees
//! of the network run in parallel between refresh boundaries, and their records are
//! merged into exactly what one engine prints.
//!
//! # How the split stays exact
//!
//! * **Parts.** The trees of the network's normal state (one per source: a substation
//!   on a utility network) are dealt to the parts, largest first to the least loaded
//!   part. Each part is an [`Engine`] of its own over the whole network that sees only
//!   its trees' events: nothing in the engine crosses a tree between two refreshes.
//! * **Clock.** Every part sees every distinct time: the first event at a new time
//!   goes to its part, and every other part gets a tick at that time before its next
//!   event, so timers and refreshes run at the same moments as in one engine.
//! * **Boundaries.** The rates and the fault intensity change only at the periodic
//!   refresh ([`Engine`]'s rate samples are gathered and applied there); at each
//!   refresh time the parts stop, their totals are summed (integer sums) and every
//!   part applies the sums. Between two boundaries the parts run in parallel
//!   (`rayon`).
//! * **Merge.** One engine orders a step's changes by the tree they concern, so the
//!   merged step is the parts' changes merged by tree; outage ids are renumbered in
//!   the order one engine opens them (planned and disconnection outages first, then
//!   fault outages largest first, by device).
//!
//! A day with switching (a transfer can move customers between trees) and a network
//! of one tree replay on one engine. Work orders are not split: the replay is of the
//! inference alone, as [`Replay::inference_only`](super::Replay::inference_only) prints it.
//!
//! # Complexity
//! As one engine's per event, divided among the parts, plus O(parts) per distinct
//! time (the ticks) and O(parts) per boundary; the merge is O(records · log parts).

use std::cmp::Reverse;
use std::io::{Read, Write};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Record, RecordOp, ReplayError, ReplaySummary, describe, write_records};
use crate::error::EventError;
use crate::evidence::{Event, EventReader, EventRow, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{
    BoundaryTotals, Change, Engine, EngineOptions, EngineWarnings, OutageCause, OutageId,
    OutageStatus,
};
use crate::network::Network;
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// A replay of the inference alone split over engines per group of substations, with
/// the output of [`Replay::inference_only`](super::Replay::inference_only) byte for byte.
///
/// ```
/// use outage_locator::{EngineOptions, Replay, import_opendss};
/// use outage_locator::replay::PartitionedReplay;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let csv = "time,kind,id,detail\n2026-07-01T12:00:00Z,device_open,relay.brk_sw1,\n";
/// let mut out = Vec::new();
/// let net = std::sync::Arc::new(net);
/// let replay = PartitionedReplay::new(net.clone(), EngineOptions::default(), 2).unwrap();
/// let (_summary, _warnings, engines) =
///     replay.run(csv.as_bytes(), &mut out, &mut std::io::sink()).unwrap();
/// // IEEE 123 is one tree: one engine.
/// assert_eq!(engines, 1);
/// // The same records as one engine's inference.
/// let mut one = Vec::new();
/// let mut single = Replay::inference_only(net, EngineOptions::default()).unwrap();
/// single.run(csv.as_bytes(), &mut one, &mut std::io::sink()).unwrap();
/// assert_eq!(out, one);
/// ```
pub struct PartitionedReplay {
    net: Arc<Network>,
    opts: EngineOptions,
    threads: usize,
    engines: Vec<Engine>,
}

/// One part: its engine, the events of the current stretch (with the index of the
/// step of one engine they belong to) and the changes they produced.
struct Part {
    engine: Engine,
    queue: Vec<(u32, Event)>,
    out: Vec<Pending>,
}

/// A change of a part, read right after its step: what its record prints.
struct Pending {
    step: u32,
    /// The tree it concerns (the top device), the order within a step.
    root: OutageDeviceId,
    at: Timestamp,
    what: What,
}

enum What {
    Outage {
        op: RecordOp,
        id: OutageId,
        device: OutageDeviceId,
        cause: OutageCause,
        status: OutageStatus,
        customers: u32,
        confidence: f64,
    },
    Call {
        customer: CustomerId,
        cause: Option<OutageCause>,
        outage: Option<OutageId>,
    },
    Momentary {
        device: OutageDeviceId,
        customers: u32,
    },
}

impl PartitionedReplay {
    /// A partitioned replay over a network on up to `threads` engines (at least one).
    ///
    /// # Errors
    /// [`SwitchingError`](crate::SwitchingError) when the network's normal state is not
    /// radial.
    pub fn new(
        net: impl Into<Arc<Network>>,
        opts: EngineOptions,
        threads: usize,
    ) -> Result<Self, crate::SwitchingError> {
        let net = net.into();
        let threads = threads.max(1);
        let engines = (0..threads)
            .into_par_iter()
            .map(|_| Engine::new(Arc::clone(&net), opts.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PartitionedReplay {
            net,
            opts,
            threads,
            engines,
        })
    }

    /// Replays a whole event file as [`Replay::run`](super::Replay::run) does for
    /// [`Replay::inference_only`](super::Replay::inference_only): the same records to `out`, the same diagnostics to
    /// `diag`. The file is read whole first (a day with switching needs to be known
    /// before the split). Returns the counts, the engines' warnings summed, and how
    /// many engines ran (one for a network of one tree or a day with switching).
    ///
    /// # Errors
    /// As [`Replay::run`](super::Replay::run).
    pub fn run(
        self,
        events: impl Read + Send,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> Result<(ReplaySummary, EngineWarnings, usize), ReplayError> {
        let net = Arc::clone(&self.net);
        let rows: Vec<EventRow> = EventReader::new(events, &net).collect();
        let engines = self.engines;
        let (part_of, used) = deal(&net, engines[0].view(), engines.len());
        let switching = rows.iter().any(|r| match r {
            Ok((_, ev)) => match ev.evidence {
                Evidence::DeviceOpen { device } | Evidence::DeviceClose { device } => {
                    engines[0].is_switch(device)
                }
                _ => false,
            },
            Err(_) => false,
        });
        let mut parts: Vec<Part> = engines
            .into_iter()
            .map(|engine| Part {
                engine,
                queue: Vec::new(),
                out: Vec::new(),
            })
            .collect();
        if switching || used < 2 || self.opts.refresh_interval <= 0 {
            parts.truncate(1);
        }
        let used = parts.len();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .ok();
        let mut run = Run {
            pool,
            net: &net,
            parts,
            part_of,
            opts: &self.opts,
            merge: Merge::default(),
            buf: Vec::with_capacity(256),
        };
        let summary = run.rows(rows, out, diag)?;
        Ok((summary, run.warnings(), used))
    }
}

/// Deals the trees of the normal state to `parts` parts, largest first to the least
/// loaded: the part of every outage device (devices without supply go to the first),
/// and how many parts hold a tree. O(devices + trees · parts).
fn deal(net: &Network, view: &EnergizationView, parts: usize) -> (Vec<u16>, usize) {
    let nd = net.outage_device_count();
    let mut root_of = vec![u32::MAX; nd];
    let mut roots = Vec::new();
    for &d in view.preorder() {
        root_of[d.index()] = match view.parent(d) {
            Some(p) => root_of[p.index()],
            None => {
                roots.push(d);
                d.0
            }
        };
    }
    roots.sort_by_key(|&r| (Reverse(view.customer_count_below(r)), r));
    let mut load = vec![0u64; parts];
    let mut part_of_root = std::collections::HashMap::new();
    for r in roots {
        let p = (0..parts).min_by_key(|&p| (load[p], p)).unwrap_or(0);
        load[p] += view.customer_count_below(r) as u64 + 1;
        part_of_root.insert(r.0, p as u16);
    }
    let used = load.iter().filter(|&&l| l > 0).count();
    let part_of = root_of
        .iter()
        .map(|r| part_of_root.get(r).copied().unwrap_or(0))
        .collect();
    (part_of, used)
}

/// A run in progress: the parts, the routing, and the merge of their records.
struct Run<'a> {
    /// The threads the parts run on (rayon's global pool when the system refused
    /// threads of our own).
    pool: Option<rayon::ThreadPool>,
    net: &'a Network,
    parts: Vec<Part>,
    part_of: Vec<u16>,
    opts: &'a EngineOptions,
    merge: Merge,
    buf: Vec<u8>,
}

/// The renumbering of outage ids and the counts.
#[derive(Default)]
struct Merge {
    /// Per part, the id one engine gives each of the part's outages (by local id).
    ids: Vec<Vec<u32>>,
    next: u32,
    summary: ReplaySummary,
}

impl Run<'_> {
    /// Routes every row to its part, runs the parts between boundaries and writes the
    /// merged records, then the summary; skipped rows are described on `diag`.
    fn rows(
        &mut self,
        rows: Vec<EventRow>,
        out: &mut impl Write,
        diag: &mut impl Write,
    ) -> Result<ReplaySummary, ReplayError> {
        self.merge.ids = vec![Vec::new(); self.parts.len()];
        self.merge.next = 1;
        let (mut clock, mut last_refresh) = (Timestamp::NEVER, Timestamp::NEVER);
        let mut step = 0u32;
        let (mut first_skip, mut unreadable) = (None, None);
        for row in rows {
            let skipped = match row {
                Ok((line, ev)) if self.far_ahead(clock, ev.time) => EventError::FarAhead {
                    line,
                    time: ev.time.to_string(),
                    clock: clock.to_string(),
                },
                Ok((_, ev)) => {
                    self.merge.summary.rows += 1;
                    let t = ev.time;
                    let advances = clock == Timestamp::NEVER || t > clock;
                    if clock == Timestamp::NEVER {
                        last_refresh = t;
                    } else if t > clock && t.0 - last_refresh.0 >= self.opts.refresh_interval {
                        self.stretch(out)?;
                        self.share(true);
                        last_refresh = t;
                    }
                    if advances {
                        clock = t;
                    }
                    self.route(step, ev, advances);
                    step += 1;
                    continue;
                }
                Err(e @ EventError::Unreadable { .. }) => {
                    unreadable = Some(e);
                    continue;
                }
                Err(e) => e,
            };
            self.merge.summary.rows += 1;
            self.merge.summary.skipped += 1;
            writeln!(diag, "{}", describe(&skipped)).map_err(super::diagnostics)?;
            first_skip.get_or_insert(skipped);
        }
        self.stretch(out)?;
        self.share(false);
        self.flush(step);
        self.write_stretch(out)?;
        let summary = self.merge.summary;
        let mut buf = std::mem::take(&mut self.buf);
        write_records(&[summary.record()], out, &mut buf).map_err(super::records)?;
        out.flush().map_err(super::records)?;
        super::outcome(summary, unreadable, first_skip)
    }

    /// Whether one engine would skip an event at `t` as far ahead of its clock.
    fn far_ahead(&self, clock: Timestamp, t: Timestamp) -> bool {
        clock != Timestamp::NEVER
            && t.0
                > clock
                    .0
                    .saturating_add(self.opts.late_window)
                    .saturating_add(Engine::MAX_AHEAD)
    }

    /// Queues an event for its part (a tick for every part), and a tick at a new time
    /// for every other part.
    fn route(&mut self, step: u32, ev: Event, advances: bool) {
        let owner = match ev.evidence {
            Evidence::Call { customer: c, .. }
            | Evidence::LastGasp { meter: c }
            | Evidence::PowerRestore { meter: c }
            | Evidence::Ping { meter: c, .. }
            | Evidence::Disconnect { meter: c }
            | Evidence::Reconnect { meter: c } => self.part_of.get(c.index()).copied(),
            Evidence::DeviceOpen { device: d }
            | Evidence::DeviceClose { device: d }
            | Evidence::PlannedOutage { device: d, .. } => self.part_of.get(d.index()).copied(),
            // A fault indicator names a line, not a device of the outage tree: every
            // part keeps the reading (it never enters the counts).
            Evidence::Tick | Evidence::FaultIndicator { .. } => None,
        };
        let owner = owner.map(|p| p as usize % self.parts.len());
        for (p, part) in self.parts.iter_mut().enumerate() {
            if Some(p) == owner || owner.is_none() {
                part.queue.push((step, ev));
            } else if advances {
                let tick = Event {
                    time: ev.time,
                    evidence: Evidence::Tick,
                };
                part.queue.push((step, tick));
            }
        }
    }

    /// Runs every part through its queued events (in parallel), then writes the merged
    /// records of the stretch.
    fn stretch(&mut self, out: &mut impl Write) -> Result<(), ReplayError> {
        self.each_part(Part::run);
        self.write_stretch(out)
    }

    /// The network-wide totals at a boundary, applied by every part.
    fn share(&mut self, advancing: bool) {
        let mut totals = BoundaryTotals::default();
        for p in &self.parts {
            totals.merge(p.engine.boundary_totals(advancing));
        }
        for p in &mut self.parts {
            p.engine.share_boundary(totals);
        }
    }

    /// Ends the stream in every part.
    fn flush(&mut self, step: u32) {
        self.each_part(|p| {
            p.engine.flush_step();
            p.collect(step);
        });
    }

    /// Runs `f` on every part, in parallel.
    fn each_part(&mut self, f: impl Fn(&mut Part) + Send + Sync) {
        let parts = &mut self.parts;
        match &self.pool {
            Some(pool) => pool.install(|| parts.par_iter_mut().for_each(f)),
            None => parts.par_iter_mut().for_each(f),
        }
    }

    /// The parts' summed warnings.
    fn warnings(&self) -> EngineWarnings {
        let mut w = EngineWarnings::default();
        for p in &self.parts {
            let x = p.engine.warnings();
            w.too_late += x.too_late;
            w.duplicates += x.duplicates;
            w.stale += x.stale;
            w.far_ahead += x.far_ahead;
            w.foreign_ids += x.foreign_ids;
        }
        w
    }

    /// Writes the parts' records step by step: outage ids renumbered as one engine
    /// numbers them, each step's records merged by tree.
    fn write_stretch(&mut self, out: &mut impl Write) -> Result<(), ReplayError> {
        let mut at = vec![0usize; self.parts.len()];
        let mut order: Vec<(OutageDeviceId, usize, usize)> = Vec::new();
        let mut records: Vec<Record<'_>> = Vec::new();
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            let step = self
                .parts
                .iter()
                .zip(&at)
                .filter_map(|(p, &i)| p.out.get(i).map(|x| x.step))
                .min();
            let Some(step) = step else { break };
            order.clear();
            for (p, part) in self.parts.iter().enumerate() {
                while let Some(x) = part.out.get(at[p]).filter(|x| x.step == step) {
                    order.push((x.root, p, at[p]));
                    at[p] += 1;
                }
            }
            self.merge.number(&self.parts, &order);
            // Stable: a tree's changes keep their order, and trees are in one part each.
            order.sort_by_key(|&(root, p, _)| (root, p));
            records.clear();
            for &(_, p, i) in &order {
                records.push(self.merge.record(self.net, p, &self.parts[p].out[i]));
            }
            write_records(&records, out, &mut buf).map_err(super::records)?;
        }
        self.buf = buf;
        for p in &mut self.parts {
            p.out.clear();
        }
        Ok(())
    }
}

impl Merge {
    /// Gives the outages a step opens their ids, in the order one engine opens them:
    /// planned and disconnection outages (opened by the event) first, then fault
    /// outages largest first, by device.
    fn number(&mut self, parts: &[Part], order: &[(OutageDeviceId, usize, usize)]) {
        let mut opened: Vec<(bool, Reverse<u32>, OutageDeviceId, usize, OutageId)> = order
            .iter()
            .filter_map(|&(_, p, i)| match parts[p].out[i].what {
                What::Outage {
                    op: RecordOp::Open,
                    id,
                    device,
                    cause,
                    ..
                } => {
                    let below = parts[p].engine.view().customer_count_below(device);
                    Some((cause == OutageCause::Fault, Reverse(below), device, p, id))
                }
                _ => None,
            })
            .collect();
        if opened.len() > 1 {
            opened.sort_by_key(|&(fault, below, device, p, id)| (fault, below, device, p, id.0));
        }
        for (_, _, _, p, id) in opened {
            let ids = &mut self.ids[p];
            let local = id.0 as usize;
            if ids.len() <= local {
                ids.resize(local + 1, 0);
            }
            ids[local] = self.next;
            self.next += 1;
        }
    }

    /// The id one engine gives a part's outage.
    fn global(&self, p: usize, id: OutageId) -> OutageId {
        OutageId(self.ids[p].get(id.0 as usize).copied().unwrap_or(0))
    }

    /// The record of a part's change, with ids renumbered.
    fn record<'n>(&mut self, net: &'n Network, p: usize, x: &Pending) -> Record<'n> {
        let at = x.at;
        match x.what {
            What::Outage {
                op,
                id,
                device,
                cause,
                status,
                customers,
                confidence,
            } => {
                if op == RecordOp::Open {
                    self.summary.outages += 1;
                }
                Record::Outage {
                    at,
                    op,
                    outage: self.global(p, id),
                    device: net.outage_device_name(device),
                    cause,
                    status,
                    customers,
                    confidence,
                }
            }
            What::Call {
                customer,
                cause,
                outage,
            } => Record::Call {
                at,
                customer: &net.customer(customer).name,
                cause: cause.into(),
                outage: outage.map(|o| self.global(p, o)),
                ticket: None,
            },
            What::Momentary { device, customers } => Record::Momentary {
                at,
                device: net.outage_device_name(device),
                customers,
            },
        }
    }
}

impl Part {
    /// Steps the engine through the queued events, keeping what each step changed.
    fn run(&mut self) {
        let queue = std::mem::take(&mut self.queue);
        for &(step, ev) in &queue {
            self.engine.step(ev);
            self.collect(step);
        }
        self.queue = queue;
        self.queue.clear();
    }

    /// Reads the changes of the engine's last step as the replay prints them.
    fn collect(&mut self, step: u32) {
        let e = &self.engine;
        let at = e.clock();
        for ch in e.last_changes() {
            let root = e.change_root(ch);
            let what = match *ch {
                Change::Opened(oid) | Change::Updated(oid) | Change::Closed { outage: oid, .. } => {
                    let Some(o) = e.outage(oid) else { continue };
                    let op = match ch {
                        Change::Opened(_) => RecordOp::Open,
                        Change::Updated(_) => RecordOp::Update,
                        _ => RecordOp::Close,
                    };
                    What::Outage {
                        op,
                        id: oid,
                        device: o.device,
                        cause: o.cause,
                        status: o.status,
                        customers: o.customers,
                        confidence: o.confidence,
                    }
                }
                Change::Call(cl) => What::Call {
                    customer: cl.customer,
                    cause: cl.cause,
                    outage: cl.outage,
                },
                Change::Momentary(m) => What::Momentary {
                    device: m.device,
                    customers: e.view().customer_count_below(m.device),
                },
            };
            self.out.push(Pending {
                step,
                root,
                at,
                what,
            });
        }
    }
}
