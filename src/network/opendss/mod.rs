//! A tolerant reader for the topology subset of the OpenDSS language.
//!
//! It reads what describes a feeder's topology and protection (`Circuit`/`Vsource`,
//! `Line`, `Transformer`, `Reactor`, `Load`, `Fuse`, `Recloser`, `Relay`, `SwtControl`,
//! `Open`/`Close`, `Enable`/`Disable`, `Redirect`/`Compile`, `Edit`, `like=`, `~`/`more`,
//! one-line `Class.name.prop=value` edits, `Buscoords`) and skips everything else,
//! counting what it skipped in the [`ImportReport`]. Only a model from which no topology
//! can be built fails.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{ImportError, NetworkError, SourceLocation};
use crate::network::{DeviceKind, ElementKind, LineOptions, Network, NetworkBuilder, bus_key};
use crate::topology::EnergizationView;

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
    /// How many warnings (see `warning_list`).
    pub warnings: usize,
    /// The longest chain of outage devices from a customer's service to the source,
    /// counting both ends.
    pub max_depth: usize,
    /// Distribution transformers (lowest winding below 1 kV).
    pub distribution_transformers: usize,
    /// Loads left out as aggregates of another feeder.
    pub aggregate_loads: usize,
    /// Statements skipped because they do not describe topology, by class or command.
    pub skipped: BTreeMap<String, usize>,
    /// Files read.
    pub files: usize,
    /// The warnings themselves.
    #[serde(skip)]
    pub warning_list: Vec<ImportWarning>,
}

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
    r.finish(path)
}

/// Reads OpenDSS text given in memory (no `Redirect` can be followed); for tests and
/// fuzzing.
pub fn import_opendss_str(text: &str) -> Result<(Network, ImportReport), ImportError> {
    let mut r = Reader::default();
    let p = Arc::new(PathBuf::from("<memory>"));
    r.read_text(text, &p, Path::new("."));
    r.finish(&p)
}

/// Loads a network from an OpenDSS master file (`*.dss`) or the crate's JSON network
/// file (`*.json`).
pub fn load_network(path: impl AsRef<Path>) -> Result<(Network, ImportReport), ImportError> {
    let path = path.as_ref();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return import_opendss(path);
    }
    let net = Network::read_json(path)?;
    let report = report_for(&net);
    Ok((net, report))
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
    if let Ok(view) = EnergizationView::normal(net) {
        rep.max_depth = view.max_depth() as usize + 1;
    }
    rep
}

// ------------------------------------------------------------------------------------
// Property lists (OpenDSS order): for positional values and abbreviations.

const COMMON: &[&str] = &["basefreq", "enabled", "like"];
const PDE: &[&str] = &["normamps", "emergamps", "faultrate", "pctperm", "repair"];

