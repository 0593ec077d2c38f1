//! The head-end and the ping policy with answers delayed, lost and out of order.

use super::*;
use crate::inference::{EngineOptions, OutageStatus};
use crate::network::Network;
use crate::replay::{Record, Replay};
use crate::time::MINUTE;

fn ieee123() -> Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    crate::network::import_opendss(path).expect("fixture").0
}

fn t0() -> Timestamp {
    "2026-07-01T12:00:00Z".parse().expect("time")
}

/// A head-end scripted by the test: the meters in `out` have no supply; each answer
/// takes the next delay of `delays` (cycling), and the pings numbered in `lose` get no
/// answer (reported off after a minute).
struct Scripted {
    out: Vec<CustomerId>,
    delays: Vec<Millis>,
    lose: Vec<usize>,
    sent: usize,
    pending: Vec<Event>,
}

impl HeadEnd for Scripted {
    fn ping(&mut self, meter: CustomerId, at: Timestamp) {
        let n = self.sent;
        self.sent += 1;
        let lost = self.lose.contains(&n);
        let on = !self.out.contains(&meter) && !lost;
        let delay = if on {
            self.delays[n % self.delays.len()]
        } else {
            MINUTE
        };
        self.pending.push(Event {
            time: at + delay,
            evidence: Evidence::Ping { meter, on },
        });
    }
    fn next_answer(&self) -> Option<Timestamp> {
        self.pending.iter().map(|e| e.time).min()
    }
    fn answers_until(&mut self, until: Timestamp, out: &mut Vec<Event>) {
        self.pending.sort_by_key(|e| e.time);
        let k = self.pending.partition_point(|e| e.time <= until);
        out.extend(self.pending.drain(..k));
    }
}

/// A fuse out, with one last gasp below it and one call; the head-end answers from
/// the truth. Returns the device of the fault outage held at the end, its status, and
/// the pings sent as records and as counted in the summary.
fn fuse_fault(head_end: Option<Scripted>) -> (String, OutageStatus, usize, Option<u64>) {
    let net = std::sync::Arc::new(ieee123());
    let fuse = net.outage_device_by_name("fuse.f_l68").expect("fuse");
    let mut replay =
        Replay::new(std::sync::Arc::clone(&net), EngineOptions::default()).expect("radial");
    let below: Vec<CustomerId> = replay.engine().view().customers_below(fuse).to_vec();
    if let Some(mut h) = head_end {
        h.out = below.clone();
        replay = replay.with_head_end(Box::new(h), PingBudget::default());
    }
    let mut events = vec![
        Event {
            time: t0() + 20 * SECOND,
            evidence: Evidence::LastGasp { meter: below[0] },
        },
        Event {
            time: t0() + 4 * MINUTE,
            evidence: Evidence::Call {
                customer: below[below.len() - 1],
                detail: crate::evidence::CallDetail::NoPower,
            },
        },
    ];
    events.extend((1..=30).map(|m| Event {
        time: t0() + m * MINUTE,
        evidence: Evidence::Tick,
    }));
    events.sort_by_key(|e| e.time);
    let mut pings = 0;
    for ev in events {
        pings += replay
            .feed(ev)
            .iter()
            .filter(|r| matches!(r, Record::Ping { .. }))
            .count();
    }
    pings += replay
        .finish()
        .iter()
        .filter(|r| matches!(r, Record::Ping { .. }))
        .count();
    let o = replay
        .engine()
        .open_outages()
        .find(|o| o.cause == crate::inference::OutageCause::Fault)
        .expect("a fault outage");
    (
        net.outage_device_name(o.device).to_string(),
        o.status,
        pings,
        replay.summary().pings,
    )
}

fn scripted(delays: Vec<Millis>, lose: Vec<usize>) -> Scripted {
    Scripted {
        out: Vec::new(),
        delays,
        lose,
        sent: 0,
        pending: Vec::new(),
    }
}

#[test]
fn pings_find_and_confirm_the_fuse() {
    let (device, status, pings, counted) = fuse_fault(Some(scripted(vec![5 * SECOND], vec![])));
    assert_eq!(device, "fuse.f_l68");
    assert_eq!(status, OutageStatus::Confirmed);
    assert!(pings >= 1 && pings <= PingBudget::default().per_outage as usize * 2);
    assert_eq!(counted, Some(pings as u64));
}

#[test]
fn answers_late_and_out_of_order_reach_the_same_device() {
    // The first ping's answer takes longest: answers arrive in another order than
    // their pings went out.
    let (device, status, ..) = fuse_fault(Some(scripted(
        vec![30 * SECOND, 5 * SECOND, 17 * SECOND],
        vec![],
    )));
    assert_eq!(device, "fuse.f_l68");
    assert_eq!(status, OutageStatus::Confirmed);
}

#[test]
fn a_lost_answer_reads_off_and_does_not_break_the_loop() {
    // Every ping lost: each reads off a minute later, as the contract's head-end
    // reports it; the outage is confirmed and the replay goes on.
    let lose = (0..20).collect();
    let (_, status, pings, counted) = fuse_fault(Some(scripted(vec![5 * SECOND], lose)));
    assert_eq!(status, OutageStatus::Confirmed);
    assert_eq!(counted, Some(pings as u64));
}

#[test]
fn without_a_head_end_nothing_is_pinged() {
    let (_, status, pings, counted) = fuse_fault(None);
    assert_eq!((status, pings, counted), (OutageStatus::Predicted, 0, None));
}

#[test]
fn the_simulated_head_end_keeps_the_contract() {
    let net = ieee123();
    let csv = "meter,off,on\ns1a,2026-07-01T12:00:00Z,2026-07-01T13:00:00Z\n";
    let supply = SupplyTable::read(&net, csv.as_bytes()).expect("supply");
    let s1a = net.customer_by_name("s1a").expect("meter");
    let s2b = net.customer_by_name("s2b").expect("meter");
    let run = |seed| {
        let mut h = SimulatedHeadEnd::new(supply.clone(), seed);
        let at = t0() + 10 * MINUTE;
        for _ in 0..2000 {
            h.ping(s2b, at);
        }
        h.ping(s1a, at);
        let mut answers = Vec::new();
        h.answers_until(at + 2 * MINUTE, &mut answers);
        assert_eq!(h.next_answer(), None);
        (at, answers)
    };
    let (at, answers) = run(1);
    assert_eq!(answers.len(), 2001);
    let mut lost = 0;
    for a in &answers {
        let Evidence::Ping { meter, on } = a.evidence else {
            panic!("a ping answer")
        };
        let dt = a.time.0 - at.0;
        if meter == s1a || !on {
            assert!(!on && dt == SimulatedHeadEnd::GIVE_UP);
            lost += (meter == s2b) as u32;
        } else {
            assert!((5 * SECOND..=30 * SECOND).contains(&dt));
        }
    }
    // 3 % of 2000: about 60 lost.
    assert!((30..=95).contains(&lost), "{lost} lost");
    assert!(answers.windows(2).all(|w| w[0].time <= w[1].time));
    assert_eq!(run(1).1, answers, "seeded runs repeat");
    assert_ne!(run(2).1, answers);
}

#[test]
fn supply_rows_that_do_not_read_name_their_line() {
    let net = ieee123();
    let bad = "meter,off,on\ns1a,2026-07-01T12:00:00Z,\nnobody,2026-07-01T12:00:00Z,\n";
    let e = SupplyTable::read(&net, bad.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    let bad = "meter,off,on\ns1a,yesterday,\n";
    assert!(SupplyTable::read(&net, bad.as_bytes()).is_err());
}
