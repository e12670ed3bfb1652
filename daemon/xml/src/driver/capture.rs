//! Building the tree of one captured element (a document, the SBDH, a
//! transaction identification or a command header), within the limits.

use gdsn_model::diag::Diagnostic;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

use super::{Driver, diag};
use crate::errors;
use crate::tree::{NsId, Tree};

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
    /// The elements read so far (an arena reused across captures).
    pub(super) tree: Tree,
    /// Ids of the open elements, the captured root first.
    pub(super) stack: Vec<usize>,
    /// Depth of the captured root.
    pub(super) start_depth: usize,
    pub(super) start_offset: u64,
    /// Set when a limit tripped: building stops, the rest is skipped.
    pub(super) failure: Option<Diagnostic>,
    /// Path of the captured root's parent.
    pub(super) base: String,
}

impl Capture {
    /// Stops building: the first failure is kept, the tree is dropped, and
    /// the rest of the element is only counted.
    pub(super) fn fail(&mut self, d: Diagnostic) {
        self.stack.clear();
        self.tree.clear();
        self.failure.get_or_insert(d);
    }
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
        let mut tree = std::mem::take(&mut self.spare_tree);
        tree.clear();
        let mut capture = Capture {
            kind,
            tree,
            stack: Vec::new(),
            start_depth: self.depth,
            start_offset,
            failure: None,
            base,
        };
        if let Err(d) = self.build_node(&mut capture, ns, e, line, column) {
            capture.failure = Some(d);
        }
        self.capture = Some(capture);
    }

    pub(super) fn capture_start(&mut self, ns: NsId, e: &BytesStart<'_>, line: u64, column: u64) {
        let max_depth = self.options.limits.max_depth;
        if self.capture.as_ref().is_none_or(|c| c.failure.is_some()) {
            return;
        }
        let failure = if self.depth > max_depth {
            let path = format!("{}/{}", self.capture_path(), e.local_name().as_ref());
            Some(diag("X010", format!("element depth exceeds {max_depth}"), line, column, path))
        } else {
            // Take the capture out so the node builder can borrow both.
            let Some(mut capture) = self.capture.take() else { return };
            let failure = self.build_node(&mut capture, ns, e, line, column).err();
            self.capture = Some(capture);
            failure
        };
        if let (Some(d), Some(capture)) = (failure, self.capture.as_mut()) {
            capture.fail(d);
        }
    }

    /// Adds the element to the capture's tree and opens it.
    fn build_node(
        &self,
        capture: &mut Capture,
        ns: NsId,
        e: &BytesStart<'_>,
        line: u64,
        column: u64,
    ) -> Result<(), Diagnostic> {
        let parent = capture.stack.last().copied();
        let id = capture.tree.open(parent, e.local_name().as_ref(), ns, line, column);
        capture.stack.push(id);
        for attr in e.attributes() {
            let attr =
                attr.map_err(|err| self.diag_here("X001", format!("bad attribute: {err}"), line, column))?;
            let key = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            if capture.tree.attr_count(id) >= self.options.limits.max_attributes {
                let max = self.options.limits.max_attributes;
                return Err(self.diag_here("X012", format!("more than {max} attributes"), line, column));
            }
            let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
                let (code, msg) = errors::classify(&err, false);
                self.diag_here(code, msg, line, column)
            })?;
            capture.tree.add_attr(id, attr.key.local_name().as_ref(), &value);
        }
        Ok(())
    }

    pub(super) fn text(&mut self, text: &str, skip_blank: bool, line: u64, column: u64) {
        let limit = self.options.limits.max_text_bytes;
        let Some(capture) = self.capture.as_mut() else { return };
        if capture.failure.is_some() {
            return;
        }
        let Some(&id) = capture.stack.last() else { return };
        let current = capture.tree.text_len(id);
        // White space before an element's first character is layout, and
        // dropping it keeps container elements from holding indentation.
        if skip_blank && current == 0 && text.bytes().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        if current + text.len() > limit {
            let d = self.diag_here("X011", format!("text node exceeds {limit} bytes"), line, column);
            if let Some(capture) = self.capture.as_mut() {
                capture.fail(d);
            }
            return;
        }
        capture.tree.push_text(id, text);
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
            capture.fail(diag("X013", format!("document exceeds {max} bytes"), line, column, path));
        }
    }
}
