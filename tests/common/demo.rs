//! The ticket-layer tests' world: the demo network (a breaker, a recloser, a fuse and
//! four distribution transformers with four customers each, with bus positions in
//! metres), the IEEE 123-bus fixture, time and event shorthands, and [`Script`], an
//! outage source the test drives by hand.

use outage_locator::evidence::CallDetail;
use outage_locator::inference::{CallClassification, OutageCause, OutageStatus};
use outage_locator::network::{CustomerClass, DeviceKind, ServiceZone};
use outage_locator::service::OutageSource;
use outage_locator::*;

/// The IEEE 123-bus fixture with the evaluation's protection layer.
pub fn ieee123() -> Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    import_opendss(path).unwrap().0
}

/// The network `tickets-demo`:
///
/// ```text
/// circuit ── relay.brk ── recloser.r1 ─┬─ transformer.t1: c1..c4
///                                      ├─ transformer.t2: c5..c8
///                                      └─ transformer.t3: c9..c12
///            └──────────── fuse.f2 ─── transformer.t4: c13..c16 (rural; c13 critical)
/// ```
///
/// The breaker and the recloser report to SCADA.
pub fn demo_network() -> Network {
    let mut b = NetworkBuilder::new("tickets-demo");
    for (name, x, y) in [
        ("s", 0.0, 0.0),
        ("b0", 500.0, 0.0),
        ("b1", 1500.0, 0.0),
        ("b2", 1500.0, -2000.0),
        ("x1", 2500.0, 500.0),
        ("x2", 2500.0, 0.0),
        ("x3", 2500.0, -500.0),
        ("x4", 6000.0, -2000.0),
    ] {
        b.add_bus(name);
        b.set_bus_position(name, x, y);
    }
    b.add_source("circuit.demo", "s").unwrap();
    b.add_line("line.l0", "s", "b0").unwrap();
    b.add_line("line.l1", "b0", "b1").unwrap();
    b.add_line("line.l2", "b0", "b2").unwrap();
    b.add_device("relay.brk", DeviceKind::Breaker, "line.l0")
        .unwrap();
    b.add_device("recloser.r1", DeviceKind::Recloser, "line.l1")
        .unwrap();
    b.add_device("fuse.f2", DeviceKind::Fuse, "line.l2")
        .unwrap();
    for (t, from, to) in [
        ("t1", "b1", "x1"),
        ("t2", "b1", "x2"),
        ("t3", "b1", "x3"),
        ("t4", "b2", "x4"),
    ] {
        b.add_transformer(&format!("transformer.{t}"), from, to, 0.24, 50.0)
            .unwrap();
    }
    for i in 1..=16 {
        let bus = format!("x{}", (i - 1) / 4 + 1);
        let zone = if i > 12 {
            ServiceZone::Rural
        } else {
            ServiceZone::Urban
        };
        b.add_customer_with(
            &format!("load.c{i}"),
            &bus,
            CustomerClass::Residential,
            i == 13,
            zone,
        )
        .unwrap();
    }
    b.build().unwrap()
}

/// `2026-07-01T12:00:00Z` plus minutes.
pub fn t(min: f64) -> Timestamp {
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    t0 + (min * 60_000.0).round() as Millis
}

/// The customer of that name.
pub fn c(net: &Network, name: &str) -> CustomerId {
    net.customer_by_name(name).unwrap()
}

/// The outage device of that name.
pub fn d(net: &Network, name: &str) -> OutageDeviceId {
    net.outage_device_by_name(name).unwrap()
}

/// An event at `time`.
pub fn ev(time: Timestamp, evidence: Evidence) -> Event {
    Event { time, evidence }
}

/// A last gasp from customer `name` at minute `min`.
pub fn lg(net: &Network, name: &str, min: f64) -> Event {
    ev(
        t(min),
        Evidence::LastGasp {
            meter: c(net, name),
        },
    )
}

/// A call from customer `name` at minute `min`.
pub fn call(net: &Network, name: &str, min: f64, detail: CallDetail) -> Event {
    ev(
        t(min),
        Evidence::Call {
            customer: c(net, name),
            detail,
        },
    )
}

/// A clock tick at minute `min`.
pub fn tick(min: f64) -> Event {
    ev(t(min), Evidence::Tick)
}

/// Customers `c{from}..=c{to}`.
pub fn range(from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|i| format!("c{i}")).collect()
}

