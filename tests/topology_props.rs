//! Properties of energization views over generated networks and random switch states.

use std::collections::HashSet;

use outage_locator::synth::{SplitMix64, SyntheticNetworkOptions, synthetic_network};
use outage_locator::{
    CustomerId, ElementId, EnergizationView, Network, OutageDeviceId, SwitchState, SwitchingError,
    SwitchingOp,
};
use proptest::prelude::*;

/// A small generated network: 200–3000 customers, feeders small enough that even the
/// smallest has several substations and ties.
fn network(customers: usize, seed: u64, per_feeder: u32) -> Network {
    synthetic_network(&SyntheticNetworkOptions {
        customers,
        seed,
        customers_per_feeder: per_feeder,
        ..Default::default()
    })
}

fn switchable(net: &Network) -> Vec<ElementId> {
    (0..net.elements().len())
        .map(ElementId::from)
        .filter(|&e| net.is_switchable(e))
        .collect()
}

/// Random operations on switchable elements: opens, closes and transfers.
fn random_ops(net: &Network, rng: &mut SplitMix64, n: usize) -> Vec<SwitchingOp> {
    let sw = switchable(net);
    let pick = |rng: &mut SplitMix64| sw[rng.below(sw.len() as u64) as usize];
    (0..n)
        .map(|_| match rng.below(3) {
            0 => SwitchingOp::Open(pick(rng)),
            1 => SwitchingOp::Close(pick(rng)),
            _ => SwitchingOp::Transfer {
                open: pick(rng),
                close: pick(rng),
            },
        })
        .collect()
}

/// A view after a few rounds of random switching from the normal state (rounds that
/// would close a loop are skipped), so that some ties are closed and some devices open.
fn random_view(net: &Network, rng: &mut SplitMix64) -> EnergizationView {
    let mut view = EnergizationView::normal(net).expect("generated networks are radial");
    for _ in 0..rng.below(6) {
        let n = 1 + rng.below(3) as usize;
        let ops = random_ops(net, rng, n);
        if let Ok(v) = view.switch(net, &ops) {
            view = v;
        }
    }
    view
}

/// The states `ops` lead to from `view`'s, applied by hand.
fn states_after(
    net: &Network,
    view: &EnergizationView,
    ops: &[SwitchingOp],
) -> outage_locator::SwitchStates {
    let mut st = view.states().clone();
    for op in ops {
        let (open, close) = match *op {
            SwitchingOp::Open(e) => (Some(e), None),
            SwitchingOp::Close(e) => (None, Some(e)),
            SwitchingOp::Transfer { open, close } => (Some(open), Some(close)),
        };
        if let Some(e) = open {
            st.set(net.bundle_representative(e), SwitchState::Open);
        }
        if let Some(e) = close {
            st.set(net.bundle_representative(e), SwitchState::Closed);
        }
    }
    st
}

