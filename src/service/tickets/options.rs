//! What the work orders do on their own: the options of [`WorkOrders`](super::WorkOrders).

use serde::{Deserialize, Serialize};

use super::HOUR;
use super::history::RestorationHistory;
use super::limits::TimeLimits;
use crate::service::crews::Geometry;
use crate::time::{MINUTE, Millis};

/// What the work orders do on their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkOrderOptions {
    /// Time limits per zone.
    pub limits: TimeLimits,
    /// Orders with at least this many customers are `high`.
    pub high_customers: u32,
    /// Orders with at least this many customers are `medium`.
    pub medium_customers: u32,
    /// A predicted (not confirmed, not emergency) outage gets its order once it has
    /// stood this long: predictions the next minute of evidence withdraws get none.
    /// The promise's clock still starts when the outage opened.
    pub open_after: Millis,
    /// A predicted outage's order waits, past `open_after`, until the engine is at
    /// least this sure of it (a lone last gasp waits for a call, a ping or a
    /// neighbour's report); confirmed outages and emergencies open at once.
    pub open_confidence: f64,
    /// A prediction the engine is less sure of gets its order once it has stood this
    /// long (a stray last gasp usually ends in a power restore within minutes).
    pub open_unsure_after: Millis,
    /// Close an order as soon as the engine sees its outage restored (for unattended
    /// replays); otherwise the crew closes it with the cause.
    pub close_on_restore: bool,
    /// When an estimated restoration time passes with supply still off, it moves on by
    /// this (and the change is announced).
    pub etr_extension: Millis,
    /// Time a crew needs between dispatch and leaving.
    pub turnout: Millis,
    /// How coordinates turn into distances.
    pub geometry: Geometry,
    /// Calls that no outage explains yet are kept this long, to link them to the order
    /// that opens later.
    pub call_memory: Millis,
    /// Initial historical restoration times.
    pub history: RestorationHistory,
}

impl Default for WorkOrderOptions {
    fn default() -> Self {
        WorkOrderOptions {
            limits: TimeLimits::default(),
            high_customers: 50,
            medium_customers: 5,
            open_after: 0,
            open_confidence: 0.0,
            open_unsure_after: 0,
            close_on_restore: false,
            etr_extension: 30 * MINUTE,
            turnout: 5 * MINUTE,
            geometry: Geometry::default(),
            call_memory: 2 * HOUR,
            history: RestorationHistory::default(),
        }
    }
}
