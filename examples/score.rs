//! The metrics of `../shared/eval/score.py`, computed in Rust:
//! `cargo run --release --example score -- MODEL SCENARIO_DIR OUTPUT.jsonl [--json]`.
//!
//! SCENARIO_DIR holds `truth.json` and `events.csv`; OUTPUT.jsonl is the output of any
//! engine under the replay contract. Prints the table of `score.py` (or its `--json`
//! summary), for cross-checking the two.

use std::io::BufReader;
use std::process::ExitCode;

use outage_locator::bench::metrics::{Conclusions, ROWS, aggregate, score, table};
use outage_locator::bench::simulate::Truth;
use outage_locator::{EnergizationView, EventReader, load_network};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [model, dir, output] = pos.as_slice() else {
        eprintln!("usage: score MODEL SCENARIO_DIR OUTPUT.jsonl [--json]");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let (net, _) = load_network(model)?;
        let view = EnergizationView::normal(&net)?;
        let dir = std::path::Path::new(dir.as_str());
        let truth = Truth::from_reader(std::fs::File::open(dir.join("truth.json"))?)?;
        let events: Vec<_> = EventReader::new(
            BufReader::new(std::fs::File::open(dir.join("events.csv"))?),
            &net,
        )
        .filter_map(Result::ok)
        .map(|(_, e)| e)
        .collect();
        let out = Conclusions::from_jsonl(BufReader::new(std::fs::File::open(output.as_str())?))?;
        if out.bad_lines > 0 {
            eprintln!(
                "score: {} line(s) of {output} are not records of the replay contract; left out",
                out.bad_lines
            );
        }
        let m = aggregate(&[score(&net, &view, &truth, &out, Some(&events))]);
        if json {
            println!("{}", serde_json::to_string_pretty(&m.to_json())?);
        } else {
            println!("{}", table(&[("engine", &m)], &ROWS));
            println!("call confusion (truth->engine): {:?}", m.call_confusion);
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
