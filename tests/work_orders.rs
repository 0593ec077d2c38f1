//! The judge's newer metrics on a hand-worked day: work orders one by one, pings per
//! fault outage, transfers followed and customer Jaccard without the customers moved
//! to a tie; and an engine's records scored the same as their JSON Lines.

use outage_locator::bench::metrics::{Conclusions, aggregate, score};
use outage_locator::bench::simulate::{
    Checkpoint, CheckpointKind, Profile, SimulationOptions, Simulator, Truth, TruthCause,
    TruthCounts, TruthOutage, TruthTransfer,
};
use outage_locator::network::DeviceKind;
use outage_locator::{
    EnergizationView, EngineOptions, Event, Network, NetworkBuilder, Replay, Timestamp,
    import_opendss,
};

fn t(s: &str) -> Timestamp {
    format!("2026-07-01T{s}Z").parse().unwrap()
}

/// A breaker feeding four fuses: fuses f1 to f3 each feed two transformers of four
/// customers, fuse f4 a single transformer of two (the fuse and the transformer hold
/// off the same customers). Customer `cFKC` is the C-th of transformer `tFK`.
fn tiny() -> Network {
    let mut b = NetworkBuilder::new("tiny");
    b.add_bus("s");
    b.add_bus("a");
    b.add_source("circuit.tiny", "s").unwrap();
    b.add_line("line.l0", "s", "a").unwrap();
    b.add_device("relay.b", DeviceKind::Breaker, "line.l0")
        .unwrap();
    for f in 1..=4 {
        let (bus, line) = (format!("b{f}"), format!("line.l{f}"));
        b.add_bus(&bus);
        b.add_line(&line, "a", &bus).unwrap();
        b.add_device(&format!("fuse.f{f}"), DeviceKind::Fuse, &line)
            .unwrap();
        let (xfmrs, custs) = if f == 4 { (1, 2) } else { (2, 4) };
        for k in 1..=xfmrs {
            let x = format!("x{f}{k}");
            b.add_bus(&x);
            b.add_transformer(&format!("transformer.t{f}{k}"), &bus, &x, 0.24, 25.0)
                .unwrap();
            for c in 1..=custs {
                b.add_customer(&format!("c{f}{k}{c}"), &x).unwrap();
            }
        }
    }
    b.build().unwrap()
}

fn fault(id: &str, device: &str, start: &str, end: Option<&str>, net: &Network) -> TruthOutage {
    let view = EnergizationView::normal(net).unwrap();
    let d = net.outage_device_by_name(device).unwrap();
    let customers: Vec<String> = view
        .customers_below(d)
        .iter()
        .map(|&c| net.customer(c).name.clone())
        .collect();
    TruthOutage {
        id: id.to_string(),
        device: device.to_string(),
        kind: String::new(),
        cause: TruthCause::Fault,
        start: t(start),
        end: end.map(t),
        nested_in: None,
        scada: false,
        n_customers: customers.len() as u32,
        customers,
        transfers: Vec::new(),
    }
}

fn transfer(at: &str, customers: &[&str]) -> TruthTransfer {
    TruthTransfer {
        open: "line.sw".into(),
        close: "line.tie".into(),
        at_open: t(at),
        at: t(at),
        customers: customers.iter().map(|c| format!("load.{c}")).collect(),
    }
}

