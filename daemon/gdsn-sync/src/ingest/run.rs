//! One message being applied: per-document planning into chunks, and the
//! counts a summary line reports.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use anyhow::Result;
use gdsn_diff::incoming::{from_records, from_withdrawal};
use gdsn_diff::{Incoming, Version};
use gdsn_model::cin::CatalogueItem;
use gdsn_model::ids::ItemKey;
use gdsn_model::message::Document;
use gdsn_model::other::{ExceptionNode, Gs1Response};
use gdsn_model::time::Timestamp;
use gdsn_store::reload;
use gdsn_store::{Applied, EnrolResponse, EnrolState, Feed, MessageStatus, ResumePoint, Store};
use gdsn_xml::ParsedDocument;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::replies;

/// Counts for one file.
#[derive(Debug, Default)]
pub(crate) struct FileSummary {
    pub(crate) kinds: BTreeMap<&'static str, usize>,
    pub(crate) rejected: usize,
    pub(crate) documents: usize,
    pub(crate) writes: usize,
    pub(crate) outbox: usize,
    pub(crate) replies: Option<usize>,
    pub(crate) note: Option<&'static str>,
    /// Documents skipped because a run killed earlier had committed them.
    pub(crate) resumed: usize,
    /// The (provider, target market) pairs this message's reload documents
    /// marked: the daemon times their quiet period from here.
    pub(crate) reload_pairs: Vec<String>,
    /// The message type the parser recognised from the root element.
    pub(crate) message_type: Option<gdsn_model::message::MessageType>,
}

impl FileSummary {
    /// Adds what transactions applied: the store writer's chunks
    /// ([`Store::overlapped`]) or one transaction of this thread. The kind
    /// names are the summary's and the metrics' labels.
    pub(crate) fn add_applied(&mut self, applied: &Applied) {
        self.writes += applied.writes;
        let kinds = [
            ("added", applied.added),
            ("updated", applied.updated),
            ("unchanged", applied.unchanged),
            ("stale", applied.stale),
            ("removed", applied.removed),
        ];
        for (name, n) in kinds.into_iter().filter(|(_, n)| *n > 0) {
            *self.kinds.entry(name).or_default() += n;
        }
    }

    pub(crate) fn line(&self, path: &Path) -> String {
        Figures::from(self).line(path)
    }

    pub(crate) fn as_json(&self) -> serde_json::Value {
        json!({ "documents": self.documents, "rejected": self.rejected, "changes": self.kinds, "writes": self.writes })
    }
}

/// A summary's figures as the daemon's API sends them (`Applied.summary`),
/// so `ingest --api` prints the very line a local `ingest` prints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Figures {
    pub(crate) documents: usize,
    pub(crate) changes: BTreeMap<String, usize>,
    pub(crate) rejected: usize,
    pub(crate) writes: usize,
    pub(crate) outbox: usize,
    pub(crate) replies: Option<usize>,
    pub(crate) note: Option<String>,
    pub(crate) resumed: usize,
}

impl From<&FileSummary> for Figures {
    fn from(s: &FileSummary) -> Figures {
        Figures {
            documents: s.documents,
            changes: s.kinds.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(),
            rejected: s.rejected,
            writes: s.writes,
            outbox: s.outbox,
            replies: s.replies,
            note: s.note.map(str::to_owned),
            resumed: s.resumed,
        }
    }
}

impl Figures {
    pub(crate) fn line(&self, path: &Path) -> String {
        let n = |k: &str| self.changes.get(k).copied().unwrap_or(0);
        let mut line = format!(
            "{}: {} documents, {} added, {} updated, {} unchanged, {} stale, {} removed, {} rejected; {} writes, outbox {}",
            path.display(),
            self.documents,
            n("added"),
            n("updated"),
            n("unchanged"),
            n("stale"),
            n("removed"),
            self.rejected,
            self.writes,
            self.outbox
        );
        match self.replies {
            Some(n) => line.push_str(&format!(", {n} replies queued")),
            None => line.push_str(", no replies (no --recipient-gln)"),
        }
        if let Some(note) = &self.note {
            line.push_str(&format!(" ({note})"));
        }
        if self.resumed > 0 {
            line.push_str(&format!(" (resumed after {} documents applied by an earlier run)", self.resumed));
        }
        line
    }
}