/// A scripted outage source: the test says which outages open, move and close, and the
/// ticket layer follows, independently of how the inference would decide.
pub struct Script<'n> {
    pub net: &'n Network,
    pub view: EnergizationView,
    pub clock: Timestamp,
    pub outages: Vec<Outage>,
    pub wire: std::collections::BTreeSet<CustomerId>,
}

impl<'n> Script<'n> {
    /// No outage yet, the clock at minute 0, the normal switch states.
    pub fn new(net: &'n Network) -> Self {
        Script {
            net,
            view: EnergizationView::normal(net).unwrap(),
            clock: t(0.0),
            outages: Vec::new(),
            wire: Default::default(),
        }
    }

    /// Moves the clock to minute `min`.
    pub fn at(&mut self, min: f64) -> &mut Self {
        self.clock = t(min);
        self
    }

    fn get(&mut self, o: OutageId) -> &mut Outage {
        &mut self.outages[o.0 as usize - 1]
    }

    /// Opens an outage of `cause` at `device` (faults predicted, the rest confirmed).
    pub fn open(&mut self, device: &str, cause: OutageCause) -> (OutageId, Change) {
        let device = d(self.net, device);
        let id = OutageId(self.outages.len() as u32 + 1);
        self.outages.push(Outage {
            id,
            device,
            cause,
            status: if cause == OutageCause::Fault {
                OutageStatus::Predicted
            } else {
                OutageStatus::Confirmed
            },
            customers: self.view.customer_count_below(device),
            confidence: 0.9,
            start: self.clock,
            opened_at: self.clock,
            closed_at: None,
            planned_end: None,
            own_start: None,
        });
        (id, Change::Opened(id))
    }

    /// Opens a predicted fault outage at `device`.
    pub fn fault(&mut self, device: &str) -> (OutageId, Change) {
        self.open(device, OutageCause::Fault)
    }

    /// Confirms an outage.
    pub fn confirm(&mut self, o: OutageId) -> Change {
        self.get(o).status = OutageStatus::Confirmed;
        Change::Updated(o)
    }

    /// Moves an outage to another device, with that device's customers.
    pub fn move_to(&mut self, o: OutageId, device: &str) -> Change {
        let device = d(self.net, device);
        let n = self.view.customer_count_below(device);
        let x = self.get(o);
        x.device = device;
        x.customers = n;
        Change::Updated(o)
    }

    /// Closes an outage with `status`, merged into another or not.
    pub fn close(
        &mut self,
        o: OutageId,
        status: OutageStatus,
        merged_into: Option<OutageId>,
    ) -> Change {
        let clock = self.clock;
        let x = self.get(o);
        x.status = status;
        x.closed_at = Some(clock);
        Change::Closed {
            outage: o,
            merged_into,
        }
    }

    /// A call from `customer`, classified like the engine would (wire down or not).
    pub fn call(&mut self, customer: &str, wire_down: bool) -> Change {
        let c = c(self.net, customer);
        if wire_down {
            self.wire.insert(c);
        }
        Change::Call(self.classify(c))
    }

    fn innermost(&self, c: CustomerId, cause: OutageCause) -> Option<OutageId> {
        self.view.upstream(OutageDeviceId(c.0)).find_map(|dev| {
            self.outages
                .iter()
                .find(|o| o.device == dev && o.cause == cause && o.closed_at.is_none())
                .map(|o| o.id)
        })
    }
}

impl OutageSource for Script<'_> {
    fn network(&self) -> &Network {
        self.net
    }
    fn view(&self) -> &EnergizationView {
        &self.view
    }
    fn clock(&self) -> Timestamp {
        self.clock
    }
    fn outage(&self, id: OutageId) -> Option<&Outage> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.outages.get(i))
    }
    fn wire_down(&self, c: CustomerId) -> bool {
        self.wire.contains(&c)
    }
    fn classify(&self, c: CustomerId) -> CallClassification {
        for cause in [
            OutageCause::Disconnect,
            OutageCause::Planned,
            OutageCause::Fault,
        ] {
            if let Some(o) = self.innermost(c, cause) {
                return CallClassification {
                    customer: c,
                    cause: Some(cause),
                    outage: Some(o),
                };
            }
        }
        CallClassification {
            customer: c,
            cause: None,
            outage: None,
        }
    }
}