/// The day: T1 at fuse f1 12:00–12:40, two of its transformer t11's customers and then
/// all four moved to a tie at 12:10 and one of t12's at 12:38; T2 at transformer t41
/// (the customers of fuse f4) from 12:05, one of its two customers moved at 12:30; T3
/// at transformer t21 12:30–12:50, never reported; T4 at customer c311's service
/// 12:10–12:20, which called.
fn day(net: &Network) -> (Truth, Vec<Event>) {
    let mut t1 = fault("T1", "fuse.f1", "12:00:00", Some("12:40:00"), net);
    t1.transfers = vec![
        transfer("12:10:00", &["c111", "c112", "c113", "c114"]),
        transfer("12:38:00", &["c121"]),
    ];
    let mut t2 = fault("T2", "transformer.t41", "12:05:00", None, net);
    t2.transfers = vec![transfer("12:30:00", &["c412"])];
    let truth = Truth {
        version: 1,
        feeder: "tiny".into(),
        model: String::new(),
        circuit: "circuit.tiny".into(),
        profile: "hand".into(),
        seed: 0,
        start: t("12:00:00"),
        end: t("13:00:00"),
        params: serde_json::Value::Null,
        outages: vec![
            t1,
            t2,
            fault("T3", "transformer.t21", "12:30:00", Some("12:50:00"), net),
            fault("T4", "load.c311", "12:10:00", Some("12:20:00"), net),
        ],
        momentaries: Vec::new(),
        calls: Vec::new(),
        checkpoints: vec![Checkpoint {
            at: t("12:15:00"),
            label: "T1+15m".into(),
            kind: CheckpointKind::Plus15,
        }],
        counts: TruthCounts::default(),
    };
    let ev = |time: &str, kind: &str, id: &str| {
        Event::from_row(net, 0, &format!("2026-07-01T{time}Z"), kind, id, "").unwrap()
    };
    let events = vec![
        ev("12:02:00", "call", "c111"),
        ev("12:06:00", "last_gasp", "c411"),
        ev("12:12:00", "call", "c311"),
    ];
    (truth, events)
}

/// The engine's output: outages O1 at fuse f1 (following the transfer at 12:12) and O2
/// at transformer t41; orders W1 at f1; W2 at f4 then moved to f2; W3 at customer
/// c111; W4 at f1 merged into W1; W5 at t41; W6 at t21 after T3 ended; W7 without a
/// device; three pings.
const OUT: &str = r#"{"type":"outage","at":"2026-07-01T12:03:00Z","op":"open","outage":"O1","device":"fuse.f1","cause":"fault","customers":8}
{"type":"ticket","at":"2026-07-01T12:03:00Z","op":"open","ticket":"W1","outage":"O1","device":"fuse.f1"}
{"type":"ticket","at":"2026-07-01T12:04:00Z","op":"open","ticket":"W2","outage":"","device":"FUSE.F4"}
{"type":"ping","at":"2026-07-01T12:04:00Z","meter":"load.c411","outage":null}
{"type":"ticket","at":"2026-07-01T12:06:00Z","op":"open","ticket":"W3","outage":"","device":"load.c111"}
{"type":"outage","at":"2026-07-01T12:06:30Z","op":"open","outage":"O2","device":"transformer.t41","cause":"fault","customers":2}
{"type":"ticket","at":"2026-07-01T12:07:00Z","op":"open","ticket":"W4","outage":"O1","device":"fuse.f1"}
{"type":"ticket","at":"2026-07-01T12:08:00Z","op":"close","ticket":"W4","outage":"O1","device":"fuse.f1","merged_into":"W1"}
{"type":"ticket","at":"2026-07-01T12:09:00Z","op":"open","ticket":"W5","outage":"O2","device":"transformer.t41"}
{"type":"ping","at":"2026-07-01T12:09:00Z","meter":"load.c412","outage":"O2"}
{"type":"outage","at":"2026-07-01T12:12:00Z","op":"update","outage":"O1","device":"fuse.f1","cause":"fault","customers":4}
{"type":"ticket","at":"2026-07-01T12:20:00Z","op":"update","ticket":"W2","outage":"","device":"fuse.f2"}
{"type":"ticket","at":"2026-07-01T12:25:00Z","op":"close","ticket":"W2","outage":"","device":"fuse.f2"}
{"type":"ticket","at":"2026-07-01T12:45:00Z","op":"close","ticket":"W1","outage":"O1","device":"fuse.f1"}
{"type":"ticket","at":"2026-07-01T12:55:00Z","op":"open","ticket":"W6","outage":"","device":"transformer.t21"}
{"type":"ticket","at":"2026-07-01T12:56:00Z","op":"open","ticket":"W7","outage":"","device":""}
{"type":"ping","at":"2026-07-01T12:57:00Z","meter":"load.c211","outage":null}
"#;

