//! Objects' property values, compact: only the properties the import reads, the values
//! of every object side by side in one arena.
//!
//! A model of a million customers holds millions of objects until they are assembled:
//! a map of strings to strings for each costs about 2 kB an object, a buffer for each
//! about 100 bytes and an allocation. In the arena an object's values cost their bytes,
//! 3 bytes a property and 12 bytes a run of properties set together (usually one run
//! an object: its `New` and the `~` lines after it).

/// The properties the assembly reads, of any class (a transformer's winding
/// properties among them); any other property is dropped as it is set.
const KEPT: &[&str] = &[
    "bus1",
    "bus2",
    "phases",
    "enabled",
    "switch",
    "linecode",
    "normamps",
    "emergamps",
    "xfmrcode",
    "kv",
    "kw",
    "kva",
    "kvar",
    "xfkva",
    "pf",
    "basekv",
    "switchedobj",
    "monitoredobj",
    "normal",
    "state",
    "bus",
];

/// The slot of a kept property.
pub(super) fn slot(prop: &str) -> Option<u8> {
    KEPT.iter().position(|p| *p == prop).map(|i| i as u8)
}

/// An object with no values yet.
pub(super) const NO_RUN: usize = usize::MAX;
/// The slot of an entry removed (a winding dropped).
const DEAD: u8 = u8::MAX;
/// Bytes of a run's header: the run before it (8) and its length (4).
const HEADER: usize = 12;

/// One entry: the property's slot, its winding (0 for the object's own properties),
/// and where its value's bytes are.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) slot: u8,
    pub(super) winding: u8,
    pub(super) value: std::ops::Range<usize>,
}

/// The arena of values: runs of entries, each run of one object.
///
/// A run is the offset of the same object's run before it (`u64` little-endian,
/// all ones for none), the run's length in bytes (`u32`) and its entries. An entry is
/// the property's slot, its winding, its value's length (one byte, or 255 and a `u32`)
/// and the value's bytes. An object refers to its latest run: a value set while that
/// run ends the arena extends it, else it starts a new run. A property set again
/// shadows its earlier value: lookups go from the latest run back and take the last
/// entry of a run.
#[derive(Debug, Default)]
pub(super) struct Values {
    bytes: Vec<u8>,
}

