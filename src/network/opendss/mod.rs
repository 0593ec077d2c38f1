//! A tolerant reader for the topology subset of the OpenDSS language.
//!
//! It reads what describes a feeder's topology and protection (`Circuit`/`Vsource`,
//! `Line`, `Transformer`, `Reactor`, `Load`, `Fuse`, `Recloser`, `Relay`, `SwtControl`,
//! `Open`/`Close`, `Enable`/`Disable`, `Redirect`/`Compile`, `Edit`, `like=`, `~`/`more`,
//! one-line `Class.name.prop=value` edits, `Buscoords`) and skips everything else,
//! counting what it skipped in the [`ImportReport`]. Only a model from which no topology
//! can be built fails.
//!
//! The reader's rooms, in the order a model goes through them:
//!
//! - `files`: the master file and the files it includes, read and split into lines.
//! - `lexer`: a statement split into `(key, value)` tokens.
//! - `objects`: statements interpreted into a table of objects and their properties,
//!   with `props` (each class's properties in OpenDSS order) and `values` (numbers,
//!   RPN expressions, lists, booleans).
//! - `assemble`: the objects turned into a [`NetworkBuilder`](crate::NetworkBuilder)'s
//!   calls and built into a radial [`Network`].
//! - `ratings`: what restoration reads (ampacities, winding voltages, loads, the
//!   source's voltage), with OpenDSS's defaults where models rely on them.
//! - `report`: the [`ImportReport`], with its warnings and what was skipped.

mod assemble;
mod files;
mod lexer;
mod objects;
mod props;
mod ratings;
mod report;
mod values;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ImportError;
use crate::network::Network;

use assemble::assemble;
use files::Reader;
pub use report::{ImportReport, ImportWarning, report_for};

/// Reads an OpenDSS master file and everything it redirects.
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, report) = outage_locator::import_opendss(path).unwrap();
/// assert_eq!(report.customers, 91);
/// assert_eq!(net.customers().len(), 91);
/// ```
pub fn import_opendss(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let mut r = Reader::default();
    r.read_file(path, None)?;
    assemble(r, path)
}

/// Reads OpenDSS text given in memory (no `Redirect` can be followed); for tests and
/// fuzzing.
pub fn import_opendss_str(text: &str) -> Result<(Network, ImportReport), ImportError> {
    let mut r = Reader::default();
    let p = Arc::new(PathBuf::from("<memory>"));
    r.read_text(text, &p, Path::new("."));
    assemble(r, &p)
}

/// Loads a network from an OpenDSS master file (`*.dss`), a CIM XML model (`*.xml`) or
/// the crate's JSON network file (`*.json`).
pub fn load_network(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let is = |ext: &str| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    if is("xml") {
        return crate::network::cim::import_cim(path);
    }
    if !is("json") {
        return import_opendss(path);
    }
    let net = Network::read_json(path)?;
    let report = report_for(&net);
    Ok((net, report))
}
