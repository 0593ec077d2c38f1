//! Duplicate detection: the evidence keys seen within a time window, expiring in
//! arrival order.
//!
//! A key is an event's time, kind and id. The window keeps every key whose time is
//! within [`RecentKeys::horizon`] of the clock; an event older than that is not
//! checked (it cannot be told from a repeat and is counted as late anyway). Keys are
//! held in a hash set for the check and in a queue by the clock at their arrival for
//! the expiry: the clock never goes back and a key's time is never after the clock
//! when it arrives, so the queue is in expiry order and a key leaves it once the clock
//! has moved a horizon past its arrival, before any check could need it.
//!
//! # Complexity
//! O(1) amortised per event (one hash look-up and insert; each key leaves the queue
//! once). Memory is the keys that arrived within one horizon of clock time, capped at
//! [`MAX_KEYS`]: past it the oldest keys leave early, so a flood at any rate cannot
//! exhaust memory (a repeat of a key let go early is taken as news).

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

/// An evidence key: the event's time (ms), its kind's number and its id.
pub(super) type Key = (i64, u32, u32);

/// The most keys a window holds: ten minutes of a 1,600 messages a second storm
/// with room to spare (about 40 bytes each).
pub(super) const MAX_KEYS: usize = 2_000_000;

/// The evidence keys seen within the window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<(i64, Key)>", into = "Vec<(i64, Key)>")]
pub(super) struct RecentKeys {
    seen: HashSet<Key, BuildHasherDefault<KeyHasher>>,
    /// The keys by arrival, each with the clock when it arrived.
    queue: VecDeque<(i64, Key)>,
}

impl RecentKeys {
    /// Whether `key` was seen since `horizon` (the clock less the window); remembers it.
    /// `clock` is the engine's clock after this event (never before `key`'s time).
    pub(super) fn repeat(&mut self, key: Key, clock: i64, horizon: i64) -> Repeat {
        while let Some(&(arrived, old)) = self.queue.front() {
            if arrived >= horizon && self.queue.len() < MAX_KEYS {
                break;
            }
            self.queue.pop_front();
            self.seen.remove(&old);
        }
        if key.0 < horizon {
            return Repeat::Unchecked;
        }
        if !self.seen.insert(key) {
            return Repeat::Yes;
        }
        self.queue.push_back((clock, key));
        Repeat::No
    }

    /// How many keys the window holds.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }
}

/// What [`RecentKeys::repeat`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repeat {
    /// The key was seen within the window.
    Yes,
    /// A new key.
    No,
    /// The key is older than the window: it is not checked.
    Unchecked,
}

impl From<Vec<(i64, Key)>> for RecentKeys {
    fn from(queue: Vec<(i64, Key)>) -> Self {
        RecentKeys {
            seen: queue.iter().map(|&(_, k)| k).collect(),
            queue: queue.into(),
        }
    }
}

impl From<RecentKeys> for Vec<(i64, Key)> {
    fn from(keys: RecentKeys) -> Self {
        keys.queue.into()
    }
}

/// A fast hash for keys the engine makes itself (not chosen by an adversary in a way
/// that matters: a collision costs a probe, and the window is bounded): each word
/// multiplied into the state (the FxHash step).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key is a repeat within the window, forgotten once the clock has moved a
    /// window past its arrival, and never checked when older than the window.
    #[test]
    fn keys_expire_with_the_clock() {
        let mut w = RecentKeys::default();
        assert_eq!(w.repeat((100, 10, 1), 100, 0), Repeat::No);
        assert_eq!(w.repeat((100, 10, 1), 150, 50), Repeat::Yes);
        assert_eq!(w.repeat((90, 10, 2), 150, 50), Repeat::No);
        // The clock at 250 with a window of 100: the first key arrived at 100 and
        // leaves; the second arrived at 150 and stays until the clock passes 250.
        assert_eq!(w.repeat((200, 10, 1), 250, 150), Repeat::No);
        assert_eq!(w.len(), 2);
        assert_eq!(w.repeat((100, 10, 1), 250, 150), Repeat::Unchecked);
    }

    /// The window survives a snapshot: the same keys in the same order.
    #[test]
    fn the_window_round_trips_through_json() {
        let mut w = RecentKeys::default();
        w.repeat((5, 10, 1), 5, 0);
        w.repeat((3, 11, 2), 6, 0);
        let json = serde_json::to_string(&w).unwrap();
        let mut back: RecentKeys = serde_json::from_str(&json).unwrap();
        assert_eq!(back.repeat((3, 11, 2), 7, 0), Repeat::Yes);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}
