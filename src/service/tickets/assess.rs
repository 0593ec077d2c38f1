//! What an order needs to know about a device: the customers below it, the critical
//! ones, the zone of most of them, a wire down, and where the device is on the map.

use super::source::OutageSource;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{Network, ServiceZone};
use crate::topology::EnergizationView;

/// The facts about a device an order needs.
pub(super) struct Assessment {
    /// Customers below the device.
    pub(super) customers: u32,
    /// The critical ones among them, sorted.
    pub(super) critical: Vec<CustomerId>,
    /// The zone of most of them.
    pub(super) zone: ServiceZone,
    /// Whether one of them reported a wire down.
    pub(super) wire_down: bool,
    /// Where the device is on the map.
    pub(super) position: Option<[f64; 2]>,
}

/// The zone with the most customers of per-zone counts (indexed by
/// [`ServiceZone::index`]); ties go to the stricter zone.
pub(crate) fn majority(counts: [u32; ServiceZone::ALL.len()]) -> ServiceZone {
    let mut best = 0;
    for i in 1..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    ServiceZone::ALL[best]
}

/// The zone of most customers below a device (ties to the stricter zone).
///
/// # Complexity
/// O(customers below).
pub(crate) fn majority_zone(
    net: &Network,
    view: &EnergizationView,
    d: OutageDeviceId,
) -> ServiceZone {
    let mut n = [0u32; ServiceZone::ALL.len()];
    for &c in view.customers_below(d) {
        n[net.customer_zone(c).index()] += 1;
    }
    majority(n)
}

/// What an order needs to know about a device.
///
/// # Complexity
/// O(customers below), plus sorting the critical ones.
pub(super) fn assess(engine: &dyn OutageSource, d: OutageDeviceId) -> Assessment {
    let net = engine.network();
    let view = engine.view();
    let below = view.customers_below(d);
    let mut critical = Vec::new();
    let mut n = [0u32; ServiceZone::ALL.len()];
    for &c in below {
        if net.customer_is_critical(c) {
            critical.push(c);
        }
        n[net.customer_zone(c).index()] += 1;
    }
    let wire_down = engine.wire_down_below(d);
    critical.sort_unstable();
    Assessment {
        customers: below.len() as u32,
        critical,
        zone: majority(n),
        wire_down,
        position: device_position(net, view, d),
    }
}

/// Where a device is on the map: its bus, else the nearest positioned device above it.
pub fn device_position(
    net: &Network,
    view: &EnergizationView,
    d: OutageDeviceId,
) -> Option<[f64; 2]> {
    if let Some(p) = net.bus(net.outage_device_bus(d)).position {
        return Some(p);
    }
    if let Some(e) = net.outage_device_element(d) {
        let el = net.element(e);
        if let Some(p) = net.bus(el.from).position.or(net.bus(el.to).position) {
            return Some(p);
        }
    }
    view.upstream(d)
        .skip(1)
        .find_map(|u| net.bus(net.outage_device_bus(u)).position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_takes_the_zone_of_most_customers() {
        assert_eq!(majority([1, 5, 2]), ServiceZone::Rural);
        assert_eq!(majority([0, 0, 1]), ServiceZone::Remote);
    }

    #[test]
    fn majority_ties_go_to_the_stricter_zone() {
        assert_eq!(majority([0, 0, 0]), ServiceZone::Urban);
        assert_eq!(majority([3, 3, 1]), ServiceZone::Urban);
        assert_eq!(majority([0, 2, 2]), ServiceZone::Rural);
    }
}
