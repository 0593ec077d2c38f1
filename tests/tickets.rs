//! The work orders: how they follow the engine's outages (open, merge, split), their
//! lifecycle and audit trail, priorities, time limits, estimates and crews.
//!
//! Most tests script the outages ([`common::Script`]) so that they state the ticket
//! layer's behaviour independently of how the inference decides; the last ones run the
//! real engine.

mod common;

use common::*;
use outage_locator::inference::{OutageCause, OutageStatus};
use outage_locator::network::{OutageDeviceClass, ServiceZone};
use outage_locator::service::{
    Action, AuditEvent, Closing, Crew, CrewId, CrewState, Etr, EtrSource, FaultCause, Fields,
    LimitKind, LimitState, OrderState, Priority, Step, SupervisionCounts, TicketError, TimeLimits,
    WorkOrderChange, WorkOrderOptions,
};
use outage_locator::*;

fn orders() -> WorkOrders {
    WorkOrders::new(WorkOrderOptions::default())
}

fn follow(w: &mut WorkOrders, s: &Script, changes: &[Change]) -> Vec<WorkOrderChange> {
    w.follow(s, changes).to_vec()
}

fn opened(changes: &[WorkOrderChange]) -> Vec<WorkOrderId> {
    changes
        .iter()
        .filter_map(|c| match c {
            WorkOrderChange::Opened(w) => Some(*w),
            _ => None,
        })
        .collect()
}

/// A fault outage opens one work order that carries its outage, device, position,
/// customers, critical customers and zone, an emergency priority for a critical
/// customer, its first step, its time limits and the historical restoration estimate.
#[test]
fn an_order_opens_with_its_fault_outage_and_carries_the_facts() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (o, ch) = s.fault("transformer.t4");
    let out = follow(&mut w, &s, &[ch]);
    assert_eq!(out, [WorkOrderChange::Opened(WorkOrderId(1))]);
    let order = w.order(WorkOrderId(1));
    assert_eq!(order.outage, Some(o));
    assert_eq!(order.device, d(&net, "transformer.t4"));
    assert_eq!(order.position, Some([6000.0, -2000.0]));
    assert_eq!(order.customers, 4);
    assert_eq!(order.critical, [c(&net, "c13")]);
    assert_eq!(order.zone, ServiceZone::Rural);
    assert_eq!(
        order.priority,
        Priority::Emergency,
        "a critical customer makes an emergency"
    );
    assert_eq!(order.state, OrderState::Created);
    assert_eq!(
        order.steps,
        [Step {
            state: OrderState::Created,
            at: t(0.0),
            crew: None
        }]
    );
    assert_eq!(
        order.arrival_due(w.limits()),
        t(90.0),
        "rural: on site within 90 min"
    );
    assert_eq!(
        order.dispatch_due(w.limits()),
        Some(t(5.0)),
        "critical: dispatched within 5 min"
    );
    // The estimate: the historical mean of rural transformers.
    let mean = w
        .history()
        .mean(OutageDeviceClass::Transformer, ServiceZone::Rural);
    assert_eq!(
        order.etr,
        Some(Etr {
            at: t(0.0) + mean,
            source: EtrSource::Historical
        })
    );
    assert_eq!(w.order_of(o), Some(WorkOrderId(1)));
}

/// Planned outages and disconnections open no work order.
#[test]
fn planned_and_disconnect_outages_get_no_order() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (_, a) = s.open("fuse.f2", OutageCause::Planned);
    let (_, b) = s.open("load.c1", OutageCause::Disconnect);
    assert!(follow(&mut w, &s, &[a, b]).is_empty());
    assert!(w.orders().is_empty());
}

/// An order's priority follows its customers (low for 4, high for 12 after a roll-up)
/// and becomes an emergency when a caller reports a wire down; the call is linked and
/// the change announced.
#[test]
fn priority_is_emergency_for_a_wire_down_then_by_size() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = WorkOrders::new(WorkOrderOptions {
        medium_customers: 5,
        high_customers: 10,
        ..Default::default()
    });
    let (_, a) = s.fault("transformer.t1");
    let (_, b) = s.fault("transformer.t2");
    follow(&mut w, &s, &[a, b]);
    assert_eq!(
        w.order(WorkOrderId(1)).priority,
        Priority::Low,
        "4 customers"
    );
    // A roll-up to the recloser: 12 customers.
    s.at(1.0);
    let (o1, o2) = (OutageId(1), OutageId(2));
    let up = s.move_to(o1, "recloser.r1");
    let gone = s.close(o2, OutageStatus::Retracted, Some(o1));
    follow(&mut w, &s, &[up, gone]);
    assert_eq!(w.order(WorkOrderId(1)).priority, Priority::High);
    // A wire down makes it an emergency.
    s.at(2.0);
    let call = s.call("c2", true);
    let out = follow(&mut w, &s, &[call]);
    assert!(out.contains(&WorkOrderChange::CallLinked {
        order: WorkOrderId(1),
        customer: c(&net, "c2")
    }));
    assert!(out.contains(&WorkOrderChange::Updated {
        order: WorkOrderId(1),
        fields: Fields::PRIORITY
    }));
    let order = w.order(WorkOrderId(1));
    assert_eq!(order.priority, Priority::Emergency);
    assert!(order.calls.iter().any(|c| c.wire_down));
}