fn open_set(net: &Network, rng: &mut SplitMix64, k: usize) -> Vec<OutageDeviceId> {
    let n = net.outage_device_count() as u64;
    (0..k)
        .map(|_| OutageDeviceId(rng.below(n) as u32))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A customer is de-energized by a set of open devices iff one of them stands on
    /// its upstream chain (checked against a walk up the chain of every customer).
    #[test]
    fn customer_is_deenergized_iff_an_open_device_is_on_its_chain(
        customers in 200usize..3000, seed: u64, per_feeder in 150u32..600, k in 0usize..12,
    ) {
        let net = network(customers, seed, per_feeder);
        let mut rng = SplitMix64::new(seed);
        let view = random_view(&net, &mut rng);
        let open = open_set(&net, &mut rng, k);
        let open_set: HashSet<OutageDeviceId> = open.iter().copied().collect();
        let got: Vec<CustomerId> = view.deenergized(&open);
        let got_set: HashSet<CustomerId> = got.iter().copied().collect();
        prop_assert_eq!(got.len(), got_set.len(), "each customer once");
        let mut want = HashSet::new();
        for c in 0..customers {
            let c = CustomerId::from(c);
            let service = OutageDeviceId(c.0);
            if !view.is_supplied(c) {
                prop_assert_eq!(view.upstream(service).count(), 0);
                continue;
            }
            if view.upstream(service).any(|d| open_set.contains(&d)) {
                want.insert(c);
            }
        }
        prop_assert_eq!(&got_set, &want);
        prop_assert_eq!(view.deenergized_count(&open) as usize, want.len());
        let mut positions: Vec<u32> = got.iter().map(|&c| view.customer_position(c)).collect();
        let sorted = { let mut p = positions.clone(); p.sort_unstable(); p };
        prop_assert_eq!(&positions, &sorted, "in pre-order");
        positions.dedup();
        prop_assert_eq!(positions.len(), got.len());
    }

    /// The customers of a device are the disjoint union of its children's customers,
    /// plus its own when it is a service; chains, depths and intervals agree.
    #[test]
    fn device_customers_are_the_disjoint_union_of_its_childrens(
        customers in 200usize..3000, seed: u64, per_feeder in 150u32..600,
    ) {
        let net = network(customers, seed, per_feeder);
        let mut rng = SplitMix64::new(seed ^ 1);
        let view = random_view(&net, &mut rng);
        let nc = net.customers().len();
        let mut max_depth = 0;
        for d in (0..net.outage_device_count()).map(OutageDeviceId::from) {
            if !view.is_energized(d) {
                prop_assert!(view.customers_below(d).is_empty());
                prop_assert!(view.children(d).is_empty());
                prop_assert_eq!(view.preorder_index(d), None);
                continue;
            }
            let own = view.customers_below(d);
            if d.index() < nc {
                prop_assert_eq!(own, &[CustomerId(d.0)][..]);
                prop_assert!(view.children(d).is_empty());
            } else {
                let mut union: Vec<CustomerId> = Vec::new();
                for &k in view.children(d) {
                    prop_assert_eq!(view.parent(k), Some(d));
                    prop_assert_eq!(view.depth(k), view.depth(d) + 1);
                    union.extend_from_slice(view.customers_below(k));
                }
                prop_assert_eq!(&union[..], own);
            }
            prop_assert_eq!(view.customer_count_below(d) as usize, own.len());
            for &c in own {
                prop_assert!(view.is_below(OutageDeviceId(c.0), d));
            }
            let chain: Vec<OutageDeviceId> = view.upstream(d).collect();
            prop_assert_eq!(chain.len(), view.depth(d) as usize + 1);
            for &a in &chain {
                prop_assert!(view.is_below(d, a));
            }
            if let Some(p) = view.parent(d) {
                prop_assert!(!view.is_below(p, d));
            }
            max_depth = max_depth.max(view.depth(d));
        }
        prop_assert_eq!(view.max_depth(), max_depth);
        let order = view.preorder();
        for (i, &d) in order.iter().enumerate() {
            prop_assert_eq!(view.preorder_index(d), Some(i as u32));
        }
    }

    /// Switching gives, field for field, the view built from scratch for the new
    /// states; and a loop is refused by both.
    #[test]
    fn switching_equals_building_from_scratch(
        customers in 200usize..3000, seed: u64, per_feeder in 150u32..600, n in 1usize..5,
    ) {
        let net = network(customers, seed, per_feeder);
        let mut rng = SplitMix64::new(seed ^ 2);
        let view = random_view(&net, &mut rng);
        for _ in 0..8 {
            let ops = random_ops(&net, &mut rng, n);
            let fresh = EnergizationView::build(&net, states_after(&net, &view, &ops));
            match (view.switch(&net, &ops), fresh) {
                (Ok(a), Ok(b)) => prop_assert!(a == b, "switch {:?} differs from a rebuild", ops),
                (Err(SwitchingError::ClosesLoop { .. }), Err(SwitchingError::ClosesLoop { .. })) => {}
                (a, b) => prop_assert!(false, "{:?}: switch {:?}, rebuild {:?}", ops, a.err(), b.err()),
            }
        }
    }

    /// Opening a closed element and closing it again gives back an identical view.
    #[test]
    fn open_then_close_restores_an_identical_view(
        customers in 200usize..3000, seed: u64, per_feeder in 150u32..600,
    ) {
        let net = network(customers, seed, per_feeder);
        let mut rng = SplitMix64::new(seed ^ 3);
        let view = random_view(&net, &mut rng);
        let closed: Vec<ElementId> = switchable(&net)
            .into_iter()
            .filter(|&e| view.states().state(net.bundle_representative(e)) == SwitchState::Closed)
            .collect();
        for _ in 0..6 {
            let e = closed[rng.below(closed.len() as u64) as usize];
            let opened = view.switch(&net, &[SwitchingOp::Open(e)]).expect("opening never closes a loop");
            let back = opened.switch(&net, &[SwitchingOp::Close(e)]).expect("the state was radial");
            prop_assert!(back == view);
        }
    }

    /// A network survives a round trip through the crate's JSON format unchanged.
    #[test]
    fn json_round_trip_is_identity(customers in 200usize..3000, seed: u64, per_feeder in 150u32..600) {
        let net = network(customers, seed, per_feeder);
        let json = serde_json::to_string(&net).expect("serializes");
        let back: Network = serde_json::from_str(&json).expect("deserializes");
        prop_assert!(back == net);
        prop_assert_eq!(serde_json::to_string(&back).expect("serializes"), json);
        // The derived tables come back too: the views agree.
        prop_assert!(EnergizationView::normal(&back).ok() == EnergizationView::normal(&net).ok());
    }

    /// Closing a tie between two energized feeders is refused, naming the tie and the
    /// elements of the loop it would close: every bus of them is met twice, except two
    /// source buses when the feeders come from different substations.
    #[test]
    fn closing_a_loop_is_an_error_naming_its_elements(
        customers in 200usize..3000, seed: u64, per_feeder in 150u32..600,
    ) {
        let net = network(customers, seed, per_feeder);
        let view = EnergizationView::normal(&net).expect("radial");
        let ties: Vec<ElementId> = (0..net.elements().len())
            .map(ElementId::from)
            .filter(|&e| net.element(e).normally_open)
            .collect();
        prop_assume!(!ties.is_empty());
        for &tie in &ties {
            let err = view.switch(&net, &[SwitchingOp::Close(tie)]).expect_err("closes a loop");
            let SwitchingError::ClosesLoop { closing, elements } = err else {
                return Err(TestCaseError::fail("not a loop error"));
            };
            prop_assert_eq!(&closing, &net.element(tie).name);
            prop_assert!(elements.contains(&closing));
            let mut count = std::collections::HashMap::new();
            for name in &elements {
                let e = net.element_by_name(name).expect("names a real element");
                let el = net.element(e);
                *count.entry(el.from).or_insert(0) += 1;
                *count.entry(el.to).or_insert(0) += 1;
            }
            let odd: HashSet<_> = count.iter().filter(|(_, n)| **n % 2 == 1).map(|(b, _)| *b).collect();
            let sources: HashSet<_> = net.sources().iter().map(|s| s.bus).collect();
            prop_assert!(odd.is_empty() || (odd.len() == 2 && odd.is_subset(&sources)), "{:?}", elements);
        }
    }
}

