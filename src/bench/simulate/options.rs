//! What a simulated day is made of: its profile and every rate and range of the
//! generator, with the defaults of each profile.

use serde::{Deserialize, Serialize};

use super::{OperatorSwitching, SettingRanges};
use crate::time::Timestamp;

/// The kind of day a scenario simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// One fault in an hour.
    BlueSky,
    /// Three to six faults in two hours.
    Busy,
    /// Twenty to sixty faults in three hours, lost last gasps, heavy calling.
    Storm,
    /// A storm day on which operators isolate located faults and transfer the healthy
    /// sections below them to normally-open ties ([`OperatorSwitching`]).
    StormSwitching,
}

impl Profile {
    /// All profiles, calmest first.
    pub const ALL: [Profile; 4] = [
        Profile::BlueSky,
        Profile::Busy,
        Profile::Storm,
        Profile::StormSwitching,
    ];
}

crate::variant_names::display_as_serde_name!(Profile);

impl std::str::FromStr for Profile {
    type Err = String;
    /// A profile by its name, in any case, spaces around it ignored.
    fn from_str(s: &str) -> Result<Self, String> {
        crate::variant_names::from_name(&s.trim().to_ascii_lowercase()).ok_or_else(|| {
            let names: Vec<String> = Profile::ALL.iter().map(Profile::to_string).collect();
            format!("unknown profile {s:?} ({})", names.join(", "))
        })
    }
}

/// A weight or value for each class of device that faults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ByFaultClass {
    /// A customer's service.
    pub service: f64,
    /// A distribution transformer.
    pub transformer: f64,
    /// A fuse (or sectionalizer).
    pub fuse: f64,
    /// A recloser.
    pub recloser: f64,
    /// A breaker.
    pub breaker: f64,
}

impl ByFaultClass {
    pub(super) fn get(&self, k: usize) -> f64 {
        [
            self.service,
            self.transformer,
            self.fuse,
            self.recloser,
            self.breaker,
        ][k]
    }
}

/// The mix of details of calls from customers who are out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaultCallDetail {
    /// No power at all.
    pub no_power: f64,
    /// Partial power.
    pub partial: f64,
    /// A wire down.
    pub wire_down: f64,
}

/// The mix of details of background calls (from customers who are not out).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BackgroundCallDetail {
    /// No power (a problem inside the house, a mistake).
    pub no_power: f64,
    /// Partial power.
    pub partial: f64,
    /// Flickering lights.
    pub flicker: f64,
}

fn default_false_lg_restore_s() -> [f64; 2] {
    [10.0, 300.0]
}

