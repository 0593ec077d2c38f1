//! The import report: what a model held, what the reader skipped and the warnings,
//! and the notes the reader keeps for it on the way.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::SourceLocation;
use crate::network::{DeviceKind, ElementKind, Network};

/// Something the import skipped or could not use, with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportWarning {
    /// Where.
    pub at: SourceLocation,
    /// What.
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The import report of a model: the counts of `../shared/spec/replay.md` and the
/// warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Enabled loads that are customers (loads modelling a whole other feeder, at 1 kV
    /// or more and 1 MW/MVA or more, are not).
    pub customers: usize,
    /// Every enabled transformer (substation, regulator and distribution alike).
    pub transformers: usize,
    /// Relays (each stands for the breaker it trips).
    pub breakers: usize,
    /// Reclosers.
    pub reclosers: usize,
    /// Fuses.
    pub fuses: usize,
    /// Lines with `switch=yes` and `SwtControl`s.
    pub switches: usize,
    /// Of those, the ones open in the model's final state (opened, or disabled).
    pub open_switches: usize,
    /// Sources.
    pub sources: usize,
    /// How many warnings there are (the length of `warning_list`; `warnings` in the
    /// report's JSON, as `inspect` prints it).
    #[serde(rename = "warnings")]
    pub warning_count: usize,
    /// The longest chain of outage devices from a customer's service to the source,
    /// counting both ends.
    pub max_depth: usize,
    /// Distribution transformers (lowest winding below 1 kV).
    pub distribution_transformers: usize,
    /// Loads left out as aggregates of another feeder.
    pub aggregate_loads: usize,
    /// Statements skipped because they do not describe topology, by class or command.
    pub skipped: BTreeMap<String, usize>,
    /// Ratings the model leaves to OpenDSS's defaults, by class and property
    /// (`line normamps`, `circuit basekv`, `load pf`...): how many objects took the
    /// default.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub defaulted: BTreeMap<String, usize>,
    /// Files read.
    pub files: usize,
    /// The warnings themselves.
    #[serde(skip)]
    pub warning_list: Vec<ImportWarning>,
}

/// The counts of an import report computed from a built network.
pub fn report_for(net: &Network) -> ImportReport {
    let mut rep = ImportReport {
        customers: net.customers().len(),
        sources: net.sources().len(),
        files: 0,
        ..Default::default()
    };
    for e in net.elements() {
        if e.kind == ElementKind::Transformer && !e.normally_open {
            rep.transformers += 1;
            if e.is_distribution_transformer() {
                rep.distribution_transformers += 1;
            }
        }
        if e.switch {
            rep.switches += 1;
            rep.open_switches += e.normally_open as usize;
        }
    }
    for d in net.devices() {
        match d.kind {
            DeviceKind::Breaker => rep.breakers += 1,
            DeviceKind::Recloser => rep.reclosers += 1,
            DeviceKind::Fuse => rep.fuses += 1,
            DeviceKind::Switch => {
                rep.switches += 1;
                rep.open_switches += d.normally_open as usize;
            }
            DeviceKind::Sectionalizer => {}
        }
    }
    rep.max_depth = net.longest_outage_chain();
    rep
}

/// What the reader notes for the report on the way: warnings in the order met, and the
/// statements skipped by class or command.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// The warnings, in the order met.
    pub(super) warnings: Vec<ImportWarning>,
    /// Skipped statements by class or command.
    pub(super) skipped: BTreeMap<String, usize>,
    /// Ratings taken from OpenDSS's defaults, by class and property.
    pub(super) defaulted: BTreeMap<String, usize>,
}

impl Notes {
    /// Notes a warning about the statement at `at`.
    pub(super) fn warn(&mut self, at: &SourceLocation, msg: impl Into<String>) {
        self.warnings.push(ImportWarning {
            at: at.clone(),
            message: msg.into(),
        });
    }

    /// Counts a rating taken from OpenDSS's defaults.
    pub(super) fn defaulted(&mut self, what: &str) {
        *self.defaulted.entry(what.to_string()).or_default() += 1;
    }

    /// Counts a skipped statement.
    pub(super) fn skip(&mut self, what: &str) {
        *self.skipped.entry(what.to_string()).or_default() += 1;
    }
}
