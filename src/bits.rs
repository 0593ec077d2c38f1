//! Bitsets as plain `u64` words: one bit per customer or pre-order position, read and
//! written without allocation on the hot paths of the engine and the ticket layer.

/// Bit `i` of a bitset.
#[inline]
pub(crate) fn bit(set: &[u64], i: usize) -> bool {
    set[i / 64] & (1 << (i % 64)) != 0
}

/// The positions of the set bits of a bitset in a range, in increasing order.
pub(crate) fn set_bits_in(
    set: &[u64],
    range: std::ops::Range<u32>,
) -> impl Iterator<Item = u32> + '_ {
    let (start, end) = (range.start as usize, range.end as usize);
    let words = start / 64..end.div_ceil(64).min(set.len());
    words.flat_map(move |w| {
        let mut word = set[w];
        std::iter::from_fn(move || {
            while word != 0 {
                let i = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                if (start..end).contains(&i) {
                    return Some(i as u32);
                }
            }
            None
        })
    })
}

/// Sets or clears bit `i` of a bitset.
#[inline]
pub(crate) fn set_bit(set: &mut [u64], i: usize, on: bool) {
    if on {
        set[i / 64] |= 1 << (i % 64);
    } else {
        set[i / 64] &= !(1 << (i % 64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The set bits of a bitset in a range are exactly the positions in the range
        /// whose bit is set, in increasing order, for any range (empty, reversed, past
        /// the end of the set).
        #[test]
        fn set_bits_in_a_range_are_those_set(
            set in proptest::collection::vec(any::<u64>(), 0..6),
            start in 0u32..420,
            end in 0u32..420,
        ) {
            let got: Vec<u32> = set_bits_in(&set, start..end).collect();
            let want: Vec<u32> = (start..end)
                .filter(|&i| (i as usize) < set.len() * 64 && bit(&set, i as usize))
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
