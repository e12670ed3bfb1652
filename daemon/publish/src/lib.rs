//! The publisher: drains the store's outbox into a search index.
//!
//! One [`drain`] call reads the outbox in bounded batches (oldest first),
//! turns each entry into a [`Change`] carrying the record as it is now and
//! the key's write sequence as its version, hands the batch to the sink,
//! and removes from the outbox only what the sink acknowledged. Changes the
//! sink refuses for good go to the store's dead-letter list with the
//! sink's reason; retryable failures are retried with exponential backoff
//! and full jitter, a bounded number of times, then the call gives up and
//! leaves them in the outbox for the next call.
//!
//! **Invariants.** The publisher never writes an item: only the outbox and
//! the dead-letter list. Delivery is at least once (a crash between the
//! sink's acknowledgement and the outbox removal republishes the batch),
//! and repeats are harmless because sinks ignore versions they already
//! hold. After a crash, entries up to the sink's recorded last sequence
//! ([`Sink::last_seq`]) are dropped without republishing.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gdsn_model::time::Timestamp;
use gdsn_schedule::Backoff;
use gdsn_sink::{Change, Op, Sink, SinkError};
use gdsn_store::{OutboxEntry, OutboxOp, Store, StoreError};
use serde_json::json;

/// How [`drain`] batches and retries.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// Outbox entries per batch (one sink publish, one index commit).
    pub batch_size: usize,
    /// Consecutive failed attempts before a drain gives up.
    pub max_attempts: u32,
    /// First retry delay; doubles per failure, with full jitter.
    pub initial_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// Most batches one drain publishes; the rest waits for the next drain
    /// ([`DrainReport::more`]). The daemon bounds its drains so a reindex
    /// or a shutdown waiting for the sink never waits for a whole burst.
    pub max_batches: usize,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            batch_size: 1000,
            max_attempts: 6,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            max_batches: usize::MAX,
        }
    }
}

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Batches handed to the sink.
    pub batches: usize,
    /// Changes the sink applied.
    pub published: usize,
    /// Changes the sink already held at the same or a newer version.
    pub already_newer: usize,
    /// Entries dropped without publishing: the sink held them already
    /// (below its last sequence), the key is gone (a later delete follows),
    /// or a later entry of the same batch covers the key.
    pub skipped: usize,
    /// Entries moved to the dead-letter list.
    pub dead_lettered: usize,
    /// Failed attempts that were retried.
    pub retries: u32,
    /// Held replies (CIC SYNCHRONISED) released for delivery because all
    /// their message's changes are now published.
    pub synchronised: usize,
    /// Seconds between the oldest entry's apply and the start of the drain
    /// (the publish lag), when there was one.
    pub lag_secs: Option<u64>,
    /// Stopped at `max_batches` with entries left in the outbox.
    pub more: bool,
}

/// Why a drain stopped early.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sink kept failing; the entries stay in the outbox.
    #[error("the index is unavailable after {attempts} attempts: {reason}")]
    Unavailable {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
        /// What was done before giving up.
        report: DrainReport,
    },
}

/// Drains the outbox into `sink` until it is empty, or the sink has failed
/// `max_attempts` times in a row. `sleep` waits between retries (tests
/// pass a recorder; the daemon a real sleep that notices shutdown).
pub fn drain(
    store: &Store,
    sink: &mut dyn Sink,
    options: &PublishOptions,
    sleep: &mut dyn FnMut(Duration),
) -> Result<DrainReport, PublishError> {
    let mut report = DrainReport::default();
    let floor = sink.last_seq().unwrap_or(0);
    let mut retrier = Retrier {
        backoff: Backoff::new(options.initial_backoff, options.max_backoff, seed()),
        failures: 0,
        options,
    };
    loop {
        if report.batches >= options.max_batches {
            report.more = true;
            report.synchronised += store.release_held_replies()?;
            return Ok(report);
        }
        let entries = store.outbox_batch(options.batch_size.max(1))?;
        if report.lag_secs.is_none() {
            report.lag_secs = entries.first().and_then(|e| lag_secs(store, e.applied_at.as_deref()));
        }
        if entries.is_empty() {
            report.synchronised += store.release_held_replies()?;
            return Ok(report);
        }
        let (held, entries): (Vec<OutboxEntry>, Vec<OutboxEntry>) =
            entries.into_iter().partition(|e| e.seq <= floor);
        if !held.is_empty() {
            report.skipped += held.len();
            store.published(&held.iter().map(|e| e.seq).collect::<Vec<_>>())?;
            continue;
        }
        let batch = Batch::build(store, &entries)?;
        report.skipped += batch.covered.len() + batch.gone.len();
        store.published(&batch.gone)?;
        if batch.changes.is_empty() {
            store.published(&batch.covered)?;
            continue;
        }
        report.batches += 1;
        match sink.publish(&batch.changes) {
            Ok(ack) => {
                report.published += ack.applied;
                report.already_newer += ack.already_newer;
                store.published(&batch.all_seqs())?;
                retrier.failures = 0;
            }
            Err(SinkError::Partial { ack, retry, rejected }) => {
                report.published += ack.applied;
                report.already_newer += ack.already_newer;
                for (seq, reason) in &rejected {
                    store.dead_letter(*seq, reason)?;
                }
                report.dead_lettered += rejected.len();
                let done: Vec<u64> = batch
                    .all_seqs()
                    .into_iter()
                    .filter(|s| !retry.contains(s) && !rejected.contains_key(s))
                    .collect();
                store.published(&done)?;
                if !retry.is_empty() {
                    retrier.failed(&mut report, None, "items to retry", sleep)?;
                }
            }
            Err(SinkError::Unavailable { reason, retry_after_secs }) => {
                retrier.failed(&mut report, retry_after_secs, &reason, sleep)?;
            }
        }
    }
}

