//! Feeders shaped like utilities': a breaker, reclosers in series along the backbone,
//! sectionalizing switches, normally-open ties to other feeders, fused laterals with
//! fused sub-laterals below them, and distribution transformers of one to ten customers
//! (most one to four), thousands of customers a feeder.

use std::ops::RangeInclusive;

use super::SplitMix64;
use super::kit::{Kit, customer_class};
use crate::ids::BusId;
use crate::network::{DeviceKind, LineOptions, Network, ServiceZone};

/// What [`utility_network`] generates. Ranges are inclusive and drawn uniformly; an
/// empty or reversed range is read as its start.
///
/// The defaults follow North American and rural practice: a distribution transformer
/// serves one to four customers on most streets (`customers_per_transformer`) and six
/// to ten on some (`large_transformer_customers`, a share
/// `large_transformer_share` of transformers), and a feeder serves a few thousand
/// customers through a chain of devices source → breaker → recloser → lateral fuse →
/// sub-lateral fuse → transformer → service.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilityNetworkOptions {
    /// The seed: the same options and seed give the same network.
    pub seed: u64,
    /// Substations, each a source behind a substation transformer (at least one).
    pub substations: u32,
    /// Feeders leaving each substation (at least one).
    pub feeders_per_substation: RangeInclusive<u32>,
    /// Customers on each feeder (at least one): a feeder grows until it serves the
    /// number drawn, so its last transformer may take it a few customers past.
    pub customers_per_feeder: RangeInclusive<u32>,
    /// Reclosers in series along each feeder's backbone, below its breaker.
    pub reclosers_per_feeder: RangeInclusive<u32>,
    /// Normally closed sectionalizing switches along each backbone.
    pub switches_per_feeder: RangeInclusive<u32>,
    /// Normally-open ties from each feeder's backbone to the next feeder's (the next
    /// substation's first feeder after a substation's last, the first after the very
    /// last); a network of one feeder ties to neighbouring feeders that it leaves out.
    pub ties_per_feeder: RangeInclusive<u32>,
    /// Distribution transformers along a fused lateral itself (at least one).
    pub transformers_per_lateral: RangeInclusive<u32>,
    /// Fused sub-laterals tapped off each lateral, below its fuse.
    pub sub_laterals_per_lateral: RangeInclusive<u32>,
    /// Distribution transformers along a sub-lateral (at least one).
    pub transformers_per_sub_lateral: RangeInclusive<u32>,
    /// Customers on most distribution transformers (at least one).
    pub customers_per_transformer: RangeInclusive<u32>,
    /// Customers on the larger transformers.
    pub large_transformer_customers: RangeInclusive<u32>,
    /// The share of transformers that are larger.
    pub large_transformer_share: f64,
    /// The share of backbone buses with a transformer straight off the backbone,
    /// unfused.
    pub backbone_transformer_share: f64,
    /// The share of customers that are critical (hospitals, life support).
    pub critical_share: f64,
    /// The share of sectionalizing switches operated by a switch control
    /// (`swtcontrol.fG_sK` on a plain line `line.fG_sK`, reporting to SCADA) rather
    /// than switch lines.
    pub controlled_switch_share: f64,
    /// All substations fed from one source, the circuit `circuit.<network name>` at a
    /// transmission bus `tx`, each through its sub-transmission line `line.subN_tx`,
    /// instead of a source each: the shape of an OpenDSS model, which has one circuit.
    pub shared_source: bool,
    /// Stop at exactly this many customers: the substation, feeder and transformer
    /// being generated when the count is reached end there, and the substations
    /// after them are left out. `None`: every substation in full.
    pub total_customers: Option<usize>,
}

impl Default for UtilityNetworkOptions {
    fn default() -> Self {
        UtilityNetworkOptions {
            seed: 0,
            substations: 1,
            feeders_per_substation: 2..=4,
            customers_per_feeder: 1_500..=4_500,
            reclosers_per_feeder: 1..=3,
            switches_per_feeder: 1..=3,
            ties_per_feeder: 1..=2,
            transformers_per_lateral: 2..=8,
            sub_laterals_per_lateral: 0..=3,
            transformers_per_sub_lateral: 1..=6,
            customers_per_transformer: 1..=4,
            large_transformer_customers: 6..=10,
            large_transformer_share: 0.15,
            backbone_transformer_share: 0.05,
            critical_share: 0.002,
            controlled_switch_share: 0.0,
            shared_source: false,
            total_customers: None,
        }
    }
}

