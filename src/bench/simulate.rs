//! A seeded scenario generator for any network: faults, momentary interruptions,
//! planned outages and remote disconnections, and the evidence they leave (calls, last
//! gasps, power restores, SCADA), with the truth needed to score an engine.
//!
//! The generator plays out the scenario customer by customer. Faults, planned outages
//! and momentary interruptions take supply off every customer below their device for an
//! interval; a customer's meter is off supply while any interruption above it is active.
//! Each change of a meter's supply may leave evidence:
//!
//! * going off: a last gasp with probability `p_lg`, 5–60 s later (a momentary's
//!   within 0–3 s); a repair call with probability `p_call` (times a multiplier for
//!   planned outages), after a log-normal delay, if the customer is still off then;
//!   a flicker call after a momentary;
//! * still off when an interruption above it ends (a nested outage, or one swallowed
//!   by a larger one): another chance of a call;
//! * coming back: a power restore with probability `p_pr`, 5–60 s later.
//!
//! Breakers and reclosers report lockouts and momentary trips to SCADA with
//! probability `p_scada` (when telemetered). Around that: background calls from
//! customers who are not out, false last gasps (most followed by the meter's power
//! restore within minutes), remote disconnections (and their calls),
//! a `tick` every minute; 10 % of AMI messages arrive late (the row comes later in the
//! file than its time), and the `load.` prefix is left out on about half of the rows.
//!
//! A customer is off for one known cause at a time: no fault falls inside planned work
//! while it lasts (dead equipment does not trip), and no disconnection starts on a dark
//! customer, on a service that fails while it is disconnected, or over another of the
//! same customer. A fault above a disconnected customer happens as usual.
//!
//! The same network, options and seed give the same scenario, on every platform.
//!
//! ```
//! use outage_locator::simulate::{Profile, SimulationOptions, Simulator};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let (net, _) = outage_locator::import_opendss(path).unwrap();
//! let sim = Simulator::new(&net).unwrap();
//! let opts = SimulationOptions::for_profile(Profile::BlueSky);
//! let s = sim.run(&opts, 7);
//! assert!(s.truth.faults().count() >= 1);
//! assert_eq!(s, sim.run(&opts, 7));
//! let mut csv = Vec::new();
//! s.write_events_csv(&net, &mut csv).unwrap();
//! assert!(String::from_utf8(csv).unwrap().starts_with("time,kind,id,detail\n"));
//! ```

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::error::SwitchingError;
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{DeviceKind, Network, OutageDeviceClass, OutageDeviceKind};
use crate::rng::SplitMix64;
use crate::time::{MINUTE, Millis, SECOND, Timestamp};
use crate::topology::EnergizationView;

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
}

impl Profile {
    /// All profiles, calmest first.
    pub const ALL: [Profile; 3] = [Profile::BlueSky, Profile::Busy, Profile::Storm];

    /// `blue_sky`, `busy` or `storm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::BlueSky => "blue_sky",
            Profile::Busy => "busy",
            Profile::Storm => "storm",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown profile {s:?} (blue_sky, busy or storm)"))
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
    fn get(&self, k: usize) -> f64 {
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
    /// supply, seconds: its power restore follows with probability `p_pr`.
    #[serde(default = "default_false_lg_restore_s")]
    pub false_lg_restore_s: [f64; 2],
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
            Profile::Storm => SimulationOptions {
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
                ..base
            },
        }
    }

    /// The same options with fixed call and last-gasp probabilities.
    pub fn with_rates(mut self, p_call: f64, p_lg: f64) -> Self {
        self.p_call = [p_call, p_call];
        self.p_lg = [p_lg, p_lg];
        self
    }
}

/// Serde for [`Timestamp`]s as RFC 3339 strings, as in the shared `truth.json`.
pub mod rfc3339 {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `2026-07-01T12:00:00Z`.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }

    /// Reads any RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }

    /// The same for optional times (`null`).
    pub mod option {
        use super::Timestamp;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the time or `null`.
        pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.collect_str(t),
                None => s.serialize_none(),
            }
        }

        /// Reads a time or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// Why customers were off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthCause {
    /// A fault.
    Fault,
    /// Planned work or load shedding.
    Planned,
    /// A remote disconnection.
    Disconnect,
}

impl TruthCause {
    /// Whether it is a fault.
    pub fn is_fault(self) -> bool {
        self == TruthCause::Fault
    }
}

/// One true outage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthOutage {
    /// `T…`.
    pub id: String,
    /// The device that was out, `class.name`.
    pub device: String,
    /// Its kind as the scorer names it: `load`, `transformer`, `fuse`, `recloser`,
    /// `relay`, `switch`, `swtcontrol`, `sectionalizer` or `circuit`.
    pub kind: String,
    /// Why.
    pub cause: TruthCause,
    /// When supply was lost.
    #[serde(with = "rfc3339")]
    pub start: Timestamp,
    /// When supply came back (`None`: not within the scenario).
    #[serde(with = "rfc3339::option")]
    pub end: Option<Timestamp>,
    /// The outage above that hid this one until its restoration.
    pub nested_in: Option<String>,
    /// Whether SCADA reported it.
    #[serde(default)]
    pub scada: bool,
    /// How many customers it held off.
    pub n_customers: u32,
    /// Those customers, `load.x`.
    pub customers: Vec<String>,
}

