//! A city in one process: a network of utility-shaped substations and feeders (10 M
//! customers by default), a storm of as many events replayed from an event file to JSON
//! Lines, and the replay's state snapshotted to the compact binary form and restored.
//!
//!     cargo run --release --example city                    # 10 M customers
//!     cargo run --release --example city -- 1000000         # another size
//!     taskset -c 0 target/release/examples/city 1000000     # on one core
//!
//! The network is generated in memory (`bench::synth::utility_network`: about 13,500
//! customers a substation on four to eight feeders); the storm
//! (`bench::synth::storm_events`) is written to `target/city/storm-N.csv` and replayed
//! from that file as `replay` would, output formatted and discarded. Each stage prints
//! its wall time, the processor time the process spent in it (all threads; on a shared
//! machine the steadier figure) and the peak resident size so far (VmHWM of
//! `/proc/self/status`, Linux). The event file is also read and parsed alone: the part
//! of the replay that runs on the reading thread, beside the engine.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use outage_locator::bench::synth::{UtilityNetworkOptions, storm_events, utility_network};
use outage_locator::replay::ReplaySnapshot;
use outage_locator::{EngineOptions, Replay};

#[path = "common/cli.rs"]
mod cli;
#[path = "common/measure.rs"]
mod measure;
use cli::{Args, Stop, Value, outln};

const USAGE: &str = "city [CUSTOMERS]

A city in one process (default 10000000 customers): the network generated in memory, a
storm of as many events written to target/city/ and replayed from that file, and the
replay's state snapshotted and restored; each stage's wall time, processor time and
peak memory.";

/// Customers a substation serves on average with the feeders drawn below.
const CUSTOMERS_PER_SUBSTATION: usize = 13_500;

fn parse(args: &mut Args) -> Result<usize, Stop> {
    let mut free = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    match <[_; 1]>::try_from(free) {
        Ok([n]) => cli::count(n, "CUSTOMERS"),
        Err(free) if free.is_empty() => Ok(10_000_000),
        Err(free) => Err(Stop::Usage(format!(
            "unexpected argument '{}'",
            free[1].to_string_lossy()
        ))),
    }
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |n| Ok(run(n)?))
}

fn run(customers: usize) -> std::io::Result<()> {
    outln!("| stage | wall | processor | peak resident | note |");
    outln!("| --- | ---: | ---: | ---: | --- |");
    let t = Stage::start();
    let net = utility_network(&UtilityNetworkOptions {
        seed: 1,
        substations: customers.div_ceil(CUSTOMERS_PER_SUBSTATION) as u32,
        feeders_per_substation: 4..=8,
        customers_per_feeder: 1_500..=3_000,
        ..Default::default()
    });
    let net = std::sync::Arc::new(net);
    let nc = net.customers().len();
    stage("network generated in memory", t, &format!("{nc} customers"));
    let path = storm_file(&net, customers)?;
    let t = Stage::start();
    let mut replay = Replay::new(std::sync::Arc::clone(&net), EngineOptions::default())
        .map_err(std::io::Error::other)?;
    stage("replay set up (energization view)", t, "");
    let t = Stage::start();
    let file = BufReader::with_capacity(1 << 16, std::fs::File::open(&path)?);
    let rows = outage_locator::EventReader::new(file, &net).count();
    stage("storm read and parsed alone", t, &format!("{rows} rows"));
    let file = std::fs::File::open(&path)?;
    let t = Stage::start();
    let summary = replay.run(
        BufReader::with_capacity(1 << 16, file),
        &mut std::io::sink(),
        &mut std::io::sink(),
    )?;
    let secs = t.wall.elapsed().as_secs_f64();
    let note = format!(
        "{} rows, {:.2} M events/s, {} outages, {} tickets",
        summary.rows,
        summary.rows as f64 / secs / 1e6,
        summary.outages,
        summary.tickets
    );
    stage("storm replayed, file to JSON Lines", t, &note);
    let t = Stage::start();
    let bytes = replay.snapshot().to_bytes();
    let note = format!("{:.1} B per customer", bytes.len() as f64 / nc as f64);
    stage("snapshot to bytes", t, &note);
    let t = Stage::start();
    let snap = ReplaySnapshot::from_bytes(&bytes).map_err(std::io::Error::other)?;
    let back =
        Replay::from_snapshot(std::sync::Arc::clone(&net), snap).map_err(std::io::Error::other)?;
    stage("restored from bytes", t, "");
    assert_eq!(back.summary(), replay.summary());
    Ok(())
}

/// The storm's event file, written once per size under `target/city/`.
fn storm_file(net: &outage_locator::Network, customers: usize) -> std::io::Result<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/city"));
    let path = dir.join(format!("storm-{customers}.csv"));
    let t = Stage::start();
    let view = outage_locator::EnergizationView::normal(net).map_err(std::io::Error::other)?;
    let events = storm_events(net, &view, customers, 7);
    drop(view);
    std::fs::create_dir_all(&dir)?;
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    out.write_all(b"time,kind,id,detail\n")?;
    for e in &events {
        writeln!(out, "{}", e.to_csv_row(net))?;
    }
    out.flush()?;
    stage(
        "storm written to a file",
        t,
        &format!("{} events", events.len()),
    );
    Ok(path)
}

/// When a stage started: wall clock and processor time; a spinner runs until its row.
struct Stage {
    wall: Instant,
    cpu: Option<f64>,
    spinner: indicatif::ProgressBar,
}

impl Stage {
    fn start() -> Stage {
        Stage {
            wall: Instant::now(),
            cpu: measure::process_cpu_seconds(),
            spinner: cli::spinner("next stage"),
        }
    }
}

/// Prints a stage's row: its wall and processor time since `t` and the peak resident
/// size so far.
fn stage(what: &str, t: Stage, note: &str) {
    t.spinner.finish_and_clear();
    let secs = t.wall.elapsed().as_secs_f64();
    let cpu = match (t.cpu, measure::process_cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.2} s", b - a),
        _ => "?".to_string(),
    };
    let peak = measure::peak_resident_bytes().map_or("?".to_string(), |b| {
        format!("{:.0} MB", b as f64 / (1024.0 * 1024.0))
    });
    outln!("| {what} | {secs:.2} s | {cpu} | {peak} | {note} |");
}
