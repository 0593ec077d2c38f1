//! A call located by place: the nearest service point of a model to a point in the
//! model's coordinates, and how the spatial index scales.
//!
//!     cargo run --release --example locate -- fixtures/ieee123/eval_master.dss 1500 2200
//!     cargo run --release --example locate -- --scale 100000 1000000
//!
//! The first form prints the nearest service point (its bus, position, distance and
//! customers) as one JSON object. The second indexes as many random service points as
//! customers (one each, in a 20 km square: the worst case, as real customers share
//! transformers) and prints the index's build time, the time of a nearest-point query
//! (the mean over 100,000 random places) and that of a brute-force scan (over 200), in
//! processor time of this thread, which a shared machine does not inflate.

use std::process::ExitCode;

use outage_locator::BusId;
use outage_locator::bench::synth::SplitMix64;
use outage_locator::evidence::ServiceLocator;

#[path = "common/cli.rs"]
mod cli;
#[path = "common/measure.rs"]
mod measure;
use cli::{Args, Long, Stop, Value, outln};

const USAGE: &str = "locate MODEL X Y
       locate --scale [CUSTOMERS...]

The first form prints the service point of MODEL nearest to (X, Y), in the model's
coordinates, as JSON. The second measures the spatial index on random service points
(default 100000 and 1000000).";

enum Mode {
    Point { model: String, place: [f64; 2] },
    Scale(Vec<usize>),
}

fn parse(args: &mut Args) -> Result<Mode, Stop> {
    let (mut scale, mut free) = (false, Vec::new());
    while let Some(arg) = args.next()? {
        match arg {
            Long("scale") => scale = true,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if scale {
        let mut sizes = free
            .into_iter()
            .map(|v| cli::count(v, "CUSTOMERS"))
            .collect::<Result<Vec<_>, _>>()?;
        if sizes.is_empty() {
            sizes = vec![100_000, 1_000_000];
        }
        return Ok(Mode::Scale(sizes));
    }
    let [model, x, y] = cli::positional(free, ["MODEL", "X", "Y"])?;
    let place = [cli::parse(x.into(), "X")?, cli::parse(y.into(), "Y")?];
    Ok(Mode::Point { model, place })
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, |mode| match mode {
        Mode::Point { model, place } => point(&model, place),
        Mode::Scale(sizes) => scale(&sizes),
    })
}

fn point(model: &str, place: [f64; 2]) -> Result<(), Stop> {
    let (net, _) = outage_locator::load_network(model)?;
    let locator = ServiceLocator::new(&net);
    let Some(found) = locator.nearest(place) else {
        return Err(format!("{model}: no service point has a position").into());
    };
    let customers: Vec<&str> = net
        .customers_at(found.bus)
        .iter()
        .map(|&c| net.customer(c).name.as_str())
        .collect();
    let json = serde_json::json!({
        "bus": net.bus(found.bus).name,
        "position": found.position,
        "distance": found.distance,
        "customers": customers,
        "indexed": locator.len(),
        "without_position": locator.without_position(),
    });
    outln!("{json}");
    Ok(())
}

fn scale(sizes: &[usize]) -> Result<(), Stop> {
    outln!(
        "| service points | index build (CPU) | nearest, index (CPU) | nearest, brute force (CPU) | ratio |"
    );
    outln!("| ---: | ---: | ---: | ---: | ---: |");
    for &n in sizes {
        let mut rng = SplitMix64::new(19);
        let mut place = || [rng.unit() * 20_000.0, rng.unit() * 20_000.0];
        let points: Vec<(BusId, [f64; 2])> = (0..n).map(|i| (BusId(i as u32), place())).collect();
        let t = cpu_seconds();
        let locator = ServiceLocator::from_points(points.iter().copied());
        let build = cpu_seconds() - t;
        let queries: Vec<[f64; 2]> = (0..100_000).map(|_| place()).collect();
        let indexed = mean_us(&queries, |q| {
            std::hint::black_box(locator.nearest(q));
        });
        let brute = mean_us(&queries[..200], |q| {
            let d2 = |p: [f64; 2]| (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2);
            let best = points
                .iter()
                .map(|&(b, p)| (d2(p), b))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            std::hint::black_box(best);
        });
        outln!(
            "| {n} | {build:.2} s | {indexed:.2} µs | {brute:.0} µs | {:.0}× |",
            brute / indexed
        );
    }
    Ok(())
}

/// The processor time of `f` over `queries`, µs per query.
fn mean_us(queries: &[[f64; 2]], mut f: impl FnMut([f64; 2])) -> f64 {
    let t = cpu_seconds();
    for &q in queries {
        f(q);
    }
    (cpu_seconds() - t) * 1e6 / queries.len() as f64
}

/// The time this thread has run on a processor, seconds (0 where unknown).
fn cpu_seconds() -> f64 {
    measure::thread_cpu_seconds().unwrap_or(0.0)
}
