//! An append-only XML writer over a reusable byte buffer: one element per
//! line, without indentation, as several data pools export (the newlines
//! still give the parser the white-space text nodes of a pretty-printed
//! message).
//!
//! Texts are written verbatim: callers pass strings that are already
//! escaped (the vocabulary in `content` is), digits, or identifiers.

/// The rendering buffer.
pub(crate) struct Xml {
    pub(crate) buf: Vec<u8>,
}

impl Xml {
    pub(crate) fn new() -> Xml {
        Xml { buf: Vec::with_capacity(64 * 1024) }
    }

    /// Starts a new line.
    fn line(&mut self) {
        self.buf.push(b'\n');
    }

    pub(crate) fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// `<name>` on a new line.
    pub(crate) fn open(&mut self, name: &str) {
        self.line();
        self.buf.push(b'<');
        self.raw(name);
        self.buf.push(b'>');
    }

    /// `<name a="v" ...>` on a new line.
    pub(crate) fn open_attrs(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.line();
        self.buf.push(b'<');
        self.raw(name);
        for (attr, value) in attrs {
            self.attr(attr, value);
        }
        self.buf.push(b'>');
    }

    /// `</name>` on a new line.
    pub(crate) fn close(&mut self, name: &str) {
        self.line();
        self.buf.extend_from_slice(b"</");
        self.raw(name);
        self.buf.push(b'>');
    }

    /// `<name>text</name>` on one line.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.start(name);
        self.raw(text);
        self.end(name);
    }

    /// `<name attr="value">text</name>` on one line.
    pub(crate) fn leaf_attr(&mut self, name: &str, attr: &str, value: &str, text: &str) {
        self.start_attr(name, attr, value);
        self.raw(text);
        self.end(name);
    }

    /// `<name>n</name>` on one line.
    pub(crate) fn leaf_num(&mut self, name: &str, n: u64) {
        self.start(name);
        self.num(n);
        self.end(name);
    }

    /// `<name>` on a new line, for text written piece by piece.
    pub(crate) fn start(&mut self, name: &str) {
        self.line();
        self.buf.push(b'<');
        self.raw(name);
        self.buf.push(b'>');
    }

    /// `<name attr="value">` on a new line, for text written piece by piece.
    pub(crate) fn start_attr(&mut self, name: &str, attr: &str, value: &str) {
        self.line();
        self.buf.push(b'<');
        self.raw(name);
        self.attr(attr, value);
        self.buf.push(b'>');
    }

    /// `</name>` right after the text.
    pub(crate) fn end(&mut self, name: &str) {
        self.buf.extend_from_slice(b"</");
        self.raw(name);
        self.buf.push(b'>');
    }

    fn attr(&mut self, attr: &str, value: &str) {
        self.buf.push(b' ');
        self.raw(attr);
        self.buf.extend_from_slice(b"=\"");
        self.raw(value);
        self.buf.push(b'"');
    }

    /// A decimal number.
    pub(crate) fn num(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
    }

    /// A number zero-padded to two digits (dates and times).
    pub(crate) fn num2(&mut self, n: u32) {
        self.buf.push(b'0' + (n / 10 % 10) as u8);
        self.buf.push(b'0' + (n % 10) as u8);
    }

    /// A newline at the end of the message.
    pub(crate) fn newline(&mut self) {
        self.buf.push(b'\n');
    }
}
