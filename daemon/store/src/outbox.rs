//! The publisher's side of the outbox: read entries in sequence order,
//! drop them once the index acknowledged them, and keep what the index
//! refused for good in the dead-letter list until an operator retries it.
//!
//! An outbox entry names a key and an operation; the publisher reads the
//! record as it is *now* (the latest write) when it publishes an upsert.
//! The version a sink compares is the record's `sync.version` for an
//! upsert and the entry's own sequence (or, for a retried dead letter, the
//! sequence it was first written under) for a delete: both are store write
//! sequences, which only grow for a key.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::StoreError;
use crate::store::Store;

/// What an outbox entry asks of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOp {
    /// Insert or replace the key's document with its current record.
    Upsert,
    /// Remove the key's document.
    Delete,
}

/// One outbox entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Its sequence number (the acknowledgement unit).
    pub seq: u64,
    /// The item key, text form.
    pub key: String,
    /// What to do.
    pub op: OutboxOp,
    /// The write sequence a delete carries as its version.
    pub delete_version: u64,
    /// When the write was applied (RFC 3339), for the publish lag.
    pub applied_at: Option<String>,
}

/// A change the index refused for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The outbox sequence it had.
    pub seq: u64,
    /// The item key.
    pub key: String,
    /// `upsert` or `delete`.
    pub op: String,
    /// The index's reason.
    pub reason: String,
}

impl Store {
    /// Up to `max` outbox entries, oldest first.
    pub fn outbox_batch(&self, max: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut batch = Vec::new();
        for entry in self.outbox.iter().take(max) {
            let (seq, value) = entry?;
            let seq = decode_seq(&seq)?;
            let v: Value = serde_json::from_slice(&value).map_err(|_| corrupt(seq))?;
            let op = match v["op"].as_str() {
                Some("upsert") => OutboxOp::Upsert,
                Some("delete") => OutboxOp::Delete,
                _ => return Err(corrupt(seq)),
            };
            batch.push(OutboxEntry {
                seq,
                key: v["key"].as_str().ok_or_else(|| corrupt(seq))?.to_owned(),
                op,
                delete_version: v["sink_version"].as_u64().unwrap_or(seq),
                applied_at: v["at"].as_str().map(str::to_owned),
            });
        }
        Ok(batch)
    }

    /// The live record of a key (text form), with its `sync` stamp.
    pub fn record(&self, key: &str) -> Result<Option<Value>, StoreError> {
        // The stored key is the key's text form (see `keys`).
        match self.items.get(key.as_bytes())? {
            Some(bytes) => Ok(Some(self.with_links(key.as_bytes(), &bytes)?)),
            None => Ok(None),
        }
    }

    /// Drops acknowledged entries from the outbox.
    pub fn published(&self, seqs: &[u64]) -> Result<(), StoreError> {
        for seq in seqs {
            self.outbox.remove(seq.to_be_bytes())?;
        }
        Ok(())
    }

    /// Moves an entry the index refused for good to the dead-letter list.
    pub fn dead_letter(&self, seq: u64, reason: &str) -> Result<(), StoreError> {
        let result = (&self.outbox, &self.dead_letters).transaction(|(outbox, dead)| {
            if let Some(value) = outbox.remove(&seq.to_be_bytes())? {
                let mut v: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
                v["reason"] = json!(reason);
                dead.insert(&seq.to_be_bytes(), v.to_string().into_bytes())?;
            }
            Ok::<_, ConflictableTransactionError<()>>(())
        });
        result.map_err(tx_error)
    }

    /// The dead-letter list, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        let mut list = Vec::new();
        for entry in self.dead_letters.iter() {
            let (seq, value) = entry?;
            let seq = decode_seq(&seq)?;
            let v: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
            let text = |f: &str| v[f].as_str().unwrap_or_default().to_owned();
            list.push(DeadLetter { seq, key: text("key"), op: text("op"), reason: text("reason") });
        }
        Ok(list)
    }

    /// Puts every dead letter back in the outbox under a new sequence
    /// (keeping the version it had), so the publisher tries it again.
    pub fn retry_dead_letters(&self) -> Result<usize, StoreError> {
        // Read first: a sled transaction must not iterate its own trees.
        let dead: Vec<(sled::IVec, sled::IVec)> = self.dead_letters.iter().collect::<Result<_, _>>()?;
        let result =
            (&self.dead_letters, &self.outbox, &self.meta).transaction(|(dead_tree, outbox, meta)| {
                let mut seq = meta
                    .get("outbox_seq")?
                    .and_then(|b| b.as_ref().try_into().ok())
                    .map_or(0, u64::from_be_bytes);
                for (old, value) in &dead {
                    let mut v: Value = serde_json::from_slice(value).unwrap_or(Value::Null);
                    let first = v["sink_version"].as_u64().or_else(|| decode_seq(old).ok()).unwrap_or(0);
                    if let Some(fields) = v.as_object_mut() {
                        fields.remove("reason");
                        fields.insert("sink_version".into(), json!(first));
                    }
                    seq += 1;
                    dead_tree.remove(old)?;
                    outbox.insert(&seq.to_be_bytes(), v.to_string().into_bytes())?;
                }
                meta.insert("outbox_seq", &seq.to_be_bytes())?;
                Ok::<_, ConflictableTransactionError<()>>(dead.len())
            });
        result.map_err(tx_error)
    }
}

impl Store {
    /// Moves held replies (CIC SYNCHRONISED) into the delivery queue once
    /// every outbox entry up to their message is published and none of
    /// their items is in the dead-letter list. Returns how many moved.
    pub fn release_held_replies(&self) -> Result<usize, StoreError> {
        let oldest = match self.outbox.first()? {
            Some((seq, _)) => decode_seq(&seq)?,
            None => u64::MAX,
        };
        let dead: BTreeSet<String> = self.dead_letters()?.into_iter().map(|d| d.key).collect();
        let mut released = 0;
        for entry in self.held_replies.iter() {
            let (id, value) = entry?;
            let v: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
            let through = v["through"].as_u64().unwrap_or(0);
            let blocked = v["keys"]
                .as_array()
                .is_some_and(|keys| keys.iter().any(|k| k.as_str().is_some_and(|k| dead.contains(k))));
            if oldest <= through || blocked {
                continue;
            }
            let reply = json!({ "kind": v["kind"], "message_id": v["message_id"], "receiver": v["receiver"], "xml": v["xml"], "connection": v["connection"] });
            let result = (&self.held_replies, &self.replies).transaction(|(held, replies)| {
                held.remove(&id)?;
                replies.insert(&id, reply.to_string().into_bytes())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            });
            result.map_err(tx_error)?;
            released += 1;
        }
        Ok(released)
    }

    /// Replies held until their changes are published.
    pub fn held_reply_count(&self) -> usize {
        self.held_replies.len()
    }
}

fn decode_seq(bytes: &[u8]) -> Result<u64, StoreError> {
    bytes
        .try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt { tree: "outbox", key: String::from_utf8_lossy(bytes).into_owned() })
}

fn corrupt(seq: u64) -> StoreError {
    StoreError::Corrupt { tree: "outbox", key: seq.to_string() }
}

fn tx_error(e: TransactionError<()>) -> StoreError {
    match e {
        TransactionError::Storage(e) => StoreError::Sled(e),
        TransactionError::Abort(()) => {
            StoreError::Corrupt { tree: "dead_letters", key: "transaction".into() }
        }
    }
}
