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

use std::cmp::Reverse;

use super::Engine;
use super::likelihood::sigmoid;
use super::outages::OutageId;
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
    /// [`MIN_GAIN`] bits. Empty for an outage that is closed or confirmed.
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
        let mut offer = |meter: Option<CustomerId>, p_off: f64| {
            if let Some(meter) = meter {
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
                offer(Some(c), q_d);
            }
        } else {
            let quiet = self
                .quiet_by_size(self.view.children(d), None)
                .into_iter()
                .find_map(|k| self.silent_below(k));
            offer(quiet, q_d);
        }
        if let Some(p) = self.view.parent(d) {
            let q_up = tempered(self.confidence(p));
            let sibling = self
                .quiet_by_size(self.view.children(p), Some(d))
                .into_iter()
                .find_map(|k| self.silent_below(k));
            offer(sibling, q_up);
        }
        out.sort_by(|a, b| b.gain.total_cmp(&a.gain));
        out
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