impl Values {
    fn word(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().expect("8 bytes"))
    }

    fn run_len(&self, run: usize) -> usize {
        let b: [u8; 4] = self.bytes[run + 8..run + 12].try_into().expect("4 bytes");
        u32::from_le_bytes(b) as usize
    }

    /// The run before `run`, if any.
    fn previous(&self, run: usize) -> usize {
        match self.word(run) {
            u64::MAX => NO_RUN,
            p => p as usize,
        }
    }

    /// Sets `slot` of `winding` to `value` for the object whose latest run is `*run`
    /// (updated when a run starts). A value past `u32::MAX` bytes is cut there.
    ///
    /// # Complexity
    /// O(length of the value).
    pub(super) fn insert(&mut self, run: &mut usize, slot: u8, winding: u8, value: &str) {
        let value = &value.as_bytes()[..value.len().min(u32::MAX as usize)];
        let size = 2 + if value.len() < 255 { 1 } else { 5 } + value.len();
        let extend = *run != NO_RUN
            && *run + HEADER + self.run_len(*run) == self.bytes.len()
            && self.run_len(*run) + size <= u32::MAX as usize;
        if !extend {
            let prev = if *run == NO_RUN {
                u64::MAX
            } else {
                *run as u64
            };
            *run = self.bytes.len();
            self.bytes.extend_from_slice(&prev.to_le_bytes());
            self.bytes.extend_from_slice(&0u32.to_le_bytes());
        }
        self.bytes.extend_from_slice(&[slot, winding]);
        if value.len() < 255 {
            self.bytes.push(value.len() as u8);
        } else {
            self.bytes.push(255);
            self.bytes
                .extend_from_slice(&(value.len() as u32).to_le_bytes());
        }
        self.bytes.extend_from_slice(value);
        let len = (self.run_len(*run) + size) as u32;
        self.bytes[*run + 8..*run + 12].copy_from_slice(&len.to_le_bytes());
    }

    /// The entries of one run, in the order set (removed ones included).
    fn run_entries(&self, run: usize) -> impl Iterator<Item = (usize, Entry)> + '_ {
        let end = run + HEADER + self.run_len(run);
        let mut i = run + HEADER;
        std::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let at = i;
            let (slot, winding) = (self.bytes[i], self.bytes[i + 1]);
            let (len, skip) = match self.bytes[i + 2] {
                255 => {
                    let b: [u8; 4] = self.bytes[i + 3..i + 7].try_into().expect("4 bytes");
                    (u32::from_le_bytes(b) as usize, 7)
                }
                n => (n as usize, 3),
            };
            let value = i + skip..i + skip + len;
            i = value.end;
            Some((
                at,
                Entry {
                    slot,
                    winding,
                    value,
                },
            ))
        })
    }

    /// The runs of an object, latest first.
    fn runs(&self, latest: usize) -> impl Iterator<Item = usize> + '_ {
        let mut run = latest;
        std::iter::from_fn(move || {
            if run == NO_RUN {
                return None;
            }
            let this = run;
            run = self.previous(run);
            Some(this)
        })
    }

    /// The value last set for `prop` of `winding`.
    ///
    /// # Complexity
    /// O(properties set on the object).
    pub(super) fn get(&self, latest: usize, prop: &str, winding: u8) -> Option<&str> {
        let s = slot(prop)?;
        self.runs(latest).find_map(|run| {
            (self.run_entries(run))
                .filter(|(_, e)| e.slot == s && e.winding == winding)
                .last()
                .map(|(_, e)| self.text(e.value))
        })
    }

    /// A value's text (values are whole `&str`s, pushed whole: UTF-8).
    pub(super) fn text(&self, r: std::ops::Range<usize>) -> &str {
        std::str::from_utf8(&self.bytes[r]).expect("a value is UTF-8")
    }

    /// The values in force of an object: one entry for each property and winding set.
    pub(super) fn current(&self, latest: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for run in self.runs(latest) {
            let mut newer_in_run: Vec<Entry> = Vec::new();
            for (_, e) in self.run_entries(run) {
                if e.slot == DEAD {
                    continue;
                }
                let key = |x: &Entry| x.slot == e.slot && x.winding == e.winding;
                match newer_in_run.iter_mut().find(|x| key(x)) {
                    Some(x) => *x = e,
                    None => newer_in_run.push(e),
                }
            }
            for e in newer_in_run {
                if !out
                    .iter()
                    .any(|x| x.slot == e.slot && x.winding == e.winding)
                {
                    out.push(e);
                }
            }
        }
        out
    }

    /// Removes the entries of the windings that `drop` selects.
    ///
    /// # Complexity
    /// O(properties set on the object).
    pub(super) fn remove_windings(&mut self, latest: usize, drop: impl Fn(u8) -> bool) {
        let runs: Vec<usize> = self.runs(latest).collect();
        for run in runs {
            let dead: Vec<usize> = (self.run_entries(run))
                .filter(|(_, e)| e.winding != 0 && drop(e.winding))
                .map(|(at, _)| at)
                .collect();
            for at in dead {
                self.bytes[at] = DEAD;
            }
        }
    }

    /// Copies `entries` (of this arena) to the object whose latest run is `*run`.
    pub(super) fn copy(&mut self, run: &mut usize, entries: &[Entry]) {
        for e in entries {
            let value = self.text(e.value.clone()).to_string();
            self.insert(run, e.slot, e.winding, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_set_wins_and_unread_properties_are_dropped() {
        let mut v = Values::default();
        let (mut a, mut b) = (NO_RUN, NO_RUN);
        let set = |run: &mut usize, p: &str, w: u8, x: &str, v: &mut Values| {
            if let Some(s) = slot(p) {
                v.insert(run, s, w, x);
            }
        };
        set(&mut a, "bus1", 0, "a.1.2", &mut v);
        set(&mut a, "r1", 0, "0.3", &mut v);
        set(&mut b, "bus2", 0, "x", &mut v);
        set(&mut a, "kw", 0, "", &mut v);
        set(&mut a, "bus1", 0, "b", &mut v);
        set(&mut a, "kv", 2, &"9".repeat(300), &mut v);
        assert_eq!(v.get(a, "bus1", 0), Some("b"));
        assert_eq!(v.get(a, "kw", 0), Some(""));
        assert_eq!(v.get(a, "r1", 0), None);
        assert_eq!(v.get(a, "bus2", 0), None);
        assert_eq!(v.get(a, "kv", 2).map(str::len), Some(300));
        assert_eq!(v.current(a).len(), 3);
        v.remove_windings(a, |w| w > 1);
        assert_eq!(v.get(a, "kv", 2), None);
        let current = v.current(a);
        v.copy(&mut b, &current);
        assert_eq!(
            (v.get(b, "bus1", 0), v.get(b, "bus2", 0)),
            (Some("b"), Some("x"))
        );
    }
}
