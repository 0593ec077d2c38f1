//! Outage notices: who is told what and when, through roll-ups, splits, nested outages
//! and planned work.

mod common;

use common::*;
use outage_locator::inference::{OutageCause, OutageStatus};
use outage_locator::service::{
    Action, Crew, Notice, NoticeId, NoticeKind, NoticeOptions, Notices, PlannedKind, PlannedWork,
    Progress, WorkOrderOptions,
};
use outage_locator::*;

struct Desk {
    orders: WorkOrders,
    notices: Notices,
}

impl Desk {
    /// A desk that announces outages at once: most tests follow who is told what
    /// through roll-ups, splits and restorations, step by step.
    fn new() -> Self {
        Desk::with_outage_hold(0)
    }

    fn with_outage_hold(outage_hold: Millis) -> Self {
        Desk {
            orders: WorkOrders::new(WorkOrderOptions::default()),
            notices: Notices::new(NoticeOptions {
                outage_hold,
                ..NoticeOptions::default()
            }),
        }
    }

    fn step(&mut self, s: &Script, changes: &[Change]) -> Vec<Notice> {
        let oc = self.orders.follow(s, changes).to_vec();
        self.notices.follow(s, changes, &self.orders, &oc).to_vec()
    }

    fn act(&mut self, s: &Script, action: Action, at: Timestamp) -> Vec<Notice> {
        let oc = self.orders.apply(action, at).unwrap().to_vec();
        self.notices.follow(s, &[], &self.orders, &oc).to_vec()
    }
}

fn names(net: &Network, n: &Notice) -> Vec<String> {
    n.customers
        .iter()
        .map(|&c| net.customer(c).name.trim_start_matches("load.").to_string())
        .collect()
}

fn kinds(ns: &[Notice]) -> Vec<NoticeKind> {
    ns.iter().map(|n| n.kind).collect()
}

/// A fault outage is announced at once to its customers with its order, start, progress
/// and estimate; confidence changes send nothing, the crew's progress and estimate send
/// updates; its end is announced after the 5-minute restoration hold, saying when the
/// power came back.
#[test]
fn an_outage_is_announced_updated_and_its_end_announced_after_a_hold() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let crew = desk
        .orders
        .add_crew(Crew::new("Crew 1", "North", [0.0, 0.0]));
    let (o, a) = s.fault("transformer.t1");
    let sent = desk.step(&s, &[a]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage]);
    let n = &sent[0];
    assert_eq!(names(&net, n), range(1, 4));
    assert_eq!(
        (n.outage, n.order, n.cause),
        (Some(o), Some(WorkOrderId(1)), OutageCause::Fault)
    );
    assert_eq!(
        (n.since, n.progress),
        (Some(t(0.0)), Progress::Investigating)
    );
    assert_eq!(n.etr, Some(t(180.0)));
    // Confidence changes are not news.
    s.at(1.0);
    assert!(desk.step(&s, &[Change::Updated(o)]).is_empty());
    // The crew's progress is.
    let sent = desk.act(
        &s,
        Action::Dispatch {
            order: WorkOrderId(1),
            crew,
        },
        t(2.0),
    );
    assert_eq!(kinds(&sent), [NoticeKind::Update]);
    assert_eq!(sent[0].progress, Progress::CrewDispatched);
    assert_eq!(names(&net, &sent[0]), range(1, 4));
    let sent = desk.act(
        &s,
        Action::CrewEstimate {
            order: WorkOrderId(1),
            etr: t(90.0),
        },
        t(3.0),
    );
    assert_eq!(sent[0].etr, Some(t(90.0)));
    // Restored at 30 min: announced after the 5-minute hold.
    s.at(30.0);
    let closed = s.close(o, OutageStatus::Restored, None);
    assert!(desk.step(&s, &[closed]).is_empty());
    s.at(34.9);
    assert!(desk.step(&s, &[]).is_empty());
    s.at(35.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Restored]);
    assert_eq!(names(&net, &sent[0]), range(1, 4));
    assert_eq!(
        sent[0].since,
        Some(t(30.0)),
        "it says when the power came back"
    );
    assert_eq!(desk.notices.told_of(c(&net, "c1")), None);
    assert!(
        sent[0]
            .message()
            .contains("restored at 2026-07-01T12:30:00Z")
    );
}

