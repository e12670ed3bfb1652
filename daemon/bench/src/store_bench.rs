//! The store benchmark's workloads: a generated catalogue applied to the
//! sled store exactly as `gdsn-sync ingest` applies it, and the serial bound
//! it is compared with (the parser's own cost plus raw sled reads and
//! writes of the same keys and values, see [`raw`]).
//!
//! A scenario is one message, read from a file through a 64 KiB buffer:
//! `gdsn_xml::parse`, then for each accepted CIN document
//! `gdsn_diff::incoming::from_records` (normalized JSON and content hash),
//! grouped in chunks of whole documents, one sled transaction per chunk
//! committed by the store's writer thread while the parse goes on
//! ([`Store::overlapped`], as `ingest` does; the last chunk on the calling
//! thread), and one [`Store::flush`] at the end. What
//! `ingest` does around that (message hash, archive, replies, reload
//! marks) is not part of it.

pub mod raw;

use std::error::Error;
use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gdsn_diff::Incoming;
use gdsn_diff::incoming::from_records;
use gdsn_model::message::Document;
use gdsn_store::{Feed, Store};
use gdsn_xml::{ParseOptions, ParsedDocument};

use crate::measure::{self, ParseStats};
use crate::{CinGenerator, GeneratorConfig};

/// Errors of the benchmark: IO, the store, or a broken expectation.
pub type BenchError = Box<dyn Error>;

/// Read buffer of every pass, as `ingest` uses.
pub const READ_BUFFER: usize = 64 * 1024;

/// One generated message written to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Documents in it.
    pub documents: usize,
    /// Trade items in it (the records the parser produces).
    pub items: usize,
    /// Trade items revised by [`CinGenerator::change_every`].
    pub changed_items: usize,
}

/// Writes the message of `config`, revising every `change_every`-th trade
/// item (0: none), to `path`, and syncs it.
pub fn write_message(
    path: &Path,
    config: GeneratorConfig,
    change_every: usize,
) -> Result<Message, BenchError> {
    let mut generator = CinGenerator::new(config).change_every(change_every);
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut writer = BufWriter::with_capacity(READ_BUFFER, file);
    let bytes = io::copy(&mut generator, &mut writer)?;
    // On disk before anything is timed: the kernel's write-back of a
    // gigabyte of dirty pages would otherwise run during the first pass.
    writer.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
    Ok(Message {
        path: path.to_owned(),
        bytes,
        documents: generator.documents(),
        items: generator.trade_items(),
        changed_items: generator.changed_items(),
    })
}

/// What one message did to the store, and how long it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StorePass {
    /// Wall time from the first byte read to the end of the flush.
    pub seconds: f64,
    /// CPU time of the process (every thread: parser, store writer, sled's
    /// flusher) over the same span.
    pub cpu_seconds: f64,
    /// Documents parsed.
    pub documents: usize,
    /// Of those, rejected (expected: 0).
    pub rejected: usize,
    /// Store transactions (chunks applied).
    pub transactions: usize,
    /// Changes planned as `Added`.
    pub added: usize,
    /// Changes planned as `Updated`.
    pub updated: usize,
    /// Changes planned as `Unchanged`.
    pub unchanged: usize,
    /// Changes planned as `Stale` or `Removed` (expected: 0).
    pub other: usize,
    /// Effects written (`ApplyOutcome::writes`).
    pub writes: usize,
}

impl StorePass {
    /// Changes planned, of any kind: one per item of the message.
    pub fn changes(&self) -> usize {
        self.added + self.updated + self.unchanged + self.other
    }
}

