//! `POST /v1/reindex` (admin): rebuilds the index from the store while the
//! daemon keeps ingesting, then switches to it.
//!
//! The publisher is held back for the whole rebuild (the sink gate), so the
//! two never write the index at once; whatever the ingest worker applies
//! meanwhile waits in the outbox. After the switch the outbox is drained
//! into the new index before the gate opens, and the publisher reopens its
//! sink there. A change applied during the fill may reach the new index
//! twice (by the fill and from the outbox): the key's version makes the
//! second write a no-op or the newer one, never a regression.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Result;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::post;
use tracing::{info, warn};

use super::Shared;
use super::api::{Answer, ApiError, ErrorCode, require_admin};
use crate::index_cmds::{ReindexReport, rebuild};
use crate::sinks::{SinkRuntime, open_sink, publish_options};

/// Records per commit (per `_bulk` batch for a cluster) while building, as
/// `gdsn-sync reindex` by default.
const BATCH_SIZE: usize = 2000;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1/reindex", post(reindex))
}

async fn reindex(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    // A task of its own, not this handler: a client that hangs up drops the
    // handler's future, which must not open the gate while the rebuild runs.
    let done = shared.tracker.spawn(gated(Arc::clone(&shared))).await;
    match done.unwrap_or_else(Err) {
        Ok(Ok(report)) => {
            info!(documents = report.documents, published_after = report.published_after, "reindexed");
            if !report.warnings.is_empty() {
                warn!(warnings = ?report.warnings, "reindex finished with warnings");
            }
            shared.wake_outbound();
            Ok(Json(report).into_response())
        }
        Ok(Err(e)) => {
            warn!("reindex failed: {e:#}");
            Err(ApiError::new(ErrorCode::ReindexFailed, format!("{e:#}")))
        }
        Err(e) => Err(ApiError::thread(&e)),
    }
}

/// The rebuild on a blocking thread with the publisher held back; then the
/// publisher reopens its sink (on the new index, or, after a failure,
/// simply again) and drains what came meanwhile.
async fn gated(shared: Arc<Shared>) -> Result<Result<ReindexReport>, tokio::task::JoinError> {
    let gate = shared.sink_gate.lock().await;
    let worker = Arc::clone(&shared);
    let runtime = tokio::runtime::Handle::current();
    let done = shared.tracker.spawn_blocking(move || rebuild_and_publish(&worker, runtime)).await;
    shared.sink_switched.store(true, Ordering::Release);
    shared.reader.published();
    drop(gate);
    shared.wake_publisher.notify_one();
    done
}

/// The rebuild, then the outbox drained into the new index. Runs on a
/// blocking thread; a cluster sink blocks on `runtime`. A failed drain
/// after the switch is a warning: the switch stands, the changes stay in
/// the outbox for the publisher.
fn rebuild_and_publish(shared: &Shared, runtime: tokio::runtime::Handle) -> Result<ReindexReport> {
    let mut report =
        rebuild(&shared.store, &shared.config, SinkRuntime::Handle(runtime.clone()), BATCH_SIZE)?;
    let drained = open_sink(&shared.config, SinkRuntime::Handle(runtime)).and_then(|mut sink| {
        let options = publish_options(&shared.config);
        Ok(gdsn_publish::drain(&shared.store, sink.as_mut(), &options, &mut std::thread::sleep)?)
    });
    match drained {
        Ok(drained) => {
            report.published_after = drained.published;
            report.already_there = drained.already_newer;
        }
        Err(e) => report.warnings.push(format!("publishing the outbox into the new index: {e:#}")),
    }
    Ok(report)
}
