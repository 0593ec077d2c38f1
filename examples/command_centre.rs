//! A storm on a fixture feeder, seen from the 95598 command centre: the engine locates
//! the outages, the work orders follow them, simulated crews are sent to the nearest
//! order, customers are told, and every half hour the supervision view is printed:
//! open orders, their due times, warnings and breaches. At the end: counts by zone and
//! by crew, statistics per department, the notices sent, and what callers were told.
//! A confirmed fault's restoration plan becomes a switching order beside its repair
//! order; the control room carries each out `--switch-after` minutes after it is raised
//! (the engine follows the switching), and the switching orders are listed at the end.
//!
//!     cargo run --release --example command_centre -- [--seed N] [--crews N] [--every MIN]
//!         [--switch-after MIN] [--model MODEL]
//!
//! The feeder is `fixtures/ieee123/eval_master.dss` (or `MODEL`, which needs bus
//! coordinates; `../shared/feeders/ieee8500/eval_master.dss` has normally-open ties)
//! with service zones and critical customers set for the demonstration; the storm
//! comes from the crate's simulator.

#[path = "common/crew_sim.rs"]
mod crew_sim;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::inference::OutageCause;
use outage_locator::service::{
    CommandCentreOptions, Geometry, LimitState, Notice, NoticeKind, Progress, WorkOrderChange,
};
use outage_locator::*;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, outln};

const USAGE: &str = "command_centre [--seed N] [--crews N] [--every MINUTES]
    [--switch-after MINUTES] [--model MODEL]

Plays a storm on fixtures/ieee123/eval_master.dss through the command centre with
simulated crews and prints the supervision view as it goes, then the day's counts
and the switching orders raised from confirmed faults' restoration plans.

  --seed N           the storm's seed (default 7)
  --crews N          simulated crews (default 4)
  --every MINUTES    how often the supervision view is printed (default 30)
  --switch-after MINUTES
                     a switching order is carried out this long after it is raised
                     (default 15)
  --model MODEL      another feeder, with bus coordinates (the IEEE 8500 feeder has
                     normally-open ties)";

