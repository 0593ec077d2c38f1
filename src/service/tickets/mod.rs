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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::bits::{bit, set_bit};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{
    CallClassification, Change, Engine, Outage, OutageCause, OutageId, OutageStatus,
};
use crate::network::{Network, OutageDeviceClass, ServiceZone};
use crate::service::crews::{Crew, CrewId, Geometry, position_on_trip};
use crate::time::{MINUTE, Millis, Timestamp};
use crate::topology::EnergizationView;

const HOUR: Millis = 60 * MINUTE;

/// What the ticket layer reads from the inference: the outages, the clock and how a
/// customer's call classifies, over a network. [`Engine`] implements it; a scripted
/// implementation lets tests (or another engine) drive the ticket layer.
pub trait OutageSource {
    /// The network.
    fn network(&self) -> &Network;
    /// The energization view the outages are located on.
    fn view(&self) -> &EnergizationView;
    /// The clock: the latest event time seen.
    fn clock(&self) -> Timestamp;
    /// An outage by id, open or closed.
    fn outage(&self, id: OutageId) -> Option<&Outage>;
    /// Whether the customer reported a wire down.
    fn wire_down(&self, c: CustomerId) -> bool;
    /// Whether a customer below the device reported a wire down. The default asks
    /// each customer below.
    fn wire_down_below(&self, d: OutageDeviceId) -> bool {
        self.view()
            .customers_below(d)
            .iter()
            .any(|&c| self.wire_down(c))
    }
    /// How a call from the customer classifies now: the disconnection, planned or
    /// fault outage that explains it.
    fn classify(&self, c: CustomerId) -> CallClassification;
}

impl OutageSource for Engine<'_> {
    fn network(&self) -> &Network {
        Engine::network(self)
    }
    fn view(&self) -> &EnergizationView {
        Engine::view(self)
    }
    fn clock(&self) -> Timestamp {
        Engine::clock(self)
    }
    fn outage(&self, id: OutageId) -> Option<&Outage> {
        Engine::outage(self, id)
    }
    fn wire_down(&self, c: CustomerId) -> bool {
        Engine::wire_down(self, c)
    }
    fn wire_down_below(&self, d: OutageDeviceId) -> bool {
        Engine::wire_down_below(self, d)
    }
    fn classify(&self, c: CustomerId) -> CallClassification {
        Engine::classify(self, c)
    }
}

/// A work order id (`W1`, `W2`, … in the replay output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkOrderId(pub u32);

impl std::fmt::Display for WorkOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "W{}", self.0)
    }
}

/// How urgent an order is; `Emergency` sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Critical customers off supply, or a wire down.
    Emergency,
    /// Many customers ([`WorkOrderOptions::high_customers`] or more).
    High,
    /// Several customers ([`WorkOrderOptions::medium_customers`] or more).
    Medium,
    /// Fewer.
    Low,
}

impl Priority {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "emergency",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
}

/// Where an order stands. The states are ordered: an order only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Opened, no crew yet.
    Created,
    /// A crew is assigned.
    Dispatched,
    /// The crew is on its way.
    EnRoute,
    /// The crew is at the device.
    OnSite,
    /// Supply is back (reported by the crew or seen by the engine).
    Restored,
    /// Done: completed with a cause, merged into another order, or cancelled.
    Closed,
}

impl OrderState {
    /// A short name (`created`, `dispatched`, `en_route`, `on_site`, `restored`, `closed`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Created => "created",
            OrderState::Dispatched => "dispatched",
            OrderState::EnRoute => "en_route",
            OrderState::OnSite => "on_site",
            OrderState::Restored => "restored",
            OrderState::Closed => "closed",
        }
    }
}

/// What the crew found, given when the order is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultCause {
    /// Wind, lightning, ice, flooding.
    Weather,
    /// Trees and branches.
    Vegetation,
    /// Birds, squirrels, snakes.
    Animal,
    /// Equipment failure (transformer, cable, connector, insulator).
    Equipment,
    /// Third-party damage: vehicles, digging, kites.
    ThirdParty,
    /// Overload.
    Overload,
    /// The crew found no fault.
    NoFaultFound,
    /// Not established.
    Unknown,
}

/// How an order was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// Work done; the cause when the crew gave one (`None` when the order was closed
    /// automatically on restoration, see [`WorkOrderOptions::close_on_restore`]).
    Completed {
        /// The cause.
        cause: Option<FaultCause>,
    },
    /// Its outage rolled up into another outage: this order merged into that one's.
    Merged {
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Withdrawn before a crew reached the site (the prediction was retracted, or by
    /// hand).
    Cancelled,
}

/// One lifecycle step of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The state entered.
    pub state: OrderState,
    /// When.
    pub at: Timestamp,
    /// The crew on the order then.
    pub crew: Option<CrewId>,
}

/// Where an estimated restoration time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtrSource {
    /// Historical mean restoration time for the device class and zone.
    Historical,
    /// Entered by the crew.
    Crew,
    /// The previous estimate passed with the supply still off: moved on, and announced.
    Extended,
}

/// An estimated restoration time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Etr {
    /// When supply is expected back.
    pub at: Timestamp,
    /// Where the estimate comes from.
    pub source: EtrSource,
}

/// A call linked to an order (one entry per customer; repeated calls add nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedCall {
    /// The caller.
    pub customer: CustomerId,
    /// When the first call was linked.
    pub at: Timestamp,
    /// Whether the caller reported a wire down.
    pub wire_down: bool,
}

/// A time limit of the service promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// A crew dispatched, for orders with important (critical) customers.
    Dispatch,
    /// The crew on site.
    Arrival,
    /// Supply restored, counted from the crew's arrival.
    Restoration,
}

impl LimitKind {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Dispatch => "dispatch",
            LimitKind::Arrival => "arrival",
            LimitKind::Restoration => "restoration",
        }
    }

    fn bit(self) -> u8 {
        match self {
            LimitKind::Dispatch => 1,
            LimitKind::Arrival => 2,
            LimitKind::Restoration => 4,
        }
    }
}

/// The time limits of one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneLimits {
    /// Crew on site within this of the outage becoming known.
    pub arrival: Millis,
    /// Supply restored within this of the crew's arrival.
    pub restoration: Millis,
}

/// Time limits of the service promise, per zone, with the early-warning share.
///
/// The defaults are the State Grid promise: on site within 45 min (urban), 90 min
/// (rural), 2 h (remote); restored within 3 h (urban) or 4 h (rural; remote too) of
/// arrival; a crew dispatched within 5 min for important customers; warn at 80 % of
/// each limit.
///
/// ```
/// use outage_locator::{TimeLimits, ServiceZone, MINUTE};
/// let mut limits = TimeLimits::default();
/// assert_eq!(limits.arrival(ServiceZone::Rural), 90 * MINUTE);
/// limits.rural.arrival = 60 * MINUTE; // a stricter local promise
/// assert_eq!(limits.zone(ServiceZone::Rural).arrival, 60 * MINUTE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// City.
    pub urban: ZoneLimits,
    /// Countryside.
    pub rural: ZoneLimits,
    /// Remote areas.
    pub remote: ZoneLimits,
    /// A crew dispatched within this, for orders with critical customers.
    pub critical_dispatch: Millis,
    /// Early warning when this share of a limit has run (0.8: at 36 min of 45).
    pub warning_share: f64,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            urban: ZoneLimits {
                arrival: 45 * MINUTE,
                restoration: 3 * HOUR,
            },
            rural: ZoneLimits {
                arrival: 90 * MINUTE,
                restoration: 4 * HOUR,
            },
            remote: ZoneLimits {
                arrival: 2 * HOUR,
                restoration: 4 * HOUR,
            },
            critical_dispatch: 5 * MINUTE,
            warning_share: 0.8,
        }
    }
}

impl TimeLimits {
    /// The limits of a zone.
    pub fn zone(&self, z: ServiceZone) -> ZoneLimits {
        match z {
            ServiceZone::Urban => self.urban,
            ServiceZone::Rural => self.rural,
            ServiceZone::Remote => self.remote,
        }
    }

    /// The arrival limit of a zone.
    pub fn arrival(&self, z: ServiceZone) -> Millis {
        self.zone(z).arrival
    }

