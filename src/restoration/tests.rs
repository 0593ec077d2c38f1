//! Plans checked, not trusted: executed in the view, a plan closes no loop, leaves
//! the faulted section without supply, and gives supply back to exactly the customers
//! it counts.

use super::{FaultIndicator, Planner, RestorationPlan};
use crate::ids::{ElementId, OutageDeviceId};
use crate::network::Network;
use crate::topology::{EnergizationView, SwitchingOp};

fn tie_feeder() -> Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/feeder_with_tie/master.dss"
    );
    crate::network::import_opendss(path).unwrap().0
}

/// Executes a plan on the view (the faulted device open, the isolation opened, the
/// steps closed): `Err` when a step closes a loop. Returns the customers without
/// supply among those the fault held off.
pub(super) fn execute(
    net: &Network,
    view: &EnergizationView,
    fault: OutageDeviceId,
    plan: &RestorationPlan,
) -> Result<u32, crate::SwitchingError> {
    let el = |name: &str| {
        let d = net.outage_device_by_name(name).unwrap();
        net.outage_device_element(d).unwrap()
    };
    let before = view.customers_below(fault).to_vec();
    let mut ops = vec![SwitchingOp::Open(net.outage_device_element(fault).unwrap())];
    ops.extend(plan.isolate.iter().map(|n| SwitchingOp::Open(el(n))));
    let after = view.switch(net, &ops)?;
    let mut after = after;
    for s in &plan.steps {
        after = after.switch(net, &[SwitchingOp::Close(el(&s.device))])?;
    }
    Ok(before.iter().filter(|&&c| !after.is_supplied(c)).count() as u32)
}

/// Feeder A's breaker: the far end goes to feeder B through the tie, the lateral and
/// the section next to the breaker stay out.
#[test]
fn a_breaker_fault_transfers_the_far_end_through_the_tie() {
    let net = tie_feeder();
    let view = EnergizationView::normal(&net).unwrap();
    let planner = Planner::new(&net, &view);
    let brk = net.outage_device_by_name("relay.brk_a").unwrap();
    let plan = planner.plan(brk, &[]);
    assert_eq!(plan.customers_out, 6);
    assert_eq!(plan.isolate, ["swtcontrol.sw_a"]);
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].device, "line.tie");
    assert_eq!(plan.customers_restored, 3);
    assert_eq!(
        execute(&net, &view, brk, &plan).unwrap(),
        plan.customers_still_out
    );
}

/// A fault indicator past the sectionalizing switch moves the fault below it: the
/// breaker recloses onto the healthy section, and nothing is left to transfer.
#[test]
fn a_fault_indicator_narrows_the_section_and_the_breaker_recloses() {
    let net = tie_feeder();
    let view = EnergizationView::normal(&net).unwrap();
    let planner = Planner::new(&net, &view);
    let brk = net.outage_device_by_name("relay.brk_a").unwrap();
    let sw = net.outage_device_by_name("swtcontrol.sw_a").unwrap();
    let plan = planner.plan(brk, &[(sw, FaultIndicator::Passed)]);
    assert_eq!(plan.isolate, ["swtcontrol.sw_a"]);
    assert_eq!(plan.steps[0].device, "relay.brk_a");
    assert_eq!(plan.steps[0].customers, 3);
    assert_eq!(plan.customers_still_out, 3);
    assert_eq!(
        execute(&net, &view, brk, &plan).unwrap(),
        plan.customers_still_out
    );
}

/// Fault indicators at any element: one on the line below the sectionalizing switch
/// that saw fault current puts the fault below the switch, as one at the switch does;
/// the switch's own indicator that saw none keeps it above; one above the switch moves
/// nothing.
#[test]
fn indicators_below_a_boundary_narrow_the_section_unless_it_saw_none() {
    let net = tie_feeder();
    let view = EnergizationView::normal(&net).unwrap();
    let planner = Planner::new(&net, &view);
    let brk = net.outage_device_by_name("relay.brk_a").unwrap();
    let sw = net.outage_device_by_name("swtcontrol.sw_a").unwrap();
    let sw_el = net.outage_device_element(sw).unwrap();
    let el = |n: &str| -> ElementId { net.element_by_name(n).unwrap() };
    let (passed, none) = (FaultIndicator::Passed, FaultIndicator::NotPassed);
    let below = planner.plan_indicated(brk, &[(el("line.fa_2"), passed)]);
    assert_eq!(below, planner.plan(brk, &[(sw, passed)]));
    assert_eq!(below.steps[0].device, "relay.brk_a");
    assert_eq!(
        execute(&net, &view, brk, &below).unwrap(),
        below.customers_still_out
    );
    let unplanned = planner.plan(brk, &[]);
    let contradicted = planner.plan_indicated(brk, &[(el("line.fa_2"), passed), (sw_el, none)]);
    assert_eq!(contradicted, unplanned);
    let above = planner.plan_indicated(brk, &[(el("line.fa_1"), passed), (sw_el, none)]);
    assert_eq!(above, unplanned);
}
