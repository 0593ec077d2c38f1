//! Persistence: the command centre (engine and ticket layer) snapshots to JSON or to the
//! compact binary form and back, and restoring a snapshot taken at any point and replaying the rest of the events gives
//! exactly what an uninterrupted run gives: the same records, the same notices, the
//! same final state.

mod common;

#[path = "../examples/common/crew_sim.rs"]
mod crew_sim;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::replay::ReplaySnapshot;
use outage_locator::service::{CommandCentreOptions, Geometry, Notice};
use outage_locator::*;
use proptest::prelude::*;
use std::sync::Arc;

/// The first difference between two runs, if any, in a few lines.
fn first_difference(a: &Run, b: &Run) -> Option<String> {
    if let Some(i) =
        (0..a.records.len().max(b.records.len())).find(|&i| a.records.get(i) != b.records.get(i))
    {
        return Some(format!(
            "record {i}:\n  {:?}\n  {:?}",
            a.records.get(i),
            b.records.get(i)
        ));
    }
    if let Some(i) =
        (0..a.notices.len().max(b.notices.len())).find(|&i| a.notices.get(i) != b.notices.get(i))
    {
        return Some(format!(
            "notice {i}:\n  {:?}\n  {:?}",
            a.notices.get(i),
            b.notices.get(i)
        ));
    }
    if a.state != b.state {
        let i = a
            .state
            .bytes()
            .zip(b.state.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let lo = i.saturating_sub(200);
        return Some(format!(
            "state at byte {i}:\n  {}\n  {}",
            &a.state[lo..(i + 100).min(a.state.len())],
            &b.state[lo..(i + 100).min(b.state.len())]
        ));
    }
    None
}

/// Everything a run shows: the replay records, the notices, and the final state.
#[derive(Debug, PartialEq)]
struct Run {
    records: Vec<String>,
    notices: Vec<Notice>,
    state: String,
}

fn options() -> CommandCentreOptions {
    let mut o = Replay::centre_options();
    o.orders.close_on_restore = false;
    o.orders.geometry = Geometry::Planar {
        metres_per_unit: 0.3048,
    };
    o.notices.restore_hold = 3 * MINUTE;
    o
}

/// The form a snapshot is written in.
#[derive(Debug, Clone, Copy)]
enum Form {
    Json,
    Binary,
}

/// Replays `events` with simulated crews; at `cut` (if any) the replay is snapshotted
/// in the given form, dropped, and restored from it.
fn run(net: &Arc<Network>, events: &[Event], cut: Option<(usize, Form)>) -> Run {
    let sim = crew_sim::CrewSim::default();
    let mut replay =
        Replay::with_options(Arc::clone(net), EngineOptions::default(), options()).unwrap();
    for crew in crew_sim::crews_over(net, 3) {
        replay.centre_mut().orders_mut().add_crew(crew);
    }
    let mut records = Vec::new();
    let mut notices = Vec::new();
    for (i, &e) in events.iter().enumerate() {
        if let Some((at, form)) = cut
            && at == i
        {
            let snap = match form {
                Form::Json => {
                    let json = serde_json::to_string(&replay.snapshot()).unwrap();
                    serde_json::from_str(&json).unwrap()
                }
                Form::Binary => ReplaySnapshot::from_bytes(&replay.snapshot().to_bytes()).unwrap(),
            };
            drop(replay);
            replay = Replay::from_snapshot(Arc::clone(net), snap).unwrap();
        }
        for r in replay.feed(e) {
            records.push(serde_json::to_string(r).unwrap());
        }
        notices.extend_from_slice(replay.centre().last().notices);
        sim.step(replay.centre_mut(), &mut notices);
    }
    for r in replay.finish() {
        records.push(serde_json::to_string(r).unwrap());
    }
    notices.extend_from_slice(replay.centre().last().notices);
    Run {
        records,
        notices,
        state: canonical(&replay.snapshot()),
    }
}

/// The snapshot as JSON, with the engine's set of recently seen events (a hash set,
/// whose order is arbitrary) sorted, and fractional numbers to 12 significant digits:
/// without serde_json's `float_roundtrip` feature, reading a float back may change its
/// last bit.
fn canonical(snap: &ReplaySnapshot) -> String {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => {
                let x = n.as_f64().unwrap();
                *v = serde_json::Value::String(format!("{x:.11e}"));
            }
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "last_seen"
                        && let serde_json::Value::Array(a) = x
                    {
                        a.sort_by_key(|e| e.to_string());
                    }
                    walk(x);
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(snap).unwrap();
    walk(&mut v);
    v.to_string()
}

/// A replay snapshotted to JSON halfway through a busy day, dropped and restored, ends
/// with exactly the records, notices and state of the uninterrupted run (which opened
/// tickets and sent notices).
#[test]
fn a_replay_restored_from_a_snapshot_midway_ends_as_the_uninterrupted_run() {
    let net = Arc::new(common::ieee123());
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 3);
    let full = run(&net, &s.events, None);
    assert!(
        full.records
            .iter()
            .any(|r| r.contains("\"type\":\"ticket\""))
    );
    assert!(!full.notices.is_empty());
    let half = s.events.len() / 2;
    for form in [Form::Json, Form::Binary] {
        let resumed = run(&net, &s.events, Some((half, form)));
        assert_eq!(first_difference(&resumed, &full), None, "{form:?}");
    }
}

