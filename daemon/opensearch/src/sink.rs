//! [`OpenSearchSink`]: publishing batches through `_bulk`, and the health probe.

use std::sync::Arc;

use gdsn_sink::{Ack, Change, Health, SinkError};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::bulk::{self, Chunk};
use crate::config::{ConfigError, SinkConfig, check_index_name};
use crate::error::OpenSearchError;
use crate::http::{Http, Payload, status_error};
use crate::items::{self, Outcome};

/// The `_id` the health probe updates. It can never be an item key (those
/// are `GLN/GTIN/TM`), and the probe never creates it.
const HEALTH_PROBE_ID: &str = "gdsn-sync-health-probe";

/// The sink for one OpenSearch or Elasticsearch cluster and one alias.
///
/// Cheap to share behind an `Arc`; every method takes `&self`, and the
/// limit on bulk requests in flight holds across all callers.
#[derive(Clone)]
pub struct OpenSearchSink {
    pub(crate) http: Http,
    pub(crate) alias: String,
    pub(crate) index_body: Value,
    /// `{alias}/_bulk`, with `?require_alias=true` unless configured off.
    alias_bulk_path: String,
    max_bulk_bytes: usize,
    bulk_slots: Arc<Semaphore>,
}

impl std::fmt::Debug for OpenSearchSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSearchSink").field("alias", &self.alias).finish_non_exhaustive()
    }
}

impl OpenSearchSink {
    /// A sink for `config`. Checks the configuration and builds the HTTP
    /// client; does not touch the network (see [`OpenSearchSink::ensure_ready`]).
    pub fn new(config: SinkConfig) -> Result<Self, ConfigError> {
        let http = Http::new(&config)?;
        let index_body = match config.index_body {
            Some(body) => body,
            None => serde_json::from_str(crate::INDEX_TEMPLATE)
                .map_err(|e| ConfigError::Client(format!("built-in index template: {e}")))?,
        };
        let query = if config.require_alias { "?require_alias=true" } else { "" };
        Ok(OpenSearchSink {
            http,
            alias_bulk_path: format!("{}/_bulk{query}", config.alias),
            alias: config.alias,
            index_body,
            max_bulk_bytes: config.max_bulk_bytes,
            bulk_slots: Arc::new(Semaphore::new(config.max_concurrent_bulks)),
        })
    }

    /// The alias this sink publishes to and consumers search.
    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// Publishes `batch` to the alias: upserts and deletes with the changes'
    /// versions as external versions, in one or more `_bulk` requests.
    ///
    /// `Ok` when every change is applied or the index already held the same
    /// or a newer version. [`SinkError::Partial`] names the changes to retry
    /// (per-item 429 and 5xx, a missing or blocked index) and the ones
    /// rejected for good (mapping and parsing errors, with the item's error
    /// JSON). [`SinkError::Unavailable`] when any request failed as a whole
    /// (no connection, timeout, 429, 5xx, an unreadable answer): the batch is
    /// then retried as a whole, which the external versions make harmless.
    pub async fn publish(&self, batch: &[Change]) -> Result<Ack, SinkError> {
        // require_alias: without it a missing alias would be auto-created as
        // a concrete index with dynamic mappings, blocking the real alias.
        self.publish_at(&self.alias_bulk_path, batch).await
    }

    /// Publishes `batch` into the concrete index `index` rather than the
    /// alias, as a reindex does; same rules as [`OpenSearchSink::publish`].
    /// The index must exist: it is checked first, so a wrong name never
    /// auto-creates an index.
    pub async fn publish_to_index(&self, index: &str, batch: &[Change]) -> Result<Ack, SinkError> {
        if let Err(reason) = check_index_name(index) {
            return Err(unavailable(format!("index name {index:?}: {reason}"), None));
        }
        let exists = self.http.send(Method::HEAD, index, Payload::Empty).await.map_err(|e| from_error(&e))?;
        match exists.status {
            200 => {}
            404 => return Err(unavailable(format!("index {index} does not exist"), None)),
            _ => {
                return Err(unavailable(
                    format!("HEAD /{index}: HTTP {}", exists.status),
                    exists.retry_after_secs,
                ));
            }
        }
        self.publish_at(&format!("{index}/_bulk"), batch).await
    }

    async fn publish_at(&self, path: &str, batch: &[Change]) -> Result<Ack, SinkError> {
        if batch.is_empty() {
            return Ok(Ack::default());
        }
        let encoded = bulk::encode(batch, self.max_bulk_bytes);
        let requests = encoded.chunks.len();
        let mut outcome = self.send_chunks(path, encoded.chunks).await.inspect_err(|e| {
            tracing::warn!(path, changes = batch.len(), error = %e, "bulk publish failed");
        })?;
        outcome.rejected.extend(encoded.rejected);
        let Outcome { applied, already_newer, retry, rejected } = outcome;
        tracing::debug!(
            path,
            requests,
            applied,
            already_newer,
            retry = retry.len(),
            rejected = rejected.len()
        );
        let ack = Ack { applied, already_newer };
        if retry.is_empty() && rejected.is_empty() {
            Ok(ack)
        } else {
            Err(SinkError::Partial { ack, retry, rejected })
        }
    }

