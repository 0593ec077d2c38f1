//! What the network generators share: a builder that names buses, lines, devices,
//! substations, distribution transformers and customers as it adds them, laid out on a
//! 0.1 m grid, and the mix of customer classes by zone.

use std::fmt::Write as _;

use super::SplitMix64;
use crate::ids::{BusId, ElementId};
use crate::network::{
    CustomerClass, DeviceKind, ElementKind, LineOptions, Network, NetworkBuilder, ServiceZone,
};

/// Rounds to the 0.1 m grid, so that coordinates print short and read back exactly.
pub(super) fn grid(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Standard single-phase transformer sizes, kVA.
const KVA: [f64; 7] = [10.0, 15.0, 25.0, 37.5, 50.0, 75.0, 100.0];

/// A network being generated: the builder, a scratch name, and the number of the next
/// plain line `line.lN`.
pub(super) struct Kit {
    b: NetworkBuilder,
    name: String,
    lines: u32,
}

impl Kit {
    /// An empty network of the given name.
    pub(super) fn new(name: &str) -> Self {
        Kit {
            b: NetworkBuilder::new(name),
            name: String::with_capacity(32),
            lines: 0,
        }
    }

    /// The network.
    ///
    /// # Panics
    /// When a generator broke its own rules: every id and name handed to the builder
    /// was made by the kit, in order, so that a generated network is valid by
    /// construction (radial in its normal state, every customer supplied).
    pub(super) fn build(self) -> Network {
        self.b
            .build()
            .expect("a generated network is valid by construction")
    }

    fn set_name(&mut self, args: std::fmt::Arguments<'_>) {
        self.name.clear();
        // Writing to a String cannot fail.
        let _ = self.name.write_fmt(args);
    }

    /// A bus at a point.
    pub(super) fn bus(&mut self, args: std::fmt::Arguments<'_>, x: f64, y: f64) -> BusId {
        self.set_name(args);
        let id = self.b.add_bus(&self.name);
        self.b.set_bus_point(id, grid(x), grid(y));
        id
    }

    /// A named line.
    pub(super) fn line(
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

    /// The number of the next plain line, taken.
    pub(super) fn next_line(&mut self) -> u32 {
        self.lines += 1;
        self.lines - 1
    }

    /// A plain line `line.lN` of the given phases.
    pub(super) fn plain_line(&mut self, from: BusId, to: BusId, phases: u8) -> ElementId {
        let n = self.next_line();
        let opts = LineOptions {
            phases,
            ..LineOptions::default()
        };
        self.line(format_args!("line.l{n}"), from, to, opts)
    }

    /// A normally-open switch.
    pub(super) fn tie(&mut self, name: std::fmt::Arguments<'_>, from: BusId, to: BusId) {
        let opts = LineOptions {
            switch: true,
            normally_open: true,
            ..LineOptions::default()
        };
        self.line(name, from, to, opts);
    }

    /// A protective device on an element; all but fuses report to SCADA.
    pub(super) fn device(
        &mut self,
        name: std::fmt::Arguments<'_>,
        kind: DeviceKind,
        on: ElementId,
    ) {
        self.set_name(name);
        let telemetered = kind != DeviceKind::Fuse;
        self.b
            .add_device_on(&self.name, kind, on, telemetered, false)
            .expect("the element was added");
    }

    /// The one source of a network whose substations share it: `circuit.<name>` at a
    /// transmission bus `tx` at a point, returned.
    pub(super) fn transmission(&mut self, name: &str, x: f64, y: f64) -> BusId {
        let tx = self.bus(format_args!("tx"), x, y);
        self.b
            .add_source(&format!("circuit.{name}"), "tx")
            .expect("the bus was added");
        tx
    }

    /// Substation `sub` at a point: its high-voltage bus `subN`, fed by its own source
    /// `circuit.subN`, or with `tx` by the sub-transmission line `line.subN_tx` from
    /// that bus; the substation transformer `transformer.subN` and its low-voltage
    /// bus, returned.
    pub(super) fn substation(&mut self, sub: usize, x: f64, y: f64, tx: Option<BusId>) -> BusId {
        let hv = self.bus(format_args!("sub{sub}"), x, y);
        match tx {
            Some(tx) => {
                self.line(
                    format_args!("line.sub{sub}_tx"),
                    tx,
                    hv,
                    LineOptions::default(),
                );
            }
            None => {
                self.set_name(format_args!("circuit.sub{sub}"));
                let source = self.name.clone();
                self.set_name(format_args!("sub{sub}"));
                let bus = self.name.clone();
                self.b.add_source(&source, &bus).expect("the bus was added");
            }
        }
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

    /// Distribution transformer `transformer.tN` from `from` to a new secondary bus
    /// `tN` at a point, sized for `customers`; returns the secondary.
    pub(super) fn distribution_transformer(
        &mut self,
        n: u32,
        from: BusId,
        (x, y): (f64, f64),
        customers: usize,
    ) -> BusId {
        let secondary = self.bus(format_args!("t{n}"), x, y);
        let kva = KVA
            .iter()
            .copied()
            .find(|&k| k >= 5.0 * customers as f64)
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
        secondary
    }

    /// Customer `load.cN` at a bus.
    pub(super) fn customer(
        &mut self,
        n: usize,
        bus: BusId,
        class: CustomerClass,
        critical: bool,
        zone: ServiceZone,
    ) {
        self.set_name(format_args!("load.c{n}"));
        self.b
            .add_customer_at(&self.name, bus, class, critical, zone)
            .expect("the bus was added");
    }
}

/// A customer's class, drawn for its zone: mostly residential, with commercial,
/// industrial, agricultural and public ones in proportions that depend on the zone.
pub(super) fn customer_class(rng: &mut SplitMix64, zone: ServiceZone) -> CustomerClass {
    let r = rng.below(100);
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
