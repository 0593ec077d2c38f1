//! Outage notices: what every affected customer is told, and when, ready for an SMS or
//! WeChat push.
//!
//! [`Notices::follow`] turns the engine's outage changes and the work orders' progress
//! into [`Notice`]s: an *outage* notice to customers newly off supply, an *update* when
//! the estimated restoration time or the crew's progress changes, a *restored* notice
//! when supply is back, a *cleared* notice when a prediction that named a customer is
//! withdrawn. A customer is told about one outage at a time; when the engine rolls
//! outages up or splits them, customers move with them and are told only what is new.
//!
//! A predicted fault outage's notice waits [`NoticeOptions::outage_hold`] and goes, as
//! the outage then stands, only to the customers it still holds off: a prediction that
//! flashes for seconds sends nothing. News and the end go only to customers who were
//! told their power is off.
//!
//! Restoration notices wait [`NoticeOptions::restore_hold`] and then go only to the
//! customers that no open outage holds off: a customer still dark under a nested
//! outage (which the engine finds a couple of minutes after the restoration above it)
//! is told about that outage instead, never "power restored".
//!
//! Planned work registered with [`Notices::schedule`] is announced ahead, 7 days for
//! planned work and 24 h for temporary maintenance and load shedding by default.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::bits::{bit, set_bit};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{Change, Outage, OutageCause, OutageId, OutageStatus};
use crate::network::ServiceZone;
use crate::service::tickets::{OrderState, OutageSource, WorkOrderChange, WorkOrderId, WorkOrders};
use crate::time::{MINUTE, Millis, Timestamp};

const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// A notice id (`N1`, `N2`, …), for deduplication downstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeId(pub u32);

impl std::fmt::Display for NoticeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "N{}", self.0)
    }
}

/// What a notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The power is off (first notice to these customers).
    Outage,
    /// News about an outage the customers were told of: a new estimated restoration
    /// time, the crew's progress, or the outage now handled under another order.
    Update,
    /// The power is back.
    Restored,
    /// An outage the customers were told of does not affect them after all.
    Cleared,
    /// Planned work or load shedding ahead.
    PlannedAhead,
}

impl NoticeKind {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Outage => "outage",
            NoticeKind::Update => "update",
            NoticeKind::Restored => "restored",
            NoticeKind::Cleared => "cleared",
            NoticeKind::PlannedAhead => "planned_ahead",
        }
    }
}

/// How far the work on an outage has come, as customers are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Known, being handled; no crew yet.
    Investigating,
    /// A crew is assigned.
    CrewDispatched,
    /// The crew is on its way.
    CrewEnRoute,
    /// The crew is at work.
    CrewOnSite,
    /// Supply is back.
    Restored,
    /// Planned work, not started.
    Scheduled,
    /// Planned work under way.
    InProgress,
}

impl Progress {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Investigating => "investigating",
            Progress::CrewDispatched => "crew_dispatched",
            Progress::CrewEnRoute => "crew_en_route",
            Progress::CrewOnSite => "crew_on_site",
            Progress::Restored => "restored",
            Progress::Scheduled => "scheduled",
            Progress::InProgress => "in_progress",
        }
    }

    /// The progress customers are told for an order state.
    pub fn of_order(state: OrderState) -> Progress {
        match state {
            OrderState::Created => Progress::Investigating,
            OrderState::Dispatched => Progress::CrewDispatched,
            OrderState::EnRoute => Progress::CrewEnRoute,
            OrderState::OnSite => Progress::CrewOnSite,
            OrderState::Restored | OrderState::Closed => Progress::Restored,
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Progress::Investigating => "we are locating the fault",
            Progress::CrewDispatched => "a repair crew has been assigned",
            Progress::CrewEnRoute => "the repair crew is on its way",
            Progress::CrewOnSite => "the repair crew is at work",
            Progress::Restored => "supply is back",
            Progress::Scheduled => "the work is scheduled",
            Progress::InProgress => "the work is under way",
        }
    }
}

/// The kind of a planned interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedKind {
    /// Planned work (announced 7 days ahead by default).
    PlannedWork,
    /// Temporary maintenance (24 h ahead by default).
    TemporaryMaintenance,
    /// Orderly-use load shedding (24 h ahead by default).
    LoadShedding,
}

impl PlannedKind {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlannedKind::PlannedWork => "planned_work",
            PlannedKind::TemporaryMaintenance => "temporary_maintenance",
            PlannedKind::LoadShedding => "load_shedding",
        }
    }
}

/// A planned interruption registered ahead of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedWork {
    /// The device opened for the work: every customer below it is off.
    pub device: OutageDeviceId,
    /// When supply goes off.
    pub start: Timestamp,
    /// When it returns.
    pub end: Timestamp,
    /// What kind of interruption.
    pub kind: PlannedKind,
}