/// Following the same changes again opens no second order for an outage and changes
/// nothing at all: no change, no audit entry, the same state.
#[test]
fn never_two_open_orders_for_one_outage_and_following_twice_changes_nothing() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (_, a) = s.fault("transformer.t1");
    let call = s.call("c1", false);
    let batch = [a, Change::Updated(OutageId(1)), call];
    let first = follow(&mut w, &s, &batch);
    assert_eq!(opened(&first), [WorkOrderId(1)]);
    let audit = w.audit().len();
    let snapshot = serde_json::to_string(&w).unwrap();
    assert!(follow(&mut w, &s, &batch).is_empty());
    assert!(follow(&mut w, &s, &[a, a]).is_empty());
    assert_eq!(w.orders().len(), 1);
    assert_eq!(w.audit().len(), audit);
    assert_eq!(serde_json::to_string(&w).unwrap(), snapshot);
}

/// When two transformer outages roll up to their recloser, the merged outage's order
/// closes into the survivor's, which takes the new device, the customers, the calls and
/// the crew en route with its steps; the audit trail records both sides.
#[test]
fn a_roll_up_merges_the_child_orders_into_the_parent() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let crew = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let (o1, a) = s.fault("transformer.t1");
    s.at(0.5);
    let (o2, b) = s.fault("transformer.t2");
    let call = s.call("c5", false);
    follow(&mut w, &s, &[a, b, call]);
    let (w1, w2) = (WorkOrderId(1), WorkOrderId(2));
    // The crew is on its way to t2 when the prediction rolls up to the recloser.
    w.apply(Action::Dispatch { order: w2, crew }, t(1.0))
        .unwrap();
    w.apply(Action::EnRoute { order: w2 }, t(2.0)).unwrap();
    s.at(3.0);
    let up = s.move_to(o1, "recloser.r1");
    let merged = s.close(o2, OutageStatus::Retracted, Some(o1));
    let out = follow(&mut w, &s, &[up, merged]);
    assert!(out.contains(&WorkOrderChange::Merged {
        order: w2,
        into: w1
    }));
    assert!(out.iter().any(|c| matches!(c, WorkOrderChange::Updated { order, fields } if *order == w1 && fields.contains(Fields::DEVICE))));
    let child = w.order(w2);
    assert_eq!(child.state, OrderState::Closed);
    assert_eq!(child.closing, Some(Closing::Merged { into: w1 }));
    assert_eq!(child.merged_into, Some(w1));
    let parent = w.order(w1);
    assert_eq!(parent.device, d(&net, "recloser.r1"));
    assert_eq!(parent.customers, 12);
    assert_eq!(parent.calls.len(), 1, "the child's calls come along");
    // The parent had no crew: the crew goes on, with its steps.
    assert_eq!(parent.crew, Some(crew));
    assert_eq!(parent.state, OrderState::EnRoute);
    assert_eq!(parent.time_of(OrderState::EnRoute), Some(t(2.0)));
    assert_eq!(
        w.crew_state(crew),
        CrewState::Assigned {
            order: w1,
            state: OrderState::EnRoute
        }
    );
    assert_eq!(w.order_of(o1), Some(w1));
    assert_eq!(w.order_of(o2), None);
    assert_eq!(w.open_orders().count(), 1);
    assert!(
        w.audit_of(w2)
            .any(|e| e.event == AuditEvent::Merged { into: w1 })
    );
    assert!(
        w.audit_of(w1)
            .any(|e| e.event == AuditEvent::Absorbed { from: w2 })
    );
}

/// When a recloser outage splits into two transformer outages, the first order follows
/// its outage down and the new outage gets a second order.
#[test]
fn a_split_opens_a_second_order() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (o1, a) = s.fault("recloser.r1");
    follow(&mut w, &s, &[a]);
    // The evidence splits the recloser's outage: t1 keeps the identity, t2 is new.
    s.at(4.0);
    let down = s.move_to(o1, "transformer.t1");
    let (o3, new) = s.fault("transformer.t2");
    let out = follow(&mut w, &s, &[down, new]);
    assert_eq!(opened(&out), [WorkOrderId(2)]);
    assert!(out.iter().any(|c| matches!(c, WorkOrderChange::Updated { order, fields } if *order == WorkOrderId(1) && fields.contains(Fields::DEVICE))));
    assert_eq!(w.order(WorkOrderId(1)).device, d(&net, "transformer.t1"));
    assert_eq!(w.order(WorkOrderId(2)).device, d(&net, "transformer.t2"));
    assert_eq!(w.order_of(o1), Some(WorkOrderId(1)));
    assert_eq!(w.order_of(o3), Some(WorkOrderId(2)));
    assert_eq!(w.open_orders().count(), 2);
    assert!(
        w.audit_of(WorkOrderId(1))
            .any(|e| matches!(e.event, AuditEvent::DeviceChanged { .. }))
    );
}

