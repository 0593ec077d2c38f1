//! Simulated years: one scenario a day through the crate's simulator, with seasons
//! and storm days, replayed through the engine; the indices from the engine's records
//! and from the simulator's truth side by side.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde_json::json;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator, Truth, TruthCause};
use outage_locator::map::{DeviceOutages, daily_saidi_svg, year_map_svg};
use outage_locator::network::Network;
use outage_locator::reliability::{
    Grouping, HotspotOptions, Hotspots, IndexOptions, Indices, Ledger, MajorEvents, ReplayOutput,
    Selection, Span, contract_report, day_of, find_hotspots, major_event_days,
};
use outage_locator::service::{EarlyWarningOptions, EarlyWarnings, WarningReason};
use outage_locator::topology::EnergizationView;
use outage_locator::{
    CustomerId, EngineOptions, MINUTE, OutageDeviceId, Replay, Timestamp, load_network,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const DAY: i64 = 1440 * MINUTE;
/// 2026-01-01T00:00:00Z.
const FIRST_DAY: i64 = 20454;

/// A small seeded generator for the calendar (the simulator seeds its own days).
struct Mix(u64);

impl Mix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The day's options by season: on most days nothing or one fault, more of them in
/// summer (thunderstorms) and winter (ice); now and then a storm day with many faults
/// (scaled to the feeder: one fault per 30 to 100 customers, at least 3).
fn day_options(day_of_year: i64, customers: usize, rng: &mut Mix) -> SimulationOptions {
    let (storm, fault) = match day_of_year {
        152..=243 => (0.03, 0.3),
        0..=58 | 335.. => (0.015, 0.25),
        _ => (0.008, 0.15),
    };
    if rng.unit() < storm {
        let lo = (customers as u32 / 100).max(3);
        let mut o = SimulationOptions::for_profile(Profile::Storm);
        o.n_faults = [lo, (customers as u32 / 30).max(lo)];
        return o;
    }
    let mut o = SimulationOptions::for_profile(Profile::BlueSky);
    let pick = |rng: &mut Mix, p: f64| if rng.unit() < p { [1, 1] } else { [0, 0] };
    o.n_faults = pick(rng, fault);
    o.momentaries = pick(rng, 0.03);
    o.planned = pick(rng, 0.04);
    o
}

/// One simulated day: its profile, its truth and the engine's output.
struct Day {
    profile: Profile,
    truth: Truth,
    output: ReplayOutput,
}

fn simulate_day(net: &std::sync::Arc<Network>, sim: &Simulator<'_>, seed: u64, i: i64) -> Res<Day> {
    let mut rng = Mix(seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
    let mut opts = day_options(i % 365, net.customers().len(), &mut rng);
    let profile = opts.profile;
    let hour = 6 + (rng.unit() * 12.0) as i64;
    opts.start = Timestamp((FIRST_DAY + i) * DAY + hour * 60 * MINUTE);
    let s = sim.run(&opts, seed.wrapping_mul(100_000).wrapping_add(i as u64));
    let mut csv = Vec::new();
    s.write_events_csv(net, &mut csv)?;
    let mut replay = Replay::new(std::sync::Arc::clone(net), EngineOptions::default())?;
    let mut out = Vec::new();
    replay.run(&csv[..], &mut out, &mut std::io::sink())?;
    Ok(Day {
        profile,
        output: ReplayOutput::read(&out[..])?,
        truth: s.truth,
    })
}

/// The truth's interruptions, customer by customer (transfers end a customer's span
/// when its tie closed).
fn truth_ledger(net: &Network, days: &[Day]) -> Ledger {
    let mut l = Ledger::new(net.customers().len() as u32);
    for d in days {
        for o in d
            .truth
            .outages
            .iter()
            .filter(|o| o.cause != TruthCause::Disconnect)
        {
            let kind = if o.cause == TruthCause::Planned {
                outage_locator::reliability::InterruptionKind::Planned
            } else {
                outage_locator::reliability::InterruptionKind::Unplanned
            };
            let end = o.end.unwrap_or(d.truth.end);
            let moved: HashMap<&str, Timestamp> = o
                .transfers
                .iter()
                .flat_map(|t| t.customers.iter().map(move |c| (c.as_str(), t.at)))
                .collect();
            let device = net
                .outage_device_by_name(&o.device)
                .unwrap_or(OutageDeviceId(0));
            for c in &o.customers {
                let Some(customer) = net.customer_by_name(c) else {
                    continue;
                };
                l.push_span(Span {
                    customer,
                    start: o.start,
                    end: moved.get(c.as_str()).copied().unwrap_or(end).min(end),
                    kind,
                    device,
                });
            }
        }
        for m in &d.truth.momentaries {
            if let Some(device) = net.outage_device_by_name(&m.device) {
                l.add_momentary(&outage_locator::reliability::MomentaryEvent {
                    device,
                    time: m.time,
                });
            }
        }
    }
    l.merge();
    l
}

fn engine_ledger(net: &Network, view: &EnergizationView, days: &[Day]) -> Ledger {
    let mut l = Ledger::new(net.customers().len() as u32);
    for d in days {
        let (ints, moms) = d.output.interruptions(net);
        for i in &ints {
            l.add_interruption(view, i);
        }
        for m in &moms {
            l.add_momentary(m);
        }
    }
    l.merge();
    l
}

/// A ledger's figures: indices by feeder and by zone, the major events, and the
/// indices without them.
fn figures(
    net: &Network,
    view: &EnergizationView,
    l: &Ledger,
    sel: &Selection,
) -> (
    serde_json::Value,
    Indices,
    Indices,
    Vec<(i64, f64)>,
    Option<MajorEvents>,
) {
    let (first, last) = (day_of(sel.from), day_of(Timestamp(sel.to.0 - 1)));
    let daily = l.daily_saidi(first, last);
    let med = (daily.len() >= 365)
        .then(|| major_event_days(&daily))
        .flatten();
    let med_days = med.as_ref().map_or(&[][..], |m| &m.days[..]);
    let opts = IndexOptions::default();
    let by = |g: Grouping, s: &Selection| {
        let (names, of) = g.table(net, view);
        l.report(view, s, g, (&names, &of), opts)
    };
    let all = by(Grouping::Feeder, sel);
    let without = by(Grouping::Feeder, &sel.clone().without_days(med_days));
    let zones = by(Grouping::Zone, sel);
    let v = json!({
        "all_days": all,
        "without_major_event_days": without,
        "by_zone": zones.groups,
        "major_events": med,
    });
    (v, all.unplanned, without.unplanned, daily, med)
}

/// Simulates `years` years and writes the folder.
pub fn run(model: &str, years: u32, seed: u64, out: &Path) -> Res<()> {
    let net = std::sync::Arc::new(load_network(model)?.0);
    let sim = Simulator::new(&net)?;
    let view = EnergizationView::normal(&net)?;
    let n_days = i64::from(years) * 365;
    let t0 = std::time::Instant::now();
    let bar = crate::cli::progress(n_days as u64, "days");
    let days: Vec<Day> = (0..n_days)
        .into_par_iter()
        .map(|i| {
            let day = simulate_day(&net, &sim, seed, i).map_err(|e| e.to_string());
            bar.inc(1);
            day
        })
        .collect::<Result<_, _>>()?;
    bar.finish_and_clear();
    eprintln!(
        "{n_days} days simulated and replayed in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    std::fs::create_dir_all(out)?;
    let sel = Selection::new(
        Timestamp(FIRST_DAY * DAY),
        Timestamp((FIRST_DAY + n_days) * DAY),
    );
    let t1 = std::time::Instant::now();
    let truth = truth_ledger(&net, &days);
    let engine = engine_ledger(&net, &view, &days);
    let (tv, t_all, t_wo, _, t_med) = figures(&net, &view, &truth, &sel);
    let (ev, e_all, e_wo, daily, med) = figures(&net, &view, &engine, &sel);
    // The engine's indices without the truth's major event days: the agreement of the
    // indices apart from the agreement of the two MED decisions.
    let t_days = t_med.as_ref().map_or(&[][..], |m| &m.days[..]);
    let (names, of) = Grouping::Network.table(&net, &view);
    let same = |l: &Ledger| {
        let s = sel.clone().without_days(t_days);
        l.report(
            &view,
            &s,
            Grouping::Network,
            (&names, &of),
            IndexOptions::default(),
        )
        .unplanned
    };
    let (t_same, e_same) = (same(&truth), same(&engine));
    eprintln!("indices in {:.3} s", t1.elapsed().as_secs_f64());
    let outputs: Vec<ReplayOutput> = days.iter().map(|d| d.output.clone()).collect();
    let contract = contract_report(&net, &view, &outputs);
    let (hotspots, warnings) = hotspots(&net, &view, &days, &sel);
    let storm = days.iter().filter(|d| d.profile == Profile::Storm).count();
    let table = agreement(&[
        ("all days", &t_all, &e_all),
        ("without each one's MED", &t_wo, &e_wo),
        ("without the truth's MED", &t_same, &e_same),
    ]);
    crate::cli::out!("{}", table.0);
    let indices = json!({
        "model": model, "years": years, "seed": seed, "days": n_days,
        "storm_days": storm,
        "customers_served": net.customers().len(),
        "engine": ev, "truth": tv, "agreement": table.1, "contract": contract,
        "early_warnings": {
            "statistics": warnings.department_stats(),
            "supervision_at_end": warnings.supervision(sel.to),
            "deduplicated": warnings.deduplicated(),
        },
    });
    std::fs::write(
        out.join("indices.json"),
        serde_json::to_string_pretty(&indices)?,
    )?;
    std::fs::write(
        out.join("hotspots.json"),
        serde_json::to_string_pretty(&hotspots_json(&net, &hotspots, &warnings))?,
    )?;
    std::fs::write(out.join("outages.csv"), outages_csv(&days))?;
    let title = format!(
        "Daily SAIDI (engine), {} — {years} year(s), seed {seed}",
        net.name()
    );
    std::fs::write(
        out.join("saidi.svg"),
        daily_saidi_svg(&daily, med.as_ref(), &title),
    )?;
    let per_device = device_outages(&net, &days);
    let title = format!("{} — outages and hotspots, {years} year(s)", net.name());
    std::fs::write(
        out.join("map.svg"),
        year_map_svg(&net, &per_device, &hotspots, &title),
    )?;
    Ok(())
}

/// The table of engine against truth, and the same as JSON.
fn agreement(rows: &[(&str, &Indices, &Indices)]) -> (String, serde_json::Value) {
    let mut s = String::from(
        "| days | index | truth | engine | engine/truth |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut v = serde_json::Map::new();
    for &(label, t, e) in rows {
        let mut m = serde_json::Map::new();
        for (name, a, b) in [
            ("saifi", t.saifi, e.saifi),
            ("saidi", t.saidi, e.saidi),
            ("caidi", t.caidi, e.caidi),
            ("caifi", t.caifi, e.caifi),
            ("maifi_e", t.maifi_e, e.maifi_e),
            ("cemi_3", t.cemi_n, e.cemi_n),
            ("celid_t_8h", t.celid_t, e.celid_t),
        ] {
            let ratio = if a > 0.0 { b / a } else { f64::NAN };
            let _ = writeln!(s, "| {label} | {name} | {a:.4} | {b:.4} | {ratio:.3} |");
            m.insert(name.into(), json!({"truth": a, "engine": b, "ratio": if ratio.is_finite() { json!(ratio) } else { json!(null) }}));
        }
        v.insert(label.into(), m.into());
    }
    (s, v.into())
}

/// Hotspots from the engine's fault outages and unexplained calls, and the early
/// warnings raised as the days went by (an inspection takes 12 to 96 hours).
fn hotspots(
    net: &Network,
    view: &EnergizationView,
    days: &[Day],
    sel: &Selection,
) -> (Hotspots, EarlyWarnings) {
    // Calls cluster within 5 % of the model's extent (coordinates come in feet,
    // metres or degrees).
    let pts: Vec<[f64; 2]> = net.buses().iter().filter_map(|b| b.position).collect();
    let extent = pts
        .iter()
        .fold([f64::MAX, f64::MIN, f64::MAX, f64::MIN], |e, p| {
            [
                e[0].min(p[0]),
                e[1].max(p[0]),
                e[2].min(p[1]),
                e[3].max(p[1]),
            ]
        });
    let opts = HotspotOptions {
        radius: 0.05 * (extent[1] - extent[0]).hypot(extent[3] - extent[2]),
        ..HotspotOptions::default()
    };
    let mut faults = Vec::new();
    let mut calls = Vec::new();
    for d in days {
        let (ints, _) = d.output.interruptions(net);
        for i in ints
            .iter()
            .filter(|i| i.kind == outage_locator::reliability::InterruptionKind::Unplanned)
        {
            if i.end.0 - i.steps[0].0.0 > 5 * MINUTE {
                let peak = i.steps.iter().map(|s| s.2).max().unwrap_or(0);
                faults.push((i.steps[0].1, i.steps[0].0, peak));
            }
        }
        for (t, c, cause) in &d.output.calls {
            if let Some(c) = net.customer_by_name(c).filter(|_| cause == "none") {
                calls.push((c, *t));
            }
        }
    }
    eprintln!(
        "{} sustained faults, {} calls no outage explained",
        faults.len(),
        calls.len()
    );
    faults.sort_by_key(|f| f.1);
    let mut warnings = EarlyWarnings::new(EarlyWarningOptions::default());
    let mut recent: HashMap<OutageDeviceId, VecDeque<Timestamp>> = HashMap::new();
    let mut closing: Vec<(Timestamp, outage_locator::service::EarlyWarningId)> = Vec::new();
    let mut rng = Mix(7);
    for &(d, t, _) in &faults {
        closing.retain(|&(at, id)| {
            if at <= t {
                warnings.close(id, at);
            }
            at > t
        });
        let q = recent.entry(d).or_default();
        q.push_back(t);
        while q.front().is_some_and(|&f| t.0 - f.0 > opts.window) {
            q.pop_front();
        }
        if q.len() >= opts.faults {
            let reason = WarningReason::RepeatedFaults {
                faults: q.len() as u32,
            };
            if let Some(id) = warnings.raise(d, reason, t) {
                let hours = 12.0 + rng.unit() * 84.0;
                closing.push((Timestamp(t.0 + (hours * 60.0) as i64 * MINUTE), id));
            }
        }
    }
    for (at, id) in closing.into_iter().filter(|c| c.0 <= sel.to) {
        warnings.close(id, at);
    }
    let found = find_hotspots(net, &faults, &calls, sel.to, &opts);
    for c in &found.calls {
        let device = common_device(view, &c.customers);
        let reason = WarningReason::RepeatedCalls {
            callers: c.customers.len() as u32,
        };
        warnings.raise(device, reason, c.last);
    }
    (found, warnings)
}

/// The lowest outage device above every one of the customers.
fn common_device(view: &EnergizationView, customers: &[CustomerId]) -> OutageDeviceId {
    let first = OutageDeviceId(customers[0].0);
    let mut last = first;
    for d in view.upstream(first) {
        last = d;
        if customers
            .iter()
            .all(|c| view.is_below(OutageDeviceId(c.0), d))
        {
            return d;
        }
    }
    last
}

fn hotspots_json(net: &Network, h: &Hotspots, w: &EarlyWarnings) -> serde_json::Value {
    let name = |d: OutageDeviceId| net.outage_device_name(d).to_string();
    json!({
        "devices": h.devices.iter().map(|d| json!({
            "device": name(d.device), "faults": d.faults, "customers": d.customers,
            "first": d.first.to_string(), "last": d.last.to_string(), "score": d.score,
        })).collect::<Vec<_>>(),
        "call_clusters": h.calls.iter().map(|c| json!({
            "centre": c.centre, "calls": c.calls, "customers": c.customers.len(),
            "first": c.first.to_string(), "last": c.last.to_string(), "score": c.score,
        })).collect::<Vec<_>>(),
        "early_warnings": w.orders().iter().map(|o| json!({
            "order": o.id.to_string(), "kind": "preventive_inspection", "device": name(o.device),
            "reason": o.reason, "opened": o.opened.to_string(), "due": o.due.to_string(),
            "closed": o.closed.map(|t| t.to_string()), "repeats": o.repeats,
        })).collect::<Vec<_>>(),
    })
}

/// `source,day,outage,device,cause,start,end,customers,customer_minutes`: the engine's
/// outages (peak customers) and the true ones.
fn outages_csv(days: &[Day]) -> String {
    let mut s =
        String::from("source,day,outage,device,cause,start,end,customers,customer_minutes\n");
    for (i, d) in days.iter().enumerate() {
        let last = d.output.span.map_or(Timestamp(0), |x| x.1);
        for (k, o) in d
            .output
            .outages
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.retracted && !o.steps.is_empty())
        {
            let end = o.closed.unwrap_or(last);
            let peak = o.steps.iter().map(|x| x.2).max().unwrap_or(0);
            let mut cm = 0.0;
            for (j, st) in o.steps.iter().enumerate() {
                let until = o.steps.get(j + 1).map_or(end, |n| n.0);
                cm += f64::from(st.2) * (until.0 - st.0.0) as f64 / MINUTE as f64;
            }
            let _ = writeln!(
                s,
                "engine,{i},O{},{},{},{},{end},{peak},{cm:.1}",
                k + 1,
                o.steps[0].1,
                o.cause,
                o.steps[0].0
            );
        }
        for o in &d.truth.outages {
            let end = o.end.unwrap_or(d.truth.end);
            let cm = f64::from(o.n_customers) * (end.0 - o.start.0) as f64 / MINUTE as f64;
            let cause = serde_json::to_value(o.cause)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "truth,{i},{},{},{cause},{},{end},{},{cm:.1}",
                o.id, o.device, o.start, o.n_customers
            );
        }
    }
    s
}

/// The engine's sustained outages per device, for the map.
fn device_outages(net: &Network, days: &[Day]) -> Vec<DeviceOutages> {
    let mut by: HashMap<OutageDeviceId, DeviceOutages> = HashMap::new();
    for d in days {
        let (ints, _) = d.output.interruptions(net);
        for i in ints
            .iter()
            .filter(|i| i.end.0 - i.steps[0].0.0 > 5 * MINUTE)
        {
            let device = i.steps[0].1;
            let e = by.entry(device).or_insert(DeviceOutages {
                device,
                outages: 0,
                customer_minutes: 0.0,
            });
            e.outages += 1;
            for (k, st) in i.steps.iter().enumerate() {
                let until = i.steps.get(k + 1).map_or(i.end, |n| n.0);
                e.customer_minutes += f64::from(st.2) * (until.0 - st.0.0) as f64 / MINUTE as f64;
            }
        }
    }
    let mut v: Vec<DeviceOutages> = by.into_values().collect();
    v.sort_by_key(|d| d.device);
    v
}
