//! Weak spots: devices that failed again and again in a window, and places on the map
//! whose customers keep calling, ranked by customers affected and recency.

use std::collections::HashMap;

use geo::{Distance, Euclidean, Point};
use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::Network;
use crate::time::{MINUTE, Millis, Timestamp};

/// What makes a hotspot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HotspotOptions {
    /// Faults of one device within `window` that make it a hotspot.
    pub faults: usize,
    /// The window, for faults and calls alike.
    pub window: Millis,
    /// Calls within this distance (model units) of one another cluster.
    pub radius: f64,
    /// Distinct callers that make a cluster a hotspot.
    pub callers: usize,
    /// The age at which a hotspot's weight halves in the ranking.
    pub half_life: Millis,
}

impl Default for HotspotOptions {
    /// Three faults in 30 days; five callers within 200 units in 30 days; a weight
    /// that halves every 30 days.
    fn default() -> Self {
        HotspotOptions {
            faults: 3,
            window: 30 * 1440 * MINUTE,
            radius: 200.0,
            callers: 5,
            half_life: 30 * 1440 * MINUTE,
        }
    }
}

/// A device with repeated faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceHotspot {
    /// The device.
    pub device: OutageDeviceId,
    /// Faults in its latest full window.
    pub faults: u32,
    /// Customer interruptions of those faults.
    pub customers: u64,
    /// The window's first fault.
    pub first: Timestamp,
    /// The window's last fault.
    pub last: Timestamp,
    /// Ranking weight: customers × ½^(age / half-life).
    pub score: f64,
}

/// A cluster of calls close together on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallCluster {
    /// The callers' mean position.
    pub centre: [f64; 2],
    /// Calls in it.
    pub calls: u32,
    /// Distinct callers.
    pub customers: Vec<CustomerId>,
    /// Its first call.
    pub first: Timestamp,
    /// Its last call.
    pub last: Timestamp,
    /// Ranking weight: callers × ½^(age / half-life).
    pub score: f64,
}

/// The hotspots found, best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hotspots {
    /// Devices with repeated faults.
    pub devices: Vec<DeviceHotspot>,
    /// Clusters of calls.
    pub calls: Vec<CallCluster>,
}

fn weight(n: f64, last: Timestamp, now: Timestamp, half_life: Millis) -> f64 {
    n * 0.5f64.powf((now.0 - last.0).max(0) as f64 / half_life.max(1) as f64)
}

/// Devices with `faults` faults within a window (each fault `(device, start,
/// customers)`; the latest such window of each device is reported), and clusters of
/// calls (`(caller, time)`, for example calls no outage explained) within `radius`
/// and the window, as of `now`.
///
/// # Complexity
/// O(F log F) for F faults; O(C²) for C calls in the worst case (each call is compared
/// with the calls of the window before it).
pub fn find_hotspots(
    net: &Network,
    faults: &[(OutageDeviceId, Timestamp, u32)],
    calls: &[(CustomerId, Timestamp)],
    now: Timestamp,
    opts: &HotspotOptions,
) -> Hotspots {
    let mut by_device: HashMap<OutageDeviceId, Vec<(Timestamp, u32)>> = HashMap::new();
    for &(d, t, c) in faults {
        by_device.entry(d).or_default().push((t, c));
    }
    let mut devices: Vec<DeviceHotspot> = by_device
        .into_iter()
        .filter_map(|(device, mut v)| {
            v.sort_unstable();
            latest_window(&v, opts).map(|w| {
                let customers = w.iter().map(|x| u64::from(x.1)).sum::<u64>();
                let last = w[w.len() - 1].0;
                DeviceHotspot {
                    device,
                    faults: w.len() as u32,
                    customers,
                    first: w[0].0,
                    last,
                    score: weight(customers as f64, last, now, opts.half_life),
                }
            })
        })
        .collect();
    devices.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.device.cmp(&b.device)));
    let mut clusters = call_clusters(net, calls, opts);
    for c in &mut clusters {
        c.score = weight(c.customers.len() as f64, c.last, now, opts.half_life);
    }
    clusters.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.first.cmp(&b.first)));
    Hotspots {
        devices,
        calls: clusters,
    }
}

/// The latest run of faults (sorted by time) that fits in a window and is long enough.
fn latest_window<'a>(
    v: &'a [(Timestamp, u32)],
    opts: &HotspotOptions,
) -> Option<&'a [(Timestamp, u32)]> {
    let k = opts.faults.max(1);
    let mut found = None;
    let mut lo = 0;
    for hi in 0..v.len() {
        while v[hi].0.0 - v[lo].0.0 > opts.window {
            lo += 1;
        }
        if hi + 1 - lo >= k {
            found = Some(&v[lo..=hi]);
        }
    }
    found
}

/// Clusters of calls: a call joins the cluster of any earlier call within `radius`
/// and the window (single linkage, by a union-find); clusters with enough distinct
/// callers are kept.
fn call_clusters(
    net: &Network,
    calls: &[(CustomerId, Timestamp)],
    opts: &HotspotOptions,
) -> Vec<CallCluster> {
    let mut pts: Vec<(Timestamp, CustomerId, Point<f64>)> = calls
        .iter()
        .filter_map(|&(c, t)| Some((t, c, net.bus(net.customer(c).bus).point()?)))
        .collect();
    pts.sort_unstable_by_key(|p| (p.0, p.1));
    let mut parent: Vec<usize> = (0..pts.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut lo = 0;
    for i in 0..pts.len() {
        while pts[i].0.0 - pts[lo].0.0 > opts.window {
            lo += 1;
        }
        for j in lo..i {
            if Euclidean.distance(pts[i].2, pts[j].2) <= opts.radius {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..pts.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    let mut out: Vec<CallCluster> = groups
        .into_values()
        .filter_map(|members| {
            let mut customers: Vec<CustomerId> = members.iter().map(|&i| pts[i].1).collect();
            customers.sort_unstable();
            customers.dedup();
            if customers.len() < opts.callers {
                return None;
            }
            let n = members.len() as f64;
            let (sx, sy) = members.iter().fold((0.0, 0.0), |(x, y), &i| {
                (x + pts[i].2.x(), y + pts[i].2.y())
            });
            Some(CallCluster {
                centre: [sx / n, sy / n],
                calls: members.len() as u32,
                customers,
                first: pts[members[0]].0,
                last: pts[members[members.len() - 1]].0,
                score: 0.0,
            })
        })
        .collect();
    out.sort_by_key(|c| c.first);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 1440 * MINUTE;

    #[test]
    fn three_faults_in_thirty_days_make_a_hotspot() {
        let opts = HotspotOptions::default();
        let v = [
            (Timestamp(0), 5),
            (Timestamp(40 * DAY), 5),
            (Timestamp(50 * DAY), 7),
            (Timestamp(65 * DAY), 9),
        ];
        let w = latest_window(&v, &opts).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, Timestamp(40 * DAY));
        assert!(latest_window(&v[..2], &opts).is_none());
    }

    #[test]
    fn the_ranking_weighs_customers_by_recency() {
        let now = Timestamp(100 * DAY);
        let half = 30 * DAY;
        assert_eq!(weight(100.0, now, now, half), 100.0);
        assert!((weight(100.0, Timestamp(70 * DAY), now, half) - 50.0).abs() < 1e-9);
    }
}
