//! The typed configuration: what the daemon and the libraries read, after every check.
//!
//! Nothing here is optional by accident: defaults are filled in, paths are absolute, secrets are
//! resolved, schedules are parsed. Holding a [`Config`] means the file was valid (rust-analyzer's
//! "function preconditions"); the fields are public for reading and for tests that adjust one setting
//! (a listener on port 0), and the types have no constructor outside validation.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use gdsn_model::ids::{Gln, TargetMarket};
use url::Url;

use crate::auth::HttpAuth;
use crate::choices::{LogFormat, ReadAccess};
use crate::connection::{Connection, Timeouts};
use crate::token::TokenHash;

/// A validated gdsn-sync configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The file it was read from, as the caller named it; `None` for the embedded defaults.
    pub source: Option<PathBuf>,
    /// Absolute data directory: store, archive, embedded index, default drop-folder bookkeeping.
    pub data_dir: PathBuf,
    /// Our GLN, the sender of replies; `None` means no replies are built.
    pub recipient_gln: Option<Gln>,
    /// Store settings.
    pub store: StoreSettings,
    /// The HTTP listener.
    pub http: HttpSettings,
    /// Log output.
    pub logging: LogSettings,
    /// Pipeline bounds.
    pub pipeline: PipelineSettings,
    /// The search index fed by the publisher.
    pub sink: SinkSettings,
    /// The publisher.
    pub publisher: PublisherSettings,
    /// Defaults for enrolment.
    pub enrolment: EnrolmentDefaults,
    /// The data pool connections, in file order, with unique names.
    pub connections: Vec<Connection>,
}

impl Config {
    /// The connection called `name`.
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|connection| connection.name == name)
    }
}

/// Store settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoreSettings {
    /// Documents per store transaction.
    pub apply_chunk_documents: usize,
    /// Quiet time after which the daemon closes a reload session.
    pub reload_quiet: Duration,
    /// Largest share of a pair's keys a sweep may remove unconfirmed, in `(0, 1]`.
    pub max_sweep_fraction: f64,
    /// Answer REJECTED to documents of providers that are not enrolled.
    pub reject_unenrolled: bool,
}

/// The HTTP listener and its access rules.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpSettings {
    /// The one listen address.
    pub listen: SocketAddr,
    /// Hash of the admin token; `None` disables the admin endpoints.
    pub admin_token: Option<TokenHash>,
    /// Who may call the read endpoints.
    pub read_access: ReadAccess,
    /// Hash of the read-only token.
    pub read_token: Option<TokenHash>,
    /// A connection without a successful poll for this long makes `/readyz` fail.
    pub readiness_stale: Duration,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Largest API request body.
    pub max_request_body_bytes: u64,
}

impl HttpSettings {
    /// Whether a request with this bearer token (if any) may call an admin endpoint.
    pub fn allows_admin(&self, bearer: Option<&str>) -> bool {
        matches!((&self.admin_token, bearer), (Some(hash), Some(token)) if hash.verify(token))
    }

    /// Whether a request with this bearer token (if any) may call a read endpoint.
    pub fn allows_read(&self, bearer: Option<&str>) -> bool {
        match self.read_access {
            ReadAccess::Public => true,
            ReadAccess::Token => {
                let read =
                    matches!((&self.read_token, bearer), (Some(hash), Some(token)) if hash.verify(token));
                read || self.allows_admin(bearer)
            }
        }
    }
}

/// Log output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogSettings {
    /// Human or JSON lines.
    pub format: LogFormat,
    /// The filter, in `RUST_LOG` syntax (checked: levels and targets only).
    pub level: String,
}

/// Pipeline bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineSettings {
    /// Capacity of each bounded queue.
    pub queue_capacity: usize,
    /// Parses at the same time.
    pub parse_workers: usize,
    /// How long shutdown waits for work in progress.
    pub drain_deadline: Duration,
}

/// The search index the publisher feeds.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SinkSettings {
    /// The embedded tantivy index.
    Embedded(EmbeddedIndex),
    /// An OpenSearch/Elasticsearch cluster (boxed: it is much larger than the embedded settings).
    OpenSearch(Box<OpenSearchSink>),
}

/// The embedded tantivy index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmbeddedIndex {
    /// Absolute directory of the index.
    pub dir: PathBuf,
    /// Index writer memory budget.
    pub writer_memory_bytes: u64,
}

/// An OpenSearch/Elasticsearch cluster.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenSearchSink {
    /// The cluster URL, ending in `/`.
    pub url: Url,
    /// The alias written through.
    pub alias: String,
    /// Authentication (none, basic, bearer, API key or mTLS).
    pub auth: HttpAuth,
    /// Largest `_bulk` body.
    pub max_bulk_bytes: u64,
    /// `_bulk` requests in flight.
    pub concurrency: usize,
    /// Request time limits.
    pub timeouts: Timeouts,
}

/// The publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublisherSettings {
    /// Outbox entries per batch.
    pub batch_size: usize,
    /// Time between index commits.
    pub commit_interval: Duration,
    /// Retry backoff.
    pub retry: RetrySettings,
}

/// Exponential backoff bounds (full jitter is applied by `gdsn_schedule::Backoff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetrySettings {
    /// Ceiling of the first retry.
    pub initial: Duration,
    /// Largest ceiling.
    pub max: Duration,
}

/// Defaults for enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrolmentDefaults {
    /// Connection used when none is given; `None` when there is no obvious one.
    pub connection: Option<String>,
    /// Target markets used when none is given.
    pub target_markets: Vec<TargetMarket>,
    /// Send an RFCIN with each new subscription.
    pub request_reload: bool,
}
