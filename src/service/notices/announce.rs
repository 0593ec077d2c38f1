//! Telling an outage's customers what is new: the outage to those newly off, the state
//! to those moved in, and news of the estimate or the crew's progress to everyone.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Notices;
use super::notice::{Notice, NoticeId, NoticeKind, PlannedWork, Progress};
use crate::ids::CustomerId;
use crate::inference::{Outage, OutageCause, OutageId};
use crate::service::tickets::{OutageSource, WorkOrderId, WorkOrders};
use crate::time::Timestamp;

/// What customers of an outage were last told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Info {
    /// The estimated restoration time.
    pub(super) etr: Option<Timestamp>,
    /// How far the work has come.
    pub(super) progress: Progress,
    /// The order handling the outage.
    pub(super) order: Option<WorkOrderId>,
}

/// A notice of `kind` about an outage as it stands now: its cause and start, its
/// planned window, and the estimate and progress of `info`.
pub(super) fn notice_about(
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

impl Notices {
    /// What an outage's customers are to be told now: the estimate and progress of
    /// its order (or of planned work, or the historical estimate while it has none).
    pub(super) fn info(
        &self,
        engine: &dyn OutageSource,
        orders: &WorkOrders,
        oid: OutageId,
    ) -> Option<Info> {
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
    pub(super) fn announce(
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
            .map(|v| self.still_told(v, oid))
            .filter(|v| !v.is_empty());
        let moved = moved
            .map(|v| self.still_told(v, oid))
            .filter(|v| !v.is_empty());
        if let Some(fresh) = fresh {
            self.tell_outage(o, info, planned, fresh, now);
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
        let recipients = if changed {
            self.news_recipients(oid)
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

    /// The customers of a list still pointed at an outage.
    fn still_told(&self, mut customers: Vec<CustomerId>, oid: OutageId) -> Vec<CustomerId> {
        customers.retain(|&c| self.told_of_(c) == Some(oid));
        customers
    }

    /// Tells customers newly off that their power is off (those of planned work that
    /// was announced were told ahead).
    fn tell_outage(
        &mut self,
        o: &Outage,
        info: Info,
        planned: Option<PlannedWork>,
        mut fresh: Vec<CustomerId>,
        now: Timestamp,
    ) {
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
    }

    /// Who hears an outage's news: its customers still pointed at it, but for those
    /// just told of the outage, who have the news already.
    fn news_recipients(&self, oid: OutageId) -> Vec<CustomerId> {
        let t = &self.outages[&oid];
        let mut v: Vec<CustomerId> = t
            .members
            .iter()
            .copied()
            .filter(|&c| self.told_of_(c) == Some(oid))
            .collect();
        if let Some(n) = self.out.last()
            && n.kind == NoticeKind::Outage
            && n.outage == Some(oid)
        {
            let got: BTreeSet<CustomerId> = n.customers.iter().copied().collect();
            v.retain(|c| !got.contains(c));
        }
        v
    }
}
