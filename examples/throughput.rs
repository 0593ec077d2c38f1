//! Inference speed and memory at scale: a storm on synthetic networks of 100 k and
//! 1 M customers, ingested event by event with the inference current after each, and
//! replayed from CSV to JSON Lines.
//!
//!     cargo run --release --example throughput -- [CUSTOMERS...]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use outage_locator::bench::synth::{SyntheticNetworkOptions, storm_events, synthetic_network};
use outage_locator::{EnergizationView, Engine, EngineOptions, Replay};

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Stop, Value, outln};

const USAGE: &str = "throughput [CUSTOMERS...]

Generates a synthetic network of each size (default 100000 and 1000000 customers) and
a storm of as many events, and prints the engine's ingest rate and the replay's time.";

fn parse(args: &mut Args) -> Result<Vec<usize>, Stop> {
    let mut sizes = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => sizes.push(cli::parse(v, "CUSTOMERS")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    Ok(sizes)
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(sizes: Vec<usize>) -> Result<(), Stop> {
    outln!(
        "| customers | events | ingest | events/s | replay CSV→JSONL | open outages | engine state B/customer |"
    );
    outln!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let bar = cli::spinner(&format!("{n} customers"));
        let net = Arc::new(synthetic_network(&SyntheticNetworkOptions {
            customers: n,
            seed: 1,
            ..Default::default()
        }));
        let view = EnergizationView::normal(&net)?;
        let events = storm_events(&net, &view, n, 7);
        let mut engine = Engine::new(Arc::clone(&net), EngineOptions::default())?;
        let t = Instant::now();
        for &e in &events {
            engine.ingest(e);
        }
        let ingest = t.elapsed();
        let open = engine.open_outages().count();
        let state = engine.state_bytes() as f64 / n as f64;
        drop(engine);
        let mut csv = b"time,kind,id,detail\n".to_vec();
        for e in &events {
            csv.extend_from_slice(e.to_csv_row(&net).as_bytes());
            csv.push(b'\n');
        }
        let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default())?;
        let t = Instant::now();
        let summary = replay.run(&csv[..], &mut std::io::sink(), &mut std::io::sink())?;
        let run = t.elapsed();
        assert_eq!(summary.rows as usize, events.len());
        bar.finish_and_clear();
        outln!(
            "| {n} | {} | {:.2} s | {:.0} | {:.2} s | {open} | {state:.0} |",
            events.len(),
            ingest.as_secs_f64(),
            events.len() as f64 / ingest.as_secs_f64(),
            run.as_secs_f64(),
        );
    }
    Ok(())
}
