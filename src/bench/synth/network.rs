//! The synthetic network itself: substations on a grid, feeders with reclosers, a
//! sectionalizing switch and ties, fused laterals, distribution transformers and their
//! customers, laid out in metres.

use super::kit::{Kit, customer_class};
use super::{SplitMix64, SyntheticNetworkOptions};
use crate::ids::BusId;
use crate::network::{DeviceKind, LineOptions, Network, ServiceZone};
use crate::topology::SwitchingOp;

/// Metres between backbone buses, lateral buses, and from a transformer to its
/// secondary.
const BACKBONE_M: f64 = 150.0;
const LATERAL_M: f64 = 60.0;
const SECONDARY_M: f64 = 15.0;
/// Metres between neighbouring substations.
const SUBSTATION_SPACING_M: f64 = 20_000.0;

/// Generates a synthetic network; see the [module documentation](super) for its shape.
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
        kit: Kit::new(&format!("synthetic-{}", opts.seed)),
        feeders: 0,
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
        g.kit.substation(0, 0.0, 0.0, None);
    }
    g.kit.build()
}

/// Where a feeder's backbone is cut: its reclosers (the next to place) and its
/// sectionalizing switch.
struct Cuts {
    reclosers: u32,
    next_recloser: u32,
    switch_placed: bool,
}

/// The state of one generation: the network being built, the counters that number the
/// names, and the end of the previous feeder (for ties).
struct Gen<'a> {
    opts: &'a SyntheticNetworkOptions,
    rng: SplitMix64,
    kit: Kit,
    feeders: u32,
    transformers: u32,
    fuses: u32,
    customers: usize,
    /// The last backbone bus of the previous feeder, for ties.
    last_feeder_end: Option<BusId>,
}

impl Gen<'_> {
    fn substation(&mut self, sub: usize, x: f64, y: f64) {
        let lv = self.kit.substation(sub, x, y, None);
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
        let head = self.kit.bus(format_args!("f{g}_h"), hx, hy);
        let head_line = self.kit.line(
            format_args!("line.f{g}_head"),
            lv,
            head,
            LineOptions::default(),
        );
        self.kit
            .device(format_args!("relay.f{g}"), DeviceKind::Breaker, head_line);

        let mut cuts = Cuts {
            reclosers: self.rng.in_range(&self.opts.reclosers_per_feeder).max(1),
            next_recloser: 1,
            switch_placed: false,
        };
        let mut prev = head;
        let mut served = 0usize;
        let mut k = 0u32;
        while served < target {
            k += 1;
            let dist = 100.0 + k as f64 * BACKBONE_M;
            let (bx, by) = at(dist, 0.0);
            let bus = self.kit.bus(format_args!("f{g}_b{k}"), bx, by);
            let progress = served as f64 / target as f64;
            self.backbone_section(g, prev, bus, progress, &mut cuts);
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
            self.kit.tie(format_args!("line.f{g}_tie"), prev, other);
        }
        self.last_feeder_end = Some(prev);
    }

    /// The backbone section of feeder `g` from `prev` to `bus`, `progress` of the way
    /// through the feeder's customers: the next recloser once progress passes its
    /// share, the sectionalizing switch at two thirds, else a plain line.
    fn backbone_section(
        &mut self,
        g: u32,
        prev: BusId,
        bus: BusId,
        progress: f64,
        cuts: &mut Cuts,
    ) {
        let r = cuts.next_recloser;
        if r <= cuts.reclosers && progress >= r as f64 / (cuts.reclosers + 1) as f64 {
            let e = self.kit.line(
                format_args!("line.f{g}_r{r}"),
                prev,
                bus,
                LineOptions::default(),
            );
            self.kit
                .device(format_args!("recloser.f{g}_r{r}"), DeviceKind::Recloser, e);
            cuts.next_recloser += 1;
        } else if !cuts.switch_placed && progress >= 0.66 {
            let opts = LineOptions {
                switch: true,
                ..LineOptions::default()
            };
            self.kit.line(format_args!("line.f{g}_sw"), prev, bus, opts);
            cuts.switch_placed = true;
        } else {
            self.kit.plain_line(prev, bus, 3);
        }
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
        let first = self.kit.bus(format_args!("l{n}_0"), x, y);
        let lines = self.kit.next_line();
        let opts = LineOptions {
            phases,
            ..LineOptions::default()
        };
        let e = self
            .kit
            .line(format_args!("line.l{lines}"), tap, first, opts);
        self.kit
            .device(format_args!("fuse.f{n}"), DeviceKind::Fuse, e);
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
                let next = self.kit.bus(format_args!("l{n}_{i}"), x, y);
                self.kit.plain_line(bus, next, phases);
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
        let secondary = self.kit.distribution_transformer(n, from, (x, y), count);
        for _ in 0..count {
            let class = customer_class(&mut self.rng, zone);
            let critical = self.rng.chance(self.opts.critical_share);
            let c = self.customers;
            self.customers += 1;
            self.kit.customer(c, secondary, class, critical, zone);
        }
        count
    }
}

/// A transfer on a feeder near the middle of a synthetic network: open its
/// sectionalizing switch `line.fG_sw`, close its tie `line.fG_tie`; `None` when no
/// feeder has a tie.
///
/// ```
/// use outage_locator::bench::synth::{middle_transfer, synthetic_network, SyntheticNetworkOptions};
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
