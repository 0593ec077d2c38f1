//! Seeded generators of realistic synthetic networks, shared by tests and benches.
//!
//! [`synthetic_network`] lays out substations on a 20 km grid, each a source
//! `circuit.subN` behind a substation transformer, with 2–10 feeders radiating from it.
//! A feeder leaves the substation through a breaker (`relay.fG`), runs a backbone cut by
//! one or more reclosers (`recloser.fG_rK`) and a normally closed sectionalizing switch,
//! and feeds fused laterals (`fuse.fN`); distribution transformers (0.24 kV
//! secondaries) serve 1–15 customers each, most on laterals, some straight off the
//! backbone. Some feeders end in a normally-open tie switch to the end of the previous
//! feeder, so that a transfer (open the sectionalizer, close the tie) moves the far end
//! of a feeder to its neighbour. Customers are mostly residential, with commercial,
//! industrial, agricultural and public ones in proportions that depend on the zone
//! (urban, rural, remote: by substation, remote at the far end of rural feeders), and a
//! few critical ones. Every bus has coordinates in metres, on a 0.1 m grid (so that they
//! print short and read back from JSON exactly).
//!
//! The same options and seed give the same network, on every platform. A network has
//! about 0.2 buses and 0.2 elements per customer with the default options.
//!
//! # Runtime and memory
//! About 0.3 s and 180 bytes a customer (network and view) for a million customers on
//! one core of the development machine; see `examples/scale.rs`.
//!
//! ```
//! use outage_locator::synth::{SyntheticNetworkOptions, synthetic_network};
//! use outage_locator::EnergizationView;
//!
//! let opts = SyntheticNetworkOptions { customers: 2_000, seed: 7, ..Default::default() };
//! let net = synthetic_network(&opts);
//! assert_eq!(net.customers().len(), 2_000);
//! assert_eq!(net, synthetic_network(&opts));
//!
//! let view = EnergizationView::normal(&net).unwrap();
//! let c = net.customer_by_name("load.c0").unwrap();
//! let chain: Vec<&str> = view
//!     .upstream(net.outage_device_by_name("load.c0").unwrap())
//!     .map(|d| net.outage_device_name(d))
//!     .collect();
//! assert!(view.is_supplied(c));
//! assert_eq!(chain.first(), Some(&"load.c0"));
//! assert_eq!(chain.last(), Some(&"circuit.sub0"));
//! ```

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use crate::evidence::{CallDetail, Event, Evidence};
use crate::ids::{BusId, ElementId, OutageDeviceId};
use crate::network::{
    CustomerClass, DeviceKind, ElementKind, LineOptions, Network, NetworkBuilder,
    OutageDeviceClass, ServiceZone,
};
use crate::time::Timestamp;
use crate::topology::{EnergizationView, SwitchingOp};

pub use crate::rng::SplitMix64;

/// What [`synthetic_network`] generates.
///
/// Ranges are inclusive and drawn uniformly; an empty or reversed range is read as its
/// start.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticNetworkOptions {
    /// Exactly how many customers the network has.
    pub customers: usize,
    /// The seed: the same options and seed give the same network.
    pub seed: u64,
    /// Feeders leaving each substation (at least one; the last substation may have
    /// fewer when few customers are left).
    pub feeders_per_substation: RangeInclusive<u32>,
    /// Mean customers on a feeder; each feeder draws between half and one and a half
    /// times this.
    pub customers_per_feeder: u32,
    /// Customers on each distribution transformer (at least one).
    pub customers_per_transformer: RangeInclusive<u32>,
    /// Distribution transformers on each fused lateral (at least one).
    pub transformers_per_lateral: RangeInclusive<u32>,
    /// Reclosers along each feeder backbone (at least one).
    pub reclosers_per_feeder: RangeInclusive<u32>,
    /// The share of feeders whose far end has a normally-open tie to another feeder.
    pub tie_share: f64,
    /// The share of customers that are critical (hospitals, life support).
    pub critical_share: f64,
}

impl Default for SyntheticNetworkOptions {
    fn default() -> Self {
        SyntheticNetworkOptions {
            customers: 10_000,
            seed: 0,
            feeders_per_substation: 2..=10,
            customers_per_feeder: 1_500,
            customers_per_transformer: 1..=15,
            transformers_per_lateral: 2..=12,
            reclosers_per_feeder: 1..=3,
            tie_share: 0.6,
            critical_share: 0.002,
        }
    }
}

