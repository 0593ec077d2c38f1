//! Historical restoration times per device class and zone, and the estimated
//! restoration times drawn from them.

use serde::{Deserialize, Serialize};

use super::WorkOrders;
use super::assess::majority_zone;
use super::order::{Etr, EtrSource};
use super::source::OutageSource;
use crate::inference::OutageId;
use crate::network::{OutageDeviceClass, ServiceZone};
use crate::time::{MINUTE, Millis, Timestamp};

/// A running mean restoration time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Mean {
    n: f64,
    total_ms: f64,
}

/// Historical restoration times (from the outage's start to supply back) per device
/// class and zone, seeded with priors and updated by every restored order.
///
/// ```
/// use outage_locator::{MINUTE};
/// use outage_locator::network::{OutageDeviceClass, ServiceZone};
/// use outage_locator::service::{RestorationHistory};
/// let mut h = RestorationHistory::default();
/// let before = h.mean(OutageDeviceClass::Fuse, ServiceZone::Urban);
/// h.record(OutageDeviceClass::Fuse, ServiceZone::Urban, 30 * MINUTE);
/// assert!(h.mean(OutageDeviceClass::Fuse, ServiceZone::Urban) < before);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestorationHistory {
    /// Indexed by class (as in [`OutageDeviceClass::ALL`]) times the zones plus zone
    /// (as in [`ServiceZone::ALL`]).
    means: Vec<Mean>,
}

/// Pseudo-observations behind each prior mean.
const PRIOR_WEIGHT: f64 = 5.0;
/// One mean per device class and zone (urban, rural, remote).
const HISTORY_SLOTS: usize = OutageDeviceClass::ALL.len() * ServiceZone::ALL.len();

impl Default for RestorationHistory {
    fn default() -> Self {
        let mut means = Vec::with_capacity(HISTORY_SLOTS);
        for class in OutageDeviceClass::ALL {
            let base = match class {
                OutageDeviceClass::Service => 120,
                OutageDeviceClass::Transformer => 180,
                OutageDeviceClass::Fuse => 150,
                OutageDeviceClass::Sectionalizer => 150,
                OutageDeviceClass::Switch => 90,
                OutageDeviceClass::Recloser => 120,
                OutageDeviceClass::Breaker => 90,
                OutageDeviceClass::Source => 60,
            } as f64
                * MINUTE as f64;
            // Rural and remote repairs take longer: longer trips, fewer spares.
            for factor in [1.0, 1.3, 1.8] {
                means.push(Mean {
                    n: PRIOR_WEIGHT,
                    total_ms: base * factor * PRIOR_WEIGHT,
                });
            }
        }
        RestorationHistory { means }
    }
}

impl RestorationHistory {
    /// Whether every class and zone has its mean.
    pub(super) fn fits(&self) -> bool {
        self.means.len() == HISTORY_SLOTS
    }

    /// The place of a class and zone in `means`.
    fn slot(class: OutageDeviceClass, zone: ServiceZone) -> usize {
        let c = OutageDeviceClass::ALL
            .iter()
            .position(|&k| k == class)
            .unwrap_or(0);
        c * ServiceZone::ALL.len() + zone.index()
    }

    /// The mean restoration time of a class in a zone.
    pub fn mean(&self, class: OutageDeviceClass, zone: ServiceZone) -> Millis {
        let m = self.means[Self::slot(class, zone)];
        (m.total_ms / m.n.max(1e-9)).round() as Millis
    }

    /// Records one restoration.
    pub fn record(&mut self, class: OutageDeviceClass, zone: ServiceZone, duration: Millis) {
        let m = &mut self.means[Self::slot(class, zone)];
        m.n += 1.0;
        m.total_ms += duration.max(0) as f64;
    }
}

impl WorkOrders {
    /// The historical restoration estimate for an outage that has no order (yet).
    pub fn estimate_etr(&self, engine: &dyn OutageSource, outage: OutageId) -> Option<Etr> {
        if let Some(w) = self.last_order_of(outage) {
            return self.order(w).etr;
        }
        let o = engine.outage(outage)?;
        let zone = majority_zone(engine.network(), engine.view(), o.device);
        let class = engine.network().outage_device_class(o.device);
        Some(Etr {
            at: self.historical_etr(class, zone, o.start, engine.clock()),
            source: EtrSource::Historical,
        })
    }

    /// The historical estimate for an outage of a class in a zone that started at
    /// `start`: the start plus the mean restoration time, or, when that is already
    /// past at `now`, `now` plus [`WorkOrderOptions::etr_extension`](crate::service::WorkOrderOptions::etr_extension).
    pub fn historical_etr(
        &self,
        class: OutageDeviceClass,
        zone: ServiceZone,
        start: Timestamp,
        now: Timestamp,
    ) -> Timestamp {
        let at = start + self.history.mean(class, zone);
        // An estimate already in the past says nothing: promise the next step.
        if at <= now {
            now + self.opts.etr_extension
        } else {
            at
        }
    }
}