/// Each customer is told of the outage that holds it off, and when the recloser's
/// outage ends, the restored notice leaves out the customers still dark under the
/// transformer nested below it.
#[test]
fn no_power_restored_notice_to_customers_still_dark_under_a_nested_outage() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    // The recloser is out; t1 below it was out before (nested, already known).
    let (r, a) = s.fault("recloser.r1");
    let (nested, b) = s.fault("transformer.t1");
    let sent = desk.step(&s, &[a, b]);
    // One notice per customer, about the outage that holds it off.
    assert_eq!(kinds(&sent), [NoticeKind::Outage, NoticeKind::Outage]);
    assert_eq!(names(&net, &sent[0]), range(5, 12));
    assert_eq!(
        (names(&net, &sent[1]), sent[1].outage),
        (range(1, 4), Some(nested))
    );
    s.at(30.0);
    let closed = s.close(r, OutageStatus::Restored, None);
    desk.step(&s, &[closed]);
    s.at(35.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Restored]);
    assert_eq!(
        names(&net, &sent[0]),
        range(5, 12),
        "c1..c4 are still dark under t1"
    );
    assert_eq!(desk.notices.told_of(c(&net, "c1")), Some(nested));
}

/// A nested outage found within the restoration hold sends its customers an update (the
/// outage goes on), and the restored notice goes to the others only.
#[test]
fn a_nested_outage_found_after_the_restoration_keeps_its_customers_from_the_restored_notice() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (r, a) = s.fault("recloser.r1");
    desk.step(&s, &[a]);
    s.at(30.0);
    let closed = s.close(r, OutageStatus::Restored, None);
    desk.step(&s, &[closed]);
    // Two minutes later the engine sees that t1 stayed dark.
    s.at(32.0);
    let (nested, b) = s.fault("transformer.t1");
    let sent = desk.step(&s, &[b]);
    assert_eq!(
        kinds(&sent),
        [NoticeKind::Update],
        "told the outage goes on, not that it began"
    );
    assert_eq!(names(&net, &sent[0]), range(1, 4));
    assert_eq!(sent[0].outage, Some(nested));
    s.at(35.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Restored]);
    assert_eq!(names(&net, &sent[0]), range(5, 12));
}

/// The customers of a withdrawn prediction are told it cleared, not that their power
/// was restored.
#[test]
fn a_withdrawn_prediction_is_cleared_not_restored() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (o, a) = s.fault("transformer.t2");
    desk.step(&s, &[a]);
    s.at(3.0);
    let gone = s.close(o, OutageStatus::Retracted, None);
    desk.step(&s, &[gone]);
    s.at(8.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Cleared]);
    assert_eq!(names(&net, &sent[0]), range(5, 8));
}

/// When two transformer outages roll up to their recloser, only the newly affected
/// customers get an outage notice; the merged outage's customers get an update naming
/// the surviving order; nobody is told the power is back.
#[test]
fn a_roll_up_tells_only_the_newly_affected_of_the_outage() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (o1, a) = s.fault("transformer.t1");
    let (o2, b) = s.fault("transformer.t2");
    desk.step(&s, &[a, b]);
    s.at(2.0);
    let up = s.move_to(o1, "recloser.r1");
    let merged = s.close(o2, OutageStatus::Retracted, Some(o1));
    let sent = desk.step(&s, &[up, merged]);
    let outage: Vec<&Notice> = sent
        .iter()
        .filter(|n| n.kind == NoticeKind::Outage)
        .collect();
    assert_eq!(outage.len(), 1);
    assert_eq!(
        names(&net, outage[0]),
        range(9, 12),
        "only t3's customers are new"
    );
    let update: Vec<&Notice> = sent
        .iter()
        .filter(|n| n.kind == NoticeKind::Update)
        .collect();
    assert_eq!(update.len(), 1);
    assert_eq!(
        names(&net, update[0]),
        range(5, 8),
        "t2's customers: now under W1"
    );
    assert_eq!(update[0].order, Some(WorkOrderId(1)));
    // Nobody is told the power is back.
    s.at(20.0);
    assert!(
        desk.step(&s, &[])
            .iter()
            .all(|n| n.kind != NoticeKind::Restored && n.kind != NoticeKind::Cleared)
    );
}

/// When a recloser outage splits into two transformer outages, the customers moved to
/// the new outage get an update, nobody a second outage notice, and those of neither
/// outage are told it cleared after the hold.
#[test]
fn a_split_moves_customers_without_a_second_outage_notice() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (o, a) = s.fault("recloser.r1");
    desk.step(&s, &[a]);
    s.at(4.0);
    let down = s.move_to(o, "transformer.t1");
    let (o3, new) = s.fault("transformer.t2");
    let sent = desk.step(&s, &[down, new]);
    assert!(
        sent.iter().all(|n| n.kind != NoticeKind::Outage),
        "{sent:?}"
    );
    let to_t2: Vec<&Notice> = sent.iter().filter(|n| n.outage == Some(o3)).collect();
    assert_eq!(to_t2.len(), 1);
    assert_eq!(names(&net, to_t2[0]), range(5, 8));
    assert_eq!(to_t2[0].kind, NoticeKind::Update);
    // t3's customers were never out: told so after the hold.
    s.at(9.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Cleared]);
    assert_eq!(names(&net, &sent[0]), range(9, 12));
}

