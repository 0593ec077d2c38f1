//! Object ids: references written `urn:uuid:X`, `#_X`, `_X`, `#X` or `X` normalised to
//! one key, interned to dense numbers, with what defines each number.

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

/// An id's key: the 128 bits of a UUID (in either case), or else the text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Uuid([u64; 2]),
    Text(u32),
}

/// The interned ids and their definitions.
#[derive(Debug, Default)]
pub(super) struct Ids {
    uuids: HashMap<[u64; 2], Ref>,
    texts: HashMap<Box<str>, Ref>,
    text_keys: Vec<Box<str>>,
    keys: Vec<Key>,
    defs: Vec<Def>,
}

impl Ids {
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
        let next = self.keys.len() as Ref;
        let r = match parse_uuid(s) {
            Some(u) => *self.uuids.entry(u).or_insert(next),
            None => match self.texts.get(s) {
                Some(&r) => r,
                None => {
                    self.texts.insert(s.into(), next);
                    self.text_keys.push(s.into());
                    next
                }
            },
        };
        if r == next {
            self.keys.push(match parse_uuid(s) {
                Some(u) => Key::Uuid(u),
                None => Key::Text(self.text_keys.len() as u32 - 1),
            });
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
        match self.keys.get(r as usize) {
            None => String::new(),
            Some(Key::Text(i)) => self.text_keys[*i as usize].to_string(),
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
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        v = (v << 4) | (c as char).to_digit(16)? as u128;
    }
    Some([(v >> 64) as u64, v as u64])
}

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
