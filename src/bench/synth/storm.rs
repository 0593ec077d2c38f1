//! Storms for speed measurements: many random outages at every level of the device
//! tree, with their evidence, and no truth kept; and streams of meter messages at
//! storm rates.

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

/// A storm-rate stream: `messages` meter messages spread evenly over `span` (a million
/// in ten minutes is 0.6 ms apart), for measuring the engine at the rates of the worst
/// weather. Each message is from a random meter: a last gasp from a meter that has
/// power, a power restore from one that has none, and one in ten a call from the
/// customer instead; a tick every second. Nearly every message is distinct (the
/// duplicate window holds them all), so the stream is the hard case for duplicate
/// detection. O(messages), allocation-free per message.
///
/// ```
/// use outage_locator::bench::synth::storm_rate_events;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = outage_locator::import_opendss(path).unwrap();
/// let events: Vec<_> = storm_rate_events(&net, 10_000, 10 * outage_locator::MINUTE, 7).collect();
/// assert_eq!(events.len(), 10_000 + 600);
/// assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
/// ```
pub fn storm_rate_events(
    net: &Network,
    messages: usize,
    span: crate::Millis,
    seed: u64,
) -> impl Iterator<Item = Event> + '_ {
    let mut rng = SplitMix64::new(seed);
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().expect("a valid time");
    let nc = net.customers().len().max(1) as u64;
    let mut off = vec![0u64; (nc as usize).div_ceil(64)];
    let ticks = (span / 1000).max(0);
    let mut next_tick = 0i64;
    let mut i = 0usize;
    std::iter::from_fn(move || {
        let t = t0 + (i as i128 * span as i128 / messages.max(1) as i128) as i64;
        if next_tick < ticks && (i >= messages || t0 + next_tick * 1000 <= t) {
            next_tick += 1;
            return Some(Event {
                time: t0 + (next_tick - 1) * 1000,
                evidence: Evidence::Tick,
            });
        }
        if i >= messages {
            return None;
        }
        i += 1;
        let c = rng.below(nc) as usize;
        let meter = crate::ids::CustomerId(c as u32);
        let evidence = if rng.chance(0.1) {
            Evidence::Call {
                customer: meter,
                detail: CallDetail::NoPower,
            }
        } else {
            let (word, bit) = (c / 64, 1u64 << (c % 64));
            off[word] ^= bit;
            if off[word] & bit != 0 {
                Evidence::LastGasp { meter }
            } else {
                Evidence::PowerRestore { meter }
            }
        };
        Some(Event { time: t, evidence })
    })
}