/// One message being applied.
pub(crate) struct Run<'s> {
    pub(crate) store: &'s Store,
    pub(crate) hash: u128,
    pub(crate) sequence: u64,
    pub(crate) dry_run: bool,
    pub(crate) chunk: Vec<Incoming>,
    pub(crate) replies: Vec<replies::DocReply>,
    /// XML errors found inside documents; if they stopped the parse, the
    /// message could not be read and earns a GS1 Response.
    pub(crate) fatal: Vec<gdsn_model::diag::Diagnostic>,
    /// Keys received in reload documents, by (provider, target market) pair,
    /// with the time of the message (the sweep's tombstone version).
    pub(crate) reload: BTreeMap<String, (Version, Vec<ItemKey>)>,
    pub(crate) summary: FileSummary,
    pub(crate) error: Option<anyhow::Error>,
    /// The message's identity and how many of its first documents are
    /// already committed (by this run's chunks or an earlier, killed run).
    pub(crate) resume: Option<ResumePoint>,
    /// Index of the last document seen.
    pub(crate) last_index: usize,
    /// Apply even a message whose id was applied or quarantined (replay).
    force: bool,
    /// Set when the message must be quarantined, with the reason.
    pub(crate) quarantine: Option<&'static str>,
    /// Refuse (CIC REJECTED, nothing applied) CIN documents of a pair that
    /// is not enrolled.
    pub(crate) reject_unenrolled: bool,
    /// Whether each pair seen so far is enrolled (one store read per pair).
    enrolled: BTreeMap<String, bool>,
    /// GS1 Responses that answer an enrolment's CIS or RFCIN.
    pub(crate) enrol_responses: Vec<EnrolResponse>,
}

