//! Day settings drawn from ranges: the rates a utility's head-end, meters and customers
//! show on one day, drawn anew for every day, so that an engine is judged across
//! utilities and not on the one set of rates it was tuned on.

use serde::{Deserialize, Serialize};

use super::{Profile, SimulationOptions};
use crate::rng::SplitMix64;

/// The random stream of a seed that draws the day's settings (streams 1 to 6 are the
/// generation's own, in `run.rs`): drawing the settings leaves the rest of a seed's
/// streams as they were.
const SETTINGS: u64 = 7;

/// Ranges from which [`draw`](Self::draw) takes a day's rates, each uniformly and once
/// per day; ranges are inclusive (`[lo, hi]`, `lo` when `hi <= lo`).
///
/// The shared sample days (`truth.json` `params`) hold every rate at one value or in a
/// narrow band: last-gasp delivery `p_lg` 0.32–0.87, call probability `p_call`
/// 0.06–0.29, power-restore delivery `p_pr` 0.8 (0.6 in storms), false last gasps 1 to
/// 3 per 1000 meters and hour, each followed by a restore as often as a real one, 10 %
/// of AMI messages late by at most 3 min, 0.5 to 4 background calls per 1000 customers
/// and hour, 0 to 10 momentaries. Utilities differ more than that, and so do their days:
///
/// | setting | blue sky, busy | storm | why |
/// | --- | --- | --- | --- |
/// | `p_call` | 0.03–0.30 | 0.03–0.40 | where customers trust the utility to know (or it is night) a few per cent call; in a long daytime storm a third or more |
/// | `p_lg` | 0.30–0.95 | 0.10–0.80 | an RF mesh delivers most last gasps on a calm day and far fewer when its collectors and neighbours lose power too; cellular meters vary with coverage |
/// | `p_pr` | 0.50–0.95 | 0.30–0.90 | the same networks carry the restores, and storms lose them as well |
/// | `false_lg_per_kh` | 0.3–4 | 1–8 | sags, meter resets and failing meters: head-ends report rates an order of magnitude apart |
/// | `false_lg_restore_p` | 0.3–0.7 | 0.3–0.7 | about half of false last gasps are never followed by a restore: a meter that reset or is failing has nothing to restore |
/// | `late_p` | 0.02–0.30 | 0.05–0.40 | store-and-forward meshes and batched head-ends deliver late, and out of order |
/// | `late_max_s` | 60–600 | 120–900 | a mesh retries for minutes; a congested head-end for a quarter of an hour |
/// | `bg_calls_per_kh` | 0.2–2 (busy 0.5–3) | 1–8 | calls about flickers, problems inside the house, and mistakes |
/// | `momentaries` | 0–3 (busy 0–6) | 2–20 | reclosers operate far more often on wooded and stormy feeders |
/// | `p_transfer` | - | 0.5–1.0 (storm with switching) | control rooms differ in how often they switch around a located fault rather than wait for the repair |
///
/// The other options (fault counts and mix, repair times, delays) stay those of the
/// profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingRanges {
    /// Probability that an out customer calls.
    pub p_call: [f64; 2],
    /// Probability that an out meter sends a last gasp.
    pub p_lg: [f64; 2],
    /// Probability that a meter sends a power restore when supply returns.
    pub p_pr: [f64; 2],
    /// False last gasps per 1000 customers per hour.
    pub false_lg_per_kh: [f64; 2],
    /// Probability that a false last gasp is followed by the meter's power restore.
    pub false_lg_restore_p: [f64; 2],
    /// Share of AMI messages that arrive late.
    pub late_p: [f64; 2],
    /// How late, at most, seconds.
    pub late_max_s: [f64; 2],
    /// Background calls per 1000 customers per hour.
    pub bg_calls_per_kh: [f64; 2],
    /// Momentary interruptions on a feeder of the profile's `feeder_customers`.
    pub momentaries: [u32; 2],
    /// Probability that operators switch around a located fault (days with
    /// [`OperatorSwitching`](super::OperatorSwitching) only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_transfer: Option<[f64; 2]>,
}

impl SettingRanges {
    /// The ranges of a profile (see the table above).
    pub fn for_profile(profile: Profile) -> Self {
        let calm = SettingRanges {
            p_call: [0.03, 0.30],
            p_lg: [0.30, 0.95],
            p_pr: [0.50, 0.95],
            false_lg_per_kh: [0.3, 4.0],
            false_lg_restore_p: [0.3, 0.7],
            late_p: [0.02, 0.30],
            late_max_s: [60.0, 600.0],
            bg_calls_per_kh: [0.2, 2.0],
            momentaries: [0, 3],
            p_transfer: None,
        };
        let storm = SettingRanges {
            p_call: [0.03, 0.40],
            p_lg: [0.10, 0.80],
            p_pr: [0.30, 0.90],
            false_lg_per_kh: [1.0, 8.0],
            late_p: [0.05, 0.40],
            late_max_s: [120.0, 900.0],
            bg_calls_per_kh: [1.0, 8.0],
            momentaries: [2, 20],
            ..calm.clone()
        };
        match profile {
            Profile::BlueSky => calm,
            Profile::Busy => SettingRanges {
                bg_calls_per_kh: [0.5, 3.0],
                momentaries: [0, 6],
                ..calm
            },
            Profile::Storm => storm,
            Profile::StormSwitching => SettingRanges {
                p_transfer: Some([0.5, 1.0]),
                ..storm
            },
        }
    }

    /// The options of one day: `base` with every ranged rate drawn from the seed's own
    /// stream and fixed (a range of one value), the ranges kept for the record. The
    /// same ranges, base and seed give the same day.
    ///
    /// # Complexity
    /// O(1): nine draws (ten with `p_transfer`, drawn last so that the other nine are
    /// those of a day without switching).
    pub fn draw(&self, base: &SimulationOptions, seed: u64) -> SimulationOptions {
        let mut rng = SplitMix64::stream(seed, SETTINGS);
        let mut one = |r: [f64; 2]| {
            let x = rng.uniform(r);
            [x, x]
        };
        let p_call = one(self.p_call);
        let p_lg = one(self.p_lg);
        let p_pr = one(self.p_pr)[0];
        let false_lg_per_kh = one(self.false_lg_per_kh)[0];
        let false_lg_restore_p = one(self.false_lg_restore_p)[0];
        let late_p = one(self.late_p)[0];
        let late_max_s = one(self.late_max_s)[0];
        let bg_calls_per_kh = one(self.bg_calls_per_kh)[0];
        let n = rng.count(self.momentaries);
        let switching = match (self.p_transfer, base.switching) {
            (Some(r), Some(s)) => Some(super::OperatorSwitching {
                p_transfer: rng.uniform(r),
                ..s
            }),
            (_, s) => s,
        };
        SimulationOptions {
            p_call,
            p_lg,
            p_pr,
            false_lg_per_kh,
            false_lg_restore_p: Some(false_lg_restore_p),
            late_p,
            late_max_s,
            bg_calls_per_kh,
            momentaries: [n, n],
            switching,
            ranges: Some(self.clone()),
            ..base.clone()
        }
    }
}
