//! Building: the plan given to a [`NetworkBuilder`], opened where the model closes a
//! loop, and built into a [`Network`] with its import report.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{ImportError, SourceLocation};
use crate::ids::BusId;
use crate::network::opendss::{ImportReport, ImportWarning};
use crate::network::{
    CustomerClass, DeviceKind, LineOptions, Network, NetworkBuilder, ServiceZone,
};

use super::plan::{Plan, PlannedElement, PlannedSource};

/// Builds the network of a plan.
///
/// # Complexity
/// O(B + E + C) for B buses, E elements and C customers, and the builder's own
/// validation.
///
/// # Errors
/// The builder's errors ([`ImportError::Network`]); a plan with its names made unique
/// and its loops opened gives none but for objects the builder refuses on its own
/// terms.
pub(super) fn build(
    plan: Plan,
    path: &Arc<PathBuf>,
) -> Result<(Network, ImportReport), ImportError> {
    let Plan {
        name,
        buses,
        sources,
        elements,
        customers,
        mut report,
        mut warnings,
    } = plan;
    let mut b = NetworkBuilder::new(&name);
    let bus_ids = add_buses_and_sources(&mut b, &buses, &sources)?;
    for x in &elements {
        b.at(SourceLocation::new(path, x.line));
        add_element(&mut b, x, &bus_ids)?;
    }
    for c in customers {
        b.at(SourceLocation::new(path, c.line));
        let bus = bus_ids[c.bus as usize];
        let id = b.add_customer_at(
            &c.name,
            bus,
            CustomerClass::Residential,
            false,
            ServiceZone::Urban,
        )?;
        if let Some((kw, kvar)) = c.load {
            b.set_customer_load(id, kw, kvar);
        }
    }
    // The builder's elements are the plan's, added in order.
    for e in b.open_loops() {
        let x = &elements[e.index()];
        let (from, to) = (&buses[x.from as usize].0, &buses[x.to as usize].0);
        warnings.push(ImportWarning {
            at: SourceLocation::new(path, x.line),
            message: format!(
                "{}: closes a loop (buses {from} and {to} are fed along other paths too), treated as open",
                x.name
            ),
        });
    }
    drop((buses, elements));
    let net = b.build()?;
    report.customers = net.customers().len();
    report.sources = net.sources().len();
    report.distribution_transformers = net
        .elements()
        .iter()
        .filter(|e| e.is_distribution_transformer() && !e.normally_open)
        .count();
    report.max_depth = net.longest_outage_chain();
    report.warning_count = warnings.len();
    report.warning_list = warnings;
    Ok((net, report))
}

/// Adds the buses (with their positions) and the sources; the buses' ids.
fn add_buses_and_sources(
    b: &mut NetworkBuilder,
    buses: &[(String, Option<[f64; 2]>)],
    sources: &[PlannedSource],
) -> Result<Vec<BusId>, ImportError> {
    let bus_ids: Vec<BusId> = buses
        .iter()
        .map(|(n, pos)| {
            let id = b.add_bus(n);
            if let Some([x, y]) = *pos {
                b.set_bus_point(id, x, y);
            }
            id
        })
        .collect();
    for s in sources {
        let id = b.add_source(&s.name, &buses[s.bus as usize].0)?;
        if let Some(kv) = s.kv {
            b.set_source_kv(id, kv);
        }
    }
    Ok(bus_ids)
}

/// Adds an element with the device it carries, its ratings and its primary's kV.
fn add_element(
    b: &mut NetworkBuilder,
    x: &PlannedElement,
    bus_ids: &[BusId],
) -> Result<(), ImportError> {
    let opts = LineOptions {
        phases: x.phases,
        switch: x.switch,
        normally_open: x.open,
    };
    let (from, to) = (bus_ids[x.from as usize], bus_ids[x.to as usize]);
    let id = b.push_element_at(&x.name, x.kind, from, to, opts, x.lowest_kv, x.rated_kva)?;
    if let Some((device, kind)) = &x.device {
        b.add_device_on(device, *kind, id, *kind != DeviceKind::Fuse, x.open)?;
    }
    let r = x.ratings;
    if r.normal_a.is_some() || r.emergency_a.is_some() {
        b.set_element_rating(id, r.normal_a, r.emergency_a);
    }
    if let Some(kv) = x.highest_kv {
        b.set_transformer_kv(id, kv);
    }
    Ok(())
}