/// With a one-minute wait, a predicted outage gets its order only once it has stood a
/// minute (one withdrawn sooner never does), with its limits counted from the outage's
/// start; confirmed outages and emergencies do not wait.
#[test]
fn a_prediction_gets_its_order_once_it_has_stood() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = WorkOrders::new(WorkOrderOptions {
        open_after: 60_000,
        ..Default::default()
    });
    let (o1, a) = s.fault("transformer.t1");
    let (o2, b) = s.fault("transformer.t2");
    assert!(follow(&mut w, &s, &[a, b]).is_empty());
    assert!(w.is_pending(o1));
    // One is withdrawn within the minute: it never gets an order.
    s.at(0.5);
    let gone = s.close(o2, OutageStatus::Retracted, None);
    assert!(follow(&mut w, &s, &[gone]).is_empty());
    s.at(1.0);
    let out = follow(&mut w, &s, &[]);
    assert_eq!(opened(&out), [WorkOrderId(1)]);
    // The promise's clock started when the outage opened.
    assert_eq!(w.order(WorkOrderId(1)).arrival_due(w.limits()), t(45.0));
    // Confirmed outages and emergencies do not wait.
    s.at(2.0);
    let (_, c3) = s.fault("transformer.t3");
    let confirm = s.confirm(OutageId(3));
    let (_, c4) = s.fault("transformer.t4");
    let out = follow(&mut w, &s, &[c3, confirm, c4]);
    assert_eq!(opened(&out).len(), 2);
}

/// When an outage with an order merges into one still waiting for its own, the order
/// follows the surviving outage instead of a second one opening.
#[test]
fn merging_into_an_outage_without_an_order_keeps_the_order() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = WorkOrders::new(WorkOrderOptions {
        open_after: 60_000,
        ..Default::default()
    });
    let (o1, a) = s.fault("transformer.t1");
    let confirm = s.confirm(o1);
    follow(&mut w, &s, &[a, confirm]);
    s.at(0.5);
    let (o2, b) = s.fault("recloser.r1");
    let merged = s.close(o1, OutageStatus::Retracted, Some(o2));
    let out = follow(&mut w, &s, &[b, merged]);
    assert!(opened(&out).is_empty(), "{out:?}");
    assert_eq!(w.order_of(o2), Some(WorkOrderId(1)));
    assert_eq!(w.order(WorkOrderId(1)).device, d(&net, "recloser.r1"));
    assert!(!w.is_pending(o2));
}

/// An order moves forward through dispatch, reassignment, en route, on site, restored
/// and closed with its cause, with a step and an audit entry each; out-of-order
/// actions, busy or off-duty crews, earlier times and cancelling on site are refused
/// with typed errors; the audit trail only grows.
#[test]
fn the_lifecycle_moves_forward_with_times_crews_and_the_cause() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let north = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let south = w.add_crew(Crew::new("Crew 2", "South", [1500.0, -2000.0]));
    let (o, a) = s.fault("transformer.t1");
    follow(&mut w, &s, &[a]);
    let id = WorkOrderId(1);
    let audit0 = w.audit().to_vec();
    assert_eq!(
        w.apply(Action::EnRoute { order: id }, t(1.0)),
        Err(TicketError::WrongState {
            order: id,
            state: OrderState::Created,
            action: "go en route"
        })
    );
    w.apply(
        Action::Dispatch {
            order: id,
            crew: north,
        },
        t(2.0),
    )
    .unwrap();
    assert_eq!(w.order(id).department.as_deref(), Some("North"));
    // Reassignment to the other crew frees the first.
    let out = w
        .apply(
            Action::Dispatch {
                order: id,
                crew: south,
            },
            t(3.0),
        )
        .unwrap()
        .to_vec();
    assert_eq!(
        out,
        [WorkOrderChange::Progressed {
            order: id,
            state: OrderState::Dispatched
        }]
    );
    assert_eq!(w.crew_state(north), CrewState::Available);
    assert!(
        w.audit_of(id)
            .any(|e| e.event == AuditEvent::Reassigned { from: north })
    );
    // A second order cannot take a busy crew.
    let (_, b) = s.fault("transformer.t2");
    follow(&mut w, &s, &[b]);
    assert_eq!(
        w.apply(
            Action::Dispatch {
                order: WorkOrderId(2),
                crew: south
            },
            t(3.0)
        ),
        Err(TicketError::CrewBusy {
            crew: south,
            order: id
        })
    );
    w.set_on_duty(north, false).unwrap();
    assert_eq!(
        w.apply(
            Action::Dispatch {
                order: WorkOrderId(2),
                crew: north
            },
            t(3.0)
        ),
        Err(TicketError::CrewOffDuty(north))
    );
    assert_eq!(
        w.apply(Action::OnSite { order: id }, t(2.5)),
        Err(TicketError::TimeOrder {
            order: id,
            at: t(2.5),
            last: t(3.0)
        })
    );
    w.apply(Action::EnRoute { order: id }, t(4.0)).unwrap();
    w.apply(Action::OnSite { order: id }, t(20.0)).unwrap();
    assert_eq!(
        w.crew(south).unwrap().position,
        [2500.0, 500.0],
        "the crew is at the device"
    );
    assert!(
        w.apply(Action::Cancel { order: id }, t(21.0)).is_err(),
        "no cancelling once on site"
    );
    w.apply(
        Action::CrewEstimate {
            order: id,
            etr: t(80.0),
        },
        t(25.0),
    )
    .unwrap();
    w.apply(Action::Restored { order: id }, t(70.0)).unwrap();
    w.apply(
        Action::Close {
            order: id,
            cause: FaultCause::Vegetation,
        },
        t(75.0),
    )
    .unwrap();
    let order = w.order(id);
    let steps: Vec<(OrderState, Timestamp, Option<CrewId>)> = order
        .steps
        .iter()
        .map(|s| (s.state, s.at, s.crew))
        .collect();
    assert_eq!(
        steps,
        [
            (OrderState::Created, t(0.0), None),
            (OrderState::Dispatched, t(2.0), Some(north)),
            (OrderState::Dispatched, t(3.0), Some(south)),
            (OrderState::EnRoute, t(4.0), Some(south)),
            (OrderState::OnSite, t(20.0), Some(south)),
            (OrderState::Restored, t(70.0), Some(south)),
            (OrderState::Closed, t(75.0), Some(south)),
        ]
    );
    assert_eq!(
        order.closing,
        Some(Closing::Completed {
            cause: Some(FaultCause::Vegetation)
        })
    );
    assert_eq!(w.crew_state(south), CrewState::Available);
    // The audit trail only grew: what was there is still there, in order.
    assert_eq!(&w.audit()[..audit0.len()], &audit0[..]);
    assert!(w.audit_of(id).any(|e| e.event
        == AuditEvent::Closed {
            closing: Closing::Completed {
                cause: Some(FaultCause::Vegetation)
            }
        }
        && e.crew == Some(south)));
    // Closing the outage later changes nothing more for a closed order.
    s.at(80.0);
    let closed = s.close(o, OutageStatus::Restored, None);
    let n = w.audit_of(id).count();
    follow(&mut w, &s, &[closed]);
    assert_eq!(w.audit_of(id).count(), n);
}

