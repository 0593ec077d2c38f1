//! Storms for speed measurements: many random outages at every level of the device
//! tree, with their evidence, and no truth kept.

use super::SplitMix64;
use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::OutageDeviceId;
use crate::network::{Network, OutageDeviceClass};
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// A storm of about `target` events on any network, for speed measurements: random
/// outages at every level of the device tree, with last gasps (50 %), calls (15 %) and
/// power restores (70 %), SCADA for breakers and reclosers, and a tick a minute over
/// four hours. For accuracy studies use [`crate::bench::simulate`], which also keeps the truth.
///
/// ```
/// use outage_locator::bench::synth::{storm_events, synthetic_network, SyntheticNetworkOptions};
/// let net = synthetic_network(&SyntheticNetworkOptions { customers: 2000, ..Default::default() });
/// let view = outage_locator::EnergizationView::normal(&net).unwrap();
/// let events = storm_events(&net, &view, 1000, 7);
/// assert!(events.len() >= 1000);
/// assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
/// ```
pub fn storm_events(
    net: &Network,
    view: &EnergizationView,
    target: usize,
    seed: u64,
) -> Vec<Event> {
    let mut rng = SplitMix64::new(seed);
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().expect("a valid time");
    let nc = net.customers().len() as u64;
    let mut events = Vec::with_capacity(target + 300);
    for m in 0..240 {
        events.push(Event {
            time: t0 + m * 60_000,
            evidence: Evidence::Tick,
        });
    }
    let mut budget = target as i64;
    while budget > 0 {
        let c = OutageDeviceId(rng.below(nc) as u32);
        let chain: Vec<OutageDeviceId> = view.upstream(c).collect();
        // Any level but the source itself.
        let d = chain[rng.below(chain.len().saturating_sub(1).max(1) as u64) as usize];
        let below = view.customers_below(d);
        if below.len() as i64 > budget * 2 {
            continue;
        }
        let start = t0 + (rng.below(3 * 3600) as i64) * 1000;
        let end = start + (1800 + rng.below(5400) as i64) * 1000;
        let scada = matches!(
            net.outage_device_class(d),
            OutageDeviceClass::Breaker | OutageDeviceClass::Recloser
        );
        if scada {
            events.push(Event {
                time: start,
                evidence: Evidence::DeviceOpen { device: d },
            });
            events.push(Event {
                time: end,
                evidence: Evidence::DeviceClose { device: d },
            });
        }
        for &c in below {
            if rng.chance(0.5) {
                events.push(Event {
                    time: start + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::LastGasp { meter: c },
                });
            }
            if rng.chance(0.15) {
                events.push(Event {
                    time: start + (60 + rng.below(3600) as i64) * 1000,
                    evidence: Evidence::Call {
                        customer: c,
                        detail: CallDetail::NoPower,
                    },
                });
            }
            if rng.chance(0.7) {
                events.push(Event {
                    time: end + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::PowerRestore { meter: c },
                });
            }
        }
        budget -= (below.len() as f64 * 1.35) as i64 + 1;
    }
    events.sort_by_key(|e| e.time);
    events
}