impl UtilityNetworkOptions {
    /// A whole utility's network of exactly `customers` customers, one OpenDSS
    /// circuit, in the proportions of a regional utility's model: for a million
    /// customers about 76 substations of four to eight feeders (about 450), 2,200
    /// customers a feeder, 195,000 distribution transformers of one to twelve
    /// customers (about five on average), 31,000 fuses on laterals and sub-laterals,
    /// 670 reclosers, a normally-open tie and a sectionalizing switch per feeder on
    /// average (a quarter of the switches under a `SwtControl`), and chains of up to
    /// eleven outage devices below the source, the service included. Larger and
    /// smaller networks keep the proportions: only the number of substations grows.
    ///
    /// ```
    /// use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network};
    /// let net = utility_network(&UtilityNetworkOptions::region(20_000, 1));
    /// assert_eq!(net.customers().len(), 20_000);
    /// assert_eq!(net.sources().len(), 1);
    /// ```
    pub fn region(customers: usize, seed: u64) -> Self {
        UtilityNetworkOptions {
            seed,
            // More than the customers need (13,500 a substation on average): the
            // total ends the network.
            substations: (customers / 12_000 + 2).min(u32::MAX as usize) as u32,
            feeders_per_substation: 4..=8,
            customers_per_feeder: 1_400..=3_000,
            reclosers_per_feeder: 0..=3,
            switches_per_feeder: 0..=2,
            ties_per_feeder: 1..=1,
            transformers_per_lateral: 4..=11,
            sub_laterals_per_lateral: 0..=2,
            transformers_per_sub_lateral: 2..=8,
            customers_per_transformer: 1..=8,
            large_transformer_customers: 6..=12,
            large_transformer_share: 0.15,
            backbone_transformer_share: 0.05,
            critical_share: 0.002,
            controlled_switch_share: 0.25,
            shared_source: true,
            total_customers: Some(customers),
        }
    }

    /// The fewest and most customers a distribution transformer can have.
    pub fn transformer_customer_bounds(&self) -> (u32, u32) {
        let lo = |r: &RangeInclusive<u32>| (*r.start()).max(1);
        let hi = |r: &RangeInclusive<u32>| (*r.end()).max(*r.start()).max(1);
        let small = &self.customers_per_transformer;
        let large = &self.large_transformer_customers;
        match self.large_transformer_share {
            s if s <= 0.0 => (lo(small), hi(small)),
            s if s >= 1.0 => (lo(large), hi(large)),
            _ => (lo(small).min(lo(large)), hi(small).max(hi(large))),
        }
    }
}

/// Metres between backbone buses, lateral buses, sub-lateral buses, and from a bus to
/// a transformer's secondary.
const BACKBONE_M: f64 = 300.0;
const LATERAL_M: f64 = 40.0;
const SUB_LATERAL_M: f64 = 25.0;
const SECONDARY_M: f64 = 10.0;
/// Metres between neighbouring substations.
const SUBSTATION_SPACING_M: f64 = 20_000.0;

