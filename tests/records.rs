//! The records of the replay contract as typed values: they print exactly as the
//! contract spells them, every enum's `Display` is its serde name, and the judge counts
//! the lines of an output that are not records of the contract.

use std::fmt::Display;

use outage_locator::bench::metrics::Conclusions;
use outage_locator::bench::simulate::{CheckpointKind, Profile};
use outage_locator::evidence::CallDetail;
use outage_locator::inference::{OutageCause, OutageStatus};
use outage_locator::network::ServiceZone;
use outage_locator::replay::{CallCause, RecordOp};
use outage_locator::service::{
    DisconnectReason, LimitKind, LimitState, NoticeKind, OrderState, PlannedKind, Priority,
    Progress,
};
use outage_locator::{OutageId, Record, Timestamp, WorkOrderId};
use serde::Serialize;

fn t(s: &str) -> Timestamp {
    format!("2026-07-01T{s}Z").parse().unwrap()
}

fn json(r: &Record) -> String {
    serde_json::to_string(r).unwrap()
}

/// The examples of the contract (`spec/replay.md`), built from typed values.
#[test]
fn records_print_as_the_contract_spells_them() {
    let outage = Record::Outage {
        at: t("12:09:00"),
        op: RecordOp::Open,
        outage: OutageId(1),
        device: "fuse.f12",
        cause: OutageCause::Fault,
        status: OutageStatus::Predicted,
        customers: 57,
        confidence: 0.93,
    };
    assert_eq!(
        json(&outage),
        r#"{"type":"outage","at":"2026-07-01T12:09:00Z","op":"open","outage":"O1","device":"fuse.f12","cause":"fault","status":"predicted","customers":57,"confidence":0.93}"#
    );
    let ticket = Record::Ticket {
        at: t("12:09:00"),
        op: RecordOp::Open,
        ticket: WorkOrderId(1),
        outage: Some(OutageId(1)),
        device: "fuse.f12",
        priority: Some(Priority::High),
        due: Some(t("12:54:00")),
        merged_into: None,
    };
    assert_eq!(
        json(&ticket),
        r#"{"type":"ticket","at":"2026-07-01T12:09:00Z","op":"open","ticket":"W1","outage":"O1","device":"fuse.f12","priority":"high","due":"2026-07-01T12:54:00Z"}"#
    );
    let merged = Record::Ticket {
        at: t("12:10:00"),
        op: RecordOp::Close,
        ticket: WorkOrderId(2),
        outage: None,
        device: "transformer.t5",
        priority: None,
        due: None,
        merged_into: Some(WorkOrderId(1)),
    };
    assert_eq!(
        json(&merged),
        r#"{"type":"ticket","at":"2026-07-01T12:10:00Z","op":"close","ticket":"W2","outage":"","device":"transformer.t5","merged_into":"W1"}"#
    );
    let call = Record::Call {
        at: t("12:11:40"),
        customer: "load.l2804253a",
        cause: CallCause::Fault,
        outage: Some(OutageId(1)),
        ticket: Some(WorkOrderId(1)),
    };
    assert_eq!(
        json(&call),
        r#"{"type":"call","at":"2026-07-01T12:11:40Z","customer":"load.l2804253a","cause":"fault","outage":"O1","ticket":"W1"}"#
    );
    let unexplained = Record::Call {
        at: t("12:11:40"),
        customer: "load.x",
        cause: CallCause::from(None),
        outage: None,
        ticket: None,
    };
    assert_eq!(
        json(&unexplained),
        r#"{"type":"call","at":"2026-07-01T12:11:40Z","customer":"load.x","cause":"none","outage":null,"ticket":null}"#
    );
    let momentary = Record::Momentary {
        at: t("12:04:00"),
        device: "recloser.r3",
        customers: 553,
    };
    assert_eq!(
        json(&momentary),
        r#"{"type":"momentary","at":"2026-07-01T12:04:00Z","device":"recloser.r3","customers":553}"#
    );
}

/// Each value's `Display` is the name serde gives it, and pads like a string.
fn displays_as_serialised<T: Display + Serialize>(values: &[T]) {
    for v in values {
        let serialised = serde_json::to_value(v).unwrap();
        assert_eq!(Some(v.to_string().as_str()), serialised.as_str());
        assert_eq!(format!("{v:>30}").trim_start(), v.to_string());
    }
}

