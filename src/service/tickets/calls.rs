//! Calls linked to orders: each caller once per order, a wire down raising the
//! priority, and calls no outage explains yet kept until an order covers them.

use super::audit::AuditEvent;
use super::changes::WorkOrderChange;
use super::order::{LinkedCall, Priority, WorkOrderId};
use super::source::OutageSource;
use super::{WorkOrders, idx};
use crate::bits::{bit, set_bit};
use crate::ids::CustomerId;
use crate::time::Timestamp;
use crate::topology::EnergizationView;

impl WorkOrders {
    /// Forgets the remembered calls older than [`WorkOrderOptions::call_memory`].
    ///
    /// [`WorkOrderOptions::call_memory`]: super::WorkOrderOptions::call_memory
    pub(super) fn forget_old_calls(&mut self, now: Timestamp) {
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
    pub(super) fn remember_unlinked(
        &mut self,
        view: &EnergizationView,
        now: Timestamp,
        c: CustomerId,
    ) {
        if self.unlinked_pos.len() == self.unlinked.len() {
            self.unlinked_pos.push_back(position_of(view, c));
        }
        self.unlinked.push_back((now, c));
    }

    /// Links a customer's call to an order (once per customer; a wire down reported
    /// later marks the linked call and makes the order an emergency).
    ///
    /// # Complexity
    /// O(1) for a customer's first call, O(calls of the order) for a repeated one.
    pub(super) fn link_call(
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
            self.updated(id, f);
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

    /// Marks that some order holds a call of the customer.
    pub(super) fn set_linked(&mut self, c: CustomerId) {
        let i = c.index();
        if i / 64 >= self.linked_any.len() {
            self.linked_any.resize(i / 64 + 1, 0);
        }
        set_bit(&mut self.linked_any, i, true);
    }

    /// Links the remembered unexplained calls below the order's device, each with
    /// whether it reported a wire down (as a call linked directly is: a repeat of a
    /// remembered wire-down call must not be what makes it count).
    ///
    /// # Complexity
    /// O(remembered calls): their positions are compared with the device's span of
    /// pre-order positions.
    pub(super) fn link_unlinked(
        &mut self,
        engine: &dyn OutageSource,
        id: WorkOrderId,
        now: Timestamp,
    ) {
        if self.unlinked.is_empty() {
            return;
        }
        let view = engine.view();
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
            self.link_call(id, c, engine.wire_down(c), now);
        }
    }
}

/// A customer's pre-order position in a view (`u32::MAX` without supply).
fn position_of(view: &EnergizationView, c: CustomerId) -> u32 {
    view.supplied_position(c).unwrap_or(u32::MAX)
}
