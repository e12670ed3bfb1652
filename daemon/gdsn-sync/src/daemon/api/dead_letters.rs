//! Dead letters through the daemon, as `gdsn-sync dead-letters [--retry]`:
//! the changes the index refused for good, and putting them back in the
//! outbox for the publisher.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Answer, on_store, require_admin};
use crate::daemon::Shared;

/// `GET /v1/dead-letters`: `[{seq, op, key, reason}]`, oldest first.
pub(super) async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let list = on_store(&shared, false, |shared| Ok(shared.store.dead_letters()?)).await?;
    let list: Vec<Value> = list
        .into_iter()
        .map(|d| json!({ "seq": d.seq, "op": d.op, "key": d.key, "reason": d.reason }))
        .collect();
    Ok(Json(list).into_response())
}

/// `POST /v1/dead-letters/retry`: every dead letter back in the outbox
/// under a new sequence (durable before the answer), then the publisher is
/// woken. Under `store_gate`: the outbox sequence is also the ingest
/// worker's to allocate.
pub(super) async fn retry(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let queued = on_store(&shared, true, |shared| {
        let n = shared.store.retry_dead_letters()?;
        shared.store.flush()?;
        Ok(n)
    })
    .await?;
    shared.wake_publisher.notify_one();
    Ok(Json(json!({ "queued": queued })).into_response())
}
