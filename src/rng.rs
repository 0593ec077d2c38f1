//! The crate's one random generator: SplitMix64, seeded, the same numbers on every
//! platform, with the few distributions the generators of networks, scenarios and
//! storms draw from.
//!
//! Everything random in the crate draws from [`SplitMix64`]: the synthetic networks,
//! the storms for speed measurements, the simulator's streams. A seed names a result,
//! so a generator must never change the numbers it draws: the shared scenarios, the
//! figures in the README and the tests' expectations all rest on them.
//!
//! # Complexity
//! O(1) time and no allocation per draw; 8 bytes of state.

use std::ops::RangeInclusive;

/// A small, fast, seeded pseudo-random generator (SplitMix64): deterministic across
/// platforms, not for cryptography.
///
/// ```
/// use outage_locator::bench::synth::SplitMix64;
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// assert!((0.0..1.0).contains(&a.unit()));
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

/// Added to the state on every draw (the golden ratio, as SplitMix64 defines it).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// Spreads stream numbers over the state space (a large odd multiplier), so that
/// neighbouring streams of one seed start far apart.
const STREAM_SPREAD: u64 = 0xd1b5_4a32_d192_ed03;

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The generator of stream `stream` of a seed: one stream per purpose, so that
    /// drawing more or fewer numbers for one purpose (more calls, say) leaves the
    /// numbers of the others as they were. The first number of the stream is skipped.
    pub(crate) fn stream(seed: u64, stream: u64) -> Self {
        let mut r = SplitMix64(seed ^ stream.wrapping_mul(STREAM_SPREAD));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), without modulo bias worth mentioning
    /// (Lemire's multiply-shift).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A position in `0..n`, as [`below`](Self::below) draws it.
    #[inline]
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// A number in the inclusive range (its start when the range is empty).
    #[inline]
    pub fn in_range(&mut self, r: &RangeInclusive<u32>) -> u32 {
        let (lo, hi) = (*r.start(), *r.end());
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo) as u64 + 1) as u32
        }
    }

    /// A count in the inclusive range `[lo, hi]` (`lo` when `hi <= lo`), as
    /// [`in_range`](Self::in_range) draws it.
    #[inline]
    pub(crate) fn count(&mut self, [lo, hi]: [u32; 2]) -> u32 {
        self.in_range(&(lo..=hi))
    }

    /// A float in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A float drawn uniformly from `[lo, hi)` (`lo` when `hi <= lo`).
    #[inline]
    pub(crate) fn uniform(&mut self, [lo, hi]: [f64; 2]) -> f64 {
        if hi <= lo {
            lo
        } else {
            lo + (hi - lo) * self.unit()
        }
    }

    /// A standard normal deviate (Box–Muller, the cosine half); two draws.
    #[inline]
    pub(crate) fn normal(&mut self) -> f64 {
        // 1 - unit() is in (0, 1], so its logarithm is finite.
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A log-normal deviate of the given median and log-space sigma.
    #[inline]
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// The waiting time of a Poisson process of `rate` events per unit.
    #[inline]
    pub(crate) fn exponential(&mut self, rate: f64) -> f64 {
        -(1.0 - self.unit()).ln() / rate
    }

    /// An index drawn with probability proportional to its weight (`None` when every
    /// weight is zero).
    #[inline]
    pub(crate) fn weighted(&mut self, w: &[f64]) -> Option<usize> {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let mut x = self.unit() * total;
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return Some(i);
            }
            x -= wi;
        }
        // Rounding left `x` past the last weight: the last index that can be drawn.
        w.iter().rposition(|&wi| wi > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference SplitMix64 sequence of seed 0 (Vigna's `splitmix64.c`).
    #[test]
    fn draws_the_reference_sequence() {
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(r.next_u64(), 0x06c4_5d18_8009_454f);
    }

    /// A stream is the plain generator seeded with the spread stream number, one
    /// number in.
    #[test]
    fn a_stream_skips_its_first_number() {
        let mut plain = SplitMix64::new(42 ^ 3u64.wrapping_mul(STREAM_SPREAD));
        plain.next_u64();
        let mut s = SplitMix64::stream(42, 3);
        for _ in 0..8 {
            assert_eq!(s.next_u64(), plain.next_u64());
        }
    }

    #[test]
    fn ranges_hold_their_draws() {
        let mut r = SplitMix64::new(9);
        assert_eq!(r.below(0), 0);
        assert_eq!(r.count([5, 5]), 5);
        assert_eq!(r.count([7, 3]), 7);
        assert_eq!(r.uniform([2.0, 2.0]), 2.0);
        for _ in 0..1000 {
            assert!(r.below(6) < 6);
            assert!((3..=9).contains(&r.count([3, 9])));
            assert!((0.0..1.0).contains(&r.unit()));
            let x = r.uniform([1.5, 2.5]);
            assert!((1.5..2.5).contains(&x));
            assert!(r.exponential(2.0) >= 0.0);
            assert!(r.lognormal(10.0, 0.5) > 0.0);
        }
        assert_eq!(r.weighted(&[0.0, 0.0]), None);
        assert_eq!(r.weighted(&[0.0, 1.0, 0.0]), Some(1));
    }
}
