//! The accuracy benchmark: the engine and the classic roll-up rule side by side on
//! generated days, feeder by feeder, scored with the metrics of
//! `../shared/eval/score.py`.
//!
//! `cargo run --release --example accuracy -- [SEEDS] [--customers N] [--utility K] [--model PATH]...`
//!
//! Networks: every fixture feeder (`fixtures/*/eval_master.dss`, else
//! `fixtures/*/master.dss`), the synthetic network of N customers (default 20 000;
//! `--customers 0` leaves it out), K utility-shaped feeders of 2 000 to 4 000
//! customers each (default 4; `bench::synth::utility_network`: one to ten customers a
//! transformer, fuses below fuses, reclosers in series) and any `--model` given. Each
//! network gets SEEDS days (default 4) of each profile (blue sky, busy, storm), and the
//! utility-shaped feeders also busy and storm days whose rates are drawn per day from
//! ranges that cover utilities (`busy_ranged`, `storm_ranged`). Days run in parallel;
//! a line on standard error tells each finished block of days (a profile on a network).
//!
//! One table per profile, three rows per network (the engine, the engine with AMI
//! pings through a simulated head-end answering from the day's supply truth, as
//! `replay --ami` runs it, and the roll-up) and three over the utility-shaped feeders
//! together. Columns: device precision and recall over all
//! checkpoints; F1 at start + 5, 15 and 30 min; the recall ceiling (share of true
//! outages with any evidence of their own) and recall against it; median time to
//! detect (s); customer Jaccard; momentary false positives; call classification
//! accuracy; tickets per fault outage; work orders one by one: the share at a true
//! fault, orders per fault they found, the share of reported faults given an order;
//! fault outages; pings sent per fault outage. Then, per profile, where each engine goes wrong by device class.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[path = "common/cli.rs"]
mod cli;
use cli::{Long, Stop, Value, outln};

use outage_locator::bench::metrics::{
    ClassOutcome, Conclusions, ScenarioScore, Summary, aggregate, diagnose, score,
};
use outage_locator::bench::rollup::{Rollup, RollupOptions};
use outage_locator::bench::simulate::{CheckpointKind, Profile, SimulationOptions, Simulator};
use outage_locator::bench::synth::{
    SyntheticNetworkOptions, UtilityNetworkOptions, synthetic_network, utility_network,
};
use outage_locator::network::OutageDeviceClass;
use outage_locator::service::{PingBudget, SimulatedHeadEnd};
use outage_locator::{EngineOptions, Network, Record, Replay, load_network};
use rayon::prelude::*;

struct Net {
    name: String,
    net: Arc<Network>,
    /// A utility-shaped feeder.
    utility: bool,
}

/// A profile's days: its title and options, and whether only the utility-shaped
/// feeders get them.
struct Table {
    title: String,
    opts: SimulationOptions,
    utility_only: bool,
}

/// One day to run: which network, which table, which seed.
struct Job {
    net: usize,
    table: usize,
    seed: u64,
}

struct Done {
    net: usize,
    table: usize,
    engine: ScenarioScore,
    /// The engine with AMI pings.
    ami: ScenarioScore,
    rollup: ScenarioScore,
    events: usize,
    engine_s: f64,
    rollup_s: f64,
    /// Outcomes by device class at start + 15 min: engine, roll-up.
    diag: [BTreeMap<OutageDeviceClass, ClassOutcome>; 2],
}

/// The days of one table on one network, as they finish.
#[derive(Default)]
struct Block {
    done: u64,
    events: usize,
    replay_s: f64,
}

/// Counts finished days and tells each finished block on standard error.
struct Progress {
    /// The blocks by table and network, and how many are finished.
    blocks: Mutex<(Vec<Block>, usize)>,
    /// Blocks to run.
    total: usize,
    seeds: u64,
    networks: usize,
    start: Instant,
    /// Days done, on a terminal.
    bar: indicatif::ProgressBar,
}

