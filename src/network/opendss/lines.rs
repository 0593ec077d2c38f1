//! Lines of a model file, read within bounds: split at `\n`, `\r\n` or a lone `\r`,
//! never holding more of a line than the bound nor reading past the bytes allowed, and
//! decoded as UTF-8 (a byte-order mark dropped), line by line falling back to Latin-1.

use std::borrow::Cow;
use std::io::BufRead;

/// What [`Lines::next`] read.
#[derive(Debug, PartialEq)]
pub(super) enum Line {
    /// A line, in the buffer, without its terminator.
    Text,
    /// A line longer than the bound, not kept (the buffer is empty).
    TooLong,
}

/// Why [`Lines::next`] stopped.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The source failed.
    Io(std::io::Error),
    /// Reading on would pass the bytes allowed.
    Exceeded,
}

/// The lines of a source.
pub(super) struct Lines<R> {
    inner: R,
    /// The last line ended with `\r`: a `\n` right after it belongs to it.
    after_cr: bool,
    /// Bytes consumed so far.
    pub(super) consumed: u64,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(inner: R) -> Self {
        Lines {
            inner,
            after_cr: false,
            consumed: 0,
        }
    }

    /// Reads the next line into `buf`: `None` at the end. A line longer than `max_line`
    /// bytes is consumed without being kept. At most `allow` more bytes are consumed.
    ///
    /// # Errors
    /// [`ReadError::Exceeded`] when the line goes on past `allow` bytes;
    /// [`ReadError::Io`] when the source fails.
    ///
    /// # Complexity
    /// O(length of the line); the buffer grows by doubling to at most `max_line`.
    pub(super) fn next(
        &mut self,
        buf: &mut Vec<u8>,
        max_line: usize,
        allow: u64,
    ) -> Result<Option<Line>, ReadError> {
        buf.clear();
        let mut started = false;
        let mut too_long = false;
        let mut used = 0u64;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadError::Io(e)),
            };
            if chunk.is_empty() {
                return Ok(started.then(|| end(too_long)));
            }
            let skip = usize::from(std::mem::take(&mut self.after_cr) && chunk[0] == b'\n');
            let rest = &chunk[skip..];
            let stop = rest.iter().position(|&b| b == b'\n' || b == b'\r');
            let (body, take) = match stop {
                Some(i) => (&rest[..i], skip + i + 1),
                None => (rest, chunk.len()),
            };
            used += take as u64;
            if used > allow {
                return Err(ReadError::Exceeded);
            }
            started |= stop.is_some() || !body.is_empty();
            if !too_long {
                too_long = !append(buf, body, max_line);
            }
            let ended_cr = stop.is_some_and(|i| rest[i] == b'\r');
            self.inner.consume(take);
            self.consumed += take as u64;
            if stop.is_some() {
                self.after_cr = ended_cr;
                return Ok(Some(end(too_long)));
            }
        }
    }
}

/// A line's outcome; a line too long has left nothing in the buffer.
fn end(too_long: bool) -> Line {
    if too_long { Line::TooLong } else { Line::Text }
}

/// Appends `bytes` unless the line would pass `max_line` bytes (then empties `buf` and
/// returns false). Capacity doubles, capped at `max_line`.
fn append(buf: &mut Vec<u8>, bytes: &[u8], max_line: usize) -> bool {
    let want = buf.len() + bytes.len();
    if want > max_line {
        buf.clear();
        return false;
    }
    if want > buf.capacity() {
        let cap = (buf.capacity() * 2).clamp(want, max_line);
        buf.reserve_exact(cap - buf.len());
    }
    buf.extend_from_slice(bytes);
    true
}

/// A line's text: UTF-8 as it is (without a byte-order mark on a file's first line,
/// NUL bytes as spaces), else Latin-1 (every byte a character); the flag says which.
pub(super) fn decode(buf: &mut [u8], first: bool) -> (Cow<'_, str>, bool) {
    let mark = if first && buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = &mut buf[mark..];
    for b in bytes.iter_mut() {
        if *b == 0 {
            *b = b' ';
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), true),
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8], max_line: usize) -> Vec<Result<String, ()>> {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(3, text));
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(l) = lines.next(&mut buf, max_line, u64::MAX).expect("in memory") {
            out.push(match l {
                Line::Text => Ok(String::from_utf8(buf.clone()).expect("ascii")),
                Line::TooLong => Err(()),
            });
        }
        assert_eq!(lines.consumed, text.len() as u64);
        out
    }

    #[test]
    fn lines_end_at_lf_crlf_or_a_lone_cr() {
        let want = |v: &[&str]| v.iter().map(|s| Ok(s.to_string())).collect::<Vec<_>>();
        assert_eq!(all(b"a\nb\r\nc\rd", 80), want(&["a", "b", "c", "d"]));
        assert_eq!(all(b"a\r\r\nb\n\n", 80), want(&["a", "", "b", ""]));
        assert_eq!(all(b"\r\n\r\n", 80), want(&["", ""]));
        assert_eq!(all(b"", 80), want(&[]));
    }

    #[test]
    fn a_line_past_the_bound_is_skipped_and_never_kept() {
        let mut text = vec![b','; 1000];
        text.extend_from_slice(b"\nshort\n");
        assert_eq!(all(&text, 10), vec![Err(()), Ok("short".into())]);
        let mut lines = Lines::new(&text[..]);
        let mut buf = Vec::new();
        assert_eq!(
            lines.next(&mut buf, 10, u64::MAX).ok(),
            Some(Some(Line::TooLong))
        );
        assert!(buf.capacity() <= 10, "{}", buf.capacity());
    }

    #[test]
    fn reading_stops_at_the_bytes_allowed() {
        let mut lines = Lines::new(&b"abcdef\nxy\n"[..]);
        let mut buf = Vec::new();
        assert!(matches!(
            lines.next(&mut buf, 80, 5),
            Err(ReadError::Exceeded)
        ));
    }

    #[test]
    fn utf8_with_or_without_a_mark_and_latin1_per_line() {
        let mut b = "\u{feff}New Circuit.é".as_bytes().to_vec();
        assert_eq!(decode(&mut b, true), (Cow::Borrowed("New Circuit.é"), true));
        let mut b = b"caf\xe9\0".to_vec();
        assert_eq!(decode(&mut b, false), (Cow::Owned("café ".into()), false));
    }
}
