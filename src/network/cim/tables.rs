//! What the streaming pass keeps of a model: one small row per object of the topology
//! subset, references as interned ids, and which CIM property fills which slot.

use std::collections::{BTreeMap, HashMap};

use super::ids::{NONE, Ref};

/// What a piece of conducting equipment becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EqClass {
    /// `ACLineSegment`: a line.
    Line,
    /// `Breaker`: a short element carrying a breaker.
    Breaker,
    /// `Recloser`: a short element carrying a recloser.
    Recloser,
    /// `Fuse`: a short element carrying a fuse.
    Fuse,
    /// `LoadBreakSwitch`, `Disconnector`, `Sectionaliser` or a plain `Switch`: a switch
    /// element.
    Switch,
    /// `Jumper`: a short line, no outage device.
    Jumper,
    /// `PowerTransformer`, with its ends or tanks.
    Transformer,
    /// `EnergyConsumer` (and its `ConformLoad`, `NonConformLoad` kinds): a customer.
    Consumer,
    /// `EnergySource`: a source.
    Source,
}

impl EqClass {
    /// The class word of its name in the replay contract.
    pub(super) fn word(self) -> &'static str {
        match self {
            EqClass::Line => "line",
            EqClass::Breaker => "breaker",
            EqClass::Recloser => "recloser",
            EqClass::Fuse => "fuse",
            EqClass::Switch => "switch",
            EqClass::Jumper => "jumper",
            EqClass::Transformer => "transformer",
            EqClass::Consumer => "load",
            EqClass::Source => "circuit",
        }
    }
}

/// What an object of the model is, for the classes the reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Node,
    Terminal,
    Equipment(EqClass),
    PowerTransformerEnd,
    TankEnd,
    Tank,
    TankInfo,
    EndInfo,
    BaseVoltage,
    Location,
    Point,
    LimitSet,
    CurrentLimit,
    LimitType,
    Container(ContainerKind),
    /// `ACLineSegmentPhase`, `SwitchPhase`, `EnergyConsumerPhase`: one phase of its
    /// equipment.
    Phase,
}

/// Which container: they name the network and its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContainerKind {
    Feeder,
    Substation,
    Region,
}

impl Class {
    /// The class of an object element's local name; `None` for classes outside the
    /// subset.
    pub(super) fn of(local: &str) -> Option<Class> {
        use EqClass as E;
        Some(match local {
            "ConnectivityNode" => Class::Node,
            "Terminal" => Class::Terminal,
            "ACLineSegment" => Class::Equipment(E::Line),
            "Breaker" => Class::Equipment(E::Breaker),
            "Recloser" => Class::Equipment(E::Recloser),
            "Fuse" => Class::Equipment(E::Fuse),
            "LoadBreakSwitch" | "Disconnector" | "Sectionaliser" | "Switch" => {
                Class::Equipment(E::Switch)
            }
            "Jumper" => Class::Equipment(E::Jumper),
            "PowerTransformer" => Class::Equipment(E::Transformer),
            "EnergyConsumer" | "ConformLoad" | "NonConformLoad" => Class::Equipment(E::Consumer),
            "EnergySource" => Class::Equipment(E::Source),
            "PowerTransformerEnd" => Class::PowerTransformerEnd,
            "TransformerTankEnd" => Class::TankEnd,
            "TransformerTank" => Class::Tank,
            "TransformerTankInfo" => Class::TankInfo,
            "TransformerEndInfo" => Class::EndInfo,
            "BaseVoltage" => Class::BaseVoltage,
            "Location" => Class::Location,
            "PositionPoint" => Class::Point,
            "OperationalLimitSet" => Class::LimitSet,
            "CurrentLimit" => Class::CurrentLimit,
            "OperationalLimitType" => Class::LimitType,
            "Feeder" => Class::Container(ContainerKind::Feeder),
            "Substation" => Class::Container(ContainerKind::Substation),
            "GeographicalRegion" => Class::Container(ContainerKind::Region),
            "ACLineSegmentPhase" | "SwitchPhase" | "EnergyConsumerPhase" => Class::Phase,
            _ => return None,
        })
    }

