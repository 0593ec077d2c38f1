//! A replay split by substation prints exactly what one engine prints: on generated
//! multi-substation days (busy and storm, and a day on which a whole substation goes
//! dark), and on every shared sample scenario.

mod common;

use std::sync::Arc;

use common::shared::shared;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network};
use outage_locator::replay::PartitionedReplay;
use outage_locator::{EnergizationView, EngineOptions, Network, OutageDeviceId, Replay};

/// Four substations of two or three small feeders.
fn network(seed: u64) -> Arc<Network> {
    Arc::new(utility_network(&UtilityNetworkOptions {
        seed,
        substations: 4,
        feeders_per_substation: 2..=3,
        customers_per_feeder: 200..=500,
        ..Default::default()
    }))
}

/// A simulated day's events file.
fn day(net: &Network, profile: Profile, seed: u64) -> String {
    let sim = Simulator::new(net).unwrap();
    let scenario = sim.run(&SimulationOptions::for_profile(profile), seed);
    let mut csv = Vec::new();
    scenario.write_events_csv(net, &mut csv).unwrap();
    String::from_utf8(csv).unwrap()
}

/// The records of one engine (the inference alone).
fn single(net: &Arc<Network>, csv: &str) -> String {
    let mut out = Vec::new();
    let mut replay = Replay::inference_only(Arc::clone(net), EngineOptions::default()).unwrap();
    replay
        .run(csv.as_bytes(), &mut out, &mut std::io::sink())
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// The records of the split replay, and how many engines it ran.
fn split(net: &Arc<Network>, csv: &str, threads: usize) -> (String, usize) {
    let mut out = Vec::new();
    let replay =
        PartitionedReplay::new(Arc::clone(net), EngineOptions::default(), threads).unwrap();
    let (_, _, used) = replay
        .run(csv.as_bytes(), &mut out, &mut std::io::sink())
        .unwrap();
    (String::from_utf8(out).unwrap(), used)
}

/// The first line at which two outputs differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    match a.lines().zip(b.lines()).position(|(x, y)| x != y) {
        Some(i) => format!(
            "line {}:\n  one engine: {}\n  split:      {}",
            i + 1,
            a.lines().nth(i).unwrap_or(""),
            b.lines().nth(i).unwrap_or("")
        ),
        None => format!(
            "lengths {} and {} lines",
            a.lines().count(),
            b.lines().count()
        ),
    }
}

fn assert_identical(net: &Arc<Network>, csv: &str, what: &str) {
    let one = single(net, csv);
    for threads in [2, 3] {
        let (two, used) = split(net, csv, threads);
        assert_eq!(used, threads, "{what}: the day should split");
        assert!(
            one == two,
            "{what} on {threads}: {}",
            first_difference(&one, &two)
        );
    }
}

#[test]
fn split_replay_matches_one_engine_on_generated_days() {
    for seed in 1..=2 {
        let net = network(seed);
        for profile in [Profile::Busy, Profile::Storm] {
            let csv = day(&net, profile, seed);
            assert_identical(&net, &csv, &format!("{profile:?} day {seed}"));
        }
    }
}

/// A storm day on which, besides, one substation loses supply from the transmission
/// side: every meter below its source gasps at once, a tenth of its customers call,
/// and an hour later every meter reports power back.
#[test]
fn split_replay_matches_one_engine_when_a_substation_goes_dark() {
    let net = network(7);
    let csv = day(&net, Profile::Storm, 7);
    let view = EnergizationView::normal(&net).unwrap();
    let tops: Vec<OutageDeviceId> = view
        .preorder()
        .iter()
        .copied()
        .filter(|&d| view.parent(d).is_none())
        .collect();
    assert!(tops.len() >= 2);
    let first = csv.lines().nth(1).unwrap();
    let start: outage_locator::Timestamp = first.split(',').next().unwrap().parse().unwrap();
    let dark = start + 90 * outage_locator::MINUTE;
    let mut rows: Vec<(outage_locator::Timestamp, String)> = Vec::new();
    for (i, &c) in view.customers_below(tops[1]).iter().enumerate() {
        let name = &net.customer(c).name;
        let gasp = dark + (i as i64 % 20) * 1_000;
        rows.push((gasp, format!("{gasp},last_gasp,{name},")));
        if i % 10 == 0 {
            let call = dark + 4 * outage_locator::MINUTE + i as i64 * 500;
            rows.push((call, format!("{call},call,{name},no_power")));
        }
        let back = dark + 60 * outage_locator::MINUTE + (i as i64 % 30) * 1_000;
        rows.push((back, format!("{back},power_restore,{name},")));
    }
    for line in csv.lines().skip(1) {
        let t = line.split(',').next().unwrap().parse().unwrap();
        rows.push((t, line.to_string()));
    }
    rows.sort_by_key(|r| r.0);
    let mut text = String::from("time,kind,id,detail\n");
    for (_, r) in rows {
        text.push_str(&r);
        text.push('\n');
    }
    assert_identical(&net, &text, "a substation dark");
}

/// Every shared sample scenario: one tree each, so the split replay runs one engine
/// and prints the same.
#[test]
#[ignore = "needs ../shared: the sample scenarios and their feeders"]
fn split_replay_matches_one_engine_on_every_sample() {
    samples_match(&shared("scenarios"));
}

fn samples_match(scenarios: &std::path::Path) {
    let feeders = scenarios.join("../feeders");
    let mut dirs: Vec<_> = std::fs::read_dir(scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("truth.json").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for d in dirs {
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("truth.json")).unwrap()).unwrap();
        let model = feeders
            .join(truth["feeder"].as_str().unwrap())
            .join(truth["model"].as_str().unwrap());
        let net = Arc::new(outage_locator::load_network(&model).unwrap().0);
        let csv = std::fs::read_to_string(d.join("events.csv")).unwrap();
        let one = single(&net, &csv);
        let (two, _) = split(&net, &csv, 2);
        assert!(
            one == two,
            "{}: {}",
            d.display(),
            first_difference(&one, &two)
        );
    }
}

/// Nine larger substations, a storm, split four ways.
#[test]
fn split_replay_matches_one_engine_on_nine_substations() {
    let net = Arc::new(utility_network(&UtilityNetworkOptions {
        seed: 11,
        substations: 9,
        feeders_per_substation: 3..=5,
        customers_per_feeder: 800..=1_500,
        ..Default::default()
    }));
    let csv = day(&net, Profile::Storm, 11);
    let one = single(&net, &csv);
    assert!(one.lines().count() > 5_000);
    let (four, used) = split(&net, &csv, 4);
    assert_eq!(used, 4);
    assert!(one == four, "{}", first_difference(&one, &four));
}
