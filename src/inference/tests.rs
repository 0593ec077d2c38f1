//! The property the design rests on: on small device trees with random evidence, the
//! most probable explanation the dynamic programme keeps is the best of all 2^n
//! out-sets, enumerated by brute force under the same likelihood and priors.
//!
//! The brute force scores an out-set from the model's definition, customer by
//! customer: it reads the customers' raw evidence (flags, scopes, report and last-gasp
//! times), never the counts, A, B or flags the dynamic programme keeps.

use proptest::prelude::*;

use super::likelihood::{LG_COHERENCE, SILENCE_AT_HOLD, SILENCE_STEP, lognormal_cdf};
use super::state::{Flag, Flags};
use super::{Engine, EngineOptions};
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::network::{DeviceKind, Network, NetworkBuilder};
use crate::time::{MINUTE, Timestamp};

/// What feeds a bus of a generated tree from its parent's bus.
#[derive(Debug, Clone, Copy)]
enum Feed {
    /// A plain line: the bus is in its parent's outage zone.
    Line,
    /// A line with a protective device on it.
    Device(DeviceKind),
    /// A distribution transformer.
    Transformer,
}

/// A radial feeder: bus 0 is the source's, bus `i > 0` hangs below `feeds[i - 1].0`
/// (an earlier bus), and customer `k` is on bus `customers[k]`.
#[derive(Debug, Clone)]
struct Shape {
    feeds: Vec<(usize, Feed)>,
    customers: Vec<usize>,
}

impl Shape {
    fn network(&self) -> Network {
        let bus = |i: usize| format!("b{i}");
        let mut b = NetworkBuilder::new("tree");
        b.add_bus(&bus(0));
        b.add_source("circuit.tree", &bus(0)).unwrap();
        for (n, &(parent, feed)) in self.feeds.iter().enumerate() {
            let (i, from) = (n + 1, bus(parent));
            b.add_bus(&bus(i));
            let line = format!("line.l{i}");
            match feed {
                Feed::Transformer => {
                    b.add_transformer(&format!("transformer.t{i}"), &from, &bus(i), 0.24, 25.0)
                        .unwrap();
                }
                Feed::Line => {
                    b.add_line(&line, &from, &bus(i)).unwrap();
                }
                Feed::Device(kind) => {
                    b.add_line(&line, &from, &bus(i)).unwrap();
                    b.add_device(&format!("d{i}"), kind, &line).unwrap();
                }
            }
        }
        for (k, &at) in self.customers.iter().enumerate() {
            b.add_customer(&format!("c{k}"), &bus(at)).unwrap();
        }
        b.build().unwrap()
    }
}

fn feed() -> impl Strategy<Value = Feed> {
    prop_oneof![
        Just(Feed::Line),
        Just(Feed::Transformer),
        Just(Feed::Device(DeviceKind::Fuse)),
        Just(Feed::Device(DeviceKind::Recloser)),
        Just(Feed::Device(DeviceKind::Sectionalizer)),
        Just(Feed::Device(DeviceKind::Breaker)),
        Just(Feed::Device(DeviceKind::Switch)),
    ]
}

/// Trees of up to five buses below the source's and one to six customers: at most
/// twelve outage devices (the source, five devices, six services). Shrinks towards
/// fewer buses hung from the source and fewer customers on it.
fn shape() -> impl Strategy<Value = Shape> {
    (
        proptest::collection::vec((any::<prop::sample::Index>(), feed()), 0..=5),
        proptest::collection::vec(any::<prop::sample::Index>(), 1..=6),
    )
        .prop_map(|(feeds, customers)| Shape {
            customers: customers.iter().map(|c| c.index(feeds.len() + 1)).collect(),
            feeds: feeds
                .iter()
                .enumerate()
                .map(|(n, &(p, f))| (p.index(n + 1), f))
                .collect(),
        })
}

/// One generated event: seconds after the start, what, and which customer (an index
/// into the network's customers, taken modulo their number).
#[derive(Debug, Clone, Copy)]
enum Report {
    Call(CallDetail),
    LastGasp,
    PowerRestore,
    Ping(bool),
    Tick,
}

fn report() -> impl Strategy<Value = Report> {
    prop_oneof![
        3 => Just(Report::LastGasp),
        1 => Just(Report::Call(CallDetail::NoPower)),
        1 => Just(Report::Call(CallDetail::Partial)),
        1 => Just(Report::Call(CallDetail::WireDown)),
        1 => Just(Report::Call(CallDetail::Flicker)),
        2 => Just(Report::PowerRestore),
        1 => Just(Report::Ping(true)),
        1 => Just(Report::Ping(false)),
        1 => Just(Report::Tick),
    ]
}

/// Events at random times over two hours (not in time order: late events are part of
/// the stream), each with whether to check the engine after it.
fn events() -> impl Strategy<Value = Vec<(u32, Report, prop::sample::Index, bool)>> {
    proptest::collection::vec(
        (
            0u32..7200,
            report(),
            any::<prop::sample::Index>(),
            prop::bool::weighted(0.2),
        ),
        1..40,
    )
}

