//! The order's state machine: the dispatcher's and crew's actions checked against the
//! order's state, and the steps, restorations, closings and field updates they make.

use serde::{Deserialize, Serialize};

use super::audit::AuditEvent;
use super::changes::{Fields, WorkOrderChange};
use super::order::{Closing, Etr, EtrSource, FaultCause, OrderState, Priority, Step, WorkOrderId};
use super::{WorkOrders, idx};
use crate::service::crews::CrewId;
use crate::time::Timestamp;

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

impl Action {
    /// The order it is for.
    fn order(self) -> WorkOrderId {
        match self {
            Action::Dispatch { order, .. }
            | Action::EnRoute { order }
            | Action::OnSite { order }
            | Action::Restored { order }
            | Action::Close { order, .. }
            | Action::Cancel { order }
            | Action::CrewEstimate { order, .. } => order,
        }
    }
}

impl WorkOrders {
    /// Applies a dispatcher's or crew's action at time `at`; returns the changes.
    ///
    /// Steps only move forward: dispatch (or reassign) while created, dispatched or en
    /// route; en route after dispatch; on site after dispatch; restored before closing;
    /// close with a cause once on site or restored; cancel before arrival. A crew must
    /// be on duty and free. `at` may not precede the order's last step.
    ///
    /// ```
    /// # use outage_locator::*;
    /// # use outage_locator::service::{Action, Crew, CrewState, FaultCause, OrderState, WorkOrderOptions};
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
        let id = action.order();
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
                self.dispatch(id, crew, at)?;
            }
            Action::EnRoute { .. } => {
                if state != S::Dispatched {
                    return Err(wrong("go en route"));
                }
                self.leave(id, at);
            }
            Action::OnSite { .. } => {
                if !matches!(state, S::Dispatched | S::EnRoute) {
                    return Err(wrong("arrive"));
                }
                self.arrive(id, at)?;
            }
            Action::Restored { .. } => {
                if state >= S::Restored {
                    return Err(wrong("restore"));
                }
                self.restore(id, at);
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
                let etr = Etr {
                    at: etr,
                    source: EtrSource::Crew,
                };
                let f = self.set_etr(id, etr, at);
                self.updated(id, f);
            }
        }
        Ok(&self.changes)
    }

    /// Sets an order's priority, with its audit entry; the fields that changed.
    pub(super) fn set_priority(&mut self, id: WorkOrderId, p: Priority, now: Timestamp) -> Fields {
        let from = self.orders[idx(id)].priority;
        if from == p {
            return Fields::default();
        }
        self.orders[idx(id)].priority = p;
        self.log(now, id, AuditEvent::PriorityChanged { from, to: p });
        Fields::PRIORITY
    }

    /// Sets an order's estimated restoration time, with its audit entry, and looks at
    /// the order again when it passes; the fields that changed.
    pub(super) fn set_etr(&mut self, id: WorkOrderId, etr: Etr, now: Timestamp) -> Fields {
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

    /// Records that supply is back on an order not restored yet (and the restoration
    /// time in the history).
    pub(super) fn restore(&mut self, id: WorkOrderId, now: Timestamp) {
        let w = &self.orders[idx(id)];
        if w.state >= OrderState::Restored {
            return;
        }
        let (class, zone, start) = (w.class, w.zone, w.outage_start);
        self.history.record(class, zone, now.0 - start.0);
        self.step(id, OrderState::Restored, now);
    }

    /// Moves an order to a state, with the step, its audit entry and (but for
    /// closing) the change.
    pub(super) fn step(&mut self, id: WorkOrderId, state: OrderState, at: Timestamp) {
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

    /// Closes an order: the crew is freed and the outage no longer has it.
    pub(super) fn close(&mut self, id: WorkOrderId, closing: Closing, at: Timestamp) {
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
}
