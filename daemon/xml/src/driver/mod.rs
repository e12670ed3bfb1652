//! The event loop: reads quick-xml events, follows the message layers
//! (root > SBDH | transaction > documentCommand > header | document) and
//! captures one document at a time as a [`Node`] tree.
//!
//! State is a stack of [`Frame`]s for the structural levels, plus at most
//! one [`Capture`] in progress. Everything below an unknown element is
//! skipped by counting depth only, so hostile nesting costs no memory.

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use gdsn_model::diag::{Diagnostic, Position};
use gdsn_model::message::{Command, CommandContext, EntityId, Envelope, MessageType};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

mod capture;

use capture::{Capture, CaptureKind};

use crate::input::CountingReader;
use crate::tree::{Namespaces, Node, NsId, Tree};
use crate::{ParseOptions, ParsedDocument, Summary, envelope, errors};

const SBDH_NS: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

/// A structural level outside any capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Transaction,
    Command,
    /// An element we do not read, with everything below it.
    Ignored,
}

/// The command currently open.
#[derive(Default)]
struct CommandState {
    context: Option<CommandContext>,
    /// M003 for a missing or unknown command type, reported on each document.
    error: Option<Diagnostic>,
}

pub(crate) struct Driver<R, F> {
    reader: NsReader<CountingReader<R>>,
    options: ParseOptions,
    on_document: F,
    namespaces: Namespaces,
    summary: Summary,
    frames: Vec<Frame>,
    /// Depth of the innermost open element (root = 1).
    depth: usize,
    /// Depth at which an ignored subtree started, if inside one.
    ignore_from: Option<usize>,
    capture: Option<Capture>,
    /// The SBDH once read, shared with every document that follows it.
    envelope: Option<Arc<Envelope>>,
    /// The arena of the last capture, kept for the next one.
    spare_tree: Tree,
    root_path: String,
    transaction_index: usize,
    transaction_id: Option<EntityId>,
    command: CommandState,
    depth_reported: bool,
    stop: bool,
}

impl<R: BufRead, F: FnMut(ParsedDocument) -> ControlFlow<()>> Driver<R, F> {
    pub(crate) fn new(reader: R, options: &ParseOptions, on_document: F) -> Self {
        // One event (a tag or a text node) longer than a whole document can
        // never be valid.
        let max_run = options.limits.max_document_bytes.max(1 << 20);
        let mut reader = NsReader::from_reader(CountingReader::new(reader, max_run));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Driver {
            reader,
            options: *options,
            on_document,
            namespaces: Namespaces::default(),
            summary: Summary::default(),
            frames: Vec::new(),
            depth: 0,
            ignore_from: None,
            capture: None,
            envelope: None,
            spare_tree: Tree::default(),
            root_path: String::new(),
            transaction_index: 0,
            transaction_id: None,
            command: CommandState::default(),
            depth_reported: false,
            stop: false,
        }
    }

    pub(crate) fn run(mut self) -> Summary {
        let mut buf = Vec::with_capacity(4096);
        while !self.stop {
            let (line, column) = self.reader.get_ref().line_col();
            self.reader.get_mut().start_event();
            buf.clear();
            let event = self.reader.read_resolved_event_into(&mut buf);
            let (ns, event) = match event {
                Ok((res, ev)) => (resolve(&mut self.namespaces, res), ev),
                Err(e) => {
                    let (code, msg) = errors::classify(&e, self.reader.get_ref().event_too_large);
                    self.fatal(code, msg, line, column);
                    break;
                }
            };
            self.event(ns, event, line, column);
            if self.capture.is_some() {
                self.check_document_size(line, column);
            }
        }
        self.finish()
    }

    fn event(&mut self, ns: Result<NsId, String>, event: Event<'_>, line: u64, column: u64) {
        match event {
            Event::Start(e) => self.start(ns, &e, line, column),
            Event::Empty(e) => {
                self.start(ns, &e, line, column);
                if !self.stop {
                    self.end();
                }
            }
            Event::End(_) => self.end(),
            Event::Text(t) => self.text(&t.xml10_content(), true, line, column),
            Event::CData(c) => self.text(&c.xml10_content(), false, line, column),
            Event::GeneralRef(r) => self.reference(&r, line, column),
            Event::DocType(_) => self.fatal(
                "X003",
                "DOCTYPE declarations are refused; DTDs and entities are never processed".into(),
                line,
                column,
            ),
            Event::Eof => self.eof(line, column),
            Event::Decl(d) => {
                if let Some(Ok(encoding)) = d.encoding()
                    && !matches!(encoding.to_ascii_lowercase().as_str(), "utf-8" | "utf8" | "us-ascii")
                {
                    let msg =
                        format!("declared encoding `{encoding}` is not supported; GS1 messages are UTF-8");
                    self.fatal("X002", msg, line, column);
                }
            }
            Event::PI(_) | Event::Comment(_) => {}
        }
    }

