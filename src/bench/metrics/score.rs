//! One scenario scored: the raw counts of every metric, at the checkpoints and over
//! the day, ready to be summed over scenarios by [`aggregate`](super::aggregate).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::intern::{
    CanonKey, CustomerKey, Customers, DeviceKey, Devices, OutageKey, any_in, intersection, merge,
    total,
};
use super::{Conclusions, orders};
use crate::bench::simulate::{CallCause, Truth};
use crate::evidence::{Event, Evidence};
use crate::ids::OutageDeviceId;
use crate::inference::OutageCause;
use crate::network::Network;
use crate::replay::RecordOp;
use crate::time::{SECOND, Timestamp};
use crate::topology::EnergizationView;

/// Raw counts at the checkpoints of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckpointCounts {
    /// True positives (canonical names).
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub fn_: u64,
    /// True positives, names as given.
    pub tp_strict: u64,
    /// False positives, names as given.
    pub fp_strict: u64,
    /// False negatives, names as given.
    pub fn_strict: u64,
    /// Truly out devices that had evidence of their own.
    pub obs: u64,
    /// Of those, how many the engine held.
    pub tp_obs: u64,
    /// Customer Jaccard at each checkpoint.
    pub jac: Vec<f64>,
}

/// The raw counts of one scenario, to be summed by [`aggregate`](super::aggregate).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScenarioScore {
    /// By checkpoint kind, in the order of [`CheckpointKind::ALL`](crate::bench::simulate::CheckpointKind::ALL).
    pub cp: [CheckpointCounts; 4],
    /// Times to detect of the detected fault outages, seconds.
    pub ttd_s: Vec<f64>,
    /// Fault outages never detected while they lasted.
    pub missed: u64,
    /// Tickets opened less those merged.
    pub tickets: i64,
    /// True fault outages.
    pub faults: u64,
    /// Calls in the truth.
    pub calls: u64,
    /// Calls classified right.
    pub calls_correct: u64,
    /// `truth->engine` counts.
    pub call_confusion: BTreeMap<String, u64>,
    /// Momentary interruptions in the truth.
    pub momentaries: u64,
    /// Momentary false positives.
    pub momentary_fp: u64,
    /// Work orders judged (opened with a device, not merged away).
    pub orders: u64,
    /// Of those, how many were at a true fault while it lasted.
    pub orders_right: u64,
    /// True fault outages found by at least one order.
    pub faults_covered: u64,
    /// Orders on those outages, an order counted once per outage it found.
    pub orders_on_covered: u64,
    /// True fault outages with evidence of their own at some time while they lasted
    /// (counted only when the events are known).
    pub faults_evidenced: u64,
    /// Of those, how many an order found.
    pub faults_evidenced_covered: u64,
    /// Pings the engine sent.
    pub pings: u64,
    /// Transfers judged: those whose tie closed at least 5 min before their fault
    /// outage ended.
    pub transfers: u64,
    /// Of those, how many the engine followed.
    pub transfers_followed: u64,
}

/// An outage open in the engine's output, interned.
#[derive(Debug, Clone, Copy)]
struct Held {
    /// The outage.
    outage: OutageKey,
    /// Its device.
    device: DeviceKey,
    /// Whether its cause is a fault.
    fault: bool,
}

/// The engine's open outages over time, read from its outage records.
struct Timeline {
    /// After each outage record (by its time), the outages open, by outage number.
    states: Vec<(Timestamp, Vec<Held>)>,
    /// Fault outages as they opened: (time, device, outage).
    opens: Vec<(Timestamp, DeviceKey, OutageKey)>,
}

impl Timeline {
    /// Replays the outage records; records without a time are left out.
    fn new(out: &Conclusions, devs: &mut Devices<'_>) -> Self {
        let mut oids: HashMap<&str, OutageKey> = HashMap::new();
        let mut state: BTreeMap<OutageKey, (DeviceKey, bool)> = BTreeMap::new();
        let mut states = Vec::new();
        let mut opens = Vec::new();
        for r in &out.outages {
            let Some(t) = r.at else { continue };
            let next = OutageKey(oids.len() as u32);
            let oid = *oids.entry(&r.outage).or_insert(next);
            let fault = r.cause == Some(OutageCause::Fault);
            match r.op {
                RecordOp::Open | RecordOp::Update => {
                    let d = devs.id(&r.device);
                    state.insert(oid, (d, fault));
                    if r.op == RecordOp::Open && fault {
                        opens.push((t, d, oid));
                    }
                }
                RecordOp::Close => {
                    state.remove(&oid);
                }
            }
            let held = state.iter().map(|(&outage, &(device, fault))| Held {
                outage,
                device,
                fault,
            });
            states.push((t, held.collect()));
        }
        Timeline { states, opens }
    }

