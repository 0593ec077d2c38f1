//! The builder's validation: each failure is an error naming the offending object and
//! where it was defined.

use std::path::PathBuf;
use std::sync::Arc;

use outage_locator::network::{DeviceKind, LineOptions};
use outage_locator::topology::SwitchingOp;
use outage_locator::{
    EnergizationView, Network, NetworkBuilder, NetworkError, SourceLocation, SwitchingError,
};

fn at(line: u32) -> SourceLocation {
    SourceLocation::new(&Arc::new(PathBuf::from("model.dss")), line)
}

/// A source bus `s` and buses `a`, `b`, `c`, `x`, `y`, `island`.
fn builder() -> NetworkBuilder {
    let mut b = NetworkBuilder::new("test");
    for bus in ["s", "a", "b", "c", "x", "y", "island"] {
        b.add_bus(bus);
    }
    b.add_source("circuit.test", "s").expect("bus s exists");
    b
}

/// Two elements of the same name (in any case) are refused, naming the element and the
/// line of the second definition.
#[test]
fn duplicate_names_are_refused_with_the_second_definition() {
    let mut b = builder();
    b.at(at(3));
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.at(at(9));
    b.add_line("LINE.L1", "a", "b").expect("buses exist");
    match b.build() {
        Err(NetworkError::DuplicateName { name, at: where_ }) => {
            assert_eq!(name, "line.l1");
            assert_eq!(where_.line, 9);
        }
        other => panic!("expected a duplicate name, got {other:?}"),
    }
}

/// Two customers whose names differ only in case and the `load.` prefix are refused as
/// a duplicate name.
#[test]
fn duplicate_customer_names_are_refused_whatever_the_case() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_customer("c1", "a").expect("bus exists");
    b.add_customer("LOAD.C1", "a").expect("bus exists");
    assert!(matches!(
        b.build(),
        Err(NetworkError::DuplicateName { name, .. }) if name == "load.c1"
    ));
}

/// An element or customer on an unknown bus is refused, naming the element, the bus and
/// the line.
#[test]
fn an_unknown_bus_is_refused_naming_element_bus_and_line() {
    let mut b = builder();
    b.at(at(12));
    let err = b
        .add_line("line.l1", "s", "nowhere")
        .expect_err("no such bus");
    assert_eq!(
        err,
        NetworkError::UnknownBus {
            element: "line.l1".into(),
            bus: "nowhere".into(),
            at: at(12),
        }
    );
    assert_eq!(
        err.to_string(),
        "model.dss:12: line.l1 names unknown bus nowhere"
    );
    let err = b.add_customer("c1", "elsewhere").expect_err("no such bus");
    assert!(matches!(err, NetworkError::UnknownBus { element, .. } if element == "load.c1"));
}

/// A protective device on an element that does not exist is refused, naming the device,
/// the element and the line.
#[test]
fn a_device_on_a_missing_element_is_refused() {
    let mut b = builder();
    b.at(at(20));
    let err = b
        .add_device("fuse.f1", DeviceKind::Fuse, "line.none")
        .expect_err("no such element");
    assert_eq!(
        err,
        NetworkError::MissingElement {
            device: "fuse.f1".into(),
            element: "line.none".into(),
            at: at(20),
        }
    );
    assert!(err.to_string().starts_with("model.dss:20: fuse.f1"));
}

/// A customer on an island with no path to a source is refused as unsupplied, naming
/// the customer and its line.
#[test]
fn a_customer_with_no_path_to_a_source_is_refused() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_customer("c1", "a").expect("bus exists");
    b.at(at(31));
    b.add_customer("c2", "island").expect("bus exists");
    assert_eq!(
        b.build().map(|_| ()),
        Err(NetworkError::Unsupplied {
            customer: "load.c2".into(),
            at: at(31),
        })
    );
}

/// A customer whose only path to the source runs through a normally-open switch is
/// refused as unsupplied.
#[test]
fn a_customer_behind_an_open_switch_is_unsupplied() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    let open = LineOptions {
        switch: true,
        normally_open: true,
        ..LineOptions::default()
    };
    b.add_line_with("line.sw", "a", "b", open)
        .expect("buses exist");
    b.add_customer("c1", "b").expect("bus exists");
    assert!(
        matches!(b.build(), Err(NetworkError::Unsupplied { customer, .. }) if customer == "load.c1")
    );
}

