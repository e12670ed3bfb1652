//! Applying a big message's chunks on a second thread while its caller
//! parses the next ones.
//!
//! Parsing a chunk of documents and committing the previous one use
//! different resources (the parser is CPU-bound, a commit mostly waits on
//! sled's tree and its log), so overlapping them is what makes a first
//! load of a catalogue faster than parsing and committing one after the
//! other. [`Store::overlapped`] runs the caller's producer (the parse) on
//! the calling thread and one writer thread that applies each chunk handed
//! to it through a [`Feed`], in order, one transaction per chunk, exactly
//! as [`Store::apply`] / [`Store::apply_chunk`] would on the caller's
//! thread. The writer is joined before `overlapped` returns, so the caller
//! can then commit the message's last chunk ([`Store::apply_last`]) and
//! flush: every earlier chunk is committed by then.
//!
//! Bounds: one chunk queued and one being applied, besides the one the
//! producer is building, so memory stays at about three chunks whatever the
//! message's size. The writer stops at its first error; the next
//! [`Feed::send`] then fails, the producer stops, and `overlapped` returns
//! the writer's error. Nothing is written after a failed commit.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use gdsn_diff::{ChangeKind, Incoming};

use crate::{ApplyOutcome, ResumePoint, Store, StoreError};

/// The producer's end: hands chunks of whole documents to the writer.
pub struct Feed {
    tx: SyncSender<Chunk>,
}

/// One transaction's worth of documents, with the message's resume point
/// after them when the message has an identity.
struct Chunk {
    documents: Vec<Incoming>,
    point: Option<ResumePoint>,
}

/// The writer stopped on an error, which [`Store::overlapped`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStopped;

impl Feed {
    /// Queues `documents` (whole documents) for the writer, waiting while a
    /// chunk is already queued. With `point`, the chunk's transaction also
    /// records it ([`Store::apply_chunk`]); its `documents` must count the
    /// documents committed once this chunk is.
    pub fn send(&self, documents: Vec<Incoming>, point: Option<ResumePoint>) -> Result<(), WriterStopped> {
        self.tx.send(Chunk { documents, point }).map_err(|_| WriterStopped)
    }
}

/// What the chunks applied by the writer did, added up.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Transactions committed (chunks).
    pub chunks: usize,
    /// Effects written.
    pub writes: usize,
    /// Changes planned, by kind.
    pub added: usize,
    /// See `added`.
    pub updated: usize,
    /// See `added`.
    pub unchanged: usize,
    /// See `added`.
    pub stale: usize,
    /// See `added`.
    pub removed: usize,
}

impl Applied {
    /// Adds one transaction's outcome.
    pub fn add(&mut self, outcome: &ApplyOutcome) {
        self.chunks += 1;
        self.writes += outcome.writes;
        for change in outcome.plans.iter().flat_map(|p| &p.changes) {
            *match change.kind {
                ChangeKind::Added => &mut self.added,
                ChangeKind::Updated { .. } => &mut self.updated,
                ChangeKind::Unchanged => &mut self.unchanged,
                ChangeKind::Stale => &mut self.stale,
                ChangeKind::Removed { .. } => &mut self.removed,
            } += 1;
        }
    }
}

impl Store {
    /// Runs `produce` on this thread with a [`Feed`] whose chunks a writer
    /// thread applies in order, one transaction each; returns what
    /// `produce` returned and, once the writer has finished every chunk,
    /// what they did or the writer's first error. Callers serialise
    /// messages as for [`Store::apply`]: the writer is this message's only
    /// one, and it is joined before this returns.
    pub fn overlapped<T>(&self, produce: impl FnOnce(&Feed) -> T) -> (T, Result<Applied, StoreError>) {
        std::thread::scope(|scope| {
            let (tx, rx) = sync_channel(1);
            let writer = std::thread::Builder::new()
                .name("gdsn-store-writer".into())
                .spawn_scoped(scope, move || self.write_chunks(rx));
            let writer = match writer {
                Ok(writer) => writer,
                // No thread to be had: the caller gets an IO error, as for
                // any other resource the store could not obtain.
                Err(e) => return (produce(&Feed { tx }), Err(StoreError::Io(e))),
            };
            let produced = produce(&Feed { tx });
            // The feed is dropped here, which ends the writer's loop.
            let applied = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (produced, applied)
        })
    }

