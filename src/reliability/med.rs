//! Major event days by the IEEE 1366 2.5 beta method: the natural logarithms of the
//! daily SAIDI are taken as normal, and a day whose SAIDI passes
//! `exp(α + 2.5 β)` is a major event day.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Milliseconds in a day.
const DAY: i64 = 86_400_000;

/// The UTC day number of an instant (days since 1970-01-01).
pub fn day_of(t: Timestamp) -> i64 {
    t.0.div_euclid(DAY)
}

/// The fit and the days above its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorEvents {
    /// Mean of ln(daily SAIDI) over the days with SAIDI above zero.
    pub alpha: f64,
    /// Their standard deviation (sample).
    pub beta: f64,
    /// `exp(α + 2.5 β)`, minutes.
    pub threshold: f64,
    /// Days whose SAIDI is above the threshold, as UTC day numbers, in order.
    pub days: Vec<i64>,
}

/// The major event days of a daily SAIDI history (`(day, SAIDI)`, as
/// [`Ledger::daily_saidi`](super::Ledger::daily_saidi) gives it). Days without
/// interruptions have no logarithm and are left out of the fit, as the standard says.
/// `None` with fewer than two days with interruptions.
///
/// # Complexity
/// O(days).
pub fn major_event_days(daily: &[(i64, f64)]) -> Option<MajorEvents> {
    let logs: Vec<f64> = daily
        .iter()
        .filter(|d| d.1 > 0.0)
        .map(|d| d.1.ln())
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let alpha = logs.iter().sum::<f64>() / n;
    let beta = (logs.iter().map(|x| (x - alpha).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let threshold = (alpha + 2.5 * beta).exp();
    let days = daily
        .iter()
        .filter(|d| d.1 > threshold)
        .map(|d| d.0)
        .collect();
    Some(MajorEvents {
        alpha,
        beta,
        threshold,
        days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// Three years of daily SAIDI drawn from a known log-normal (α = ln 2 min,
    /// β = 0.8), a fifth of the days without interruptions, and five storm days
    /// planted at 40 times the threshold: the fit finds α and β, and the storm days
    /// are major event days. Of the ordinary days, about 0.6 % (the normal tail past
    /// 2.5 σ) pass the threshold by chance.
    #[test]
    fn finds_the_storm_days_of_a_known_lognormal_history() {
        let (alpha, beta) = (2f64.ln(), 0.8);
        let threshold = (alpha + 2.5 * beta).exp();
        let mut rng = SplitMix64::new(11);
        let mut daily: Vec<(i64, f64)> = (0..3 * 365)
            .map(|d| {
                let saidi = if rng.chance(0.2) {
                    0.0
                } else {
                    (alpha + beta * rng.normal()).exp()
                };
                (d, saidi)
            })
            .collect();
        let storms = [40, 300, 555, 700, 1000];
        for &d in &storms {
            daily[d as usize].1 = 40.0 * threshold;
        }
        let m = major_event_days(&daily).unwrap();
        assert!((m.alpha - alpha).abs() < 0.1, "alpha {}", m.alpha);
        assert!((m.beta - beta).abs() < 0.15, "beta {}", m.beta);
        assert!((m.threshold / threshold - 1.0).abs() < 0.5);
        for d in storms {
            assert!(m.days.contains(&d), "storm day {d} missed");
        }
        let chance = m.days.len() - storms.len();
        assert!(chance <= 15, "{chance} ordinary days over the threshold");
    }

    #[test]
    fn needs_two_days_with_interruptions() {
        assert_eq!(major_event_days(&[(0, 0.0), (1, 3.0)]), None);
        assert_eq!(day_of(Timestamp(-1)), -1);
        assert_eq!(day_of(Timestamp(DAY)), 1);
    }
}
