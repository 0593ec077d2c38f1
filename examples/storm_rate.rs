//! The engine at storm rates, as the `storm` bench measures it but in one pass: a
//! million meter messages in ten minutes (`bench::synth::storm_rate_events`) written
//! as an event file (CSV) and replayed to JSON Lines, on IEEE 123 read from its model
//! file and on synthetic networks of the given sizes. Prints messages per second of
//! wall time and of processor time (user and system, from `/proc/self/stat`, which a
//! shared machine does not inflate; both threads of the replay count).
//!
//!     cargo run --release --example storm_rate -- [CUSTOMERS...]

use std::sync::Arc;
use std::time::Instant;

use outage_locator::bench::synth::{SyntheticNetworkOptions, storm_rate_events, synthetic_network};
use outage_locator::{EngineOptions, Event, MINUTE, Network, Replay, load_network};

/// Messages in the storm, and the time they span.
const MESSAGES: usize = 1_000_000;
const SPAN: outage_locator::Millis = 10 * MINUTE;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000_000]
    } else {
        sizes
    };
    println!("| network | messages | replay | messages/s | CPU | messages/CPU-s | records |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let (ieee123, _) = load_network(path).expect("the fixture reads");
    row("IEEE 123", &Arc::new(ieee123));
    for n in sizes {
        let net = Arc::new(synthetic_network(&SyntheticNetworkOptions {
            customers: n,
            seed: 1,
            ..Default::default()
        }));
        row(&format!("synthetic, {n} customers"), &net);
    }
}

/// Replays the storm-rate stream on one network and prints its row.
fn row(name: &str, net: &Arc<Network>) {
    let events: Vec<Event> = storm_rate_events(net, MESSAGES, SPAN, 7).collect();
    let mut csv = b"time,kind,id,detail\n".to_vec();
    for e in &events {
        csv.extend_from_slice(e.to_csv_row(net).as_bytes());
        csv.push(b'\n');
    }
    let mut out = Vec::new();
    let mut replay = Replay::new(Arc::clone(net), EngineOptions::default()).expect("radial");
    let (t, cpu) = (Instant::now(), cpu_seconds());
    replay
        .run(&csv[..], &mut out, &mut std::io::sink())
        .expect("in memory");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let records = out.iter().filter(|&&b| b == b'\n').count();
    println!(
        "| {name} | {MESSAGES} | {secs:.2} s | {:.0} | {cpu:.2} s | {:.0} | {records} |",
        MESSAGES as f64 / secs,
        MESSAGES as f64 / cpu.max(0.01)
    );
}

/// The process's processor time so far (user and system), s (0 where there is no
/// `/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the command's closing parenthesis: utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    rest.split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .sum::<f64>()
        / 100.0
}
