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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, events] = args.as_slice() else {
        eprintln!("usage: rollup MODEL EVENTS   (EVENTS may be - for standard input)");
        return ExitCode::from(2);
    };
    let (net, _) = match load_network(model) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let input: Box<dyn Read + Send> = if events == "-" {
        Box::new(std::io::stdin())
    } else {
        match std::fs::File::open(events) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("{events}: {e}");
                return ExitCode::from(1);
            }
        }
    };
    let mut rollup = match Rollup::new(&net, RollupOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{model}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut diag = BufWriter::new(std::io::stderr().lock());
    match rollup.run(BufReader::new(input), &mut out, &mut diag) {
        Ok(s) => {
            let _ = writeln!(
                diag,
                "rollup: {} rows, {} skipped, {} outages, {} tickets",
                s.rows, s.skipped, s.outages, s.tickets
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(diag, "{events}: {e}");
            ExitCode::from(1)
        }
    }
}
