//! The command centre's picture at any moment of a replay, as an SVG map.
//!
//!     cargo run --release --example outage_map -- [MODEL EVENTS] [--at TIME] [--out FILE.svg]
//!         [--crews N] [--metres-per-unit X] [--seed N] [--geojson FILE [--anchor LON,LAT]]
//!
//! Replays EVENTS (the replay contract's event file) on MODEL up to TIME (RFC 3339; by
//! default 90 minutes after the first event), with simulated crews dispatched to the
//! work orders, and writes the state then: the feeder from its bus coordinates,
//! de-energized sections shaded by outage (dashed while predicted, solid once
//! confirmed), open work orders and crews, a legend and the time. Without MODEL and
//! EVENTS it plays a generated storm on `fixtures/ieee123/eval_master.dss`.
//! Render it with, for example, `rsvg-convert -o map.png map.svg`. `--geojson FILE`
//! also writes the state as GeoJSON (`map::render_geojson`) for QGIS or a web map;
//! `--anchor LON,LAT` places the model's plane on the globe for maps that need degrees.

#[path = "common/crew_sim.rs"]
mod crew_sim;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
use outage_locator::map::{Coordinates, MapOptions, render_geojson, render_svg};
use outage_locator::service::{CommandCentreOptions, Geometry};
use outage_locator::*;

#[path = "common/cli.rs"]
mod cli;
use cli::{Args, Long, Stop, Value, at};

const USAGE: &str = "outage_map [MODEL EVENTS] [--at TIME] [--out FILE.svg] [--crews N] [--metres-per-unit X] [--seed N]

Replays EVENTS on MODEL up to TIME with simulated crews and draws the command centre's
state then as an SVG map. Without MODEL and EVENTS it plays a generated storm on
fixtures/ieee123/eval_master.dss.

  --at TIME              RFC 3339, e.g. 2026-07-01T13:30:00Z (default: 90 minutes
                         after the first event)
  --out FILE.svg         where the map goes (default outage_map.svg)
  --crews N              simulated crews (default 4)
  --metres-per-unit X    the model's coordinate unit in metres (default 0.3048, feet)
  --seed N               the generated storm's seed (default 7)
  --geojson FILE         also the state as GeoJSON: outages, the service points they
                         hold off, work orders, crews and their routes
  --anchor LON,LAT       in the GeoJSON, the model's origin placed at LON,LAT (degrees)
                         with --metres-per-unit, for web maps; by default the model's
                         own coordinates are written as they are";

struct Opts {
    files: Option<[String; 2]>,
    at: Option<Timestamp>,
    out: PathBuf,
    crews: usize,
    mpu: f64,
    seed: u64,
    geojson: Option<PathBuf>,
    anchor: Option<[f64; 2]>,
}

fn parse(args: &mut Args) -> Result<Opts, Stop> {
    let mut o = Opts {
        files: None,
        at: None,
        out: "outage_map.svg".into(),
        crews: 4,
        mpu: 0.3048,
        seed: 7,
        geojson: None,
        anchor: None,
    };
    let mut free = Vec::new();
    while let Some(arg) = args.next()? {
        match arg {
            Long("at") => o.at = Some(args.value()?),
            Long("out") => o.out = args.path()?,
            Long("crews") => o.crews = args.value()?,
            Long("metres-per-unit") => o.mpu = args.value()?,
            Long("seed") => o.seed = args.value()?,
            Long("geojson") => o.geojson = Some(args.path()?),
            Long("anchor") => o.anchor = Some(lon_lat(&args.value::<String>()?)?),
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if !free.is_empty() {
        o.files = Some(cli::positional(free, ["MODEL", "EVENTS"])?);
    }
    Ok(o)
}

/// `LON,LAT` in degrees.
fn lon_lat(s: &str) -> Result<[f64; 2], Stop> {
    let bad = || {
        Stop::Usage(format!(
            "invalid --anchor '{s}': expected LON,LAT in degrees"
        ))
    };
    let (lon, lat) = s.split_once(',').ok_or_else(bad)?;
    let (lon, lat): (f64, f64) = (
        lon.trim().parse().map_err(|_| bad())?,
        lat.trim().parse().map_err(|_| bad())?,
    );
    if lon.abs() > 180.0 || lat.abs() >= 90.0 {
        return Err(bad());
    }
    Ok([lon, lat])
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}

fn run(o: Opts) -> Result<(), Stop> {
    let (net, events, title) = match &o.files {
        Some([model, events]) => {
            let (net, _) = load_network(model)?;
            let text = std::fs::read(events).map_err(at(events))?;
            let evs: Vec<Event> = EventReader::new(&text[..], &net)
                .filter_map(|r| r.ok().map(|(_, e)| e))
                .collect();
            let title = format!("{} — {}", net.name(), events);
            (Arc::new(net), evs, title)
        }
        None => {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/ieee123/eval_master.dss"
            );
            let (net, _) = import_opendss(path).map_err(at(path))?;
            let net = crew_sim::with_zones(&net);
            let s =
                Simulator::new(&net)?.run(&SimulationOptions::for_profile(Profile::Storm), o.seed);
            let title = format!("{} — generated storm", net.name());
            (Arc::new(net), s.events, title)
        }
    };
    let Some(first) = events.first() else {
        return Err("no events".into());
    };
    let until = o.at.unwrap_or(first.time + 90 * MINUTE);

    let mut opts = CommandCentreOptions::default();
    opts.orders.open_after = Replay::ORDER_AFTER;
    opts.orders.geometry = Geometry::Planar {
        metres_per_unit: o.mpu,
    };
    let mut cc = CommandCentre::new(Arc::clone(&net), EngineOptions::default(), opts)?;
    for crew in crew_sim::crews_over(&net, o.crews) {
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
    std::fs::write(&o.out, svg).map_err(at(o.out.display()))?;
    if let Some(path) = &o.geojson {
        let coordinates = match o.anchor {
            Some([lon, lat]) => Coordinates::Anchored {
                lon,
                lat,
                metres_per_unit: o.mpu,
            },
            None => Coordinates::Model,
        };
        let text = serde_json::to_string(&render_geojson(&cc, coordinates))?;
        std::fs::write(path, text).map_err(at(path.display()))?;
    }
    let orders = cc.orders();
    eprintln!(
        "{}: {} at {until}: {} open outages, {} open orders ({} breached), {} crews",
        o.out.display(),
        net.name(),
        cc.engine().open_outages().count(),
        orders.open_orders().count(),
        orders.breached(until).len(),
        orders.crews().count()
    );
    Ok(())
}