    /// The outages open after every record at or before `t`.
    ///
    /// The same bisection as the judge's, so that an output whose records are not in
    /// time order reads the same.
    fn at(&self, t: Timestamp) -> &[Held] {
        let tl = &self.states;
        let (mut lo, mut hi) = (0, tl.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if tl[mid].0 <= t {
                lo = mid + 1
            } else {
                hi = mid
            }
        }
        if lo == 0 { &[] } else { &tl[lo - 1].1 }
    }
}

/// A true fault outage, resolved.
pub(super) struct Fault {
    /// Its device, interned.
    pub(super) device: DeviceKey,
    /// Its device as the truth names it.
    strict: String,
    /// Its device in the network, if the network has it.
    dev_id: Option<OutageDeviceId>,
    pub(super) start: Timestamp,
    pub(super) end: Option<Timestamp>,
    /// The outage above that hid it until its restoration.
    nested_in: Option<String>,
    /// Its customers, interned, sorted.
    customers: Vec<CustomerKey>,
    /// How many customers the truth lists for it (repeats counted, as the judge does).
    pub(super) listed: usize,
    /// Its transfers, in the truth's order.
    pub(super) transfers: Vec<Transfer>,
}

/// A transfer during a true fault outage, resolved.
pub(super) struct Transfer {
    /// When the tie closed.
    pub(super) at: Timestamp,
    /// How many customers the truth lists as moved (repeats counted).
    pub(super) listed: usize,
    /// The customers moved, interned, sorted, without repeats.
    customers: Vec<CustomerKey>,
}

impl Fault {
    /// Whether it is active at `t`.
    pub(super) fn active(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|e| t < e)
    }
}