    fn start(&mut self, ns: Result<NsId, String>, e: &BytesStart<'_>, line: u64, column: u64) {
        self.depth += 1;
        if self.ignore_from.is_some() {
            return self.check_ignored_depth(line, column);
        }
        let ns = match ns {
            Ok(ns) => ns,
            Err(prefix) => {
                let msg = format!("prefix `{prefix}` is not declared");
                return self.reject_or_fatal("X004", msg, line, column);
            }
        };
        if self.capture.is_some() {
            return self.capture_start(ns, e, line, column);
        }
        let name = local_name(e);
        if self.frames.is_empty() {
            return self.root(ns, e, &name, line, column);
        }
        self.structural_start(ns, e, &name, line, column);
    }

    fn structural_start(&mut self, ns: NsId, e: &BytesStart<'_>, name: &str, line: u64, column: u64) {
        let Some(message_type) = self.summary.message_type else {
            return self.ignore();
        };
        let uri = self.namespaces.uri(ns).to_owned();
        let uri = uri.as_str();
        let doc_name = message_type.document_name();
        let frame = self.frames.last().copied();
        // The envelope's own elements are unqualified; a pool that prefixes
        // them with the message namespace is tolerated, any other is not ours.
        let local = uri.is_empty() || uri == message_type.namespace();
        let structural = if local { name } else { "" };
        let kind = match (frame, structural) {
            _ if frame == Some(Frame::Root) && name == "StandardBusinessDocumentHeader" && uri == SBDH_NS => {
                CaptureKind::Sbdh
            }
            (Some(Frame::Root), "transaction") if message_type != MessageType::Gs1Response => {
                return self.open_transaction();
            }
            (Some(Frame::Root), n)
                if n == doc_name
                    && !n.is_empty()
                    && message_type == MessageType::Gs1Response
                    && (uri.is_empty() || uri == message_type.namespace()) =>
            {
                // `gS1Response` is a local element of the message type, so
                // the XSD leaves it unqualified.
                CaptureKind::Document
            }
            (Some(Frame::Transaction), "transactionIdentification") => CaptureKind::TransactionId,
            (Some(Frame::Transaction), "documentCommand") => {
                self.command = CommandState::default();
                self.frames.push(Frame::Command);
                return;
            }
            (Some(Frame::Command), "documentCommandHeader") => CaptureKind::CommandHeader,
            // By namespace URI: a `catalogueItemNotification` in another
            // namespace is another element.
            (Some(Frame::Command), n) if n == doc_name && uri == message_type.namespace() => {
                CaptureKind::Document
            }
            _ => {
                if frame != Some(Frame::Ignored) {
                    self.warn_unknown(name, uri, line, column);
                }
                return self.ignore();
            }
        };
        self.begin_capture(kind, ns, e, line, column);
    }

    fn open_transaction(&mut self) {
        self.transaction_index += 1;
        self.transaction_id = None;
        self.frames.push(Frame::Transaction);
    }

    fn ignore(&mut self) {
        self.frames.push(Frame::Ignored);
        self.ignore_from = Some(self.depth);
    }

    fn warn_unknown(&mut self, name: &str, uri: &str, line: u64, column: u64) {
        let shown = if uri.is_empty() { name.to_owned() } else { format!("{{{uri}}}{name}") };
        let msg = format!("unknown element `{shown}` ignored");
        let path = format!("{}/{name}", self.structural_path());
        self.summary.diagnostics.push(diag("W001", msg, line, column, path));
    }

    fn end(&mut self) {
        let depth = self.depth;
        self.depth = depth.saturating_sub(1);
        if let Some(from) = self.ignore_from {
            if depth > from {
                return;
            }
            self.ignore_from = None;
            self.frames.pop();
            return;
        }
        if let Some(capture) = self.capture.as_mut() {
            if depth > capture.start_depth {
                if capture.failure.is_none() && capture.stack.len() > 1 {
                    capture.stack.pop();
                }
                return;
            }
            if let Some(capture) = self.capture.take() {
                self.complete(capture);
            }
            return;
        }
        if self.frames.pop() == Some(Frame::Command) {
            self.command = CommandState::default();
        }
    }

