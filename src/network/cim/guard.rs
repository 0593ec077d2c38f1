//! The bounded byte source under the XML parser: it refuses a model past a size bound
//! and any one item (tag, text, comment, CDATA section, processing instruction, DTD)
//! past an item bound, and counts lines for the warnings.
//!
//! The parser copies a whole item into its buffer before it hands it over, so the item
//! bound is what keeps the reader's memory proportional to the network whatever the
//! text holds. The guard does not parse: the reader marks where each item starts
//! ([`Guard::next_item`]), and the guard counts what the parser takes from then on.

use std::io::{self, BufRead, Read};

/// Bytes read from the file at a time (so an item's buffer stays below the item bound
/// plus this).
const CHUNK: usize = 64 * 1024;

/// Why the guard stopped serving bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The model is larger than its bound.
    TooLarge,
    /// One item is larger than its bound.
    Item,
}

impl Refusal {
    /// What it says about the file.
    pub(super) fn message(self, max_item: usize) -> String {
        match self {
            Refusal::TooLarge => "the model is larger than the reader takes".to_string(),
            Refusal::Item => {
                format!("an item (tag, text, comment or DTD) longer than {max_item} bytes")
            }
        }
    }
}

/// A [`BufRead`] over `R` that enforces the bounds and counts the lines consumed.
pub(super) struct Guard<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    total: u64,
    max_total: u64,
    /// Bytes consumed since the item began, and the bound.
    item: usize,
    max_item: usize,
    /// Newlines consumed.
    newlines: u32,
    refused: Option<Refusal>,
}

impl<R: Read> Guard<R> {
    /// A guard serving at most `max_total` bytes, and at most `max_item` bytes (and
    /// the rest of one read) to one item.
    pub(super) fn new(inner: R, max_total: u64, max_item: usize) -> Self {
        Guard {
            inner,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            filled: 0,
            total: 0,
            max_total,
            item: 0,
            max_item,
            newlines: 0,
            refused: None,
        }
    }

    /// The next item begins: what the parser takes from here on counts towards it.
    pub(super) fn next_item(&mut self) {
        self.item = 0;
    }

    /// The 1-based line of the next byte to be consumed.
    pub(super) fn line(&self) -> u32 {
        self.newlines.saturating_add(1)
    }

    /// Why the guard refused to go on, once it has.
    pub(super) fn refusal(&self) -> Option<Refusal> {
        self.refused
    }

    /// The item bound.
    pub(super) fn max_item(&self) -> usize {
        self.max_item
    }

    fn refuse(&mut self, r: Refusal) -> io::Error {
        self.refused = Some(r);
        io::Error::other(r.message(self.max_item))
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Guard<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if let Some(r) = self.refused {
            return Err(self.refuse(r));
        }
        if self.item >= self.max_item {
            return Err(self.refuse(Refusal::Item));
        }
        if self.pos == self.filled {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.total += n as u64;
            if self.total > self.max_total {
                return Err(self.refuse(Refusal::TooLarge));
            }
            self.pos = 0;
            self.filled = n;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.filled - self.pos);
        let lines = self.buf[self.pos..self.pos + n]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.newlines = self.newlines.saturating_add(lines as u32);
        self.item = self.item.saturating_add(n);
        self.pos += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads items of `item` bytes each; how many bytes came through, and the refusal.
    fn drain(
        text: &[u8],
        max_total: u64,
        max_item: usize,
        item: usize,
    ) -> (usize, Option<Refusal>, u32) {
        let mut g = Guard::new(text, max_total, max_item);
        let mut n = 0;
        loop {
            g.next_item();
            let mut taken = 0;
            while taken < item {
                match g.fill_buf() {
                    Ok([]) => return (n, g.refusal(), g.line()),
                    Ok(b) => {
                        let k = b.len().min(item - taken);
                        g.consume(k);
                        taken += k;
                        n += k;
                    }
                    Err(_) => return (n, g.refusal(), g.line()),
                }
            }
        }
    }

    #[test]
    fn serves_a_document_whole_and_counts_its_lines() {
        let doc = b"<a>\n<b/>\n\n</a>\n";
        assert_eq!(drain(doc, 1 << 20, 64, 4), (doc.len(), None, 5));
    }

    #[test]
    fn refuses_an_item_past_the_bound_and_keeps_refusing() {
        // The parser takes what a read gives it: an item is refused at the first read
        // after it passed the bound, so it holds at most the bound and a chunk.
        let doc = vec![b'x'; 3 * CHUNK];
        let (n, refused, _) = drain(&doc, 1 << 20, 64, 3 * CHUNK);
        assert_eq!(refused, Some(Refusal::Item));
        assert_eq!(n, CHUNK);
        // Items within the bound pass, however many.
        assert_eq!(drain(&doc, 1 << 20, 64, 50), (3 * CHUNK, None, 1));
    }

    #[test]
    fn refuses_a_model_past_the_size_bound() {
        let doc = vec![b'x'; 400];
        assert_eq!(drain(&doc, 399, 64, 10).1, Some(Refusal::TooLarge));
        assert_eq!(drain(&doc, 400, 64, 10).1, None);
    }
}