    /// Whether its rows keep the object's name (the others' names are not read).
    pub(super) fn keeps_name(self) -> bool {
        matches!(
            self,
            Class::Node | Class::Equipment(_) | Class::LimitType | Class::Container(_)
        )
    }

    /// Whether other objects refer to objects of this class, so that its ids are
    /// interned (and checked for duplicates): position points, limits, end data and
    /// phases are never referred to.
    pub(super) fn is_referred_to(self) -> bool {
        !matches!(
            self,
            Class::Point | Class::CurrentLimit | Class::EndInfo | Class::Phase
        )
    }
}

/// Where a property's value goes in an [`Obj`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Name,
    Mrid,
    Equipment,
    Node,
    Seq,
    Limits,
    Container,
    BaseVoltage,
    Location,
    NormalOpen,
    Open,
    InService,
    P,
    Q,
    Voltage,
    /// The object this one belongs to: an end's transformer or tank, a tank's
    /// transformer, an end info's tank info, a point's location, a limit's set, a
    /// phase's equipment.
    Owner,
    Terminal,
    RatedU,
    RatedS,
    Info,
    X,
    Y,
    LimitType,
    Value,
    Duration,
    Infinite,
}

impl Slot {
    /// The slot of a property element's local name.
    pub(super) fn of(local: &str) -> Option<Slot> {
        Some(match local {
            "IdentifiedObject.name" => Slot::Name,
            "IdentifiedObject.mRID" => Slot::Mrid,
            "Terminal.ConductingEquipment" | "OperationalLimitSet.Equipment" => Slot::Equipment,
            "Terminal.ConnectivityNode" => Slot::Node,
            "ACDCTerminal.sequenceNumber"
            | "Terminal.sequenceNumber"
            | "TransformerEnd.endNumber"
            | "TransformerEndInfo.endNumber"
            | "PositionPoint.sequenceNumber" => Slot::Seq,
            "ACDCTerminal.OperationalLimitSet" => Slot::Limits,
            "Equipment.EquipmentContainer" => Slot::Container,
            "ConductingEquipment.BaseVoltage" | "TransformerEnd.BaseVoltage" => Slot::BaseVoltage,
            "PowerSystemResource.Location" => Slot::Location,
            "Switch.normalOpen" => Slot::NormalOpen,
            "Switch.open" => Slot::Open,
            "Equipment.normallyInService" => Slot::InService,
            "EnergyConsumer.p" => Slot::P,
            "EnergyConsumer.q" => Slot::Q,
            "EnergySource.nominalVoltage" | "BaseVoltage.nominalVoltage" => Slot::Voltage,
            "PowerTransformerEnd.PowerTransformer"
            | "TransformerTankEnd.TransformerTank"
            | "TransformerTank.PowerTransformer"
            | "TransformerEndInfo.TransformerTankInfo"
            | "PositionPoint.Location"
            | "OperationalLimit.OperationalLimitSet"
            | "ACLineSegmentPhase.ACLineSegment"
            | "SwitchPhase.Switch"
            | "EnergyConsumerPhase.EnergyConsumer" => Slot::Owner,
            "TransformerEnd.Terminal" | "OperationalLimitSet.Terminal" => Slot::Terminal,
            "PowerTransformerEnd.ratedU" | "TransformerEndInfo.ratedU" => Slot::RatedU,
            "PowerTransformerEnd.ratedS" | "TransformerEndInfo.ratedS" => Slot::RatedS,
            "TransformerTank.TransformerTankInfo" | "PowerSystemResource.AssetDatasheet" => {
                Slot::Info
            }
            "PositionPoint.xPosition" => Slot::X,
            "PositionPoint.yPosition" => Slot::Y,
            "OperationalLimit.OperationalLimitType" => Slot::LimitType,
            "CurrentLimit.value" | "CurrentLimit.normalValue" => Slot::Value,
            "OperationalLimitType.acceptableDuration" => Slot::Duration,
            "OperationalLimitType.isInfiniteDuration" => Slot::Infinite,
            _ => return None,
        })
    }

    /// Whether the value is a reference (`rdf:resource`) rather than text.
    pub(super) fn is_ref(self) -> bool {
        matches!(
            self,
            Slot::Equipment
                | Slot::Node
                | Slot::Limits
                | Slot::Container
                | Slot::BaseVoltage
                | Slot::Location
                | Slot::Owner
                | Slot::Terminal
                | Slot::Info
                | Slot::LimitType
        )
    }
}

