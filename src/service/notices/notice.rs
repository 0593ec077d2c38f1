//! The notice and what it is made of: its id and kind, the progress customers are
//! told, planned work, and the text of the message.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{OutageCause, OutageId};
use crate::service::tickets::{OrderState, WorkOrderId};
use crate::time::Timestamp;

/// A notice id (`N1`, `N2`, …), for deduplication downstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeId(pub u32);

impl std::fmt::Display for NoticeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "N{}", self.0)
    }
}

/// What a notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The power is off (first notice to these customers).
    Outage,
    /// News about an outage the customers were told of: a new estimated restoration
    /// time, the crew's progress, or the outage now handled under another order.
    Update,
    /// The power is back.
    Restored,
    /// An outage the customers were told of does not affect them after all.
    Cleared,
    /// Planned work or load shedding ahead.
    PlannedAhead,
}

/// How far the work on an outage has come, as customers are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Known, being handled; no crew yet.
    Investigating,
    /// A crew is assigned.
    CrewDispatched,
    /// The crew is on its way.
    CrewEnRoute,
    /// The crew is at work.
    CrewOnSite,
    /// Supply is back.
    Restored,
    /// Planned work, not started.
    Scheduled,
    /// Planned work under way.
    InProgress,
}

impl Progress {
    /// The progress customers are told for an order state.
    pub fn of_order(state: OrderState) -> Progress {
        match state {
            OrderState::Created => Progress::Investigating,
            OrderState::Dispatched => Progress::CrewDispatched,
            OrderState::EnRoute => Progress::CrewEnRoute,
            OrderState::OnSite => Progress::CrewOnSite,
            OrderState::Restored | OrderState::Closed => Progress::Restored,
        }
    }

    /// How the message says it.
    fn phrase(self) -> &'static str {
        match self {
            Progress::Investigating => "we are locating the fault",
            Progress::CrewDispatched => "a repair crew has been assigned",
            Progress::CrewEnRoute => "the repair crew is on its way",
            Progress::CrewOnSite => "the repair crew is at work",
            Progress::Restored => "supply is back",
            Progress::Scheduled => "the work is scheduled",
            Progress::InProgress => "the work is under way",
        }
    }
}

/// The kind of a planned interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedKind {
    /// Planned work (announced 7 days ahead by default).
    PlannedWork,
    /// Temporary maintenance (24 h ahead by default).
    TemporaryMaintenance,
    /// Orderly-use load shedding (24 h ahead by default).
    LoadShedding,
}

crate::variant_names::display_as_serde_name!(NoticeKind, Progress, PlannedKind);

/// A planned interruption registered ahead of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedWork {
    /// The device opened for the work: every customer below it is off.
    pub device: OutageDeviceId,
    /// When supply goes off.
    pub start: Timestamp,
    /// When it returns.
    pub end: Timestamp,
    /// What kind of interruption.
    pub kind: PlannedKind,
}

/// One notice, ready to push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Id.
    pub id: NoticeId,
    /// When it was issued.
    pub at: Timestamp,
    /// What it says.
    pub kind: NoticeKind,
    /// To whom, sorted.
    pub customers: Vec<CustomerId>,
    /// The outage it is about.
    pub outage: Option<OutageId>,
    /// The work order handling it.
    pub order: Option<WorkOrderId>,
    /// Why the power is off.
    pub cause: OutageCause,
    /// The planned kind, for planned interruptions that were registered.
    pub planned: Option<PlannedKind>,
    /// Since when the power is off (or, for `restored`, when it came back).
    pub since: Option<Timestamp>,
    /// The estimated restoration time.
    pub etr: Option<Timestamp>,
    /// For planned interruptions: from and to.
    pub window: Option<[Timestamp; 2]>,
    /// How far the work has come.
    pub progress: Progress,
    /// For planned announcements: issued later than the promised lead time.
    pub late: bool,
}

impl Notice {
    /// The text of the message (SMS length, UTC times).
    ///
    /// ```
    /// use outage_locator::{Timestamp};
    /// use outage_locator::inference::{OutageCause};
    /// use outage_locator::service::{Notice, NoticeId, NoticeKind, Progress};
    /// let t: Timestamp = "2026-07-01T12:03:00Z".parse().unwrap();
    /// let n = Notice {
    ///     id: NoticeId(1), at: t, kind: NoticeKind::Outage, customers: vec![],
    ///     outage: None, order: None, cause: OutageCause::Fault, planned: None,
    ///     since: Some(t), etr: Some(t + 3 * 3_600_000), window: None,
    ///     progress: Progress::Investigating, late: false,
    /// };
    /// assert_eq!(
    ///     n.message(),
    ///     "Power cut in your area since 2026-07-01T12:03:00Z: we are locating the fault. \
    ///      Expected back by 2026-07-01T15:03:00Z."
    /// );
    /// ```
    pub fn message(&self) -> String {
        let etr = self
            .etr
            .map(|t| format!(" Expected back by {t}."))
            .unwrap_or_default();
        let order = self.order.map(|w| format!(" Ref {w}.")).unwrap_or_default();
        match self.kind {
            NoticeKind::Outage if self.cause == OutageCause::Planned => {
                let [a, b] = self
                    .window
                    .unwrap_or([self.since.unwrap_or(self.at), self.at]);
                format!("Planned interruption in your area from {a} to {b}.")
            }
            NoticeKind::Outage => {
                let since = self.since.unwrap_or(self.at);
                format!(
                    "Power cut in your area since {since}: {}.{etr}{order}",
                    self.progress.phrase()
                )
            }
            NoticeKind::Update => {
                format!("Power cut update: {}.{etr}{order}", self.progress.phrase())
            }
            NoticeKind::Restored => {
                let at = self.since.unwrap_or(self.at);
                format!("Power was restored at {at}. Thank you for your patience.{order}")
            }
            NoticeKind::Cleared => {
                "Update: supply in your area is normal; the power cut we reported does not \
                 affect you. Sorry for the confusion."
                    .to_string()
            }
            NoticeKind::PlannedAhead => {
                let [a, b] = self.window.unwrap_or([self.at, self.at]);
                let what = match self.planned {
                    Some(PlannedKind::LoadShedding) => "Orderly-use load shedding",
                    Some(PlannedKind::TemporaryMaintenance) => "Temporary maintenance",
                    _ => "Planned work",
                };
                format!("{what}: power will be off in your area from {a} to {b}.")
            }
        }
    }
}
