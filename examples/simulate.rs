//! Writes a generated scenario folder (`events.csv`, `truth.json`) that
//! `../shared/eval/score.py` reads:
//!
//! `cargo run --release --example simulate -- MODEL PROFILE SEED OUT_DIR [--p-call X] [--p-lg Y] [--feeder NAME]`
//!
//! PROFILE is `blue_sky`, `busy`, `storm` or `storm_switching`; `--p-call` and `--p-lg` fix those rates
//! (otherwise drawn from the profile's ranges); `--feeder` names the folder of
//! `feeders/` (or `eval/data/`) where the scorer finds the model (default: the model
//! file's folder name).

use std::process::ExitCode;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::load_network;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mut pos = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i].starts_with("--") {
            i += 2;
        } else {
            pos.push(args[i].clone());
            i += 1;
        }
    }
    let [model, profile, seed, out] = pos.as_slice() else {
        eprintln!(
            "usage: simulate MODEL PROFILE SEED OUT_DIR [--p-call X] [--p-lg Y] [--feeder NAME]"
        );
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let (net, _) = load_network(model)?;
        let profile: Profile = profile.parse()?;
        let seed: u64 = seed.parse()?;
        let mut opts = SimulationOptions::for_profile(profile);
        if let Some(p) = flag("--p-call") {
            let p: f64 = p.parse()?;
            opts.p_call = [p, p];
        }
        if let Some(p) = flag("--p-lg") {
            let p: f64 = p.parse()?;
            opts.p_lg = [p, p];
        }
        let sim = Simulator::new(&net)?;
        let mut s = sim.run(&opts, seed);
        let path = std::path::Path::new(model.as_str());
        s.truth.feeder = flag("--feeder").unwrap_or_else(|| {
            path.parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| net.name().to_string())
        });
        s.truth.model = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        s.write_dir(&net, out)?;
        let t = &s.truth;
        eprintln!(
            "{out}: {} rows, {} fault outages, {} momentaries, {} calls, p_call {}, p_lg {}",
            t.counts.rows,
            t.faults().count(),
            t.momentaries.len(),
            t.calls.len(),
            t.params["p_call"],
            t.params["p_lg"]
        );
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
