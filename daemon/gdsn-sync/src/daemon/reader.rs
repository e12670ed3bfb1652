//! The daemon's read side of the embedded index, shared by the JSON read
//! API and the product page.
//!
//! One [`SearchHandle`] serves every request under a read lock. The
//! publisher calls [`Reader::published`] after each drain and a reindex
//! after its switch; the next request then reloads the handle (tantivy's
//! reader picks up the commit, or a switched generation) before it reads,
//! so what the publisher acknowledged is what the next request sees. The
//! handle opens lazily: before the first publish there is no index.
//!
//! Every method blocks (tantivy reads files): call it from a blocking
//! thread, as `http::on_reader` does.

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use gdsn_config::{Config, SinkSettings};
use gdsn_index::{IndexDir, SearchHandle, SearchRequest, SearchResponse};
use gdsn_model::ids::Gtin;
use serde_json::Value;

/// Why a read could not be answered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    /// The sink is a cluster: its consumers query it directly.
    #[error("this daemon publishes to {0}; query the cluster there")]
    Cluster(String),
    /// Nothing was published yet.
    #[error("nothing has been published to the index yet")]
    NotPublished,
    /// The index could not be read.
    #[error("reading the index: {0}")]
    Index(#[from] gdsn_index::IndexError),
}

/// The shared read handle.
pub(crate) struct Reader {
    source: Source,
    handle: RwLock<Option<SearchHandle>>,
    /// Set by a publish or a switch: reload before the next read.
    stale: AtomicBool,
    /// Searches running at once: one core fewer than the machine has, so a
    /// burst of searches (each computes facets over every match) always
    /// leaves a core for lookups, whose latency is the one officers feel.
    search_slots: tokio::sync::Semaphore,
}

enum Source {
    Embedded(IndexDir),
    Cluster(String),
}

impl Reader {
    pub(crate) fn new(config: &Config) -> Reader {
        let source = match &config.sink {
            SinkSettings::Embedded(embedded) => Source::Embedded(IndexDir::new(embedded.dir.clone())),
            _ => Source::Cluster(crate::sinks::sink_name(config)),
        };
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let search_slots = tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1));
        Reader { source, handle: RwLock::new(None), stale: AtomicBool::new(true), search_slots }
    }

    /// Waits for a search slot; hold it until the search is done.
    pub(crate) async fn search_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The semaphore is never closed: `None` cannot happen, and a search
        // without a slot is still correct, only less polite.
        self.search_slots.acquire().await.ok()
    }

    /// Something was committed or switched: the next read reloads.
    pub(crate) fn published(&self) {
        self.stale.store(true, Ordering::Release);
    }

    /// Every live record of `gtin`, optionally in one target market.
    pub(crate) fn lookup(&self, gtin: Gtin, market: Option<&str>) -> Result<Vec<Value>, ReadError> {
        self.with(|handle| handle.lookup(gtin, market))
    }

    /// A full-text search page.
    pub(crate) fn search(&self, request: &SearchRequest) -> Result<SearchResponse, ReadError> {
        self.with(|handle| handle.search(request))
    }

    /// Live documents in the index.
    pub(crate) fn count_live(&self) -> Result<u64, ReadError> {
        self.with(SearchHandle::count_live)
    }

    fn with<T>(
        &self,
        read: impl FnOnce(&SearchHandle) -> Result<T, gdsn_index::IndexError>,
    ) -> Result<T, ReadError> {
        let dir = match &self.source {
            Source::Embedded(dir) => dir,
            Source::Cluster(name) => return Err(ReadError::Cluster(name.clone())),
        };
        if self.stale.swap(false, Ordering::AcqRel)
            && let Err(e) = self.refresh(dir)
        {
            // Try again on the next read.
            self.stale.store(true, Ordering::Release);
            return Err(e);
        }
        let slot = self.handle.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        match slot.as_ref() {
            Some(handle) => Ok(read(handle)?),
            None => Err(ReadError::NotPublished),
        }
    }
}

impl Reader {
    /// Picks up a publish under the read lock, so requests in flight keep
    /// reading meanwhile (a write lock here made every reload a pause for all
    /// readers: lookups' p99 under ingest); only a switched generation, or
    /// the first open, takes the write lock.
    fn refresh(&self, dir: &IndexDir) -> Result<(), ReadError> {
        {
            let slot = self.handle.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(handle) = slot.as_ref()
                && handle.refresh()?
            {
                return Ok(());
            }
        }
        let mut slot = self.handle.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let reopened = match slot.take() {
            Some(mut handle) => handle.reload().map(|()| handle).map_err(ReadError::from),
            None => open(dir),
        };
        *slot = Some(reopened?);
        Ok(())
    }
}

/// Opens the current generation; `NotPublished` when there is none yet.
fn open(dir: &IndexDir) -> Result<SearchHandle, ReadError> {
    match dir.current()? {
        None => Err(ReadError::NotPublished),
        Some(_) => Ok(dir.open_reader()?),
    }
}