/// Rounds to the 0.1 m grid, so that coordinates print short and read back exactly.
fn grid(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Standard single-phase transformer sizes, kVA.
const KVA: [f64; 7] = [10.0, 15.0, 25.0, 37.5, 50.0, 75.0, 100.0];

/// Metres between backbone buses, lateral buses, and from a transformer to its
/// secondary.
const BACKBONE_M: f64 = 150.0;
const LATERAL_M: f64 = 60.0;
const SECONDARY_M: f64 = 15.0;
/// Metres between neighbouring substations.
const SUBSTATION_SPACING_M: f64 = 20_000.0;

/// Generates a synthetic network; see the [module documentation](self) for its shape.
///
/// Names follow a scheme that tests and benches can rely on, `G` being the feeder's
/// number across the whole network: `circuit.subN` at bus `subN`, the substation
/// transformer `transformer.subN`, the feeder breaker `relay.fG` on `line.fG_head`,
/// reclosers `recloser.fG_rK` on `line.fG_rK`, the sectionalizing switch `line.fG_sw` (a
/// closed switch about two thirds down the backbone, when the backbone is long enough),
/// the tie `line.fG_tie` (a normally-open switch from the end of feeder `G` to the end of
/// feeder `G - 1`), fuses `fuse.fN` on the first section of each lateral, distribution
/// transformers `transformer.tN`, customers `load.cN` numbered from 0 in generation
/// order. Other lines are `line.lN`.
///
/// # Complexity
/// O(C) time and memory for C customers: about 0.2 buses and 0.2 elements per customer
/// with the default options.
pub fn synthetic_network(opts: &SyntheticNetworkOptions) -> Network {
    let mut g = Gen {
        opts,
        rng: SplitMix64::new(opts.seed ^ 0x5eed_0fca_1c0d_e5ee),
        b: NetworkBuilder::new(&format!("synthetic-{}", opts.seed)),
        name: String::with_capacity(32),
        feeders: 0,
        lines: 0,
        transformers: 0,
        fuses: 0,
        customers: 0,
        last_feeder_end: None,
    };
    let subs_estimate = opts.customers / (opts.customers_per_feeder.max(1) as usize * 6).max(1) + 1;
    let cols = (subs_estimate as f64).sqrt().ceil().max(1.0) as usize;
    let mut sub = 0usize;
    while g.customers < opts.customers {
        let x = (sub % cols) as f64 * SUBSTATION_SPACING_M;
        let y = (sub / cols) as f64 * SUBSTATION_SPACING_M;
        g.substation(sub, x, y);
        sub += 1;
    }
    // A network of zero customers still has a source, so that it builds.
    if sub == 0 {
        g.substation_buses(0, 0.0, 0.0);
    }
    // Every id and name handed to the builder was made here, in order, so the
    // network is valid by construction: radial, every customer supplied.
    g.b.build()
        .expect("the synthetic network is valid by construction")
}

struct Gen<'a> {
    opts: &'a SyntheticNetworkOptions,
    rng: SplitMix64,
    b: NetworkBuilder,
    name: String,
    feeders: u32,
    lines: u32,
    transformers: u32,
    fuses: u32,
    customers: usize,
    /// The last backbone bus of the previous feeder, for ties.
    last_feeder_end: Option<BusId>,
}

