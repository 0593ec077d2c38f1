//! Which held outages an update of the outages must look at again: the roots of the
//! best explanation that changed, and the outages kept open off it (nested) whose
//! standing the evidence since the last update may have changed.
//!
//! An outage kept nested stays kept until its holder (the root above it) changes or
//! the evidence below its holder does (a last gasp counted or withdrawn, a
//! SCADA-confirmed outage held or let go, a SCADA opening): its start and its holder's
//! start are medians over the customers below the holder. So an update looks again
//! only at the kept outages below the roots whose subtree changed, not at every
//! outage kept anywhere on the network. A refresh, a switching or a restored
//! snapshot (the roots rebuilt) makes the next update look at everything.

use std::collections::BTreeMap;

use super::{Engine, PreorderIndex};
use crate::bits::{bit, set_bit};
use crate::ids::OutageDeviceId;

/// The bookkeeping of what the next update of the outages must look at (derived: a
/// restored engine starts with `valid` unset and looks at everything once).
#[derive(Default)]
pub(super) struct Recheck {
    /// Whether `kept` and `kept_dark` are current (else the next update looks at
    /// every held outage and rebuilds them).
    pub(super) valid: bool,
    /// The held outages not in the best explanation (kept nested), by the pre-order
    /// index of their device.
    kept: BTreeMap<PreorderIndex, OutageDeviceId>,
    /// The held outages not in the best explanation whose device switching left
    /// without supply (no pre-order index): looked at on every update.
    kept_dark: Vec<OutageDeviceId>,
    /// Roots added to or removed from the best explanation during this update, and
    /// roots whose outage closed outside an update.
    pub(super) roots: Vec<OutageDeviceId>,
    /// Devices at or below which the starts changed since the last update (last
    /// gasps, SCADA openings, confirmed outages held), each once (`dirty_bits`).
    dirty: Vec<OutageDeviceId>,
    dirty_bits: Vec<u64>,
}

impl Engine {
    /// Notes that the starts at or below `d` changed (a last gasp counted, moved or
    /// withdrawn; a SCADA opening; a confirmed outage held or let go). O(1).
    pub(super) fn starts_changed(&mut self, d: OutageDeviceId) {
        let r = &mut self.recheck;
        if !r.valid {
            return;
        }
        if r.dirty_bits.len() * 64 <= d.index() {
            r.dirty_bits
                .resize(self.net.outage_device_count().div_ceil(64), 0);
        }
        if bit(&r.dirty_bits, d.index()) {
            return;
        }
        set_bit(&mut r.dirty_bits, d.index(), true);
        r.dirty.push(d);
    }

    /// The held outages not in the best explanation that this update must decide
    /// again, in id order: those below a root whose subtree changed or that was added
    /// or removed, those just above an added root, and those left without supply.
    ///
    /// # Complexity
    /// O((r + c) · depth · log f + k) for r changed roots, c changed devices and k
    /// kept outages below them.
    pub(super) fn kept_to_recheck(
        &mut self,
        changed_roots: &[OutageDeviceId],
    ) -> Vec<OutageDeviceId> {
        let mut dirty = std::mem::take(&mut self.recheck.dirty);
        let mut roots: Vec<OutageDeviceId> = changed_roots.to_vec();
        for &x in &dirty {
            set_bit(&mut self.recheck.dirty_bits, x.index(), false);
            if let Some(r) = self.view.upstream(x).find(|a| self.roots.by_id.contains(a)) {
                roots.push(r);
            }
        }
        dirty.clear();
        self.recheck.dirty = dirty;
        roots.sort_unstable();
        roots.dedup();
        let mut out = self.recheck.kept_dark.clone();
        for &r in &roots {
            let (Some(p), Some(end)) = (self.view.preorder_index(r), self.view.preorder_end(r))
            else {
                continue;
            };
            out.extend(self.recheck.kept.range(p + 1..end).map(|(_, &g)| g));
        }
        for &t in changed_roots {
            if self.roots.by_id.contains(&t) {
                out.extend(self.view.upstream(t).skip(1).filter(|a| {
                    self.view
                        .preorder_index(*a)
                        .is_some_and(|p| self.recheck.kept.get(&p) == Some(a))
                }));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Before an update that looks at every held outage: nothing is kept yet, and
    /// the changes from now on are noted for the next update.
    pub(super) fn recheck_everything(&mut self) {
        let r = &mut self.recheck;
        r.kept.clear();
        r.kept_dark.clear();
        r.roots.clear();
        for &x in &r.dirty {
            set_bit(&mut r.dirty_bits, x.index(), false);
        }
        r.dirty.clear();
        r.valid = true;
    }

    /// After an update: the outages it looked at that stay held off the best
    /// explanation are kept.
    pub(super) fn note_kept(&mut self, looked_at: &[OutageDeviceId]) {
        for &g in looked_at {
            self.forget_kept(g);
            if self.st.open_fault.contains_key(&g) && !self.roots.by_id.contains(&g) {
                match self.view.preorder_index(g) {
                    Some(p) => {
                        self.recheck.kept.insert(p, g);
                    }
                    None => self.recheck.kept_dark.push(g),
                }
            }
        }
    }

    /// Drops a device from the kept outages (its outage closed or moved).
    pub(super) fn forget_kept(&mut self, g: OutageDeviceId) {
        if let Some(p) = self.view.preorder_index(g)
            && self.recheck.kept.get(&p) == Some(&g)
        {
            self.recheck.kept.remove(&p);
        }
        self.recheck.kept_dark.retain(|&x| x != g);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::MINUTE;
    use crate::bench::synth::{
        SyntheticNetworkOptions, storm_events, storm_rate_events, synthetic_network,
    };
    use crate::inference::{Engine, EngineOptions};
    use crate::topology::EnergizationView;

    /// Looking again only at what changed gives the outages of looking at every held
    /// outage on every update, after every event: on a storm and on a storm-rate
    /// stream. (The 91 identity scenarios check the same on days with nested
    /// outages kept and let go.)
    #[test]
    fn updates_that_look_at_what_changed_equal_updates_that_look_at_everything() {
        let net = Arc::new(synthetic_network(&SyntheticNetworkOptions {
            customers: 3000,
            seed: 5,
            ..Default::default()
        }));
        let view = EnergizationView::normal(&net).unwrap();
        let storm = storm_events(&net, &view, 20_000, 13);
        let rate: Vec<_> = storm_rate_events(&net, 20_000, 10 * MINUTE, 3).collect();
        for events in [storm, rate] {
            let mut fast = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
            let mut full = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
            for ev in events {
                full.recheck.valid = false;
                let a = fast.ingest(ev);
                let b = full.ingest(ev);
                assert_eq!(a, b, "at {}", ev.time);
                assert_eq!(fast.outages(), full.outages(), "at {}", ev.time);
            }
        }
    }
}
