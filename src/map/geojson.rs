//! The command centre's state as GeoJSON (RFC 7946): open outages, the service points
//! they hold off, open work orders and crews, as one `FeatureCollection` that QGIS or
//! a web map opens.
//!
//! Every feature has a `kind` property to style or filter by:
//!
//! | `kind` | geometry | properties |
//! | --- | --- | --- |
//! | `outage` | Point: the outage device | `id`, `device`, `cause`, `status`, `customers`, `start`, `confidence` |
//! | `outage_area` | MultiPoint: the service points it holds off | `id`, `customers` |
//! | `work_order` | Point: the site | `id`, `outage`, `device`, `priority`, `state`, `customers`, `crew`, `alarm` |
//! | `crew` | Point: where the crew is now | `id`, `name`, `department`, `state`, `order` |
//! | `crew_route` | LineString: a crew on its way, to its site | `id`, `order` |
//!
//! Coordinates: RFC 7946 asks for longitude and latitude (WGS 84), while distribution
//! models mostly carry planar coordinates in their own unit (the IEEE feeders: feet,
//! from an arbitrary origin). [`Coordinates::Model`] writes the model's numbers as they
//! are, without a `crs` member (RFC 7946 has none): a GIS shows them where the layer's
//! coordinate system is set to the model's projection. [`Coordinates::Anchored`] places
//! the model's plane at a longitude and latitude (an equirectangular approximation,
//! within about 0.1 % over a feeder's few kilometres), for web maps that need degrees.
//! Anything without a position in the model is left out.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::inference::OutageCause;
use crate::service::{CrewState, LimitState, OrderState, device_position};
use crate::{CommandCentre, OutageDeviceId};

/// How the model's coordinates are written.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Coordinates {
    /// As they are in the model (planar, in the model's unit, or degrees if the model
    /// has them).
    #[default]
    Model,
    /// The model's plane placed on the globe: its origin at `lon`, `lat` (degrees),
    /// x east and y north, `metres_per_unit` metres a unit.
    Anchored {
        /// The longitude of the model's origin, degrees.
        lon: f64,
        /// The latitude of the model's origin, degrees.
        lat: f64,
        /// Metres per model unit (0.3048 for feet).
        metres_per_unit: f64,
    },
}

/// The mean radius of the Earth, metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl Coordinates {
    /// A model position as a GeoJSON position.
    pub fn position(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        match *self {
            Coordinates::Model => [x, y],
            Coordinates::Anchored {
                lon,
                lat,
                metres_per_unit,
            } => {
                let (east, north) = (x * metres_per_unit, y * metres_per_unit);
                let dlat = (north / EARTH_RADIUS_M).to_degrees();
                let dlon = (east / (EARTH_RADIUS_M * lat.to_radians().cos())).to_degrees();
                [lon + dlon, lat + dlat]
            }
        }
    }
}

/// The state of a command centre at its clock as a GeoJSON `FeatureCollection`.
///
/// ```
/// use std::sync::Arc;
/// use outage_locator::*;
/// use outage_locator::map::{Coordinates, render_geojson};
/// use outage_locator::service::CommandCentreOptions;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let net = Arc::new(import_opendss(path).unwrap().0);
/// let centre = CommandCentre::new(Arc::clone(&net), EngineOptions::default(), CommandCentreOptions::default()).unwrap();
/// let map = render_geojson(&centre, Coordinates::Model);
/// assert_eq!(map["type"], "FeatureCollection");
/// let text = serde_json::to_string(&map).unwrap();
/// # let _ = text;
/// ```
///
/// # Complexity
/// O(customers × depth + orders + crews).
pub fn render_geojson(centre: &CommandCentre, coordinates: Coordinates) -> Value {
    let mut features = outages(centre, coordinates);
    features.extend(orders(centre, coordinates));
    features.extend(crews(centre, coordinates));
    json!({ "type": "FeatureCollection", "features": features })
}

/// A feature of a geometry and properties.
fn feature(geometry: Value, properties: Value) -> Value {
    json!({ "type": "Feature", "geometry": geometry, "properties": properties })
}

