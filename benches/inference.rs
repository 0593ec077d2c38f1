//! Inference speed on a large synthetic network in a storm: events ingested per second
//! with the inference current after every event, and a whole replay (CSV parsing and
//! JSON Lines output included).
//!
//!     cargo bench --bench inference

mod common;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::synth::SplitMix64;
use outage_locator::{
    CallDetail, EnergizationView, Engine, EngineOptions, Event, Evidence, Network,
    OutageDeviceClass, OutageDeviceId, Replay, Timestamp,
};

/// A storm of about `target` events: random outages at every level of the device
/// tree, with last gasps (50 %), calls (15 %) and power restores (70 %), SCADA for
/// breakers and reclosers, and a tick a minute over four hours.
fn storm(net: &Network, view: &EnergizationView, target: usize, seed: u64) -> Vec<Event> {
    let mut rng = SplitMix64::new(seed);
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().expect("a valid time");
    let nc = net.customers().len() as u64;
    let mut events = Vec::with_capacity(target + 300);
    for m in 0..240 {
        events.push(Event {
            time: t0 + m * 60_000,
            evidence: Evidence::Tick,
        });
    }
    let mut budget = target as i64;
    while budget > 0 {
        let c = OutageDeviceId(rng.below(nc) as u32);
        let chain: Vec<OutageDeviceId> = view.upstream(c).collect();
        // Any level but the source itself.
        let d = chain[rng.below(chain.len().saturating_sub(1).max(1) as u64) as usize];
        let below = view.customers_below(d);
        if below.len() as i64 > budget * 2 {
            continue;
        }
        let start = t0 + (rng.below(3 * 3600) as i64) * 1000;
        let end = start + (1800 + rng.below(5400) as i64) * 1000;
        let scada = matches!(
            net.outage_device_class(d),
            OutageDeviceClass::Breaker | OutageDeviceClass::Recloser
        );
        if scada {
            events.push(Event {
                time: start,
                evidence: Evidence::DeviceOpen { device: d },
            });
            events.push(Event {
                time: end,
                evidence: Evidence::DeviceClose { device: d },
            });
        }
        for &c in below {
            if rng.chance(0.5) {
                events.push(Event {
                    time: start + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::LastGasp { meter: c },
                });
            }
            if rng.chance(0.15) {
                events.push(Event {
                    time: start + (60 + rng.below(3600) as i64) * 1000,
                    evidence: Evidence::Call {
                        customer: c,
                        detail: CallDetail::NoPower,
                    },
                });
            }
            if rng.chance(0.7) {
                events.push(Event {
                    time: end + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::PowerRestore { meter: c },
                });
            }
        }
        budget -= (below.len() as f64 * 1.35) as i64 + 1;
    }
    events.sort_by_key(|e| e.time);
    events
}

fn csv(net: &Network, events: &[Event]) -> Vec<u8> {
    let mut out = b"time,kind,id,detail\n".to_vec();
    for e in events {
        out.extend_from_slice(e.to_csv_row(net).as_bytes());
        out.push(b'\n');
    }
    out
}

fn bench_ingest(c: &mut Criterion) {
    for (customers, n_events) in [(100_000usize, 100_000usize), (1_000_000, 1_000_000)] {
        let net = common::synthetic(customers);
        let view = common::normal_view(&net);
        let events = storm(&net, &view, n_events, 7);
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
