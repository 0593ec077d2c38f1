//! The best explanation: the flagged devices with nothing flagged above them, kept
//! between events and updated flip by flip.
//!
//! A device flagged with nothing flagged above it becomes a root and swallows the
//! roots in its pre-order interval; a root unflagged hands over to the uncovered
//! flagged devices inside its interval. A refresh re-decides every flag, and the next
//! event rebuilds the set from the flagged devices.

use std::collections::{BTreeMap, BTreeSet};

use super::{Engine, PreorderIndex};
use crate::bits::{set_bit, set_bits_in};
use crate::ids::OutageDeviceId;

/// The best explanation, maintained flip by flip (see [`Engine::update_roots`]).
#[derive(Default)]
pub(super) struct Roots {
    /// Whether the sets below are current (a refresh invalidates them).
    pub(super) valid: bool,
    /// The roots by id.
    pub(super) by_id: BTreeSet<OutageDeviceId>,
    /// The energized roots by pre-order index.
    by_pre: BTreeMap<PreorderIndex, OutageDeviceId>,
    /// One bit per pre-order position: the device there is flagged.
    flagged_at: Vec<u64>,
}

impl Engine {
    /// Recomputes the best explanation from every flagged device and keeps it for
    /// the flips that follow. O(f · depth + f log f) for f flagged devices.
    pub(super) fn rebuild_roots(&mut self) -> Vec<OutageDeviceId> {
        let best = self.best_explanation();
        // Built in bulk (sorted, then bottom-up), not by one insertion at a time.
        let view = &self.view;
        let r = &mut self.roots;
        r.flagged_at.clear();
        r.flagged_at.resize(view.preorder().len().div_ceil(64), 0);
        for &d in &self.st.flagged {
            if let Some(p) = view.preorder_index(d) {
                set_bit(&mut r.flagged_at, p as usize, true);
            }
        }
        r.by_id = best.iter().copied().collect();
        r.by_pre = best
            .iter()
            .filter_map(|&d| view.preorder_index(d).map(|p| (p, d)))
            .collect();
        r.valid = true;
        best
    }

    /// Keeps the pre-ordered set of flagged devices current with this event's flips.
    pub(super) fn note_flags(&mut self, flipped: &[OutageDeviceId]) {
        for &x in flipped {
            if let Some(p) = self.view.preorder_index(x) {
                set_bit(
                    &mut self.roots.flagged_at,
                    p as usize,
                    self.st.flag[x.index()],
                );
            }
        }
    }

    fn add_root(&mut self, d: OutageDeviceId) {
        self.roots.by_id.insert(d);
        self.recheck.roots.push(d);
        self.forget_kept(d);
        if let Some(p) = self.view.preorder_index(d) {
            self.roots.by_pre.insert(p, d);
        }
    }

    fn remove_root(&mut self, d: OutageDeviceId) {
        self.recheck.roots.push(d);
        if self.roots.by_id.remove(&d)
            && let Some(p) = self.view.preorder_index(d)
        {
            self.roots.by_pre.remove(&p);
        }
    }

    /// Updates the best explanation with this event's flips (flags are final): a
    /// device flagged with nothing flagged above it becomes a root and swallows the
    /// roots below it; a root unflagged hands over to the uncovered flagged devices
    /// below it. O(flips · depth · log f), plus the flagged devices below an
    /// unflagged root.
    pub(super) fn update_roots(&mut self, flipped: &[OutageDeviceId]) {
        for &x in flipped {
            let span = self.view.preorder_index(x).zip(self.view.preorder_end(x));
            if self.st.flag[x.index()] {
                if self.covered(x) {
                    self.remove_root(x);
                    continue;
                }
                self.add_root(x);
                if let Some((p, end)) = span {
                    self.swallow_roots(p + 1..end);
                }
            } else if self.roots.by_id.contains(&x) {
                self.remove_root(x);
                if let Some((p, end)) = span {
                    self.hand_over(p + 1..end);
                }
            }
        }
    }

    /// A new root at the pre-order position just before `inside` swallows the roots
    /// inside its interval.
    fn swallow_roots(&mut self, inside: std::ops::Range<PreorderIndex>) {
        let inside: Vec<OutageDeviceId> =
            self.roots.by_pre.range(inside).map(|(_, &d)| d).collect();
        for d in inside {
            self.remove_root(d);
        }
    }

    /// A root at the pre-order position just before `below` was unflagged: the
    /// flagged devices inside its interval with nothing flagged above them become
    /// roots.
    fn hand_over(&mut self, below: std::ops::Range<PreorderIndex>) {
        let below: Vec<PreorderIndex> = set_bits_in(&self.roots.flagged_at, below).collect();
        let mut skip_to = 0;
        for q in below {
            let y = self.view.preorder()[q as usize];
            if q < skip_to || !self.st.flag[y.index()] || self.covered(y) {
                continue;
            }
            self.add_root(y);
            skip_to = self.view.preorder_end(y).unwrap_or(q + 1);
        }
    }

    /// The flagged devices with nothing flagged above them, in id order. Leaves the
    /// state as it is (the list of flagged devices is compacted at refreshes only, so
    /// that a restored snapshot compacts it at the same moments).
    pub(super) fn best_explanation(&self) -> Vec<OutageDeviceId> {
        let mut out: Vec<OutageDeviceId> = self
            .st
            .flagged
            .iter()
            .copied()
            .filter(|&d| self.st.flag[d.index()] && !self.covered(d))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a device above `x` is out in its subtree's best explanation (then
    /// nothing at or below `x` is a root of the best explanation).
    pub(super) fn covered(&self, x: OutageDeviceId) -> bool {
        self.view
            .upstream(x)
            .skip(1)
            .any(|p| self.st.flag[p.index()])
    }
}

#[cfg(test)]
mod tests {
    use crate::bench::synth::{SyntheticNetworkOptions, storm_events, synthetic_network};
    use crate::ids::OutageDeviceId;
    use crate::inference::{Engine, EngineOptions};
    use crate::topology::EnergizationView;

    /// The best explanation kept flip by flip between refreshes is the one a full
    /// recomputation gives, after every event of a storm.
    #[test]
    fn roots_kept_between_events_equal_a_full_recomputation() {
        let net = std::sync::Arc::new(synthetic_network(&SyntheticNetworkOptions {
            customers: 3000,
            seed: 3,
            ..Default::default()
        }));
        let view = EnergizationView::normal(&net).unwrap();
        let events = storm_events(&net, &view, 20_000, 11);
        let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
        let mut checked = 0;
        for ev in events {
            e.ingest(ev);
            if e.roots.valid {
                let kept: Vec<OutageDeviceId> = e.roots.by_id.iter().copied().collect();
                assert_eq!(kept, e.most_probable_outages(), "at {}", ev.time);
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} events checked");
    }
}