const T0: Timestamp = Timestamp(1_782_907_200_000); // 2026-07-01T12:00:00Z

fn event(net: &Network, (s, r, c, _): (u32, Report, prop::sample::Index, bool)) -> Event {
    let c = CustomerId::from(c.index(net.customers().len()));
    let evidence = match r {
        Report::Call(detail) => Evidence::Call {
            customer: c,
            detail,
        },
        Report::LastGasp => Evidence::LastGasp { meter: c },
        Report::PowerRestore => Evidence::PowerRestore { meter: c },
        Report::Ping(on) => Evidence::Ping { meter: c, on },
        Report::Tick => Evidence::Tick,
    };
    Event {
        time: T0 + s as i64 * 1000,
        evidence,
    }
}

/// A customer's flags as they count at `x` (at or above its service): nothing but its
/// absence when it is off for a known cause, and an on proof or an awaited restore
/// only below the customer's scope.
fn flags_at(e: &Engine, c: CustomerId, x: OutageDeviceId) -> Flags {
    let raw = e.st.bits[c.index()];
    let scope = e.st.scope[c.index()];
    if raw.has(Flag::Excluded) {
        Flags::of(Flag::Excluded)
    } else if scope != NONE && e.view.is_below(OutageDeviceId(scope), x) {
        raw.unscoped()
    } else {
        raw
    }
}

/// Whether off evidence counts at `x`.
fn reports_at(e: &Engine, x: OutageDeviceId) -> bool {
    e.view
        .customers_below(x)
        .iter()
        .any(|&c| flags_at(e, c, x).reporting())
}

/// The earliest report that counts at `r`: the earliest report time of the customers
/// below `r` whose flags, as they count at `r`, say they are off (so a still-dark
/// customer's report stops at the restored device that scopes it).
fn first_report(e: &Engine, r: OutageDeviceId) -> i64 {
    e.view
        .customers_below(r)
        .iter()
        .filter(|&&c| flags_at(e, c, r).reporting())
        .map(|c| e.st.report_at[c.index()].0)
        .min()
        .unwrap_or(i64::MAX)
}

/// The log-odds of "`r` out" against "everything on" by the model's definition, from
/// each customer below `r`: its flags as they count at `r`, the span of the last
/// gasps among them, the prior of `r`, and the silence of the others since the first
/// report.
fn log_odds_out(e: &Engine, r: OutageDeviceId) -> f64 {
    let w = &e.w;
    let (mut pop, mut call, mut weak, mut lg, mut ping_off, mut on, mut await_) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    let mut call_only = 0u32;
    let (mut lg_first, mut lg_last) = (i64::MAX, i64::MIN);
    for &c in e.view.customers_below(r) {
        let b = flags_at(e, c, r);
        if b.has(Flag::Excluded) {
            continue;
        }
        pop += 1;
        call += b.has(Flag::Call) as u32;
        weak += b.has(Flag::PartialCall) as u32;
        ping_off += b.has(Flag::PingOff) as u32;
        on += b.has(Flag::On) as u32;
        await_ += b.has(Flag::AwaitingRestore) as u32;
        call_only += b.call_only() as u32;
        if b.has(Flag::LastGasp) {
            lg += 1;
            lg_first = lg_first.min(e.st.lg_at[c.index()].0);
            lg_last = lg_last.max(e.st.lg_at[c.index()].0);
        }
    }
    // Last gasps further apart than the coherence window are not all r's: one is
    // another fault's or a stray (a service has one meter: its span is a point).
    let coherent = r.index() < e.nc || lg_last.saturating_sub(lg_first) <= LG_COHERENCE;
    let lg_counted = if lg >= 2 && !coherent { lg - 1 } else { lg };
    let mut s = e.lp_of(r)
        + call as f64 * w.call
        + weak as f64 * w.weak
        + lg_counted as f64 * w.lg
        + ping_off as f64 * w.ping_off
        + on as f64 * w.on
        + await_ as f64 * w.await_;
    let first = first_report(e, r);
    if first == i64::MAX {
        return s;
    }
    // The silent: their last gasps and calls overdue since the first report.
    let dt = (e.st.clock.0 - first).max(0);
    let base = pop.saturating_sub(on + await_ + ping_off) as f64;
    let silent_lg = (base - (lg + call_only) as f64).max(0.0);
    let silent_call = (base - (call + weak) as f64).max(0.0);
    let f_lg = (SILENCE_AT_HOLD
        + (1.0 - SILENCE_AT_HOLD) * (dt - e.opts.last_gasp_hold) as f64 / MINUTE as f64)
        .clamp(0.0, 1.0);
    let no_lg_by_now = (1.0 - w.p_lg * f_lg).max(1e-6).ln();
    let no_call_by_now = match e.call_silence.get((dt / SILENCE_STEP) as usize) {
        Some(&g) => g,
        None => {
            let f = lognormal_cdf(
                dt as f64,
                e.opts.call_delay_median as f64,
                e.opts.call_delay_sigma,
            );
            (1.0 - w.p_call * f).max(1e-6).ln()
        }
    };
    s += silent_lg * no_lg_by_now;
    s += call_only as f64 * w.ln_no_lg;
    s += silent_call * no_call_by_now;
    s
}