/// A loop of closed elements is refused, naming exactly the elements of the loop (not
/// the line hanging off it).
#[test]
fn a_loop_among_closed_elements_is_refused_naming_its_elements() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_line("line.ab", "a", "b").expect("buses exist");
    b.add_line("line.bc", "b", "c").expect("buses exist");
    b.add_line("line.ca", "c", "a").expect("buses exist");
    b.add_line("line.x", "c", "x").expect("buses exist");
    let Err(NetworkError::Loop { mut elements }) = b.build() else {
        panic!("a loop must be refused");
    };
    elements.sort();
    assert_eq!(elements, ["line.ab", "line.bc", "line.ca"]);
}

/// A normally-open tie breaks a loop, so the network builds; closing the tie is refused
/// by the view, naming the same loop.
#[test]
fn an_open_element_breaks_a_loop() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_line("line.ab", "a", "b").expect("buses exist");
    b.add_line("line.bc", "b", "c").expect("buses exist");
    let open = LineOptions {
        switch: true,
        normally_open: true,
        ..LineOptions::default()
    };
    b.add_line_with("line.ca", "c", "a", open)
        .expect("buses exist");
    let net = b.build().expect("radial: the tie is open");
    // Closing it is refused by the view, with the same loop.
    let view = EnergizationView::normal(&net).expect("radial");
    let tie = net.element_by_name("line.ca").expect("the tie");
    let Err(SwitchingError::ClosesLoop {
        closing,
        mut elements,
    }) = view.switch(&net, &[SwitchingOp::Close(tie)])
    else {
        panic!("closing the tie closes a loop");
    };
    assert_eq!(closing, "line.ca");
    elements.sort();
    assert_eq!(elements, ["line.ab", "line.bc", "line.ca"]);
}

/// Regression: two sources joined by closed elements make a loop through both; the
/// error names the path between them (in the view, walking up to a source bus used to
/// index out of bounds).
#[test]
fn two_sources_joined_by_closed_elements_are_a_loop() {
    let mut b = builder();
    b.add_source("circuit.other", "b").expect("bus exists");
    b.add_line("line.sa", "s", "a").expect("buses exist");
    b.add_line("line.ab", "a", "b").expect("buses exist");
    let Err(NetworkError::Loop { mut elements }) = b.clone().build() else {
        panic!("a path between two sources is a loop");
    };
    elements.sort();
    assert_eq!(elements, ["line.ab", "line.sa"]);

    let open = LineOptions {
        switch: true,
        normally_open: true,
        ..LineOptions::default()
    };
    let mut b = builder();
    b.add_source("circuit.other", "b").expect("bus exists");
    b.add_line("line.sa", "s", "a").expect("buses exist");
    b.add_line_with("line.ab", "a", "b", open)
        .expect("buses exist");
    let net = b
        .build()
        .expect("radial: the tie between the sources is open");
    let view = EnergizationView::normal(&net).expect("radial");
    let tie = net.element_by_name("line.ab").expect("the tie");
    let Err(SwitchingError::ClosesLoop { mut elements, .. }) =
        view.switch(&net, &[SwitchingOp::Close(tie)])
    else {
        panic!("closing the tie joins two sources");
    };
    elements.sort();
    assert_eq!(elements, ["line.ab", "line.sa"]);
}

/// A network without a source is refused.
#[test]
fn a_network_without_a_source_is_refused() {
    let mut b = NetworkBuilder::new("none");
    b.add_bus("a");
    assert_eq!(b.build().map(|_| ()), Err(NetworkError::NoSource));
}

/// A line that is no switch and carries no protective device cannot be switched: the
/// view refuses it by name.
#[test]
fn a_line_without_a_device_cannot_be_switched() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    let net = b.build().expect("valid");
    let view = EnergizationView::normal(&net).expect("radial");
    let l1 = net.element_by_name("line.l1").expect("exists");
    assert_eq!(
        view.switch(&net, &[SwitchingOp::Open(l1)]).err(),
        Some(SwitchingError::NotSwitchable {
            element: "line.l1".into()
        })
    );
}

