//! Following the engine: orders opened, moved, merged, restored or cancelled as the
//! engine's outages change, with predictions held until they have stood long enough.

use super::assess::assess;
use super::audit::AuditEvent;
use super::changes::{Fields, WorkOrderChange};
use super::order::{Closing, OrderState, Priority, Step, WorkOrder, WorkOrderId};
use super::source::OutageSource;
use super::{WorkOrders, idx};
use crate::ids::CustomerId;
use crate::inference::{CallClassification, Change, OutageCause, OutageId, OutageStatus};
use crate::service::crews::CrewId;
use crate::time::Timestamp;

impl WorkOrders {
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
                Change::Call(cl) => self.on_call(engine, cl, now),
                Change::Momentary(_) => {}
            }
        }
        self.release_pending(engine, now);
        self.forget_old_calls(now);
        self.check_deadlines(now);
        &self.changes
    }

    /// A call: linked to the order of the fault outage that explains it, or kept
    /// until an order covers it.
    fn on_call(&mut self, engine: &dyn OutageSource, cl: CallClassification, now: Timestamp) {
        match (cl.cause, cl.outage) {
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
        }
    }

    /// A fault outage opened: its order opens now when it is urgent (confirmed, an
    /// emergency, or no wait set), else once it has stood
    /// [`open_after`](super::WorkOrderOptions::open_after).
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

    /// An outage changed: its order follows its device, or a waiting prediction's
    /// order opens once it is confirmed or sure enough.
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

    /// An outage closed: rolled up into another (its order merges into that one's, or
    /// follows it), restored (its order restored, and closed when so set), or
    /// withdrawn (its order cancelled before a crew reached the site).
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

    /// Opens the orders of the waiting predictions whose wait is over and that the
    /// engine is sure enough of (or that have stood long enough).
    ///
    /// # Complexity
    /// O(1) while none is due; O(waiting predictions) when one is.
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

    /// Merges an order into another (its outage rolled up into the other's): the other
    /// takes its calls, its earlier promise and, if it has no crew yet, its crew; the
    /// merged order closes.
    pub(super) fn merge(&mut self, id: WorkOrderId, into: WorkOrderId, now: Timestamp) {
        let child = self.orders[idx(id)].clone();
        let fields = self.absorb(&child, into, now);
        if let Some(crew) = child.crew {
            self.take_over_crew(&child, crew, into, now);
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
        self.updated(into, fields);
    }

    /// What the absorbing order takes from a merged one: the calls of customers it
    /// has not linked, the earlier start of the promise, and a reported wire down;
    /// returns the fields that changed.
    fn absorb(&mut self, child: &WorkOrder, into: WorkOrderId, now: Timestamp) -> Fields {
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
        self.log(now, into, AuditEvent::Absorbed { from: child.id });
        // The customers of the merged order have waited since its start.
        if child.promise_start < self.orders[idx(into)].promise_start {
            self.orders[idx(into)].promise_start = child.promise_start;
            fields |= Fields::DUE;
            let to = child.promise_start;
            self.log(now, into, AuditEvent::PromiseStartChanged { to });
        }
        if child.calls.iter().any(|c| c.wire_down) {
            fields |= self.set_priority(into, Priority::Emergency, now);
        }
        fields
    }

    /// The crew of a merged order goes on to the absorbing order when that one is
    /// still waiting for a crew, with its steps so far; otherwise it is released.
    fn take_over_crew(
        &mut self,
        child: &WorkOrder,
        crew: CrewId,
        into: WorkOrderId,
        now: Timestamp,
    ) {
        let parent = &self.orders[idx(into)];
        if parent.crew.is_none() && parent.state == OrderState::Created {
            let w = &mut self.orders[idx(into)];
            w.crew = Some(crew);
            w.department = child.department.clone();
            w.crew_origin = child.crew_origin;
            let crew_steps = child.steps.iter().filter(|s| {
                matches!(
                    s.state,
                    OrderState::Dispatched | OrderState::EnRoute | OrderState::OnSite
                )
            });
            w.steps.extend(crew_steps);
            w.state = child
                .state
                .min(OrderState::OnSite)
                .max(OrderState::Dispatched);
            self.assignment.insert(crew, into);
        } else {
            self.assignment.remove(&crew);
            let released = crew;
            self.log(now, child.id, AuditEvent::CrewReleased { released });
        }
    }
}
