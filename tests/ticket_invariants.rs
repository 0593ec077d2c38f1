//! The ticket layer on the real engine, over generated scenarios: never two open orders
//! for one outage, orders that follow their outages, no "power restored" notice to a
//! customer still held off, deterministic replays.

mod common;

#[path = "../examples/common/crew_sim.rs"]
mod crew_sim;

use outage_locator::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::*;
use proptest::prelude::*;

fn check(cc: &CommandCentre<'_>, notices: &[Notice]) -> Result<(), String> {
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

fn play(net: &Network, events: &[Event], crews: usize) -> Result<Vec<String>, String> {
    let mut opts = Replay::centre_options();
    opts.orders.close_on_restore = crews == 0;
    let mut cc = CommandCentre::new(net, EngineOptions::default(), opts).unwrap();
    for crew in crew_sim::crews_over(net, crews) {
        cc.orders_mut().add_crew(crew);
    }
    let sim = crew_sim::CrewSim::default();
    let mut log = Vec::new();
    for &ev in events {
        let out = cc.ingest(ev);
        let notices = out.notices.to_vec();
        log.extend(out.orders.iter().map(|c| format!("{c:?}")));
        check(&cc, &notices)?;
        let mut more = Vec::new();
        sim.step(&mut cc, &mut more);
        check(&cc, &more)?;
        log.extend(notices.iter().chain(&more).map(|n| format!("{n:?}")));
    }
    let out = cc.flush();
    let notices = out.notices.to_vec();
    check(&cc, &notices)?;
    Ok(log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_ticket_layer_keeps_its_invariants(seed in 0u64..100_000, profile in 0usize..3, crews in 0usize..4) {
        let net = common::ieee123();
        let sim = Simulator::new(&net).unwrap();
        let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[profile]), seed);
        let first = play(&net, &s.events, crews);
        prop_assert!(first.is_ok(), "{:?}", first.err());
        // The same events again: the same orders and notices.
        prop_assert_eq!(play(&net, &s.events, crews), first);
    }
}

#[test]
fn a_storm_on_a_synthetic_network_keeps_the_invariants() {
    let net =
        outage_locator::synth::synthetic_network(&outage_locator::synth::SyntheticNetworkOptions {
            customers: 3_000,
            seed: 5,
            ..Default::default()
        });
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Storm), 11);
    let log = play(&net, &s.events, 6).unwrap();
    assert!(log.iter().any(|l| l.starts_with("Opened")));
    assert!(log.iter().any(|l| l.contains("kind: Restored")));
}

/// The orders a replay opens: outage, device, priority and closing of each.
fn orders_of(net: &Network, events: impl Iterator<Item = Event>) -> Vec<String> {
    let mut replay = Replay::new(net, EngineOptions::default()).unwrap();
    for e in events {
        replay.feed(e);
    }
    replay.finish();
    replay
        .orders()
        .orders()
        .iter()
        .map(|w| {
            format!(
                "{} {:?} {} {:?} {:?}",
                w.id,
                w.outage,
                net.outage_device_name(w.device),
                w.priority,
                w.closing
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Every row delivered twice (a resent AMI batch, a replayed call log): the same
    /// orders.
    #[test]
    fn events_delivered_twice_open_the_same_orders(seed in 0u64..100_000, profile in 0usize..3) {
        let net = common::ieee123();
        let sim = Simulator::new(&net).unwrap();
        let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[profile]), seed);
        let once = orders_of(&net, s.events.iter().copied());
        let twice = orders_of(&net, s.events.iter().flat_map(|&e| [e, e]));
        prop_assert_eq!(twice, once);
    }
}
