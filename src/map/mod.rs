//! The command centre's picture: the state of a [`CommandCentre`] at its clock as an
//! SVG map or as GeoJSON features, drawn from the model's bus coordinates.
//!
//! De-energized sections are shaded by outage (one colour per fault outage, dashed while
//! predicted, solid once confirmed; planned outages in blue), outage devices marked with
//! their outage id, open work orders marked by priority with a ring when a time limit
//! is about to breach or has breached, crews marked where they are (on the line to
//! their site while en route), with a legend and the time.
//!
//! The rooms, in drawing order:
//!
//! - `frame`: the model's coordinates scaled into the map area, and label placement.
//! - `layers`: the shades of the open outages, then the layers drawn over one another:
//!   sections, customers, outage devices, work orders and crews.
//! - `legend`: the legend with its symbols and the totals.
//! - `geojson`: the same state as GeoJSON features for a GIS or a web map.
//! - `reliability`: a period's pictures: the daily SAIDI chart with the major-event
//!   threshold, and the period's outages and hotspots on the map.

mod frame;
mod geojson;
mod layers;
mod legend;
mod reliability;

use std::fmt::Write as _;

use crate::CommandCentre;

pub use geojson::{Coordinates, render_geojson};
pub use reliability::{DeviceOutages, daily_saidi_svg, year_map_svg};

use frame::{Frame, Labels};
use layers::Shades;
use legend::Totals;

/// What the map shows and how big it is.
#[derive(Debug, Clone, PartialEq)]
pub struct MapOptions {
    /// Width in pixels (the legend takes the right 300).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The title line.
    pub title: String,
    /// Draw a dot per customer.
    pub customers: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            width: 1400,
            height: 900,
            title: "Outage map".to_string(),
            customers: true,
        }
    }
}

/// Colours of fault outages, in the order outages are met.
const FAULT_COLOURS: [&str; 8] = [
    "#d62728", "#ff7f0e", "#9467bd", "#e377c2", "#8c564b", "#bcbd22", "#17becf", "#7f0000",
];
/// The colour of planned outages.
const PLANNED_COLOUR: &str = "#1f77b4";
/// The ring of an order about to breach a time limit.
const WARN_COLOUR: &str = "#ff9800";
/// The ring of an order past a time limit.
const BREACH_COLOUR: &str = "#e00000";
/// The legend's width, at the right.
const LEGEND_W: f64 = 300.0;
/// The margin around the map area.
const MARGIN: f64 = 30.0;

/// Escapes text for SVG.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders the state of a command centre at its clock as an SVG document.
///
/// ```
/// use std::sync::Arc;
/// use outage_locator::*;
/// use outage_locator::map::{MapOptions, render_svg};
/// use outage_locator::service::{CommandCentreOptions};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let net = Arc::new(import_opendss(path).unwrap().0);
/// let centre = CommandCentre::new(Arc::clone(&net), EngineOptions::default(), CommandCentreOptions::default()).unwrap();
/// let svg = render_svg(&centre, &MapOptions::default());
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("Legend"));
/// ```
///
/// # Complexity
/// O(buses × depth + elements + customers + orders + crews).
pub fn render_svg(centre: &CommandCentre, opts: &MapOptions) -> String {
    let engine = centre.engine();
    let net = engine.network();
    let orders = centre.orders();
    let now = engine.clock();
    let (w, h) = (opts.width as f64, opts.height as f64);
    let mut svg = String::with_capacity(64 * 1024);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif">"#
    );
    let _ = writeln!(svg, r##"<rect width="{w}" height="{h}" fill="#fbfbf8"/>"##);
    let frame = Frame::new(net, w, h);
    let shades = Shades::of(engine);
    layers::sections(&mut svg, net, &frame, &shades.per_bus(net, engine.view()));
    let off_customers = if opts.customers {
        layers::customers(&mut svg, net, engine.view(), &frame, &shades)
    } else {
        0
    };
    // Outage devices. Labels keep clear of each other and of the crews' marks.
    let mut labels = Labels::default();
    let crews = layers::crew_marks(orders, &frame, now);
    for &(_, x, y, _) in &crews {
        labels.boxes.push([x - 10.0, y - 10.0, x + 10.0, y + 10.0]);
    }
    layers::outage_devices(&mut svg, engine, &frame, &shades, &mut labels);
    let counts = layers::orders(&mut svg, orders, now, &frame, &mut labels);
    layers::crews(&mut svg, orders, &frame, &crews);

    // Title and time.
    let _ = writeln!(
        svg,
        r##"<text x="{MARGIN}" y="28" font-size="20" font-weight="bold" fill="#111">{} — {}</text>"##,
        escape(&opts.title),
        now
    );
    let totals = Totals {
        open_faults: shades.open_faults,
        open_planned: shades.open_planned,
        off_customers,
        orders: counts,
    };
    legend::legend(&mut svg, w, &totals);
    svg.push_str("</svg>\n");
    svg
}
