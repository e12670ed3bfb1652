//! A batch of changes as NDJSON `_bulk` bodies: one action per change, split by
//! size, with every change the server would refuse for the whole request
//! rejected here first.

use std::collections::BTreeMap;

use gdsn_sink::{Change, Op};
use serde_json::json;

use crate::document::search_document;

/// Longest `_id` the servers accept (bytes). A longer one fails request
/// validation, which rejects the whole `_bulk` request, not just the item.
pub(crate) const MAX_ID_BYTES: usize = 512;

/// Highest external version: the servers store versions as a signed long.
pub(crate) const MAX_VERSION: u64 = i64::MAX as u64;

/// One action as sent, to read its result back (items come back in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) seq: u64,
    pub(crate) key: String,
    pub(crate) delete: bool,
}

/// One `_bulk` request body and the actions in it, in order.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub(crate) body: Vec<u8>,
    pub(crate) sent: Vec<Sent>,
}

/// A batch ready to send.
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    pub(crate) chunks: Vec<Chunk>,
    /// Changes refused before sending, by sequence number, with the reason.
    pub(crate) rejected: BTreeMap<u64, String>,
}

/// Encodes `batch` into bodies of at most `max_bytes` each, keeping the
/// batch order (so two changes of one key in one body apply in order; across
/// bodies the external versions keep the newer one).
pub(crate) fn encode(batch: &[Change], max_bytes: usize) -> Encoded {
    let mut encoded = Encoded::default();
    let mut current = Chunk::default();
    for change in batch {
        let entry = match entry(change) {
            Ok(entry) => entry,
            Err(reason) => {
                encoded.rejected.insert(change.seq, reason);
                continue;
            }
        };
        if entry.len() > max_bytes {
            let reason = format!("bulk entry of {} bytes exceeds max_bulk_bytes ({max_bytes})", entry.len());
            encoded.rejected.insert(change.seq, reason);
            continue;
        }
        if !current.sent.is_empty() && current.body.len() + entry.len() > max_bytes {
            encoded.chunks.push(std::mem::take(&mut current));
        }
        current.body.extend_from_slice(&entry);
        let delete = matches!(change.op, Op::Delete);
        current.sent.push(Sent { seq: change.seq, key: change.key.clone(), delete });
    }
    if !current.sent.is_empty() {
        encoded.chunks.push(current);
    }
    encoded
}

/// The NDJSON lines of one change: the action line, and for an upsert the
/// search document, each ending with a newline.
fn entry(change: &Change) -> Result<Vec<u8>, String> {
    check_id(&change.key)?;
    if change.version > MAX_VERSION {
        return Err(format!("version {} is above the servers' maximum {MAX_VERSION}", change.version));
    }
    let meta = json!({ "_id": change.key, "version": change.version, "version_type": "external" });
    let mut out = Vec::new();
    let to_text = |e: serde_json::Error| format!("cannot serialize: {e}");
    match &change.op {
        Op::Upsert(record) => {
            let document = search_document(record).map_err(|e| e.to_string())?;
            serde_json::to_writer(&mut out, &json!({ "index": meta })).map_err(to_text)?;
            out.push(b'\n');
            serde_json::to_writer(&mut out, &document).map_err(to_text)?;
            out.push(b'\n');
        }
        Op::Delete => {
            serde_json::to_writer(&mut out, &json!({ "delete": meta })).map_err(to_text)?;
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// The `_id` rules that fail a whole `_bulk` request when broken.
fn check_id(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("empty key".into());
    }
    if key.len() > MAX_ID_BYTES {
        return Err(format!("key of {} bytes is longer than the servers' {MAX_ID_BYTES}", key.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::tests::record;

    fn upsert(seq: u64, gtin: &str) -> Change {
        Change {
            seq,
            key: format!("5412345000013/{gtin}/250"),
            version: seq * 10,
            op: Op::Upsert(record(gtin)),
        }
    }

    fn lines(chunk: &Chunk) -> Vec<serde_json::Value> {
        let text = std::str::from_utf8(&chunk.body).unwrap();
        assert!(text.ends_with('\n'));
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn one_action_per_change_with_external_versions() {
        let delete =
            Change { seq: 3, key: "5412345000013/00012345678905/250".into(), version: 31, op: Op::Delete };
        let batch = [upsert(1, "00012345678905"), upsert(2, "00098765432109"), delete];
        let encoded = encode(&batch, 1 << 20);
        assert!(encoded.rejected.is_empty());
        assert_eq!(encoded.chunks.len(), 1);
        let lines = lines(&encoded.chunks[0]);
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            json!({"index": {"_id": "5412345000013/00012345678905/250", "version": 10, "version_type": "external"}})
        );
        assert_eq!(lines[1]["gtin"], "00012345678905");
        assert_eq!(lines[2]["index"]["version"], 20);
        assert_eq!(
            lines[4],
            json!({"delete": {"_id": "5412345000013/00012345678905/250", "version": 31, "version_type": "external"}})
        );
        let seqs: Vec<u64> = encoded.chunks[0].sent.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert!(encoded.chunks[0].sent[2].delete);
    }

    #[test]
    fn split_by_size_keeps_order_and_limit() {
        let batch: Vec<Change> = (1..=40).map(|i| upsert(i, "00012345678905")).collect();
        let one = encode(&batch[..1], 1 << 20).chunks[0].body.len();
        let max = one * 3 + one / 2;
        let encoded = encode(&batch, max);
        assert_eq!(encoded.chunks.len(), 14);
        let mut seqs = Vec::new();
        for chunk in &encoded.chunks {
            assert!(chunk.body.len() <= max);
            assert_eq!(lines(chunk).len(), chunk.sent.len() * 2);
            seqs.extend(chunk.sent.iter().map(|s| s.seq));
        }
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    }

    #[test]
    fn refused_before_sending() {
        let mut long_key = upsert(1, "00012345678905");
        long_key.key = "k".repeat(MAX_ID_BYTES + 1);
        let mut huge_version = upsert(2, "00012345678905");
        huge_version.version = MAX_VERSION + 1;
        let not_object = Change { seq: 3, key: "a/b/c".into(), version: 1, op: Op::Upsert(json!([1])) };
        let mut empty_key = upsert(4, "00012345678905");
        empty_key.key.clear();
        let fine = upsert(5, "00012345678905");
        let too_big = {
            let mut c = upsert(6, "00012345678905");
            if let Op::Upsert(r) = &mut c.op {
                r["descriptions"] = json!({ "en": "x".repeat(4000) });
            }
            c
        };
        let encoded = encode(&[long_key, huge_version, not_object, empty_key, fine, too_big], 3000);
        assert_eq!(encoded.rejected.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 6]);
        assert!(encoded.rejected[&6].contains("max_bulk_bytes"), "{}", encoded.rejected[&6]);
        assert_eq!(encoded.chunks.len(), 1);
        assert_eq!(encoded.chunks[0].sent[0].seq, 5);
    }

    #[test]
    fn empty_batch_sends_nothing() {
        let encoded = encode(&[], 1024);
        assert!(encoded.chunks.is_empty() && encoded.rejected.is_empty());
    }
}
