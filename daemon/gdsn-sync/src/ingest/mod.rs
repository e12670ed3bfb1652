//! `ingest` and `replay`: messages into the store.
//!
//! `ingest` streams each message through the parser, turns each document
//! into what the diff reads, and applies whole documents in chunks, each
//! chunk one store transaction. A message is recorded as applied, and
//! flushed, after its last chunk: that is when it is durable.

mod progress;
pub(crate) mod replay;
mod run;
mod source;

use std::io::{self, BufReader, Read, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use gdsn_model::time::Timestamp;
use gdsn_store::reload::CloseOutcome;
use gdsn_store::{ArchiveWriter, MessageFinish, Store, StoreError};
use gdsn_xml::Summary;

use crate::cli::{IngestArgs, IngestOptions, StoreArgs};
use crate::replies;
pub(crate) use run::Figures;
use run::{FileSummary, Run};
pub(crate) use source::{SharedFile, Source};

pub(crate) fn ingest(args: &IngestArgs) -> ExitCode {
    if let Some(url) = &args.api.api {
        return crate::api_client::ingest(url, &args.api, &args.options, &args.files);
    }
    let store = match open_store(&args.store) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let sources: Vec<Source> = args.files.iter().map(|p| Source::File(p.clone())).collect();
    apply_all(&store, &args.store, &args.options, &sources, false)
}

/// Applies each source in order, printing a summary line per source; then
/// closes the reload sessions they opened. The exit code: 0, 1 when a
/// document was rejected, 2 on a store or IO failure (which stops the run).
pub(crate) fn apply_all(
    store: &Store,
    store_args: &StoreArgs,
    options: &IngestOptions,
    sources: &[Source],
    force: bool,
) -> ExitCode {
    let mut worst = 0u8;
    for source in sources {
        let data_dir = store_args.data_dir.display();
        match ingest_message(store, store_args, options, source, force)
            .with_context(|| format!("applying it to the store in {data_dir}"))
        {
            Ok(summary) => {
                println!("{}", summary.line(&source.label()));
                worst = worst.max(u8::from(summary.rejected > 0));
            }
            Err(e) => {
                let full = if disk_full(&e) { " (ENOSPC: free space, then ingest again)" } else { "" };
                eprintln!("{}: {e:#}{full}", source.label().display());
                return ExitCode::from(2);
            }
        }
    }
    if !options.dry_run {
        match close_reloads(store, options.max_sweep_fraction, None, false) {
            Ok(closed) => {
                closed.iter().for_each(|(pair, outcome)| println!("{}", reload_line(pair, outcome)))
            }
            Err(e) => return fail(&e),
        }
    }
    if !options.dry_run
        && !options.no_publish
        && let Err(e) =
            crate::index_cmds::publish_outbox(store, &store_args.data_dir, options.sink.config.as_deref())
    {
        eprintln!("applied, but not yet published (the changes wait in the outbox): {e:#}");
        return ExitCode::from(2);
    }
    ExitCode::from(worst)
}

/// Closes reload sessions (all, or one pair): what each did, by pair.
pub(crate) fn close_reloads(
    store: &Store,
    max_fraction: f64,
    only: Option<&str>,
    confirmed: bool,
) -> Result<Vec<(String, CloseOutcome)>> {
    let mut closed = Vec::new();
    for session in store.reload_sessions()? {
        if only.is_some_and(|p| p != session.pair) || (session.held.is_some() && !confirmed && only.is_none())
        {
            continue;
        }
        let outcome = store.reload_close(&session.pair, max_fraction, confirmed)?;
        closed.push((session.pair, outcome));
    }
    store.flush()?;
    Ok(closed)
}

/// What closing a reload session did, as `ingest` and `reload` print it.
pub(crate) fn reload_line(pair: &str, outcome: &CloseOutcome) -> String {
    match outcome {
        CloseOutcome::Swept(n) => format!("reload {pair}: closed, {n} not in reload removed"),
        CloseOutcome::Held { candidates, live } => format!(
            "reload {pair}: held, the sweep would remove {candidates} of {live} keys; confirm with `gdsn-sync reload confirm {pair}`"
        ),
    }
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
    open_data_store(&args.data_dir)
        .map_err(|e| crate::api_client::explain_in_use(e, &args.data_dir))
        .with_context(|| format!("opening the store in {}", args.data_dir.join("store").display()))
}

/// Opens the store of `data_dir` (`DATA/store`), as the CLI and the daemon
/// do, and then, holding it, removes the archive files of messages a
/// killed or cut-off run never finished (their senders deliver them
/// again): only the store's holder may, no other process can be writing one.
pub(crate) fn open_data_store(data_dir: &std::path::Path) -> Result<Store, StoreError> {
    let store = Store::open(&data_dir.join("store"))?;
    remove_unfinished_archives(data_dir);
    Ok(store)
}

fn remove_unfinished_archives(data_dir: &std::path::Path) {
    let dir = data_dir.join("archive");
    match gdsn_store::archive::remove_unfinished(&dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, dir = %dir.display(), "removed unfinished archive files"),
        Err(e) => tracing::warn!(dir = %dir.display(), "cannot remove unfinished archive files: {e}"),
    }
}

