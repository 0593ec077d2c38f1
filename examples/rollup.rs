//! The classic roll-up rule under the replay contract, the Rust twin of
//! `../shared/eval/baseline.py`: `cargo run --release --example rollup -- MODEL EVENTS`.
//!
//! MODEL is an OpenDSS master file or a JSON network; EVENTS an event file or `-` for
//! standard input. Conclusions go to standard output as JSON Lines, diagnostics to
//! standard error.

use std::io::{BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use outage_locator::bench::rollup::{Rollup, RollupOptions};
use outage_locator::load_network;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Stop, Value, at};

const USAGE: &str = "rollup MODEL EVENTS

Runs the classic roll-up rule over EVENTS (an event file, or - for standard input) on
MODEL; conclusions go to standard output as JSON Lines, diagnostics to standard error.";

fn parse(args: &mut Args) -> Result<[String; 2], Stop> {
    let mut free = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    cli::positional(free, ["MODEL", "EVENTS"])
}

fn run([model, events]: [String; 2]) -> Result<(), Stop> {
    let (net, _) = load_network(&model)?;
    let input: Box<dyn Read + Send> = if events == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&events).map_err(at(&events))?)
    };
    let mut rollup = Rollup::new(&net, RollupOptions::default()).map_err(at(&model))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut diag = BufWriter::new(std::io::stderr().lock());
    let s = rollup
        .run(BufReader::new(input), &mut out, &mut diag)
        .map_err(cli::io_at(&events))?;
    out.flush()?;
    let _ = writeln!(
        diag,
        "rollup: {} rows, {} skipped, {} outages, {} tickets",
        s.rows, s.skipped, s.outages, s.tickets
    );
    Ok(())
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}
