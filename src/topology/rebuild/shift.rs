//! The shift of old pre-order and customer positions past removals and inserts.

use crate::ids::NONE;

/// The step function "how far an old position moves": the sum of the shifts of the
/// events at or before it.
pub(super) struct Shift {
    /// Event positions, ascending, with each event's shift of pre-order positions and
    /// of customer positions (wrapping: a negative shift is its two's complement).
    pos: Vec<u32>,
    dpre: Vec<u32>,
    dcust: Vec<u32>,
}

impl Shift {
    pub(super) fn new(events: &[(u32, i64, i64)]) -> Self {
        Shift {
            pos: events.iter().map(|e| e.0).collect(),
            dpre: events.iter().map(|e| e.1 as u32).collect(),
            dcust: events.iter().map(|e| e.2 as u32).collect(),
        }
    }

    /// The customer shift at an energized position.
    pub(super) fn customers_at(&self, x: u32) -> u32 {
        self.pos
            .iter()
            .zip(&self.dcust)
            .filter(|(p, _)| **p <= x)
            .fold(0u32, |acc, (_, d)| acc.wrapping_add(*d))
    }

    /// `out[d] = pre[d] + shift` for energized devices; NONE stays.
    pub(super) fn apply(&self, pre: &[u32], out: &mut [u32]) {
        const LANES: usize = 8;
        if self.pos.len() <= LANES {
            // Few events: a branch-free sum over a fixed-size table, which the compiler
            // vectorizes. Padding events never fire (no energized position is NONE).
            let mut pos = [NONE; LANES];
            let mut a = [0u32; LANES];
            pos[..self.pos.len()].copy_from_slice(&self.pos);
            a[..self.pos.len()].copy_from_slice(&self.dpre);
            for (&x, o) in pre.iter().zip(out.iter_mut()) {
                let mut s = 0u32;
                for k in 0..LANES {
                    s = s.wrapping_add(a[k] & ((x >= pos[k]) as u32).wrapping_neg());
                }
                *o = if x == NONE { NONE } else { x.wrapping_add(s) };
            }
        } else {
            let mut cum = vec![0u32; self.pos.len() + 1];
            for k in 0..self.pos.len() {
                cum[k + 1] = cum[k].wrapping_add(self.dpre[k]);
            }
            for (&x, o) in pre.iter().zip(out.iter_mut()) {
                *o = if x == NONE {
                    NONE
                } else {
                    x.wrapping_add(cum[self.pos.partition_point(|&p| p <= x)])
                };
            }
        }
    }
}
