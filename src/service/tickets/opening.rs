//! Opening orders, for a fault outage or for a lone caller, and keeping an order in line
//! when its outage moves to another device.

use super::assess::{Assessment, assess};
use super::audit::AuditEvent;
use super::changes::{Fields, WorkOrderChange};
use super::order::{
    Etr, EtrSource, LinkedCall, OrderState, Priority, Step, WorkOrder, WorkOrderId,
};
use super::source::OutageSource;
use super::{WorkOrders, idx};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{OutageCause, OutageId};
use crate::network::OutageDeviceClass;
use crate::time::Timestamp;

impl WorkOrders {
    /// Opens the order of a fault outage (or lets the single-customer order of its
    /// very service follow it), links the remembered calls below it and merges the
    /// single-customer orders it covers.
    ///
    /// # Complexity
    /// O(customers below) to assess the device, plus O(remembered calls) and
    /// O(single-customer orders).
    pub(super) fn open_for_outage(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        now: Timestamp,
    ) {
        let Some(o) = engine.outage(oid) else { return };
        if o.cause != OutageCause::Fault
            || o.closed_at.is_some()
            || self.by_outage.contains_key(&oid)
        {
            return;
        }
        let view = engine.view();
        let (device, start, opened) = (o.device, o.start, o.opened_at);
        if self.adopt_single(engine, oid, device, start, now) {
            return;
        }
        let a = assess(engine, device);
        let class = engine.network().outage_device_class(device);
        let etr = Etr {
            at: self.historical_etr(class, a.zone, start, now),
            source: EtrSource::Historical,
        };
        let priority = self.priority_of(&a, false);
        let order = WorkOrder {
            outage: Some(oid),
            outage_start: start,
            etr: Some(etr),
            ..self.created(device, class, a, priority, opened.min(now), now)
        };
        let id = self.insert_order(order);
        self.by_outage.insert(oid, id);
        self.followed.insert(oid, id);
        self.link_unlinked(engine, id, now);
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

    /// Lets the open single-customer order of a service follow the fault outage found
    /// at that very service; whether there was one.
    fn adopt_single(
        &mut self,
        engine: &dyn OutageSource,
        oid: OutageId,
        device: OutageDeviceId,
        start: Timestamp,
        now: Timestamp,
    ) -> bool {
        let Some(pos) = self
            .single
            .iter()
            .position(|&w| self.order(w).device == device)
        else {
            return false;
        };
        let id = self.single.remove(pos);
        self.by_outage.insert(oid, id);
        self.followed.insert(oid, id);
        let w = &mut self.orders[idx(id)];
        w.outage = Some(oid);
        w.outage_start = w.outage_start.min(start);
        self.log(now, id, AuditEvent::OutageLinked { outage: oid });
        self.refresh(engine, id, now);
        true
    }

    /// Opens a single-customer order for a caller no outage explains (the agent's
    /// choice after [`CallAnswer::NothingKnown`](crate::service::CallAnswer)); returns the order
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
        let class = OutageDeviceClass::Service;
        let etr = Etr {
            at: self.historical_etr(class, a.zone, at, at),
            source: EtrSource::Historical,
        };
        let priority = self.priority_of(&a, engine.wire_down(customer));
        let call = LinkedCall {
            customer,
            at,
            wire_down: engine.wire_down(customer),
        };
        let order = WorkOrder {
            customers: 1,
            calls: vec![call],
            etr: Some(etr),
            ..self.created(device, class, a, priority, at, at)
        };
        let id = self.insert_order(order);
        self.single.push(id);
        self.set_linked(customer);
        id
    }

    /// A new order (with the next id, not yet inserted) for a device as assessed,
    /// created at `at` with the promise's clock started at `promise_start`; on no
    /// outage, without calls or an estimate.
    fn created(
        &self,
        device: OutageDeviceId,
        class: OutageDeviceClass,
        a: Assessment,
        priority: Priority,
        promise_start: Timestamp,
        at: Timestamp,
    ) -> WorkOrder {
        WorkOrder {
            id: WorkOrderId(self.orders.len() as u32 + 1),
            outage: None,
            device,
            class,
            position: a.position,
            zone: a.zone,
            customers: a.customers,
            critical_since: (!a.critical.is_empty()).then_some(promise_start),
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
            calls: Vec::new(),
            etr: None,
            outage_start: at,
            promise_start,
            crew_origin: None,
            alerts: 0,
        }
    }

    /// Inserts a new order as open, schedules its limits and records its creation and
    /// its first estimate.
    fn insert_order(&mut self, w: WorkOrder) -> WorkOrderId {
        let (id, at, etr) = (w.id, w.created_at(), w.etr);
        let created = AuditEvent::Created {
            outage: w.outage,
            device: w.device,
            priority: w.priority,
            customers: w.customers,
        };
        self.orders.push(w);
        self.open.insert(id);
        self.touch(id);
        self.log(at, id, created);
        if let Some(to) = etr {
            self.log(at, id, AuditEvent::EtrChanged { from: None, to });
        }
        self.changes.push(WorkOrderChange::Opened(id));
        id
    }

    /// Brings an order in line with its outage's device.
    pub(super) fn refresh(&mut self, engine: &dyn OutageSource, id: WorkOrderId, now: Timestamp) {
        let Some(oid) = self.orders[idx(id)].outage else {
            return;
        };
        let Some(o) = engine.outage(oid) else { return };
        if self.orders[idx(id)].device != o.device {
            let fields = self.move_to(engine, id, o.device, o.start, now);
            self.updated(id, fields);
        }
    }

    /// Moves an order to another device (its outage rolled up or split): the device's
    /// customers, zone and priority, and a later historical estimate; returns the
    /// fields that changed.
    ///
    /// # Complexity
    /// O(customers below the device), plus O(remembered calls).
    fn move_to(
        &mut self,
        engine: &dyn OutageSource,
        id: WorkOrderId,
        device: OutageDeviceId,
        start: Timestamp,
        now: Timestamp,
    ) -> Fields {
        let mut fields = Fields::DEVICE;
        let a = assess(engine, device);
        let w = &self.orders[idx(id)];
        let (from, old_zone) = (w.device, w.zone);
        let class = engine.network().outage_device_class(device);
        let est = self.historical_etr(class, a.zone, start.min(w.outage_start), now);
        let priority = self.priority_of(&a, w.calls.iter().any(|c| c.wire_down));
        let w = &mut self.orders[idx(id)];
        w.device = device;
        w.class = class;
        w.position = a.position;
        w.outage_start = w.outage_start.min(start);
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
        let moved = AuditEvent::DeviceChanged {
            from,
            to: device,
            customers,
        };
        self.log(now, id, moved);
        if old_zone != a.zone {
            self.orders[idx(id)].zone = a.zone;
            fields |= Fields::DUE;
            let to = a.zone;
            self.log(now, id, AuditEvent::ZoneChanged { from: old_zone, to });
        }
        fields |= self.set_priority(id, priority, now);
        // A historical estimate only ever moves later; a crew's stands.
        let w = &self.orders[idx(id)];
        if w.state < OrderState::Restored
            && let Some(etr) = w.etr
            && etr.source != EtrSource::Crew
            && est > etr.at
        {
            let later = Etr {
                at: est,
                source: EtrSource::Historical,
            };
            fields |= self.set_etr(id, later, now);
        }
        self.link_unlinked(engine, id, now);
        self.touch(id);
        fields
    }

    /// The priority of an order on a device as assessed, with or without a linked
    /// call that reported a wire down.
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
}
