//! Work orders: one proactive order per fault outage, following the engine's outages
//! through roll-ups (merge) and splits, with the crew lifecycle, the time limits of the
//! service promise and an append-only audit trail.
//!
//! # The state machine
//!
//! An order is opened when the engine predicts a fault outage ([`WorkOrders::follow`]),
//! not when the tenth call arrives. It then lives through
//!
//! ```text
//! created → dispatched → en route → on site → restored → closed
//! ```
//!
//! each step time-stamped with the crew ([`WorkOrder::steps`]); the crew's steps come in
//! as [`Action`]s, restoration also from the engine. The order follows its outage: when
//! the engine rolls a prediction up (`Closed { merged_into }`), the child's order merges
//! into the parent's; when an outage splits, the engine opens a second outage and a second
//! order opens with it. There is never more than one open order for an outage, and
//! following the same changes twice changes nothing. Every change is appended to the
//! audit trail ([`WorkOrders::audit`]).
//!
//! # Rooms
//!
//! This file holds [`WorkOrders`], its state and its read-only accessors; the rest is
//! in rooms of one job each, in the order an order lives:
//!
//! - `source`: what the ticket layer reads from the inference ([`OutageSource`]).
//! - `order`: the [`WorkOrder`] and its parts: id, [`Priority`], [`OrderState`] and
//!   [`Step`]s, [`Closing`], [`Etr`], [`LinkedCall`]s.
//! - `options`: [`WorkOrderOptions`].
//! - `assess`: what an order needs to know about a device (customers, critical
//!   customers, zone, position: [`device_position`]).
//! - `opening`: orders opened for a fault outage or a lone caller, and kept in line when
//!   the outage moves.
//! - `follow`: following the engine's changes ([`WorkOrders::follow`]): opening,
//!   holding predictions, merging on roll-ups, restoring, cancelling.
//! - `calls`: calls linked to orders, and unexplained calls kept until an order covers
//!   them.
//! - `lifecycle`: the state machine ([`Action`], [`WorkOrders::apply`], [`TicketError`]).
//! - `dispatch`: the crew roster, [`CrewState`], positions and arrival estimates.
//! - `limits`: the time limits of the service promise ([`TimeLimits`], [`LimitStatus`]).
//! - `deadlines`: the watch that raises warnings and breaches and moves on estimates.
//! - `history`: historical restoration times ([`RestorationHistory`]) and estimates.
//! - `changes`: what each call reports ([`WorkOrderChange`], [`Fields`]).
//! - `audit`: the append-only trail ([`AuditEntry`], [`AuditEvent`]).
//!
//! Supervision of the promise across orders is [`supervision`](crate::service::supervision).

mod assess;
mod audit;
mod calls;
mod changes;
mod deadlines;
mod dispatch;
mod follow;
mod history;
mod lifecycle;
mod limits;
mod opening;
mod options;
mod order;
mod source;

pub use assess::device_position;
pub(crate) use assess::majority;
pub use audit::{AuditEntry, AuditEvent};
pub use changes::{Fields, WorkOrderChange};
pub use dispatch::CrewState;
pub use history::RestorationHistory;
pub use lifecycle::{Action, TicketError};
pub use limits::{LimitKind, LimitState, LimitStatus, TimeLimits, ZoneLimits};
pub use options::WorkOrderOptions;
pub use order::{
    Closing, Etr, EtrSource, FaultCause, LinkedCall, OrderState, Priority, Step, WorkOrder,
    WorkOrderId,
};
pub use source::OutageSource;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;
use crate::inference::OutageId;
use crate::service::crews::{Crew, CrewId};
use crate::time::{MINUTE, Millis, Timestamp};

const HOUR: Millis = 60 * MINUTE;

/// The work orders of a command centre, kept in step with an [`Engine`](crate::Engine): the orders,
/// the crew roster, the historical restoration times and the audit trail.
///
/// ```
/// use outage_locator::{Engine, EngineOptions, Event, Evidence, WorkOrders, import_opendss};
/// use outage_locator::service::{WorkOrderOptions, WorkOrderChange, OrderState};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
/// let mut orders = WorkOrders::new(WorkOrderOptions::default());
/// let fuse = net.outage_device_by_name("fuse.f_l68").unwrap();
/// let t0: outage_locator::Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
/// let below = engine.view().customers_below(fuse).to_vec();
/// for &c in &below {
///     let changes = engine.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter: c } }).to_vec();
///     orders.follow(&engine, &changes);
/// }
/// let changes = engine.ingest(Event { time: t0 + 300_000, evidence: Evidence::Tick }).to_vec();
/// let opened = orders.follow(&engine, &changes).to_vec();
/// assert!(matches!(opened[..], [WorkOrderChange::Opened(_)]));
/// let w = &orders.orders()[0];
/// assert_eq!(w.device, fuse);
/// assert_eq!(w.state, OrderState::Created);
/// assert_eq!(w.customers, 13);
/// // Following the same changes again changes nothing.
/// assert!(orders.follow(&engine, &changes).is_empty());
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkOrders {
    opts: WorkOrderOptions,
    orders: Vec<WorkOrder>,
    /// The open order of each open fault outage.
    by_outage: BTreeMap<OutageId, WorkOrderId>,
    /// The last order that followed each outage, open or closed.
    followed: BTreeMap<OutageId, WorkOrderId>,
    /// Open orders.
    open: BTreeSet<WorkOrderId>,
    /// Predicted outages waiting for `open_after`: when their order is due.
    pending: BTreeMap<OutageId, Timestamp>,
    /// No pending order is due before this (`None`: unknown). Derived.
    #[serde(skip)]
    pending_due: Option<Timestamp>,
    /// Open single-customer orders (no outage).
    single: Vec<WorkOrderId>,
    /// Recent calls that no outage explained: (time, customer).
    unlinked: VecDeque<(Timestamp, CustomerId)>,
    /// The pre-order position of each remembered call's customer, in step with
    /// `unlinked` when as long (`u32::MAX`: without supply). Derived, so that linking
    /// them to an order compares numbers instead of walking the network.
    #[serde(skip)]
    unlinked_pos: VecDeque<u32>,
    crews: Vec<Crew>,
    /// The open order of each busy crew.
    assignment: BTreeMap<CrewId, WorkOrderId>,
    history: RestorationHistory,
    audit: Vec<AuditEntry>,
    /// When each open order next needs looking at (a warning share, a due time, an
    /// estimate passing): (time, order), with stale entries. Derived: rebuilt after
    /// deserialising.
    #[serde(skip)]
    checks: BinaryHeap<Reverse<(i64, u32)>>,
    #[serde(skip)]
    checks_built: bool,
    /// One bit per customer: some order holds a call of the customer, so that a
    /// first call, the common case, is linked without searching the order's calls.
    /// Derived: rebuilt after deserialising.
    #[serde(skip)]
    linked_any: Vec<u64>,
    #[serde(skip)]
    linked_built: bool,
    #[serde(skip)]
    changes: Vec<WorkOrderChange>,
}

