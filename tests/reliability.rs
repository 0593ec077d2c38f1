//! The `reliability` report of the replay contract (version 2) on a hand-written
//! replay output: the arithmetic the contract specifies, checked by hand.

use outage_locator::reliability::{ReplayOutput, contract_report};
use outage_locator::topology::EnergizationView;

fn model() -> outage_locator::Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    outage_locator::import_opendss(path).unwrap().0
}

/// O1 (fault): 10 customers from 12:00, 4 from 12:30 (a transfer), closed 13:00:
/// sustained, CI 10, CM 10·30 + 4·30 = 420. O2 (planned) 12:00–12:04: not sustained,
/// not a fault, so nothing. O3 (fault) 12:10–12:13, 2 customers: momentary, 2.
/// O4 retracted and O5 a disconnection: nothing. O6 (fault) opened 23:00 for 3
/// customers and still open at the file's last `at` (23:30): CI 3, CM 90. A
/// momentary record of 5 customers. Totals: 2 sustained, CI 13, CM 510, momentary
/// customers 7, one day.
#[test]
fn the_contract_report_adds_up_as_specified() {
    let net = model();
    let view = EnergizationView::normal(&net).unwrap();
    let big = view
        .preorder()
        .iter()
        .copied()
        .find(|&d| view.customer_count_below(d) >= 10 && view.customer_count_below(d) < 40)
        .unwrap();
    let d = net.outage_device_name(big);
    let text = format!(
        r#"{{"type":"outage","at":"2026-07-01T12:00:00Z","op":"open","outage":"O1","device":"{d}","cause":"fault","status":"predicted","customers":10,"confidence":0.9}}
{{"type":"outage","at":"2026-07-01T12:00:00Z","op":"open","outage":"O2","device":"{d}","cause":"planned","status":"confirmed","customers":6,"confidence":1.0}}
{{"type":"outage","at":"2026-07-01T12:04:00Z","op":"close","outage":"O2","device":"{d}","cause":"planned","status":"restored","customers":6,"confidence":1.0}}
{{"type":"outage","at":"2026-07-01T12:10:00Z","op":"open","outage":"O3","device":"{d}","cause":"fault","status":"predicted","customers":2,"confidence":0.9}}
{{"type":"outage","at":"2026-07-01T12:13:00Z","op":"close","outage":"O3","device":"{d}","cause":"fault","status":"restored","customers":2,"confidence":0.9}}
{{"type":"outage","at":"2026-07-01T12:20:00Z","op":"open","outage":"O4","device":"{d}","cause":"fault","status":"predicted","customers":9,"confidence":0.6}}
{{"type":"outage","at":"2026-07-01T12:40:00Z","op":"close","outage":"O4","device":"{d}","cause":"fault","status":"retracted","customers":9,"confidence":0.1}}
{{"type":"outage","at":"2026-07-01T12:20:00Z","op":"open","outage":"O5","device":"{d}","cause":"disconnect","status":"confirmed","customers":1,"confidence":1.0}}
{{"type":"outage","at":"2026-07-01T12:30:00Z","op":"update","outage":"O1","device":"{d}","cause":"fault","status":"confirmed","customers":4,"confidence":1.0}}
{{"type":"momentary","at":"2026-07-01T12:31:00Z","device":"{d}","customers":5}}
{{"type":"outage","at":"2026-07-01T13:00:00Z","op":"close","outage":"O1","device":"{d}","cause":"fault","status":"restored","customers":4,"confidence":1.0}}
{{"type":"outage","at":"2026-07-01T23:00:00Z","op":"open","outage":"O6","device":"{d}","cause":"fault","status":"predicted","customers":3,"confidence":0.9}}
{{"type":"call","at":"2026-07-01T23:30:00Z","customer":"load.x","cause":"none","outage":null,"ticket":null}}
{{"type":"summary","rows":20,"skipped":0,"outages":6,"tickets":3}}
"#
    );
    let out = ReplayOutput::read(text.as_bytes()).unwrap();
    let r = contract_report(&net, &view, &[out]);
    let n = net.customers().len() as f64;
    assert_eq!(r.customers_served as usize, net.customers().len());
    assert_eq!(r.sustained_interruptions, 2);
    assert_eq!(r.customer_interruptions, 13);
    assert_eq!(r.customer_minutes, 510.0);
    assert_eq!(r.saifi, 13.0 / n);
    assert_eq!(r.saidi, 510.0 / n);
    assert_eq!(r.caidi, 510.0 / 13.0);
    // O1's ten customers include O6's three (the first ones below the same device).
    assert_eq!(r.caifi, 13.0 / 10.0);
    assert_eq!(r.asai, 1.0 - 510.0 / (n * 1440.0));
    assert_eq!(r.maifi_e, 7.0 / n);
    assert_eq!(r.days, 1);
    assert!(r.major_event_days.is_empty());
    let line = serde_json::to_string(&r).unwrap();
    assert!(line.starts_with(r#"{"customers_served":"#), "{line}");
    assert!(
        line.ends_with(r#""days":1,"major_event_days":[]}"#),
        "{line}"
    );
}
