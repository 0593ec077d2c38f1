//! Inference speed on a large synthetic network in a storm: events ingested per second
//! with the inference current after every event, and a whole replay (CSV parsing and
//! JSON Lines output included).
//!
//!     cargo bench --bench inference

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::synth::storm_events;
use outage_locator::{EngineOptions, Replay};

fn bench_ingest(c: &mut Criterion) {
    for (customers, n_events) in [
        (10_000usize, 10_000usize),
        (100_000, 100_000),
        (1_000_000, 1_000_000),
    ] {
        let net = common::synthetic(customers);
        let view = common::normal_view(&net);
        let events = storm_events(&net, &view, n_events, 7);
        let mut g = c.benchmark_group(format!("engine/{}k_customers", customers / 1000));
        g.sample_size(10);
        g.throughput(Throughput::Elements(events.len() as u64));
        common::bench_engine_ingest(&mut g, "ingest_storm", &net, &events);
        let text = common::events_csv(&net, &events);
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
