//! Crews and distances: who can be sent, where they are, and how long the trip takes.
//!
//! A crew is a record of the roster; what it is doing follows from the work order it is
//! assigned to (see [`WorkOrders::crew_state`](crate::WorkOrders::crew_state)), so the
//! two can never disagree. Distances are straight-line ("road-free"), measured with
//! `geo` in the model's coordinates ([`Geometry`]).

use geo::{Distance, Euclidean, Haversine, Point};
use serde::{Deserialize, Serialize};

use crate::time::{Millis, Timestamp};

/// A crew id (`C1`, `C2`, … as the roster numbers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CrewId(pub u32);

impl std::fmt::Display for CrewId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "C{}", self.0)
    }
}

/// A field crew of the roster.
///
/// ```
/// use outage_locator::service::Crew;
/// let crew = Crew::new("Line crew 1", "North depot", [1200.0, 800.0]);
/// assert!(crew.on_duty);
/// assert_eq!(crew.speed_kmh, 30.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crew {
    /// Display name.
    pub name: String,
    /// The department (depot, team) it belongs to; statistics are kept per department.
    pub department: String,
    /// Last known position, in the model's coordinates (`[x, y]`, or `[lon, lat]` under
    /// [`Geometry::LonLat`]).
    pub position: [f64; 2],
    /// Average travel speed over the straight-line distance.
    pub speed_kmh: f64,
    /// Whether the crew can be dispatched at all.
    pub on_duty: bool,
}

impl Crew {
    /// An on-duty crew at a position, travelling at 30 km/h.
    pub fn new(name: &str, department: &str, position: [f64; 2]) -> Self {
        Crew {
            name: name.to_string(),
            department: department.to_string(),
            position,
            speed_kmh: 30.0,
            on_duty: true,
        }
    }

    /// How long the crew takes to cover a distance.
    pub fn travel_time(&self, distance_m: f64) -> Millis {
        let speed_m_per_ms = self.speed_kmh.max(1.0) / 3_600.0;
        (distance_m / speed_m_per_ms).round() as Millis
    }
}

/// How the model's coordinates turn into metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Geometry {
    /// Planar coordinates; one unit is this many metres (0.3048 for feet, as in the
    /// IEEE test feeders' bus coordinates).
    Planar {
        /// Metres per coordinate unit.
        metres_per_unit: f64,
    },
    /// Longitude and latitude in degrees (haversine distance).
    LonLat,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry::Planar {
            metres_per_unit: 1.0,
        }
    }
}

impl Geometry {
    /// The straight-line distance between two positions, in metres.
    ///
    /// ```
    /// use outage_locator::service::Geometry;
    /// let feet = Geometry::Planar { metres_per_unit: 0.3048 };
    /// assert!((feet.distance_m([0.0, 0.0], [3.0, 4.0]) - 1.524).abs() < 1e-9);
    /// let km = Geometry::LonLat.distance_m([116.40, 39.90], [116.41, 39.90]);
    /// assert!((km - 853.0).abs() < 5.0);
    /// ```
    pub fn distance_m(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        let (pa, pb) = (Point::new(a[0], a[1]), Point::new(b[0], b[1]));
        match *self {
            Geometry::Planar { metres_per_unit } => Euclidean.distance(pa, pb) * metres_per_unit,
            Geometry::LonLat => Haversine.distance(pa, pb),
        }
    }
}

/// Where a crew travelling from `from` (left at `left`) to `to` in `travel` is at `now`:
/// on the straight line between them, at the share of the trip done.
pub(crate) fn position_on_trip(
    from: [f64; 2],
    to: [f64; 2],
    left: Timestamp,
    travel: Millis,
    now: Timestamp,
) -> [f64; 2] {
    if travel <= 0 || now.0 >= left.0 + travel {
        return to;
    }
    let f = ((now.0 - left.0).max(0) as f64) / travel as f64;
    [
        from[0] + (to[0] - from[0]) * f,
        from[1] + (to[1] - from[1]) * f,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trip_moves_in_a_straight_line() {
        let t0 = Timestamp(0);
        assert_eq!(
            position_on_trip([0.0, 0.0], [10.0, 0.0], t0, 100, Timestamp(50)),
            [5.0, 0.0]
        );
        assert_eq!(
            position_on_trip([0.0, 0.0], [10.0, 0.0], t0, 100, Timestamp(500)),
            [10.0, 0.0]
        );
        assert_eq!(
            position_on_trip([0.0, 0.0], [10.0, 0.0], t0, 100, Timestamp(-5)),
            [0.0, 0.0]
        );
    }

    #[test]
    fn travel_time_follows_speed() {
        let c = Crew::new("a", "d", [0.0, 0.0]);
        // 30 km/h: 15 km in half an hour.
        assert_eq!(c.travel_time(15_000.0), 30 * 60 * 1000);
    }
}
