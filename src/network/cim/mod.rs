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
//! object. Only a model from which no topology can be built fails, with a
//! [`CimError`](crate::CimError).
//!
//! The text is read once, as a stream of events (no document tree, no RDF store), and
//! each object of the subset is kept as one small row: memory grows with the network,
//! not with the text. Nothing outside the file is read: a DTD ends the reading (so no
//! entity but the five predefined ones and character references is expanded, and none
//! names another file), and the reader's bounds refuse a model over 16 GiB and any one
//! tag, text or comment over 1 MiB.
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

use crate::error::{CimError, ImportError};
use crate::network::Network;
use crate::network::opendss::ImportReport;

use guard::{Guard, MAX_MODEL_BYTES};

/// Reads a CIM XML model file.
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cim/IEEE13.xml");
/// let (net, report) = outage_locator::import_cim(path).unwrap();
/// assert_eq!((report.customers, report.breakers, report.reclosers, report.fuses), (15, 1, 1, 1));
/// assert!(net.outage_device_by_name("recloser.rec1").is_some());
/// ```
///
/// # Errors
/// [`ImportError::Io`] when the file cannot be read, [`ImportError::Cim`] when no
/// topology can be built from it, and the builder's errors.
pub fn import_cim(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > MAX_MODEL_BYTES {
        return Err(CimError::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_MODEL_BYTES,
        }
        .into());
    }
    read(file, Arc::new(path.to_path_buf()), meta.len())
}

/// Reads CIM XML given in memory; for tests and fuzzing.
///
/// # Errors
/// As [`import_cim`].
pub fn import_cim_str(text: &str) -> Result<(Network, ImportReport), ImportError> {
    read(
        text.as_bytes(),
        Arc::new(PathBuf::from("<memory>")),
        text.len() as u64,
    )
}

/// Reads a model of about `bytes` bytes from a byte source named `path`.
fn read<R: Read>(
    src: R,
    path: Arc<PathBuf>,
    bytes: u64,
) -> Result<(Network, ImportReport), ImportError> {
    let parsed = parse::parse(Guard::new(src), &path, bytes);
    let plan = plan::plan(parsed, &path)?;
    build::build(plan, &path)
}