/// The open outages (not disconnections): a point at the device, and the service
/// points held off.
fn outages(centre: &CommandCentre, c: Coordinates) -> Vec<Value> {
    let engine = centre.engine();
    let (net, view) = (engine.network(), engine.view());
    let open: HashMap<OutageDeviceId, usize> = engine
        .open_outages()
        .filter(|o| o.cause != OutageCause::Disconnect)
        .enumerate()
        .map(|(k, o)| (o.device, k))
        .collect();
    // Per open outage, the service points it holds off (innermost outage first), each
    // bus once.
    let mut areas: Vec<Vec<[f64; 2]>> = vec![Vec::new(); open.len()];
    let mut seen = vec![false; net.buses().len()];
    if !open.is_empty() {
        for (i, customer) in net.customers().iter().enumerate() {
            let Some(p) = net.bus(customer.bus).position else {
                continue;
            };
            let covering = view
                .upstream(OutageDeviceId(i as u32))
                .find_map(|u| open.get(&u));
            if let Some(&k) = covering
                && !std::mem::replace(&mut seen[customer.bus.index()], true)
            {
                areas[k].push(c.position(p));
            }
        }
    }
    let mut features = Vec::new();
    let kept = engine
        .open_outages()
        .filter(|o| open.contains_key(&o.device));
    for (o, area) in kept.zip(areas) {
        if let Some(p) = device_position(net, view, o.device) {
            features.push(feature(
                json!({ "type": "Point", "coordinates": c.position(p) }),
                json!({
                    "kind": "outage",
                    "id": o.id.to_string(),
                    "device": net.outage_device_name(o.device),
                    "cause": o.cause.to_string(),
                    "status": o.status.to_string(),
                    "customers": o.customers,
                    "start": o.start.to_string(),
                    "confidence": o.confidence,
                }),
            ));
        }
        if !area.is_empty() {
            features.push(feature(
                json!({ "type": "MultiPoint", "coordinates": area }),
                json!({ "kind": "outage_area", "id": o.id.to_string(), "customers": o.customers }),
            ));
        }
    }
    features
}

/// The open work orders with a site.
fn orders(centre: &CommandCentre, c: Coordinates) -> Vec<Value> {
    let orders = centre.orders();
    let net = centre.network();
    let now = centre.engine().clock();
    orders
        .open_orders()
        .filter_map(|o| {
            let p = o.position?;
            let alarm = o
                .limits(orders.limits(), now)
                .iter()
                .filter(|l| l.met_at.is_none())
                .map(|l| l.state)
                .max();
            let alarm = match alarm {
                Some(LimitState::Overdue) => Some("breached"),
                Some(LimitState::Warning) => Some("due_soon"),
                _ => None,
            };
            Some(feature(
                json!({ "type": "Point", "coordinates": c.position(p) }),
                json!({
                    "kind": "work_order",
                    "id": o.id.to_string(),
                    "outage": o.outage.map(|x| x.to_string()),
                    "device": net.outage_device_name(o.device),
                    "priority": o.priority.to_string(),
                    "state": o.state.to_string(),
                    "customers": o.customers,
                    "crew": o.crew.map(|x| x.to_string()),
                    "alarm": alarm,
                }),
            ))
        })
        .collect()
}

/// The crews where they are, and the route of each crew on its way.
fn crews(centre: &CommandCentre, c: Coordinates) -> Vec<Value> {
    let orders = centre.orders();
    let now = centre.engine().clock();
    let mut features = Vec::new();
    for (id, crew) in orders.crews() {
        let Some(p) = orders.crew_position(id, now) else {
            continue;
        };
        let state = orders.crew_state(id);
        let (label, order) = match state {
            CrewState::OffDuty => ("off_duty".to_string(), None),
            CrewState::Available => ("available".to_string(), None),
            CrewState::Assigned { order, state } => (state.to_string(), Some(order)),
        };
        features.push(feature(
            json!({ "type": "Point", "coordinates": c.position(p) }),
            json!({
                "kind": "crew",
                "id": id.to_string(),
                "name": crew.name,
                "department": crew.department,
                "state": label,
                "order": order.map(|x| x.to_string()),
            }),
        ));
        if let CrewState::Assigned { order, state } = state
            && matches!(state, OrderState::Dispatched | OrderState::EnRoute)
            && let Some(site) = orders.order(order).position
        {
            features.push(feature(
                json!({ "type": "LineString", "coordinates": [c.position(p), c.position(site)] }),
                json!({ "kind": "crew_route", "id": id.to_string(), "order": order.to_string() }),
            ));
        }
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_plane_anchored_keeps_distances() {
        let c = Coordinates::Anchored {
            lon: 11.5,
            lat: 48.1,
            metres_per_unit: 0.3048,
        };
        assert_eq!(c.position([0.0, 0.0]), [11.5, 48.1]);
        // 10,000 ft north and east: 3,048 m each way.
        let [lon, lat] = c.position([10_000.0, 10_000.0]);
        let north = (lat - 48.1).to_radians() * EARTH_RADIUS_M;
        let east = (lon - 11.5).to_radians() * EARTH_RADIUS_M * 48.1f64.to_radians().cos();
        assert!((north - 3048.0).abs() < 1e-6 && (east - 3048.0).abs() < 1e-6);
        assert_eq!(Coordinates::Model.position([3.0, 4.0]), [3.0, 4.0]);
    }
}