    /// When a limit of `span` started at `start` enters its warning share.
    pub fn warn_at(&self, start: Timestamp, due: Timestamp) -> Timestamp {
        let span = (due.0 - start.0).max(0) as f64;
        Timestamp(start.0 + (span * self.warning_share.clamp(0.0, 1.0)).round() as i64)
    }
}

/// A running mean restoration time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Mean {
    n: f64,
    total_ms: f64,
}

/// Historical restoration times (from the outage's start to supply back) per device
/// class and zone, seeded with priors and updated by every restored order.
///
/// ```
/// use outage_locator::{RestorationHistory, OutageDeviceClass, ServiceZone, MINUTE};
/// let mut h = RestorationHistory::default();
/// let before = h.mean(OutageDeviceClass::Fuse, ServiceZone::Urban);
/// h.record(OutageDeviceClass::Fuse, ServiceZone::Urban, 30 * MINUTE);
/// assert!(h.mean(OutageDeviceClass::Fuse, ServiceZone::Urban) < before);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestorationHistory {
    /// Indexed by class (as in [`OutageDeviceClass::ALL`]) times 3 plus zone.
    means: Vec<Mean>,
}

/// Pseudo-observations behind each prior mean.
const PRIOR_WEIGHT: f64 = 5.0;
/// One mean per device class and zone (urban, rural, remote).
const HISTORY_SLOTS: usize = OutageDeviceClass::ALL.len() * 3;

impl Default for RestorationHistory {
    fn default() -> Self {
        let mut means = Vec::with_capacity(HISTORY_SLOTS);
        for class in OutageDeviceClass::ALL {
            let base = match class {
                OutageDeviceClass::Service => 120,
                OutageDeviceClass::Transformer => 180,
                OutageDeviceClass::Fuse => 150,
                OutageDeviceClass::Sectionalizer => 150,
                OutageDeviceClass::Switch => 90,
                OutageDeviceClass::Recloser => 120,
                OutageDeviceClass::Breaker => 90,
                OutageDeviceClass::Source => 60,
            } as f64
                * MINUTE as f64;
            // Rural and remote repairs take longer: longer trips, fewer spares.
            for factor in [1.0, 1.3, 1.8] {
                means.push(Mean {
                    n: PRIOR_WEIGHT,
                    total_ms: base * factor * PRIOR_WEIGHT,
                });
            }
        }
        RestorationHistory { means }
    }
}

impl RestorationHistory {
    /// Whether every class and zone has its mean.
    fn fits(&self) -> bool {
        self.means.len() == HISTORY_SLOTS
    }

    fn slot(class: OutageDeviceClass, zone: ServiceZone) -> usize {
        let c = OutageDeviceClass::ALL
            .iter()
            .position(|&k| k == class)
            .unwrap_or(0);
        c * 3 + zone.index()
    }

    /// The mean restoration time of a class in a zone.
    pub fn mean(&self, class: OutageDeviceClass, zone: ServiceZone) -> Millis {
        let m = self.means[Self::slot(class, zone)];
        (m.total_ms / m.n.max(1e-9)).round() as Millis
    }

    /// Records one restoration.
    pub fn record(&mut self, class: OutageDeviceClass, zone: ServiceZone, duration: Millis) {
        let m = &mut self.means[Self::slot(class, zone)];
        m.n += 1.0;
        m.total_ms += duration.max(0) as f64;
    }
}

/// A zone's name (`urban`, `rural`, `remote`).
pub fn zone_name(z: ServiceZone) -> &'static str {
    match z {
        ServiceZone::Urban => "urban",
        ServiceZone::Rural => "rural",
        ServiceZone::Remote => "remote",
    }
}

/// What the work orders do on their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkOrderOptions {
    /// Time limits per zone.
    pub limits: TimeLimits,
    /// Orders with at least this many customers are `high`.
    pub high_customers: u32,
    /// Orders with at least this many customers are `medium`.
    pub medium_customers: u32,
    /// A predicted (not confirmed, not emergency) outage gets its order once it has
    /// stood this long: predictions the next minute of evidence withdraws get none.
    /// The promise's clock still starts when the outage opened.
    pub open_after: Millis,
    /// A predicted outage's order waits, past `open_after`, until the engine is at
    /// least this sure of it (a lone last gasp waits for a call, a ping or a
    /// neighbour's report); confirmed outages and emergencies open at once.
    pub open_confidence: f64,
    /// A prediction the engine is less sure of gets its order once it has stood this
    /// long (a stray last gasp usually ends in a power restore within minutes).
    pub open_unsure_after: Millis,
    /// Close an order as soon as the engine sees its outage restored (for unattended
    /// replays); otherwise the crew closes it with the cause.
    pub close_on_restore: bool,
    /// When an estimated restoration time passes with supply still off, it moves on by
    /// this (and the change is announced).
    pub etr_extension: Millis,
    /// Time a crew needs between dispatch and leaving.
    pub turnout: Millis,
    /// How coordinates turn into distances.
    pub geometry: Geometry,
    /// Calls that no outage explains yet are kept this long, to link them to the order
    /// that opens later.
    pub call_memory: Millis,
    /// Initial historical restoration times.
    pub history: RestorationHistory,
}

impl Default for WorkOrderOptions {
    fn default() -> Self {
        WorkOrderOptions {
            limits: TimeLimits::default(),
            high_customers: 50,
            medium_customers: 5,
            open_after: 0,
            open_confidence: 0.0,
            open_unsure_after: 0,
            close_on_restore: false,
            etr_extension: 30 * MINUTE,
            turnout: 5 * MINUTE,
            geometry: Geometry::default(),
            call_memory: 2 * HOUR,
            history: RestorationHistory::default(),
        }
    }
}

/// A work order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// Id.
    pub id: WorkOrderId,
    /// The fault outage it works on, or worked on when that closed (`None` for a
    /// single-customer order opened on a call that no outage explains).
    pub outage: Option<OutageId>,
    /// The device to go to.
    pub device: OutageDeviceId,
    /// The device's class (restoration times are kept per class and zone).
    pub class: OutageDeviceClass,
    /// The device's position (its bus), in the model's coordinates.
    pub position: Option<[f64; 2]>,
    /// The zone whose limits apply: the zone of most of the affected customers.
    pub zone: ServiceZone,
    /// Customers off supply below the device.
    pub customers: u32,
    /// The critical customers among them.
    pub critical: Vec<CustomerId>,
    /// Priority.
    pub priority: Priority,
    /// Where it stands.
    pub state: OrderState,
    /// Every step taken, in order, with its time and crew.
    pub steps: Vec<Step>,
    /// The crew on it.
    pub crew: Option<CrewId>,
    /// The department of the crew that took it.
    pub department: Option<String>,
    /// How it was closed.
    pub closing: Option<Closing>,
    /// The order it merged into.
    pub merged_into: Option<WorkOrderId>,
    /// Linked calls, one per customer, in the order they were linked (an absorbed
    /// order's calls are appended at the merge).
    pub calls: Vec<LinkedCall>,
    /// Estimated restoration time.
    pub etr: Option<Etr>,
    /// The outage's estimated start.
    pub outage_start: Timestamp,
    /// When the promise's clock started (the outage opened).
    pub promise_start: Timestamp,
    /// Since when critical customers are on it (the dispatch limit runs from then).
    pub critical_since: Option<Timestamp>,
    /// Where the crew started its trip from.
    crew_origin: Option<[f64; 2]>,
    /// Warnings and breaches already raised (bits of [`LimitKind`], breaches shifted
    /// by 4).
    alerts: u8,
}

impl WorkOrder {
    /// The step that entered a state, if taken.
    pub fn step(&self, state: OrderState) -> Option<&Step> {
        self.steps.iter().rev().find(|s| s.state == state)
    }

    /// When a state was entered, if it was.
    pub fn time_of(&self, state: OrderState) -> Option<Timestamp> {
        self.step(state).map(|s| s.at)
    }

