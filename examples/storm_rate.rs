//! The engine at storm rates, as the `storm` bench measures it but in one pass: a
//! million meter messages in ten minutes (`bench::synth::storm_rate_events`) written
//! as an event file (CSV) and replayed to JSON Lines, on IEEE 123 read from its model
//! file and on synthetic networks of the given sizes. Prints messages per second of
//! wall time and of processor time (user and system, from `/proc/self/stat`, which a
//! shared machine does not inflate; both threads of the replay count).
//!
//!     cargo run --release --example storm_rate -- [CUSTOMERS...]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use outage_locator::bench::synth::{SyntheticNetworkOptions, storm_rate_events, synthetic_network};
use outage_locator::{EngineOptions, Event, MINUTE, Network, Replay, load_network};

/// Messages in the storm, and the time they span.
const MESSAGES: usize = 1_000_000;
const SPAN: outage_locator::Millis = 10 * MINUTE;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Stop, Value, outln};
#[path = "common/measure.rs"]
mod measure;

/// The process's processor time so far (0 where the platform does not say).
fn cpu_seconds() -> f64 {
    measure::process_cpu_seconds().unwrap_or(0.0)
}

const USAGE: &str = "storm_rate [CUSTOMERS...]

A million meter messages in ten minutes, written as an event file and replayed to JSON
Lines, on IEEE 123 and on synthetic networks of each size (default 1000000 customers):
messages per second of wall time and of processor time.";

fn parse(args: &mut Args) -> Result<Vec<usize>, Stop> {
    let mut sizes = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => sizes.push(cli::count(v, "CUSTOMERS")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000_000];
    }
    Ok(sizes)
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(sizes: Vec<usize>) -> Result<(), Stop> {
    outln!("| network | messages | replay | messages/s | CPU | messages/CPU-s | records |");
    outln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (ieee123, _) = load_network(path)?;
    row("IEEE 123", &Arc::new(ieee123));
    for n in sizes {
        let net = Arc::new(synthetic_network(&SyntheticNetworkOptions {
            customers: n,
            seed: 1,
            ..Default::default()
        }));
        row(&format!("synthetic, {n} customers"), &net);
    }
    Ok(())
}

/// Replays the storm-rate stream on one network and prints its row.
fn row(name: &str, net: &Arc<Network>) {
    let events: Vec<Event> = storm_rate_events(net, MESSAGES, SPAN, 7).collect();
    let mut csv = b"time,kind,id,detail\n".to_vec();
    for e in &events {
        csv.extend_from_slice(e.to_csv_row(net).as_bytes());
        csv.push(b'\n');
    }
    let mut out = Vec::new();
    let mut replay = Replay::new(Arc::clone(net), EngineOptions::default()).expect("radial");
    let (t, cpu) = (Instant::now(), cpu_seconds());
    replay
        .run(&csv[..], &mut out, &mut std::io::sink())
        .expect("in memory");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let records = out.iter().filter(|&&b| b == b'\n').count();
    outln!(
        "| {name} | {MESSAGES} | {secs:.2} s | {:.0} | {cpu:.2} s | {:.0} | {records} |",
        MESSAGES as f64 / secs,
        MESSAGES as f64 / cpu.max(0.01)
    );
}
