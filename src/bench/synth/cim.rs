//! The CIM XML writer: any network (a synthetic one, for scale) written as the CIM
//! objects the CIM reader reads, so that a model of any size can be imported from CIM.

use std::io::{self, BufWriter, Write};

use quick_xml::escape::escape;

use crate::ids::{BusId, DeviceId};
use crate::network::{DeviceKind, Element, ElementKind, Network};

/// Writes a network as CIM XML (CIM100, objects linked by `urn:uuid:` references as
/// OpenDSS's exporter writes them): a `ConnectivityNode` per bus, an `EnergySource` per
/// source, an `ACLineSegment`, `LoadBreakSwitch` or `PowerTransformer` (with its two
/// `PowerTransformerEnd`s) per element, a `Breaker`, `Recloser`, `Fuse`,
/// `Sectionaliser` or `LoadBreakSwitch` per protective device, an `EnergyConsumer` per
/// customer, each with its `Terminal`s; positions as `Location`s with a
/// `PositionPoint` per terminal, ratings as `CurrentLimit`s, the network's name as a
/// `GeographicalRegion`.
///
/// Read back with [`import_cim`](crate::network::import_cim), the network has the same buses,
/// customers, loads, ratings and chain of outage devices above every customer, named
/// as the replay contract names CIM objects: `relay.x` becomes `breaker.x`, a switch
/// line `line.x` and `swtcontrol.x` become `switch.x`, a sectionalizer `switch.x`.
/// The devices on an element stand in its place (a transformer's come before it, on
/// nodes of their own, `x~1`, `x~2`...); customer classes, zones and critical flags
/// are not in CIM's topology subset and read back as the defaults.
///
/// ```
/// use outage_locator::bench::synth::{SyntheticNetworkOptions, synthetic_network, write_cim};
///
/// let net = synthetic_network(&SyntheticNetworkOptions { customers: 300, ..Default::default() });
/// let mut xml = Vec::new();
/// write_cim(&net, &mut xml).unwrap();
/// let (back, report) = outage_locator::network::import_cim_str(std::str::from_utf8(&xml).unwrap()).unwrap();
/// assert_eq!(back.customers().len(), 300);
/// assert_eq!(report.warning_count, 0);
/// ```
///
/// # Complexity
/// O(B + E + D + C) time for B buses, E elements, D devices and C customers; memory
/// O(E) besides the output's buffer.
///
/// # Errors
/// The output's write errors.
pub fn write_cim(net: &Network, out: impl Write) -> io::Result<()> {
    let mut w = Cim {
        out: BufWriter::with_capacity(1 << 16, out),
        next: 0,
    };
    w.header(net)?;
    let nodes: Vec<u64> = (0..net.buses().len()).map(|_| w.id()).collect();
    for (b, id) in net.buses().iter().zip(&nodes) {
        w.object_start("ConnectivityNode", *id, &b.name)?;
        w.end("ConnectivityNode")?;
    }
    for s in net.sources() {
        w.source(net, s.bus, nodes[s.bus.index()], &s.name, s.base_kv)?;
    }
    let mut on: Vec<(u32, u8, DeviceId)> = net
        .devices()
        .iter()
        .enumerate()
        .map(|(i, d)| (d.element.0, d.kind.rank(), DeviceId::from(i)))
        .collect();
    on.sort_unstable();
    let mut k = 0;
    for (i, e) in net.elements().iter().enumerate() {
        let start = k;
        while k < on.len() && on[k].0 as usize == i {
            k += 1;
        }
        let devices: Vec<DeviceId> = on[start..k].iter().map(|x| x.2).collect();
        w.element(net, e, &devices, &nodes)?;
    }
    for c in net.customers() {
        let id = w.id();
        w.object_start("EnergyConsumer", id, suffix(&c.name))?;
        if c.kw.is_some_and(|kw| kw >= 1000.0) {
            // A customer of 1 MW or more stays a customer, not an aggregate of another
            // feeder, on a low-voltage base.
            w.reference("ConductingEquipment.BaseVoltage", LV_BASE)?;
        }
        if let Some(kw) = c.kw {
            w.value("EnergyConsumer.p", kw * 1000.0)?;
            w.value("EnergyConsumer.q", c.kvar.unwrap_or(0.0) * 1000.0)?;
        }
        w.end("EnergyConsumer")?;
        w.terminal(id, 1, nodes[c.bus.index()])?;
    }
    writeln!(w.out, "</rdf:RDF>")?;
    w.out.flush()
}

