//! The likelihood: the log-odds of "device `d` is out" against "everything is on",
//! from its prior and the counts of the customers below it by evidence kind.
//!
//! Each kind of evidence weighs the log of its probability given the customer is off
//! over its probability given it is on ([`Weights`], derived from the current rates);
//! a silent customer weighs the probability that it would still be silent by now if
//! it were off (its last gasp and its call overdue). The dynamic programme (`dp`)
//! compares these sums; this module only states them.

use super::Engine;
use super::options::EngineOptions;
use super::rates::Rates;
use super::state::Counts;
use crate::ids::OutageDeviceId;
use crate::time::{MINUTE, Millis, SECOND, Timestamp};

/// Meters below one out device lose power at once and stamp their last gasps within
/// a minute of it; last gasps below a device further apart than this are not all
/// explained by that device going out.
pub(super) const LG_COHERENCE: Millis = 3 * MINUTE;
/// The share of a silent meter's missing last gasp that counts against an outage
/// when the first last gasp below it has just passed its hold (the rest counts over
/// the following minute, as late gasps would have arrived).
pub(super) const SILENCE_AT_HOLD: f64 = 0.5;
/// How much a SCADA-confirmed opening outweighs any explanation below it.
pub(super) const FORCED_BONUS: f64 = 1e4;
/// Resolution of the call-silence table.
pub(super) const SILENCE_STEP: Millis = 10 * SECOND;
/// Span of the call-silence table (beyond it the term is computed).
const SILENCE_SPAN: Millis = 12 * 60 * MINUTE;

/// Derived log-weights, recomputed when rates change.
#[derive(Debug, Clone, Copy)]
pub(super) struct Weights {
    /// A call saying no power or a wire down.
    pub(super) call: f64,
    /// A call saying partial power.
    pub(super) weak: f64,
    /// A last gasp.
    pub(super) lg: f64,
    /// A ping answering off.
    pub(super) ping_off: f64,
    /// A power restore or ping answering on.
    pub(super) on: f64,
    /// A power restore missing after a restoration.
    pub(super) await_: f64,
    /// The last-gasp rate.
    pub(super) p_lg: f64,
    /// The call rate.
    pub(super) p_call: f64,
    /// ln(1 - p_lg): an off meter whose last gasp is overdue.
    pub(super) ln_no_lg: f64,
}

/// The log-weights of the options at the current rates.
pub(super) fn weights(o: &EngineOptions, r: &Rates) -> Weights {
    let p_call = r.call.value();
    let p_lg = r.last_gasp.value();
    let p_pr = r.power_restore.value();
    let bg = o.background_call_probability.max(1e-6);
    let flg = o.false_last_gasp_probability.max(1e-6);
    Weights {
        // Fault callers say no power or wire down 90 %, partial 10 %; background
        // callers 60 % and 20 % (the rest is flicker, which carries no weight).
        call: (p_call * 0.9 / (bg * 0.6)).ln(),
        weak: (p_call * 0.1 / (bg * 0.2)).ln(),
        lg: (p_lg / flg).ln(),
        ping_off: 8.0,
        on: -8.0,
        await_: (1.0 / (1.0 - p_pr)).ln(),
        p_lg,
        p_call,
        ln_no_lg: (1.0 - p_lg).max(1e-6).ln(),
    }
}

/// The call-silence table: ln(1 - p_call F(dt)) at the start of each step.
pub(super) fn call_silence(o: &EngineOptions, p_call: f64) -> Vec<f64> {
    (0..SILENCE_SPAN / SILENCE_STEP)
        .map(|k| {
            let f = lognormal_cdf(
                (k * SILENCE_STEP) as f64,
                o.call_delay_median as f64,
                o.call_delay_sigma,
            );
            (1.0 - p_call * f).max(1e-6).ln()
        })
        .collect()
}

pub(super) fn sigmoid(x: f64) -> f64 {
    if x > 30.0 {
        1.0
    } else if x < -30.0 {
        0.0
    } else {
        1.0 / (1.0 + (-x).exp())
    }
}

/// P(delay <= t) for a log-normal delay with the given median and sigma.
pub(super) fn lognormal_cdf(t: f64, median: f64, sigma: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let z = (t / median).ln() / (sigma * std::f64::consts::SQRT_2);
    0.5 * (1.0 + erf(z))
}

/// Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-x * x).exp();
    s * y
}

impl Engine {
    /// The prior log-odds of a device.
    #[inline]
    pub(super) fn lp_of(&self, d: OutageDeviceId) -> f64 {
        let i = d.index();
        if i >= self.nc {
            self.lp[i - self.nc] as f64
        } else {
            self.lp_service
        }
    }

    /// Whether any off evidence lies below a device.
    pub(super) fn has_reports(&self, d: OutageDeviceId) -> bool {
        self.counts_of(d).reports()
    }

    /// Log-odds of "d out" against "all on", from the counts below d.
    pub(super) fn s_off(&self, d: OutageDeviceId) -> f64 {
        self.s_off_with(d, &self.counts_of(d))
    }

    /// [`Engine::s_off`] with the counts of `d` at hand.
    #[inline]
    pub(super) fn s_off_with(&self, d: OutageDeviceId, k: &Counts) -> f64 {
        let w = &self.w;
        let i = d.index();
        // The meters below one out device lose power together: last gasps further
        // apart than the coherence window cannot all be its own, so one of them is
        // taken for another fault's or a stray.
        let mut lg = k.lg;
        if lg >= 2 && i >= self.nc {
            let (first, last) = self.st.node[i - self.nc].lg_span;
            if last.0.saturating_sub(first.0) > LG_COHERENCE {
                lg -= 1;
            }
        }
        let s = self.lp_of(d)
            + k.call as f64 * w.call
            + k.weak as f64 * w.weak
            + lg as f64 * w.lg
            + k.ping_off as f64 * w.ping_off
            + k.on as f64 * w.on
            + k.await_ as f64 * w.await_
            + k.forced as f64 * FORCED_BONUS;
        let tf = self.t_first_of(d);
        if tf.0 == i64::MAX {
            return s;
        }
        self.add_silence(s, k, tf)
    }

    /// Adds to the log-odds `s` the log-probability that the customers below a device
    /// with counts `k` that have not reported would still be silent now if it had
    /// gone out at `t_first` (the earliest report below it): their last gasps and
    /// calls overdue. (Added term by term onto `s`: the sum is the same to the bit
    /// whichever way the code is cut.)
    #[inline]
    fn add_silence(&self, mut s: f64, k: &Counts, t_first: Timestamp) -> f64 {
        let w = &self.w;
        let dt = (self.st.clock.0 - t_first.0).max(0);
        let base = k
            .pop
            .saturating_sub(k.on + k.await_ + k.ping_off + k.forced_pop) as f64;
        let silent_lg = (base - (k.lg + k.call_only) as f64).max(0.0);
        let silent_call = (base - (k.call + k.weak) as f64).max(0.0);
        if silent_lg > 0.0 {
            // Meters gasp within a minute of the power going: by the end of the first
            // gasp's hold most of the others' gasps are in, the late ones follow over
            // the next minute.
            let f_lg = (SILENCE_AT_HOLD
                + (1.0 - SILENCE_AT_HOLD) * dt.saturating_sub(self.opts.last_gasp_hold) as f64
                    / MINUTE as f64)
                .clamp(0.0, 1.0);
            s += silent_lg
                * if f_lg >= 1.0 {
                    w.ln_no_lg
                } else {
                    (1.0 - w.p_lg * f_lg).max(1e-6).ln()
                };
        }
        s += k.call_only as f64 * w.ln_no_lg;
        if silent_call > 0.0 {
            s += silent_call * self.call_silence_after(dt);
        }
        s
    }

    /// ln(1 - p_call F(dt)): a customer who would have called by `dt` after its power
    /// went with probability p_call F(dt) has not (from the table while it lasts).
    #[inline]
    pub(super) fn call_silence_after(&self, dt: Millis) -> f64 {
        match self.call_silence.get((dt / SILENCE_STEP) as usize) {
            Some(&g) => g,
            None => {
                let f_call = lognormal_cdf(
                    dt as f64,
                    self.opts.call_delay_median as f64,
                    self.opts.call_delay_sigma,
                );
                (1.0 - self.w.p_call * f_call).max(1e-6).ln()
            }
        }
    }
}
