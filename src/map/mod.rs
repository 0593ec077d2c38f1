//! The command centre's picture: the state of a [`CommandCentre`] at its clock as an
//! SVG map, drawn from the model's bus coordinates.
//!
//! De-energized sections are shaded by outage (one colour per fault outage, dashed while
//! predicted, solid once confirmed; planned outages in blue), outage devices marked with
//! their outage id, open work orders marked by priority with a ring when a time limit
//! is about to breach or has breached, crews marked where they are (on the line to
//! their site while en route), with a legend and the time.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::ids::{BusId, OutageDeviceId};
use crate::inference::{OutageCause, OutageStatus};
use crate::service::centre::CommandCentre;
use crate::service::crews::CrewId;
use crate::service::tickets::{CrewState, LimitState, OrderState, Priority, device_position};

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

const FAULT_COLOURS: [&str; 8] = [
    "#d62728", "#ff7f0e", "#9467bd", "#e377c2", "#8c564b", "#bcbd22", "#17becf", "#7f0000",
];
const PLANNED_COLOUR: &str = "#1f77b4";
const WARN_COLOUR: &str = "#ff9800";
const BREACH_COLOUR: &str = "#e00000";
const LEGEND_W: f64 = 300.0;
const MARGIN: f64 = 30.0;

fn priority_colour(p: Priority) -> &'static str {
    match p {
        Priority::Emergency => "#b00020",
        Priority::High => "#f57c00",
        Priority::Medium => "#fbc02d",
        Priority::Low => "#7cb342",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Greedy label placement: a label that would overlap one already placed moves down
/// (then up) a line at a time.
#[derive(Default)]
struct Labels {
    boxes: Vec<[f64; 4]>,
}

impl Labels {
    /// The y at which a label of `chars` characters at (x, y) goes.
    fn place(&mut self, x: f64, y: f64, chars: usize, char_w: f64) -> f64 {
        let w = chars as f64 * char_w;
        let h = 12.0;
        let free = |yy: f64, boxes: &[[f64; 4]]| {
            boxes
                .iter()
                .all(|b| x + w <= b[0] || b[2] <= x || yy <= b[1] || b[3] <= yy - h)
        };
        let mut chosen = y;
        for k in [0.0, 1.0, -1.0, 2.0, -2.0, 3.0] {
            let yy = y + k * (h + 1.0);
            if free(yy, &self.boxes) {
                chosen = yy;
                break;
            }
        }
        self.boxes.push([x, chosen - h, x + w, chosen]);
        chosen
    }
}

/// An open outage as drawn.
#[derive(Clone, Copy)]
struct Shade {
    colour: &'static str,
    dashed: bool,
}

/// Renders the state of a command centre at its clock as an SVG document.
///
/// ```
/// use outage_locator::*;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let centre = CommandCentre::new(&net, EngineOptions::default(), CommandCentreOptions::default()).unwrap();
/// let svg = render_svg(&centre, &MapOptions::default());
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("Legend"));
/// ```
///
/// # Complexity
/// O(buses × depth + elements + customers + orders + crews).
pub fn render_svg(centre: &CommandCentre<'_>, opts: &MapOptions) -> String {
    let engine = centre.engine();
    let net = engine.network();
    let view = engine.view();
    let orders = centre.orders();
    let now = engine.clock();
    let limits = orders.limits();
    let (w, h) = (opts.width as f64, opts.height as f64);

    // The frame: the positioned buses scaled into the map area, y up.
    let pts: Vec<[f64; 2]> = net.buses().iter().filter_map(|b| b.position).collect();
    let mut svg = String::with_capacity(64 * 1024);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif">"#
    );
    let _ = writeln!(svg, r##"<rect width="{w}" height="{h}" fill="#fbfbf8"/>"##);
    let (minx, maxx, miny, maxy) = pts.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), p| (a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])),
    );
    let map_w = (w - LEGEND_W - 2.0 * MARGIN).max(10.0);
    let map_h = (h - 2.0 * MARGIN - 30.0).max(10.0);
    let scale = if pts.is_empty() {
        1.0
    } else {
        (map_w / (maxx - minx).max(1e-9)).min(map_h / (maxy - miny).max(1e-9))
    };
    let ox = MARGIN + (map_w - (maxx - minx) * scale) / 2.0;
    let oy = MARGIN + 30.0 + (map_h - (maxy - miny) * scale) / 2.0;
    let tx =
        |p: [f64; 2]| -> (f64, f64) { (ox + (p[0] - minx) * scale, oy + (maxy - p[1]) * scale) };

    // Open outages: their shade, and the device -> outage lookup.
    let mut shade_of: HashMap<OutageDeviceId, (Shade, u32)> = HashMap::new();
    let mut fault_i = 0usize;
    let mut open_faults = 0;
    let mut open_planned = 0;
    for o in engine.open_outages() {
        let shade = match o.cause {
            OutageCause::Fault => {
                open_faults += 1;
                let c = FAULT_COLOURS[fault_i % FAULT_COLOURS.len()];
                fault_i += 1;
                Shade {
                    colour: c,
                    dashed: o.status == OutageStatus::Predicted,
                }
            }
            OutageCause::Planned => {
                open_planned += 1;
                Shade {
                    colour: PLANNED_COLOUR,
                    dashed: false,
                }
            }
            OutageCause::Disconnect => Shade {
                colour: "#555555",
                dashed: false,
            },
        };
        shade_of.insert(o.device, (shade, o.id.0));
    }
    // The innermost open outage holding a device off.
    let covering = |d: OutageDeviceId| -> Option<Shade> {
        view.upstream(d).find_map(|u| shade_of.get(&u).map(|s| s.0))
    };
    let bus_shade: Vec<Option<Shade>> = (0..net.buses().len())
        .map(|i| {
            view.device_above_bus(BusId(i as u32)).and_then(|d| {
                if shade_of.is_empty() {
                    None
                } else {
                    covering(d)
                }
            })
        })
        .collect();

    // Sections: shaded underlay for de-energized ones, then every section.
    let mut under = String::new();
    let mut lines = String::new();
    for e in net.elements() {
        let (Some(a), Some(b)) = (net.bus(e.from).position, net.bus(e.to).position) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (tx(a), tx(b));
        if (x1 - x2).abs() + (y1 - y2).abs() < 0.01 {
            continue;
        }
        let dead = match (bus_shade[e.from.index()], bus_shade[e.to.index()]) {
            (Some(s), Some(_)) => Some(s),
            _ => None,
        };
        let dash = if e.normally_open {
            r#" stroke-dasharray="3 3""#
        } else {
            ""
        };
        match dead {
            Some(s) => {
                let d = if s.dashed {
                    r#" stroke-dasharray="10 6""#
                } else {
                    ""
                };
                let _ = writeln!(
                    under,
                    r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-width="9" stroke-opacity="0.45" stroke-linecap="butt"{d}/>"#,
                    s.colour
                );
                let _ = writeln!(
                    lines,
                    r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-width="2"{dash}/>"#,
                    s.colour
                );
            }
            None => {
                let _ = writeln!(
                    lines,
                    r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#6b7280" stroke-width="1.4"{dash}/>"##
                );
            }
        }
    }
    svg.push_str("<g id=\"deenergized\">\n");
    svg.push_str(&under);
    svg.push_str("</g>\n<g id=\"network\">\n");
    svg.push_str(&lines);
    svg.push_str("</g>\n");

    // Customers.
    let mut off_customers = 0u32;
    if opts.customers {
        svg.push_str("<g id=\"customers\">\n");
        for (i, c) in net.customers().iter().enumerate() {
            let Some(p) = net.bus(c.bus).position else {
                continue;
            };
            let (x, y) = tx(p);
            let s = if shade_of.is_empty() {
                None
            } else {
                covering(OutageDeviceId(i as u32))
            };
            let (fill, r) = match s {
                Some(s) => {
                    off_customers += 1;
                    (s.colour, 3.2)
                }
                None => ("#2e7d32", 2.2),
            };
            let ring = if c.critical {
                r##" stroke="#000" stroke-width="1.2""##
            } else {
                ""
            };
            let _ = writeln!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}"{ring}/>"#
            );
        }
        svg.push_str("</g>\n");
    }

    // Outage devices. Labels keep clear of each other and of the crews' marks.
    let mut labels = Labels::default();
    let crew_marks: Vec<(CrewId, f64, f64, CrewState)> = orders
        .crews()
        .filter_map(|(id, _)| {
            let (x, y) = tx(orders.crew_position(id, now)?);
            let state = orders.crew_state(id);
            // A crew at its site stands left of the order's mark, off the device's.
            let (x, y) = match state {
                CrewState::Assigned { state, .. } if state >= OrderState::OnSite => {
                    (x - 20.0, y + 15.0)
                }
                _ => (x, y),
            };
            Some((id, x, y, state))
        })
        .collect();
    for &(_, x, y, _) in &crew_marks {
        labels.boxes.push([x - 10.0, y - 10.0, x + 10.0, y + 10.0]);
    }
    svg.push_str("<g id=\"outages\">\n");
    for o in engine.open_outages() {
        if o.cause == OutageCause::Disconnect {
            continue;
        }
        let Some(p) = device_position(net, view, o.device) else {
            continue;
        };
        let (x, y) = tx(p);
        let (s, _) = shade_of[&o.device];
        let dash = if s.dashed {
            r#" stroke-dasharray="3 2""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<path d="M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="white" stroke="{}" stroke-width="2.5"{dash}/>"#,
            x,
            y - 9.0,
            x - 8.0,
            y + 6.0,
            x + 8.0,
            y + 6.0,
            s.colour
        );
        let text = format!("{} {}", o.id, net.outage_device_name(o.device));
        let ly = labels.place(x + 10.0, y - 4.0, text.chars().count(), 7.4);
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" fill="{}" font-weight="bold" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"#,
            x + 10.0,
            ly,
            s.colour,
            escape(&text)
        );
    }
    svg.push_str("</g>\n");

    // Work orders.
    svg.push_str("<g id=\"orders\">\n");
    let mut n_orders = 0;
    let mut n_warn = 0;
    let mut n_breach = 0;
    for o in orders.open_orders() {
        n_orders += 1;
        let Some(p) = o.position else { continue };
        let (x, y) = tx(p);
        let alarm = o
            .limits(limits, now)
            .iter()
            .filter(|l| l.met_at.is_none())
            .map(|l| l.state)
            .max();
        // An alarm ring around the mark, with a white gap so that it reads on any fill.
        let ring = match alarm {
            Some(LimitState::Overdue) => {
                n_breach += 1;
                Some(BREACH_COLOUR)
            }
            Some(LimitState::Warning) => {
                n_warn += 1;
                Some(WARN_COLOUR)
            }
            _ => None,
        };
        if let Some(ring) = ring {
            let _ = writeln!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="22" height="22" rx="3" fill="white" stroke="{ring}" stroke-width="3"/>"#,
                x - 11.0,
                y + 4.0
            );
        }
        let _ = writeln!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="14" height="14" fill="{}" stroke="#222" stroke-width="1.2"/>"##,
            x - 7.0,
            y + 8.0,
            priority_colour(o.priority)
        );
        let mut text = format!("{} {}", o.id, o.state.as_str().replace('_', " "));
        if ring.is_some() {
            text.push_str(if alarm == Some(LimitState::Overdue) {
                " — BREACHED"
            } else {
                " — due soon"
            });
        }
        let ly = labels.place(x + 12.0, y + 19.0, text.chars().count(), 6.6);
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="{}" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"##,
            x + 12.0,
            ly,
            ring.unwrap_or("#111"),
            escape(&text)
        );
    }
    svg.push_str("</g>\n");

    // Crews.
    svg.push_str("<g id=\"crews\">\n");
    for &(id, x, y, state) in &crew_marks {
        let Some(crew) = orders.crew(id) else {
            continue;
        };
        let fill = match state {
            CrewState::Available => "#2e7d32",
            CrewState::Assigned { .. } => "#1565c0",
            CrewState::OffDuty => "#9e9e9e",
        };
        if let CrewState::Assigned { order, state } = state
            && matches!(state, OrderState::Dispatched | OrderState::EnRoute)
            && let Some(site) = orders.order(order).position
        {
            let (sx, sy) = tx(site);
            let _ = writeln!(
                svg,
                r##"<line x1="{x:.1}" y1="{y:.1}" x2="{sx:.1}" y2="{sy:.1}" stroke="#1565c0" stroke-width="1.5" stroke-dasharray="5 4"/>"##
            );
        }
        let _ = writeln!(
            svg,
            r##"<g><title>{} ({})</title><circle cx="{x:.1}" cy="{y:.1}" r="9" fill="{fill}" stroke="#fff" stroke-width="1.5"/><text x="{x:.1}" y="{:.1}" font-size="9" fill="#fff" text-anchor="middle" font-weight="bold">{}</text></g>"##,
            escape(&crew.name),
            escape(&crew.department),
            y + 3.0,
            id
        );
    }
    svg.push_str("</g>\n");

    // Title and time.
    let _ = writeln!(
        svg,
        r##"<text x="{MARGIN}" y="28" font-size="20" font-weight="bold" fill="#111">{} — {}</text>"##,
        escape(&opts.title),
        now
    );

    // Legend.
    let lx = w - LEGEND_W + 10.0;
    let mut ly = 50.0;
    // The legend's frame goes in once its height is known.
    let frame_at = svg.len();
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" font-size="15" font-weight="bold" fill="#111">Legend</text>"##,
        lx,
        ly + 12.0
    );
    ly += 8.0;
    // Each row: a symbol drawn around (lx, y) and its text.
    let mut row = |svg: &mut String, sym: &dyn Fn(f64) -> String, text: &str| {
        ly += 24.0;
        let _ = writeln!(svg, "{}", sym(ly));
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#222">{}</text>"##,
            lx + 40.0,
            ly + 4.0,
            escape(text)
        );
    };
    let line = |colour: &'static str, width: f64, dash: &'static str, opacity: f64| {
        move |y: f64| {
            format!(
                r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}"{dash}/>"#,
                lx,
                lx + 30.0
            )
        }
    };
    row(
        &mut svg,
        &line("#6b7280", 1.4, "", 1.0),
        "energized section",
    );
    row(
        &mut svg,
        &line("#777777", 9.0, r#" stroke-dasharray="10 6""#, 0.45),
        "fault outage, predicted (dashed)",
    );
    row(
        &mut svg,
        &line("#777777", 9.0, "", 0.45),
        "fault outage, confirmed (solid)",
    );
    row(
        &mut svg,
        &|y| {
            (0..4)
                .map(|i| {
                    format!(
                        r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="{}" fill-opacity="0.7"/>"#,
                        lx + i as f64 * 8.0,
                        y - 3.5,
                        FAULT_COLOURS[i]
                    )
                })
                .collect::<String>()
        },
        "one colour per fault outage",
    );
    row(
        &mut svg,
        &line(PLANNED_COLOUR, 9.0, "", 0.45),
        "planned / load shedding",
    );
    row(
        &mut svg,
        &line("#6b7280", 1.4, r#" stroke-dasharray="3 3""#, 1.0),
        "normally open tie",
    );
    row(
        &mut svg,
        &|y| {
            format!(
                r#"<path d="M{:.1},{:.1} l-8,15 l16,0 Z" fill="white" stroke="{}" stroke-width="2.5"/>"#,
                lx + 15.0,
                y - 9.0,
                FAULT_COLOURS[0]
            )
        },
        "out device (outage id)",
    );
    row(
        &mut svg,
        &|y| {
            format!(
                r##"<circle cx="{:.1}" cy="{y:.1}" r="3" fill="#2e7d32"/><circle cx="{:.1}" cy="{y:.1}" r="3" fill="{}"/><circle cx="{:.1}" cy="{y:.1}" r="3" fill="#fff" stroke="#000" stroke-width="1.2"/>"##,
                lx + 5.0,
                lx + 15.0,
                FAULT_COLOURS[0],
                lx + 25.0
            )
        },
        "customer: on / off / critical ring",
    );
    let square = |fill: &'static str, stroke: &'static str, sw: f64| {
        move |y: f64| {
            format!(
                r#"<rect x="{:.1}" y="{:.1}" width="14" height="14" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
                lx + 8.0,
                y - 7.0
            )
        }
    };
    for (p, text) in [
        (Priority::Emergency, "work order: emergency"),
        (Priority::High, "work order: high"),
        (Priority::Medium, "work order: medium"),
        (Priority::Low, "work order: low"),
    ] {
        row(&mut svg, &square(priority_colour(p), "#222", 1.2), text);
    }
    row(
        &mut svg,
        &square("#fff", WARN_COLOUR, 3.0),
        "order about to breach a limit",
    );
    row(
        &mut svg,
        &square("#fff", BREACH_COLOUR, 3.0),
        "order past a limit (breached)",
    );
    for (fill, text) in [
        ("#2e7d32", "crew available"),
        ("#1565c0", "crew on an order (dashed: trip)"),
        ("#9e9e9e", "crew off duty"),
    ] {
        row(
            &mut svg,
            &move |y| {
                format!(
                    r##"<circle cx="{:.1}" cy="{y:.1}" r="8" fill="{fill}" stroke="#fff"/>"##,
                    lx + 15.0
                )
            },
            text,
        );
    }
    ly += 40.0;
    for line in [
        format!("Open fault outages: {open_faults}"),
        format!("Open planned outages: {open_planned}"),
        format!("Customers off: {off_customers}"),
        format!("Open work orders: {n_orders}"),
        format!("  about to breach: {n_warn}"),
        format!("  breached: {n_breach}"),
    ] {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" fill="#111">{}</text>"##,
            lx,
            ly,
            escape(&line)
        );
        ly += 20.0;
    }
    let frame = format!(
        r##"<rect x="{:.1}" y="40" width="{:.1}" height="{:.1}" fill="white" stroke="#999" rx="6"/>
"##,
        lx - 5.0,
        LEGEND_W - 20.0,
        ly - 40.0
    );
    svg.insert_str(frame_at, &frame);
    svg.push_str("</svg>\n");
    svg
}
