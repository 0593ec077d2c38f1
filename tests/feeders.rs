//! One integration test per feeder: the hand-made fixtures and the IEEE 13-, 34- and
//! 123-bus copies in `fixtures/` (always), and the two large models kept only in
//! `../shared/feeders` (IEEE 8500 and J1, each its original master and
//! `eval_master.dss`).
//!
//! The expected numbers were obtained independently of this crate's reader, with the
//! scoring reader `../shared/eval/dss.py` (`load_feeder(m)`: its element list for the
//! transformer and switch counts, `chain(load)` for chains, `customers_of(device)` for
//! customers below a device) and, for the counts, the replay contract
//! `../shared/spec/replay.md`. The one place the two readers differ on purpose: the
//! fixture `substation_three_feeders` has a disabled load, which the contract leaves
//! out of the customers and `dss.py` counts.
//!
//! The tests of `../shared` models read files outside this repository: they are
//! ignored by default and run where `../shared` exists (`.ci/run` runs them then); run
//! without it, they fail naming the path they looked for (`common::shared`).

mod common;

use std::path::{Path, PathBuf};

use common::shared::shared;

use outage_locator::topology::SwitchingOp;
use outage_locator::{
    EnergizationView, ImportReport, Network, OutageDeviceId, SwitchingError, import_opendss,
    load_network,
};

/// The counts of an import report that the contract defines, plus the longest chain.
#[derive(Debug, PartialEq)]
struct Counts {
    customers: usize,
    transformers: usize,
    distribution_transformers: usize,
    breakers: usize,
    reclosers: usize,
    fuses: usize,
    switches: usize,
    open_switches: usize,
    aggregate_loads: usize,
    /// Outage devices on the longest chain from a customer to the source, both ends
    /// counted.
    max_depth: usize,
}

