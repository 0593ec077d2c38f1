//! The records of the replay contract: what an engine concluded, as typed values that
//! serialise to exactly the contract's JSON Lines.

use serde::{Deserialize, Serialize};

use crate::inference::{OutageCause, OutageId, OutageStatus};
use crate::restoration::{RestorationPlan, RestorationStep, Section};
use crate::service::switching_orders::SwitchingOrderId;
use crate::service::tickets::{Priority, WorkOrderId};
use crate::time::Timestamp;

/// What happened to an outage or a work order in a record: `open`, `update` (any
/// field changed; the whole current record is printed) or `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordOp {
    /// It opened.
    Open,
    /// A field changed.
    Update,
    /// It closed.
    Close,
}

/// How a call was classified: the cause of the outage that holds the caller off
/// (`fault`, `planned`, `disconnect`), or `none` when no known outage explains it.
/// The simulator's truth gives each call its true cause in the same terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallCause {
    /// A fault outage.
    Fault,
    /// A planned outage.
    Planned,
    /// A remote disconnection.
    Disconnect,
    /// Nothing that holds the customer off (a flicker, a problem in the house, or an
    /// outage not known yet).
    #[serde(rename = "none")]
    NoOutage,
}

crate::variant_names::display_as_serde_name!(RecordOp, CallCause);

impl From<Option<OutageCause>> for CallCause {
    /// The cause of the outage a call belongs to, or [`CallCause::NoOutage`].
    fn from(cause: Option<OutageCause>) -> Self {
        match cause {
            Some(OutageCause::Fault) => CallCause::Fault,
            Some(OutageCause::Planned) => CallCause::Planned,
            Some(OutageCause::Disconnect) => CallCause::Disconnect,
            None => CallCause::NoOutage,
        }
    }
}

/// One conclusion record of the replay contract. Names borrow from the network; ids
/// and times are printed as the contract spells them (`O7`, `W3`, RFC 3339).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record<'a> {
    /// An outage opened, changed or closed.
    Outage {
        /// The engine's clock.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// Opened, updated or closed.
        op: RecordOp,
        /// `O…`.
        #[serde(serialize_with = "shown")]
        outage: OutageId,
        /// `class.name`.
        device: &'a str,
        /// Why the customers are off.
        cause: OutageCause,
        /// Predicted or confirmed; on close, restored or retracted.
        status: OutageStatus,
        /// Customers held off.
        customers: u32,
        /// Probability that the device is out.
        confidence: f64,
    },
    /// A work order opened, changed or closed.
    Ticket {
        /// The engine's clock.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// Opened, updated or closed.
        op: RecordOp,
        /// `W…`.
        #[serde(serialize_with = "shown")]
        ticket: WorkOrderId,
        /// Its outage (printed empty when it has none).
        #[serde(serialize_with = "shown_or_empty")]
        outage: Option<OutageId>,
        /// Its device.
        device: &'a str,
        /// On open and update.
        #[serde(skip_serializing_if = "Option::is_none")]
        priority: Option<Priority>,
        /// Crew on site due, on open and update.
        #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shown_opt")]
        due: Option<Timestamp>,
        /// On a merge.
        #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shown_opt")]
        merged_into: Option<WorkOrderId>,
    },
    /// A call's classification.
    Call {
        /// The engine's clock.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// `load.x`.
        customer: &'a str,
        /// The cause of the outage it belongs to, or none.
        cause: CallCause,
        /// The outage it belongs to.
        #[serde(serialize_with = "shown_opt")]
        outage: Option<OutageId>,
        /// The fault outage's work order.
        #[serde(serialize_with = "shown_opt")]
        ticket: Option<WorkOrderId>,
    },
    /// A ping sent through the head-end (replay contract version 2).
    Ping {
        /// The engine's clock: when the ping was sent.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// `load.x`.
        meter: &'a str,
        /// The outage it is meant to confirm or rule out.
        #[serde(serialize_with = "shown_opt")]
        outage: Option<OutageId>,
    },
    /// A momentary interruption (contract version 2): a reclose or a burst of last
    /// gasps and power restores, never a sustained outage.
    Momentary {
        /// The engine's clock.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// The reclosing device (or the zone's head), `class.name`.
        device: &'a str,
        /// Customers below it.
        customers: u32,
    },
    /// A restoration plan for a fault outage, printed when it becomes confirmed (this
    /// crate's addition to the contract; readers skip types they do not know).
    Plan {
        /// The engine's clock.
        #[serde(serialize_with = "shown")]
        at: Timestamp,
        /// The outage, `O…`.
        #[serde(serialize_with = "shown")]
        outage: OutageId,
        /// Its repair order.
        #[serde(serialize_with = "shown_opt")]
        ticket: Option<WorkOrderId>,
        /// The switching order that carries the plan out (none when there is nothing
        /// to switch).
        #[serde(serialize_with = "shown_opt")]
        switching: Option<SwitchingOrderId>,
        /// The faulted device, `class.name`.
        fault: &'a str,
        /// The faulted section to isolate.
        section: Section,
        /// Customers the fault holds off.
        customers_out: u32,
        /// Devices to open, in order.
        isolate: Vec<String>,
        /// Devices to close, in order, with the customers each gives supply back to
        /// and the highest loading on its source path.
        steps: Vec<RestorationStep>,
        /// Customers given supply back.
        customers_restored: u32,
        /// Customers still out after the plan.
        customers_still_out: u32,
        /// Switching operations: openings and closings.
        operations: u32,
        /// The highest loading of any step (percent of a rating), absent when no step's
        /// source path has a rating.
        #[serde(skip_serializing_if = "Option::is_none")]
        max_loading_pct: Option<f64>,
    },
    /// The last line.
    Summary {
        /// Rows read (header excluded).
        rows: u64,
        /// Rows skipped.
        skipped: u64,
        /// Outages opened.
        outages: u64,
        /// Tickets opened.
        tickets: u64,
        /// Pings sent, in a replay with a head-end.
        #[serde(skip_serializing_if = "Option::is_none")]
        pings: Option<u64>,
    },
}

impl<'a> Record<'a> {
    /// The `plan` record of an outage's restoration plan.
    pub fn plan(
        at: Timestamp,
        outage: OutageId,
        ticket: Option<WorkOrderId>,
        switching: Option<SwitchingOrderId>,
        fault: &'a str,
        plan: &RestorationPlan,
    ) -> Self {
        Record::Plan {
            at,
            outage,
            ticket,
            switching,
            fault,
            section: plan.section.clone(),
            customers_out: plan.customers_out,
            isolate: plan.isolate.clone(),
            steps: plan.steps.clone(),
            customers_restored: plan.customers_restored,
            customers_still_out: plan.customers_still_out,
            operations: (plan.isolate.len() + plan.steps.len()) as u32,
            max_loading_pct: plan
                .steps
                .iter()
                .filter_map(|s| s.loading_pct)
                .reduce(f64::max),
        }
    }
}

/// Serialises a value as its `Display` text (no intermediate string).
fn shown<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// [`shown`], or `null`.
fn shown_opt<T: std::fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => shown(v, s),
        None => s.serialize_none(),
    }
}

/// [`shown`], or an empty string.
fn shown_or_empty<T: std::fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => shown(v, s),
        None => s.serialize_str(""),
    }
}