/// Applies one message. `force` (replay) applies a message even when its
/// id was applied or quarantined before: versions still decide each item.
pub(crate) fn ingest_message(
    store: &Store,
    store_args: &StoreArgs,
    options: &IngestOptions,
    source: &Source,
    force: bool,
) -> Result<FileSummary> {
    let hash = source.hash()?;
    let sequence = if options.dry_run { store.peek_sequence()? } else { store.next_sequence()? };
    // A replayed message is archived already; a dry run keeps nothing.
    let archive = if options.dry_run || source.archived().is_some() {
        None
    } else {
        let dir = store_args.data_dir.join("archive");
        let writer = ArchiveWriter::create(&dir, sequence)
            .with_context(|| format!("creating an archive file in {}", dir.display()))?;
        Some(writer)
    };
    let input = source.open_with(|file, size| progress::counted(file, size, options.no_progress))?;
    let mut tee = Tee { inner: input, copy: archive };
    let mut run = Run::new(store, hash, sequence, options.dry_run, force);
    run.reject_unenrolled = options.reject_unenrolled;
    // A dry run plans the whole message at once: nothing is committed, so
    // a later chunk could not see an earlier one.
    let limit = if options.dry_run { usize::MAX } else { options.apply_chunk_documents.max(1) };
    // Full chunks are committed by the store's writer thread while the
    // parse goes on; every one of them is committed when this returns.
    let (parsed, applied) = store.overlapped(|feed| {
        let input = BufReader::with_capacity(64 * 1024, &mut tee);
        gdsn_xml::parse(input, &options.limits.options(), |doc| run.document(&doc, limit, feed))
    });
    run.summary.message_type = parsed.message_type;
    // After a store error (a full disk, say) sled must not be touched
    // again in this process: its trees may loop on a failed write.
    // The writer's error first: a stopped parse only follows from it.
    let applied = match (applied, run.error.take()) {
        (Err(e), _) => Err(e.into()),
        (Ok(_), Some(e)) => Err(e),
        (Ok(applied), None) => Ok(applied),
    };
    match applied {
        Ok(applied) => run.summary.add_applied(&applied),
        Err(e) => {
            if let Some(archive) = tee.copy.take() {
                archive.abandon();
            }
            return Err(e);
        }
    }
    if let Some(reason) = run.quarantine.take() {
        return quarantine(store, run, tee, &parsed, reason, source);
    }
    if run.summary.note.is_some() {
        if let Some(archive) = tee.copy.take() {
            archive.abandon();
        }
        run.summary.outbox = store.outbox_depth();
        return Ok(run.summary);
    }
    run.summary.rejected +=
        usize::from(parsed.diagnostics.iter().any(|d| d.is_error()) && run.summary.documents == 0);
    let (replies, held) = build_replies(options, &parsed, &run);
    run.summary.replies = options.recipient_gln.as_ref().map(|_| replies.len());
    if options.dry_run {
        run.plan_only()?;
        for (kind, message_id, receiver, _) in &replies {
            println!("would queue {kind} {message_id} to {receiver}");
        }
        run.summary.note = Some("dry run: nothing written");
    } else {
        let archived = match (tee.copy.take(), source.archived()) {
            (Some(archive), _) => archive.finish(run.hash).context("finishing the archive file")?,
            (None, Some(name)) => name.to_owned(),
            (None, None) => anyhow::bail!("no archive for an applied message"),
        };
        finish_message(store, &parsed, &mut run, archived, replies, held, options.connection.clone())?;
        run.summary.reload_pairs = run.reload.keys().cloned().collect();
    }
    run.summary.outbox = store.outbox_depth();
    Ok(run.summary)
}

