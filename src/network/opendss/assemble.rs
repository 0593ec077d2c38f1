//! Assembly: the objects read turned into a [`NetworkBuilder`]'s buses, source,
//! elements, customers and devices, built into a radial [`Network`] with its report.

use std::path::Path;

use crate::error::{ImportError, NetworkError};
use crate::ids::BusId;
use crate::network::names::bus_key_str;
use crate::network::{DeviceKind, ElementKind, LineOptions, Network, NetworkBuilder, bus_key};

use super::ImportOptions;
use super::files::Reader;
use super::objects::Objects;
use super::ratings;
use super::reach::Reach;
use super::report::{ImportReport, Notes};
use super::table::Obj;
use super::values::{objname, to_bool, to_float};

/// Builds the network from what `reader` read of the model at `path`: elements go to
/// the builder as they are met, then the customers the source reaches, then the
/// devices.
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
    let source_kv =
        (objects.circuit).map(|ci| ratings::source_kv(&objects, objects.table.obj(ci), &mut notes));
    let mut report = ImportReport::default();
    let mut b = NetworkBuilder::new(&circuit);
    let count = |cls: &[&str]| {
        objects
            .table
            .iter()
            .filter(|o| cls.contains(&o.cls()))
            .count()
    };
    b.reserve(count(&["line", "transformer", "reactor"]), count(&["load"]));
    let mut reach = Reach::default();
    add_elements(&mut b, &mut reach, &objects, &mut notes, &mut report);
    let source_node = reach.mention(&mut b, &source_bus).0;
    reach.spread(source_node, b.bus_count());
    let source = b.add_source(&format!("circuit.{circuit}"), &source_bus)?;
    if let Some(kv) = source_kv {
        b.set_source_kv(source, kv);
    }
    add_customers(&mut b, &objects, &reach, &mut notes, &mut report);
    add_devices(&mut b, &objects, &mut notes, &mut report)?;
    let at = objects.circuit.map(|c| objects.table.obj(c).at());
    drop(objects);
    for (name, x, y) in &coords {
        b.set_bus_position(name, *x, *y);
    }
    let net = build_radial(b, &reach, &mut notes)?;
    if net.customers().is_empty() {
        if !opts.accept_partial {
            let path = path.to_path_buf();
            return Err(ImportError::NoCustomers { path });
        }
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
    let circuit = objects.table.obj(ci);
    let mut source_bus = circuit
        .get("bus1")
        .map(bus_key)
        .unwrap_or_else(|| "sourcebus".to_string());
    if let Some(vs) = objects.get("vsource.source")
        && let Some(b) = vs.get("bus1")
    {
        source_bus = bus_key(b);
    }
    Ok((circuit.name().to_ascii_lowercase(), source_bus))
}

/// `class.name` of an object, lowercase: its name in the network.
fn key_of(o: Obj<'_>) -> String {
    let mut key = String::with_capacity(o.cls().len() + 1 + o.name().len());
    key.push_str(o.cls());
    key.push('.');
    key.push_str(o.name());
    key.make_ascii_lowercase();
    key
}

/// Adds the power-delivery elements (lines, transformers, series reactors) that join
/// two buses, in definition order, each with its buses as they are first met; counts
/// transformers and switches in the report.
fn add_elements(
    b: &mut NetworkBuilder,
    reach: &mut Reach,
    objects: &Objects,
    notes: &mut Notes,
    report: &mut ImportReport,
) {
    for o in objects.table.iter() {
        let kind = match o.cls() {
            "line" => ElementKind::Line,
            "transformer" => ElementKind::Transformer,
            "reactor" => ElementKind::Reactor,
            _ => continue,
        };
        let key = key_of(o);
        let open = !o.enabled() || objects.opened.contains(&key);
        let el = if kind == ElementKind::Transformer {
            transformer(objects, o, &key, notes, report)
        } else {
            two_terminal(objects, o, kind, &key, open, notes, report)
        };
        let Some(el) = el else { continue };
        let nodes: Vec<(u32, BusId)> = el.buses.iter().map(|k| reach.mention(b, k)).collect();
        reach.ends.push(([nodes[0].0, nodes[1].0], !open));
        b.at(o.at());
        let opts = LineOptions {
            phases: el.phases,
            switch: el.switch,
            normally_open: open,
        };
        let ends = [nodes[0].1, nodes[1].1];
        let id = b.push_named_element(key, kind, ends, opts, el.lowest_kv, el.kva);
        if let Some((normal, emergency)) = el.amps {
            b.set_element_rating(id, Some(normal), Some(emergency));
        }
        if let Some(kv) = el.rated_kv {
            b.set_transformer_kv(id, kv);
        }
    }
}