/// One true momentary interruption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthMomentary {
    /// The device that tripped and reclosed.
    pub device: String,
    /// When.
    #[serde(with = "rfc3339")]
    pub time: Timestamp,
    /// How long supply was off, seconds.
    pub duration_s: f64,
    /// How many customers are below the device.
    pub customers: u32,
    /// Whether SCADA reported it.
    #[serde(default)]
    pub scada: bool,
}

/// The true cause of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallCause {
    /// A fault outage.
    Fault,
    /// A planned outage.
    Planned,
    /// A remote disconnection.
    Disconnect,
    /// Nothing that holds the customer off (a flicker, a problem in the house).
    #[serde(rename = "none")]
    NoOutage,
}

impl CallCause {
    /// The name used by the replay contract and the scorer.
    pub fn as_str(self) -> &'static str {
        match self {
            CallCause::Fault => "fault",
            CallCause::Planned => "planned",
            CallCause::Disconnect => "disconnect",
            CallCause::NoOutage => "none",
        }
    }
}

/// One call and its true cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthCall {
    /// Line of the event file (the header is line 1).
    pub row: u64,
    /// When.
    #[serde(with = "rfc3339")]
    pub time: Timestamp,
    /// The caller, `load.x`.
    pub customer: String,
    /// What they said.
    pub detail: CallDetail,
    /// Why they were off (or not).
    pub cause: CallCause,
    /// The true outage, `T…`.
    pub outage: Option<String>,
}

/// When a checkpoint is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckpointKind {
    /// A fault's start + 5 min.
    #[serde(rename = "+5m")]
    Plus5,
    /// A fault's start + 15 min.
    #[serde(rename = "+15m")]
    Plus15,
    /// A fault's start + 30 min.
    #[serde(rename = "+30m")]
    Plus30,
    /// 30 min after the last fault began.
    #[serde(rename = "scenario")]
    Scenario,
}

impl CheckpointKind {
    /// All kinds, in the scorer's order.
    pub const ALL: [CheckpointKind; 4] = [
        CheckpointKind::Plus5,
        CheckpointKind::Plus15,
        CheckpointKind::Plus30,
        CheckpointKind::Scenario,
    ];

    /// `+5m`, `+15m`, `+30m` or `scenario`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::Plus5 => "+5m",
            CheckpointKind::Plus15 => "+15m",
            CheckpointKind::Plus30 => "+30m",
            CheckpointKind::Scenario => "scenario",
        }
    }

    /// The position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A moment at which the engine's open outages are compared with the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// When.
    #[serde(with = "rfc3339")]
    pub at: Timestamp,
    /// `T3+15m`, or `scenario`.
    pub label: String,
    /// Which kind.
    pub kind: CheckpointKind,
}

/// Counts of what the event file holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthCounts {
    /// Data rows (the header excluded).
    pub rows: u64,
    /// Last gasps with no interruption behind them.
    pub false_last_gasps: u64,
    /// AMI rows that come later in the file than their time says.
    pub late_messages: u64,
}

/// What really happened in a scenario: the shape of the shared `truth.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Format version (1).
    pub version: u32,
    /// The feeder's name: the scorer looks for `feeders/<feeder>/eval_master.dss`.
    pub feeder: String,
    /// The model file.
    pub model: String,
    /// `circuit.x`.
    pub circuit: String,
    /// `blue_sky`, `busy`, `storm` (or anything else).
    pub profile: String,
    /// The seed.
    pub seed: u64,
    /// Start of the scenario.
    #[serde(with = "rfc3339")]
    pub start: Timestamp,
    /// End of the scenario.
    #[serde(with = "rfc3339")]
    pub end: Timestamp,
    /// The generator's rates, for information: an engine never reads them.
    #[serde(default)]
    pub params: serde_json::Value,
    /// Every outage (fault, planned, disconnect), by start.
    pub outages: Vec<TruthOutage>,
    /// Momentary interruptions.
    pub momentaries: Vec<TruthMomentary>,
    /// Every call, in file order, with its true cause.
    pub calls: Vec<TruthCall>,
    /// The checkpoints, by time.
    pub checkpoints: Vec<Checkpoint>,
    /// Counts.
    #[serde(default)]
    pub counts: TruthCounts,
}

impl Truth {
    /// Reads a `truth.json`.
    pub fn from_reader(r: impl std::io::Read) -> serde_json::Result<Truth> {
        serde_json::from_reader(std::io::BufReader::new(r))
    }

    /// The fault outages.
    pub fn faults(&self) -> impl Iterator<Item = &TruthOutage> {
        self.outages.iter().filter(|o| o.cause.is_fault())
    }
}

/// A generated scenario: the events in file order and the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The events, in the order of the event file (late AMI rows come after rows with
    /// later times).
    pub events: Vec<Event>,
    /// What happened.
    pub truth: Truth,
    /// For each event, whether its row leaves out the `load.` prefix.
    pub short_names: Vec<bool>,
}

