//! Pictures of a period's reliability: the daily SAIDI chart with the major-event
//! threshold, and the period's outages and hotspots on the network map.

use std::fmt::Write as _;

use super::frame::Frame;
use super::{MARGIN, escape, layers};
use crate::ids::OutageDeviceId;
use crate::network::Network;
use crate::reliability::{Hotspots, MajorEvents};

/// One device's outages over the period, for [`year_map_svg`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeviceOutages {
    /// The device.
    pub device: OutageDeviceId,
    /// Sustained outages of it.
    pub outages: u32,
    /// Their customer minutes.
    pub customer_minutes: f64,
}

/// The daily SAIDI (`(day, minutes)`, log scale, one bar a day) with the major-event
/// threshold as a dashed line and the major event days in red.
///
/// # Complexity
/// O(days).
pub fn daily_saidi_svg(daily: &[(i64, f64)], med: Option<&MajorEvents>, title: &str) -> String {
    let (w, h) = (1200.0, 420.0);
    let (left, right, top, bottom) = (70.0, 20.0, 50.0, 50.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let pos: Vec<f64> = daily.iter().map(|d| d.1).filter(|&v| v > 0.0).collect();
    let lo = pos
        .iter()
        .copied()
        .fold(f64::MAX, f64::min)
        .min(1.0)
        .log10()
        .floor();
    let hi_v = pos
        .iter()
        .copied()
        .chain(med.map(|m| m.threshold))
        .fold(1.0, f64::max);
    let hi = hi_v.log10().ceil().max(lo + 1.0);
    let y = |v: f64| top + ph * (1.0 - (v.max(10f64.powf(lo)).log10() - lo) / (hi - lo));
    let mut svg = String::with_capacity(64 * 1024);
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="{w}" height="{h}" fill="#fbfbf8"/>
<text x="{left}" y="30" font-size="18" font-weight="bold" fill="#111">{}</text>"##,
        escape(title)
    );
    for e in lo as i32..=hi as i32 {
        let v = 10f64.powi(e);
        let yy = y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#444">{v}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="16" y="{:.1}" font-size="12" fill="#444" transform="rotate(-90 16 {:.1})">SAIDI, minutes per customer</text>"##,
        top + ph / 2.0,
        top + ph / 2.0
    );
    let n = daily.len().max(1) as f64;
    let bw = (pw / n).max(0.5);
    let base = y(10f64.powf(lo));
    svg.push_str("<g id=\"days\">\n");
    for (i, &(day, v)) in daily.iter().enumerate() {
        if v <= 0.0 {
            continue;
        }
        let major = med.is_some_and(|m| m.days.binary_search(&day).is_ok());
        let colour = if major { "#d62728" } else { "#1f77b4" };
        let (x, yy) = (left + i as f64 * pw / n, y(v));
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.2}" y="{yy:.1}" width="{bw:.2}" height="{:.1}" fill="{colour}"><title>{} {v:.3} min</title></rect>"#,
            (base - yy).max(0.5),
            crate::reliability::date(day)
        );
    }
    svg.push_str("</g>\n");
    if let Some(m) = med {
        let yy = y(m.threshold);
        let _ = writeln!(
            svg,
            r##"<line id="threshold" x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="8 4"/>
<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#d62728">T_MED = exp(α + 2.5β) = {:.2} min; {} major event days</text>"##,
            left + pw,
            left + pw,
            yy - 6.0,
            m.threshold,
            m.days.len()
        );
    }
    if let (Some(first), Some(last)) = (daily.first(), daily.last()) {
        let _ = writeln!(
            svg,
            r##"<text x="{left}" y="{:.1}" font-size="12" fill="#444">{}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#444">{}</text>"##,
            h - 20.0,
            crate::reliability::date(first.0),
            left + pw,
            h - 20.0,
            crate::reliability::date(last.0)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The network with each device that had outages over the period (a disc sized by
/// its outages, darker with more customer minutes), the device hotspots ringed and
/// numbered by rank, and the call clusters as dashed circles.
///
/// # Complexity
/// O(elements + devices + hotspots).
pub fn year_map_svg(
    net: &Network,
    outages: &[DeviceOutages],
    hotspots: &Hotspots,
    title: &str,
) -> String {
    let (w, h) = (1400.0, 900.0);
    let frame = Frame::new(net, w, h);
    let mut svg = String::with_capacity(64 * 1024);
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="{w}" height="{h}" fill="#fbfbf8"/>"##
    );
    layers::sections(&mut svg, net, &frame, &vec![None; net.buses().len()]);
    let worst = outages
        .iter()
        .map(|o| o.customer_minutes)
        .fold(1.0, f64::max);
    svg.push_str("<g id=\"outages\">\n");
    for o in outages {
        let Some(p) = net.bus(net.outage_device_bus(o.device)).position else {
            continue;
        };
        let (x, y) = frame.at(p);
        let r = 3.0 + 2.5 * f64::from(o.outages).sqrt();
        let alpha = 0.25 + 0.65 * (o.customer_minutes / worst).sqrt();
        let _ = writeln!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="#ff7f0e" fill-opacity="{alpha:.2}" stroke="#7f3f00" stroke-width="0.6"><title>{}: {} outages, {:.0} customer minutes</title></circle>"##,
            escape(net.outage_device_name(o.device)),
            o.outages,
            o.customer_minutes
        );
    }
    svg.push_str("</g>\n<g id=\"hotspots\">\n");
    for (rank, hs) in hotspots.devices.iter().enumerate() {
        let Some(p) = net.bus(net.outage_device_bus(hs.device)).position else {
            continue;
        };
        let (x, y) = frame.at(p);
        let _ = writeln!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="14" fill="none" stroke="#d62728" stroke-width="3"><title>{}: {} faults {} – {}, {} customer interruptions</title></circle>
<text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold" fill="#d62728">{}</text>"##,
            escape(net.outage_device_name(hs.device)),
            hs.faults,
            hs.first,
            hs.last,
            hs.customers,
            x + 15.0,
            y - 10.0,
            rank + 1
        );
    }
    for c in &hotspots.calls {
        let (x, y) = frame.at(c.centre);
        let _ = writeln!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="22" fill="#9467bd" fill-opacity="0.12" stroke="#9467bd" stroke-width="2" stroke-dasharray="5 3"><title>{} calls from {} customers, {} – {}</title></circle>"##,
            c.calls,
            c.customers.len(),
            c.first,
            c.last
        );
    }
    svg.push_str("</g>\n");
    let lx = w - 290.0;
    let _ = writeln!(
        svg,
        r##"<text x="{MARGIN}" y="28" font-size="20" font-weight="bold" fill="#111">{}</text>
<g id="legend" font-size="13" fill="#222">
<text x="{lx}" y="70" font-weight="bold">Legend</text>
<circle cx="{:.0}" cy="95" r="7" fill="#ff7f0e" fill-opacity="0.6" stroke="#7f3f00"/><text x="{:.0}" y="100">device with outages (size: count)</text>
<circle cx="{:.0}" cy="125" r="10" fill="none" stroke="#d62728" stroke-width="3"/><text x="{:.0}" y="130">repeated-fault hotspot, by rank</text>
<circle cx="{:.0}" cy="155" r="10" fill="#9467bd" fill-opacity="0.12" stroke="#9467bd" stroke-dasharray="5 3" stroke-width="2"/><text x="{:.0}" y="160">cluster of calls</text>
<text x="{lx}" y="195">{} devices with outages</text>
<text x="{lx}" y="215">{} device hotspots, {} call clusters</text>
</g>"##,
        escape(title),
        lx + 10.0,
        lx + 28.0,
        lx + 10.0,
        lx + 28.0,
        lx + 10.0,
        lx + 28.0,
        outages.len(),
        hotspots.devices.len(),
        hotspots.calls.len()
    );
    svg.push_str("</svg>\n");
    svg
}
