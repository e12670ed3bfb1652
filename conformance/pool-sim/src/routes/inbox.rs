//! `GET /inbox` (pending messages, paged by an opaque cursor) and `.../inbox/{id}/ack`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::faults::ListFaults;
use crate::pool::{AckOutcome, Message};
use crate::sim::Sim;

/// Largest page a client may ask for; a larger `limit` is cut to it.
pub(crate) const MAX_PAGE: usize = 1000;

/// One page of the inbox: `{"messages": [...], "next_cursor": "..." | null}`.
pub(crate) async fn list(
    State(sim): State<Sim>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = limit(&query, sim.config.default_page_size)?;
    let after = match query.get("cursor").filter(|c| !c.is_empty()) {
        Some(cursor) => decode_cursor(cursor)?,
        None => 0,
    };
    let (page, more, faults) = {
        let mut pool = sim.pool();
        let (page, more) = pool.inbox_page(after, limit);
        (page, more, pool.faults.take_list())
    };
    // The cursor is taken before the faults reorder the page, so paging itself stays correct.
    let next = page.last().filter(|_| more).map(|m| encode_cursor(m.seq));
    Ok(Json(json!({ "messages": entries(page, faults), "next_cursor": next })))
}

/// Acknowledges a pending message: it leaves the inbox. Acknowledging again is harmless.
pub(crate) async fn ack(State(sim): State<Sim>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let outcome = sim.pool().ack(&id, "api");
    match outcome {
        AckOutcome::Acked { .. } => {
            Ok(Json(json!({ "id": id, "acknowledged": true, "already_acknowledged": false })))
        }
        AckOutcome::AlreadyAcked => {
            Ok(Json(json!({ "id": id, "acknowledged": true, "already_acknowledged": true })))
        }
        AckOutcome::Unknown => Err(ApiError::not_found(format!("no message {id}"))),
    }
}

/// The JSON entries of a page, with the listing faults applied.
pub(crate) fn entries(mut page: Vec<Arc<Message>>, faults: ListFaults) -> Vec<Value> {
    if faults.reverse {
        page.reverse();
    }
    if faults.duplicate
        && let Some(first) = page.first().cloned()
    {
        page.push(first);
    }
    page.iter().map(|m| serde_json::to_value(m.summary()).unwrap_or(Value::Null)).collect()
}

/// `limit` from the query: 1 or more (cut to [`MAX_PAGE`]), `default` when absent.
pub(crate) fn limit(query: &HashMap<String, String>, default: usize) -> Result<usize, ApiError> {
    let Some(text) = query.get("limit") else {
        return Ok(default.clamp(1, MAX_PAGE));
    };
    match text.parse::<usize>() {
        Ok(0) | Err(_) => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be a positive integer, not {text:?}"),
        )),
        Ok(n) => Ok(n.min(MAX_PAGE)),
    }
}

fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("inbox:{seq}"))
}

fn decode_cursor(cursor: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("inbox:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_request("invalid_cursor", "the cursor was not issued by this pool"))
}
