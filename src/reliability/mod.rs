//! Reliability figures and weak spots: IEEE 1366 indices over any period and grouping,
//! major event days by the 2.5 beta method, repeated-fault hotspots and the early
//! warnings they raise.
//!
//! The figures are counted per customer. Every interruption is taken apart into the
//! spans its customers were off ([`Ledger`]); a customer's overlapping spans of one
//! kind (a nested outage inside a larger one, the two halves of a partly restored
//! outage) merge into one interruption with its own duration, so a customer restored
//! by a transfer stops counting then, and a customer below two nested outages counts
//! once. A merged interruption longer than five minutes is sustained; a shorter one
//! is momentary, as the recloser operations the replay reports.
//!
//! The rooms:
//!
//! - `ledger`: interruptions and momentaries taken apart into customer spans, merged
//!   per customer.
//! - `indices`: SAIFI, SAIDI, CAIDI, CAIFI, CTAIDI, ASAI, MAIFI_E, CEMI_n, CELID over a
//!   period and a grouping (network, substation, feeder, service zone), planned apart
//!   from unplanned.
//! - `med`: major event days (IEEE 1366 2.5 beta).
//! - `records`: the replay's JSON Lines read back into interruptions, and the
//!   contract's `reliability` report.
//! - `hotspots`: devices that keep failing and places whose customers keep calling,
//!   ranked, and the preventive inspections they raise.

mod hotspots;
mod indices;
mod ledger;
mod med;
mod records;

pub use hotspots::{CallCluster, DeviceHotspot, HotspotOptions, Hotspots, find_hotspots};
pub use indices::{GroupIndices, Grouping, IndexOptions, Indices, Report, Selection};
pub use ledger::{Interruption, InterruptionKind, Ledger, MomentaryEvent, Span};
pub use med::{MajorEvents, day_of, major_event_days};
pub(crate) use records::date;
pub use records::{ContractReport, OutageTrace, ReplayOutput, contract_report};

use crate::time::{MINUTE, Millis};

/// An interruption longer than this is sustained (IEEE 1366: five minutes).
pub const SUSTAINED_AFTER: Millis = 5 * MINUTE;

#[cfg(test)]
mod tests;