    fn complete(&mut self, mut capture: Capture) {
        let failure = capture.failure.take();
        let node = capture.tree.root();
        match (capture.kind, node, failure) {
            (CaptureKind::Document, node, failure) => {
                self.document(node, failure, &capture.base);
            }
            (_, _, Some(failure)) => self.summary.diagnostics.push(failure),
            (_, None, None) => {}
            (CaptureKind::Sbdh, Some(node), None) => {
                let (env, diags) =
                    envelope::read_sbdh(node, &capture.base, &self.namespaces, self.options.naive_zone);
                self.envelope = Some(Arc::new(env.clone()));
                self.summary.envelope = Some(env);
                self.summary.diagnostics.extend(diags);
            }
            (CaptureKind::TransactionId, Some(node), None) => {
                self.transaction_id = Some(envelope::entity_id(node));
            }
            (CaptureKind::CommandHeader, Some(node), None) => self.command_header(node, &capture.base),
        }
        self.spare_tree = capture.tree;
    }

    fn command_header(&mut self, node: Node<'_>, base: &str) {
        let raw = node.attr("type");
        let command = raw.and_then(Command::parse);
        if command.is_none() {
            let msg = match raw {
                Some(v) => format!("document command `{v}` is not ADD, CHANGE_BY_REFRESH, CORRECT or DELETE"),
                None => "documentCommandHeader has no type attribute".to_owned(),
            };
            let path = format!("{base}/documentCommandHeader");
            self.command.error = Some(diag("M003", msg, node.line(), node.column(), path));
        }
        self.command.context = Some(CommandContext {
            transaction_index: self.transaction_index,
            transaction_id: self.transaction_id.clone(),
            command,
            command_id: node.child("documentCommandIdentification").map(envelope::entity_id),
        });
    }

    fn document(&mut self, node: Option<Node<'_>>, failure: Option<Diagnostic>, base: &str) {
        let Some(message_type) = self.summary.message_type else { return };
        let context = self.command.context.clone().unwrap_or(CommandContext {
            transaction_index: self.transaction_index,
            transaction_id: self.transaction_id.clone(),
            command: None,
            command_id: None,
        });
        let mut parsed = crate::cin::convert(crate::cin::Input {
            message_type,
            node,
            base,
            namespaces: &self.namespaces,
            envelope: self.envelope.as_ref(),
            context,
            index: self.summary.documents + 1,
            naive_zone: self.options.naive_zone,
        });
        parsed.diagnostics.splice(0..0, failure.into_iter().chain(self.command.error.clone()));
        parsed.accepted = !parsed.diagnostics.iter().any(Diagnostic::is_error);
        if !parsed.accepted {
            parsed.records.clear();
            self.summary.rejected += 1;
        }
        self.summary.documents += 1;
        if (self.on_document)(parsed).is_break() {
            self.summary.stopped = true;
            self.stop = true;
        }
    }

    fn root(&mut self, ns: NsId, e: &BytesStart<'_>, name: &str, line: u64, column: u64) {
        self.frames.push(Frame::Root);
        self.root_path = format!("/{name}");
        let uri = self.namespaces.uri(ns).to_owned();
        let declares_2x = e
            .attributes()
            .flatten()
            .any(|a| a.key.as_ref().starts_with("xmlns") && a.value.starts_with("urn:ean.ucc:"));
        if let Some(t) = MessageType::from_root(&uri, name) {
            self.summary.message_type = Some(t);
            if t != MessageType::Cin {
                let msg = format!("{} message recognised; it carries no product records", t.short_name());
                self.summary.diagnostics.push(diag("M100", msg, line, column, self.root_path.clone()));
            }
            return;
        }
        // GDSN 2.x wrapped its messages in a StandardBusinessDocument; in
        // 3.x the header sits inside the message root instead.
        let sbd_wrapper = name == "StandardBusinessDocument" && uri == SBDH_NS;
        let (code, msg) = if declares_2x || uri.starts_with("urn:ean.ucc:") || sbd_wrapper {
            (
                "M002",
                format!(
                    "`{name}` is a GDSN 2.x message (urn:ean.ucc namespaces); only GS1 XML BMS 3.x is supported"
                ),
            )
        } else if let Some(t) = MessageType::from_root_name(name) {
            ("M001", format!("`{name}` is in namespace `{uri}`, expected `{}`", t.namespace()))
        } else {
            ("M001", format!("root element `{{{uri}}}{name}` is not a GDSN message a data recipient reads"))
        };
        self.summary.diagnostics.push(diag(code, msg, line, column, self.root_path.clone()));
        self.stop = true;
    }

