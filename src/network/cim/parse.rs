//! The streaming pass: the XML read event by event, each object of the subset kept as
//! one row of the [`Tables`], every other object counted by class and skipped.
//!
//! Objects are the children of the document's root (`rdf:RDF`), their properties the
//! children of the objects; anything nested deeper is passed over. Namespaces are not
//! resolved: classes and properties are known by their local names, so that any prefix
//! and any CIM version's namespace read alike. Nothing outside the file is read: no
//! DTD, no entity but the five predefined ones and character references.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::SourceLocation;
use crate::network::opendss::ImportWarning;

use super::guard::{Guard, Refusal};
use super::ids::{Def, Ids, NONE, Ref};
use super::tables::{
    Class, Container, CurrentLimit, End, EndInfo, Equipment, LimitSet, Node, Obj, Point, Slot,
    Tables, Tank, Terminal,
};

/// Elements nested deeper than this end the reading (the parser keeps every open
/// element's name).
const MAX_DEPTH: u32 = 64;

/// A limit type lasting less than this is an emergency one, s.
const EMERGENCY_BELOW_S: f64 = 86_400.0;

/// What the pass kept, what it warned about, and why it stopped early if it did.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) ids: Ids,
    pub(super) tables: Tables,
    pub(super) warnings: Vec<ImportWarning>,
    /// Where and why the reading stopped before the end of the document.
    pub(super) broke: Option<(SourceLocation, String)>,
    /// The model was larger than the reader takes.
    pub(super) too_large: bool,
}

/// Reads a whole document of about `bytes` bytes through a [`Guard`].
///
/// # Complexity
/// O(n) for n bytes, one hash probe per id; memory O(objects of the subset).
pub(super) fn parse<R: Read>(guard: Guard<R>, path: &Arc<PathBuf>, bytes: u64) -> Parsed {
    let mut xml = Reader::from_reader(guard);
    let mut buf = Vec::new();
    let mut pass = Pass::new(path, bytes);
    let mut depth = 0u32;
    let broke = loop {
        buf.clear();
        xml.get_mut().next_item();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let g = xml.get_ref();
                let message = match g.refusal() {
                    Some(r) => r.message(g.max_item()),
                    None => e.to_string(),
                };
                break Some(pass.stop(g.line(), message));
            }
        };
        let line = xml.get_ref().line();
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    break Some(
                        pass.stop(line, format!("elements nested deeper than {MAX_DEPTH}")),
                    );
                }
                pass.start(depth, &e, line);
            }
            Event::Empty(e) => {
                pass.start(depth + 1, &e, line);
                pass.end(depth + 1, line);
            }
            Event::End(_) => {
                pass.end(depth, line);
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if pass.slot.is_some() && depth == 3 => {
                pass.text.push_str(&t.xml10_content());
            }
            Event::CData(t) if pass.slot.is_some() && depth == 3 => {
                pass.text.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if pass.slot.is_some() && depth == 3 => pass.entity(&r, line),
            Event::DocType(_) => {
                let message = "a DTD, which the reader does not read (no entity is expanded)";
                break Some(pass.stop(line, message.into()));
            }
            Event::Eof if depth > 0 => {
                break Some(pass.stop(line, "the document ends inside an element".into()));
            }
            Event::Eof => break None,
            _ => {}
        }
    };
    let too_large = xml.get_ref().refusal() == Some(Refusal::TooLarge);
    Parsed {
        ids: pass.ids,
        tables: pass.tables,
        warnings: pass.warnings,
        broke,
        too_large,
    }
}

/// The pass's state: the tables so far and the object and property being read.
struct Pass<'p> {
    path: &'p Arc<PathBuf>,
    ids: Ids,
    tables: Tables,
    warnings: Vec<ImportWarning>,
    obj: Option<Obj>,
    /// The object's class as written, for messages.
    class_name: String,
    /// The text property being read, its name, and its text so far.
    slot: Option<Slot>,
    prop: String,
    text: String,
}

impl<'p> Pass<'p> {
    fn new(path: &'p Arc<PathBuf>, bytes: u64) -> Self {
        Pass {
            path,
            ids: Ids::for_model(bytes),
            tables: Tables::default(),
            warnings: Vec::new(),
            obj: None,
            class_name: String::new(),
            slot: None,
            prop: String::new(),
            text: String::new(),
        }
    }

    fn warn(&mut self, line: u32, message: String) {
        self.warnings.push(ImportWarning {
            at: SourceLocation::new(self.path, line),
            message,
        });
    }

    /// The object being read, as messages name it: its class and id.
    fn what(&self) -> String {
        match &self.obj {
            Some(o) => format!("{} {}", self.class_name, self.ids.text(o.id)),
            None => self.class_name.clone(),
        }
    }

