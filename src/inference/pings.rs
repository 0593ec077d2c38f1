//! Which meters to ping: the silent meters whose answer tells an outage apart from its
//! best competitors, and what each answer is worth.
//!
//! # The gain of a ping
//!
//! An outage the engine holds at device `d` competes with three explanations of the
//! same reports: its parent is out (`up`), only the children that reported are out
//! (`down`), or, for one customer's service, the report was a stray (a problem in the
//! house, a false last gasp). Each test meter separates them by where it sits:
//!
//! | meter | off under | tests |
//! | --- | --- | --- |
//! | silent, below `d` outside every reporting child | `d`, `up` | `d` against `down` |
//! | silent, below the parent outside `d` | `up` | `d` against `up` |
//! | the service's own meter (`d` a service) | `d`, `up` | `d` against a stray |
//!
//! With `p` the probability that the meter is off under the engine's model (the
//! device's confidence for the first and last, the parent's for the second, tempered
//! by [`CONFIDENCE_TEMPER`]), and `λ` the share of pings lost (a lost ping reads off),
//! the answer reads off with probability `p + (1 - p) λ`, and the expected information
//! gain of the ping is
//!
//! `IG = H(p + (1 - p) λ) - (1 - p) H(λ)` bits,
//!
//! the answer's entropy less the noise's. A ping whose gain is below [`MIN_GAIN`]
//! cannot change a decision (the engine already holds its answer at better than about
//! 99 %), and is not proposed.
//!
//! # Only answers that can flip the decision
//!
//! The gain says how uncertain an answer is, not whether the engine would act on it.
//! So a candidate is also scored under the engine's own model with each answer put in
//! its counts: the meter below `d` is offered only if an answer on would leave `d`
//! unflagged (`S(d)` no longer above `B(d)`) or an answer off would flag the parent;
//! the meter below the parent only if an answer off would flag the parent. A ping
//! that leaves every decision where it is costs the head-end and the budget (in a
//! storm's onset, dozens of small outages below one large one each had a round that
//! moved nothing), and is not sent.

use std::cmp::Reverse;

use super::Engine;
use super::likelihood::sigmoid;
use super::outages::OutageId;
use super::state::Counts;
use crate::ids::{CustomerId, OutageDeviceId};

/// The share of pings the engine expects to be lost (a lost ping reads as off).
pub const PING_LOSS: f64 = 0.03;

/// Pings whose expected gain is below this many bits are not proposed: their answer is
/// already known at better than about 99 %.
pub const MIN_GAIN: f64 = 0.05;

/// The engine's log-odds are divided by this before a gain is computed: its model
/// treats the customers below a device as independent, and is sure of a level (a fuse
/// over its transformers) far more often than it is right (a quarter of the storm's
/// orders at confidence 0.9 or more stood at the wrong level).
pub const CONFIDENCE_TEMPER: f64 = 3.0;

/// A meter worth pinging about an outage, and what its answer is expected to tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PingCandidate {
    /// The meter to ping.
    pub meter: CustomerId,
    /// Expected information gain of its answer, bits.
    pub gain: f64,
    /// The probability, under the engine's model, that the meter is off.
    pub p_off: f64,
}

/// Binary entropy, bits.
fn entropy2(p: f64) -> f64 {
    let h = |x: f64| if x <= 0.0 { 0.0 } else { -x * x.log2() };
    h(p) + h(1.0 - p)
}

/// The expected information gain (bits) of a ping to a meter that is off with
/// probability `p_off`, with [`PING_LOSS`] of the pings lost and read as off.
pub fn ping_gain(p_off: f64) -> f64 {
    let p = p_off.clamp(0.0, 1.0);
    entropy2(p + (1.0 - p) * PING_LOSS) - (1.0 - p) * entropy2(PING_LOSS)
}

/// A confidence tempered by [`CONFIDENCE_TEMPER`].
fn tempered(q: f64) -> f64 {
    let q = q.clamp(1e-9, 1.0 - 1e-9);
    sigmoid((q / (1.0 - q)).ln() / CONFIDENCE_TEMPER)
}

impl Engine {
    /// Meters to ping to confirm an outage or tell it apart from its best competitors,
    /// most informative first: silent meters in the largest subtrees below the device
    /// that hold no report (off confirms the device over its reporting children), then a
    /// silent meter below the parent outside the device (on confirms the device over its
    /// parent).
    ///
    /// # Complexity
    /// O(children · log children + customers below the device and its parent), at
    /// worst.
    pub fn proposed_pings(&self, id: OutageId, max: usize) -> Vec<CustomerId> {
        let Some(o) = self.outage(id) else {
            return Vec::new();
        };
        let d = o.device;
        let mut out = Vec::new();
        for k in self.quiet_by_size(self.view.children(d), None) {
            if out.len() + 1 >= max {
                break;
            }
            if let Some(c) = self.silent_below(k) {
                out.push(c);
            }
        }
        if let Some(p) = self.view.parent(d)
            && let Some(c) = self
                .quiet_by_size(self.view.children(p), Some(d))
                .first()
                .and_then(|&k| self.silent_below(k))
        {
            out.push(c);
        }
        if out.is_empty()
            && let Some(c) = self.silent_below(d)
        {
            out.push(c);
        }
        out.truncate(max);
        out
    }