/// A restoration seen by the engine moves the order to restored (the crew still closes
/// it) and updates the historical restoration times; an unattended desk closes the
/// order on restoration.
#[test]
fn restoration_seen_by_the_engine_moves_the_order_and_the_history() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (o, a) = s.fault("transformer.t1");
    follow(&mut w, &s, &[a]);
    let before = w
        .history()
        .mean(OutageDeviceClass::Transformer, ServiceZone::Urban);
    s.at(30.0);
    let closed = s.close(o, OutageStatus::Restored, None);
    let out = follow(&mut w, &s, &[closed]);
    assert_eq!(
        out,
        [WorkOrderChange::Progressed {
            order: WorkOrderId(1),
            state: OrderState::Restored
        }]
    );
    assert_eq!(
        w.order(WorkOrderId(1)).state,
        OrderState::Restored,
        "the crew still closes it with the cause"
    );
    assert!(
        w.history()
            .mean(OutageDeviceClass::Transformer, ServiceZone::Urban)
            < before
    );
    // An unattended desk closes on restoration.
    let mut w = WorkOrders::new(WorkOrderOptions {
        close_on_restore: true,
        ..Default::default()
    });
    let mut s = Script::new(&net);
    let (o, a) = s.fault("transformer.t1");
    follow(&mut w, &s, &[a]);
    let closed = s.close(o, OutageStatus::Restored, None);
    let out = follow(&mut w, &s, &[closed]);
    assert!(out.contains(&WorkOrderChange::Closed(WorkOrderId(1))));
    assert_eq!(
        w.order(WorkOrderId(1)).closing,
        Some(Closing::Completed { cause: None })
    );
}

/// A retracted prediction cancels its order and frees its crew, unless the crew is on
/// site: then the order stays open, with the retraction in its audit trail.
#[test]
fn a_retracted_prediction_cancels_the_order_unless_a_crew_is_there() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let crew = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let (o1, a) = s.fault("transformer.t1");
    let (o2, b) = s.fault("transformer.t2");
    follow(&mut w, &s, &[a, b]);
    w.apply(
        Action::Dispatch {
            order: WorkOrderId(1),
            crew,
        },
        t(1.0),
    )
    .unwrap();
    let r1 = s.close(o1, OutageStatus::Retracted, None);
    let out = follow(&mut w, &s, &[r1]);
    assert_eq!(out, [WorkOrderChange::Closed(WorkOrderId(1))]);
    assert_eq!(w.order(WorkOrderId(1)).closing, Some(Closing::Cancelled));
    assert_eq!(w.crew_state(crew), CrewState::Available);
    w.apply(
        Action::Dispatch {
            order: WorkOrderId(2),
            crew,
        },
        t(2.0),
    )
    .unwrap();
    w.apply(
        Action::OnSite {
            order: WorkOrderId(2),
        },
        t(10.0),
    )
    .unwrap();
    let r2 = s.close(o2, OutageStatus::Retracted, None);
    assert!(follow(&mut w, &s, &[r2]).is_empty());
    assert!(
        w.order(WorkOrderId(2)).is_open(),
        "the crew on site decides"
    );
    assert!(
        w.audit_of(WorkOrderId(2))
            .any(|e| e.event == AuditEvent::OutageRetracted)
    );
}

