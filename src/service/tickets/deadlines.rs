//! The watch on time limits and estimates: when each open order next needs a look, and
//! the warnings, breaches and moved-on estimates raised when that time comes.

use std::cmp::Reverse;

use super::audit::AuditEvent;
use super::changes::WorkOrderChange;
use super::limits::{LIMIT_KINDS, LimitState};
use super::order::{Etr, EtrSource, OrderState, WorkOrderId};
use super::{WorkOrders, idx};
use crate::time::Timestamp;

impl WorkOrders {
    /// Schedules the next look at an order: its earliest warning, due time or
    /// estimate not yet acted on.
    pub(super) fn touch(&mut self, id: WorkOrderId) {
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
    pub(super) fn check_deadlines(&mut self, now: Timestamp) {
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
        for id in due {
            if self.orders[idx(id)].is_open() {
                self.look_at(id, now);
            }
        }
    }

    /// Raises an open order's warnings and breaches that are due, moves on its
    /// estimate if it passed, and schedules the next look.
    fn look_at(&mut self, id: WorkOrderId, now: Timestamp) {
        let limits = self.opts.limits;
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
            let fields = self.set_etr(id, to, now);
            // Reported even when a zero extension leaves the estimate as it was.
            self.changes
                .push(WorkOrderChange::Updated { order: id, fields });
        }
        self.touch(id);
    }
}
