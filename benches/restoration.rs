//! Benchmarks of switching and restoration at a million customers.
//!
//!     cargo bench --bench restoration                 # both groups
//!     cargo bench --bench restoration -- --test       # each once, as CI does
//!
//! * `engine_switch/1000000`: the engine follows a transfer on the synthetic
//!   1 M-customer network after a storm's evidence (one iteration: the sectionalizing
//!   switch opens and the tie closes, or, every other iteration, back to normal closing
//!   before opening: two switching steps either way, the view's rebuild included).
//! * `plan/1000000`: a restoration plan for a fault at a feeder's breaker (the planner
//!   made once for the configuration, as the command centre keeps it).

mod common;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use outage_locator::bench::synth::storm_events;
use outage_locator::restoration::Planner;
use outage_locator::{Engine, EngineOptions, Timestamp};

fn engine_switch(c: &mut Criterion) {
    let net = common::synthetic(1_000_000);
    let mut engine =
        Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).expect("radial");
    for ev in storm_events(&net, engine.view(), 50_000, 1) {
        engine.ingest(ev);
    }
    let (sw, tie) = (0..1000)
        .map(|i| (500 + i) % 1000)
        .find_map(|g| {
            Some((
                net.outage_device_by_name(&format!("line.f{g}_sw"))?,
                net.outage_device_by_name(&format!("line.f{g}_tie"))?,
            ))
        })
        .expect("a feeder with a tie");
    let mut t: Timestamp = engine.clock();
    let mut forward = true;
    let mut g = c.benchmark_group("engine_switch");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("1000000", |b| {
        b.iter(|| {
            t = t + 1_000;
            if forward {
                engine.switch(sw, true, t);
                engine.switch(tie, false, t);
            } else {
                engine.switch(sw, false, t);
                engine.switch(tie, true, t);
            }
            forward = !forward;
        });
    });
    g.finish();
}

fn plan(c: &mut Criterion) {
    let net = common::synthetic(1_000_000);
    let view = common::normal_view(&net);
    let planner = Planner::new(&net, &view);
    let faults: Vec<_> = (0..1000)
        .filter_map(|g| net.outage_device_by_name(&format!("relay.f{g}")))
        .take(64)
        .collect();
    let mut i = 0;
    let mut g = c.benchmark_group("plan");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("1000000", |b| {
        b.iter(|| {
            i = (i + 1) % faults.len();
            planner.plan(faults[i], &[])
        });
    });
    g.finish();
}

criterion_group!(benches, engine_switch, plan);
criterion_main!(benches);