/// Every rate and range of the generator. Ranges `[lo, hi]` are inclusive and drawn
/// uniformly per scenario (counts) or per event (delays, durations).
///
/// The field names are those of the `params` of the shared `truth.json` files; in a
/// generated truth, `p_lg` and `p_call` are the values drawn for the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// The profile's name, for the truth.
    pub profile: Profile,
    /// When the scenario starts.
    #[serde(skip, default = "default_start")]
    pub start: Timestamp,
    /// Minutes during which faults, momentaries, planned outages and disconnections
    /// begin.
    pub duration_min: u32,
    /// Minutes of quiet after that, for restorations and late calls.
    pub tail_min: u32,
    /// Number of independent faults.
    pub n_faults: [u32; 2],
    /// Which class of device a fault is at (uniform within the class; classes the
    /// network lacks are left out and the others renormalised).
    pub mix: ByFaultClass,
    /// Median repair time by class, minutes (log-normal).
    pub repair_median_min: ByFaultClass,
    /// Log-normal sigma of repair times.
    pub repair_sigma: f64,
    /// Repair times are multiplied by this, by class: in a storm crews are scarce and
    /// go to the large outages first, so that small ones wait.
    pub repair_scale: ByFaultClass,
    /// Probability that a fault has another fault below it, restored later.
    pub p_nested: f64,
    /// Probability that an out meter sends a last gasp (range, drawn per scenario).
    pub p_lg: [f64; 2],
    /// Probability that an out customer calls (range, drawn per scenario).
    pub p_call: [f64; 2],
    /// Probability that a meter sends a power restore when supply returns.
    pub p_pr: f64,
    /// Probability that a telemetered breaker or recloser reports to SCADA.
    pub p_scada: f64,
    /// Delay of a last gasp after supply is lost, seconds.
    pub lg_delay_s: [f64; 2],
    /// Delay of a power restore after supply returns, seconds.
    pub pr_delay_s: [f64; 2],
    /// Share of AMI messages that arrive late.
    pub late_p: f64,
    /// How late, at most, seconds.
    pub late_max_s: f64,
    /// Median delay of a call, seconds (log-normal).
    pub call_median_s: f64,
    /// Log-normal sigma of call delays.
    pub call_sigma: f64,
    /// Longest call delay, seconds.
    pub call_max_s: f64,
    /// `p_call` is multiplied by this for customers of a planned outage.
    pub planned_call_mult: f64,
    /// Probability that a remotely disconnected customer calls.
    pub disconnect_call_p: f64,
    /// `p_call` is multiplied by this for flicker calls after a momentary.
    pub momentary_call_mult: f64,
    /// Details of calls from customers who are out.
    pub fault_call_detail: FaultCallDetail,
    /// Details of background calls.
    pub bg_call_detail: BackgroundCallDetail,
    /// Background calls per 1000 customers per hour.
    pub bg_calls_per_kh: f64,
    /// False last gasps per 1000 customers per hour.
    pub false_lg_per_kh: f64,
    /// How long a meter that sent a false last gasp (a sag, a meter reset) is without
    /// supply, seconds: its power restore follows with probability
    /// `false_lg_restore_p`.
    #[serde(default = "default_false_lg_restore_s")]
    pub false_lg_restore_s: [f64; 2],
    /// Probability that a false last gasp is followed by the meter's power restore
    /// (`None`: `p_pr`, as for a real interruption). Many never are: a meter that
    /// reset, or a gasp sent by a failing meter, has nothing to restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_lg_restore_p: Option<f64>,
    /// Number of momentary interruptions (at reclosers and breakers).
    pub momentaries: [u32; 2],
    /// Length of a momentary interruption, seconds.
    pub momentary_s: [f64; 2],
    /// Last gasps of a momentary come within this many seconds.
    pub momentary_lg_s: f64,
    /// Number of planned outages (at switches, fuses and transformers).
    pub planned: [u32; 2],
    /// Length of a planned outage, minutes.
    pub planned_min: [u32; 2],
    /// Number of remote disconnections.
    pub disconnects: [u32; 2],
    /// Probability that a disconnected customer is reconnected in the scenario.
    pub reconnect_p: f64,
    /// Minutes until the reconnection.
    pub reconnect_min: [u32; 2],
    /// Probability that a customer row leaves out the `load.` prefix.
    pub short_name_p: f64,
    /// A storm profile (informational).
    pub storm: bool,
    /// The counts above (faults, momentaries, planned outages, disconnections) are for
    /// a feeder of about this many customers: a larger network gets proportionally
    /// more, so that the evidence of faults keeps its share against background calls
    /// and false last gasps, whose rates are per customer. `None`: the counts as given
    /// on any network.
    pub feeder_customers: Option<u32>,
    /// Operators' switching around located faults (`None`: none). Written flat into
    /// the truth's `params` (`p_transfer`, `transfer_faults`, `switch_after_min`).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub switching: Option<OperatorSwitching>,
    /// Ranges from which the day's rates are drawn, each day anew, in place of the
    /// values above (`None`: the values above, the same every day); see
    /// [`SettingRanges`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<SettingRanges>,
}

fn default_start() -> Timestamp {
    // 2026-07-01T12:00:00Z, the start of the shared samples.
    Timestamp(1_782_907_200_000)
}

impl Default for SimulationOptions {
    /// The busy profile.
    fn default() -> Self {
        SimulationOptions::for_profile(Profile::Busy)
    }
}

