//! The storage share of the serial bound: the same keys and values as the
//! store sees, read and written with bare sled calls in batches of the same
//! number of documents, with nothing else (no state, links, tombstones or
//! outbox, no transaction).
//!
//! Each pass parses its message to learn the keys and values, untimed:
//! only the sled calls and the final flush are on the clock. A key is the
//! item key's text (`GLN/GTIN/TM`, as the store encodes it), a value the
//! record's JSON (`serde_json::to_vec`, the bytes the store keeps in
//! `items`).

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use gdsn_xml::{ParseOptions, ParsedDocument};

use super::{BenchError, READ_BUFFER};

/// What a pass does with each key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawMode {
    /// First load: insert every value, one `apply_batch` per chunk.
    Insert,
    /// Unchanged re-delivery: get every key.
    Get,
    /// Re-delivery with changes: get every key, compare the stored value,
    /// and insert the ones that differ, one `apply_batch` per chunk.
    Update,
}

/// What one raw pass did, and how long its sled calls took.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawPass {
    /// Seconds spent in sled calls, the final flush included.
    pub seconds: f64,
    /// Keys handled.
    pub items: usize,
    /// Keys found by a get.
    pub found: usize,
    /// Values inserted.
    pub inserted: usize,
    /// Sum of the key and value lengths of every item: the logical size.
    pub logical_bytes: u64,
}

/// Runs `mode` over the items of the message at `path` against `tree`, in
/// chunks of `chunk_documents` documents, then flushes.
pub fn raw_pass(
    tree: &sled::Tree,
    path: &Path,
    chunk_documents: usize,
    mode: RawMode,
) -> Result<RawPass, BenchError> {
    let reader = BufReader::with_capacity(READ_BUFFER, File::open(path)?);
    let mut run = RawRun {
        tree,
        mode,
        limit: chunk_documents.max(1),
        documents: 0,
        chunk: Vec::new(),
        pass: RawPass::default(),
        clock: Duration::ZERO,
        error: None,
    };
    let summary = gdsn_xml::parse(reader, &ParseOptions::default(), |doc| run.document(&doc));
    if let Some(e) = run.error.take() {
        return Err(e);
    }
    run.run_chunk()?;
    run.timed(|run| Ok(run.tree.flush().map(drop)?))?;
    if !summary.is_clean() {
        return Err(format!("{}: the message is not clean", path.display()).into());
    }
    run.pass.seconds = run.clock.as_secs_f64();
    Ok(run.pass)
}

/// One raw pass in progress.
struct RawRun<'t> {
    tree: &'t sled::Tree,
    mode: RawMode,
    limit: usize,
    /// Documents in `chunk`.
    documents: usize,
    /// (key, value) of the chunk's items, ready for sled.
    chunk: Vec<(sled::IVec, sled::IVec)>,
    pass: RawPass,
    /// Time spent in sled so far.
    clock: Duration,
    error: Option<BenchError>,
}

impl RawRun<'_> {
    fn document(&mut self, doc: &ParsedDocument) -> ControlFlow<()> {
        if let Err(e) = self.collect(doc) {
            self.error = Some(e);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// Adds the document's items to the chunk; runs the chunk when full.
    fn collect(&mut self, doc: &ParsedDocument) -> Result<(), BenchError> {
        if !doc.accepted {
            return Err(format!("document {} rejected", doc.index).into());
        }
        for record in &doc.records {
            let key = record.key().ok_or("a record without a key")?.to_string().into_bytes();
            let value = serde_json::to_vec(record)?;
            self.pass.logical_bytes += (key.len() + value.len()) as u64;
            self.chunk.push((key.into(), value.into()));
        }
        self.documents += 1;
        if self.documents >= self.limit {
            self.run_chunk()?;
        }
        Ok(())
    }

    /// Times the chunk's sled calls, then empties it (untimed).
    fn run_chunk(&mut self) -> Result<(), BenchError> {
        self.timed(RawRun::chunk)?;
        self.chunk.clear();
        self.documents = 0;
        Ok(())
    }

    /// Runs `work` with the clock running.
    fn timed(&mut self, work: impl FnOnce(&mut Self) -> Result<(), BenchError>) -> Result<(), BenchError> {
        let started = Instant::now();
        let result = work(self);
        self.clock += started.elapsed();
        result
    }

    /// The sled calls for the chunk.
    fn chunk(&mut self) -> Result<(), BenchError> {
        let mut batch = sled::Batch::default();
        let mut writes = 0;
        for (key, value) in &self.chunk {
            let write = match self.mode {
                RawMode::Insert => true,
                RawMode::Get => {
                    self.pass.found += usize::from(self.tree.get(key)?.is_some());
                    false
                }
                RawMode::Update => {
                    let stored = self.tree.get(key)?;
                    self.pass.found += usize::from(stored.is_some());
                    stored.as_ref() != Some(value)
                }
            };
            if write {
                batch.insert(key.clone(), value.clone());
                writes += 1;
            }
            self.pass.items += 1;
        }
        if writes > 0 {
            self.tree.apply_batch(batch)?;
        }
        self.pass.inserted += writes;
        Ok(())
    }
}