/// The binary form holds exactly what the JSON holds (the same state read back from
/// either), is much smaller, and bytes cut short or of another type are refused.
#[test]
fn the_binary_form_round_trips_and_refuses_broken_bytes() {
    let net = Arc::new(common::ieee123());
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 3);
    let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    for &e in &s.events[..s.events.len() / 2] {
        replay.feed(e);
    }
    let snap = replay.snapshot();
    let bytes = snap.to_bytes();
    let back = ReplaySnapshot::from_bytes(&bytes).unwrap();
    assert_eq!(canonical(&back), canonical(&snap));
    let json = serde_json::to_string(&snap).unwrap();
    assert!(
        bytes.len() * 2 < json.len(),
        "{} vs {}",
        bytes.len(),
        json.len()
    );
    assert!(ReplaySnapshot::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    let engine = replay.engine().snapshot().to_bytes();
    assert!(outage_locator::inference::EngineSnapshot::from_bytes(&engine).is_ok());
    assert!(ReplaySnapshot::from_bytes(&engine).is_err());
}

/// A replay snapshot restored on another network is refused.
#[test]
fn a_snapshot_of_another_network_is_refused() {
    let net = Arc::new(common::ieee123());
    let replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    let json = serde_json::to_string(&replay.snapshot()).unwrap();
    let other = outage_locator::bench::synth::synthetic_network(
        &outage_locator::bench::synth::SyntheticNetworkOptions {
            customers: 200,
            ..Default::default()
        },
    );
    assert!(Replay::from_snapshot(other, serde_json::from_str(&json).unwrap()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Snapshot at a random point, restore, replay the rest: exactly the uninterrupted
    /// run's records, notices and final state.
    #[test]
    fn restoring_a_snapshot_anywhere_changes_nothing(
        seed in 0u64..100_000,
        profile in 0usize..3,
        at in 0.0f64..1.0,
    ) {
        let net = Arc::new(common::ieee123());
        let sim = Simulator::new(&net).unwrap();
        let s = sim.run(&SimulationOptions::for_profile(Profile::ALL[profile]), seed);
        let cut = ((s.events.len() as f64) * at) as usize;
        let full = run(&net, &s.events, None);
        let form = if seed % 2 == 0 { Form::Json } else { Form::Binary };
        let resumed = run(&net, &s.events, Some((cut, form)));
        prop_assert_eq!(first_difference(&resumed, &full), None);
    }
}

/// An engine snapshot as JSON after a busy day's first half on IEEE 123.
fn engine_snapshot_json(net: &Arc<Network>) -> serde_json::Value {
    let sim = Simulator::new(net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 3);
    let mut engine = Engine::new(Arc::clone(net), EngineOptions::default()).unwrap();
    for &e in &s.events[..s.events.len() / 2] {
        engine.ingest(e);
    }
    serde_json::to_value(engine.snapshot()).unwrap()
}

/// What is done to a snapshot's state, and how.
type Tamper = (&'static str, fn(&mut serde_json::Value));

/// An engine snapshot tampered with (an array one short, an id past the network's end)
/// is refused with an error, not left to panic later.
#[test]
fn a_tampered_snapshot_is_refused_not_left_to_panic() {
    let net = Arc::new(common::ieee123());
    let good = engine_snapshot_json(&net);
    let restore = |v: &serde_json::Value| {
        Engine::from_snapshot(Arc::clone(&net), serde_json::from_value(v.clone()).unwrap())
            .map(|_| ())
    };
    assert!(restore(&good).is_ok());
    // An array one short, and ids past the network's end, each alone.
    let tamper: [Tamper; 4] = [
        ("one device record short", |s| {
            s["node"].as_array_mut().unwrap().pop();
        }),
        ("one service's value short", |s| {
            s["a_service"].as_array_mut().unwrap().pop();
        }),
        ("a device past the end in the refresh list", |s| {
            s["active"].as_array_mut().unwrap().push(1_000_000.into());
        }),
        ("a customer past the end with a recent last gasp", |s| {
            s["recent_lg"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!([0, 1_000_000]));
        }),
    ];
    for (what, f) in tamper {
        let mut bad = good.clone();
        f(&mut bad["state"]);
        assert!(restore(&bad).is_err(), "{what}");
    }
}

/// A replay snapshot whose ticket layer was tampered with (an order's device or merge
/// target that does not exist, a disconnection reason for a customer past the end) is
/// refused, when read or when restored, not left to panic later.
#[test]
fn a_tampered_ticket_layer_is_refused_not_left_to_panic() {
    let net = Arc::new(common::ieee123());
    let sim = Simulator::new(&net).unwrap();
    let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 3);
    let mut replay =
        Replay::with_options(Arc::clone(&net), EngineOptions::default(), options()).unwrap();
    for crew in crew_sim::crews_over(&net, 3) {
        replay.centre_mut().orders_mut().add_crew(crew);
    }
    for &e in &s.events[..s.events.len() / 2] {
        replay.feed(e);
    }
    let good = serde_json::to_value(replay.snapshot()).unwrap();
    let restore = |v: &serde_json::Value| {
        Replay::from_snapshot(Arc::clone(&net), serde_json::from_value(v.clone()).unwrap())
            .map(|_| ())
    };
    assert!(restore(&good).is_ok());
    let orders = good["centre"]["orders"]["orders"].as_array().unwrap().len();
    assert!(orders > 0, "the first half of the day opened work orders");
    let tamper: [Tamper; 3] = [
        ("an order's device past the network's end", |c| {
            c["orders"]["orders"][0]["device"] = 1_000_000.into();
        }),
        ("an order merged into an order that does not exist", |c| {
            c["orders"]["orders"][0]["merged_into"] = 1_000_000.into();
        }),
        ("a disconnection reason for a customer past the end", |c| {
            c["reasons"]
                .as_object_mut()
                .unwrap()
                .insert("1000000".into(), serde_json::json!("arrears"));
        }),
    ];
    for (what, f) in tamper {
        let mut bad = good.clone();
        f(&mut bad["centre"]);
        // Refused when reading the JSON or when restoring from it.
        let refused = match serde_json::from_value::<ReplaySnapshot>(bad) {
            Err(_) => true,
            Ok(snap) => Replay::from_snapshot(Arc::clone(&net), snap).is_err(),
        };
        assert!(refused, "{what}");
    }
}
