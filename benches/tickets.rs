//! The cost of the ticket layer on the inference issue's storm benchmark (the storm of
//! `benches/inference.rs`, `synth::storm_events`): the engine alone, the engine with its work
//! orders and notices (the [`CommandCentre`] as the replay drives it), and the whole
//! replay (CSV in, JSON Lines out). The ticket layer should add under 10 %.
//!
//!     cargo bench --bench tickets
//!
//! On a shared machine two benchmarks run one after the other see different loads, so
//! `split` also times the engine's and the ticket layer's part of every event back to
//! back in the same run, and prints the ticket layer's share (its clock reads, two per
//! event, count a little against both parts); `replay_with_then_without_tickets` runs
//! the whole replay with the ticket layer and without it ([`Replay::inference_only`])
//! in turn, and prints what the layer adds.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::synth::storm_events;
use outage_locator::service::{Notices, WorkOrderChange};
use outage_locator::{CommandCentre, Engine, EngineOptions, Event, Network, Replay, WorkOrders};

/// One replay through the engine and the ticket layer driven apart: the time spent in
/// each.
fn split_run(net: &Network, events: &[Event]) -> (Duration, Duration) {
    let opts = Replay::centre_options();
    let mut engine = Engine::new(net, EngineOptions::default()).expect("radial");
    let mut orders = WorkOrders::new(opts.orders);
    let mut notices = Notices::new(opts.notices);
    let mut changes = Vec::new();
    let mut order_changes: Vec<WorkOrderChange> = Vec::new();
    let (mut te, mut tt) = (Duration::ZERO, Duration::ZERO);
    for &ev in events {
        let t0 = Instant::now();
        changes.clear();
        changes.extend_from_slice(engine.ingest(ev));
        let t1 = Instant::now();
        order_changes.clear();
        order_changes.extend_from_slice(orders.follow(&engine, &changes));
        black_box(
            notices
                .follow(&engine, &changes, &orders, &order_changes)
                .len(),
        );
        te += t1 - t0;
        tt += t1.elapsed();
    }
    (te, tt)
}

/// Runs a replay over an event file held in memory, output discarded.
fn replay_csv(mut replay: Replay<'_>, text: &[u8]) {
    black_box(
        replay
            .run(text, &mut std::io::sink(), &mut std::io::sink())
            .expect("in memory"),
    );
}

fn bench(c: &mut Criterion) {
    // The inference benchmark's 100 000- and 1 M-customer storms.
    bench_storm(c, 100_000, 100_000);
    bench_storm(c, 1_000_000, 1_000_000);
}

fn bench_storm(c: &mut Criterion, customers: usize, n_events: usize) {
    let net = common::synthetic(customers);
    let view = common::normal_view(&net);
    let events = storm_events(&net, &view, n_events, 7);
    let mut g = c.benchmark_group(format!("tickets/{}k_customers", customers / 1000));
    g.sample_size(10);
    g.throughput(Throughput::Elements(events.len() as u64));
    common::bench_engine_ingest(&mut g, "engine", &net, &events);
    g.bench_function("engine_and_tickets", |b| {
        b.iter_batched(
            || {
                CommandCentre::new(&net, EngineOptions::default(), Replay::centre_options())
                    .expect("radial")
            },
            |mut cc| {
                for &e in &events {
                    black_box(cc.ingest(e).orders.len());
                }
                cc
            },
            BatchSize::LargeInput,
        )
    });
    let mut parts = (Duration::ZERO, Duration::ZERO, 0u32);
    g.bench_function("split", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (te, tt) = split_run(&net, &events);
                parts.0 += te;
                parts.1 += tt;
                parts.2 += 1;
                total += te + tt;
            }
            total
        })
    });
    let text = common::events_csv(&net, &events);
    let mut replay_time = (Duration::ZERO, 0u32);
    g.bench_function("replay_storm_csv_to_jsonl", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                replay_csv(
                    Replay::new(&net, EngineOptions::default()).expect("radial"),
                    &text,
                );
            }
            let e = t.elapsed();
            replay_time.0 += e;
            replay_time.1 += iters as u32;
            e
        })
    });
    // The whole replay with and without the ticket layer, one after the other in each
    // iteration, so that both see the same load.
    let mut pair = (Duration::ZERO, Duration::ZERO, 0u32);
    g.bench_function("replay_with_then_without_tickets", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let run = |replay: Replay<'_>| {
                    let t = Instant::now();
                    replay_csv(replay, &text);
                    t.elapsed()
                };
                let with = run(Replay::new(&net, EngineOptions::default()).expect("radial"));
                let without =
                    run(Replay::inference_only(&net, EngineOptions::default()).expect("radial"));
                pair.0 += with;
                pair.1 += without;
                pair.2 += 1;
                total += with + without;
            }
            total
        })
    });
    g.finish();
    let n = parts.2.max(1);
    let (te, tt) = (parts.0 / n, parts.1 / n);
    let replay = replay_time.0 / replay_time.1.max(1);
    eprintln!(
        "tickets/{}k_customers: {} events; per replay: engine {te:.1?}, ticket layer {tt:.1?} \
         (+{:.1} % on the engine); whole replay with tickets {replay:.1?} (the ticket layer is \
         {:.1} % of it, +{:.1} % on the replay without it)",
        customers / 1000,
        events.len(),
        100.0 * tt.as_secs_f64() / te.as_secs_f64(),
        100.0 * tt.as_secs_f64() / replay.as_secs_f64(),
        100.0 * tt.as_secs_f64() / (replay.as_secs_f64() - tt.as_secs_f64()),
    );
    let m = pair.2.max(1);
    let (with, without) = (pair.0 / m, pair.1 / m);
    eprintln!(
        "tickets/{}k_customers: whole replay {:.1} ms with the ticket layer, {:.1} ms \
         without it (Replay::inference_only), run in turn {m} times: the ticket layer adds \
         {:.1} %",
        customers / 1000,
        with.as_secs_f64() * 1e3,
        without.as_secs_f64() * 1e3,
        100.0 * (with.as_secs_f64() / without.as_secs_f64() - 1.0),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
