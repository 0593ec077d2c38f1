//! The replay contract: `cargo run --release --example replay -- MODEL EVENTS`.
//!
//! MODEL is an OpenDSS master file or a JSON network; EVENTS an event file or `-` for
//! standard input. Conclusions go to standard output as JSON Lines; diagnostics and a
//! one-line summary to standard error. `--options FILE.json` reads the engine's
//! options (the JSON form of `EngineOptions`; missing fields take their defaults).
//! `--ami SUPPLY.csv` runs a simulated AMI head-end answering the engine's pings from
//! the supply file (`--ami-seed N`, default 1), as the contract's version 2 says.
//! `--threads N` replays the inference alone (outage, call and momentary records, no
//! work orders) split by substation over up to N engines in parallel: the same
//! records as one engine's inference, byte for byte.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use outage_locator::replay::{PartitionedReplay, open_events};
use outage_locator::service::{PingBudget, SimulatedHeadEnd, SupplyTable};
use outage_locator::{EngineOptions, Replay, ReplayError, load_network};

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at};

const USAGE: &str =
    "replay MODEL EVENTS [--options FILE.json] [--ami SUPPLY.csv [--ami-seed N]] [--threads N]

Replays EVENTS (an event file, or - for standard input) on MODEL (an OpenDSS master
file, a CIM XML file or a JSON network): conclusions to standard output as JSON Lines,
diagnostics and a one-line summary to standard error.

  --options FILE.json  the engine's options (missing fields take their defaults)
  --ami SUPPLY.csv     a simulated AMI head-end answers the engine's pings
  --ami-seed N         its seed (default 1)
  --threads N          the inference alone (no work orders), split by substation over
                       up to N engines: the same records as one engine's inference";

struct Opts {
    model: String,
    events: String,
    options: Option<PathBuf>,
    ami: Option<PathBuf>,
    ami_seed: u64,
    threads: Option<usize>,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let (mut free, mut options, mut ami, mut ami_seed) = (Vec::new(), None, None, 1);
    let mut threads = None;
    while let Some(arg) = args.next()? {
        match arg {
            Long("options") => options = Some(args.path()?),
            Long("ami") => ami = Some(args.path()?),
            Long("ami-seed") => ami_seed = args.value()?,
            Long("threads") => threads = Some(args.value::<usize>()?),
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, events] = cli::positional(free, ["MODEL", "EVENTS"])?;
    match threads {
        Some(0) => return Err(Stop::Usage("--threads needs at least 1 engine".into())),
        Some(_) if ami.is_some() => {
            return Err(Stop::Usage(
                "--threads replays the inference alone, without --ami".into(),
            ));
        }
        _ => {}
    }
    Ok(Opts {
        model,
        events,
        options,
        ami,
        ami_seed,
        threads,
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
    if let Some(threads) = o.threads {
        return split(net, opts, threads, input, &o.events);
    }
    let mut replay = Replay::new(net, opts).map_err(at(&o.model))?;
    if let Some(path) = &o.ami {
        let f = std::fs::File::open(path).map_err(at(path.display()))?;
        let supply = SupplyTable::read(replay.engine().network(), BufReader::new(f))
            .map_err(at(path.display()))?;
        let head_end = Box::new(SimulatedHeadEnd::new(supply, o.ami_seed));
        replay = replay.with_head_end(head_end, PingBudget::default());
    }
    let (s, mut diag) = to_stdout(&o.events, input, |input, out, diag| {
        replay.run(input, out, diag)
    })?;
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

/// The inference alone, split by substation over up to `threads` engines.
fn split(
    net: outage_locator::Network,
    opts: EngineOptions,
    threads: usize,
    input: Box<dyn std::io::Read + Send>,
    events: &str,
) -> Result<(), Stop> {
    let replay = PartitionedReplay::new(net, opts, threads).map_err(at("replay"))?;
    let ((s, w, engines), mut diag) = to_stdout(events, input, |input, out, diag| {
        replay.run(input, out, diag)
    })?;
    let _ = writeln!(
        diag,
        "replay: {} rows, {} skipped, {} outages on {engines} engines; {} late, {} duplicate, {} stale",
        s.rows, s.skipped, s.outages, w.too_late, w.duplicates, w.stale,
    );
    Ok(())
}

type Out = BufWriter<std::io::StdoutLock<'static>>;
type Diag = BufWriter<std::io::StderrLock<'static>>;

/// Runs a replay from `input` to standard output, its diagnostics to standard error,
/// and turns a failure into the example's one-line error naming the event file or the
/// stream; hands standard error back for the closing summary.
fn to_stdout<T>(
    events: &str,
    input: Box<dyn std::io::Read + Send>,
    run: impl FnOnce(
        BufReader<Box<dyn std::io::Read + Send>>,
        &mut Out,
        &mut Diag,
    ) -> Result<T, ReplayError>,
) -> Result<(T, Diag), Stop> {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut diag = BufWriter::new(std::io::stderr().lock());
    let result = run(
        BufReader::with_capacity(1 << 16, input),
        &mut out,
        &mut diag,
    );
    let flushed = out.flush();
    let value = match result {
        Ok(v) => v,
        Err(e) if e.is_about_events() => return Err(Stop::Failed(format!("{events}: {e}"))),
        Err(ReplayError::Write { stream, source }) => {
            return Err(cli::io_at(format!("cannot write the {stream}"))(source));
        }
        Err(e) => return Err(e.into()),
    };
    flushed.map_err(cli::io_at("standard output"))?;
    Ok((value, diag))
}
