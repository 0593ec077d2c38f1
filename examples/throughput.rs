//! Inference speed and memory at scale: a storm on synthetic networks of 100 k and
//! 1 M customers, ingested event by event with the inference current after each, and
//! replayed from CSV to JSON Lines.
//!
//!     cargo run --release --example throughput -- [CUSTOMERS...]

use std::time::Instant;

use outage_locator::bench::synth::{SyntheticNetworkOptions, storm_events, synthetic_network};
use outage_locator::{EnergizationView, Engine, EngineOptions, Replay};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        sizes
    };
    println!(
        "| customers | events | ingest | events/s | replay CSV→JSONL | open outages | engine state B/customer |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let net = synthetic_network(&SyntheticNetworkOptions {
            customers: n,
            seed: 1,
            ..Default::default()
        });
        let view = EnergizationView::normal(&net).expect("synthetic networks are radial");
        let events = storm_events(&net, &view, n, 7);
        let mut engine = Engine::new(&net, EngineOptions::default()).expect("radial");
        let t = Instant::now();
        for &e in &events {
            engine.ingest(e);
        }
        let ingest = t.elapsed();
        let open = engine.open_outages().count();
        let state = engine.state_bytes() as f64 / n as f64;
        drop(engine);
        let mut csv = b"time,kind,id,detail\n".to_vec();
        for e in &events {
            csv.extend_from_slice(e.to_csv_row(&net).as_bytes());
            csv.push(b'\n');
        }
        let mut replay = Replay::new(&net, EngineOptions::default()).expect("radial");
        let t = Instant::now();
        let summary = replay
            .run(&csv[..], &mut std::io::sink(), &mut std::io::sink())
            .expect("in memory");
        let run = t.elapsed();
        assert_eq!(summary.rows as usize, events.len());
        println!(
            "| {n} | {} | {:.2} s | {:.0} | {:.2} s | {open} | {state:.0} |",
            events.len(),
            ingest.as_secs_f64(),
            events.len() as f64 / ingest.as_secs_f64(),
            run.as_secs_f64(),
        );
    }
}