/// Generates a network of utility-shaped feeders; see [`UtilityNetworkOptions`].
///
/// Names: `circuit.subN` at bus `subN` behind `transformer.subN`; feeder `G` (numbered
/// across the network) leaves through breaker `relay.fG` on `line.fG_head`, has
/// reclosers `recloser.fG_rK` on `line.fG_rK`, sectionalizing switches `line.fG_sK`,
/// backbone buses `fG_bK` and normally-open ties `line.fG_tieK` (to a bus
/// `fG_tieK_far` outside the model when the network has one feeder); laterals and
/// sub-laterals alike are fused by `fuse.fN` on their first line, with buses `lN_K`;
/// distribution transformers `transformer.tN` feed secondaries `tN`; customers are
/// `load.cN` and other lines `line.lN`. A sectionalizing switch under a switch
/// control is `swtcontrol.fG_sK` on the plain line `line.fG_sK`. With
/// [`shared_source`](UtilityNetworkOptions::shared_source), the one source is
/// `circuit.utility-SEED` at bus `tx`, the network's name `utility-SEED`.
///
/// # Complexity
/// O(C) time and memory for C customers.
///
/// ```
/// use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network};
/// use outage_locator::EnergizationView;
///
/// let opts = UtilityNetworkOptions { seed: 3, feeders_per_substation: 2..=2, ..Default::default() };
/// let net = utility_network(&opts);
/// assert!(net.customers().len() >= 3_000);
/// assert_eq!(net, utility_network(&opts));
/// let view = EnergizationView::normal(&net).unwrap();
/// assert!(net.customers().iter().enumerate().all(|(i, _)| view.is_supplied(i.into())));
/// ```
pub fn utility_network(opts: &UtilityNetworkOptions) -> Network {
    let name = format!("utility-{}", opts.seed);
    let mut g = Gen {
        opts,
        rng: SplitMix64::new(opts.seed ^ 0x0071_11e7_fee0_de25),
        kit: Kit::new(&name),
        backbones: Vec::new(),
        transformers: 0,
        fuses: 0,
        customers: 0,
    };
    let subs = opts.substations.max(1) as usize;
    let cols = (subs as f64).sqrt().ceil() as usize;
    let tx = opts.shared_source.then(|| {
        // Between the first substations, short of the grid's first row.
        let x = (cols.min(subs) - 1) as f64 * SUBSTATION_SPACING_M / 2.0;
        g.kit.transmission(&name, x, -SUBSTATION_SPACING_M / 2.0)
    });
    for sub in 0..subs {
        if g.remaining() == 0 {
            break;
        }
        let x = (sub % cols) as f64 * SUBSTATION_SPACING_M;
        let y = (sub / cols) as f64 * SUBSTATION_SPACING_M;
        let lv = g.kit.substation(sub, x, y, tx);
        let feeders = g.rng.in_range(&opts.feeders_per_substation).max(1);
        let start = g.rng.unit() * std::f64::consts::TAU;
        for j in 0..feeders {
            if g.remaining() == 0 {
                break;
            }
            let angle = start + std::f64::consts::TAU * j as f64 / feeders as f64;
            g.feeder(lv, (x + 30.0, y), angle);
        }
    }
    g.ties();
    g.kit.build()
}

/// A feeder's direction from its substation: a point `d` metres along it and `side`
/// metres across.
#[derive(Clone, Copy)]
struct Axis {
    origin: (f64, f64),
    along: (f64, f64),
}

impl Axis {
    fn at(self, d: f64, side: f64) -> (f64, f64) {
        let (dx, dy) = self.along;
        (
            self.origin.0 + dx * d - dy * side,
            self.origin.1 + dy * d + dx * side,
        )
    }
}

/// A cut of the backbone: a recloser or a sectionalizing switch, placed at the first
/// backbone section past its share of the feeder's customers.
#[derive(Clone, Copy)]
enum Cut {
    Recloser(u32),
    Switch(u32),
}

/// The state of one generation: the network being built, each feeder's backbone buses
/// (for ties) and the counters that number the names.
struct Gen<'a> {
    opts: &'a UtilityNetworkOptions,
    rng: SplitMix64,
    kit: Kit,
    backbones: Vec<Vec<(f64, f64, BusId)>>,
    transformers: u32,
    fuses: u32,
    customers: usize,
}

