//! Momentary interruptions: a burst of last gasps followed within seconds by power
//! restores, or a SCADA open reclosed at once, is cancelled as a whole for its
//! reclosing zone, so momentaries never become sustained outages.
//!
//! A momentary's meters lose power at one instant and gasp within seconds, so the
//! burst is [`EngineOptions::burst_window`](super::EngineOptions::burst_window) wide; a
//! last gasp within it and below the zone is the momentary's, whenever it arrives.

use super::Engine;
use super::changes::{Change, Momentary};
use super::rates::MOMENTARY_ESTIMATE_AFTER;
use super::state::LastGasp;
use super::timers::Timer;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::OutageDeviceClass;
use crate::time::Timestamp;

impl Engine {
    /// The momentary whose burst a last gasp at `t` belongs to, by its time.
    pub(super) fn burst_of(&self, c: CustomerId, t: Timestamp) -> Option<Timestamp> {
        let svc = OutageDeviceId(c.0);
        self.st
            .bursts
            .iter()
            .find(|&&(zone, tb)| {
                (t.0 - tb.0).abs() <= self.opts.burst_window && self.view.is_below(svc, zone)
            })
            .map(|&(_, tb)| tb)
    }

    /// Where the momentary a meter saw (its gasp at `tb`, then its restore) happened:
    /// its reclosing zone when another meter of the zone gasped in the same burst,
    /// else the meter's own service (one meter's sag or reset is not its recloser's
    /// momentary). O(recent last gasps).
    pub(super) fn momentary_zone(&self, c: CustomerId, tb: Timestamp) -> OutageDeviceId {
        let zone = self.zone_of_device(OutageDeviceId(c.0));
        let window = self.opts.burst_window;
        let burst = self.st.recent_lg.iter().any(|&(t, o)| {
            o != c && (t.0 - tb.0).abs() <= window && self.view.is_below(OutageDeviceId(o.0), zone)
        }) || self
            .st
            .bursts
            .iter()
            .any(|&(z, t)| z == zone && (t.0 - tb.0).abs() <= window);
        if burst { zone } else { OutageDeviceId(c.0) }
    }

    /// A meter gasped in the burst of the momentary at `tb`: the gasp is the
    /// momentary's, and since a meter gasps once per loss of supply it had supply just
    /// before the burst, so any gasp of its own up to the burst is over (a stray, or
    /// an outage whose power restore was lost).
    pub(super) fn gasped_in_burst(&mut self, c: CustomerId, tb: Timestamp) {
        let i = c.index();
        self.st.burst_lg.push_back((tb, c));
        if self.st.lg_state[i] != LastGasp::None
            && self.st.lg_at[i].0 <= tb.0.saturating_add(self.opts.burst_window)
        {
            self.withdraw_last_gasp(c);
        }
    }

    /// A momentary seen in `zone` at `tb` (once per zone and burst): it is reported,
    /// its burst's last gasps are cancelled, held or already counted, and it samples
    /// the last-gasp rate a few minutes later.
    pub(super) fn momentary(&mut self, zone: OutageDeviceId, tb: Timestamp) {
        let zone = self.burst_zone(zone, tb);
        if self
            .st
            .bursts
            .iter()
            .any(|&(z, t)| z == zone && (t.0 - tb.0).abs() <= self.opts.burst_window)
        {
            return;
        }
        self.st.bursts.push_back((zone, tb));
        let m = Momentary {
            device: zone,
            time: tb,
        };
        self.st.momentaries.push(m);
        self.changes.push(Change::Momentary(m));
        let window = self.opts.burst_window;
        let hits: Vec<CustomerId> = self
            .st
            .recent_lg
            .iter()
            .filter(|&&(t, c)| {
                (t.0 - tb.0).abs() <= window && self.view.is_below(OutageDeviceId(c.0), zone)
            })
            .map(|&(_, c)| c)
            .collect();
        for c in hits {
            self.gasped_in_burst(c, tb);
        }
        if self.opts.estimate_rates {
            let due = tb.0 + MOMENTARY_ESTIMATE_AFTER;
            self.st
                .timers
                .push(due, Timer::EstimateLastGaspFromMomentary(zone, tb));
        }
    }

    /// The zone a momentary seen in `zone` at `tb` spans: the zone above it when
    /// meters outside `zone` but below the zone above sent last gasps in the same
    /// burst (a breaker's reclose darkens every recloser zone below it, also the ones
    /// whose power restores were all lost). O(recent last gasps) per level.
    fn burst_zone(&self, mut zone: OutageDeviceId, tb: Timestamp) -> OutageDeviceId {
        let window = self.opts.burst_window;
        while let Some(p) = self.view.parent(zone) {
            let above = self.zone_of_device(p);
            let outside = self
                .st
                .recent_lg
                .iter()
                .filter(|&&(t, c)| {
                    let svc = OutageDeviceId(c.0);
                    (t.0 - tb.0).abs() <= window
                        && !self.view.is_below(svc, zone)
                        && self.view.is_below(svc, above)
                })
                .count();
            if outside < 2 {
                break;
            }
            zone = above;
        }
        zone
    }

    /// The nearest recloser, breaker or source at or above `d` (the topmost device
    /// when there is none).
    fn zone_of_device(&self, d: OutageDeviceId) -> OutageDeviceId {
        let mut last = d;
        for x in self.view.upstream(d) {
            last = x;
            if matches!(
                self.net.outage_device_class(x),
                OutageDeviceClass::Recloser
                    | OutageDeviceClass::Breaker
                    | OutageDeviceClass::Source
            ) {
                return x;
            }
        }
        last
    }
}
