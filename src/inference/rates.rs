//! The online estimates of the rates that vary most between utilities and storms:
//! how often an off meter's last gasp arrives, an off customer calls, and a restored
//! meter's power restore arrives.
//!
//! Each estimate is a running Beta ([`RateEstimate`]) fed by observations: a
//! SCADA-confirmed opening (the share of the customers below that gasped or called), a
//! restoration (the share that sent a restore), a momentary (the share of its zone's
//! meters that gasped in its burst) and a caller (whether its meter gasped). The first
//! four are samples of many customers, weighed by how many through one
//! [`SampleBounds`]; a caller is one trial.
//!
//! Samples are gathered as they come but applied only at the periodic refresh
//! ([`Engine::at_boundary`]), with the fault intensity: the samples gathered before the
//! refresh's time, summed in fixed point (integer sums, so the order in which they are
//! gathered or added up does not change a bit). Between two refreshes the weights
//! stand still, so substations are independent of each other and engines that each
//! hold a part of the network agree exactly when their totals are summed at the
//! boundary (see `replay::partition`).

use serde::{Deserialize, Serialize};

use super::Engine;
use super::evidence::CALL_LEAD;
use super::likelihood::{call_silence, lognormal_cdf, weights};
use super::state::{Flag, LastGasp};
use super::timers::Timer;
use crate::evidence::CallDetail;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::time::{MINUTE, Millis, Timestamp};

/// A running Beta estimate of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateEstimate {
    /// Pseudo-count of successes.
    pub hits: f64,
    /// Pseudo-count of trials.
    pub trials: f64,
}

impl RateEstimate {
    /// A prior belief `p` worth `weight` trials.
    fn new(p: f64, weight: f64) -> Self {
        RateEstimate {
            hits: p * weight,
            trials: weight,
        }
    }

    /// The current estimate.
    pub fn value(&self) -> f64 {
        (self.hits / self.trials).clamp(0.01, 0.99)
    }

    fn add(&mut self, hits: f64, trials: f64) {
        self.hits += hits;
        self.trials += trials;
    }
}

/// The rates the engine currently believes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// Probability that an off customer calls.
    pub call: RateEstimate,
    /// Probability that an off meter's last gasp arrives.
    pub last_gasp: RateEstimate,
    /// Probability that a restored meter's power restore arrives.
    pub power_restore: RateEstimate,
}

impl Rates {
    /// The options' initial rates as prior beliefs: the call rate worth 20 trials,
    /// the last-gasp and power-restore rates 10 each.
    pub(super) fn initial(call: f64, last_gasp: f64, power_restore: f64) -> Rates {
        Rates {
            call: RateEstimate::new(call, 20.0),
            last_gasp: RateEstimate::new(last_gasp, 10.0),
            power_restore: RateEstimate::new(power_restore, 10.0),
        }
    }
}

/// Fixed-point unit of a gathered sample: 2^-32 of a trial.
const FIXED: f64 = (1u64 << 32) as f64;

/// Samples of one rate gathered since the last boundary, in fixed point
/// ([`FIXED`]): sums of integers, the same in any order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tally {
    hits: i64,
    trials: i64,
}

impl Tally {
    fn add(&mut self, hits: f64, trials: f64) {
        self.hits += (hits * FIXED).round() as i64;
        self.trials += (trials * FIXED).round() as i64;
    }

    fn merge(&mut self, o: Tally) {
        self.hits += o.hits;
        self.trials += o.trials;
    }
}

/// The samples of the three rates gathered over a stretch of time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RateSamples {
    call: Tally,
    last_gasp: Tally,
    power_restore: Tally,
}

impl RateSamples {
    /// Adds another stretch's samples (exact: integer sums).
    pub(crate) fn merge(&mut self, o: RateSamples) {
        self.call.merge(o.call);
        self.last_gasp.merge(o.last_gasp);
        self.power_restore.merge(o.power_restore);
    }

    fn is_empty(&self) -> bool {
        *self == RateSamples::default()
    }
}

/// What the next boundary applies, and what is gathered meanwhile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Boundary {
    /// Samples gathered at the clock's current time (sealed when the clock moves on).
    gathering: RateSamples,
    /// Samples gathered before the clock's current time, not yet applied.
    sealed: RateSamples,
    /// The fault outages held when the clock last moved on.
    sealed_faults: u32,
}

