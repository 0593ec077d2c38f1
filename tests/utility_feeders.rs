//! Utility-shaped synthetic feeders: customers per transformer and per feeder within
//! their ranges, deep chains of devices (fuses below fuses), ties normally open, and the
//! same network for the same seed.

use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network};
use outage_locator::network::OutageDeviceClass;
use outage_locator::{CustomerId, EnergizationView, Network, OutageDeviceId};
use proptest::prelude::*;

/// Small feeders, so that many seeds run quickly; every other range as by default.
fn small(seed: u64, substations: u32) -> UtilityNetworkOptions {
    UtilityNetworkOptions {
        seed,
        substations,
        customers_per_feeder: 200..=1_200,
        ..Default::default()
    }
}

/// Each customer's chain of outage devices, from its service up to its source.
fn chains(net: &Network, view: &EnergizationView) -> Vec<Vec<OutageDeviceClass>> {
    (0..net.customers().len())
        .map(|i| {
            view.upstream(OutageDeviceId::from(i))
                .map(|d| net.outage_device_class(d))
                .collect()
        })
        .collect()
}

/// The shape every utility network keeps, whatever its options.
fn check_shape(opts: &UtilityNetworkOptions) -> Result<(), TestCaseError> {
    let net = utility_network(opts);
    let view = EnergizationView::normal(&net).unwrap();
    let (lo, hi) = opts.transformer_customer_bounds();
    let relays: Vec<OutageDeviceId> = view
        .preorder()
        .iter()
        .copied()
        .filter(|&d| net.outage_device_class(d) == OutageDeviceClass::Breaker)
        .collect();
    let feeders = relays.len() as u32;
    prop_assert!(feeders >= opts.substations);
    prop_assert!(feeders <= opts.substations * opts.feeders_per_substation.end());
    // A feeder grows until it serves the customers drawn; its last transformer may
    // take it past.
    for &r in &relays {
        let n = view.customer_count_below(r);
        let (a, b) = (
            *opts.customers_per_feeder.start(),
            *opts.customers_per_feeder.end(),
        );
        prop_assert!(a <= n && n < b + hi, "feeder of {n}");
    }
    for &d in view.preorder() {
        if net.outage_device_class(d) == OutageDeviceClass::Transformer {
            let n = view.customer_count_below(d);
            prop_assert!(
                lo <= n && n <= hi,
                "{} serves {n}",
                net.outage_device_name(d)
            );
        }
    }
    for (i, chain) in chains(&net, &view).iter().enumerate() {
        prop_assert!(view.is_supplied(CustomerId::from(i)));
        let count = |c| chain.iter().filter(|&&x| x == c).count();
        prop_assert_eq!(chain.first(), Some(&OutageDeviceClass::Service));
        prop_assert_eq!(chain.get(1), Some(&OutageDeviceClass::Transformer));
        prop_assert_eq!(chain.last(), Some(&OutageDeviceClass::Source));
        prop_assert_eq!(count(OutageDeviceClass::Breaker), 1);
        prop_assert!(count(OutageDeviceClass::Fuse) <= 2);
        prop_assert!(
            count(OutageDeviceClass::Recloser) <= *opts.reclosers_per_feeder.end() as usize
        );
    }
    let ties: Vec<_> = net
        .elements()
        .iter()
        .filter(|e| e.name.contains("_tie"))
        .collect();
    prop_assert!(ties.len() as u32 <= feeders * opts.ties_per_feeder.end());
    for e in &ties {
        prop_assert!(
            e.switch && e.normally_open,
            "{} is not a normally-open switch",
            e.name
        );
    }
    prop_assert!(
        net.elements()
            .iter()
            .all(|e| !e.normally_open || e.name.contains("_tie")),
        "only ties are open"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Customers per transformer and per feeder within their ranges, one breaker and at
    /// most two fuses above every customer, ties normally open, every customer supplied.
    #[test]
    fn utility_networks_keep_their_shape(seed in any::<u64>(), substations in 1u32..=2) {
        check_shape(&small(seed, substations))?;
    }

    /// The shape holds at the edges of the options: one customer a transformer, or the
    /// larger transformers only; no sub-laterals; one feeder, tied outside the model.
    #[test]
    fn the_shape_holds_at_the_edges_of_the_options(seed in any::<u64>(), edge in 0usize..4) {
        let opts = match edge {
            0 => UtilityNetworkOptions { customers_per_transformer: 1..=1, large_transformer_share: 0.0, ..small(seed, 1) },
            1 => UtilityNetworkOptions { large_transformer_share: 1.0, ..small(seed, 1) },
            2 => UtilityNetworkOptions { sub_laterals_per_lateral: 0..=0, reclosers_per_feeder: 0..=0, ..small(seed, 1) },
            _ => UtilityNetworkOptions { feeders_per_substation: 1..=1, ties_per_feeder: 3..=3, ..small(seed, 1) },
        };
        check_shape(&opts)?;
    }

    /// The same options and seed give the same network; another seed another one.
    #[test]
    fn a_utility_network_is_deterministic_by_seed(seed in any::<u64>()) {
        let opts = small(seed, 1);
        let net = utility_network(&opts);
        prop_assert_eq!(&net, &utility_network(&opts));
        let other = utility_network(&UtilityNetworkOptions { seed: seed.wrapping_add(1), ..opts });
        prop_assert_ne!(&net, &other);
    }
}

/// With the default options a feeder serves thousands of customers through chains of
/// seven devices or more (source, breaker, recloser, fuse, fuse, transformer,
/// service), most transformers serve one to four customers and some six to ten, and
/// feeders tie to each other.
#[test]
fn default_feeders_are_deep_and_serve_thousands() {
    let opts = UtilityNetworkOptions {
        seed: 11,
        feeders_per_substation: 3..=3,
        ..Default::default()
    };
    let net = utility_network(&opts);
    let view = EnergizationView::normal(&net).unwrap();
    let all = chains(&net, &view);
    assert!(net.customers().len() >= 4_500);
    let deep = all
        .iter()
        .filter(|c| {
            c.len() >= 7
                && c.iter().filter(|&&x| x == OutageDeviceClass::Fuse).count() == 2
                && c.contains(&OutageDeviceClass::Recloser)
        })
        .count();
    assert!(
        deep * 5 > all.len(),
        "{deep} of {} customers are deep",
        all.len()
    );
    let sizes: Vec<u32> = view
        .preorder()
        .iter()
        .filter(|&&d| net.outage_device_class(d) == OutageDeviceClass::Transformer)
        .map(|&d| view.customer_count_below(d))
        .collect();
    let small = sizes.iter().filter(|&&n| n <= 4).count();
    let large = sizes.iter().filter(|&&n| n >= 6).count();
    assert!(small * 10 > sizes.len() * 7, "{small} of {}", sizes.len());
    assert!(large * 20 > sizes.len(), "{large} of {}", sizes.len());
    let ties = net.elements().iter().filter(|e| e.normally_open).count();
    assert!(ties >= 3, "{ties} ties");
    // A tie joins two feeders of the network: both its ends are live.
    for e in net.elements().iter().filter(|e| e.normally_open) {
        let a = view.is_bus_energized(e.from);
        let b = view.is_bus_energized(e.to);
        assert!(a && b, "{} joins two live feeders", e.name);
    }
}
