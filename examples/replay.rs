//! The replay contract: `cargo run --release --example replay -- MODEL EVENTS`.
//!
//! MODEL is an OpenDSS master file or a JSON network; EVENTS an event file or `-` for
//! standard input. Conclusions go to standard output as JSON Lines; diagnostics and a
//! one-line summary to standard error. `--options FILE.json` reads the engine's
//! options (the JSON form of `EngineOptions`; missing fields take their defaults).

use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;

use outage_locator::replay::open_events;
use outage_locator::{EngineOptions, Replay, load_network};

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
    let [model, events] = args.as_slice() else {
        eprintln!("usage: replay MODEL EVENTS [--options FILE.json]   (EVENTS may be -)");
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
    let mut replay = match Replay::new(&net, opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{model}: {e}");
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
        Ok(s) => {
            let w = replay.engine().warnings();
            let _ = writeln!(
                diag,
                "replay: {} rows, {} skipped, {} outages, {} tickets; {} late, {} duplicate, {} stale",
                s.rows, s.skipped, s.outages, s.tickets, w.too_late, w.duplicates, w.stale
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
