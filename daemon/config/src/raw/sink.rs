//! `[sink]` as written: a `kind` and one sub-table per kind, like connections (see there why).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use super::auth::RawHttpAuth;
use super::connection::RawTimeouts;
use crate::bytesize::ByteSize;
use crate::choices::SinkKind;

/// The search index the publisher feeds.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSink {
    /// `embedded` or `opensearch`. Default: `embedded`.
    pub kind: Option<SinkKind>,
    /// Settings of the embedded index (`embedded` only).
    pub embedded: Option<RawEmbeddedIndex>,
    /// Settings of the OpenSearch/Elasticsearch sink (required for `opensearch`).
    pub opensearch: Option<RawOpenSearch>,
}

/// The embedded tantivy index.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEmbeddedIndex {
    /// Directory of the index. Default: `DATA_DIR/index`.
    pub dir: Option<PathBuf>,
    /// Memory the index writer may use before it flushes a segment. At least `"16 MiB"`.
    /// Default: `"64 MiB"`.
    pub writer_memory_bytes: Option<ByteSize>,
}

/// An OpenSearch (2.x, 3.x) or Elasticsearch (8.x) cluster.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOpenSearch {
    /// URL of the cluster (`https://`, or `http://` for a local test node), without an index name.
    pub url: String,
    /// Alias that readers use and writes go through; reindexing swaps it to a new index atomically.
    /// Lower case, no `\ / * ? " < > | , #` or spaces, not starting with `_`, `-` or `+`.
    pub alias: String,
    /// How requests authenticate: `none`, `basic`, `bearer`, `api_key` (for Elasticsearch API keys:
    /// `header = "Authorization"`, `prefix = "ApiKey "`) or `mtls`. Default: `{ kind = "none" }`.
    pub auth: Option<RawHttpAuth>,
    /// Largest `_bulk` request body; a batch is split to stay below it. At least `"64 KiB"`.
    /// Default: `"5 MiB"`.
    pub max_bulk_bytes: Option<ByteSize>,
    /// `_bulk` requests in flight at once. 1 to 64. Default: 2.
    pub concurrency: Option<u32>,
    /// Request time limits.
    pub timeouts: Option<RawTimeouts>,
}
