//! The byte source under the XML reader: counts lines for diagnostics and
//! caps runs of bytes without markup.
//!
//! quick-xml consumes exactly the bytes of each event from a `BufRead`, so
//! the line and column here, read between two events, are the position
//! where the next event starts.

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
    /// Bytes consumed since the last `<`; quick-xml buffers a whole text
    /// node or tag, so this bounds its buffer whatever the input.
    run: u64,
    max_run: u64,
    /// Set when the cap tripped, so the caller can report X014, not X020.
    pub(crate) run_exceeded: bool,
}

impl<R: BufRead> CountingReader<R> {
    pub(crate) fn new(inner: R, max_run: u64) -> Self {
        CountingReader { inner, offset: 0, line: 1, line_start: 0, run: 0, max_run, run_exceeded: false }
    }

    /// (line, column) of the next unread byte, both 1-based.
    pub(crate) fn line_col(&self) -> (u64, u64) {
        (self.line, self.offset - self.line_start + 1)
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }
}

impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.run > self.max_run {
            self.run_exceeded = true;
            return Err(io::Error::other(format!("more than {} bytes without markup", self.max_run)));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..amt.min(buf.len())];
            // A plain count vectorises; only the last newline's position matters.
            let newlines = taken.iter().filter(|&&b| b == b'\n').count();
            if newlines > 0 {
                self.line += newlines as u64;
                let last = memchr::memrchr(b'\n', taken).unwrap_or(0);
                self.line_start = self.offset + last as u64 + 1;
            }
            match memchr::memrchr(b'<', taken) {
                Some(lt) => self.run = (taken.len() - lt) as u64,
                None => self.run += taken.len() as u64,
            }
        }
        self.offset += amt as u64;
        self.inner.consume(amt);
    }
}