    fn eof(&mut self, line: u64, column: u64) {
        if self.depth > 0 {
            let msg = format!("input ends with {} element(s) still open", self.depth);
            self.fatal("X006", msg, line, column);
        } else if self.frames.is_empty() && self.summary.message_type.is_none() {
            let d = diag("M001", "input holds no root element".into(), line, column, String::new());
            self.summary.diagnostics.push(d);
        }
        self.stop = true;
    }

    fn check_ignored_depth(&mut self, line: u64, column: u64) {
        let max = self.options.limits.max_depth;
        if self.depth > max && !self.depth_reported {
            self.depth_reported = true;
            let d =
                diag("X010", format!("element depth exceeds {max}"), line, column, self.structural_path());
            self.summary.diagnostics.push(d);
        }
    }

    /// A problem that rejects the document being captured, or the message
    /// when outside any document.
    fn reject_or_fatal(&mut self, code: &'static str, msg: String, line: u64, column: u64) {
        let d = self.diag_here(code, msg, line, column);
        match self.capture.as_mut() {
            Some(capture) => capture.fail(d),
            None => {
                self.summary.diagnostics.push(d);
                self.stop = true;
            }
        }
    }

    /// An error after which the XML cannot be trusted: the document being
    /// captured is handed on as rejected, and the parse stops.
    fn fatal(&mut self, code: &'static str, msg: String, line: u64, column: u64) {
        let d = self.diag_here(code, msg, line, column);
        self.stop = true;
        match self.capture.take() {
            Some(capture) if capture.kind == CaptureKind::Document => {
                self.document(None, Some(d), &capture.base);
            }
            _ => self.summary.diagnostics.push(d),
        }
        self.summary.stopped = true;
    }

    fn finish(mut self) -> Summary {
        let recognised = self.summary.message_type.is_some();
        let fatal = self.summary.diagnostics.iter().any(Diagnostic::is_error);
        if recognised && !fatal && self.summary.documents == 0 {
            let d = diag("M010", "message carries no documents".into(), 1, 1, self.root_path.clone());
            self.summary.diagnostics.push(d);
        }
        if recognised && self.summary.envelope.is_none() && !fatal {
            let d = diag(
                "M011",
                "message has no StandardBusinessDocumentHeader".into(),
                1,
                1,
                self.root_path.clone(),
            );
            self.summary.diagnostics.push(d);
        }
        self.summary
    }

    fn diag_here(&self, code: &'static str, msg: String, line: u64, column: u64) -> Diagnostic {
        diag(code, msg, line, column, self.capture_path())
    }

    /// Path of the innermost structural element (`/msg/transaction[2]/documentCommand`).
    fn structural_path(&self) -> String {
        let mut path = self.root_path.clone();
        for frame in self.frames.iter().skip(1) {
            match frame {
                Frame::Transaction => path.push_str(&format!("/transaction[{}]", self.transaction_index)),
                Frame::Command => path.push_str("/documentCommand"),
                Frame::Root | Frame::Ignored => {}
            }
        }
        path
    }

    /// Path of the innermost open element, inside a capture if any.
    fn capture_path(&self) -> String {
        let mut path = self.structural_path();
        if let Some(capture) = &self.capture {
            for &id in &capture.stack {
                if let Some(node) = capture.tree.node(id) {
                    path.push('/');
                    path.push_str(node.name());
                }
            }
        }
        path
    }
}

fn resolve(namespaces: &mut Namespaces, res: ResolveResult<'_>) -> Result<NsId, String> {
    match res {
        ResolveResult::Bound(ns) => Ok(namespaces.intern(ns.as_ref())),
        ResolveResult::Unbound => Ok(0),
        ResolveResult::Unknown(prefix) => Err(prefix),
    }
}

fn local_name(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

fn diag(code: &'static str, message: String, line: u64, column: u64, path: String) -> Diagnostic {
    Diagnostic::new(code, message, Position { line, column, path })
}
