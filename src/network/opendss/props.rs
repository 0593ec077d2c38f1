//! The property tables of the classes read: each class's properties in OpenDSS order
//! (for positional values and abbreviations), the classes the topology uses, and the
//! commands skipped.

/// Properties of every class, after the class's own.
const COMMON: &[&str] = &["basefreq", "enabled", "like"];
/// Properties of every power-delivery element, after the element's own.
const PDE: &[&str] = &["normamps", "emergamps", "faultrate", "pctperm", "repair"];

/// The properties of a class in OpenDSS order (empty for classes not read).
pub(super) fn props(cls: &str) -> &'static [&'static str] {
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
pub(super) const USED: &[&str] = &[
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

/// Commands that change no topology: counted as skipped.
pub(super) const IGNORED_COMMANDS: &[&str] = &[
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

/// The full name of property `key` of class `cls`: itself when the class has it, else
/// the first property it abbreviates, else itself (unknown, kept as given).
// Inlined into the interpreter: it runs for every keyed property of the model.
#[inline]
pub(super) fn resolve(cls: &str, key: &str) -> String {
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
