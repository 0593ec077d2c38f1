//! Assembly: the objects read turned into a [`NetworkBuilder`]'s buses, source,
//! elements, customers and devices, built into a radial [`Network`] with its report.

use std::path::Path;

use crate::error::{ImportError, SourceLocation};
use crate::network::{DeviceKind, ElementKind, LineOptions, Network, NetworkBuilder, bus_key};

use super::ImportOptions;
use super::bag::Bag;
use super::files::Reader;
use super::hashing::{FastMap, FastSet};
use super::objects::{Obj, Objects};
use super::ratings;
use super::report::{ImportReport, Notes};
use super::values::{objname, to_bool, to_float};

/// A power-delivery element as it goes to the builder.
struct El {
    /// `class.name`, lowercase.
    name: String,
    kind: ElementKind,
    /// Its distinct buses (bus keys); the first two are joined.
    buses: Vec<String>,
    phases: u8,
    switch: bool,
    /// Disabled or opened in the model.
    open: bool,
    lowest_kv: Option<f64>,
    kva: Option<f64>,
    /// A transformer's highest winding voltage, kV.
    rated_kv: Option<f64>,
    /// A line's or reactor's normal and emergency ampacity, A.
    amps: Option<(f64, f64)>,
    at: SourceLocation,
}

/// Builds the network from what `reader` read of the model at `path`.
///
/// # Complexity
/// O(N) for N objects read (a hash lookup per name), and O(B + E log B) to open the
/// loops of a meshed model (B buses, E elements).
///
/// # Errors
/// [`ImportError::NoCircuit`] when the model defines no circuit,
/// [`ImportError::NoCustomers`] when it has none (unless `opts.accept_partial`), and
/// the builder's errors (a loop among closed elements is cut first, with a warning).
pub(super) fn assemble(
    reader: Reader,
    path: &Path,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let Reader {
        objects,
        coords,
        files,
        mut notes,
        ..
    } = reader;
    let (circuit, source_bus) = circuit_and_source_bus(&objects, path)?;
    let source_kv = objects
        .circuit
        .map(|ci| ratings::source_kv(&objects, &objects.list[ci], &mut notes));
    let mut report = ImportReport::default();
    let els = elements(&objects, &mut notes, &mut report);
    let buses = Buses::reached(&els, &source_bus);
    let mut b = NetworkBuilder::new(&circuit);
    for name in &buses.list {
        b.add_bus(name);
    }
    let source = b.add_source(&format!("circuit.{circuit}"), &source_bus)?;
    if let Some(kv) = source_kv {
        b.set_source_kv(source, kv);
    }
    add_elements(&mut b, &els)?;
    add_customers(&mut b, &objects, &buses, &mut notes, &mut report)?;
    add_devices(&mut b, &objects, &els, &mut notes, &mut report)?;
    for (name, x, y) in &coords {
        b.set_bus_position(name, *x, *y);
    }
    let net = build_radial(b, &els, &mut notes)?;
    if net.customers().is_empty() {
        if !opts.accept_partial {
            let path = path.to_path_buf();
            return Err(ImportError::NoCustomers { path });
        }
        let at = objects.circuit.map(|c| objects.list[c].at.clone());
        notes.warn(&at.unwrap_or_default(), "the model has no customers");
    }
    report.customers = net.customers().len();
    report.sources = net.sources().len();
    report.distribution_transformers = net
        .elements()
        .iter()
        .filter(|e| e.is_distribution_transformer() && !e.normally_open)
        .count();
    report.max_depth = net.longest_outage_chain();
    report.warning_count = notes.warnings.len();
    report.warning_list = notes.warnings;
    report.skipped = notes.skipped;
    report.defaulted = notes.defaulted;
    report.files = files.len();
    Ok((net, report))
}

/// The circuit's name and its source bus (a `Vsource.source` edit moves it).
fn circuit_and_source_bus(objects: &Objects, path: &Path) -> Result<(String, String), ImportError> {
    let Some(ci) = objects.circuit else {
        return Err(ImportError::NoCircuit {
            path: path.to_path_buf(),
        });
    };
    let circuit = &objects.list[ci];
    let mut source_bus = circuit
        .get("bus1")
        .map(bus_key)
        .unwrap_or_else(|| "sourcebus".to_string());
    if let Some(vs) = objects.get("vsource.source")
        && let Some(b) = vs.get("bus1")
    {
        source_bus = bus_key(b);
    }
    Ok((circuit.name.to_ascii_lowercase(), source_bus))
}

