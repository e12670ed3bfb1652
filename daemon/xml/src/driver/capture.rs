//! Building the tree of one captured element (a document, the SBDH, a
//! transaction identification or a command header), within the limits.

use gdsn_model::diag::Diagnostic;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

use super::{Driver, diag};
use crate::errors;
use crate::tree::{Node, NsId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CaptureKind {
    Sbdh,
    TransactionId,
    CommandHeader,
    Document,
}

/// A subtree being built.
pub(super) struct Capture {
    pub(super) kind: CaptureKind,
    /// Open elements, the captured root first.
    pub(super) stack: Vec<Node>,
    /// Depth of the captured root.
    pub(super) start_depth: usize,
    pub(super) start_offset: u64,
    /// Set when a limit tripped: building stops, the rest is skipped.
    pub(super) failure: Option<Diagnostic>,
    /// Path of the captured root's parent.
    pub(super) base: String,
}

impl<R: std::io::BufRead, F: FnMut(crate::ParsedDocument) -> std::ops::ControlFlow<()>> Driver<R, F> {
    pub(super) fn begin_capture(
        &mut self,
        kind: CaptureKind,
        ns: NsId,
        e: &BytesStart<'_>,
        line: u64,
        column: u64,
    ) {
        let base = self.structural_path();
        let start_offset = self.reader.get_ref().offset();
        let mut capture =
            Capture { kind, stack: Vec::new(), start_depth: self.depth, start_offset, failure: None, base };
        match self.build_node(ns, e, line, column) {
            Ok(node) => capture.stack.push(node),
            Err(d) => capture.failure = Some(d),
        }
        self.capture = Some(capture);
    }

    pub(super) fn capture_start(&mut self, ns: NsId, e: &BytesStart<'_>, line: u64, column: u64) {
        let max_depth = self.options.limits.max_depth;
        let depth = self.depth;
        let built = if depth > max_depth {
            Err(diag("X010", format!("element depth exceeds {max_depth}"), line, column, self.capture_path()))
        } else if self.capture.as_ref().is_some_and(|c| c.failure.is_some()) {
            return;
        } else {
            self.build_node(ns, e, line, column)
        };
        let Some(capture) = self.capture.as_mut() else { return };
        match built {
            Ok(node) => capture.stack.push(node),
            Err(d) => {
                capture.stack.clear();
                capture.failure.get_or_insert(d);
            }
        }
    }

    pub(super) fn build_node(
        &mut self,
        ns: NsId,
        e: &BytesStart<'_>,
        line: u64,
        column: u64,
    ) -> Result<Node, Diagnostic> {
        let mut node = Node { name: e.local_name().as_ref().into(), ns, line, column, ..Node::default() };
        for attr in e.attributes() {
            let attr =
                attr.map_err(|err| self.diag_here("X001", format!("bad attribute: {err}"), line, column))?;
            let key = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            if node.attrs.len() >= self.options.limits.max_attributes {
                let max = self.options.limits.max_attributes;
                return Err(self.diag_here("X012", format!("more than {max} attributes"), line, column));
            }
            let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
                let (code, msg) = errors::classify(&err, false);
                self.diag_here(code, msg, line, column)
            })?;
            node.attrs.push((attr.key.local_name().as_ref().into(), value.as_ref().into()));
        }
        Ok(node)
    }

    pub(super) fn text(&mut self, text: &str, skip_blank: bool, line: u64, column: u64) {
        let limit = self.options.limits.max_text_bytes;
        let Some(capture) = self.capture.as_mut() else { return };
        if capture.failure.is_some() {
            return;
        }
        let Some(node) = capture.stack.last_mut() else { return };
        // White space before an element's first character is layout, and
        // dropping it keeps container elements from holding indentation.
        if skip_blank && node.text.is_empty() && text.bytes().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        if node.text.len() + text.len() > limit {
            let d = self.diag_here("X011", format!("text node exceeds {limit} bytes"), line, column);
            if let Some(capture) = self.capture.as_mut() {
                capture.stack.clear();
                capture.failure.get_or_insert(d);
            }
            return;
        }
        node.text.push_str(text);
    }

    pub(super) fn reference(&mut self, r: &BytesRef<'_>, line: u64, column: u64) {
        let resolved = if r.is_char_ref() {
            r.resolve_char_ref().ok().flatten()
        } else {
            match &**r {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "apos" => Some('\''),
                "quot" => Some('"'),
                _ => None,
            }
        };
        match resolved {
            Some(c) => self.text(c.encode_utf8(&mut [0; 4]), false, line, column),
            None if self.capture.is_some() => {
                let msg = format!("`&{};` is not a predefined entity or a valid character reference", &**r);
                self.reject_or_fatal("X005", msg, line, column);
            }
            None => {}
        }
    }

    pub(super) fn check_document_size(&mut self, line: u64, column: u64) {
        let max = self.options.limits.max_document_bytes;
        let offset = self.reader.get_ref().offset();
        let over =
            self.capture.as_ref().is_some_and(|c| c.failure.is_none() && offset - c.start_offset > max);
        if !over {
            return;
        }
        // Only now is the path worth building: this runs after every event.
        let path = self.capture_path();
        if let Some(capture) = self.capture.as_mut() {
            capture.stack.clear();
            capture.failure = Some(diag("X013", format!("document exceeds {max} bytes"), line, column, path));
        }
    }
}
