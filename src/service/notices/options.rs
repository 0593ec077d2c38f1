//! How notices are issued: the options of [`Notices`](super::Notices).

use serde::{Deserialize, Serialize};

use super::notice::PlannedKind;
use crate::time::{MINUTE, Millis};

const DAY: Millis = 24 * 60 * MINUTE;

/// How notices are issued.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeOptions {
    /// Planned work is announced this long ahead.
    pub lead_planned_work: Millis,
    /// Temporary maintenance is announced this long ahead.
    pub lead_temporary_maintenance: Millis,
    /// Load shedding is announced this long ahead.
    pub lead_load_shedding: Millis,
    /// A restoration is announced after this hold, to the customers no open outage
    /// holds off by then.
    pub restore_hold: Millis,
    /// A predicted fault outage is announced after this hold, if it still stands, to
    /// the customers it still holds off: a prediction that flashes for seconds at the
    /// start of a large fault (before its last gasps are all in) sends nothing. Those
    /// never told their power is off are told neither news nor its end. 0: at once.
    pub outage_hold: Millis,
}

impl Default for NoticeOptions {
    fn default() -> Self {
        NoticeOptions {
            lead_planned_work: 7 * DAY,
            lead_temporary_maintenance: DAY,
            lead_load_shedding: DAY,
            restore_hold: 5 * MINUTE,
            outage_hold: MINUTE,
        }
    }
}

impl NoticeOptions {
    /// The lead time of a planned kind.
    pub fn lead(&self, kind: PlannedKind) -> Millis {
        match kind {
            PlannedKind::PlannedWork => self.lead_planned_work,
            PlannedKind::TemporaryMaintenance => self.lead_temporary_maintenance,
            PlannedKind::LoadShedding => self.lead_load_shedding,
        }
    }
}
