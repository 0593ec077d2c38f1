//! Interpreting statements: `New`, `Edit`, `~`/`more`, `like=`, one-line property
//! edits, `Open`/`Close` and `Enable`/`Disable` applied to a table of objects and their
//! properties, as OpenDSS would; files named by `Redirect`, `Compile` and `Buscoords`
//! are handed back to the reader.

use std::borrow::Cow;

use crate::error::SourceLocation;

use super::hashing::FastSet;
use super::lexer::{Token, tokenize};
use super::props::{IGNORED_COMMANDS, USED, props, resolve};
use super::report::Notes;
use super::table::{Obj, Table};
use super::values::{objname, to_float, to_list};

/// A file that a statement names, to be read before the next statement.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Include {
    /// `Redirect` or `Compile`: statements.
    Statements(String),
    /// `Buscoords` or `Buscoordinates`: bus coordinates.
    Coords(String),
}

/// The objects read so far, in definition order, and the state of the statements
/// that continue an earlier one.
#[derive(Debug, Default)]
pub(super) struct Objects {
    /// The objects; a second `New` of one name replaces the first in place (with a
    /// warning naming both definitions).
    pub(super) table: Table,
    /// The circuit (its source) once defined.
    pub(super) circuit: Option<usize>,
    /// Elements opened by `Open` (and not closed again), as `class.name`.
    pub(super) opened: FastSet<String>,
    /// The object that `~`/`more` continues.
    active: Option<usize>,
    /// The statement being continued is of a skipped class.
    active_skipped: bool,
    /// The last positional property set on the active object.
    active_pos: isize,
}

