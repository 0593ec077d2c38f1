//! Ratings: what service restoration reads from a model (line ampacities, a
//! transformer's winding voltages, a load's kW and kvar, the source's voltage), with
//! OpenDSS's own defaults where models rely on them.
//!
//! A value the model sets (on the object, through `like=`, or on its `LineCode` or
//! `XfmrCode`) is kept. Where it sets none, OpenDSS's defaults are used for what
//! models routinely leave to them, and each use is counted in the report's
//! `defaulted`: a line's or series reactor's `normamps` (400 A) and `emergamps`
//! (600 A), which IEEE 123's line codes leave unset; the source's `basekv` (115 kV),
//! which IEEE 8500 leaves unset; a load's power factor (0.88). The size of a piece of
//! equipment is never guessed: a transformer without a winding voltage or a kVA, or a
//! load without `kw` or `kva`, gets none, with a warning.

use super::objects::Objects;
use super::report::Notes;
use super::table::Obj;
use super::values::to_float;

/// OpenDSS's `normamps` of a line, line code or reactor that sets none, A.
const DEFAULT_NORMAMPS: f64 = 400.0;
/// OpenDSS's `emergamps` of a line, line code or reactor that sets none, A.
const DEFAULT_EMERGAMPS: f64 = 600.0;
/// OpenDSS's `basekv` of a circuit's source that sets none, kV.
const DEFAULT_SOURCE_KV: f64 = 115.0;
/// OpenDSS's power factor of a load that sets neither `pf` nor `kvar`.
const DEFAULT_PF: f64 = 0.88;

/// A property as a finite number of at least zero; a value that is there but is not one
/// is warned about and read as absent.
fn non_negative(o: Obj<'_>, key: &str, what: &str, notes: &mut Notes) -> Option<f64> {
    let raw = o.get(key)?;
    match to_float(Some(raw)) {
        Some(v) if v >= 0.0 => Some(v),
        _ => {
            notes.warn(
                &o.at(),
                format!("{what}: {key}={raw} is not a rating, ignored"),
            );
            None
        }
    }
}

/// The normal and emergency ampacity of a line (its own, else its line code's) or of a
/// series reactor (its own), OpenDSS's defaults where neither sets one.
pub(super) fn line_amps(objects: &Objects, o: Obj<'_>, key: &str, notes: &mut Notes) -> (f64, f64) {
    let code = match o.get("linecode") {
        Some(name) if o.cls() == "line" => {
            let code = objects.get_in("linecode", name.trim());
            if code.is_none() {
                notes.warn(&o.at(), format!("{key}: unknown linecode {name}"));
            }
            code
        }
        _ => None,
    };
    let amps = |prop: &str, default: f64, notes: &mut Notes| {
        non_negative(o, prop, key, notes)
            .or_else(|| code.and_then(|c| non_negative(c, prop, key, notes)))
            .unwrap_or_else(|| {
                notes.defaulted(&format!("{} {prop}", o.cls()));
                default
            })
    };
    let normal = amps("normamps", DEFAULT_NORMAMPS, notes);
    let emergency = amps("emergamps", DEFAULT_EMERGAMPS, notes);
    (normal, emergency)
}

/// The highest of a transformer's winding voltages (kV) as completed from its code,
/// with a warning when no winding has one, and when its first winding has no kVA.
pub(super) fn transformer_kv(
    o: Obj<'_>,
    kvs: &[f64],
    kva: Option<f64>,
    key: &str,
    notes: &mut Notes,
) -> Option<f64> {
    let top = kvs.iter().copied().filter(|kv| *kv > 0.0).reduce(f64::max);
    if top.is_none() {
        let msg = format!("{key}: no winding kv, voltage rating unknown");
        notes.warn(&o.at(), msg);
    }
    if kva.is_none() {
        notes.warn(&o.at(), format!("{key}: no kva, rating unknown"));
    }
    top
}

/// The source's nominal voltage, kV: the circuit's `basekv` (a `Vsource.source` edit
/// overrides it), else OpenDSS's default.
pub(super) fn source_kv(objects: &Objects, circuit: Obj<'_>, notes: &mut Notes) -> f64 {
    let edited = objects.get("vsource.source");
    edited
        .and_then(|v| non_negative(v, "basekv", "vsource.source", notes))
        .or_else(|| non_negative(circuit, "basekv", "circuit", notes))
        .unwrap_or_else(|| {
            notes.defaulted("circuit basekv");
            DEFAULT_SOURCE_KV
        })
}

/// A load's kW and kvar: `kw` with `kvar`, or with `pf` (OpenDSS's default power
/// factor when it sets neither); else `kva` with `kvar` or `pf`. `None`, with a
/// warning, when it sets neither `kw` nor `kva`.
///
/// OpenDSS lets the property set last decide between `kvar` and `pf` (and between `kw`
/// and `kva`); the reader keeps no order, so `kvar` is preferred to `pf` and `kw` to
/// `kva`, which is the same wherever a model sets one of each pair.
pub(super) fn load_power(o: Obj<'_>, key: &str, notes: &mut Notes) -> Option<(f64, f64)> {
    let kw = to_float(o.get("kw"));
    let kvar = to_float(o.get("kvar"));
    let kva = to_float(o.get("kva"));
    match (kw, kvar, kva) {
        (Some(kw), Some(kvar), _) => Some((kw, kvar)),
        (Some(kw), None, _) => Some((kw, kw * kvar_per_kw(o, key, notes))),
        (None, Some(kvar), Some(kva)) => Some(((kva * kva - kvar * kvar).max(0.0).sqrt(), kvar)),
        (None, None, Some(kva)) => {
            let q_per_p = kvar_per_kw(o, key, notes);
            let kw = kva / (1.0 + q_per_p * q_per_p).sqrt();
            Some((kw, kw * q_per_p))
        }
        (None, _, None) => {
            notes.warn(&o.at(), format!("{key}: no kw or kva, load unknown"));
            None
        }
    }
}

/// The kvar per kW of a load's power factor (OpenDSS's default where it sets none); a
/// negative power factor is a leading one, kvar of the opposite sign to kW.
fn kvar_per_kw(o: Obj<'_>, key: &str, notes: &mut Notes) -> f64 {
    let pf = match to_float(o.get("pf")) {
        Some(pf) if pf != 0.0 && pf.abs() <= 1.0 => pf,
        _ => {
            if o.get("pf").is_some() {
                notes.warn(
                    &o.at(),
                    format!("{key}: pf is not in [-1, 1] or is zero, ignored"),
                );
            }
            notes.defaulted("load pf");
            DEFAULT_PF
        }
    };
    pf.signum() * (1.0 / (pf * pf) - 1.0).max(0.0).sqrt()
}
