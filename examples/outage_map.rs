//! The command centre's picture at any moment of a replay, as an SVG map.
//!
//!     cargo run --release --example outage_map -- [MODEL EVENTS] [--at TIME] [--out FILE.svg]
//!         [--crews N] [--metres-per-unit X] [--seed N]
//!
//! Replays EVENTS (the replay contract's event file) on MODEL up to TIME (RFC 3339; by
//! default 90 minutes after the first event), with simulated crews dispatched to the
//! work orders, and writes the state then: the feeder from its bus coordinates,
//! de-energized sections shaded by outage (dashed while predicted, solid once
//! confirmed), open work orders and crews, a legend and the time. Without MODEL and
//! EVENTS it plays a generated storm on `fixtures/ieee123/eval_master.dss`.
//! Render it with, for example, `rsvg-convert -o map.png map.svg`.

#[path = "common/crew_sim.rs"]
mod crew_sim;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::map::{MapOptions, render_svg};
use outage_locator::service::{CommandCentreOptions, Geometry};
use outage_locator::*;

fn flag(args: &mut Vec<String>, name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    let v = args.get(i + 1).cloned();
    args.drain(i..(i + 2).min(args.len()));
    v
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let at: Option<Timestamp> = flag(&mut args, "--at").map(|s| s.parse()).transpose()?;
    let out = flag(&mut args, "--out").unwrap_or_else(|| "outage_map.svg".to_string());
    let crews: usize = flag(&mut args, "--crews")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(4);
    let mpu: f64 = flag(&mut args, "--metres-per-unit")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(0.3048);
    let seed: u64 = flag(&mut args, "--seed")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(7);
    let (net, events, title) = match args.as_slice() {
        [model, events] => {
            let (net, _) = load_network(model)?;
            let text = std::fs::read(events)?;
            let evs: Vec<Event> = EventReader::new(&text[..], &net)
                .filter_map(|r| r.ok().map(|(_, e)| e))
                .collect();
            let title = format!("{} — {}", net.name(), events);
            (net, evs, title)
        }
        [] => {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/ieee123/eval_master.dss"
            );
            let (net, _) = import_opendss(path)?;
            let net = crew_sim::with_zones(&net);
            let s =
                Simulator::new(&net)?.run(&SimulationOptions::for_profile(Profile::Storm), seed);
            let title = format!("{} — generated storm", net.name());
            (net, s.events, title)
        }
        _ => {
            return Err(
                "usage: outage_map [MODEL EVENTS] [--at TIME] [--out FILE.svg] [--crews N]".into(),
            );
        }
    };
    let Some(first) = events.first() else {
        return Err("no events".into());
    };
    let until = at.unwrap_or(first.time + 90 * MINUTE);

    let mut opts = CommandCentreOptions::default();
    opts.orders.open_after = Replay::ORDER_AFTER;
    opts.orders.geometry = Geometry::Planar {
        metres_per_unit: mpu,
    };
    let mut cc = CommandCentre::new(&net, EngineOptions::default(), opts)?;
    for crew in crew_sim::crews_over(&net, crews) {
        cc.orders_mut().add_crew(crew);
    }
    let sim = crew_sim::CrewSim::default();
    let mut sent = Vec::new();
    for &ev in &events {
        // Rows are roughly in time order: stop at the first row past the moment.
        if ev.time > until {
            break;
        }
        cc.ingest(ev);
        sim.step(&mut cc, &mut sent);
    }
    cc.ingest(Event {
        time: until,
        evidence: Evidence::Tick,
    });
    sim.step(&mut cc, &mut sent);
    let svg = render_svg(
        &cc,
        &MapOptions {
            title,
            ..MapOptions::default()
        },
    );
    std::fs::write(&out, svg)?;
    let orders = cc.orders();
    eprintln!(
        "{out}: {} at {until}: {} open outages, {} open orders ({} breached), {} crews",
        net.name(),
        cc.engine().open_outages().count(),
        orders.open_orders().count(),
        orders.breached(until).len(),
        orders.crews().count()
    );
    Ok(())
}
