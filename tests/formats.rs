//! The formats documentation (`src/_documentation/formats.md`) says what the code
//! does: every event kind and call detail the reader takes, every record field, the
//! network file's fields and the engine's default options, exactly.

use outage_locator::evidence::CallDetail;
use outage_locator::{EngineOptions, Event, Network};

const DOC: &str = include_str!("../src/_documentation/formats.md");

fn net() -> Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    outage_locator::import_opendss(path).unwrap().0
}

#[test]
fn every_event_kind_and_detail_in_the_doc_reads_and_every_one_is_documented() {
    let net = net();
    let t = "2026-07-01T12:00:00Z";
    let rows = [
        ("call", "s1a", ""),
        ("call", "s1a", "no_power"),
        ("call", "s1a", "partial"),
        ("call", "s1a", "wire_down"),
        ("call", "s1a", "flicker"),
        ("last_gasp", "s1a", ""),
        ("power_restore", "s1a", ""),
        ("ping", "s1a", "on"),
        ("ping", "s1a", "off"),
        ("device_open", "relay.brk_sw1", ""),
        ("device_close", "relay.brk_sw1", ""),
        ("planned_outage", "relay.brk_sw1", "2026-07-01T14:00:00Z"),
        ("disconnect", "s1a", ""),
        ("reconnect", "s1a", ""),
        ("fault_indicator", "relay.brk_sw1", "passed"),
        ("fault_indicator", "line.l1", "passed"),
        ("fault_indicator", "relay.brk_sw1", "not_passed"),
        ("tick", "", ""),
    ];
    for (i, (kind, id, detail)) in rows.iter().enumerate() {
        Event::from_row(&net, i as u64, t, kind, id, detail)
            .unwrap_or_else(|e| panic!("{kind} {detail}: {e}"));
        assert!(
            DOC.contains(&format!("| `{kind}` |")),
            "{kind} undocumented"
        );
        if !detail.is_empty() && !detail.starts_with("2026") {
            assert!(
                DOC.contains(&format!("`{detail}`")),
                "{detail} undocumented"
            );
        }
    }
    assert!(Event::from_row(&net, 1, t, "ping", "s1a", "").is_err());
    assert!(Event::from_row(&net, 1, t, "fault_indicator", "line.l1", "Not_Passed").is_ok());
    assert!(Event::from_row(&net, 1, t, "fault_indicator", "relay.brk_sw1", "").is_err());
    assert!(Event::from_row(&net, 1, t, "fault_indicator", "nowhere", "passed").is_err());
    for d in [
        CallDetail::NoPower,
        CallDetail::Partial,
        CallDetail::WireDown,
        CallDetail::Flicker,
    ] {
        assert!(DOC.contains(&format!("| `{d}` |")), "{d} undocumented");
    }
}

#[test]
fn every_record_field_is_documented() {
    let net = net();
    let events = "time,kind,id,detail\n\
        2026-07-01T12:00:00Z,device_open,fuse.f_l68,\n\
        2026-07-01T12:01:00Z,call,s68a,no_power\n\
        2026-07-01T12:30:00Z,device_close,fuse.f_l68,\n";
    let mut out = Vec::new();
    let mut replay = outage_locator::Replay::new(net, EngineOptions::default()).unwrap();
    replay
        .run(events.as_bytes(), &mut out, &mut std::io::sink())
        .unwrap();
    let mut seen = 0;
    for line in String::from_utf8(out).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let ty = v["type"].as_str().unwrap();
        let section = DOC
            .split(&format!("### `{ty}`"))
            .nth(1)
            .unwrap_or_else(|| panic!("no section for {ty}"));
        let section = section.split("\n### ").next().unwrap();
        for key in v.as_object().unwrap().keys() {
            assert!(section.contains(&format!("| `{key}` |")), "{ty}.{key}");
            seen += 1;
        }
    }
    assert!(seen > 20);
}

#[test]
fn the_default_options_in_the_doc_are_the_defaults() {
    let json = DOC
        .split("The defaults:\n\n```json\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .expect("the defaults block");
    let defaults = serde_json::to_string_pretty(&EngineOptions::default()).unwrap();
    assert_eq!(
        json, defaults,
        "the defaults block should read:\n{defaults}"
    );
    // Every field is in the table.
    let v = serde_json::to_value(EngineOptions::default()).unwrap();
    for key in v.as_object().unwrap().keys() {
        assert!(DOC.contains(&format!("| `{key}` |")), "{key} undocumented");
    }
    assert_eq!(
        serde_json::from_str::<EngineOptions>("{}").unwrap(),
        EngineOptions::default()
    );
}

#[test]
fn the_network_file_example_reads() {
    let json = DOC
        .split("```json\n{\"format\":\"outage-locator/network/1\"")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .expect("the network example");
    let json = format!("{{\"format\":\"outage-locator/network/1\"{json}");
    let net: Network = serde_json::from_str(&json).unwrap();
    assert_eq!(net.customers().len(), 1);
    assert!(net.outage_device_by_name("fuse.f1").is_some());
    let v = serde_json::to_value(&net).unwrap();
    for key in v.as_object().unwrap().keys() {
        assert!(DOC.contains(&format!("| `{key}` |")), "{key} undocumented");
    }
}

/// A confirmed fault on the feeder with a tie: its `plan` record, every field
/// documented, isolates the sectionalizing switch and transfers the far end.
#[test]
fn the_plan_record_is_documented() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/feeder_with_tie/master.dss"
    );
    let (net, _) = outage_locator::import_opendss(path).unwrap();
    let events = "time,kind,id,detail\n\
        2026-07-01T12:00:00Z,device_open,relay.brk_a,\n\
        2026-07-01T12:05:00Z,tick,,\n";
    let mut out = Vec::new();
    let mut replay = outage_locator::Replay::new(net, EngineOptions::default()).unwrap();
    replay
        .run(events.as_bytes(), &mut out, &mut std::io::sink())
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let plans: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "plan")
        .collect();
    assert_eq!(plans.len(), 1, "{text}");
    let plan = &plans[0];
    let section = DOC.split("### `plan`").nth(1).unwrap();
    let section = section.split("\n### ").next().unwrap();
    for key in plan.as_object().unwrap().keys() {
        assert!(section.contains(&format!("| `{key}` |")), "plan.{key}");
    }
    assert_eq!(plan["fault"], "relay.brk_a");
    assert_eq!(plan["isolate"], serde_json::json!(["swtcontrol.sw_a"]));
    assert_eq!(plan["steps"][0]["device"], "line.tie");
    assert_eq!(plan["customers_restored"], 3);
    assert_eq!(plan["operations"], 2);
    assert_eq!(plan["switching"], "SO1");
}
