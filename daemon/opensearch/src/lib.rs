//! The OpenSearch/Elasticsearch sink: publishes batches of
//! [`gdsn_sink::Change`] to a cluster through NDJSON `_bulk` over plain
//! reqwest (rustls), and manages the alias and the concrete indices behind
//! it for zero-downtime reindexing. No client crate: the protocol used is
//! small and the same on OpenSearch 2.x/3.x and Elasticsearch 7.x/8.x.
//!
//! **Design.**
//! - Consumers search one alias (`gdsn-products`); documents live in
//!   concrete indices `gdsn-products-000001`, `-000002`... created from the
//!   index template (`schemas/opensearch/index-template.json`, [`INDEX_TEMPLATE`]).
//! - A change becomes one `_bulk` action: `index` with the search document
//!   ([`search_document`]) for an upsert, `delete` for a delete; `_id` is the
//!   item key, and `version` is the change's version with
//!   `version_type=external`. A batch is split into bodies of at most
//!   `max_bulk_bytes`, sent at most `max_concurrent_bulks` at a time.
//! - Each item's result decides its fate (table in the crate README):
//!   applied, already newer (409 version conflict), retry (429, 5xx, missing
//!   or blocked index) or rejected (other 4xx, with the item's error JSON).
//!   A request that fails as a whole makes the batch
//!   [`gdsn_sink::SinkError::Unavailable`], with `Retry-After` when given.
//! - Reindex: [`OpenSearchSink::create_next_index`], fill it with
//!   [`OpenSearchSink::publish_to_index`], check it with
//!   [`OpenSearchSink::canary`], then [`OpenSearchSink::swap_alias`] in one
//!   atomic `POST /_aliases` and, later, [`OpenSearchSink::delete_index`].
//! - [`BlockingSink`] puts the async sink behind the blocking
//!   [`gdsn_sink::Sink`] trait the publisher drives, on the daemon's runtime
//!   (a `Handle`, from `spawn_blocking`) or on a current-thread runtime of
//!   its own (the CLI); it makes sure the alias exists before publishing.
//!
//! **Invariants.**
//! - The cluster never regresses a document: every write carries the store's
//!   version as an external version, so a replay, a retry, a reordering of
//!   bulk bodies or a reindex racing the live publisher all leave the newest
//!   version in place. Acknowledging a 409 is therefore safe. (Deleted
//!   documents keep their version for `index.gc_deletes`, one day in our
//!   template; an older upsert arriving later than that would come back.)
//! - A change is acknowledged only when its item says so; a response that
//!   cannot be read, or lacks an item, never acknowledges anything.
//! - A change that the servers would refuse for the whole request (an `_id`
//!   over 512 bytes, a version above `i64::MAX`, an entry larger than a bulk
//!   body) is rejected here before sending, so one bad change cannot block
//!   its batch forever.
//! - Writes to the alias use `require_alias=true`, and writes to a named
//!   index check that it exists: nothing here ever auto-creates an index.
//! - Secrets are never logged: `Debug` redacts them, their headers are
//!   marked sensitive, credentials in the URL are refused, and redirects are
//!   not followed.
//! - No panic on any input or answer; response bodies are read up to
//!   `max_response_bytes`.
//!
//! Useful for: the publisher's cluster sink, the binary's reindex command,
//! health checks. Not useful for: search itself (the lookup API builds its
//! own queries over the same fields), or talking to anything but
//! OpenSearch/Elasticsearch.

mod admin;
mod blocking;
mod bulk;
mod canary;
mod config;
mod document;
mod error;
mod http;
mod items;
mod sink;

pub use admin::{Hit, Readiness};
pub use blocking::BlockingSink;
pub use canary::CanaryFailure;
pub use config::{Auth, ConfigError, DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_RESPONSE_BYTES, SinkConfig};
pub use document::{ANALYSED_LANGUAGES, DocumentError, gtin_forms, search_document};
pub use error::OpenSearchError;
pub use sink::OpenSearchSink;

/// The built-in create-index body (settings with the analysers, mappings),
/// `schemas/opensearch/index-template.json`.
pub const INDEX_TEMPLATE: &str = include_str!("../../../schemas/opensearch/index-template.json");

#[cfg(test)]
mod template_tests;
