//! An object's property values, compact: only the properties the import reads, their
//! values side by side in one string.
//!
//! A model of a million customers holds millions of objects until they are assembled;
//! a map of strings to strings for each cost about 2 kB an object (an allocation per
//! name and per value, a table per object). A bag costs two allocations, the values'
//! bytes and 8 bytes a property.

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

/// Property values by name; a property set again shadows its earlier value.
#[derive(Debug, Clone, Default)]
pub(super) struct Bag {
    /// The values, one after the other.
    text: String,
    /// `(slot, end of its value in text)`, in the order set.
    keys: Vec<(u8, u32)>,
}

impl Bag {
    /// The value last set for `prop`.
    ///
    /// # Complexity
    /// O(properties set on the object).
    pub(super) fn get(&self, prop: &str) -> Option<&str> {
        let s = slot(prop)?;
        let i = self.keys.iter().rposition(|&(k, _)| k == s)?;
        Some(&self.text[self.start(i)..self.keys[i].1 as usize])
    }

    /// Whether `prop` is set.
    pub(super) fn contains(&self, prop: &str) -> bool {
        self.get(prop).is_some()
    }

    /// Sets `prop` to `value`, unless the import never reads it.
    pub(super) fn insert(&mut self, prop: &str, value: &str) {
        if let Some(s) = slot(prop) {
            self.text.push_str(value);
            self.keys.push((s, self.text.len() as u32));
        }
    }

    /// Sets every property `other` has, to its value there.
    pub(super) fn extend(&mut self, other: &Bag) {
        for i in 0..other.keys.len() {
            let value = &other.text[other.start(i)..other.keys[i].1 as usize];
            self.text.push_str(value);
            self.keys.push((other.keys[i].0, self.text.len() as u32));
        }
    }

    /// Where the `i`-th value starts.
    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.keys[i - 1].1 as usize
        }
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