/// One notice, ready to push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Id.
    pub id: NoticeId,
    /// When it was issued.
    pub at: Timestamp,
    /// What it says.
    pub kind: NoticeKind,
    /// To whom, sorted.
    pub customers: Vec<CustomerId>,
    /// The outage it is about.
    pub outage: Option<OutageId>,
    /// The work order handling it.
    pub order: Option<WorkOrderId>,
    /// Why the power is off.
    pub cause: OutageCause,
    /// The planned kind, for planned interruptions that were registered.
    pub planned: Option<PlannedKind>,
    /// Since when the power is off (or, for `restored`, when it came back).
    pub since: Option<Timestamp>,
    /// The estimated restoration time.
    pub etr: Option<Timestamp>,
    /// For planned interruptions: from and to.
    pub window: Option<[Timestamp; 2]>,
    /// How far the work has come.
    pub progress: Progress,
    /// For planned announcements: issued later than the promised lead time.
    pub late: bool,
}

impl Notice {
    /// The text of the message (SMS length, UTC times).
    ///
    /// ```
    /// use outage_locator::{Notice, NoticeId, NoticeKind, OutageCause, Progress, Timestamp};
    /// let t: Timestamp = "2026-07-01T12:03:00Z".parse().unwrap();
    /// let n = Notice {
    ///     id: NoticeId(1), at: t, kind: NoticeKind::Outage, customers: vec![],
    ///     outage: None, order: None, cause: OutageCause::Fault, planned: None,
    ///     since: Some(t), etr: Some(t + 3 * 3_600_000), window: None,
    ///     progress: Progress::Investigating, late: false,
    /// };
    /// assert_eq!(
    ///     n.message(),
    ///     "Power cut in your area since 2026-07-01T12:03:00Z: we are locating the fault. \
    ///      Expected back by 2026-07-01T15:03:00Z."
    /// );
    /// ```
    pub fn message(&self) -> String {
        let etr = self
            .etr
            .map(|t| format!(" Expected back by {t}."))
            .unwrap_or_default();
        let order = self.order.map(|w| format!(" Ref {w}.")).unwrap_or_default();
        match self.kind {
            NoticeKind::Outage if self.cause == OutageCause::Planned => {
                let [a, b] = self
                    .window
                    .unwrap_or([self.since.unwrap_or(self.at), self.at]);
                format!("Planned interruption in your area from {a} to {b}.")
            }
            NoticeKind::Outage => {
                let since = self.since.unwrap_or(self.at);
                format!(
                    "Power cut in your area since {since}: {}.{etr}{order}",
                    self.progress.phrase()
                )
            }
            NoticeKind::Update => {
                format!("Power cut update: {}.{etr}{order}", self.progress.phrase())
            }
            NoticeKind::Restored => {
                let at = self.since.unwrap_or(self.at);
                format!("Power was restored at {at}. Thank you for your patience.{order}")
            }
            NoticeKind::Cleared => {
                "Update: supply in your area is normal; the power cut we reported does not \
                 affect you. Sorry for the confusion."
                    .to_string()
            }
            NoticeKind::PlannedAhead => {
                let [a, b] = self.window.unwrap_or([self.at, self.at]);
                let what = match self.planned {
                    Some(PlannedKind::LoadShedding) => "Orderly-use load shedding",
                    Some(PlannedKind::TemporaryMaintenance) => "Temporary maintenance",
                    _ => "Planned work",
                };
                format!("{what}: power will be off in your area from {a} to {b}.")
            }
        }
    }
}

/// How notices are issued.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeOptions {
    /// Planned work is announced this long ahead.
    pub lead_planned_work: Millis,
    /// Temporary maintenance is announced this long ahead.
    pub lead_temporary_maintenance: Millis,
    /// Load shedding is announced this long ahead.
    pub lead_load_shedding: Millis,
    /// A restoration is announced after this hold, to the customers no open outage
    /// holds off by then.
    pub restore_hold: Millis,
    /// A predicted fault outage is announced after this hold, if it still stands, to
    /// the customers it still holds off: a prediction that flashes for seconds at the
    /// start of a large fault (before its last gasps are all in) sends nothing. Those
    /// never told their power is off are told neither news nor its end. 0: at once.
    pub outage_hold: Millis,
}

impl Default for NoticeOptions {
    fn default() -> Self {
        NoticeOptions {
            lead_planned_work: 7 * DAY,
            lead_temporary_maintenance: DAY,
            lead_load_shedding: DAY,
            restore_hold: 5 * MINUTE,
            outage_hold: MINUTE,
        }
    }
}

impl NoticeOptions {
    /// The lead time of a planned kind.
    pub fn lead(&self, kind: PlannedKind) -> Millis {
        match kind {
            PlannedKind::PlannedWork => self.lead_planned_work,
            PlannedKind::TemporaryMaintenance => self.lead_temporary_maintenance,
            PlannedKind::LoadShedding => self.lead_load_shedding,
        }
    }
}