/// The hand-made fixtures and the IEEE 123-bus feeder: real shapes the generator does
/// not make (switches in parallel with regulators, whose bundle has no outage device of
/// its own; loads straight on switched sections).
fn fixtures() -> &'static [Network] {
    static NETS: std::sync::OnceLock<Vec<Network>> = std::sync::OnceLock::new();
    NETS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/");
        [
            "radial_feeder/master.dss",
            "feeder_with_tie/master.dss",
            "substation_three_feeders/master.dss",
            "ieee123/eval_master.dss",
        ]
        .iter()
        .map(|m| {
            outage_locator::import_opendss(format!("{dir}{m}"))
                .expect("imports")
                .0
        })
        .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On the fixtures too, switching gives the view built from scratch for the new
    /// states, and both refuse the same loops.
    #[test]
    fn switching_fixtures_equals_building_from_scratch(which in 0usize..4, seed: u64) {
        let net = &fixtures()[which];
        let mut rng = SplitMix64::new(seed);
        let mut view = EnergizationView::normal(net).expect("radial");
        for _ in 0..12 {
            let n = 1 + rng.below(3) as usize;
            let ops = random_ops(net, &mut rng, n);
            let fresh = EnergizationView::build(net, states_after(net, &view, &ops));
            match (view.switch(net, &ops), fresh) {
                (Ok(a), Ok(b)) => {
                    prop_assert!(a == b, "switch {:?} differs from a rebuild", ops);
                    view = a;
                }
                (Err(SwitchingError::ClosesLoop { .. }), Err(SwitchingError::ClosesLoop { .. })) => {}
                (a, b) => prop_assert!(false, "{:?}: switch {:?}, rebuild {:?}", ops, a.err(), b.err()),
            }
        }
    }
}