    /// When the order was created.
    pub fn created_at(&self) -> Timestamp {
        self.steps[0].at
    }

    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.state != OrderState::Closed
    }

    /// Crew on site due.
    pub fn arrival_due(&self, limits: &TimeLimits) -> Timestamp {
        self.promise_start + limits.zone(self.zone).arrival
    }

    /// Crew dispatch due, for orders with critical customers.
    pub fn dispatch_due(&self, limits: &TimeLimits) -> Option<Timestamp> {
        self.critical_since.map(|t| t + limits.critical_dispatch)
    }

    /// Restoration due, once the crew has arrived.
    pub fn restoration_due(&self, limits: &TimeLimits) -> Option<Timestamp> {
        self.time_of(OrderState::OnSite)
            .map(|t| t + limits.zone(self.zone).restoration)
    }

    /// The status of one time limit at `now`, when it applies to this order.
    pub fn limit(
        &self,
        kind: LimitKind,
        limits: &TimeLimits,
        now: Timestamp,
    ) -> Option<LimitStatus> {
        let restored = self.time_of(OrderState::Restored);
        let (start, due, met) = match kind {
            LimitKind::Dispatch => {
                let start = self.critical_since?;
                // Supply back before a crew was sent keeps the promise too.
                let met = match (self.time_of(OrderState::Dispatched), restored) {
                    (Some(a), Some(r)) => Some(a.min(r)),
                    (a, r) => a.or(r),
                };
                (start, start + limits.critical_dispatch, met)
            }
            LimitKind::Arrival => {
                // Supply back before a crew arrived keeps the promise too.
                let met = match (self.time_of(OrderState::OnSite), restored) {
                    (Some(a), Some(r)) => Some(a.min(r)),
                    (a, r) => a.or(r),
                };
                (self.promise_start, self.arrival_due(limits), met)
            }
            LimitKind::Restoration => {
                let start = self.time_of(OrderState::OnSite)?;
                (start, start + limits.zone(self.zone).restoration, restored)
            }
        };
        let state = match met {
            Some(t) if t <= due => LimitState::MetOnTime,
            Some(_) => LimitState::MetLate,
            // Merged or cancelled before the limit was met: it no longer applies.
            None if !self.is_open() => return None,
            None if now > due => LimitState::Overdue,
            None if now >= limits.warn_at(start, due) => LimitState::Warning,
            None => LimitState::Running,
        };
        Some(LimitStatus {
            kind,
            start,
            due,
            warn_at: limits.warn_at(start, due),
            met_at: met,
            state,
        })
    }

    /// The statuses of every limit that applies, in [`LimitKind`] order.
    pub fn limits(&self, limits: &TimeLimits, now: Timestamp) -> Vec<LimitStatus> {
        [
            LimitKind::Dispatch,
            LimitKind::Arrival,
            LimitKind::Restoration,
        ]
        .into_iter()
        .filter_map(|k| self.limit(k, limits, now))
        .collect()
    }

    /// The limit that matters now: the earliest-due one not yet met, if any.
    pub fn next_limit(&self, limits: &TimeLimits, now: Timestamp) -> Option<LimitStatus> {
        self.limits(limits, now)
            .into_iter()
            .filter(|l| l.met_at.is_none())
            .min_by_key(|l| l.due)
    }

    fn alerted(&self, bit: u8) -> bool {
        self.alerts & bit != 0
    }
}

/// How a time limit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitState {
    /// Running, inside the warning share.
    Running,
    /// Past the warning share: about to breach.
    Warning,
    /// Past due.
    Overdue,
    /// Met in time.
    MetOnTime,
    /// Met, late.
    MetLate,
}

impl LimitState {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitState::Running => "running",
            LimitState::Warning => "warning",
            LimitState::Overdue => "overdue",
            LimitState::MetOnTime => "met",
            LimitState::MetLate => "met_late",
        }
    }
}

/// One time limit of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitStatus {
    /// Which limit.
    pub kind: LimitKind,
    /// When its clock started.
    pub start: Timestamp,
    /// When it is due.
    pub due: Timestamp,
    /// When the early warning comes.
    pub warn_at: Timestamp,
    /// When it was met, if it was.
    pub met_at: Option<Timestamp>,
    /// How it stands.
    pub state: LimitState,
}

/// Which fields of an order an update touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fields(u8);

impl Fields {
    /// The device (and position, customers, zone).
    pub const DEVICE: Fields = Fields(1);
    /// The priority.
    pub const PRIORITY: Fields = Fields(2);
    /// A due time.
    pub const DUE: Fields = Fields(4);
    /// The customers or the critical customers.
    pub const CUSTOMERS: Fields = Fields(8);
    /// The estimated restoration time.
    pub const ETR: Fields = Fields(16);

    /// Whether every field of `other` is in `self`.
    pub fn contains(self, other: Fields) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any field of `other` is in `self`.
    pub fn intersects(self, other: Fields) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no field is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Fields {
    type Output = Fields;
    fn bitor(self, o: Fields) -> Fields {
        Fields(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Fields {
    fn bitor_assign(&mut self, o: Fields) {
        self.0 |= o.0;
    }
}

/// What happened to a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkOrderChange {
    /// Opened.
    Opened(WorkOrderId),
    /// Fields changed.
    Updated {
        /// The order.
        order: WorkOrderId,
        /// What changed.
        fields: Fields,
    },
    /// A lifecycle step (dispatched, en route, on site, restored; a reassignment shows
    /// as `Dispatched` again).
    Progressed {
        /// The order.
        order: WorkOrderId,
        /// The state entered.
        state: OrderState,
    },
    /// Merged into another order (and closed).
    Merged {
        /// The order.
        order: WorkOrderId,
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Closed: completed or cancelled (see [`WorkOrder::closing`]).
    Closed(WorkOrderId),
    /// A call was linked.
    CallLinked {
        /// The order.
        order: WorkOrderId,
        /// The caller.
        customer: CustomerId,
    },
    /// A limit entered its warning share.
    Warning {
        /// The order.
        order: WorkOrderId,
        /// The limit.
        limit: LimitKind,
    },
    /// A limit passed its due time.
    Breached {
        /// The order.
        order: WorkOrderId,
        /// The limit.
        limit: LimitKind,
    },
}

impl WorkOrderChange {
    /// The order it is about.
    pub fn order(&self) -> WorkOrderId {
        match *self {
            WorkOrderChange::Opened(o) | WorkOrderChange::Closed(o) => o,
            WorkOrderChange::Updated { order, .. }
            | WorkOrderChange::Progressed { order, .. }
            | WorkOrderChange::Merged { order, .. }
            | WorkOrderChange::CallLinked { order, .. }
            | WorkOrderChange::Warning { order, .. }
            | WorkOrderChange::Breached { order, .. } => order,
        }
    }
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// The order.
    pub order: WorkOrderId,
    /// The crew on the order then.
    pub crew: Option<CrewId>,
    /// What happened.
    pub event: AuditEvent,
}

/// What an audit entry records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditEvent {
    /// Opened.
    Created {
        /// Its outage.
        outage: Option<OutageId>,
        /// Its device.
        device: OutageDeviceId,
        /// Its priority.
        priority: Priority,
        /// Customers off.
        customers: u32,
    },
    /// The outage moved to another device (roll-up or split).
    DeviceChanged {
        /// Before.
        from: OutageDeviceId,
        /// After.
        to: OutageDeviceId,
        /// Customers off now.
        customers: u32,
    },
    /// Priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// The zone (and so the limits) changed.
    ZoneChanged {
        /// Before.
        from: ServiceZone,
        /// After.
        to: ServiceZone,
    },
    /// The promise's clock moved earlier (an absorbed order had waited longer).
    PromiseStartChanged {
        /// Now.
        to: Timestamp,
    },
    /// A call linked.
    CallLinked {
        /// The caller.
        customer: CustomerId,
        /// A wire down.
        wire_down: bool,
    },
    /// A single-customer order now follows an outage, or an order follows another
    /// outage id.
    OutageLinked {
        /// The outage.
        outage: OutageId,
    },
    /// A lifecycle step.
    Step {
        /// The state entered.
        state: OrderState,
    },
    /// Another crew took over.
    Reassigned {
        /// The crew that left.
        from: CrewId,
    },
    /// The crew was freed (its order merged or was cancelled).
    CrewReleased {
        /// The crew.
        released: CrewId,
    },
    /// Merged into another order.
    Merged {
        /// The order that absorbed it.
        into: WorkOrderId,
    },
    /// Absorbed another order (its calls and, if this one had none, its crew).
    Absorbed {
        /// The merged order.
        from: WorkOrderId,
    },
    /// The engine retracted the outage while a crew was at it: the crew decides.
    OutageRetracted,
    /// Closed, with the cause.
    Closed {
        /// The closing.
        closing: Closing,
    },
    /// The estimated restoration time changed.
    EtrChanged {
        /// Before.
        from: Option<Timestamp>,
        /// After.
        to: Etr,
    },
    /// A limit entered its warning share.
    Warning {
        /// The limit.
        limit: LimitKind,
    },
    /// A limit passed its due time.
    Breached {
        /// The limit.
        limit: LimitKind,
    },
}

/// A command to an order, from the dispatcher or the crew's app.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Assign a crew (again: reassign).
    Dispatch {
        /// The order.
        order: WorkOrderId,
        /// The crew.
        crew: CrewId,
    },
    /// The crew left for the site.
    EnRoute {
        /// The order.
        order: WorkOrderId,
    },
    /// The crew arrived.
    OnSite {
        /// The order.
        order: WorkOrderId,
    },
    /// The crew restored supply.
    Restored {
        /// The order.
        order: WorkOrderId,
    },
    /// The crew closed the order with the cause.
    Close {
        /// The order.
        order: WorkOrderId,
        /// What was found.
        cause: FaultCause,
    },
    /// Withdraw an order no crew has reached yet.
    Cancel {
        /// The order.
        order: WorkOrderId,
    },
    /// The crew's estimated restoration time.
    CrewEstimate {
        /// The order.
        order: WorkOrderId,
        /// When supply is expected back.
        etr: Timestamp,
    },
}

/// An action that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TicketError {
    /// No such order.
    #[error("no work order {0}")]
    UnknownOrder(WorkOrderId),
    /// No such crew.
    #[error("no crew {0}")]
    UnknownCrew(CrewId),
    /// The crew is off duty.
    #[error("crew {0} is off duty")]
    CrewOffDuty(CrewId),
    /// The crew is on another open order.
    #[error("crew {crew} is busy on {order}")]
    CrewBusy {
        /// The crew.
        crew: CrewId,
        /// Its order.
        order: WorkOrderId,
    },
    /// The action does not fit the order's state.
    #[error("{order} is {state:?}: cannot {action}")]
    WrongState {
        /// The order.
        order: WorkOrderId,
        /// Its state.
        state: OrderState,
        /// What was asked.
        action: &'static str,
    },
    /// The action is timed before the order's last step.
    #[error("{order}: {at} is before its last step at {last}")]
    TimeOrder {
        /// The order.
        order: WorkOrderId,
        /// The action's time.
        at: Timestamp,
        /// The last step's time.
        last: Timestamp,
    },
}

/// What a crew is doing, derived from the order it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "crew", rename_all = "snake_case")]
pub enum CrewState {
    /// Not on duty.
    OffDuty,
    /// Free to dispatch.
    Available,
    /// On an open order.
    Assigned {
        /// The order.
        order: WorkOrderId,
        /// The order's state (dispatched, en route, on site, restored).
        state: OrderState,
    },
}

/// The work orders of a command centre, kept in step with an [`Engine`]: the orders,
/// the crew roster, the historical restoration times and the audit trail.
///
/// ```
/// use outage_locator::{Engine, EngineOptions, Event, Evidence, WorkOrders, WorkOrderOptions,
///     WorkOrderChange, OrderState, import_opendss};
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

/// The facts about a device an order needs: O(customers below).
struct Assessment {
    customers: u32,
    critical: Vec<CustomerId>,
    zone: ServiceZone,
    wire_down: bool,
    position: Option<[f64; 2]>,
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