/// Time-limit warnings and breaches are raised once, exactly when they fall due (none
/// for a limit met in time), and show in the supervision by zone, by crew and in the
/// alarm list; the restoration limit runs from the arrival.
#[test]
fn warnings_and_breaches_come_when_their_time_comes() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let crew = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let (_, a) = s.fault("transformer.t1"); // urban: 45 min, warned at 36
    let (_, b) = s.fault("transformer.t4"); // rural, critical: dispatch in 5, on site in 90
    follow(&mut w, &s, &[a, b]);
    let (w1, w4) = (WorkOrderId(1), WorkOrderId(2));
    s.at(3.9);
    assert!(follow(&mut w, &s, &[]).is_empty());
    s.at(4.0);
    assert_eq!(
        follow(&mut w, &s, &[]),
        [WorkOrderChange::Warning {
            order: w4,
            limit: LimitKind::Dispatch
        }]
    );
    assert_eq!(w.about_to_breach(t(4.0)).len(), 1);
    w.apply(Action::Dispatch { order: w4, crew }, t(4.5))
        .unwrap();
    s.at(35.0);
    assert!(
        follow(&mut w, &s, &[]).is_empty(),
        "dispatched in time: no breach"
    );
    s.at(36.0);
    assert_eq!(
        follow(&mut w, &s, &[]),
        [WorkOrderChange::Warning {
            order: w1,
            limit: LimitKind::Arrival
        }]
    );
    s.at(45.5);
    assert_eq!(
        follow(&mut w, &s, &[]),
        [WorkOrderChange::Breached {
            order: w1,
            limit: LimitKind::Arrival
        }]
    );
    assert!(follow(&mut w, &s, &[]).is_empty(), "raised once");
    let breached = w.breached(t(45.5));
    assert_eq!(breached.len(), 1);
    assert_eq!(
        (breached[0].0, breached[0].1.kind, breached[0].1.due),
        (w1, LimitKind::Arrival, t(45.0))
    );
    // Supervision by zone and by crew.
    let by_zone = w.by_zone(t(45.5));
    assert_eq!(
        by_zone[0],
        (
            ServiceZone::Urban,
            SupervisionCounts {
                open: 1,
                warning: 0,
                breached: 1
            }
        )
    );
    assert_eq!(
        by_zone[1],
        (
            ServiceZone::Rural,
            SupervisionCounts {
                open: 1,
                warning: 0,
                breached: 0
            }
        )
    );
    let by_crew = w.by_crew(t(45.5));
    assert_eq!(
        by_crew,
        [
            (
                None,
                SupervisionCounts {
                    open: 1,
                    warning: 0,
                    breached: 1
                }
            ),
            (
                Some(crew),
                SupervisionCounts {
                    open: 1,
                    warning: 0,
                    breached: 0
                }
            )
        ]
    );
    let view = w.supervision(t(45.5));
    assert_eq!(view[0].order, w1, "breached first");
    assert_eq!(view[0].alarm, LimitState::Overdue);
    // The restoration limit runs from the arrival: 4 h in a rural zone.
    w.apply(Action::OnSite { order: w4 }, t(60.0)).unwrap();
    let l = w
        .order(w4)
        .limit(LimitKind::Restoration, w.limits(), t(61.0))
        .unwrap();
    assert_eq!(
        (l.start, l.due, l.state),
        (t(60.0), t(300.0), LimitState::Running)
    );
    assert_eq!(l.warn_at, t(252.0));
}

/// A zone's arrival limit and the warning share are options: a 60-minute rural limit
/// warns at 30 minutes with a share of one half.
#[test]
fn time_limits_are_configurable_per_zone() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut limits = TimeLimits::default();
    limits.rural.arrival = 60 * MINUTE;
    limits.warning_share = 0.5;
    let mut w = WorkOrders::new(WorkOrderOptions {
        limits,
        ..Default::default()
    });
    let (_, a) = s.fault("transformer.t4");
    follow(&mut w, &s, &[a]);
    let order = w.order(WorkOrderId(1));
    let l = order.limit(LimitKind::Arrival, w.limits(), t(0.0)).unwrap();
    assert_eq!((l.due, l.warn_at), (t(60.0), t(30.0)));
}