/// Planned work is announced three days ahead (not earlier), work registered late is
/// announced at once and marked late, nothing more is sent when the work starts, and
/// its end is announced after the hold.
#[test]
fn planned_work_is_announced_ahead_and_not_again_when_it_starts() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let day = 24.0 * 60.0;
    let work = PlannedWork {
        device: d(&net, "fuse.f2"),
        start: t(10.0 * day),
        end: t(10.0 * day + 240.0),
        kind: PlannedKind::PlannedWork,
    };
    assert!(
        desk.notices.schedule(&s, work).is_empty(),
        "10 days ahead: not yet"
    );
    s.at(3.0 * day - 1.0);
    assert!(desk.step(&s, &[]).is_empty());
    s.at(3.0 * day);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::PlannedAhead]);
    assert_eq!(names(&net, &sent[0]), range(13, 16));
    assert_eq!(sent[0].window, Some([work.start, work.end]));
    assert!(!sent[0].late);
    assert!(
        sent[0]
            .message()
            .starts_with("Planned work: power will be off")
    );
    // Temporary maintenance registered 12 h ahead: announced at once, late (24 h due).
    let tm = PlannedWork {
        device: d(&net, "transformer.t3"),
        start: t(3.0 * day + 720.0),
        end: t(3.0 * day + 780.0),
        kind: PlannedKind::TemporaryMaintenance,
    };
    let sent = desk.notices.schedule(&s, tm).to_vec();
    assert_eq!(kinds(&sent), [NoticeKind::PlannedAhead]);
    assert!(sent[0].late);
    // The work starts: its customers were told.
    s.at(10.0 * day);
    let (p, open) = s.open("fuse.f2", OutageCause::Planned);
    s.outages[p.0 as usize - 1].planned_end = Some(work.end);
    assert!(desk.step(&s, &[open]).is_empty());
    s.at(10.0 * day + 240.0);
    let closed = s.close(p, OutageStatus::Restored, None);
    desk.step(&s, &[closed]);
    s.at(10.0 * day + 245.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Restored]);
    assert_eq!(names(&net, &sent[0]), range(13, 16));
}

/// A planned outage that was not registered ahead is announced when it starts, with its
/// window and its end as the estimate.
#[test]
fn an_unannounced_planned_outage_is_announced_with_its_window() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (p, open) = s.open("transformer.t3", OutageCause::Planned);
    s.outages[p.0 as usize - 1].planned_end = Some(t(60.0));
    let sent = desk.step(&s, &[open]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage]);
    assert_eq!(sent[0].cause, OutageCause::Planned);
    assert_eq!(sent[0].window, Some([t(0.0), t(60.0)]));
    assert_eq!(sent[0].etr, Some(t(60.0)));
}

/// A remote disconnection sends no notice: the customer knows why.
#[test]
fn disconnections_send_nothing() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (_, open) = s.open("load.c3", OutageCause::Disconnect);
    assert!(desk.step(&s, &[open]).is_empty());
}

/// Notices are numbered in order and round-trip through JSON (the push format)
/// unchanged.
#[test]
fn notices_are_numbered_and_serialise_for_push() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::new();
    let (_, a) = s.fault("transformer.t1");
    let (_, b) = s.fault("transformer.t2");
    let sent = desk.step(&s, &[a, b]);
    let ids: Vec<NoticeId> = sent.iter().map(|n| n.id).collect();
    assert_eq!(ids, [NoticeId(1), NoticeId(2)]);
    let json = serde_json::to_string(&sent[0]).unwrap();
    assert!(json.contains("\"kind\":\"outage\""), "{json}");
    let back: Notice = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sent[0]);
    assert_eq!(desk.notices.issued(), 2);
}

/// A prediction withdrawn within the one-minute outage hold sends nothing, ever:
/// neither the outage nor its end.
#[test]
fn a_prediction_withdrawn_within_the_outage_hold_sends_nothing() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::with_outage_hold(MINUTE);
    let (o, a) = s.fault("transformer.t2");
    assert!(desk.step(&s, &[a]).is_empty(), "held for a minute");
    s.at(0.5);
    let gone = s.close(o, OutageStatus::Retracted, None);
    assert!(desk.step(&s, &[gone]).is_empty());
    // Neither the outage nor its end, ever: the customers were never told.
    for m in [1.0, 6.0, 20.0] {
        s.at(m);
        assert!(desk.step(&s, &[]).is_empty(), "at {m} min");
    }
    assert!(!desk.notices.notified(c(&net, "c5")));
}

