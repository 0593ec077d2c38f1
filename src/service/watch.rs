//! Weak spots watched live: repeated faults of one device and clusters of calls on the
//! map, found as the engine concludes, each raising an early-warning order.
//!
//! A [`WarningWatch`] follows the engine's changes. A fault outage that closes after
//! more than [`sustained`](WarningRules::sustained) counts as a fault of its final
//! device (the device moves while the engine refines it; at the close it is the
//! engine's last word); the device's `faults`-th fault within the window raises a
//! [`RepeatedFaults`](WarningReason::RepeatedFaults) inspection. A call that no outage
//! explains when it comes, and still none [`grace`](WarningRules::grace) later (in a
//! storm, calls come before the outage is found), is kept for the window with the
//! caller's position; when `callers`
//! distinct callers (the new one included) have called within `radius` of the new
//! call, the lowest device above all of them gets a
//! [`RepeatedCalls`](WarningReason::RepeatedCalls) inspection. The register
//! ([`EarlyWarnings`]) keeps one order open per device: while it is open, the same
//! hotspot found again counts as a repeat of it.
//!
//! # Complexity
//! Per engine change: O(1) for most; O(log D + F) for a closed fault outage (F faults
//! of its device in the window); O(W + k · depth) for an unexplained call, W the
//! unexplained calls in the window and k the callers near it. Nothing is allocated
//! for the common change.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{Change, Engine, OutageCause};
use crate::service::warnings::{EarlyWarningId, EarlyWarnings, WarningReason};
use crate::time::{MINUTE, Millis, Timestamp};

/// What makes a weak spot, live.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarningRules {
    /// Faults of one device within `window` that raise an inspection.
    pub faults: u32,
    /// The window, for faults and calls alike.
    pub window: Millis,
    /// A fault outage counts once it lasted longer than this (IEEE 1366's sustained
    /// interruptions: 5 minutes).
    pub sustained: Millis,
    /// Distinct callers within `radius` of a call (model units) that raise one.
    pub callers: u32,
    /// The radius of a cluster of calls, in the model's coordinates.
    pub radius: f64,
    /// How long after a call no outage may explain it before it counts.
    pub grace: Millis,
}

impl Default for WarningRules {
    /// The same device three times in 30 days; five callers within 200 units in 30
    /// days (the hotspots' defaults in `reliability`); a call counts when no outage
    /// explained it 30 minutes on.
    fn default() -> Self {
        WarningRules {
            faults: 3,
            window: 30 * 1440 * MINUTE,
            sustained: 5 * MINUTE,
            callers: 5,
            radius: 200.0,
            grace: 30 * MINUTE,
        }
    }
}

/// An unexplained call kept for the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Call {
    at: Timestamp,
    customer: CustomerId,
    position: [f64; 2],
}

/// The live watch: recent faults by device and recent unexplained calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarningWatch {
    rules: WarningRules,
    faults: BTreeMap<OutageDeviceId, VecDeque<Timestamp>>,
    /// Calls no outage explained when they came, waiting out the grace.
    pending: VecDeque<(Timestamp, CustomerId)>,
    calls: VecDeque<Call>,
}

impl WarningWatch {
    /// A watch with its rules.
    pub fn new(rules: WarningRules) -> Self {
        WarningWatch {
            rules,
            ..WarningWatch::default()
        }
    }

    /// The rules.
    pub fn rules(&self) -> &WarningRules {
        &self.rules
    }

    /// Follows one step of the engine: records its closed fault outages and its
    /// unexplained calls (those whose grace ran out), raises what they make due into
    /// `register`, and appends the orders raised to `raised`.
    pub fn follow(
        &mut self,
        engine: &Engine,
        changes: &[Change],
        register: &mut EarlyWarnings,
        raised: &mut Vec<EarlyWarningId>,
    ) {
        for ch in changes {
            match *ch {
                Change::Closed {
                    outage,
                    merged_into: None,
                } => {
                    let Some(o) = engine.outage(outage) else {
                        continue;
                    };
                    let end = o.closed_at.unwrap_or(engine.clock());
                    if o.cause == OutageCause::Fault && end.0 - o.start.0 > self.rules.sustained {
                        self.fault(o.device, o.start, end, register, raised);
                    }
                }
                Change::Call(c) if c.cause.is_none() => {
                    self.pending.push_back((engine.clock(), c.customer));
                }
                _ => {}
            }
        }
        let now = engine.clock();
        while let Some(&(at, customer)) = self.pending.front() {
            if now.0 - at.0 < self.rules.grace {
                break;
            }
            self.pending.pop_front();
            if engine.classify(customer).cause.is_none() {
                self.call(engine, customer, at, register, raised);
            }
        }
    }