/// The ids of the objects written once: the low-voltage base and the two limit types.
const LV_BASE: u64 = u64::MAX;
const NORMAL_TYPE: u64 = u64::MAX - 1;
const EMERGENCY_TYPE: u64 = u64::MAX - 2;

/// A name without its class word: `line.l12` -> `l12`.
fn suffix(name: &str) -> &str {
    name.split_once('.').map_or(name, |x| x.1)
}

/// The writer: the output and the number of the next object.
struct Cim<W: Write> {
    out: BufWriter<W>,
    next: u64,
}

/// An object's id as written: a UUID made of its number.
struct Uuid(u64);

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        write!(
            f,
            "urn:uuid:{:08x}-{:04x}-4000-8000-{:012x}",
            n >> 48,
            (n >> 32) & 0xffff,
            n & 0xffff_ffff
        )
    }
}

impl<W: Write> Cim<W> {
    fn id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    fn header(&mut self, net: &Network) -> io::Result<()> {
        writeln!(self.out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>")?;
        writeln!(
            self.out,
            "<rdf:RDF xmlns:cim=\"http://iec.ch/TC57/CIM100#\" xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
        )?;
        let region = self.id();
        self.object_start("GeographicalRegion", region, net.name())?;
        self.end("GeographicalRegion")?;
        self.object_start("BaseVoltage", LV_BASE, "BaseV_0.4000")?;
        self.value("BaseVoltage.nominalVoltage", 400.0)?;
        self.end("BaseVoltage")?;
        for (id, name, duration) in [
            (NORMAL_TYPE, "NormAmpsType", 5e9),
            (EMERGENCY_TYPE, "EmergencyAmpsType", 7200.0),
        ] {
            self.object_start("OperationalLimitType", id, name)?;
            self.value("OperationalLimitType.acceptableDuration", duration)?;
            self.end("OperationalLimitType")?;
        }
        Ok(())
    }

    fn object_start(&mut self, class: &str, id: u64, name: &str) -> io::Result<()> {
        writeln!(self.out, "<cim:{class} rdf:about=\"{}\">", Uuid(id))?;
        writeln!(
            self.out,
            "  <cim:IdentifiedObject.name>{}</cim:IdentifiedObject.name>",
            escape(name)
        )
    }

    fn end(&mut self, class: &str) -> io::Result<()> {
        writeln!(self.out, "</cim:{class}>")
    }

    fn reference(&mut self, prop: &str, id: u64) -> io::Result<()> {
        writeln!(self.out, "  <cim:{prop} rdf:resource=\"{}\"/>", Uuid(id))
    }

    fn value(&mut self, prop: &str, v: impl std::fmt::Display) -> io::Result<()> {
        writeln!(self.out, "  <cim:{prop}>{v}</cim:{prop}>")
    }

    /// A terminal of equipment `eq` on node `node`; returns its id.
    fn terminal(&mut self, eq: u64, seq: u32, node: u64) -> io::Result<u64> {
        let id = self.id();
        writeln!(self.out, "<cim:Terminal rdf:about=\"{}\">", Uuid(id))?;
        self.reference("Terminal.ConductingEquipment", eq)?;
        self.value("ACDCTerminal.sequenceNumber", seq)?;
        self.reference("Terminal.ConnectivityNode", node)?;
        self.end("Terminal")?;
        Ok(id)
    }

    /// A location with a point per position; returns its id.
    fn location(&mut self, points: &[[f64; 2]]) -> io::Result<u64> {
        let id = self.id();
        writeln!(self.out, "<cim:Location rdf:about=\"{}\">", Uuid(id))?;
        self.end("Location")?;
        for (k, [x, y]) in points.iter().enumerate() {
            let p = self.id();
            writeln!(self.out, "<cim:PositionPoint rdf:about=\"{}\">", Uuid(p))?;
            self.reference("PositionPoint.Location", id)?;
            self.value("PositionPoint.sequenceNumber", k + 1)?;
            self.value("PositionPoint.xPosition", x)?;
            self.value("PositionPoint.yPosition", y)?;
            self.end("PositionPoint")?;
        }
        Ok(id)
    }

    fn source(
        &mut self,
        net: &Network,
        bus: BusId,
        node: u64,
        name: &str,
        kv: Option<f64>,
    ) -> io::Result<()> {
        let points: Vec<[f64; 2]> = net.bus(bus).position.into_iter().collect();
        let loc = match points.is_empty() {
            true => None,
            false => Some(self.location(&points)?),
        };
        let id = self.id();
        self.object_start("EnergySource", id, suffix(name))?;
        if let Some(kv) = kv {
            self.value("EnergySource.nominalVoltage", kv * 1000.0)?;
        }
        if let Some(loc) = loc {
            self.reference("PowerSystemResource.Location", loc)?;
        }
        self.end("EnergySource")?;
        self.terminal(id, 1, node)?;
        Ok(())
    }

    /// An element and the devices on it: the devices in series from its bus 1, in
    /// their stacking order, standing in the element's place unless it is a
    /// transformer (which follows them on a node of its own).
    fn element(
        &mut self,
        net: &Network,
        e: &Element,
        devices: &[DeviceId],
        nodes: &[u64],
    ) -> io::Result<()> {
        let body = devices.is_empty() || e.kind == ElementKind::Transformer;
        let pieces = devices.len() + body as usize;
        let from_pos = net.bus(e.from).position;
        let to_pos = net.bus(e.to).position;
        let mut at = nodes[e.from.index()];
        for (k, &d) in devices.iter().enumerate() {
            let last = k + 1 == pieces;
            let next = if last {
                nodes[e.to.index()]
            } else {
                let inner = self.id();
                let name = format!("{}~{}", suffix(&e.name), k + 1);
                self.object_start("ConnectivityNode", inner, &name)?;
                self.end("ConnectivityNode")?;
                inner
            };
            let dev = net.device(d);
            let open = dev.normally_open || (k == 0 && e.normally_open);
            let class = match dev.kind {
                DeviceKind::Breaker => "Breaker",
                DeviceKind::Recloser => "Recloser",
                DeviceKind::Fuse => "Fuse",
                DeviceKind::Sectionalizer => "Sectionaliser",
                DeviceKind::Switch => "LoadBreakSwitch",
            };
            let ends = [from_pos, if last { to_pos } else { from_pos }];
            self.two_terminal(class, &dev.name, e, Some(open), at, next, ends)?;
            at = next;
        }
        if !body {
            return Ok(());
        }
        let end = nodes[e.to.index()];
        let ends = [from_pos, to_pos];
        match e.kind {
            ElementKind::Transformer => self.transformer(e, at, end, ends),
            _ if e.switch => self.two_terminal(
                "LoadBreakSwitch",
                &e.name,
                e,
                Some(e.normally_open),
                at,
                end,
                ends,
            ),
            _ => self.two_terminal("ACLineSegment", &e.name, e, None, at, end, ends),
        }
    }

    /// Two-terminal equipment between two nodes, with its switch state (for switches),
    /// the element's ratings, phases and state (for lines) and positions.
    #[allow(clippy::too_many_arguments)]
    fn two_terminal(
        &mut self,
        class: &str,
        name: &str,
        e: &Element,
        open: Option<bool>,
        a: u64,
        b: u64,
        ends: [Option<[f64; 2]>; 2],
    ) -> io::Result<()> {
        let loc = match ends {
            [Some(p), Some(q)] => Some(self.location(&[p, q])?),
            _ => None,
        };
        let id = self.id();
        self.object_start(class, id, suffix(name))?;
        match open {
            Some(open) => {
                self.value("Switch.normalOpen", open)?;
                self.value("Switch.open", open)?;
            }
            None if e.normally_open => self.value("Equipment.normallyInService", false)?,
            None => {}
        }
        if let Some(loc) = loc {
            self.reference("PowerSystemResource.Location", loc)?;
        }
        self.end(class)?;
        if class == "ACLineSegment" && e.phases < 3 {
            for k in 0..e.phases {
                let p = self.id();
                writeln!(
                    self.out,
                    "<cim:ACLineSegmentPhase rdf:about=\"{}\">",
                    Uuid(p)
                )?;
                self.value("ACLineSegmentPhase.sequenceNumber", k + 1)?;
                self.reference("ACLineSegmentPhase.ACLineSegment", id)?;
                self.end("ACLineSegmentPhase")?;
            }
        }
        let t1 = self.terminal(id, 1, a)?;
        self.terminal(id, 2, b)?;
        self.limits(e, t1)
    }

    /// A line's ratings as a limit set on its terminal 1.
    fn limits(&mut self, e: &Element, terminal: u64) -> io::Result<()> {
        if e.normal_amps.is_none() && e.emergency_amps.is_none() {
            return Ok(());
        }
        let set = self.id();
        writeln!(
            self.out,
            "<cim:OperationalLimitSet rdf:about=\"{}\">",
            Uuid(set)
        )?;
        self.reference("OperationalLimitSet.Terminal", terminal)?;
        self.end("OperationalLimitSet")?;
        for (amps, kind) in [
            (e.normal_amps, NORMAL_TYPE),
            (e.emergency_amps, EMERGENCY_TYPE),
        ] {
            if let Some(amps) = amps {
                let id = self.id();
                writeln!(self.out, "<cim:CurrentLimit rdf:about=\"{}\">", Uuid(id))?;
                self.reference("OperationalLimit.OperationalLimitSet", set)?;
                self.reference("OperationalLimit.OperationalLimitType", kind)?;
                self.value("CurrentLimit.value", amps)?;
                self.end("CurrentLimit")?;
            }
        }
        Ok(())
    }

    /// A transformer and its two ends: end 1 at its primary's voltage (where known),
    /// end 2 at its lowest winding's.
    fn transformer(
        &mut self,
        e: &Element,
        a: u64,
        b: u64,
        ends: [Option<[f64; 2]>; 2],
    ) -> io::Result<()> {
        let loc = match ends {
            [Some(p), Some(q)] => Some(self.location(&[p, q])?),
            _ => None,
        };
        let id = self.id();
        self.object_start("PowerTransformer", id, suffix(&e.name))?;
        if e.normally_open {
            self.value("Equipment.normallyInService", false)?;
        }
        if let Some(loc) = loc {
            self.reference("PowerSystemResource.Location", loc)?;
        }
        self.end("PowerTransformer")?;
        let terminals = [self.terminal(id, 1, a)?, self.terminal(id, 2, b)?];
        for (k, (terminal, kv)) in terminals
            .into_iter()
            .zip([e.rated_kv, e.lowest_kv])
            .enumerate()
        {
            let end = self.id();
            writeln!(
                self.out,
                "<cim:PowerTransformerEnd rdf:about=\"{}\">",
                Uuid(end)
            )?;
            self.reference("PowerTransformerEnd.PowerTransformer", id)?;
            if let Some(kv) = kv {
                self.value("PowerTransformerEnd.ratedU", kv * 1000.0)?;
            }
            if let Some(kva) = e.rated_kva {
                self.value("PowerTransformerEnd.ratedS", kva * 1000.0)?;
            }
            self.value("TransformerEnd.endNumber", k + 1)?;
            self.reference("TransformerEnd.Terminal", terminal)?;
            self.end("PowerTransformerEnd")?;
        }
        self.limits(e, terminals[0])
    }
}
