//! The state of one generation: the day's window and rates, the interruptions and
//! rows made so far, and the questions the phases ask of them (is a customer on
//! supply, is a device dark, who is disconnected).
//!
//! A generation runs in phases, each in its own room: [`plan`](super::plan) draws the
//! planned work, faults, momentaries and disconnections; [`play`](super::play) plays
//! out the evidence they leave customer by customer, and the background;
//! [`finish`](super::finish) numbers the outages, orders the event file and writes the
//! truth.

use super::switching::Moved;
use super::{
    CallCause, Scenario, SimulationOptions, Simulator, TruthCall, TruthCause, TruthMomentary,
    TruthOutage, scorer_kind,
};
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::Network;
use crate::rng::SplitMix64;
use crate::time::{MINUTE, Millis, SECOND, Timestamp};

/// A sustained or momentary loss of supply below a device.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interruption {
    pub(super) device: OutageDeviceId,
    pub(super) start: Timestamp,
    /// Exclusive; `FOREVER` when not restored in the scenario.
    pub(super) end: Timestamp,
    pub(super) what: What,
    /// Customers below the device (to find the topmost of several).
    pub(super) size: u32,
}

/// What an interruption is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum What {
    /// A fault; the index of its truth outage.
    Fault(usize),
    /// Planned work; the index of its truth outage.
    Planned(usize),
    /// A momentary interruption (a trip and reclose).
    Momentary,
}

// The random streams of a generation, one per purpose, so that changing a rate (say
// `p_call`) keeps the faults, momentaries and planned work of a seed.
/// The day's last-gasp and call probabilities.
const RATES: u64 = 1;
/// What happens: planned work, faults, momentaries, disconnections.
const PLAN: u64 = 2;
/// Last gasps, power restores and late AMI messages.
const AMI: u64 = 3;
/// Calls from customers who are out or disconnected.
const CALLS: u64 = 4;
/// Background calls and false last gasps.
const BACKGROUND: u64 = 5;
/// Which rows leave out the `load.` prefix.
const NAMES: u64 = 6;
/// Operators' switching (stream 7 draws a ranged day's settings).
const SWITCHING: u64 = 8;

/// The end of an interruption that lasts past the scenario.
pub(super) const FOREVER: Timestamp = Timestamp(i64::MAX / 4);

/// A row of the event file being made.
pub(super) struct Row {
    pub(super) arrival: Timestamp,
    pub(super) tick: bool,
    pub(super) seq: u32,
    pub(super) event: Event,
    pub(super) call: Option<TruthCall>,
}

/// Seconds as milliseconds, rounded.
pub(super) fn secs(s: f64) -> Millis {
    (s * 1000.0).round() as Millis
}

/// Rounds to the whole second, as the event file prints times.
pub(super) fn whole(t: Timestamp) -> Timestamp {
    Timestamp((t.0 + 500).div_euclid(1000) * 1000)
}

/// The state of one generation.
pub(super) struct Run<'a, 'n> {
    pub(super) sim: &'a Simulator<'n>,
    pub(super) o: &'a SimulationOptions,
    pub(super) seed: u64,
    pub(super) p_lg: f64,
    pub(super) p_call: f64,
    pub(super) t0: Timestamp,
    /// Faults, momentaries, planned work and disconnections begin before this.
    pub(super) t_last: Timestamp,
    pub(super) end: Timestamp,
    pub(super) outages: Vec<TruthOutage>,
    pub(super) ints: Vec<Interruption>,
    pub(super) momentaries: Vec<TruthMomentary>,
    /// Disconnections: customer, from, until (exclusive), truth index.
    pub(super) disconnects: Vec<(CustomerId, Timestamp, Timestamp, usize)>,
    pub(super) rows: Vec<Row>,
    /// Per customer (by id): off-supply intervals of its meter, sorted.
    pub(super) off: Vec<Vec<(Timestamp, Timestamp)>>,
    pub(super) false_lg: u64,
    /// Customers given supply back by a transfer before their interruption ended.
    pub(super) moved: Vec<Moved>,
}

