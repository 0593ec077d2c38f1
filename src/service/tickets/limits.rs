//! The time limits of the service promise: the limits per zone, and how each limit of an
//! order stands at a given time.

use serde::{Deserialize, Serialize};

use super::HOUR;
use super::order::{OrderState, WorkOrder};
use crate::network::ServiceZone;
use crate::time::{MINUTE, Millis, Timestamp};

/// A time limit of the service promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// A crew dispatched, for orders with important (critical) customers.
    Dispatch,
    /// The crew on site.
    Arrival,
    /// Supply restored, counted from the crew's arrival.
    Restoration,
}

crate::variant_names::display_as_serde_name!(LimitKind);

impl LimitKind {
    /// The kind's bit in [`WorkOrder::alerts`] (its warning; shifted by 4, its
    /// breach).
    pub(super) fn bit(self) -> u8 {
        match self {
            LimitKind::Dispatch => 1,
            LimitKind::Arrival => 2,
            LimitKind::Restoration => 4,
        }
    }
}

/// The time limits of one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneLimits {
    /// Crew on site within this of the outage becoming known.
    pub arrival: Millis,
    /// Supply restored within this of the crew's arrival.
    pub restoration: Millis,
}

/// Time limits of the service promise, per zone, with the early-warning share.
///
/// The defaults are the State Grid promise: on site within 45 min (urban), 90 min
/// (rural), 2 h (remote); restored within 3 h (urban) or 4 h (rural; remote too) of
/// arrival; a crew dispatched within 5 min for important customers; warn at 80 % of
/// each limit.
///
/// ```
/// use outage_locator::{MINUTE};
/// use outage_locator::network::{ServiceZone};
/// use outage_locator::service::{TimeLimits};
/// let mut limits = TimeLimits::default();
/// assert_eq!(limits.arrival(ServiceZone::Rural), 90 * MINUTE);
/// limits.rural.arrival = 60 * MINUTE; // a stricter local promise
/// assert_eq!(limits.zone(ServiceZone::Rural).arrival, 60 * MINUTE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// City.
    pub urban: ZoneLimits,
    /// Countryside.
    pub rural: ZoneLimits,
    /// Remote areas.
    pub remote: ZoneLimits,
    /// A crew dispatched within this, for orders with critical customers.
    pub critical_dispatch: Millis,
    /// Early warning when this share of a limit has run (0.8: at 36 min of 45).
    pub warning_share: f64,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            urban: ZoneLimits {
                arrival: 45 * MINUTE,
                restoration: 3 * HOUR,
            },
            rural: ZoneLimits {
                arrival: 90 * MINUTE,
                restoration: 4 * HOUR,
            },
            remote: ZoneLimits {
                arrival: 2 * HOUR,
                restoration: 4 * HOUR,
            },
            critical_dispatch: 5 * MINUTE,
            warning_share: 0.8,
        }
    }
}

impl TimeLimits {
    /// The limits of a zone.
    pub fn zone(&self, z: ServiceZone) -> ZoneLimits {
        match z {
            ServiceZone::Urban => self.urban,
            ServiceZone::Rural => self.rural,
            ServiceZone::Remote => self.remote,
        }
    }

    /// The arrival limit of a zone.
    pub fn arrival(&self, z: ServiceZone) -> Millis {
        self.zone(z).arrival
    }

    /// When a limit of `span` started at `start` enters its warning share.
    pub fn warn_at(&self, start: Timestamp, due: Timestamp) -> Timestamp {
        let span = (due.0 - start.0).max(0) as f64;
        Timestamp(start.0 + (span * self.warning_share.clamp(0.0, 1.0)).round() as i64)
    }
}

/// How a time limit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitState {
    /// Running, inside the warning share.
    Running,
    /// Past the warning share: about to breach.
    Warning,
    /// Past due.
    Overdue,
    /// Met in time.
    MetOnTime,
    /// Met, late.
    MetLate,
}

crate::variant_names::display_as_serde_name!(LimitState);