/// Network-wide totals for one boundary: the samples to apply and the fault outages
/// held, summed over engines that each hold a part of the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BoundaryTotals {
    /// The rate samples gathered before the boundary's time.
    pub(crate) samples: RateSamples,
    /// The fault outages held when the clock reached the boundary's time.
    pub(crate) faults: u32,
}

impl BoundaryTotals {
    /// Adds another part's totals.
    pub(crate) fn merge(&mut self, o: BoundaryTotals) {
        self.samples.merge(o.samples);
        self.faults += o.faults;
    }
}

/// Which rate an observation is of.
#[derive(Debug, Clone, Copy)]
enum Rate {
    Call,
    LastGasp,
    PowerRestore,
}

/// A sample of a rate from the customers below one event: of `pop` customers who
/// could have done it, `hits` did.
#[derive(Debug, Clone, Copy)]
struct Sample {
    hits: u32,
    pop: u32,
    share: Share,
}

/// How a sample's share is read.
#[derive(Debug, Clone, Copy)]
enum Share {
    /// The hits are among the customers counted: the share is `hits / pop`.
    Counted,
    /// The hits may exceed the share the sample can show (meters outside it, or
    /// calls over the part `by` of them that has come by now): the share is
    /// `hits / pop / by`, at most one.
    Capped {
        /// The part of the hits the sample can show by now.
        by: f64,
    },
}

/// How much a sample of many customers says about a rate.
struct SampleBounds {
    /// A sample of fewer customers says nothing (a few meters may have their own
    /// reasons).
    min_customers: u32,
    /// One event is one observation of the rate however many meters it has: it
    /// weighs as many trials as customers, up to this.
    max_weight: f64,
}

/// The bounds of every sample of many customers.
const SAMPLE: SampleBounds = SampleBounds {
    min_customers: 5,
    max_weight: 50.0,
};

/// How long after a SCADA-confirmed opening its customers' calls are counted to
/// estimate the call rate.
pub(super) const CALL_ESTIMATE_AFTER: Millis = 40 * MINUTE;
/// How long after a SCADA-confirmed opening its customers' last gasps are counted to
/// estimate the last-gasp rate.
pub(super) const LAST_GASP_ESTIMATE_AFTER: Millis = 4 * MINUTE;
/// How long after a restoration its customers' power restores are counted.
pub(super) const RESTORE_ESTIMATE_AFTER: Millis = 3 * MINUTE;
/// How long after a call its meter's last gasp is looked for (to estimate the
/// last-gasp rate from callers).
const LG_FROM_CALL_AFTER: Millis = 5 * MINUTE;
/// The weight of one caller in the last-gasp rate (a SCADA opening weighs up to 50).
const LG_FROM_CALL_WEIGHT: f64 = 1.0;
/// How long after a momentary its burst's last gasps are counted to estimate the
/// last-gasp rate (late AMI messages arrive minutes after).
pub(super) const MOMENTARY_ESTIMATE_AFTER: Millis = 4 * MINUTE;
/// A burst needs this many meters' last gasps to estimate the last-gasp rate from (a
/// meter or two that gasped and came back may be a blip of their own, not their
/// zone's momentary).
const MOMENTARY_ESTIMATE_MIN_GASPS: u32 = 3;

impl Engine {
    /// The clock moves on: what was gathered so far is sealed for the next boundary,
    /// with the number of fault outages held now. O(1).
    pub(super) fn seal(&mut self) {
        let b = &mut self.st.boundary;
        b.sealed.merge(std::mem::take(&mut b.gathering));
        b.sealed_faults = self.st.open_fault.len() as u32;
    }

    /// The totals this engine would apply at a boundary: at a later time
    /// (`advancing`, the samples gathered at the current time sealed too) or at the
    /// current one (a flush). O(1).
    pub(crate) fn boundary_totals(&self, advancing: bool) -> BoundaryTotals {
        let b = &self.st.boundary;
        let mut samples = b.sealed;
        let mut faults = b.sealed_faults;
        if advancing {
            samples.merge(b.gathering);
            faults = self.st.open_fault.len() as u32;
        }
        BoundaryTotals { samples, faults }
    }

