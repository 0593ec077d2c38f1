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

#[path = "../common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, outln};

const USAGE: &str = "reliability MODEL OUTPUT.jsonl [OUTPUT.jsonl ...]
       reliability --years N [--seed S] MODEL OUT_DIR

The first form prints the IEEE 1366 indices over replay outputs as one JSON object. The
second simulates N years of days on MODEL (seed S, default 1), replays each through the
engine and writes outages.csv, indices.json, hotspots.json, saidi.svg and map.svg to
OUT_DIR; it prints how the engine's indices agree with the truth's.";

enum Mode {
    Report(Vec<String>),
    Years {
        years: u32,
        seed: u64,
        model: String,
        out: String,
    },
}

fn parse(args: &mut Args) -> Result<Mode, Stop> {
    let (mut years, mut seed, mut free) = (None, 1, Vec::new());
    while let Some(arg) = args.next()? {
        match arg {
            Long("years") => years = Some(args.value()?),
            Long("seed") => seed = args.value()?,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if let Some(years) = years {
        let [model, out] = cli::positional(free, ["MODEL", "OUT_DIR"])?;
        return Ok(Mode::Years {
            years,
            seed,
            model,
            out,
        });
    }
    if free.len() < 2 {
        return Err(Stop::Usage(
            "expected MODEL and at least one OUTPUT.jsonl".into(),
        ));
    }
    let free = free
        .into_iter()
        .map(|v| cli::parse(v, "argument"))
        .collect::<Result<_, _>>()?;
    Ok(Mode::Report(free))
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |mode| match mode {
        Mode::Report(args) => Ok(report(&args)?),
        Mode::Years {
            years,
            seed,
            model,
            out,
        } => Ok(years::run(&model, years, seed, out.as_ref())?),
    })
}

/// The contract's report over replay outputs.
fn report(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [model, outputs @ ..] = args else {
        return Err("expected MODEL and at least one OUTPUT.jsonl".into());
    };
    let (net, _) = load_network(model)?;
    let view = EnergizationView::normal(&net)?;
    let mut read = Vec::with_capacity(outputs.len());
    for path in outputs {
        let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        read.push(ReplayOutput::read(BufReader::new(f)).map_err(|e| format!("{path}: {e}"))?);
    }
    outln!(
        "{}",
        serde_json::to_string(&contract_report(&net, &view, &read))?
    );
    Ok(())
}
