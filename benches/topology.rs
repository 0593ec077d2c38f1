//! Benchmarks of the network model and its energization views.
//!
//!     cargo bench --bench topology            # all, a few minutes on two cores
//!     cargo bench --bench topology -- switch  # one group
//!     cargo bench --bench topology -- --test  # each once, as CI does
//!
//! Synthetic networks come from `outage_locator::bench::synth` with seed 1 (see
//! `common/mod.rs`); the shared feeders from `../shared/feeders` when present.

mod common;

use std::cell::OnceCell;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::{EnergizationView, Network, OutageDeviceId, import_opendss};

/// View build (and, to 1 M customers, generation) for 10 k to 5 M customers.
fn view_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("view_build");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [10_000usize, 100_000, 1_000_000, 5_000_000] {
        // Criterion calls the closure once a sample: the network is made on the first
        // call (so not at all when a filter leaves the bench out); the 5 M one is not
        // kept after this size.
        let net: OnceCell<Arc<Network>> = OnceCell::new();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            let net = net.get_or_init(|| {
                if n <= 1_000_000 {
                    common::synthetic(n)
                } else {
                    common::fresh(n).into()
                }
            });
            b.iter_with_large_drop(|| EnergizationView::normal(net).expect("radial"));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("generate");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    for n in [100_000usize, 1_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter_with_large_drop(|| common::fresh(n));
        });
    }
    g.finish();
}

/// The 1 M-customer network, its view, and 2^20 seeded random services and other
/// devices: the benches cycle through the first 4096 of each (which stay in cache) or
/// through all of them ("cold": most queries miss the caches).
type Setup = (
    Arc<Network>,
    EnergizationView,
    Vec<OutageDeviceId>,
    Vec<OutageDeviceId>,
);

const WARM: usize = 4096;
const COLD: usize = 1 << 20;

fn setup_1m() -> Setup {
    let net = common::synthetic(1_000_000);
    let view = common::normal_view(&net);
    let services = common::sample_services(&net, COLD);
    let devices = common::sample_devices(&net, &view, COLD);
    (net, view, services, devices)
}

/// Queries on the view of a 1 M-customer network, over seeded random customers and
/// devices, warm and cold (see [`setup_1m`]); and the customers a set of k open
/// devices de-energizes.
fn queries(c: &mut Criterion) {
    // Made on first use, so that filtered runs skip it.
    let setup: OnceCell<Setup> = OnceCell::new();
    let mut g = c.benchmark_group("query_1M");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (label, n) in [("", WARM), ("_cold", COLD)] {
        g.bench_function(format!("upstream_chain{label}"), |b| {
            let (_, view, services, _) = setup.get_or_init(setup_1m);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (n - 1);
                view.upstream(black_box(services[i])).last()
            });
        });
        g.bench_function(format!("is_below{label}"), |b| {
            let (_, view, services, devices) = setup.get_or_init(setup_1m);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (n - 1);
                view.is_below(black_box(services[i]), black_box(devices[i]))
            });
        });
        g.bench_function(format!("customers_below{label}"), |b| {
            let (_, view, _, devices) = setup.get_or_init(setup_1m);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (n - 1);
                view.customers_below(black_box(devices[i])).len()
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("deenergized_1M");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let sets = |k: usize| -> Vec<Vec<OutageDeviceId>> {
        let (_, _, _, devices) = setup.get_or_init(setup_1m);
        devices.chunks(k).take(64).map(<[_]>::to_vec).collect()
    };
    for k in [1usize, 10, 100] {
        g.bench_with_input(BenchmarkId::new("customers", k), &k, |b, &k| {
            let (_, view, _, _) = setup.get_or_init(setup_1m);
            let sets = sets(k);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % sets.len();
                view.deenergized(black_box(&sets[i]))
            });
        });
        g.bench_with_input(BenchmarkId::new("count", k), &k, |b, &k| {
            let (_, view, _, _) = setup.get_or_init(setup_1m);
            let sets = sets(k);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % sets.len();
                view.deenergized_count(black_box(&sets[i]))
            });
        });
    }
    g.finish();
}

/// A transfer (open a sectionalizing switch, close a tie) on a 1 M-customer network:
/// into fresh memory, and recycling the memory of the previous view.
fn switching(c: &mut Criterion) {
    let setup: OnceCell<Setup> = OnceCell::new();
    let mut g = c.benchmark_group("switch_1M");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("transfer", |b| {
        let (net, view, _, _) = setup.get_or_init(setup_1m);
        let ops = [common::transfer(net)];
        b.iter_with_large_drop(|| view.switch(net, &ops).expect("radial"));
    });
    g.bench_function("transfer_reusing", |b| {
        let (net, view, _, _) = setup.get_or_init(setup_1m);
        let ops = [common::transfer(net)];
        b.iter_custom(|iters| {
            let mut spare = view.clone();
            let t = Instant::now();
            for _ in 0..iters {
                spare = view.switch_reusing(net, &ops, spare).expect("radial");
            }
            t.elapsed()
        });
    });
    g.finish();
}

/// Import of each shared feeder model (and of the IEEE 123-bus fixture, always), and of
/// meshed grids of 100 × 100 and 300 × 300 buses (9,801 and 89,401 loops to open).
fn import(c: &mut Criterion) {
    let mut g = c.benchmark_group("import");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let fixture = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    ));
    let mut models = vec![("fixture ieee123/eval_master.dss".to_string(), fixture)];
    models.extend(common::shared_feeders());
    for n in [100, 300] {
        models.push((format!("grid {n}x{n}"), common::grid_model(n)));
    }
    for (name, path) in models {
        g.bench_function(name, |b| {
            b.iter_with_large_drop(|| import_opendss(&path).expect("imports"));
        });
    }
    g.finish();
}

criterion_group!(benches, view_build, queries, switching, import);
criterion_main!(benches);