/// Department statistics count orders, decided orders and those on time, the on-time
/// rate, breaches, and the mean arrival and restoration times; an order with no crew is
/// counted under `unassigned`.
#[test]
fn department_statistics_count_orders_on_time_breaches_and_means() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let north = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let south = w.add_crew(Crew::new("Crew 2", "South", [0.0, 0.0]));
    let (_, a) = s.fault("transformer.t1");
    let (_, b) = s.fault("transformer.t2");
    let (_, c3) = s.fault("transformer.t3");
    follow(&mut w, &s, &[a, b, c3]);
    let (w1, w2) = (WorkOrderId(1), WorkOrderId(2));
    for (id, crew, arrive, restore) in [(w1, north, 30.0, 60.0), (w2, south, 100.0, 130.0)] {
        w.apply(Action::Dispatch { order: id, crew }, t(1.0))
            .unwrap();
        w.apply(Action::OnSite { order: id }, t(arrive)).unwrap();
        w.apply(Action::Restored { order: id }, t(restore)).unwrap();
        w.apply(
            Action::Close {
                order: id,
                cause: FaultCause::Equipment,
            },
            t(restore + 5.0),
        )
        .unwrap();
    }
    let stats = w.statistics(t(200.0));
    let names: Vec<&str> = stats.iter().map(|s| s.department.as_str()).collect();
    assert_eq!(names, ["North", "South", "unassigned"]);
    let north_s = &stats[0];
    assert_eq!(
        (north_s.orders, north_s.decided, north_s.on_time),
        (1, 1, 1)
    );
    assert_eq!(north_s.on_time_rate, Some(1.0));
    assert_eq!(north_s.mean_arrival, Some(30 * MINUTE));
    assert_eq!(north_s.mean_restoration, Some(30 * MINUTE));
    let south_s = &stats[1];
    assert_eq!((south_s.on_time_rate, south_s.breaches), (Some(0.0), 1));
    // The third order never got a crew and is overdue.
    assert_eq!(
        (stats[2].orders, stats[2].decided, stats[2].on_time),
        (1, 1, 0)
    );
}

/// A historical restoration estimate only moves later; a crew's estimate replaces it,
/// earlier or later, announced and audited; an estimate that passes with the power
/// still off is extended, announced.
#[test]
fn estimates_never_move_earlier_silently() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let crew = w.add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let (o, a) = s.fault("transformer.t1");
    follow(&mut w, &s, &[a]);
    let id = WorkOrderId(1);
    let first = w.order(id).etr.unwrap();
    assert_eq!(first.at, t(180.0), "urban transformers: 3 h on average");
    // The outage moves to a customer's service (shorter to repair on average): a
    // historical estimate only ever moves later.
    s.at(2.0);
    let down = s.move_to(o, "load.c1");
    follow(&mut w, &s, &[down]);
    assert_eq!(
        w.order(id).etr,
        Some(first),
        "services take 2 h on average: the estimate stays"
    );
    // The crew's estimate replaces it, earlier or later, and is on record.
    w.apply(Action::Dispatch { order: id, crew }, t(3.0))
        .unwrap();
    let out = w
        .apply(
            Action::CrewEstimate {
                order: id,
                etr: t(50.0),
            },
            t(20.0),
        )
        .unwrap()
        .to_vec();
    assert_eq!(
        out,
        [WorkOrderChange::Updated {
            order: id,
            fields: Fields::ETR
        }]
    );
    assert_eq!(
        w.order(id).etr,
        Some(Etr {
            at: t(50.0),
            source: EtrSource::Crew
        })
    );
    assert!(w.audit_of(id).any(|e| matches!(
        e.event,
        AuditEvent::EtrChanged {
            to: Etr {
                source: EtrSource::Crew,
                ..
            },
            ..
        }
    )));
    // When the estimate passes with the supply still off, it moves on, announced.
    s.at(50.0);
    let out = follow(&mut w, &s, &[]);
    assert!(out.contains(&WorkOrderChange::Updated {
        order: id,
        fields: Fields::ETR
    }));
    assert_eq!(
        w.order(id).etr,
        Some(Etr {
            at: t(80.0),
            source: EtrSource::Extended
        })
    );
}

/// Dispatch options list the available crews nearest first (not the busy one) with
/// distance, travel time, arrival and slack against the limit; a crew en route moves
/// along the straight line to the site and its arrival time follows.
#[test]
fn dispatch_options_list_available_crews_nearest_first_with_their_slack() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let near = w.add_crew(Crew::new("Near", "North", [2500.0, 0.0])); // 500 m from t1
    let far = w.add_crew(Crew::new("Far", "North", [2500.0, 30_500.0])); // 30 km
    let busy = w.add_crew(Crew::new("Busy", "North", [2500.0, 500.0]));
    let (_, a) = s.fault("transformer.t1");
    let (_, b) = s.fault("transformer.t2");
    follow(&mut w, &s, &[a, b]);
    w.apply(
        Action::Dispatch {
            order: WorkOrderId(2),
            crew: busy,
        },
        t(0.0),
    )
    .unwrap();
    let opts = w.dispatch_options(WorkOrderId(1), t(0.0), 5);
    let crews: Vec<CrewId> = opts.iter().map(|o| o.crew).collect();
    assert_eq!(crews, [near, far], "the busy crew is not offered");
    assert!((opts[0].distance_m - 500.0).abs() < 1e-6);
    // 500 m at 30 km/h is 1 min, plus 5 min turnout.
    assert_eq!(opts[0].travel, 6 * MINUTE);
    assert_eq!(opts[0].eta, t(6.0));
    assert_eq!(opts[0].slack, 39 * MINUTE);
    assert!(opts[0].meets_arrival);
    assert!(
        !opts[1].meets_arrival,
        "30 km take an hour: too late for 45 min"
    );
    // En route, the crew is on the straight line to the site, and its ETA follows.
    w.apply(
        Action::Dispatch {
            order: WorkOrderId(1),
            crew: far,
        },
        t(0.0),
    )
    .unwrap();
    w.apply(
        Action::EnRoute {
            order: WorkOrderId(1),
        },
        t(5.0),
    )
    .unwrap();
    assert_eq!(w.crew_eta(WorkOrderId(1)), Some(t(65.0)));
    let p = w.crew_position(far, t(35.0)).unwrap();
    assert!((p[1] - 15_500.0).abs() < 1.0, "{p:?}");
}

