//! Prints the restoration plan for a fault below an outage device as one JSON object
//! (the replay contract, version 2, "Restoration plans").
//!
//!     cargo run --release --example restore -- MODEL DEVICE [--switches OPEN.txt]
//!
//! `--switches` names devices open at the start beyond the model's own open ones, one a
//! line: the network as it stands.

use std::path::PathBuf;
use std::process::ExitCode;

use outage_locator::EnergizationView;
use outage_locator::restoration::Planner;
use outage_locator::topology::SwitchingOp;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at, outln};

const USAGE: &str = "restore MODEL DEVICE [--switches OPEN.txt]

Prints the restoration plan for a fault below DEVICE (an outage device of MODEL) as JSON.

  --switches OPEN.txt   devices to open first, one name a line";

struct Opts {
    model: String,
    device: String,
    switches: Option<PathBuf>,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let (mut free, mut switches) = (Vec::new(), None);
    while let Some(arg) = args.next()? {
        match arg {
            Long("switches") => switches = Some(args.path()?),
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, device] = cli::positional(free, ["MODEL", "DEVICE"])?;
    Ok(Opts {
        model,
        device,
        switches,
    })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(o: Opts) -> Result<(), Stop> {
    let (net, _) = outage_locator::load_network(&o.model)?;
    let device = net
        .outage_device_by_name(&o.device)
        .ok_or_else(|| format!("{}: no such outage device", o.device))?;
    let mut view = EnergizationView::normal(&net).map_err(at(&o.model))?;
    if let Some(path) = &o.switches {
        let path = path.display();
        let text =
            std::fs::read_to_string(o.switches.as_ref().expect("matched")).map_err(at(&path))?;
        let mut ops = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let name = line.trim();
            if name.is_empty() {
                continue;
            }
            let e = net
                .outage_device_by_name(name)
                .and_then(|d| net.outage_device_element(d))
                .or_else(|| net.element_by_name(name))
                .ok_or_else(|| format!("{path}:{}: no such device {name:?}", n + 1))?;
            ops.push(SwitchingOp::Open(e));
        }
        view = view.switch(&net, &ops).map_err(|e| e.to_string())?;
    }
    let plan = Planner::new(&net, &view).plan(device, &[]);
    outln!(
        "{}",
        serde_json::to_string(&plan).map_err(|e| e.to_string())?
    );
    Ok(())
}
