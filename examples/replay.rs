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
use std::process::ExitCode;

use outage_locator::replay::{PartitionedReplay, open_events};
use outage_locator::service::{PingBudget, SimulatedHeadEnd, SupplyTable};
use outage_locator::{EngineOptions, Replay, load_network};

/// Removes `flag VALUE` from the arguments; `Err` when the value is missing.
fn take_flag(args: &mut Vec<String>, flag: &str) -> Result<Option<String>, String> {
    let Some(i) = args.iter().position(|a| a == flag) else {
        return Ok(None);
    };
    let value = args
        .get(i + 1)
        .cloned()
        .ok_or(format!("{flag} needs a value"))?;
    args.drain(i..i + 2);
    Ok(Some(value))
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = EngineOptions::default();
    if let Some(i) = args.iter().position(|a| a == "--options") {
        let Some(path) = args.get(i + 1).cloned() else {
            eprintln!("--options needs a file");
            return ExitCode::from(2);
        };
        args.drain(i..i + 2);
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .and_then(|o: EngineOptions| o.validate().map(|()| o).map_err(|e| e.to_string()))
        {
            Ok(o) => opts = o,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let (ami, seed) = match (
        take_flag(&mut args, "--ami"),
        take_flag(&mut args, "--ami-seed"),
    ) {
        (Ok(a), Ok(s)) => (a, s.map_or(Ok(1), |s| s.parse::<u64>())),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let Ok(seed) = seed else {
        eprintln!("--ami-seed needs a number");
        return ExitCode::from(2);
    };
    let threads = match threads_flag(&mut args, ami.is_some()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let [model, events] = args.as_slice() else {
        eprintln!(
            "usage: replay MODEL EVENTS [--options FILE.json] [--ami SUPPLY.csv [--ami-seed N]] [--threads N]   (EVENTS may be -)"
        );
        return ExitCode::from(2);
    };
    let (net, report) = match load_network(model) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    for w in &report.warning_list {
        eprintln!("model warning: {w}");
    }
    let input = match open_events(events) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if let Some(threads) = threads {
        return split(net, opts, threads, input, events);
    }
    let mut replay = match Replay::new(net, opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{model}: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(path) = ami {
        let supply = std::fs::File::open(&path)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                SupplyTable::read(replay.engine().network(), BufReader::new(f))
                    .map_err(|e| e.to_string())
            });
        match supply {
            Ok(s) => {
                let head_end = Box::new(SimulatedHeadEnd::new(s, seed));
                replay = replay.with_head_end(head_end, PingBudget::default());
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(1);
            }
        }
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
    let _ = out.flush();
    match result {
        Ok(s) => {
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
            ExitCode::SUCCESS
        }
        Err(e) if e.is_about_events() => {
            let _ = writeln!(diag, "{events}: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            let _ = writeln!(diag, "replay: standard output: {e}");
            ExitCode::from(1)
        }
    }
}

/// `--threads N`: the number of engines to split the inference over, if given.
fn threads_flag(args: &mut Vec<String>, ami: bool) -> Result<Option<usize>, String> {
    let Some(n) = take_flag(args, "--threads")? else {
        return Ok(None);
    };
    match n.parse::<usize>() {
        Ok(_) if ami => Err("--threads replays the inference alone, without --ami".into()),
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err("--threads needs a number of engines, at least 1".into()),
    }
}

/// The inference alone, split by substation over up to `threads` engines.
fn split(
    net: outage_locator::Network,
    opts: EngineOptions,
    threads: usize,
    input: Box<dyn std::io::Read + Send>,
    events: &str,
) -> ExitCode {
    let replay = match PartitionedReplay::new(net, opts, threads) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = std::io::stderr();
    let mut diag = BufWriter::new(stderr.lock());
    let result = replay.run(
        BufReader::with_capacity(1 << 16, input),
        &mut out,
        &mut diag,
    );
    let _ = out.flush();
    match result {
        Ok((s, w, engines)) => {
            let _ = writeln!(
                diag,
                "replay: {} rows, {} skipped, {} outages on {engines} engines; {} late, {} duplicate, {} stale",
                s.rows, s.skipped, s.outages, w.too_late, w.duplicates, w.stale,
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.is_about_events() => {
            let _ = writeln!(diag, "{events}: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            let _ = writeln!(diag, "replay: standard output: {e}");
            ExitCode::from(1)
        }
    }
}
