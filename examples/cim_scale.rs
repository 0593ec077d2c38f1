//! How the CIM XML reader scales: for synthetic networks of 100 k and 1 M customers
//! (or chosen sizes), the network is written as CIM (`synth::write_cim`) to a file in
//! the temporary folder, then imported from it in a child process of this same
//! example, which reports the file's size, the import's time (wall clock, and the CPU
//! time of `/proc/self/stat`, which a shared machine does not inflate; MB/s of XML and
//! µs per customer from the wall clock) and its peak memory (VmHWM of
//! `/proc/self/status`, Linux only; less the resident size before the import, per
//! customer and against the file's size).
//!
//!     cargo run --release --example cim_scale                   # 100k 1M
//!     cargo run --release --example cim_scale -- 20000 2000000  # chosen sizes
//!     cargo run --release --example cim_scale -- --keep 100000  # keep the file

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use outage_locator::bench::synth::{SyntheticNetworkOptions, synthetic_network, write_cim};

#[path = "common/cli.rs"]
mod cli;
#[path = "common/measure.rs"]
mod measure;
use cli::{Args, Long, Stop, Value, outln};

const USAGE: &str = "cim_scale [--keep] [CUSTOMERS...]

Writes a synthetic network of each size (default 100000 1000000) as CIM XML to the
temporary folder and imports it in a child process: the file's size, the import's time
and peak memory.

  --keep    keep the XML files";

/// The option that imports one file, in the child.
const CHILD: &str = "import-one";

enum Mode {
    Table { sizes: Vec<usize>, keep: bool },
    One(PathBuf, usize),
}

fn parse(args: &mut Args) -> Result<Mode, Stop> {
    let (mut sizes, mut keep) = (Vec::new(), false);
    while let Some(arg) = args.next()? {
        match arg {
            Long(CHILD) => {
                let path = args.path()?;
                let n = args.value()?;
                return Ok(Mode::One(path, n));
            }
            Long("keep") => keep = true,
            Value(v) => sizes.push(cli::count(v, "CUSTOMERS")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    Ok(Mode::Table { sizes, keep })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |mode| match mode {
        Mode::Table { sizes, keep } => table(sizes, keep),
        Mode::One(path, n) => import_one(&path, n),
    })
}

fn table(sizes: Vec<usize>, keep: bool) -> Result<(), Stop> {
    let me = std::env::current_exe().map_err(cli::at("cannot find this program"))?;
    outln!(
        "customers   file MB   write s  import s     cpu s    MB/s  us/cust   peak MB  B/cust  peak/file"
    );
    let bar = cli::progress(sizes.len() as u64, "sizes");
    for n in sizes {
        bar.set_message(format!("{n} customers"));
        let path = std::env::temp_dir().join(format!("outage-locator-cim-{n}.xml"));
        let t = Instant::now();
        write(&path, n).map_err(cli::at(path.display()))?;
        let write_s = t.elapsed().as_secs_f64();
        let out = Command::new(&me)
            .arg(format!("--{CHILD}"))
            .args([&path.to_string_lossy(), &n.to_string()[..]])
            .env("CIM_SCALE_WRITE_S", format!("{write_s:.1}"))
            .output();
        if !keep {
            let _ = std::fs::remove_file(&path);
        } else {
            bar.suspend(|| eprintln!("kept {}", path.display()));
        }
        match out {
            Ok(o) if o.status.success() => {
                bar.suspend(|| outln!("{}", String::from_utf8_lossy(&o.stdout).trim_end()));
            }
            _ => return Err(format!("the import of {n} customers failed").into()),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Writes a synthetic network of `n` customers as CIM.
fn write(path: &PathBuf, n: usize) -> std::io::Result<()> {
    let net = synthetic_network(&SyntheticNetworkOptions {
        customers: n,
        seed: 1,
        ..Default::default()
    });
    write_cim(&net, std::fs::File::create(path)?)
}

/// The child: imports the file once and prints one row.
fn import_one(path: &Path, n: usize) -> Result<(), Stop> {
    let before = measure::resident_bytes().unwrap_or(0) / 1024;
    let cpu = measure::process_cpu_seconds().unwrap_or(0.0);
    let t = Instant::now();
    let (net, report) =
        outage_locator::network::import_cim(path).map_err(cli::at(path.display()))?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = measure::process_cpu_seconds().unwrap_or(0.0) - cpu;
    let peak = measure::peak_resident_bytes().unwrap_or(0) / 1024;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    let mb = bytes / 1e6;
    let grown = (peak.saturating_sub(before) * 1024) as f64;
    assert_eq!(net.customers().len(), n);
    assert_eq!(report.warning_count, 0);
    outln!(
        "{n:>9} {mb:>9.1} {:>9} {secs:>9.2} {cpu:>9.2} {:>7.1} {:>8.2} {:>9.0} {:>7.0} {:>10.2}",
        std::env::var("CIM_SCALE_WRITE_S").unwrap_or_default(),
        mb / secs,
        secs * 1e6 / n as f64,
        peak as f64 / 1024.0,
        grown / n as f64,
        grown / bytes,
    );
    Ok(())
}
