//! The daemon's one HTTP listener: `/healthz`, `/readyz`, `/v1/status`,
//! `POST /v1/connections/{name}/poll` (admin) and each webhook
//! connection's push route.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Shared;
use super::connections::Trigger;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let started = Utc::now();
    let router = Router::new()
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(move |state| readyz(state, started)))
        .route("/v1/status", get(status))
        .route("/v1/connections/{name}/poll", post(poll_now));
    let router = router.merge(super::admin::routes(&shared));
    let router = router.merge(super::reindex::routes());
    let router = router.merge(super::api::routes(&shared));
    let router = router.merge(super::metrics::routes());
    let router = router.merge(super::page_routes::routes());
    super::webhook::routes(router, &shared).with_state(shared)
}

pub(crate) async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    let server =
        axum::serve(listener, router).with_graceful_shutdown(async move { shutdown.cancelled().await });
    if let Err(e) = server.await {
        warn!("the HTTP listener stopped: {e}");
    }
}

/// A JSON error body with a stable code.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
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

async fn readyz(State(shared): State<Arc<Shared>>, started: chrono::DateTime<Utc>) -> Response {
    let stale_after =
        chrono::Duration::from_std(shared.config.http.readiness_stale).unwrap_or(chrono::Duration::MAX);
    let stale = shared.status.stale(stale_after, started);
    let stopping = shared.shutdown.is_cancelled();
    let body = json!({
        "status": if stale.is_empty() && !stopping { "ready" } else { "not ready" },
        "stale_connections": stale,
        "stopping": stopping,
        "outbox": on_store(&shared, |store| store.outbox_depth()).await,
    });
    let code = if stale.is_empty() && !stopping { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body)).into_response()
}

async fn status(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !shared.config.http.allows_read(bearer(&headers)) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "a read or admin token is required");
    }
    let Some(counts) = on_store(&shared, gdsn_store::Store::counts).await else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the store thread failed");
    };
    Json(json!({
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
    .into_response()
}

/// Polls a connection now and answers with what the poll did (it waits
/// behind a poll already running: polls of one connection never overlap).
async fn poll_now(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if shared.config.http.admin_token.is_none() {
        return error(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "no admin token is configured ([http] admin_token)",
        );
    }
    if !shared.config.http.allows_admin(bearer(&headers)) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "the admin token is required");
    }
    let Some(trigger) = shared.triggers.get(&name) else {
        let known = shared.config.connection(&name).is_some();
        let (status, code) = if known {
            (StatusCode::CONFLICT, "not_polled")
        } else {
            (StatusCode::NOT_FOUND, "unknown_connection")
        };
        return error(status, code, &format!("no polled connection named {name:?}"));
    };
    let (tx, rx) = oneshot::channel();
    if trigger.send(Trigger(tx)).await.is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "stopping", "the daemon is shutting down");
    }
    match rx.await {
        Ok(report) => {
            let status = if report.error.is_some() { StatusCode::BAD_GATEWAY } else { StatusCode::OK };
            (status, Json(report)).into_response()
        }
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "stopping", "the daemon is shutting down"),
    }
}
