//! The reliability report of the replay contract (version 2), and simulated years.
//!
//! `cargo run --release --example reliability -- MODEL OUTPUT.jsonl [OUTPUT.jsonl ...]`
//! reads replay outputs and prints one JSON object with the IEEE 1366 indices over
//! them (see `../shared/spec/replay.md`).
//!
//! `cargo run --release --example reliability -- --years N --seed S MODEL OUT_DIR`
//! simulates N years of days on the model through the crate's simulator (seasons and
//! storm days), replays each day through the engine, and writes to OUT_DIR:
//! `outages.csv` (the engine's outages and the true ones), `indices.json` (the indices
//! from the engine's records and from the simulator's truth, with and without major
//! event days, and how closely they agree), `hotspots.json` (repeated-fault devices
//! and call clusters, and the early-warning inspections they raised), `saidi.svg`
//! (daily SAIDI with the major-event threshold) and `map.svg` (the years' outages and
//! the hotspots). It prints the agreement table.

mod years;

use std::io::BufReader;
use std::process::ExitCode;

use outage_locator::load_network;
use outage_locator::reliability::{ReplayOutput, contract_report};
use outage_locator::topology::EnergizationView;

const USAGE: &str = "usage: reliability MODEL OUTPUT.jsonl [OUTPUT.jsonl ...]\n       reliability --years N --seed S MODEL OUT_DIR";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let mut take = |flag: &str| {
        let i = args.iter().position(|a| a == flag)?;
        let v = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
        v
    };
    let years = take("--years");
    let seed = take("--seed");
    let result = match years {
        Some(n) => match (
            n.parse(),
            seed.unwrap_or_else(|| "1".into()).parse(),
            args.as_slice(),
        ) {
            (Ok(n), Ok(s), [model, out]) => years::run(model, n, s, out.as_ref()),
            _ => Err(USAGE.into()),
        },
        None => report(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(if e.to_string() == USAGE { 2 } else { 1 })
        }
    }
}

/// The contract's report over replay outputs.
fn report(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [model, outputs @ ..] = args else {
        return Err(USAGE.into());
    };
    if outputs.is_empty() {
        return Err(USAGE.into());
    }
    let (net, _) = load_network(model)?;
    let view = EnergizationView::normal(&net)?;
    let mut read = Vec::with_capacity(outputs.len());
    for path in outputs {
        let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        read.push(ReplayOutput::read(BufReader::new(f)).map_err(|e| format!("{path}: {e}"))?);
    }
    println!(
        "{}",
        serde_json::to_string(&contract_report(&net, &view, &read))?
    );
    Ok(())
}