    /// Where and why the reading stops, naming the object it was in.
    fn stop(&self, line: u32, message: String) -> (SourceLocation, String) {
        let message = match &self.obj {
            Some(_) => format!("{message} (in {})", self.what()),
            None => message,
        };
        (SourceLocation::new(self.path, line), message)
    }

    /// An element opens at `depth` (1: the root, 2: an object, 3: a property).
    fn start(&mut self, depth: u32, e: &BytesStart<'_>, line: u32) {
        match depth {
            2 => self.begin_object(e, line),
            3 if self.obj.is_some() => self.begin_property(e, line),
            _ => {}
        }
    }

    /// An element closes at `depth`.
    fn end(&mut self, depth: u32, line: u32) {
        match depth {
            2 => self.finish_object(line),
            3 => self.finish_property(line),
            _ => {}
        }
    }

    fn begin_object(&mut self, e: &BytesStart<'_>, line: u32) {
        let local = e.local_name();
        let local = local.as_ref();
        self.class_name.clear();
        self.class_name.push_str(local);
        let class = Class::of(local);
        let id = match class {
            Some(c) if !c.is_referred_to() => NONE,
            _ => self.attribute_ref(e, &["about", "ID"], line),
        };
        match class {
            Some(class) => self.obj = Some(Obj::new(class, id, line)),
            None => {
                match self.tables.skipped.get_mut(local) {
                    Some(n) => *n += 1,
                    None => {
                        self.tables.skipped.insert(local.to_string(), 1);
                    }
                }
                if id != NONE && self.ids.define(id, Def::Skipped).is_err() {
                    let what = format!("{} {}", self.class_name, self.ids.text(id));
                    self.duplicate(line, &what);
                }
            }
        }
    }

    fn begin_property(&mut self, e: &BytesStart<'_>, line: u32) {
        let local = e.local_name();
        let Some(slot) = Slot::of(local.as_ref()) else {
            return;
        };
        if slot == Slot::Name && self.obj.as_ref().is_some_and(|o| !o.class.keeps_name()) {
            return;
        }
        if slot.is_ref() {
            let r = self.attribute_ref(e, &["resource"], line);
            if let Some(o) = &mut self.obj {
                o.set_ref(slot, r);
            }
        } else {
            self.slot = Some(slot);
            self.prop.clear();
            self.prop.push_str(local.as_ref());
            self.text.clear();
        }
    }

    fn finish_property(&mut self, line: u32) {
        let Some(slot) = self.slot.take() else {
            return;
        };
        let Some(o) = &mut self.obj else {
            return;
        };
        if slot == Slot::Mrid {
            if o.id == NONE && o.class.is_referred_to() {
                o.id = self.ids.intern(&self.text);
            }
            return;
        }
        if let Err(want) = o.set_text(slot, &self.text) {
            let what = self.what();
            let message = format!(
                "{what}: {} {:?} is not {want}, left out",
                self.prop,
                self.text.trim()
            );
            self.warn(line, message);
        }
    }

    /// The interned id in the first of `names` among the element's attributes
    /// (`rdf:about`, `rdf:ID`, `rdf:resource`), or `NONE`.
    fn attribute_ref(&mut self, e: &BytesStart<'_>, names: &[&str], line: u32) -> Ref {
        // Duplicate attributes are not checked for: the first of `names` is taken.
        for a in e.attributes().with_checks(false) {
            let a = match a {
                Ok(a) => a,
                Err(err) => {
                    let message = format!("{}: bad attribute ({err}), left out", self.what());
                    self.warn(line, message);
                    continue;
                }
            };
            if !names.contains(&a.key.local_name().as_ref()) {
                continue;
            }
            // Only a reference with an entity in it needs the parser's normalisation:
            // blanks are trimmed anyway.
            if !a.value.as_bytes().contains(&b'&') {
                return self.ids.intern(&a.value);
            }
            match a.normalized_value(XmlVersion::Implicit1_0) {
                Ok(v) => return self.ids.intern(&v),
                Err(err) => {
                    let message = format!("{}: bad reference ({err}), left out", self.what());
                    self.warn(line, message);
                }
            }
        }
        NONE
    }

    /// A reference `&x;` in a property's text: a character reference or one of the
    /// five predefined entities; any other is not expanded.
    fn entity(&mut self, r: &BytesRef<'_>, line: u32) {
        let c = match &**r {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => r.resolve_char_ref().ok().flatten(),
        };
        match c {
            Some(c) => self.text.push(c),
            None => {
                let message = format!(
                    "{}: {} holds &{};, which is not expanded",
                    self.what(),
                    self.prop,
                    &**r
                );
                self.warn(line, message);
            }
        }
    }

    fn duplicate(&mut self, line: u32, what: &str) {
        self.warn(
            line,
            format!("{what}: duplicate mRID, left out (the first object with it is kept)"),
        );
    }

