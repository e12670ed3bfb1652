//! The admin routes behind the CLI's `--api URL --token T`: while
//! `gdsn-sync run` holds the data dir (sled allows one process), the store
//! commands act through it.
//!
//! - `POST /v1/messages[?connection=NAME]`: one GS1 XML message, queued to
//!   the ingest worker like a webhook push and answered once durable
//!   (`Applied`); replies go back through NAME, or wait for `replies`;
//! - `GET /v1/export` (NDJSON) and `GET /v1/backup` (gzip), streamed;
//! - `GET /v1/replies`, `POST /v1/replies/{sequence}/delivered`,
//!   `GET /v1/quarantine`, `POST /v1/replay`, `GET /v1/reloads`,
//!   `POST /v1/reloads/close`, `POST /v1/reloads/{pair}/close|confirm`.
//!
//! Every route wants the admin token. Store work runs on the tracker's
//! blocking threads, never on the async runtime; work that must not
//! interleave with a message (replay, reload close, the backup snapshot)
//! holds `store_gate`, as the ingest worker does.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gdsn_store::reload::CloseOutcome;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Shared;
use super::api::{Answer, ApiError, ErrorCode, JsonBody, Params, RawBody, Segment, on_store, require_admin};
use super::pipeline::ingest_options;
use crate::cli::StoreArgs;
use crate::ingest::replay::{Chosen, Wanted, choose};
use crate::ingest::{Source, close_reloads, ingest_message};

/// Bytes per chunk of a streamed body, and chunks in flight: a slow client
/// holds at most about 1 MiB of an export in memory, never the store.
const CHUNK: usize = 64 * 1024;
const CHUNKS_IN_FLIGHT: usize = 16;

/// Numbers the messages posted here (`api/N`, their label in logs).
static POSTED: AtomicU64 = AtomicU64::new(1);

/// The routes answered quickly (bounded by the request timeout).
pub(crate) fn quick_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/replies", get(replies))
        .route("/v1/replies/{sequence}/delivered", post(delivered))
        .route("/v1/quarantine", get(quarantine))
        .route("/v1/reloads", get(reloads))
}

/// The routes that wait for the ingest worker or hold `store_gate` across
/// their work, or stream: a timeout must not cut them (see `http`).
pub(crate) fn long_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/messages", post(post_message))
        .route("/v1/export", get(export))
        .route("/v1/backup", get(backup))
        .route("/v1/replay", post(replay))
        .route("/v1/reloads/close", post(close_all))
        .route("/v1/reloads/{pair}/close", post(close_one))
        .route("/v1/reloads/{pair}/confirm", post(confirm))
}

/// Store work on a blocking thread, not gated (the callers that need the
/// gate hold it around the call).
async fn blocking<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(&Shared) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    on_store(shared, false, work).await
}

#[derive(Debug, Deserialize)]
struct MessageQuery {
    connection: Option<String>,
}