    fn fault(
        &mut self,
        device: OutageDeviceId,
        start: Timestamp,
        now: Timestamp,
        register: &mut EarlyWarnings,
        raised: &mut Vec<EarlyWarningId>,
    ) {
        let window = self.rules.window;
        let q = self.faults.entry(device).or_default();
        q.push_back(start);
        while q.front().is_some_and(|&f| start.0 - f.0 > window) {
            q.pop_front();
        }
        if q.len() as u32 >= self.rules.faults.max(1) {
            let reason = WarningReason::RepeatedFaults {
                faults: q.len() as u32,
            };
            raised.extend(register.raise(device, reason, now));
        }
    }

    fn call(
        &mut self,
        engine: &Engine,
        customer: CustomerId,
        now: Timestamp,
        register: &mut EarlyWarnings,
        raised: &mut Vec<EarlyWarningId>,
    ) {
        let net = engine.network();
        let Some(position) = net.bus(net.customer(customer).bus).position else {
            return;
        };
        while self
            .calls
            .front()
            .is_some_and(|c| now.0 - c.at.0 > self.rules.window)
        {
            self.calls.pop_front();
        }
        self.calls.push_back(Call {
            at: now,
            customer,
            position,
        });
        let r = self.rules.radius;
        let near =
            |c: &&Call| (c.position[0] - position[0]).hypot(c.position[1] - position[1]) <= r;
        // Distinct callers: a caller counts at its latest call near this one.
        let mut callers: Vec<CustomerId> =
            self.calls.iter().filter(near).map(|c| c.customer).collect();
        callers.sort_unstable();
        callers.dedup();
        if (callers.len() as u32) < self.rules.callers.max(1) {
            return;
        }
        let device = common_device(engine, &callers);
        let reason = WarningReason::RepeatedCalls {
            callers: callers.len() as u32,
        };
        raised.extend(register.raise(device, reason, now));
    }
}

