//! Calls located by place: the nearest service point to a caller who gives where they
//! are (an address geocoded into the model's coordinates) rather than a meter number,
//! through an R*-tree of the model's service points.
//!
//! A service point is a bus with customers on it. Coordinates are the model's own
//! ([`Bus::position`](crate::network::Bus::position)): planar in the model's unit (feet
//! for the IEEE feeders), or whatever projection the utility's GIS exported. Distances
//! are Euclidean in that unit, so the caller's place must be projected as the model's
//! coordinates were; with raw longitude and latitude in degrees nearness is only
//! approximate (a degree of longitude shrinks with the cosine of the latitude).

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::ids::{BusId, CustomerId};
use crate::network::Network;

/// The service point found for a place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServicePoint {
    /// The bus the customers are served from.
    pub bus: BusId,
    /// Its position, in the model's coordinates.
    pub position: [f64; 2],
    /// Its distance from the place, in the model's unit.
    pub distance: f64,
}

/// A spatial index of service points, built once per network and asked per call.
///
/// ```
/// use outage_locator::evidence::{CallDetail, Evidence, ServiceLocator};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = outage_locator::import_opendss(path).unwrap();
/// let locator = ServiceLocator::new(&net);
/// // A caller standing near the first customer's bus, in the model's feet.
/// let bus = net.customers()[0].bus;
/// let [x, y] = net.bus(bus).position.unwrap();
/// let found = locator.nearest([x + 0.3, y - 0.4]).unwrap();
/// assert_eq!(found.bus, bus);
/// assert!(found.distance < 1.0);
/// let customer = locator.caller(&net, [x + 0.3, y - 0.4]).unwrap();
/// let call = Evidence::Call { customer, detail: CallDetail::NoPower };
/// # let _ = call;
/// ```
#[derive(Debug, Clone)]
pub struct ServiceLocator {
    tree: RTree<GeomWithData<[f64; 2], BusId>>,
    without_position: usize,
}

impl ServiceLocator {
    /// Indexes the network's service points that have a position; those without one
    /// are counted in [`ServiceLocator::without_position`].
    ///
    /// # Complexity
    /// O(b + n log n) for b buses, n of them service points with a position (a bulk
    /// load).
    pub fn new(net: &Network) -> ServiceLocator {
        let (mut points, mut without_position) = (Vec::new(), 0);
        for (i, bus) in net.buses().iter().enumerate() {
            let id = BusId(i as u32);
            if net.customers_at(id).is_empty() {
                continue;
            }
            match bus.position {
                Some(p) if p.iter().all(|c| c.is_finite()) => points.push((id, p)),
                _ => without_position += 1,
            }
        }
        let mut locator = ServiceLocator::from_points(points);
        locator.without_position = without_position;
        locator
    }

    /// Indexes service points given directly, e.g. premises geocoded apart from the
    /// model; points with a coordinate that is not finite are counted as without a
    /// position.
    ///
    /// # Complexity
    /// O(n log n) for n points.
    pub fn from_points(points: impl IntoIterator<Item = (BusId, [f64; 2])>) -> ServiceLocator {
        let mut without_position = 0;
        let items: Vec<_> = points
            .into_iter()
            .filter(|(_, p)| {
                let ok = p.iter().all(|c| c.is_finite());
                without_position += usize::from(!ok);
                ok
            })
            .map(|(bus, p)| GeomWithData::new(p, bus))
            .collect();
        ServiceLocator {
            tree: RTree::bulk_load(items),
            without_position,
        }
    }

    /// Service points indexed.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether no service point is indexed (the model has no coordinates).
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Service points left out for want of a position.
    pub fn without_position(&self) -> usize {
        self.without_position
    }

    /// The service point nearest `place`; of points at the same distance, the one with
    /// the lowest bus id. `None` when nothing is indexed or `place` is not finite.
    ///
    /// # Complexity
    /// O(log n) expected for n service points.
    pub fn nearest(&self, place: [f64; 2]) -> Option<ServicePoint> {
        if !place.iter().all(|c| c.is_finite()) {
            return None;
        }
        let best = self
            .tree
            .nearest_neighbors(&place)
            .into_iter()
            .min_by_key(|p| p.data)?;
        Some(point(best, place))
    }

    /// The service points within `radius` of `place`, nearest first (equal distances by
    /// bus id). Empty when `place` or `radius` is not finite.
    ///
    /// # Complexity
    /// O(log n + k log k) expected for k points found.
    pub fn within(&self, place: [f64; 2], radius: f64) -> Vec<ServicePoint> {
        if !place.iter().all(|c| c.is_finite()) || !radius.is_finite() {
            return Vec::new();
        }
        let mut found: Vec<ServicePoint> = self
            .tree
            .locate_within_distance(place, radius * radius)
            .map(|p| point(p, place))
            .collect();
        found.sort_by(|a, b| a.distance.total_cmp(&b.distance).then(a.bus.cmp(&b.bus)));
        found
    }

