//! `ingest` and `export`: the store commands.
//!
//! `ingest` streams each message through the parser, turns each document
//! into what the diff reads, and applies whole documents in chunks, each
//! chunk one store transaction. A message is recorded as applied, and
//! flushed, after its last chunk: that is when it is durable.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gdsn_diff::Version;
use gdsn_diff::incoming::{from_records, from_withdrawal};
use gdsn_diff::{ChangeKind, Incoming};
use gdsn_model::ids::ItemKey;
use gdsn_model::message::Document;
use gdsn_model::time::Timestamp;
use gdsn_store::reload::{self, CloseOutcome};
use gdsn_store::{ArchiveWriter, MessageFinish, MessageStatus, ResumePoint, Store, StoreError};
use gdsn_xml::{ParsedDocument, Summary};
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::cli::{IngestArgs, StoreArgs};
use crate::replies;

pub(crate) fn ingest(args: &IngestArgs) -> ExitCode {
    let store = match open_store(&args.store) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let mut worst = 0u8;
    for path in &args.files {
        let data_dir = args.store.data_dir.display();
        match ingest_file(&store, path, args)
            .with_context(|| format!("applying it to the store in {data_dir}"))
        {
            Ok(summary) => {
                println!("{}", summary.line(path));
                worst = worst.max(u8::from(summary.rejected > 0));
            }
            Err(e) => {
                let full = if disk_full(&e) { " (ENOSPC: free space, then ingest again)" } else { "" };
                eprintln!("{}: {e:#}{full}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    if !args.dry_run
        && let Err(e) = close_reloads(&store, args.max_sweep_fraction, None, false)
    {
        return fail(&e);
    }
    ExitCode::from(worst)
}

/// Closes reload sessions (all, or one pair), printing what each did.
pub(crate) fn close_reloads(
    store: &Store,
    max_fraction: f64,
    only: Option<&str>,
    confirmed: bool,
) -> Result<()> {
    for session in store.reload_sessions()? {
        if only.is_some_and(|p| p != session.pair) || (session.held.is_some() && !confirmed && only.is_none())
        {
            continue;
        }
        match store.reload_close(&session.pair, max_fraction, confirmed)? {
            CloseOutcome::Swept(n) => println!("reload {}: closed, {n} not in reload removed", session.pair),
            CloseOutcome::Held { candidates, live } => println!(
                "reload {}: held, the sweep would remove {candidates} of {live} keys; confirm with `gdsn-sync reload confirm {}`",
                session.pair, session.pair
            ),
        }
    }
    store.flush()?;
    Ok(())
}

/// Whether the disk filled up, anywhere in the error's chain.
fn disk_full(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<StoreError>().is_some_and(StoreError::is_storage_full)
            || cause.downcast_ref::<io::Error>().is_some_and(gdsn_store::is_enospc)
    })
}

pub(crate) fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("gdsn-sync: {e:#}");
    ExitCode::from(2)
}

pub(crate) fn open_store(args: &StoreArgs) -> Result<Store> {
    let dir = args.data_dir.join("store");
    Store::open(&dir).with_context(|| format!("opening the store in {}", dir.display()))
}

/// Counts for one file.
#[derive(Debug, Default)]
struct FileSummary {
    kinds: BTreeMap<&'static str, usize>,
    rejected: usize,
    documents: usize,
    writes: usize,
    outbox: usize,
    replies: Option<usize>,
    note: Option<&'static str>,
    /// Documents skipped because a run killed earlier had committed them.
    resumed: usize,
}

impl FileSummary {
    fn count(&mut self, kind: &ChangeKind) {
        let name = match kind {
            ChangeKind::Added => "added",
            ChangeKind::Updated { .. } => "updated",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Stale => "stale",
            ChangeKind::Removed { .. } => "removed",
        };
        *self.kinds.entry(name).or_default() += 1;
    }

    fn line(&self, path: &Path) -> String {
        let n = |k: &str| self.kinds.get(k).copied().unwrap_or(0);
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
        if let Some(note) = self.note {
            line.push_str(&format!(" ({note})"));
        }
        if self.resumed > 0 {
            line.push_str(&format!(" (resumed after {} documents applied by an earlier run)", self.resumed));
        }
        line
    }

    fn as_json(&self) -> serde_json::Value {
        json!({ "documents": self.documents, "rejected": self.rejected, "changes": self.kinds, "writes": self.writes })
    }
}

fn ingest_file(store: &Store, path: &Path, args: &IngestArgs) -> Result<FileSummary> {
    let hash = file_hash(path)?;
    let file = File::open(path).context("cannot read")?;
    let sequence = if args.dry_run { store.peek_sequence()? } else { store.next_sequence()? };
    let archive = if args.dry_run {
        None
    } else {
        let dir = args.store.data_dir.join("archive");
        let writer = ArchiveWriter::create(&dir, sequence)
            .with_context(|| format!("creating an archive file in {}", dir.display()))?;
        Some(writer)
    };
    let mut tee = Tee { inner: file, copy: archive };
    let mut run = Run {
        store,
        hash,
        sequence,
        dry_run: args.dry_run,
        chunk: Vec::new(),
        replies: Vec::new(),
        fatal: Vec::new(),
        reload: BTreeMap::new(),
        summary: FileSummary::default(),
        error: None,
        resume: None,
        last_index: 0,
    };
    // A dry run plans the whole message at once: nothing is committed, so
    // a later chunk could not see an earlier one.
    let limit = if args.dry_run { usize::MAX } else { args.apply_chunk_documents.max(1) };
    let parsed =
        gdsn_xml::parse(BufReader::with_capacity(64 * 1024, &mut tee), &args.limits.options(), |doc| {
            run.document(&doc, limit)
        });
    let Tee { copy: archive, .. } = tee;
    if run.error.is_some() || run.summary.note.is_some() {
        if let Some(archive) = archive {
            archive.abandon();
        }
        // After a store error (a full disk, say) sled must not be touched
        // again in this process: its trees may loop on a failed write.
        if let Some(e) = run.error.take() {
            return Err(e);
        }
        run.summary.outbox = store.counts().outbox;
        return Ok(run.summary);
    }
    run.summary.rejected +=
        usize::from(parsed.diagnostics.iter().any(|d| d.is_error()) && run.summary.documents == 0);
    let replies = build_replies(args, &parsed, &run);
    run.summary.replies = args.recipient_gln.as_ref().map(|_| replies.len());
    match archive {
        Some(archive) => finish_message(store, &parsed, &mut run, archive, replies)?,
        None => {
            run.flush_chunk()?;
            for (kind, message_id, receiver, _) in &replies {
                println!("would queue {kind} {message_id} to {receiver}");
            }
            run.summary.note = Some("dry run: nothing written");
        }
    }
    run.summary.outbox = store.counts().outbox;
    Ok(run.summary)
}

/// Makes an applied message durable: the archive file first (fsynced),
/// then one transaction with the last chunk, the message record, its
/// replies and its reload marks, then a flush. Only after this may the
/// message be acknowledged.
fn finish_message(
    store: &Store,
    parsed: &Summary,
    run: &mut Run<'_>,
    archive: ArchiveWriter,
    replies: Vec<(String, String, String, String)>,
) -> Result<()> {
    let archived = archive.finish(run.hash).context("finishing the archive file")?;
    let env = parsed.envelope.as_ref();
    let finish = MessageFinish {
        sender: env.and_then(|e| e.sender.clone()).unwrap_or_default(),
        message_id: env.and_then(|e| e.instance_identifier.clone()).unwrap_or_default(),
        hash: run.hash,
        archive: Some(archived),
        summary: run.summary.as_json(),
        replies,
        reload: run
            .reload
            .iter()
            .map(|(pair, (v, keys))| (pair.clone(), run.sequence, *v, keys.clone()))
            .collect(),
    };
    let outcome = store.apply_last(&run.chunk, &finish)?;
    run.chunk.clear();
    run.count(&outcome);
    store.flush()?;
    Ok(())
}

/// Copies every byte the parser reads into the archive (none in a dry run).
struct Tee {
    inner: File,
    copy: Option<ArchiveWriter>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(copy) = self.copy.as_mut() {
            copy.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// Builds the replies the message earned: none without our GLN. A reply
/// that cannot be built is reported and skipped: it must not stop the
/// message from being applied.
fn build_replies(
    args: &IngestArgs,
    parsed: &Summary,
    run: &Run<'_>,
) -> Vec<(String, String, String, String)> {
    let (Some(recipient_gln), Some(sbdh)) = (args.recipient_gln.as_deref(), parsed.envelope.as_ref()) else {
        return Vec::new();
    };
    let ctx = replies::ReplyContext { recipient_gln, sbdh, sequence: run.sequence, now: now() };
    let mut unreadable = parsed.diagnostics.clone();
    if parsed.stopped {
        unreadable.extend(run.fatal.iter().cloned());
    }
    let mut built = Vec::new();
    for reply in [replies::cic(&ctx, &run.replies), replies::response(&ctx, &unreadable)] {
        match reply {
            Ok(Some((kind, message_id, receiver, xml))) => {
                built.push((kind.to_owned(), message_id, receiver, xml))
            }
            Ok(None) => {}
            Err(e) => eprintln!("warning: reply not built: {e}"),
        }
    }
    built
}

fn now() -> Timestamp {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
    Timestamp::from_unix_nanos(nanos).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One message being applied.
struct Run<'s> {
    store: &'s Store,
    hash: u128,
    sequence: u64,
    dry_run: bool,
    chunk: Vec<Incoming>,
    replies: Vec<replies::DocReply>,
    /// XML errors found inside documents; if they stopped the parse, the
    /// message could not be read and earns a GS1 Response.
    fatal: Vec<gdsn_model::diag::Diagnostic>,
    /// Keys received in reload documents, by (provider, target market) pair,
    /// with the time of the message (the sweep's tombstone version).
    reload: BTreeMap<String, (Version, Vec<ItemKey>)>,
    summary: FileSummary,
    error: Option<anyhow::Error>,
    /// The message's identity and how many of its first documents are
    /// already committed (by this run's chunks or an earlier, killed run).
    resume: Option<ResumePoint>,
    /// Index of the last document seen.
    last_index: usize,
}

impl Run<'_> {
    fn document(&mut self, doc: &ParsedDocument, limit: usize) -> ControlFlow<()> {
        if doc.index == 1 && !self.first_document(doc) {
            return ControlFlow::Break(());
        }
        self.summary.documents += 1;
        self.last_index = doc.index;
        self.replies.extend(replies::for_document(doc));
        self.fatal
            .extend(doc.diagnostics.iter().filter(|d| d.is_error() && d.code.starts_with('X')).cloned());
        if !doc.accepted {
            self.summary.rejected += 1;
            return ControlFlow::Continue(());
        }
        let env = doc.envelope.as_deref();
        let header_time =
            |h: &gdsn_model::message::DocumentHeader| env.and_then(|e| e.creation).or(h.creation);
        let incoming = match &doc.document {
            Some(Document::Cin(cin)) => {
                let time = header_time(&cin.header);
                if cin.is_reload {
                    self.mark_reload(&doc.records, time);
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
        if self.chunk.len() >= limit
            && let Err(e) = self.flush_chunk()
        {
            self.error = Some(e);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn mark_reload(&mut self, records: &[gdsn_model::record::ProductRecord], time: Option<Timestamp>) {
        for key in records.iter().filter_map(gdsn_model::record::ProductRecord::key) {
            let version = Version::new(time, time, self.sequence);
            self.reload.entry(reload::pair_of(&key)).or_insert((version, Vec::new())).1.push(key);
        }
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
            Ok(MessageStatus::AlreadyApplied) => {
                self.summary.note = Some("already applied");
                false
            }
            Ok(MessageStatus::Conflict) => {
                self.summary.note = Some("quarantined: same message id, other content");
                if let Err(e) =
                    self.store.quarantine(sender, id, "same sender and message id with other content")
                {
                    self.error = Some(e.into());
                }
                false
            }
            Err(e) => {
                self.error = Some(e.into());
                false
            }
        }
    }

    fn flush_chunk(&mut self) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let outcome = match self.resume.as_mut() {
            _ if self.dry_run => self.store.plan_only(&self.chunk)?,
            Some(point) => {
                point.documents = self.last_index;
                self.store.apply_chunk(&self.chunk, point)?
            }
            None => self.store.apply(&self.chunk)?,
        };
        self.chunk.clear();
        self.count(&outcome);
        Ok(())
    }

    fn count(&mut self, outcome: &gdsn_store::ApplyOutcome) {
        self.summary.writes += outcome.writes;
        for change in outcome.plans.iter().flat_map(|p| &p.changes) {
            self.summary.count(&change.kind);
        }
    }
}

/// xxh3-128 of the file's bytes: the "same content" of a message.
fn file_hash(path: &Path) -> Result<u128> {
    let mut file = File::open(path).context("cannot read")?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).context("cannot read")?;
        if n == 0 {
            return Ok(hasher.digest128());
        }
        hasher.update(&buf[..n]);
    }
}