    /// Makes the next boundary apply `totals` (network-wide sums) instead of this
    /// engine's own.
    pub(crate) fn share_boundary(&mut self, totals: BoundaryTotals) {
        self.shared = Some(totals);
    }

    /// The periodic refresh's boundary: the sealed samples enter the rates, the
    /// weights are re-derived, and the fault intensity follows the fault outages held
    /// when the clock reached this time. O(1), or O(devices) when the priors move.
    pub(super) fn at_boundary(&mut self) {
        let own = BoundaryTotals {
            samples: self.st.boundary.sealed,
            faults: self.st.boundary.sealed_faults,
        };
        let totals = self.shared.take().unwrap_or(own);
        self.st.boundary.sealed = RateSamples::default();
        if !totals.samples.is_empty() {
            let s = totals.samples;
            let r = &mut self.st.rates;
            for (rate, t) in [
                (&mut r.call, s.call),
                (&mut r.last_gasp, s.last_gasp),
                (&mut r.power_restore, s.power_restore),
            ] {
                rate.add(t.hits as f64 / FIXED, t.trials as f64 / FIXED);
            }
            self.reweight();
        }
        self.adapt_intensity(totals.faults as usize);
    }

    /// Gathers a sample of a rate if it holds enough customers; the next boundary
    /// applies it.
    fn observe(&mut self, rate: Rate, s: Sample) {
        if s.pop < SAMPLE.min_customers {
            return;
        }
        let w = (s.pop as f64).min(SAMPLE.max_weight);
        let hits = match s.share {
            Share::Counted => w * s.hits as f64 / s.pop as f64,
            Share::Capped { by } => w * (s.hits as f64 / s.pop as f64 / by).min(1.0),
        };
        self.tally_mut(rate).add(hits, w);
    }

    fn tally_mut(&mut self, rate: Rate) -> &mut Tally {
        let r = &mut self.st.boundary.gathering;
        match rate {
            Rate::Call => &mut r.call,
            Rate::LastGasp => &mut r.last_gasp,
            Rate::PowerRestore => &mut r.power_restore,
        }
    }

    /// New rates: the weights and the call-silence table derived from them (the
    /// refresh that follows the boundary applies them everywhere).
    pub(super) fn reweight(&mut self) {
        let p_call = self.w.p_call;
        self.w = weights(&self.opts, &self.st.rates);
        if self.w.p_call != p_call {
            self.call_silence = call_silence(&self.opts, self.w.p_call);
        }
    }

    /// Whether a customer was already off (reporting) well before `t_open`: it could
    /// not answer the opening at `t_open` with a last gasp or a call.
    pub(super) fn off_before(&self, c: CustomerId, t_open: i64) -> bool {
        let b = self.st.bits[c.index()];
        b.has(Flag::Excluded)
            || (b.reporting() && self.st.report_at[c.index()].0 < t_open - CALL_LEAD - MINUTE)
    }

    /// The share of the customers below a SCADA-confirmed opening whose last gasp
    /// came within a minute before to four minutes after it.
    pub(super) fn estimate_last_gasp(&mut self, d: OutageDeviceId, t_open: i64) {
        let mut hits = 0u32;
        let mut pop = 0u32;
        for &c in self.view.customers_below(d) {
            let i = c.index();
            if self.off_before(c, t_open) {
                continue;
            }
            pop += 1;
            let lg = self.st.lg_at[i].0;
            let counted =
                self.st.lg_state[i] != LastGasp::None || self.st.bits[i].has(Flag::LastGasp);
            if counted && lg >= t_open - MINUTE && lg <= t_open + LAST_GASP_ESTIMATE_AFTER {
                hits += 1;
            }
        }
        let share = Share::Counted;
        self.observe(Rate::LastGasp, Sample { hits, pop, share });
    }

