//! Interpreting statements: `New`, `Edit`, `~`/`more`, `like=`, one-line property
//! edits, `Open`/`Close` and `Enable`/`Disable` applied to a table of objects and their
//! properties, as OpenDSS would; files named by `Redirect`, `Compile` and `Buscoords`
//! are handed back to the reader.

use std::borrow::Cow;

use crate::error::SourceLocation;

use super::bag::Bag;
use super::hashing::{FastMap, FastSet};
use super::lexer::{Token, tokenize};
use super::props::{IGNORED_COMMANDS, USED, props, resolve};
use super::report::Notes;
use super::values::{objname, to_bool, to_float, to_list};

/// One object as read: its class, name and properties (a transformer's winding
/// properties by winding).
#[derive(Debug, Clone, Default)]
pub(super) struct Obj {
    /// Lowercase class.
    pub(super) cls: &'static str,
    /// The name as written.
    pub(super) name: Box<str>,
    /// Property values by full property name (those the import reads).
    pub(super) props: Bag,
    /// Per winding (transformers and transformer codes): its properties.
    pub(super) wdgs: Vec<Bag>,
    /// The winding that `bus=`, `kv=`... set (1-based).
    wdg: u8,
    /// Where it was defined.
    pub(super) at: SourceLocation,
}

impl Obj {
    /// A property's value.
    pub(super) fn get(&self, p: &str) -> Option<&str> {
        self.props.get(p)
    }

    /// Not disabled (`enabled=no` or `Disable`).
    pub(super) fn enabled(&self) -> bool {
        self.get("enabled").is_none_or(to_bool)
    }
}

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
    pub(super) list: Vec<Obj>,
    /// `class.name` (lowercase) -> place in `list`.
    index: FastMap<Box<str>, usize>,
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
    /// The object of that `class.name` (lowercase).
    pub(super) fn get(&self, key: &str) -> Option<&Obj> {
        self.index.get(key).map(|&i| &self.list[i])
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
            match self.index.get(key.as_str()).copied() {
                Some(o) => {
                    let v = if cmd == "enable" { "yes" } else { "no" };
                    self.list[o].props.insert("enabled", v);
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
        let key: Box<str> = format!("{cls}.{}", name.to_ascii_lowercase()).into();
        let mut o = Obj {
            cls,
            name: name.into(),
            at: at.clone(),
            wdg: 1,
            ..Default::default()
        };
        if cls == "transformer" || cls == "xfmrcode" {
            o.wdgs = vec![Bag::default(), Bag::default()];
        }
        let idx = match self.index.get(&key) {
            Some(&i) => {
                let before = std::mem::replace(&mut self.list[i], o);
                notes.warn(
                    at,
                    format!(
                        "{key} defined again: replaces its definition at {}",
                        before.at
                    ),
                );
                i
            }
            None => {
                self.list.push(o);
                self.index.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
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
        if let Some(&o) = self.index.get(key) {
            return Some(o);
        }
        if key == "vsource.source" && self.circuit.is_some() {
            self.new_object("vsource.source", at, notes);
            return self.index.get(key).copied();
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
        let cls = self.list[o].cls;
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
        let obj = &mut self.list[o];
        obj.props.shrink();
        obj.wdgs.iter_mut().for_each(Bag::shrink);
    }

    /// Sets one property; `like=` copies the properties of another object of the class.
    fn set(&mut self, o: usize, prop: &str, v: &str, at: &SourceLocation, notes: &mut Notes) {
        if prop == "like" {
            let key = format!("{}.{}", self.list[o].cls, v.trim().to_ascii_lowercase());
            match self.index.get(key.as_str()).copied() {
                Some(src) if src != o => {
                    let (props, wdgs) = {
                        let s = &self.list[src];
                        (s.props.clone(), s.wdgs.clone())
                    };
                    let dst = &mut self.list[o];
                    dst.props.extend(&props);
                    if !wdgs.is_empty() {
                        dst.wdgs = wdgs;
                    }
                }
                _ => notes.warn(at, format!("like= names unknown {key}")),
            }
            return;
        }
        let obj = &mut self.list[o];
        if obj.cls == "transformer" || obj.cls == "xfmrcode" {
            set_winding(obj, prop, v);
        } else {
            obj.props.insert(prop, v);
        }
    }
}

/// Sets a property of a transformer or transformer code: winding properties go to the
/// current winding (`wdg=`), their plural forms to each winding in turn.
fn set_winding(o: &mut Obj, prop: &str, v: &str) {
    fn ensure(o: &mut Obj, n: usize) {
        while o.wdgs.len() < n {
            o.wdgs.push(Bag::default());
        }
    }
    match prop {
        "windings" => {
            let n = to_float(Some(v)).unwrap_or(2.0).clamp(1.0, 16.0) as usize;
            ensure(o, n);
            o.wdgs.truncate(n);
            o.props.insert(prop, v);
        }
        "wdg" => {
            o.wdg = (to_float(Some(v)).unwrap_or(1.0).clamp(1.0, 16.0)) as u8;
            let w = usize::from(o.wdg);
            ensure(o, w);
        }
        "bus" | "conn" | "kv" | "kva" | "tap" | "%r" => {
            let w = usize::from(o.wdg.max(1));
            ensure(o, w);
            o.wdgs[w - 1].insert(prop, v);
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
                o.wdgs[i].insert(single, &x);
            }
        }
        _ => {
            o.props.insert(prop, v);
        }
    }
}