/// The object being read: every slot any class fills; each class reads its own.
#[derive(Debug, Clone)]
pub(super) struct Obj {
    pub(super) class: Class,
    pub(super) id: Ref,
    pub(super) line: u32,
    pub(super) name: Option<Box<str>>,
    pub(super) equipment: Ref,
    pub(super) node: Ref,
    pub(super) limits: Ref,
    pub(super) container: Ref,
    pub(super) base_voltage: Ref,
    pub(super) location: Ref,
    pub(super) owner: Ref,
    pub(super) terminal: Ref,
    pub(super) info: Ref,
    pub(super) limit_type: Ref,
    pub(super) seq: u32,
    pub(super) normal_open: Option<bool>,
    pub(super) open: Option<bool>,
    pub(super) in_service: Option<bool>,
    pub(super) infinite: Option<bool>,
    pub(super) p: Option<f64>,
    pub(super) q: Option<f64>,
    pub(super) voltage: Option<f64>,
    pub(super) rated_u: Option<f64>,
    pub(super) rated_s: Option<f64>,
    pub(super) x: Option<f64>,
    pub(super) y: Option<f64>,
    pub(super) value: Option<f64>,
    pub(super) duration: Option<f64>,
}

impl Obj {
    /// A fresh object of a class, at a line.
    pub(super) fn new(class: Class, id: Ref, line: u32) -> Obj {
        Obj {
            class,
            id,
            line,
            name: None,
            equipment: NONE,
            node: NONE,
            limits: NONE,
            container: NONE,
            base_voltage: NONE,
            location: NONE,
            owner: NONE,
            terminal: NONE,
            info: NONE,
            limit_type: NONE,
            seq: 0,
            normal_open: None,
            open: None,
            in_service: None,
            infinite: None,
            p: None,
            q: None,
            voltage: None,
            rated_u: None,
            rated_s: None,
            x: None,
            y: None,
            value: None,
            duration: None,
        }
    }

    /// Fills a reference slot.
    pub(super) fn set_ref(&mut self, slot: Slot, r: Ref) {
        let place = match slot {
            Slot::Equipment => &mut self.equipment,
            Slot::Node => &mut self.node,
            Slot::Limits => &mut self.limits,
            Slot::Container => &mut self.container,
            Slot::BaseVoltage => &mut self.base_voltage,
            Slot::Location => &mut self.location,
            Slot::Owner => &mut self.owner,
            Slot::Terminal => &mut self.terminal,
            Slot::Info => &mut self.info,
            Slot::LimitType => &mut self.limit_type,
            _ => return,
        };
        *place = r;
    }

    /// Fills a text slot; `Err` names what the text should have been.
    pub(super) fn set_text(&mut self, slot: Slot, text: &str) -> Result<(), &'static str> {
        let t = text.trim();
        let number = || {
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or("a number")
        };
        let boolean = || match t {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("true or false"),
        };
        match slot {
            Slot::Name => self.name = Some(t.into()),
            Slot::Seq => self.seq = t.parse().map_err(|_| "a whole number")?,
            Slot::NormalOpen => self.normal_open = Some(boolean()?),
            Slot::Open => self.open = Some(boolean()?),
            Slot::InService => self.in_service = Some(boolean()?),
            Slot::Infinite => self.infinite = Some(boolean()?),
            Slot::P => self.p = Some(number()?),
            Slot::Q => self.q = Some(number()?),
            Slot::Voltage => self.voltage = Some(number()?),
            Slot::RatedU => self.rated_u = Some(number()?),
            Slot::RatedS => self.rated_s = Some(number()?),
            Slot::X => self.x = Some(number()?),
            Slot::Y => self.y = Some(number()?),
            Slot::Value => self.value = Some(number()?),
            Slot::Duration => self.duration = Some(number()?),
            _ => {}
        }
        Ok(())
    }
}

/// A `ConnectivityNode`.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) id: Ref,
    pub(super) name: Option<Box<str>>,
    pub(super) line: u32,
}