impl WorkOrders {
    /// Whether a restored state fits a network of `nc` customers and `nd` outage
    /// devices and an engine holding `outages` outages: every id that indexes an array
    /// in range (a snapshot that does not is refused, not left to panic later).
    pub(crate) fn fits(&self, nc: usize, nd: usize, outages: usize) -> bool {
        let n = self.orders.len();
        let order = |w: WorkOrderId| (1..=n).contains(&(w.0 as usize));
        let crew = |c: CrewId| (1..=self.crews.len()).contains(&(c.0 as usize));
        let outage = |o: OutageId| (o.0 as usize) < outages;
        let customer = |c: CustomerId| (c.0 as usize) < nc;
        self.history.fits()
            && self.orders.iter().enumerate().all(|(k, w)| {
                w.id.0 as usize == k + 1
                    && (w.device.0 as usize) < nd
                    && w.outage.is_none_or(outage)
                    && w.critical.iter().all(|&c| customer(c))
                    && w.crew.is_none_or(crew)
                    && w.merged_into.is_none_or(order)
                    && w.calls.iter().all(|l| customer(l.customer))
            })
            && self.by_outage.iter().all(|(&o, &w)| outage(o) && order(w))
            && self.followed.iter().all(|(&o, &w)| outage(o) && order(w))
            && self.open.iter().all(|&w| order(w))
            && self.pending.keys().all(|&o| outage(o))
            && self.single.iter().all(|&w| order(w))
            && self.unlinked.iter().all(|&(_, c)| customer(c))
            && self.assignment.iter().all(|(&c, &w)| crew(c) && order(w))
            && self
                .audit
                .iter()
                .all(|a| order(a.order) && a.crew.is_none_or(crew))
    }

    /// Work orders with the given options and an empty crew roster.
    pub fn new(opts: WorkOrderOptions) -> Self {
        WorkOrders {
            history: opts.history.clone(),
            opts,
            ..Default::default()
        }
    }

    /// The options.
    pub fn options(&self) -> &WorkOrderOptions {
        &self.opts
    }

    /// The time limits.
    pub fn limits(&self) -> &TimeLimits {
        &self.opts.limits
    }

    /// One order. Panics on an id this instance did not hand out.
    pub fn order(&self, id: WorkOrderId) -> &WorkOrder {
        &self.orders[id.0 as usize - 1]
    }

    /// One order, if it exists.
    pub fn get(&self, id: WorkOrderId) -> Option<&WorkOrder> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.orders.get(i))
    }

    /// All orders, in id order.
    pub fn orders(&self) -> &[WorkOrder] {
        &self.orders
    }

    /// The open orders, in id order.
    pub fn open_orders(&self) -> impl Iterator<Item = &WorkOrder> {
        self.open.iter().map(|&id| self.order(id))
    }

    /// The open order of an open outage.
    pub fn order_of(&self, o: OutageId) -> Option<WorkOrderId> {
        self.by_outage.get(&o).copied()
    }

    /// The last order that followed an outage, open or closed (a crew may close its
    /// order before the evidence of the restoration reaches the engine).
    pub fn last_order_of(&self, o: OutageId) -> Option<WorkOrderId> {
        self.followed.get(&o).copied()
    }

    /// Whether an outage is waiting for its order ([`WorkOrderOptions::open_after`]).
    pub fn is_pending(&self, o: OutageId) -> bool {
        self.pending.contains_key(&o)
    }

    /// The audit trail, oldest first. It only ever grows.
    pub fn audit(&self) -> &[AuditEntry] {
        &self.audit
    }

    /// The audit entries of one order.
    pub fn audit_of(&self, id: WorkOrderId) -> impl Iterator<Item = &AuditEntry> {
        self.audit.iter().filter(move |e| e.order == id)
    }

    /// The historical restoration times.
    pub fn history(&self) -> &RestorationHistory {
        &self.history
    }
}

/// The place of an order in [`WorkOrders::orders`] (ids count from 1).
fn idx(id: WorkOrderId) -> usize {
    id.0 as usize - 1
}
