//! Following the engine and the work orders: which customers each outage now holds
//! off, who is newly off or moved, and which outages have news.

use std::collections::BTreeMap;

use super::notice::{Notice, NoticeKind};
use super::release::Release;
use super::{Notices, Told};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{Change, OutageCause, OutageId, OutageStatus};
use crate::network::ServiceZone;
use crate::service::tickets::{OutageSource, WorkOrderChange, WorkOrders, majority};
use crate::time::Timestamp;

/// Customers gathered in a batch and asked about later: appended unsorted, sorted
/// only when first asked (most batches never ask).
#[derive(Default)]
struct CustomerSet {
    v: Vec<CustomerId>,
    sorted: bool,
}

impl CustomerSet {
    /// Adds a customer.
    fn insert(&mut self, c: CustomerId) {
        self.v.push(c);
        self.sorted = false;
    }

    /// Whether a customer was added (sorting the set first if needed).
    fn contains(&mut self, c: CustomerId) -> bool {
        if !self.sorted {
            self.v.sort_unstable();
            self.v.dedup();
            self.sorted = true;
        }
        self.v.binary_search(&c).is_ok()
    }
}

/// What one batch of changes gathers for the announcements at its end.
#[derive(Default)]
struct Batch {
    /// Outages that may have something new to tell.
    touched: Vec<OutageId>,
    /// Per outage, the customers newly off.
    fresh: BTreeMap<OutageId, Vec<CustomerId>>,
    /// Per outage, the customers moved in from another outage.
    moved: BTreeMap<OutageId, Vec<CustomerId>>,
    /// Customers first told of an outage in this batch: new to every outage of it.
    new_here: CustomerSet,
}

impl Notices {
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
        // Most events change no outage and no order: nothing to gather.
        if !changes.is_empty() || !order_changes.is_empty() {
            self.take_in(engine, changes, orders, order_changes, now);
        }
        self.release_due(engine, orders, now);
        self.release_held(engine, orders, now);
        self.announce_due(engine, now);
        &self.out
    }

    /// Takes in a batch of the engine's and the orders' changes: points customers at
    /// the outages that moved, holds those of closed outages for release, and tells
    /// every outage's customers what is new.
    fn take_in(
        &mut self,
        engine: &dyn OutageSource,
        changes: &[Change],
        orders: &WorkOrders,
        order_changes: &[WorkOrderChange],
        now: Timestamp,
    ) {
        let mut batch = Batch::default();
        for ch in changes {
            match *ch {
                Change::Opened(oid) | Change::Updated(oid) => {
                    self.on_changed(engine, oid, now, &mut batch);
                }
                Change::Closed {
                    outage,
                    merged_into,
                } => self.on_closed(engine, outage, merged_into, now),
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
                batch.touched.push(oid);
            }
        }
        let mut touched = std::mem::take(&mut batch.touched);
        touched.sort_unstable();
        touched.dedup();
        for oid in touched {
            let fresh = batch.fresh.remove(&oid);
            let moved = batch.moved.remove(&oid);
            self.announce(engine, orders, oid, now, fresh, moved);
        }
    }

    /// An outage opened or changed: its customers are pointed at it again when its
    /// device moved, and it may have news (but for a disconnection).
    fn on_changed(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        now: Timestamp,
        batch: &mut Batch,
    ) {
        let Some(o) = engine.outage(oid) else { return };
        if o.closed_at.is_some() {
            return;
        }
        if self.outages.get(&oid).is_none_or(|t| t.device != o.device) {
            self.rescan(engine, oid, now, batch);
        }
        // A disconnected customer knows why: no notices, but it is held.
        if o.cause != OutageCause::Disconnect {
            batch.touched.push(oid);
        }
    }

    /// An outage closed: its customers are held for release, to be told it is
    /// restored (or, for a withdrawn prediction, cleared) when nothing else holds them
    /// off by then.
    fn on_closed(
        &mut self,
        engine: &dyn OutageSource,
        outage: OutageId,
        merged_into: Option<OutageId>,
        now: Timestamp,
    ) {
        let Some(t) = self.outages.get_mut(&outage) else {
            return;
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

    /// Points the customers below an outage's device at it; collects the customers
    /// newly off and those moved from another outage, and holds the customers the
    /// outage no longer covers for release.
    ///
    /// # Complexity
    /// O(customers below the device and customers it held before).
    fn rescan(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        now: Timestamp,
        batch: &mut Batch,
    ) {
        let Some(o) = engine.outage(oid) else { return };
        let view = engine.view();
        let device = o.device;
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
        let silent = o.cause == OutageCause::Disconnect;
        let (members, zones) = self.point_below(engine, oid, device, silent, batch);
        let orphans: Vec<CustomerId> = old
            .into_iter()
            .filter(|&c| {
                self.told_of_(c) == Some(oid) && !view.is_below(OutageDeviceId(c.0), device)
            })
            .collect();
        if let Some(t) = self.outages.get_mut(&oid) {
            t.members = members;
            t.zone = majority(zones);
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

    /// Points the customers below a device at its outage, but for those an open
    /// outage nested inside holds (they stay with the innermost); records those newly
    /// off and those moved in (unless the outage is a silent disconnection). Returns
    /// the customers below and their count per zone.
    fn point_below(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        device: OutageDeviceId,
        silent: bool,
        batch: &mut Batch,
    ) -> (Vec<CustomerId>, [u32; ServiceZone::ALL.len()]) {
        let view = engine.view();
        let net = engine.network();
        let below = view.customers_below(device);
        let mut members = Vec::with_capacity(below.len());
        let mut zones = [0u32; ServiceZone::ALL.len()];
        // Whether the outage a customer is held by is open and nested inside this one,
        // for the last one looked at.
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
                    batch.new_here.insert(c);
                    batch.fresh.entry(oid).or_default().push(c);
                }
                Some(p) if p != oid && batch.new_here.contains(c) => {
                    batch.fresh.entry(oid).or_default().push(c)
                }
                Some(p) if p != oid => batch.moved.entry(oid).or_default().push(c),
                Some(_) => {}
            }
        }
        (members, zones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_set_answers_whatever_order_it_was_filled_in() {
        let mut set = CustomerSet::default();
        for c in [9, 2, 7, 2] {
            set.insert(CustomerId(c));
        }
        assert!(set.contains(CustomerId(2)));
        assert!(!set.contains(CustomerId(3)));
        // Inserting after a question keeps the answers right.
        set.insert(CustomerId(3));
        assert!(set.contains(CustomerId(3)));
        assert!(set.contains(CustomerId(9)));
    }
}