/// A JSON network is validated like a built one: a duplicate bus name (which a builder
/// cannot make) and a device on an element that does not exist are refused.
#[test]
fn json_networks_are_validated_too() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_device("fuse.f1", DeviceKind::Fuse, "line.l1")
        .expect("element exists");
    let net = b.build().expect("valid");
    let json = serde_json::to_string(&net).expect("serializes");

    let dup = json.replace(r#""name":"island""#, r#""name":"A""#);
    assert_ne!(dup, json);
    let err = serde_json::from_str::<Network>(&dup).expect_err("two buses named a");
    assert!(err.to_string().contains("duplicate name bus"), "{err}");

    let missing = json.replace(r#""element":0"#, r#""element":7"#);
    assert_ne!(missing, json);
    let err = serde_json::from_str::<Network>(&missing).expect_err("no element 7");
    assert!(
        err.to_string().contains("fuse.f1 is on missing element #7"),
        "{err}"
    );
}

/// Names are looked up case-insensitively, customers with or without `load.`.
#[test]
fn lookups_ignore_case_and_the_load_prefix() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    b.add_device("Fuse.F1", DeviceKind::Fuse, "LINE.L1")
        .expect("element exists");
    b.add_transformer("transformer.t1", "a", "x", 0.24, 25.0)
        .expect("buses exist");
    b.add_customer("C1", "x").expect("bus exists");
    let net = b.build().expect("valid");
    assert!(net.outage_device_by_name("FUSE.f1").is_some());
    assert!(net.device_by_name(" fuse.F1 ").is_some());
    assert_eq!(net.customer_by_name("c1"), net.customer_by_name("LOAD.C1"));
    assert!(net.customer_by_name("c1").is_some());
    assert_eq!(net.customer_by_name("load.c2"), None);
    assert_eq!(net.bus_by_name("X.1.2"), net.bus_by_name("x"));
    assert_eq!(
        net.element_by_name("fuse.f1"),
        None,
        "a device is not an element"
    );
}

/// A switch that joins a bus to itself is no part of the topology: switching it
/// changes the state only, as a view built from scratch says.
#[test]
fn switching_an_element_from_a_bus_to_itself_changes_only_its_state() {
    let mut b = builder();
    b.add_line("line.l1", "s", "a").expect("buses exist");
    let open = LineOptions {
        switch: true,
        normally_open: true,
        ..LineOptions::default()
    };
    b.add_line_with("line.self", "a", "a", open)
        .expect("bus exists");
    let net = b.build().expect("valid");
    let view = EnergizationView::normal(&net).expect("radial");
    let e = net.element_by_name("line.self").expect("exists");
    let closed = view
        .switch(&net, &[SwitchingOp::Close(e)])
        .expect("no loop");
    let rebuilt = EnergizationView::build(&net, closed.states().clone()).expect("no loop");
    assert!(closed == rebuilt);
    let opened = closed
        .switch(&net, &[SwitchingOp::Open(e)])
        .expect("radial");
    assert!(opened == view);
}

/// The ratings restoration reads (element amps, a transformer's primary kV, a
/// customer's load, a source's kV) are kept by the builder and round-trip through the
/// JSON network file; a file written before they existed reads with none of them, and
/// a network without them writes no key for them.
#[test]
fn ratings_are_kept_and_json_files_without_them_still_read() {
    let mut b = builder();
    let l1 = b.add_line("line.l1", "s", "a").expect("buses exist");
    let t1 = b
        .add_transformer("transformer.t1", "a", "x", 0.24, 25.0)
        .expect("buses exist");
    let c1 = b.add_customer("c1", "x").expect("bus exists");
    let bare = b.clone().build().expect("valid");
    let bare_json = serde_json::to_string(&bare).expect("serializes");
    for key in [
        "normal_amps",
        "emergency_amps",
        "rated_kv",
        "kw",
        "kvar",
        "base_kv",
    ] {
        let key = format!("\"{key}\"");
        assert!(!bare_json.contains(&key), "{key} in {bare_json}");
    }
    let back: Network = serde_json::from_str(&bare_json).expect("reads");
    assert_eq!(back.element(l1).normal_amps, None);
    assert_eq!(back.customer(c1).kw, None);

    b.set_element_rating(l1, Some(400.0), Some(600.0));
    b.set_transformer_kv(t1, 12.47);
    b.set_customer_load(c1, 5.0, 1.5);
    b.set_source_kv(outage_locator::SourceId(0), 12.47);
    let net = b.build().expect("valid");
    let el = net.element(l1);
    assert_eq!(
        (el.normal_amps, el.emergency_amps),
        (Some(400.0), Some(600.0))
    );
    let t = net.element(t1);
    assert_eq!(
        (t.rated_kv, t.lowest_kv, t.rated_kva),
        (Some(12.47), Some(0.24), Some(25.0))
    );
    assert_eq!(
        (net.customer(c1).kw, net.customer(c1).kvar),
        (Some(5.0), Some(1.5))
    );
    assert_eq!(net.sources()[0].base_kv, Some(12.47));
    let json = serde_json::to_string(&net).expect("serializes");
    let back: Network = serde_json::from_str(&json).expect("reads");
    assert_eq!(back, net);
}