impl Objects {
    /// The object of that `class.name` (case-insensitive).
    pub(super) fn get(&self, key: &str) -> Option<Obj<'_>> {
        self.table.find(key).map(|i| self.table.obj(i))
    }

    /// The object of class `cls` (lowercase) named `name` (case-insensitive).
    pub(super) fn get_in(&self, cls: &str, name: &str) -> Option<Obj<'_>> {
        self.table.find_in(cls, name).map(|i| self.table.obj(i))
    }

    /// Interprets one statement (comments stripped, not empty); returns the file it
    /// names for the reader to read at once.
    pub(super) fn statement(
        &mut self,
        line: &str,
        at: &SourceLocation,
        notes: &mut Notes,
    ) -> Option<Include> {
        let (cmd, rest) = if let Some(r) = line.strip_prefix('~') {
            ("more".to_string(), r)
        } else {
            let mut it = line.splitn(2, char::is_whitespace);
            let c = it.next().unwrap_or("").to_ascii_lowercase();
            (c, it.next().unwrap_or(""))
        };
        match cmd.as_str() {
            "more" | "m" => self.more(rest, at, notes),
            "new" => self.new_object(rest, at, notes),
            "edit" => self.edit(rest, at, notes),
            "redirect" | "compile" | "buscoords" | "buscoordinates" => {
                let toks = tokenize(rest);
                let Some((_, name)) = toks.first() else {
                    notes.warn(at, format!("{cmd} names no file"));
                    return None;
                };
                return Some(if cmd.starts_with("bus") {
                    Include::Coords(name.to_string())
                } else {
                    Include::Statements(name.to_string())
                });
            }
            "open" | "close" => self.open_or_close(&cmd, rest, at, notes),
            "disable" | "enable" => self.enable_or_disable(&cmd, rest, at, notes),
            c if IGNORED_COMMANDS.contains(&c) => notes.skip(c),
            c if c.contains('.') && line.contains('=') => self.one_line_edit(line, at, notes),
            other => {
                notes.warn(at, format!("unknown command {other:?} skipped"));
            }
        }
        None
    }

    /// `~` or `more`: more properties of the active object.
    fn more(&mut self, rest: &str, at: &SourceLocation, notes: &mut Notes) {
        match self.active {
            Some(o) => {
                let toks = tokenize(rest);
                self.apply(o, &toks, true, at, notes);
            }
            None if self.active_skipped => {}
            None => notes.warn(at, "continuation with no object to continue"),
        }
    }

    /// `Edit class.name props...`.
    fn edit(&mut self, rest: &str, at: &SourceLocation, notes: &mut Notes) {
        let toks = tokenize(rest);
        match toks.first() {
            Some((None, name)) => {
                let key = objname(name);
                match self.editable(&key, at, notes) {
                    Some(o) => {
                        self.active = Some(o);
                        self.active_pos = -1;
                        self.apply(o, &toks[1..], false, at, notes);
                    }
                    None => notes.warn(at, format!("edit of unknown object {key}")),
                }
            }
            _ => notes.warn(at, "edit names no object"),
        }
    }

    /// `Open` or `Close` of an element (by `class.name`, the class Line by default).
    fn open_or_close(&mut self, cmd: &str, rest: &str, at: &SourceLocation, notes: &mut Notes) {
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
            None => notes.warn(at, format!("{cmd} names no element")),
        }
    }

    /// `Enable` or `Disable` of an object defined before.
    fn enable_or_disable(&mut self, cmd: &str, rest: &str, at: &SourceLocation, notes: &mut Notes) {
        let toks = tokenize(rest);
        if let Some((_, name)) = toks.first() {
            let key = objname(name);
            match self.table.find(&key) {
                Some(o) => {
                    let v = if cmd == "enable" { "yes" } else { "no" };
                    self.table.set(o, "enabled", 0, v);
                }
                None => notes.warn(at, format!("{cmd} of unknown object {key}")),
            }
        }
    }

    /// `Class.name.prop=value`.
    fn one_line_edit(&mut self, line: &str, at: &SourceLocation, notes: &mut Notes) {
        let (head, val) = line.split_once('=').unwrap_or((line, ""));
        let head = head.trim();
        let Some((obj, prop)) = head.rsplit_once('.') else {
            notes.warn(at, "malformed property edit");
            return;
        };
        match self.editable(&obj.to_ascii_lowercase(), at, notes) {
            Some(o) => {
                self.active = Some(o);
                let edit = format!("{prop}={}", val.trim());
                let toks = tokenize(&edit);
                self.apply(o, &toks, false, at, notes);
            }
            None => notes.warn(at, format!("edit of unknown object {obj}")),
        }
    }

    /// `New class.name props...`: an object of a class the topology uses (replacing
    /// one of the same name, with a warning), or a skipped statement.
    fn new_object(&mut self, rest: &str, at: &SourceLocation, notes: &mut Notes) {
        let toks = tokenize(rest);
        let Some((k, v)) = toks.first() else {
            notes.warn(at, "New with no object");
            return;
        };
        let spec = match k {
            Some(k) if k.eq_ignore_ascii_case("object") => v,
            None => v,
            Some(_) => {
                notes.warn(at, "New without class.name");
                return;
            }
        };
        let Some((cls, name)) = spec.split_once('.') else {
            notes.warn(at, format!("New {spec}: no class.name"));
            return;
        };
        if name.is_empty() {
            notes.warn(at, format!("New {spec}: empty name"));
            return;
        }
        let Some(&cls) = USED.iter().find(|c| c.eq_ignore_ascii_case(cls)) else {
            notes.skip(&cls.to_ascii_lowercase());
            self.active = None;
            self.active_skipped = true;
            return;
        };
        self.active_skipped = false;
        let (idx, before) = self.table.define(cls, name, at);
        if let Some(before) = before {
            let key = format!("{cls}.{}", name.to_ascii_lowercase());
            notes.warn(
                at,
                format!("{key} defined again: replaces its definition at {before}"),
            );
        }
        if cls == "circuit" {
            self.circuit = Some(idx);
        }
        self.active = Some(idx);
        self.active_pos = -1;
        self.apply(idx, &toks[1..], false, at, notes);
    }

    /// The object an edit names. `New Circuit` creates the circuit's source as
    /// `Vsource.source` in OpenDSS, so an edit of it (exported models move the source
    /// bus that way) finds it once a circuit is defined.
    fn editable(&mut self, key: &str, at: &SourceLocation, notes: &mut Notes) -> Option<usize> {
        if let Some(o) = self.table.find(key) {
            return Some(o);
        }
        if key == "vsource.source" && self.circuit.is_some() {
            self.new_object("vsource.source", at, notes);
            return self.table.find(key);
        }
        None
    }

    /// Sets properties of object `o`, positional ones after the last property set
    /// (continuing the statement before when `cont`).
    fn apply(
        &mut self,
        o: usize,
        toks: &[Token<'_>],
        cont: bool,
        at: &SourceLocation,
        notes: &mut Notes,
    ) {
        let cls = self.table.obj(o).cls();
        let list = props(cls);
        let mut pos: isize = if cont { self.active_pos } else { -1 };
        for (k, v) in toks {
            let prop = match k {
                None => {
                    pos += 1;
                    match list.get(pos as usize) {
                        Some(p) => Cow::Borrowed(*p),
                        None => continue,
                    }
                }
                Some(k) => {
                    let p = resolve(cls, k);
                    if let Some(i) = list.iter().position(|x| *x == p) {
                        pos = i as isize;
                    }
                    p
                }
            };
            self.set(o, &prop, v, at, notes);
        }
        self.active_pos = pos;
    }

    /// Sets one property; `like=` copies the properties of another object of the class.
    fn set(&mut self, o: usize, prop: &str, v: &str, at: &SourceLocation, notes: &mut Notes) {
        let cls = self.table.obj(o).cls();
        if prop == "like" {
            let key = format!("{cls}.{}", v.trim().to_ascii_lowercase());
            match self.table.find(&key) {
                Some(src) if src != o => self.table.copy_from(o, src),
                _ => notes.warn(at, format!("like= names unknown {key}")),
            }
            return;
        }
        if cls == "transformer" || cls == "xfmrcode" {
            set_winding(&mut self.table, o, prop, v);
        } else {
            self.table.set(o, prop, 0, v);
        }
    }
}

/// Sets a property of a transformer or transformer code: winding properties go to the
/// current winding (`wdg=`), their plural forms to each winding in turn.
fn set_winding(t: &mut Table, o: usize, prop: &str, v: &str) {
    match prop {
        "windings" => {
            let n = to_float(Some(v)).unwrap_or(2.0).clamp(1.0, 16.0) as usize;
            t.set_windings(o, n);
        }
        "wdg" => {
            let w = (to_float(Some(v)).unwrap_or(1.0).clamp(1.0, 16.0)) as u8;
            t.set_winding(o, w);
            t.ensure_windings(o, usize::from(w));
        }
        "bus" | "conn" | "kv" | "kva" | "tap" | "%r" => {
            let w = t.winding(o).max(1);
            t.ensure_windings(o, usize::from(w));
            t.set(o, prop, w, v);
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
            t.ensure_windings(o, vals.len().min(16));
            for (i, x) in vals.into_iter().take(16).enumerate() {
                t.set(o, single, i as u8 + 1, &x);
            }
        }
        _ => t.set(o, prop, 0, v),
    }
}
