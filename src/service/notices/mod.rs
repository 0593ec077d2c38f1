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
//!
//! # Rooms
//!
//! This file holds [`Notices`], who was told what, and its accessors; the rest is in
//! rooms of one job each:
//!
//! - `notice`: the [`Notice`] and its parts ([`NoticeId`], [`NoticeKind`],
//!   [`Progress`], [`PlannedWork`]) and its message.
//! - `options`: [`NoticeOptions`].
//! - `follow`: following the engine's and the orders' changes ([`Notices::follow`]):
//!   which customers each outage holds off, who is newly off or moved.
//! - `announce`: telling an outage's customers what is new.
//! - `release`: holding notices (outage and restoration holds) and issuing them.
//! - `planned`: planned work, registered, announced ahead and found again.

mod announce;
mod follow;
mod notice;
mod options;
mod planned;
mod release;

pub use notice::{Notice, NoticeId, NoticeKind, PlannedKind, PlannedWork, Progress};
pub use options::NoticeOptions;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use announce::Info;
use planned::Scheduled;
use release::Release;

use crate::bits::{bit, set_bit};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::OutageId;
use crate::network::ServiceZone;
use crate::service::tickets::WorkOrderId;
use crate::time::Timestamp;

/// An outage customers were told of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Told {
    /// The outage's device when its customers were last pointed at it.
    device: OutageDeviceId,
    /// The zone of most of its customers.
    zone: ServiceZone,
    /// Customers told (some may have moved on since: `told` decides).
    members: Vec<CustomerId>,
    /// What they were last told (`None`: nothing yet).
    info: Option<Info>,
    /// The outage closed; its customers wait for their release.
    closed: bool,
}

/// The notice desk: who was told what, pending restoration notices and the planned
/// work to announce.
///
/// ```
/// use outage_locator::*;
/// use outage_locator::service::{NoticeKind, NoticeOptions, Notices, WorkOrderOptions};
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

    /// The outage a customer is pointed at.
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

    /// Marks whether a customer was sent the notice that its power is off.
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
}
