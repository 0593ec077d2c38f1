//! Simulated crews for examples and tests: a dispatcher that sends the nearest free crew
//! to each new order, most urgent first, and crews that go en route after their
//! turnout, arrive when their trip is done, and work until the supply is back (the
//! event stream says when: the engine sees the restoration), then close with a cause.
//! A crew that the evidence never relieves reports the restoration itself after
//! `give_up`. Every decision is a function of the command centre's state and clock, so
//! a restored snapshot carries on exactly as the original.
#![allow(dead_code)]

use outage_locator::network::Customer;
use outage_locator::service::{Action, Crew, FaultCause, Notice, OrderState, Priority};
use outage_locator::*;

/// The simulated crews' habits.
pub struct CrewSim {
    /// On site this long with the supply still off, the crew reports the restoration.
    pub give_up: Millis,
    /// From restoration to closing the order.
    pub close_after: Millis,
}

impl Default for CrewSim {
    fn default() -> Self {
        CrewSim {
            give_up: 4 * 60 * MINUTE,
            close_after: 10 * MINUTE,
        }
    }
}

const CAUSES: [FaultCause; 5] = [
    FaultCause::Weather,
    FaultCause::Vegetation,
    FaultCause::Equipment,
    FaultCause::Animal,
    FaultCause::NoFaultFound,
];

impl CrewSim {
    /// Applies every crew step due at the centre's clock; appends the notices sent.
    pub fn step(&self, cc: &mut CommandCentre<'_>, notices: &mut Vec<Notice>) {
        let now = cc.engine().clock();
        let turnout = cc.orders().options().turnout;
        let mut open: Vec<(Priority, Timestamp, WorkOrderId)> = cc
            .orders()
            .open_orders()
            .map(|w| (w.priority, w.arrival_due(cc.orders().limits()), w.id))
            .collect();
        open.sort();
        for (_, _, id) in open {
            let w = cc.orders().order(id);
            let since = w.steps.last().map_or(now, |s| s.at);
            let action = match w.state {
                OrderState::Created => {
                    cc.orders()
                        .dispatch_options(id, now, 1)
                        .first()
                        .map(|o| Action::Dispatch {
                            order: id,
                            crew: o.crew,
                        })
                }
                OrderState::Dispatched if now.0 >= since.0 + turnout => {
                    Some(Action::EnRoute { order: id })
                }
                OrderState::EnRoute if cc.orders().crew_eta(id).is_some_and(|eta| now >= eta) => {
                    Some(Action::OnSite { order: id })
                }
                OrderState::OnSite if now.0 >= since.0 + self.give_up => {
                    Some(Action::Restored { order: id })
                }
                OrderState::Restored if now.0 >= since.0 + self.close_after => {
                    // Supply came back before any crew went (a reclose, a switching):
                    // the dispatcher closes it.
                    let cause = if w.crew.is_some() {
                        CAUSES[id.0 as usize % CAUSES.len()]
                    } else {
                        FaultCause::Unknown
                    };
                    Some(Action::Close { order: id, cause })
                }
                _ => None,
            };
            if let Some(a) = action
                && let Ok(out) = cc.act(a, now)
            {
                notices.extend_from_slice(out.notices);
            }
        }
    }
}

/// Crews spread over the network's bounding box, in departments by position (west and
/// east of the middle).
pub fn crews_over(net: &Network, n: usize) -> Vec<Crew> {
    let pts: Vec<[f64; 2]> = net.buses().iter().filter_map(|b| b.position).collect();
    let (minx, maxx, miny, maxy) = pts.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), p| (a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])),
    );
    (0..n)
        .map(|i| {
            // A low-discrepancy spread: the same crews for the same network.
            let fx = (i as f64 * 0.618_034 + 0.25).fract();
            let fy = (i as f64 * 0.754_878 + 0.4).fract();
            let pos = [minx + fx * (maxx - minx), miny + fy * (maxy - miny)];
            let dept = if fx < 0.5 { "West depot" } else { "East depot" };
            Crew::new(&format!("Crew {}", i + 1), dept, pos)
        })
        .collect()
}

/// The network with service zones and critical customers set for a demonstration (the
/// OpenDSS models carry neither): customers beyond 55 % of the farthest distance from
/// the source are rural, beyond 80 % remote; every 23rd customer is critical.
pub fn with_zones(net: &Network) -> Network {
    let src = net.sources()[0].bus;
    let origin = net.bus(src).position.unwrap_or([0.0, 0.0]);
    let dist = |c: &Customer| {
        net.bus(c.bus).position.map_or(0.0, |p| {
            ((p[0] - origin[0]).powi(2) + (p[1] - origin[1]).powi(2)).sqrt()
        })
    };
    let far = net
        .customers()
        .iter()
        .map(dist)
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut v = serde_json::to_value(net).unwrap();
    let customers = v["customers"].as_array_mut().unwrap();
    for (i, (c, j)) in net.customers().iter().zip(customers.iter_mut()).enumerate() {
        let f = dist(c) / far;
        let zone = if f > 0.8 {
            "remote"
        } else if f > 0.55 {
            "rural"
        } else {
            "urban"
        };
        j["zone"] = serde_json::Value::from(zone);
        j["critical"] = serde_json::Value::from(i % 23 == 7);
    }
    serde_json::from_value(v).unwrap()
}