impl<'a, 'n> Run<'a, 'n> {
    pub(super) fn new(sim: &'a Simulator<'n>, o: &'a SimulationOptions, seed: u64) -> Self {
        let mut rates = SplitMix64::stream(seed, RATES);
        let p_lg = rates.uniform(o.p_lg).clamp(0.0, 1.0);
        let p_call = rates.uniform(o.p_call).clamp(0.0, 1.0);
        let t0 = whole(o.start);
        let t_last = t0 + o.duration_min as Millis * MINUTE;
        let end = t_last + o.tail_min as Millis * MINUTE;
        Run {
            sim,
            o,
            seed,
            p_lg,
            p_call,
            t0,
            t_last,
            end,
            outages: Vec::new(),
            ints: Vec::new(),
            momentaries: Vec::new(),
            disconnects: Vec::new(),
            rows: Vec::new(),
            off: vec![Vec::new(); sim.net.customers().len()],
            false_lg: 0,
            moved: Vec::new(),
        }
    }

    pub(super) fn net(&self) -> &'n Network {
        self.sim.net
    }

    /// A count drawn from a range, scaled to the size of the network.
    pub(super) fn count(&self, rng: &mut SplitMix64, r: [u32; 2]) -> u32 {
        let n = rng.count(r);
        match self.o.feeder_customers {
            Some(f) if f > 0 && self.sim.customers.len() > f as usize => {
                (n as f64 * self.sim.customers.len() as f64 / f as f64).round() as u32
            }
            _ => n,
        }
    }

    pub(super) fn push(&mut self, time: Timestamp, evidence: Evidence) {
        self.push_at(time, time, evidence, None);
    }

    pub(super) fn push_at(
        &mut self,
        time: Timestamp,
        arrival: Timestamp,
        evidence: Evidence,
        call: Option<TruthCall>,
    ) {
        let seq = self.rows.len() as u32;
        self.rows.push(Row {
            arrival: whole(arrival),
            tick: matches!(evidence, Evidence::Tick),
            seq,
            event: Event {
                time: whole(time),
                evidence,
            },
            call,
        });
    }

    /// A time in the window where things begin.
    pub(super) fn begin_time(&self, rng: &mut SplitMix64) -> Timestamp {
        let span = (self.t_last.0 - self.t0.0) / SECOND;
        whole(self.t0 + rng.index(span.max(1) as usize) as Millis * SECOND)
    }

    pub(super) fn repair(&self, rng: &mut SplitMix64, class: usize) -> Millis {
        let median = self.o.repair_median_min.get(class) * self.o.repair_scale.get(class);
        let min = rng.lognormal(median, self.o.repair_sigma);
        secs(min.max(5.0) * 60.0)
    }

    /// The end of an interval that may run past the scenario.
    pub(super) fn clip(&self, t: Timestamp) -> Option<Timestamp> {
        (t < self.end).then_some(whole(t))
    }

    pub(super) fn new_outage(
        &mut self,
        d: OutageDeviceId,
        cause: TruthCause,
        start: Timestamp,
        end: Option<Timestamp>,
        nested_in: Option<String>,
        scada: bool,
    ) -> usize {
        let net = self.net();
        let view = &self.sim.view;
        let customers: Vec<String> = view
            .customers_below(d)
            .iter()
            .map(|&c| net.customer(c).name.clone())
            .collect();
        self.outages.push(TruthOutage {
            id: String::new(),
            device: net.outage_device_name(d).to_string(),
            kind: scorer_kind(net, d).to_string(),
            cause,
            start,
            end,
            nested_in,
            scada,
            n_customers: customers.len() as u32,
            customers,
            transfers: Vec::new(),
        });
        self.outages.len() - 1
    }

    pub(super) fn add_interruption(
        &mut self,
        d: OutageDeviceId,
        start: Timestamp,
        end: Option<Timestamp>,
        what: What,
    ) {
        self.ints.push(Interruption {
            device: d,
            start,
            end: end.unwrap_or(FOREVER),
            what,
            size: self.sim.view.customer_count_below(d),
        });
    }

    /// Whether an interruption that `which` accepts, on a device that `on` accepts,
    /// overlaps `[from, to)`.
    pub(super) fn interrupted(
        &self,
        which: impl Fn(What) -> bool,
        on: impl Fn(OutageDeviceId) -> bool,
        from: Timestamp,
        to: Timestamp,
    ) -> bool {
        self.ints
            .iter()
            .any(|i| which(i.what) && i.start < to && from < i.end && on(i.device))
    }

    /// Whether a device, or one above it, is out (sustained) at `t`.
    pub(super) fn dark_at(&self, d: OutageDeviceId, t: Timestamp) -> bool {
        let view = &self.sim.view;
        self.interrupted(|w| w != What::Momentary, |k| view.is_below(d, k), t, t + 1)
    }

    /// Interruption `j` as customer `c` lives it: ended when a transfer gave the
    /// customer supply back. O(M log C) for M transfers.
    pub(super) fn interruption_for(&self, j: usize, c: CustomerId) -> Interruption {
        let i = self.ints[j];
        let moved = self
            .moved
            .iter()
            .find(|m| m.int == j && m.customers.binary_search(&c).is_ok());
        match moved {
            Some(m) => Interruption { end: m.at, ..i },
            None => i,
        }
    }

    /// Whether the customer's meter has supply at `t`.
    pub(super) fn supplied(&self, c: CustomerId, t: Timestamp) -> bool {
        !self.off[c.index()].iter().any(|&(a, b)| a <= t && t < b)
    }

    /// Whether planned work at or above `d` overlaps `[from, to)`.
    pub(super) fn planned_above_during(
        &self,
        d: OutageDeviceId,
        from: Timestamp,
        to: Timestamp,
    ) -> bool {
        let view = &self.sim.view;
        self.interrupted(
            |w| matches!(w, What::Planned(_)),
            |k| view.is_below(d, k),
            from,
            to,
        )
    }

    /// Whether a fault on the customer's own service overlaps `[from, to)`.
    pub(super) fn service_fault_during(
        &self,
        c: CustomerId,
        from: Timestamp,
        to: Timestamp,
    ) -> bool {
        self.interrupted(|w| matches!(w, What::Fault(_)), |k| k.0 == c.0, from, to)
    }

    /// Whether a customer has supply at `t` and is not disconnected.
    pub(super) fn on_supply(&self, c: CustomerId, t: Timestamp) -> bool {
        self.supplied(c, t) && self.disconnected(c, t).is_none()
    }

    pub(super) fn disconnected(&self, c: CustomerId, t: Timestamp) -> Option<usize> {
        self.disconnects
            .iter()
            .find(|&&(x, a, b, _)| x == c && a <= t && t < b)
            .map(|d| d.3)
    }

    pub(super) fn call_delay(&self, rng: &mut SplitMix64) -> Millis {
        let s = rng.lognormal(self.o.call_median_s, self.o.call_sigma);
        secs(s.min(self.o.call_max_s))
    }

    pub(super) fn push_call(
        &mut self,
        t: Timestamp,
        c: CustomerId,
        detail: CallDetail,
        cause: CallCause,
        outage: Option<usize>,
    ) {
        let call = TruthCall {
            row: 0,
            time: whole(t),
            customer: self.net().customer(c).name.clone(),
            detail,
            cause,
            outage: outage.map(|i| format!("#{i}")),
        };
        self.push_at(
            t,
            t,
            Evidence::Call {
                customer: c,
                detail,
            },
            Some(call),
        );
    }

    /// An AMI message: late with probability `late_p`.
    pub(super) fn push_ami(
        &mut self,
        rng: &mut SplitMix64,
        t: Timestamp,
        evidence: Evidence,
    ) -> bool {
        let late = rng.chance(self.o.late_p);
        let arrival = if late {
            t + secs(rng.uniform([1.0, self.o.late_max_s])).max(SECOND)
        } else {
            t
        };
        self.push_at(t, arrival, evidence, None);
        late
    }

    pub(super) fn play(mut self) -> Scenario {
        let mut plan = SplitMix64::stream(self.seed, PLAN);
        let mut ami = SplitMix64::stream(self.seed, AMI);
        let mut calls = SplitMix64::stream(self.seed, CALLS);
        let mut background = SplitMix64::stream(self.seed, BACKGROUND);
        let mut names = SplitMix64::stream(self.seed, NAMES);
        // Planned work first, so that no fault is drawn inside it; disconnections
        // last, so that none starts on a customer already dark or on a faulted service.
        self.plan_planned(&mut plan);
        self.plan_faults(&mut plan);
        self.plan_momentaries(&mut plan);
        self.plan_disconnects(&mut plan, &mut calls);
        // Switching last, from its own stream: the rest of the day is as without it.
        self.plan_transfers(&mut SplitMix64::stream(self.seed, SWITCHING));
        let mut late = self.play_customers(&mut ami, &mut calls);
        late += self.play_background(&mut background);
        let mut t = self.t0 + MINUTE;
        while t <= self.end {
            self.push(t, Evidence::Tick);
            t = t + MINUTE;
        }
        self.finish(late, &mut names)
    }
}
