//! The OpenDSS writer: a network written as a model folder (a master file, a file per
//! substation, bus coordinates) that the crate's reader imports into the same network.
//!
//! A substation here is what hangs below one element at a source bus: the substation
//! transformer of a network with a source per substation, or the sub-transmission line
//! of one whose substations share a source
//! ([`UtilityNetworkOptions::shared_source`](super::UtilityNetworkOptions::shared_source)).
//! Its file holds its power-delivery elements, then its loads, then its protective
//! devices and switch controls, each in id order; the normally-open elements (ties)
//! and whatever no source reaches go to `ties.dss`, read last. The reader numbers
//! elements, customers and devices in the order it reads them, so a network whose
//! substations each hold one run of ids, in order, with its ties last (as the
//! generators make them) reads back with the same ids.
//!
//! What the model does not say is not written: customer classes, zones and critical
//! flags (an imported customer is residential, urban and not critical), and whether a
//! device reports to SCADA (the reader takes every device but fuses as telemetered).
//! OpenDSS has one circuit: the first source is the circuit, the others `Vsource`s,
//! which the reader does not follow.

use std::fmt::Display;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::ids::{BusId, NONE};
use crate::network::{CustomerClass, DeviceKind, Element, ElementKind, Network};

/// What [`write_opendss`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    /// The master file, the one to give the reader.
    pub master: PathBuf,
    /// Every file written, the master first, with its size in bytes.
    pub files: Vec<(PathBuf, u64)>,
}

impl ModelFiles {
    /// Bytes written in all.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, b)| b).sum()
    }
}

/// Writes a network as an OpenDSS model in `dir` (created if missing): `master.dss`,
/// which redirects `linecodes.dss`, one file per substation (`000-sub0.dss`, ...) and
/// `ties.dss`, and names the bus coordinates `buscoords.csv`. Files are written in
/// parallel, each through one buffer, with no allocation per object.
///
/// # Errors
/// The file system's errors, and [`io::ErrorKind::InvalidInput`] for a network with a
/// sectionalizer (OpenDSS has no such class).
///
/// # Complexity
/// O(B + E + D + C) time for B buses, E elements, D devices and C customers; the
/// layout takes O(B + E + C) memory besides the buffers.
///
/// ```
/// use outage_locator::bench::synth::{UtilityNetworkOptions, utility_network, write_opendss};
/// let net = utility_network(&UtilityNetworkOptions::region(3_000, 5));
/// let dir = std::env::temp_dir().join(format!("opendss-doc-{}", std::process::id()));
/// let files = write_opendss(&net, &dir).unwrap();
/// let (read, report) = outage_locator::import_opendss(&files.master).unwrap();
/// assert_eq!(read.customers().len(), 3_000);
/// assert_eq!(report.warning_count, 0);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_opendss(net: &Network, dir: &Path) -> io::Result<ModelFiles> {
    if let Some(d) = net
        .devices()
        .iter()
        .find(|d| d.kind == DeviceKind::Sectionalizer)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: OpenDSS has no sectionalizer class", d.name),
        ));
    }
    std::fs::create_dir_all(dir)?;
    let layout = Layout::of(net);
    let names: Vec<String> = (0..layout.parts.len())
        .map(|p| {
            if p + 1 == layout.parts.len() {
                "ties.dss".to_string()
            } else {
                let bus = &net.bus(layout.parts[p]).name;
                format!("{p:03}-{}.dss", file_safe(bus))
            }
        })
        .collect();
    let master = dir.join("master.dss");
    let mut files = vec![(master.clone(), write_master(net, &master, &names)?)];
    let codes = dir.join("linecodes.dss");
    let size = write_file(&codes, |w| w.write_all(LINECODES.as_bytes()))?;
    files.push((codes, size));
    let parts: Vec<io::Result<(PathBuf, u64)>> = names
        .par_iter()
        .enumerate()
        .map(|(p, name)| {
            let path = dir.join(name);
            let size = write_file(&path, |w| write_part(net, &layout, p as u32, w))?;
            Ok((path, size))
        })
        .collect();
    for part in parts {
        files.push(part?);
    }
    let coords = dir.join("buscoords.csv");
    let size = write_file(&coords, |w| write_coords(net, w))?;
    files.push((coords, size));
    Ok(ModelFiles { master, files })
}

/// The line codes the lines name (the reader skips them; OpenDSS needs them).
const LINECODES: &str = "\
! Line codes: positive- and zero-sequence impedances per km, ratings in amperes.
New Linecode.3p_336acsr nphases=3 r1=0.1903 x1=0.4097 r0=0.4330 x0=1.2390 c1=3.42 c0=1.61 units=km normamps=530 emergamps=660
New Linecode.2p_1/0acsr nphases=2 r1=0.3456 x1=0.4510 r0=0.5902 x0=1.1620 c1=3.05 c0=1.52 units=km normamps=230 emergamps=310
New Linecode.1p_1/0acsr nphases=1 r1=0.3456 x1=0.4510 r0=0.5902 x0=1.1620 c1=3.05 c0=1.52 units=km normamps=230 emergamps=310
";

