//! What the engine tells its caller: the changes of its conclusions after each event,
//! call classifications, momentaries, counted warnings and the evidence below a
//! device.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::outages::{OutageCause, OutageId};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::time::Timestamp;

/// A momentary interruption (for MAIFI): never a sustained outage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Momentary {
    /// The reclosing device (or the zone's head); a service when its meter alone
    /// gasped and came back (a sag or a meter reset).
    pub device: OutageDeviceId,
    /// When.
    pub time: Timestamp,
}

/// How a call was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CallClassification {
    /// The caller.
    pub customer: CustomerId,
    /// The known cause, or `None` when no outage explains the call yet.
    pub cause: Option<OutageCause>,
    /// The outage it belongs to.
    pub outage: Option<OutageId>,
}

/// One change of the engine's conclusions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// A new outage.
    Opened(OutageId),
    /// An outage changed (device, status, customers or confidence).
    Updated(OutageId),
    /// An outage closed; `merged_into` when it rolled up into another.
    Closed {
        /// The outage.
        outage: OutageId,
        /// The outage that absorbed it.
        merged_into: Option<OutageId>,
    },
    /// A call was classified.
    Call(CallClassification),
    /// A momentary interruption was recognised.
    Momentary(Momentary),
}

/// The changes of one step of the engine ([`Engine::ingest`](crate::Engine::ingest),
/// [`Engine::flush`](crate::Engine::flush)), owned by the caller: a slice (through
/// `Deref`) that does not keep the engine borrowed. Up to four are held inline, so
/// the common step (none, or one) allocates nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes(SmallVec<[Change; 4]>);

impl Changes {
    pub(crate) fn from_slice(changes: &[Change]) -> Self {
        Changes(SmallVec::from_slice(changes))
    }
}

impl std::ops::Deref for Changes {
    type Target = [Change];
    fn deref(&self) -> &[Change] {
        &self.0
    }
}

impl IntoIterator for Changes {
    type Item = Change;
    type IntoIter = smallvec::IntoIter<[Change; 4]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a Change;
    type IntoIter = std::slice::Iter<'a, Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The evidence below a device and the log-odds the engine compares; see
/// [`Engine::evidence_below`](crate::Engine::evidence_below).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvidenceSummary {
    /// Customers below (not off for a known cause).
    pub customers: u32,
    /// Of them, with a no-power or wire-down call.
    pub calls: u32,
    /// With a partial-power call.
    pub partial_calls: u32,
    /// With a last gasp (held past the momentary filter).
    pub last_gasps: u32,
    /// With a ping answering off.
    pub pings_off: u32,
    /// Known on (recent power restore or ping on).
    pub known_on: u32,
    /// Still silent after a restoration above them.
    pub awaiting_restore: u32,
    /// SCADA reports the device locked out.
    pub scada_open: bool,
    /// Log-odds of "this device is out" against "all on".
    pub log_odds_out: f64,
    /// Log-odds of the best explanation of the subtree with the device in.
    pub log_odds_below: f64,
    /// Whether the device is out in the best explanation of its subtree.
    pub out_in_best_explanation: bool,
}

/// Counted warnings: events that were used with a caveat or not at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineWarnings {
    /// Events older than the late-arrival window (still applied).
    pub too_late: u64,
    /// Exact repeats of an earlier event (ignored as evidence).
    pub duplicates: u64,
    /// Evidence from before the customer's last known-on time, and power restores
    /// from before the meter's current last gasp (stale, ignored).
    pub stale: u64,
    /// Events further ahead of the clock than the late-arrival window and a day
    /// ([`Engine::is_far_ahead`](super::Engine::is_far_ahead)): implausible, ignored.
    #[serde(default)]
    pub far_ahead: u64,
    /// Events naming a customer or device that is not of the engine's network
    /// (ignored).
    #[serde(default)]
    pub foreign_ids: u64,
}

impl super::Engine {
    /// The top of the tree a change concerns (its source in the current view): a
    /// replay split by tree merges a step's changes by it.
    pub(crate) fn change_root(&self, ch: &Change) -> OutageDeviceId {
        let d = match *ch {
            Change::Opened(o) | Change::Updated(o) | Change::Closed { outage: o, .. } => self
                .st
                .outages
                .get(o.0 as usize)
                .map_or(OutageDeviceId(0), |x| x.device),
            Change::Call(cl) => OutageDeviceId(cl.customer.0),
            Change::Momentary(m) => m.device,
        };
        self.view.upstream(d).last().unwrap_or(d)
    }

    /// Orders this step's changes by the tree they concern, keeping their order within
    /// a tree: what happens in one tree then reads the same whatever happens in the
    /// others. O(changes · depth); sorts (and allocates) only when two trees changed
    /// out of order.
    pub(super) fn order_changes_by_tree(&mut self) {
        if self.changes.len() < 2 {
            return;
        }
        let mut last = self.change_root(&self.changes[0]);
        for ch in &self.changes[1..] {
            let r = self.change_root(ch);
            if r < last {
                let mut changes = std::mem::take(&mut self.changes);
                changes.sort_by_cached_key(|c| self.change_root(c));
                self.changes = changes;
                return;
            }
            last = r;
        }
    }
}
