//! `gdsn-sync run`: the long-running daemon, and the one place that
//! spawns tasks.
//!
//! Every task runs in one [`TaskTracker`] and stops on one
//! [`CancellationToken`]:
//! - one scheduler per polled connection (drop folder, HTTP inbox,
//!   changed-since; `connections`), which fetches on its cron schedule or
//!   when `POST /v1/connections/{name}/poll` asks, never two polls of one
//!   connection at once;
//! - the ingest worker (`pipeline`): takes messages from one bounded
//!   queue in arrival order and applies each on a blocking thread (parse,
//!   diff, store commit never run on the async runtime);
//! - the publisher (`publisher`): drains the outbox into the index on a
//!   blocking thread when the worker says there is something, and closes
//!   reload sessions that went quiet;
//! - one sender per connection that has somewhere to send replies
//!   (`outbound`);
//! - the HTTP listener (`http`): health, status, the admin poll route and
//!   the webhooks (`webhook`).
//!
//! A fetched message travels as a job to the worker with a reply channel;
//! the fetcher acknowledges it to its pool (API ack, file moved, webhook
//! 2xx) only after the worker answers that it is durable.
//!
//! Shutdown (SIGINT, SIGTERM): the token is cancelled, schedulers start
//! nothing new, the listener stops accepting, the worker finishes the jobs
//! already queued, the publisher drains once more; all of it bounded by
//! `pipeline.drain_deadline_secs`. Work cut off by the deadline was never
//! acknowledged, so its pool sends it again.

mod admin;
mod api;
mod connections;
mod dropfolder_poll;
mod http;
mod logging;
mod metrics;
mod outbound;
mod page_routes;
mod pipeline;
mod publisher;
mod reader;
mod reindex;
mod status;
mod webhook;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use gdsn_config::{Config, Transport};
use gdsn_store::Store;
use tokio::sync::{Notify, mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

pub(crate) use logging::LogFormatArg;
use pipeline::Job;

/// `gdsn-sync run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The configuration file; without it, the embedded defaults: data in
    /// `--data-dir`, a drop folder on `./inbox`, the embedded index, HTTP
    /// on 127.0.0.1:8480.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The data directory when no --config is given.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub(crate) data_dir: PathBuf,
    /// Log lines as JSON or for people (default: the config's, else human).
    #[arg(long, value_enum)]
    pub(crate) log_format: Option<LogFormatArg>,
}

/// What every task shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: Arc<Store>,
    pub(crate) jobs: mpsc::Sender<Job>,
    /// Wakes the publisher: something was applied.
    pub(crate) wake_publisher: Notify,
    /// Bumped when replies may be waiting; every outbound sender watches it.
    pub(crate) replies_ready: watch::Sender<u64>,
    pub(crate) status: status::Status,
    /// Poll-now requests, by connection name (polled connections only).
    pub(crate) triggers: BTreeMap<String, mpsc::Sender<connections::Trigger>>,
    /// When a reload message last arrived, by (provider, target market) pair.
    pub(crate) reload_activity: Mutex<BTreeMap<String, Instant>>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tracker: TaskTracker,
    /// Held while the ingest worker applies a message, and by admin work
    /// that must not interleave with one (replay, reload close, backup).
    pub(crate) store_gate: tokio::sync::Mutex<()>,
    /// Held by the publisher around each drain and by a reindex for its
    /// whole rebuild, so the two never write the index at once; changes
    /// applied meanwhile wait in the outbox.
    pub(crate) sink_gate: tokio::sync::Mutex<()>,
    /// Set by a reindex that switched the index: the publisher drops the
    /// sink it holds open (on the old generation) and opens the new one.
    pub(crate) sink_switched: std::sync::atomic::AtomicBool,
    /// The read side of the embedded index (the read API, the page).
    pub(crate) reader: reader::Reader,
    pub(crate) metrics: metrics::Metrics,
}

impl Shared {
    pub(crate) fn wake_outbound(&self) {
        self.replies_ready.send_modify(|n| *n = n.wrapping_add(1));
    }
}

