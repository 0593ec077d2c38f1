//! Early-warning work orders: preventive inspections of equipment that keeps failing
//! or of places whose customers keep calling, with their own time limit, one open per
//! device at a time, and their place in the supervision statistics.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::OutageDeviceId;
use crate::service::supervision::{DepartmentStats, SupervisionCounts};
use crate::service::tickets::LimitState;
use crate::time::{MINUTE, Millis, Timestamp};

/// An early-warning order's id, printed `EW…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EarlyWarningId(pub u32);

impl fmt::Display for EarlyWarningId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EW{}", self.0)
    }
}

/// Why an inspection is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum WarningReason {
    /// The device failed this many times in the hotspot window.
    RepeatedFaults {
        /// Faults in the window.
        faults: u32,
    },
    /// Customers below the device called this often in the window.
    RepeatedCalls {
        /// Distinct callers.
        callers: u32,
    },
}

/// A preventive inspection order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarning {
    /// Its id.
    pub id: EarlyWarningId,
    /// The device to inspect.
    pub device: OutageDeviceId,
    /// Why.
    pub reason: WarningReason,
    /// Raised at.
    pub opened: Timestamp,
    /// The inspection is due by.
    pub due: Timestamp,
    /// Inspected at.
    pub closed: Option<Timestamp>,
    /// Hotspots found again while it was open.
    pub repeats: u32,
}

/// The time limit of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarningOptions {
    /// From raising to the inspection done.
    pub inspection_limit: Millis,
    /// The share of the limit after which an open order is in warning.
    pub warning_share: f64,
}

impl Default for EarlyWarningOptions {
    /// Inspected within 72 hours; in warning after 80 % of that.
    fn default() -> Self {
        EarlyWarningOptions {
            inspection_limit: 72 * 60 * MINUTE,
            warning_share: 0.8,
        }
    }
}

/// The register of early-warning orders.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarnings {
    opts: EarlyWarningOptions,
    orders: Vec<EarlyWarning>,
    open: BTreeMap<OutageDeviceId, EarlyWarningId>,
    deduplicated: u32,
}

impl EarlyWarnings {
    /// An empty register.
    pub fn new(opts: EarlyWarningOptions) -> Self {
        EarlyWarnings {
            opts,
            ..EarlyWarnings::default()
        }
    }

    /// Raises an inspection of `device` at `at`; `None` when one is open for it
    /// already (the hotspot is counted as a repeat of that order).
    pub fn raise(
        &mut self,
        device: OutageDeviceId,
        reason: WarningReason,
        at: Timestamp,
    ) -> Option<EarlyWarningId> {
        if let Some(&id) = self.open.get(&device) {
            self.orders[id.0 as usize - 1].repeats += 1;
            self.deduplicated += 1;
            return None;
        }
        let id = EarlyWarningId(self.orders.len() as u32 + 1);
        self.orders.push(EarlyWarning {
            id,
            device,
            reason,
            opened: at,
            due: Timestamp(at.0 + self.opts.inspection_limit),
            closed: None,
            repeats: 0,
        });
        self.open.insert(device, id);
        Some(id)
    }

    /// Marks an inspection done at `at` (nothing when it is closed already).
    ///
    /// # Panics
    /// When `id` was not raised here.
    pub fn close(&mut self, id: EarlyWarningId, at: Timestamp) {
        let w = &mut self.orders[id.0 as usize - 1];
        if w.closed.is_none() {
            w.closed = Some(at);
            self.open.remove(&w.device);
        }
    }

    /// The time limit.
    pub fn options(&self) -> &EarlyWarningOptions {
        &self.opts
    }

    /// How an order's time limit stands at `now`: running, in warning, overdue, or
    /// met (in time or late) once inspected.
    pub fn alarm(&self, w: &EarlyWarning, now: Timestamp) -> LimitState {
        let warn_at = (self.opts.inspection_limit as f64 * self.opts.warning_share) as Millis;
        match w.closed {
            Some(c) if c <= w.due => LimitState::MetOnTime,
            Some(_) => LimitState::MetLate,
            None if now >= w.due => LimitState::Overdue,
            None if now.0 - w.opened.0 >= warn_at => LimitState::Warning,
            None => LimitState::Running,
        }
    }

    /// Every order raised, in order.
    pub fn orders(&self) -> &[EarlyWarning] {
        &self.orders
    }

    /// The open order of a device.
    pub fn open_for(&self, device: OutageDeviceId) -> Option<EarlyWarningId> {
        self.open.get(&device).copied()
    }

    /// Hotspots found again while their device's order was open.
    pub fn deduplicated(&self) -> u32 {
        self.deduplicated
    }

    /// The open orders at `now` by how their time limit stands, as the supervision
    /// view counts work orders.
    pub fn supervision(&self, now: Timestamp) -> SupervisionCounts {
        let mut c = SupervisionCounts::default();
        for w in self.orders.iter().filter(|w| w.closed.is_none()) {
            c.add(self.alarm(w, now));
        }
        c
    }

    /// The statistics of the preventive-inspection department, as the supervision
    /// statistics give them for crews' departments (arrival and restoration means are
    /// the mean time to inspection, and none).
    pub fn department_stats(&self) -> DepartmentStats {
        let decided: Vec<&EarlyWarning> =
            self.orders.iter().filter(|w| w.closed.is_some()).collect();
        let on_time = decided.iter().filter(|w| w.closed <= Some(w.due)).count() as u32;
        let decided_n = decided.len() as u32;
        let mean = (decided_n > 0).then(|| {
            decided
                .iter()
                .map(|w| w.closed.map_or(0, |c| c.0 - w.opened.0))
                .sum::<i64>()
                / i64::from(decided_n)
        });
        DepartmentStats {
            department: "preventive inspection".into(),
            orders: self.orders.len() as u32,
            decided: decided_n,
            on_time,
            breaches: decided_n - on_time,
            on_time_rate: (decided_n > 0).then(|| f64::from(on_time) / f64::from(decided_n)),
            mean_arrival: mean,
            mean_restoration: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Millis = 60 * MINUTE;

    #[test]
    fn one_open_order_per_device_with_its_own_limit() {
        let mut w = EarlyWarnings::new(EarlyWarningOptions::default());
        let d = OutageDeviceId(4);
        let r = WarningReason::RepeatedFaults { faults: 3 };
        let a = w.raise(d, r, Timestamp(0)).unwrap();
        assert_eq!(a.to_string(), "EW1");
        assert_eq!(w.raise(d, r, Timestamp(H)), None);
        assert_eq!(w.deduplicated(), 1);
        assert_eq!(w.orders()[0].due, Timestamp(72 * H));
        let s = w.supervision(Timestamp(60 * H));
        assert_eq!((s.open, s.warning, s.breached), (1, 1, 0));
        assert_eq!(w.supervision(Timestamp(73 * H)).breached, 1);
        w.close(a, Timestamp(80 * H));
        let b = w.raise(d, r, Timestamp(81 * H)).unwrap();
        w.close(b, Timestamp(90 * H));
        let st = w.department_stats();
        assert_eq!(
            (st.orders, st.decided, st.on_time, st.breaches),
            (2, 2, 1, 1)
        );
        assert_eq!(st.mean_arrival, Some((80 * H + 9 * H) / 2));
    }
}
