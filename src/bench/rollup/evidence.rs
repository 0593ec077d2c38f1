//! How the roll-up reads each row: reports that mark customers out, last gasps held
//! for the momentary filter, restores that clear them, SCADA, planned work and
//! disconnections.

use super::{Planned, Rollup};
use crate::evidence::{CallDetail, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{OutageCause, OutageId, OutageStatus};
use crate::network::OutageDeviceClass;
use crate::time::Timestamp;

impl<'n> Rollup<'n> {
    pub(super) fn handle(&mut self, t: Timestamp, ev: Evidence) {
        match ev {
            Evidence::Tick | Evidence::FaultIndicator { .. } => {}
            Evidence::Call {
                customer: c,
                detail,
            } => {
                if detail != CallDetail::Flicker && !self.stale(c, t) {
                    self.reports[c.index()].get_or_insert(t);
                }
            }
            Evidence::LastGasp { meter: c } => {
                if !self.stale(c, t) && !self.in_burst(c, t) {
                    let now = self.now();
                    self.pending_lg.entry(c).or_insert((t, now));
                }
            }
            Evidence::PowerRestore { meter: c } | Evidence::Ping { meter: c, on: true } => {
                self.on_restore(c, t);
            }
            Evidence::Ping {
                meter: c,
                on: false,
            } => {
                self.reports[c.index()].get_or_insert(t);
            }
            Evidence::Disconnect { meter: c } => {
                let rec = self.open_outage(
                    Self::service(c),
                    OutageCause::Disconnect,
                    OutageStatus::Confirmed,
                    1.0,
                    false,
                );
                self.disconnected.insert(c, rec);
            }
            Evidence::Reconnect { meter: c } => {
                if let Some(rec) = self.disconnected.remove(&c) {
                    self.close_outage(rec, OutageStatus::Restored, None);
                }
            }
            Evidence::DeviceOpen { device } => {
                self.scada_open.insert(device, t);
            }
            Evidence::DeviceClose { device } => {
                if let Some(t_open) = self.scada_open.remove(&device)
                    && t.0 - t_open.0 >= self.opts.scada_hold
                {
                    // A lockout ended, not a reclose.
                    for i in self.view.customer_span(device) {
                        let c = self.view.customers_in_preorder()[i as usize];
                        self.clear(c, t);
                    }
                }
            }
            Evidence::PlannedOutage { device, end } => {
                if let Some(p) = self.planned.iter_mut().find(|p| p.device == device) {
                    p.end = end;
                } else {
                    let rec = self.open_outage(
                        device,
                        OutageCause::Planned,
                        OutageStatus::Confirmed,
                        1.0,
                        false,
                    );
                    let span = self.view.customer_span(device);
                    self.planned.push(Planned {
                        device,
                        end,
                        rec,
                        span,
                    });
                }
            }
        }
    }

    fn stale(&self, c: CustomerId, t: Timestamp) -> bool {
        self.cleared_at[c.index()].is_some_and(|x| t <= x)
    }

    /// The recloser, breaker or source whose trips interrupt the customer.
    fn zone(&self, c: CustomerId) -> Option<OutageDeviceId> {
        self.view.upstream(Self::service(c)).find(|&d| {
            matches!(
                self.net.outage_device_class(d),
                OutageDeviceClass::Recloser
                    | OutageDeviceClass::Breaker
                    | OutageDeviceClass::Source
            )
        })
    }

    fn in_burst(&self, c: CustomerId, t: Timestamp) -> bool {
        if self.bursts.is_empty() {
            return false;
        }
        self.view.upstream(Self::service(c)).any(|d| {
            self.bursts.get(&d).is_some_and(|v| {
                v.iter()
                    .any(|tb| (t.0 - tb.0).abs() <= self.opts.burst_window)
            })
        })
    }

    fn on_restore(&mut self, c: CustomerId, t: Timestamp) {
        // The peer's momentary filter.
        if let Some(&(t_lg, _)) = self.pending_lg.get(&c)
            && t.0 - t_lg.0 <= self.opts.momentary_max
            && let Some(zone) = self.zone(c)
        {
            self.bursts.entry(zone).or_default().push(t_lg);
            let span = self.view.customer_span(zone);
            let view = &self.view;
            let w = self.opts.burst_window;
            self.pending_lg.retain(|&x, &mut (tx, _)| {
                !(span.contains(&view.customer_position(x)) && (tx.0 - t_lg.0).abs() <= w)
            });
        }
        let r = &mut self.restored[c.index()];
        *r = Some(r.map_or(t, |x| x.max(t)));
        self.clear(c, t);
        // The baseline's addition: a restore below a predicted outage restores it.
        let hit = self.view.upstream(Self::service(c)).find_map(|d| {
            let id = *self.open_dev.get(&d)?;
            let rec = &self.open[&id];
            (rec.status == OutageStatus::Predicted
                && t.0 >= rec.since.0 - self.opts.restore_lookback)
                .then_some(d)
        });
        if let Some(d) = hit {
            for i in self.view.customer_span(d) {
                let x = self.view.customers_in_preorder()[i as usize];
                self.clear(x, t);
            }
        }
    }

    /// Evidence of customer `c` from before `t` no longer counts.
    fn clear(&mut self, c: CustomerId, t: Timestamp) {
        if self.reports[c.index()].is_some_and(|r| r <= t) {
            self.reports[c.index()] = None;
        }
        if self.pending_lg.get(&c).is_some_and(|&(x, _)| x <= t) {
            self.pending_lg.remove(&c);
        }
        let x = &mut self.cleared_at[c.index()];
        *x = Some(x.map_or(t, |y| y.max(t)));
    }

    pub(super) fn promote_last_gasps(&mut self) {
        let now = self.now();
        let hold = self.opts.lg_hold;
        let reports = &mut self.reports;
        self.pending_lg.retain(|&c, &mut (t, arr)| {
            if now.0 - t.max(arr).0 >= hold {
                reports[c.index()].get_or_insert(t);
                false
            } else {
                true
            }
        });
    }

    /// (cause, outage) if a disconnection or a planned outage explains customer `c`.
    pub(super) fn known_cause(&self, c: CustomerId) -> Option<(OutageCause, OutageId)> {
        if let Some(r) = self.disconnected.get(&c) {
            return Some((OutageCause::Disconnect, r.id));
        }
        let pos = self.view.customer_position(c);
        if !self.view.is_supplied(c) {
            return None;
        }
        self.planned
            .iter()
            .find(|p| p.span.contains(&pos))
            .map(|p| (OutageCause::Planned, p.rec.id))
    }

    pub(super) fn expire_planned(&mut self) {
        let now = self.now();
        let mut i = 0;
        while i < self.planned.len() {
            if self.planned[i].end <= now {
                let p = self.planned.remove(i);
                self.close_outage(p.rec, OutageStatus::Restored, None);
            } else {
                i += 1;
            }
        }
    }
}