    // ------------------------------------------------------------------------- crews

    /// Adds a crew to the roster.
    pub fn add_crew(&mut self, crew: Crew) -> CrewId {
        self.crews.push(crew);
        CrewId(self.crews.len() as u32)
    }

    /// A crew, if it exists.
    pub fn crew(&self, id: CrewId) -> Option<&Crew> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.crews.get(i))
    }

    /// The roster.
    pub fn crews(&self) -> impl Iterator<Item = (CrewId, &Crew)> {
        self.crews
            .iter()
            .enumerate()
            .map(|(i, c)| (CrewId(i as u32 + 1), c))
    }

    /// Puts a crew on or off duty (a busy crew finishes its order first: only its
    /// availability for new orders changes).
    pub fn set_on_duty(&mut self, id: CrewId, on: bool) -> Result<(), TicketError> {
        self.crew_mut(id)?.on_duty = on;
        Ok(())
    }

    /// Sets a crew's last known position (for example from its vehicle's GPS).
    pub fn set_crew_position(&mut self, id: CrewId, position: [f64; 2]) -> Result<(), TicketError> {
        self.crew_mut(id)?.position = position;
        Ok(())
    }

    fn crew_mut(&mut self, id: CrewId) -> Result<&mut Crew, TicketError> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.crews.get_mut(i))
            .ok_or(TicketError::UnknownCrew(id))
    }

    /// What a crew is doing.
    pub fn crew_state(&self, id: CrewId) -> CrewState {
        if let Some(&w) = self.assignment.get(&id) {
            return CrewState::Assigned {
                order: w,
                state: self.order(w).state,
            };
        }
        match self.crew(id) {
            Some(c) if c.on_duty => CrewState::Available,
            _ => CrewState::OffDuty,
        }
    }

    /// Where a crew is at `now`: on the straight line to its site while en route.
    pub fn crew_position(&self, id: CrewId, now: Timestamp) -> Option<[f64; 2]> {
        let crew = self.crew(id)?;
        if let Some(&w) = self.assignment.get(&id) {
            let o = self.order(w);
            if o.state == OrderState::EnRoute
                && let (Some(from), Some(to), Some(left)) =
                    (o.crew_origin, o.position, o.time_of(OrderState::EnRoute))
            {
                let travel = crew.travel_time(self.opts.geometry.distance_m(from, to));
                return Some(position_on_trip(from, to, left, travel, now));
            }
        }
        Some(crew.position)
    }

    /// When the order's crew is expected on site: turnout plus the straight-line trip
    /// after dispatch, the trip after leaving, or the arrival itself.
    pub fn crew_eta(&self, id: WorkOrderId) -> Option<Timestamp> {
        let o = self.get(id)?;
        if let Some(t) = o.time_of(OrderState::OnSite) {
            return Some(t);
        }
        let crew = self.crew(o.crew?)?;
        let travel = crew.travel_time(self.opts.geometry.distance_m(o.crew_origin?, o.position?));
        match o.state {
            OrderState::Dispatched => {
                Some(o.time_of(OrderState::Dispatched)? + self.opts.turnout + travel)
            }
            OrderState::EnRoute => Some(o.time_of(OrderState::EnRoute)? + travel),
            _ => None,
        }
    }

    /// The historical restoration estimate for an outage that has no order (yet).
    pub fn estimate_etr(&self, engine: &dyn OutageSource, outage: OutageId) -> Option<Etr> {
        if let Some(w) = self.last_order_of(outage) {
            return self.order(w).etr;
        }
        let o = engine.outage(outage)?;
        let zone = majority_zone(engine.network(), engine.view(), o.device);
        let class = engine.network().outage_device_class(o.device);
        Some(Etr {
            at: self.historical_etr(class, zone, o.start, engine.clock()),
            source: EtrSource::Historical,
        })
    }

    /// The historical estimate for an outage of a class in a zone that started at
    /// `start`: the start plus the mean restoration time, or, when that is already
    /// past at `now`, `now` plus [`WorkOrderOptions::etr_extension`].
    pub fn historical_etr(
        &self,
        class: OutageDeviceClass,
        zone: ServiceZone,
        start: Timestamp,
        now: Timestamp,
    ) -> Timestamp {
        let at = start + self.history.mean(class, zone);
        // An estimate already in the past says nothing: promise the next step.
        if at <= now {
            now + self.opts.etr_extension
        } else {
            at
        }
    }

    // ------------------------------------------------------------------ following

    /// Follows the engine's changes (and the engine's clock, for warnings, breaches and
    /// estimates); returns the order changes. Following the same changes twice changes
    /// nothing the second time.
    ///
    /// # Complexity
    /// O(customers below) for each opened or moved outage; O(log orders) for a
    /// customer's first call, O(calls of the order) for a repeated one;
    /// O(open orders) when a limit or an estimate falls due.
    pub fn follow(&mut self, engine: &dyn OutageSource, changes: &[Change]) -> &[WorkOrderChange] {
        self.changes.clear();
        let now = engine.clock();
        for ch in changes {
            match *ch {
                Change::Opened(oid) => self.on_opened(engine, oid, now),
                Change::Updated(oid) => self.on_updated(engine, oid, now),
                Change::Closed {
                    outage,
                    merged_into,
                } => self.on_closed(engine, outage, merged_into, now),
                Change::Call(cl) => match (cl.cause, cl.outage) {
                    (Some(OutageCause::Fault), Some(oid)) => {
                        let wire = engine.wire_down(cl.customer);
                        if let Some(&id) = self.by_outage.get(&oid) {
                            self.link_call(id, cl.customer, wire, now);
                        } else if self.pending.contains_key(&oid) {
                            // Linked when the order opens; a wire down opens it now.
                            self.remember_unlinked(engine.view(), now, cl.customer);
                            if wire {
                                self.pending.remove(&oid);
                                self.open_for_outage(engine, oid, now);
                            }
                        }
                    }
                    (None, _) => {
                        self.remember_unlinked(engine.view(), now, cl.customer);
                    }
                    _ => {}
                },
                Change::Momentary(_) => {}
            }
        }
        self.release_pending(engine, now);
        self.forget_old_calls(now);
        self.check_deadlines(now);
        &self.changes
    }

    fn on_opened(&mut self, engine: &dyn OutageSource, oid: OutageId, now: Timestamp) {
        let Some(o) = engine.outage(oid) else { return };
        if o.cause != OutageCause::Fault
            || o.closed_at.is_some()
            || self.by_outage.contains_key(&oid)
            || self.pending.contains_key(&oid)
        {
            return;
        }
        let urgent = self.opts.open_after <= 0 || o.status == OutageStatus::Confirmed || {
            let a = assess(engine, o.device);
            a.wire_down || !a.critical.is_empty()
        };
        if urgent {
            self.open_for_outage(engine, oid, now);
        } else {
            let due = o.opened_at + self.opts.open_after;
            self.pending.insert(oid, due);
            self.pending_due = self.pending_due.map(|t| t.min(due));
        }
    }

    fn on_updated(&mut self, engine: &dyn OutageSource, oid: OutageId, now: Timestamp) {
        let Some(o) = engine.outage(oid) else { return };
        if let Some(&id) = self.by_outage.get(&oid) {
            self.refresh(engine, id, now);
        } else if self.pending.contains_key(&oid)
            && (o.status == OutageStatus::Confirmed
                || (o.confidence >= self.opts.open_confidence
                    && now >= o.opened_at + self.opts.open_after))
        {
            self.pending.remove(&oid);
            self.open_for_outage(engine, oid, now);
        }
    }

    fn on_closed(
        &mut self,
        engine: &dyn OutageSource,
        outage: OutageId,
        merged_into: Option<OutageId>,
        now: Timestamp,
    ) {
        if self.pending.remove(&outage).is_some() {
            return;
        }
        let Some(id) = self.by_outage.remove(&outage) else {
            return;
        };
        if let Some(m) = merged_into {
            match self.by_outage.get(&m).copied() {
                Some(into) if into != id => self.merge(id, into, now),
                _ => {
                    // The absorbing outage has no order (yet): this one follows it.
                    self.pending.remove(&m);
                    self.by_outage.insert(m, id);
                    self.followed.insert(m, id);
                    self.orders[idx(id)].outage = Some(m);
                    self.log(now, id, AuditEvent::OutageLinked { outage: m });
                    self.refresh(engine, id, now);
                }
            }
            return;
        }
        let status = engine.outage(outage).map(|o| o.status);
        match status {
            Some(OutageStatus::Restored) => {
                self.restore(id, now);
                if self.opts.close_on_restore {
                    self.close(id, Closing::Completed { cause: None }, now);
                }
            }
            _ => {
                if self.orders[idx(id)].state < OrderState::OnSite {
                    self.close(id, Closing::Cancelled, now);
                } else {
                    self.log(now, id, AuditEvent::OutageRetracted);
                }
            }
        }
    }

    fn release_pending(&mut self, engine: &dyn OutageSource, now: Timestamp) {
        if self.pending.is_empty() {
            return;
        }
        let first = *self.pending_due.get_or_insert_with(|| {
            self.pending
                .values()
                .copied()
                .min()
                .unwrap_or(Timestamp(i64::MAX))
        });
        if now < first {
            return;
        }
        self.pending_due = None;
        let due: Vec<OutageId> = self
            .pending
            .iter()
            .filter(|&(_, &t)| t <= now)
            .map(|(&o, _)| o)
            .collect();
        for oid in due {
            let Some(o) = engine.outage(oid) else {
                self.pending.remove(&oid);
                continue;
            };
            let unsure_due = o.opened_at + self.opts.open_unsure_after.max(self.opts.open_after);
            if o.confidence >= self.opts.open_confidence || now >= unsure_due {
                self.pending.remove(&oid);
                self.open_for_outage(engine, oid, now);
            } else {
                // Waits for more evidence, or until it has stood long enough.
                self.pending.insert(oid, unsure_due);
            }
        }
    }

    fn forget_old_calls(&mut self, now: Timestamp) {
        while let Some(&(t, _)) = self.unlinked.front() {
            if t.0 >= now.0 - self.opts.call_memory {
                break;
            }
            if self.unlinked_pos.len() == self.unlinked.len() {
                self.unlinked_pos.pop_front();
            }
            self.unlinked.pop_front();
        }
    }

    /// Remembers a call no order has taken yet.
    fn remember_unlinked(&mut self, view: &EnergizationView, now: Timestamp, c: CustomerId) {
        if self.unlinked_pos.len() == self.unlinked.len() {
            self.unlinked_pos.push_back(position_of(view, c));
        }
        self.unlinked.push_back((now, c));
    }

    fn open_for_outage(&mut self, engine: &dyn OutageSource, oid: OutageId, now: Timestamp) {
        let Some(o) = engine.outage(oid) else { return };
        if o.cause != OutageCause::Fault
            || o.closed_at.is_some()
            || self.by_outage.contains_key(&oid)
        {
            return;
        }
        let view = engine.view();
        let (device, start, opened) = (o.device, o.start, o.opened_at);
        // A single-customer order for this very service now follows the outage.
        if let Some(pos) = self
            .single
            .iter()
            .position(|&w| self.order(w).device == device)
        {
            let id = self.single.remove(pos);
            self.by_outage.insert(oid, id);
            self.followed.insert(oid, id);
            let w = &mut self.orders[idx(id)];
            w.outage = Some(oid);
            w.outage_start = w.outage_start.min(start);
            self.log(now, id, AuditEvent::OutageLinked { outage: oid });
            self.refresh(engine, id, now);
            return;
        }
        let a = assess(engine, device);
        let id = WorkOrderId(self.orders.len() as u32 + 1);
        let class = engine.network().outage_device_class(device);
        let etr = Etr {
            at: self.historical_etr(class, a.zone, start, now),
            source: EtrSource::Historical,
        };
        let priority = self.priority_of(&a, false);
        self.orders.push(WorkOrder {
            id,
            outage: Some(oid),
            device,
            class,
            position: a.position,
            zone: a.zone,
            customers: a.customers,
            critical_since: (!a.critical.is_empty()).then_some(opened.min(now)),
            critical: a.critical,
            priority,
            state: OrderState::Created,
            steps: vec![Step {
                state: OrderState::Created,
                at: now,
                crew: None,
            }],
            crew: None,
            department: None,
            closing: None,
            merged_into: None,
            calls: Vec::new(),
            etr: Some(etr),
            outage_start: start,
            promise_start: opened.min(now),
            crew_origin: None,
            alerts: 0,
        });
        self.by_outage.insert(oid, id);
        self.followed.insert(oid, id);
        self.open.insert(id);
        self.touch(id);
        self.log(
            now,
            id,
            AuditEvent::Created {
                outage: Some(oid),
                device,
                priority,
                customers: a.customers,
            },
        );
        self.log(
            now,
            id,
            AuditEvent::EtrChanged {
                from: None,
                to: etr,
            },
        );
        self.changes.push(WorkOrderChange::Opened(id));
        self.link_unlinked(view, id, now);
        // Single-customer orders below it merge into it.
        let covered: Vec<WorkOrderId> = self
            .single
            .iter()
            .copied()
            .filter(|&w| view.is_below(self.order(w).device, device))
            .collect();
        for w in covered {
            self.single.retain(|&x| x != w);
            self.merge(w, id, now);
        }
    }

    /// Opens a single-customer order for a caller no outage explains (the agent's
    /// choice after [`CallAnswer::NothingKnown`](crate::CallAnswer)); returns the order
    /// that already covers the customer when there is one. The order joins the outage
    /// the engine later finds for the customer.
    pub fn open_for_customer(
        &mut self,
        engine: &dyn OutageSource,
        customer: CustomerId,
        at: Timestamp,
    ) -> WorkOrderId {
        let cl = engine.classify(customer);
        if let (Some(OutageCause::Fault), Some(o)) = (cl.cause, cl.outage)
            && let Some(id) = self.order_of(o)
        {
            return id;
        }
        let device = OutageDeviceId(customer.0);
        if let Some(&id) = self
            .single
            .iter()
            .find(|&&w| self.order(w).device == device)
        {
            return id;
        }
        self.changes.clear();
        let a = assess(engine, device);
        let id = WorkOrderId(self.orders.len() as u32 + 1);
        let etr = Etr {
            at: self.historical_etr(OutageDeviceClass::Service, a.zone, at, at),
            source: EtrSource::Historical,
        };
        let priority = self.priority_of(&a, engine.wire_down(customer));
        self.orders.push(WorkOrder {
            id,
            outage: None,
            device,
            class: OutageDeviceClass::Service,
            position: a.position,
            zone: a.zone,
            customers: 1,
            critical_since: (!a.critical.is_empty()).then_some(at),
            critical: a.critical,
            priority,
            state: OrderState::Created,
            steps: vec![Step {
                state: OrderState::Created,
                at,
                crew: None,
            }],
            crew: None,
            department: None,
            closing: None,
            merged_into: None,
            calls: vec![LinkedCall {
                customer,
                at,
                wire_down: engine.wire_down(customer),
            }],
            etr: Some(etr),
            outage_start: at,
            promise_start: at,
            crew_origin: None,
            alerts: 0,
        });
        self.single.push(id);
        self.set_linked(customer);
        self.open.insert(id);
        self.touch(id);
        self.log(
            at,
            id,
            AuditEvent::Created {
                outage: None,
                device,
                priority,
                customers: 1,
            },
        );
        self.log(
            at,
            id,
            AuditEvent::EtrChanged {
                from: None,
                to: etr,
            },
        );
        self.changes.push(WorkOrderChange::Opened(id));
        id
    }

    /// Brings an order in line with its outage's device.
    fn refresh(&mut self, engine: &dyn OutageSource, id: WorkOrderId, now: Timestamp) {
        let Some(oid) = self.orders[idx(id)].outage else {
            return;
        };
        let Some(o) = engine.outage(oid) else { return };
        let (device, start) = (o.device, o.start);
        let mut fields = Fields::default();
        let w = &self.orders[idx(id)];
        if w.device != device {
            let a = assess(engine, device);
            let from = w.device;
            let old_zone = w.zone;
            let class = engine.network().outage_device_class(device);
            let est = self.historical_etr(class, a.zone, start.min(w.outage_start), now);
            let priority = self.priority_of(&a, w.calls.iter().any(|c| c.wire_down));
            let w = &mut self.orders[idx(id)];
            w.device = device;
            w.class = class;
            w.position = a.position;
            w.outage_start = w.outage_start.min(start);
            fields |= Fields::DEVICE;
            if w.customers != a.customers || w.critical != a.critical {
                fields |= Fields::CUSTOMERS;
            }
            w.customers = a.customers;
            if w.critical.is_empty() && !a.critical.is_empty() {
                w.critical_since = Some(now);
                fields |= Fields::DUE;
            }
            w.critical = a.critical;
            let customers = w.customers;
            self.log(
                now,
                id,
                AuditEvent::DeviceChanged {
                    from,
                    to: device,
                    customers,
                },
            );
            if old_zone != a.zone {
                self.orders[idx(id)].zone = a.zone;
                fields |= Fields::DUE;
                self.log(
                    now,
                    id,
                    AuditEvent::ZoneChanged {
                        from: old_zone,
                        to: a.zone,
                    },
                );
            }
            fields |= self.set_priority(id, priority, now);
            // A historical estimate only ever moves later; a crew's stands.
            let w = &self.orders[idx(id)];
            if w.state < OrderState::Restored
                && let Some(etr) = w.etr
                && etr.source != EtrSource::Crew
                && est > etr.at
            {
                fields |= self.set_etr(
                    id,
                    Etr {
                        at: est,
                        source: EtrSource::Historical,
                    },
                    now,
                );
            }
            self.link_unlinked(engine.view(), id, now);
            self.touch(id);
        }
        if !fields.is_empty() {
            self.changes
                .push(WorkOrderChange::Updated { order: id, fields });
        }
    }

    fn priority_of(&self, a: &Assessment, wire_calls: bool) -> Priority {
        if !a.critical.is_empty() || a.wire_down || wire_calls {
            Priority::Emergency
        } else if a.customers >= self.opts.high_customers {
            Priority::High
        } else if a.customers >= self.opts.medium_customers {
            Priority::Medium
        } else {
            Priority::Low
        }
    }

    fn set_priority(&mut self, id: WorkOrderId, p: Priority, now: Timestamp) -> Fields {
        let from = self.orders[idx(id)].priority;
        if from == p {
            return Fields::default();
        }
        self.orders[idx(id)].priority = p;
        self.log(now, id, AuditEvent::PriorityChanged { from, to: p });
        Fields::PRIORITY
    }

    fn set_etr(&mut self, id: WorkOrderId, etr: Etr, now: Timestamp) -> Fields {
        let from = self.orders[idx(id)].etr;
        if from == Some(etr) {
            return Fields::default();
        }
        self.orders[idx(id)].etr = Some(etr);
        self.touch(id);
        self.log(
            now,
            id,
            AuditEvent::EtrChanged {
                from: from.map(|e| e.at),
                to: etr,
            },
        );
        Fields::ETR
    }

    fn link_call(
        &mut self,
        id: WorkOrderId,
        customer: CustomerId,
        wire_down: bool,
        now: Timestamp,
    ) {
        let known = self.has_linked(customer);
        let w = &mut self.orders[idx(id)];
        // Most calls are a customer's first: no order has it, nothing to search.
        let existing = if known {
            w.calls.iter().position(|l| l.customer == customer)
        } else {
            None
        };
        match existing {
            Some(i) => {
                if !wire_down || w.calls[i].wire_down {
                    return;
                }
                w.calls[i].wire_down = true;
            }
            None => {
                w.calls.push(LinkedCall {
                    customer,
                    at: now,
                    wire_down,
                });
                self.set_linked(customer);
            }
        }
        self.log(
            now,
            id,
            AuditEvent::CallLinked {
                customer,
                wire_down,
            },
        );
        self.changes.push(WorkOrderChange::CallLinked {
            order: id,
            customer,
        });
        if wire_down {
            let f = self.set_priority(id, Priority::Emergency, now);
            if !f.is_empty() {
                self.changes.push(WorkOrderChange::Updated {
                    order: id,
                    fields: f,
                });
            }
        }
    }

    /// Whether some order holds a call of the customer (the bits are rebuilt first
    /// if a snapshot was just restored).
    fn has_linked(&mut self, c: CustomerId) -> bool {
        if !self.linked_built {
            self.linked_built = true;
            self.linked_any.clear();
            for k in 0..self.orders.len() {
                for j in 0..self.orders[k].calls.len() {
                    let c = self.orders[k].calls[j].customer;
                    self.set_linked(c);
                }
            }
        }
        let i = c.index();
        i / 64 < self.linked_any.len() && bit(&self.linked_any, i)
    }

    fn set_linked(&mut self, c: CustomerId) {
        let i = c.index();
        if i / 64 >= self.linked_any.len() {
            self.linked_any.resize(i / 64 + 1, 0);
        }
        set_bit(&mut self.linked_any, i, true);
    }

    /// Links the remembered unexplained calls below the order's device.
    fn link_unlinked(&mut self, view: &EnergizationView, id: WorkOrderId, now: Timestamp) {
        if self.unlinked.is_empty() {
            return;
        }
        let d = self.orders[idx(id)].device;
        if self.unlinked_pos.len() != self.unlinked.len() {
            self.unlinked_pos = self
                .unlinked
                .iter()
                .map(|&(_, c)| position_of(view, c))
                .collect();
        }
        let span = view.customer_span(d);
        let pos = self.unlinked_pos.make_contiguous();
        let Some(first) = pos.iter().position(|p| span.contains(p)) else {
            return;
        };
        // Take the calls below the device, keeping the others in order.
        let calls = self.unlinked.make_contiguous();
        let mut taken = Vec::new();
        let mut kept = first;
        for j in first..calls.len() {
            if span.contains(&pos[j]) {
                taken.push(calls[j].1);
            } else {
                calls[kept] = calls[j];
                pos[kept] = pos[j];
                kept += 1;
            }
        }
        self.unlinked.truncate(kept);
        self.unlinked_pos.truncate(kept);
        for c in taken {
            self.link_call(id, c, false, now);
        }
    }

    fn merge(&mut self, id: WorkOrderId, into: WorkOrderId, now: Timestamp) {
        let child = self.orders[idx(id)].clone();
        let mut fields = Fields::default();
        let mut have: Vec<CustomerId> = self.orders[idx(into)]
            .calls
            .iter()
            .map(|l| l.customer)
            .collect();
        have.sort_unstable();
        for c in &child.calls {
            // (Its customer is marked linked already: the child holds the call.)
            if have.binary_search(&c.customer).is_err() {
                self.orders[idx(into)].calls.push(*c);
            }
        }
        self.log(now, into, AuditEvent::Absorbed { from: id });
        // The customers of the merged order have waited since its start.
        if child.promise_start < self.orders[idx(into)].promise_start {
            self.orders[idx(into)].promise_start = child.promise_start;
            fields |= Fields::DUE;
            self.log(
                now,
                into,
                AuditEvent::PromiseStartChanged {
                    to: child.promise_start,
                },
            );
        }
        if child.calls.iter().any(|c| c.wire_down) {
            fields |= self.set_priority(into, Priority::Emergency, now);
        }
        if let Some(crew) = child.crew {
            let parent = &self.orders[idx(into)];
            if parent.crew.is_none() && parent.state == OrderState::Created {
                // The crew on its way to the child goes on to the parent.
                let w = &mut self.orders[idx(into)];
                w.crew = Some(crew);
                w.department = child.department.clone();
                w.crew_origin = child.crew_origin;
                for s in child.steps.iter().filter(|s| {
                    matches!(
                        s.state,
                        OrderState::Dispatched | OrderState::EnRoute | OrderState::OnSite
                    )
                }) {
                    w.steps.push(*s);
                }
                w.state = child
                    .state
                    .min(OrderState::OnSite)
                    .max(OrderState::Dispatched);
                self.assignment.insert(crew, into);
            } else {
                self.assignment.remove(&crew);
                self.log(now, id, AuditEvent::CrewReleased { released: crew });
            }
        }
        let w = &mut self.orders[idx(id)];
        w.merged_into = Some(into);
        w.state = OrderState::Closed;
        w.closing = Some(Closing::Merged { into });
        w.steps.push(Step {
            state: OrderState::Closed,
            at: now,
            crew: w.crew,
        });
        self.open.remove(&id);
        self.single.retain(|&x| x != id);
        self.touch(id);
        self.touch(into);
        self.log(now, id, AuditEvent::Merged { into });
        self.changes
            .push(WorkOrderChange::Merged { order: id, into });
        if !fields.is_empty() {
            self.changes.push(WorkOrderChange::Updated {
                order: into,
                fields,
            });
        }
    }

    fn restore(&mut self, id: WorkOrderId, now: Timestamp) {
        let w = &self.orders[idx(id)];
        if w.state >= OrderState::Restored {
            return;
        }
        let (class, zone, start) = (w.class, w.zone, w.outage_start);
        self.history.record(class, zone, now.0 - start.0);
        self.step(id, OrderState::Restored, now);
    }

    fn step(&mut self, id: WorkOrderId, state: OrderState, at: Timestamp) {
        let w = &mut self.orders[idx(id)];
        w.state = state;
        w.steps.push(Step {
            state,
            at,
            crew: w.crew,
        });
        self.touch(id);
        self.log(at, id, AuditEvent::Step { state });
        if state != OrderState::Closed {
            self.changes
                .push(WorkOrderChange::Progressed { order: id, state });
        }
    }

    fn close(&mut self, id: WorkOrderId, closing: Closing, at: Timestamp) {
        self.step(id, OrderState::Closed, at);
        let w = &mut self.orders[idx(id)];
        w.closing = Some(closing);
        if let Some(crew) = w.crew {
            self.assignment.remove(&crew);
        }
        if let Some(o) = w.outage
            && self.by_outage.get(&o) == Some(&id)
        {
            self.by_outage.remove(&o);
        }
        self.open.remove(&id);
        self.single.retain(|&x| x != id);
        self.log(at, id, AuditEvent::Closed { closing });
        self.changes.push(WorkOrderChange::Closed(id));
    }

    /// Schedules the next look at an order: its earliest warning, due time or
    /// estimate not yet acted on.
    fn touch(&mut self, id: WorkOrderId) {
        if !self.checks_built {
            return;
        }
        let w = &self.orders[idx(id)];
        if !w.is_open() {
            return;
        }
        let limits = &self.opts.limits;
        let mut next = i64::MAX;
        for kind in LIMIT_KINDS {
            let Some(l) = w.limit(kind, limits, Timestamp(i64::MIN)) else {
                continue;
            };
            if l.met_at.is_some() {
                continue;
            }
            if !w.alerted(kind.bit()) {
                next = next.min(l.warn_at.0);
            } else if !w.alerted(kind.bit() << 4) {
                next = next.min(l.due.0 + 1);
            }
        }
        if w.state < OrderState::Restored
            && let Some(etr) = w.etr
        {
            next = next.min(etr.at.0);
        }
        if next < i64::MAX {
            self.checks.push(Reverse((next, id.0)));
        }
    }

    /// Raises warnings and breaches whose time has come, and moves on estimates that
    /// passed with the supply still off. Orders are looked at in id order, so that the
    /// changes come in the same order however the schedule was built.
    ///
    /// # Complexity
    /// O(log orders) per scheduled look.
    fn check_deadlines(&mut self, now: Timestamp) {
        if !self.checks_built {
            self.checks_built = true;
            self.checks.clear();
            let open: Vec<WorkOrderId> = self.open.iter().copied().collect();
            for id in open {
                self.touch(id);
            }
        }
        let mut due = Vec::new();
        while let Some(&Reverse((t, id))) = self.checks.peek() {
            if t > now.0 {
                break;
            }
            self.checks.pop();
            due.push(WorkOrderId(id));
        }
        if due.is_empty() {
            return;
        }
        due.sort_unstable();
        due.dedup();
        let limits = self.opts.limits;
        for id in due {
            if !self.orders[idx(id)].is_open() {
                continue;
            }
            for kind in LIMIT_KINDS {
                let Some(l) = self.orders[idx(id)].limit(kind, &limits, now) else {
                    continue;
                };
                if l.met_at.is_some() {
                    continue;
                }
                let (warn, breach) = (kind.bit(), kind.bit() << 4);
                if l.state >= LimitState::Warning && !self.orders[idx(id)].alerted(warn) {
                    self.orders[idx(id)].alerts |= warn;
                    self.log(now, id, AuditEvent::Warning { limit: kind });
                    self.changes.push(WorkOrderChange::Warning {
                        order: id,
                        limit: kind,
                    });
                }
                if l.state == LimitState::Overdue && !self.orders[idx(id)].alerted(breach) {
                    self.orders[idx(id)].alerts |= breach;
                    self.log(now, id, AuditEvent::Breached { limit: kind });
                    self.changes.push(WorkOrderChange::Breached {
                        order: id,
                        limit: kind,
                    });
                }
            }
            let w = &self.orders[idx(id)];
            if w.state < OrderState::Restored
                && let Some(etr) = w.etr
                && etr.at <= now
            {
                let to = Etr {
                    at: now + self.opts.etr_extension,
                    source: EtrSource::Extended,
                };
                let f = self.set_etr(id, to, now);
                self.changes.push(WorkOrderChange::Updated {
                    order: id,
                    fields: f,
                });
            }
            self.touch(id);
        }
    }

    fn log(&mut self, at: Timestamp, order: WorkOrderId, event: AuditEvent) {
        let crew = self.orders[idx(order)].crew;
        self.audit.push(AuditEntry {
            at,
            order,
            crew,
            event,
        });
    }

    // -------------------------------------------------------------------- actions

    /// Applies a dispatcher's or crew's action at time `at`; returns the changes.
    ///
    /// Steps only move forward: dispatch (or reassign) while created, dispatched or en
    /// route; en route after dispatch; on site after dispatch; restored before closing;
    /// close with a cause once on site or restored; cancel before arrival. A crew must
    /// be on duty and free. `at` may not precede the order's last step.
    ///
    /// ```
    /// # use outage_locator::*;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let (net, _) = import_opendss(path).unwrap();
    /// # let engine = Engine::new(&net, EngineOptions::default()).unwrap();
    /// let mut orders = WorkOrders::new(WorkOrderOptions::default());
    /// let crew = orders.add_crew(Crew::new("Line crew 1", "North", [700.0, 1500.0]));
    /// let t: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// let caller = net.customer_by_name("s1a").unwrap();
    /// let w = orders.open_for_customer(&engine, caller, t);
    /// orders.apply(Action::Dispatch { order: w, crew }, t + MINUTE).unwrap();
    /// orders.apply(Action::EnRoute { order: w }, t + 2 * MINUTE).unwrap();
    /// orders.apply(Action::OnSite { order: w }, t + 20 * MINUTE).unwrap();
    /// assert!(orders.apply(Action::Cancel { order: w }, t + 21 * MINUTE).is_err());
    /// orders.apply(Action::Restored { order: w }, t + 50 * MINUTE).unwrap();
    /// orders.apply(Action::Close { order: w, cause: FaultCause::Equipment }, t + 55 * MINUTE).unwrap();
    /// let order = orders.order(w);
    /// assert_eq!(order.state, OrderState::Closed);
    /// assert_eq!(order.steps.len(), 6);
    /// assert_eq!(orders.crew_state(crew), CrewState::Available);
    /// ```
    pub fn apply(
        &mut self,
        action: Action,
        at: Timestamp,
    ) -> Result<&[WorkOrderChange], TicketError> {
        self.changes.clear();
        let id = match action {
            Action::Dispatch { order, .. }
            | Action::EnRoute { order }
            | Action::OnSite { order }
            | Action::Restored { order }
            | Action::Close { order, .. }
            | Action::Cancel { order }
            | Action::CrewEstimate { order, .. } => order,
        };
        let w = self.get(id).ok_or(TicketError::UnknownOrder(id))?;
        let state = w.state;
        let last = w.steps.last().map_or(at, |s| s.at);
        if at < last {
            return Err(TicketError::TimeOrder {
                order: id,
                at,
                last,
            });
        }
        let wrong = |action: &'static str| TicketError::WrongState {
            order: id,
            state,
            action,
        };
        use OrderState as S;
        match action {
            Action::Dispatch { crew, .. } => {
                if !matches!(state, S::Created | S::Dispatched | S::EnRoute) {
                    return Err(wrong("dispatch"));
                }
                let c = self.crew(crew).ok_or(TicketError::UnknownCrew(crew))?;
                if !c.on_duty {
                    return Err(TicketError::CrewOffDuty(crew));
                }
                match self.assignment.get(&crew) {
                    Some(&o) if o == id => return Ok(&self.changes),
                    Some(&o) => return Err(TicketError::CrewBusy { crew, order: o }),
                    None => {}
                }
                let origin = c.position;
                let department = c.department.clone();
                if let Some(old) = self.orders[idx(id)].crew {
                    self.assignment.remove(&old);
                    self.orders[idx(id)].crew = Some(crew);
                    self.log(at, id, AuditEvent::Reassigned { from: old });
                }
                let w = &mut self.orders[idx(id)];
                w.crew = Some(crew);
                w.department = Some(department);
                w.crew_origin = Some(origin);
                self.assignment.insert(crew, id);
                self.step(id, S::Dispatched, at);
            }
            Action::EnRoute { .. } => {
                if state != S::Dispatched {
                    return Err(wrong("go en route"));
                }
                let crew = self.orders[idx(id)].crew;
                let origin = crew.and_then(|c| self.crew(c)).map(|c| c.position);
                self.orders[idx(id)].crew_origin = origin;
                self.step(id, S::EnRoute, at);
            }
            Action::OnSite { .. } => {
                if !matches!(state, S::Dispatched | S::EnRoute) {
                    return Err(wrong("arrive"));
                }
                let w = &self.orders[idx(id)];
                if let (Some(crew), Some(p)) = (w.crew, w.position) {
                    self.crew_mut(crew)?.position = p;
                }
                self.step(id, S::OnSite, at);
            }
            Action::Restored { .. } => {
                if state >= S::Restored {
                    return Err(wrong("restore"));
                }
                let w = &self.orders[idx(id)];
                let (class, zone, start) = (w.class, w.zone, w.outage_start);
                self.history.record(class, zone, at.0 - start.0);
                self.step(id, S::Restored, at);
            }
            Action::Close { cause, .. } => {
                if !matches!(state, S::OnSite | S::Restored) {
                    return Err(wrong("close"));
                }
                self.close(id, Closing::Completed { cause: Some(cause) }, at);
            }
            Action::Cancel { .. } => {
                if state >= S::OnSite {
                    return Err(wrong("cancel"));
                }
                self.close(id, Closing::Cancelled, at);
            }
            Action::CrewEstimate { etr, .. } => {
                if state >= S::Restored {
                    return Err(wrong("estimate"));
                }
                let f = self.set_etr(
                    id,
                    Etr {
                        at: etr,
                        source: EtrSource::Crew,
                    },
                    at,
                );
                if !f.is_empty() {
                    self.changes.push(WorkOrderChange::Updated {
                        order: id,
                        fields: f,
                    });
                }
            }
        }
        Ok(&self.changes)
    }
}