/// The lowest outage device above every one of the customers (the topmost device
/// reached when they share none).
fn common_device(engine: &Engine, customers: &[CustomerId]) -> OutageDeviceId {
    let view = engine.view();
    let first = OutageDeviceId(customers[0].0);
    let mut last = first;
    for d in view.upstream(first) {
        last = d;
        if customers
            .iter()
            .all(|c| view.is_below(OutageDeviceId(c.0), d))
        {
            return d;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::evidence::{CallDetail, Event, Evidence};
    use crate::inference::EngineOptions;
    use crate::service::{CommandCentre, CommandCentreOptions, LimitState};
    use crate::time::Timestamp;

    const H: Millis = 60 * MINUTE;

    fn centre(rules: WarningRules) -> CommandCentre {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/ieee123/eval_master.dss"
        );
        let net = Arc::new(crate::import_opendss(path).unwrap().0);
        let opts = CommandCentreOptions {
            warning_rules: rules,
            ..CommandCentreOptions::default()
        };
        CommandCentre::new(net, EngineOptions::default(), opts).unwrap()
    }

    fn feed(c: &mut CommandCentre, time: Timestamp, evidence: Evidence) -> Vec<EarlyWarningId> {
        c.ingest(Event { time, evidence });
        c.raised_warnings().to_vec()
    }

    /// A fuse out for an hour, every customer below it gasping and restoring, after
    /// hourly ticks from the centre's clock.
    fn fault(c: &mut CommandCentre, fuse: OutageDeviceId, at: Timestamp) -> Vec<EarlyWarningId> {
        let below = c.engine().view().customers_below(fuse).to_vec();
        let mut raised = Vec::new();
        // From the last event on (none before the first).
        let mut t = if c.engine().outages().is_empty() {
            at
        } else {
            c.engine().clock() + H
        };
        while t < at {
            raised.extend(feed(c, t, Evidence::Tick));
            t = t + H;
        }
        for &m in &below {
            raised.extend(feed(c, at, Evidence::LastGasp { meter: m }));
        }
        let back = at + H;
        raised.extend(feed(c, at + 10 * MINUTE, Evidence::Tick));
        for &m in &below {
            raised.extend(feed(c, back, Evidence::PowerRestore { meter: m }));
        }
        raised.extend(feed(c, back + 10 * MINUTE, Evidence::Tick));
        raised
    }

    /// The third fault of a fuse within the window raises one inspection with its own
    /// 72-hour limit; the fourth, while it is open, is a repeat; once inspected, the
    /// next repeated fault raises a new one. The supervision view counts them apart
    /// from the repair orders, and the department statistics carry them.
    #[test]
    fn repeated_faults_raise_one_inspection_at_a_time() {
        let mut c = centre(WarningRules::default());
        let fuse = c.network().outage_device_by_name("fuse.f_l68").unwrap();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let day = 24 * H;
        assert!(fault(&mut c, fuse, t0).is_empty());
        assert!(fault(&mut c, fuse, t0 + 5 * day).is_empty());
        let raised = fault(&mut c, fuse, t0 + 10 * day);
        assert_eq!(raised.len(), 1, "{:?}", c.early_warnings().orders());
        let w = c.early_warnings().orders()[0].clone();
        assert_eq!(w.device, fuse);
        assert_eq!(w.reason, WarningReason::RepeatedFaults { faults: 3 });
        assert_eq!(w.due.0 - w.opened.0, 72 * H);
        // Deduplicated while open.
        assert!(fault(&mut c, fuse, t0 + 11 * day).is_empty());
        assert_eq!(c.early_warnings().orders().len(), 1);
        assert_eq!(c.early_warnings().orders()[0].repeats, 1);
        assert_eq!(c.early_warnings().deduplicated(), 1);
        // Supervision: in warning after 80 % of the limit, overdue after it.
        let s = c.supervision(w.opened + 60 * H);
        assert_eq!(
            (
                s.early_warning.open,
                s.early_warning.warning,
                s.early_warning.breached
            ),
            (1, 1, 0)
        );
        assert_eq!(s.early_warnings[0].id, w.id);
        assert_eq!(s.early_warnings[0].alarm, LimitState::Warning);
        assert_eq!(s.repair.open as usize, s.orders.len());
        let s = c.supervision(w.opened + 73 * H);
        assert_eq!(s.early_warning.breached, 1);
        assert_eq!(s.early_warnings[0].alarm, LimitState::Overdue);
        let dept = s.departments.last().unwrap();
        assert_eq!(
            (dept.department.as_str(), dept.orders),
            ("preventive inspection", 1)
        );
        // Inspected in time: closed, and counted on time.
        c.early_warnings_mut().close(w.id, w.opened + 24 * H);
        let s = c.supervision(w.opened + 25 * H);
        assert_eq!(s.early_warning.open, 0);
        let dept = s.departments.last().unwrap();
        assert_eq!((dept.decided, dept.on_time), (1, 1));
        // The next fault: three in the window again, a new inspection.
        let raised = fault(&mut c, fuse, t0 + 12 * day);
        assert_eq!(raised.len(), 1);
        assert_eq!(c.early_warnings().orders().len(), 2);
    }

    /// Faults spread wider than the window raise nothing.
    #[test]
    fn faults_outside_the_window_do_not_count() {
        let mut c = centre(WarningRules::default());
        let fuse = c.network().outage_device_by_name("fuse.f_l68").unwrap();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        for k in 0..4 {
            assert!(fault(&mut c, fuse, t0 + k * 20 * 24 * H).is_empty());
        }
        assert!(c.early_warnings().orders().is_empty());
    }

    /// Calls no outage explains, from customers close together on the map, raise a
    /// repeated-calls inspection of the lowest device above all of them once enough
    /// callers have called and their grace has run out; more calls while it is open
    /// are repeats.
    #[test]
    fn clusters_of_unexplained_calls_raise_an_inspection() {
        let rules = WarningRules {
            callers: 3,
            radius: 1e12,
            ..WarningRules::default()
        };
        let mut c = centre(rules);
        let fuse = c.network().outage_device_by_name("fuse.f_l68").unwrap();
        let callers = c.engine().view().customers_below(fuse).to_vec();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let mut raised = Vec::new();
        for (k, &who) in callers.iter().take(4).enumerate() {
            let at = t0 + k as i64 * 6 * H;
            let call = Evidence::Call {
                customer: who,
                detail: CallDetail::Flicker,
            };
            raised.extend(feed(&mut c, at, call));
            raised.extend(feed(&mut c, at + H, Evidence::Tick));
        }
        assert_eq!(raised.len(), 1, "{:?}", c.early_warnings().orders());
        let w = &c.early_warnings().orders()[0];
        assert_eq!(w.reason, WarningReason::RepeatedCalls { callers: 3 });
        let view = c.engine().view();
        assert!(view.is_below(w.device, fuse));
        assert!(
            callers[..3]
                .iter()
                .all(|&x| view.is_below(OutageDeviceId(x.0), w.device))
        );
        assert_eq!(w.repeats, 1);
    }
}
