//! Errors of every layer, joined into one crate [`Error`].

use std::path::PathBuf;
use std::sync::Arc;

/// Where in a model file something was read: file and 1-based line.
///
/// Every object of a network keeps one, so it is small (16 bytes): the objects read
/// from one file share that file's path.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SourceLocation {
    /// The file, as given to the reader (`None` for networks built in code).
    #[serde(with = "shared_path", default)]
    pub file: Option<Arc<PathBuf>>,
    /// The 1-based line number (0 when unknown).
    pub line: u32,
}

impl SourceLocation {
    /// A location in a file.
    pub fn new(file: &Arc<PathBuf>, line: u32) -> Self {
        SourceLocation {
            file: Some(Arc::clone(file)),
            line,
        }
    }
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            None if self.line == 0 => write!(f, "(built in code)"),
            None => write!(f, "line {}", self.line),
            Some(p) => write!(f, "{}:{}", p.display(), self.line),
        }
    }
}

/// The JSON form of a shared path: the path as a string, empty for none (the form a
/// plain `PathBuf` had). Reading shares one allocation among consecutive equal paths.
mod shared_path {
    use std::cell::RefCell;
    use std::path::PathBuf;
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Option<Arc<PathBuf>>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => serde::Serialize::serialize(p.as_path(), s),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<PathBuf>>, D::Error> {
        thread_local! {
            static LAST: RefCell<Option<Arc<PathBuf>>> = const { RefCell::new(None) };
        }
        let p = PathBuf::deserialize(d)?;
        if p.as_os_str().is_empty() {
            return Ok(None);
        }
        Ok(Some(LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some(a) if **a == p => Arc::clone(a),
                _ => {
                    let a = Arc::new(p);
                    *last = Some(Arc::clone(&a));
                    a
                }
            }
        })))
    }
}

/// A network that fails validation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Two objects of one class share a name (names are case-insensitive).
    #[error("{at}: duplicate name {name}")]
    DuplicateName {
        /// The `class.name` used twice.
        name: String,
        /// Where the second one was defined.
        at: SourceLocation,
    },
    /// An element or customer names a bus that does not exist.
    #[error("{at}: {element} names unknown bus {bus}")]
    UnknownBus {
        /// The element or customer.
        element: String,
        /// The bus it names.
        bus: String,
        /// Where it was defined.
        at: SourceLocation,
    },
    /// A protective device sits on an element that does not exist.
    #[error("{at}: {device} is on missing element {element}")]
    MissingElement {
        /// The device.
        device: String,
        /// The element it names.
        element: String,
        /// Where the device was defined.
        at: SourceLocation,
    },
    /// A customer's bus cannot be reached from any source over closed elements.
    #[error("{at}: customer {customer} has no path to a source")]
    Unsupplied {
        /// The customer.
        customer: String,
        /// Where it was defined.
        at: SourceLocation,
    },
    /// Closed elements form a loop; the network must be radial.
    #[error("closed elements form a loop: {}", elements.join(", "))]
    Loop {
        /// The elements of the loop, in order around it.
        elements: Vec<String>,
    },
    /// The network has no source.
    #[error("the network has no source")]
    NoSource,
}

