//! The accuracy benchmark: the engine and the classic roll-up rule side by side on
//! generated scenarios, scored with the metrics of `../shared/eval/score.py`.
//!
//! `cargo run --release --example accuracy -- [SEEDS] [--customers N] [--model PATH]...`
//!
//! Networks: every fixture feeder (`fixtures/*/eval_master.dss`, else
//! `fixtures/*/master.dss`), a synthetic network of N customers
//! (default 20 000; `--customers 0` leaves it out) and any `--model` given. For each
//! profile (blue sky, busy, storm) and each network, SEEDS scenarios (default 4) are
//! generated and replayed through both engines, in parallel. Then the storm profile again
//! at the edges of the rate ranges: call probability 3 % and 40 % × last-gasp delivery
//! 0 % and 95 %.
//!
//! Columns: device precision and recall over all checkpoints; F1 at start + 5, 15 and
//! 30 min; the recall ceiling (share of true outages with any evidence of their own) and
//! recall against it; median and p90 time to detect (s); customer Jaccard; momentary
//! false positives; call classification accuracy; tickets per fault outage.

use std::path::PathBuf;
use std::time::Instant;

use std::collections::BTreeMap;

use outage_locator::metrics::{
    ClassOutcome, Conclusions, ScenarioScore, Summary, aggregate, diagnose, score,
};
use outage_locator::rollup::{Rollup, RollupOptions};
use outage_locator::simulate::CheckpointKind;
use outage_locator::simulate::{Profile, Scenario, SimulationOptions, Simulator};
use outage_locator::synth::{SyntheticNetworkOptions, synthetic_network};
use outage_locator::{EngineOptions, Network, OutageDeviceClass, Record, Replay, load_network};
use rayon::prelude::*;

struct Net {
    name: String,
    net: Network,
}

/// One scenario to run: which network, which options, which seed, and its table.
struct Job {
    net: usize,
    table: usize,
    row: String,
    opts: SimulationOptions,
    seed: u64,
}

struct Done {
    net: usize,
    table: usize,
    row: String,
    engine: ScenarioScore,
    rollup: ScenarioScore,
    events: usize,
    engine_s: f64,
    rollup_s: f64,
    /// Outcomes by device class at start + 15 min: engine, roll-up.
    diag: [BTreeMap<OutageDeviceClass, ClassOutcome>; 2],
}

fn engine_records<'n>(net: &'n Network, s: &Scenario) -> Vec<Record<'n>> {
    let mut replay =
        Replay::new(net, EngineOptions::default()).expect("the normal state is radial");
    let mut out = Vec::new();
    for &e in &s.events {
        out.extend_from_slice(replay.feed(e));
    }
    out.extend_from_slice(replay.finish());
    out
}

fn rollup_records<'n>(net: &'n Network, s: &Scenario) -> Vec<Record<'n>> {
    let mut r = Rollup::new(net, RollupOptions::default()).expect("the normal state is radial");
    let mut out = Vec::new();
    for &e in &s.events {
        out.extend_from_slice(r.feed(e));
    }
    out.extend_from_slice(r.finish());
    out
}

fn run(nets: &[Net], sims: &[Simulator<'_>], job: &Job) -> Done {
    let net = &nets[job.net].net;
    let sim = &sims[job.net];
    let s = sim.run(&job.opts, job.seed);
    let t = Instant::now();
    let eng = engine_records(net, &s);
    let engine_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rup = rollup_records(net, &s);
    let rollup_s = t.elapsed().as_secs_f64();
    let (eng, rup) = (
        Conclusions::from_records(&eng),
        Conclusions::from_records(&rup),
    );
    let sc = |c: &Conclusions| score(net, sim.view(), &s.truth, c, Some(&s.events));
    let dg = |c: &Conclusions| diagnose(net, sim.view(), &s.truth, c, CheckpointKind::Plus15);
    Done {
        diag: [dg(&eng), dg(&rup)],
        net: job.net,
        table: job.table,
        row: job.row.clone(),
        engine: sc(&eng),
        rollup: sc(&rup),
        events: s.events.len(),
        engine_s,
        rollup_s,
    }
}

/// (header, width, value) of each column.
fn columns(m: &Summary) -> Vec<(&'static str, String)> {
    let f = |v: Option<f64>, d: usize| v.map_or("-".to_string(), |v| format!("{v:.d$}"));
    let ratio = match m.recall_ceiling {
        Some(c) if c > 0.0 => Some(m.recall / c),
        _ => None,
    };
    vec![
        ("P", f(Some(m.precision), 3)),
        ("R", f(Some(m.recall), 3)),
        ("F1@5", f(m.f1_at[0], 3)),
        ("F1@15", f(m.f1_at[1], 3)),
        ("F1@30", f(m.f1_at[2], 3)),
        ("ceil", f(m.recall_ceiling, 3)),
        ("R/ceil", f(ratio, 3)),
        ("ttd50", f(m.ttd_median_s, 0)),
        ("ttd90", f(m.ttd_p90_s, 0)),
        ("Jacc", f(m.jaccard, 3)),
        ("momFP", m.momentary_fp.to_string()),
        ("calls", f(m.call_accuracy, 3)),
        ("tkt/f", f(m.tickets_per_fault, 2)),
        ("faults", m.fault_outages.to_string()),
    ]
}

fn print_table(title: &str, rows: &[(String, Summary)]) {
    println!("\n{title}");
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0) + 2;
    let Some(first) = rows.first() else { return };
    let mut line = format!("{:w0$}", "");
    for (h, _) in columns(&first.1) {
        line.push_str(&format!("{h:>7}"));
    }
    println!("{line}");
    for (name, m) in rows {
        let mut line = format!("{name:w0$}");
        for (_, v) in columns(m) {
            line.push_str(&format!("{v:>7}"));
        }
        println!("{line}");
    }
}

