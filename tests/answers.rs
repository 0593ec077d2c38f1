//! Call answers: what the agent or the IVR tells a caller, from what the command centre
//! knows.

mod common;

use common::*;
use outage_locator::inference::OutageStatus;
use outage_locator::service::{
    Action, Advice, CallAnswer, CommandCentreOptions, Crew, DisconnectReason, Etr, EtrSource,
    PlannedKind, PlannedWork, Progress,
};
use outage_locator::*;

fn centre(net: &Network) -> CommandCentre<'_> {
    CommandCentre::new(
        net,
        EngineOptions::default(),
        CommandCentreOptions::default(),
    )
    .unwrap()
}

/// A caller under a confirmed breaker outage hears of the outage (status, start,
/// customers), its work order, the crew en route with its arrival time, and the
/// historical restoration estimate; once the crew gives its own estimate, that one, in
/// the script too.
#[test]
fn a_caller_under_a_fault_hears_its_order_crew_arrival_and_estimate() {
    let net = demo_network();
    let mut cc = centre(&net);
    let crew = cc
        .orders_mut()
        .add_crew(Crew::new("Crew 1", "North", [500.0, 0.0]));
    cc.ingest(ev(
        t(0.0),
        Evidence::DeviceOpen {
            device: d(&net, "relay.brk"),
        },
    ));
    cc.ingest(tick(1.0));
    let w = cc.orders().orders()[0].id;
    cc.act(Action::Dispatch { order: w, crew }, t(2.0)).unwrap();
    cc.act(Action::EnRoute { order: w }, t(3.0)).unwrap();
    let CallAnswer::FaultOutage {
        status,
        since,
        customers,
        order,
        progress,
        crew: on,
        crew_eta,
        etr,
        ..
    } = cc.answer(c(&net, "c5"))
    else {
        panic!("{:?}", cc.answer(c(&net, "c5")));
    };
    assert_eq!(
        (status, since, customers),
        (OutageStatus::Confirmed, t(0.0), 16)
    );
    assert_eq!(
        (order, progress, on),
        (Some(w), Progress::CrewEnRoute, Some(crew))
    );
    // From [500, 0] to the breaker's bus at [0, 0]: 500 m at 30 km/h is a minute.
    assert_eq!(crew_eta, Some(t(4.0)));
    // Most of the 16 customers are urban: urban breakers take 90 min on average.
    assert_eq!(
        etr,
        Some(Etr {
            at: t(90.0),
            source: EtrSource::Historical
        })
    );
    cc.act(
        Action::CrewEstimate {
            order: w,
            etr: t(150.0),
        },
        t(10.0),
    )
    .unwrap();
    let answer = cc.answer(c(&net, "c5"));
    let CallAnswer::FaultOutage { etr, .. } = answer else {
        panic!()
    };
    assert_eq!(
        etr,
        Some(Etr {
            at: t(150.0),
            source: EtrSource::Crew
        })
    );
    let script = answer.script();
    assert!(script.contains("work order W1"), "{script}");
    assert!(
        script.contains("The crew expects power back by 2026-07-01T14:30:00Z"),
        "{script}"
    );
}