/// The power-delivery elements (lines, transformers, series reactors) that join two
/// buses, in definition order; counts transformers and switches in the report.
fn elements(objects: &Objects, notes: &mut Notes, report: &mut ImportReport) -> Vec<El> {
    let mut els: Vec<El> = Vec::new();
    for o in &objects.list {
        let kind = match o.cls {
            "line" => ElementKind::Line,
            "transformer" => ElementKind::Transformer,
            "reactor" => ElementKind::Reactor,
            _ => continue,
        };
        let key = format!("{}.{}", o.cls, o.name.to_ascii_lowercase());
        let open = !o.enabled() || objects.opened.contains(&key);
        let el = if kind == ElementKind::Transformer {
            transformer(objects, o, key, open, notes, report)
        } else {
            two_terminal(objects, o, kind, key, open, notes, report)
        };
        els.extend(el);
    }
    els
}

/// A transformer, its winding properties completed from its `xfmrcode`; joins its
/// first two distinct buses.
fn transformer(
    objects: &Objects,
    o: &Obj,
    key: String,
    open: bool,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Option<El> {
    let (wd, phases) = windings(objects, o, &key, notes);
    let buses: Vec<String> = wd
        .iter()
        .filter_map(|w| w.get("bus").map(bus_key))
        .collect();
    if buses.is_empty() {
        notes.warn(&o.at, format!("{key}: no buses, skipped"));
        return None;
    }
    if o.enabled() {
        report.transformers += 1;
    }
    let kvs: Vec<f64> = wd.iter().filter_map(|w| to_float(w.get("kv"))).collect();
    let lowest_kv = kvs.iter().copied().reduce(f64::min);
    let kva = wd.first().and_then(|w| to_float(w.get("kva")));
    let mut distinct: Vec<String> = Vec::new();
    for b in buses {
        if !distinct.contains(&b) {
            distinct.push(b);
        }
    }
    if distinct.len() > 2 {
        notes.warn(
            &o.at,
            format!(
                "{key}: windings on {} buses; only the first two are joined",
                distinct.len()
            ),
        );
    }
    if distinct.len() < 2 {
        let msg = format!(
            "{key}: every winding is on bus {}, a self-loop, skipped",
            distinct[0]
        );
        notes.warn(&o.at, msg);
        return None;
    }
    let rated_kv = ratings::transformer_kv(o, &kvs, kva, &key, notes);
    Some(El {
        name: key,
        kind: ElementKind::Transformer,
        buses: distinct,
        phases: to_float(phases).unwrap_or(3.0) as u8,
        switch: false,
        open,
        lowest_kv,
        kva,
        rated_kv,
        amps: None,
        at: o.at.clone(),
    })
}

/// A transformer's windings and phases: its own, completed by those of its
/// `xfmrcode` (the code's `kv`, `kva` and `conn` where the transformer sets none).
fn windings<'o>(
    objects: &'o Objects,
    o: &'o Obj,
    key: &str,
    notes: &mut Notes,
) -> (Vec<Bag>, Option<&'o str>) {
    let mut wd = o.wdgs.clone();
    let mut phases = o.get("phases");
    if let Some(code) = o.get("xfmrcode") {
        match objects.get(&format!("xfmrcode.{}", code.to_ascii_lowercase())) {
            Some(xc) => {
                for (i, w) in xc.wdgs.iter().enumerate() {
                    while wd.len() <= i {
                        wd.push(Bag::default());
                    }
                    for k in ["kv", "kva", "conn"] {
                        if let Some(v) = w.get(k)
                            && !wd[i].contains(k)
                        {
                            wd[i].insert(k, v);
                        }
                    }
                }
                if phases.is_none() {
                    phases = xc.get("phases");
                }
            }
            None => notes.warn(&o.at, format!("{key}: unknown xfmrcode {code}")),
        }
    }
    (wd, phases)
}