/// What the brute force finds: the best score, the out-sets within [`TIE`] of it, the
/// score of the engine's out-set, and per device the best score of the out-sets
/// within its subtree (the dynamic programme's A).
struct Brute {
    best: f64,
    tied: Vec<u32>,
    held: f64,
    subtree_best: Vec<f64>,
}

/// The brute force: the log-odds of every out-set against "everything on" (each
/// member's prior; the evidence below each member with no member above it), by
/// bitmask over the outage devices.
fn brute_force(e: &Engine, held: &[OutageDeviceId]) -> Brute {
    let n = e.net.outage_device_count();
    assert!(n <= 16, "{n} outage devices: too many to enumerate");
    // The definition above leaves SCADA lockouts out: these streams have none.
    assert!(e.st.forced.iter().all(|&f| !f));
    let devices: Vec<OutageDeviceId> = (0..n).map(OutageDeviceId::from).collect();
    let above: Vec<u32> = devices
        .iter()
        .map(|&d| {
            e.view
                .upstream(d)
                .skip(1)
                .fold(0, |m, a| m | 1 << a.index())
        })
        .collect();
    let prior: Vec<f64> = devices.iter().map(|&d| e.lp_of(d)).collect();
    let odds: Vec<f64> = devices.iter().map(|&d| log_odds_out(e, d)).collect();
    let score = |set: u32| -> f64 {
        (0..n)
            .filter(|&d| set & 1 << d != 0)
            .map(|d| {
                if set & above[d] == 0 {
                    odds[d]
                } else {
                    prior[d]
                }
            })
            .sum()
    };
    let scores: Vec<f64> = (0..1u32 << n).map(score).collect();
    let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tied = (0..1u32 << n)
        .filter(|&s| scores[s as usize] >= best - TIE)
        .collect();
    let held_set = held.iter().fold(0, |m, d| m | 1 << d.index());
    // A device's subtree: itself and every device with it above.
    let subtree_best = (0..n)
        .map(|d| {
            let sub = (0..n)
                .filter(|&x| x == d || above[x] & 1 << d != 0)
                .fold(0u32, |m, x| m | 1 << x);
            (0..1u32 << n)
                .filter(|&s| s & !sub == 0)
                .map(|s| scores[s as usize])
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    Brute {
        best,
        tied,
        held: score(held_set),
        subtree_best,
    }
}

/// Scores closer than this are a tie (the brute force adds in another order).
const TIE: f64 = 1e-6;

/// Checks the engine's best explanation against the brute force, after a refresh.
fn check(e: &mut Engine) -> Result<(), TestCaseError> {
    e.flush();
    let mpe = e.most_probable_outages();
    let Brute {
        best,
        tied,
        held,
        subtree_best,
    } = brute_force(e, &mpe);
    let mask = mpe.iter().fold(0u32, |m, d| m | 1 << d.index());
    prop_assert!(
        tied.contains(&mask),
        "engine holds {:?} scoring {}, the best is {} ({:?})",
        mpe,
        held,
        best,
        tied.iter()
            .map(|s| (0..32).filter(|d| s & 1 << d != 0).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    // The log-odds the dynamic programme compares are the definition's, wherever
    // there is evidence.
    for d in (0..e.net.outage_device_count()).map(OutageDeviceId::from) {
        if reports_at(e, d) {
            let (got, want) = (e.s_off(d), log_odds_out(e, d));
            prop_assert!((got - want).abs() < TIE, "S({:?}) = {} vs {}", d, got, want);
        }
        // And every device's A is the best of its subtree, with evidence of its own
        // or not (still-dark customers below a restored device give it one).
        let (got, want) = (e.a_of(d), subtree_best[d.index()]);
        prop_assert!((got - want).abs() < TIE, "A({:?}) = {} vs {}", d, got, want);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// On trees of up to twelve outage devices with random calls, last gasps,
    /// restores, pings and ticks at random times, the engine's most probable
    /// explanation after a refresh is a best out-set of all 2^n, and the dynamic
    /// programme's value at the sources is the best score.
    #[test]
    fn the_most_probable_explanation_is_the_best_of_every_out_set(
        shape in shape(),
        stream in events(),
        end in 0u32..3600,
    ) {
        let net = std::sync::Arc::new(shape.network());
        let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
        let mut last = T0;
        for &item in &stream {
            let ev = event(&net, item);
            last = last.max(ev.time);
            e.ingest(ev);
            if item.3 {
                check(&mut e)?;
            }
        }
        e.ingest(Event { time: last + end as i64 * 1000, evidence: Evidence::Tick });
        check(&mut e)?;
    }
}
