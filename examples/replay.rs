//! The replay contract: `cargo run --release --example replay -- MODEL EVENTS`.
//!
//! MODEL is an OpenDSS master file or a JSON network; EVENTS an event file or `-` for
//! standard input. Conclusions go to standard output as JSON Lines; diagnostics and a
//! one-line summary to standard error. `--options FILE.json` reads the engine's
//! options (the JSON form of `EngineOptions`; missing fields take their defaults).
//! `--ami SUPPLY.csv` runs a simulated AMI head-end answering the engine's pings from
//! the supply file (`--ami-seed N`, default 1), as the contract's version 2 says.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use outage_locator::replay::open_events;
use outage_locator::service::{PingBudget, SimulatedHeadEnd, SupplyTable};
use outage_locator::{EngineOptions, Replay, ReplayError, load_network};

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at};

const USAGE: &str = "replay MODEL EVENTS [--options FILE.json] [--ami SUPPLY.csv [--ami-seed N]]

Replays EVENTS (an event file, or - for standard input) on MODEL (an OpenDSS master
file, a CIM XML file or a JSON network): conclusions to standard output as JSON Lines,
diagnostics and a one-line summary to standard error.

  --options FILE.json  the engine's options (missing fields take their defaults)
  --ami SUPPLY.csv     a simulated AMI head-end answers the engine's pings
  --ami-seed N         its seed (default 1)";

struct Opts {
    model: String,
    events: String,
    options: Option<PathBuf>,
    ami: Option<PathBuf>,
    ami_seed: u64,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let (mut free, mut options, mut ami, mut ami_seed) = (Vec::new(), None, None, 1);
    while let Some(arg) = args.next()? {
        match arg {
            Long("options") => options = Some(args.path()?),
            Long("ami") => ami = Some(args.path()?),
            Long("ami-seed") => ami_seed = args.value()?,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, events] = cli::positional(free, ["MODEL", "EVENTS"])?;
    Ok(Opts {
        model,
        events,
        options,
        ami,
        ami_seed,
    })
}

/// The engine's options from their JSON file, checked.
fn read_options(path: &std::path::Path) -> Result<EngineOptions, Stop> {
    let text = std::fs::read_to_string(path).map_err(at(path.display()))?;
    let o: EngineOptions = serde_json::from_str(&text).map_err(at(path.display()))?;
    o.validate().map_err(at(path.display()))?;
    Ok(o)
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(o: Opts) -> Result<(), Stop> {
    let opts = match &o.options {
        Some(path) => read_options(path)?,
        None => EngineOptions::default(),
    };
    let (net, report) = load_network(&o.model)?;
    for w in &report.warning_list {
        eprintln!("model warning: {w}");
    }
    let input = open_events(&o.events)?;
    let mut replay = Replay::new(net, opts).map_err(at(&o.model))?;
    if let Some(path) = &o.ami {
        let f = std::fs::File::open(path).map_err(at(path.display()))?;
        let supply = SupplyTable::read(replay.engine().network(), BufReader::new(f))
            .map_err(at(path.display()))?;
        let head_end = Box::new(SimulatedHeadEnd::new(supply, o.ami_seed));
        replay = replay.with_head_end(head_end, PingBudget::default());
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = std::io::stderr();
    let mut diag = BufWriter::new(stderr.lock());
    let result = replay.run(
        BufReader::with_capacity(1 << 16, input),
        &mut out,
        &mut diag,
    );
    let flushed = out.flush();
    let s = match result {
        Ok(s) => s,
        Err(e) if e.is_about_events() => return Err(Stop::Failed(format!("{}: {e}", o.events))),
        Err(ReplayError::Write { stream, source }) => {
            return Err(cli::io_at(format!("cannot write the {stream}"))(source));
        }
        Err(e) => return Err(e.into()),
    };
    flushed.map_err(cli::io_at("standard output"))?;
    let w = replay.engine().warnings();
    let _ = writeln!(
        diag,
        "replay: {} rows, {} skipped, {} outages, {} tickets; {} late, {} duplicate, {} stale{}",
        s.rows,
        s.skipped,
        s.outages,
        s.tickets,
        w.too_late,
        w.duplicates,
        w.stale,
        s.pings.map_or(String::new(), |p| format!("; {p} pings"))
    );
    Ok(())
}