/// Consecutive failures of the sink and the delay before the next try.
struct Retrier<'o> {
    backoff: Backoff,
    failures: u32,
    options: &'o PublishOptions,
}

impl Retrier<'_> {
    /// Counts a failure, then sleeps before the next attempt, or gives up
    /// after `max_attempts` failures in a row.
    fn failed(
        &mut self,
        report: &mut DrainReport,
        retry_after_secs: Option<u64>,
        reason: &str,
        sleep: &mut dyn FnMut(Duration),
    ) -> Result<(), PublishError> {
        self.failures += 1;
        if self.failures >= self.options.max_attempts {
            return Err(PublishError::Unavailable {
                attempts: self.failures,
                reason: reason.to_owned(),
                report: report.clone(),
            });
        }
        report.retries += 1;
        let asked = Duration::from_secs(retry_after_secs.unwrap_or(0)).min(self.options.max_backoff);
        sleep(self.backoff.next_delay(self.failures).max(asked));
        Ok(())
    }
}

/// One batch: the changes to send and which outbox entries they answer for.
struct Batch {
    changes: Vec<Change>,
    /// Entries whose key a later entry of the batch also names.
    covered: Vec<u64>,
    /// Upserts of keys that are no longer live.
    gone: Vec<u64>,
}

impl Batch {
    fn build(store: &Store, entries: &[OutboxEntry]) -> Result<Batch, StoreError> {
        // Only the last entry of a key matters: the record is read as it
        // is now, and a later delete supersedes an upsert.
        let mut last: BTreeMap<&str, &OutboxEntry> = BTreeMap::new();
        let mut covered = Vec::new();
        for entry in entries {
            if let Some(earlier) = last.insert(&entry.key, entry) {
                covered.push(earlier.seq);
            }
        }
        // The store's clock, which also stamped `applied_at`.
        let published_at = store.now_rfc3339();
        let (mut changes, mut gone) = (Vec::new(), Vec::new());
        for entry in entries.iter().filter(|e| !covered.contains(&e.seq)) {
            let change = match entry.op {
                OutboxOp::Delete => Change {
                    seq: entry.seq,
                    key: entry.key.clone(),
                    version: entry.delete_version,
                    op: Op::Delete,
                },
                OutboxOp::Upsert => {
                    let Some(mut record) = store.record(&entry.key)? else {
                        gone.push(entry.seq);
                        continue;
                    };
                    let version = record["sync"]["version"].as_u64().unwrap_or(entry.seq);
                    record["sync"]["published_at"] = json!(published_at);
                    Change { seq: entry.seq, key: entry.key.clone(), version, op: Op::Upsert(record) }
                }
            };
            changes.push(change);
        }
        Ok(Batch { changes, covered, gone })
    }

    /// The sequences the sink's answer covers: the changes' and the
    /// entries they stand for.
    fn all_seqs(&self) -> Vec<u64> {
        self.changes.iter().map(|c| c.seq).chain(self.covered.iter().copied()).collect()
    }
}

/// The jitter's seed: any varying number will do.
fn seed() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Seconds from `applied_at` to now, both by the store's clock.
fn lag_secs(store: &Store, applied_at: Option<&str>) -> Option<u64> {
    let (at, _) = Timestamp::parse(applied_at?).ok()?;
    let secs = (store.now().unix_nanos() - at.unix_nanos()) / 1_000_000_000;
    u64::try_from(secs).ok()
}
