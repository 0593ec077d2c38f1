//! The table of objects read: each object's class, name, values and definition in a
//! few bytes, its name in one shared string, its values in the arena of [`Values`],
//! and a name index of 4-byte slots.
//!
//! At a million customers the table holds about 1.4 million objects until they are
//! assembled; an object costs 32 bytes, its name's bytes, its values' bytes (about
//! 40 for a load) and 6 bytes of index.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::SourceLocation;
use crate::network::name_index::{self, NameIndex};

use super::bag::{Entry, NO_RUN, Values, slot};
use super::props::USED;
use super::values::to_bool;

/// One object as stored.
#[derive(Debug, Clone)]
struct Record {
    /// Where its key (`class.Name`, the class lowercase) starts in the names.
    key: usize,
    key_len: u32,
    /// Its class, as a place in [`USED`].
    cls: u8,
    /// The winding that `bus=`, `kv=`... set (1-based).
    wdg: u8,
    /// Windings (transformers and transformer codes; 0 for other classes).
    windings: u8,
    /// Where it was defined: a file of the table's files, and the line.
    file: u32,
    line: u32,
    /// Its latest run of values.
    run: usize,
}

/// The objects read, in definition order.
#[derive(Debug, Default)]
pub(super) struct Table {
    list: Vec<Record>,
    /// The objects' keys, back to back.
    names: String,
    values: Values,
    /// Key (case-insensitive) -> place in `list`.
    index: NameIndex,
    /// The files definitions are in (a file again each time reading comes back to it).
    files: Vec<Option<Arc<PathBuf>>>,
}

/// A transformer or transformer code: properties by winding.
fn has_windings(cls: &str) -> bool {
    cls == "transformer" || cls == "xfmrcode"
}

