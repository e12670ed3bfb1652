//! [`BlockingSink`]: the async [`OpenSearchSink`] behind the blocking
//! [`gdsn_sink::Sink`] trait, so `gdsn_publish::drain` can feed a cluster.
//!
//! **Which runtime drives it.** Two ways, both supported:
//! - [`BlockingSink::with_handle`]: the daemon's runtime. The daemon runs
//!   `drain` on a blocking thread (`tokio::task::spawn_blocking`), where
//!   `Handle::block_on` is allowed; the requests then run on the daemon's
//!   worker threads and share its connection pool. The runtime must be
//!   multi-threaded: a current-thread runtime's IO driver only runs inside
//!   its own `Runtime::block_on`, so a `Handle::block_on` from another
//!   thread would wait forever.
//! - [`BlockingSink::with_own_runtime`]: a small current-thread runtime of
//!   its own, for the command line, which has no runtime. One thread is
//!   enough: a batch's bulk requests are IO-bound and their concurrency
//!   comes from tasks, not threads.
//!
//! Either way, never call it from async code (inside a task): blocking a
//! worker thread on a future stalls the runtime, and tokio panics on a
//! nested `block_on`.
//!
//! **The alias comes first.** Writes go to the alias with
//! `require_alias=true`, so on a new cluster every item would come back
//! "retry" until the alias exists. Before its first publish (and again
//! after any failure, in case the alias was removed meanwhile) the adapter
//! runs [`OpenSearchSink::ensure_ready`]; building one touches no network,
//! so a daemon can start while the cluster is down.

use std::future::Future;

use gdsn_sink::{Ack, Change, Health, Sink, SinkError};
use tokio::runtime::{Handle, Runtime};

use crate::sink::OpenSearchSink;

/// The runtime a [`BlockingSink`] blocks on.
enum Driver {
    /// Someone else's multi-threaded runtime (the daemon's).
    Handle(Handle),
    /// A current-thread runtime owned by the adapter (the CLI).
    Owned(Runtime),
}

/// An [`OpenSearchSink`] usable as a blocking [`gdsn_sink::Sink`]. See the
/// module docs for which runtime to give it.
pub struct BlockingSink {
    sink: OpenSearchSink,
    driver: Driver,
    /// Whether the alias was found or created since the last failure.
    ready: bool,
}

impl std::fmt::Debug for BlockingSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let driver = match self.driver {
            Driver::Handle(_) => "handle",
            Driver::Owned(_) => "owned current-thread runtime",
        };
        f.debug_struct("BlockingSink")
            .field("sink", &self.sink)
            .field("driver", &driver)
            .field("ready", &self.ready)
            .finish()
    }
}

impl BlockingSink {
    /// Drives `sink` on the runtime behind `handle`, which must be
    /// multi-threaded; call the `Sink` methods from a blocking thread
    /// (`spawn_blocking` or a plain thread), never from a task.
    pub fn with_handle(sink: OpenSearchSink, handle: Handle) -> Self {
        BlockingSink { sink, driver: Driver::Handle(handle), ready: false }
    }

    /// Drives `sink` on a current-thread runtime of its own (IO and time
    /// enabled). Fails only when the runtime cannot be built (no file
    /// descriptors for its IO driver).
    pub fn with_own_runtime(sink: OpenSearchSink) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(BlockingSink { sink, driver: Driver::Owned(runtime), ready: false })
    }

    /// The async sink, for the calls the `Sink` trait does not have (the
    /// reindex primitives); run them with [`BlockingSink::block_on`].
    pub fn sink(&self) -> &OpenSearchSink {
        &self.sink
    }

    /// Runs `future` to completion on this adapter's runtime. Same rule as
    /// the `Sink` methods: from a blocking thread only.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.driver {
            Driver::Handle(handle) => handle.block_on(future),
            Driver::Owned(runtime) => runtime.block_on(future),
        }
    }

    /// Makes sure the alias exists (once, until the next failure).
    fn ensure_alias(&mut self) -> Result<(), String> {
        if self.ready {
            return Ok(());
        }
        let sink = &self.sink;
        self.block_on(sink.ensure_ready()).map_err(|e| format!("alias {}: {e}", sink.alias()))?;
        self.ready = true;
        Ok(())
    }
}

impl Sink for BlockingSink {
    fn publish(&mut self, batch: &[Change]) -> Result<Ack, SinkError> {
        self.ensure_alias().map_err(|reason| SinkError::Unavailable { reason, retry_after_secs: None })?;
        let sink = &self.sink;
        let result = self.block_on(sink.publish(batch));
        if result.is_err() {
            // A missing alias shows up as items to retry: check it again
            // before the next attempt.
            self.ready = false;
        }
        result
    }

    fn health(&mut self) -> Health {
        if let Err(reason) = self.ensure_alias() {
            return Health::Unavailable(reason);
        }
        let sink = &self.sink;
        self.block_on(sink.health())
    }
}