/// One time limit of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitStatus {
    /// Which limit.
    pub kind: LimitKind,
    /// When its clock started.
    pub start: Timestamp,
    /// When it is due.
    pub due: Timestamp,
    /// When the early warning comes.
    pub warn_at: Timestamp,
    /// When it was met, if it was.
    pub met_at: Option<Timestamp>,
    /// How it stands.
    pub state: LimitState,
}

impl WorkOrder {
    /// Crew on site due.
    pub fn arrival_due(&self, limits: &TimeLimits) -> Timestamp {
        self.promise_start + limits.zone(self.zone).arrival
    }

    /// Crew dispatch due, for orders with critical customers.
    pub fn dispatch_due(&self, limits: &TimeLimits) -> Option<Timestamp> {
        self.critical_since.map(|t| t + limits.critical_dispatch)
    }

    /// Restoration due, once the crew has arrived.
    pub fn restoration_due(&self, limits: &TimeLimits) -> Option<Timestamp> {
        self.time_of(OrderState::OnSite)
            .map(|t| t + limits.zone(self.zone).restoration)
    }

    /// The status of one time limit at `now`, when it applies to this order.
    pub fn limit(
        &self,
        kind: LimitKind,
        limits: &TimeLimits,
        now: Timestamp,
    ) -> Option<LimitStatus> {
        let restored = self.time_of(OrderState::Restored);
        let (start, due, met) = match kind {
            LimitKind::Dispatch => {
                let start = self.critical_since?;
                // Supply back before a crew was sent keeps the promise too.
                let met = match (self.time_of(OrderState::Dispatched), restored) {
                    (Some(a), Some(r)) => Some(a.min(r)),
                    (a, r) => a.or(r),
                };
                (start, start + limits.critical_dispatch, met)
            }
            LimitKind::Arrival => {
                // Supply back before a crew arrived keeps the promise too.
                let met = match (self.time_of(OrderState::OnSite), restored) {
                    (Some(a), Some(r)) => Some(a.min(r)),
                    (a, r) => a.or(r),
                };
                (self.promise_start, self.arrival_due(limits), met)
            }
            LimitKind::Restoration => {
                let start = self.time_of(OrderState::OnSite)?;
                (start, start + limits.zone(self.zone).restoration, restored)
            }
        };
        let state = match met {
            Some(t) if t <= due => LimitState::MetOnTime,
            Some(_) => LimitState::MetLate,
            // Merged or cancelled before the limit was met: it no longer applies.
            None if !self.is_open() => return None,
            None if now > due => LimitState::Overdue,
            None if now >= limits.warn_at(start, due) => LimitState::Warning,
            None => LimitState::Running,
        };
        Some(LimitStatus {
            kind,
            start,
            due,
            warn_at: limits.warn_at(start, due),
            met_at: met,
            state,
        })
    }

    /// The statuses of every limit that applies, in [`LimitKind`] order.
    pub fn limits(&self, limits: &TimeLimits, now: Timestamp) -> Vec<LimitStatus> {
        LIMIT_KINDS
            .into_iter()
            .filter_map(|k| self.limit(k, limits, now))
            .collect()
    }

    /// The limit that matters now: the earliest-due one not yet met, if any.
    pub fn next_limit(&self, limits: &TimeLimits, now: Timestamp) -> Option<LimitStatus> {
        self.limits(limits, now)
            .into_iter()
            .filter(|l| l.met_at.is_none())
            .min_by_key(|l| l.due)
    }

    /// Whether the warning or breach of a bit ([`LimitKind::bit`]) was raised.
    pub(super) fn alerted(&self, bit: u8) -> bool {
        self.alerts & bit != 0
    }
}

/// Every limit kind, in order.
pub(super) const LIMIT_KINDS: [LimitKind; 3] = [
    LimitKind::Dispatch,
    LimitKind::Arrival,
    LimitKind::Restoration,
];

// A zone prints as its serde name (`urban`, `rural`, `remote`), as the limits per zone
// are reported.
crate::variant_names::display_as_serde_name!(ServiceZone);
