//! Writes a utility-shaped synthetic network as an OpenDSS model folder, and a storm on
//! it as an event file: what a utility would bring, at any size.
//!
//!     cargo run --release --example modelgen -- --customers 1000000 --seed 1 OUT_DIR
//!
//! OUT_DIR gets `master.dss` (with the files it redirects and `buscoords.csv`) and
//! `storm.csv`: the network of `synth::UtilityNetworkOptions::region` and a storm of
//! `synth::region_storm` on it (about one row per customer over four hours, drawn
//! with the same seed). `--no-storm` writes the model alone. Standard output: one JSON
//! object with the counts, file sizes and times; then
//!
//!     cargo run --release --example inspect -- OUT_DIR/master.dss
//!     cargo run --release --example replay -- OUT_DIR/master.dss OUT_DIR/storm.csv > out.jsonl

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use outage_locator::bench::simulate::Simulator;
use outage_locator::bench::synth::{
    StormRows, UtilityNetworkOptions, region_storm, utility_network, write_opendss, write_storm_csv,
};
use outage_locator::network::{DeviceKind, ElementKind, OutageDeviceClass};
use outage_locator::{EnergizationView, Network};

/// What to write.
struct Args {
    customers: usize,
    seed: u64,
    storm: bool,
    out: PathBuf,
}

#[path = "common/cli.rs"]
mod cli;
use cli::{Long, Stop, Value, outln};

const USAGE: &str = "modelgen [--customers N] [--seed S] [--no-storm] OUT_DIR

Writes OUT_DIR/master.dss (an OpenDSS model of a utility-shaped network) and
OUT_DIR/storm.csv (a four-hour storm on it, about one row per customer), and prints
what it wrote as one JSON object.

  --customers N   customers (default 1000000)
  --seed S        the network's and the storm's seed (default 1)
  --no-storm      the model alone";

fn parse(args: &mut cli::Args) -> Result<Args, Stop> {
    let (mut customers, mut seed, mut storm, mut free) = (1_000_000, 1, true, Vec::new());
    while let Some(arg) = args.next()? {
        match arg {
            Long("customers") => customers = cli::count(args.value()?, "--customers")?,
            Long("seed") => seed = args.value()?,
            Long("no-storm") => storm = false,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [out] = cli::positional(free, ["OUT_DIR"])?;
    Ok(Args {
        customers,
        seed,
        storm,
        out: out.into(),
    })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(a: Args) -> Result<(), Stop> {
    let bar = cli::spinner("generating the network");
    let t = Instant::now();
    let net = utility_network(&UtilityNetworkOptions::region(a.customers, a.seed));
    let generate = t.elapsed().as_secs_f64();
    bar.set_message("writing the model");
    let t = Instant::now();
    let files = write_opendss(&net, &a.out).map_err(cli::at(a.out.display()))?;
    let write = t.elapsed().as_secs_f64();
    bar.set_message("simulating and writing the storm");
    let t = Instant::now();
    let path = a.out.join("storm.csv");
    let (rows, storm_bytes) = match a.storm.then(|| write_storm(&net, &path, a.seed)) {
        None => ("null".to_string(), 0),
        Some(Ok((rows, bytes))) => (serde_json::to_string(&rows)?, bytes),
        Some(Err(e)) => return Err(cli::at(path.display())(e)),
    };
    let storm_s = t.elapsed().as_secs_f64();
    bar.finish_and_clear();
    outln!(
        "{{\"customers\":{},{},\"model_files\":{},\"model_bytes\":{},\"storm\":{rows},\"storm_bytes\":{storm_bytes},\"generate_s\":{generate:.2},\"write_model_s\":{write:.2},\"write_storm_s\":{storm_s:.2},\"master\":{:?}}}",
        net.customers().len(),
        shape(&net),
        files.files.len(),
        files.bytes(),
        files.master.display().to_string(),
    );
    Ok(())
}

/// Simulates the storm on the network and writes its event file; returns its rows by
/// kind and its size.
fn write_storm(net: &Network, path: &Path, seed: u64) -> std::io::Result<(StormRows, u64)> {
    let mut f = std::fs::File::create(path)?;
    let sim = Simulator::new(net).expect("a generated network is radial");
    let rows = write_storm_csv(&sim, &region_storm(), seed, &mut f)?;
    Ok((rows, f.metadata()?.len()))
}

/// The shape's counts as JSON fields: substations, feeders (breakers), distribution
/// transformers, fuses, reclosers, switches (switch lines and switch controls) and the
/// normally open ones.
fn shape(net: &Network) -> String {
    let view = EnergizationView::normal(net).expect("a generated network is radial");
    let count = |class: OutageDeviceClass| {
        view.preorder()
            .iter()
            .filter(|&&d| net.outage_device_class(d) == class)
            .count()
    };
    let els = net.elements();
    let substations = els
        .iter()
        .filter(|e| e.kind == ElementKind::Transformer && !e.is_distribution_transformer())
        .count();
    let controls = net
        .devices()
        .iter()
        .filter(|d| d.kind == DeviceKind::Switch)
        .count();
    format!(
        "\"substations\":{substations},\"feeders\":{},\"transformers\":{},\"fuses\":{},\"reclosers\":{},\"switches\":{},\"open_switches\":{}",
        count(OutageDeviceClass::Breaker),
        count(OutageDeviceClass::Transformer),
        count(OutageDeviceClass::Fuse),
        count(OutageDeviceClass::Recloser),
        els.iter().filter(|e| e.switch).count() + controls,
        els.iter().filter(|e| e.normally_open).count(),
    )
}
