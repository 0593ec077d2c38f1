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

const CHILD: &str = "--import-one";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CHILD) {
        return match (args.get(1), args.get(2).and_then(|s| s.parse().ok())) {
            (Some(path), Some(n)) => import_one(Path::new(path), n),
            _ => ExitCode::from(2),
        };
    }
    let keep = args.iter().any(|a| a == "--keep");
    let mut sizes: Vec<usize> = args.iter().filter_map(|s| s.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this program to run it again");
        return ExitCode::from(1);
    };
    println!(
        "customers   file MB   write s  import s     cpu s    MB/s  us/cust   peak MB  B/cust  peak/file"
    );
    for n in sizes {
        let path = std::env::temp_dir().join(format!("outage-locator-cim-{n}.xml"));
        let t = Instant::now();
        if let Err(e) = write(&path, n) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(1);
        }
        let write_s = t.elapsed().as_secs_f64();
        let status = Command::new(&me)
            .args([CHILD, &path.to_string_lossy(), &n.to_string()])
            .env("CIM_SCALE_WRITE_S", format!("{write_s:.1}"))
            .status();
        if !keep {
            let _ = std::fs::remove_file(&path);
        } else {
            eprintln!("kept {}", path.display());
        }
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("the import of {n} customers failed");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
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
fn import_one(path: &Path, n: usize) -> ExitCode {
    let before = status_kb("VmRSS:");
    let cpu = cpu_seconds();
    let t = Instant::now();
    let (net, report) = match outage_locator::network::import_cim(path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak = status_kb("VmHWM:");
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    let mb = bytes / 1e6;
    let grown = (peak.saturating_sub(before) * 1024) as f64;
    assert_eq!(net.customers().len(), n);
    assert_eq!(report.warning_count, 0);
    println!(
        "{n:>9} {mb:>9.1} {:>9} {secs:>9.2} {cpu:>9.2} {:>7.1} {:>8.2} {:>9.0} {:>7.0} {:>10.2}",
        std::env::var("CIM_SCALE_WRITE_S").unwrap_or_default(),
        mb / secs,
        secs * 1e6 / n as f64,
        peak as f64 / 1024.0,
        grown / n as f64,
        grown / bytes,
    );
    ExitCode::SUCCESS
}

/// A line of `/proc/self/status`, kB (0 where there is none).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The process's CPU time so far (user and system), s (0 where there is no
/// `/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the command's closing parenthesis: utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}
