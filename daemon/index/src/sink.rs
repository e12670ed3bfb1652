//! The write side: [`IndexSink`], the default sink of the publisher.
//!
//! One publish is one tantivy commit. Changes are staged in the writer
//! after the version guard, then committed together with the batch's
//! highest outbox sequence in the commit payload, so the index and its
//! resume point are durable in the same fsync: after a crash the index
//! holds exactly the batches up to [`IndexSink::last_seq`], and the
//! publisher resumes after it (a batch replayed over itself is harmless,
//! see the version guard).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use gdsn_sink::{Ack, Change, Health, Op, SinkError};
use tantivy::directory::error::LockError;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError, Term};

use crate::document::{document_of, tombstone};
use crate::error::IndexError;
use crate::open::{self, Payload};
use crate::read::count_live;
use crate::schema::Fields;
use crate::versions::VersionLookup;

/// Tuning of the index writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinkOptions {
    /// Indexing threads (tantivy uses at most 8).
    pub writer_threads: usize,
    /// The writer's memory budget in bytes, shared by its threads; tantivy
    /// wants at least 15 MB per thread and flushes a segment when a
    /// thread's share is full.
    pub writer_memory_bytes: usize,
}

impl Default for SinkOptions {
    /// One thread (the daemon shares two cores with parsing and the
    /// store) and 64 MiB.
    fn default() -> SinkOptions {
        SinkOptions { writer_threads: 1, writer_memory_bytes: 64 << 20 }
    }
}

/// The index writer of one generation: publishes change batches and
/// answers health probes. Holds tantivy's writer lock while it lives.
pub struct IndexSink {
    path: PathBuf,
    index: Index,
    fields: Fields,
    options: SinkOptions,
    /// `None` after a failed write: the next call opens a fresh writer, so
    /// nothing half-staged is ever committed.
    writer: Option<IndexWriter>,
    /// Manual reloads: the version guard reads committed state only.
    reader: IndexReader,
    /// The reader may miss the last commit; reload before reading versions.
    stale_reader: bool,
    last_seq: Option<u64>,
}

/// What staging a batch found.
#[derive(Default)]
struct Staged {
    ack: Ack,
    rejected: BTreeMap<u64, String>,
    max_seq: u64,
}

impl IndexSink {
    /// Opens the index in `path`, creating the directory and an empty index
    /// when there is none. Fails with [`IndexError::Locked`] while another
    /// writer holds it. The daemon opens its sink through
    /// [`crate::IndexDir::open_sink`], which picks the current generation.
    pub fn open(path: &Path, options: SinkOptions) -> Result<IndexSink, IndexError> {
        std::fs::create_dir_all(path).map_err(|e| IndexError::io(path, e))?;
        IndexSink::open_with(path, options, true)
    }

    /// Opens the index in `path`, which must exist.
    pub(crate) fn open_existing(path: &Path, options: SinkOptions) -> Result<IndexSink, IndexError> {
        IndexSink::open_with(path, options, false)
    }

    fn open_with(path: &Path, options: SinkOptions, create: bool) -> Result<IndexSink, IndexError> {
        let (index, fields) = open::index(path, create)?;
        let last_seq = open::last_seq(&index, path)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let mut sink = IndexSink {
            path: path.to_owned(),
            index,
            fields,
            options,
            writer: None,
            reader,
            stale_reader: false,
            last_seq,
        };
        // Take the lock now: a second writer must fail at open, not at its
        // first publish.
        sink.writer()?;
        Ok(sink)
    }

    /// The generation directory this sink writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The highest outbox sequence of any committed batch (`None` before
    /// the first): the publisher resumes after it.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Live (not deleted) documents as of the last commit.
    pub fn count_live(&self) -> Result<u64, IndexError> {
        count_live(&self.reader.searcher(), &self.fields)
    }

    /// Applies `batch` under the version guard and commits it, with the
    /// highest `seq` seen so far, in one commit.
    ///
    /// Per change: a version lower than or equal to the one the index holds
    /// for the key (live or tombstone) is ignored (`already_newer`); a
    /// higher one replaces the key's document, an upsert with the record,
    /// a delete with a tombstone. Records that cannot be indexed are
    /// rejected in a [`SinkError::Partial`] (the rest is committed); any
    /// write or commit failure is [`SinkError::Unavailable`] with nothing
    /// of the batch committed. An empty batch commits nothing.
    pub fn publish(&mut self, batch: &[Change]) -> Result<Ack, SinkError> {
        if batch.is_empty() {
            return Ok(Ack::default());
        }
        let staged = self.stage(batch).and_then(|staged| {
            self.commit(Some(staged.max_seq))?;
            Ok(staged)
        });
        match staged {
            Ok(Staged { ack, rejected, .. }) if rejected.is_empty() => Ok(ack),
            Ok(Staged { ack, rejected, .. }) => Err(SinkError::Partial { ack, retry: Vec::new(), rejected }),
            Err(e) => {
                self.discard_writer();
                Err(SinkError::Unavailable { reason: e.to_string(), retry_after_secs: None })
            }
        }
    }

