//! Planned work: registered ahead, announced once its lead time has come, and found
//! again when the engine sees it start.

use serde::{Deserialize, Serialize};

use super::Notices;
use super::notice::{Notice, NoticeId, NoticeKind, PlannedWork, Progress};
use crate::ids::OutageDeviceId;
use crate::inference::{Outage, OutageCause};
use crate::service::tickets::OutageSource;
use crate::time::{MINUTE, Timestamp};

/// Planned work as registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Scheduled {
    /// The work.
    pub(super) work: PlannedWork,
    /// When it was registered.
    pub(super) registered: Timestamp,
    /// Whether its announcement went out.
    pub(super) announced: bool,
}

impl Notices {
    /// The registered planned work.
    pub fn planned_work(&self) -> impl Iterator<Item = &PlannedWork> {
        self.schedule.iter().map(|s| &s.work)
    }

    /// The registered planned work at or above a device whose window holds `at`.
    pub fn planned_at(
        &self,
        engine: &dyn OutageSource,
        device: OutageDeviceId,
        at: Timestamp,
    ) -> Option<&PlannedWork> {
        self.schedule
            .iter()
            .map(|s| &s.work)
            .filter(|w| w.start.0 - 30 * MINUTE <= at.0 && at <= w.end)
            .find(|w| engine.view().is_below(device, w.device))
    }

    /// Registers planned work; its announcement goes out once the lead time before its
    /// start is reached (at once, marked `late`, when that is already past). Returns
    /// the notices issued now.
    pub fn schedule(&mut self, engine: &dyn OutageSource, work: PlannedWork) -> &[Notice] {
        self.out.clear();
        let now = engine.clock();
        self.schedule.push(Scheduled {
            work,
            registered: now,
            announced: false,
        });
        self.announce_due(engine, now);
        &self.out
    }

    /// The planned work a planned outage is (`None` for other outages).
    pub(super) fn planned_of(
        &self,
        engine: &dyn OutageSource,
        o: &Outage,
        now: Timestamp,
    ) -> Option<PlannedWork> {
        (o.cause == OutageCause::Planned)
            .then(|| self.planned_at(engine, o.device, now).copied())
            .flatten()
    }

    /// Announces the planned work whose lead time has come.
    pub(super) fn announce_due(&mut self, engine: &dyn OutageSource, now: Timestamp) {
        for i in 0..self.schedule.len() {
            let s = &self.schedule[i];
            let lead = self.opts.lead(s.work.kind);
            if s.announced || now.0 < s.work.start.0 - lead || now > s.work.end {
                continue;
            }
            let late = s.registered.0 > s.work.start.0 - lead;
            let work = s.work;
            self.schedule[i].announced = true;
            let customers = engine.view().customers_below(work.device).to_vec();
            self.push(Notice {
                id: NoticeId(0),
                at: now,
                kind: NoticeKind::PlannedAhead,
                customers,
                outage: None,
                order: None,
                cause: OutageCause::Planned,
                planned: Some(work.kind),
                since: None,
                etr: Some(work.end),
                window: Some([work.start, work.end]),
                progress: Progress::Scheduled,
                late,
            });
        }
    }
}
