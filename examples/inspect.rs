//! Prints the import report of a model as one JSON object; warnings go to stderr.
//!
//!     cargo run --release --example inspect -- fixtures/ieee123/eval_master.dss

use std::process::ExitCode;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Stop, Value, outln};

const USAGE: &str = "inspect MODEL

Prints the import report of MODEL (an OpenDSS master file, a CIM XML file or a JSON
network) as one JSON object; its warnings go to standard error.";

fn parse(args: &mut Args) -> Result<String, Stop> {
    let mut free = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model] = cli::positional(free, ["MODEL"])?;
    Ok(model)
}

fn run(path: String) -> Result<(), Stop> {
    let (_, report) = outage_locator::load_network(&path)?;
    for w in &report.warning_list {
        eprintln!("warning: {w}");
    }
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    outln!("{json}");
    Ok(())
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}
