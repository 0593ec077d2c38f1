//! The compact binary form of the crate's snapshots: serde through `postcard`.
//!
//! A standby restores a million customers' state from this form in well under a
//! second; JSON stays the readable form for small networks and tests. The bytes carry
//! no field names: they are read back only by the same version of the crate, and the
//! snapshot types' own format tag refuses any other. Types read through
//! `deserialize_any` (serde's internally tagged enums, as in the ticket layer's
//! records) cannot be read back from such bytes: they go as JSON text inside them.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The value's bytes. O(size of the value).
pub(crate) fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising into a vector fails only for a sequence of unknown length or a
    // number wider than 64 bits; the snapshot types have neither.
    postcard::to_stdvec(value).expect("a snapshot serialises to bytes")
}

/// A value read back from [`to_bytes`]'s output.
///
/// # Errors
/// [`Error::Snapshot`](crate::Error::Snapshot) when the bytes are not the encoding of
/// a `T` (truncated, corrupted, or of another version of the type).
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, crate::Error> {
    postcard::from_bytes(bytes).map_err(refused)
}

/// A value read back from the front of `bytes`, and the bytes after it.
///
/// # Errors
/// As [`from_bytes`].
pub(crate) fn take_from_bytes<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<(T, &[u8]), crate::Error> {
    postcard::take_from_bytes(bytes).map_err(refused)
}

fn refused(e: postcard::Error) -> crate::Error {
    crate::Error::Snapshot(format!("binary snapshot: {e}"))
}