impl<'s> Run<'s> {
    pub(crate) fn new(store: &'s Store, hash: u128, sequence: u64, dry_run: bool, force: bool) -> Run<'s> {
        Run {
            store,
            hash,
            sequence,
            dry_run,
            chunk: Vec::new(),
            replies: Vec::new(),
            fatal: Vec::new(),
            reload: BTreeMap::new(),
            summary: FileSummary::default(),
            error: None,
            resume: None,
            last_index: 0,
            force,
            quarantine: None,
            reject_unenrolled: false,
            enrolled: BTreeMap::new(),
            enrol_responses: Vec::new(),
        }
    }

    /// Takes one parsed document; a full chunk goes to the store's writer
    /// through `feed`.
    pub(crate) fn document(&mut self, doc: &ParsedDocument, limit: usize, feed: &Feed) -> ControlFlow<()> {
        if doc.index == 1 && !self.first_document(doc) {
            return ControlFlow::Break(());
        }
        self.summary.documents += 1;
        self.last_index = doc.index;
        if let Some(Document::Response(response)) = &doc.document
            && let Err(e) = self.response(response)
        {
            self.error = Some(e);
            return ControlFlow::Break(());
        }
        match self.unenrolled(doc) {
            Ok(Some(pair)) => {
                self.replies.extend(replies::rejected_unenrolled(doc, &pair));
                self.summary.rejected += 1;
                return ControlFlow::Continue(());
            }
            Ok(None) => {}
            Err(e) => {
                self.error = Some(e);
                return ControlFlow::Break(());
            }
        }
        self.replies.extend(replies::for_document(doc));
        self.fatal
            .extend(doc.diagnostics.iter().filter(|d| d.is_error() && d.code.starts_with('X')).cloned());
        let env = doc.envelope.as_deref();
        let header_time =
            |h: &gdsn_model::message::DocumentHeader| env.and_then(|e| e.creation).or(h.creation);
        if !doc.accepted {
            self.summary.rejected += 1;
            if let Some(Document::Cin(cin)) = &doc.document
                && cin.is_reload
                && let Err(e) = self.mark_rejected(&cin.catalogue_item, header_time(&cin.header))
            {
                self.error = Some(e);
                return ControlFlow::Break(());
            }
            return ControlFlow::Continue(());
        }
        let incoming = match &doc.document {
            Some(Document::Cin(cin)) => {
                let time = header_time(&cin.header);
                if cin.is_reload {
                    let keys = doc.records.iter().filter_map(gdsn_model::record::ProductRecord::key);
                    self.mark_reload(keys, time);
                }
                from_records(&doc.records, doc.context.command, time, self.sequence)
            }
            Some(Document::Cihw(cihw)) => {
                match from_withdrawal(cihw, header_time(&cihw.header), self.sequence) {
                    Ok(incoming) => Some(incoming),
                    Err(_) => {
                        self.summary.rejected += 1;
                        None
                    }
                }
            }
            _ => None,
        };
        // Replies and reload marks above cover every document; the effects
        // of documents an earlier run committed are not planned again.
        if self.resume.as_ref().is_some_and(|r| doc.index <= r.documents) {
            self.summary.resumed += 1;
            return ControlFlow::Continue(());
        }
        self.chunk.extend(incoming);
        if self.chunk.len() >= limit && !self.dry_run && self.send_chunk(feed).is_err() {
            // The writer's own error is what the caller reports.
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn mark_reload(&mut self, keys: impl IntoIterator<Item = ItemKey>, time: Option<Timestamp>) {
        for key in keys {
            let version = Version::new(time, time, self.sequence);
            self.reload.entry(reload::pair_of(&key)).or_insert((version, Vec::new())).1.push(key);
        }
    }

    /// Marks the keys of a rejected reload document's hierarchy, as far as
    /// the parser could type it: the pool did resend those items, so the
    /// sweep must not remove them as `not in reload` (what we hold of them
    /// stays as it was; the document itself writes nothing). Pairs refused
    /// as not enrolled are not marked, as their accepted documents are not.
    fn mark_rejected(&mut self, top: &CatalogueItem, time: Option<Timestamp>) -> Result<()> {
        let mut keys = Vec::new();
        top.walk(&mut |item, _| keys.extend(item.trade_item.key()));
        let mut marked = Vec::with_capacity(keys.len());
        for key in keys {
            if !self.reject_unenrolled || self.enrolled(&reload::pair_of(&key))? {
                marked.push(key);
            }
        }
        self.mark_reload(marked, time);
        Ok(())
    }

    /// The pair of an accepted CIN document that is not enrolled (or is
    /// unenrolled), when such documents are refused.
    fn unenrolled(&mut self, doc: &ParsedDocument) -> Result<Option<String>> {
        let Some(Document::Cin(_)) = &doc.document else { return Ok(None) };
        if !self.reject_unenrolled || !doc.accepted {
            return Ok(None);
        }
        let Some(key) = doc.records.first().and_then(gdsn_model::record::ProductRecord::key) else {
            return Ok(None);
        };
        let pair = reload::pair_of(&key);
        Ok((!self.enrolled(&pair)?).then_some(pair))
    }

    /// Whether the pair is enrolled and not unenrolled (one store read per pair).
    fn enrolled(&mut self, pair: &str) -> Result<bool> {
        if let Some(known) = self.enrolled.get(pair) {
            return Ok(*known);
        }
        let live = self.store.enrolment(pair)?.is_some_and(|e| e.state != EnrolState::Unenrolled);
        self.enrolled.insert(pair.to_owned(), live);
        Ok(live)
    }

    /// Notes a GS1 Response that answers one of our enrolment messages:
    /// its outcome commits with the message.
    fn response(&mut self, response: &Gs1Response) -> Result<()> {
        let Some(original) = response.originating_message.as_deref() else { return Ok(()) };
        let Some(pair) = self.store.enrolment_by_message(original)? else { return Ok(()) };
        let rejected = response
            .transaction_responses
            .iter()
            .filter(|t| t.status.as_deref() == Some("REJECTED"))
            .map(|t| format!("REJECTED transaction {}", t.transaction.as_deref().unwrap_or("?")));
        let mut errors: Vec<String> = rejected.collect();
        if let Some(exception) = &response.exception {
            exception_errors(exception, &mut errors);
            if errors.is_empty() {
                errors.push(format!("{} without an error", exception.level));
            }
        }
        if errors.is_empty() && response.transaction_responses.is_empty() {
            return Ok(());
        }
        let error = (!errors.is_empty()).then(|| errors.join("; "));
        self.enrol_responses.push(EnrolResponse { pair, original: original.to_owned(), error });
        Ok(())
    }

    /// Checks the message against the ones applied before; false stops it.
    fn first_document(&mut self, doc: &ParsedDocument) -> bool {
        let Some(env) = doc.envelope.as_deref() else { return true };
        let (sender, id) =
            (env.sender.as_deref().unwrap_or(""), env.instance_identifier.as_deref().unwrap_or(""));
        let status = self.store.message_status(sender, id, self.hash);
        let point = |documents| ResumePoint {
            sender: sender.to_owned(),
            message_id: id.to_owned(),
            hash: self.hash,
            documents,
        };
        match status {
            Ok(MessageStatus::New) => {
                self.resume = (!sender.is_empty() || !id.is_empty()).then(|| point(0));
                true
            }
            Ok(MessageStatus::Resume(documents)) => {
                self.resume = Some(point(documents));
                true
            }
            Ok(MessageStatus::AlreadyApplied | MessageStatus::Conflict) if self.force => {
                self.resume = Some(point(0));
                true
            }
            Ok(MessageStatus::AlreadyApplied) => {
                self.summary.note = Some("already applied");
                false
            }
            Ok(MessageStatus::Conflict) => {
                self.quarantine = Some("same sender and message id with other content");
                false
            }
            Err(e) => {
                self.error = Some(e.into());
                false
            }
        }
    }

    /// Hands the chunk to the store's writer, with the message's resume
    /// point after it: the writer commits it while parsing goes on.
    fn send_chunk(&mut self, feed: &Feed) -> Result<(), gdsn_store::WriterStopped> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let last_index = self.last_index;
        let point = self.resume.as_mut().map(|point| {
            point.documents = last_index;
            point.clone()
        });
        feed.send(std::mem::take(&mut self.chunk), point)
    }

    /// A dry run's plan of the whole message, rolled back.
    pub(crate) fn plan_only(&mut self) -> Result<()> {
        let outcome = self.store.plan_only(&self.chunk)?;
        self.chunk.clear();
        self.count(&outcome);
        Ok(())
    }

    pub(crate) fn count(&mut self, outcome: &gdsn_store::ApplyOutcome) {
        let mut applied = Applied::default();
        applied.add(outcome);
        self.summary.add_applied(&applied);
    }
}

/// Every `gS1Error` of an exception tree as `[code] description`.
fn exception_errors(node: &ExceptionNode, out: &mut Vec<String>) {
    for error in &node.errors {
        let code = error.code.as_deref().unwrap_or("?");
        out.push(
            format!("[{code}] {}", error.description.as_deref().unwrap_or_default()).trim_end().to_owned(),
        );
    }
    for child in &node.children {
        exception_errors(child, out);
    }
}
