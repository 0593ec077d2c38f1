//! The indices on a hand-worked example, and their identities on random histories.

use proptest::prelude::*;

use super::*;
use crate::ids::OutageDeviceId;
use crate::network::{CustomerClass, DeviceKind, Network, NetworkBuilder, ServiceZone};
use crate::time::{MINUTE, Timestamp};
use crate::topology::EnergizationView;

/// A source, a breaker B with five customers right below it (a0..a4), and a fuse F
/// below B with five more (f0..f4): ten customers served.
fn feeder() -> Network {
    let mut b = NetworkBuilder::new("hand");
    for bus in ["b0", "b1", "b2"] {
        b.add_bus(bus);
    }
    b.add_source("circuit.hand", "b0").unwrap();
    b.add_line("line.l1", "b0", "b1").unwrap();
    b.add_device("brk", DeviceKind::Breaker, "line.l1").unwrap();
    b.add_line("line.l2", "b1", "b2").unwrap();
    b.add_device("fz", DeviceKind::Fuse, "line.l2").unwrap();
    for k in 0..5 {
        b.add_customer(&format!("a{k}"), "b1").unwrap();
    }
    for k in 0..5 {
        b.add_customer(&format!("f{k}"), "b2").unwrap();
    }
    b.build().unwrap()
}

fn at(min: i64) -> Timestamp {
    Timestamp(min * MINUTE)
}

fn fault(steps: &[(i64, OutageDeviceId, u32)], end: i64) -> Interruption {
    Interruption {
        kind: InterruptionKind::Unplanned,
        steps: steps.iter().map(|&(t, d, c)| (at(t), d, c)).collect(),
        end: at(end),
    }
}

/// Ten customers over one week (minutes from the start):
///
/// 1. B out 0–60: all ten.
/// 2. F out 10–90, nested in 1: F's five customers were off already, so each of them
///    has one interruption 0–90 (90 min), not two.
/// 3. F out 1000–1060, partly restored at 1020 to 3 customers: two of F's customers
///    are off 20 min, three are off 60 min.
/// 4. Planned: B out 2000–2120, all ten, 120 min (reported apart).
/// 5. A momentary record on B at 3000: ten customer momentaries.
/// 6. F out 4000–4003: 3 min, not sustained: five more customer momentaries.
/// 7. a0's own service out 5000–5010: 10 min.
///
/// Unplanned, sustained, per customer:
///
/// | customers | interruptions | minutes |
/// | --- | --- | --- |
/// | a1..a4 (4) | 1 (event 1) | 60 |
/// | a0 | 2 (1, 7) | 60 + 10 = 70 |
/// | three of F's | 2 (1+2, 3) | 90 + 60 = 150 |
/// | two of F's | 2 (1+2, 3) | 90 + 20 = 110 |
///
/// CI = 4 + 2 + 3·2 + 2·2 = 16; CM = 4·60 + 70 + 3·150 + 2·110 = 980.
/// SAIFI = 16/10 = 1.6; SAIDI = 980/10 = 98; CAIDI = 980/16 = 61.25; CN = 10, so
/// CAIFI = 1.6 and CTAIDI = 98; ASAI = 1 − 980/(10 · 10 080) = 0.990 277 7…;
/// MAIFI_E = (10 + 5)/10 = 1.5; CEMI_1 (more than one): a0 and F's five = 0.6;
/// CELID at 100 min: no single interruption that long (CELID-s = 0), F's five off
/// 110 or 150 in all (CELID-t = 0.5). Planned: CI = 10, CM = 1200, SAIFI = 1,
/// SAIDI = 120, CAIDI = 120.
#[test]
fn hand_worked_week() {
    let net = feeder();
    let view = EnergizationView::normal(&net).unwrap();
    let f_svc = OutageDeviceId(net.customer_by_name("f0").unwrap().0);
    let fz = view.parent(f_svc).unwrap();
    let brk = view.parent(fz).unwrap();
    let a0 = OutageDeviceId(net.customer_by_name("a0").unwrap().0);
    assert_eq!(view.customer_count_below(brk), 10);
    assert_eq!(view.customer_count_below(fz), 5);

    let mut ledger = Ledger::new(10);
    ledger.add_interruption(&view, &fault(&[(0, brk, 10)], 60));
    ledger.add_interruption(&view, &fault(&[(10, fz, 5)], 90));
    ledger.add_interruption(&view, &fault(&[(1000, fz, 5), (1020, fz, 3)], 1060));
    let mut planned = fault(&[(2000, brk, 10)], 2120);
    planned.kind = InterruptionKind::Planned;
    ledger.add_interruption(&view, &planned);
    ledger.add_momentary(&MomentaryEvent {
        device: brk,
        time: at(3000),
    });
    ledger.add_interruption(&view, &fault(&[(4000, fz, 5)], 4003));
    ledger.add_interruption(&view, &fault(&[(5000, a0, 1)], 5010));
    ledger.merge();

    let sel = Selection::new(at(0), at(7 * 1440));
    let opts = IndexOptions {
        cemi_n: 1,
        celid_t: 100 * MINUTE,
    };
    let (names, of) = Grouping::Network.table(&net, &view);
    let r = ledger.report(&view, &sel, Grouping::Network, (&names, &of), opts);
    let u = r.unplanned;
    assert_eq!(u.customers_served, 10);
    assert_eq!(u.customer_interruptions, 16);
    assert_eq!(u.customer_minutes, 980.0);
    assert_eq!(u.saifi, 1.6);
    assert_eq!(u.saidi, 98.0);
    assert_eq!(u.caidi, 61.25);
    assert_eq!(u.customers_interrupted, 10);
    assert_eq!(u.caifi, 1.6);
    assert_eq!(u.ctaidi, 98.0);
    assert!((u.asai - (1.0 - 980.0 / 100_800.0)).abs() < 1e-15);
    assert_eq!(u.customer_momentaries, 15);
    assert_eq!(u.maifi_e, 1.5);
    assert_eq!(u.cemi_n, 0.6);
    assert_eq!(u.celid_s, 0.0);
    assert_eq!(u.celid_t, 0.5);
    let p = r.planned;
    assert_eq!((p.customer_interruptions, p.customer_minutes), (10, 1200.0));
    assert_eq!((p.saifi, p.saidi, p.caidi), (1.0, 120.0, 120.0));

    // The same week without its first day (minutes 0–1440): events 1 to 3 are gone,
    // event 7 (day 3) and the planned event 4 (day 1) stay.
    let r = ledger.report(
        &view,
        &sel.without_days(&[0]),
        Grouping::Network,
        (&names, &of),
        opts,
    );
    assert_eq!(r.unplanned.customer_interruptions, 1);
    assert_eq!(r.unplanned.customer_minutes, 10.0);
    assert_eq!(r.planned.customer_interruptions, 10);
}