/// What customers of an outage were last told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Info {
    etr: Option<Timestamp>,
    progress: Progress,
    order: Option<WorkOrderId>,
}

/// A notice of `kind` about an outage as it stands now: its cause and start, its
/// planned window, and the estimate and progress of `info`.
fn notice_about(
    o: &Outage,
    info: Info,
    planned: Option<PlannedWork>,
    kind: NoticeKind,
    customers: Vec<CustomerId>,
    now: Timestamp,
) -> Notice {
    let is_planned = o.cause == OutageCause::Planned;
    Notice {
        id: NoticeId(0),
        at: now,
        kind,
        customers,
        outage: Some(o.id),
        order: info.order,
        cause: o.cause,
        planned: planned.map(|p| p.kind),
        since: Some(o.start),
        etr: info.etr,
        window: is_planned.then(|| [o.start, o.planned_end.unwrap_or(now)]),
        progress: info.progress,
        late: false,
    }
}

/// An outage customers were told of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Told {
    device: OutageDeviceId,
    /// The zone of most of its customers.
    zone: ServiceZone,
    /// Customers told (some may have moved on since: `told` decides).
    members: Vec<CustomerId>,
    info: Option<Info>,
    closed: bool,
}

/// Customers to tell, after a hold, that an outage no longer holds them off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Release {
    /// The device whose customers are released.
    device: OutageDeviceId,
    due: Timestamp,
    /// When the supply came back (or the prediction was withdrawn).
    at: Timestamp,
    outage: OutageId,
    order: Option<WorkOrderId>,
    /// What to tell them (`None`: nothing, for a reconnection).
    kind: Option<NoticeKind>,
    customers: Vec<CustomerId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Scheduled {
    work: PlannedWork,
    registered: Timestamp,
    announced: bool,
}

/// The notice desk: who was told what, pending restoration notices and the planned
/// work to announce.
///
/// ```
/// use outage_locator::*;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
/// let orders = WorkOrders::new(WorkOrderOptions::default());
/// let mut notices = Notices::new(NoticeOptions::default());
/// let fuse = net.outage_device_by_name("fuse.f_l68").unwrap();
/// let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
/// let mut sent = Vec::new();
/// for &c in &engine.view().customers_below(fuse).to_vec() {
///     let ch = engine.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter: c } }).to_vec();
///     sent.extend_from_slice(notices.follow(&engine, &ch, &orders, &[]));
/// }
/// let ch = engine.ingest(Event { time: t0 + 5 * MINUTE, evidence: Evidence::Tick }).to_vec();
/// sent.extend_from_slice(notices.follow(&engine, &ch, &orders, &[]));
/// // The outage notice waits a minute, in case the prediction is gone by then.
/// assert!(sent.is_empty());
/// let ch = engine.ingest(Event { time: t0 + 6 * MINUTE, evidence: Evidence::Tick }).to_vec();
/// sent.extend_from_slice(notices.follow(&engine, &ch, &orders, &[]));
/// assert_eq!(sent.len(), 1);
/// assert_eq!(sent[0].kind, NoticeKind::Outage);
/// assert_eq!(sent[0].customers.len(), 13);
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Notices {
    opts: NoticeOptions,
    issued: u32,
    /// Per customer, the id of the outage it was last told of (0: none); empty until
    /// the first notice.
    told: Vec<u32>,
    outages: BTreeMap<OutageId, Told>,
    /// The device of each open outage customers were told of (or, for disconnections,
    /// that holds its customer).
    open_dev: BTreeMap<OutageDeviceId, OutageId>,
    pending: Vec<Release>,
    /// No release is due before this (`None`: unknown, found on the next look).
    /// Derived.
    #[serde(skip)]
    pending_due: Option<Timestamp>,
    schedule: Vec<Scheduled>,
    /// One bit per customer: it was sent the notice that its power is off and not yet
    /// that it is back (only these hear news and the end); empty until the first.
    #[serde(default)]
    notified: Vec<u64>,
    /// Customers whose outage notice waits for the outage hold, by when it is due.
    #[serde(default)]
    held: Vec<(Timestamp, Vec<CustomerId>)>,
    #[serde(skip)]
    out: Vec<Notice>,
}

/// Customers gathered in a batch and asked about later: appended unsorted, sorted
/// only when first asked (most batches never ask).
#[derive(Default)]
struct CustomerSet {
    v: Vec<CustomerId>,
    sorted: bool,
}

impl CustomerSet {
    fn insert(&mut self, c: CustomerId) {
        self.v.push(c);
        self.sorted = false;
    }

    fn contains(&mut self, c: CustomerId) -> bool {
        if !self.sorted {
            self.v.sort_unstable();
            self.v.dedup();
            self.sorted = true;
        }
        self.v.binary_search(&c).is_ok()
    }
}

