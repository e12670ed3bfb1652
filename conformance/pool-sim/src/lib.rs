//! `gdsn-pool-sim`: a GDSN data pool that gdsn-sync (or its tests) can talk to without a pool
//! account. It serves a directory of GS1 XML messages through our pool protocol
//! (`schemas/pool-api.openapi.yaml`): the inbox API (list, fetch, acknowledge), the changed-since
//! API, `POST /outbound` for the recipient's replies (an RFCIN queues a reload, a CIS a GS1 Response
//! ACCEPTED), every authentication style the daemon supports (mutual TLS through
//! [`SimConfig::tls`]), webhook pushes, a drop folder, and faults armed from the command line or at
//! run time through `POST /admin/faults`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gdsn_pool_sim::SimError> {
//! let mut config = gdsn_pool_sim::SimConfig::new();
//! config.messages_dir = Some("conformance/cases-as-files".into());
//! let sim = gdsn_pool_sim::serve(config).await?;
//! println!("pool at {}", sim.base_url());
//! let state = sim.state();
//! sim.shutdown().await;
//! # let _ = state; Ok(()) }
//! ```
//!
//! Useful for: end-to-end tests of the daemon, and for trying the daemon by hand. Not useful for:
//! anything a real pool decides (validation rules, registry, routing between pools): the simulator
//! only plays the recipient-facing side, and keeps everything in memory.

mod auth;
mod config;
mod drop;
mod error;
mod faults;
mod load;
mod oauth;
mod outbound;
mod pool;
mod push;
mod response;
mod routes;
pub mod sign;
mod sim;
mod state;
mod tls;
mod xml;

use std::net::SocketAddr;

use bytes::Bytes;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    Auth, DEFAULT_POOL_GLN, DropFolderConfig, HmacAuth, OAuth2Auth, PayloadMode, PushAuth, PushConfig,
    SimConfig,
};
pub use error::SimError;
pub use faults::{
    ContentTypeFault, CountFault, Faults, RateLimitFault, SlowBodyFault, StallFault, StatusFault,
};
pub use pool::{AckRecord, Delivery, MessageSummary, Origin, Receipt};
pub use routes::served_routes;
pub use state::StateSnapshot;
pub use tls::TlsConfig;
pub use xml::{Selection, XmlError};

use pool::Pool;
use sim::Sim;

/// A simulator serving in the background. Dropping it stops the server and its workers too, but
/// [`RunningSim::shutdown`] also waits for them.
pub struct RunningSim {
    addr: SocketAddr,
    /// `http`, or `https` when [`SimConfig::tls`] is set.
    scheme: &'static str,
    sim: Sim,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts a simulator: loads the messages, binds the listener, and spawns the server and the push
/// or drop-folder workers on the current tokio runtime.
///
/// Errors: a directory or file that cannot be read or created, an address that cannot be bound, a
/// push URL that is not one, faults that cannot be served, TLS certificates or keys that cannot be
/// used.
pub async fn serve(config: SimConfig) -> Result<RunningSim, SimError> {
    let files = initial_messages(&config)?;
    let pool = initial_pool(&config, files)?;
    prepare_folders(&config)?;
    let client = push_client(&config)?;
    let tls = config.tls.as_ref().map(tls::prepare).transpose()?;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| SimError::Bind { addr: config.bind, source })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind { addr: config.bind, source })?;
    let sim = Sim::new(config, pool);
    let (stop, stopped) = watch::channel(false);
    let app = routes::router(sim.clone());
    let mut tasks = match tls {
        Some(tls) => {
            let (listener, accepting) = tls::listen(listener, addr, tls, sim.clone(), stopped.clone());
            vec![accepting, spawn_server(listener, app, stopped.clone())]
        }
        None => vec![spawn_server(listener, app, stopped.clone())],
    };
    tasks.extend(spawn_workers(&sim, client, &stopped));
    let scheme = scheme(&sim.config);
    tracing::info!(%addr, scheme, messages = sim.pool().log().len(), "gdsn-pool-sim serving");
    Ok(RunningSim { addr, scheme, sim, stop, tasks })
}