impl Gen<'_> {
    fn set_name(&mut self, args: std::fmt::Arguments<'_>) {
        self.name.clear();
        // Writing to a String cannot fail.
        let _ = self.name.write_fmt(args);
    }

    fn bus(&mut self, args: std::fmt::Arguments<'_>, x: f64, y: f64) -> BusId {
        self.set_name(args);
        let id = self.b.add_bus(&self.name);
        self.b.set_bus_point(id, grid(x), grid(y));
        id
    }

    fn line(
        &mut self,
        name: std::fmt::Arguments<'_>,
        from: BusId,
        to: BusId,
        opts: LineOptions,
    ) -> ElementId {
        self.set_name(name);
        self.b
            .push_element_at(&self.name, ElementKind::Line, from, to, opts, None, None)
            .expect("both buses were added")
    }

    fn plain_line(&mut self, from: BusId, to: BusId, phases: u8) -> ElementId {
        let n = self.lines;
        self.lines += 1;
        let opts = LineOptions {
            phases,
            ..LineOptions::default()
        };
        self.line(format_args!("line.l{n}"), from, to, opts)
    }

    fn device(&mut self, name: std::fmt::Arguments<'_>, kind: DeviceKind, on: ElementId) {
        self.set_name(name);
        let telemetered = kind != DeviceKind::Fuse;
        self.b
            .add_device_on(&self.name, kind, on, telemetered, false)
            .expect("the element was added");
    }

    /// The source bus, the substation transformer and its low-voltage bus.
    fn substation_buses(&mut self, sub: usize, x: f64, y: f64) -> BusId {
        let hv = self.bus(format_args!("sub{sub}"), x, y);
        self.set_name(format_args!("circuit.sub{sub}"));
        let source = self.name.clone();
        self.set_name(format_args!("sub{sub}"));
        let bus = self.name.clone();
        self.b.add_source(&source, &bus).expect("the bus was added");
        let lv = self.bus(format_args!("sub{sub}_lv"), x + 30.0, y);
        self.set_name(format_args!("transformer.sub{sub}"));
        self.b
            .push_element_at(
                &self.name,
                ElementKind::Transformer,
                hv,
                lv,
                LineOptions::default(),
                Some(12.47),
                Some(30_000.0),
            )
            .expect("both buses were added");
        lv
    }

    fn substation(&mut self, sub: usize, x: f64, y: f64) {
        let lv = self.substation_buses(sub, x, y);
        let zone = match self.rng.below(100) {
            0..50 => ServiceZone::Urban,
            50..85 => ServiceZone::Rural,
            _ => ServiceZone::Remote,
        };
        let remaining = self.opts.customers - self.customers;
        let nf =
            (self.rng.in_range(&self.opts.feeders_per_substation).max(1) as usize).min(remaining);
        let mean = self.opts.customers_per_feeder.max(1) as f64;
        let mut targets: Vec<usize> = (0..nf)
            .map(|_| ((0.5 + self.rng.unit()) * mean).round().max(1.0) as usize)
            .collect();
        let sum: usize = targets.iter().sum();
        if sum >= remaining {
            // The last substation: share what is left among its feeders, each at least 1.
            let mut left = remaining;
            for (j, t) in targets.iter_mut().enumerate() {
                let feeders_after = nf - j - 1;
                let share = (remaining as f64 * *t as f64 / sum as f64).round() as usize;
                *t = share.clamp(1, left - feeders_after);
                left -= *t;
            }
            if let Some(last) = targets.last_mut() {
                *last += left;
            }
        }
        let start = self.rng.unit() * std::f64::consts::TAU;
        for (j, &target) in targets.iter().enumerate() {
            let angle = start + std::f64::consts::TAU * j as f64 / nf as f64;
            let feeder_zone = if zone == ServiceZone::Urban && self.rng.chance(0.2) {
                ServiceZone::Rural
            } else {
                zone
            };
            self.feeder(lv, (x + 30.0, y), angle, target, feeder_zone);
        }
    }

    fn feeder(
        &mut self,
        lv: BusId,
        origin: (f64, f64),
        angle: f64,
        target: usize,
        zone: ServiceZone,
    ) {
        let g = self.feeders;
        self.feeders += 1;
        let (dx, dy) = (angle.cos(), angle.sin());
        let (px, py) = (-dy, dx);
        let at = |d: f64, side: f64| (origin.0 + dx * d + px * side, origin.1 + dy * d + py * side);
        let (hx, hy) = at(100.0, 0.0);
        let head = self.bus(format_args!("f{g}_h"), hx, hy);
        let head_line = self.line(
            format_args!("line.f{g}_head"),
            lv,
            head,
            LineOptions::default(),
        );
        self.device(format_args!("relay.f{g}"), DeviceKind::Breaker, head_line);

        let reclosers = self.rng.in_range(&self.opts.reclosers_per_feeder).max(1);
        let mut next_recloser = 1u32;
        let mut switch_placed = false;
        let mut prev = head;
        let mut served = 0usize;
        let mut k = 0u32;
        while served < target {
            k += 1;
            let dist = 100.0 + k as f64 * BACKBONE_M;
            let (bx, by) = at(dist, 0.0);
            let bus = self.bus(format_args!("f{g}_b{k}"), bx, by);
            let progress = served as f64 / target as f64;
            if next_recloser <= reclosers
                && progress >= next_recloser as f64 / (reclosers + 1) as f64
            {
                let e = self.line(
                    format_args!("line.f{g}_r{next_recloser}"),
                    prev,
                    bus,
                    LineOptions::default(),
                );
                self.device(
                    format_args!("recloser.f{g}_r{next_recloser}"),
                    DeviceKind::Recloser,
                    e,
                );
                next_recloser += 1;
            } else if !switch_placed && progress >= 0.66 {
                let opts = LineOptions {
                    switch: true,
                    ..LineOptions::default()
                };
                self.line(format_args!("line.f{g}_sw"), prev, bus, opts);
                switch_placed = true;
            } else {
                self.plain_line(prev, bus, 3);
            }
            prev = bus;
            let lateral_zone = if zone == ServiceZone::Rural && progress > 0.6 {
                ServiceZone::Remote
            } else {
                zone
            };
            let side = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
            if self.rng.chance(0.1) {
                // A transformer straight off the backbone, unfused.
                let (sx, sy) = at(dist, side * SECONDARY_M);
                served += self.transformer(bus, sx, sy, target - served, lateral_zone);
            }
            if served < target {
                served += self.lateral(bus, &at, dist, side, target - served, lateral_zone);
            }
        }
        if let Some(other) = self.last_feeder_end
            && self.rng.chance(self.opts.tie_share)
        {
            let opts = LineOptions {
                switch: true,
                normally_open: true,
                ..LineOptions::default()
            };
            self.line(format_args!("line.f{g}_tie"), prev, other, opts);
        }
        self.last_feeder_end = Some(prev);
    }

    /// A fused lateral off a backbone bus; returns the customers it serves.
    fn lateral(
        &mut self,
        tap: BusId,
        at: &dyn Fn(f64, f64) -> (f64, f64),
        dist: f64,
        side: f64,
        budget: usize,
        zone: ServiceZone,
    ) -> usize {
        let phases = if self.rng.chance(0.2) { 3 } else { 1 };
        let n = self.fuses;
        self.fuses += 1;
        let mut off = LATERAL_M;
        let (x, y) = at(dist, side * off);
        let first = self.bus(format_args!("l{n}_0"), x, y);
        let lines = self.lines;
        self.lines += 1;
        let opts = LineOptions {
            phases,
            ..LineOptions::default()
        };
        let e = self.line(format_args!("line.l{lines}"), tap, first, opts);
        self.device(format_args!("fuse.f{n}"), DeviceKind::Fuse, e);
        let count = self
            .rng
            .in_range(&self.opts.transformers_per_lateral)
            .max(1);
        let mut served = 0;
        let mut bus = first;
        for i in 0..count {
            if served >= budget {
                break;
            }
            if i > 0 && self.rng.chance(0.5) {
                off += LATERAL_M;
                let (x, y) = at(dist, side * off);
                let next = self.bus(format_args!("l{n}_{i}"), x, y);
                self.plain_line(bus, next, phases);
                bus = next;
            }
            let (x, y) = at(
                dist + if i.is_multiple_of(2) {
                    SECONDARY_M
                } else {
                    -SECONDARY_M
                },
                side * off,
            );
            served += self.transformer(bus, x, y, budget - served, zone);
        }
        served
    }

    /// A distribution transformer with its customers; returns how many.
    fn transformer(
        &mut self,
        from: BusId,
        x: f64,
        y: f64,
        budget: usize,
        zone: ServiceZone,
    ) -> usize {
        let n = self.transformers;
        self.transformers += 1;
        let count = (self
            .rng
            .in_range(&self.opts.customers_per_transformer)
            .max(1) as usize)
            .min(budget);
        let secondary = self.bus(format_args!("t{n}"), x, y);
        let kva = KVA
            .iter()
            .copied()
            .find(|&k| k >= 5.0 * count as f64)
            .unwrap_or(KVA[KVA.len() - 1]);
        self.set_name(format_args!("transformer.t{n}"));
        self.b
            .push_element_at(
                &self.name,
                ElementKind::Transformer,
                from,
                secondary,
                LineOptions {
                    phases: 1,
                    ..LineOptions::default()
                },
                Some(0.24),
                Some(kva),
            )
            .expect("both buses were added");
        for _ in 0..count {
            let class = self.class(zone);
            let critical = self.rng.chance(self.opts.critical_share);
            let c = self.customers;
            self.customers += 1;
            self.set_name(format_args!("load.c{c}"));
            self.b
                .add_customer_at(&self.name, secondary, class, critical, zone)
                .expect("the bus was added");
        }
        count
    }

    fn class(&mut self, zone: ServiceZone) -> CustomerClass {
        let r = self.rng.below(100);
        match zone {
            ServiceZone::Urban => match r {
                0..80 => CustomerClass::Residential,
                80..95 => CustomerClass::Commercial,
                95..98 => CustomerClass::Industrial,
                _ => CustomerClass::Public,
            },
            ServiceZone::Rural => match r {
                0..75 => CustomerClass::Residential,
                75..95 => CustomerClass::Agricultural,
                95..99 => CustomerClass::Commercial,
                _ => CustomerClass::Public,
            },
            ServiceZone::Remote => match r {
                0..70 => CustomerClass::Residential,
                70..98 => CustomerClass::Agricultural,
                _ => CustomerClass::Public,
            },
        }
    }
}

