//! Object ids: references written `urn:uuid:X`, `#_X`, `_X`, `#X` or `X` normalised to
//! one key, interned to dense numbers, with what defines each number.

use std::cell::OnceCell;
use std::collections::HashMap;

/// An interned object id.
pub(super) type Ref = u32;

/// No object.
pub(super) const NONE: Ref = u32::MAX;

/// What defines an id: nothing yet, an object the reader skips, or a row of one of the
/// reader's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Def {
    /// Referenced, not (yet) defined.
    Missing,
    /// An object of a class outside the reader's subset.
    Skipped,
    /// A `ConnectivityNode`.
    Node(u32),
    /// A `Terminal`.
    Terminal(u32),
    /// Conducting equipment the reader builds from.
    Equipment(u32),
    /// A `TransformerTank`.
    Tank(u32),
    /// A `BaseVoltage`.
    BaseVoltage(u32),
    /// A `Location`, an `OperationalLimitSet` or `OperationalLimitType`, a container,
    /// an asset catalogue entry or another object that the tables find by its id.
    Other,
}

/// What an id number stands for, to print it: the 128 bits of a UUID (in either case),
/// or else the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    None,
    Uuid([u64; 2]),
    Text(Box<str>),
}

/// The interned ids and their definitions.
///
/// The keys of the numbers (to print an id) are found from the maps when first asked
/// for, once: a model read without a warning and with every object named never needs
/// them.
#[derive(Debug, Default)]
pub(super) struct Ids {
    uuids: HashMap<[u64; 2], Ref>,
    texts: HashMap<Box<str>, Ref>,
    defs: Vec<Def>,
    keys: OnceCell<Vec<Key>>,
}

/// Bytes of a model per id, about: ids are reserved for a model's size up front, so
/// that the tables grow once rather than rehash as they fill.
const BYTES_PER_ID: u64 = 500;

impl Ids {
    /// Room for the ids of a model of `bytes` bytes.
    pub(super) fn for_model(bytes: u64) -> Self {
        let n = (bytes / BYTES_PER_ID) as usize;
        Ids {
            uuids: HashMap::with_capacity(n),
            defs: Vec::with_capacity(n),
            ..Ids::default()
        }
    }

    /// The number of an id as written in `rdf:about`, `rdf:ID`, `rdf:resource` or
    /// `IdentifiedObject.mRID` (`NONE` for an empty one).
    ///
    /// # Complexity
    /// O(length of the id): one hash probe.
    pub(super) fn intern(&mut self, raw: &str) -> Ref {
        let s = normalise(raw);
        if s.is_empty() {
            return NONE;
        }
        let next = self.defs.len() as Ref;
        let r = match parse_uuid(s) {
            Some(u) => *self.uuids.entry(u).or_insert(next),
            None => match self.texts.get(s) {
                Some(&r) => r,
                None => {
                    self.texts.insert(s.into(), next);
                    next
                }
            },
        };
        if r == next {
            self.defs.push(Def::Missing);
        }
        r
    }

    /// Records what defines `r`; returns what defined it before when it was defined
    /// already (a duplicate id), leaving the first definition.
    pub(super) fn define(&mut self, r: Ref, def: Def) -> Result<(), Def> {
        match self.defs[r as usize] {
            Def::Missing => {
                self.defs[r as usize] = def;
                Ok(())
            }
            before => Err(before),
        }
    }

    /// What defines `r` (`Missing` for `NONE`).
    pub(super) fn def(&self, r: Ref) -> Def {
        self.defs.get(r as usize).copied().unwrap_or(Def::Missing)
    }

    /// The id as text, for messages and for naming objects that have no name: a UUID
    /// in lowercase with its hyphens.
    pub(super) fn text(&self, r: Ref) -> String {
        let keys = self.keys.get_or_init(|| {
            let mut keys = vec![Key::None; self.defs.len()];
            for (u, &r) in &self.uuids {
                keys[r as usize] = Key::Uuid(*u);
            }
            for (t, &r) in &self.texts {
                keys[r as usize] = Key::Text(t.clone());
            }
            keys
        });
        match keys.get(r as usize) {
            None | Some(Key::None) => String::new(),
            Some(Key::Text(t)) => t.to_string(),
            Some(Key::Uuid([hi, lo])) => {
                let h = format!("{hi:016x}{lo:016x}");
                format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            }
        }
    }
}

/// The id without `urn:uuid:`, `#` and a leading `_`, and without surrounding blanks.
fn normalise(raw: &str) -> &str {
    let s = raw.trim();
    let s = match s.get(..9) {
        Some(p) if p.eq_ignore_ascii_case("urn:uuid:") => &s[9..],
        _ => s,
    };
    let s = s.strip_prefix('#').unwrap_or(s);
    s.strip_prefix('_').unwrap_or(s)
}

/// A UUID in its canonical form (`8-4-4-4-12` hexadecimal digits, either case).
fn parse_uuid(s: &str) -> Option<[u64; 2]> {
    let b = s.as_bytes();
    if b.len() != 36 || [b[8], b[13], b[18], b[23]] != [b'-'; 4] {
        return None;
    }
    let mut v: u128 = 0;
    for part in [&b[..8], &b[9..13], &b[14..18], &b[19..23], &b[24..]] {
        for &c in part {
            let d = HEX[c as usize];
            if d > 15 {
                return None;
            }
            v = (v << 4) | d as u128;
        }
    }
    Some([(v >> 64) as u64, v as u64])
}

/// The value of each hexadecimal digit, 255 for other bytes.
const HEX: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_writing_an_id_is_one_key() {
        let mut ids = Ids::default();
        let a = ids.intern("urn:uuid:52DE9189-20DC-4C73-BDEE-E960FE1F9493");
        for same in [
            "#_52de9189-20dc-4c73-bdee-e960fe1f9493",
            "_52DE9189-20DC-4C73-BDEE-E960FE1F9493",
            " URN:UUID:52de9189-20dc-4c73-bdee-e960fe1f9493 ",
            "52de9189-20dc-4c73-bdee-e960fe1f9493",
        ] {
            assert_eq!(ids.intern(same), a, "{same}");
        }
        let t = ids.intern("#_N12");
        assert_eq!(ids.intern("_N12"), t);
        assert_ne!(ids.intern("n12"), t);
        assert_eq!(ids.intern("  "), NONE);
        assert_eq!(ids.text(a), "52de9189-20dc-4c73-bdee-e960fe1f9493");
        assert_eq!(ids.text(t), "N12");
    }

    #[test]
    fn a_second_definition_is_refused() {
        let mut ids = Ids::default();
        let a = ids.intern("x");
        assert_eq!(ids.def(a), Def::Missing);
        assert_eq!(ids.define(a, Def::Node(0)), Ok(()));
        assert_eq!(ids.define(a, Def::Terminal(3)), Err(Def::Node(0)));
        assert_eq!(ids.def(a), Def::Node(0));
        assert_eq!(ids.def(NONE), Def::Missing);
    }
}