struct Opts {
    seed: u64,
    crews: usize,
    every: i64,
    switch_after: i64,
    model: Option<String>,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let mut o = Opts {
        seed: 7,
        crews: 4,
        every: 30,
        switch_after: 15,
        model: None,
    };
    while let Some(arg) = args.next()? {
        match arg {
            Long("seed") => o.seed = args.value()?,
            Long("crews") => o.crews = args.value()?,
            Long("every") => o.every = args.value()?,
            Long("switch-after") => o.switch_after = args.value()?,
            Long("model") => o.model = Some(args.value()?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(o)
}

fn hhmm(t: Timestamp) -> String {
    t.to_string()[11..16].to_string()
}

fn minutes(ms: Millis) -> String {
    let m = ms as f64 / MINUTE as f64;
    if m.abs() >= 120.0 {
        format!("{:+.1}h", m / 60.0)
    } else {
        format!("{m:+.0}m")
    }
}

fn table(cc: &CommandCentre) {
    let net = cc.network();
    let now = cc.engine().clock();
    let orders = cc.orders();
    let rows = orders.supervision(now);
    let faults = cc
        .engine()
        .open_outages()
        .filter(|o| o.cause == OutageCause::Fault)
        .count();
    outln!();
    outln!(
        "== {} ==  open fault outages {faults}, open orders {}, about to breach {}, breached {}",
        now,
        rows.len(),
        orders.about_to_breach(now).len(),
        orders.breached(now).len()
    );
    if rows.is_empty() {
        outln!("   (no open orders)");
        return;
    }
    outln!(
        "   {:<5} {:<22} {:<7} {:<9} {:<10} {:<5} {:>5} {:<12} {:>6} {:>7}  {:<8} {:>5}",
        "order",
        "device",
        "zone",
        "priority",
        "state",
        "crew",
        "cust",
        "next limit",
        "due",
        "slack",
        "status",
        "ETR"
    );
    for r in rows {
        let (limit, due, slack) = match r.next {
            Some(l) => (l.kind.to_string(), hhmm(l.due), minutes(l.due.0 - now.0)),
            None => ("-".to_string(), "-".into(), "".into()),
        };
        let status = match r.alarm {
            LimitState::Overdue => "BREACHED",
            LimitState::Warning => "WARNING",
            _ => "ok",
        };
        let cust = if r.critical > 0 {
            format!("{}!", r.customers)
        } else {
            r.customers.to_string()
        };
        outln!(
            "   {:<5} {:<22} {:<7} {:<9} {:<10} {:<5} {:>5} {:<12} {:>6} {:>7}  {:<8} {:>5}",
            r.order.to_string(),
            net.outage_device_name(r.device),
            r.zone,
            r.priority,
            r.state,
            r.crew.map_or("-".into(), |c| c.to_string()),
            cust,
            limit,
            due,
            slack,
            status,
            r.etr.map_or("-".into(), |e| hhmm(e.at)),
        );
    }
}

/// Carries out every open switching order raised `after` ago or earlier: the control
/// room's remote switching, reported to the engine.
fn carry_out_switching(cc: &mut CommandCentre, after: Millis, alerts: &mut Vec<String>) {
    let now = cc.engine().clock();
    let due: Vec<_> = cc
        .switching()
        .orders()
        .iter()
        .filter(|s| s.closed.is_none() && now.0 - s.opened.0 >= after)
        .map(|s| s.id)
        .collect();
    for id in due {
        let before = cc.switching().order(id).outage;
        let held = cc.engine().outage(before).map_or(0, |o| o.customers);
        cc.execute_switching(id, now);
        let left = cc.engine().outage(before).map_or(0, |o| o.customers);
        alerts.push(format!(
            "{} SWITCHED {id} for {before}: {held} customers off before, {left} after",
            hhmm(now)
        ));
    }
}

/// The switching orders raised: the plan's steps, the repair order they stand beside,
/// and how each closed.
fn switching_orders(cc: &CommandCentre) {
    let net = cc.network();
    let now = cc.engine().clock();
    let c = cc.switching().supervision(now);
    outln!(
        "\n== Switching orders ==  open {}, warning {}, breached {}",
        c.open,
        c.warning,
        c.breached
    );
    for s in cc.switching().orders() {
        let steps: Vec<String> = s
            .steps
            .iter()
            .map(|st| {
                let op = if st.open { "open" } else { "close" };
                format!("{op} {}", net.outage_device_name(st.device))
            })
            .collect();
        let closed = s.closed.map_or("open".to_string(), |(t, why)| {
            format!("{why:?} {}", hhmm(t))
        });
        outln!(
            "   {:<4} {} fault {:<22} repair {:<4} {:>4} customers back  due {}  {:<18} {}",
            s.id.to_string(),
            s.outage,
            net.outage_device_name(s.fault),
            s.repair.map_or("-".into(), |w| w.to_string()),
            s.customers,
            hhmm(s.due),
            closed,
            steps.join(", ")
        );
    }
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(o: Opts) -> Result<(), Stop> {
    let (seed, n_crews, every) = (o.seed, o.crews, o.every.max(1) * MINUTE);
    let switch_after = o.switch_after * MINUTE;
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    let path = o.model.as_deref().unwrap_or(fixture);
    let (net, _) = load_network(path).map_err(|e| format!("{path}: {e}"))?;
    let net = Arc::new(crew_sim::with_zones(&net));
    let scenario = Simulator::new(&net)
        .unwrap()
        .run(&SimulationOptions::for_profile(Profile::Storm), seed);
    let true_faults = scenario.truth.faults().count();

    let mut opts = CommandCentreOptions::default();
    opts.orders.open_after = Replay::ORDER_AFTER;
    // The IEEE feeders' coordinates are in feet.
    opts.orders.geometry = Geometry::Planar {
        metres_per_unit: 0.3048,
    };
    let mut cc = CommandCentre::new(Arc::clone(&net), EngineOptions::default(), opts).unwrap();
    for crew in crew_sim::crews_over(&net, n_crews) {
        cc.orders_mut().add_crew(crew);
    }
    let sim = crew_sim::CrewSim::default();
    outln!(
        "Storm on {} ({} customers, {} critical), seed {seed}: {} events, {true_faults} faults; {n_crews} crews.",
        net.name(),
        net.customers().len(),
        net.customers().iter().filter(|c| c.critical).count(),
        scenario.events.len()
    );

    let mut notices: Vec<Notice> = Vec::new();
    let mut alerts: Vec<String> = Vec::new();
    let mut next_view: Option<Timestamp> = None;
    let mut callers = Vec::new();
    let mut answered = false;
    for &ev in &scenario.events {
        if let Evidence::Call { customer, .. } = ev.evidence {
            callers.push(customer);
        }
        cc.ingest(ev);
        let out = cc.last();
        notices.extend_from_slice(out.notices);
        let now = cc.engine().clock();
        for ch in out.orders {
            match *ch {
                WorkOrderChange::Warning { order, limit } => {
                    alerts.push(format!("{} WARNING  {order} {} due soon", hhmm(now), limit))
                }
                WorkOrderChange::Breached { order, limit } => {
                    alerts.push(format!("{} BREACHED {order} {} limit", hhmm(now), limit))
                }
                _ => {}
            }
        }
        sim.step(&mut cc, &mut notices);
        carry_out_switching(&mut cc, switch_after, &mut alerts);
        let view_at = *next_view.get_or_insert(now + every);
        if now >= view_at {
            for a in alerts.drain(..) {
                outln!("   ! {a}");
            }
            table(&cc);
            next_view = Some(view_at + every);
            if !answered && now.0 - scenario.events[0].time.0 >= 60 * MINUTE {
                answered = true;
                outln!("\n   What the last three callers are told now:");
                let mut last: Vec<CustomerId> = Vec::new();
                for &c in callers.iter().rev() {
                    if !last.contains(&c) {
                        last.push(c);
                    }
                    if last.len() == 3 {
                        break;
                    }
                }
                for c in last {
                    outln!("   {:<12} {}", net.customer(c).name, cc.answer(c).script());
                }
            }
        }
    }
    let out = cc.flush();
    notices.extend_from_slice(out.notices);
    for a in alerts.drain(..) {
        outln!("   ! {a}");
    }
    table(&cc);

    let now = cc.engine().clock();
    let orders = cc.orders();
    outln!("\n== Open orders by zone ==");
    for (z, c) in orders.by_zone(now) {
        outln!(
            "   {:<7} open {:>3}  warning {:>3}  breached {:>3}",
            z,
            c.open,
            c.warning,
            c.breached
        );
    }
    outln!("\n== Open orders by crew ==");
    for (crew, c) in orders.by_crew(now) {
        let name = crew.map_or("(none)".to_string(), |c| c.to_string());
        outln!(
            "   {:<7} open {:>3}  warning {:>3}  breached {:>3}",
            name,
            c.open,
            c.warning,
            c.breached
        );
    }
    switching_orders(&cc);
    outln!("\n== Departments ==");
    outln!(
        "   {:<12} {:>6} {:>8} {:>8} {:>9} {:>13} {:>17}",
        "department",
        "orders",
        "decided",
        "on time",
        "breaches",
        "mean arrival",
        "mean restoration"
    );
    let mins = |m: Option<Millis>| {
        m.map_or("-".to_string(), |m| {
            format!("{:.0} min", m as f64 / MINUTE as f64)
        })
    };
    for s in orders
        .statistics(now)
        .into_iter()
        .chain([cc.switching().department_stats()])
    {
        outln!(
            "   {:<12} {:>6} {:>8} {:>8} {:>9} {:>13} {:>17}",
            s.department,
            s.orders,
            s.decided,
            s.on_time_rate
                .map_or("-".into(), |r| format!("{:.0} %", r * 100.0)),
            s.breaches,
            mins(s.mean_arrival),
            mins(s.mean_restoration)
        );
    }
    let opened = orders.orders().len();
    let merged = orders
        .orders()
        .iter()
        .filter(|w| w.merged_into.is_some())
        .count();
    outln!(
        "\n   {opened} orders opened, {merged} merged: {} for {true_faults} true faults; {} audit entries.",
        opened - merged,
        orders.audit().len()
    );
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for n in &notices {
        let e = by_kind.entry(n.kind.to_string()).or_default();
        e.0 += 1;
        e.1 += n.customers.len();
    }
    outln!("\n== Notices ==");
    for (k, (n, c)) in by_kind {
        outln!("   {k:<14} {n:>4} notices to {c:>5} customers");
    }
    if let Some(n) = notices
        .iter()
        .find(|n| n.kind == NoticeKind::Update && n.progress == Progress::CrewOnSite)
    {
        outln!(
            "   e.g. {} customers: \"{}\"",
            n.customers.len(),
            n.message()
        );
    }
    Ok(())
}