    fn write_chunks(&self, rx: Receiver<Chunk>) -> Result<Applied, StoreError> {
        let mut applied = Applied::default();
        for chunk in rx {
            let outcome = match &chunk.point {
                Some(point) => self.apply_chunk(&chunk.documents, point)?,
                None => self.apply(&chunk.documents)?,
            };
            applied.add(&outcome);
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use gdsn_diff::{IncomingItem, Reason, Version};
    use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};
    use serde_json::json;

    use super::*;
    use crate::MessageStatus;

    fn key(gtin: &str) -> ItemKey {
        ItemKey {
            provider: Gln::new_lenient("5412345000013").expect("gln"),
            gtin: Gtin::parse(gtin).expect("gtin"),
            target_market: TargetMarket::parse("056", None).expect("tm"),
        }
    }

    fn replace(gtin: &str, children: &[&str], content: u32, time: i128) -> Incoming {
        let item = |gtin: &str, children: &[&str]| IncomingItem {
            key: key(gtin),
            version: Version { item_time: time, message_time: 0, sequence: 1 },
            hash: u128::from(content),
            record: json!({ "gtin": gtin, "content": content }).to_string().into(),
            children: children.iter().map(|c| key(c)).collect(),
        };
        let mut items = vec![item(gtin, children)];
        items.extend(children.iter().map(|c| item(c, &[])));
        Incoming::Replace { items }
    }

    fn remove(gtin: &str, time: i128) -> Incoming {
        Incoming::Remove {
            top: key(gtin),
            version: Version { item_time: time, message_time: 0, sequence: 1 },
            reason: Reason::Deleted,
        }
    }

    /// Three chunks of one message: added, updated, removed (with an unchanged document).
    fn chunks() -> Vec<Vec<Incoming>> {
        vec![
            vec![replace("05412345000105", &["05412345000112"], 1, 1), replace("05412345000129", &[], 1, 1)],
            vec![replace("05412345000105", &["05412345000112"], 2, 2), replace("05412345000129", &[], 1, 1)],
            vec![remove("05412345000105", 3)],
        ]
    }

    fn point(documents: usize) -> ResumePoint {
        ResumePoint { sender: "5412345000013".into(), message_id: "m-1".into(), hash: 7, documents }
    }

    fn outbox_ops(store: &Store) -> Vec<(String, String)> {
        let entries = store.outbox().expect("outbox");
        entries.into_iter().map(|(_, v)| (v["key"].to_string(), v["op"].to_string())).collect()
    }

    /// The writer thread commits what inline applies would, in the same
    /// order, with the resume point of each chunk.
    #[test]
    fn overlapped_chunks_commit_as_inline_applies_would() {
        let (inline_dir, piped_dir) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
        let inline = Store::open(inline_dir.path()).expect("open");
        let mut expected = Applied::default();
        for chunk in chunks() {
            expected.add(&inline.apply(&chunk).expect("apply"));
        }
        let piped = Store::open(piped_dir.path()).expect("open");
        let (sent, applied) = piped.overlapped(|feed| {
            let mut documents = 0;
            for chunk in chunks() {
                documents += chunk.len();
                feed.send(chunk, Some(point(documents))).expect("writer running");
            }
            documents
        });
        let applied = applied.expect("applied");
        assert_eq!(applied, expected);
        assert_eq!((applied.chunks, applied.added, applied.updated, applied.unchanged), (3, 3, 2, 1));
        assert_eq!(applied.removed, 2);
        assert_eq!(outbox_ops(&piped), outbox_ops(&inline));
        assert_eq!(
            piped.message_status("5412345000013", "m-1", 7).expect("status"),
            MessageStatus::Resume(sent)
        );
        assert_eq!(piped.counts().live, inline.counts().live);
    }

    /// A failed commit stops the writer: later sends fail, nothing after
    /// the failed chunk is written, and the error comes back.
    #[test]
    fn a_failed_commit_stops_the_feed_and_returns_the_error() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        let broken = key("05412345000105");
        store.state.insert(crate::keys::encode(&broken), &b"not a state"[..]).expect("insert");
        let (refused_after, applied) = store.overlapped(|feed| {
            feed.send(vec![replace("05412345000105", &[], 1, 1)], None).expect("first send");
            (1..=100).find(|_| feed.send(vec![replace("05412345000129", &[], 1, 1)], None).is_err())
        });
        assert!(refused_after.is_some(), "the feed kept accepting chunks after a failed commit");
        assert!(matches!(applied, Err(StoreError::Corrupt { .. })), "{applied:?}");
        assert_eq!(store.counts().live, 0);
        assert!(store.outbox().expect("outbox").is_empty());
    }
}