impl Table {
    /// Object `i`.
    ///
    /// # Panics
    /// When there is no object `i`.
    pub(super) fn obj(&self, i: usize) -> Obj<'_> {
        Obj {
            table: self,
            rec: &self.list[i],
        }
    }

    /// The objects in definition order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Obj<'_>> {
        self.list.iter().map(|rec| Obj { table: self, rec })
    }

    /// The object of that `class.name` (case-insensitive).
    pub(super) fn find(&self, key: &str) -> Option<usize> {
        let names = &self.names;
        let list = &self.list;
        (self.index)
            .find(key, |i| key_of(names, &list[i as usize]))
            .map(|i| i as usize)
    }

    /// The object of class `cls` (lowercase) named `name` (case-insensitive).
    pub(super) fn find_in(&self, cls: &str, name: &str) -> Option<usize> {
        let names = &self.names;
        let list = &self.list;
        let parts = [cls.as_bytes(), b".", name.as_bytes()];
        (self.index)
            .find_parts(&parts, |i| key_of(names, &list[i as usize]))
            .map(|i| i as usize)
    }

    /// A new object of class `cls` (one of [`USED`]) named `name`, defined at `at`: added
    /// at the end, or in place of the one of the same name (which is returned with its
    /// definition).
    pub(super) fn define(
        &mut self,
        cls: &'static str,
        name: &str,
        at: &SourceLocation,
    ) -> (usize, Option<SourceLocation>) {
        let key = self.names.len();
        self.names.push_str(cls);
        self.names.push('.');
        self.names.push_str(name);
        let rec = Record {
            key,
            key_len: (self.names.len() - key) as u32,
            cls: USED.iter().position(|c| *c == cls).expect("a class read") as u8,
            wdg: 1,
            windings: if has_windings(cls) { 2 } else { 0 },
            file: self.file_of(at),
            line: at.line,
            run: NO_RUN,
        };
        if let Some(i) = self.find(&self.names[key..]) {
            // The same key but for case: the index finds the new spelling as well.
            let before = self.obj(i).at();
            self.list[i] = rec;
            return (i, Some(before));
        }
        let i = self.list.len();
        self.list.push(rec);
        if i + 1 > self.index.capacity() {
            self.grow_index();
        }
        let (names, list) = (&self.names, &self.list);
        let _ = (self.index).insert(&names[key..], i as u32, |v| {
            key_of(names, &list[v as usize])
        });
        (i, None)
    }

    /// Doubles the index, filled again in definition order: the keys are read from the
    /// names in memory order, not in the order of the old slots (at a million objects,
    /// a cache miss saved on every name the index holds).
    ///
    /// # Complexity
    /// O(objects), amortised O(1) an object.
    fn grow_index(&mut self) {
        let n = 2 * self.list.len();
        // Values up to the capacity, which is below 2n, fit without a rehash.
        let max_value = u32::try_from(2 * n).unwrap_or(u32::MAX - 1);
        let mut index = NameIndex::with_capacity(n, max_value);
        let (names, list) = (&self.names, &self.list);
        // Every object but the last (the one being added) is indexed once.
        for (i, r) in list[..list.len() - 1].iter().enumerate() {
            let key = key_of(names, r);
            let h = name_index::hash(&[key.as_bytes()]);
            let _ = index.insert_hashed(h, key, i as u32, |v| key_of(names, &list[v as usize]));
        }
        self.index = index;
    }

    /// The place of `at`'s file among the table's files.
    fn file_of(&mut self, at: &SourceLocation) -> u32 {
        let same = |f: &Option<Arc<PathBuf>>| match (f, &at.file) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !self.files.last().is_some_and(same) {
            self.files.push(at.file.clone());
        }
        (self.files.len() - 1) as u32
    }

    /// Sets an object's property `prop` (of winding `winding`, 0 for its own) to `v`,
    /// unless the import never reads it.
    pub(super) fn set(&mut self, i: usize, prop: &str, winding: u8, v: &str) {
        if let Some(s) = slot(prop) {
            self.values.insert(&mut self.list[i].run, s, winding, v);
        }
    }

    /// The current winding of a transformer (1-based).
    pub(super) fn winding(&self, i: usize) -> u8 {
        self.list[i].wdg
    }

    /// Makes `w` (1-based) the current winding of a transformer.
    pub(super) fn set_winding(&mut self, i: usize, w: u8) {
        self.list[i].wdg = w;
    }

    /// Gives a transformer at least `n` windings.
    pub(super) fn ensure_windings(&mut self, i: usize, n: usize) {
        let r = &mut self.list[i];
        r.windings = r.windings.max(n as u8);
    }

    /// Gives a transformer exactly `n` windings (`windings=`), those beyond dropped.
    pub(super) fn set_windings(&mut self, i: usize, n: usize) {
        let n = n as u8;
        self.list[i].windings = n;
        self.values.remove_windings(self.list[i].run, |w| w > n);
    }

    /// `like=`: object `dst` takes every property `src` sets (and, for transformers,
    /// its windings instead of its own).
    pub(super) fn copy_from(&mut self, dst: usize, src: usize) {
        let current: Vec<Entry> = self.values.current(self.list[src].run);
        if self.list[src].windings > 0 {
            self.values.remove_windings(self.list[dst].run, |_| true);
            self.list[dst].windings = self.list[src].windings;
        }
        let mut run = self.list[dst].run;
        self.values.copy(&mut run, &current);
        self.list[dst].run = run;
    }
}

/// A record's key in `names`.
fn key_of<'n>(names: &'n str, r: &Record) -> &'n str {
    &names[r.key..r.key + r.key_len as usize]
}

/// An object of the table, to read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obj<'t> {
    table: &'t Table,
    rec: &'t Record,
}

impl<'t> Obj<'t> {
    /// Lowercase class.
    pub(super) fn cls(&self) -> &'static str {
        USED[self.rec.cls as usize]
    }

    /// The name as written.
    pub(super) fn name(&self) -> &'t str {
        let key = key_of(&self.table.names, self.rec);
        &key[self.cls().len() + 1..]
    }

    /// A property's value.
    pub(super) fn get(&self, p: &str) -> Option<&'t str> {
        self.table.values.get(self.rec.run, p, 0)
    }

    /// Not disabled (`enabled=no` or `Disable`).
    pub(super) fn enabled(&self) -> bool {
        self.get("enabled").is_none_or(to_bool)
    }

    /// Where it was defined.
    pub(super) fn at(&self) -> SourceLocation {
        SourceLocation {
            file: self.table.files[self.rec.file as usize].clone(),
            line: self.rec.line,
        }
    }

    /// How many windings it has (0 but for transformers and transformer codes).
    pub(super) fn windings(&self) -> usize {
        usize::from(self.rec.windings)
    }

    /// A property of winding `w` (0-based).
    pub(super) fn winding(&self, w: usize, p: &str) -> Option<&'t str> {
        self.table.values.get(self.rec.run, p, (w + 1) as u8)
    }
}