/// A model file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The JSON network file is not valid.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde said, with line and column.
        message: String,
    },
    /// The model defines no circuit, so no topology can be built.
    #[error("{path}: no circuit defined")]
    NoCircuit {
        /// The master file.
        path: PathBuf,
    },
    /// The model was read but the network fails validation.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The master file (or a JSON network file) is not a regular file: a folder, a
    /// device such as `/dev/zero`, a pipe.
    #[error("{path}: not a regular file")]
    NotAFile {
        /// The file.
        path: PathBuf,
    },
    /// A file is larger than [`ImportOptions::max_file_bytes`](crate::network::ImportOptions::max_file_bytes).
    #[error("{path}: larger than the {limit} bytes a model file may have")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The bound, bytes.
        limit: u64,
    },
    /// The model's files together are larger than
    /// [`ImportOptions::max_total_bytes`](crate::network::ImportOptions::max_total_bytes).
    #[error("{path}: the model's files pass the {limit} bytes they may have together")]
    ModelTooLarge {
        /// The file being read when the bound was passed.
        path: PathBuf,
        /// The bound, bytes.
        limit: u64,
    },
    /// `Redirect` or `Compile` nest deeper than
    /// [`ImportOptions::max_redirect_depth`](crate::network::ImportOptions::max_redirect_depth).
    #[error("{at}: Redirect or Compile nested deeper than {limit} files")]
    RedirectTooDeep {
        /// The statement that would have gone deeper.
        at: SourceLocation,
        /// The bound.
        limit: usize,
    },
    /// A file that a `Redirect` or `Compile` names is not read, so the model is partial
    /// (accepted, with a warning instead, by
    /// [`ImportOptions::accept_partial`](crate::network::ImportOptions::accept_partial)).
    #[error("{at}: cannot include {name}: {reason}")]
    Include {
        /// The statement naming the file.
        at: SourceLocation,
        /// The file as the statement names it.
        name: String,
        /// Why it is not read.
        reason: FileRefusal,
    },
    /// The model yields no customers (accepted by
    /// [`ImportOptions::accept_partial`](crate::network::ImportOptions::accept_partial)).
    #[error("{path}: the model has no customers")]
    NoCustomers {
        /// The master file.
        path: PathBuf,
    },
    /// A CIM XML model from which no topology can be built, or that breaks off.
    #[error(transparent)]
    Cim(#[from] CimError),
}

/// Why a file that a model names is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileRefusal {
    /// There is no such file.
    #[error("no such file")]
    NotFound,
    /// It lies outside the master's folder tree and the allowed roots.
    #[error("outside the folders the import may read")]
    OutsideRoots,
    /// It is not a regular file (a folder, a device, a pipe).
    #[error("not a regular file")]
    NotAFile,
    /// The system refused to open or read it.
    #[error("cannot be read ({0})")]
    Unreadable(std::io::ErrorKind),
}

/// A CIM XML model from which no topology can be built, or that breaks off.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CimError {
    /// The XML breaks off, or passes the reader's bounds, before its end: the model is
    /// partial (accepted, with a warning instead, by
    /// [`ImportOptions::accept_partial`](crate::network::ImportOptions::accept_partial), when
    /// what was read holds a source).
    #[error("{at}: malformed XML: {message}")]
    Malformed {
        /// Where the reader stopped.
        at: SourceLocation,
        /// What the XML parser or the reader's bounds said.
        message: String,
    },
    /// The model holds no `EnergySource` with a terminal on a connectivity node.
    #[error("{path}: no EnergySource on a connectivity node, so no topology can be built")]
    NoSource {
        /// The model file.
        path: PathBuf,
    },
}

/// A switching request that cannot be carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SwitchingError {
    /// Closing the element would close a loop.
    #[error("closing {closing} would close a loop through: {}", elements.join(", "))]
    ClosesLoop {
        /// The element whose closing is refused.
        closing: String,
        /// The elements of the loop that would form.
        elements: Vec<String>,
    },
    /// The element cannot be switched (it is not a switch and carries no device).
    #[error("{element} is not switchable")]
    NotSwitchable {
        /// The element.
        element: String,
    },
}