impl Notices {
    /// Whether a restored state fits a network of `nc` customers and `nd` outage
    /// devices, an engine holding `outages` outages and `orders` work orders: every id
    /// that indexes an array in range (a snapshot that does not is refused).
    pub(crate) fn fits(&self, nc: usize, nd: usize, outages: usize, orders: usize) -> bool {
        let outage = |o: OutageId| (o.0 as usize) < outages;
        let order =
            |w: Option<WorkOrderId>| w.is_none_or(|w| (1..=orders).contains(&(w.0 as usize)));
        let customer = |c: &CustomerId| (c.0 as usize) < nc;
        let device = |d: OutageDeviceId| (d.0 as usize) < nd;
        self.told.len() <= nc
            && self.told.iter().all(|&o| (o as usize) < outages)
            && self.outages.iter().all(|(&o, t)| {
                outage(o)
                    && device(t.device)
                    && t.members.iter().all(customer)
                    && t.info.is_none_or(|i| order(i.order))
            })
            && self.open_dev.iter().all(|(&d, &o)| device(d) && outage(o))
            && self.pending.iter().all(|r| {
                device(r.device)
                    && outage(r.outage)
                    && order(r.order)
                    && r.customers.iter().all(customer)
            })
            && self.notified.len() <= nc.div_ceil(64)
            && self.held.iter().all(|(_, v)| v.iter().all(customer))
    }

    /// An empty desk.
    pub fn new(opts: NoticeOptions) -> Self {
        Notices {
            opts,
            ..Default::default()
        }
    }

    /// The options.
    pub fn options(&self) -> &NoticeOptions {
        &self.opts
    }

    fn told_of_(&self, c: CustomerId) -> Option<OutageId> {
        match self.told.get(c.index()) {
            Some(&o) if o != 0 => Some(OutageId(o)),
            _ => None,
        }
    }

    /// Points a customer at an outage; returns the outage it was pointed at before.
    fn tell(&mut self, c: CustomerId, o: OutageId) -> Option<OutageId> {
        if self.told.len() <= c.index() {
            self.told.resize(c.index() + 1, 0);
        }
        let prev = std::mem::replace(&mut self.told[c.index()], o.0);
        (prev != 0).then_some(OutageId(prev))
    }

    /// Forgets what a customer was told (its outage and that its power is off).
    fn forget(&mut self, c: CustomerId) {
        if let Some(x) = self.told.get_mut(c.index()) {
            *x = 0;
        }
        self.set_notified(c, false);
    }

    /// Whether a customer was sent the notice that its power is off (and not yet that
    /// it is back).
    pub fn notified(&self, c: CustomerId) -> bool {
        c.index() < self.notified.len() * 64 && bit(&self.notified, c.index())
    }

    fn set_notified(&mut self, c: CustomerId, on: bool) {
        let words = c.index() / 64 + 1;
        if self.notified.len() < words {
            if !on {
                return;
            }
            self.notified.resize(words, 0);
        }
        set_bit(&mut self.notified, c.index(), on);
    }

    /// The notices the last call issued.
    pub fn last(&self) -> &[Notice] {
        &self.out
    }

    /// How many notices were issued.
    pub fn issued(&self) -> u32 {
        self.issued
    }

    /// The outage a customer was last told of and not yet told is over.
    pub fn told_of(&self, c: CustomerId) -> Option<OutageId> {
        self.told_of_(c)
    }

    /// The registered planned work.
    pub fn planned_work(&self) -> impl Iterator<Item = &PlannedWork> {
        self.schedule.iter().map(|s| &s.work)
    }

    /// The registered planned work at or above a device whose window holds `at`.
    pub fn planned_at(
        &self,
        engine: &dyn OutageSource,
        device: OutageDeviceId,
        at: Timestamp,
    ) -> Option<&PlannedWork> {
        self.schedule
            .iter()
            .map(|s| &s.work)
            .filter(|w| w.start.0 - 30 * MINUTE <= at.0 && at <= w.end)
            .find(|w| engine.view().is_below(device, w.device))
    }

    /// Registers planned work; its announcement goes out once the lead time before its
    /// start is reached (at once, marked `late`, when that is already past). Returns
    /// the notices issued now.
    pub fn schedule(&mut self, engine: &dyn OutageSource, work: PlannedWork) -> &[Notice] {
        self.out.clear();
        let now = engine.clock();
        self.schedule.push(Scheduled {
            work,
            registered: now,
            announced: false,
        });
        self.announce_due(engine, now);
        &self.out
    }

