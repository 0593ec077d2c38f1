//! Properties of energization views under random switch states, on three kinds of
//! network: generated feeder trees that shrink to a small failing case
//! (`common::trees`), the bundled fixtures (shapes no generator makes), and seeded
//! synthetic networks of thousands of customers where size matters (several
//! substations, ties between feeders, deep chains). The switching operations and open
//! devices are proptest values too, picked by index, so a failure shrinks to a few
//! operations.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};

use common::trees::{Link, TreeShape, tree_shape};
use outage_locator::bench::synth::{SyntheticNetworkOptions, synthetic_network};
use outage_locator::network::import_opendss_str;
use outage_locator::topology::{SwitchState, SwitchingOp};
use outage_locator::{
    CustomerId, ElementId, EnergizationView, Network, OutageDeviceId, SwitchingError,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// A seeded synthetic network: 200–3000 customers, feeders small enough that even the
/// smallest has several substations and ties.
fn network(customers: usize, seed: u64, per_feeder: u32) -> Network {
    synthetic_network(&SyntheticNetworkOptions {
        customers,
        seed,
        customers_per_feeder: per_feeder,
        ..Default::default()
    })
}

/// A seeded synthetic network, as proptest values.
fn synthetic() -> impl Strategy<Value = Network> {
    (200usize..3000, any::<u64>(), 150u32..600)
        .prop_map(|(customers, seed, per_feeder)| network(customers, seed, per_feeder))
}

fn switchable(net: &Network) -> Vec<ElementId> {
    (0..net.elements().len())
        .map(ElementId::from)
        .filter(|&e| net.is_switchable(e))
        .collect()
}

/// One switching operation on switchable elements picked by index.
#[derive(Debug, Clone)]
enum OpPick {
    Open(Index),
    Close(Index),
    Transfer(Index, Index),
}

fn op_pick() -> impl Strategy<Value = OpPick> {
    prop_oneof![
        any::<Index>().prop_map(OpPick::Open),
        any::<Index>().prop_map(OpPick::Close),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| OpPick::Transfer(a, b)),
    ]
}

