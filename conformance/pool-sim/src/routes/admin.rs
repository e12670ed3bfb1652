//! `/admin/...`: the test and operator controls. Never authenticated, never faulted.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use bytes::Bytes;

use crate::error::ApiError;
use crate::faults::Faults;
use crate::pool::{MessageSummary, Origin, Receipt};
use crate::sim::Sim;
use crate::state::StateSnapshot;

/// Everything at once.
pub(crate) async fn state(State(sim): State<Sim>) -> Json<StateSnapshot> {
    Json(StateSnapshot::of(&sim.pool()))
}

/// The messages received from the client.
pub(crate) async fn received(State(sim): State<Sim>) -> Json<Vec<Receipt>> {
    Json(sim.pool().received.clone())
}

/// Replaces the armed faults with the ones given (`{}` clears them all).
pub(crate) async fn set_faults(
    State(sim): State<Sim>,
    faults: Result<Json<Faults>, JsonRejection>,
) -> Result<Json<Faults>, ApiError> {
    let Json(mut faults) = faults.map_err(|e| ApiError::bad_request("invalid_faults", e.body_text()))?;
    faults.check().map_err(|e| ApiError::bad_request("invalid_faults", e))?;
    faults.normalise();
    sim.pool().faults = faults.clone();
    Ok(Json(faults))
}

/// Queues a message given as the body; `?name=FILE` names it (default `injected.xml`).
pub(crate) async fn add_message(
    State(sim): State<Sim>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<(StatusCode, Json<MessageSummary>), ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("empty_body", "send the message XML as the body"));
    }
    let name = query.get("name").map_or("injected.xml", String::as_str);
    let message = sim.add(name, body, Origin::Injected);
    Ok((StatusCode::CREATED, Json(message.summary())))
}

/// A JSON 404 for anything no route serves.
pub(crate) async fn fallback() -> ApiError {
    ApiError::not_found("no such route; see schemas/pool-api.openapi.yaml")
}
