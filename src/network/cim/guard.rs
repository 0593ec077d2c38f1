//! The bounded byte source under the XML parser: it refuses a model past a size bound,
//! any one tag, text, comment, CDATA section or processing instruction past an item
//! bound, and any DTD; and it counts lines for the warnings.
//!
//! The parser buffers a whole item before it hands it over, so the item bound is what
//! keeps the reader's memory proportional to the network whatever the text holds, and
//! refusing the DTD is what keeps entities from expanding or naming other files.

use std::io::{self, BufRead, Read};

/// Bytes a model may have at most.
pub(super) const MAX_MODEL_BYTES: u64 = 16 << 30;
/// Bytes one item (tag, text, comment, CDATA section, processing instruction) may have.
pub(super) const MAX_ITEM_BYTES: usize = 1 << 20;

/// Bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// Why the guard stopped serving bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The model is larger than [`MAX_MODEL_BYTES`].
    TooLarge,
    /// One item is larger than [`MAX_ITEM_BYTES`].
    Item,
    /// A `<!DOCTYPE`, `<!ENTITY` or other declaration.
    Dtd,
}

impl Refusal {
    /// What it says about the file.
    pub(super) fn message(self, max_item: usize) -> String {
        match self {
            Refusal::TooLarge => "the model is larger than the reader takes".to_string(),
            Refusal::Item => format!("an item (tag, text or comment) longer than {max_item} bytes"),
            Refusal::Dtd => {
                "a DTD or entity declaration, which the reader does not read".to_string()
            }
        }
    }
}

/// Where the scanner is in the markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    /// After `<`.
    Open,
    /// After `<!`.
    Bang,
    /// After `<!-`.
    BangDash,
    /// In a start or end tag, outside quotes.
    Tag,
    /// In a quoted attribute value, with its quote.
    Quote(u8),
    /// In a comment, with the dashes just seen.
    Comment(u8),
    /// In a CDATA section, with the `]` just seen.
    Cdata(u8),
    /// In a processing instruction, after a `?` or not.
    Pi(bool),
}

/// A [`BufRead`] over `R` that enforces the bounds and counts the lines consumed.
pub(super) struct Guard<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    /// Bytes of `buf` that may be served: up to the first refused byte.
    end: usize,
    filled: usize,
    total: u64,
    max_total: u64,
    max_item: usize,
    item: usize,
    mode: Mode,
    /// Newlines consumed.
    newlines: u32,
    /// Refused at `end`.
    pending: Option<Refusal>,
}

impl<R: Read> Guard<R> {
    /// A guard with the reader's bounds.
    pub(super) fn new(inner: R) -> Self {
        Guard::with_bounds(inner, MAX_MODEL_BYTES, MAX_ITEM_BYTES)
    }

    /// A guard with bounds of its own (tests use small ones).
    pub(super) fn with_bounds(inner: R, max_total: u64, max_item: usize) -> Self {
        Guard {
            inner,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            end: 0,
            filled: 0,
            total: 0,
            max_total,
            max_item,
            item: 0,
            mode: Mode::Text,
            newlines: 0,
            pending: None,
        }
    }

    /// The 1-based line of the next byte to be consumed.
    pub(super) fn line(&self) -> u32 {
        self.newlines.saturating_add(1)
    }

    /// Why the guard refused to go on, once it has.
    pub(super) fn refusal(&self) -> Option<Refusal> {
        self.pending.filter(|_| self.pos == self.end)
    }

    /// The item bound.
    pub(super) fn max_item(&self) -> usize {
        self.max_item
    }

