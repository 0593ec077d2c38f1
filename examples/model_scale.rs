//! Import, view and replay on model files, as a user meets them: for each size, a
//! utility-shaped network written as an OpenDSS model with a four-hour storm (what
//! `modelgen` writes), then, each in a child process of this example so that each peak
//! is its own: the model imported and its view built (what `inspect` does, and the
//! view), and the storm replayed from its file (what `replay` does, JSON Lines
//! formatted and discarded), on the imported model and, for comparison, on the
//! network generated in memory that the model was written from.
//!
//!     cargo run --release --example model_scale                      # 100 k, 1 M, 5 M
//!     cargo run --release --example model_scale -- --dir /tmp/models 20000 2000000
//!
//! Models are written to `DIR/c<customers>` (default: the system's temporary folder)
//! and kept: a folder that already holds `master.dss` and `storm.csv` is used as it is.
//! Peak memory is the child's VmHWM (`/proc/self/status`, Linux only), the figure
//! `/usr/bin/time -v` reports as its maximum resident set size; "B/customer" is that
//! peak over the customers, the process included. The replay's time is beyond the
//! import (the replay example's run less its import).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use outage_locator::bench::simulate::Simulator;
use outage_locator::bench::synth::{
    UtilityNetworkOptions, region_storm, utility_network, write_opendss, write_storm_csv,
};
use outage_locator::{EnergizationView, EngineOptions, Replay, load_network};

const IMPORT: &str = "--measure-import";
const REPLAY: &str = "--measure-replay";
const REPLAY_IN_MEMORY: &str = "--measure-replay-in-memory";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(IMPORT) if args.len() == 2 => return measure_import(Path::new(&args[1])),
        Some(REPLAY) if args.len() == 3 => {
            return measure_replay(Origin::File(Path::new(&args[1])), Path::new(&args[2]));
        }
        Some(REPLAY_IN_MEMORY) if args.len() == 3 => {
            let Ok(n) = args[1].parse() else {
                return ExitCode::from(2);
            };
            return measure_replay(Origin::InMemory(n), Path::new(&args[2]));
        }
        _ => {}
    }
    let (dir, sizes) = match parse(&args) {
        Some(x) => x,
        None => {
            eprintln!("usage: model_scale [--dir DIR] [CUSTOMERS...]   (100000 1000000 5000000)");
            return ExitCode::from(2);
        }
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot find this program: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "| customers | model | events | import | view | import + view | peak RSS | B/customer | replay beyond import | events/s | peak RSS | B/customer | in memory: replay | events/s |"
    );
    println!(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for n in sizes {
        let folder = dir.join(format!("c{n}"));
        let (master, storm) = match ensure_model(&folder, n) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{}: {e}", folder.display());
                return ExitCode::from(1);
            }
        };
        let model_mb = folder_bytes(&folder) as f64 / 1e6;
        let child = |args: &[&Path]| Command::new(&exe).args(args).output();
        let import = child(&[Path::new(IMPORT), &master]);
        let replay = child(&[Path::new(REPLAY), &master, &storm]);
        let size = n.to_string();
        let memory = child(&[Path::new(REPLAY_IN_MEMORY), Path::new(&size), &storm]);
        let (Ok(import), Ok(replay), Ok(memory)) = (import, replay, memory) else {
            eprintln!("cannot run the measurements of {n}");
            return ExitCode::from(1);
        };
        for o in [&import, &replay, &memory] {
            if !o.status.success() {
                eprintln!("{}", String::from_utf8_lossy(&o.stderr));
                return ExitCode::from(1);
            }
        }
        let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).trim().to_string();
        let (import, replay, memory) = (text(&import), text(&replay), text(&memory));
        let cells = |t: &str| t.split(" | ").map(str::to_string).collect::<Vec<_>>();
        let (replay, memory) = (cells(&replay), cells(&memory));
        println!(
            "| {n} | {model_mb:.0} MB | {} | {import} | {} | {} |",
            replay[0],
            replay[1..].join(" | "),
            memory.get(1..3).map_or(String::new(), |m| m.join(" | "))
        );
    }
    ExitCode::SUCCESS
}