    /// Sends the bodies, at most `max_concurrent_bulks` at a time. The first
    /// whole-request failure stops the rest: the cluster is in trouble, and
    /// the caller retries the batch.
    async fn send_chunks(&self, path: &str, chunks: Vec<Chunk>) -> Result<Outcome, SinkError> {
        let mut tasks = JoinSet::new();
        for chunk in chunks {
            let (http, slots, path) = (self.http.clone(), Arc::clone(&self.bulk_slots), path.to_owned());
            tasks.spawn(async move {
                let _slot =
                    slots.acquire_owned().await.map_err(|_| unavailable("sink closed".into(), None))?;
                send_chunk(&http, &path, chunk).await
            });
        }
        let mut outcome = Outcome::default();
        while let Some(joined) = tasks.join_next().await {
            let result = joined.unwrap_or_else(|e| Err(unavailable(format!("bulk task failed: {e}"), None)));
            match result {
                Ok(part) => outcome.merge(part),
                Err(e) => {
                    tasks.abort_all();
                    return Err(e);
                }
            }
        }
        Ok(outcome)
    }

    /// Whether a publish would work now, found by doing what a publish does:
    /// a `_bulk` request to the alias, with one `update` of a document that
    /// does not exist. It goes through the same authentication, alias
    /// resolution to the write index, write blocks (read-only, flood-stage
    /// disk) and primary shard as a real batch, and writes nothing: the
    /// answer is a per-item 404 `document_missing_exception`. A `GET` of the
    /// mapping would pass on a read-only index and needs rights a writer may
    /// not have.
    pub async fn health(&self) -> Health {
        let path = &self.alias_bulk_path;
        let body = format!("{{\"update\":{{\"_id\":\"{HEALTH_PROBE_ID}\"}}}}\n{{\"doc\":{{}}}}\n");
        let reply = match self.http.send(Method::POST, path, Payload::Ndjson(body.into_bytes())).await {
            Ok(reply) => reply,
            Err(e) => return Health::Unavailable(e.to_string()),
        };
        if reply.status != 200 {
            return Health::Unavailable(status_error(format!("POST /{path}"), &reply).to_string());
        }
        health_of(&reply.body)
    }
}

/// The probe's single item: missing (or, if someone made it, updated) is healthy.
fn health_of(body: &[u8]) -> Health {
    let response: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return Health::Unavailable(format!("bulk response is not JSON: {e}")),
    };
    let Some(item) = response.pointer("/items/0/update") else {
        return Health::Unavailable("bulk response has no update item".into());
    };
    let status = item.get("status").and_then(Value::as_u64).unwrap_or(0);
    let error_type = item.pointer("/error/type").and_then(Value::as_str).unwrap_or("");
    match (status, error_type) {
        (200..=299, _) | (404, "document_missing_exception") => Health::Ready,
        _ => Health::Unavailable(format!(
            "probe item: HTTP {status}: {}",
            item.get("error").unwrap_or(&Value::Null)
        )),
    }
}

async fn send_chunk(http: &Http, path: &str, chunk: Chunk) -> Result<Outcome, SinkError> {
    let reply =
        http.send(Method::POST, path, Payload::Ndjson(chunk.body)).await.map_err(|e| from_error(&e))?;
    if reply.status != 200 {
        return Err(unavailable(
            status_error(format!("POST /{path}"), &reply).to_string(),
            reply.retry_after_secs,
        ));
    }
    items::interpret(&chunk.sent, &reply.body).map_err(|reason| unavailable(reason, None))
}

fn unavailable(reason: String, retry_after_secs: Option<u64>) -> SinkError {
    SinkError::Unavailable { reason, retry_after_secs }
}

fn from_error(e: &OpenSearchError) -> SinkError {
    let retry_after_secs = match e {
        OpenSearchError::Status { retry_after_secs, .. } => *retry_after_secs,
        _ => None,
    };
    unavailable(e.to_string(), retry_after_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_from_probe_answers() {
        let missing = br#"{"errors":true,"items":[{"update":{"_id":"x","status":404,
            "error":{"type":"document_missing_exception","reason":"[x]: document missing"}}}]}"#;
        assert_eq!(health_of(missing), Health::Ready);
        let blocked = br#"{"errors":true,"items":[{"update":{"_id":"x","status":429,
            "error":{"type":"cluster_block_exception","reason":"flood stage"}}}]}"#;
        let Health::Unavailable(why) = health_of(blocked) else { panic!("blocked is unavailable") };
        assert!(why.contains("cluster_block_exception"), "{why}");
        assert!(matches!(health_of(b"{}"), Health::Unavailable(_)));
        assert!(matches!(health_of(b"nope"), Health::Unavailable(_)));
    }
}