impl Scenario {
    /// Writes the event file (`time,kind,id,detail`).
    pub fn write_events_csv(&self, net: &Network, out: &mut impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "time,kind,id,detail")?;
        for (i, e) in self.events.iter().enumerate() {
            let short = self.short_names.get(i).copied().unwrap_or(false);
            let cust = |c: CustomerId| {
                let n = net.customer(c).name.as_str();
                if short {
                    n.strip_prefix("load.").unwrap_or(n)
                } else {
                    n
                }
            };
            let dev = |d: OutageDeviceId| net.outage_device_name(d);
            let t = e.time;
            match e.evidence {
                Evidence::Call { customer, detail } => {
                    writeln!(w, "{t},call,{},{}", cust(customer), detail.as_str())?
                }
                Evidence::LastGasp { meter } => writeln!(w, "{t},last_gasp,{},", cust(meter))?,
                Evidence::PowerRestore { meter } => {
                    writeln!(w, "{t},power_restore,{},", cust(meter))?
                }
                Evidence::Ping { meter, on } => writeln!(
                    w,
                    "{t},ping,{},{}",
                    cust(meter),
                    if on { "on" } else { "off" }
                )?,
                Evidence::DeviceOpen { device } => writeln!(w, "{t},device_open,{},", dev(device))?,
                Evidence::DeviceClose { device } => {
                    writeln!(w, "{t},device_close,{},", dev(device))?
                }
                Evidence::PlannedOutage { device, end } => {
                    writeln!(w, "{t},planned_outage,{},{end}", dev(device))?
                }
                Evidence::Disconnect { meter } => writeln!(w, "{t},disconnect,{},", cust(meter))?,
                Evidence::Reconnect { meter } => writeln!(w, "{t},reconnect,{},", cust(meter))?,
                Evidence::Tick => writeln!(w, "{t},tick,,")?,
            }
        }
        w.flush()
    }

    /// Writes `events.csv` and `truth.json` into a folder (created if missing): a
    /// scenario folder that `eval/score.py` reads.
    pub fn write_dir(
        &self,
        net: &Network,
        dir: impl AsRef<std::path::Path>,
    ) -> std::io::Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let mut f = std::fs::File::create(dir.join("events.csv"))?;
        self.write_events_csv(net, &mut f)?;
        let f = std::fs::File::create(dir.join("truth.json"))?;
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, &self.truth).map_err(std::io::Error::other)?;
        writeln!(w)?;
        w.flush()
    }
}

/// The scorer's name for the kind of an outage device.
pub fn scorer_kind(net: &Network, d: OutageDeviceId) -> &'static str {
    match net.outage_device_kind(d) {
        OutageDeviceKind::Service(_) => "load",
        OutageDeviceKind::Transformer(_) => "transformer",
        OutageDeviceKind::Switch(_) => "switch",
        OutageDeviceKind::Source(_) => "circuit",
        OutageDeviceKind::Protective(p) => match net.device(p).kind {
            DeviceKind::Breaker => "relay",
            DeviceKind::Recloser => "recloser",
            DeviceKind::Sectionalizer => "sectionalizer",
            DeviceKind::Fuse => "fuse",
            DeviceKind::Switch => "swtcontrol",
        },
    }
}

/// The fault class (index into [`ByFaultClass`]) of a device class.
fn fault_class(c: OutageDeviceClass) -> Option<usize> {
    match c {
        OutageDeviceClass::Service => Some(0),
        OutageDeviceClass::Transformer => Some(1),
        OutageDeviceClass::Fuse | OutageDeviceClass::Sectionalizer => Some(2),
        OutageDeviceClass::Recloser => Some(3),
        OutageDeviceClass::Breaker => Some(4),
        _ => None,
    }
}

const CLASS_NAMES: [&str; 5] = ["service", "transformer", "fuse", "recloser", "breaker"];

/// A scenario generator for one network: the energization view and the candidate
/// devices by class, computed once for many seeds.
pub struct Simulator<'n> {
    net: &'n Network,
    view: EnergizationView,
    /// Energized devices holding off at least one customer, by fault class.
    by_class: [Vec<OutageDeviceId>; 5],
    /// Switches, fuses and transformers: where planned outages are.
    planned: Vec<OutageDeviceId>,
    /// Reclosers and breakers: where momentaries are.
    momentary: Vec<OutageDeviceId>,
    /// Energized customers.
    customers: Vec<CustomerId>,
}

/// A sustained or momentary loss of supply below a device.
#[derive(Debug, Clone, Copy)]
struct Interruption {
    device: OutageDeviceId,
    start: Timestamp,
    /// Exclusive; `FOREVER` when not restored in the scenario.
    end: Timestamp,
    what: What,
    /// Customers below the device (to find the topmost of several).
    size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// Index into the truth outages.
    Fault(usize),
    Planned(usize),
    Momentary,
}

const FOREVER: Timestamp = Timestamp(i64::MAX / 4);

/// A row of the event file being made.
struct Row {
    arrival: Timestamp,
    tick: bool,
    seq: u32,
    event: Event,
    call: Option<TruthCall>,
}

fn secs(s: f64) -> Millis {
    (s * 1000.0).round() as Millis
}

/// Rounds to the whole second, as the event file prints times.
fn whole(t: Timestamp) -> Timestamp {
    Timestamp((t.0 + 500).div_euclid(1000) * 1000)
}

impl<'n> Simulator<'n> {
    /// A generator for the network in its normal state.
    ///
    /// # Complexity
    /// O(D) for D outage devices.
    pub fn new(net: &'n Network) -> Result<Self, SwitchingError> {
        Ok(Simulator::with_view(net, EnergizationView::normal(net)?))
    }

