//! Storms at a utility's scale written as the replay contract's event file: the
//! simulator's storm profile with counts and rates set so that a storm yields about
//! one row per customer, in the proportions of a real storm's evidence.

use std::io::{self, Write};

use crate::bench::simulate::{Profile, SimulationOptions, Simulator};
use crate::evidence::Evidence;

/// The options of a four-hour storm (three hours of faults, one of restoration) on a
/// whole utility's network, as [`UtilityNetworkOptions::region`] shapes it: about one
/// row per customer, of which 15 % calls, 50 % last gasps and 35 % power restores, and
/// a few SCADA operations, planned outages and remote disconnections (for a million
/// customers about 993 k rows: 147 k calls, 494 k last gasps, 349 k restores, 850–870
/// SCADA operations, 667 planned outages and 1 000 disconnections and reconnections).
///
/// The counts scale with the network (those of the storm profile are per 1 500
/// customers): 16 faults, one planned outage and one disconnection per 1 500
/// customers, no momentaries; last gasps from half the meters that lose supply, calls
/// from 12 % of their customers, power restores from 43 % of those whose supply
/// returns.
///
/// [`UtilityNetworkOptions::region`]: super::UtilityNetworkOptions::region
pub fn region_storm() -> SimulationOptions {
    SimulationOptions {
        n_faults: [16, 16],
        p_pr: 0.43,
        // A count of the profile is drawn once and scaled, so a range would give a
        // storm every momentary or none: one value each.
        momentaries: [0, 0],
        planned: [1, 1],
        disconnects: [1, 1],
        ..SimulationOptions::for_profile(Profile::Storm).with_rates(0.12, 0.5)
    }
}

/// The rows of an event file by kind, as [`write_storm_csv`] wrote them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StormRows {
    /// All rows (the header left out).
    pub rows: usize,
    /// `call`.
    pub calls: usize,
    /// `last_gasp`.
    pub last_gasps: usize,
    /// `power_restore`.
    pub restores: usize,
    /// `device_open` and `device_close`.
    pub scada: usize,
    /// `planned_outage`.
    pub planned: usize,
    /// `disconnect` and `reconnect`.
    pub disconnections: usize,
    /// `tick` and `ping`.
    pub other: usize,
}

/// Simulates a day on the simulator's network and writes its event file
/// (`time,kind,id,detail`) to `out` through one buffer; returns its rows by kind. The
/// truth is not kept.
///
/// # Errors
/// Those of `out`.
///
/// # Complexity
/// That of [`Simulator::run`]: O(E log E + Σ customers below each interruption) for E
/// events; about 1.5 s and 500 MB for a million customers and rows.
///
/// ```
/// use outage_locator::bench::simulate::Simulator;
/// use outage_locator::bench::synth::{UtilityNetworkOptions, region_storm, utility_network, write_storm_csv};
/// let net = utility_network(&UtilityNetworkOptions::region(30_000, 1));
/// let sim = Simulator::new(&net).unwrap();
/// let mut csv = Vec::new();
/// let rows = write_storm_csv(&sim, &region_storm(), 1, &mut csv).unwrap();
/// assert_eq!(csv.iter().filter(|&&b| b == b'\n').count(), rows.rows + 1);
/// assert!(rows.last_gasps > rows.restores && rows.restores > rows.calls);
/// ```
pub fn write_storm_csv(
    sim: &Simulator<'_>,
    opts: &SimulationOptions,
    seed: u64,
    out: &mut impl Write,
) -> io::Result<StormRows> {
    let day = sim.run(opts, seed);
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    day.write_events_csv(sim.network(), &mut w)?;
    w.flush()?;
    let mut rows = StormRows {
        rows: day.events.len(),
        ..StormRows::default()
    };
    for e in &day.events {
        let count = match e.evidence {
            Evidence::Call { .. } => &mut rows.calls,
            Evidence::LastGasp { .. } => &mut rows.last_gasps,
            Evidence::PowerRestore { .. } => &mut rows.restores,
            Evidence::DeviceOpen { .. } | Evidence::DeviceClose { .. } => &mut rows.scada,
            Evidence::PlannedOutage { .. } => &mut rows.planned,
            Evidence::Disconnect { .. } | Evidence::Reconnect { .. } => &mut rows.disconnections,
            Evidence::Ping { .. } | Evidence::FaultIndicator { .. } | Evidence::Tick => {
                &mut rows.other
            }
        };
        *count += 1;
    }
    Ok(rows)
}
