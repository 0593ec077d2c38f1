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
mod bag;
mod files;
mod hashing;
mod lexer;
mod lines;
mod objects;
mod options;
mod props;
mod ratings;
mod reach;
mod report;
mod table;
mod values;

use std::io::Read;
use std::path::Path;

use crate::error::ImportError;
use crate::network::Network;

use assemble::assemble;
use files::Reader;
pub use options::ImportOptions;
pub use report::{ImportReport, ImportWarning, report_for};

/// Reads an OpenDSS master file and everything it redirects, with the default
/// [`ImportOptions`]: see [`import_opendss_with`].
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, report) = outage_locator::import_opendss(path).unwrap();
/// assert_eq!(report.customers, 91);
/// assert_eq!(net.customers().len(), 91);
/// ```
///
/// # Errors
/// As [`import_opendss_with`].
pub fn import_opendss(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    import_opendss_with(path, &ImportOptions::default())
}

/// Reads an OpenDSS master file and everything it redirects, within the folders, bounds
/// and nesting that `opts` allow.
///
/// # Errors
/// The master cannot be read ([`ImportError::Io`]), is not a regular file or is too
/// large; the model's files together are too large; `Redirect`s nest too deep; the
/// model defines no circuit; its network fails validation. Unless
/// [`ImportOptions::accept_partial`]: a file that a `Redirect` or `Compile` names is
/// missing or refused ([`ImportError::Include`]), or the model has no customers
/// ([`ImportError::NoCustomers`]).
pub fn import_opendss_with(
    path: impl AsRef<Path>,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let mut r = Reader::default();
    r.read_master(path, opts)?;
    assemble(r, path, opts)
}

/// Reads OpenDSS text given in memory, with the default [`ImportOptions`]; for tests
/// and fuzzing. A file it names is looked for from the current folder and read only
/// within [`ImportOptions::allowed_roots`] (by default, none is read).
///
/// # Errors
/// As [`import_opendss_with`].
pub fn import_opendss_str(text: &str) -> Result<(Network, ImportReport), ImportError> {
    import_opendss_str_with(text, &ImportOptions::default())
}

/// Reads OpenDSS text given in memory with `opts` (see [`import_opendss_str`]).
///
/// # Errors
/// As [`import_opendss_with`].
pub fn import_opendss_str_with(
    text: &str,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let name = Path::new("<memory>");
    let mut r = Reader::default();
    r.read_str(text, name, opts)?;
    assemble(r, name, opts)
}

/// Loads a network from an OpenDSS master file (`*.dss`), a CIM XML model (`*.xml`) or
/// the crate's JSON network file (`*.json`), with the default [`ImportOptions`].
///
/// # Errors
/// As [`load_network_with`].
pub fn load_network(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    load_network_with(path, &ImportOptions::default())
}

/// Loads a network from an OpenDSS master file (`*.dss`, as [`import_opendss_with`]), a
/// CIM XML model (`*.xml`, as [`import_cim_with`](crate::network::import_cim_with)) or the
/// crate's JSON network file (`*.json`: a regular file within
/// [`ImportOptions::max_file_bytes`], with customers unless
/// [`ImportOptions::accept_partial`]).
///
/// # Errors
/// As [`import_opendss_with`] and [`import_cim_with`](crate::network::import_cim_with); for
/// JSON, [`ImportError::Json`] when the file is not a valid network.
pub fn load_network_with(
    path: impl AsRef<Path>,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let is = |ext: &str| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    if is("xml") {
        return crate::network::cim::import_cim_with(path, opts);
    }
    if !is("json") {
        return import_opendss_with(path, opts);
    }
    let text = read_bounded(path, opts.max_file_bytes)?;
    let net = Network::from_json(&text, path)?;
    if net.customers().is_empty() && !opts.accept_partial {
        let path = path.to_path_buf();
        return Err(ImportError::NoCustomers { path });
    }
    let report = report_for(&net);
    Ok((net, report))
}

/// A regular file's text, refused past `max` bytes.
fn read_bounded(path: &Path, max: u64) -> Result<String, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        let path = path.to_path_buf();
        return Err(ImportError::NotAFile { path });
    }
    let mut text = String::new();
    let file = std::fs::File::open(path).map_err(io)?;
    file.take(max.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > max {
        let (path, limit) = (path.to_path_buf(), max);
        return Err(ImportError::FileTooLarge { path, limit });
    }
    Ok(text)
}
