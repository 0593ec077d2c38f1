//! Holding and issuing notices: outage notices held until a prediction has stood,
//! restoration notices held until no open outage holds the customers off, and the one
//! place notices are issued.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Notices;
use super::announce::notice_about;
use super::notice::{Notice, NoticeId, NoticeKind, Progress};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{OutageCause, OutageId};
use crate::service::tickets::{OutageSource, WorkOrderId, WorkOrders};
use crate::time::Timestamp;

/// Customers to tell, after a hold, that an outage no longer holds them off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Release {
    /// The device whose customers are released.
    pub(super) device: OutageDeviceId,
    /// When the hold is over.
    pub(super) due: Timestamp,
    /// When the supply came back (or the prediction was withdrawn).
    pub(super) at: Timestamp,
    /// The outage that held them off.
    pub(super) outage: OutageId,
    /// Its order.
    pub(super) order: Option<WorkOrderId>,
    /// What to tell them (`None`: nothing, for a reconnection).
    pub(super) kind: Option<NoticeKind>,
    /// The customers released.
    pub(super) customers: Vec<CustomerId>,
}

impl Notices {
    /// Holds a restoration notice until its release is due.
    pub(super) fn hold(&mut self, r: Release) {
        self.pending_due = self.pending_due.map(|t| t.min(r.due));
        self.pending.push(r);
    }

    /// Sends the restoration notices whose hold is over, to the customers no open
    /// outage holds off; the others move to the outage that does.
    pub(super) fn release_due(
        &mut self,
        engine: &dyn OutageSource,
        orders: &WorkOrders,
        now: Timestamp,
    ) {
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
        let mut moved: BTreeMap<OutageId, Vec<CustomerId>> = BTreeMap::new();
        for r in due {
            let mut free = self.free(engine, &r, &mut moved);
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

    /// Frees the customers of a release still pointed at its outage: those an open
    /// outage still holds off (the same one, one above, or one nested below that opened
    /// after they were told) move to it, and are collected in `moved` to hear of it
    /// (but for disconnections); the others are forgotten. Returns those of them who
    /// were told their power is off, to hear that it is back.
    fn free(
        &mut self,
        engine: &dyn OutageSource,
        r: &Release,
        moved: &mut BTreeMap<OutageId, Vec<CustomerId>>,
    ) -> Vec<CustomerId> {
        let view = engine.view();
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
        free
    }

    /// Sends the outage notices whose hold is over: to each customer not told yet, the
    /// outage that holds it off now (if one still does), as it stands now.
    pub(super) fn release_held(
        &mut self,
        engine: &dyn OutageSource,
        orders: &WorkOrders,
        now: Timestamp,
    ) {
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

    /// Issues a notice, or holds it: a fault outage's notice waits for the outage
    /// hold; news and ends go only to those told their power is off (those not yet
    /// told hear of the outage that holds them when their hold is over).
    pub(super) fn push(&mut self, mut n: Notice) {
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
    pub(super) fn send(&mut self, mut n: Notice) {
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
