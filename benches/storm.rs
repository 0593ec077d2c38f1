//! The engine at storm rates: a million meter messages in ten minutes
//! (`synth::storm_rate_events`, about 1,700 a second, nearly all distinct, so the
//! duplicate window holds them all), replayed as a user does: an event file (CSV)
//! through [`Replay::run`] to JSON Lines, on IEEE 123 read from its model file and on a
//! 1 M-customer synthetic network. Criterion reports messages per second.
//!
//!     cargo bench --bench storm

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::synth::storm_rate_events;
use outage_locator::{EngineOptions, Event, MINUTE, Network, Replay, load_network};

/// Messages in the storm, and the time they span.
const MESSAGES: usize = 1_000_000;
const SPAN: outage_locator::Millis = 10 * MINUTE;

fn bench_network(c: &mut Criterion, name: &str, net: &Arc<Network>) {
    let events: Vec<Event> = storm_rate_events(net, MESSAGES, SPAN, 7).collect();
    let text = common::events_csv(net, &events);
    let mut g = c.benchmark_group(format!("storm_rate/{name}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("replay_1M_messages_in_10_min", |b| {
        b.iter(|| {
            let mut replay =
                Replay::new(Arc::clone(net), EngineOptions::default()).expect("radial");
            black_box(
                replay
                    .run(&text[..], &mut std::io::sink(), &mut std::io::sink())
                    .expect("in memory"),
            )
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (ieee123, _) = load_network(path).expect("the fixture reads");
    bench_network(c, "ieee123", &Arc::new(ieee123));
    let big = common::synthetic(1_000_000);
    bench_network(c, "1M_customers", &big);
}

criterion_group!(benches, bench);
criterion_main!(benches);
