//! Call answers (call deflection): for any customer, what the agent or the IVR says,
//! from what the engine, the work orders and the notice desk already know. See
//! [`CommandCentre::answer`](crate::CommandCentre::answer).

use serde::{Deserialize, Serialize};

use crate::ids::OutageDeviceId;
use crate::inference::{OutageId, OutageStatus};
use crate::service::crews::CrewId;
use crate::service::notices::{PlannedKind, Progress};
use crate::service::tickets::{Etr, EtrSource, WorkOrderId};
use crate::time::{MINUTE, Millis, Timestamp};

/// Why a customer was disconnected (the engine only sees that it happened; the billing
/// or service system tells the reason, see
/// [`CommandCentre::set_disconnect_reason`](crate::CommandCentre::set_disconnect_reason)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisconnectReason {
    /// Unpaid bills.
    Arrears,
    /// At the customer's request (moving out, works).
    CustomerRequest,
    /// A safety disconnection.
    Safety,
    /// Not recorded.
    #[default]
    Unspecified,
}

crate::variant_names::display_as_serde_name!(DisconnectReason);

/// What to do when nothing is known about a caller's supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    /// The meter is silent too: open a single-customer order (see
    /// [`CommandCentre::open_for_customer`](crate::CommandCentre::open_for_customer)).
    SingleCustomerOrder,
    /// The meter reports supply: the fault is most likely in the customer's own
    /// installation (tripped main switch or RCD).
    CheckOwnInstallation,
}

/// What the agent or the IVR tells a caller.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum CallAnswer {
    /// A known fault outage holds the customer off.
    FaultOutage {
        /// The outage.
        outage: OutageId,
        /// Predicted or confirmed.
        status: OutageStatus,
        /// Since when.
        since: Timestamp,
        /// Customers off in it.
        customers: u32,
        /// The work order, once opened.
        order: Option<WorkOrderId>,
        /// How far the work has come.
        progress: Progress,
        /// The crew on it.
        crew: Option<CrewId>,
        /// When the crew is expected on site.
        crew_eta: Option<Timestamp>,
        /// The estimated restoration time.
        etr: Option<Etr>,
    },
    /// A planned or load-shedding interruption.
    Planned {
        /// The outage.
        outage: Option<OutageId>,
        /// The kind, when it was registered ahead.
        kind: Option<PlannedKind>,
        /// From.
        start: Timestamp,
        /// To.
        end: Option<Timestamp>,
    },
    /// The customer's supply was disconnected.
    Disconnected {
        /// The outage.
        outage: Option<OutageId>,
        /// Why.
        reason: DisconnectReason,
        /// Since when.
        since: Option<Timestamp>,
    },
    /// A momentary interruption (the lights flickered): supply recovered on its own.
    Momentary {
        /// When.
        at: Timestamp,
        /// The reclosing device.
        device: OutageDeviceId,
    },
    /// Nothing known.
    NothingKnown {
        /// What to do.
        advice: Advice,
        /// A single-customer order already open for this customer.
        order: Option<WorkOrderId>,
    },
}

impl CallAnswer {
    /// What the agent reads out, or the IVR says (UTC times).
    ///
    /// ```
    /// use outage_locator::service::{Advice, CallAnswer};
    /// let a = CallAnswer::NothingKnown { advice: Advice::CheckOwnInstallation, order: None };
    /// assert!(a.script().contains("main switch"));
    /// ```
    pub fn script(&self) -> String {
        match *self {
            CallAnswer::FaultOutage {
                since,
                customers,
                order,
                progress,
                crew_eta,
                etr,
                ..
            } => {
                let mut s = format!(
                    "We know about a power cut in your area since {since} ({customers} customers affected)"
                );
                if let Some(w) = order {
                    s += &format!(", work order {w}");
                }
                s += &format!(": {}.", progress_phrase(progress));
                if let Some(t) = crew_eta
                    && progress < Progress::CrewOnSite
                {
                    s += &format!(" The crew should be there by {t}.");
                }
                if let Some(e) = etr {
                    let who = match e.source {
                        EtrSource::Crew => "the crew expects",
                        _ => "we expect",
                    };
                    s += &format!(" {} power back by {}.", capitalise(who), e.at);
                }
                s
            }
            CallAnswer::Planned { kind, start, end, .. } => {
                let what = match kind {
                    Some(PlannedKind::LoadShedding) => "orderly-use load shedding",
                    Some(PlannedKind::TemporaryMaintenance) => "temporary maintenance",
                    _ => "planned work",
                };
                match end {
                    Some(e) => format!("Your supply is off for {what} from {start} to {e}."),
                    None => format!("Your supply is off for {what} since {start}."),
                }
            }
            CallAnswer::Disconnected { reason, since, .. } => {
                let why = match reason {
                    DisconnectReason::Arrears => "for unpaid bills",
                    DisconnectReason::CustomerRequest => "at your request",
                    DisconnectReason::Safety => "for safety reasons",
                    DisconnectReason::Unspecified => "remotely",
                };
                match since {
                    Some(t) => format!("Your supply was disconnected {why} at {t}."),
                    None => format!("Your supply was disconnected {why}."),
                }
            }
            CallAnswer::Momentary { at, .. } => format!(
                "There was a brief interruption in your area at {at}; supply recovered on its own. \
                 If you are still without power, please stay on the line."
            ),
            CallAnswer::NothingKnown { advice, order } => match (advice, order) {
                (_, Some(w)) => format!("Your report is registered as work order {w}; a crew will contact you."),
                (Advice::SingleCustomerOrder, None) => {
                    "We have no report of a power cut in your area. We are opening a repair order for your address.".to_string()
                }
                (Advice::CheckOwnInstallation, None) => {
                    "Our meter reading shows supply at your connection. Please check your main switch and \
                     residual-current breaker; if they are on, we will send a crew."
                        .to_string()
                }
            },
        }
    }
}

fn progress_phrase(p: Progress) -> &'static str {
    match p {
        Progress::Investigating => "we are locating the fault",
        Progress::CrewDispatched => "a repair crew has been assigned",
        Progress::CrewEnRoute => "the repair crew is on its way",
        Progress::CrewOnSite => "the repair crew is at work",
        Progress::Restored => "supply is being restored",
        Progress::Scheduled | Progress::InProgress => "work is under way",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// How calls are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerOptions {
    /// A momentary interruption this recent explains a call.
    pub momentary_recent: Millis,
    /// A meter that reported supply (power restore, ping answering on) this recently,
    /// and nothing since, points at the customer's own installation.
    pub meter_on_recent: Millis,
}

impl Default for AnswerOptions {
    fn default() -> Self {
        AnswerOptions {
            momentary_recent: 30 * MINUTE,
            meter_on_recent: 15 * MINUTE,
        }
    }
}