    /// Reads the next chunk and scans it, up to the first byte it refuses.
    fn refill(&mut self) -> io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.pos = 0;
        self.filled = n;
        self.end = n;
        self.total += n as u64;
        if self.total > self.max_total {
            self.end = 0;
            self.pending = Some(Refusal::TooLarge);
            return Ok(());
        }
        for i in 0..n {
            if let Err(r) = self.step(self.buf[i]) {
                self.end = i;
                self.pending = Some(r);
                break;
            }
        }
        Ok(())
    }

    /// One byte through the scanner: the mode it leaves and the item's length.
    fn step(&mut self, b: u8) -> Result<(), Refusal> {
        use Mode::*;
        let before = self.mode;
        self.item += 1;
        self.mode = match (before, b) {
            (Text, b'<') => {
                self.item = 1;
                Open
            }
            (Text, _) => Text,
            (Open, b'!') => Bang,
            (Open, b'?') => Pi(false),
            (Bang, b'-') => BangDash,
            (BangDash, b'-') => Comment(0),
            (Bang, b'[') => Cdata(0),
            (Bang | BangDash, _) => return Err(Refusal::Dtd),
            (Open | Tag, b'"' | b'\'') => Quote(b),
            (Open | Tag, b'>') => Text,
            (Open | Tag, _) => Tag,
            (Quote(q), _) if b == q => Tag,
            (Quote(q), _) => Quote(q),
            (Comment(d), b'-') => Comment(d.saturating_add(1)),
            (Comment(d), b'>') if d >= 2 => Text,
            (Comment(_), _) => Comment(0),
            (Cdata(d), b']') => Cdata(d.saturating_add(1)),
            (Cdata(d), b'>') if d >= 2 => Text,
            (Cdata(_), _) => Cdata(0),
            (Pi(_), b'?') => Pi(true),
            (Pi(true), b'>') => Text,
            (Pi(_), _) => Pi(false),
        };
        if self.mode == Text && before != Text {
            self.item = 0;
        }
        if self.item > self.max_item {
            return Err(Refusal::Item);
        }
        Ok(())
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
        if self.pos == self.end {
            if let Some(r) = self.pending {
                return Err(io::Error::other(r.message(self.max_item)));
            }
            self.refill()?;
            if self.pos == self.end
                && let Some(r) = self.pending
            {
                return Err(io::Error::other(r.message(self.max_item)));
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.pos);
        let lines = self.buf[self.pos..self.pos + n]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.newlines = self.newlines.saturating_add(lines as u32);
        self.pos += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(text: &[u8], max_total: u64, max_item: usize) -> (Vec<u8>, Option<Refusal>, u32) {
        let mut g = Guard::with_bounds(text, max_total, max_item);
        let mut out = Vec::new();
        let _ = g.read_to_end(&mut out);
        (out, g.refusal(), g.line())
    }

    #[test]
    fn serves_a_document_whole_and_counts_its_lines() {
        let doc = b"<?xml version=\"1.0\"?>\n<a x='>'><!-- a > b -- c -->\n<![CDATA[<<]]></a>\n";
        let (out, refused, line) = drain(doc, 1 << 20, 64);
        assert_eq!(out, doc);
        assert_eq!(refused, None);
        assert_eq!(line, 4);
    }

    #[test]
    fn refuses_a_dtd_before_it_is_served() {
        let (out, refused, _) = drain(b"<r/><!DOCTYPE r [<!ENTITY e 'x'>]>", 1 << 20, 64);
        assert_eq!(out, b"<r/><!");
        assert_eq!(refused, Some(Refusal::Dtd));
    }

    #[test]
    fn refuses_long_items_of_every_kind() {
        for doc in [
            format!("<a>{}</a>", "x".repeat(100)),
            format!("<a>{}</a>", ">".repeat(100)),
            format!("<a b=\"{}\"/>", ">".repeat(100)),
            format!("<!--{}-->", "<>-".repeat(40)),
            format!("<![CDATA[{}]]>", "<]>".repeat(40)),
            format!("<?pi {}?>", "<>".repeat(60)),
        ] {
            let (out, refused, _) = drain(doc.as_bytes(), 1 << 20, 64);
            assert_eq!(refused, Some(Refusal::Item), "{doc}");
            assert!(out.len() <= 66, "{doc}");
        }
        let ok = format!("<a>{}</a>", "<b/>".repeat(1000));
        assert_eq!(drain(ok.as_bytes(), 1 << 20, 64).1, None);
    }

    #[test]
    fn refuses_a_model_past_the_size_bound() {
        let doc = "<a/>".repeat(100);
        assert_eq!(drain(doc.as_bytes(), 399, 64).1, Some(Refusal::TooLarge));
        assert_eq!(drain(doc.as_bytes(), 400, 64).1, None);
    }
}