impl Progress {
    fn finished(&self, d: &Done, tables: &[Table], nets: &[Net]) {
        let mut guard = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        let (blocks, finished) = &mut *guard;
        let b = &mut blocks[d.table * self.networks + d.net];
        b.done += 1;
        b.events += d.events;
        b.replay_s += d.engine_s + d.rollup_s;
        self.bar.inc(1);
        if b.done == self.seeds {
            *finished += 1;
            self.bar.suspend(|| {
                eprintln!(
                    "accuracy: [{}/{}] {} on {}: {} days, {} events, {:.1} s of replay; {:.0} s in",
                    finished,
                    self.total,
                    tables[d.table].title,
                    nets[d.net].name,
                    b.done,
                    b.events,
                    b.replay_s,
                    self.start.elapsed().as_secs_f64(),
                )
            });
        }
    }
}

fn engine_conclusions(
    net: &Arc<Network>,
    events: &[outage_locator::Event],
    head_end: Option<SimulatedHeadEnd>,
) -> Conclusions {
    let mut replay =
        Replay::new(Arc::clone(net), EngineOptions::default()).expect("the normal state is radial");
    if let Some(h) = head_end {
        replay = replay.with_head_end(Box::new(h), PingBudget::default());
    }
    let mut out = Conclusions::default();
    for &e in events {
        out.extend(replay.feed(e));
    }
    out.extend(replay.finish());
    out
}

fn rollup_records<'n>(net: &'n Network, events: &[outage_locator::Event]) -> Vec<Record<'n>> {
    let mut r = Rollup::new(net, RollupOptions::default()).expect("the normal state is radial");
    let mut out = Vec::new();
    for &e in events {
        out.extend_from_slice(r.feed(e));
    }
    out.extend_from_slice(r.finish());
    out
}

fn run(nets: &[Net], sims: &[Simulator<'_>], tables: &[Table], job: &Job) -> Done {
    let net = &nets[job.net].net;
    let sim = &sims[job.net];
    let s = sim.run(&tables[job.table].opts, job.seed);
    let t = Instant::now();
    let eng = engine_conclusions(net, &s.events, None);
    let engine_s = t.elapsed().as_secs_f64();
    let head_end = SimulatedHeadEnd::new(s.supply_table(net), 1);
    let ami = engine_conclusions(net, &s.events, Some(head_end));
    let t = Instant::now();
    let rup = Conclusions::from_records(&rollup_records(net, &s.events));
    let rollup_s = t.elapsed().as_secs_f64();
    let sc = |c: &Conclusions| score(net, sim.view(), &s.truth, c, Some(&s.events));
    let dg = |c: &Conclusions| diagnose(net, sim.view(), &s.truth, c, CheckpointKind::Plus15);
    Done {
        diag: [dg(&eng), dg(&rup)],
        net: job.net,
        table: job.table,
        engine: sc(&eng),
        ami: sc(&ami),
        rollup: sc(&rup),
        events: s.events.len(),
        engine_s,
        rollup_s,
    }
}

/// (header, value) of each column.
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
        ("Jacc", f(m.jaccard, 3)),
        ("momFP", m.momentary_fp.to_string()),
        ("calls", f(m.call_accuracy, 3)),
        ("tkt/f", f(m.tickets_per_fault, 2)),
        ("ord@f", f(m.orders_right, 3)),
        ("ord/ff", f(m.orders_per_covered_fault, 2)),
        ("rep+o", f(m.evidenced_faults_covered, 3)),
        ("ping/f", f(m.pings_per_fault, 1)),
        ("faults", m.fault_outages.to_string()),
    ]
}

fn print_table(title: &str, rows: &[(String, Summary)]) {
    outln!("\n{title}");
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0) + 2;
    let Some(first) = rows.first() else { return };
    let mut line = format!("{:w0$}", "");
    for (h, _) in columns(&first.1) {
        line.push_str(&format!("{h:>7}"));
    }
    outln!("{line}");
    for (name, m) in rows {
        let mut line = format!("{name:w0$}");
        for (_, v) in columns(m) {
            line.push_str(&format!("{v:>7}"));
        }
        outln!("{line}");
    }
}

