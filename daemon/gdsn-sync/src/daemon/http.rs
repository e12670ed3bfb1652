//! The daemon's one HTTP listener: `/healthz`, `/readyz`, `/v1/status`,
//! `POST /v1/connections/{name}/poll` (admin), the admin routes of the
//! CLI's `--api` (`admin`), `POST /v1/reindex`, the JSON API (`api`),
//! `/metrics`, the pages and each webhook connection's push route.
//! `schemas/openapi.yaml` describes every route; `tests/read_api.rs` checks
//! the two against each other.
//!
//! Limits, set here for every route so none is forgotten:
//! - request bodies: `[http] max_request_body_bytes` (axum's
//!   `DefaultBodyLimit`, which the body extractors enforce); a webhook
//!   route sets its connection's own `max_body_bytes` closer to the
//!   handler, which wins;
//! - time: `[http] request_timeout_secs` on every route except those whose
//!   work must not be cut short or is long by design: a message waiting to
//!   be durable (`POST /v1/messages`, webhooks), a poll, a reindex, a
//!   replay, a reload sweep and the streamed export and backup. Those hold
//!   `store_gate` or wait for the ingest worker, and cancelling them would
//!   gain nothing: the work goes on in its blocking thread or task.
//! - unknown paths answer 404 `no_route` and a wrong method 405
//!   `method_not_allowed`, in the API's error body.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Shared;
use super::api::{Answer, ApiError, ErrorCode, Segment, require_admin, require_read};
use super::connections::Trigger;
use super::reader::ReadError;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let started = Utc::now();
    let timeout = shared.config.http.request_timeout;
    let bounded = Router::new()
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(move |state| readyz(state, started)))
        .route("/v1/status", get(status))
        .merge(super::admin::quick_routes())
        .merge(super::api::routes(&shared))
        .merge(super::metrics::routes())
        .merge(super::page_routes::routes())
        .layer(from_fn_with_state(timeout, time_limit));
    let unbounded = Router::new()
        .route("/v1/connections/{name}/poll", post(poll_now))
        .merge(super::admin::long_routes())
        .merge(super::reindex::routes());
    let router = super::webhook::routes(bounded.merge(unbounded), &shared)
        .fallback(|| async { ApiError::new(ErrorCode::NoRoute, "no such route; see schemas/openapi.yaml") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "this route does not take this method")
        });
    let limit = usize::try_from(shared.config.http.max_request_body_bytes).unwrap_or(usize::MAX);
    router.layer(DefaultBodyLimit::max(limit)).with_state(shared)
}

pub(crate) async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    let server =
        axum::serve(listener, router).with_graceful_shutdown(async move { shutdown.cancelled().await });
    if let Err(e) = server.await {
        warn!("the HTTP listener stopped: {e}");
    }
}

/// Answers 503 `timeout` when the response takes longer than `limit`. Our
/// own rather than tower-http's `TimeoutLayer`, whose answer has no body:
/// every error here carries the API's error body. Dropping the handler's
/// future is safe on these routes: their store and index work runs on
/// blocking threads that finish on their own and hold no gate for it.
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::Timeout,
            format!("no answer within {} s ([http] request_timeout_secs)", limit.as_secs()),
        )
        .into_response(),
    }
}

/// Runs a store call on a blocking thread, as every store access in the
/// daemon does (sled's `len` walks a whole tree); `None` if the thread failed.
pub(crate) async fn on_store<T: Send + 'static>(
    shared: &Arc<Shared>,
    call: impl FnOnce(&gdsn_store::Store) -> T + Send + 'static,
) -> Option<T> {
    let store = Arc::clone(&shared.store);
    shared.tracker.spawn_blocking(move || call(&store)).await.ok()
}

/// Runs an index read on a blocking thread (tantivy reads files); `None`
/// if the thread failed.
pub(crate) async fn on_reader<T: Send + 'static>(
    shared: &Arc<Shared>,
    call: impl FnOnce(&super::reader::Reader) -> T + Send + 'static,
) -> Option<T> {
    let shared = Arc::clone(shared);
    shared.tracker.clone().spawn_blocking(move || call(&shared.reader)).await.ok()
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

/// 200 only when the daemon can serve: the store answers, the index opens
/// (or nothing was published yet, or the sink is a cluster, which its
/// consumers read directly), no polled connection is stale and the daemon
/// is not stopping.
async fn readyz(State(shared): State<Arc<Shared>>, started: chrono::DateTime<Utc>) -> Response {
    let stale_after =
        chrono::Duration::from_std(shared.config.http.readiness_stale).unwrap_or(chrono::Duration::MAX);
    let stale = shared.status.stale(stale_after, started);
    let stopping = shared.shutdown.is_cancelled();
    let outbox = on_store(&shared, |store| store.outbox_depth()).await;
    let index = match on_reader(&shared, super::reader::Reader::count_live).await {
        Some(Ok(_)) => Ok("ok".to_owned()),
        Some(Err(ReadError::NotPublished)) => Ok("nothing published yet".to_owned()),
        Some(Err(ReadError::Cluster(_))) => Ok("cluster".to_owned()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the index reading thread failed".to_owned()),
    };
    let ready = stale.is_empty() && !stopping && outbox.is_some() && index.is_ok();
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "stale_connections": stale,
        "stopping": stopping,
        "store": if outbox.is_some() { "ok" } else { "not answering" },
        "outbox": outbox,
        "index": index.unwrap_or_else(|e| format!("error: {e}")),
    });
    let code = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body)).into_response()
}

async fn status(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_read(&shared, &headers)?;
    let counts = on_store(&shared, gdsn_store::Store::counts)
        .await
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the store thread failed"))?;
    Ok(Json(json!({
        "connections": shared.status.snapshot(),
        "store": {
            "live": counts.live,
            "tombstones": counts.tombstones,
            "outbox": counts.outbox,
            "messages": counts.messages,
            "quarantined": counts.quarantined,
            "replies_pending": counts.replies,
        },
    }))
    .into_response())
}

/// Polls a connection now and answers with what the poll did (it waits
/// behind a poll already running: polls of one connection never overlap).
async fn poll_now(
    State(shared): State<Arc<Shared>>,
    Segment(name): Segment<String>,
    headers: HeaderMap,
) -> Answer {
    require_admin(&shared, &headers)?;
    let Some(trigger) = shared.triggers.get(&name) else {
        let code = if shared.config.connection(&name).is_some() {
            ErrorCode::NotPolled
        } else {
            ErrorCode::UnknownConnection
        };
        return Err(ApiError::new(code, format!("no polled connection named {name:?}")));
    };
    let (tx, rx) = oneshot::channel();
    if trigger.send(Trigger(tx)).await.is_err() {
        return Err(ApiError::stopping());
    }
    let report = rx.await.map_err(|_| ApiError::stopping())?;
    // A failed poll is not an error of this request: 502 with the report.
    let status = if report.error.is_some() { StatusCode::BAD_GATEWAY } else { StatusCode::OK };
    Ok((status, Json(report)).into_response())
}