    /// A generator for the network in the state of a view.
    pub fn with_view(net: &'n Network, view: EnergizationView) -> Self {
        let mut by_class: [Vec<OutageDeviceId>; 5] = Default::default();
        let mut planned = Vec::new();
        let mut momentary = Vec::new();
        for &d in view.preorder() {
            if view.customer_count_below(d) == 0 {
                continue;
            }
            let class = net.outage_device_class(d);
            if let Some(k) = fault_class(class) {
                by_class[k].push(d);
            }
            match class {
                OutageDeviceClass::Switch
                | OutageDeviceClass::Fuse
                | OutageDeviceClass::Sectionalizer
                | OutageDeviceClass::Transformer => planned.push(d),
                OutageDeviceClass::Recloser | OutageDeviceClass::Breaker => momentary.push(d),
                _ => {}
            }
        }
        let customers = view.customers_in_preorder().to_vec();
        Simulator {
            net,
            view,
            by_class,
            planned,
            momentary,
            customers,
        }
    }

    /// The network.
    pub fn network(&self) -> &'n Network {
        self.net
    }

    /// The energization view scenarios are played on.
    pub fn view(&self) -> &EnergizationView {
        &self.view
    }

    /// Generates one scenario.
    ///
    /// # Complexity
    /// O(E log E + Σ customers below each interruption) for E events.
    pub fn run(&self, opts: &SimulationOptions, seed: u64) -> Scenario {
        Run::new(self, opts, seed).play()
    }
}

/// The state of one generation.
struct Run<'a, 'n> {
    sim: &'a Simulator<'n>,
    o: &'a SimulationOptions,
    seed: u64,
    p_lg: f64,
    p_call: f64,
    t0: Timestamp,
    /// Faults, momentaries, planned work and disconnections begin before this.
    t_last: Timestamp,
    end: Timestamp,
    outages: Vec<TruthOutage>,
    ints: Vec<Interruption>,
    momentaries: Vec<TruthMomentary>,
    /// Disconnections: customer, from, until (exclusive), truth index.
    disconnects: Vec<(CustomerId, Timestamp, Timestamp, usize)>,
    rows: Vec<Row>,
    /// Per customer (by id): off-supply intervals of its meter, sorted.
    off: Vec<Vec<(Timestamp, Timestamp)>>,
    false_lg: u64,
}

