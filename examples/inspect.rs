//! Prints the import report of a model as one JSON object; warnings go to stderr.
//!
//!     cargo run --release --example inspect -- fixtures/ieee123/eval_master.dss

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect MODEL (an OpenDSS master file or a JSON network)");
        return ExitCode::from(2);
    };
    let (_, report) = match outage_locator::load_network(&path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    for w in &report.warning_list {
        eprintln!("warning: {w}");
    }
    let json = match serde_json::to_string(&report) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("inspect: standard output: cannot write the report: {e}");
            ExitCode::from(1)
        }
    }
}
