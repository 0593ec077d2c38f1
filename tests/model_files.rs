//! Model files: networks written as OpenDSS models by `synth::write_opendss` read back
//! into the same network: the same buses, elements, devices, customers and sources
//! under the same ids, the same normally-open switches, and every customer with the
//! same chain of outage devices. What a model file does not hold (customer classes,
//! zones and critical flags, where each object was defined) is left out of the
//! comparison.

mod common;

use std::path::PathBuf;

use common::trees::tree_shape;
use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network, write_opendss};
use outage_locator::network::{Customer, Element, Source};
use outage_locator::{EnergizationView, Network, OutageDeviceId, SourceLocation, import_opendss};
use proptest::prelude::*;

/// A fresh folder for one case.
fn folder(tag: &str, seed: u64) -> PathBuf {
    std::env::temp_dir().join(format!("model-files-{}-{tag}-{seed:x}", std::process::id()))
}

/// Writes `net`, reads it back, checks that both are the same network and that the
/// import warned of nothing; removes the folder.
fn round_trip(net: &Network, dir: PathBuf) -> Result<(), TestCaseError> {
    let files = write_opendss(net, &dir).unwrap();
    let (read, report) = import_opendss(&files.master).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    prop_assert_eq!(report.warning_count, 0, "{:?}", report.warning_list);
    same_network(net, &read)
}

/// Equal but for what a model file does not hold, and for the ratings the writer
/// adds where the network has none (line codes' ampacities, the source's 115 kV, a
/// load's kW and power factor). The network takes the name of its circuit, the first
/// source.
fn same_network(a: &Network, b: &Network) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.sources()[0].name.strip_prefix("circuit."), Some(b.name()));
    prop_assert_eq!(a.buses(), b.buses());
    let unrated = |s: &Source| Source {
        base_kv: None,
        ..s.clone()
    };
    let sources = |n: &Network| n.sources().iter().map(unrated).collect::<Vec<_>>();
    prop_assert_eq!(sources(a), sources(b));
    let at = SourceLocation::default();
    prop_assert_eq!(a.elements().len(), b.elements().len());
    for (x, y) in a.elements().iter().zip(b.elements()) {
        let y = Element {
            at: at.clone(),
            normal_amps: x.normal_amps,
            emergency_amps: x.emergency_amps,
            rated_kv: x.rated_kv,
            ..y.clone()
        };
        prop_assert_eq!(x, &y);
    }
    prop_assert_eq!(a.devices().len(), b.devices().len());
    for (x, y) in a.devices().iter().zip(b.devices()) {
        let y = outage_locator::network::ProtectiveDevice {
            at: at.clone(),
            ..y.clone()
        };
        prop_assert_eq!(x, &y);
    }
    let served = |c: &Customer| (c.name.clone(), c.bus);
    let ca: Vec<_> = a.customers().iter().map(served).collect();
    let cb: Vec<_> = b.customers().iter().map(served).collect();
    prop_assert_eq!(ca, cb);
    prop_assert_eq!(chains(a), chains(b));
    Ok(())
}

/// Every customer's chain of outage devices, by name, from its service to its source.
fn chains(net: &Network) -> Vec<Vec<String>> {
    let view = EnergizationView::normal(net).unwrap();
    (0..net.customers().len())
        .map(|i| {
            view.upstream(OutageDeviceId::from(i))
                .map(|d| net.outage_device_name(d).to_string())
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// A utility's network in the region's proportions, of up to a few thousand
    /// customers, with any share of its switches under switch controls.
    #[test]
    fn a_region_reads_back_as_generated(
        seed in any::<u64>(),
        customers in 1usize..8_000,
        controlled in 0.0..=1.0f64,
    ) {
        let opts = UtilityNetworkOptions {
            controlled_switch_share: controlled,
            ..UtilityNetworkOptions::region(customers, seed)
        };
        let net = utility_network(&opts);
        prop_assert_eq!(net.customers().len(), customers);
        round_trip(&net, folder("region", seed))?;
    }

    /// One feeder of the default shape, its ties to buses outside the model.
    #[test]
    fn one_feeder_tied_outside_reads_back(seed in any::<u64>()) {
        let opts = UtilityNetworkOptions {
            seed,
            shared_source: true,
            feeders_per_substation: 1..=1,
            customers_per_feeder: 100..=1_500,
            ties_per_feeder: 1..=3,
            ..Default::default()
        };
        round_trip(&utility_network(&opts), folder("feeder", seed))?;
    }

    /// Any feeder tree below one source, with ties between any two buses: a failing
    /// shape shrinks to the few nodes that matter.
    #[test]
    fn any_tree_reads_back(shape in tree_shape(1, 40, 3), tag in any::<u64>()) {
        let net = shape.network();
        // A model without customers is refused as partial (the reader's own tests).
        prop_assume!(!net.customers().is_empty());
        round_trip(&net, folder("tree", tag))?;
    }
}

/// The region's network is the shape of a utility's model: one circuit, substations
/// of several feeders, fuses on laterals, a tie a feeder, and deep chains.
#[test]
fn a_region_has_the_shape_of_a_utility_model() {
    let net = utility_network(&UtilityNetworkOptions::region(60_000, 3));
    let files = write_opendss(&net, &folder("shape", 3)).unwrap();
    let (_, report) = import_opendss(&files.master).unwrap();
    std::fs::remove_dir_all(files.master.parent().unwrap()).unwrap();
    assert_eq!(report.customers, 60_000);
    assert_eq!(report.sources, 1);
    let per_feeder = report.customers as f64 / report.breakers as f64;
    assert!((1_400.0..=3_100.0).contains(&per_feeder), "{per_feeder}");
    let per_transformer = report.customers as f64 / report.distribution_transformers as f64;
    assert!((4.5..=6.0).contains(&per_transformer), "{per_transformer}");
    let per_fuse = report.distribution_transformers as f64 / report.fuses as f64;
    assert!((5.0..=8.0).contains(&per_fuse), "{per_fuse}");
    assert!(report.open_switches >= report.breakers - 1);
    assert!((9..=11).contains(&report.max_depth), "{}", report.max_depth);
    // One file a substation, besides the master, line codes, ties and coordinates.
    assert!(report.files >= 5);
}
