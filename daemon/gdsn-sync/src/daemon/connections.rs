//! One scheduler per polled connection: it sleeps until the next cron
//! time (or a poll-now request), polls, and retries failures with backoff.
//! A connection has one scheduler and the scheduler does one thing at a
//! time, so two polls of one connection never overlap.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use gdsn_config::{Connection, PollSettings, Transport};
use gdsn_dropfolder::{DropFolder, Folders};
use gdsn_poll::{ChangedSinceState, Durable, MessageHandler, PoolClient};
use gdsn_schedule::{Backoff, jitter};
use serde::Serialize;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use super::Shared;
use super::pipeline::label;
use crate::ingest::Source;

/// How a connection fetches.
pub(crate) enum Poller {
    Drop(Arc<Mutex<DropFolder>>),
    Inbox(Arc<PoolClient>),
    Changes(Arc<PoolClient>),
}

impl Poller {
    pub(crate) fn new(connection: &Connection) -> Result<Poller> {
        let name = &connection.name;
        Ok(match &connection.transport {
            Transport::DropFolder { folders, .. } => {
                let folder = DropFolder::open(&Folders::from_config(folders))
                    .with_context(|| format!("connection {name}: opening its drop folder"))?;
                Poller::Drop(Arc::new(Mutex::new(folder)))
            }
            Transport::HttpInbox { .. } => Poller::Inbox(Arc::new(client(connection)?)),
            Transport::HttpChangedSince { .. } => Poller::Changes(Arc::new(client(connection)?)),
            _ => anyhow::bail!("connection {name} is not polled"),
        })
    }
}

fn client(connection: &Connection) -> Result<PoolClient> {
    PoolClient::new(connection)
        .with_context(|| format!("connection {}: building its HTTP client", connection.name))
}

/// A poll-now request (`POST /v1/connections/{name}/poll`), answered with
/// the poll's report when it is over.
pub(crate) struct Trigger(pub(crate) oneshot::Sender<PollReport>);

/// What one poll did.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct PollReport {
    pub(crate) connection: String,
    /// Messages applied (durable, then acknowledged).
    pub(crate) messages: u64,
    /// Files still waiting to be stable in a drop folder.
    pub(crate) waiting: Option<u64>,
    pub(crate) error: Option<String>,
    /// Whether the error is worth a retry with backoff.
    #[serde(skip)]
    pub(crate) retryable: bool,
    #[serde(skip)]
    pub(crate) retry_after: Option<Duration>,
}

pub(crate) async fn run(
    shared: Arc<Shared>,
    connection: Connection,
    poller: Poller,
    mut triggers: mpsc::Receiver<Trigger>,
) {
    let Some(settings) = connection.poll().cloned() else { return };
    let name = connection.name.clone();
    let seed = name_seed(&name);
    let mut backoff = Backoff::new(settings.backoff.initial, settings.backoff.max, seed);
    let offset = jitter(settings.jitter, seed);
    let mut failures = 0u32;
    let mut retry_after = None;
    let mut due_now = missed_run(&shared, &name, &settings).await;
    loop {
        let wait = if due_now {
            Duration::ZERO
        } else if failures > 0 && failures <= settings.backoff.max_failures {
            retry_after.unwrap_or_else(|| backoff.next_delay(failures))
        } else {
            until_next(&settings, offset)
        };
        let responder = tokio::select! {
            biased;
            () = shared.shutdown.cancelled() => break,
            trigger = triggers.recv() => match trigger {
                Some(Trigger(responder)) => Some(responder),
                None => break,
            },
            () = tokio::time::sleep(wait) => None,
        };
        due_now = false;
        shared.status.poll_started(&name);
        let started = std::time::Instant::now();
        let report = poll_once(&shared, &name, &poller).await;
        shared.metrics.record_poll(&name, started.elapsed(), &report);
        shared.status.poll_finished(&name, report.error.as_deref(), report.waiting);
        save_last_run(&shared, &name).await;
        match &report.error {
            None => failures = 0,
            Some(e) if report.retryable => {
                failures = failures.saturating_add(1);
                retry_after = report.retry_after;
                warn!(connection = %name, failures, "poll failed, will retry: {e}");
            }
            Some(e) => {
                // A person has to act (credentials, a 4xx): wait for the schedule.
                failures = settings.backoff.max_failures.saturating_add(1);
                warn!(connection = %name, "poll failed, waiting for the next scheduled run: {e}");
            }
        }
        if let Some(responder) = responder {
            let _ = responder.send(report);
        }
    }
}

