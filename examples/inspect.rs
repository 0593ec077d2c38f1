//! Prints the import report of a model as one JSON object; warnings go to stderr.
//!
//!     cargo run --release --example inspect -- fixtures/ieee123/eval_master.dss

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
    match serde_json::to_string(&report) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