    /// Follows the engine's changes and the orders' changes; returns the notices to
    /// send.
    ///
    /// # Complexity
    /// O(customers below) for an opened or moved outage (each customer is looked up in
    /// a B-tree); O(1) otherwise, plus the held outage notices and the restoration
    /// notices falling due (O(customers) in them).
    pub fn follow(
        &mut self,
        engine: &dyn OutageSource,
        changes: &[Change],
        orders: &WorkOrders,
        order_changes: &[WorkOrderChange],
    ) -> &[Notice] {
        self.out.clear();
        let now = engine.clock();
        let mut touched: Vec<OutageId> = Vec::new();
        let mut fresh: BTreeMap<OutageId, Vec<CustomerId>> = BTreeMap::new();
        let mut moved: BTreeMap<OutageId, Vec<CustomerId>> = BTreeMap::new();
        // Customers first told of an outage in this batch: new to every outage of it.
        let mut new_here = CustomerSet::default();
        for ch in changes {
            match *ch {
                Change::Opened(oid) | Change::Updated(oid) => {
                    let Some(o) = engine.outage(oid) else {
                        continue;
                    };
                    if o.closed_at.is_some() {
                        continue;
                    }
                    let rescan = self.outages.get(&oid).is_none_or(|t| t.device != o.device);
                    if rescan {
                        self.rescan(engine, oid, now, &mut fresh, &mut moved, &mut new_here);
                    }
                    // A disconnected customer knows why: no notices, but it is held.
                    if o.cause != OutageCause::Disconnect {
                        touched.push(oid);
                    }
                }
                Change::Closed {
                    outage,
                    merged_into,
                } => {
                    let Some(t) = self.outages.get_mut(&outage) else {
                        continue;
                    };
                    t.closed = true;
                    let members = std::mem::take(&mut t.members);
                    let order = t.info.and_then(|i| i.order);
                    let device = t.device;
                    if self.open_dev.get(&device) == Some(&outage) {
                        self.open_dev.remove(&device);
                    }
                    let status = engine.outage(outage).map(|o| o.status);
                    let kind = match (merged_into, status) {
                        (None, Some(OutageStatus::Restored)) => NoticeKind::Restored,
                        (None, Some(OutageStatus::Confirmed)) => NoticeKind::Restored,
                        (None, _) => NoticeKind::Cleared,
                        // Members not taken over by the absorbing outage are free.
                        (Some(_), _) => NoticeKind::Cleared,
                    };
                    let kind = match engine.outage(outage).map(|o| o.cause) {
                        Some(OutageCause::Planned) => Some(NoticeKind::Restored),
                        Some(OutageCause::Disconnect) => None,
                        _ => Some(kind),
                    };
                    self.hold(Release {
                        device,
                        due: now + self.opts.restore_hold,
                        at: now,
                        outage,
                        order,
                        kind,
                        customers: members,
                    });
                }
                Change::Call(_) | Change::Momentary(_) => {}
            }
        }
        for oc in order_changes {
            // A linked call, a warning or a breach changes nothing customers are told.
            if matches!(
                oc,
                WorkOrderChange::CallLinked { .. }
                    | WorkOrderChange::Warning { .. }
                    | WorkOrderChange::Breached { .. }
            ) {
                continue;
            }
            if let Some(oid) = orders.get(oc.order()).and_then(|w| w.outage) {
                touched.push(oid);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for oid in touched {
            self.announce(
                engine,
                orders,
                oid,
                now,
                fresh.remove(&oid),
                moved.remove(&oid),
            );
        }
        self.release_due(engine, orders, now);
        self.release_held(engine, orders, now);
        self.announce_due(engine, now);
        &self.out
    }

    /// Sends the outage notices whose hold is over: to each customer not told yet, the
    /// outage that holds it off now (if one still does), as it stands now.
    fn release_held(&mut self, engine: &dyn OutageSource, orders: &WorkOrders, now: Timestamp) {
        if self.held.first().is_none_or(|&(due, _)| due > now) {
            return;
        }
        let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|&(d, _)| d <= now);
        self.held = keep;
        // Each customer with the outage that still holds it off, grouped by outage.
        let mut told: Vec<(OutageId, CustomerId)> = Vec::new();
        let mut last: Option<(OutageId, Option<OutageDeviceId>)> = None;
        let view = engine.view();
        for c in due.into_iter().flat_map(|(_, v)| v) {
            if self.notified(c) {
                continue;
            }
            let Some(o) = self.told_of_(c) else { continue };
            let holder = match last {
                Some((p, holder)) if p == o => holder,
                _ => {
                    let holder = engine
                        .outage(o)
                        .filter(|x| x.closed_at.is_none() && x.cause != OutageCause::Disconnect)
                        .map(|x| x.device);
                    last = Some((o, holder));
                    holder
                }
            };
            // Those the outage no longer holds off (it moved down during the hold) are
            // left out: they wait for their release, which tells them nothing.
            if holder.is_some_and(|d| view.is_below(OutageDeviceId(c.0), d)) {
                told.push((o, c));
            }
        }
        told.sort_unstable();
        told.dedup();
        for group in told.chunk_by(|a, b| a.0 == b.0) {
            let oid = group[0].0;
            let (Some(o), Some(info)) = (engine.outage(oid), self.info(engine, orders, oid)) else {
                continue;
            };
            let planned = self.planned_of(engine, o, now);
            let customers = group.iter().map(|&(_, c)| c).collect();
            self.send(notice_about(
                o,
                info,
                planned,
                NoticeKind::Outage,
                customers,
                now,
            ));
        }
    }

    /// Points the customers below an outage's device at it; collects the customers
    /// newly off and those moved from another outage, and holds the customers the
    /// outage no longer covers for release.
    fn rescan(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        now: Timestamp,
        fresh: &mut BTreeMap<OutageId, Vec<CustomerId>>,
        moved: &mut BTreeMap<OutageId, Vec<CustomerId>>,
        new_here: &mut CustomerSet,
    ) {
        let Some(o) = engine.outage(oid) else { return };
        let view = engine.view();
        let device = o.device;
        let silent = o.cause == OutageCause::Disconnect;
        let entry = self.outages.entry(oid).or_insert_with(|| Told {
            device,
            zone: ServiceZone::Urban,
            members: Vec::new(),
            info: None,
            closed: false,
        });
        let old: Vec<CustomerId> = std::mem::take(&mut entry.members);
        let old_device = std::mem::replace(&mut entry.device, device);
        if self.open_dev.get(&old_device) == Some(&oid) {
            self.open_dev.remove(&old_device);
        }
        self.open_dev.insert(device, oid);
        let below = view.customers_below(device);
        let mut members = Vec::with_capacity(below.len());
        let mut zones = [0u32; 3];
        let net = engine.network();
        // Whether the outage a customer is held by is open and nested inside this one
        // (then the customer stays with the innermost), for the last one looked at.
        let mut inner: Option<(OutageId, bool)> = None;
        for &c in below {
            zones[net.customer_zone(c).index()] += 1;
            members.push(c);
            let prev = self.told_of_(c);
            if let Some(p) = prev
                && p != oid
            {
                let nested = match inner {
                    Some((q, n)) if q == p => n,
                    _ => {
                        let n = engine.outage(p).is_some_and(|x| {
                            x.closed_at.is_none()
                                && x.device != device
                                && view.is_below(x.device, device)
                        });
                        inner = Some((p, n));
                        n
                    }
                };
                if nested {
                    continue;
                }
            }
            self.tell(c, oid);
            if silent {
                continue;
            }
            match prev {
                None => {
                    new_here.insert(c);
                    fresh.entry(oid).or_default().push(c);
                }
                Some(p) if p != oid && new_here.contains(c) => {
                    fresh.entry(oid).or_default().push(c)
                }
                Some(p) if p != oid => moved.entry(oid).or_default().push(c),
                Some(_) => {}
            }
        }
        let orphans: Vec<CustomerId> = old
            .into_iter()
            .filter(|&c| {
                self.told_of_(c) == Some(oid) && !view.is_below(OutageDeviceId(c.0), device)
            })
            .collect();
        if let Some(t) = self.outages.get_mut(&oid) {
            t.members = members;
            t.zone =
                ServiceZone::ALL[(0..3).fold(0, |b, i| if zones[i] > zones[b] { i } else { b })];
        }
        if !orphans.is_empty() {
            let order = self
                .outages
                .get(&oid)
                .and_then(|t| t.info)
                .and_then(|i| i.order);
            let kind = match (silent, o.status) {
                (true, _) => None,
                (false, OutageStatus::Confirmed) => Some(NoticeKind::Restored),
                (false, _) => Some(NoticeKind::Cleared),
            };
            self.hold(Release {
                device: old_device,
                due: now + self.opts.restore_hold,
                at: now,
                outage: oid,
                order,
                kind,
                customers: orphans,
            });
        }
    }

    fn info(&self, engine: &dyn OutageSource, orders: &WorkOrders, oid: OutageId) -> Option<Info> {
        let o = engine.outage(oid)?;
        Some(match o.cause {
            OutageCause::Planned => Info {
                etr: o.planned_end,
                progress: Progress::InProgress,
                order: None,
            },
            _ => match orders.order_of(oid) {
                // The crew closed its order before the engine saw the restoration:
                // nothing new to tell until the evidence catches up.
                None if orders.last_order_of(oid).is_some() => self.outages.get(&oid)?.info?,
                Some(w) => {
                    let w = orders.order(w);
                    Info {
                        etr: w.etr.map(|e| e.at),
                        progress: Progress::of_order(w.state),
                        order: Some(w.id),
                    }
                }
                None => Info {
                    // The zone was found when the outage's customers were scanned.
                    etr: self.outages.get(&oid).map(|t| {
                        let class = engine.network().outage_device_class(o.device);
                        orders.historical_etr(class, t.zone, o.start, engine.clock())
                    }),
                    progress: Progress::Investigating,
                    order: None,
                },
            },
        })
    }

    /// Tells an outage's customers what is new: the outage to those newly off, the
    /// current state to those moved in, and an update to everyone when the estimate,
    /// the progress or the order changed.
    fn announce(
        &mut self,
        engine: &dyn OutageSource,
        orders: &WorkOrders,
        oid: OutageId,
        now: Timestamp,
        fresh: Option<Vec<CustomerId>>,
        moved: Option<Vec<CustomerId>>,
    ) {
        let Some(o) = engine.outage(oid) else { return };
        let Some(info) = self.info(engine, orders, oid) else {
            return;
        };
        let Some(t) = self.outages.get(&oid) else {
            return;
        };
        let previous = t.info;
        let planned = self.planned_of(engine, o, now);
        // Only those still pointed at this outage (a later change of the batch may have
        // taken them on).
        let fresh = fresh
            .map(|mut v| {
                v.retain(|&c| self.told_of_(c) == Some(oid));
                v
            })
            .filter(|v| !v.is_empty());
        let moved = moved
            .map(|mut v| {
                v.retain(|&c| self.told_of_(c) == Some(oid));
                v
            })
            .filter(|v| !v.is_empty());
        if let Some(mut fresh) = fresh {
            // Customers of announced planned work were told ahead.
            let announced =
                planned.is_some_and(|p| self.schedule.iter().any(|s| s.announced && s.work == p));
            if announced {
                for &c in &fresh {
                    self.set_notified(c, true);
                }
            } else {
                fresh.sort_unstable();
                self.push(notice_about(
                    o,
                    info,
                    planned,
                    NoticeKind::Outage,
                    fresh,
                    now,
                ));
            }
            if previous.is_none() {
                if let Some(t) = self.outages.get_mut(&oid) {
                    t.info = Some(info);
                }
                if moved.is_none() {
                    return;
                }
            }
        }
        // News is a new estimate or progress; the order's reference alone is not.
        let changed = previous.is_some_and(|p| (p.etr, p.progress) != (info.etr, info.progress));
        let recipients: Vec<CustomerId> = if changed {
            let t = &self.outages[&oid];
            let mut v: Vec<CustomerId> = t
                .members
                .iter()
                .copied()
                .filter(|&c| self.told_of_(c) == Some(oid))
                .collect();
            // Those just told of the outage have the news already.
            if let Some(n) = self.out.last()
                && n.kind == NoticeKind::Outage
                && n.outage == Some(oid)
            {
                let got: BTreeSet<CustomerId> = n.customers.iter().copied().collect();
                v.retain(|c| !got.contains(c));
            }
            v
        } else {
            moved.unwrap_or_default()
        };
        if let Some(t) = self.outages.get_mut(&oid) {
            t.info = Some(info);
        }
        if recipients.is_empty() {
            return;
        }
        let mut customers = recipients;
        customers.sort_unstable();
        customers.dedup();
        self.push(notice_about(
            o,
            info,
            planned,
            NoticeKind::Update,
            customers,
            now,
        ));
    }

    /// The planned work a planned outage is (`None` for other outages).
    fn planned_of(
        &self,
        engine: &dyn OutageSource,
        o: &Outage,
        now: Timestamp,
    ) -> Option<PlannedWork> {
        (o.cause == OutageCause::Planned)
            .then(|| self.planned_at(engine, o.device, now).copied())
            .flatten()
    }

    /// Holds a restoration notice until its release is due.
    fn hold(&mut self, r: Release) {
        self.pending_due = self.pending_due.map(|t| t.min(r.due));
        self.pending.push(r);
    }

    /// Sends the restoration notices whose hold is over, to the customers no open
    /// outage holds off; the others move to the outage that does.
    fn release_due(&mut self, engine: &dyn OutageSource, orders: &WorkOrders, now: Timestamp) {
        // Most events release nothing: one comparison, not a scan of the releases.
        let first = *self.pending_due.get_or_insert_with(|| {
            self.pending
                .iter()
                .map(|r| r.due)
                .min()
                .unwrap_or(Timestamp(i64::MAX))
        });
        if now < first {
            return;
        }
        self.pending_due = None;
        let (due, keep): (Vec<Release>, Vec<Release>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|r| r.due <= now);
        self.pending = keep;
        let view = engine.view();
        let mut moved: BTreeMap<OutageId, Vec<CustomerId>> = BTreeMap::new();
        for r in due {
            let still = engine
                .outage(r.outage)
                .filter(|o| o.closed_at.is_none())
                .map(|o| o.device);
            // The innermost open outage above the released customers holds them off
            // still; those under an open outage nested below are held by it already.
            let holder = view
                .upstream(r.device)
                .find_map(|d| self.open_dev.get(&d).copied().filter(|&o| o != r.outage))
                .filter(|&o| engine.outage(o).is_some_and(|x| x.closed_at.is_none()));
            let mut free = Vec::new();
            for &c in &r.customers {
                if self.told_of_(c) != Some(r.outage) {
                    continue;
                }
                if still.is_some_and(|d| view.is_below(OutageDeviceId(c.0), d)) {
                    continue;
                }
                // Else whatever open fault or planned outage the engine holds the
                // customer under (one nested below, opened after the customer was told).
                let held = holder.or_else(|| {
                    let cl = engine.classify(c);
                    match cl.cause {
                        Some(OutageCause::Fault | OutageCause::Planned) => {
                            cl.outage.filter(|&o| o != r.outage)
                        }
                        _ => None,
                    }
                });
                match held {
                    Some(h) => {
                        self.tell(c, h);
                        if let Some(t) = self.outages.get_mut(&h) {
                            t.members.push(c);
                        }
                        let disconnect = engine
                            .outage(h)
                            .is_some_and(|x| x.cause == OutageCause::Disconnect);
                        if !disconnect {
                            moved.entry(h).or_default().push(c);
                        }
                    }
                    None => {
                        // Only those told their power is off hear that it is back.
                        if self.notified(c) {
                            free.push(c);
                        }
                        self.forget(c);
                    }
                }
            }
            if self.outages.get(&r.outage).is_some_and(|t| t.closed)
                && !self.pending.iter().any(|p| p.outage == r.outage)
            {
                self.outages.remove(&r.outage);
            }
            let Some(kind) = r.kind else { continue };
            if free.is_empty() {
                continue;
            }
            free.sort_unstable();
            free.dedup();
            let o = engine.outage(r.outage);
            // Sent as it is: `free` holds only those who were told.
            self.send(Notice {
                id: NoticeId(0),
                at: now,
                kind,
                customers: free,
                outage: Some(r.outage),
                order: r.order,
                cause: o.map_or(OutageCause::Fault, |o| o.cause),
                planned: None,
                since: Some(r.at),
                etr: None,
                window: None,
                progress: Progress::Restored,
                late: false,
            });
        }
        for (o2, customers) in moved {
            self.announce(engine, orders, o2, now, None, Some(customers));
        }
    }

    /// Announces the planned work whose lead time has come.
    fn announce_due(&mut self, engine: &dyn OutageSource, now: Timestamp) {
        for i in 0..self.schedule.len() {
            let s = &self.schedule[i];
            let lead = self.opts.lead(s.work.kind);
            if s.announced || now.0 < s.work.start.0 - lead || now > s.work.end {
                continue;
            }
            let late = s.registered.0 > s.work.start.0 - lead;
            let work = s.work;
            self.schedule[i].announced = true;
            let customers = engine.view().customers_below(work.device).to_vec();
            self.push(Notice {
                id: NoticeId(0),
                at: now,
                kind: NoticeKind::PlannedAhead,
                customers,
                outage: None,
                order: None,
                cause: OutageCause::Planned,
                planned: Some(work.kind),
                since: None,
                etr: Some(work.end),
                window: Some([work.start, work.end]),
                progress: Progress::Scheduled,
                late,
            });
        }
    }

    /// Issues a notice, or holds it: a fault outage's notice waits for the outage
    /// hold; news and ends go only to those told their power is off (those not yet
    /// told hear of the outage that holds them when their hold is over).
    fn push(&mut self, mut n: Notice) {
        let hold = self.opts.outage_hold;
        match n.kind {
            NoticeKind::Outage if n.cause == OutageCause::Fault && hold > 0 => {
                self.held.push((n.at + hold, n.customers));
                return;
            }
            NoticeKind::Update | NoticeKind::Restored | NoticeKind::Cleared
                if !n.customers.iter().all(|&c| self.notified(c)) =>
            {
                let (told, not): (Vec<CustomerId>, Vec<CustomerId>) =
                    n.customers.iter().partition(|&&c| self.notified(c));
                if n.kind == NoticeKind::Update && !not.is_empty() {
                    self.held.push((n.at + hold, not));
                }
                n.customers = told;
                if n.customers.is_empty() {
                    return;
                }
            }
            _ => {}
        }
        self.send(n);
    }

    /// Issues a notice now.
    fn send(&mut self, mut n: Notice) {
        match n.kind {
            NoticeKind::Outage => n.customers.iter().for_each(|&c| self.set_notified(c, true)),
            NoticeKind::Restored | NoticeKind::Cleared => n
                .customers
                .iter()
                .for_each(|&c| self.set_notified(c, false)),
            NoticeKind::Update | NoticeKind::PlannedAhead => {}
        }
        self.issued += 1;
        n.id = NoticeId(self.issued);
        self.out.push(n);
    }
}
