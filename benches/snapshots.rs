//! Snapshots for a standby to take over: the state of a replay (engine and ticket
//! layer) on a million customers after a million-event storm, written in the compact
//! binary form and restored from it.
//!
//!     cargo bench --bench snapshots

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::synth::storm_events;
use outage_locator::replay::ReplaySnapshot;
use outage_locator::{EngineOptions, Replay};

fn bench_snapshots(c: &mut Criterion) {
    for customers in [100_000usize, 1_000_000] {
        let net = common::synthetic(customers);
        let view = common::normal_view(&net);
        let events = storm_events(&net, &view, customers, 7);
        let mut replay = Replay::new(net.clone(), EngineOptions::default()).expect("radial");
        for &e in &events {
            replay.feed(e);
        }
        let bytes = replay.snapshot().to_bytes();
        eprintln!(
            "{customers} customers: a binary snapshot of {} bytes ({:.1} B per customer), {} outages held",
            bytes.len(),
            bytes.len() as f64 / customers as f64,
            replay.engine().outages().len()
        );
        let mut g = c.benchmark_group(format!("snapshot/{}k_customers", customers / 1000));
        g.sample_size(10);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("snapshot_to_bytes", |b| {
            b.iter(|| black_box(replay.snapshot().to_bytes()))
        });
        g.bench_function("restore_from_bytes", |b| {
            b.iter(|| {
                let snap = ReplaySnapshot::from_bytes(&bytes).expect("our own bytes");
                black_box(Replay::from_snapshot(net.clone(), snap).expect("the same network"))
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench_snapshots);
criterion_main!(benches);