/// A line or series reactor between `bus1` and `bus2` (a reactor with no `bus2` is a
/// shunt, skipped); phases from `phases=` or else the nodes of `bus1`.
fn two_terminal(
    objects: &Objects,
    o: &Obj,
    kind: ElementKind,
    key: String,
    open: bool,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Option<El> {
    let (Some(b1), b2) = (o.get("bus1"), o.get("bus2")) else {
        notes.warn(&o.at, format!("{key}: no bus1, skipped"));
        return None;
    };
    let Some(b2) = b2 else {
        if kind == ElementKind::Line {
            notes.warn(&o.at, format!("{key}: no bus2, skipped"));
        } else {
            notes.skip("reactor (shunt)");
        }
        return None;
    };
    let switch = kind == ElementKind::Line && o.get("switch").is_some_and(to_bool);
    if switch {
        report.switches += 1;
        report.open_switches += open as usize;
    }
    let phases = to_float(o.get("phases")).unwrap_or_else(|| {
        let n = b1
            .split('.')
            .skip(1)
            .filter(|p| p.parse::<u32>().is_ok_and(|x| x != 0))
            .count();
        if n > 0 { n as f64 } else { 3.0 }
    });
    let (k1, k2) = (bus_key(b1), bus_key(b2));
    if k1 == k2 {
        let msg = format!("{key}: bus1={b1} and bus2={b2} are both bus {k1}, a self-loop, skipped");
        notes.warn(&o.at, msg);
        return None;
    }
    let amps = ratings::line_amps(objects, o, &key, notes);
    Some(El {
        name: key,
        kind,
        buses: vec![k1, k2],
        phases: phases as u8,
        switch,
        open,
        lowest_kv: None,
        kva: None,
        rated_kv: None,
        amps: Some(amps),
        at: o.at.clone(),
    })
}

/// The buses of the elements (and the source bus), in order of first mention, and
/// which of them closed elements reach from the source: loads elsewhere have no supply
/// and are left out.
struct Buses<'a> {
    list: Vec<&'a str>,
    index: FastMap<&'a str, usize>,
    reached: Vec<bool>,
}

impl<'a> Buses<'a> {
    /// # Complexity
    /// O(B + E) for B buses and E elements (one hash lookup each).
    fn reached(els: &'a [El], source_bus: &'a str) -> Self {
        let mut index: FastMap<&str, usize> = FastMap::default();
        let mut list: Vec<&str> = Vec::new();
        for e in els {
            for b in &e.buses {
                if !index.contains_key(b.as_str()) {
                    index.insert(b.as_str(), list.len());
                    list.push(b.as_str());
                }
            }
        }
        if !index.contains_key(source_bus) {
            index.insert(source_bus, list.len());
            list.push(source_bus);
        }
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
        // The first two buses only: an element joins those (the warning above says so
        // for transformers with more), and the builder would find loads beyond the
        // others unsupplied.
        for e in els.iter().filter(|e| !e.open) {
            let a = index[e.buses[0].as_str()];
            let b = index[e.buses[1].as_str()];
            adj[a].push(b);
            adj[b].push(a);
        }
        let mut reached = vec![false; list.len()];
        let s = index[source_bus];
        reached[s] = true;
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            for &y in &adj[x] {
                if !reached[y] {
                    reached[y] = true;
                    stack.push(y);
                }
            }
        }
        Buses {
            list,
            index,
            reached,
        }
    }

    /// Whether the bus has a path to the source over closed elements.
    fn is_reached(&self, bus: &str) -> bool {
        matches!(self.index.get(bus), Some(&i) if self.reached[i])
    }
}

/// Adds the elements, each at its definition.
fn add_elements(b: &mut NetworkBuilder, els: &[El]) -> Result<(), ImportError> {
    for e in els {
        b.at(e.at.clone());
        let opts = LineOptions {
            phases: e.phases,
            switch: e.switch,
            normally_open: e.open,
        };
        let id = b.push_element(
            &e.name,
            e.kind,
            &e.buses[0],
            &e.buses[1],
            opts,
            e.lowest_kv,
            e.kva,
        )?;
        if let Some((normal, emergency)) = e.amps {
            b.set_element_rating(id, Some(normal), Some(emergency));
        }
        if let Some(kv) = e.rated_kv {
            b.set_transformer_kv(id, kv);
        }
    }
    Ok(())
}