/// An event row that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The time is not RFC 3339.
    #[error("line {line}: bad time {value:?}")]
    BadTime {
        /// 1-based line in the event file.
        line: u64,
        /// The text.
        value: String,
    },
    /// The kind is not one of the contract.
    #[error("line {line}: unknown kind {value:?}")]
    UnknownKind {
        /// 1-based line.
        line: u64,
        /// The text.
        value: String,
    },
    /// The id names no customer, meter or device of the network.
    #[error("line {line}: unknown {what} {value:?}")]
    UnknownId {
        /// 1-based line.
        line: u64,
        /// "customer", "device" or "element".
        what: &'static str,
        /// The id.
        value: String,
    },
    /// The detail column is not valid for the kind.
    #[error("line {line}: bad detail {value:?}")]
    BadDetail {
        /// 1-based line.
        line: u64,
        /// The text.
        value: String,
    },
    /// The row could not be split into fields.
    #[error("line {line}: malformed row: {message}")]
    Malformed {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The event is older than the late-arrival window allows.
    #[error("line {line}: event at {time} is older than the late-arrival window")]
    TooLate {
        /// 1-based line.
        line: u64,
        /// The event time.
        time: String,
    },
    /// The event lies further ahead of the clock than is plausible
    /// ([`Engine::is_far_ahead`](crate::Engine::is_far_ahead)); it is skipped rather
    /// than moving the clock.
    #[error("line {line}: event at {time} is implausibly far ahead of the clock ({clock})")]
    FarAhead {
        /// 1-based line.
        line: u64,
        /// The event time.
        time: String,
        /// The engine's clock when it arrived.
        clock: String,
    },
    /// The input could not be read at this line (a folder, a device error): reading
    /// stops here.
    #[error("line {line}: cannot read the input ({kind})")]
    Unreadable {
        /// 1-based line.
        line: u64,
        /// What the system said.
        kind: std::io::ErrorKind,
    },
}

/// Engine options out of their range ([`EngineOptions::validate`](crate::EngineOptions::validate)).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionsError {
    /// A probability outside its range.
    #[error("{name} = {value}: want a probability in {range}")]
    Probability {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The range it must lie in, as text (`(0, 1)` or `[0, 1]`).
        range: &'static str,
    },
    /// A count or scale that is negative, not finite or (where it must be) zero.
    #[error("{name} = {value}: want a finite number {range}")]
    Scale {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What it must be (`> 0`, `>= 0`).
        range: &'static str,
    },
    /// A time window outside its range.
    #[error("{name} = {value} ms: want {min} to {max} ms")]
    Window {
        /// The option.
        name: &'static str,
        /// Its value, milliseconds.
        value: i64,
        /// The least value allowed.
        min: i64,
        /// The greatest value allowed.
        max: i64,
    },
}

/// A replay that cannot go on, or that had nothing to replay.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The events file cannot be opened: missing, a folder, a device.
    #[error("{path}: {reason}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why it is not read.
        reason: FileRefusal,
    },
    /// Reading the events failed part-way.
    #[error("events {0}")]
    Unreadable(EventError),
    /// The events hold no row: an empty file, a closed standard input.
    #[error("the events hold no row")]
    NoRows,
    /// Every row was skipped: another model's names, a wrong separator, a file that is
    /// not UTF-8 text.
    #[error("none of the {rows} rows could be used; the first: {first}")]
    NothingUsable {
        /// Rows read.
        rows: u64,
        /// Why the first was skipped.
        first: EventError,
    },
    /// The records or the diagnostics cannot be written.
    #[error("cannot write the {stream}: {source}")]
    Write {
        /// `"records"` or `"diagnostics"`.
        stream: &'static str,
        /// What the system said.
        source: std::io::Error,
    },
}

impl ReplayError {
    /// Whether the error is about the events (their file or their rows), rather than
    /// about writing the output.
    pub fn is_about_events(&self) -> bool {
        !matches!(self, ReplayError::Write { .. })
    }
}

impl From<ReplayError> for std::io::Error {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Write { source, .. } => source,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other),
        }
    }
}

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`NetworkError`].
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// See [`ImportError`].
    #[error(transparent)]
    Import(#[from] ImportError),
    /// See [`SwitchingError`].
    #[error(transparent)]
    Switching(#[from] SwitchingError),
    /// See [`EventError`].
    #[error(transparent)]
    Event(#[from] EventError),
    /// See [`OptionsError`].
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// See [`ReplayError`].
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A snapshot that does not fit the network or is not a snapshot of this format.
    #[error("snapshot: {0}")]
    Snapshot(String),
}