/// Sets a message aside: the same sender and id as an applied message,
/// with other content. Its bytes are archived in full (the parse stopped
/// at its first document) so `replay` can apply it later.
fn quarantine(
    store: &Store,
    mut run: Run<'_>,
    mut tee: Tee,
    parsed: &Summary,
    reason: &'static str,
    source: &Source,
) -> Result<FileSummary> {
    let archived = match tee.copy.take() {
        Some(mut archive) => {
            io::copy(&mut tee.inner, &mut archive).context("archiving a quarantined message")?;
            Some(archive.finish(run.hash).context("finishing the archive file")?)
        }
        None => source.archived().map(str::to_owned),
    };
    let env = parsed.envelope.as_ref();
    let sender = env.and_then(|e| e.sender.as_deref()).unwrap_or_default();
    let id = env.and_then(|e| e.instance_identifier.as_deref()).unwrap_or_default();
    if !run.dry_run {
        store.quarantine(sender, id, reason, archived.as_deref())?;
        store.flush()?;
    }
    run.summary.note = Some("quarantined: same message id, other content");
    run.summary.outbox = store.outbox_depth();
    Ok(run.summary)
}

/// Makes an applied message durable: the archive file is already final
/// and fsynced; one transaction with the last chunk, the message record,
/// its replies and its reload marks, then a flush. Only after this may the
/// message be acknowledged.
fn finish_message(
    store: &Store,
    parsed: &Summary,
    run: &mut Run<'_>,
    archived: String,
    replies: Vec<Reply>,
    held: Vec<Held>,
    connection: Option<String>,
) -> Result<()> {
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
        held,
        connection,
        enrolment_responses: std::mem::take(&mut run.enrol_responses),
    };
    let outcome = store.apply_last(&run.chunk, &finish)?;
    run.chunk.clear();
    run.count(&outcome);
    store.flush()?;
    Ok(())
}

/// Copies every byte the parser reads into the archive (none in a dry run
/// or a replay).
struct Tee {
    inner: Box<dyn Read>,
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
/// A reply to queue: (kind, message id, receiver, XML).
type Reply = (String, String, String, String);

/// A reply held until the message's changes are published, with its keys.
type Held = (String, String, String, String, Vec<String>);

fn build_replies(args: &IngestOptions, parsed: &Summary, run: &Run<'_>) -> (Vec<Reply>, Vec<Held>) {
    let (Some(recipient_gln), Some(sbdh)) = (args.recipient_gln.as_deref(), parsed.envelope.as_ref()) else {
        return (Vec::new(), Vec::new());
    };
    let ctx =
        replies::ReplyContext { recipient_gln, sbdh, sequence: run.sequence, now: now(), kind_suffix: "" };
    let held = match replies::synchronised(&ctx, &run.replies) {
        Ok(Some(((kind, message_id, receiver, xml), keys))) => {
            vec![(kind.to_owned(), message_id, receiver, xml, keys)]
        }
        Ok(None) => Vec::new(),
        Err(e) => {
            eprintln!("warning: reply not built: {e}");
            Vec::new()
        }
    };
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
    (built, held)
}

fn now() -> Timestamp {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
    Timestamp::from_unix_nanos(nanos).unwrap_or(Timestamp::UNIX_EPOCH)
}
