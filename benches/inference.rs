//! Inference speed on a large synthetic network in a storm: events ingested per second
//! with the inference current after every event, and a whole replay (CSV parsing and
//! JSON Lines output included).
//!
//!     cargo bench --bench inference

mod common;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::synth::storm_events;
use outage_locator::{Engine, EngineOptions, Event, Network, Replay};

fn csv(net: &Network, events: &[Event]) -> Vec<u8> {
    let mut out = b"time,kind,id,detail\n".to_vec();
    for e in events {
        out.extend_from_slice(e.to_csv_row(net).as_bytes());
        out.push(b'\n');
    }
    out
}

fn bench_ingest(c: &mut Criterion) {
    // One million customers: see `cargo run --release --example throughput`.
    for (customers, n_events) in [(10_000usize, 10_000usize), (100_000, 100_000)] {
        let net = common::synthetic(customers);
        let view = common::normal_view(&net);
        let events = storm_events(&net, &view, n_events, 7);
        let mut g = c.benchmark_group(format!("engine/{}k_customers", customers / 1000));
        g.sample_size(10);
        g.throughput(Throughput::Elements(events.len() as u64));
        g.bench_function("ingest_storm", |b| {
            b.iter_batched(
                || Engine::new(&net, EngineOptions::default()).expect("radial"),
                |mut engine| {
                    for &e in &events {
                        black_box(engine.ingest(e));
                    }
                    engine
                },
                BatchSize::LargeInput,
            )
        });
        let text = csv(&net, &events);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("replay_storm_csv_to_jsonl", |b| {
            b.iter(|| {
                let mut replay = Replay::new(&net, EngineOptions::default()).expect("radial");
                let mut out = std::io::sink();
                let mut diag = std::io::sink();
                black_box(
                    replay
                        .run(&text[..], &mut out, &mut diag)
                        .expect("in memory"),
                )
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
