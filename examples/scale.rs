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
use std::sync::Arc;
use std::time::{Duration, Instant};

use outage_locator::EnergizationView;
use outage_locator::bench::synth::{SyntheticNetworkOptions, middle_transfer, synthetic_network};

#[path = "common/cli.rs"]
mod cli;
#[path = "common/measure.rs"]
mod measure;
use cli::{Args, Long, Stop, Value, outln};

const USAGE: &str = "scale [CUSTOMERS...]

For synthetic networks of each size (default 10000 100000 1000000 5000000), the time to
generate the network and build its view, a transfer's time and peak memory; each size
is measured in a child process of its own.";

/// The option that runs one measurement, in the child.
const CHILD: &str = "measure-one";

enum Mode {
    Table(Vec<usize>),
    One(usize),
}

fn parse(args: &mut Args) -> Result<Mode, Stop> {
    let mut sizes = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Long(CHILD) => return Ok(Mode::One(args.value()?)),
            Value(v) => sizes.push(cli::count(v, "CUSTOMERS")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000, 1_000_000, 5_000_000];
    }
    Ok(Mode::Table(sizes))
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |mode| match mode {
        Mode::Table(sizes) => table(sizes),
        Mode::One(n) => measure(n),
    })
}

fn table(sizes: Vec<usize>) -> Result<(), Stop> {
    let exe = std::env::current_exe().map_err(cli::at("cannot find this program"))?;
    outln!(
        "| customers | generate | view build | generate + view | transfer, first | transfer (median) | transfer reusing (median) | peak RSS | B/customer | engine state B/customer |"
    );
    outln!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let bar = cli::progress(sizes.len() as u64, "sizes");
    for n in sizes {
        bar.set_message(format!("{n} customers"));
        let out = Command::new(&exe)
            .arg(format!("--{CHILD}"))
            .arg(n.to_string())
            .output()
            .map_err(cli::at(format!("cannot run the measurement for {n}")))?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            return Err(Stop::Failed(format!(
                "the measurement for {n}: {}",
                why.trim()
            )));
        }
        bar.suspend(|| outln!("{}", String::from_utf8_lossy(&out.stdout).trim_end()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Generates, builds the view, switches, and prints one table row.
fn measure(n: usize) -> Result<(), Stop> {
    let before = measure::resident_bytes().unwrap_or(0) / 1024;
    let t = Instant::now();
    let net = Arc::new(synthetic_network(&SyntheticNetworkOptions {
        customers: n,
        seed: 1,
        ..Default::default()
    }));
    let generate = t.elapsed();
    let t = Instant::now();
    let view = EnergizationView::normal(&net)?;
    let build = t.elapsed();
    let peak = measure::peak_resident_bytes().unwrap_or(0) / 1024;
    let Some(op) = middle_transfer(&net) else {
        return Err("no feeder with a tie".into());
    };
    let mut fresh = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let switched = view.switch(&net, &[op]);
        fresh.push(t.elapsed());
        switched?;
    }
    let mut reusing = Vec::new();
    let mut spare = view.clone();
    for _ in 0..10 {
        let t = Instant::now();
        let switched = view.switch_reusing(&net, &[op], spare);
        reusing.push(t.elapsed());
        spare = switched?;
    }
    let per_customer = (peak.saturating_sub(before) * 1024) as f64 / n as f64;
    // The inference engine's own state, on top of the network and its view.
    let rss = measure::resident_bytes().unwrap_or(0) / 1024;
    let engine =
        outage_locator::Engine::new(Arc::clone(&net), outage_locator::EngineOptions::default())?;
    let engine_rss = (measure::resident_bytes().unwrap_or(0) / 1024).saturating_sub(rss);
    let engine_bytes = (engine_rss * 1024).max(engine.state_bytes() as u64) as f64 / n as f64;
    drop(engine);
    outln!(
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
    Ok(())
}

fn median(times: &[Duration]) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}