async fn post_message(
    State(shared): State<Arc<Shared>>,
    Params(query): Params<MessageQuery>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Answer {
    require_admin(&shared, &headers)?;
    // No connection: the worker then queues the replies without one, and
    // `replies` lists them (no transport would send them).
    let connection = match query.connection {
        Some(name) if shared.config.connection(&name).is_none() => {
            return Err(ApiError::new(ErrorCode::UnknownConnection, format!("no connection named {name:?}")));
        }
        Some(name) => name,
        None => String::new(),
    };
    let label = PathBuf::from(format!("api/{}", POSTED.fetch_add(1, Ordering::Relaxed)));
    let source = Source::Memory { label, bytes: Arc::from(&body[..]) };
    match shared.ingest(&connection, source).await {
        Ok(applied) => Ok(Json(applied).into_response()),
        Err(e) if shared.shutdown.is_cancelled() => Err(ApiError::new(ErrorCode::Stopping, e)),
        Err(e) => Err(ApiError::new(ErrorCode::NotStored, e)),
    }
}

/// Every live record as NDJSON, as `gdsn-sync export` writes it. Records
/// are read while messages may be applied: each line is whole, the set is
/// not one instant's (a backup is).
async fn export(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let worker = Arc::clone(&shared);
    shared.tracker.spawn_blocking(move || {
        let mut out = ChannelWriter { tx, buf: Vec::with_capacity(CHUNK) };
        let written = worker.store.export(&mut out).map_err(io::Error::other);
        out.finish(written.map(drop));
    });
    Ok(streamed(rx, "application/x-ndjson", None))
}

/// A consistent snapshot (as `gdsn-sync backup` writes it), taken under the
/// gate into an unlinked file in the data dir, then streamed: a slow
/// client never holds up the ingest worker.
async fn backup(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let n = POSTED.fetch_add(1, Ordering::Relaxed);
    let gate = shared.store_gate.lock().await;
    let (mut file, entries) = blocking(&shared, move |shared| snapshot(shared, n)).await?;
    drop(gate);
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    shared.tracker.spawn_blocking(move || {
        let mut out = ChannelWriter { tx, buf: Vec::with_capacity(CHUNK) };
        let copied = io::copy(&mut file, &mut out).map(drop);
        out.finish(copied);
    });
    Ok(streamed(rx, "application/gzip", Some(entries)))
}

fn snapshot(shared: &Shared, n: u64) -> anyhow::Result<(File, usize)> {
    let path = shared.config.data_dir.join(format!("backup-api-{}-{n}.part", std::process::id()));
    let mut file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    // Unlinked at once: the open handle keeps the bytes until they are
    // streamed, and no way out (error, crash) leaves the file behind.
    std::fs::remove_file(&path).with_context(|| format!("unlinking {}", path.display()))?;
    let entries = shared.store.backup(BufWriter::new(&mut file))?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, entries))
}

/// A 200 whose body comes from a blocking thread through a bounded channel.
/// An error after the headers cuts the body short, which the client sees.
fn streamed(
    rx: mpsc::Receiver<io::Result<Bytes>>,
    content_type: &'static str,
    entries: Option<usize>,
) -> Response {
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let mut response = ([(header::CONTENT_TYPE, content_type)], Body::from_stream(stream)).into_response();
    if let Some(value) = entries.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
        response.headers_mut().insert("x-backup-entries", value);
    }
    response
}

/// A `Write` that hands 64 KiB chunks to the response body; it fails with
/// BrokenPipe once the client has gone, which stops the store read.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Sends what is left, or the error that cut the body short.
    fn finish(mut self, result: io::Result<()>) {
        if let Err(e) = result.and_then(|()| self.flush()) {
            tracing::warn!("a streamed admin response was cut short: {e}");
            let _ = self.tx.blocking_send(Err(e));
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() { Ok(()) } else { self.send() }
    }
}

async fn replies(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let pending = blocking(&shared, |shared| Ok(shared.store.pending_replies()?)).await?;
    let list: Vec<Value> = pending
        .into_iter()
        .map(|r| {
            json!({ "sequence": r.sequence, "kind": r.kind, "message_id": r.message_id,
                    "receiver": r.receiver, "connection": r.connection, "xml": r.xml })
        })
        .collect();
    Ok(Json(list).into_response())
}

/// The caller wrote the reply out durably (`replies --write-to`): forget it.
async fn delivered(
    State(shared): State<Arc<Shared>>,
    Segment(sequence): Segment<u64>,
    headers: HeaderMap,
) -> Answer {
    require_admin(&shared, &headers)?;
    blocking(&shared, move |shared| {
        shared.store.delivered(sequence)?;
        Ok(shared.store.flush()?)
    })
    .await?;
    Ok(Json(json!({ "delivered": sequence })).into_response())
}

async fn quarantine(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let list = blocking(&shared, |shared| Ok(shared.store.quarantined()?)).await?;
    let list: Vec<Value> = list
        .into_iter()
        .map(|q| json!({ "sender": q.sender, "message_id": q.message_id, "reason": q.reason, "archive": q.archive }))
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Debug, Deserialize)]
struct ReplayBody {
    message_id: Option<String>,
    sender: Option<String>,
    #[serde(default)]
    quarantined: bool,
}