/// A stable seed per connection, so jitter spreads connections that share
/// a schedule but stays the same across restarts.
fn name_seed(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

fn until_next(settings: &PollSettings, offset: Duration) -> Duration {
    let now = Utc::now();
    match settings.schedule.next_after(now) {
        Some(next) => (next - now).to_std().unwrap_or(Duration::ZERO) + offset,
        // Past the cron crate's years: never again (sleep a day at a time).
        None => Duration::from_secs(86_400),
    }
}

/// Whether a scheduled run was missed while the daemon was down: it runs
/// once at start, with a log line.
async fn missed_run(shared: &Arc<Shared>, name: &str, settings: &PollSettings) -> bool {
    let key = name.to_owned();
    let stored = super::http::on_store(shared, move |store| store.connection_state(&key)).await;
    let last = stored
        .and_then(Result::ok)
        .flatten()
        .and_then(|state| state["last_run"].as_str().and_then(|t| t.parse::<DateTime<Utc>>().ok()));
    match settings.schedule.missed(last, Utc::now()) {
        Some(missed) => {
            info!(connection = name, missed = %missed, "a scheduled run was missed while the daemon was down: polling now");
            true
        }
        None => false,
    }
}

async fn save_last_run(shared: &Arc<Shared>, name: &str) {
    let shared = Arc::clone(shared);
    let name = name.to_owned();
    let saved = shared
        .tracker
        .clone()
        .spawn_blocking(move || {
            let mut state = shared.store.connection_state(&name)?.unwrap_or_else(|| json!({}));
            state["last_run"] = json!(Utc::now().to_rfc3339());
            shared.store.set_connection_state(&name, &state)
        })
        .await;
    if let Ok(Err(e)) = saved {
        warn!("cannot save the connection's last run: {e}");
    }
}

async fn poll_once(shared: &Arc<Shared>, name: &str, poller: &Poller) -> PollReport {
    let mut report = PollReport { connection: name.to_owned(), ..PollReport::default() };
    let result = match poller {
        Poller::Drop(folder) => super::dropfolder_poll::poll(shared, name, folder, &mut report).await,
        Poller::Inbox(client) => {
            let mut handler = Handler { shared: Arc::clone(shared), name: name.to_owned(), count: 0 };
            let result = client.poll_inbox(&mut handler).await;
            report.messages = handler.count;
            result.map(|_| ()).map_err(|e| poll_error(&mut report, &e))
        }
        Poller::Changes(client) => changes(shared, name, client, &mut report).await,
    };
    if let Err(e) = result {
        report.error = Some(e);
    }
    report
}

fn poll_error(report: &mut PollReport, e: &gdsn_poll::PollError) -> String {
    report.retryable = e.is_retryable();
    report.retry_after = e.retry_after();
    e.to_string()
}

async fn changes(
    shared: &Arc<Shared>,
    name: &str,
    client: &PoolClient,
    report: &mut PollReport,
) -> Result<(), String> {
    let key = name.to_owned();
    let stored = super::http::on_store(shared, move |store| store.connection_state(&key))
        .await
        .ok_or("the store thread failed")?
        .map_err(|e| e.to_string())?;
    let mut state: ChangedSinceState = stored
        .as_ref()
        .and_then(|s| serde_json::from_value(s["changed_since"].clone()).ok())
        .unwrap_or_default();
    let mut handler = Handler { shared: Arc::clone(shared), name: name.to_owned(), count: 0 };
    let result = client.poll_changes(&mut state, &mut handler).await;
    report.messages = handler.count;
    // Saved after failed polls too: the state is consistent at every step.
    let mut saved = stored.unwrap_or_else(|| json!({}));
    saved["changed_since"] = json!(state);
    let key = name.to_owned();
    super::http::on_store(shared, move |store| store.set_connection_state(&key, &saved))
        .await
        .ok_or("the store thread failed")?
        .map_err(|e| e.to_string())?;
    result.map(|_| ()).map_err(|e| poll_error(report, &e))
}

/// Hands fetched messages to the ingest worker; says durable when it has.
struct Handler {
    shared: Arc<Shared>,
    name: String,
    count: u64,
}

/// The ingest worker could not make a message durable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct NotApplied(String);

impl MessageHandler for Handler {
    type Error = NotApplied;

    async fn handle(&mut self, id: &str, xml: Vec<u8>) -> Result<Durable, NotApplied> {
        let source = Source::Memory { label: label(&self.name, id), bytes: xml.into() };
        self.shared.ingest(&self.name, source).await.map_err(NotApplied)?;
        self.count += 1;
        Ok(Durable)
    }
}
