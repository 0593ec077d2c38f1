//! Network factories shared by the benches: synthetic networks by size, the shared
//! feeder models, and seeded samples of customers, devices and switching operations.

// Each bench uses a subset of these factories.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup};
use outage_locator::bench::synth::{SplitMix64, SyntheticNetworkOptions, synthetic_network};
use outage_locator::topology::SwitchingOp;
use outage_locator::{EnergizationView, Engine, EngineOptions, Event, Network, OutageDeviceId};

/// The seed of every synthetic network the benches use.
pub const SEED: u64 = 1;

/// A synthetic network of `customers` customers with the default options, generated
/// once per size and process (sizes up to a million are kept for the next bench).
pub fn synthetic(customers: usize) -> Arc<Network> {
    /// Networks by size.
    type Cache = Mutex<Vec<(usize, Arc<Network>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    // A poisoned cache only means another bench panicked; the networks are intact.
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, net)) = cache.iter().find(|(n, _)| *n == customers) {
        return Arc::clone(net);
    }
    let net = Arc::new(fresh(customers));
    if customers <= 1_000_000 {
        cache.push((customers, Arc::clone(&net)));
    }
    net
}

/// A synthetic network generated now (not cached).
pub fn fresh(customers: usize) -> Network {
    synthetic_network(&SyntheticNetworkOptions {
        customers,
        seed: SEED,
        ..Default::default()
    })
}

/// The view of a network's normal state.
pub fn normal_view(net: &Network) -> EnergizationView {
    EnergizationView::normal(net).expect("synthetic networks are radial")
}

/// A transfer on a feeder near the middle of a synthetic network.
pub fn transfer(net: &Network) -> SwitchingOp {
    outage_locator::bench::synth::middle_transfer(net)
        .expect("some feeder of a synthetic network has a tie")
}

/// `n` customers' services drawn with a fixed seed.
pub fn sample_services(net: &Network, n: usize) -> Vec<OutageDeviceId> {
    let mut rng = SplitMix64::new(SEED);
    let nc = net.customers().len() as u64;
    (0..n)
        .map(|_| OutageDeviceId(rng.below(nc) as u32))
        .collect()
}

/// `n` energized outage devices that are not services (transformers, fuses,
/// reclosers, switches, breakers, sources), drawn with a fixed seed.
pub fn sample_devices(net: &Network, view: &EnergizationView, n: usize) -> Vec<OutageDeviceId> {
    let mut rng = SplitMix64::new(SEED ^ 0xd1ce);
    let nc = net.customers().len() as u64;
    let others = net.outage_device_count() as u64 - nc;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let d = OutageDeviceId((nc + rng.below(others)) as u32);
        if view.is_energized(d) {
            out.push(d);
        }
    }
    out
}

/// The models of `../shared/feeders` that are present, by name (the benches that read
/// them skip the absent ones).
pub fn shared_feeders() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/feeders"));
    let models = [
        ("ieee123", "IEEE123Master.dss"),
        ("ieee123", "eval_master.dss"),
        ("ieee8500", "Master.dss"),
        ("ieee8500", "eval_master.dss"),
        ("j1", "Master_noPV.dss"),
        ("j1", "eval_master.dss"),
    ];
    let mut out = Vec::new();
    for (dir, master) in models {
        let p = root.join(dir).join(master);
        if p.is_file() {
            out.push((format!("{dir}/{master}"), p));
        } else {
            eprintln!("skipped: {} is absent", p.display());
        }
    }
    out
}

/// An OpenDSS model of an `n` × `n` grid of lines fed at one corner, a customer at
/// every bus: (n − 1)² loops to open. Written once under `target/bench-models/` and
/// returned by path.
///
/// Line `h{r}_{c}` joins bus `b{r}_{c}` to its right, `v{r}_{c}` to the bus below.
pub fn grid_model(n: usize) -> PathBuf {
    use std::fmt::Write;
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-models"));
    let path = dir.join(format!("grid-{n}.dss"));
    if path.is_file() {
        return path;
    }
    let mut s = format!("New Circuit.grid{n} bus1=b0_0 basekv=12.47\n");
    for r in 0..n {
        for c in 0..n {
            if c + 1 < n {
                let _ = writeln!(s, "New Line.h{r}_{c} bus1=b{r}_{c} bus2=b{r}_{}", c + 1);
            }
            if r + 1 < n {
                let _ = writeln!(s, "New Line.v{r}_{c} bus1=b{r}_{c} bus2=b{}_{c}", r + 1);
            }
        }
    }
    for r in 0..n {
        for c in 0..n {
            let _ = writeln!(s, "New Load.c{r}_{c} bus1=b{r}_{c} kw=1 kvar=0.5");
        }
    }
    std::fs::create_dir_all(&dir).expect("the target folder is writable");
    std::fs::write(&path, s).expect("the target folder is writable");
    path
}

/// An event file (CSV with its header) holding the events.
pub fn events_csv(net: &Network, events: &[Event]) -> Vec<u8> {
    let mut out = b"time,kind,id,detail\n".to_vec();
    for e in events {
        out.extend_from_slice(e.to_csv_row(net).as_bytes());
        out.push(b'\n');
    }
    out
}

/// Benchmarks the engine alone ingesting the events, the inference current after
/// every event (a fresh engine per iteration, built outside the timing).
pub fn bench_engine_ingest(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    net: &Network,
    events: &[Event],
) {
    g.bench_function(name, |b| {
        b.iter_batched(
            || Engine::new(net, EngineOptions::default()).expect("radial"),
            |mut engine| {
                for &e in events {
                    std::hint::black_box(engine.ingest(e));
                }
                engine
            },
            BatchSize::LargeInput,
        )
    });
}