#[test]
fn every_enum_displays_as_its_serde_name() {
    use CallCause as C;
    use LimitState as L;
    use Progress as P;
    displays_as_serialised(&[RecordOp::Open, RecordOp::Update, RecordOp::Close]);
    displays_as_serialised(&[C::Fault, C::Planned, C::Disconnect, C::NoOutage]);
    displays_as_serialised(&[
        OutageCause::Fault,
        OutageCause::Planned,
        OutageCause::Disconnect,
    ]);
    displays_as_serialised(&[
        OutageStatus::Predicted,
        OutageStatus::Confirmed,
        OutageStatus::Restored,
        OutageStatus::Retracted,
    ]);
    displays_as_serialised(&[
        Priority::Emergency,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ]);
    displays_as_serialised(&[
        OrderState::Created,
        OrderState::Dispatched,
        OrderState::EnRoute,
        OrderState::OnSite,
        OrderState::Restored,
        OrderState::Closed,
    ]);
    displays_as_serialised(&[
        LimitKind::Dispatch,
        LimitKind::Arrival,
        LimitKind::Restoration,
    ]);
    displays_as_serialised(&[L::Running, L::Warning, L::Overdue, L::MetOnTime, L::MetLate]);
    displays_as_serialised(&ServiceZone::ALL);
    displays_as_serialised(&[
        NoticeKind::Outage,
        NoticeKind::Update,
        NoticeKind::Restored,
        NoticeKind::Cleared,
        NoticeKind::PlannedAhead,
    ]);
    displays_as_serialised(&[
        P::Investigating,
        P::CrewDispatched,
        P::CrewEnRoute,
        P::CrewOnSite,
        P::Restored,
        P::Scheduled,
        P::InProgress,
    ]);
    displays_as_serialised(&[
        PlannedKind::PlannedWork,
        PlannedKind::TemporaryMaintenance,
        PlannedKind::LoadShedding,
    ]);
    displays_as_serialised(&[
        DisconnectReason::Arrears,
        DisconnectReason::CustomerRequest,
        DisconnectReason::Safety,
        DisconnectReason::Unspecified,
    ]);
    displays_as_serialised(&[
        CallDetail::NoPower,
        CallDetail::Partial,
        CallDetail::WireDown,
        CallDetail::Flicker,
    ]);
    displays_as_serialised(&CheckpointKind::ALL);
    displays_as_serialised(&Profile::ALL);
    assert_eq!(CheckpointKind::Plus15.to_string(), "+15m");
    assert_eq!(ServiceZone::Remote.to_string(), "remote");
}

/// Profiles parse by their names, in any case; anything else is refused with the
/// names that would do.
#[test]
fn profiles_parse_by_name() {
    for p in Profile::ALL {
        assert_eq!(p.to_string().parse::<Profile>(), Ok(p));
    }
    assert_eq!(" Blue_Sky ".parse::<Profile>(), Ok(Profile::BlueSky));
    let e = "calm".parse::<Profile>().unwrap_err();
    assert!(e.contains("blue_sky") && e.contains("storm"), "{e}");
}

/// A line is read as a record of the contract or counted as bad: an unknown type, op,
/// cause, status or priority is not skipped silently. Fields the judge does not use may
/// be missing, and the record types it does not score are records all the same.
#[test]
fn the_judge_counts_the_lines_it_cannot_read() {
    let good = r#"{"type":"outage","at":"2026-07-01T12:00:00Z","op":"open","outage":"O1","device":"fuse.f1","cause":"fault"}
{"type":"outage","at":"2026-07-01T12:01:00Z","op":"update","outage":"O1","device":"fuse.f1","cause":"fault","status":"confirmed","customers":8,"confidence":1.0}
{"type":"ticket","at":"2026-07-01T12:01:00Z","op":"open","ticket":"W1","outage":"O1","device":"fuse.f1","priority":"low","due":"2026-07-01T16:01:00Z"}
{"type":"call","at":"2026-07-01T12:02:00Z","customer":"load.c1","cause":"none","outage":null,"ticket":null}
{"type":"ping","at":"2026-07-01T12:03:00Z","meter":"load.c1","outage":"O1"}
{"type":"momentary","at":"2026-07-01T12:04:00Z","device":"recloser.r3","customers":553}
{"type":"summary","rows":5,"skipped":0,"outages":1,"tickets":1}
"#;
    assert_eq!(
        Conclusions::from_jsonl(good.as_bytes()).unwrap().bad_lines,
        0
    );
    let bad = [
        r#"{"type":"outage","at":"2026-07-01T12:00:00Z","op":"reopen","outage":"O1","device":"fuse.f1","cause":"fault"}"#,
        r#"{"type":"outage","at":"2026-07-01T12:00:00Z","op":"open","outage":"O1","device":"fuse.f1","cause":"weather"}"#,
        r#"{"type":"outage","at":"2026-07-01T12:00:00Z","op":"open","outage":"O1","device":"fuse.f1","cause":"fault","status":"likely"}"#,
        r#"{"type":"ticket","at":"2026-07-01T12:00:00Z","op":"open","ticket":"W1","device":"fuse.f1","priority":"urgent"}"#,
        r#"{"type":"call","at":"2026-07-01T12:00:00Z","customer":"load.c1","cause":"Fault"}"#,
        r#"{"type":"notice","at":"2026-07-01T12:00:00Z"}"#,
        r#"{"at":"2026-07-01T12:00:00Z"}"#,
        "not json",
    ];
    let text = format!("{good}{}\n", bad.join("\n"));
    let c = Conclusions::from_jsonl(text.as_bytes()).unwrap();
    assert_eq!(c.bad_lines, bad.len() as u64);
    // The bad lines add nothing else.
    let mut only_good = Conclusions::from_jsonl(good.as_bytes()).unwrap();
    only_good.bad_lines = c.bad_lines;
    assert_eq!(c, only_good);
}