const LIMIT_KINDS: [LimitKind; 3] = [
    LimitKind::Dispatch,
    LimitKind::Arrival,
    LimitKind::Restoration,
];

fn idx(id: WorkOrderId) -> usize {
    id.0 as usize - 1
}

/// The zone of most customers below a device (ties to the stricter zone).
pub(crate) fn majority_zone(
    net: &Network,
    view: &EnergizationView,
    d: OutageDeviceId,
) -> ServiceZone {
    let mut n = [0u32; 3];
    for &c in view.customers_below(d) {
        n[net.customer_zone(c).index()] += 1;
    }
    let mut best = 0;
    for i in 1..3 {
        if n[i] > n[best] {
            best = i;
        }
    }
    ServiceZone::ALL[best]
}

fn assess(engine: &dyn OutageSource, d: OutageDeviceId) -> Assessment {
    let net = engine.network();
    let view = engine.view();
    let below = view.customers_below(d);
    let mut critical = Vec::new();
    let mut n = [0u32; 3];
    for &c in below {
        if net.customer_is_critical(c) {
            critical.push(c);
        }
        n[net.customer_zone(c).index()] += 1;
    }
    let wire_down = engine.wire_down_below(d);
    critical.sort_unstable();
    let mut best = 0;
    for i in 1..3 {
        if n[i] > n[best] {
            best = i;
        }
    }
    Assessment {
        customers: below.len() as u32,
        critical,
        zone: ServiceZone::ALL[best],
        wire_down,
        position: device_position(net, view, d),
    }
}

/// A customer's pre-order position in a view (`u32::MAX` without supply).
fn position_of(view: &EnergizationView, c: CustomerId) -> u32 {
    view.supplied_position(c).unwrap_or(u32::MAX)
}

/// Where a device is on the map: its bus, else the nearest positioned device above it.
pub fn device_position(
    net: &Network,
    view: &EnergizationView,
    d: OutageDeviceId,
) -> Option<[f64; 2]> {
    if let Some(p) = net.bus(net.outage_device_bus(d)).position {
        return Some(p);
    }
    if let Some(e) = net.outage_device_element(d) {
        let el = net.element(e);
        if let Some(p) = net.bus(el.from).position.or(net.bus(el.to).position) {
            return Some(p);
        }
    }
    view.upstream(d)
        .skip(1)
        .find_map(|u| net.bus(net.outage_device_bus(u)).position)
}