/// Adds the enabled loads with supply as customers, except the aggregates of another
/// feeder (at 1 kV or more and 1 MW/MVA or more), which are counted.
fn add_customers(
    b: &mut NetworkBuilder,
    objects: &Objects,
    buses: &Buses<'_>,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    for o in &objects.list {
        if o.cls != "load" || !o.enabled() {
            continue;
        }
        let key = format!("load.{}", o.name.to_ascii_lowercase());
        let Some(bus) = o.get("bus1") else {
            notes.warn(&o.at, format!("{key}: no bus, skipped"));
            continue;
        };
        let bus = bus_key(bus);
        if !buses.is_reached(&bus) {
            notes.warn(
                &o.at,
                format!("{key}: bus {bus} has no path to the source, skipped"),
            );
            continue;
        }
        let kv = to_float(o.get("kv")).unwrap_or(12.47);
        let size = [o.get("kw"), o.get("kva"), o.get("xfkva")]
            .into_iter()
            .filter_map(to_float)
            .fold(0.0, f64::max);
        if kv >= 1.0 && size >= 1000.0 {
            report.aggregate_loads += 1;
            continue;
        }
        b.at(o.at.clone());
        let c = b.add_customer(&key, &bus)?;
        if let Some((kw, kvar)) = ratings::load_power(o, &key, notes) {
            b.set_customer_load(c, kw, kvar);
        }
    }
    Ok(())
}

/// Adds the enabled relays (as breakers), reclosers, fuses and switch controls on the
/// element they switch (or else monitor); counts them in the report.
fn add_devices(
    b: &mut NetworkBuilder,
    objects: &Objects,
    els: &[El],
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let kinds = [
        ("relay", DeviceKind::Breaker),
        ("recloser", DeviceKind::Recloser),
        ("fuse", DeviceKind::Fuse),
        ("swtcontrol", DeviceKind::Switch),
    ];
    let element_names: FastSet<&str> = els.iter().map(|e| e.name.as_str()).collect();
    for o in &objects.list {
        let Some(&(_, kind)) = kinds.iter().find(|(c, _)| *c == o.cls) else {
            continue;
        };
        let key = format!("{}.{}", o.cls, o.name.to_ascii_lowercase());
        if !o.enabled() {
            notes.warn(&o.at, format!("{key}: disabled, skipped"));
            continue;
        }
        let target = if kind == DeviceKind::Switch {
            o.get("switchedobj")
        } else {
            o.get("switchedobj").or(o.get("monitoredobj"))
        };
        let Some(target) = target else {
            notes.warn(&o.at, format!("{key}: no monitored element, skipped"));
            continue;
        };
        let target = objname(target);
        if !element_names.contains(target.as_str()) {
            notes.warn(&o.at, format!("{key}: element {target} not found, skipped"));
            continue;
        }
        let normally_open = ["normal", "state"].iter().any(|p| {
            o.get(p)
                .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with('o'))
        });
        let telemetered = kind != DeviceKind::Fuse;
        b.at(o.at.clone());
        b.add_device_with(&key, kind, &target, telemetered, normally_open)?;
        match kind {
            DeviceKind::Breaker => report.breakers += 1,
            DeviceKind::Recloser => report.reclosers += 1,
            DeviceKind::Fuse => report.fuses += 1,
            DeviceKind::Switch => {
                report.switches += 1;
                report.open_switches += normally_open as usize;
            }
            DeviceKind::Sectionalizer => {}
        }
    }
    Ok(())
}

/// Builds the network, opening first the closed elements that close loops (an OMS
/// must cut a meshed model somewhere to stay radial; see
/// [`NetworkBuilder::open_loops`] for where), each with a warning naming it.
///
/// # Complexity
/// O(B + E log B) for the loops, whatever their number (the network is built once).
fn build_radial(
    mut builder: NetworkBuilder,
    els: &[El],
    notes: &mut Notes,
) -> Result<Network, ImportError> {
    // The builder's elements are `els`, added in order.
    for e in builder.open_loops() {
        let el = &els[e.index()];
        let (a, b) = (&el.buses[0], &el.buses[1]);
        let msg = format!(
            "{}: closes a loop (buses {a} and {b} are fed along other paths too), treated as open",
            el.name
        );
        notes.warn(&el.at, msg);
    }
    Ok(builder.build()?)
}