pub(crate) fn run(args: &RunArgs) -> ExitCode {
    let config = match &args.config {
        Some(path) => gdsn_config::Config::load(path).map_err(anyhow::Error::from),
        None => gdsn_config::Config::embedded_defaults(&args.data_dir).map_err(anyhow::Error::from),
    };
    let config = match config {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gdsn-sync: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = logging::init(&config.logging, args.log_format) {
        eprintln!("gdsn-sync: {e:#}");
        return ExitCode::from(2);
    }
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("gdsn-sync").build() {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("gdsn-sync: cannot start the async runtime: {e}");
                return ExitCode::from(2);
            }
        };
    let result = runtime.block_on(serve(config));
    // Blocking work cut off by the drain deadline is not waited for.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("gdsn-sync: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: Config) -> Result<()> {
    // Opening the store reads sled's log (seconds for a big store): not on
    // an async worker thread.
    let data_dir = config.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || crate::ingest::open_data_store(&data_dir))
        .await
        .context("the thread opening the store failed")?
        .with_context(|| format!("opening the store in {}", config.data_dir.join("store").display()))?;
    let store = Arc::new(store);
    let (jobs, queue) = mpsc::channel(config.pipeline.queue_capacity.max(1));
    let mut triggers = BTreeMap::new();
    let mut trigger_queues = Vec::new();
    for connection in config.connections.iter().filter(|c| c.enabled && c.poll().is_some()) {
        let (tx, rx) = mpsc::channel(4);
        triggers.insert(connection.name.clone(), tx);
        trigger_queues.push((connection.clone(), rx));
    }
    let listener = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("listening on {}", config.http.listen))?;
    let local = listener.local_addr().context("reading the listen address")?;
    let reader = reader::Reader::new(&config);
    let metrics = metrics::Metrics::new(&config);
    let shared = Arc::new(Shared {
        status: status::Status::new(&config.connections),
        config,
        store,
        jobs,
        wake_publisher: Notify::new(),
        replies_ready: watch::Sender::new(0),
        triggers,
        reload_activity: Mutex::new(BTreeMap::new()),
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
        store_gate: tokio::sync::Mutex::new(()),
        sink_gate: tokio::sync::Mutex::new(()),
        sink_switched: std::sync::atomic::AtomicBool::new(false),
        reader,
        metrics,
    });
    let tracker = shared.tracker.clone();
    tracker.spawn(pipeline::worker(Arc::clone(&shared), queue));
    tracker.spawn(publisher::run(Arc::clone(&shared)));
    for (connection, rx) in trigger_queues {
        let poller = connections::Poller::new(&connection)?;
        if let Some(sender) = outbound::Sender::for_poller(&connection, &poller) {
            tracker.spawn(outbound::run(Arc::clone(&shared), sender));
        }
        tracker.spawn(connections::run(Arc::clone(&shared), connection, poller, rx));
    }
    for connection in shared.config.connections.iter().filter(|c| c.enabled) {
        if let Transport::Webhook { http: Some(_), .. } = &connection.transport {
            let sender = outbound::Sender::for_webhook(connection)?;
            tracker.spawn(outbound::run(Arc::clone(&shared), sender));
        }
    }
    let router = http::router(Arc::clone(&shared));
    tracker.spawn(http::serve(listener, router, shared.shutdown.clone()));
    write_daemon_file(&shared.config, local);
    info!(listen = %local, data_dir = %shared.config.data_dir.display(), connections = shared.config.connections.len(), "gdsn-sync running");
    wait_for_signal().await;
    let deadline = shared.config.pipeline.drain_deadline;
    info!(deadline_secs = deadline.as_secs(), "shutting down: finishing work in progress");
    shared.shutdown.cancel();
    tracker.close();
    if tokio::time::timeout(deadline, tracker.wait()).await.is_err() {
        warn!("drain deadline passed: work still in progress was not acknowledged and will come again");
    }
    let _ = std::fs::remove_file(shared.config.data_dir.join("daemon.json"));
    let store = Arc::clone(&shared.store);
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .context("the flushing thread failed")?
        .context("flushing the store")?;
    info!("stopped");
    Ok(())
}

/// `DATA/daemon.json`: where the running daemon listens, for the CLI's
/// `--api` and for tests that let it pick a free port.
fn write_daemon_file(config: &Config, listen: std::net::SocketAddr) {
    let path = config.data_dir.join("daemon.json");
    let body = serde_json::json!({ "pid": std::process::id(), "listen": listen.to_string() });
    let tmp = path.with_extension("json.tmp");
    if let Err(e) = std::fs::write(&tmp, body.to_string()).and_then(|()| std::fs::rename(&tmp, &path)) {
        warn!(path = %path.display(), "cannot write the daemon file: {e}");
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                warn!("cannot listen for SIGTERM: {e}");
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => info!("SIGINT received"),
            _ = term.recv() => info!("SIGTERM received"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
