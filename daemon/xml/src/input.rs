//! The byte source under the XML reader: counts lines for diagnostics and
//! caps the size of a single event.
//!
//! quick-xml consumes exactly the bytes of each event from a `BufRead`, so
//! the line and column here, read between two events, are the position
//! where the next event starts.
//!
//! Newlines are found once per buffered chunk (one SIMD pass over up to
//! 64 KiB), not once per event: events are a few dozen bytes, and scanning
//! each one separately cost a tenth of the parse.

use std::io::{self, BufRead, Read};

/// Wraps the caller's reader. Public to the crate only.
pub(crate) struct CountingReader<R> {
    inner: R,
    /// Bytes consumed so far.
    offset: u64,
    /// 1-based line of `offset`.
    line: u64,
    /// Offset of the first byte of the current line.
    line_start: u64,
    /// Absolute offsets of the newlines in the current chunk not yet passed.
    newlines: Vec<u64>,
    next_newline: usize,
    /// Offset where the current chunk ends.
    chunk_end: u64,
    /// Offset where the event being read started; see [`Self::start_event`].
    event_start: u64,
    /// Largest single event: quick-xml buffers a whole text node or tag,
    /// so this bounds its buffer whatever the input.
    max_event: u64,
    /// Set when the cap tripped, so the caller can report X014, not X020.
    pub(crate) event_too_large: bool,
}

impl<R: BufRead> CountingReader<R> {
    pub(crate) fn new(inner: R, max_event: u64) -> Self {
        CountingReader {
            inner,
            offset: 0,
            line: 1,
            line_start: 0,
            newlines: Vec::new(),
            next_newline: 0,
            chunk_end: 0,
            event_start: 0,
            max_event,
            event_too_large: false,
        }
    }

    /// (line, column) of the next unread byte, both 1-based.
    pub(crate) fn line_col(&self) -> (u64, u64) {
        (self.line, self.offset - self.line_start + 1)
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Marks the start of the next event, for the size cap.
    pub(crate) fn start_event(&mut self) {
        self.event_start = self.offset;
    }
}

/// quick-xml reads through `BufRead`; `Read` is its supertrait.
impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.read(out)?;
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.offset - self.event_start > self.max_event {
            self.event_too_large = true;
            return Err(io::Error::other(format!("one event is longer than {} bytes", self.max_event)));
        }
        let buf = self.inner.fill_buf()?;
        if self.offset >= self.chunk_end {
            // A new chunk: the previous one was consumed to its end.
            self.newlines.clear();
            self.next_newline = 0;
            let base = self.offset;
            self.newlines.extend(memchr::memchr_iter(b'\n', buf).map(|i| base + i as u64));
            self.chunk_end = base + buf.len() as u64;
        }
        Ok(buf)
    }

    fn consume(&mut self, amt: usize) {
        self.offset += amt as u64;
        while let Some(&nl) = self.newlines.get(self.next_newline) {
            if nl >= self.offset {
                break;
            }
            self.line += 1;
            self.line_start = nl + 1;
            self.next_newline += 1;
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_follow_consumption_across_chunks() {
        let text = b"ab\ncd\n\nefgh\nij";
        // A 3-byte buffer forces many chunks, some ending on a newline.
        let mut reader = CountingReader::new(io::BufReader::with_capacity(3, &text[..]), 1 << 20);
        let mut seen = Vec::new();
        loop {
            let n = match reader.fill_buf() {
                Ok([]) => break,
                Ok(buf) => buf.len().min(2),
                Err(e) => panic!("{e}"),
            };
            reader.consume(n);
            seen.push((reader.offset(), reader.line_col()));
        }
        let expect_at = |offset: u64| {
            let before = &text[..offset as usize];
            let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) as u64;
            (line, offset - start + 1)
        };
        for (offset, line_col) in seen {
            assert_eq!(line_col, expect_at(offset), "at offset {offset}");
        }
    }

    #[test]
    fn an_event_longer_than_the_cap_is_an_error() {
        let text = [b'a'; 100];
        let mut reader = CountingReader::new(io::BufReader::with_capacity(8, &text[..]), 10);
        reader.start_event();
        let mut total = 0;
        let err = loop {
            match reader.fill_buf() {
                Ok([]) => panic!("no error"),
                Ok(buf) => {
                    let n = buf.len();
                    total += n;
                    reader.consume(n);
                }
                Err(e) => break e,
            }
        };
        assert!(reader.event_too_large, "{err}");
        assert!(total <= 10 + 8);
    }
}