    /// Records `seq` as published without any change (a rebuild that
    /// loaded a store snapshot taken at outbox sequence `seq`). Never moves
    /// backwards.
    pub fn advance_last_seq(&mut self, seq: u64) -> Result<(), SinkError> {
        self.commit(Some(seq)).map_err(|e| {
            self.discard_writer();
            SinkError::Unavailable { reason: e.to_string(), retry_after_secs: None }
        })
    }

    /// A probe that does what a publish does, without changes: reads
    /// versions through a reloaded reader and commits (same payload), so a
    /// dead writer thread, a full or read-only disk, or a lost lock shows.
    pub fn health(&mut self) -> Health {
        let probe = self.versions().and_then(|lookup| {
            lookup.version("")?;
            self.commit(None)
        });
        match probe {
            Ok(()) => Health::Ready,
            Err(e) => {
                self.discard_writer();
                Health::Unavailable(e.to_string())
            }
        }
    }

    /// Stages every change of `batch` in the writer.
    fn stage(&mut self, batch: &[Change]) -> Result<Staged, IndexError> {
        let lookup = self.versions()?;
        let fields = self.fields;
        let writer = self.writer()?;
        let mut staged = Staged::default();
        // Versions written earlier in this batch, which the reader cannot see.
        let mut written: HashMap<&str, u64> = HashMap::new();
        for change in batch {
            staged.max_seq = staged.max_seq.max(change.seq);
            let held = match written.get(change.key.as_str()) {
                Some(&v) => Some(v),
                None => lookup.version(&change.key)?,
            };
            if held.is_some_and(|h| change.version <= h) {
                staged.ack.already_newer += 1;
                continue;
            }
            let doc = match &change.op {
                Op::Upsert(record) => match document_of(&fields, &change.key, change.version, record) {
                    Ok(doc) => doc,
                    Err(e) => {
                        staged.rejected.insert(change.seq, e.to_string());
                        continue;
                    }
                },
                Op::Delete => tombstone(&fields, &change.key, change.version),
            };
            // A key the index never held needs no delete: skipping it keeps
            // a first load as cheap as plain indexing.
            if held.is_some() {
                writer.delete_term(Term::from_field_text(fields.key, &change.key));
            }
            writer.add_document(doc)?;
            written.insert(&change.key, change.version);
            staged.ack.applied += 1;
        }
        Ok(staged)
    }

    /// Commits what is staged. `seq` raises the recorded last sequence;
    /// `None` keeps the payload as it is.
    fn commit(&mut self, seq: Option<u64>) -> Result<(), IndexError> {
        let last_seq = match (self.last_seq, seq) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        if let Some(last_seq) = last_seq {
            prepared.set_payload(&Payload { last_seq }.to_json());
        }
        prepared.commit()?;
        self.last_seq = last_seq;
        // The commit is durable whatever the reload does; a failed reload
        // is retried before the next read of versions.
        self.stale_reader = self.reader.reload().is_err();
        Ok(())
    }

    /// The version lookup over committed state.
    fn versions(&mut self) -> Result<VersionLookup, IndexError> {
        if self.stale_reader {
            self.reader.reload()?;
            self.stale_reader = false;
        }
        VersionLookup::new(self.reader.searcher(), self.fields)
    }

    /// The writer, opened again after a failure.
    fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
        let writer = match self.writer.take() {
            Some(writer) => writer,
            None => self
                .index
                .writer_with_num_threads(self.options.writer_threads.max(1), self.options.writer_memory_bytes)
                .map_err(|e| match e {
                    TantivyError::LockFailure(LockError::LockBusy, _) => {
                        IndexError::Locked { path: self.path.clone() }
                    }
                    e => IndexError::Tantivy(e),
                })?,
        };
        Ok(self.writer.insert(writer))
    }

    /// Drops the writer and whatever it had staged (tantivy discards
    /// uncommitted documents on drop); the next call reopens it.
    fn discard_writer(&mut self) {
        self.writer = None;
        self.stale_reader = true;
    }
}

impl gdsn_sink::Sink for IndexSink {
    fn publish(&mut self, batch: &[Change]) -> Result<Ack, SinkError> {
        IndexSink::publish(self, batch)
    }

    fn health(&mut self) -> Health {
        IndexSink::health(self)
    }

    fn last_seq(&self) -> Option<u64> {
        IndexSink::last_seq(self)
    }
}
