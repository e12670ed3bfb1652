//! The publisher task: drains the outbox into the index whenever the
//! ingest worker applied something (at most once per commit interval),
//! and also on a timer so changes left by a failed drain go out once the
//! index is back. It also closes reload sessions that went quiet.
//!
//! The sink is opened once and moved into each blocking drain and back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gdsn_sink::Sink;
use gdsn_store::reload::CloseOutcome;
use tracing::{info, warn};

use super::Shared;
use crate::sinks::{SinkRuntime, open_sink, publish_options};

/// Drains without a wake-up this often: the retry path of a sink that was down.
const IDLE_DRAIN: Duration = Duration::from_secs(15);

/// Batches per drain: the sink gate is released between drains, so a
/// reindex (or a shutdown) waits for at most this many, not for a burst.
const DRAIN_BATCHES: usize = 8;

type BoxSink = Box<dyn Sink + Send>;

pub(crate) async fn run(shared: Arc<Shared>) {
    let mut sink: Option<BoxSink> = None;
    let interval = shared.config.publisher.commit_interval;
    loop {
        let started = Instant::now();
        let more;
        (sink, more) = drain(&shared, sink).await;
        close_quiet_reloads(&shared).await;
        if shared.shutdown.is_cancelled() {
            break;
        }
        if more {
            // The gate was released in between: a reindex waiting for it
            // (the lock is fair) goes first, then the burst goes on.
            continue;
        }
        tokio::select! {
            biased;
            () = shared.shutdown.cancelled() => {}
            () = shared.wake_publisher.notified() => {}
            // Also wake within the reload quiet period: a session whose last
            // message was the last activity must still close on time, not
            // up to IDLE_DRAIN late.
            () = tokio::time::sleep(IDLE_DRAIN.min(shared.config.store.reload_quiet)) => {}
        }
        // Group what arrives within one commit interval into one commit.
        if let Some(rest) = interval.checked_sub(started.elapsed()) {
            tokio::select! {
                () = shared.shutdown.cancelled() => {}
                () = tokio::time::sleep(rest) => {}
            }
        }
    }
    // Last drains: the messages the worker finished while stopping (each
    // bounded; the drain deadline bounds them all).
    while let (Some(next), true) = drain(&shared, sink.take()).await {
        sink = Some(next);
    }
}

/// One drain on a blocking thread; returns the sink for the next one
/// (`None` when it could not be opened or broke: opened again next time).
/// Also says whether the outbox has more for an immediate next drain.
async fn drain(shared: &Arc<Shared>, sink: Option<BoxSink>) -> (Option<BoxSink>, bool) {
    // Never while a reindex writes the index (see `reindex`); after one,
    // reopen: the sink held here writes the generation it replaced.
    let _gate = shared.sink_gate.lock().await;
    let switched = shared.sink_switched.swap(false, std::sync::atomic::Ordering::AcqRel);
    let worker = Arc::clone(shared);
    // A cluster sink blocks on the daemon's runtime from this blocking thread.
    let runtime = tokio::runtime::Handle::current();
    let done = shared.tracker.spawn_blocking(move || {
        // Closed here, not on the runtime: closing a writer joins its threads.
        let sink = sink.filter(|_| !switched);
        let mut sink = match sink {
            Some(sink) => sink,
            None => match open_sink(&worker.config, SinkRuntime::Handle(runtime)) {
                Ok(sink) => sink,
                Err(e) => return (None, Err(format!("opening the index: {e:#}"))),
            },
        };
        if worker.store.outbox_depth() == 0 && worker.store.held_reply_count() == 0 {
            return (Some(sink), Ok(None));
        }
        let options =
            gdsn_publish::PublishOptions { max_batches: DRAIN_BATCHES, ..publish_options(&worker.config) };
        // Timed here, on the thread: the drain itself, not the wait for a
        // blocking thread or the gate. Its retries' sleeps are included.
        let started = Instant::now();
        let report = gdsn_publish::drain(&worker.store, sink.as_mut(), &options, &mut std::thread::sleep);
        let report = report.map(|report| Some((report, started.elapsed())));
        (Some(sink), report.map_err(|e| e.to_string()))
    });
    let (sink, report) =
        done.await.unwrap_or_else(|e| (None, Err(format!("the publisher thread failed: {e}"))));
    let mut more = false;
    match report {
        Ok(Some((report, took))) => {
            shared.metrics.record_drain(took, &report);
            shared.reader.published();
            let outbox = super::http::on_store(shared, |store| store.outbox_depth()).await;
            info!(
                published = report.published,
                already_newer = report.already_newer,
                dead_lettered = report.dead_lettered,
                synchronised = report.synchronised,
                outbox = outbox.unwrap_or_default(),
                "published"
            );
            if report.synchronised > 0 {
                shared.wake_outbound();
            }
            more = report.more;
        }
        Ok(None) => {}
        Err(e) => {
            shared.metrics.record_drain_failed();
            warn!("publishing failed; the changes wait in the outbox: {e}");
        }
    }
    (sink, more)
}

/// Closes the reload sessions whose pair has had no reload message for
/// `store.reload_quiet_secs`. Sessions open at start are timed from the
/// first check after start (their last activity is not stored).
async fn close_quiet_reloads(shared: &Arc<Shared>) {
    let quiet = shared.config.store.reload_quiet;
    let sessions = super::http::on_store(shared, |store| store.reload_sessions()).await;
    let sessions = sessions.and_then(Result::ok).unwrap_or_default();
    let now = Instant::now();
    let due: Vec<String> = {
        let Ok(mut activity) = shared.reload_activity.lock() else { return };
        for session in &sessions {
            activity.entry(session.pair.clone()).or_insert(now);
        }
        sessions
            .into_iter()
            .filter(|s| s.held.is_none())
            .filter(|s| activity.get(&s.pair).is_some_and(|t| now.duration_since(*t) >= quiet))
            .map(|s| s.pair)
            .collect()
    };
    for pair in due {
        let worker = Arc::clone(shared);
        let closing = pair.clone();
        // A sweep writes items: never while a message or a backup runs.
        let gate = shared.store_gate.lock().await;
        let closed = shared
            .tracker
            .spawn_blocking(move || {
                let fraction = worker.config.store.max_sweep_fraction;
                let outcome = worker.store.reload_close(&closing, fraction, false)?;
                worker.store.flush()?;
                Ok::<_, gdsn_store::StoreError>(outcome)
            })
            .await;
        drop(gate);
        match closed {
            Ok(Ok(CloseOutcome::Swept(n))) => {
                info!(pair, removed = n, "reload session closed after its quiet period");
                shared.wake_publisher.notify_one();
            }
            Ok(Ok(CloseOutcome::Held { candidates, live })) => {
                warn!(pair, candidates, live, "reload sweep held: confirm with `gdsn-sync reload confirm`");
            }
            Ok(Err(e)) => warn!(pair, "cannot close the reload session: {e}"),
            Err(e) => warn!(pair, "cannot close the reload session: {e}"),
        }
        if let Ok(mut activity) = shared.reload_activity.lock() {
            activity.remove(&pair);
        }
    }
}