/// An outage that stands through the hold is announced once, as it stands when the hold
/// ends: first to those held off since it began, then to those a roll-up added once
/// their own hold ends; its end goes to all of them.
#[test]
fn an_outage_that_stands_through_the_hold_is_announced_as_it_stands_then() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::with_outage_hold(MINUTE);
    let (o1, a) = s.fault("transformer.t1");
    assert!(desk.step(&s, &[a]).is_empty());
    // Within the hold the prediction rolls up to the recloser: the customers hear
    // once, of the outage as it is when the hold ends, with no update before it.
    s.at(0.5);
    let up = s.move_to(o1, "recloser.r1");
    assert!(desk.step(&s, &[up]).is_empty());
    s.at(0.9);
    assert!(desk.step(&s, &[]).is_empty());
    s.at(1.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage], "{sent:?}");
    assert_eq!(
        names(&net, &sent[0]),
        range(1, 4),
        "those held since the start"
    );
    assert_eq!(sent[0].outage, Some(o1));
    s.at(1.5);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage]);
    assert_eq!(
        names(&net, &sent[0]),
        range(5, 12),
        "those the roll-up added"
    );
    assert!(desk.notices.notified(c(&net, "c1")));
    // Its end goes to all of them after the restoration hold.
    s.at(30.0);
    let closed = s.close(o1, OutageStatus::Restored, None);
    desk.step(&s, &[closed]);
    s.at(35.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Restored]);
    assert_eq!(names(&net, &sent[0]), range(1, 12));
    assert!(!desk.notices.notified(c(&net, "c1")));
}

/// A prediction that moves down to a transformer within the hold tells only that
/// transformer's customers; the others are never told, neither of the outage nor that
/// it cleared.
#[test]
fn a_prediction_that_moves_down_within_the_hold_tells_only_those_it_still_holds_off() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::with_outage_hold(MINUTE);
    let (o, a) = s.fault("recloser.r1");
    assert!(desk.step(&s, &[a]).is_empty());
    s.at(0.5);
    let down = s.move_to(o, "transformer.t1");
    assert!(desk.step(&s, &[down]).is_empty());
    s.at(1.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage]);
    assert_eq!(names(&net, &sent[0]), range(1, 4), "t1's customers only");
    // The others were never told: neither the outage nor that it cleared.
    for m in [2.0, 6.0, 20.0] {
        s.at(m);
        let sent = desk.step(&s, &[]);
        assert!(sent.is_empty(), "at {m} min: {sent:?}");
    }
    assert!(!desk.notices.notified(c(&net, "c5")));
}

/// A customer disconnected during an outage and reconnected after it is no longer
/// counted as told, and hears of the next outage over it.
#[test]
fn a_customer_disconnected_and_reconnected_after_an_outage_hears_of_the_next_one() {
    let net = demo_network();
    let mut s = Script::new(&net);
    let mut desk = Desk::with_outage_hold(MINUTE);
    let (o1, a) = s.fault("transformer.t1");
    desk.step(&s, &[a]);
    s.at(1.0);
    assert_eq!(kinds(&desk.step(&s, &[])), [NoticeKind::Outage]);
    assert!(desk.notices.notified(c(&net, "c1")));
    // c1 is disconnected while t1 is out (it knows why: told nothing), then t1 is
    // restored and c1 reconnected.
    s.at(2.0);
    let (dc, cut) = s.open("load.c1", OutageCause::Disconnect);
    desk.step(&s, &[cut]);
    s.at(10.0);
    let closed = s.close(o1, OutageStatus::Restored, None);
    desk.step(&s, &[closed]);
    s.at(12.0);
    let back = s.close(dc, OutageStatus::Restored, None);
    desk.step(&s, &[back]);
    s.at(20.0);
    desk.step(&s, &[]);
    assert_eq!(desk.notices.told_of(c(&net, "c1")), None);
    assert!(
        !desk.notices.notified(c(&net, "c1")),
        "its end was never told"
    );
    // A new fault on t1 tells c1 again.
    s.at(30.0);
    let (o2, b) = s.fault("transformer.t1");
    desk.step(&s, &[b]);
    s.at(31.0);
    let sent = desk.step(&s, &[]);
    assert_eq!(kinds(&sent), [NoticeKind::Outage]);
    assert_eq!(sent[0].outage, Some(o2));
    assert_eq!(names(&net, &sent[0]), range(1, 4));
}
