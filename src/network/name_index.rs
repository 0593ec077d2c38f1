//! The name index: names to `u32` values in about 8 bytes a name.
//!
//! A hash index that does not store the names: they live in the network's arrays, and
//! the index holds only the values, each in a 4-byte slot whose spare high bits keep
//! bits of its name's hash, asking for a value's name only when those match.
//! Case-insensitive (ASCII).
//!
//! Why not a `HashMap<String, _>`: at a million customers that map costs about 100
//! bytes a name (a second copy of every name plus a 32-byte slot), half the memory
//! budget of the whole network; this index costs about 8.

/// An empty slot: no slot holds it, since no value has all its value bits set.
const EMPTY: u32 = u32::MAX;

/// Names to values, case-insensitive; see the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    /// Open addressing with linear probing; the length is 0 or a power of two.
    slots: Vec<u32>,
    len: usize,
    /// The low bits of a slot hold the value (below `2^value_bits - 1`), the others
    /// the same bits of the name's hash.
    value_bits: u32,
}

/// Bits that hold `v` with the all-ones pattern to spare.
fn bits_for(v: u32) -> u32 {
    64 - (v as u64 + 1).leading_zeros()
}

/// FxHash-style multiplicative hashing of the lowercase bytes of `parts`, joined,
/// then a final avalanche (the top bits pick the slot, the low bits are kept).
#[inline]
pub(crate) fn hash(parts: &[&[u8]]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h: u64 = 0;
    for p in parts {
        for &b in *p {
            h = (h.rotate_left(5) ^ b.to_ascii_lowercase() as u64).wrapping_mul(K);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn matches(name: &[u8], parts: &[&[u8]]) -> bool {
    let mut rest = name;
    for p in parts {
        if rest.len() < p.len() || !rest[..p.len()].eq_ignore_ascii_case(p) {
            return false;
        }
        rest = &rest[p.len()..];
    }
    rest.is_empty()
}

impl NameIndex {
    /// An index sized for `n` names of values up to `max_value` (no growth up to
    /// that).
    pub(crate) fn with_capacity(n: usize, max_value: u32) -> Self {
        NameIndex {
            slots: vec![EMPTY; Self::slots_for(n)],
            len: 0,
            value_bits: bits_for(max_value),
        }
    }

    /// How many names it holds without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len() * 3 / 4
    }

    /// Slots for n names at a load of at most 3/4.
    fn slots_for(n: usize) -> usize {
        (n + n / 3 + 1).next_power_of_two().max(8)
    }

    #[inline]
    fn value_mask(&self) -> u32 {
        if self.value_bits >= 32 {
            u32::MAX
        } else {
            (1 << self.value_bits) - 1
        }
    }

    #[inline]
    fn start(&self, h: u64) -> usize {
        // The top bits: the slot count is a power of two.
        let bits = self.slots.len().trailing_zeros();
        (h >> (64 - bits)) as usize
    }

    /// The value whose name is the concatenation of `parts` (case-insensitive).
    #[inline]
    pub(crate) fn find_parts<'n>(
        &self,
        parts: &[&[u8]],
        name_of: impl Fn(u32) -> &'n str,
    ) -> Option<u32> {
        self.find_hashed(hash(parts), parts, name_of)
    }

    /// The value named `name` (case-insensitive).
    #[inline]
    pub(crate) fn find<'n>(&self, name: &str, name_of: impl Fn(u32) -> &'n str) -> Option<u32> {
        self.find_parts(&[name.as_bytes()], name_of)
    }

    /// [`find_parts`](Self::find_parts) with the [`hash`] of the parts computed.
    #[inline]
    pub(crate) fn find_hashed<'n>(
        &self,
        h: u64,
        parts: &[&[u8]],
        name_of: impl Fn(u32) -> &'n str,
    ) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let vmask = self.value_mask();
        let frag = h as u32 & !vmask;
        let mut i = self.start(h);
        loop {
            let slot = self.slots[i];
            if slot == EMPTY {
                return None;
            }
            let v = slot & vmask;
            if slot & !vmask == frag && matches(name_of(v).as_bytes(), parts) {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a value under `name` (which `name_of(value)` must return from now on);
    /// when a value of the same name is there already, returns it and adds nothing.
    pub(crate) fn insert<'n>(
        &mut self,
        name: &str,
        value: u32,
        name_of: impl Fn(u32) -> &'n str,
    ) -> Result<(), u32> {
        self.insert_hashed(hash(&[name.as_bytes()]), name, value, name_of)
    }

    /// [`insert`](Self::insert) with the name's [`hash`] already computed (hashing
    /// all names first, in memory order, then inserting, halves the cache misses of
    /// building a large index).
    pub(crate) fn insert_hashed<'n>(
        &mut self,
        h: u64,
        name: &str,
        value: u32,
        name_of: impl Fn(u32) -> &'n str,
    ) -> Result<(), u32> {
        if (self.len + 1) * 4 > self.slots.len() * 3 || value >= self.value_mask() {
            let bits = self
                .value_bits
                .max(bits_for(value))
                .max(bits_for(2 * self.len as u32 + 1));
            self.rehash(Self::slots_for((self.len + 1) * 2), bits, &name_of);
        }
        let mask = self.slots.len() - 1;
        let vmask = self.value_mask();
        let parts = [name.as_bytes()];
        let frag = h as u32 & !vmask;
        let mut i = self.start(h);
        loop {
            let slot = self.slots[i];
            if slot == EMPTY {
                self.slots[i] = frag | value;
                self.len += 1;
                return Ok(());
            }
            let v = slot & vmask;
            if slot & !vmask == frag && matches(name_of(v).as_bytes(), &parts) {
                return Err(v);
            }
            i = (i + 1) & mask;
        }
    }

    fn rehash<'n>(&mut self, slots: usize, value_bits: u32, name_of: &impl Fn(u32) -> &'n str) {
        let old_mask = self.value_mask();
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots]);
        self.value_bits = value_bits;
        let mask = self.slots.len() - 1;
        let vmask = self.value_mask();
        for slot in old.into_iter().filter(|&s| s != EMPTY) {
            let v = slot & old_mask;
            let h = hash(&[name_of(v).as_bytes()]);
            let mut i = self.start(h);
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (h as u32 & !vmask) | v;
        }
    }
}
