//! Writes a generated scenario folder (`events.csv`, `truth.json`) that
//! `../shared/eval/score.py` reads:
//!
//! `cargo run --release --example simulate -- MODEL PROFILE SEED OUT_DIR [--p-call X] [--p-lg Y] [--feeder NAME]`
//!
//! PROFILE is `blue_sky`, `busy` or `storm`; `--p-call` and `--p-lg` fix those rates
//! (otherwise drawn from the profile's ranges); `--feeder` names the folder of
//! `feeders/` (or `eval/data/`) where the scorer finds the model (default: the model
//! file's folder name).

use std::process::ExitCode;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::load_network;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at};

const USAGE: &str = "simulate MODEL PROFILE SEED OUT_DIR [--p-call X] [--p-lg Y] [--feeder NAME]

Simulates a day of PROFILE (blue_sky, busy or storm) on MODEL with SEED and writes its
scenario (events.csv, truth.json, supply.csv) to OUT_DIR.

  --p-call X     the probability that a customer without supply calls
  --p-lg Y       the probability that a meter's last gasp arrives
  --feeder NAME  the feeder name in truth.json (default: the model's folder)";

struct Opts {
    model: String,
    profile: Profile,
    seed: u64,
    out: String,
    p_call: Option<f64>,
    p_lg: Option<f64>,
    feeder: Option<String>,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let (mut free, mut p_call, mut p_lg, mut feeder) = (Vec::new(), None, None, None);
    while let Some(arg) = args.next()? {
        match arg {
            Long("p-call") => p_call = Some(args.value()?),
            Long("p-lg") => p_lg = Some(args.value()?),
            Long("feeder") => feeder = Some(args.value()?),
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, profile, seed, out] =
        cli::positional(free, ["MODEL", "PROFILE", "SEED", "OUT_DIR"])?;
    Ok(Opts {
        model,
        profile: cli::parse(profile.into(), "PROFILE")?,
        seed: cli::parse(seed.into(), "SEED")?,
        out,
        p_call,
        p_lg,
        feeder,
    })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(o: Opts) -> Result<(), Stop> {
    let (net, _) = load_network(&o.model)?;
    let mut opts = SimulationOptions::for_profile(o.profile);
    if let Some(p) = o.p_call {
        opts.p_call = [p, p];
    }
    if let Some(p) = o.p_lg {
        opts.p_lg = [p, p];
    }
    let sim = Simulator::new(&net).map_err(at(&o.model))?;
    let mut s = sim.run(&opts, o.seed);
    let path = std::path::Path::new(o.model.as_str());
    s.truth.feeder = o.feeder.unwrap_or_else(|| {
        path.parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| net.name().to_string())
    });
    s.truth.model = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    s.write_dir(&net, &o.out).map_err(at(&o.out))?;
    let t = &s.truth;
    eprintln!(
        "{}: {} rows, {} fault outages, {} momentaries, {} calls, p_call {}, p_lg {}",
        o.out,
        t.counts.rows,
        t.faults().count(),
        t.momentaries.len(),
        t.calls.len(),
        t.params["p_call"],
        t.params["p_lg"]
    );
    Ok(())
}
