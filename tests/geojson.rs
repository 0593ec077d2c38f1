//! The command centre's GeoJSON: a storm on the IEEE 123 fixture with simulated crews,
//! written by `map::render_geojson` and read back by the `geojson` crate (an RFC 7946
//! reader), feature by feature against the command centre's own state.

#[path = "../examples/common/crew_sim.rs"]
mod crew_sim;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use geojson::{GeoJson, GeometryValue};
use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::inference::OutageCause;
use outage_locator::map::{Coordinates, render_geojson};
use outage_locator::service::{CommandCentreOptions, Geometry};
use outage_locator::*;

/// The fixture's storm, 90 minutes in, with four crews at work.
fn storm_centre() -> CommandCentre {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (net, _) = import_opendss(path).expect("the fixture");
    let net = Arc::new(crew_sim::with_zones(&net));
    let events = Simulator::new(&net)
        .expect("radial")
        .run(&SimulationOptions::for_profile(Profile::Storm), 7)
        .events;
    let mut opts = CommandCentreOptions::default();
    opts.orders.open_after = Replay::ORDER_AFTER;
    opts.orders.geometry = Geometry::Planar {
        metres_per_unit: 0.3048,
    };
    let mut cc =
        CommandCentre::new(Arc::clone(&net), EngineOptions::default(), opts).expect("radial");
    for crew in crew_sim::crews_over(&net, 4) {
        cc.orders_mut().add_crew(crew);
    }
    let until = events[0].time + 90 * MINUTE;
    let (sim, mut sent) = (crew_sim::CrewSim::default(), Vec::new());
    for &ev in events.iter().take_while(|e| e.time <= until) {
        cc.ingest(ev);
        sim.step(&mut cc, &mut sent);
    }
    cc
}

/// The features read back, by kind: (geometry, properties).
type Features = HashMap<String, Vec<(GeometryValue, serde_json::Map<String, serde_json::Value>)>>;

fn read_back(cc: &CommandCentre, coordinates: Coordinates) -> Features {
    let text = serde_json::to_string(&render_geojson(cc, coordinates)).expect("serializes");
    let GeoJson::FeatureCollection(fc) = text.parse::<GeoJson>().expect("RFC 7946") else {
        panic!("not a FeatureCollection");
    };
    let mut by_kind: Features = HashMap::new();
    for f in fc.features {
        let props = f.properties.expect("properties");
        let kind = props["kind"].as_str().expect("a kind").to_string();
        let geometry = f.geometry.expect("a geometry").value;
        by_kind.entry(kind).or_default().push((geometry, props));
    }
    by_kind
}

fn positions(g: &GeometryValue) -> Vec<[f64; 2]> {
    let pair = |p: &geojson::Position| [p[0], p[1]];
    match g {
        GeometryValue::Point { coordinates } => vec![pair(coordinates)],
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.iter().map(pair).collect()
        }
        other => panic!("unexpected geometry {other:?}"),
    }
}

#[test]
fn outages_orders_and_crews_read_back_as_rfc_7946_features() {
    let cc = storm_centre();
    let net = cc.network();
    let features = read_back(&cc, Coordinates::Model);

    let open: Vec<_> = cc
        .engine()
        .open_outages()
        .filter(|o| o.cause != OutageCause::Disconnect)
        .collect();
    assert!(!open.is_empty(), "the storm has open outages at 90 minutes");
    let outages = &features["outage"];
    assert_eq!(outages.len(), open.len());
    for ((g, props), o) in outages.iter().zip(&open) {
        assert!(matches!(g, GeometryValue::Point { .. }));
        assert_eq!(props["id"], o.id.to_string());
        assert_eq!(props["device"], net.outage_device_name(o.device));
        assert_eq!(props["customers"], o.customers);
    }
    // Every area is a MultiPoint of distinct service points of the model, and no
    // service point is held off by two outages.
    let service_points: BTreeSet<[u64; 2]> = net
        .customers()
        .iter()
        .filter_map(|c| net.bus(c.bus).position)
        .map(|p| p.map(f64::to_bits))
        .collect();
    let mut seen = 0;
    for (g, props) in &features["outage_area"] {
        assert!(matches!(g, GeometryValue::MultiPoint { .. }));
        assert!(open.iter().any(|o| props["id"] == o.id.to_string()));
        for p in positions(g) {
            assert!(service_points.contains(&p.map(f64::to_bits)));
            seen += 1;
        }
    }
    assert!(seen > 0);

    let orders: Vec<_> = cc
        .orders()
        .open_orders()
        .filter(|o| o.position.is_some())
        .collect();
    assert_eq!(features["work_order"].len(), orders.len());
    for ((g, props), o) in features["work_order"].iter().zip(&orders) {
        assert_eq!(positions(g), vec![o.position.expect("filtered")]);
        assert_eq!(props["id"], o.id.to_string());
        assert_eq!(props["priority"], o.priority.to_string());
    }
    assert_eq!(features["crew"].len(), cc.orders().crews().count());
    let assigned = features["crew"]
        .iter()
        .filter(|(_, p)| !p["order"].is_null());
    assert!(assigned.count() > 0, "crews are at work");
    for (g, _) in features.get("crew_route").into_iter().flatten() {
        assert_eq!(positions(g).len(), 2);
    }
}

#[test]
fn anchored_coordinates_are_longitude_and_latitude_near_the_anchor() {
    let cc = storm_centre();
    let anchored = Coordinates::Anchored {
        lon: -84.39,
        lat: 33.75,
        metres_per_unit: 0.3048,
    };
    let features = read_back(&cc, anchored);
    let model = read_back(&cc, Coordinates::Model);
    for (kind, list) in &features {
        assert_eq!(list.len(), model[kind].len(), "{kind}");
        for ((g, _), (m, _)) in list.iter().zip(&model[kind]) {
            for (p, q) in positions(g).into_iter().zip(positions(m)) {
                assert_eq!(p, anchored.position(q));
                // The IEEE 123 feeder spans a few kilometres.
                assert!(
                    (p[0] + 84.39).abs() < 0.2 && (p[1] - 33.75).abs() < 0.2,
                    "{p:?}"
                );
            }
        }
    }
}