fn counts(r: &ImportReport) -> Counts {
    Counts {
        customers: r.customers,
        transformers: r.transformers,
        distribution_transformers: r.distribution_transformers,
        breakers: r.breakers,
        reclosers: r.reclosers,
        fuses: r.fuses,
        switches: r.switches,
        open_switches: r.open_switches,
        aggregate_loads: r.aggregate_loads,
        max_depth: r.max_depth,
    }
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Imports a model with no warning, checks its counts, and that the network and its
/// view agree with the report; returns both.
fn import(path: &Path, want: Counts) -> (Network, EnergizationView) {
    let (net, report) = import_opendss(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(report.warning_list, vec![], "{}", path.display());
    assert_eq!(counts(&report), want, "{}", path.display());
    ratings_complete(&net, path);
    let view = EnergizationView::normal(&net).expect("the normal state is radial");
    assert_eq!(view.max_depth() as usize + 1, want.max_depth);
    assert_eq!(net.customers().len(), want.customers);
    // Every customer is supplied, and its chain ends at the circuit.
    let circuit = net
        .outage_device_by_name(&net.sources()[0].name)
        .expect("a source");
    for c in 0..net.customers().len() {
        let chain: Vec<OutageDeviceId> = view.upstream(OutageDeviceId::from(c)).collect();
        assert_eq!(
            chain.last(),
            Some(&circuit),
            "{}",
            net.customer(c.into()).name
        );
    }
    (net, view)
}

/// Every rating restoration reads is there: each line's ampacities, each
/// transformer's primary voltage, each customer's kW and kvar, the source's voltage.
fn ratings_complete(net: &Network, path: &Path) {
    use outage_locator::network::ElementKind;
    for e in net.elements() {
        match e.kind {
            ElementKind::Transformer => assert!(e.rated_kv.is_some(), "{}", e.name),
            _ => assert!(
                e.normal_amps.is_some() && e.emergency_amps.is_some(),
                "{}",
                e.name
            ),
        }
    }
    for c in net.customers() {
        assert!(
            c.kw.is_some() && c.kvar.is_some(),
            "{}: {}",
            path.display(),
            c.name
        );
    }
    assert!(net.sources().iter().all(|s| s.base_kv.is_some()));
}

/// The chain of outage devices of a customer, by name.
fn chain(net: &Network, view: &EnergizationView, load: &str) -> Vec<String> {
    let c = net
        .customer_by_name(load)
        .unwrap_or_else(|| panic!("no {load}"));
    view.upstream(OutageDeviceId(c.0))
        .map(|x| net.outage_device_name(x).to_string())
        .collect()
}

/// How many customers are below each named device.
fn below(net: &Network, view: &EnergizationView, devices: &[(&str, u32)]) {
    for &(name, n) in devices {
        let d = net
            .outage_device_by_name(name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(view.customer_count_below(d), n, "customers below {name}");
    }
}

/// The network reads back from the crate's JSON format unchanged.
fn json_round_trip(net: &Network) {
    let dir = std::env::temp_dir().join(format!("outage-locator-feeders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    let path = dir.join(format!("{}.json", net.name()));
    std::fs::write(&path, serde_json::to_string(net).expect("serializes")).expect("writable");
    let (back, report) = load_network(&path).expect("reads back");
    let _ = std::fs::remove_file(&path);
    assert!(back == *net, "{} changed in a JSON round trip", net.name());
    assert_eq!(report.customers, net.customers().len());
}

/// The radial feeder imports with its counts, the chain of its deepest customer through
/// every kind of protective device, the customers below each device, the bus
/// coordinates, and reads back from JSON unchanged.
#[test]
fn radial_feeder_imports_with_its_counts_chains_and_coordinates() {
    let (net, view) = import(
        &fixture("radial_feeder/master.dss"),
        Counts {
            customers: 11,
            transformers: 6,
            distribution_transformers: 6,
            breakers: 1,
            reclosers: 1,
            fuses: 2,
            switches: 0,
            open_switches: 0,
            aggregate_loads: 0,
            max_depth: 6,
        },
    );
    assert_eq!(
        chain(&net, &view, "c11"),
        [
            "load.c11",
            "transformer.t6",
            "fuse.f2",
            "recloser.rec",
            "relay.brk",
            "circuit.radial"
        ]
    );
    assert_eq!(
        chain(&net, &view, "c1"),
        ["load.c1", "transformer.t1", "relay.brk", "circuit.radial"]
    );
    below(
        &net,
        &view,
        &[
            ("relay.brk", 11),
            ("recloser.rec", 5),
            ("fuse.f1", 4),
            ("fuse.f2", 3),
            ("transformer.t2", 3),
        ],
    );
    let b4 = net.bus_by_name("B4.2").expect("bus b4");
    assert_eq!(net.bus(b4).position, Some([1600.0, 0.0]));
    json_round_trip(&net);
}

/// Two feeders joined by an open tie: the tie carries no customer; a transfer moves
/// feeder A's far end (three customers) to feeder B through the tie; closing the tie
/// alone is refused, naming the eight elements of the loop.
#[test]
fn feeder_with_tie_transfers_through_its_tie_and_refuses_the_loop() {
    let (net, view) = import(
        &fixture("feeder_with_tie/master.dss"),
        Counts {
            customers: 10,
            transformers: 7,
            distribution_transformers: 7,
            breakers: 2,
            reclosers: 0,
            fuses: 1,
            switches: 3,
            open_switches: 1,
            aggregate_loads: 0,
            max_depth: 5,
        },
    );
    assert_eq!(
        chain(&net, &view, "a6"),
        [
            "load.a6",
            "transformer.ta4",
            "swtcontrol.sw_a",
            "relay.brk_a",
            "circuit.tie"
        ]
    );
    below(
        &net,
        &view,
        &[
            ("relay.brk_a", 6),
            ("relay.brk_b", 4),
            ("swtcontrol.sw_a", 3),
            ("fuse.fa", 1),
        ],
    );
    let tie = net.element_by_name("line.tie").expect("the tie");
    let sw = net
        .element_by_name("line.fa_sw")
        .expect("the sectionalizer");
    // The tie is open and carries no customer.
    assert!(
        !view.is_energized(
            net.outage_device_by_name("line.tie")
                .expect("an outage device")
        )
    );

    // Transfer: feeder A's far end moves to feeder B, through the tie.
    let moved = view
        .switch(
            &net,
            &[SwitchingOp::Transfer {
                open: sw,
                close: tie,
            }],
        )
        .expect("a radial transfer");
    below(
        &net,
        &moved,
        &[("relay.brk_a", 3), ("relay.brk_b", 7), ("line.tie", 3)],
    );
    assert_eq!(
        chain(&net, &moved, "a6"),
        [
            "load.a6",
            "transformer.ta4",
            "line.tie",
            "relay.brk_b",
            "circuit.tie"
        ]
    );
    assert!(!moved.is_energized(net.outage_device_by_name("swtcontrol.sw_a").expect("sw_a")));

    // Closing the tie alone closes a loop through both feeders and the source bus.
    let Err(SwitchingError::ClosesLoop {
        closing,
        mut elements,
    }) = view.switch(&net, &[SwitchingOp::Close(tie)])
    else {
        panic!("closing the tie must be refused");
    };
    assert_eq!(closing, "line.tie");
    elements.sort();
    assert_eq!(
        elements,
        [
            "line.fa_1",
            "line.fa_2",
            "line.fa_head",
            "line.fa_sw",
            "line.fb_1",
            "line.fb_2",
            "line.fb_head",
            "line.tie"
        ]
    );
    json_round_trip(&net);
}

/// Three feeders behind a substation transformer: the regulator bank and its bypass are
/// one element and no outage device (opening the bypass de-energizes feeder 2 beyond
/// it); the disabled load and the aggregate load are no customers.
#[test]
fn substation_three_feeders_bundles_its_regulators_and_leaves_out_non_customers() {
    let (net, view) = import(
        &fixture("substation_three_feeders/master.dss"),
        Counts {
            customers: 9,
            transformers: 10,
            distribution_transformers: 6,
            breakers: 3,
            reclosers: 1,
            fuses: 2,
            switches: 1,
            open_switches: 0,
            aggregate_loads: 1,
            max_depth: 6,
        },
    );
    assert_eq!(
        chain(&net, &view, "f1_c4"),
        [
            "load.f1_c4",
            "transformer.f1_t3",
            "fuse.f1_fuse",
            "recloser.f1_rec",
            "relay.f1_brk",
            "circuit.sub3"
        ]
    );
    // The regulator bank and its bypass are one element, and no outage device.
    assert_eq!(
        chain(&net, &view, "f2_c3"),
        [
            "load.f2_c3",
            "transformer.f2_t2",
            "relay.f2_brk",
            "circuit.sub3"
        ]
    );
    for reg in [
        "transformer.f2_rega",
        "transformer.f2_regb",
        "transformer.f2_regc",
        "line.f2_bypass",
    ] {
        assert_eq!(net.outage_device_by_name(reg), None, "{reg}");
    }
    // Opening the bypass opens the bundle: feeder 2 beyond it loses supply.
    let bypass = net.element_by_name("line.f2_bypass").expect("the bypass");
    let open = view
        .switch(&net, &[SwitchingOp::Open(bypass)])
        .expect("radial");
    below(&net, &open, &[("relay.f2_brk", 0), ("circuit.sub3", 6)]);
    below(
        &net,
        &view,
        &[
            ("relay.f1_brk", 4),
            ("relay.f2_brk", 3),
            ("relay.f3_brk", 2),
            ("circuit.sub3", 9),
        ],
    );
    assert_eq!(net.customer_by_name("f1_c5"), None, "disabled");
    assert_eq!(net.customer_by_name("f2_big"), None, "an aggregate load");
    json_round_trip(&net);
}

/// The counts of the IEEE 123-bus evaluation model, the same for the copy in
/// `fixtures/ieee123` and the one in `../shared`.
fn ieee123_eval(path: &Path) {
    let (net, view) = import(
        path,
        Counts {
            customers: 91,
            transformers: 8,
            distribution_transformers: 1,
            breakers: 1,
            reclosers: 0,
            fuses: 17,
            switches: 8,
            open_switches: 0,
            aggregate_loads: 0,
            max_depth: 8,
        },
    );
    assert_eq!(
        chain(&net, &view, "load.s114a"),
        [
            "load.s114a",
            "fuse.f_l107",
            "line.sw5",
            "fuse.f_l68",
            "line.sw4",
            "line.sw2",
            "relay.brk_sw1",
            "circuit.ieee123"
        ]
    );
    assert_eq!(
        chain(&net, &view, "s9a"),
        ["load.s9a", "fuse.f_l9", "relay.brk_sw1", "circuit.ieee123"]
    );
    below(
        &net,
        &view,
        &[
            ("relay.brk_sw1", 91),
            ("line.sw2", 52),
            ("line.sw3", 16),
            ("line.sw4", 38),
            ("line.sw5", 10),
            ("fuse.f_l68", 13),
            ("fuse.f_l61", 7),
            ("fuse.f_l107", 5),
        ],
    );
    json_round_trip(&net);
}

/// IEEE 13-node feeder with the evaluation's overlay rules applied (fixtures/ieee13):
/// counts, chains and customers below each device as `../shared/eval/dss.py` gives
/// them. Its loads sit on the 4.16 kV primary, but for the three behind the one
/// distribution transformer (`XFM1`, 0.48 kV); one 1 155 kW three-phase load at
/// 4.16 kV is an aggregate, not a customer.
#[test]
fn ieee13_eval_master_imports_as_dss_py_reads_it() {
    let (net, view) = import(
        &fixture("ieee13/eval_master.dss"),
        Counts {
            customers: 14,
            transformers: 5,
            distribution_transformers: 1,
            breakers: 1,
            reclosers: 0,
            fuses: 2,
            switches: 1,
            open_switches: 0,
            aggregate_loads: 1,
            max_depth: 4,
        },
    );
    assert_eq!(
        chain(&net, &view, "load.634a"),
        [
            "load.634a",
            "transformer.xfm1",
            "relay.brk_650632",
            "circuit.ieee13nodeckt"
        ]
    );
    assert_eq!(
        chain(&net, &view, "645"),
        [
            "load.645",
            "fuse.f_632645",
            "relay.brk_650632",
            "circuit.ieee13nodeckt"
        ]
    );
    below(
        &net,
        &view,
        &[
            ("relay.brk_650632", 14),
            ("fuse.f_632645", 2),
            ("fuse.f_671684", 2),
            ("transformer.xfm1", 3),
            ("line.671692", 4),
        ],
    );
    json_round_trip(&net);
}

/// IEEE 34-node feeder (its second model, `ieee34Mod2.dss`) with the evaluation's
/// overlay rules applied (fixtures/ieee34): no distribution transformer at all (every
/// load is on the 24.9 kV primary) and two regulators in series on the trunk; counts
/// and customers below as `../shared/eval/dss.py` gives them.
#[test]
fn ieee34_eval_master_imports_as_dss_py_reads_it() {
    let (net, view) = import(
        &fixture("ieee34/eval_master.dss"),
        Counts {
            customers: 38,
            transformers: 8,
            distribution_transformers: 0,
            breakers: 1,
            reclosers: 0,
            fuses: 2,
            switches: 0,
            open_switches: 0,
            aggregate_loads: 0,
            max_depth: 4,
        },
    );
    assert_eq!(
        chain(&net, &view, "s860"),
        ["load.s860", "relay.brk_l1", "circuit.ieee34-2"]
    );
    below(
        &net,
        &view,
        &[("relay.brk_l1", 38), ("fuse.f_l8", 2), ("fuse.f_l18", 6)],
    );
    json_round_trip(&net);
}

fn ieee123_original(path: &Path) {
    let (net, view) = import(
        path,
        Counts {
            customers: 91,
            transformers: 8,
            distribution_transformers: 1,
            breakers: 0,
            reclosers: 0,
            fuses: 0,
            switches: 8,
            open_switches: 0,
            aggregate_loads: 0,
            max_depth: 6,
        },
    );
    assert_eq!(
        chain(&net, &view, "s114a"),
        [
            "load.s114a",
            "line.sw5",
            "line.sw4",
            "line.sw2",
            "line.sw1",
            "circuit.ieee123"
        ]
    );
    below(
        &net,
        &view,
        &[("line.sw1", 91), ("line.sw2", 52), ("line.sw4", 38)],
    );
}

/// The IEEE 123-bus evaluation model in `fixtures/`: counts, chains and customers below
/// its breaker, switches and fuses as `../shared/eval/dss.py` gives them.
#[test]
fn ieee123_eval_master_imports_as_dss_py_reads_it() {
    ieee123_eval(&fixture("ieee123/eval_master.dss"));
}

/// The original IEEE 123-bus model in `fixtures/` (no protective devices): its chains
/// run through the switches up to the circuit.
#[test]
fn ieee123_original_master_chains_run_through_its_switches() {
    ieee123_original(&fixture("ieee123/IEEE123Master.dss"));
}

/// The IEEE 123-bus fixture and the scenario `ieee123-storm-1` are copies of
/// `../shared`, byte for byte, so that the tests of the copies
/// (`ieee123_eval_master_imports_as_dss_py_reads_it`,
/// `ieee123_original_master_chains_run_through_its_switches`) check the shared model
/// too.
#[test]
#[ignore = "needs ../shared: feeders/ieee123, scenarios/ieee123-storm-1"]
fn the_ieee123_fixture_and_storm_scenario_are_the_shared_files() {
    let pairs = [
        ("ieee123", "feeders/ieee123"),
        ("scenarios/ieee123-storm-1", "scenarios/ieee123-storm-1"),
    ];
    let mut compared = 0;
    for (ours, theirs) in pairs {
        let dir = fixture(ours);
        let shared_dir = shared(theirs);
        for entry in std::fs::read_dir(&dir).expect("the fixture folder is there") {
            let path = entry.expect("readable").path();
            let name = path.file_name().expect("a file name").to_owned();
            // The licence notice sits beside the copy; in `../shared` it is one level up.
            if name.to_string_lossy().starts_with("LICENSE") {
                continue;
            }
            let copy = std::fs::read(&path).expect("readable");
            let original = std::fs::read(shared_dir.join(&name))
                .unwrap_or_else(|e| panic!("{}: {e}", shared_dir.join(&name).display()));
            assert!(
                copy == original,
                "{} differs from ../shared/{theirs}",
                path.display()
            );
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        8 + 3,
        "the model's eight files and the scenario's three (events, truth, supply)"
    );
}

/// The IEEE 8500-node evaluation model: 1 177 customers, its own 30 fuses and substation
/// relay plus the overlay's recloser; the longest chain has 19 outage devices.
#[test]
#[ignore = "needs ../shared: feeders/ieee8500"]
fn ieee8500_eval_master_imports_as_dss_py_reads_it() {
    let p = shared("feeders/ieee8500/eval_master.dss");
    let (net, view) = import(
        &p,
        Counts {
            customers: 1177,
            transformers: 1190,
            distribution_transformers: 1177,
            breakers: 1,
            reclosers: 1,
            fuses: 30,
            switches: 43,
            open_switches: 5,
            aggregate_loads: 0,
            max_depth: 19,
        },
    );
    assert_eq!(
        chain(&net, &view, "load.260622c0"),
        [
            "load.260622c0",
            "transformer.t5260622c",
            "line.xj171_48332_sw",
            "relay.subbreaker",
            "line.a8735_48332_sw",
            "circuit.ieee8500"
        ]
    );
    assert_eq!(
        chain(&net, &view, "load.392038b0").len(),
        19,
        "the longest chain"
    );
    below(
        &net,
        &view,
        &[
            ("relay.subbreaker", 1177),
            ("recloser.rec_ln5534969-3", 615),
            ("line.2002200004868472_sw", 1101),
            ("line.2002200004641085_sw", 639),
            ("fuse.ln6141147-1", 49),
            ("fuse.ln5683833-1", 21),
        ],
    );
    json_round_trip(&net);
}

/// The original IEEE 8500-node model: 43 switches, 5 of them open, and no protective
/// device; chains run through the switches only.
#[test]
#[ignore = "needs ../shared: feeders/ieee8500"]
fn ieee8500_original_master_chains_run_through_its_switches() {
    let p = shared("feeders/ieee8500/Master.dss");
    let (net, view) = import(
        &p,
        Counts {
            customers: 1177,
            transformers: 1190,
            distribution_transformers: 1177,
            breakers: 0,
            reclosers: 0,
            fuses: 0,
            switches: 43,
            open_switches: 5,
            aggregate_loads: 0,
            max_depth: 17,
        },
    );
    assert_eq!(
        chain(&net, &view, "load.260622c0"),
        [
            "load.260622c0",
            "transformer.t5260622c",
            "line.xj171_48332_sw",
            "line.a8735_48332_sw",
            "circuit.ieee8500"
        ]
    );
    below(
        &net,
        &view,
        &[
            ("line.2002200004868472_sw", 1101),
            ("line.2002200004991174_sw", 549),
        ],
    );
}

/// The EPRI J1 evaluation model: 1 384 customers (one aggregate load left out), the
/// overlay's breaker, recloser and 48 fuses, and a switch line (`switch=yes`) between a
/// customer and its transformer on the chain.
#[test]
#[ignore = "needs ../shared: feeders/j1"]
fn j1_eval_master_imports_as_dss_py_reads_it() {
    let p = shared("feeders/j1/eval_master.dss");
    let (net, view) = import(
        &p,
        Counts {
            customers: 1384,
            transformers: 828,
            distribution_transformers: 819,
            breakers: 1,
            reclosers: 1,
            fuses: 48,
            switches: 18,
            open_switches: 0,
            aggregate_loads: 1,
            max_depth: 7,
        },
    );
    assert_eq!(
        chain(&net, &view, "load.site4-abc_cust1"),
        [
            "load.site4-abc_cust1",
            "line.site4_cust1",
            "transformer.existingsite4",
            "fuse.f_oh_b18820",
            "recloser.rec_oh_b4091",
            "relay.brk_temp_sub",
            "circuit.j1"
        ]
    );
    below(
        &net,
        &view,
        &[
            ("relay.brk_temp_sub", 1384),
            ("recloser.rec_oh_b4091", 600),
            ("fuse.f_oh_b19006", 200),
            ("fuse.f_oh_b11364", 74),
            ("fuse.f_oh_6022628952", 33),
        ],
    );
    json_round_trip(&net);
}

/// The original EPRI J1 model: no protective device, every customer below the
/// substation line.
#[test]
#[ignore = "needs ../shared: feeders/j1"]
fn j1_original_master_puts_every_customer_below_the_substation_line() {
    let p = shared("feeders/j1/Master_noPV.dss");
    let (net, view) = import(
        &p,
        Counts {
            customers: 1384,
            transformers: 828,
            distribution_transformers: 819,
            breakers: 0,
            reclosers: 0,
            fuses: 0,
            switches: 18,
            open_switches: 0,
            aggregate_loads: 1,
            max_depth: 5,
        },
    );
    assert_eq!(
        chain(&net, &view, "b4579-1-a_cust2"),
        [
            "load.b4579-1-a_cust2",
            "transformer.b4579-1a",
            "line.temp_sub",
            "circuit.j1"
        ]
    );
    below(&net, &view, &[("line.temp_sub", 1384)]);
}