/// Applies the message at `path` to `store` as `ingest` does, in chunks of
/// `chunk_documents` documents, under a new arrival sequence, then flushes:
/// the parse runs on this thread while the store's writer thread commits
/// the full chunks ([`Store::overlapped`]), as in `ingest`.
pub fn apply_message(store: &Store, path: &Path, chunk_documents: usize) -> Result<StorePass, BenchError> {
    let (started, cpu) = (Instant::now(), measure::cpu_seconds());
    let reader = BufReader::with_capacity(READ_BUFFER, File::open(path)?);
    let mut parse = Parse {
        sequence: store.next_sequence()?,
        limit: chunk_documents.max(1),
        chunk: Vec::new(),
        documents: 0,
        rejected: 0,
    };
    let (summary, applied) = store.overlapped(|feed| {
        gdsn_xml::parse(reader, &ParseOptions::default(), |doc| parse.document(&doc, feed))
    });
    let mut applied = applied?;
    // The last chunk commits on this thread once the writer is done, as
    // `ingest`'s last chunk does.
    if !parse.chunk.is_empty() {
        applied.add(&store.apply(&parse.chunk)?);
    }
    store.flush()?;
    if !summary.is_clean() {
        return Err(format!("{}: the message is not clean: {:?}", path.display(), summary.diagnostics).into());
    }
    Ok(StorePass {
        seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: measure::cpu_seconds() - cpu,
        documents: parse.documents,
        rejected: parse.rejected,
        transactions: applied.chunks,
        added: applied.added,
        updated: applied.updated,
        unchanged: applied.unchanged,
        other: applied.stale + applied.removed,
        writes: applied.writes,
    })
}

/// The parsing side of one message: `ingest`'s `Run` without the archive,
/// the replies and the reload marks.
struct Parse {
    sequence: u64,
    limit: usize,
    chunk: Vec<Incoming>,
    documents: usize,
    rejected: usize,
}

impl Parse {
    fn document(&mut self, doc: &ParsedDocument, feed: &Feed) -> ControlFlow<()> {
        self.documents += 1;
        if !doc.accepted {
            self.rejected += 1;
            return ControlFlow::Continue(());
        }
        if let Some(Document::Cin(cin)) = &doc.document {
            let time = doc.envelope.as_deref().and_then(|e| e.creation).or(cin.header.creation);
            self.chunk.extend(from_records(&doc.records, doc.context.command, time, self.sequence));
        }
        if self.chunk.len() >= self.limit && feed.send(std::mem::take(&mut self.chunk), None).is_err() {
            // The writer failed; `overlapped` returns its error.
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// The parser's share of the bound: `gdsn_xml::parse` of the message at
/// `path` plus, for every record, its JSON into a null sink and its content
/// hash ([`measure::parse_normalize_hash`]). Returns the seconds and what
/// the parse saw.
pub fn parse_pass(path: &Path) -> Result<(f64, ParseStats), BenchError> {
    let started = Instant::now();
    let stats = measure::parse_normalize_hash(BufReader::with_capacity(READ_BUFFER, File::open(path)?));
    let seconds = started.elapsed().as_secs_f64();
    if !stats.clean || stats.json_errors > 0 {
        return Err(format!("{}: the message is not clean: {stats:?}", path.display()).into());
    }
    Ok((seconds, stats))
}

/// The sum of the sizes of the files under `dir`, recursively.
pub fn disk_bytes(dir: &Path) -> io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            total += disk_bytes(&entry.path())?;
        } else if kind.is_file() {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    /// The store keeps the JSON text `from_records` serialised once; it must
    /// be the text the former path (`serde_json::to_value`, then
    /// `to_string`) wrote, so stored records keep their bytes.
    #[test]
    fn records_serialise_as_their_json_value_did() {
        let config = GeneratorConfig { documents: Some(60), target_bytes: None, seed: 3 };
        let reader = BufReader::new(CinGenerator::new(config).change_every(7));
        let mut records = 0;
        let summary = gdsn_xml::parse(reader, &ParseOptions::default(), |doc| {
            for record in &doc.records {
                let text = serde_json::to_string(record).expect("json");
                let value = serde_json::to_value(record).expect("value");
                assert_eq!(text, value.to_string());
                records += 1;
            }
            ControlFlow::Continue(())
        });
        assert!(summary.is_clean());
        assert!(records >= 100, "{records} records");
    }
}