/// A generated network is the same for the same seed, and differs for another.
#[test]
fn generation_is_deterministic_for_a_seed() {
    let a = network(5_000, 42, 700);
    let b = network(5_000, 42, 700);
    let c = network(5_000, 43, 700);
    assert!(a == b);
    assert!(a != c);
    assert_eq!(a.customers().len(), 5_000);
}

/// The generator makes what its documentation promises: 2–10 feeders a substation
/// behind breakers, reclosers, fuses, 1–15 customers a distribution transformer,
/// normally-open ties, coordinates everywhere, and some variety of customers.
#[test]
fn generated_networks_have_the_documented_shape() {
    use outage_locator::{CustomerClass, DeviceKind, ServiceZone};
    let net = network(30_000, 9, 1_500);
    let view = EnergizationView::normal(&net).expect("radial");
    let subs = net.sources().len();
    let breakers = net
        .devices()
        .iter()
        .filter(|d| d.kind == DeviceKind::Breaker)
        .count();
    assert!(subs >= 2);
    assert!(
        breakers >= 2 * (subs - 1) && breakers <= 10 * subs,
        "{breakers} feeders, {subs} substations"
    );
    assert!(
        net.devices()
            .iter()
            .filter(|d| d.kind == DeviceKind::Recloser)
            .count()
            >= breakers
    );
    assert!(net.devices().iter().any(|d| d.kind == DeviceKind::Fuse));
    assert!(net.elements().iter().any(|e| e.switch && e.normally_open));
    assert!(net.buses().iter().all(|b| b.position.is_some()));
    for (i, e) in net.elements().iter().enumerate() {
        if e.is_distribution_transformer() {
            let d = net
                .outage_device_by_name(&e.name)
                .expect("an outage device");
            assert_eq!(net.outage_device_element(d), Some(ElementId::from(i)));
            let n = view.customer_count_below(d);
            assert!((1..=15).contains(&n), "{} serves {n}", e.name);
        }
    }
    let classes: HashSet<CustomerClass> = net.customers().iter().map(|c| c.class).collect();
    let zones: HashSet<ServiceZone> = net.customers().iter().map(|c| c.zone).collect();
    assert!(classes.len() >= 4 && zones.len() == 3);
    assert!(net.customers().iter().any(|c| c.critical));
    // Every customer's chain runs service → transformer → … → breaker → source.
    for c in (0..net.customers().len()).step_by(97) {
        let chain: Vec<_> = view
            .upstream(OutageDeviceId::from(c))
            .map(|d| net.outage_device_class(d))
            .collect();
        use outage_locator::OutageDeviceClass as K;
        assert_eq!(chain[0], K::Service);
        assert_eq!(chain[1], K::Transformer);
        assert_eq!(chain[chain.len() - 2], K::Breaker);
        assert_eq!(chain[chain.len() - 1], K::Source);
    }
}