/// A caller under planned work hears of the planned outage with its window, and of its
/// kind (load shedding) when it was registered ahead; unregistered, the window without
/// a kind.
#[test]
fn a_caller_under_planned_work_hears_its_window_and_kind() {
    let net = demo_network();
    let mut cc = centre(&net);
    let fuse = d(&net, "fuse.f2");
    cc.ingest(tick(0.0));
    cc.schedule_planned(PlannedWork {
        device: fuse,
        start: t(10.0),
        end: t(130.0),
        kind: PlannedKind::LoadShedding,
    });
    cc.ingest(ev(
        t(10.0),
        Evidence::PlannedOutage {
            device: fuse,
            end: t(130.0),
        },
    ));
    let planned = cc
        .engine()
        .open_outages()
        .find(|o| o.device == fuse)
        .map(|o| o.id);
    assert!(planned.is_some(), "the engine holds the planned outage");
    let answer = cc.answer(c(&net, "c14"));
    assert_eq!(
        answer,
        CallAnswer::Planned {
            outage: planned,
            kind: Some(PlannedKind::LoadShedding),
            start: t(10.0),
            end: Some(t(130.0)),
        }
    );
    assert!(answer.script().contains("orderly-use load shedding"));
    // Not registered ahead: the window still, without a kind.
    let t3 = d(&net, "transformer.t3");
    cc.ingest(ev(
        t(20.0),
        Evidence::PlannedOutage {
            device: t3,
            end: t(50.0),
        },
    ));
    let CallAnswer::Planned { kind, end, .. } = cc.answer(c(&net, "c9")) else {
        panic!()
    };
    assert_eq!((kind, end), (None, Some(t(50.0))));
}

/// A disconnected caller hears of the disconnection, since when, and its reason
/// (arrears: unpaid bills in the script).
#[test]
fn a_disconnected_caller_hears_the_reason() {
    let net = demo_network();
    let mut cc = centre(&net);
    let c3 = c(&net, "c3");
    cc.set_disconnect_reason(c3, DisconnectReason::Arrears);
    cc.ingest(ev(t(5.0), Evidence::Disconnect { meter: c3 }));
    let a = cc.answer(c3);
    let CallAnswer::Disconnected { reason, since, .. } = a else {
        panic!("{a:?}")
    };
    assert_eq!((reason, since), (DisconnectReason::Arrears, Some(t(5.0))));
    assert!(a.script().contains("unpaid bills"));
}

/// A caller after a momentary interruption hears of the brief interruption for a while
/// (45 minutes later, nothing is known any more).
#[test]
fn a_caller_after_a_momentary_hears_of_it_for_a_while() {
    let net = demo_network();
    let mut cc = centre(&net);
    for i in 1..=12 {
        cc.ingest(lg(&net, &format!("c{i}"), 0.0));
    }
    for i in 1..=12 {
        cc.ingest(ev(
            t(0.3),
            Evidence::PowerRestore {
                meter: c(&net, &format!("c{i}")),
            },
        ));
    }
    cc.ingest(tick(5.0));
    let a = cc.answer(c(&net, "c2"));
    assert!(
        matches!(a, CallAnswer::Momentary { at, .. } if at == t(0.0)),
        "{a:?}"
    );
    assert!(a.script().contains("brief interruption"));
    cc.ingest(tick(45.0));
    assert!(matches!(
        cc.answer(c(&net, "c2")),
        CallAnswer::NothingKnown { .. }
    ));
}

/// With nothing known about a caller, the answer advises a single-customer order; when
/// the caller's meter answers a ping with supply, a look at the own installation; once
/// the agent opens the order, the answer names it.
#[test]
fn nothing_known_advises_an_order_or_a_look_at_the_installation() {
    let net = demo_network();
    let mut cc = centre(&net);
    cc.ingest(tick(0.0));
    let c9 = c(&net, "c9");
    assert_eq!(
        cc.answer(c9),
        CallAnswer::NothingKnown {
            advice: Advice::SingleCustomerOrder,
            order: None
        }
    );
    // The meter answers a ping: it has supply, so the fault is behind it.
    let c10 = c(&net, "c10");
    cc.ingest(ev(
        t(1.0),
        Evidence::Ping {
            meter: c10,
            on: true,
        },
    ));
    let a = cc.answer(c10);
    assert_eq!(
        a,
        CallAnswer::NothingKnown {
            advice: Advice::CheckOwnInstallation,
            order: None
        }
    );
    assert!(a.script().contains("main switch"));
    // The agent opens a single-customer order; the next answer names it.
    let w = cc.open_for_customer(c9, t(1.0));
    assert_eq!(
        cc.answer(c9),
        CallAnswer::NothingKnown {
            advice: Advice::SingleCustomerOrder,
            order: Some(w)
        }
    );
}