/// Random interruptions on random devices of a generated feeder.
fn history() -> impl Strategy<Value = Vec<(usize, i64, i64, u32, bool)>> {
    prop::collection::vec(
        (
            0usize..200,
            0i64..20_000,
            1i64..600,
            0u32..40,
            any::<bool>(),
        ),
        0..40,
    )
}

/// Two feeders (breakers), each with three fused laterals of six customers and four
/// customers on its trunk; every third customer rural.
fn utility() -> Network {
    let mut b = NetworkBuilder::new("two feeders");
    b.add_bus("s");
    b.add_source("circuit.two", "s").unwrap();
    let mut n = 0;
    for f in 0..2 {
        let trunk = format!("t{f}");
        b.add_bus(&trunk);
        b.add_line(&format!("line.k{f}"), "s", &trunk).unwrap();
        b.add_device(
            &format!("brk{f}"),
            DeviceKind::Breaker,
            &format!("line.k{f}"),
        )
        .unwrap();
        for l in 0..4 {
            let (bus, line) = (format!("x{f}_{l}"), format!("line.x{f}_{l}"));
            b.add_bus(&bus);
            b.add_line(&line, &trunk, &bus).unwrap();
            let custs = if l < 3 {
                b.add_device(&format!("fu{f}_{l}"), DeviceKind::Fuse, &line)
                    .unwrap();
                6
            } else {
                4
            };
            for _ in 0..custs {
                let zone = if n % 3 == 0 {
                    ServiceZone::Rural
                } else {
                    ServiceZone::Urban
                };
                b.add_customer_with(
                    &format!("c{n}"),
                    &bus,
                    CustomerClass::default(),
                    false,
                    zone,
                )
                .unwrap();
                n += 1;
            }
        }
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// SAIDI = SAIFI × CAIDI; the groups of every grouping add up to the whole; and a
    /// history told twice (every outage nested in its copy) gives the same figures.
    #[test]
    fn indices_hold_their_identities(h in history()) {
        let net = utility();
        let view = EnergizationView::normal(&net).unwrap();
        let pre = view.preorder();
        let mut once = Ledger::new(net.customers().len() as u32);
        let mut twice = once.clone();
        for &(d, t, len, k, planned) in &h {
            let d = pre[d % pre.len()];
            let mut i = fault(&[(t, d, k.max(1)), (t + len / 2, d, k / 2)], t + len);
            if planned {
                i.kind = InterruptionKind::Planned;
            }
            once.add_interruption(&view, &i);
            twice.add_interruption(&view, &i);
            twice.add_interruption(&view, &i);
        }
        once.merge();
        twice.merge();
        let sel = Selection::new(at(0), at(30_000));
        for g in [Grouping::Network, Grouping::Substation, Grouping::Feeder, Grouping::Zone] {
            let (names, of) = g.table(&net, &view);
            let r = once.report(&view, &sel, g, (&names, &of), IndexOptions::default());
            let r2 = twice.report(&view, &sel, g, (&names, &of), IndexOptions::default());
            prop_assert_eq!(&r, &r2);
            for x in [r.unplanned, r.planned] {
                prop_assert!((x.saidi - x.saifi * x.caidi).abs() < 1e-9);
                prop_assert!(x.customers_interrupted <= x.customers_served);
                prop_assert!((0.0..=1.0).contains(&x.asai));
            }
            let ci: u64 = r.groups.iter().map(|x| x.unplanned.customer_interruptions).sum();
            let cm: f64 = r.groups.iter().map(|x| x.planned.customer_minutes).sum();
            let served: u32 = r.groups.iter().map(|x| x.unplanned.customers_served).sum();
            prop_assert_eq!(ci, r.unplanned.customer_interruptions);
            prop_assert!((cm - r.planned.customer_minutes).abs() < 1e-6);
            prop_assert_eq!(served, r.unplanned.customers_served);
        }
    }
}