/// Re-applies archived messages as `gdsn-sync replay` does; answers with
/// the lines it prints (`lines` on stdout, `warnings` on stderr) and its
/// exit code. Reload sessions it opens close after their quiet period.
async fn replay(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReplayBody>,
) -> Answer {
    require_admin(&shared, &headers)?;
    if body.message_id.is_none() && !body.quarantined {
        return Err(ApiError::new(ErrorCode::BadRequest, "give message_id or quarantined: true"));
    }
    let chosen = blocking(&shared, move |shared| {
        let wanted = Wanted {
            message_id: body.message_id.as_deref(),
            sender: body.sender.as_deref(),
            quarantined: body.quarantined,
        };
        Ok(choose(&shared.store, &shared.config.data_dir, &wanted).map_err(|e| format!("{e:#}")))
    })
    .await?;
    let (chosen, skipped) = chosen.map_err(|e| ApiError::new(ErrorCode::CannotReplay, e))?;
    let gate = shared.store_gate.lock().await;
    let answer =
        blocking(&shared, move |shared| Ok(replay_chosen(shared, &chosen, body.quarantined, skipped)))
            .await?;
    drop(gate);
    shared.wake_publisher.notify_one();
    shared.wake_outbound();
    Ok(Json(answer).into_response())
}

fn replay_chosen(shared: &Shared, chosen: &[Chosen], release: bool, mut warnings: Vec<String>) -> Value {
    let options = ingest_options(&shared.config, "");
    let store_args = StoreArgs { data_dir: shared.config.data_dir.clone() };
    let mut lines = Vec::new();
    let mut exit = 0;
    for (_, _, source) in chosen {
        match ingest_message(&shared.store, &store_args, &options, source, true) {
            Ok(summary) => {
                lines.push(summary.line(&source.label()));
                exit = exit.max(u8::from(summary.rejected > 0));
            }
            Err(e) => {
                warnings.push(format!("{}: {e:#}", source.label().display()));
                return json!({ "lines": lines, "warnings": warnings, "exit": 2 });
            }
        }
    }
    for (sender, id, _) in chosen.iter().filter(|_| release) {
        if let Err(e) = shared.store.release(sender, id).and_then(|()| shared.store.flush()) {
            warnings.push(format!("gdsn-sync: {e}"));
            return json!({ "lines": lines, "warnings": warnings, "exit": 2 });
        }
        lines.push(format!("released {sender} {id} from quarantine"));
    }
    json!({ "lines": lines, "warnings": warnings, "exit": exit })
}

async fn reloads(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let sessions = blocking(&shared, |shared| Ok(shared.store.reload_sessions()?)).await?;
    let list: Vec<Value> = sessions
        .into_iter()
        .map(|s| json!({ "pair": s.pair, "held": s.held, "marked": s.marked, "opened_at": s.opened_at }))
        .collect();
    Ok(Json(list).into_response())
}

async fn close_all(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    close(shared, headers, None, false).await
}

async fn close_one(
    State(shared): State<Arc<Shared>>,
    Segment(pair): Segment<String>,
    headers: HeaderMap,
) -> Answer {
    close(shared, headers, Some(pair), false).await
}

async fn confirm(
    State(shared): State<Arc<Shared>>,
    Segment(pair): Segment<String>,
    headers: HeaderMap,
) -> Answer {
    close(shared, headers, Some(pair), true).await
}

/// `reload close|confirm`, with the daemon's `max_sweep_fraction`.
async fn close(shared: Arc<Shared>, headers: HeaderMap, pair: Option<String>, confirmed: bool) -> Answer {
    require_admin(&shared, &headers)?;
    let gate = shared.store_gate.lock().await;
    let closed = blocking(&shared, move |shared| {
        let fraction = shared.config.store.max_sweep_fraction;
        close_reloads(&shared.store, fraction, pair.as_deref(), confirmed)
    })
    .await?;
    drop(gate);
    shared.wake_publisher.notify_one();
    let list: Vec<Value> = closed
        .into_iter()
        .map(|(pair, outcome)| match outcome {
            CloseOutcome::Swept(removed) => json!({ "pair": pair, "swept": removed }),
            CloseOutcome::Held { candidates, live } => {
                json!({ "pair": pair, "held": { "candidates": candidates, "live": live } })
            }
        })
        .collect();
    Ok(Json(list).into_response())
}