#[test]
fn orders_pings_and_transfers_on_a_hand_worked_day() {
    let net = tiny();
    let view = EnergizationView::normal(&net).unwrap();
    let (truth, events) = day(&net);
    let out = Conclusions::from_jsonl(OUT.as_bytes()).unwrap();
    let raw = score(&net, &view, &truth, &out, Some(&events));
    // Judged: W1, W2, W3, W5, W6 (W4 merged away, W7 without a device). Right: W1 at
    // T1; W2, put at f4 at 12:04 and T2 (at t41, the same customers) from 12:05 before
    // W2 moved at 12:20; W5 at t41 while T2 lasts. W3 is at no fault, W6 came after T3
    // ended.
    assert_eq!((raw.orders, raw.orders_right), (5, 3));
    // T1 found by W1, T2 by W2 and W5: three orders on two faults.
    assert_eq!((raw.faults_covered, raw.orders_on_covered), (2, 3));
    // T1, T2 and T4 were reported while they lasted, T3 never; T4 got no order.
    assert_eq!((raw.faults_evidenced, raw.faults_evidenced_covered), (3, 2));
    assert_eq!(raw.pings, 3);
    // T1's first transfer is judged at 12:15: O1 holds off 8 - 4 = 4, followed. Its
    // second comes 12:43, after T1 ended. T2's at 12:35: O2 still holds off 2, not
    // the 1 left out.
    assert_eq!((raw.transfers, raw.transfers_followed), (2, 1));
    // At 12:15 the truth holds off f1's 8, f4's 2 and c311, the engine f1's 8 and
    // t41's 2; without the 4 moved to the tie: 6 in common of 7.
    assert_eq!(raw.cp[1].jac.len(), 1);
    assert!((raw.cp[1].jac[0] - 6.0 / 7.0).abs() < 1e-12);
    let m = aggregate(&[raw]);
    assert_eq!(m.orders_right, Some(0.6));
    assert_eq!(m.orders_per_covered_fault, Some(1.5));
    assert!((m.evidenced_faults_covered.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(m.pings_per_fault, Some(0.75));
    assert_eq!(m.transfers_followed, Some(0.5));
    assert_eq!(m.transfers, 2);
    assert_eq!(m.get("orders_right"), Some(0.6));
    assert_eq!(m.get("transfers"), Some(2.0));
}

/// Without the events nothing is known to be reported; without orders, pings or
/// transfers there is nothing to divide.
#[test]
fn the_newer_metrics_with_nothing_to_count() {
    let net = tiny();
    let view = EnergizationView::normal(&net).unwrap();
    let (mut truth, _) = day(&net);
    let out = Conclusions::from_jsonl(OUT.as_bytes()).unwrap();
    let raw = score(&net, &view, &truth, &out, None);
    assert_eq!((raw.faults_evidenced, raw.faults_evidenced_covered), (0, 0));
    assert_eq!(aggregate(&[raw]).evidenced_faults_covered, None);
    for o in &mut truth.outages {
        o.transfers.clear();
    }
    let m = aggregate(&[score(&net, &view, &truth, &Conclusions::default(), None)]);
    assert_eq!(m.orders_right, None);
    assert_eq!(m.orders_per_covered_fault, None);
    assert_eq!(m.transfers_followed, None);
    assert_eq!(m.transfers, 0);
    assert_eq!(m.pings_per_fault, Some(0.0));
    assert_eq!(aggregate(&[]).pings_per_fault, None);
}

/// A day's records, and the JSON Lines they print as, score the same.
#[test]
fn records_and_their_json_lines_score_the_same() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (net, _) = import_opendss(path).unwrap();
    let sim = Simulator::new(&net).unwrap();
    for (profile, seed) in [(Profile::Busy, 2), (Profile::Storm, 5)] {
        let s = sim.run(&SimulationOptions::ranged(profile), seed);
        let mut replay = Replay::new(&net, EngineOptions::default()).unwrap();
        let mut records = Vec::new();
        for &e in &s.events {
            records.extend_from_slice(replay.feed(e));
        }
        records.extend_from_slice(replay.finish());
        let mut jsonl = String::new();
        for r in &records {
            jsonl.push_str(&serde_json::to_string(r).unwrap());
            jsonl.push('\n');
        }
        let a = Conclusions::from_records(&records);
        let b = Conclusions::from_jsonl(jsonl.as_bytes()).unwrap();
        let sc = |c: &Conclusions| score(&net, sim.view(), &s.truth, c, Some(&s.events));
        let (a, b) = (sc(&a), sc(&b));
        assert!(a.orders > 0, "{profile:?}");
        assert_eq!(a, b, "{profile:?}");
    }
}