    /// The customer a call from `place` is taken from: the first customer of the
    /// nearest service point, whose supply the caller reports on.
    ///
    /// # Panics
    /// When the locator was built from another network whose buses `net` lacks.
    pub fn caller(&self, net: &Network, place: [f64; 2]) -> Option<CustomerId> {
        let found = self.nearest(place)?;
        net.customers_at(found.bus).first().copied()
    }
}

/// A found point with its distance from the place.
fn point(p: &GeomWithData<[f64; 2], BusId>, place: [f64; 2]) -> ServicePoint {
    let position = *p.geom();
    ServicePoint {
        bus: p.data,
        position,
        distance: (position[0] - place[0]).hypot(position[1] - place[1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn brute(points: &[(BusId, [f64; 2])], place: [f64; 2]) -> (BusId, f64) {
        let d = |p: [f64; 2]| (p[0] - place[0]).hypot(p[1] - place[1]);
        points
            .iter()
            .map(|&(b, p)| (b, d(p)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .expect("points")
    }

    fn random_points(rng: &mut SplitMix64, n: usize, grid: bool) -> Vec<(BusId, [f64; 2])> {
        (0..n)
            .map(|i| {
                let (x, y) = (rng.unit() * 1000.0, rng.unit() * 1000.0);
                // On a coarse grid many points share a place: ties by bus id.
                let p = if grid { [x.round(), y.round()] } else { [x, y] };
                (BusId(i as u32), p)
            })
            .collect()
    }

    #[test]
    fn nearest_agrees_with_brute_force_on_random_points() {
        let mut rng = SplitMix64::new(19);
        for (n, grid) in [(1, false), (7, false), (1000, false), (5000, true)] {
            let points = random_points(&mut rng, n, grid);
            let locator = ServiceLocator::from_points(points.clone());
            assert_eq!(locator.len(), n);
            for _ in 0..500 {
                let place = [rng.unit() * 1200.0 - 100.0, rng.unit() * 1200.0 - 100.0];
                let place = if grid { place.map(f64::round) } else { place };
                let found = locator.nearest(place).expect("points");
                let (bus, d) = brute(&points, place);
                assert_eq!((found.bus, found.distance), (bus, d), "{place:?}");
            }
        }
    }

    #[test]
    fn within_agrees_with_brute_force() {
        let mut rng = SplitMix64::new(7);
        let points = random_points(&mut rng, 2000, true);
        let locator = ServiceLocator::from_points(points.clone());
        for _ in 0..100 {
            let place = [rng.unit() * 1000.0, rng.unit() * 1000.0];
            let r = rng.unit() * 60.0;
            let got: Vec<BusId> = locator.within(place, r).iter().map(|p| p.bus).collect();
            let mut want: Vec<(f64, BusId)> = points
                .iter()
                .map(|&(b, p)| ((p[0] - place[0]).hypot(p[1] - place[1]), b))
                .filter(|&(d, _)| d <= r)
                .collect();
            want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(got, want.iter().map(|w| w.1).collect::<Vec<_>>());
        }
    }

    #[test]
    fn places_and_points_that_are_not_finite_are_left_out() {
        let locator = ServiceLocator::from_points([
            (BusId(0), [0.0, 0.0]),
            (BusId(1), [f64::NAN, 1.0]),
            (BusId(2), [f64::INFINITY, 1.0]),
        ]);
        assert_eq!((locator.len(), locator.without_position()), (1, 2));
        assert_eq!(locator.nearest([f64::NAN, 0.0]), None);
        assert!(locator.within([0.0, 0.0], f64::NAN).is_empty());
        assert_eq!(ServiceLocator::from_points([]).nearest([0.0, 0.0]), None);
    }

    #[test]
    fn a_model_indexes_its_service_points_and_a_call_finds_its_customer() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/ieee123/eval_master.dss"
        );
        let (net, _) = crate::network::import_opendss(path).expect("the fixture");
        let locator = ServiceLocator::new(&net);
        assert!(!locator.is_empty());
        for c in net.customers().iter().step_by(7) {
            let [x, y] = net
                .bus(c.bus)
                .position
                .expect("the fixture has coordinates");
            let found = locator.nearest([x, y]).expect("indexed");
            assert_eq!(found.distance, 0.0);
            let caller = locator.caller(&net, [x, y]).expect("a customer");
            assert_eq!(net.customer(caller).bus, found.bus);
        }
    }
}
