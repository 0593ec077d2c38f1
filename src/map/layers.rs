//! The map's layers, drawn over one another: de-energized sections shaded by the
//! outage holding them off, then the network, customers, outage devices, work orders
//! and crews.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::inference::{OutageCause, OutageStatus};
use crate::service::{CrewId, CrewState, LimitState, OrderState, Priority, device_position};
use crate::{BusId, EnergizationView, Engine, Network, OutageDeviceId, Timestamp, WorkOrders};

use super::frame::{Frame, Labels};
use super::{BREACH_COLOUR, FAULT_COLOURS, PLANNED_COLOUR, WARN_COLOUR, escape};

/// An open outage as drawn.
#[derive(Clone, Copy)]
pub(super) struct Shade {
    colour: &'static str,
    dashed: bool,
}

/// The open outages' shades, by outage device, with the outage's id; and how many
/// fault and planned outages are open.
pub(super) struct Shades {
    of: HashMap<OutageDeviceId, (Shade, u32)>,
    pub(super) open_faults: u32,
    pub(super) open_planned: u32,
}

impl Shades {
    /// The shades of the engine's open outages: one colour per fault outage in turn.
    pub(super) fn of(engine: &Engine<'_>) -> Self {
        let mut of: HashMap<OutageDeviceId, (Shade, u32)> = HashMap::new();
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
            of.insert(o.device, (shade, o.id.0));
        }
        Shades {
            of,
            open_faults,
            open_planned,
        }
    }

    /// The innermost open outage holding a device off.
    fn covering(&self, view: &EnergizationView, d: OutageDeviceId) -> Option<Shade> {
        if self.of.is_empty() {
            return None;
        }
        view.upstream(d).find_map(|u| self.of.get(&u).map(|s| s.0))
    }

    /// Per bus, the shade of the outage holding it off, if any.
    pub(super) fn per_bus(&self, net: &Network, view: &EnergizationView) -> Vec<Option<Shade>> {
        (0..net.buses().len())
            .map(|i| {
                view.device_above_bus(BusId(i as u32))
                    .and_then(|d| self.covering(view, d))
            })
            .collect()
    }
}

/// Sections: a shaded underlay for the de-energized ones, then every section.
pub(super) fn sections(
    svg: &mut String,
    net: &Network,
    frame: &Frame,
    bus_shade: &[Option<Shade>],
) {
    let mut under = String::new();
    let mut lines = String::new();
    for e in net.elements() {
        let (Some(a), Some(b)) = (net.bus(e.from).position, net.bus(e.to).position) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (frame.at(a), frame.at(b));
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
}

/// A dot per positioned customer, in its outage's colour when off, ringed when
/// critical; returns how many are off.
pub(super) fn customers(
    svg: &mut String,
    net: &Network,
    view: &EnergizationView,
    frame: &Frame,
    shades: &Shades,
) -> u32 {
    let mut off_customers = 0u32;
    svg.push_str("<g id=\"customers\">\n");
    for (i, c) in net.customers().iter().enumerate() {
        let Some(p) = net.bus(c.bus).position else {
            continue;
        };
        let (x, y) = frame.at(p);
        let (fill, r) = match shades.covering(view, OutageDeviceId(i as u32)) {
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
    off_customers
}

/// Where each crew is drawn, with its state: a crew at its site stands left of the
/// order's mark, off the device's.
pub(super) fn crew_marks(
    orders: &WorkOrders,
    frame: &Frame,
    now: Timestamp,
) -> Vec<(CrewId, f64, f64, CrewState)> {
    orders
        .crews()
        .filter_map(|(id, _)| {
            let (x, y) = frame.at(orders.crew_position(id, now)?);
            let state = orders.crew_state(id);
            let (x, y) = match state {
                CrewState::Assigned { state, .. } if state >= OrderState::OnSite => {
                    (x - 20.0, y + 15.0)
                }
                _ => (x, y),
            };
            Some((id, x, y, state))
        })
        .collect()
}

/// A mark on each open outage's device, labelled with the outage id and device name.
pub(super) fn outage_devices(
    svg: &mut String,
    engine: &Engine<'_>,
    frame: &Frame,
    shades: &Shades,
    labels: &mut Labels,
) {
    let net = engine.network();
    svg.push_str("<g id=\"outages\">\n");
    for o in engine.open_outages() {
        if o.cause == OutageCause::Disconnect {
            continue;
        }
        let Some(p) = device_position(net, engine.view(), o.device) else {
            continue;
        };
        let (x, y) = frame.at(p);
        let (s, _) = shades.of[&o.device];
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
}

/// How many work orders are open, and how many of them are about to breach a time
/// limit or have breached one.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct OrderCounts {
    pub(super) open: u32,
    pub(super) warning: u32,
    pub(super) breached: u32,
}

/// The colour of a work order's mark.
pub(super) fn priority_colour(p: Priority) -> &'static str {
    match p {
        Priority::Emergency => "#b00020",
        Priority::High => "#f57c00",
        Priority::Medium => "#fbc02d",
        Priority::Low => "#7cb342",
    }
}

/// A mark per open work order with a position, by priority, ringed when a time limit
/// is about to breach or has breached, labelled with its id and state.
pub(super) fn orders(
    svg: &mut String,
    orders: &WorkOrders,
    now: Timestamp,
    frame: &Frame,
    labels: &mut Labels,
) -> OrderCounts {
    let mut counts = OrderCounts::default();
    svg.push_str("<g id=\"orders\">\n");
    for o in orders.open_orders() {
        counts.open += 1;
        let Some(p) = o.position else { continue };
        let (x, y) = frame.at(p);
        let alarm = o
            .limits(orders.limits(), now)
            .iter()
            .filter(|l| l.met_at.is_none())
            .map(|l| l.state)
            .max();
        // An alarm ring around the mark, with a white gap so that it reads on any fill.
        let ring = match alarm {
            Some(LimitState::Overdue) => {
                counts.breached += 1;
                Some(BREACH_COLOUR)
            }
            Some(LimitState::Warning) => {
                counts.warning += 1;
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
        let mut text = format!("{} {}", o.id, o.state.to_string().replace('_', " "));
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
    counts
}

/// A mark per crew at `marks`, by state, with a dashed line to its site while it is
/// on its way.
pub(super) fn crews(
    svg: &mut String,
    orders: &WorkOrders,
    frame: &Frame,
    marks: &[(CrewId, f64, f64, CrewState)],
) {
    svg.push_str("<g id=\"crews\">\n");
    for &(id, x, y, state) in marks {
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
            let (sx, sy) = frame.at(site);
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
}
