//! Work orders judged one by one, and transfers followed: what a command centre feels
//! of an engine beyond its device precision.

use std::collections::{HashMap, HashSet};

use super::Conclusions;
use super::intern::{CanonKey, DeviceKey, Devices};
use super::score::{Fault, ScenarioScore, Seen};
use crate::inference::OutageCause;
use crate::replay::RecordOp;
use crate::time::{SECOND, Timestamp};

/// One work order's life as its records tell it: the devices it was put at, by time,
/// and when it closed.
#[derive(Default)]
struct Order {
    /// (time, device interned) of each record that put it at a device.
    at: Vec<(Timestamp, DeviceKey)>,
    /// When it closed (`None`: still open at the end of the output).
    end: Option<Timestamp>,
    /// Whether its close merged it into another order.
    merged: bool,
}

/// Orders one by one: each order not merged away that was put at a device is judged;
/// it is right when, over some stretch of its life at one device, that device is the
/// canonical device of a true fault outage active during the stretch (the outage is
/// then found by it). Also counts the faults with evidence of their own while they
/// lasted, and how many of them an order found, when the events are known.
///
/// # Complexity
/// O(K + S·F) for K ticket records, S stretches of orders at a device and F true fault
/// outages at one canonical device.
pub(super) fn count_orders(
    res: &mut ScenarioScore,
    out: &Conclusions,
    faults: &[Fault],
    devs: &mut Devices<'_>,
    seen: Option<&Seen>,
) {
    let mut orders: HashMap<&str, Order> = HashMap::new();
    for r in &out.tickets {
        let (Some(t), Some(id)) = (r.at, r.ticket.as_deref()) else {
            continue;
        };
        let o = orders.entry(id).or_default();
        match (r.op, &r.device) {
            (RecordOp::Open | RecordOp::Update, Some(d)) => o.at.push((t, devs.id(d))),
            (RecordOp::Open | RecordOp::Update, None) => {}
            (RecordOp::Close, _) => {
                o.end = Some(t);
                o.merged = r.merged;
            }
        }
    }
    let mut by_canon: HashMap<CanonKey, Vec<usize>> = HashMap::new();
    for (i, f) in faults.iter().enumerate() {
        by_canon.entry(devs.canon(f.device)).or_default().push(i);
    }
    // Per fault outage, the orders that found it.
    let mut hits: HashMap<usize, HashSet<&str>> = HashMap::new();
    for (&id, o) in &orders {
        if o.merged || o.at.is_empty() {
            continue;
        }
        res.orders += 1;
        let mut right = false;
        for (k, &(t, d)) in o.at.iter().enumerate() {
            let next = o.at.get(k + 1).map(|x| x.0).or(o.end);
            let here = by_canon.get(&devs.canon(d));
            for &i in here.into_iter().flatten() {
                let f = &faults[i];
                if next.is_none_or(|n| f.start <= n)
                    && f.end.is_none_or(|e| t < e)
                    && o.end.is_none_or(|e| t <= e)
                {
                    right = true;
                    hits.entry(i).or_default().insert(id);
                }
            }
        }
        res.orders_right += right as u64;
    }
    res.faults_covered = hits.len() as u64;
    res.orders_on_covered = hits.values().map(|v| v.len() as u64).sum();
    if let Some(seen) = seen {
        for i in 0..faults.len() {
            if observable_ever(seen, faults, i) {
                res.faults_evidenced += 1;
                res.faults_evidenced_covered += hits.contains_key(&i) as u64;
            }
        }
    }
}

/// Whether fault `i` had evidence of its own at some time while it lasted (to its end,
/// or a day after its start when it has none), against the faults that overlapped it.
fn observable_ever(seen: &Seen, faults: &[Fault], i: usize) -> bool {
    let f = &faults[i];
    let end = f.end.unwrap_or(f.start + 86_400 * SECOND);
    let overlapping: Vec<usize> = (0..faults.len())
        .filter(|&j| faults[j].start <= end && faults[j].end.is_none_or(|e| e > f.start))
        .collect();
    seen.observable(faults, i, end, &overlapping)
}

/// Transfers followed: for each transfer whose tie closed at least 5 min before its
/// fault outage ended, whether the engine then held an open fault outage at the
/// faulted device (canonical names) holding off exactly the customers left out (those
/// of the outage less those moved by this and the earlier transfers).
///
/// # Complexity
/// O(X·R) for X transfers and R outage records.
pub(super) fn count_transfers(
    res: &mut ScenarioScore,
    out: &Conclusions,
    faults: &[Fault],
    devs: &mut Devices<'_>,
) {
    for f in faults {
        let want_canon = devs.canon(f.device);
        let mut gone = 0usize;
        for x in &f.transfers {
            gone += x.listed;
            let t = x.at + 300 * SECOND;
            if f.end.is_some_and(|e| t >= e) {
                continue;
            }
            res.transfers += 1;
            let want = f.listed as f64 - gone as f64;
            let followed = open_at(out, t).into_iter().any(|(d, fault, n)| {
                let d = devs.id(d);
                fault && n == Some(want) && devs.canon(d) == want_canon
            });
            res.transfers_followed += followed as u64;
        }
    }
}

/// The engine's open outages after every outage record timed at or before `t`, taken
/// in output order: (device, whether a fault, customers), by outage.
fn open_at(out: &Conclusions, t: Timestamp) -> Vec<(&str, bool, Option<f64>)> {
    let mut state: HashMap<&str, (&str, bool, Option<f64>)> = HashMap::new();
    for r in &out.outages {
        if r.at.is_none_or(|a| a > t) {
            continue;
        }
        match r.op {
            RecordOp::Open | RecordOp::Update => {
                let fault = r.cause == Some(OutageCause::Fault);
                state.insert(&r.outage, (&r.device, fault, r.customers));
            }
            RecordOp::Close => {
                state.remove(r.outage.as_str());
            }
        }
    }
    state.into_values().collect()
}