/// Where each engine goes wrong, by class of the truly out device, at start + 15 min.
fn print_diagnosis<'a>(profile: &str, done: impl Iterator<Item = &'a Done>) {
    let mut sum: [BTreeMap<OutageDeviceClass, ClassOutcome>; 2] = Default::default();
    for d in done {
        for (e, m) in d.diag.iter().enumerate() {
            for (class, o) in m {
                *sum[e].entry(*class).or_default() += o;
            }
        }
    }
    println!(
        "\n{profile}: true outages at the start + 15 min checkpoints by device class (pairs of \
         checkpoint and active outage), % found at the device, held too high (by an \
         ancestor), too low (by descendants only) or missed; false positives by class, and \
         the % of them misplaced (above or below a true outage)"
    );
    let head = ["true", "found", "high", "low", "missed", "FP", "misp"];
    let mut line = format!("{:14}", "");
    for e in ["engine", "roll-up"] {
        line.push_str(&format!(" | {e:^53}"));
    }
    println!("{line}");
    let mut line = format!("{:14}", "");
    for _ in 0..2 {
        line.push_str(" |");
        for h in head {
            line.push_str(&format!("{h:>7}"));
        }
        line.push_str("    ");
    }
    println!("{line}");
    let mut classes: Vec<OutageDeviceClass> = sum[0].keys().chain(sum[1].keys()).copied().collect();
    classes.sort();
    classes.dedup();
    let pc = |x: u64, n: u64| {
        if n == 0 {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * x as f64 / n as f64)
        }
    };
    for c in classes {
        let mut line = format!("{:14}", format!("{c:?}").to_lowercase());
        for m in &sum {
            let o = m.get(&c).copied().unwrap_or_default();
            line.push_str(&format!(
                " |{:>7}{:>7}{:>7}{:>7}{:>7}{:>7}{:>7}    ",
                o.truth,
                pc(o.found, o.truth),
                pc(o.above, o.truth),
                pc(o.below, o.truth),
                pc(o.missed, o.truth),
                o.false_pos,
                pc(o.false_pos_related, o.false_pos)
            ));
        }
        println!("{}", line.trim_end());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seeds = 4u64;
    let mut customers = 20_000usize;
    let mut models: Vec<PathBuf> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--customers" => {
                i += 1;
                customers = args
                    .get(i)
                    .and_then(|x| x.parse().ok())
                    .expect("--customers N");
            }
            "--model" => {
                i += 1;
                models.push(args.get(i).expect("--model PATH").into());
            }
            x => {
                seeds = x
                    .parse()
                    .expect("usage: accuracy [SEEDS] [--customers N] [--model PATH]...")
            }
        }
        i += 1;
    }
    let t0 = Instant::now();
    // The networks.
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    // Every fixture feeder: its `eval_master.dss` (the evaluation's protection), else
    // its `master.dss`.
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    ["eval_master.dss", "master.dss"]
                        .iter()
                        .map(|m| e.path().join(m))
                        .find(|p| p.exists())
                })
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.extend(models);
    let mut nets = Vec::new();
    for p in &paths {
        match load_network(p.to_str().unwrap_or_default()) {
            Ok((net, _)) => {
                let name = p
                    .parent()
                    .and_then(|d| d.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| net.name().to_string());
                nets.push(Net { name, net });
            }
            Err(e) => eprintln!("{}: {e}", p.display()),
        }
    }
    if customers > 0 {
        let net = synthetic_network(&SyntheticNetworkOptions {
            customers,
            seed: 1,
            ..Default::default()
        });
        nets.push(Net {
            name: format!("synthetic-{}k", customers / 1000),
            net,
        });
    }
    let sims: Vec<Simulator<'_>> = nets
        .iter()
        .map(|n| Simulator::new(&n.net).expect("the normal state is radial"))
        .collect();
    for (n, s) in nets.iter().zip(&sims) {
        eprintln!(
            "{}: {} customers, {} outage devices",
            n.name,
            s.view().customers_in_preorder().len(),
            s.view().preorder().len()
        );
    }
    // The jobs: each profile, then the storm at the edges of the rate ranges. Each
    // network gets seeds of its own (the same seed draws the same times and rates on
    // any network).
    let seed_of = |net: usize, seed: u64| 1000 * net as u64 + seed;
    let mut jobs = Vec::new();
    let mut titles = Vec::new();
    for (k, p) in Profile::ALL.into_iter().enumerate() {
        titles.push(format!("profile {}", p.as_str()));
        for net in 0..nets.len() {
            for seed in 1..=seeds {
                jobs.push(Job {
                    net,
                    table: k,
                    row: String::new(),
                    opts: SimulationOptions::for_profile(p),
                    seed: seed_of(net, seed),
                });
            }
        }
    }
    let edge = titles.len();
    titles.push("storm at the edges of the rate ranges (p_call, p_lg)".to_string());
    for p_call in [0.03, 0.40] {
        for p_lg in [0.0, 0.95] {
            for net in 0..nets.len() {
                for seed in 1..=seeds {
                    jobs.push(Job {
                        net,
                        table: edge,
                        row: format!("call {:.0}% lg {:.0}%", p_call * 100.0, p_lg * 100.0),
                        opts: SimulationOptions::for_profile(Profile::Storm)
                            .with_rates(p_call, p_lg),
                        seed: seed_of(net, seed),
                    });
                }
            }
        }
    }
    // Big scenarios first, so that the threads finish together.
    jobs.sort_by_key(|j| {
        std::cmp::Reverse((nets[j.net].net.customers().len(), j.opts.n_faults[1]))
    });
    let done: Vec<Done> = jobs.par_iter().map(|j| run(&nets, &sims, j)).collect();
    let events: usize = done.iter().map(|d| d.events).sum();
    let engine_s: f64 = done.iter().map(|d| d.engine_s).sum();
    let rollup_s: f64 = done.iter().map(|d| d.rollup_s).sum();
    println!(
        "accuracy: {} scenarios ({} seeds per profile and network), {} events; engine {:.1} s, roll-up {:.1} s of replay",
        done.len(),
        seeds,
        events,
        engine_s,
        rollup_s
    );
    for (k, title) in titles.iter().enumerate() {
        let mine: Vec<&Done> = done.iter().filter(|d| d.table == k).collect();
        let mut rows = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for d in &mine {
            if !groups.contains(&d.row) {
                groups.push(d.row.clone());
            }
        }
        groups.sort();
        for g in &groups {
            let prefix = if g.is_empty() {
                String::new()
            } else {
                format!("{g}  ")
            };
            let of = |net: Option<usize>, e: bool| -> Summary {
                let v: Vec<ScenarioScore> = mine
                    .iter()
                    .filter(|d| d.row == *g && net.is_none_or(|n| d.net == n))
                    .map(|d| {
                        if e {
                            d.engine.clone()
                        } else {
                            d.rollup.clone()
                        }
                    })
                    .collect();
                aggregate(&v)
            };
            rows.push((format!("{prefix}engine"), of(None, true)));
            rows.push((format!("{prefix}roll-up"), of(None, false)));
            if g.is_empty() {
                for (n, net) in nets.iter().enumerate() {
                    rows.push((format!("  {} engine", net.name), of(Some(n), true)));
                    rows.push((format!("  {} roll-up", net.name), of(Some(n), false)));
                }
            }
        }
        print_table(title, &rows);
    }
    for (k, p) in Profile::ALL.into_iter().enumerate() {
        print_diagnosis(p.as_str(), done.iter().filter(|d| d.table == k));
    }
    eprintln!("accuracy: {:.1} s", t0.elapsed().as_secs_f64());
}
