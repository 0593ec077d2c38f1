//! Active verification with a simulated AMI head-end.
//!
//!     cargo run --release --example verify_pings -- [MODEL] [TRIALS]
//!
//! One fault at a time on a feeder (default: the bundled IEEE 123-bus fixture) with a
//! lossy AMI mesh (30 % of last gasps arrive) and 15 % of customers calling. Two
//! engines read the same evidence; the second one also has an AMI head-end: whenever it
//! holds a predicted outage, it pings the meters the engine proposes, and the answers
//! come back 10 s later. A crew is dispatched to the predicted device two minutes after
//! the first prediction; the table shows how often that device is the right one (or
//! holds exactly the same customers), and how fast pings confirm an outage.

use outage_locator::bench::synth::SplitMix64;
use outage_locator::evidence::CallDetail;
use outage_locator::inference::{OutageCause, OutageStatus};
use outage_locator::network::OutageDeviceClass;
use outage_locator::{
    Engine, EngineOptions, Event, Evidence, Network, OutageDeviceId, Timestamp, load_network,
};
use std::process::ExitCode;
use std::sync::Arc;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Stop, Value, ValueExt, outln};

struct Trial {
    truth: OutageDeviceId,
    events: Vec<Event>,
}

fn make_trial(net: &Network, rng: &mut SplitMix64, t0: Timestamp) -> Option<Trial> {
    let view = outage_locator::EnergizationView::normal(net).ok()?;
    let candidates: Vec<OutageDeviceId> = (0..net.outage_device_count())
        .map(OutageDeviceId::from)
        .filter(|&d| {
            matches!(
                net.outage_device_class(d),
                OutageDeviceClass::Fuse | OutageDeviceClass::Transformer
            ) && view.customer_count_below(d) >= 2
        })
        .collect();
    let truth = candidates[(rng.next_u64() % candidates.len() as u64) as usize];
    let mut events = Vec::new();
    for &c in view.customers_below(truth) {
        if rng.chance(0.3) {
            let delay = 5_000 + (rng.unit() * 55_000.0) as i64;
            events.push(Event {
                time: t0 + delay,
                evidence: Evidence::LastGasp { meter: c },
            });
        }
        if rng.chance(0.15) {
            let delay = (60_000.0 + rng.unit() * 1_800_000.0) as i64;
            events.push(Event {
                time: t0 + delay,
                evidence: Evidence::Call {
                    customer: c,
                    detail: CallDetail::NoPower,
                },
            });
        }
    }
    for m in 1..=60 {
        events.push(Event {
            time: t0 + m * 60_000,
            evidence: Evidence::Tick,
        });
    }
    events.sort_by_key(|e| e.time);
    Some(Trial { truth, events })
}

struct Outcome {
    dispatched_right: Option<bool>,
    confirm_s: Option<f64>,
    pings: usize,
}

fn run(net: &Arc<Network>, trial: &Trial, with_pings: bool) -> Outcome {
    let view = outage_locator::EnergizationView::normal(net).expect("radial");
    let truth_set = view.customers_below(trial.truth);
    let mut e = Engine::new(Arc::clone(net), EngineOptions::default()).expect("radial");
    let mut queue: Vec<Event> = trial.events.clone();
    queue.reverse();
    let mut first_prediction: Option<Timestamp> = None;
    let mut dispatched_right = None;
    let mut confirm_s = None;
    let mut pinged: Vec<(OutageDeviceId, usize)> = Vec::new();
    let mut pings = 0;
    while let Some(ev) = queue.pop() {
        e.ingest(ev);
        let now = e.clock();
        let open: Vec<_> = e
            .open_outages()
            .filter(|o| o.cause == OutageCause::Fault)
            .cloned()
            .collect();
        if let Some(o) = open.first() {
            let t1 = *first_prediction.get_or_insert(now);
            if confirm_s.is_none() && o.status == OutageStatus::Confirmed {
                confirm_s = Some(now.seconds_since(t1));
            }
            if dispatched_right.is_none() && now.seconds_since(t1) >= 120.0 {
                dispatched_right = Some(view.customers_below(o.device) == truth_set);
            }
            if with_pings {
                for o in &open {
                    if o.status != OutageStatus::Predicted || pinged.iter().any(|p| p.0 == o.device)
                    {
                        continue;
                    }
                    let meters = e.proposed_pings(o.id, 3);
                    pinged.push((o.device, meters.len()));
                    for m in meters {
                        pings += 1;
                        let on = !truth_set.contains(&m);
                        let answer = Event {
                            time: now + 10_000,
                            evidence: Evidence::Ping { meter: m, on },
                        };
                        let pos = queue.partition_point(|q| q.time > answer.time);
                        queue.insert(pos, answer);
                    }
                }
            }
        }
    }
    Outcome {
        dispatched_right,
        confirm_s,
        pings,
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

const USAGE: &str = "verify_pings [MODEL [TRIALS]]

Single-fault trials on MODEL (default fixtures/ieee123/eval_master.dss; TRIALS default
200): how often the first order goes to the right device, with and without AMI pings.";

fn parse(args: &mut Args) -> Result<(String, usize), Stop> {
    let mut free = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let mut free = free.into_iter();
    let model = match free.next() {
        Some(m) => m.string()?,
        None => concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/ieee123/eval_master.dss"
        )
        .to_string(),
    };
    let trials = free.next().map_or(Ok(200), |t| cli::parse(t, "TRIALS"))?;
    if let Some(extra) = free.next() {
        return Err(Stop::Usage(format!(
            "unexpected argument '{}'",
            extra.to_string_lossy()
        )));
    }
    Ok((model, trials))
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, trials)
}

fn trials((model, trials): (String, usize)) -> Result<(), Stop> {
    let net = Arc::new(load_network(&model)?.0);
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().expect("a valid time");
    let mut rng = SplitMix64::new(7);
    let mut rows = [(0usize, 0usize, Vec::new(), 0usize), (0, 0, Vec::new(), 0)];
    for _ in 0..trials {
        let Some(trial) = make_trial(&net, &mut rng, t0) else {
            continue;
        };
        for (k, with) in [false, true].into_iter().enumerate() {
            let out = run(&net, &trial, with);
            if let Some(right) = out.dispatched_right {
                rows[k].0 += 1;
                rows[k].1 += right as usize;
            }
            if let Some(s) = out.confirm_s {
                rows[k].2.push(s);
            }
            rows[k].3 += out.pings;
        }
    }
    outln!("model: {model}, {trials} single-fault trials, 30 % last gasps, 15 % callers");
    outln!(
        "{:<22}{:>12}{:>16}{:>14}{:>18}{:>12}",
        "engine",
        "dispatched",
        "to right device",
        "wrong share",
        "confirmed, median",
        "pings"
    );
    for (k, name) in ["evidence only", "with AMI pings"].iter().enumerate() {
        let (n, right, conf, pings) = &rows[k];
        let wrong = if *n > 0 {
            1.0 - *right as f64 / *n as f64
        } else {
            0.0
        };
        let med = median(conf.clone()).map_or("-".to_string(), |m| format!("{m:.0} s"));
        outln!(
            "{:<22}{:>12}{:>16}{:>13.1}%{:>18}{:>12}",
            name,
            n,
            right,
            wrong * 100.0,
            med,
            pings
        );
    }
    Ok(())
}