/// An element as read, before it goes to the builder.
struct El<'o> {
    /// Its distinct buses, as written without node suffixes; the first two are joined.
    buses: Vec<&'o str>,
    phases: u8,
    switch: bool,
    lowest_kv: Option<f64>,
    kva: Option<f64>,
    /// A transformer's highest winding voltage, kV.
    rated_kv: Option<f64>,
    /// A line's or reactor's normal and emergency ampacity, A.
    amps: Option<(f64, f64)>,
}

/// A transformer, its winding properties completed from its `xfmrcode` (the code's
/// `kv`, `kva` and `conn` where the transformer sets none); joins its first two
/// distinct buses.
fn transformer<'o>(
    objects: &'o Objects,
    o: Obj<'o>,
    key: &str,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Option<El<'o>> {
    let code = o.get("xfmrcode").and_then(|code| {
        let found = objects.get_in("xfmrcode", code);
        if found.is_none() {
            notes.warn(&o.at(), format!("{key}: unknown xfmrcode {code}"));
        }
        found
    });
    let phases = o
        .get("phases")
        .or_else(|| code.and_then(|c| c.get("phases")));
    let windings = o.windings().max(code.map_or(0, |c| c.windings()));
    let value = |w: usize, p: &str| {
        o.winding(w, p)
            .or_else(|| code.and_then(|c| c.winding(w, p)))
    };
    let buses: Vec<&str> = (0..windings)
        .filter_map(|w| o.winding(w, "bus").map(bus_key_str))
        .collect();
    if buses.is_empty() {
        notes.warn(&o.at(), format!("{key}: no buses, skipped"));
        return None;
    }
    if o.enabled() {
        report.transformers += 1;
    }
    let kvs: Vec<f64> = (0..windings)
        .filter_map(|w| to_float(value(w, "kv")))
        .collect();
    let lowest_kv = kvs.iter().copied().reduce(f64::min);
    let kva = to_float(value(0, "kva"));
    let mut distinct: Vec<&str> = Vec::new();
    for b in buses {
        if !distinct.iter().any(|d| d.eq_ignore_ascii_case(b)) {
            distinct.push(b);
        }
    }
    if distinct.len() > 2 {
        notes.warn(
            &o.at(),
            format!(
                "{key}: windings on {} buses; only the first two are joined",
                distinct.len()
            ),
        );
    }
    if distinct.len() < 2 {
        let msg = format!(
            "{key}: every winding is on bus {}, a self-loop, skipped",
            distinct[0].to_ascii_lowercase()
        );
        notes.warn(&o.at(), msg);
        return None;
    }
    let rated_kv = ratings::transformer_kv(o, &kvs, kva, key, notes);
    Some(El {
        buses: distinct,
        phases: to_float(phases).unwrap_or(3.0) as u8,
        switch: false,
        lowest_kv,
        kva,
        rated_kv,
        amps: None,
    })
}