/// A single-customer order (one per customer) follows the outage the engine later finds
/// at that customer's service, and is merged into the order of a larger outage over it.
#[test]
fn a_single_customer_order_joins_the_outage_found_later() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let engine_free = &s;
    let mut w = orders();
    let single = w.open_for_customer(engine_free, c(&net, "c1"), t(0.0));
    let again = w.open_for_customer(engine_free, c(&net, "c1"), t(1.0));
    assert_eq!(single, again, "one order per customer");
    let other = w.open_for_customer(engine_free, c(&net, "c5"), t(1.0));
    // The engine finds c1's own service out: the order follows that outage.
    s.at(2.0);
    let (o, a) = s.fault("load.c1");
    let out = follow(&mut w, &s, &[a]);
    assert!(opened(&out).is_empty());
    assert_eq!(w.order_of(o), Some(single));
    // A larger outage over c5 absorbs its single-customer order.
    let (o2, b) = s.fault("transformer.t2");
    let out = follow(&mut w, &s, &[b]);
    let new = w.order_of(o2).unwrap();
    assert_eq!(opened(&out), [new]);
    assert!(out.contains(&WorkOrderChange::Merged {
        order: other,
        into: new
    }));
}

/// A customer calling again is linked once per order: a repeat links nothing new, a
/// wire down marks the linked call, a call to a nested outage's order and back does not
/// link twice, and the same holds after a JSON round trip of the orders.
#[test]
fn a_customer_calling_again_is_linked_once_per_order_even_after_a_snapshot() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let (_, a) = s.fault("recloser.r1");
    follow(&mut w, &s, &[a]);
    let w1 = WorkOrderId(1);
    let once = |w: &WorkOrders, id: WorkOrderId, name: &str| {
        w.order(id)
            .calls
            .iter()
            .filter(|l| l.customer == c(&net, name))
            .count()
    };
    s.at(1.0);
    let first = s.call("c2", false);
    follow(&mut w, &s, &[first]);
    s.at(2.0);
    let again = s.call("c2", false);
    assert!(
        follow(&mut w, &s, &[again]).is_empty(),
        "a repeated call links nothing new"
    );
    // A wire down on the second call marks the call already linked.
    let wire = s.call("c2", true);
    follow(&mut w, &s, &[wire]);
    assert_eq!(once(&w, w1, "c2"), 1);
    assert!(
        w.order(w1)
            .calls
            .iter()
            .all(|l| l.wire_down == (l.customer == c(&net, "c2")))
    );
    // The caller's next call goes to a nested outage's order, then, when that one is
    // restored, back to the first order, which has it already.
    s.at(3.0);
    let (b, open_b) = s.fault("transformer.t1");
    follow(&mut w, &s, &[open_b]);
    let w2 = w.order_of(b).expect("the nested outage has its order");
    let to_b = s.call("c2", false);
    follow(&mut w, &s, &[to_b]);
    assert_eq!(once(&w, w2, "c2"), 1);
    s.at(4.0);
    let end_b = s.close(b, OutageStatus::Restored, None);
    follow(&mut w, &s, &[end_b]);
    let back = s.call("c2", false);
    follow(&mut w, &s, &[back]);
    assert_eq!(once(&w, w1, "c2"), 1, "not linked twice to the first order");
    // After a snapshot the same holds, and a new caller is linked.
    let mut w: WorkOrders = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
    s.at(5.0);
    let (repeat, new) = (s.call("c2", false), s.call("c3", false));
    follow(&mut w, &s, &[repeat, new]);
    assert_eq!(once(&w, w1, "c2"), 1);
    assert_eq!(once(&w, w1, "c3"), 1);
    let order: Vec<&str> = w
        .order(w1)
        .calls
        .iter()
        .map(|l| net.customer(l.customer).name.as_str())
        .collect();
    assert_eq!(
        order,
        ["load.c2", "load.c3"],
        "in the order they were linked"
    );
}

/// A call made before its outage has an order is linked when the order opens.
#[test]
fn calls_before_the_order_are_linked_when_it_opens() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = orders();
    let early = s.call("c6", false);
    follow(&mut w, &s, &[early]);
    s.at(3.0);
    let (_, a) = s.fault("transformer.t2");
    follow(&mut w, &s, &[a]);
    let calls = &w.order(WorkOrderId(1)).calls;
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].customer, calls[0].at), (c(&net, "c6"), t(3.0)));
}

// ------------------------------------------------------------------ with the engine