impl SimulationOptions {
    /// The options of a profile.
    pub fn for_profile(profile: Profile) -> Self {
        let base = SimulationOptions {
            profile,
            start: default_start(),
            duration_min: 120,
            tail_min: 60,
            n_faults: [3, 6],
            mix: ByFaultClass {
                service: 0.35,
                transformer: 0.3,
                fuse: 0.25,
                recloser: 0.07,
                breaker: 0.03,
            },
            repair_median_min: ByFaultClass {
                service: 60.0,
                transformer: 90.0,
                fuse: 75.0,
                recloser: 90.0,
                breaker: 45.0,
            },
            repair_sigma: 0.5,
            repair_scale: ByFaultClass {
                service: 1.0,
                transformer: 1.0,
                fuse: 1.0,
                recloser: 1.0,
                breaker: 1.0,
            },
            p_nested: 0.3,
            p_lg: [0.6, 0.9],
            p_call: [0.08, 0.25],
            p_pr: 0.8,
            p_scada: 0.8,
            lg_delay_s: [5.0, 60.0],
            pr_delay_s: [5.0, 60.0],
            late_p: 0.1,
            late_max_s: 180.0,
            call_median_s: 480.0,
            call_sigma: 1.0,
            call_max_s: 3600.0,
            planned_call_mult: 0.4,
            disconnect_call_p: 0.5,
            momentary_call_mult: 0.2,
            fault_call_detail: FaultCallDetail {
                no_power: 0.85,
                partial: 0.1,
                wire_down: 0.05,
            },
            bg_call_detail: BackgroundCallDetail {
                no_power: 0.6,
                partial: 0.2,
                flicker: 0.2,
            },
            bg_calls_per_kh: 1.0,
            false_lg_per_kh: 1.5,
            momentaries: [1, 3],
            momentary_s: [1.0, 5.0],
            false_lg_restore_s: default_false_lg_restore_s(),
            momentary_lg_s: 3.0,
            planned: [1, 1],
            planned_min: [30, 120],
            disconnects: [2, 4],
            reconnect_p: 0.5,
            reconnect_min: [20, 90],
            short_name_p: 0.5,
            storm: false,
            feeder_customers: Some(1500),
            false_lg_restore_p: None,
            switching: None,
            ranges: None,
        };
        let storm = SimulationOptions {
            duration_min: 180,
            n_faults: [20, 60],
            repair_scale: ByFaultClass {
                service: 3.0,
                transformer: 2.5,
                fuse: 1.5,
                recloser: 1.0,
                breaker: 1.0,
            },
            p_lg: [0.3, 0.6],
            p_call: [0.1, 0.25],
            p_pr: 0.6,
            p_scada: 0.7,
            bg_calls_per_kh: 4.0,
            false_lg_per_kh: 3.0,
            momentaries: [3, 10],
            planned: [0, 1],
            disconnects: [1, 3],
            storm: true,
            ..base.clone()
        };
        match profile {
            Profile::Busy => base,
            Profile::BlueSky => SimulationOptions {
                duration_min: 60,
                n_faults: [1, 1],
                bg_calls_per_kh: 0.5,
                false_lg_per_kh: 1.0,
                momentaries: [0, 1],
                planned: [0, 1],
                disconnects: [1, 2],
                ..base
            },
            Profile::Storm => storm,
            Profile::StormSwitching => SimulationOptions {
                switching: Some(OperatorSwitching::default()),
                ..storm
            },
        }
    }

    /// The options of a profile with the day's rates drawn from the profile's
    /// [`SettingRanges`]: days that differ as utilities and their days do.
    ///
    /// ```
    /// use outage_locator::bench::simulate::{Profile, SimulationOptions};
    /// let o = SimulationOptions::ranged(Profile::Busy);
    /// assert!(o.ranges.is_some());
    /// let day = o.ranges.as_ref().unwrap().draw(&o, 7);
    /// assert_eq!(day.p_call[0], day.p_call[1]);
    /// ```
    pub fn ranged(profile: Profile) -> Self {
        SimulationOptions {
            ranges: Some(SettingRanges::for_profile(profile)),
            ..SimulationOptions::for_profile(profile)
        }
    }

    /// The same options with fixed call and last-gasp probabilities.
    pub fn with_rates(mut self, p_call: f64, p_lg: f64) -> Self {
        self.p_call = [p_call, p_call];
        self.p_lg = [p_lg, p_lg];
        self
    }
}