/// Names interned, sorted, without repeats.
fn interned(names: &[String], custs: &mut Customers<'_>) -> Vec<CustomerKey> {
    let mut v: Vec<CustomerKey> = names.iter().map(|c| custs.id(c)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The true fault outages of a scenario, resolved against the network.
fn resolve_faults(
    truth: &Truth,
    net: &Network,
    devs: &mut Devices<'_>,
    custs: &mut Customers<'_>,
) -> Vec<Fault> {
    truth
        .faults()
        .map(|o| Fault {
            device: devs.id(&o.device.to_ascii_lowercase()),
            strict: o.device.clone(),
            dev_id: net.outage_device_by_name(&o.device),
            start: o.start,
            end: o.end,
            nested_in: o.nested_in.clone(),
            customers: interned(&o.customers, custs),
            listed: o.customers.len(),
            transfers: o
                .transfers
                .iter()
                .map(|x| Transfer {
                    at: x.at,
                    listed: x.customers.len(),
                    customers: interned(&x.customers, custs),
                })
                .collect(),
        })
        .collect()
}

/// The evidence any engine could have seen, by the row's own time.
#[derive(Default)]
pub(super) struct Seen {
    /// Per customer supplied in the view: the times of its reports (calls, last
    /// gasps, pings answering *off*).
    customers: HashMap<CustomerKey, Vec<Timestamp>>,
    /// Per device: the times of its SCADA opens.
    devices: HashMap<OutageDeviceId, Vec<Timestamp>>,
}

impl Seen {
    fn new(events: &[Event], view: &EnergizationView) -> Self {
        let mut seen = Seen::default();
        for e in events {
            match e.evidence {
                Evidence::Call { customer: c, .. }
                | Evidence::LastGasp { meter: c }
                | Evidence::Ping {
                    meter: c,
                    on: false,
                } if view.is_supplied(c) => {
                    seen.customers
                        .entry(CustomerKey(view.customer_position(c)))
                        .or_default()
                        .push(e.time);
                }
                Evidence::DeviceOpen { device } => {
                    seen.devices.entry(device).or_default().push(e.time)
                }
                _ => {}
            }
        }
        seen
    }

    /// Whether fault `i` had evidence of its own by `t`: a SCADA open of its device, or
    /// a report from one of its customers after it began and before a larger outage
    /// active at `t` swallowed it.
    pub(super) fn observable(
        &self,
        faults: &[Fault],
        i: usize,
        t: Timestamp,
        active: &[usize],
    ) -> bool {
        let o = &faults[i];
        let s = o.start;
        if let Some(d) = o.dev_id
            && self
                .devices
                .get(&d)
                .is_some_and(|v| v.iter().any(|&x| s <= x && x <= t))
        {
            return true;
        }
        let mine = &o.customers;
        let mut until = t;
        for &j in active {
            if j == i {
                continue;
            }
            let theirs = &faults[j].customers;
            if theirs.len() > mine.len() && mine.iter().all(|c| theirs.binary_search(c).is_ok()) {
                until = until.min(faults[j].start);
            }
        }
        mine.iter().any(|c| {
            self.customers
                .get(c)
                .is_some_and(|v| v.iter().any(|&x| s <= x && x <= until))
        })
    }
}

/// Scores one scenario: the raw counts of every metric (see the
/// [module documentation](super) for their definitions). `events` (the scenario's
/// events) adds the recall ceiling.
///
/// # Complexity
/// O(R·K + C·A² + ...) for R outage records, K open outages, C checkpoints and A
/// outages active at a checkpoint: milliseconds for a storm.
pub fn score(
    net: &Network,
    view: &EnergizationView,
    truth: &Truth,
    out: &Conclusions,
    events: Option<&[Event]>,
) -> ScenarioScore {
    let mut devs = Devices::new(net, view);
    let mut custs = Customers::new(net, view);
    let timeline = Timeline::new(out, &mut devs);
    let faults = resolve_faults(truth, net, &mut devs, &mut custs);
    let seen = events.map(|evs| Seen::new(evs, view));
    let mut res = ScenarioScore::default();
    for cp in &truth.checkpoints {
        let c = &mut res.cp[cp.kind.index()];
        count_checkpoint(c, cp.at, &timeline, &faults, &devs, seen.as_ref());
    }
    count_detection(&mut res, truth, &timeline, &faults, &devs);
    res.tickets = out.tickets_opened as i64 - out.tickets_merged as i64;
    res.faults = faults.len() as u64;
    res.pings = out.pings;
    orders::count_orders(&mut res, out, &faults, &mut devs, seen.as_ref());
    orders::count_transfers(&mut res, out, &faults, &mut devs);
    count_calls(&mut res, truth, out);
    count_momentary_fp(&mut res, truth, &timeline, &faults, &mut devs);
    res
}

/// One checkpoint at `t`: the engine's fault devices against the true ones (canonical
/// and strict names), the ceiling when the evidence is known, the customer Jaccard.
fn count_checkpoint(
    c: &mut CheckpointCounts,
    t: Timestamp,
    timeline: &Timeline,
    faults: &[Fault],
    devs: &Devices<'_>,
    seen: Option<&Seen>,
) {
    let active: Vec<usize> = (0..faults.len()).filter(|&i| faults[i].active(t)).collect();
    let eng: Vec<DeviceKey> = timeline
        .at(t)
        .iter()
        .filter(|x| x.fault)
        .map(|x| x.device)
        .collect();
    let canon = |d: DeviceKey| devs.canon(d);
    if let Some(seen) = seen {
        let held: HashSet<CanonKey> = eng.iter().map(|&d| canon(d)).collect();
        let observed: HashSet<CanonKey> = active
            .iter()
            .filter(|&&i| seen.observable(faults, i, t, &active))
            .map(|&i| canon(faults[i].device))
            .collect();
        c.obs += observed.len() as u64;
        c.tp_obs += observed.intersection(&held).count() as u64;
    }
    let t_canon: HashSet<CanonKey> = active.iter().map(|&i| canon(faults[i].device)).collect();
    let p_canon: HashSet<CanonKey> = eng.iter().map(|&d| canon(d)).collect();
    c.tp += t_canon.intersection(&p_canon).count() as u64;
    c.fp += p_canon.difference(&t_canon).count() as u64;
    c.fn_ += t_canon.difference(&p_canon).count() as u64;
    let t_strict: HashSet<&str> = active.iter().map(|&i| faults[i].strict.as_str()).collect();
    let p_strict: HashSet<&str> = eng.iter().map(|&d| devs.name(d)).collect();
    c.tp_strict += t_strict.intersection(&p_strict).count() as u64;
    c.fp_strict += p_strict.difference(&t_strict).count() as u64;
    c.fn_strict += t_strict.difference(&p_strict).count() as u64;
    let tc = merge(
        active
            .iter()
            .map(|&i| devs.span(faults[i].device))
            .collect(),
    );
    let pc = merge(eng.iter().map(|&d| devs.span(d)).collect());
    let mut inter = intersection(&tc, &pc);
    let mut union = total(&tc) + total(&pc) - inter;
    // Customers switched to a tie by then count on neither side.
    for c in moved_by(faults, &active, t) {
        let (a, b) = (in_spans(&tc, c), in_spans(&pc, c));
        inter -= (a && b) as u64;
        union -= (a || b) as u64;
    }
    c.jac.push(if union > 0 {
        inter as f64 / union as f64
    } else {
        1.0
    });
}

/// The customers of the active faults `active` switched to a tie at or before `t`,
/// sorted, without repeats.
fn moved_by(faults: &[Fault], active: &[usize], t: Timestamp) -> Vec<CustomerKey> {
    let mut moved: Vec<CustomerKey> = active
        .iter()
        .flat_map(|&i| &faults[i].transfers)
        .filter(|x| x.at <= t)
        .flat_map(|x| x.customers.iter().copied())
        .collect();
    moved.sort_unstable();
    moved.dedup();
    moved
}

/// Whether sorted disjoint ranges of positions hold a customer.
fn in_spans(spans: &[std::ops::Range<u32>], c: CustomerKey) -> bool {
    let k = spans.partition_point(|r| r.end <= c.0);
    k < spans.len() && spans[k].start <= c.0
}

/// Time to detect: from each fault's start (a nested one's: from the restoration above
/// it) to the first moment its canonical device is among the engine's open fault
/// outages, before the fault ends; the faults never so held are missed.
fn count_detection(
    res: &mut ScenarioScore,
    truth: &Truth,
    timeline: &Timeline,
    faults: &[Fault],
    devs: &Devices<'_>,
) {
    let end_of: HashMap<&str, Option<Timestamp>> = truth
        .outages
        .iter()
        .map(|o| (o.id.as_str(), o.end))
        .collect();
    let has =
        |st: &[Held], want: CanonKey| st.iter().any(|x| x.fault && devs.canon(x.device) == want);
    for f in faults {
        let mut s = f.start;
        if let Some(Some(pe)) = f.nested_in.as_deref().and_then(|p| end_of.get(p)) {
            s = s.max(*pe);
        }
        if f.end.is_some_and(|e| s >= e) {
            continue;
        }
        let want = devs.canon(f.device);
        let mut hit = None;
        if has(timeline.at(s), want) {
            hit = Some(s);
        } else {
            for (t, st) in &timeline.states {
                if *t < s {
                    continue;
                }
                if f.end.is_some_and(|e| *t >= e) {
                    break;
                }
                if has(st, want) {
                    hit = Some(*t);
                    break;
                }
            }
        }
        match hit {
            Some(h) => res.ttd_s.push(h.seconds_since(s)),
            None => res.missed += 1,
        }
    }
}

/// Call classification: the engine's calls matched to the truth's in order per
/// customer; a call the engine did not classify counts as `missing`.
fn count_calls(res: &mut ScenarioScore, truth: &Truth, out: &Conclusions) {
    let mut eng_calls: HashMap<&str, Vec<Option<CallCause>>> = HashMap::new();
    for (c, cause) in &out.calls {
        eng_calls.entry(c.as_str()).or_default().push(*cause);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for call in &truth.calls {
        let k = seen.entry(call.customer.as_str()).or_insert(0);
        let got = eng_calls
            .get(call.customer.as_str())
            .and_then(|l| l.get(*k))
            .copied();
        *k += 1;
        let want = call.cause;
        // As the judge prints them: a call without a record is `missing`, a record
        // without a cause `None`.
        let label = match got {
            None => "missing".to_string(),
            Some(None) => "None".to_string(),
            Some(Some(c)) => c.to_string(),
        };
        *res.call_confusion
            .entry(format!("{want}->{label}"))
            .or_insert(0) += 1;
        res.calls_correct += (got == Some(Some(want))) as u64;
    }
    res.calls = truth.calls.len() as u64;
}

/// Momentary false positives: fault outages opened within 2 min of a momentary, still
/// open 5 min after it, holding off no customer of a true fault active then, at or
/// below the momentary's device.
fn count_momentary_fp(
    res: &mut ScenarioScore,
    truth: &Truth,
    timeline: &Timeline,
    faults: &[Fault],
    devs: &mut Devices<'_>,
) {
    for m in &truth.momentaries {
        let t0 = m.time;
        let below = devs.id(&m.device.to_ascii_lowercase());
        let below = devs.span(below);
        let later: HashSet<OutageKey> = timeline
            .at(t0 + 300 * SECOND)
            .iter()
            .map(|x| x.outage)
            .collect();
        let mut true_then: Vec<CustomerKey> = faults
            .iter()
            .filter(|f| f.active(t0 + 300 * SECOND))
            .flat_map(|f| f.customers.iter().copied())
            .collect();
        true_then.sort_unstable();
        for &(t, d, oid) in &timeline.opens {
            if t < t0 || t > t0 + 120 * SECOND || !later.contains(&oid) {
                continue;
            }
            let span = &devs.span(d);
            if any_in(&true_then, span) {
                continue; // a (perhaps mislocated) real fault, not the momentary
            }
            if span.is_empty() || (below.start <= span.start && span.end <= below.end) {
                res.momentary_fp += 1;
            }
        }
    }
    res.momentaries = truth.momentaries.len() as u64;
}
