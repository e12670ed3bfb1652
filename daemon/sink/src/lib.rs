//! The contract between the publisher and a search index ("sink").
//!
//! The publisher drains the store's outbox into [`Change`]s and hands a
//! batch to one sink (the embedded tantivy index or an
//! OpenSearch/Elasticsearch cluster). The sink answers with an [`Ack`] or a
//! [`SinkError`] saying which changes may be retried and which never will
//! succeed. Sinks never write to the store.
//!
//! **Versions.** Every change carries the item's version as a monotonic
//! integer: the outbox sequence number of the store write that produced the
//! state being published. The store never writes an older GDSN version over
//! a newer one, so for one key a higher sequence is always newer data. A
//! sink must ignore a change whose version is lower than what it already
//! holds for the key (live or deleted); an equal version is a repeat and is
//! harmless. That makes delivery at least once safe.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One change to publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The outbox entry this change comes from (the acknowledgement unit).
    pub seq: u64,
    /// The item key, `GLN/GTIN/TM[/SUBDIVISION]`: the document id.
    pub key: String,
    /// The item's version as a monotonic integer (see the crate docs).
    pub version: u64,
    /// What to do.
    pub op: Op,
}

/// What a change does to its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "record", rename_all = "snake_case")]
pub enum Op {
    /// Insert or replace the document with this record (the normalized
    /// product record plus its `sync` object).
    Upsert(serde_json::Value),
    /// Remove the document.
    Delete,
}

/// A successful publish: every change of the batch is durable in the sink
/// (applied, or ignored because the sink already held a newer version).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ack {
    /// Changes applied.
    pub applied: usize,
    /// Changes ignored because the sink held the same or a newer version.
    pub already_newer: usize,
}

/// A publish that did not fully succeed. Changes named in neither list of
/// [`SinkError::Partial`] were acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Nothing of the batch is known to be durable; try it all again later.
    #[error("sink unavailable: {reason}")]
    Unavailable {
        /// What went wrong (connection refused, 503, commit failed, ...).
        reason: String,
        /// How long the sink asked us to wait, when it said (`Retry-After`).
        retry_after_secs: Option<u64>,
    },
    /// Some changes failed; the others are acknowledged.
    #[error("{} change(s) to retry, {} rejected", retry.len(), rejected.len())]
    Partial {
        /// The part that was acknowledged.
        ack: Ack,
        /// Sequence numbers to try again (429, 5xx per item).
        retry: Vec<u64>,
        /// Sequence numbers the sink will never accept, with its reason
        /// (a mapping error): these go to the dead-letter list.
        rejected: BTreeMap<u64, String>,
    },
}

impl SinkError {
    /// The sequence numbers of `batch` that were not acknowledged and
    /// should be retried.
    pub fn retryable<'b>(&self, batch: &'b [Change]) -> Vec<&'b Change> {
        match self {
            SinkError::Unavailable { .. } => batch.iter().collect(),
            SinkError::Partial { retry, .. } => batch.iter().filter(|c| retry.contains(&c.seq)).collect(),
        }
    }
}

/// A search index the publisher can drain the outbox into. Blocking: the
/// publisher runs on its own thread, off the async runtime (an async
/// engine client is driven through a runtime handle by its adapter).
pub trait Sink {
    /// Makes every change of `batch` durable in the index, or says which
    /// did not make it. Must honour the version rule of this crate.
    fn publish(&mut self, batch: &[Change]) -> Result<Ack, SinkError>;

    /// A probe that behaves like a real publish.
    fn health(&mut self) -> Health;

    /// The highest outbox sequence the index is known to hold durably, for
    /// a sink that records it (the embedded index does, in its commits);
    /// the publisher skips entries up to it after a crash.
    fn last_seq(&self) -> Option<u64> {
        None
    }
}

/// The health of a sink, from a probe that behaves like a real publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Ready to take a batch.
    Ready,
    /// Not ready, and why.
    Unavailable(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: u64) -> Change {
        Change { seq, key: format!("k{seq}"), version: seq, op: Op::Delete }
    }

    #[test]
    fn retryable_changes() {
        let batch = [change(1), change(2), change(3)];
        let down = SinkError::Unavailable { reason: "503".into(), retry_after_secs: Some(2) };
        assert_eq!(down.retryable(&batch).len(), 3);
        let partial = SinkError::Partial {
            ack: Ack { applied: 1, already_newer: 0 },
            retry: vec![3],
            rejected: BTreeMap::from([(2, "mapper_parsing_exception".to_string())]),
        };
        let retry: Vec<u64> = partial.retryable(&batch).iter().map(|c| c.seq).collect();
        assert_eq!(retry, [3]);
    }

    #[test]
    fn change_json_form() {
        let upsert =
            Change { seq: 7, key: "k".into(), version: 7, op: Op::Upsert(serde_json::json!({"a": 1})) };
        let text = serde_json::to_string(&upsert).expect("serializes");
        assert_eq!(text, r#"{"seq":7,"key":"k","version":7,"op":{"op":"upsert","record":{"a":1}}}"#);
        let back: Change = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, upsert);
    }
}
