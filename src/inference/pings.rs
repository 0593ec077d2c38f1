//! Which meters to ping: the silent meters whose answer tells an outage apart from its
//! best competitors.

use std::cmp::Reverse;

use super::Engine;
use super::outages::OutageId;
use crate::ids::{CustomerId, OutageDeviceId};

impl Engine {
    /// Meters to ping to confirm an outage or tell it apart from its best competitors,
    /// most informative first: silent meters in the largest subtrees below the device
    /// that hold no report (off confirms the device over its reporting children), then a
    /// silent meter below the parent outside the device (on confirms the device over its
    /// parent).
    ///
    /// # Complexity
    /// O(children · log children + customers below the device and its parent), at
    /// worst.
    pub fn proposed_pings(&self, id: OutageId, max: usize) -> Vec<CustomerId> {
        let Some(o) = self.outage(id) else {
            return Vec::new();
        };
        let d = o.device;
        let mut out = Vec::new();
        for k in self.quiet_by_size(self.view.children(d), None) {
            if out.len() + 1 >= max {
                break;
            }
            if let Some(c) = self.silent_below(k) {
                out.push(c);
            }
        }
        if let Some(p) = self.view.parent(d)
            && let Some(c) = self
                .quiet_by_size(self.view.children(p), Some(d))
                .first()
                .and_then(|&k| self.silent_below(k))
        {
            out.push(c);
        }
        if out.is_empty()
            && let Some(c) = self.silent_below(d)
        {
            out.push(c);
        }
        out.truncate(max);
        out
    }

    /// The devices among `devices` (but `except`) with no customer reporting anything
    /// below them, largest first.
    fn quiet_by_size(
        &self,
        devices: &[OutageDeviceId],
        except: Option<OutageDeviceId>,
    ) -> Vec<OutageDeviceId> {
        let mut quiet: Vec<OutageDeviceId> = devices
            .iter()
            .copied()
            .filter(|&k| Some(k) != except && self.counts_of(k).active == 0)
            .collect();
        quiet.sort_by_key(|&k| Reverse(self.view.customer_count_below(k)));
        quiet
    }

    /// The first customer below a device whose meter has said nothing.
    fn silent_below(&self, d: OutageDeviceId) -> Option<CustomerId> {
        self.view
            .customers_below(d)
            .iter()
            .copied()
            .find(|c| self.st.bits[c.index()].is_empty())
    }
}
