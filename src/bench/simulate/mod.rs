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
//! customers who are not out, false last gasps (followed by the meter's power restore
//! within minutes with probability `false_lg_restore_p`, else `p_pr`), remote
//! disconnections (and their calls), a `tick` every minute; a share `late_p` of AMI
//! messages arrive late (the row comes later in the file than its time), and the
//! `load.` prefix is left out on about half of the rows.
//!
//! A customer is off for one known cause at a time: no fault falls inside planned work
//! while it lasts (dead equipment does not trip), and no disconnection starts on a dark
//! customer, on a service that fails while it is disconnected, or over another of the
//! same customer. A fault above a disconnected customer happens as usual.
//!
//! On `storm_switching` days operators switch around located faults: the switches
//! below a faulted device open and ties close, so that the healthy sections beyond
//! have supply again (their meters restore) while the fault is repaired; the switches
//! go back to normal afterwards (see [`OperatorSwitching`]).
//!
//! The same network, options and seed give the same scenario, on every platform.
//!
//! The options of a day are in [`SimulationOptions`] (one set per [`Profile`], or drawn
//! per day from a profile's [`SettingRanges`]); what
//! really happened is its [`Truth`], written as the shared `truth.json`; a [`Scenario`]
//! holds both and writes the folder an engine and its judge read. A generation runs in
//! three phases, each in its own room: what happens (planned work, faults and the
//! faults nested below them, momentaries, disconnections), drawn before any evidence;
//! the evidence it leaves, played out customer by customer; then the outages
//! numbered, the rows put in arrival order and the checkpoints set. Each purpose draws
//! from its own random stream, so that changing one rate leaves the rest of a seed's
//! day as it was.
//!
//! ```
//! use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
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

mod finish;
mod options;
mod plan;
mod play;
mod ranges;
pub mod rfc3339;
mod run;
mod scenario;
mod switching;
mod truth;

/// A call's true cause is given in the terms the replay classifies calls in.
pub use crate::replay::CallCause;
pub use options::{
    BackgroundCallDetail, ByFaultClass, FaultCallDetail, Profile, SimulationOptions,
};
pub use ranges::SettingRanges;
pub use scenario::{Scenario, scorer_kind};
pub use switching::OperatorSwitching;
pub use truth::{
    Checkpoint, CheckpointKind, Truth, TruthCall, TruthCause, TruthCounts, TruthMomentary,
    TruthOutage, TruthTransfer,
};

use self::run::Run;
use crate::error::SwitchingError;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{Network, OutageDeviceClass};
use crate::topology::EnergizationView;

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

/// The fault classes by index, as the truth's `params` name them.
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

    /// Generates one scenario; with [`ranges`](SimulationOptions::ranges), on the
    /// day's options [drawn](SettingRanges::draw) for the seed.
    ///
    /// # Complexity
    /// O(E log E + Σ customers below each interruption) for E events.
    pub fn run(&self, opts: &SimulationOptions, seed: u64) -> Scenario {
        match &opts.ranges {
            Some(r) => Run::new(self, &r.draw(opts, seed), seed).play(),
            None => Run::new(self, opts, seed).play(),
        }
    }
}
