//! How the network model and its energization view scale: for synthetic networks of
//! 10 k to 5 M customers, the time to generate the network and build its view, the time
//! of a switching operation (a transfer: open a sectionalizing switch, close a tie), and
//! peak memory.
//!
//!     cargo run --release --example scale                  # 10k 100k 1M 5M
//!     cargo run --release --example scale -- 20000 2000000 # chosen sizes
//!
//! Each size runs in a child process of this same example, so that each peak (VmHWM of
//! `/proc/self/status`, Linux only) is its own. The peak is taken right after the view
//! is built (network and view), before any switching; "B/customer" is that peak less
//! the process's resident size before generating, per customer. A transfer is timed
//! into fresh memory (`switch`: the first one, then the median of 9) and recycling the
//! previous view's memory (`switch_reusing`: median of 9).

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use outage_locator::EnergizationView;
use outage_locator::bench::synth::{SyntheticNetworkOptions, middle_transfer, synthetic_network};

const CHILD: &str = "--measure-one";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CHILD) {
        return match args.get(1).and_then(|s| s.parse().ok()) {
            Some(n) => measure(n),
            None => ExitCode::from(2),
        };
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![10_000, 100_000, 1_000_000, 5_000_000]
    } else {
        match args.iter().map(|a| a.replace('_', "").parse()).collect() {
            Ok(v) => v,
            Err(_) => {
                eprintln!("usage: scale [CUSTOMERS...]");
                return ExitCode::from(2);
            }
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
        "| customers | generate | view build | generate + view | transfer, first | transfer (median) | transfer reusing (median) | peak RSS | B/customer | engine state B/customer |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let out = match Command::new(&exe).arg(CHILD).arg(n.to_string()).output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("cannot run the measurement for {n}: {e}");
                return ExitCode::from(1);
            }
        };
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            return ExitCode::from(1);
        }
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    ExitCode::SUCCESS
}

/// Generates, builds the view, switches, and prints one table row.
fn measure(n: usize) -> ExitCode {
    let before = status_kb("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    let net = synthetic_network(&SyntheticNetworkOptions {
        customers: n,
        seed: 1,
        ..Default::default()
    });
    let generate = t.elapsed();
    let t = Instant::now();
    let view = match EnergizationView::normal(&net) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let build = t.elapsed();
    let peak = status_kb("VmHWM:").unwrap_or(0);
    let Some(op) = middle_transfer(&net) else {
        eprintln!("no feeder with a tie");
        return ExitCode::from(1);
    };
    let mut fresh = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let switched = view.switch(&net, &[op]);
        fresh.push(t.elapsed());
        if let Err(e) = switched {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    }
    let mut reusing = Vec::new();
    let mut spare = view.clone();
    for _ in 0..10 {
        let t = Instant::now();
        let switched = view.switch_reusing(&net, &[op], spare);
        reusing.push(t.elapsed());
        match switched {
            Ok(v) => spare = v,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }
    let per_customer = (peak.saturating_sub(before) * 1024) as f64 / n as f64;
    // The inference engine's own state, on top of the network and its view.
    let rss = status_kb("VmRSS:").unwrap_or(0);
    let engine = match outage_locator::Engine::new(&net, outage_locator::EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let engine_rss = status_kb("VmRSS:").unwrap_or(0).saturating_sub(rss);
    let engine_bytes = (engine_rss * 1024).max(engine.state_bytes() as u64) as f64 / n as f64;
    drop(engine);
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {:.0} MB | {:.0} | {:.0} |",
        n,
        ms(generate),
        ms(build),
        ms(generate + build),
        ms(fresh[0]),
        ms(median(&fresh[1..])),
        ms(median(&reusing[1..])),
        peak as f64 / 1024.0,
        per_customer,
        engine_bytes
    );
    ExitCode::SUCCESS
}

fn median(times: &[Duration]) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// A field of `/proc/self/status`, in kB.
fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