/// Where each engine goes wrong, by class of the truly out device, at start + 15 min.
fn print_diagnosis<'a>(title: &str, done: impl Iterator<Item = &'a Done>) {
    let mut sum: [BTreeMap<OutageDeviceClass, ClassOutcome>; 2] = Default::default();
    for d in done {
        for (e, m) in d.diag.iter().enumerate() {
            for (class, o) in m {
                *sum[e].entry(*class).or_default() += o;
            }
        }
    }
    outln!(
        "\n{title}: true outages at the start + 15 min checkpoints by device class (pairs of \
         checkpoint and active outage), % found at the device, held too high (by an \
         ancestor), too low (by descendants only) or missed; false positives by class, and \
         the % of them misplaced (above or below a true outage)"
    );
    let head = ["true", "found", "high", "low", "missed", "FP", "misp"];
    let mut line = format!("{:14}", "");
    for e in ["engine", "roll-up"] {
        line.push_str(&format!(" | {e:^53}"));
    }
    outln!("{line}");
    let mut line = format!("{:14}", "");
    for _ in 0..2 {
        line.push_str(" |");
        for h in head {
            line.push_str(&format!("{h:>7}"));
        }
        line.push_str("    ");
    }
    outln!("{line}");
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
        outln!("{}", line.trim_end());
    }
}

/// The command line: seeds, the synthetic network's customers, the number of
/// utility-shaped feeders, and extra models.
struct Args {
    seeds: u64,
    customers: usize,
    utility: u64,
    models: Vec<PathBuf>,
}

const USAGE: &str = "accuracy [SEEDS] [--customers N] [--utility K] [--model PATH]...

The engine and the classic roll-up rule side by side on generated days: every fixture
feeder, a synthetic network and utility-shaped feeders, SEEDS days (default 4) of each
profile on each, scored with the metrics of ../shared/eval/score.py.

  --customers N   the synthetic network's customers (default 20000; 0 leaves it out)
  --utility K     utility-shaped feeders (default 4)
  --model PATH    another model (repeatable)";