/// A transfer on a feeder near the middle of a synthetic network: open its
/// sectionalizing switch `line.fG_sw`, close its tie `line.fG_tie`; `None` when no
/// feeder has a tie.
///
/// ```
/// use outage_locator::synth::{middle_transfer, synthetic_network, SyntheticNetworkOptions};
/// let net = synthetic_network(&SyntheticNetworkOptions { customers: 5000, ..Default::default() });
/// let op = middle_transfer(&net).unwrap();
/// let view = outage_locator::EnergizationView::normal(&net).unwrap();
/// assert!(view.switch(&net, &[op]).is_ok());
/// ```
pub fn middle_transfer(net: &Network) -> Option<SwitchingOp> {
    // At most ten feeders a substation (see `SyntheticNetworkOptions`).
    let feeders = net.sources().len() * 10;
    (0..feeders)
        .map(|i| (feeders / 2 + i) % feeders)
        .find_map(|g| {
            let open = net.element_by_name(&format!("line.f{g}_sw"))?;
            let close = net.element_by_name(&format!("line.f{g}_tie"))?;
            Some(SwitchingOp::Transfer { open, close })
        })
}

/// A storm of about `target` events on any network, for speed measurements: random
/// outages at every level of the device tree, with last gasps (50 %), calls (15 %) and
/// power restores (70 %), SCADA for breakers and reclosers, and a tick a minute over
/// four hours. For accuracy studies use [`crate::bench::simulate`], which also keeps the truth.
///
/// ```
/// use outage_locator::synth::{storm_events, synthetic_network, SyntheticNetworkOptions};
/// let net = synthetic_network(&SyntheticNetworkOptions { customers: 2000, ..Default::default() });
/// let view = outage_locator::EnergizationView::normal(&net).unwrap();
/// let events = storm_events(&net, &view, 1000, 7);
/// assert!(events.len() >= 1000);
/// assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
/// ```
pub fn storm_events(
    net: &Network,
    view: &EnergizationView,
    target: usize,
    seed: u64,
) -> Vec<Event> {
    let mut rng = SplitMix64::new(seed);
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().expect("a valid time");
    let nc = net.customers().len() as u64;
    let mut events = Vec::with_capacity(target + 300);
    for m in 0..240 {
        events.push(Event {
            time: t0 + m * 60_000,
            evidence: Evidence::Tick,
        });
    }
    let mut budget = target as i64;
    while budget > 0 {
        let c = OutageDeviceId(rng.below(nc) as u32);
        let chain: Vec<OutageDeviceId> = view.upstream(c).collect();
        // Any level but the source itself.
        let d = chain[rng.below(chain.len().saturating_sub(1).max(1) as u64) as usize];
        let below = view.customers_below(d);
        if below.len() as i64 > budget * 2 {
            continue;
        }
        let start = t0 + (rng.below(3 * 3600) as i64) * 1000;
        let end = start + (1800 + rng.below(5400) as i64) * 1000;
        let scada = matches!(
            net.outage_device_class(d),
            OutageDeviceClass::Breaker | OutageDeviceClass::Recloser
        );
        if scada {
            events.push(Event {
                time: start,
                evidence: Evidence::DeviceOpen { device: d },
            });
            events.push(Event {
                time: end,
                evidence: Evidence::DeviceClose { device: d },
            });
        }
        for &c in below {
            if rng.chance(0.5) {
                events.push(Event {
                    time: start + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::LastGasp { meter: c },
                });
            }
            if rng.chance(0.15) {
                events.push(Event {
                    time: start + (60 + rng.below(3600) as i64) * 1000,
                    evidence: Evidence::Call {
                        customer: c,
                        detail: CallDetail::NoPower,
                    },
                });
            }
            if rng.chance(0.7) {
                events.push(Event {
                    time: end + (5 + rng.below(55) as i64) * 1000,
                    evidence: Evidence::PowerRestore { meter: c },
                });
            }
        }
        budget -= (below.len() as f64 * 1.35) as i64 + 1;
    }
    events.sort_by_key(|e| e.time);
    events
}