    /// The share of the customers below a SCADA-confirmed opening who called, by the
    /// time most calls have come, over the share of calls that come by then.
    pub(super) fn estimate_call(&mut self, d: OutageDeviceId, t_open: i64) {
        if !self.st.forced[d.index()] || self.st.scada_open.get(&d) != Some(&Timestamp(t_open)) {
            return;
        }
        let mut hits = 0u32;
        let mut pop = 0u32;
        for &c in self.view.customers_below(d) {
            if self.off_before(c, t_open) {
                continue;
            }
            pop += 1;
            let at = self.st.call_at[c.index()].0;
            if at >= t_open {
                hits += 1;
            }
        }
        let by = lognormal_cdf(
            CALL_ESTIMATE_AFTER as f64,
            self.opts.call_delay_median as f64,
            self.opts.call_delay_sigma,
        )
        .max(0.1);
        let share = Share::Capped { by };
        self.observe(Rate::Call, Sample { hits, pop, share });
    }

    /// The share of the customers below a restored device (every one of them was off;
    /// those still held by a nested outage are not back) that sent a power restore.
    pub(super) fn estimate_restore(&mut self, d: OutageDeviceId, t_close: i64) {
        let mut nested = self.held_spans_below(d, false);
        let mut hits = 0u32;
        let mut pop = 0u32;
        let order = self.view.customers_in_preorder();
        for pos in self.view.customer_span(d) {
            let i = order[pos as usize].index();
            if self.st.bits[i].has(Flag::Excluded) || nested.contains(pos) {
                continue;
            }
            pop += 1;
            if self.st.supply[i].since.0 >= t_close {
                hits += 1;
            }
        }
        let share = Share::Counted;
        self.observe(Rate::PowerRestore, Sample { hits, pop, share });
    }

    /// The share of the meters in a momentary's zone that sent a last gasp in its
    /// burst: one observation of the last-gasp rate, early in a storm (before any
    /// lockout), since every meter there lost power at the same instant.
    pub(super) fn estimate_last_gasp_from_momentary(&mut self, zone: OutageDeviceId, tb: i64) {
        let window = self.opts.burst_window;
        let mut gasped: Vec<CustomerId> = self
            .st
            .burst_lg
            .iter()
            .filter(|&&(t, c)| {
                (t.0 - tb).abs() <= window && self.view.is_below(OutageDeviceId(c.0), zone)
            })
            .map(|&(_, c)| c)
            .collect();
        gasped.sort_unstable();
        gasped.dedup();
        let hits = gasped.len() as u32;
        if hits < MOMENTARY_ESTIMATE_MIN_GASPS {
            return;
        }
        let pop = self
            .view
            .customers_below(zone)
            .iter()
            .filter(|&&c| !self.off_before(c, tb))
            .count() as u32;
        let share = Share::Capped { by: 1.0 };
        self.observe(Rate::LastGasp, Sample { hits, pop, share });
    }

    /// Sets the timer that judges whether a caller's meter gasped: a caller's meter
    /// gasped or not independently of the call, so callers are a sample of off meters
    /// that needs no SCADA. Judged once every gasp stamped in the window can have
    /// arrived, so the order of arrival does not matter.
    pub(super) fn sample_caller(&mut self, c: CustomerId, detail: CallDetail, t: Timestamp) {
        if self.opts.estimate_rates && detail != CallDetail::Partial {
            let due =
                t.0.saturating_add(LG_FROM_CALL_AFTER)
                    .saturating_add(self.opts.late_window);
            self.st
                .timers
                .push(due, Timer::EstimateLastGaspFromCall(c, t));
        }
    }

    /// Whether a caller's meter gasped (or answered a ping off) within the window
    /// after its call at `t`: one trial of the last-gasp rate (gathered for the next
    /// boundary), if the customer is
    /// still off and the call its own (not a repeat).
    pub(super) fn estimate_last_gasp_from_call(&mut self, c: CustomerId, t: i64) {
        let i = c.index();
        let b = self.st.bits[i];
        if self.st.call_at[i].0 != t || !b.has(Flag::Call) {
            return;
        }
        let gasp_in_window = (b.has(Flag::LastGasp) || self.st.lg_state[i] != LastGasp::None)
            && self.st.lg_at[i].0 <= t + LG_FROM_CALL_AFTER;
        let gasped = b.has(Flag::PingOff) || gasp_in_window;
        self.st.boundary.gathering.last_gasp.add(
            LG_FROM_CALL_WEIGHT * gasped as u8 as f64,
            LG_FROM_CALL_WEIGHT,
        );
    }
}