/// Which file every object goes to. Parts are numbered in the order of their first
/// element; the last part is the ties file.
struct Layout {
    /// Per part but the last, the bus that its first element reaches (to name it).
    parts: Vec<BusId>,
    /// Each part's elements, customers and devices, in id order.
    elements: ByPart,
    customers: ByPart,
    devices: ByPart,
}

/// Ids grouped by part, in id order within a part (CSR).
struct ByPart {
    start: Vec<u32>,
    ids: Vec<u32>,
}

impl ByPart {
    /// Groups ids `0..part_of.len()` by their part, `parts` parts in all.
    fn group(parts: usize, part_of: impl Iterator<Item = u32> + Clone) -> ByPart {
        let mut start = vec![0u32; parts + 1];
        for p in part_of.clone() {
            start[p as usize + 1] += 1;
        }
        for p in 0..parts {
            start[p + 1] += start[p];
        }
        let mut fill = start[..parts].to_vec();
        let mut ids = vec![0u32; start[parts] as usize];
        for (i, p) in part_of.enumerate() {
            ids[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
        ByPart { start, ids }
    }

    /// The ids of a part.
    fn of(&self, part: u32) -> impl Iterator<Item = usize> + '_ {
        let (s, t) = (self.start[part as usize], self.start[part as usize + 1]);
        self.ids[s as usize..t as usize].iter().map(|&i| i as usize)
    }
}

impl Layout {
    /// # Complexity
    /// O(B + E + D) time and memory: one breadth-first walk from the sources over the
    /// elements closed in the normal state.
    fn of(net: &Network) -> Layout {
        let nb = net.buses().len();
        let ne = net.elements().len();
        let (open, start, adj) = closed_adjacency(net);
        // Parts numbered as met; renumbered by first element below.
        let mut bus_part = vec![NONE; nb];
        let mut element_part = vec![NONE; ne];
        let mut is_source = vec![false; nb];
        let mut firsts: Vec<(u32, BusId)> = Vec::new();
        let mut queue: Vec<usize> = Vec::with_capacity(nb);
        for s in net.sources() {
            is_source[s.bus.index()] = true;
            queue.push(s.bus.index());
        }
        let mut head = 0;
        while head < queue.len() {
            let a = queue[head];
            head += 1;
            for &(b, e) in &adj[start[a] as usize..start[a + 1] as usize] {
                let b = b as usize;
                if is_source[b] || bus_part[b] != NONE {
                    continue;
                }
                let part = if is_source[a] {
                    firsts.push((e, BusId::from(b)));
                    firsts.len() as u32 - 1
                } else {
                    bus_part[a]
                };
                bus_part[b] = part;
                element_part[e as usize] = part;
                queue.push(b);
            }
        }
        // Closed elements that the walk did not cross (parallel ones) go with a bus.
        for (e, el) in net.elements().iter().enumerate() {
            if !open[e] && element_part[e] == NONE {
                element_part[e] = bus_part[el.to.index()].min(bus_part[el.from.index()]);
            }
        }
        let mut order: Vec<usize> = (0..firsts.len()).collect();
        order.sort_by_key(|&p| firsts[p].0);
        let mut rank = vec![0u32; firsts.len()];
        for (r, &p) in order.iter().enumerate() {
            rank[p] = r as u32;
        }
        let ties = firsts.len() as u32;
        let renumber = |p: &mut u32| *p = if *p == NONE { ties } else { rank[*p as usize] };
        bus_part.iter_mut().for_each(renumber);
        element_part.iter_mut().for_each(renumber);
        let mut parts: Vec<BusId> = order.iter().map(|&p| firsts[p].1).collect();
        // The ties file's entry; its name is fixed.
        parts.push(BusId(0));
        let n = parts.len();
        Layout {
            parts,
            elements: ByPart::group(n, element_part.iter().copied()),
            customers: ByPart::group(n, net.customers().iter().map(|c| bus_part[c.bus.index()])),
            devices: ByPart::group(
                n,
                net.devices()
                    .iter()
                    .map(|d| element_part[d.element.index()]),
            ),
        }
    }
}

/// Which elements are open in the normal state (opened, or under a normally-open
/// device), and the bus adjacency over the others (CSR: per bus, its neighbours and
/// the elements to them).
///
/// # Complexity
/// O(B + E) time and memory.
fn closed_adjacency(net: &Network) -> (Vec<bool>, Vec<u32>, Vec<(u32, u32)>) {
    let nb = net.buses().len();
    let mut open: Vec<bool> = net.elements().iter().map(|e| e.normally_open).collect();
    for d in net.devices().iter().filter(|d| d.normally_open) {
        open[d.element.index()] = true;
    }
    let mut start = vec![0u32; nb + 1];
    for (e, el) in net.elements().iter().enumerate() {
        if !open[e] {
            start[el.from.index() + 1] += 1;
            start[el.to.index() + 1] += 1;
        }
    }
    for b in 0..nb {
        start[b + 1] += start[b];
    }
    let mut fill = start[..nb].to_vec();
    let mut adj = vec![(0u32, 0u32); start[nb] as usize];
    for (e, el) in net.elements().iter().enumerate() {
        if !open[e] {
            let (a, b) = (el.from.index(), el.to.index());
            adj[fill[a] as usize] = (b as u32, e as u32);
            fill[a] += 1;
            adj[fill[b] as usize] = (a as u32, e as u32);
            fill[b] += 1;
        }
    }
    (open, start, adj)
}

/// A name safe in a file name: letters, digits, `-` and `_`, the rest as `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Creates a file and writes it through a 1 MiB buffer; returns its size.
fn write_file(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    body(&mut w)?;
    w.flush()?;
    Ok(w.get_ref().metadata()?.len())
}

/// The part after `class.` of a `class.name`.
fn short(name: &str) -> &str {
    name.split_once('.').map_or(name, |(_, n)| n)
}

/// The master file: the circuit at the first source, the other sources, and the
/// files in order.
fn write_master(net: &Network, path: &Path, parts: &[String]) -> io::Result<u64> {
    write_file(path, |w| {
        writeln!(
            w,
            "! {}: {} customers, written by outage-locator's OpenDSS writer.",
            net.name(),
            net.customers().len()
        )?;
        writeln!(w, "Clear\nSet DefaultBaseFrequency=60")?;
        let mut sources = net.sources().iter();
        if let Some(s) = sources.next() {
            writeln!(
                w,
                "New Circuit.{} phases=3 basekv=115 pu=1.00 angle=0 bus1={} MVAsc3=20000 MVAsc1=21000",
                short(&s.name),
                net.bus(s.bus).name
            )?;
        }
        for s in sources {
            writeln!(
                w,
                "New Vsource.{} phases=3 basekv=115 pu=1.00 bus1={}",
                short(&s.name),
                net.bus(s.bus).name
            )?;
        }
        writeln!(w, "Redirect linecodes.dss")?;
        for p in parts {
            writeln!(w, "Redirect {p}")?;
        }
        writeln!(w, "Buscoords buscoords.csv")?;
        writeln!(w, "Set VoltageBases=[115 12.47 0.24]\nCalcVoltageBases")
    })
}

/// One part's file: its elements, its loads, its devices, each in id order.
fn write_part(net: &Network, layout: &Layout, part: u32, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "! Lines, switches and transformers")?;
    for e in layout.elements.of(part) {
        write_element(net, &net.elements()[e], w)?;
    }
    writeln!(w, "\n! Customers (one load each)")?;
    for i in layout.customers.of(part) {
        let c = &net.customers()[i];
        let (kw, pf) = load_kw_pf(i, c.class);
        writeln!(
            w,
            "New Load.{} phases=1 bus1={}.1.2 kv=0.24 kw={} pf={pf}",
            short(&c.name),
            net.bus(c.bus).name,
            Hundredths(kw),
        )?;
    }
    writeln!(w, "\n! Protection and switch controls")?;
    for d in layout.devices.of(part) {
        let d = &net.devices()[d];
        let target = &net.element(d.element).name;
        let name = short(&d.name);
        let open = d.normally_open;
        match d.kind {
            DeviceKind::Breaker => write!(
                w,
                "New Relay.{name} MonitoredObj={target} MonitoredTerm=1 PhaseCurve=D GroundCurve=A PhaseTrip=600 GroundTrip=600"
            )?,
            DeviceKind::Recloser => write!(
                w,
                "New Recloser.{name} MonitoredObj={target} MonitoredTerm=1 NumFast=1 Shots=4 RecloseIntervals=(0.5, 2, 2) PhaseTrip=400 GroundTrip=200"
            )?,
            DeviceKind::Fuse => write!(
                w,
                "New Fuse.{name} MonitoredObj={target} MonitoredTerm=1 FuseCurve=Tlink RatedCurrent=65"
            )?,
            DeviceKind::Switch => {
                let s = if open { 'o' } else { 'c' };
                write!(
                    w,
                    "New SwtControl.{name} SwitchedObj={target} SwitchedTerm=1 Normal={s} State={s} Delay=0"
                )?
            }
            // Refused before any file was written.
            DeviceKind::Sectionalizer => unreachable!("no sectionalizer is written"),
        }
        if open && d.kind != DeviceKind::Switch {
            write!(w, " State=open")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One power-delivery element, and the `Open` that opens it when it is normally open.
fn write_element(net: &Network, el: &Element, w: &mut impl Write) -> io::Result<()> {
    let name = short(&el.name);
    let from = Nodes(&net.bus(el.from).name, el.phases);
    let to = Nodes(&net.bus(el.to).name, el.phases);
    let class = match el.kind {
        ElementKind::Line => {
            let length = Thousandths(length_m(net, el));
            write!(
                w,
                "New Line.{name} phases={} bus1={from} bus2={to}",
                el.phases
            )?;
            if el.switch {
                write!(
                    w,
                    " switch=yes r1=0.0001 r0=0.0001 x1=0 x0=0 c1=0 c0=0 length=0.001 units=km"
                )?;
            } else {
                let code = match el.phases {
                    1 => "1p_1/0acsr",
                    2 => "2p_1/0acsr",
                    _ => "3p_336acsr",
                };
                write!(w, " linecode={code} length={length} units=km")?;
            }
            "Line"
        }
        ElementKind::Transformer => {
            write_transformer(net, el, w)?;
            "Transformer"
        }
        ElementKind::Reactor => {
            write!(
                w,
                "New Reactor.{name} phases={} bus1={from} bus2={to} r=0 x=0.1",
                el.phases
            )?;
            "Reactor"
        }
    };
    writeln!(w)?;
    if el.normally_open {
        writeln!(w, "Open {class}.{name} 1")?;
    }
    Ok(())
}

/// A two-winding transformer: the high side at a standard voltage for its low side.
fn write_transformer(net: &Network, el: &Element, w: &mut impl Write) -> io::Result<()> {
    let hv = Nodes(&net.bus(el.from).name, el.phases);
    let lv_name = &net.bus(el.to).name;
    // A single-phase distribution transformer's secondary is split-phase (1.2).
    let lv = Nodes(lv_name, if el.phases == 1 { 2 } else { el.phases });
    write!(
        w,
        "New Transformer.{} phases={} windings=2 buses=[{hv} {lv}] conns=[wye wye]",
        short(&el.name),
        el.phases
    )?;
    if let Some(low) = el.lowest_kv {
        let high = match (low < 1.0, el.phases) {
            (true, 1) => 7.2,
            (true, _) => 12.47,
            (false, _) => 115.0,
        };
        write!(w, " kvs=[{high} {low}]")?;
    }
    if let Some(kva) = el.rated_kva {
        write!(w, " kvas=[{kva} {kva}]")?;
    }
    write!(w, " xhl=2.04 %rs=[0.6 0.6]")
}

/// A line's length from its buses' positions, in metres (at least one); 100 m
/// where a position is missing.
fn length_m(net: &Network, el: &Element) -> u64 {
    match (net.bus(el.from).position, net.bus(el.to).position) {
        (Some([x1, y1]), Some([x2, y2])) => ((x2 - x1).hypot(y2 - y1).round() as u64).max(1),
        _ => 100,
    }
}

/// A customer's demand (kW, in hundredths: 1–6 kW for a household, up to 170 kW for
/// a factory) and power factor, by class, varied by the customer's index.
fn load_kw_pf(i: usize, class: CustomerClass) -> (u64, &'static str) {
    let h = super::SplitMix64::new(i as u64).next_u64() % 1000;
    match class {
        CustomerClass::Residential => (100 + h / 2, "0.97"),
        CustomerClass::Commercial => (500 + h * 3, "0.92"),
        CustomerClass::Industrial => (2_000 + h * 15, "0.88"),
        CustomerClass::Agricultural => (200 + h * 6 / 5, "0.9"),
        CustomerClass::Public => (500 + h * 2, "0.95"),
    }
}

/// A bus with the nodes of so many phases: `b.1`, `b.1.2`, `b.1.2.3`.
struct Nodes<'a>(&'a str, u8);

impl Display for Nodes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes = match self.1 {
            1 => ".1",
            2 => ".1.2",
            _ => ".1.2.3",
        };
        write!(f, "{}{nodes}", self.0)
    }
}

/// A count of hundredths printed as a decimal: `245` as `2.45`.
struct Hundredths(u64);

impl Display for Hundredths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Metres printed as kilometres: `40` as `0.040`.
struct Thousandths(u64);

impl Display for Thousandths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// The bus coordinates: `bus, x, y` a line, for the buses with a position.
fn write_coords(net: &Network, w: &mut impl Write) -> io::Result<()> {
    for b in net.buses() {
        if let Some([x, y]) = b.position {
            writeln!(w, "{}, {x}, {y}", b.name)?;
        }
    }
    Ok(())
}
