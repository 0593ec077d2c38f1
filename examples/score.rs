//! The metrics of `../shared/eval/score.py`, computed in Rust:
//! `cargo run --release --example score -- MODEL SCENARIO_DIR OUTPUT.jsonl [--json]`.
//!
//! SCENARIO_DIR holds `truth.json` and `events.csv`; OUTPUT.jsonl is the output of any
//! engine under the replay contract. Prints the table of `score.py` (or its `--json`
//! summary), for cross-checking the two.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use outage_locator::bench::metrics::{Conclusions, ROWS, aggregate, score, table};
use outage_locator::bench::simulate::Truth;
use outage_locator::{EnergizationView, EventReader, load_network};

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at, outln};

const USAGE: &str = "score MODEL SCENARIO_DIR OUTPUT.jsonl [--json]

Scores OUTPUT.jsonl (records of the replay contract) against SCENARIO_DIR's truth.json
and events.csv, as ../shared/eval/score.py does.

  --json    the summary as JSON instead of the table";

struct Opts {
    model: String,
    dir: PathBuf,
    output: String,
    json: bool,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let (mut free, mut json) = (Vec::new(), false);
    while let Some(arg) = args.next()? {
        match arg {
            Long("json") => json = true,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, dir, output] = cli::positional(free, ["MODEL", "SCENARIO_DIR", "OUTPUT.jsonl"])?;
    Ok(Opts {
        model,
        dir: dir.into(),
        output,
        json,
    })
}

fn run(o: Opts) -> Result<(), Stop> {
    let (net, _) = load_network(&o.model)?;
    let view = EnergizationView::normal(&net).map_err(at(&o.model))?;
    let open = |p: &Path| std::fs::File::open(p).map_err(at(p.display()));
    let truth_path = o.dir.join("truth.json");
    let truth = Truth::from_reader(open(&truth_path)?).map_err(at(truth_path.display()))?;
    let events: Vec<_> = EventReader::new(BufReader::new(open(&o.dir.join("events.csv"))?), &net)
        .filter_map(Result::ok)
        .map(|(_, e)| e)
        .collect();
    let out = Conclusions::from_jsonl(BufReader::new(open(Path::new(&o.output))?))
        .map_err(at(&o.output))?;
    if out.bad_lines > 0 {
        eprintln!(
            "score: {} line(s) of {} are not records of the replay contract; left out",
            out.bad_lines, o.output
        );
    }
    let m = aggregate(&[score(&net, &view, &truth, &out, Some(&events))]);
    if o.json {
        let json = serde_json::to_string_pretty(&m.to_json()).map_err(|e| e.to_string())?;
        outln!("{json}");
    } else {
        outln!("{}", table(&[("engine", &m)], &ROWS));
        outln!("call confusion (truth->engine): {:?}", m.call_confusion);
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}