/// Batches of 1 to 3 operations.
fn batches(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Vec<OpPick>>> {
    prop::collection::vec(prop::collection::vec(op_pick(), 1..=3), n)
}

/// The operations picked on `net`'s switchable elements (none when it has none).
fn ops(net: &Network, picks: &[OpPick]) -> Vec<SwitchingOp> {
    let sw = switchable(net);
    if sw.is_empty() {
        return Vec::new();
    }
    let pick = |i: &Index| sw[i.index(sw.len())];
    picks
        .iter()
        .map(|p| match p {
            OpPick::Open(i) => SwitchingOp::Open(pick(i)),
            OpPick::Close(i) => SwitchingOp::Close(pick(i)),
            OpPick::Transfer(a, b) => SwitchingOp::Transfer {
                open: pick(a),
                close: pick(b),
            },
        })
        .collect()
}

/// The view after rounds of switching from the normal state (rounds that would close a
/// loop are skipped), so that some ties are closed and some devices open.
fn view_after(net: &Network, rounds: &[Vec<OpPick>]) -> EnergizationView {
    let mut view = EnergizationView::normal(net).expect("generated networks are radial");
    for round in rounds {
        if let Ok(v) = view.switch(net, &ops(net, round)) {
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
) -> outage_locator::topology::SwitchStates {
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

/// Outage devices picked by index.
fn devices(net: &Network, picks: &[Index]) -> Vec<OutageDeviceId> {
    let n = net.outage_device_count();
    picks
        .iter()
        .map(|i| OutageDeviceId::from(i.index(n)))
        .collect()
}

/// A customer is de-energized by a set of open devices iff one of them stands on its
/// upstream chain (checked against a walk up the chain of every customer); the answer
/// lists each customer once, in pre-order, and its count agrees.
fn deenergized_iff_an_open_device_is_on_the_chain(
    net: &Network,
    view: &EnergizationView,
    open: &[OutageDeviceId],
) -> Result<(), TestCaseError> {
    let open_set: HashSet<OutageDeviceId> = open.iter().copied().collect();
    let got: Vec<CustomerId> = view.deenergized(open);
    let got_set: HashSet<CustomerId> = got.iter().copied().collect();
    prop_assert_eq!(got.len(), got_set.len(), "each customer once");
    let mut want = HashSet::new();
    for c in (0..net.customers().len()).map(CustomerId::from) {
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
    prop_assert_eq!(view.deenergized_count(open) as usize, want.len());
    let mut positions: Vec<u32> = got.iter().map(|&c| view.customer_position(c)).collect();
    let sorted = {
        let mut p = positions.clone();
        p.sort_unstable();
        p
    };
    prop_assert_eq!(&positions, &sorted, "in pre-order");
    positions.dedup();
    prop_assert_eq!(positions.len(), got.len());
    Ok(())
}

/// The customers of a device are the disjoint union of its children's customers, plus
/// its own when it is a service; parents, chains, depths, intervals and the pre-order
/// agree; de-energized devices hold nothing.
fn device_customers_are_the_union_of_their_childrens(
    net: &Network,
    view: &EnergizationView,
) -> Result<(), TestCaseError> {
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
    Ok(())
}

/// Switching gives, field for field, the view built from scratch for the new states,
/// and a loop is refused by both; each accepted batch is the start of the next.
fn switching_equals_building_from_scratch(
    net: &Network,
    mut view: EnergizationView,
    batches: &[Vec<OpPick>],
) -> Result<(), TestCaseError> {
    for batch in batches {
        let ops = ops(net, batch);
        let fresh = EnergizationView::build(net, states_after(net, &view, &ops));
        match (view.switch(net, &ops), fresh) {
            (Ok(a), Ok(b)) => {
                prop_assert!(a == b, "switch {:?} differs from a rebuild", ops);
                view = a;
            }
            (Err(SwitchingError::ClosesLoop { .. }), Err(SwitchingError::ClosesLoop { .. })) => {}
            (a, b) => prop_assert!(
                false,
                "{:?}: switch {:?}, rebuild {:?}",
                ops,
                a.err(),
                b.err()
            ),
        }
    }
    Ok(())
}

/// Opening a closed element and closing it again gives back an identical view.
fn open_then_close_restores_an_identical_view(
    net: &Network,
    view: &EnergizationView,
    picks: &[Index],
) -> Result<(), TestCaseError> {
    let closed: Vec<ElementId> = switchable(net)
        .into_iter()
        .filter(|&e| view.states().state(net.bundle_representative(e)) == SwitchState::Closed)
        .collect();
    prop_assume!(!closed.is_empty(), "no closed switchable element");
    for i in picks {
        let e = closed[i.index(closed.len())];
        let opened = view
            .switch(net, &[SwitchingOp::Open(e)])
            .expect("opening never closes a loop");
        let back = opened
            .switch(net, &[SwitchingOp::Close(e)])
            .expect("the state was radial");
        prop_assert!(back == *view);
    }
    Ok(())
}

/// A network survives a round trip through the crate's JSON format unchanged, and so
/// do the tables derived from it: the views agree.
fn json_round_trip_is_identity(net: &Network) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(net).expect("serializes");
    let back: Network = serde_json::from_str(&json).expect("deserializes");
    prop_assert!(back == *net);
    prop_assert_eq!(serde_json::to_string(&back).expect("serializes"), json);
    prop_assert!(EnergizationView::normal(&back).ok() == EnergizationView::normal(net).ok());
    Ok(())
}

/// Closing a tie between two energized feeders is refused, naming the tie and the
/// elements of the loop it would close: every bus of them is met twice, except two
/// source buses when the feeders come from different substations.
fn closing_a_tie_is_refused_naming_the_loop(net: &Network) -> Result<(), TestCaseError> {
    let view = EnergizationView::normal(net).expect("radial");
    let ties: Vec<ElementId> = (0..net.elements().len())
        .map(ElementId::from)
        .filter(|&e| net.element(e).normally_open)
        .collect();
    prop_assume!(!ties.is_empty(), "no tie");
    let sources: HashSet<_> = net.sources().iter().map(|s| s.bus).collect();
    for &tie in &ties {
        let err = view
            .switch(net, &[SwitchingOp::Close(tie)])
            .expect_err("closes a loop");
        let SwitchingError::ClosesLoop { closing, elements } = err else {
            return Err(TestCaseError::fail(format!("not a loop error: {err}")));
        };
        prop_assert_eq!(&closing, &net.element(tie).name);
        prop_assert!(elements.contains(&closing));
        let mut count = HashMap::new();
        for name in &elements {
            let e = net.element_by_name(name).expect("names a real element");
            let el = net.element(e);
            *count.entry(el.from).or_insert(0) += 1;
            *count.entry(el.to).or_insert(0) += 1;
        }
        let odd: HashSet<_> = count
            .iter()
            .filter(|(_, n)| **n % 2 == 1)
            .map(|(b, _)| *b)
            .collect();
        prop_assert!(
            odd.is_empty() || (odd.len() == 2 && odd.is_subset(&sources)),
            "{:?}",
            elements
        );
    }
    Ok(())
}

/// The outage device node `i` of a tree adds, if any, by name.
fn node_device(shape: &TreeShape, i: usize) -> Option<String> {
    match shape.nodes[i].1 {
        Link::Line => None,
        Link::Breaker => Some(format!("relay.n{i}")),
        Link::Recloser => Some(format!("recloser.n{i}")),
        Link::Fuse => Some(format!("fuse.n{i}")),
        Link::Switch => Some(format!("line.n{i}")),
        Link::Transformer(_) => Some(format!("transformer.n{i}")),
    }
}

/// The nodes above node `i`, nearest first, and the source bus at the root of its tree.
fn ancestors(shape: &TreeShape, i: usize) -> (Vec<usize>, usize) {
    let mut up = Vec::new();
    let mut bus = shape.nodes[i].0;
    while bus >= shape.sources {
        let node = bus - shape.sources;
        up.push(node);
        bus = shape.nodes[node].0;
    }
    (up, bus)
}

/// In the normal state of a tree, each customer's chain is its service, then the
/// outage devices of the nodes above it from the nearest up, then its source; and the
/// customers below each node's device are those of the transformers in its subtree.
/// The expected values come from the shape alone, not from the crate.
fn normal_view_follows_the_shape(shape: &TreeShape, net: &Network) -> Result<(), TestCaseError> {
    let view = EnergizationView::normal(net).expect("a tree is radial");
    prop_assert_eq!(net.customers().len(), shape.customer_count());
    let mut below: HashMap<usize, BTreeSet<String>> = HashMap::new();
    for i in 0..shape.nodes.len() {
        let (up, source) = ancestors(shape, i);
        for name in shape.customers_of(i) {
            let load = format!("load.{name}");
            let c = net
                .customer_by_name(&name)
                .expect("every customer is built");
            let mut want = vec![load.clone()];
            want.extend([i].iter().chain(&up).filter_map(|&n| node_device(shape, n)));
            want.push(format!("circuit.s{source}"));
            let chain: Vec<String> = view
                .upstream(OutageDeviceId(c.0))
                .map(|d| net.outage_device_name(d).to_string())
                .collect();
            prop_assert_eq!(chain, want);
            for &n in [i].iter().chain(&up) {
                below.entry(n).or_default().insert(load.clone());
            }
        }
    }
    for i in 0..shape.nodes.len() {
        let Some(name) = node_device(shape, i) else {
            continue;
        };
        let d = net
            .outage_device_by_name(&name)
            .expect("every device is an outage device");
        let got: BTreeSet<String> = view
            .customers_below(d)
            .iter()
            .map(|&c| net.customer(c).name.clone())
            .collect();
        prop_assert_eq!(got, below.remove(&i).unwrap_or_default(), "below {}", name);
    }
    Ok(())
}

/// The OpenDSS reader and the builder make the same network of a tree: the same
/// outage devices, and under each the same customers, in the normal state and after
/// the same switching.
fn reader_and_builder_agree(
    shape: &TreeShape,
    rounds: &[Vec<OpPick>],
) -> Result<(), TestCaseError> {
    let built = shape.network();
    let text = shape.opendss();
    if built.customers().is_empty() {
        // A model without customers is refused as partial.
        let refused = matches!(
            import_opendss_str(&text),
            Err(outage_locator::ImportError::NoCustomers { .. })
        );
        prop_assert!(refused, "{}", text);
        return Ok(());
    }
    let (read, report) =
        import_opendss_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(report.warning_list, vec![], "{}", text);
    let names = |net: &Network| -> BTreeSet<String> {
        (0..net.outage_device_count())
            .map(|d| net.outage_device_name(OutageDeviceId::from(d)).to_string())
            .collect()
    };
    prop_assert_eq!(names(&read), names(&built));
    let below = |net: &Network, view: &EnergizationView| -> Vec<(String, BTreeSet<String>)> {
        let mut v: Vec<_> = (0..net.outage_device_count())
            .map(OutageDeviceId::from)
            .map(|d| {
                let held = view
                    .customers_below(d)
                    .iter()
                    .map(|&c| net.customer(c).name.clone())
                    .collect();
                (net.outage_device_name(d).to_string(), held)
            })
            .collect();
        v.sort();
        v
    };
    // The same operations by element name on both networks.
    let by_name = |net: &Network, ops: &[SwitchingOp], to: &Network| -> Vec<SwitchingOp> {
        let map = |e: ElementId| {
            to.element_by_name(&net.element(e).name)
                .expect("both networks have the element")
        };
        ops.iter()
            .map(|op| match *op {
                SwitchingOp::Open(e) => SwitchingOp::Open(map(e)),
                SwitchingOp::Close(e) => SwitchingOp::Close(map(e)),
                SwitchingOp::Transfer { open, close } => SwitchingOp::Transfer {
                    open: map(open),
                    close: map(close),
                },
            })
            .collect()
    };
    let (mut a, mut b) = (
        EnergizationView::normal(&built).expect("radial"),
        EnergizationView::normal(&read).expect("radial"),
    );
    prop_assert_eq!(below(&built, &a), below(&read, &b));
    for round in rounds {
        let ops = ops(&built, round);
        match (
            a.switch(&built, &ops),
            b.switch(&read, &by_name(&built, &ops, &read)),
        ) {
            (Ok(x), Ok(y)) => {
                prop_assert_eq!(below(&built, &x), below(&read, &y), "after {:?}", ops);
                (a, b) = (x, y);
            }
            (Err(_), Err(_)) => {}
            (x, y) => prop_assert!(false, "{:?}: built {:?}, read {:?}", ops, x.err(), y.err()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// On generated trees: a customer is de-energized by a set of open devices iff one
    /// of them stands on its chain.
    #[test]
    fn trees_deenergize_exactly_the_customers_below_open_devices(
        shape in tree_shape(2, 40, 3), rounds in batches(0..6), open in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let net = shape.network();
        let view = view_after(&net, &rounds);
        deenergized_iff_an_open_device_is_on_the_chain(&net, &view, &devices(&net, &open))?;
    }

    /// On generated trees: a device's customers are the disjoint union of its
    /// children's, and chains, depths and the pre-order agree.
    #[test]
    fn trees_hold_device_customers_as_the_union_of_their_childrens(
        shape in tree_shape(2, 40, 3), rounds in batches(0..6),
    ) {
        let net = shape.network();
        device_customers_are_the_union_of_their_childrens(&net, &view_after(&net, &rounds))?;
    }

    /// On generated trees: switching equals building from scratch, and both refuse the
    /// same loops.
    #[test]
    fn trees_switch_as_they_rebuild(
        shape in tree_shape(2, 40, 3), rounds in batches(0..6), next in batches(1..8),
    ) {
        let net = shape.network();
        switching_equals_building_from_scratch(&net, view_after(&net, &rounds), &next)?;
    }

    /// On generated trees: opening a closed element and closing it again gives back an
    /// identical view.
    #[test]
    fn trees_open_then_close_to_an_identical_view(
        shape in tree_shape(2, 40, 3), rounds in batches(0..6), picks in prop::collection::vec(any::<Index>(), 1..6),
    ) {
        let net = shape.network();
        open_then_close_restores_an_identical_view(&net, &view_after(&net, &rounds), &picks)?;
    }

    /// On generated trees: a JSON round trip is the identity.
    #[test]
    fn trees_round_trip_through_json(shape in tree_shape(2, 40, 3)) {
        json_round_trip_is_identity(&shape.network())?;
    }

    /// On generated trees: closing a tie is refused, naming the loop it would close.
    #[test]
    fn trees_refuse_to_close_a_tie_naming_the_loop(shape in tree_shape(2, 40, 3)) {
        closing_a_tie_is_refused_naming_the_loop(&shape.network())?;
    }

    /// On generated trees without ties: chains and the customers below each device are
    /// those the shape says.
    #[test]
    fn trees_normal_view_follows_the_shape(shape in tree_shape(2, 40, 0)) {
        normal_view_follows_the_shape(&shape, &shape.network())?;
    }

    /// On generated one-source trees: the OpenDSS reader and the builder agree, before
    /// and after switching.
    #[test]
    fn trees_read_from_opendss_as_they_build(shape in tree_shape(1, 40, 3), rounds in batches(0..6)) {
        reader_and_builder_agree(&shape, &rounds)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// On seeded synthetic networks of up to 3000 customers: a customer is de-energized
    /// by a set of open devices iff one of them stands on its chain.
    #[test]
    fn synthetic_networks_deenergize_exactly_the_customers_below_open_devices(
        net in synthetic(), rounds in batches(0..6), open in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let view = view_after(&net, &rounds);
        deenergized_iff_an_open_device_is_on_the_chain(&net, &view, &devices(&net, &open))?;
    }

    /// On seeded synthetic networks: a device's customers are the disjoint union of its
    /// children's, and chains, depths and the pre-order agree.
    #[test]
    fn synthetic_networks_hold_device_customers_as_the_union_of_their_childrens(
        net in synthetic(), rounds in batches(0..6),
    ) {
        device_customers_are_the_union_of_their_childrens(&net, &view_after(&net, &rounds))?;
    }

    /// On seeded synthetic networks: switching equals building from scratch.
    #[test]
    fn synthetic_networks_switch_as_they_rebuild(
        net in synthetic(), rounds in batches(0..6), next in batches(8..9),
    ) {
        switching_equals_building_from_scratch(&net, view_after(&net, &rounds), &next)?;
    }

    /// On seeded synthetic networks: opening a closed element and closing it again
    /// gives back an identical view.
    #[test]
    fn synthetic_networks_open_then_close_to_an_identical_view(
        net in synthetic(), rounds in batches(0..6), picks in prop::collection::vec(any::<Index>(), 6..7),
    ) {
        open_then_close_restores_an_identical_view(&net, &view_after(&net, &rounds), &picks)?;
    }

    /// On seeded synthetic networks: a JSON round trip is the identity.
    #[test]
    fn synthetic_networks_round_trip_through_json(net in synthetic()) {
        json_round_trip_is_identity(&net)?;
    }

    /// On seeded synthetic networks (ties between feeders of one substation and of
    /// two): closing a tie is refused, naming the loop it would close.
    #[test]
    fn synthetic_networks_refuse_to_close_a_tie_naming_the_loop(net in synthetic()) {
        closing_a_tie_is_refused_naming_the_loop(&net)?;
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
    fn switching_fixtures_equals_building_from_scratch(which in 0usize..4, next in batches(12..13)) {
        let net = &fixtures()[which];
        switching_equals_building_from_scratch(net, EnergizationView::normal(net).expect("radial"), &next)?;
    }
}

/// The tree strategy is no degenerate generator: over a fixed sample of shapes it makes
/// every kind of link, transformers with and without customers, trees of 20 nodes and
/// more (8 on average at least), chains of more than four nodes, two substations and
/// ties; and every shape builds.
#[test]
fn tree_shapes_cover_every_kind_size_and_depth() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = tree_shape(2, 40, 3);
    let (mut kinds, mut largest, mut deepest, mut total) = (HashSet::new(), 0, 0, 0);
    let (mut two_sources, mut with_ties, mut empty_transformers) = (false, false, false);
    for _ in 0..200 {
        let shape = strategy.new_tree(&mut runner).expect("a shape").current();
        for (i, &(_, link)) in shape.nodes.iter().enumerate() {
            kinds.insert(std::mem::discriminant(&link));
            empty_transformers |= link == Link::Transformer(0);
            deepest = deepest.max(ancestors(&shape, i).0.len() + 1);
        }
        largest = largest.max(shape.nodes.len());
        total += shape.nodes.len();
        two_sources |= shape.sources == 2;
        with_ties |= !shape.ties.is_empty();
        // Every shape builds into a network with the customers it says.
        assert_eq!(shape.network().customers().len(), shape.customer_count());
    }
    assert_eq!(kinds.len(), 6, "every kind of link");
    assert!(empty_transformers, "a transformer without customers");
    assert!(largest >= 20, "the largest tree has {largest} nodes");
    assert!(total >= 200 * 8, "{total} nodes in 200 trees");
    assert!(
        deepest > 4,
        "the deepest node is {deepest} below its source"
    );
    assert!(two_sources && with_ties);
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
    use outage_locator::network::{CustomerClass, DeviceKind, ServiceZone};
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
        use outage_locator::network::OutageDeviceClass as K;
        assert_eq!(chain[0], K::Service);
        assert_eq!(chain[1], K::Transformer);
        assert_eq!(chain[chain.len() - 2], K::Breaker);
        assert_eq!(chain[chain.len() - 1], K::Source);
    }
}
