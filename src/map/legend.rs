//! The legend: a row per symbol the map uses, then the totals, in a frame at the
//! right of the map.

use std::fmt::Write as _;

use crate::service::Priority;

use super::layers::{OrderCounts, priority_colour};
use super::{BREACH_COLOUR, FAULT_COLOURS, LEGEND_W, PLANNED_COLOUR, WARN_COLOUR, escape};

/// The totals the legend ends with.
pub(super) struct Totals {
    pub(super) open_faults: u32,
    pub(super) open_planned: u32,
    pub(super) off_customers: u32,
    pub(super) orders: OrderCounts,
}

/// A legend row's symbol, drawn around (x, y) of the row.
enum Symbol {
    /// A section: colour, stroke width, dash attribute, opacity.
    Line(&'static str, f64, &'static str, f64),
    /// The first fault colours side by side.
    Swatches,
    /// An outage device's mark.
    OutageMark,
    /// Customers on, off and critical.
    CustomerDots,
    /// A work order's mark: fill, stroke, stroke width.
    Square(&'static str, &'static str, f64),
    /// A crew's mark: fill.
    Crew(&'static str),
}

/// The rows, top to bottom.
fn rows() -> Vec<(Symbol, &'static str)> {
    const DASHED: &str = r#" stroke-dasharray="10 6""#;
    const TIE: &str = r#" stroke-dasharray="3 3""#;
    let mut rows = vec![
        (Symbol::Line("#6b7280", 1.4, "", 1.0), "energized section"),
        (
            Symbol::Line("#777777", 9.0, DASHED, 0.45),
            "fault outage, predicted (dashed)",
        ),
        (
            Symbol::Line("#777777", 9.0, "", 0.45),
            "fault outage, confirmed (solid)",
        ),
        (Symbol::Swatches, "one colour per fault outage"),
        (
            Symbol::Line(PLANNED_COLOUR, 9.0, "", 0.45),
            "planned / load shedding",
        ),
        (Symbol::Line("#6b7280", 1.4, TIE, 1.0), "normally open tie"),
        (Symbol::OutageMark, "out device (outage id)"),
        (Symbol::CustomerDots, "customer: on / off / critical ring"),
    ];
    for (p, text) in [
        (Priority::Emergency, "work order: emergency"),
        (Priority::High, "work order: high"),
        (Priority::Medium, "work order: medium"),
        (Priority::Low, "work order: low"),
    ] {
        rows.push((Symbol::Square(priority_colour(p), "#222", 1.2), text));
    }
    rows.extend([
        (
            Symbol::Square("#fff", WARN_COLOUR, 3.0),
            "order about to breach a limit",
        ),
        (
            Symbol::Square("#fff", BREACH_COLOUR, 3.0),
            "order past a limit (breached)",
        ),
        (Symbol::Crew("#2e7d32"), "crew available"),
        (Symbol::Crew("#1565c0"), "crew on an order (dashed: trip)"),
        (Symbol::Crew("#9e9e9e"), "crew off duty"),
    ]);
    rows
}

impl Symbol {
    /// The symbol's SVG, its row at `y`, the legend's left edge at `lx`.
    fn svg(&self, lx: f64, y: f64) -> String {
        match *self {
            Symbol::Line(colour, width, dash, opacity) => format!(
                r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}"{dash}/>"#,
                lx,
                lx + 30.0
            ),
            Symbol::Swatches => (0..4)
                .map(|i| {
                    format!(
                        r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="{}" fill-opacity="0.7"/>"#,
                        lx + i as f64 * 8.0,
                        y - 3.5,
                        FAULT_COLOURS[i]
                    )
                })
                .collect::<String>(),
            Symbol::OutageMark => format!(
                r#"<path d="M{:.1},{:.1} l-8,15 l16,0 Z" fill="white" stroke="{}" stroke-width="2.5"/>"#,
                lx + 15.0,
                y - 9.0,
                FAULT_COLOURS[0]
            ),
            Symbol::CustomerDots => format!(
                r##"<circle cx="{:.1}" cy="{y:.1}" r="3" fill="#2e7d32"/><circle cx="{:.1}" cy="{y:.1}" r="3" fill="{}"/><circle cx="{:.1}" cy="{y:.1}" r="3" fill="#fff" stroke="#000" stroke-width="1.2"/>"##,
                lx + 5.0,
                lx + 15.0,
                FAULT_COLOURS[0],
                lx + 25.0
            ),
            Symbol::Square(fill, stroke, sw) => format!(
                r#"<rect x="{:.1}" y="{:.1}" width="14" height="14" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
                lx + 8.0,
                y - 7.0
            ),
            Symbol::Crew(fill) => format!(
                r##"<circle cx="{:.1}" cy="{y:.1}" r="8" fill="{fill}" stroke="#fff"/>"##,
                lx + 15.0
            ),
        }
    }
}

/// Draws the legend at the right of a map `w` pixels wide.
pub(super) fn legend(svg: &mut String, w: f64, totals: &Totals) {
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
    for (symbol, text) in rows() {
        ly += 24.0;
        let _ = writeln!(svg, "{}", symbol.svg(lx, ly));
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#222">{}</text>"##,
            lx + 40.0,
            ly + 4.0,
            escape(text)
        );
    }
    ly += 40.0;
    let o = totals.orders;
    for line in [
        format!("Open fault outages: {}", totals.open_faults),
        format!("Open planned outages: {}", totals.open_planned),
        format!("Customers off: {}", totals.off_customers),
        format!("Open work orders: {}", o.open),
        format!("  about to breach: {}", o.warning),
        format!("  breached: {}", o.breached),
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
}