fn props(cls: &str) -> &'static [&'static str] {
    macro_rules! cat {
        ($($part:expr),*) => {{
            static V: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
            V.get_or_init(|| { let mut v = Vec::new(); $(v.extend_from_slice($part);)* v }).as_slice()
        }};
    }
    match cls {
        "line" => cat!(
            &[
                "bus1",
                "bus2",
                "linecode",
                "length",
                "phases",
                "r1",
                "x1",
                "r0",
                "x0",
                "c1",
                "c0",
                "rmatrix",
                "xmatrix",
                "cmatrix",
                "switch",
                "rg",
                "xg",
                "rho",
                "geometry",
                "units",
                "spacing",
                "wires",
                "earthmodel",
                "cncables",
                "tscables",
                "b1",
                "b0",
                "seasons",
                "ratings",
                "linetype"
            ],
            PDE,
            COMMON
        ),
        "transformer" => cat!(
            &[
                "phases",
                "windings",
                "wdg",
                "bus",
                "conn",
                "kv",
                "kva",
                "tap",
                "%r",
                "rneut",
                "xneut",
                "buses",
                "conns",
                "kvs",
                "kvas",
                "taps",
                "xhl",
                "xht",
                "xlt",
                "xscarray",
                "thermal",
                "n",
                "m",
                "flrise",
                "hsrise",
                "%loadloss",
                "%noloadloss",
                "normhkva",
                "emerghkva",
                "sub",
                "maxtap",
                "mintap",
                "numtaps",
                "subname",
                "%imag",
                "ppm_antifloat",
                "%rs",
                "bank",
                "xfmrcode",
                "xrconst",
                "x12",
                "x13",
                "x23",
                "leadlag",
                "wdgcurrents",
                "core",
                "rdcohms",
                "seasons",
                "ratings"
            ],
            PDE,
            COMMON
        ),
        "xfmrcode" => cat!(&[
            "phases",
            "windings",
            "wdg",
            "conn",
            "kv",
            "kva",
            "tap",
            "%r",
            "rneut",
            "xneut",
            "conns",
            "kvs",
            "kvas",
            "taps",
            "xhl",
            "xht",
            "xlt",
            "xscarray",
            "thermal",
            "n",
            "m",
            "flrise",
            "hsrise",
            "%loadloss",
            "%noloadloss",
            "normhkva",
            "emerghkva",
            "maxtap",
            "mintap",
            "numtaps",
            "%imag",
            "ppm_antifloat",
            "%rs",
            "x12",
            "x13",
            "x23",
            "rdcohms",
            "seasons",
            "ratings",
            "like"
        ]),
        "reactor" => cat!(
            &[
                "bus1", "bus2", "phases", "kvar", "kv", "conn", "rmatrix", "xmatrix", "parallel",
                "r", "x", "rp", "z1", "z2", "z0", "z", "rcurve", "lcurve", "lmh"
            ],
            PDE,
            COMMON
        ),
        "load" => cat!(
            &[
                "phases",
                "bus1",
                "kv",
                "kw",
                "pf",
                "model",
                "yearly",
                "daily",
                "duty",
                "growth",
                "conn",
                "kvar",
                "rneut",
                "xneut",
                "status",
                "class",
                "vminpu",
                "vmaxpu",
                "vminnorm",
                "vminemerg",
                "xfkva",
                "allocationfactor",
                "kva",
                "%mean",
                "%stddev",
                "cvrwatts",
                "cvrvars",
                "kwh",
                "kwhdays",
                "cfactor",
                "cvrcurve",
                "numcust",
                "zipv",
                "%seriesrl",
                "relweight",
                "vlowpu",
                "puxharm",
                "xrharm",
                "spectrum"
            ],
            COMMON
        ),
        "fuse" => cat!(
            &[
                "monitoredobj",
                "monitoredterm",
                "switchedobj",
                "switchedterm",
                "fusecurve",
                "ratedcurrent",
                "delay",
                "action",
                "normal",
                "state"
            ],
            COMMON
        ),
        "recloser" => cat!(
            &[
                "monitoredobj",
                "monitoredterm",
                "switchedobj",
                "switchedterm",
                "numfast",
                "phasefast",
                "phasedelayed",
                "groundfast",
                "grounddelayed",
                "phasetrip",
                "groundtrip",
                "phaseinst",
                "groundinst",
                "reset",
                "shots",
                "recloseintervals",
                "delay",
                "action",
                "tdphfast",
                "tdgrfast",
                "tdphdelayed",
                "tdgrdelayed",
                "normal",
                "state"
            ],
            COMMON
        ),
        "relay" => cat!(
            &[
                "monitoredobj",
                "monitoredterm",
                "switchedobj",
                "switchedterm",
                "type",
                "phasecurve",
                "groundcurve",
                "phasetrip",
                "groundtrip",
                "tdphase",
                "tdground",
                "phaseinst",
                "groundinst",
                "reset",
                "shots",
                "recloseintervals",
                "delay",
                "overvoltcurve",
                "undervoltcurve",
                "kvbase",
                "47%pickup",
                "46baseamps",
                "46%pickup",
                "46isqt",
                "variable",
                "overtrip",
                "undertrip",
                "breakertime",
                "action",
                "z1mag",
                "z1ang",
                "z0mag",
                "z0ang",
                "mphase",
                "mground",
                "eventlog",
                "debugtrace",
                "distreverse",
                "normal",
                "state"
            ],
            COMMON
        ),
        "swtcontrol" => cat!(
            &[
                "switchedobj",
                "switchedterm",
                "action",
                "lock",
                "delay",
                "normal",
                "state",
                "reset"
            ],
            COMMON
        ),
        "vsource" | "circuit" => cat!(
            &[
                "bus1",
                "basekv",
                "pu",
                "angle",
                "frequency",
                "phases",
                "mvasc3",
                "mvasc1",
                "x1r1",
                "x0r0",
                "isc3",
                "isc1",
                "r1",
                "x1",
                "r0",
                "x0",
                "scantype",
                "sequence",
                "bus2"
            ],
            COMMON
        ),
        _ => &[],
    }
}

/// Classes whose objects the topology uses.
const USED: &[&str] = &[
    "circuit",
    "vsource",
    "line",
    "transformer",
    "xfmrcode",
    "reactor",
    "load",
    "fuse",
    "recloser",
    "relay",
    "swtcontrol",
    "linecode",
];

const IGNORED_COMMANDS: &[&str] = &[
    "set",
    "solve",
    "calcvoltagebases",
    "calcv",
    "clear",
    "clearall",
    "plot",
    "show",
    "export",
    "get",
    "help",
    "interpolate",
    "batchedit",
    "setkvbase",
    "sample",
    "reset",
    "makebuslist",
    "buildy",
    "cleanup",
    "allocateloads",
    "formedit",
    "totals",
    "capacity",
    "clone",
    "closedi",
    "summary",
    "visualize",
    "voltexceptions",
    "fileedit",
    "dump",
    "save",
    "var",
    "relcalc",
    "reduce",
];

// ------------------------------------------------------------------------------------
// Lexing

fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut quote = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'!' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
            return &line[..i];
        }
        i += 1;
    }
    line
}

fn closer(c: u8) -> Option<u8> {
    match c {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    }
}

/// One value from `s[i..]`: a bracketed or quoted group, or a plain word.
fn read_value(s: &str, i: usize) -> (String, usize) {
    let b = s.as_bytes();
    let n = b.len();
    if i < n
        && let Some(close) = closer(b[i])
    {
        let opener = b[i];
        let mut depth = 1;
        let mut j = i + 1;
        while j < n && depth > 0 {
            if b[j] == close {
                depth -= 1;
            } else if b[j] == opener && opener != b'"' && opener != b'\'' {
                depth += 1;
            }
            j += 1;
        }
        let inner = if depth == 0 {
            &s[i + 1..j - 1]
        } else {
            &s[i + 1..]
        };
        let v = if opener == b'(' {
            format!("({inner})")
        } else {
            inner.to_string()
        };
        return (v, j);
    }
    let mut j = i;
    while j < n && !b[j].is_ascii_whitespace() && b[j] != b',' && b[j] != b'=' {
        j += 1;
    }
    (s[i..j].to_string(), j)
}

/// Splits a statement into `(key, value)` pairs; positional values have no key.
fn tokenize(s: &str) -> Vec<(Option<String>, String)> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c == b'=' {
            // A stray '=' (no key): skip it.
            i += 1;
            continue;
        }
        let (word, mut j) = read_value(s, i);
        let mut k = j;
        while k < n && (b[k] == b' ' || b[k] == b'\t') {
            k += 1;
        }
        if k < n && b[k] == b'=' && closer(c).is_none() {
            k += 1;
            while k < n && (b[k] == b' ' || b[k] == b'\t') {
                k += 1;
            }
            let (val, j2) = if k < n {
                read_value(s, k)
            } else {
                (String::new(), k)
            };
            j = j2;
            out.push((Some(word), val));
        } else {
            out.push((None, word));
        }
        i = j.max(i + 1);
    }
    out
}

/// An OpenDSS RPN expression like `(12.47 3 sqrt /)`.
fn rpn(expr: &str) -> Option<f64> {
    let inner = expr.trim().trim_start_matches('(').trim_end_matches(')');
    let mut st: Vec<f64> = Vec::new();
    for t in inner.split_whitespace() {
        let tl = t.to_ascii_lowercase();
        let two = |st: &mut Vec<f64>, f: fn(f64, f64) -> f64| {
            let b = st.pop()?;
            let a = st.pop()?;
            st.push(f(a, b));
            Some(())
        };
        let one = |st: &mut Vec<f64>, f: fn(f64) -> f64| {
            let a = st.pop()?;
            st.push(f(a));
            Some(())
        };
        match tl.as_str() {
            "+" if st.len() >= 2 => two(&mut st, |a, b| a + b)?,
            "-" if st.len() >= 2 => two(&mut st, |a, b| a - b)?,
            "*" if st.len() >= 2 => two(&mut st, |a, b| a * b)?,
            "/" if st.len() >= 2 => two(&mut st, |a, b| a / b)?,
            "^" if st.len() >= 2 => two(&mut st, f64::powf)?,
            "sqrt" if !st.is_empty() => one(&mut st, f64::sqrt)?,
            "sqr" if !st.is_empty() => one(&mut st, |a| a * a)?,
            "inv" if !st.is_empty() => one(&mut st, |a| 1.0 / a)?,
            "pi" => st.push(std::f64::consts::PI),
            _ => st.push(t.parse().ok()?),
        }
    }
    st.last().copied().filter(|v| v.is_finite())
}