impl<'a, 'n> Run<'a, 'n> {
    fn new(sim: &'a Simulator<'n>, o: &'a SimulationOptions, seed: u64) -> Self {
        let mut rates = SplitMix64::stream(seed, 1);
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
        }
    }

    fn net(&self) -> &'n Network {
        self.sim.net
    }

    /// A count drawn from a range, scaled to the size of the network.
    fn count(&self, rng: &mut SplitMix64, r: [u32; 2]) -> u32 {
        let n = rng.count(r);
        match self.o.feeder_customers {
            Some(f) if f > 0 && self.sim.customers.len() > f as usize => {
                (n as f64 * self.sim.customers.len() as f64 / f as f64).round() as u32
            }
            _ => n,
        }
    }

    fn push(&mut self, time: Timestamp, evidence: Evidence) {
        self.push_at(time, time, evidence, None);
    }

    fn push_at(
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
    fn begin_time(&self, rng: &mut SplitMix64) -> Timestamp {
        let span = (self.t_last.0 - self.t0.0) / SECOND;
        whole(self.t0 + rng.index(span.max(1) as usize) as Millis * SECOND)
    }

    fn repair(&self, rng: &mut SplitMix64, class: usize) -> Millis {
        let median = self.o.repair_median_min.get(class) * self.o.repair_scale.get(class);
        let min = rng.lognormal(median, self.o.repair_sigma);
        secs(min.max(5.0) * 60.0)
    }

    /// The end of an interval that may run past the scenario.
    fn clip(&self, t: Timestamp) -> Option<Timestamp> {
        (t < self.end).then_some(whole(t))
    }

    fn new_outage(
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
        });
        self.outages.len() - 1
    }

    /// Whether an interruption that `which` accepts, on a device that `on` accepts,
    /// overlaps `[from, to)`.
    fn interrupted(
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
    fn dark_at(&self, d: OutageDeviceId, t: Timestamp) -> bool {
        let view = &self.sim.view;
        self.interrupted(|w| w != What::Momentary, |k| view.is_below(d, k), t, t + 1)
    }

    fn plan_faults(&mut self, rng: &mut SplitMix64) {
        let o = self.o;
        let sim = self.sim;
        let n = self.count(rng, o.n_faults);
        let mut starts: Vec<Timestamp> = (0..n).map(|_| self.begin_time(rng)).collect();
        starts.sort();
        let weights: Vec<f64> = (0..5)
            .map(|k| {
                if sim.by_class[k].is_empty() {
                    0.0
                } else {
                    o.mix.get(k)
                }
            })
            .collect();
        for start in starts {
            let Some(k) = rng.weighted(&weights) else {
                break;
            };
            let d = sim.by_class[k][rng.index(sim.by_class[k].len())];
            // Dead equipment does not trip: a fault drawn at or below a device that is
            // out does not happen (faults hidden below a larger one come as nested).
            if self.dark_at(d, start) {
                continue;
            }
            let end = self.clip(start + self.repair(rng, k));
            // Nor does one inside planned work at any time while it lasts (planned
            // work at or above it): a call or a gasp there would be both.
            if self.planned_above_during(d, start, end.unwrap_or(FOREVER)) {
                continue;
            }
            let scada = k >= 3 && self.net().is_telemetered(d) && rng.chance(o.p_scada);
            let idx = self.new_outage(d, TruthCause::Fault, start, end, None, scada);
            self.add_interruption(d, start, end, What::Fault(idx));
            if scada {
                self.push(start, Evidence::DeviceOpen { device: d });
                if let Some(e) = end {
                    self.push(e, Evidence::DeviceClose { device: d });
                }
            }
            if rng.chance(o.p_nested) {
                self.plan_nested(rng, idx, d, start, end);
            }
        }
    }

    /// A fault below the fault `parent`, found only after the parent's restoration.
    fn plan_nested(
        &mut self,
        rng: &mut SplitMix64,
        parent: usize,
        d: OutageDeviceId,
        start: Timestamp,
        parent_end: Option<Timestamp>,
    ) {
        let view = &self.sim.view;
        let net = self.net();
        let Some(first) = view.preorder_index(d) else {
            return;
        };
        let mut below: [Vec<OutageDeviceId>; 5] = Default::default();
        let n = view.customer_count_below(d);
        for &x in &view.preorder()[first as usize + 1..] {
            if !view.is_below(x, d) {
                break;
            }
            // Below and smaller: a device holding off the same customers as the parent
            // could not be told apart from it.
            let m = view.customer_count_below(x);
            if m == 0 || m == n {
                continue;
            }
            if let Some(k) = fault_class(net.outage_device_class(x)) {
                below[k].push(x);
            }
        }
        let weights: Vec<f64> = (0..5)
            .map(|k| {
                if below[k].is_empty() {
                    0.0
                } else {
                    self.o.mix.get(k)
                }
            })
            .collect();
        let Some(k) = rng.weighted(&weights) else {
            return;
        };
        let x = below[k][rng.index(below[k].len())];
        let end = parent_end.and_then(|e| self.clip(e + self.repair(rng, k)));
        if self.planned_above_during(x, start, end.unwrap_or(FOREVER)) {
            return;
        }
        let pid = Some(format!("#{parent}"));
        let idx = self.new_outage(x, TruthCause::Fault, start, end, pid, false);
        self.add_interruption(x, start, end, What::Fault(idx));
    }

    fn add_interruption(
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

    fn plan_planned(&mut self, rng: &mut SplitMix64) {
        let sim = self.sim;
        if sim.planned.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.planned) {
            let d = sim.planned[rng.index(sim.planned.len())];
            let start = self.begin_time(rng);
            let len = rng.count(self.o.planned_min) as Millis * MINUTE;
            let until = whole(start + len);
            let idx = self.new_outage(d, TruthCause::Planned, start, self.clip(until), None, false);
            self.add_interruption(d, start, Some(until), What::Planned(idx));
            self.push(
                start,
                Evidence::PlannedOutage {
                    device: d,
                    end: until,
                },
            );
        }
    }

    fn plan_momentaries(&mut self, rng: &mut SplitMix64) {
        let sim = self.sim;
        if sim.momentary.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.momentaries) {
            for _ in 0..20 {
                let d = sim.momentary[rng.index(sim.momentary.len())];
                let t = self.begin_time(rng);
                if self.dark_at(d, t) {
                    continue;
                }
                let dur_s = (rng.uniform(self.o.momentary_s) * 10.0).round() / 10.0;
                let back = t + secs(dur_s).max(SECOND);
                let scada = self.net().is_telemetered(d) && rng.chance(self.o.p_scada);
                if scada {
                    self.push(t, Evidence::DeviceOpen { device: d });
                    self.push(back, Evidence::DeviceClose { device: d });
                }
                self.ints.push(Interruption {
                    device: d,
                    start: t,
                    end: back,
                    what: What::Momentary,
                    size: sim.view.customer_count_below(d),
                });
                self.momentaries.push(TruthMomentary {
                    device: self.net().outage_device_name(d).to_string(),
                    time: t,
                    duration_s: dur_s,
                    customers: sim.view.customer_count_below(d),
                    scada,
                });
                break;
            }
        }
    }

    /// Whether the customer's meter has supply at `t`.
    fn supplied(&self, c: CustomerId, t: Timestamp) -> bool {
        !self.off[c.index()].iter().any(|&(a, b)| a <= t && t < b)
    }

    /// Whether planned work at or above `d` overlaps `[from, to)`.
    fn planned_above_during(&self, d: OutageDeviceId, from: Timestamp, to: Timestamp) -> bool {
        let view = &self.sim.view;
        self.interrupted(
            |w| matches!(w, What::Planned(_)),
            |k| view.is_below(d, k),
            from,
            to,
        )
    }

    /// Whether a fault on the customer's own service overlaps `[from, to)`.
    fn service_fault_during(&self, c: CustomerId, from: Timestamp, to: Timestamp) -> bool {
        self.interrupted(|w| matches!(w, What::Fault(_)), |k| k.0 == c.0, from, to)
    }

    /// Whether a customer has supply at `t` and is not disconnected.
    fn on_supply(&self, c: CustomerId, t: Timestamp) -> bool {
        self.supplied(c, t) && self.disconnected(c, t).is_none()
    }

    fn disconnected(&self, c: CustomerId, t: Timestamp) -> Option<usize> {
        self.disconnects
            .iter()
            .find(|&&(x, a, b, _)| x == c && a <= t && t < b)
            .map(|d| d.3)
    }

    fn plan_disconnects(&mut self, rng: &mut SplitMix64, calls: &mut SplitMix64) {
        let sim = self.sim;
        if sim.customers.is_empty() {
            return;
        }
        for _ in 0..self.count(rng, self.o.disconnects) {
            let t = self.begin_time(rng);
            let back = rng
                .chance(self.o.reconnect_p)
                .then(|| t + rng.count(self.o.reconnect_min) as Millis * MINUTE)
                .and_then(|b| self.clip(b));
            // A customer with supply, not disconnected already, whose service does not
            // fail while it is disconnected.
            let mut pick = None;
            for _ in 0..20 {
                let c = sim.customers[rng.index(sim.customers.len())];
                let until = back.unwrap_or(FOREVER);
                if !self.dark_at(OutageDeviceId(c.0), t)
                    && !self
                        .disconnects
                        .iter()
                        .any(|&(x, a, b, _)| x == c && a < until && t < b)
                    && !self.service_fault_during(c, t, until)
                {
                    pick = Some(c);
                    break;
                }
            }
            let Some(c) = pick else { continue };
            let idx = self.new_outage(
                OutageDeviceId(c.0),
                TruthCause::Disconnect,
                t,
                back,
                None,
                false,
            );
            self.disconnects.push((c, t, back.unwrap_or(FOREVER), idx));
            self.push(t, Evidence::Disconnect { meter: c });
            if let Some(b) = back {
                self.push(b, Evidence::Reconnect { meter: c });
            }
            if calls.chance(self.o.disconnect_call_p) {
                let tc = t + self.call_delay(calls);
                if tc < back.unwrap_or(FOREVER) && tc < self.end {
                    self.push_call(tc, c, CallDetail::NoPower, CallCause::Disconnect, Some(idx));
                }
            }
        }
    }

    fn call_delay(&self, rng: &mut SplitMix64) -> Millis {
        let s = rng.lognormal(self.o.call_median_s, self.o.call_sigma);
        secs(s.min(self.o.call_max_s))
    }

    fn push_call(
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
    fn push_ami(&mut self, rng: &mut SplitMix64, t: Timestamp, evidence: Evidence) -> bool {
        let late = rng.chance(self.o.late_p);
        let arrival = if late {
            t + secs(rng.uniform([1.0, self.o.late_max_s])).max(SECOND)
        } else {
            t
        };
        self.push_at(t, arrival, evidence, None);
        late
    }

    /// Why customer `c` is off at `t`, and which outage holds it off: a disconnection,
    /// else a planned outage, else the topmost fault.
    fn cause_at(
        &self,
        c: CustomerId,
        t: Timestamp,
        covering: &[usize],
    ) -> Option<(CallCause, usize)> {
        if let Some(i) = self.disconnected(c, t) {
            return Some((CallCause::Disconnect, i));
        }
        let active = covering
            .iter()
            .map(|&j| &self.ints[j])
            .filter(|i| i.start <= t && t < i.end);
        let mut best: Option<(CallCause, usize, u32)> = None;
        for i in active {
            let (cause, idx) = match i.what {
                What::Planned(x) => (CallCause::Planned, x),
                What::Fault(x) => (CallCause::Fault, x),
                What::Momentary => continue,
            };
            let better = match best {
                None => true,
                Some((bc, _, bs)) => {
                    (cause == CallCause::Planned && bc == CallCause::Fault)
                        || (cause == bc && i.size > bs)
                }
            };
            if better {
                best = Some((cause, idx, i.size));
            }
        }
        best.map(|(c, i, _)| (c, i))
    }

    fn fault_detail(&self, rng: &mut SplitMix64) -> CallDetail {
        let m = self.o.fault_call_detail;
        match rng.weighted(&[m.no_power, m.partial, m.wire_down]) {
            Some(1) => CallDetail::Partial,
            Some(2) => CallDetail::WireDown,
            _ => CallDetail::NoPower,
        }
    }

    /// The evidence of every customer below an interruption.
    fn play_customers(&mut self, ami: &mut SplitMix64, calls: &mut SplitMix64) -> u64 {
        let view = &self.sim.view;
        // (customer, interruption) for every customer below every interruption.
        let mut pairs: Vec<(CustomerId, u32)> = Vec::new();
        for (j, i) in self.ints.iter().enumerate() {
            pairs.extend(
                view.customers_below(i.device)
                    .iter()
                    .map(|&c| (c, j as u32)),
            );
        }
        let ints = &self.ints;
        pairs.sort_by_key(|&(c, j)| {
            (
                c,
                ints[j as usize].start,
                std::cmp::Reverse(ints[j as usize].size),
                j,
            )
        });
        let mut late = 0;
        let mut k = 0;
        while k < pairs.len() {
            let c = pairs[k].0;
            let mut m = k;
            while m < pairs.len() && pairs[m].0 == c {
                m += 1;
            }
            let covering: Vec<usize> = pairs[k..m].iter().map(|p| p.1 as usize).collect();
            late += self.play_customer(c, &covering, ami, calls);
            k = m;
        }
        late
    }

    /// One customer's evidence; `covering` are the interruptions above it, by start
    /// (the topmost first among those starting together).
    fn play_customer(
        &mut self,
        c: CustomerId,
        covering: &[usize],
        ami: &mut SplitMix64,
        calls: &mut SplitMix64,
    ) -> u64 {
        let o = self.o;
        let mut late = 0;
        // Merge into off-supply intervals, each begun by its first interruption; inside
        // one, the moments when a sustained interruption ended with the customer still
        // off (a nested outage, or one swallowed by a larger one).
        let mut i = 0;
        while i < covering.len() {
            let first = self.ints[covering[i]];
            let (a, mut b) = (first.start, first.end);
            let mut j = i + 1;
            while j < covering.len() && self.ints[covering[j]].start <= b {
                b = b.max(self.ints[covering[j]].end);
                j += 1;
            }
            let mut ends: Vec<Timestamp> = covering[i..j]
                .iter()
                .map(|&x| self.ints[x])
                .filter(|x| x.what != What::Momentary && x.end > a && x.end < b)
                .map(|x| x.end)
                .collect();
            ends.sort();
            ends.dedup();
            self.off[c.index()].push((a, b));
            let momentary = first.what == What::Momentary && b.0 - a.0 < MINUTE;
            // Going off.
            if ami.chance(self.p_lg) {
                let d = if first.what == What::Momentary {
                    secs(ami.uniform([0.0, o.momentary_lg_s]))
                } else {
                    secs(ami.uniform(o.lg_delay_s))
                };
                if a + d < self.end {
                    late += self.push_ami(ami, a + d, Evidence::LastGasp { meter: c }) as u64;
                }
            }
            // Coming back.
            if b < self.end && ami.chance(o.p_pr) {
                let t = b + secs(ami.uniform(o.pr_delay_s));
                if t < self.end {
                    late += self.push_ami(ami, t, Evidence::PowerRestore { meter: c }) as u64;
                }
            }
            // Calls.
            let disconnected = self.disconnected(c, a).is_some();
            if momentary {
                if !disconnected && calls.chance(self.p_call * o.momentary_call_mult) {
                    let tc = a + self.call_delay(calls);
                    if tc < self.end {
                        self.push_call(tc, c, CallDetail::Flicker, CallCause::NoOutage, None);
                    }
                }
            } else if !disconnected {
                let p = match first.what {
                    What::Planned(_) => self.p_call * o.planned_call_mult,
                    _ => self.p_call,
                };
                let mut moments = vec![(a, p)];
                moments.extend(ends.iter().map(|&e| (e, self.p_call)));
                for (t, p) in moments {
                    if !calls.chance(p) {
                        continue;
                    }
                    let tc = t + self.call_delay(calls);
                    if tc >= b || tc >= self.end {
                        continue;
                    }
                    if let Some((cause, idx)) = self.cause_at(c, tc, &covering[i..j]) {
                        let detail = match cause {
                            CallCause::Fault => self.fault_detail(calls),
                            _ => CallDetail::NoPower,
                        };
                        self.push_call(tc, c, detail, cause, Some(idx));
                    }
                }
            }
            i = j;
        }
        late
    }

    /// Calls from customers who are not out, and false last gasps.
    fn play_background(&mut self, rng: &mut SplitMix64) -> u64 {
        let o = self.o;
        let sim = self.sim;
        let n = sim.customers.len();
        if n == 0 {
            return 0;
        }
        let hours = (self.end.0 - self.t0.0) as f64 / (60.0 * MINUTE as f64);
        let mut late = 0;
        for kind in 0..2 {
            let per_h = if kind == 0 {
                o.bg_calls_per_kh
            } else {
                o.false_lg_per_kh
            } * n as f64
                / 1000.0;
            if per_h <= 0.0 {
                continue;
            }
            let mut h = rng.exponential(per_h);
            while h < hours {
                let t = whole(self.t0 + secs(h * 3600.0));
                h += rng.exponential(per_h);
                let mut pick = None;
                for _ in 0..20 {
                    let c = sim.customers[rng.index(n)];
                    if self.on_supply(c, t) {
                        pick = Some(c);
                        break;
                    }
                }
                let Some(c) = pick else { continue };
                if kind == 0 {
                    let m = o.bg_call_detail;
                    let detail = match rng.weighted(&[m.no_power, m.partial, m.flicker]) {
                        Some(1) => CallDetail::Partial,
                        Some(2) => CallDetail::Flicker,
                        _ => CallDetail::NoPower,
                    };
                    self.push_call(t, c, detail, CallCause::NoOutage, None);
                } else {
                    self.false_lg += 1;
                    late += self.push_ami(rng, t, Evidence::LastGasp { meter: c }) as u64;
                    // The meter comes back at once: a restore, unless it is lost.
                    if rng.chance(o.p_pr) {
                        let back = whole(t + secs(rng.uniform(o.false_lg_restore_s)));
                        if back < self.end && self.on_supply(c, back) {
                            let restore = Evidence::PowerRestore { meter: c };
                            late += self.push_ami(rng, back, restore) as u64;
                        }
                    }
                }
            }
        }
        late
    }

    fn play(mut self) -> Scenario {
        let mut plan = SplitMix64::stream(self.seed, 2);
        let mut ami = SplitMix64::stream(self.seed, 3);
        let mut calls = SplitMix64::stream(self.seed, 4);
        let mut background = SplitMix64::stream(self.seed, 5);
        let mut names = SplitMix64::stream(self.seed, 6);
        // Planned work first, so that no fault is drawn inside it; disconnections
        // last, so that none starts on a customer already dark or on a faulted service.
        self.plan_planned(&mut plan);
        self.plan_faults(&mut plan);
        self.plan_momentaries(&mut plan);
        self.plan_disconnects(&mut plan, &mut calls);
        let mut late = self.play_customers(&mut ami, &mut calls);
        late += self.play_background(&mut background);
        let mut t = self.t0 + MINUTE;
        while t <= self.end {
            self.push(t, Evidence::Tick);
            t = t + MINUTE;
        }
        self.finish(late, &mut names)
    }

    fn finish(mut self, late: u64, names: &mut SplitMix64) -> Scenario {
        let net = self.net();
        // Ids: faults by start (a nested fault right after its parent), then the rest.
        let mut order: Vec<usize> = (0..self.outages.len()).collect();
        order.sort_by_key(|&i| (!self.outages[i].cause.is_fault(), self.outages[i].start, i));
        let mut id_of = vec![String::new(); self.outages.len()];
        for (n, &i) in order.iter().enumerate() {
            id_of[i] = format!("T{}", n + 1);
        }
        let fix = |s: &Option<String>| {
            s.as_ref()
                .and_then(|x| x.strip_prefix('#'))
                .and_then(|x| x.parse::<usize>().ok())
                .map(|i| id_of[i].clone())
        };
        for (i, o) in self.outages.iter_mut().enumerate() {
            o.id = id_of[i].clone();
            o.nested_in = fix(&o.nested_in);
        }
        // The event file: by arrival; a tick after the rows of its second.
        self.rows.sort_by_key(|r| (r.arrival, r.tick, r.seq));
        let mut events = Vec::with_capacity(self.rows.len());
        let mut short_names = Vec::with_capacity(self.rows.len());
        let mut calls = Vec::new();
        for (k, r) in self.rows.into_iter().enumerate() {
            let cust = !matches!(
                r.event.evidence,
                Evidence::Tick
                    | Evidence::DeviceOpen { .. }
                    | Evidence::DeviceClose { .. }
                    | Evidence::PlannedOutage { .. }
            );
            short_names.push(cust && names.chance(self.o.short_name_p));
            if let Some(mut call) = r.call {
                call.row = k as u64 + 2;
                call.outage = fix(&call.outage);
                calls.push(call);
            }
            events.push(r.event);
        }
        // Checkpoints: each fault's start + 5, 15, 30 min; the scenario 30 min after the
        // last fault began.
        let mut checkpoints = Vec::new();
        let faults: Vec<&TruthOutage> = order
            .iter()
            .map(|&i| &self.outages[i])
            .filter(|o| o.cause.is_fault())
            .collect();
        for f in &faults {
            for (kind, m) in [
                (CheckpointKind::Plus5, 5),
                (CheckpointKind::Plus15, 15),
                (CheckpointKind::Plus30, 30),
            ] {
                checkpoints.push(Checkpoint {
                    at: f.start + m * MINUTE,
                    label: format!("{}+{m}m", f.id),
                    kind,
                });
            }
        }
        if let Some(last) = faults.iter().map(|o| o.start).max() {
            checkpoints.push(Checkpoint {
                at: last + 30 * MINUTE,
                label: "scenario".to_string(),
                kind: CheckpointKind::Scenario,
            });
        }
        checkpoints.sort_by_key(|c| c.at);
        self.outages.sort_by_key(|o| o.start);
        let sim = self.sim;
        let mut params = serde_json::to_value(self.o).unwrap_or_default();
        if let Some(p) = params.as_object_mut() {
            let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
            p.insert("p_lg".into(), r3(self.p_lg).into());
            p.insert("p_call".into(), r3(self.p_call).into());
            p.insert("n_customers".into(), sim.customers.len().into());
            let mut sizes = serde_json::Map::new();
            let mut weights = serde_json::Map::new();
            for (k, name) in CLASS_NAMES.iter().enumerate() {
                sizes.insert(name.to_string(), sim.by_class[k].len().into());
                if !sim.by_class[k].is_empty() {
                    weights.insert(name.to_string(), self.o.mix.get(k).into());
                }
            }
            p.insert("class_weights".into(), weights.into());
            p.insert("class_sizes".into(), sizes.into());
        }
        let circuit = net
            .sources()
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let truth = Truth {
            version: 1,
            feeder: net.name().to_string(),
            model: "eval_master.dss".to_string(),
            circuit,
            profile: self.o.profile.as_str().to_string(),
            seed: self.seed,
            start: self.t0,
            end: self.end,
            params,
            outages: self.outages,
            momentaries: self.momentaries,
            calls,
            checkpoints,
            counts: TruthCounts {
                rows: events.len() as u64,
                false_last_gasps: self.false_lg,
                late_messages: late,
            },
        };
        Scenario {
            events,
            truth,
            short_names,
        }
    }
}