fn parse(args: &mut cli::Args) -> Result<Args, Stop> {
    let mut a = Args {
        seeds: 4,
        customers: 20_000,
        utility: 4,
        models: Vec::new(),
    };
    while let Some(arg) = args.next()? {
        match arg {
            Long("customers") => a.customers = args.value()?,
            Long("utility") => a.utility = args.value()?,
            Long("model") => a.models.push(args.path()?),
            Value(v) => a.seeds = cli::parse(v, "SEEDS")?,
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(a)
}

/// Every fixture feeder (its `eval_master.dss`, the evaluation's protection, else its
/// `master.dss`), the extra models, the synthetic network and the utility-shaped
/// feeders, in that order (so that the old networks keep their seeds).
fn networks(a: &Args) -> Vec<Net> {
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
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
    paths.extend(a.models.iter().cloned());
    let mut nets = Vec::new();
    for p in &paths {
        match load_network(p.to_str().unwrap_or_default()) {
            Ok((net, _)) => {
                let name = p
                    .parent()
                    .and_then(|d| d.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| net.name().to_string());
                nets.push(Net {
                    name,
                    net: Arc::new(net),
                    utility: false,
                });
            }
            Err(e) => eprintln!("{}: {e}", p.display()),
        }
    }
    if a.customers > 0 {
        let net = synthetic_network(&SyntheticNetworkOptions {
            customers: a.customers,
            seed: 1,
            ..Default::default()
        });
        let name = format!("synthetic-{}k", a.customers / 1000);
        nets.push(Net {
            name,
            net: Arc::new(net),
            utility: false,
        });
    }
    for k in 1..=a.utility {
        // One feeder a network, tied to neighbours outside it.
        let net = utility_network(&UtilityNetworkOptions {
            seed: k,
            feeders_per_substation: 1..=1,
            customers_per_feeder: 2_000..=4_000,
            ..Default::default()
        });
        let name = format!(
            "utility-{k} ({:.1}k)",
            net.customers().len() as f64 / 1000.0
        );
        nets.push(Net {
            name,
            net: Arc::new(net),
            utility: true,
        });
    }
    nets
}

/// The profiles, then the ranged busy and storm days on the utility-shaped feeders.
fn tables() -> Vec<Table> {
    let mut t: Vec<Table> = Profile::ALL
        .into_iter()
        .map(|p| Table {
            title: format!("profile {p}"),
            opts: SimulationOptions::for_profile(p),
            utility_only: false,
        })
        .collect();
    for p in [Profile::Busy, Profile::Storm] {
        t.push(Table {
            title: format!("profile {p}_ranged (rates drawn per day)"),
            opts: SimulationOptions::ranged(p),
            utility_only: true,
        });
    }
    t
}

/// The days to run, big ones first so that the threads finish together. Each network
/// gets seeds of its own (the same seed draws the same times and rates on any
/// network).
fn jobs(nets: &[Net], tables: &[Table], seeds: u64) -> Vec<Job> {
    let seed_of = |net: usize, seed: u64| 1000 * net as u64 + seed;
    let mut jobs = Vec::new();
    for (k, table) in tables.iter().enumerate() {
        for (net, n) in nets.iter().enumerate() {
            if table.utility_only && !n.utility {
                continue;
            }
            jobs.extend((1..=seeds).map(|seed| Job {
                net,
                table: k,
                seed: seed_of(net, seed),
            }));
        }
    }
    jobs.sort_by_key(|j| {
        std::cmp::Reverse((
            nets[j.net].net.customers().len(),
            tables[j.table].opts.n_faults[1],
        ))
    });
    jobs
}

/// The rows of table `k`: engine and roll-up on each network it ran on, then on the
/// utility-shaped feeders together.
fn rows(nets: &[Net], table: &Table, k: usize, done: &[Done]) -> Vec<(String, Summary)> {
    // Which engine: 0 the engine, 1 with pings, 2 the roll-up.
    let of = |keep: &dyn Fn(usize) -> bool, which: usize| -> Summary {
        let v: Vec<ScenarioScore> = done
            .iter()
            .filter(|d| d.table == k && keep(d.net))
            .map(|d| [&d.engine, &d.ami, &d.rollup][which].clone())
            .collect();
        aggregate(&v)
    };
    let names = ["engine", "engine+ami", "roll-up"];
    let mut rows = Vec::new();
    for (n, net) in nets.iter().enumerate() {
        if table.utility_only && !net.utility {
            continue;
        }
        for (w, e) in names.iter().enumerate() {
            rows.push((format!("{} {e}", net.name), of(&|x| x == n, w)));
        }
    }
    if nets.iter().any(|n| n.utility) {
        let utility = |x: usize| nets[x].utility;
        for (w, e) in names.iter().enumerate() {
            rows.push((format!("utility-shaped {e}"), of(&utility, w)));
        }
    }
    rows
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, accuracy)
}

fn accuracy(a: Args) -> Result<(), Stop> {
    let t0 = Instant::now();
    let nets = networks(&a);
    let tables = tables();
    let sims: Vec<Simulator<'_>> = nets
        .iter()
        .map(|n| Simulator::new(&n.net).map_err(cli::at(&n.name)))
        .collect::<Result<_, _>>()?;
    for (n, s) in nets.iter().zip(&sims) {
        eprintln!(
            "{}: {} customers, {} outage devices, {} deep at most",
            n.name,
            s.view().customers_in_preorder().len(),
            s.view().preorder().len(),
            s.view().max_depth()
        );
    }
    let jobs = jobs(&nets, &tables, a.seeds);
    let progress = Progress {
        blocks: Mutex::new((
            (0..tables.len() * nets.len())
                .map(|_| Block::default())
                .collect(),
            0,
        )),
        total: jobs.len() / a.seeds.max(1) as usize,
        seeds: a.seeds,
        networks: nets.len(),
        start: t0,
        bar: cli::progress(jobs.len() as u64, "days"),
    };
    let done: Vec<Done> = jobs
        .par_iter()
        .map(|j| {
            let d = run(&nets, &sims, &tables, j);
            progress.finished(&d, &tables, &nets);
            d
        })
        .collect();
    progress.bar.finish_and_clear();
    let events: usize = done.iter().map(|d| d.events).sum();
    let engine_s: f64 = done.iter().map(|d| d.engine_s).sum();
    let rollup_s: f64 = done.iter().map(|d| d.rollup_s).sum();
    outln!(
        "accuracy: {} days ({} seeds per profile and network), {} events; engine {:.1} s, roll-up {:.1} s of replay",
        done.len(),
        a.seeds,
        events,
        engine_s,
        rollup_s
    );
    for (k, table) in tables.iter().enumerate() {
        print_table(&table.title, &rows(&nets, table, k, &done));
    }
    for (k, table) in tables.iter().enumerate() {
        print_diagnosis(&table.title, done.iter().filter(|d| d.table == k));
    }
    eprintln!("accuracy: {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