/// With the real engine, a breaker trip reported by SCADA opens one emergency order for
/// its 16 customers (one of them critical), restored when SCADA reports the breaker
/// closed.
#[test]
fn with_the_engine_a_scada_trip_opens_one_emergency_order() {
    let net = demo_network();
    let mut engine = Engine::new(&net, EngineOptions::default()).unwrap();
    let mut w = orders();
    let mut all = Vec::new();
    for e in [
        ev(
            t(0.0),
            Evidence::DeviceOpen {
                device: d(&net, "relay.brk"),
            },
        ),
        tick(1.0),
        tick(2.0),
    ] {
        let ch = engine.ingest(e).to_vec();
        all.extend_from_slice(w.follow(&engine, &ch));
    }
    assert_eq!(opened(&all), [WorkOrderId(1)]);
    let order = w.order(WorkOrderId(1));
    assert_eq!(order.device, d(&net, "relay.brk"));
    assert_eq!(order.customers, 16);
    assert_eq!(order.priority, Priority::Emergency, "c13 is critical");
    let ch = engine
        .ingest(ev(
            t(30.0),
            Evidence::DeviceClose {
                device: d(&net, "relay.brk"),
            },
        ))
        .to_vec();
    let out = w.follow(&engine, &ch).to_vec();
    assert!(out.contains(&WorkOrderChange::Progressed {
        order: WorkOrderId(1),
        state: OrderState::Restored
    }));
}

/// While an order waits out its minute, a call is held for it and linked when it opens;
/// a wire-down call opens the order of its outage at once, as an emergency.
#[test]
fn calls_while_the_order_waits_are_linked_and_a_wire_down_opens_it_at_once() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut w = WorkOrders::new(WorkOrderOptions {
        open_after: 60_000,
        ..Default::default()
    });
    let (o1, a) = s.fault("transformer.t1");
    let (_, b) = s.fault("transformer.t2");
    follow(&mut w, &s, &[a, b]);
    s.at(0.5);
    let quiet = s.call("c1", false);
    assert!(follow(&mut w, &s, &[quiet]).is_empty());
    let wire = s.call("c5", true);
    let out = follow(&mut w, &s, &[wire]);
    assert_eq!(
        opened(&out),
        [WorkOrderId(1)],
        "the wire down does not wait"
    );
    assert_eq!(w.order(WorkOrderId(1)).priority, Priority::Emergency);
    s.at(1.0);
    follow(&mut w, &s, &[]);
    let first = w.order(w.order_of(o1).unwrap());
    assert_eq!(first.calls.len(), 1, "the call made while it waited");
    assert_eq!(first.calls[0].customer, c(&net, "c1"));
}

/// Followed through the true outages of a simulated storm (as an exact engine would
/// report them), the ticket layer opens exactly one order per fault, once merges are
/// counted out.
#[test]
fn on_the_true_outages_of_a_storm_exactly_one_order_per_fault() {
    use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (net, _) = import_opendss(path).unwrap();
    let truth = Simulator::new(&net)
        .unwrap()
        .run(&SimulationOptions::for_profile(Profile::Storm), 4)
        .truth;
    // The true outages as an exact engine would report them: open at the start, restored
    // at the end.
    let mut steps: Vec<(Timestamp, bool, usize)> = Vec::new();
    for (i, o) in truth.outages.iter().enumerate() {
        steps.push((o.start, true, i));
        if let Some(e) = o.end {
            steps.push((e, false, i));
        }
    }
    steps.sort();
    let mut s = Script::new(&net);
    let mut w = WorkOrders::new(Replay::centre_options().orders);
    let mut ids = vec![None; truth.outages.len()];
    for (at, open, i) in steps {
        s.clock = at;
        let o = &truth.outages[i];
        let cause = match o.cause {
            outage_locator::bench::simulate::TruthCause::Fault => OutageCause::Fault,
            outage_locator::bench::simulate::TruthCause::Planned => OutageCause::Planned,
            outage_locator::bench::simulate::TruthCause::Disconnect => OutageCause::Disconnect,
        };
        let change = if open {
            let (id, ch) = s.open(&o.device, cause);
            ids[i] = Some(id);
            ch
        } else {
            s.close(ids[i].unwrap(), OutageStatus::Restored, None)
        };
        follow(&mut w, &s, &[change]);
        s.clock = at + 61_000;
        follow(&mut w, &s, &[]);
    }
    let faults = truth.faults().count();
    let merged = w
        .orders()
        .iter()
        .filter(|o| o.merged_into.is_some())
        .count();
    assert!(faults >= 20);
    assert_eq!(w.orders().len() - merged, faults);
}

/// The scans over an outage's customers read zones and critical flags from a dense
/// table built with the network; it must say what the customers say, also for a network
/// read back from JSON.
#[test]
fn the_dense_zone_and_critical_tables_agree_with_the_customers_through_a_round_trip() {
    let net = demo_network();
    let back: Network = serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    for n in [&net, &back] {
        let mut kinds = std::collections::HashSet::new();
        for (i, cu) in n.customers().iter().enumerate() {
            let id = CustomerId(i as u32);
            assert_eq!(n.customer_zone(id), cu.zone, "{}", cu.name);
            assert_eq!(n.customer_is_critical(id), cu.critical, "{}", cu.name);
            kinds.insert((cu.zone, cu.critical));
        }
        // The fixture has urban and rural customers, critical and not.
        let want = [
            (ServiceZone::Urban, false),
            (ServiceZone::Rural, false),
            (ServiceZone::Rural, true),
        ];
        assert_eq!(kinds, want.into_iter().collect(), "{kinds:?}");
    }
}
