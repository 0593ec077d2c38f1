//! The user's path: a utility's OpenDSS model imported from its files and its view
//! built (what `inspect` does, and the view), and a storm replayed from its event file
//! (what `replay` does, JSON Lines formatted and discarded), on utility-shaped networks
//! of 100 k and 1 M customers.
//!
//!     cargo bench --bench model_files               # about 15 minutes, mostly the 1 M replay
//!     cargo bench --bench model_files -- 100k       # the 100 k ones
//!     cargo bench --bench model_files -- --test     # each once, as CI does
//!
//! The models and storms are `synth::UtilityNetworkOptions::region` and
//! `synth::region_storm` with seed 1, as the `modelgen` example writes them, kept in
//! the system's temporary folder (`outage-locator-models/c<customers>`, shared with the
//! `model_scale` example) and written on first use. Peak memory is not criterion's to
//! measure: `cargo run --release --example model_scale` gives it per size, each in
//! its own process.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::simulate::Simulator;
use outage_locator::bench::synth::{
    UtilityNetworkOptions, region_storm, utility_network, write_opendss, write_storm_csv,
};
use outage_locator::{EnergizationView, EngineOptions, Replay, import_opendss};

/// The sizes, with their labels.
const SIZES: [(usize, &str); 2] = [(100_000, "100k"), (1_000_000, "1M")];

/// The model's master file and the storm's event file for `n` customers, written
/// unless they are there.
fn model(n: usize) -> (PathBuf, PathBuf) {
    let folder = std::env::temp_dir()
        .join("outage-locator-models")
        .join(format!("c{n}"));
    let (master, storm) = (folder.join("master.dss"), folder.join("storm.csv"));
    if !(master.is_file() && storm.is_file()) {
        let net = utility_network(&UtilityNetworkOptions::region(n, 1));
        write_opendss(&net, &folder).expect("the temporary folder is writable");
        let sim = Simulator::new(&net).expect("a generated network is radial");
        let file = std::fs::File::create(&storm).expect("the temporary folder is writable");
        let mut w = std::io::BufWriter::new(file);
        write_storm_csv(&sim, &region_storm(), 1, &mut w).expect("the storm is written");
        w.flush().expect("the storm is written");
    }
    (master, storm)
}

/// Import and view build from the model files.
fn import_and_view(c: &mut Criterion) {
    let mut g = c.benchmark_group("model_files/import_and_view");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for (n, label) in SIZES {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            let (master, _) = model(n);
            b.iter_with_large_drop(|| {
                let (net, report) = import_opendss(&master).expect("the model reads");
                let view = EnergizationView::normal(&net).expect("the model is radial");
                black_box((report, view, net))
            })
        });
    }
    g.finish();
}

/// The storm replayed from its event file on the imported model (the import is not
/// timed).
fn replay_storm_file(c: &mut Criterion) {
    let mut g = c.benchmark_group("model_files/replay_storm_file");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for (n, label) in SIZES {
        let mut net = None;
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            let (master, storm) = model(n);
            let net = net.get_or_insert_with(|| {
                std::sync::Arc::new(import_opendss(&master).expect("the model reads").0)
            });
            b.iter(|| {
                let file = std::fs::File::open(&storm).expect("the storm reads");
                let mut replay = Replay::new(std::sync::Arc::clone(net), EngineOptions::default())
                    .expect("the model is radial");
                let events = std::io::BufReader::with_capacity(1 << 16, file);
                let mut out = std::io::sink();
                black_box(
                    replay
                        .run(events, &mut out, &mut std::io::sink())
                        .expect("the storm reads"),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, import_and_view, replay_storm_file);
criterion_main!(benches);
