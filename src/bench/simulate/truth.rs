//! What really happened on a simulated day: the shape of the shared `truth.json`, with
//! the true outages, momentaries, calls and checkpoints an engine is judged against.

use serde::{Deserialize, Serialize};

use super::rfc3339;
use crate::evidence::CallDetail;
use crate::replay::CallCause;
use crate::time::Timestamp;

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
    /// Parts of it that operators switched to a normally-open tie while it lasted,
    /// by time (on `storm_switching` days; written only when there are some).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfers: Vec<TruthTransfer>,
}

/// A transfer during a fault outage: operators opened a switch to isolate the fault and
/// closed a normally-open tie, so that some of its customers had supply again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthTransfer {
    /// The switch opened, `class.name`.
    pub open: String,
    /// The tie closed.
    pub close: String,
    /// When the switch opened.
    #[serde(with = "rfc3339")]
    pub at_open: Timestamp,
    /// When the tie closed: from then on the customers moved have supply.
    #[serde(with = "rfc3339")]
    pub at: Timestamp,
    /// The customers moved to the tie, `load.x`.
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

crate::variant_names::display_as_serde_name!(CheckpointKind);

impl CheckpointKind {
    /// All kinds, in the scorer's order.
    pub const ALL: [CheckpointKind; 4] = [
        CheckpointKind::Plus5,
        CheckpointKind::Plus15,
        CheckpointKind::Plus30,
        CheckpointKind::Scenario,
    ];

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
