//! Prints the restoration plan for a fault below an outage device as one JSON object
//! (the replay contract, version 2, "Restoration plans").
//!
//!     cargo run --release --example restore -- MODEL DEVICE [--switches OPEN.txt]
//!
//! `--switches` names devices open at the start beyond the model's own open ones, one a
//! line: the network as it stands.

use std::process::ExitCode;

use outage_locator::EnergizationView;
use outage_locator::restoration::Planner;
use outage_locator::topology::SwitchingOp;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("usage: restore MODEL DEVICE [--switches OPEN.txt]");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("restore: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (net, _) = outage_locator::load_network(&args[0]).map_err(|e| e.to_string())?;
    let device = net
        .outage_device_by_name(&args[1])
        .ok_or_else(|| format!("{}: no such outage device", args[1]))?;
    let mut view = EnergizationView::normal(&net).map_err(|e| e.to_string())?;
    if let Some(i) = args.iter().position(|a| a == "--switches") {
        let path = args.get(i + 1).ok_or("--switches needs a file")?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
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
    serde_json::to_string(&plan).map_err(|e| e.to_string())
}
