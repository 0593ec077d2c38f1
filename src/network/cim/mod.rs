//! A tolerant, streaming reader for the topology subset of IEC 61970/61968 CIM XML.
//!
//! It reads what describes a feeder's topology and protection (`ConnectivityNode`,
//! `Terminal`, `ACLineSegment`, `Breaker`, `Recloser`, `Fuse`, `LoadBreakSwitch`,
//! `Disconnector`, `Sectionaliser`, `Jumper`, `PowerTransformer` with its ends or
//! tanks, `EnergyConsumer`, `EnergySource`, the `Feeder`, `Substation` and region
//! containers, `Location`/`PositionPoint` coordinates, `CurrentLimit` ratings) and
//! builds the same [`Network`] the OpenDSS reader builds, through the same
//! [`NetworkBuilder`](crate::NetworkBuilder), named as the replay contract's "CIM
//! models" section says. Every other class is skipped and counted in the
//! [`ImportReport`]; a reference that leads nowhere, a terminal on no node, equipment
//! without terminals, a duplicate mRID or XML that breaks off is a warning naming the
//! object. A model from which no topology can be built fails, with a
//! [`CimError`](crate::CimError), and so by default does a partial one (XML that breaks
//! off, no customers), as [`ImportOptions`] say.
//!
//! The text is read once, as a stream of events (no document tree, no RDF store), and
//! each object of the subset is kept as one small row: memory grows with the network,
//! not with the text. Nothing outside the file is read: a DTD ends the reading (so no
//! entity but the five predefined ones and character references is expanded, and none
//! names another file), and the bounds of [`ImportOptions`] refuse a model over 4 GiB
//! and any one tag, text or comment over 1 MiB (by default).
//!
//! The reader's rooms, in the order a model goes through them:
//!
//! - `guard`: the bounded byte source under the XML parser, which counts lines.
//! - `ids`: references (`urn:uuid:X`, `#_X`) normalised and interned.
//! - `parse` and `tables`: the streaming pass, one row per object of the subset.
//! - `join`: terminals joined to equipment and nodes, transformers to their ends,
//!   limit sets to what they rate.
//! - `plan`: how CIM's objects become buses, elements, devices, customers and sources.
//! - `build`: the plan cut radial and built.

mod build;
mod guard;
mod ids;
mod join;
mod parse;
mod plan;
mod tables;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ImportError;
use crate::network::Network;
use crate::network::opendss::{ImportOptions, ImportReport};

use guard::Guard;

/// Reads a CIM XML model file with the default [`ImportOptions`]: see
/// [`import_cim_with`].
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cim/IEEE13.xml");
/// let (net, report) = outage_locator::network::import_cim(path).unwrap();
/// assert_eq!((report.customers, report.breakers, report.reclosers, report.fuses), (15, 1, 1, 1));
/// assert!(net.outage_device_by_name("recloser.rec1").is_some());
/// ```
///
/// # Errors
/// As [`import_cim_with`].
pub fn import_cim(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    import_cim_with(path, &ImportOptions::default())
}

/// Reads a CIM XML model file within the bounds of `opts`: a file of at most
/// [`ImportOptions::max_file_bytes`], in which no one item (tag, text, comment) passes
/// [`ImportOptions::max_line_bytes`]. Only the file itself is read.
///
/// # Errors
/// The file cannot be read ([`ImportError::Io`]), is not a regular file or is too large;
/// it holds no source ([`CimError::NoSource`](crate::CimError::NoSource)); its network
/// fails validation. Unless [`ImportOptions::accept_partial`]: the XML breaks off or
/// passes a bound before its end ([`CimError::Malformed`](crate::CimError::Malformed)),
/// or the model has no customers ([`ImportError::NoCustomers`]).
pub fn import_cim_with(
    path: impl AsRef<Path>,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = opts.check_model_file(path)?;
    let file = std::fs::File::open(path).map_err(io)?;
    read(file, Arc::new(path.to_path_buf()), len, opts)
}

/// Reads CIM XML given in memory, with the default [`ImportOptions`]; for tests and
/// fuzzing.
///
/// # Errors
/// As [`import_cim_with`].
pub fn import_cim_str(text: &str) -> Result<(Network, ImportReport), ImportError> {
    import_cim_str_with(text, &ImportOptions::default())
}

/// Reads CIM XML given in memory with `opts` (see [`import_cim_with`]).
///
/// # Errors
/// As [`import_cim_with`].
pub fn import_cim_str_with(
    text: &str,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let path = Arc::new(PathBuf::from("<memory>"));
    read(text.as_bytes(), path, text.len() as u64, opts)
}

/// Reads a model of about `bytes` bytes from a byte source named `path`.
fn read<R: Read>(
    src: R,
    path: Arc<PathBuf>,
    bytes: u64,
    opts: &ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let guard = Guard::new(src, opts.max_file_bytes, opts.max_line_bytes);
    let parsed = parse::parse(guard, &path, bytes);
    let plan = plan::plan(parsed, &path, opts)?;
    build::build(plan, &path)
}