impl Gen<'_> {
    fn feeder(&mut self, lv: BusId, origin: (f64, f64), angle: f64) {
        let g = self.backbones.len();
        let axis = Axis {
            origin,
            along: (angle.cos(), angle.sin()),
        };
        let zone = match self.rng.below(100) {
            0..60 => ServiceZone::Rural,
            60..85 => ServiceZone::Urban,
            _ => ServiceZone::Remote,
        };
        let target = self.rng.in_range(&self.opts.customers_per_feeder).max(1) as usize;
        let mut cuts = self.cuts();
        let (hx, hy) = axis.at(100.0, 0.0);
        let head = self.kit.bus(format_args!("f{g}_h"), hx, hy);
        let e = self.kit.line(
            format_args!("line.f{g}_head"),
            lv,
            head,
            LineOptions::default(),
        );
        self.kit
            .device(format_args!("relay.f{g}"), DeviceKind::Breaker, e);
        let mut backbone = Vec::new();
        let (mut prev, mut served, mut k) = (head, 0usize, 0u32);
        while served < target && self.remaining() > 0 {
            k += 1;
            let dist = 100.0 + k as f64 * BACKBONE_M;
            let (bx, by) = axis.at(dist, 0.0);
            let bus = self.kit.bus(format_args!("f{g}_b{k}"), bx, by);
            self.backbone_section(g, prev, bus, served as f64 / target as f64, &mut cuts);
            backbone.push((bx, by, bus));
            prev = bus;
            let zone = if zone == ServiceZone::Rural && served * 10 > target * 6 {
                ServiceZone::Remote
            } else {
                zone
            };
            let side = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
            // `remaining` first: with no total set it is never 0, and the draws are
            // those of a network without the option.
            if self.remaining() > 0 && self.rng.chance(self.opts.backbone_transformer_share) {
                let at = axis.at(dist, side * SECONDARY_M);
                served += self.transformer(bus, at, zone);
            }
            if served < target && self.remaining() > 0 {
                let tap = Tap { bus, dist, side };
                let budget = (target - served).min(self.remaining());
                served += self.lateral(axis, tap, budget, zone);
            }
        }
        self.backbones.push(backbone);
    }

    /// The feeder's cuts, by the share of its customers above them.
    fn cuts(&mut self) -> Vec<(f64, Cut)> {
        let r = self.rng.in_range(&self.opts.reclosers_per_feeder);
        let s = self.rng.in_range(&self.opts.switches_per_feeder);
        let mut cuts: Vec<(f64, Cut)> = (1..=r)
            .map(|i| (i as f64 / (r + 1) as f64, Cut::Recloser(i)))
            .chain((1..=s).map(|i| ((i as f64 - 0.5) / s as f64, Cut::Switch(i))))
            .collect();
        cuts.sort_by(|a, b| a.0.total_cmp(&b.0));
        cuts.reverse();
        cuts
    }

    /// The backbone section from `prev` to `bus`, `progress` of the way through the
    /// feeder's customers: the next cut once progress passes its share, else a plain
    /// line. `cuts` are in reverse order, the next last.
    fn backbone_section(
        &mut self,
        g: usize,
        prev: BusId,
        bus: BusId,
        progress: f64,
        cuts: &mut Vec<(f64, Cut)>,
    ) {
        match cuts.last() {
            Some(&(share, Cut::Recloser(i))) if progress >= share => {
                let e = self.kit.line(
                    format_args!("line.f{g}_r{i}"),
                    prev,
                    bus,
                    LineOptions::default(),
                );
                self.kit
                    .device(format_args!("recloser.f{g}_r{i}"), DeviceKind::Recloser, e);
                cuts.pop();
            }
            Some(&(share, Cut::Switch(i))) if progress >= share => {
                // No draw when no switch is controlled: the default networks' draws
                // stay as they were.
                let share = self.opts.controlled_switch_share;
                let controlled = share > 0.0 && self.rng.chance(share);
                let opts = LineOptions {
                    switch: !controlled,
                    ..LineOptions::default()
                };
                let e = self
                    .kit
                    .line(format_args!("line.f{g}_s{i}"), prev, bus, opts);
                if controlled {
                    self.kit
                        .device(format_args!("swtcontrol.f{g}_s{i}"), DeviceKind::Switch, e);
                }
                cuts.pop();
            }
            _ => {
                self.kit.plain_line(prev, bus, 3);
            }
        }
    }

    /// A fused lateral off a backbone bus, with its fused sub-laterals, ending once it
    /// serves `budget` customers or more; returns how many it serves.
    fn lateral(&mut self, axis: Axis, tap: Tap, budget: usize, zone: ServiceZone) -> usize {
        let phases = if self.rng.chance(0.2) { 3 } else { 1 };
        let count = self
            .rng
            .in_range(&self.opts.transformers_per_lateral)
            .max(1);
        let subs = self.rng.in_range(&self.opts.sub_laterals_per_lateral);
        let n = self.fuses;
        self.fuses += 1;
        let mut off = LATERAL_M;
        let first = self.fused_first_bus(n, tap.bus, axis.at(tap.dist, tap.side * off), phases);
        let mut buses = vec![(first, off)];
        let mut served = 0;
        for i in 0..count {
            if served >= budget {
                return served;
            }
            if i > 0 && self.rng.chance(0.6) {
                off += LATERAL_M;
                let (x, y) = axis.at(tap.dist, tap.side * off);
                let next = self.kit.bus(format_args!("l{n}_{i}"), x, y);
                let prev = buses[buses.len() - 1].0;
                self.kit.plain_line(prev, next, phases);
                buses.push((next, off));
            }
            let along = if i.is_multiple_of(2) { 1.0 } else { -1.0 } * SECONDARY_M;
            let at = axis.at(tap.dist + along, tap.side * off);
            let bus = buses[buses.len() - 1].0;
            served += self.transformer(bus, at, zone);
        }
        for j in 0..subs {
            if served >= budget {
                break;
            }
            let (bus, off) = buses[self.rng.index(buses.len())];
            let forward = if j.is_multiple_of(2) { 1.0 } else { -1.0 };
            let sub = Tap {
                bus,
                dist: tap.dist,
                side: tap.side * off,
            };
            served += self.sub_lateral(axis, sub, forward, budget - served, zone);
        }
        served
    }

    /// A fused sub-lateral off a lateral bus, running along the backbone's direction
    /// (`forward` ±1), ending once it serves `budget` customers or more; returns how
    /// many it serves.
    fn sub_lateral(
        &mut self,
        axis: Axis,
        tap: Tap,
        forward: f64,
        budget: usize,
        zone: ServiceZone,
    ) -> usize {
        let count = self
            .rng
            .in_range(&self.opts.transformers_per_sub_lateral)
            .max(1);
        let n = self.fuses;
        self.fuses += 1;
        let mut along = SUB_LATERAL_M;
        let at = |along: f64| axis.at(tap.dist + forward * along, tap.side);
        let mut bus = self.fused_first_bus(n, tap.bus, at(along), 1);
        let mut served = 0;
        for i in 0..count {
            if served >= budget {
                break;
            }
            if i > 0 {
                along += SUB_LATERAL_M;
                let (x, y) = at(along);
                let next = self.kit.bus(format_args!("l{n}_{i}"), x, y);
                self.kit.plain_line(bus, next, 1);
                bus = next;
            }
            let (x, y) = at(along);
            served += self.transformer(bus, (x, y + SECONDARY_M), zone);
        }
        served
    }

    /// The first bus `lN_0` of lateral or sub-lateral `n`, behind `fuse.fN` on the
    /// line from `tap`.
    fn fused_first_bus(&mut self, n: u32, tap: BusId, (x, y): (f64, f64), phases: u8) -> BusId {
        let first = self.kit.bus(format_args!("l{n}_0"), x, y);
        let line = self.kit.next_line();
        let opts = LineOptions {
            phases,
            ..LineOptions::default()
        };
        let e = self
            .kit
            .line(format_args!("line.l{line}"), tap, first, opts);
        self.kit
            .device(format_args!("fuse.f{n}"), DeviceKind::Fuse, e);
        first
    }

    /// A distribution transformer with its customers; returns how many.
    fn transformer(&mut self, from: BusId, at: (f64, f64), zone: ServiceZone) -> usize {
        let o = self.opts;
        let range = if self.rng.chance(o.large_transformer_share) {
            &o.large_transformer_customers
        } else {
            &o.customers_per_transformer
        };
        let count = (self.rng.in_range(range).max(1) as usize).min(self.remaining());
        let n = self.transformers;
        self.transformers += 1;
        let secondary = self.kit.distribution_transformer(n, from, at, count);
        for _ in 0..count {
            let class = customer_class(&mut self.rng, zone);
            let critical = self.rng.chance(o.critical_share);
            self.kit
                .customer(self.customers, secondary, class, critical, zone);
            self.customers += 1;
        }
        count
    }

    /// How many customers the network may still take (`usize::MAX` with no total).
    fn remaining(&self) -> usize {
        self.opts
            .total_customers
            .map_or(usize::MAX, |t| t.saturating_sub(self.customers))
    }

    /// The normally-open ties: from each feeder's backbone (its far end first, then
    /// buses in its second half) to a bus in the second half of the next feeder's, or
    /// to a bus outside the model when there is no other feeder. A tie drawn between
    /// two buses already tied is left out.
    fn ties(&mut self) {
        let nf = self.backbones.len();
        let mut tied: Vec<(BusId, BusId)> = Vec::new();
        for g in 0..nf {
            let ties = self.rng.in_range(&self.opts.ties_per_feeder);
            for k in 1..=ties {
                let (x, y, from) = self.backbone_bus(g, k == 1);
                let to = if nf > 1 {
                    self.backbone_bus((g + 1) % nf, false).2
                } else {
                    self.kit
                        .bus(format_args!("f{g}_tie{k}_far"), x + 50.0, y + 50.0)
                };
                if tied.contains(&(from, to)) || tied.contains(&(to, from)) {
                    continue;
                }
                tied.push((from, to));
                self.kit.tie(format_args!("line.f{g}_tie{k}"), from, to);
            }
        }
    }

    /// A bus of feeder `g`'s backbone: its last, or one drawn from its second half.
    fn backbone_bus(&mut self, g: usize, last: bool) -> (f64, f64, BusId) {
        let b = &self.backbones[g];
        let i = if last {
            b.len() - 1
        } else {
            b.len() / 2 + self.rng.index(b.len() - b.len() / 2)
        };
        self.backbones[g][i]
    }
}

/// Where a lateral or sub-lateral leaves: the bus, and its place along and across the
/// feeder.
#[derive(Clone, Copy)]
struct Tap {
    bus: BusId,
    dist: f64,
    side: f64,
}