    /// The object ends: its row goes into its table, unless its id was taken.
    fn finish_object(&mut self, line: u32) {
        let Some(o) = self.obj.take() else {
            return;
        };
        let id = o.id;
        if id != NONE && self.ids.def(id) != Def::Missing {
            let what = format!("{} {}", self.class_name, self.ids.text(id));
            self.duplicate(line, &what);
            return;
        }
        if let Some(def) = self.keep(o, line)
            && id != NONE
        {
            // The id was checked free just above.
            let _ = self.ids.define(id, def);
        }
    }

    /// Keeps an object's row; what now defines its id, if anything. One arm per class:
    /// a table, read whole.
    fn keep(&mut self, o: Obj, line: u32) -> Option<Def> {
        let t = &mut self.tables;
        Some(match o.class {
            Class::Node => {
                let i = t.nodes.len() as u32;
                t.nodes.push(Node {
                    id: o.id,
                    name: o.name,
                    line: o.line,
                });
                Def::Node(i)
            }
            Class::Terminal => {
                let i = t.terminals.len() as u32;
                t.terminals.push(Terminal {
                    id: o.id,
                    equipment: o.equipment,
                    node: o.node,
                    seq: o.seq,
                    limits: o.limits,
                    line: o.line,
                });
                Def::Terminal(i)
            }
            Class::Equipment(class) => {
                let i = t.equipment.len() as u32;
                t.equipment.push(Equipment {
                    id: o.id,
                    class,
                    name: o.name,
                    line: o.line,
                    container: o.container,
                    base_voltage: o.base_voltage,
                    location: o.location,
                    normal_open: o.normal_open.or(o.open),
                    open_now: o.open,
                    in_service: o.in_service != Some(false),
                    p_w: o.p,
                    q_var: o.q,
                    nominal_v: o.voltage,
                });
                Def::Equipment(i)
            }
            Class::PowerTransformerEnd | Class::TankEnd => {
                t.ends.push(End {
                    id: o.id,
                    of_tank: o.class == Class::TankEnd,
                    owner: o.owner,
                    terminal: o.terminal,
                    number: o.seq,
                    rated_u: o.rated_u,
                    rated_s: o.rated_s,
                    base_voltage: o.base_voltage,
                    line: o.line,
                });
                Def::Other
            }
            Class::Tank => {
                let i = t.tanks.len() as u32;
                t.tanks.push(Tank {
                    transformer: o.owner,
                    info: o.info,
                });
                Def::Tank(i)
            }
            Class::EndInfo => {
                t.end_infos.push(EndInfo {
                    tank_info: o.owner,
                    number: o.seq,
                    rated_u: o.rated_u,
                    rated_s: o.rated_s,
                });
                return None;
            }
            Class::BaseVoltage => match o.voltage {
                Some(v) => {
                    t.base_voltages.push(v);
                    Def::BaseVoltage(t.base_voltages.len() as u32 - 1)
                }
                None => Def::Other,
            },
            Class::Point => {
                match (o.x, o.y) {
                    (Some(x), Some(y)) if o.owner != NONE => t.points.push(Point {
                        location: o.owner,
                        seq: o.seq,
                        x,
                        y,
                    }),
                    _ => self.warn(
                        line,
                        "PositionPoint without a location or coordinates, left out".into(),
                    ),
                }
                return None;
            }
            Class::LimitSet => {
                t.limit_sets.push(LimitSet {
                    id: o.id,
                    terminal: o.terminal,
                    equipment: o.equipment,
                });
                Def::Other
            }
            Class::CurrentLimit => {
                if let Some(amps) = o.value
                    && o.owner != NONE
                {
                    t.limits.push(CurrentLimit {
                        set: o.owner,
                        limit_type: o.limit_type,
                        amps,
                    });
                }
                return None;
            }
            Class::LimitType => {
                let emergency = is_emergency(o.name.as_deref(), o.duration, o.infinite);
                t.emergency_types.insert(o.id, emergency);
                Def::Other
            }
            Class::Container(kind) => {
                t.containers.insert(o.id, Container { kind, name: o.name });
                Def::Other
            }
            Class::Phase => {
                t.phases.push(o.owner);
                return None;
            }
            Class::TankInfo | Class::Location => Def::Other,
        })
    }
}

/// Whether an `OperationalLimitType` is a short-term (emergency) one: by its
/// duration when it has one, else by its name; a permanent one otherwise.
fn is_emergency(name: Option<&str>, duration_s: Option<f64>, infinite: Option<bool>) -> bool {
    if infinite == Some(true) {
        return false;
    }
    if let Some(d) = duration_s {
        return d < EMERGENCY_BELOW_S;
    }
    name.is_some_and(|n| n.to_ascii_lowercase().contains("emerg"))
}