/// A line or series reactor between `bus1` and `bus2` (a reactor with no `bus2` is a
/// shunt, skipped); phases from `phases=` or else the nodes of `bus1`.
fn two_terminal<'o>(
    objects: &Objects,
    o: Obj<'o>,
    kind: ElementKind,
    key: &str,
    open: bool,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Option<El<'o>> {
    let (Some(b1), b2) = (o.get("bus1"), o.get("bus2")) else {
        notes.warn(&o.at(), format!("{key}: no bus1, skipped"));
        return None;
    };
    let Some(b2) = b2 else {
        if kind == ElementKind::Line {
            notes.warn(&o.at(), format!("{key}: no bus2, skipped"));
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
    let (k1, k2) = (bus_key_str(b1), bus_key_str(b2));
    if k1.eq_ignore_ascii_case(k2) {
        let k1 = k1.to_ascii_lowercase();
        let msg = format!("{key}: bus1={b1} and bus2={b2} are both bus {k1}, a self-loop, skipped");
        notes.warn(&o.at(), msg);
        return None;
    }
    let amps = ratings::line_amps(objects, o, key, notes);
    Some(El {
        buses: vec![k1, k2],
        phases: phases as u8,
        switch,
        lowest_kv: None,
        kva: None,
        rated_kv: None,
        amps: Some(amps),
    })
}

/// Adds the enabled loads with supply as customers, except the aggregates of another
/// feeder (at 1 kV or more and 1 MW/MVA or more), which are counted.
fn add_customers(
    b: &mut NetworkBuilder,
    objects: &Objects,
    reach: &Reach,
    notes: &mut Notes,
    report: &mut ImportReport,
) {
    for o in objects.table.iter() {
        if o.cls() != "load" || !o.enabled() {
            continue;
        }
        let key = key_of(o);
        let Some(bus) = o.get("bus1") else {
            notes.warn(&o.at(), format!("{key}: no bus, skipped"));
            continue;
        };
        let bus = bus_key_str(bus);
        let Some(id) = reach.reached_bus(b, bus) else {
            let bus = bus.to_ascii_lowercase();
            notes.warn(
                &o.at(),
                format!("{key}: bus {bus} has no path to the source, skipped"),
            );
            continue;
        };
        let kv = to_float(o.get("kv")).unwrap_or(12.47);
        let size = [o.get("kw"), o.get("kva"), o.get("xfkva")]
            .into_iter()
            .filter_map(to_float)
            .fold(0.0, f64::max);
        if kv >= 1.0 && size >= 1000.0 {
            report.aggregate_loads += 1;
            continue;
        }
        b.at(o.at());
        let power = ratings::load_power(o, &key, notes);
        let c = b.push_named_customer(key, id);
        if let Some((kw, kvar)) = power {
            b.set_customer_load(c, kw, kvar);
        }
    }
}

/// Adds the enabled relays (as breakers), reclosers, fuses and switch controls on the
/// element they switch (or else monitor); counts them in the report.
fn add_devices(
    b: &mut NetworkBuilder,
    objects: &Objects,
    notes: &mut Notes,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let kinds = [
        ("relay", DeviceKind::Breaker),
        ("recloser", DeviceKind::Recloser),
        ("fuse", DeviceKind::Fuse),
        ("swtcontrol", DeviceKind::Switch),
    ];
    for o in objects.table.iter() {
        let Some(&(_, kind)) = kinds.iter().find(|(c, _)| *c == o.cls()) else {
            continue;
        };
        let key = key_of(o);
        if !o.enabled() {
            notes.warn(&o.at(), format!("{key}: disabled, skipped"));
            continue;
        }
        let target = if kind == DeviceKind::Switch {
            o.get("switchedobj")
        } else {
            o.get("switchedobj").or(o.get("monitoredobj"))
        };
        let Some(target) = target else {
            notes.warn(&o.at(), format!("{key}: no monitored element, skipped"));
            continue;
        };
        let target = objname(target);
        let normally_open = ["normal", "state"].iter().any(|p| {
            o.get(p)
                .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with('o'))
        });
        let telemetered = kind != DeviceKind::Fuse;
        b.at(o.at());
        match b.add_device_with(&key, kind, &target, telemetered, normally_open) {
            Ok(_) => {}
            Err(NetworkError::MissingElement { .. }) => {
                notes.warn(
                    &o.at(),
                    format!("{key}: element {target} not found, skipped"),
                );
                continue;
            }
            Err(e) => return Err(e.into()),
        }
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
    reach: &Reach,
    notes: &mut Notes,
) -> Result<Network, ImportError> {
    for e in builder.open_loops() {
        let [a, b] = reach.ends[e.index()]
            .0
            .map(|n| reach.node_name(&builder, n));
        let (name, at) = builder.element_name_at(e);
        let msg = format!(
            "{name}: closes a loop (buses {a} and {b} are fed along other paths too), treated as open"
        );
        notes.warn(at, msg);
    }
    Ok(builder.build()?)
}
