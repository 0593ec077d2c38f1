//! Restoration plans checked independently of the planner: executed switch by switch
//! in the energization view (which refuses a loop), the customers left without supply
//! counted there, and every element's load recomputed exactly from the final view
//! (customers summed up their feeding elements) against its rating.

use outage_locator::network::{DeviceKind, ElementKind, OutageDeviceKind};
use outage_locator::restoration::{Planner, RestorationPlan};
use outage_locator::topology::SwitchingOp;
use outage_locator::{EnergizationView, Network, OutageDeviceId, import_opendss};

/// The load through each element (kVA) in a view: each supplied customer's kVA on
/// every element of its feeding path. O(C · path length).
fn loads(net: &Network, view: &EnergizationView) -> Vec<f64> {
    let mut load = vec![0.0; net.elements().len()];
    for (i, c) in net.customers().iter().enumerate() {
        if !view.is_supplied(outage_locator::CustomerId(i as u32)) {
            continue;
        }
        let s = (c.kw.unwrap_or(1.0).powi(2) + c.kvar.unwrap_or(0.0).powi(2)).sqrt();
        let mut x = c.bus;
        while let Some(e) = view.feeding_element(x) {
            load[e.index()] += s;
            let el = net.element(e);
            x = if el.to == x { el.from } else { el.to };
        }
    }
    load
}

fn loading_pct(net: &Network, e: usize, kva: f64, kv: f64) -> Option<f64> {
    let el = &net.elements()[e];
    if el.kind == ElementKind::Transformer {
        el.rated_kva.map(|r| 100.0 * kva / r)
    } else {
        el.normal_amps
            .filter(|a| *a > 0.0)
            .map(|a| 100.0 * kva / (3f64.sqrt() * kv) / a)
    }
}

/// Executes a plan; returns the customers of the fault left without supply and the
/// final view. Panics when a step closes a loop or names no device.
fn execute(
    net: &Network,
    view: &EnergizationView,
    fault: OutageDeviceId,
    plan: &RestorationPlan,
) -> (u32, EnergizationView) {
    let el = |name: &str| {
        let d = net
            .outage_device_by_name(name)
            .expect("a device of the model");
        net.outage_device_element(d).expect("a switchable device")
    };
    let before = view.customers_below(fault).to_vec();
    let mut ops = vec![SwitchingOp::Open(net.outage_device_element(fault).unwrap())];
    ops.extend(plan.isolate.iter().map(|n| SwitchingOp::Open(el(n))));
    let mut after = view.switch(net, &ops).expect("openings never close a loop");
    for s in &plan.steps {
        after = after
            .switch(net, &[SwitchingOp::Close(el(&s.device))])
            .unwrap_or_else(|e| panic!("{}: step {}: {e}", plan.fault, s.device));
    }
    let dark = before.iter().filter(|&&c| !after.is_supplied(c)).count() as u32;
    (dark, after)
}

fn check_every_protective_fault(master: &str) -> (usize, u32) {
    let (net, _) = import_opendss(master).unwrap();
    let view = EnergizationView::normal(&net).unwrap();
    let kv = net
        .sources()
        .iter()
        .find_map(|s| s.base_kv)
        .unwrap_or(12.47);
    let before = loads(&net, &view);
    let planner = Planner::new(&net, &view);
    let (mut plans, mut restored) = (0, 0);
    for d in 0..net.outage_device_count() {
        let d = OutageDeviceId(d as u32);
        let OutageDeviceKind::Protective(p) = net.outage_device_kind(d) else {
            continue;
        };
        if !matches!(
            net.device(p).kind,
            DeviceKind::Fuse | DeviceKind::Recloser | DeviceKind::Breaker
        ) || !view.is_energized(d)
        {
            continue;
        }
        let plan = planner.plan(d, &[]);
        let (dark, after) = execute(&net, &view, d, &plan);
        assert_eq!(dark, plan.customers_still_out, "{}", plan.fault);
        let now = loads(&net, &after);
        for e in 0..now.len() {
            if let (Some(p), Some(p0)) = (
                loading_pct(&net, e, now[e], kv),
                loading_pct(&net, e, before[e], kv),
            ) {
                assert!(
                    p <= 100.0 + 1e-9 || p <= p0 + 1e-9,
                    "{}: {} at {p:.1} %",
                    plan.fault,
                    net.elements()[e].name
                );
            }
        }
        plans += 1;
        restored += plan.customers_restored;
    }
    (plans, restored)
}

/// The fixture with a tie: every protective fault's plan holds.
#[test]
fn every_plan_on_the_tie_feeder_is_valid() {
    let master = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/feeder_with_tie/master.dss"
    );
    let (plans, restored) = check_every_protective_fault(master);
    assert_eq!(plans, 3);
    assert!(restored > 0);
}

/// IEEE 8500 (five normally-open switches): every fuse, recloser and breaker fault's
/// plan holds when executed and re-loaded independently.
#[test]
#[ignore = "needs ../shared: the IEEE 8500 feeder"]
fn every_plan_on_ieee8500_is_valid() {
    let master = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/feeders/ieee8500/eval_master.dss"
    );
    let (plans, restored) = check_every_protective_fault(master);
    eprintln!("ieee8500: {plans} plans, {restored} customers restored in all");
    assert!(plans >= 30);
}