    /// The pings worth sending about an outage, most informative first: at most one
    /// meter per test of the module's table, each with an expected gain of at least
    /// [`MIN_GAIN`] bits and an answer that would flip a decision under the engine's
    /// model. Empty for an outage that is closed or confirmed.
    ///
    /// # Complexity
    /// O(children · log children + customers below the device and its parent), at
    /// worst.
    pub fn ping_candidates(&self, id: OutageId) -> Vec<PingCandidate> {
        let Some(o) = self.outage(id) else {
            return Vec::new();
        };
        if o.closed_at.is_some()
            || self.st.forced[o.device.index()]
            || self.counts_of(o.device).ping_off > 0
        {
            return Vec::new();
        }
        let d = o.device;
        let q_d = tempered(self.confidence(d));
        let mut out = Vec::with_capacity(2);
        // A meter is offered only if one of its answers would flip a decision.
        let mut offer =
            |meter: Option<CustomerId>, p_off: f64, (on_flips, off_flips): (bool, bool)| {
                if let Some(meter) = meter
                    && (on_flips || off_flips)
                {
                    let gain = ping_gain(p_off);
                    if gain >= MIN_GAIN {
                        out.push(PingCandidate { meter, gain, p_off });
                    }
                }
            };
        if d.index() < self.nc {
            // A service: its own meter says whether the report was a stray.
            let c = CustomerId(d.0);
            if self.latest_meter_report(c).is_none_or(|(_, on)| !on)
                && self.counts_of(d).ping_off == 0
            {
                // An answer on clears the report, and with it the outage.
                offer(Some(c), q_d, (true, false));
            }
        } else {
            let quiet = self
                .quiet_by_size(self.view.children(d), None)
                .into_iter()
                .find_map(|k| self.silent_below(k));
            offer(quiet, q_d, self.answer_below_flips(d));
        }
        if let Some(p) = self.view.parent(d) {
            let q_up = tempered(self.confidence(p));
            let sibling = self
                .quiet_by_size(self.view.children(p), Some(d))
                .into_iter()
                .find_map(|k| self.silent_below(k).map(|c| (k, c)));
            let flips = sibling.is_some_and(|(k, _)| self.off_flags_parent(d, Some(k)));
            offer(sibling.map(|(_, c)| c), q_up, (false, flips));
        }
        out.sort_by(|a, b| b.gain.total_cmp(&a.gain));
        out
    }

    /// Whether an answer from a silent meter below `d` (outside every reporting child)
    /// would change what the engine holds: on, `d` no longer beats its children; off,
    /// its parent beats `d`. O(1).
    fn answer_below_flips(&self, d: OutageDeviceId) -> (bool, bool) {
        let k = self.counts_of(d);
        let on = Counts { on: k.on + 1, ..k };
        (
            self.s_off_with(d, &on) <= self.b_of(d),
            self.off_flags_parent(d, None),
        )
    }

    /// Whether an answer off from a silent meter below `d`'s parent would flag the
    /// parent over what it holds now: the meter below `d` itself (`sibling` none), or
    /// below the parent's quiet child `sibling`. Under the model an answer off adds to
    /// the counts of every device above the meter; the quiet child's A becomes at most
    /// its own score with the answer. O(1).
    fn off_flags_parent(&self, d: OutageDeviceId, sibling: Option<OutageDeviceId>) -> bool {
        let Some(p) = self.view.parent(d) else {
            return false;
        };
        let with_off = |x: OutageDeviceId| {
            let k = self.counts_of(x);
            self.s_off_with(
                x,
                &Counts {
                    ping_off: k.ping_off + 1,
                    ..k
                },
            )
        };
        let b_after = match sibling {
            Some(k) => self.b_of(p) + with_off(k).max(0.0),
            None => self.b_of(p) - self.a_of(d) + with_off(d).max(self.b_of(d)),
        };
        with_off(p) > b_after
    }

    /// The devices among `devices` (but `except`) with no customer reporting anything
    /// below them, largest first.
    fn quiet_by_size(
        &self,
        devices: &[OutageDeviceId],
        except: Option<OutageDeviceId>,
    ) -> Vec<OutageDeviceId> {
        let mut quiet: Vec<OutageDeviceId> = devices
            .iter()
            .copied()
            .filter(|&k| Some(k) != except && self.counts_of(k).active == 0)
            .collect();
        quiet.sort_by_key(|&k| Reverse(self.view.customer_count_below(k)));
        quiet
    }

    /// The first customer below a device whose meter has said nothing.
    fn silent_below(&self, d: OutageDeviceId) -> Option<CustomerId> {
        self.view
            .customers_below(d)
            .iter()
            .copied()
            .find(|c| self.st.bits[c.index()].is_empty())
    }
}