/// A `Terminal`: its equipment, its node, its sequence number (0 when not given) and
/// the limit set hung on it.
#[derive(Debug, Clone)]
pub(super) struct Terminal {
    pub(super) id: Ref,
    pub(super) equipment: Ref,
    pub(super) node: Ref,
    pub(super) seq: u32,
    pub(super) limits: Ref,
    pub(super) line: u32,
}

/// Conducting equipment the reader builds from, with what each class needs.
#[derive(Debug, Clone)]
pub(super) struct Equipment {
    pub(super) id: Ref,
    pub(super) class: EqClass,
    pub(super) name: Option<Box<str>>,
    pub(super) line: u32,
    pub(super) container: Ref,
    pub(super) base_voltage: Ref,
    pub(super) location: Ref,
    /// `Switch.normalOpen`, or else `Switch.open`.
    pub(super) normal_open: Option<bool>,
    /// `Switch.open`, when it differs from the normal state.
    pub(super) open_now: Option<bool>,
    pub(super) in_service: bool,
    /// `EnergyConsumer.p`, W.
    pub(super) p_w: Option<f64>,
    /// `EnergyConsumer.q`, var.
    pub(super) q_var: Option<f64>,
    /// `EnergySource.nominalVoltage`, V.
    pub(super) nominal_v: Option<f64>,
}

/// A `PowerTransformerEnd` (owner: its transformer) or `TransformerTankEnd` (owner: its
/// tank).
#[derive(Debug, Clone)]
pub(super) struct End {
    pub(super) id: Ref,
    pub(super) of_tank: bool,
    pub(super) owner: Ref,
    pub(super) terminal: Ref,
    pub(super) number: u32,
    /// V.
    pub(super) rated_u: Option<f64>,
    /// VA.
    pub(super) rated_s: Option<f64>,
    pub(super) base_voltage: Ref,
    pub(super) line: u32,
}

/// A `TransformerTank`: its transformer and its catalogue entry.
#[derive(Debug, Clone)]
pub(super) struct Tank {
    pub(super) transformer: Ref,
    pub(super) info: Ref,
}

/// A `TransformerEndInfo`: the rated voltage and power of one end of a tank's
/// catalogue entry.
#[derive(Debug, Clone)]
pub(super) struct EndInfo {
    pub(super) tank_info: Ref,
    pub(super) number: u32,
    pub(super) rated_u: Option<f64>,
    pub(super) rated_s: Option<f64>,
}

/// A `PositionPoint` of a location.
#[derive(Debug, Clone)]
pub(super) struct Point {
    pub(super) location: Ref,
    pub(super) seq: u32,
    pub(super) x: f64,
    pub(super) y: f64,
}

/// A `CurrentLimit` (A) in its set, of its type.
#[derive(Debug, Clone)]
pub(super) struct CurrentLimit {
    pub(super) set: Ref,
    pub(super) limit_type: Ref,
    pub(super) amps: f64,
}

/// An `OperationalLimitSet` hung on a terminal or on equipment (either way round).
#[derive(Debug, Clone)]
pub(super) struct LimitSet {
    pub(super) id: Ref,
    pub(super) terminal: Ref,
    pub(super) equipment: Ref,
}

/// A container: its kind and name.
#[derive(Debug, Clone)]
pub(super) struct Container {
    pub(super) kind: ContainerKind,
    pub(super) name: Option<Box<str>>,
}

/// Everything the streaming pass keeps, by class.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) nodes: Vec<Node>,
    pub(super) terminals: Vec<Terminal>,
    pub(super) equipment: Vec<Equipment>,
    pub(super) ends: Vec<End>,
    pub(super) tanks: Vec<Tank>,
    pub(super) end_infos: Vec<EndInfo>,
    /// Nominal voltages, V, by `Def::BaseVoltage` index.
    pub(super) base_voltages: Vec<f64>,
    pub(super) points: Vec<Point>,
    pub(super) limit_sets: Vec<LimitSet>,
    pub(super) limits: Vec<CurrentLimit>,
    /// Whether a limit type is an emergency (short-term) one, by id.
    pub(super) emergency_types: HashMap<Ref, bool>,
    pub(super) containers: HashMap<Ref, Container>,
    /// The equipment of each phase object read.
    pub(super) phases: Vec<Ref>,
    /// Objects of classes outside the subset, by class.
    pub(super) skipped: BTreeMap<String, usize>,
}
