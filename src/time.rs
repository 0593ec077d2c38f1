//! Timestamps: milliseconds since the Unix epoch, with a fast RFC 3339 reader for the
//! common UTC form and `jiff` for everything else.

use std::fmt;

/// A point in time, milliseconds since 1970-01-01T00:00:00Z.
///
/// ```
/// use outage_locator::Timestamp;
/// let t: Timestamp = "2026-07-01T12:03:27Z".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-07-01T12:03:27Z");
/// assert_eq!((t + 60_000).to_string(), "2026-07-01T12:04:27Z");
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A time span in milliseconds.
pub type Millis = i64;

/// One second, in milliseconds.
pub const SECOND: Millis = 1000;
/// One minute, in milliseconds.
pub const MINUTE: Millis = 60 * SECOND;

impl Timestamp {
    /// The earliest representable time, used as "never".
    pub const NEVER: Timestamp = Timestamp(i64::MIN / 4);

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Seconds since another time (may be negative).
    pub fn seconds_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / 1000.0
    }
}

impl std::ops::Add<Millis> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(d))
    }
}

impl std::ops::Sub<Millis> for Timestamp {
    type Output = Timestamp;
    fn sub(self, d: Millis) -> Timestamp {
        Timestamp(self.0.saturating_sub(d))
    }
}

/// Not an RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 time: {0:?}")]
pub struct TimeParseError(pub String);

impl std::str::FromStr for Timestamp {
    type Err = TimeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(t) = fast_parse(s.as_bytes()) {
            return Ok(t);
        }
        s.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_millisecond()))
            .map_err(|_| TimeParseError(s.to_string()))
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as i64;
    }
    Some(v)
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…]Z` only; anything else goes to jiff.
fn fast_parse(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || !matches!(b[b.len() - 1], b'Z' | b'z') {
        return None;
    }
    let y = digits(&b[0..4])?;
    let mo = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let s = digits(&b[17..19])?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut ms = 0i64;
    let rest = &b[19..b.len() - 1];
    if !rest.is_empty() {
        if rest[0] != b'.' || rest.len() < 2 {
            return None;
        }
        let frac = &rest[1..];
        let mut scale = 100;
        for &c in frac {
            if !c.is_ascii_digit() {
                return None;
            }
            ms += (c - b'0') as i64 * scale;
            scale /= 10;
        }
    }
    let days = days_from_civil(y, mo, d);
    // Reject dates like Feb 30 that the arithmetic would roll over.
    if civil_from_days(days) != (y, mo, d) {
        return None;
    }
    Some(Timestamp(
        ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms,
    ))
}

impl fmt::Display for Timestamp {
    /// RFC 3339 UTC, whole seconds (rounded to the nearest second).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = (self.0 + 500).div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return write!(
                f,
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            );
        }
        // Digits written in place: replay output formats a time per record.
        let mut b = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, width: usize, mut v: i64| {
            for k in (at..at + width).rev() {
                b[k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, y);
        put(5, 2, m);
        put(8, 2, d);
        put(11, 2, sod / 3600);
        put(14, 2, sod / 60 % 60);
        put(17, 2, sod % 60);
        f.write_str(std::str::from_utf8(&b).expect("ASCII digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_jiff() {
        for s in [
            "2026-07-01T12:03:27Z",
            "2024-02-29T23:59:59.5Z",
            "1999-12-31T00:00:00.123Z",
            "2026-01-01T00:00:00Z",
        ] {
            let fast = fast_parse(s.as_bytes()).unwrap();
            let slow = s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
            assert_eq!(fast.0, slow, "{s}");
        }
    }

    #[test]
    fn display_agrees_with_jiff() {
        // Every 7 h 13 min 20.5 s from year 5 to year 9987.
        let mut ms = -62_000_000_000_000i64;
        while ms < 253_000_000_000_000 {
            let ours = Timestamp(ms).to_string();
            let rounded = (ms + 500).div_euclid(1000);
            let theirs = jiff::Timestamp::from_second(rounded).unwrap().to_string();
            assert_eq!(ours, theirs, "{ms}");
            ms += 26_000_500 * 1000 + 500;
        }
    }

    #[test]
    fn offsets_and_bad_dates_go_through_jiff() {
        let t: Timestamp = "2026-07-01T14:03:27+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-07-01T12:03:27Z");
        assert!("2026-02-30T00:00:00Z".parse::<Timestamp>().is_err());
        assert!("yesterday".parse::<Timestamp>().is_err());
    }
}