/// Serves `app` on `listener` until the stop signal, then lets requests in flight finish.
fn spawn_server<L>(listener: L, app: axum::Router, mut stopped: watch::Receiver<bool>) -> JoinHandle<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    });
    tokio::spawn(async move {
        if let Err(error) = server.await {
            tracing::error!(%error, "the simulator's server stopped");
        }
    })
}

fn scheme(config: &SimConfig) -> &'static str {
    if config.tls.is_some() { "https" } else { "http" }
}

fn initial_messages(config: &SimConfig) -> Result<Vec<(String, Vec<u8>)>, SimError> {
    let mut files = match &config.messages_dir {
        Some(dir) => load::messages_dir(dir)?,
        None => Vec::new(),
    };
    files.extend(config.messages.iter().cloned());
    Ok(files)
}

fn initial_pool(config: &SimConfig, files: Vec<(String, Vec<u8>)>) -> Result<Pool, SimError> {
    let mut faults = config.faults.clone();
    faults.check().map_err(SimError::Config)?;
    faults.normalise();
    let shared = config.shared_timestamps.max(1);
    // By default the synthetic clock ends a second before now, so every file's change time is past.
    let steps = files.len().div_ceil(shared) as i64;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let epoch = config.epoch.unwrap_or(now - time::Duration::seconds(steps + 1));
    let mut pool = Pool::new(epoch, shared, faults);
    for (name, bytes) in files {
        pool.add(&name, Bytes::from(bytes), Origin::File);
    }
    Ok(pool)
}

fn prepare_folders(config: &SimConfig) -> Result<(), SimError> {
    let Some(drop) = &config.drop_folder else {
        return Ok(());
    };
    for dir in std::iter::once(&drop.inbox).chain(drop.outbound.as_ref()) {
        std::fs::create_dir_all(dir).map_err(|source| SimError::Io { path: dir.clone(), source })?;
    }
    Ok(())
}

fn push_client(config: &SimConfig) -> Result<Option<reqwest::Client>, SimError> {
    let Some(push) = &config.push else {
        return Ok(None);
    };
    if config.drop_folder.is_some() {
        return Err(SimError::Config("push and drop folder modes cannot be used together".to_owned()));
    }
    reqwest::Url::parse(&push.url).map_err(|e| SimError::Config(format!("push URL {:?}: {e}", push.url)))?;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| SimError::Config(format!("HTTP client for pushes: {e}")))?;
    Ok(Some(client))
}

/// Spawns the delivery workers, each raced against the stop signal.
fn spawn_workers(
    sim: &Sim,
    client: Option<reqwest::Client>,
    stopped: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    let mut spawn = |work: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>| {
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            tokio::select! {
                () = work => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        }));
    };
    if let (Some(push), Some(client)) = (sim.config.push.clone(), client) {
        spawn(Box::pin(push::run(sim.clone(), push, client)));
    }
    if let Some(drop) = sim.config.drop_folder.clone() {
        spawn(Box::pin(drop::run_writer(sim.clone(), drop.inbox.clone(), drop.hold_part)));
        if let Some(outbound) = drop.outbound {
            spawn(Box::pin(drop::run_reader(sim.clone(), outbound, drop.scan_interval)));
        }
    }
    tasks
}

impl RunningSim {
    /// The address the server listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/` (`https://ADDR/` with TLS): the `base_url` a daemon connection uses; every
    /// default path is below it.
    pub fn base_url(&self) -> String {
        format!("{}://{}/", self.scheme, self.addr)
    }

    /// Replaces the armed faults (as `POST /admin/faults`). Errors: a value that cannot be served.
    pub fn set_faults(&self, faults: Faults) -> Result<(), SimError> {
        let mut faults = faults;
        faults.check().map_err(SimError::Config)?;
        faults.normalise();
        self.sim.pool().faults = faults;
        Ok(())
    }

    /// Everything `GET /admin/state` shows.
    pub fn state(&self) -> StateSnapshot {
        StateSnapshot::of(&self.sim.pool())
    }

    /// Queues a message in the inbox (as `POST /admin/messages`), delivering it in push or drop mode.
    pub fn add_message(&self, name: &str, xml: impl Into<Bytes>) -> MessageSummary {
        self.sim.add(name, xml.into(), Origin::Injected).summary()
    }

    /// Stops accepting, lets requests in flight finish, stops the workers, and waits for all of it.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
