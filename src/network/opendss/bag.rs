//! An object's property values, compact: only the properties the import reads, their
//! values side by side in one string.
//!
//! A model of a million customers holds millions of objects until they are assembled;
//! a map of strings to strings for each cost about 2 kB an object (an allocation per
//! name and per value, a table per object). A bag costs one allocation, the values'
//! bytes and 5 bytes a property.

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
    "windings",
    "bus",
    "conn",
];

/// The slot of a kept property.
fn slot(prop: &str) -> Option<u8> {
    KEPT.iter().position(|p| *p == prop).map(|i| i as u8)
}

/// Property values by name; a property set again shadows its earlier value. One
/// allocation: entries of a slot byte, the value's length (4 bytes, little-endian)
/// and the value's bytes, in the order set.
#[derive(Debug, Clone, Default)]
pub(super) struct Bag(Vec<u8>);

impl Bag {
    /// The value last set for `prop`.
    ///
    /// # Complexity
    /// O(properties set on the object).
    pub(super) fn get(&self, prop: &str) -> Option<&str> {
        let s = slot(prop)?;
        let mut found = None;
        let mut i = 0;
        while i < self.0.len() {
            let len = u32::from_le_bytes(self.0[i + 1..i + 5].try_into().expect("4 bytes"));
            let end = i + 5 + len as usize;
            if self.0[i] == s {
                found = Some(i + 5..end);
            }
            i = end;
        }
        // Values are whole `&str`s, pushed whole: the slice is UTF-8.
        found.map(|r| std::str::from_utf8(&self.0[r]).expect("a value is UTF-8"))
    }

    /// Whether `prop` is set.
    pub(super) fn contains(&self, prop: &str) -> bool {
        self.get(prop).is_some()
    }

    /// Sets `prop` to `value`, unless the import never reads it.
    pub(super) fn insert(&mut self, prop: &str, value: &str) {
        if let Some(s) = slot(prop) {
            self.0.push(s);
            self.0
                .extend_from_slice(&(value.len() as u32).to_le_bytes());
            self.0.extend_from_slice(value.as_bytes());
        }
    }

    /// Gives back the room grown for properties to come (once a statement is read).
    pub(super) fn shrink(&mut self) {
        self.0.shrink_to_fit();
    }

    /// Sets every property `other` has, to its value there.
    pub(super) fn extend(&mut self, other: &Bag) {
        self.0.extend_from_slice(&other.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_set_wins_and_unread_properties_are_dropped() {
        let mut b = Bag::default();
        b.insert("bus1", "a.1.2");
        b.insert("r1", "0.3");
        b.insert("kw", "");
        b.insert("bus1", "b");
        assert_eq!(b.get("bus1"), Some("b"));
        assert_eq!(b.get("kw"), Some(""));
        assert_eq!(b.get("r1"), None);
        assert!(!b.contains("bus2"));
        let mut c = Bag::default();
        c.insert("bus2", "x");
        c.extend(&b);
        assert_eq!((c.get("bus1"), c.get("bus2")), (Some("b"), Some("x")));
    }
}
