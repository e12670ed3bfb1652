//! The ingest worker: messages from every connection, one bounded queue,
//! applied one at a time on a blocking thread.
//!
//! One worker, not several: the store serialises commits anyway, and
//! arrival order is the tie-breaker of the version rule (two messages with
//! equal times: the later arrival wins), so applying in queue order keeps
//! that rule meaning what it says.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use gdsn_model::message::MessageType;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use super::Shared;
use crate::cli::{IngestOptions, LimitArgs, StoreArgs};
use crate::ingest::{self, Figures, Source};

/// One message to apply, and where to say how it went.
pub(crate) struct Job {
    connection: String,
    source: Source,
    done: oneshot::Sender<Result<Applied, String>>,
}

/// What applying a message did; it is durable when the caller sees this.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Applied {
    pub(crate) documents: usize,
    pub(crate) rejected: usize,
    pub(crate) writes: usize,
    /// Nothing could be read (no document, an error): the message goes to
    /// `failed/` rather than `done/`.
    pub(crate) unreadable: bool,
    /// Already applied, quarantined, ...
    pub(crate) note: Option<&'static str>,
    /// The summary line's figures (`ingest --api` prints them).
    pub(crate) summary: Figures,
    /// The message type the parser recognised (a metrics label).
    #[serde(skip)]
    pub(crate) message_type: Option<MessageType>,
}

impl Shared {
    /// Queues a message for the worker and waits until it is durable (or
    /// failed). Waits for room in the queue: that is the back-pressure on
    /// every fetcher.
    pub(crate) async fn ingest(&self, connection: &str, source: Source) -> Result<Applied, String> {
        let (done, answer) = oneshot::channel();
        let job = Job { connection: connection.to_owned(), source, done };
        self.jobs.send(job).await.map_err(|_| "the daemon is shutting down".to_owned())?;
        answer.await.map_err(|_| "the daemon stopped before the message was applied".to_owned())?
    }

    /// Like [`Shared::ingest`], but refuses at once when the queue is full
    /// (webhooks answer 503 rather than hold the pool's connection).
    pub(crate) fn try_queue(
        &self,
        connection: &str,
        source: Source,
    ) -> Result<oneshot::Receiver<Result<Applied, String>>, Full> {
        let (done, answer) = oneshot::channel();
        let job = Job { connection: connection.to_owned(), source, done };
        self.jobs.try_send(job).map_err(|_| Full)?;
        Ok(answer)
    }
}

/// The queue is full (or closed).
#[derive(Debug)]
pub(crate) struct Full;

pub(crate) async fn worker(shared: Arc<Shared>, mut queue: mpsc::Receiver<Job>) {
    loop {
        let job = tokio::select! {
            biased;
            job = queue.recv() => job,
            () = shared.shutdown.cancelled() => {
                // Finish what fetchers already handed over; take nothing new.
                queue.close();
                queue.recv().await
            }
        };
        let Some(job) = job else { break };
        let Job { connection, source, done } = job;
        let label = source.label();
        let worker_shared = Arc::clone(&shared);
        let name = connection.clone();
        // Admin work that must not interleave with a message (replay,
        // reload close, a backup's snapshot) waits for this gate.
        let gate = shared.store_gate.lock().await;
        let outcome = shared
            .tracker
            .spawn_blocking(move || apply(&worker_shared, &name, &source))
            .await
            .unwrap_or_else(|e| Err(format!("the ingest thread failed: {e}")));
        drop(gate);
        report(&shared, &connection, &label, &outcome);
        // The parser's own recognition, from the apply's one read of the
        // message; a message that failed before it was parsed is `unknown`.
        let message_type = outcome.as_ref().ok().and_then(|(applied, _)| applied.message_type);
        shared.metrics.record_received(&connection, message_type);
        let recorded = outcome.as_ref().map(|(applied, _)| applied).map_err(String::as_str);
        shared.metrics.record_outcome(&connection, message_type, recorded);
        shared.wake_publisher.notify_one();
        shared.wake_outbound();
        // The fetcher may have given up (shutdown); the outcome is durable anyway.
        let _ = done.send(outcome.map(|(applied, _)| applied));
    }
}

fn report(
    shared: &Shared,
    connection: &str,
    label: &std::path::Path,
    outcome: &Result<(Applied, Vec<String>), String>,
) {
    match outcome {
        Ok((applied, reload_pairs)) => {
            info!(
                connection,
                file = %label.display(),
                documents = applied.documents,
                rejected = applied.rejected,
                writes = applied.writes,
                note = applied.note.unwrap_or(""),
                "message applied"
            );
            shared.status.applied(connection, applied);
            if !reload_pairs.is_empty()
                && let Ok(mut activity) = shared.reload_activity.lock()
            {
                let now = Instant::now();
                for pair in reload_pairs {
                    activity.insert(pair.clone(), now);
                }
            }
        }
        Err(e) => {
            warn!(connection, file = %label.display(), "message not applied: {e}");
            shared.status.failed_message(connection, e);
        }
    }
}

/// Applies one message (blocking): the same path as `gdsn-sync ingest`,
/// without publishing (the publisher task does that) or printing.
fn apply(shared: &Shared, connection: &str, source: &Source) -> Result<(Applied, Vec<String>), String> {
    let config = &shared.config;
    let options = ingest_options(config, connection);
    let store_args = StoreArgs { data_dir: config.data_dir.clone() };
    let summary = ingest::ingest_message(&shared.store, &store_args, &options, source, false)
        .map_err(|e| format!("{e:#}"))?;
    let applied = Applied {
        documents: summary.documents,
        rejected: summary.rejected,
        writes: summary.writes,
        unreadable: summary.documents == 0 && summary.rejected > 0,
        note: summary.note,
        summary: Figures::from(&summary),
        message_type: summary.message_type,
    };
    Ok((applied, summary.reload_pairs))
}

/// How the daemon applies a message (from its config). Replies go back
/// through `connection` when it is a configured one; a message posted to
/// the admin API names none, and its replies wait for `replies`.
pub(crate) fn ingest_options(config: &gdsn_config::Config, connection: &str) -> IngestOptions {
    IngestOptions {
        apply_chunk_documents: config.store.apply_chunk_documents,
        max_sweep_fraction: config.store.max_sweep_fraction,
        dry_run: false,
        recipient_gln: config.recipient_gln.as_ref().map(ToString::to_string),
        no_publish: true,
        reject_unenrolled: config.store.reject_unenrolled,
        sink: crate::cli::SinkArgs::default(),
        no_progress: true,
        limits: LimitArgs { naive_timestamps_zone: naive_zone(config, connection), ..LimitArgs::default() },
        connection: config.connection(connection).map(|c| c.name.clone()),
    }
}

/// The zone a connection's pool writes timestamps without a zone in.
fn naive_zone(config: &gdsn_config::Config, connection: &str) -> Option<chrono_tz::Tz> {
    config.connection(connection).map(|c| c.naive_timestamps_zone)
}

/// The label of a message fetched over HTTP: `connection/id`.
pub(crate) fn label(connection: &str, id: &str) -> PathBuf {
    PathBuf::from(format!("{connection}/{id}"))
}
