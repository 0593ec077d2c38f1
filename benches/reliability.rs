//! The reliability layer on a year of a 1 M-customer network: the interruptions of
//! the year taken apart per customer and merged, the indices by network and feeder,
//! the daily SAIDI and the major event days (target: 1 s).
//!
//! The year is drawn at a utility's rates on the synthetic network: 60 outages a day
//! (more in summer, a storm day a month with five times as many), each at a random
//! customer's service or 1 to 4 devices above it (services 30 %, transformers 40 %,
//! laterals 25 %, above 5 %), lasting 10 minutes to 8 hours, one in ten partly restored
//! halfway, one in ten planned; ten momentaries a day at the devices four levels up.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use outage_locator::bench::synth::SplitMix64;
use outage_locator::reliability::{
    Grouping, IndexOptions, Interruption, InterruptionKind, Ledger, MomentaryEvent, Selection,
    major_event_days,
};
use outage_locator::{MINUTE, OutageDeviceId, Timestamp};

const DAY: i64 = 1440 * MINUTE;

/// The device `levels` steps above a random customer's service.
fn device_above(
    view: &outage_locator::EnergizationView,
    rng: &mut SplitMix64,
    n: u64,
    levels: usize,
) -> OutageDeviceId {
    let svc = OutageDeviceId(rng.below(n) as u32);
    view.upstream(svc).take(levels + 1).last().unwrap_or(svc)
}

fn year(
    view: &outage_locator::EnergizationView,
    n: u64,
) -> (Vec<Interruption>, Vec<MomentaryEvent>) {
    let mut rng = SplitMix64::new(common::SEED);
    let (mut ints, mut moms) = (Vec::new(), Vec::new());
    for day in 0..365i64 {
        let summer = (152..244).contains(&day);
        let storm = day % 30 == 17;
        let count = 60 * if storm { 5 } else { 1 } + if summer { 20 } else { 0 };
        for _ in 0..count {
            let u = rng.below(100);
            let levels = match u {
                0..30 => 0,
                30..70 => 1,
                70..95 => 2,
                _ => 3,
            };
            let d = device_above(view, &mut rng, n, levels);
            let start = day * DAY + rng.below(DAY as u64) as i64;
            let len = 10 * MINUTE + rng.below((470 * MINUTE) as u64) as i64;
            let k = view.customer_count_below(d);
            let mut steps = vec![(Timestamp(start), d, k)];
            if rng.below(10) == 0 {
                steps.push((Timestamp(start + len / 2), d, k / 2));
            }
            let kind = if rng.below(10) == 0 {
                InterruptionKind::Planned
            } else {
                InterruptionKind::Unplanned
            };
            ints.push(Interruption {
                kind,
                steps,
                end: Timestamp(start + len),
            });
        }
        for _ in 0..10 {
            let device = device_above(view, &mut rng, n, 4);
            let time = Timestamp(day * DAY + rng.below(DAY as u64) as i64);
            moms.push(MomentaryEvent { device, time });
        }
    }
    (ints, moms)
}

fn indices(c: &mut Criterion) {
    let net = common::synthetic(1_000_000);
    let view = common::normal_view(&net);
    let n = net.customers().len() as u64;
    let (ints, moms) = year(&view, n);
    let table = Grouping::Feeder.table(&net, &view);
    let one = Grouping::Network.table(&net, &view);
    let sel = Selection::new(Timestamp(0), Timestamp(365 * DAY));
    let run = || {
        let t = std::time::Instant::now();
        let mut l = Ledger::new(n as u32);
        for i in &ints {
            l.add_interruption(&view, i);
        }
        for m in &moms {
            l.add_momentary(m);
        }
        let added = t.elapsed();
        l.merge();
        let merged = t.elapsed();
        let med = major_event_days(&l.daily_saidi(0, 364)).expect("a year of interruptions");
        let opts = IndexOptions::default();
        let all = l.report(&view, &sel, Grouping::Feeder, (&table.0, &table.1), opts);
        let without = sel.clone().without_days(&med.days);
        let wo = l.report(&view, &without, Grouping::Network, (&one.0, &one.1), opts);
        let phases = [added, merged, t.elapsed()].map(|d| d.as_secs_f64());
        (
            all.unplanned.saifi,
            wo.unplanned.saidi,
            l.spans().len(),
            phases,
        )
    };
    let (saifi, saidi, spans, phases) = run();
    eprintln!(
        "1 M customers, {} interruptions, {} momentaries: {spans} customer interruptions, SAIFI {saifi:.3}, SAIDI without MED {saidi:.1} min; added, merged, reported at {phases:.3?} s",
        ints.len(),
        moms.len()
    );
    let mut g = c.benchmark_group("reliability");
    g.sample_size(10);
    g.bench_function("year_1m_customers_indices_and_med", |b| b.iter(run));
    g.bench_function("feeder_grouping_table_1m", |b| {
        b.iter(|| Grouping::Feeder.table(&net, &view).1.len())
    });
    g.finish();
}

criterion_group!(benches, indices);
criterion_main!(benches);