/// `--dir DIR` and the sizes.
fn parse(args: &[String]) -> Option<(PathBuf, Vec<usize>)> {
    let mut dir = std::env::temp_dir().join("outage-locator-models");
    let mut sizes = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--dir" {
            dir = PathBuf::from(it.next()?);
        } else {
            sizes.push(a.replace('_', "").parse().ok()?);
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000, 5_000_000];
    }
    Some((dir, sizes))
}

/// The model and storm of `n` customers in `folder`, written unless both are there.
fn ensure_model(folder: &Path, n: usize) -> std::io::Result<(PathBuf, PathBuf)> {
    let (master, storm) = (folder.join("master.dss"), folder.join("storm.csv"));
    if master.is_file() && storm.is_file() {
        return Ok((master, storm));
    }
    eprintln!(
        "writing a model of {n} customers and its storm to {}",
        folder.display()
    );
    let net = utility_network(&UtilityNetworkOptions::region(n, 1));
    write_opendss(&net, folder)?;
    let sim = Simulator::new(&net).expect("a generated network is radial");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&storm)?);
    write_storm_csv(&sim, &region_storm(), 1, &mut f)?;
    f.flush()?;
    Ok((master, storm))
}

/// Bytes of the model's files (the storm left out).
fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name() != "storm.csv")
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Child: imports the model and builds its view; prints the table's import cells.
fn measure_import(master: &Path) -> ExitCode {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let (net, _) = match load_network(master) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let import = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let view = EnergizationView::normal(&net).expect("the model is radial");
    let build = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak = peak_bytes();
    let n = net.customers().len();
    println!(
        "{import:.2} s | {build:.2} s | {:.2} s (CPU {cpu:.2} s) | {:.0} MB | {:.0}",
        import + build,
        peak as f64 / 1e6,
        peak as f64 / n as f64
    );
    drop(view);
    ExitCode::SUCCESS
}

/// Where a replay's network comes from.
enum Origin<'a> {
    /// Imported from the model's master file.
    File(&'a Path),
    /// Generated in memory: the network the model of that many customers was written
    /// from (the same ids, so the same storm file reads on both).
    InMemory(usize),
}

/// Child: imports the model (or generates its network) and replays the storm; prints
/// the events, then the table's replay cells.
fn measure_replay(from: Origin<'_>, events: &Path) -> ExitCode {
    let net = match from {
        Origin::File(master) => match load_network(master) {
            Ok((net, _)) => net,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        },
        Origin::InMemory(n) => utility_network(&UtilityNetworkOptions::region(n, 1)),
    };
    let file = match std::fs::File::open(events) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", events.display());
            return ExitCode::from(1);
        }
    };
    let net = std::sync::Arc::new(net);
    let mut replay = Replay::new(std::sync::Arc::clone(&net), EngineOptions::default())
        .expect("the model is radial");
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let summary = replay
        .run(
            std::io::BufReader::with_capacity(1 << 16, file),
            &mut std::io::sink(),
            &mut std::io::sink(),
        )
        .expect("the event file reads");
    let run = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak = peak_bytes();
    println!(
        "{} | {run:.2} s (CPU {cpu:.2} s) | {:.0} | {:.0} MB | {:.0}",
        summary.rows,
        summary.rows as f64 / run,
        peak as f64 / 1e6,
        peak as f64 / net.customers().len() as f64
    );
    ExitCode::SUCCESS
}

/// The time this thread has run on a CPU, seconds (`/proc/thread-self/schedstat`,
/// Linux only; 0 where unknown): on a shared machine, the part of a wall time that was
/// this program's own.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// The process's peak resident memory (VmHWM), bytes; 0 where unknown.
fn peak_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
