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

#[path = "common/cli.rs"]
mod cli;
#[path = "common/measure.rs"]
mod measure;
use cli::{Args, Long, Stop, Value, outln};

const USAGE: &str = "model_scale [--dir DIR] [CUSTOMERS...]

For each size (default 100000 1000000 5000000), writes a utility-shaped model and its
storm to DIR/cN (once; default: the temporary folder's outage-locator-models), then
measures in child processes the import, the replay from the file and the replay of the
same network generated in memory: times, processor times and peak memory.

  --dir DIR    where the models are kept";

/// The options that run one measurement, in a child.
const IMPORT: &str = "measure-import";
const REPLAY: &str = "measure-replay";
const REPLAY_IN_MEMORY: &str = "measure-replay-in-memory";

enum Mode {
    Table { dir: PathBuf, sizes: Vec<usize> },
    Import(PathBuf),
    Replay(PathBuf, PathBuf),
    ReplayInMemory(usize, PathBuf),
}

fn parse(args: &mut Args) -> Result<Mode, Stop> {
    let mut dir = std::env::temp_dir().join("outage-locator-models");
    let mut sizes = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Long(IMPORT) => return Ok(Mode::Import(args.path()?)),
            Long(REPLAY) => return Ok(Mode::Replay(args.path()?, args.path()?)),
            Long(REPLAY_IN_MEMORY) => return Ok(Mode::ReplayInMemory(args.value()?, args.path()?)),
            Long("dir") => dir = args.path()?,
            Value(v) => sizes.push(cli::count(v, "CUSTOMERS")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000, 5_000_000];
    }
    Ok(Mode::Table { dir, sizes })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |mode| match mode {
        Mode::Table { dir, sizes } => table(&dir, sizes),
        Mode::Import(master) => measure_import(&master),
        Mode::Replay(master, storm) => measure_replay(Origin::File(&master), &storm),
        Mode::ReplayInMemory(n, storm) => measure_replay(Origin::InMemory(n), &storm),
    })
}

fn table(dir: &Path, sizes: Vec<usize>) -> Result<(), Stop> {
    let exe = std::env::current_exe().map_err(cli::at("cannot find this program"))?;
    outln!(
        "| customers | model | events | import | view | import + view | peak RSS | B/customer | replay beyond import | events/s | peak RSS | B/customer | in memory: replay | events/s |"
    );
    outln!(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let bar = cli::progress(3 * sizes.len() as u64, "measurements");
    for n in sizes {
        let folder = dir.join(format!("c{n}"));
        bar.set_message(format!("{n} customers: model"));
        let (master, storm) = ensure_model(&folder, n).map_err(cli::at(folder.display()))?;
        let model_mb = folder_bytes(&folder) as f64 / 1e6;
        let child = |what: &str, args: &[&std::ffi::OsStr]| {
            bar.set_message(format!("{n} customers: {what}"));
            let out = Command::new(&exe).args(args).output();
            bar.inc(1);
            match out {
                Ok(o) if o.status.success() => {
                    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
                }
                Ok(o) => Err(Stop::Failed(
                    String::from_utf8_lossy(&o.stderr).trim().to_string(),
                )),
                Err(e) => Err(Stop::Failed(format!(
                    "cannot run the measurements of {n}: {e}"
                ))),
            }
        };
        let flag = |f: &str| std::ffi::OsString::from(format!("--{f}"));
        let (fi, fr, fm, size) = (
            flag(IMPORT),
            flag(REPLAY),
            flag(REPLAY_IN_MEMORY),
            n.to_string(),
        );
        let import = child("import", &[&fi, master.as_os_str()])?;
        let replay = child("replay", &[&fr, master.as_os_str(), storm.as_os_str()])?;
        let memory = child("in memory", &[&fm, size.as_ref(), storm.as_os_str()])?;
        let cells = |t: &str| t.split(" | ").map(str::to_string).collect::<Vec<_>>();
        let (replay, memory) = (cells(&replay), cells(&memory));
        bar.suspend(|| {
            outln!(
                "| {n} | {model_mb:.0} MB | {} | {import} | {} | {} |",
                replay[0],
                replay[1..].join(" | "),
                memory.get(1..3).map_or(String::new(), |m| m.join(" | "))
            )
        });
    }
    bar.finish_and_clear();
    Ok(())
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
fn measure_import(master: &Path) -> Result<(), Stop> {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let (net, _) = load_network(master)?;
    let import = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let view = EnergizationView::normal(&net)?;
    let build = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak = peak_bytes();
    let n = net.customers().len();
    outln!(
        "{import:.2} s | {build:.2} s | {:.2} s (CPU {cpu:.2} s) | {:.0} MB | {:.0}",
        import + build,
        peak as f64 / 1e6,
        peak as f64 / n as f64
    );
    drop(view);
    Ok(())
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
fn measure_replay(from: Origin<'_>, events: &Path) -> Result<(), Stop> {
    let net = match from {
        Origin::File(master) => load_network(master)?.0,
        Origin::InMemory(n) => utility_network(&UtilityNetworkOptions::region(n, 1)),
    };
    let file = std::fs::File::open(events).map_err(cli::at(events.display()))?;
    let net = std::sync::Arc::new(net);
    let mut replay = Replay::new(std::sync::Arc::clone(&net), EngineOptions::default())?;
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let summary = replay
        .run(
            std::io::BufReader::with_capacity(1 << 16, file),
            &mut std::io::sink(),
            &mut std::io::sink(),
        )
        .map_err(cli::at(events.display()))?;
    let run = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak = peak_bytes();
    outln!(
        "{} | {run:.2} s (CPU {cpu:.2} s) | {:.0} | {:.0} MB | {:.0}",
        summary.rows,
        summary.rows as f64 / run,
        peak as f64 / 1e6,
        peak as f64 / net.customers().len() as f64
    );
    Ok(())
}

/// The time this thread has run on a processor, seconds (0 where unknown): on a shared
/// machine, the part of a wall time that was this program's own.
fn cpu_seconds() -> f64 {
    measure::thread_cpu_seconds().unwrap_or(0.0)
}

/// The process's peak resident memory, bytes (0 where unknown).
fn peak_bytes() -> u64 {
    measure::peak_resident_bytes().unwrap_or(0)
}
