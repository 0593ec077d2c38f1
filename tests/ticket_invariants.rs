//! The ticket layer on the real engine, over generated scenarios: never two open orders
//! for one outage, orders that follow their outages, no "power restored" notice to a
//! customer still held off, deterministic replays.

mod common;

#[path = "../examples/common/crew_sim.rs"]
mod crew_sim;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::inference::OutageCause;
use outage_locator::service::{Closing, Notice, NoticeKind, Priority, WorkOrderChange};
use outage_locator::*;
use proptest::prelude::*;
use std::sync::Arc;

/// The invariants after each event: at most one open order per open fault outage, the
/// order of an outage on its device and open, no open order following a closed outage
/// or merged into another, and no "restored" notice to a customer still held off by a
/// fault or planned work.
fn check(cc: &CommandCentre, notices: &[Notice]) -> Result<(), String> {
    let e = cc.engine();
    let w = cc.orders();
    for o in e.open_outages().filter(|o| o.cause == OutageCause::Fault) {
        let n = w.open_orders().filter(|x| x.outage == Some(o.id)).count();
        if n > 1 {
            return Err(format!("{n} open orders for {}", o.id));
        }
        if let Some(id) = w.order_of(o.id) {
            let order = w.order(id);
            if order.device != o.device || !order.is_open() {
                return Err(format!("{id} does not follow {}", o.id));
            }
        }
    }
    for order in w.open_orders() {
        if let Some(o) = order.outage
            && w.order_of(o) == Some(order.id)
            && e.outage(o).is_none_or(|x| x.closed_at.is_some())
        {
            return Err(format!("{} follows closed {o}", order.id));
        }
        if let Some(into) = order.merged_into {
            return Err(format!("open {} merged into {into}", order.id));
        }
    }
    for n in notices.iter().filter(|n| n.kind == NoticeKind::Restored) {
        for &c in &n.customers {
            let cl = e.classify(c);
            if matches!(cl.cause, Some(OutageCause::Fault | OutageCause::Planned)) {
                return Err(format!(
                    "{} told restored while under {:?}",
                    n.id, cl.outage
                ));
            }
        }
    }
    Ok(())
}

/// What a run of the command centre showed: every work-order change and every notice,
/// in order.
#[derive(Debug, Default, PartialEq)]
struct Log {
    orders: Vec<WorkOrderChange>,
    notices: Vec<Notice>,
}

/// Replays `events` through a command centre with `crews` simulated crews (none: the
/// desk closes orders on restoration), checking the invariants after every event and
/// crew step.
fn play(net: &Arc<Network>, events: &[Event], crews: usize) -> Result<Log, String> {
    let mut opts = Replay::centre_options();
    opts.orders.close_on_restore = crews == 0;
    let mut cc = CommandCentre::new(Arc::clone(net), EngineOptions::default(), opts).unwrap();
    for crew in crew_sim::crews_over(net, crews) {
        cc.orders_mut().add_crew(crew);
    }
    let sim = crew_sim::CrewSim::default();
    let mut log = Log::default();
    for &ev in events {
        let out = cc.ingest(ev);
        let notices = out.notices.to_vec();
        log.orders.extend_from_slice(out.orders);
        check(&cc, &notices)?;
        let mut more = Vec::new();
        sim.step(&mut cc, &mut more);
        check(&cc, &more)?;
        log.notices.extend(notices.into_iter().chain(more));
    }
    let out = cc.flush();
    let notices = out.notices.to_vec();
    log.orders.extend_from_slice(out.orders);
    check(&cc, &notices)?;
    log.notices.extend(notices);
    Ok(log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Simulated days on IEEE 123 with 0 to 3 crews: the invariants of [`check`] hold
    /// after every event, and the same events again give the same orders and notices.
    #[test]
    fn the_ticket_layer_keeps_its_invariants(seed in 0u64..100_000, profile in 0usize..3, crews in 0usize..4) {
        let net = Arc::new(common::ieee123());
        let sim = Simulator::new(&net).unwrap();
        let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[profile]), seed);
        let first = play(&net, &s.events, crews);
        prop_assert!(first.is_ok(), "{:?}", first.err());
        prop_assert_eq!(play(&net, &s.events, crews), first);
    }
}

/// A storm on a synthetic network of 3 000 customers with six crews keeps the
/// invariants of [`check`], and is no empty test: orders open and customers are told
/// their power is back.
#[test]
fn a_storm_on_a_synthetic_network_keeps_the_invariants() {
    let net = Arc::new(outage_locator::bench::synth::synthetic_network(
        &outage_locator::bench::synth::SyntheticNetworkOptions {
            customers: 3_000,
            seed: 5,
            ..Default::default()
        },
    ));
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Storm), 11);
    let log = play(&net, &s.events, 6).unwrap();
    assert!(
        log.orders
            .iter()
            .any(|c| matches!(c, WorkOrderChange::Opened(_)))
    );
    assert!(log.notices.iter().any(|n| n.kind == NoticeKind::Restored));
}

/// What identifies an order a replay opened: its id, outage, device, priority and
/// closing.
type OrderFacts = (
    WorkOrderId,
    Option<OutageId>,
    OutageDeviceId,
    Priority,
    Option<Closing>,
);

/// The orders a replay opens.
fn orders_of(net: &Arc<Network>, events: impl Iterator<Item = Event>) -> Vec<OrderFacts> {
    let mut replay = Replay::new(Arc::clone(net), EngineOptions::default()).unwrap();
    for e in events {
        replay.feed(e);
    }
    replay.finish();
    replay
        .orders()
        .orders()
        .iter()
        .map(|w| (w.id, w.outage, w.device, w.priority, w.closing))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Every row delivered twice (a resent AMI batch, a replayed call log): the same
    /// orders.
    #[test]
    fn events_delivered_twice_open_the_same_orders(seed in 0u64..100_000, profile in 0usize..3) {
        let net = Arc::new(common::ieee123());
        let sim = Simulator::new(&net).unwrap();
        let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[profile]), seed);
        let once = orders_of(&net, s.events.iter().copied());
        let twice = orders_of(&net, s.events.iter().flat_map(|&e| [e, e]));
        prop_assert_eq!(twice, once);
    }
}

/// The case the property above found (storm profile, seed 68709): a wire-down call
/// made while its outage's order was still pending was linked without its wire down,
/// so only a second delivery of the call made the order an emergency, and the order
/// kept a different priority when it later moved to another device.
#[test]
fn a_pending_orders_wire_down_call_counts_once_delivered() {
    let net = std::sync::Arc::new(common::ieee123());
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[2]), 68709);
    let once = orders_of(&net, s.events.iter().copied());
    let twice = orders_of(&net, s.events.iter().flat_map(|&e| [e, e]));
    assert_eq!(twice, once);
}