fn to_float(v: Option<&str>) -> Option<f64> {
    let v = v?.trim();
    if v.starts_with('(') {
        return rpn(v);
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn to_list(v: &str) -> Vec<String> {
    let mut v = v.trim();
    // Bytes, not string slices: the ends may be characters of more than one byte.
    let b = v.as_bytes();
    if b.len() >= 2 && b"([{".contains(&b[0]) && b")]}".contains(&b[b.len() - 1]) {
        v = &v[1..v.len() - 1];
    }
    v.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn to_bool(v: &str) -> bool {
    matches!(
        v.trim().bytes().next().map(|c| c.to_ascii_lowercase()),
        Some(b'y' | b't' | b'1')
    )
}

/// `name` as `class.name`, the default class being Line.
fn objname(v: &str) -> String {
    let v = v.trim();
    if v.contains('.') {
        v.to_ascii_lowercase()
    } else {
        format!("line.{}", v.to_ascii_lowercase())
    }
}

// ------------------------------------------------------------------------------------
// Objects

#[derive(Debug, Clone, Default)]
struct Obj {
    cls: String,
    name: String,
    props: HashMap<String, String>,
    wdgs: Vec<HashMap<String, String>>,
    wdg: usize,
    at: SourceLocation,
}

impl Obj {
    fn get(&self, p: &str) -> Option<&str> {
        self.props.get(p).map(String::as_str)
    }
    fn enabled(&self) -> bool {
        self.get("enabled").is_none_or(to_bool)
    }
}

#[derive(Debug, Default)]
struct Reader {
    objects: Vec<Obj>,
    index: HashMap<String, usize>,
    circuit: Option<usize>,
    opened: HashSet<String>,
    coords: Vec<(String, f64, f64)>,
    files: Vec<PathBuf>,
    warnings: Vec<ImportWarning>,
    skipped: BTreeMap<String, usize>,
    active: Option<usize>,
    /// The statement being continued is of a skipped class.
    active_skipped: bool,
    active_pos: isize,
}

fn find_file(base: &Path, name: &str) -> Option<PathBuf> {
    let name = name
        .trim()
        .trim_matches(|c| "\"'()".contains(c))
        .replace('\\', "/");
    if name.is_empty() {
        return None;
    }
    let p = Path::new(&name);
    let path = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    if path.is_file() {
        return Some(path);
    }
    // Component by component, matching case-insensitively (Windows model files).
    let mut cur = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    };
    for comp in path.components() {
        use std::path::Component;
        match comp {
            Component::RootDir | Component::Prefix(_) => continue,
            Component::CurDir => continue,
            Component::ParentDir => {
                cur.push("..");
                continue;
            }
            Component::Normal(part) => {
                let dir = if cur.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    cur.clone()
                };
                let want = part.to_string_lossy().to_lowercase();
                let hit = std::fs::read_dir(&dir)
                    .ok()?
                    .flatten()
                    .find(|e| e.file_name().to_string_lossy().to_lowercase() == want)?;
                cur.push(hit.file_name());
            }
        }
    }
    cur.is_file().then_some(cur)
}

impl Reader {
    fn warn(&mut self, at: &SourceLocation, msg: impl Into<String>) {
        self.warnings.push(ImportWarning {
            at: at.clone(),
            message: msg.into(),
        });
    }

    fn skip(&mut self, what: &str) {
        *self.skipped.entry(what.to_string()).or_default() += 1;
    }

    /// Reads a file: the master (`from` is `None`: failing to read it is an error) or
    /// one that the statement at `from` redirects to (a warning).
    fn read_file(&mut self, path: &Path, from: Option<&SourceLocation>) -> Result<(), ImportError> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.files.contains(&real) {
            return Ok(());
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(source) => match from {
                None => {
                    return Err(ImportError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
                Some(at) => {
                    self.warn(at, format!("cannot read {}: {source}", path.display()));
                    return Ok(());
                }
            },
        };
        self.files.push(real);
        // Latin-1: every byte is a character, so no model file fails to decode.
        let text: String = bytes
            .iter()
            .map(|&b| if b == 0 { ' ' } else { b as char })
            .collect();
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        self.read_text(&text, &Arc::new(path.to_path_buf()), &base);
        Ok(())
    }

    fn read_text(&mut self, text: &str, path: &Arc<PathBuf>, base: &Path) {
        let mut in_block = false;
        // Lines split on \n, \r\n and lone \r alike.
        let mut lineno = 0u32;
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            for part in raw.split('\r') {
                lineno = lineno.saturating_add(1);
                let line = part.trim();
                if in_block {
                    if line.contains("*/") {
                        in_block = false;
                    }
                    continue;
                }
                if line.starts_with("/*") {
                    in_block = !line.contains("*/");
                    continue;
                }
                let line = strip_comment(line).trim();
                if !line.is_empty() {
                    let at = SourceLocation::new(path, lineno);
                    self.statement(line, base, &at);
                }
            }
        }
    }

    fn statement(&mut self, line: &str, base: &Path, at: &SourceLocation) {
        let (cmd, rest) = if let Some(r) = line.strip_prefix('~') {
            ("more".to_string(), r)
        } else {
            let mut it = line.splitn(2, char::is_whitespace);
            let c = it.next().unwrap_or("").to_ascii_lowercase();
            (c, it.next().unwrap_or(""))
        };
        match cmd.as_str() {
            "more" | "m" => match self.active {
                Some(o) => {
                    let toks = tokenize(rest);
                    self.apply(o, &toks, true, at);
                }
                None if self.active_skipped => {}
                None => self.warn(at, "continuation with no object to continue"),
            },
            "new" => self.new_object(rest, at),
            "edit" => {
                let toks = tokenize(rest);
                match toks.first() {
                    Some((None, name)) => {
                        let key = objname(name);
                        match self.editable(&key, at) {
                            Some(o) => {
                                self.active = Some(o);
                                self.active_pos = -1;
                                self.apply(o, &toks[1..], false, at);
                            }
                            None => self.warn(at, format!("edit of unknown object {key}")),
                        }
                    }
                    _ => self.warn(at, "edit names no object"),
                }
            }
            "redirect" | "compile" | "buscoords" | "buscoordinates" => {
                let toks = tokenize(rest);
                let Some((_, name)) = toks.first() else {
                    self.warn(at, format!("{cmd} names no file"));
                    return;
                };
                match find_file(base, name) {
                    None => self.warn(at, format!("file not found: {name}")),
                    Some(f) if cmd.starts_with("bus") => self.read_coords(&f, at),
                    Some(f) => {
                        if let Err(e) = self.read_file(&f, Some(at)) {
                            self.warn(at, e.to_string());
                        }
                    }
                }
            }
            "open" | "close" => {
                let toks = tokenize(rest);
                match toks.first() {
                    Some((_, name)) => {
                        let key = objname(name);
                        if cmd == "open" {
                            self.opened.insert(key);
                        } else {
                            self.opened.remove(&key);
                        }
                    }
                    None => self.warn(at, format!("{cmd} names no element")),
                }
            }
            "disable" | "enable" => {
                let toks = tokenize(rest);
                if let Some((_, name)) = toks.first() {
                    let key = objname(name);
                    match self.index.get(&key).copied() {
                        Some(o) => {
                            let v = if cmd == "enable" { "yes" } else { "no" };
                            self.objects[o].props.insert("enabled".into(), v.into());
                        }
                        None => self.warn(at, format!("{cmd} of unknown object {key}")),
                    }
                }
            }
            c if IGNORED_COMMANDS.contains(&c) => self.skip(c),
            c if c.contains('.') && line.contains('=') => {
                // One-line edit: Class.name.prop=value
                let (head, val) = line.split_once('=').unwrap_or((line, ""));
                let head = head.trim();
                let Some((obj, prop)) = head.rsplit_once('.') else {
                    self.warn(at, "malformed property edit");
                    return;
                };
                match self.editable(&obj.to_ascii_lowercase(), at) {
                    Some(o) => {
                        self.active = Some(o);
                        let toks = tokenize(&format!("{prop}={}", val.trim()));
                        self.apply(o, &toks, false, at);
                    }
                    None => self.warn(at, format!("edit of unknown object {obj}")),
                }
            }
            other => {
                self.warn(at, format!("unknown command {other:?} skipped"));
            }
        }
    }

    fn new_object(&mut self, rest: &str, at: &SourceLocation) {
        let toks = tokenize(rest);
        let Some((k, v)) = toks.first() else {
            self.warn(at, "New with no object");
            return;
        };
        let spec = match k {
            Some(k) if k.eq_ignore_ascii_case("object") => v.clone(),
            None => v.clone(),
            Some(_) => {
                self.warn(at, "New without class.name");
                return;
            }
        };
        let Some((cls, name)) = spec.split_once('.') else {
            self.warn(at, format!("New {spec}: no class.name"));
            return;
        };
        let cls = cls.to_ascii_lowercase();
        if name.is_empty() {
            self.warn(at, format!("New {spec}: empty name"));
            return;
        }
        if !USED.contains(&cls.as_str()) {
            self.skip(&cls);
            self.active = None;
            self.active_skipped = true;
            return;
        }
        self.active_skipped = false;
        let key = format!("{cls}.{}", name.to_ascii_lowercase());
        let mut o = Obj {
            cls: cls.clone(),
            name: name.to_string(),
            at: at.clone(),
            wdg: 1,
            ..Default::default()
        };
        if cls == "transformer" || cls == "xfmrcode" {
            o.wdgs = vec![HashMap::new(), HashMap::new()];
        }
        let idx = match self.index.get(&key) {
            Some(&i) => {
                self.objects[i] = o;
                i
            }
            None => {
                self.objects.push(o);
                self.index.insert(key, self.objects.len() - 1);
                self.objects.len() - 1
            }
        };
        if cls == "circuit" {
            self.circuit = Some(idx);
        }
        self.active = Some(idx);
        self.active_pos = -1;
        self.apply(idx, &toks[1..], false, at);
    }

    /// The object an edit names. `New Circuit` creates the circuit's source as
    /// `Vsource.source` in OpenDSS, so an edit of it (exported models move the source
    /// bus that way) finds it once a circuit is defined.
    fn editable(&mut self, key: &str, at: &SourceLocation) -> Option<usize> {
        if let Some(&o) = self.index.get(key) {
            return Some(o);
        }
        if key == "vsource.source" && self.circuit.is_some() {
            self.new_object("vsource.source", at);
            return self.index.get(key).copied();
        }
        None
    }

    fn resolve(cls: &str, key: &str) -> String {
        let key = key.to_ascii_lowercase();
        let list = props(cls);
        if list.contains(&key.as_str()) {
            return key;
        }
        list.iter()
            .find(|p| p.starts_with(&key))
            .map(|p| p.to_string())
            .unwrap_or(key)
    }

    fn apply(
        &mut self,
        o: usize,
        toks: &[(Option<String>, String)],
        cont: bool,
        at: &SourceLocation,
    ) {
        let cls = self.objects[o].cls.clone();
        let list = props(&cls);
        let mut pos: isize = if cont { self.active_pos } else { -1 };
        for (k, v) in toks {
            let prop = match k {
                None => {
                    pos += 1;
                    match list.get(pos as usize) {
                        Some(p) => p.to_string(),
                        None => continue,
                    }
                }
                Some(k) => {
                    let p = Self::resolve(&cls, k);
                    if let Some(i) = list.iter().position(|x| *x == p) {
                        pos = i as isize;
                    }
                    p
                }
            };
            self.set(o, &prop, v, at);
        }
        self.active_pos = pos;
    }

    fn set(&mut self, o: usize, prop: &str, v: &str, at: &SourceLocation) {
        if prop == "like" {
            let key = format!("{}.{}", self.objects[o].cls, v.trim().to_ascii_lowercase());
            match self.index.get(&key).copied() {
                Some(src) if src != o => {
                    let (props, wdgs) = {
                        let s = &self.objects[src];
                        (s.props.clone(), s.wdgs.clone())
                    };
                    let dst = &mut self.objects[o];
                    dst.props.extend(props);
                    if !wdgs.is_empty() {
                        dst.wdgs = wdgs;
                    }
                }
                _ => self.warn(at, format!("like= names unknown {key}")),
            }
            return;
        }
        let obj = &mut self.objects[o];
        if obj.cls == "transformer" || obj.cls == "xfmrcode" {
            set_winding(obj, prop, v);
        } else {
            obj.props.insert(prop.to_string(), v.to_string());
        }
    }

    fn read_coords(&mut self, path: &Path, at: &SourceLocation) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.warn(at, format!("cannot read {}: {e}", path.display()));
                return;
            }
        };
        let text: String = bytes.iter().map(|&b| b as char).collect();
        for raw in text.lines() {
            let line = strip_comment(raw).trim();
            let parts: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() >= 3
                && let (Ok(x), Ok(y)) = (parts[1].parse::<f64>(), parts[2].parse::<f64>())
                && x.is_finite()
                && y.is_finite()
            {
                self.coords.push((parts[0].to_string(), x, y));
            }
        }
    }

    fn obj(&self, key: &str) -> Option<&Obj> {
        self.index.get(key).map(|&i| &self.objects[i])
    }

    /// Builds the network from the objects read.
    fn finish(mut self, path: &Path) -> Result<(Network, ImportReport), ImportError> {
        let Some(ci) = self.circuit else {
            return Err(ImportError::NoCircuit {
                path: path.to_path_buf(),
            });
        };
        let circuit = self.objects[ci].name.to_ascii_lowercase();
        let mut source_bus = self.objects[ci]
            .get("bus1")
            .map(bus_key)
            .unwrap_or_else(|| "sourcebus".to_string());
        if let Some(vs) = self.obj("vsource.source")
            && let Some(b) = vs.get("bus1")
        {
            source_bus = bus_key(b);
        }

        // Power-delivery elements.
        struct El {
            name: String,
            kind: ElementKind,
            buses: Vec<String>,
            phases: u8,
            switch: bool,
            open: bool,
            lowest_kv: Option<f64>,
            kva: Option<f64>,
            at: SourceLocation,
        }
        let mut els: Vec<El> = Vec::new();
        let mut report = ImportReport::default();
        let mut warnings: Vec<(SourceLocation, String)> = Vec::new();
        for o in &self.objects {
            let kind = match o.cls.as_str() {
                "line" => ElementKind::Line,
                "transformer" => ElementKind::Transformer,
                "reactor" => ElementKind::Reactor,
                _ => continue,
            };
            let key = format!("{}.{}", o.cls, o.name.to_ascii_lowercase());
            let enabled = o.enabled();
            let open = !enabled || self.opened.contains(&key);
            if kind == ElementKind::Transformer {
                let mut wd = o.wdgs.clone();
                let mut phases = o.get("phases");
                if let Some(code) = o.get("xfmrcode") {
                    match self.obj(&format!("xfmrcode.{}", code.to_ascii_lowercase())) {
                        Some(xc) => {
                            for (i, w) in xc.wdgs.iter().enumerate() {
                                while wd.len() <= i {
                                    wd.push(HashMap::new());
                                }
                                for k in ["kv", "kva", "conn"] {
                                    if let Some(v) = w.get(k)
                                        && !wd[i].contains_key(k)
                                    {
                                        wd[i].insert(k.to_string(), v.clone());
                                    }
                                }
                            }
                            if phases.is_none() {
                                phases = xc.get("phases");
                            }
                        }
                        None => {
                            warnings.push((o.at.clone(), format!("{key}: unknown xfmrcode {code}")))
                        }
                    }
                }
                let buses: Vec<String> = wd
                    .iter()
                    .filter_map(|w| w.get("bus").map(|b| bus_key(b)))
                    .collect();
                if buses.is_empty() {
                    warnings.push((o.at.clone(), format!("{key}: no buses, skipped")));
                    continue;
                }
                if enabled {
                    report.transformers += 1;
                }
                let kvs: Vec<f64> = wd
                    .iter()
                    .filter_map(|w| to_float(w.get("kv").map(String::as_str)))
                    .collect();
                let lowest_kv = kvs.iter().copied().reduce(f64::min);
                let kva = wd
                    .first()
                    .and_then(|w| to_float(w.get("kva").map(String::as_str)));
                let mut distinct: Vec<String> = Vec::new();
                for b in buses {
                    if !distinct.contains(&b) {
                        distinct.push(b);
                    }
                }
                if distinct.len() > 2 {
                    warnings.push((
                        o.at.clone(),
                        format!(
                            "{key}: windings on {} buses; only the first two are joined",
                            distinct.len()
                        ),
                    ));
                }
                if distinct.len() < 2 {
                    continue;
                }
                els.push(El {
                    name: key,
                    kind,
                    buses: distinct,
                    phases: to_float(phases).unwrap_or(3.0) as u8,
                    switch: false,
                    open,
                    lowest_kv,
                    kva,
                    at: o.at.clone(),
                });
                continue;
            }
            let (Some(b1), b2) = (o.get("bus1"), o.get("bus2")) else {
                warnings.push((o.at.clone(), format!("{key}: no bus1, skipped")));
                continue;
            };
            let Some(b2) = b2 else {
                if kind == ElementKind::Line {
                    warnings.push((o.at.clone(), format!("{key}: no bus2, skipped")));
                } else {
                    self.skipped
                        .entry("reactor (shunt)".into())
                        .and_modify(|n| *n += 1)
                        .or_insert(1);
                }
                continue;
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
                continue;
            }
            els.push(El {
                name: key,
                kind,
                buses: vec![k1, k2],
                phases: phases as u8,
                switch,
                open,
                lowest_kv: None,
                kva: None,
                at: o.at.clone(),
            });
        }

        // Reachability over closed elements, to leave out loads with no supply.
        let mut bus_ix: HashMap<&str, usize> = HashMap::new();
        let mut bus_list: Vec<&str> = Vec::new();
        for e in &els {
            for b in &e.buses {
                if !bus_ix.contains_key(b.as_str()) {
                    bus_ix.insert(b.as_str(), bus_list.len());
                    bus_list.push(b.as_str());
                }
            }
        }
        if !bus_ix.contains_key(source_bus.as_str()) {
            bus_ix.insert(source_bus.as_str(), bus_list.len());
            bus_list.push(source_bus.as_str());
        }
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); bus_list.len()];
        // The first two buses only: an element joins those (the warning above says so
        // for transformers with more), and the builder would find loads beyond the
        // others unsupplied.
        for e in els.iter().filter(|e| !e.open) {
            let a = bus_ix[e.buses[0].as_str()];
            let b = bus_ix[e.buses[1].as_str()];
            adj[a].push(b);
            adj[b].push(a);
        }
        let mut reached = vec![false; bus_list.len()];
        let s = bus_ix[source_bus.as_str()];
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

        let mut b = NetworkBuilder::new(&circuit);
        for name in &bus_list {
            b.add_bus(name);
        }
        b.add_source(&format!("circuit.{circuit}"), &source_bus)?;
        for e in &els {
            b.at(e.at.clone());
            let opts = LineOptions {
                phases: e.phases,
                switch: e.switch,
                normally_open: e.open,
            };
            b.push_element(
                &e.name,
                e.kind,
                &e.buses[0],
                &e.buses[1],
                opts,
                e.lowest_kv,
                e.kva,
            )?;
        }
        for o in &self.objects {
            if o.cls != "load" || !o.enabled() {
                continue;
            }
            let key = format!("load.{}", o.name.to_ascii_lowercase());
            let Some(bus) = o.get("bus1") else {
                warnings.push((o.at.clone(), format!("{key}: no bus, skipped")));
                continue;
            };
            let bus = bus_key(bus);
            match bus_ix.get(bus.as_str()) {
                Some(&i) if reached[i] => {}
                _ => {
                    warnings.push((
                        o.at.clone(),
                        format!("{key}: bus {bus} has no path to the source, skipped"),
                    ));
                    continue;
                }
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
            b.add_customer(&key, &bus)?;
        }
        let kinds = [
            ("relay", DeviceKind::Breaker),
            ("recloser", DeviceKind::Recloser),
            ("fuse", DeviceKind::Fuse),
            ("swtcontrol", DeviceKind::Switch),
        ];
        let element_names: HashSet<&str> = els.iter().map(|e| e.name.as_str()).collect();
        for o in &self.objects {
            let Some(&(_, kind)) = kinds.iter().find(|(c, _)| *c == o.cls) else {
                continue;
            };
            let key = format!("{}.{}", o.cls, o.name.to_ascii_lowercase());
            if !o.enabled() {
                warnings.push((o.at.clone(), format!("{key}: disabled, skipped")));
                continue;
            }
            let target = if kind == DeviceKind::Switch {
                o.get("switchedobj")
            } else {
                o.get("switchedobj").or(o.get("monitoredobj"))
            };
            let Some(target) = target else {
                warnings.push((
                    o.at.clone(),
                    format!("{key}: no monitored element, skipped"),
                ));
                continue;
            };
            let target = objname(target);
            if !element_names.contains(target.as_str()) {
                warnings.push((
                    o.at.clone(),
                    format!("{key}: element {target} not found, skipped"),
                ));
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
        for (name, x, y) in &self.coords {
            b.set_bus_position(name, *x, *y);
        }
        for (at, m) in warnings {
            self.warnings.push(ImportWarning { at, message: m });
        }
        // A closed loop in the model: open the element that closes it, with a warning,
        // and try again (an OMS must cut a meshed model somewhere to stay radial).
        let mut builder = b;
        let net = loop {
            match builder.clone().build() {
                Ok(n) => break n,
                Err(NetworkError::Loop { elements }) if !elements.is_empty() => {
                    let first = elements[0].clone();
                    let Some(e) = builder.element_id(&first) else {
                        return Err(NetworkError::Loop { elements }.into());
                    };
                    // The warning names where the element opened was defined.
                    let at = els
                        .iter()
                        .find(|el| el.name == first)
                        .map(|el| el.at.clone())
                        .unwrap_or_default();
                    self.warnings.push(ImportWarning {
                        at,
                        message: format!(
                            "closed loop through {}: {first} treated as open",
                            elements.join(", ")
                        ),
                    });
                    builder.open_element(e);
                }
                Err(e) => return Err(e.into()),
            }
        };
        report.customers = net.customers().len();
        report.sources = net.sources().len();
        report.distribution_transformers = net
            .elements()
            .iter()
            .filter(|e| e.is_distribution_transformer() && !e.normally_open)
            .count();
        if let Ok(view) = EnergizationView::normal(&net) {
            report.max_depth = view.max_depth() as usize + 1;
        }
        report.warnings = self.warnings.len();
        report.warning_list = self.warnings;
        report.skipped = self.skipped;
        report.files = self.files.len();
        Ok((net, report))
    }
}

fn set_winding(o: &mut Obj, prop: &str, v: &str) {
    fn ensure(o: &mut Obj, n: usize) {
        while o.wdgs.len() < n {
            o.wdgs.push(HashMap::new());
        }
    }
    match prop {
        "windings" => {
            let n = to_float(Some(v)).unwrap_or(2.0).clamp(1.0, 16.0) as usize;
            ensure(o, n);
            o.wdgs.truncate(n);
            o.props.insert(prop.into(), v.into());
        }
        "wdg" => {
            o.wdg = (to_float(Some(v)).unwrap_or(1.0).clamp(1.0, 16.0)) as usize;
            let w = o.wdg;
            ensure(o, w);
        }
        "bus" | "conn" | "kv" | "kva" | "tap" | "%r" => {
            let w = o.wdg.max(1);
            ensure(o, w);
            o.wdgs[w - 1].insert(prop.into(), v.into());
        }
        "buses" | "conns" | "kvs" | "kvas" | "taps" | "%rs" => {
            let single = match prop {
                "buses" => "bus",
                "conns" => "conn",
                "kvs" => "kv",
                "kvas" => "kva",
                "taps" => "tap",
                _ => "%r",
            };
            let vals = to_list(v);
            ensure(o, vals.len().min(16));
            for (i, x) in vals.into_iter().take(16).enumerate() {
                o.wdgs[i].insert(single.into(), x);
            }
        }
        _ => {
            o.props.insert(prop.into(), v.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_handles_groups_and_spacing() {
        let t = tokenize("Line.L1 bus1 = a.1.2 bus2=b  r1=(1 2 +) buses=[x, y] 'q r'");
        assert_eq!(t[0], (None, "Line.L1".into()));
        assert_eq!(t[1], (Some("bus1".into()), "a.1.2".into()));
        assert_eq!(t[2], (Some("bus2".into()), "b".into()));
        assert_eq!(t[3], (Some("r1".into()), "(1 2 +)".into()));
        assert_eq!(t[4], (Some("buses".into()), "x, y".into()));
        assert_eq!(t[5], (None, "q r".into()));
    }

    #[test]
    fn rpn_evaluates_expressions() {
        assert!((rpn("(12.47 3 sqrt /)").unwrap() - 7.1996).abs() < 1e-3);
        assert_eq!(rpn("(1 +)"), None);
    }

    #[test]
    fn comments_are_stripped_outside_quotes() {
        assert_eq!(strip_comment("a b ! c"), "a b ");
        assert_eq!(strip_comment("a // c"), "a ");
        assert_eq!(strip_comment("a '!x' b"), "a '!x' b");
    }
}
