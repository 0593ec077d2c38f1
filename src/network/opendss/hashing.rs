//! Hashing for the reader's tables: FxHash-style, a multiply a word, for the short
//! lowercase names of a model (SipHash, the standard maps' default, guards against
//! chosen collisions at several times the cost; a model file's names come from the
//! utility itself).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A map with [`Fx`] hashing.
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
/// A set with [`Fx`] hashing.
pub(super) type FastSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hasher: a word at a time, avalanched at the end (hash tables take their
/// buckets from the low bits, which a multiply alone leaves poor).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Fx(u64);

impl Fx {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}