/// A square of lines fed at one corner, with a switch on one side and a parallel pair
/// on another: the loop is opened at the switch, the parallel pair is no loop, and an
/// island the source does not reach is left as it is.
#[test]
fn open_loops_opens_a_switch_before_a_line_and_keeps_parallels() {
    let mut b = builder();
    let l = |b: &mut NetworkBuilder, n: &str, x: &str, y: &str| {
        b.add_line(n, x, y).expect("buses exist")
    };
    l(&mut b, "line.sa", "s", "a");
    l(&mut b, "line.ab", "a", "b");
    l(&mut b, "line.ab2", "a", "b");
    let sw = b
        .add_line_with(
            "line.bc",
            "b",
            "c",
            LineOptions {
                switch: true,
                ..LineOptions::default()
            },
        )
        .expect("buses exist");
    l(&mut b, "line.cs", "c", "s");
    l(&mut b, "line.xy", "x", "y");
    l(&mut b, "line.yx", "y", "x");
    b.add_customer("c1", "b").expect("bus exists");
    assert_eq!(b.open_loops(), vec![sw]);
    let net = b.build().expect("radial once the switch is open");
    assert!(net.element(sw).normally_open);
}

/// Without a switch, a loop is opened where the shortest paths around it from the
/// source meet (its far side), and two sources joined by closed elements are parted.
#[test]
fn open_loops_opens_a_plain_loop_on_its_far_side_and_parts_two_sources() {
    let mut b = builder();
    for (n, x, y) in [
        ("line.sa", "s", "a"),
        ("line.ab", "a", "b"),
        ("line.bc", "b", "c"),
        ("line.cs", "c", "s"),
    ] {
        b.add_line(n, x, y).expect("buses exist");
    }
    let far = b.element_id("line.bc").expect("added");
    assert_eq!(b.open_loops(), vec![far]);
    assert!(b.clone().build().is_ok());

    let mut b = builder();
    b.add_source("circuit.other", "c").expect("bus exists");
    b.add_line("line.sa", "s", "a").expect("buses exist");
    b.add_line("line.ac", "a", "c").expect("buses exist");
    b.add_customer("c1", "a").expect("bus exists");
    assert_eq!(b.open_loops().len(), 1);
    assert!(b.build().is_ok());
}

proptest::proptest! {
    /// On random meshes with random switches: after `open_loops` the network builds
    /// (radial) with a customer on every bus the source reached before (so no bus lost
    /// its supply), and closing any one opened element again makes a loop (nothing was
    /// opened that did not have to be).
    #[test]
    fn open_loops_leaves_a_spanning_forest(
        edges in proptest::collection::vec((0usize..12, 0usize..12, proptest::bool::weighted(0.2)), 0..40),
    ) {
        let mut b = NetworkBuilder::new("mesh");
        for i in 0..12 {
            b.add_bus(&format!("b{i}"));
        }
        b.add_source("circuit.mesh", "b0").expect("bus exists");
        let mut adj = vec![Vec::new(); 12];
        for (k, &(x, y, switch)) in edges.iter().enumerate() {
            let opts = LineOptions { switch, ..LineOptions::default() };
            b.add_line_with(&format!("line.l{k}"), &format!("b{x}"), &format!("b{y}"), opts)
                .expect("buses exist");
            adj[x].push(y);
            adj[y].push(x);
        }
        let mut reached = [false; 12];
        let mut stack = vec![0];
        reached[0] = true;
        while let Some(x) = stack.pop() {
            for &y in &adj[x] {
                if !reached[y] {
                    reached[y] = true;
                    stack.push(y);
                }
            }
        }
        for (i, _) in reached.iter().enumerate().filter(|(_, r)| **r) {
            b.add_customer(&format!("c{i}"), &format!("b{i}")).expect("bus exists");
        }
        let opened = b.open_loops();
        proptest::prop_assert!(b.clone().build().is_ok(), "{:?}", b.clone().build().err());
        for &e in &opened {
            let mut again = b.clone();
            let (x, y, switch) = edges[e.index()];
            let opts = LineOptions { switch, ..LineOptions::default() };
            again
                .add_line_with("line.again", &format!("b{x}"), &format!("b{y}"), opts)
                .expect("buses exist");
            proptest::prop_assert!(
                matches!(again.build(), Err(NetworkError::Loop { .. })),
                "opening line.l{} was not needed", e.0
            );
        }
    }
}
