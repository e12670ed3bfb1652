//! `GET /changes`: every message whose change time is at or after `since` (inclusive), in (change
//! time, id) order, paged by an opaque token, with the high-water mark to start the next window from.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::inbox::{entries, limit};
use crate::error::ApiError;
use crate::pool::{Position, rfc3339};
use crate::sim::Sim;

/// One page: `{"messages": [...], "high_water_mark": "...", "next_page_token": "..." | null}`.
pub(crate) async fn list(
    State(sim): State<Sim>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = limit(&query, sim.config.default_page_size)?;
    let since = match query.get("since").filter(|s| !s.is_empty()) {
        Some(text) => Some(parse_since(text)?),
        None => None,
    };
    let from = match query.get("page_token").filter(|t| !t.is_empty()) {
        Some(token) => decode_token(token)?,
        None => Position::Since(since.unwrap_or(OffsetDateTime::UNIX_EPOCH)),
    };
    let (page, more, faults) = {
        let mut pool = sim.pool();
        let (page, more) = pool.changes_page(from, limit);
        (page, more, pool.faults.take_list())
    };
    let last = page.last().map(|m| (m.changed, m.seq));
    let next = last.filter(|_| more).map(|(t, seq)| encode_token(t, seq));
    let high_water = match (last, from) {
        (Some((t, _)), _) | (None, Position::After(t, _)) => Some(rfc3339(t)),
        (None, Position::Since(_)) => since.map(rfc3339),
    };
    Ok(Json(json!({
        "messages": entries(page, faults),
        "high_water_mark": high_water,
        "next_page_token": next,
    })))
}

fn parse_since(text: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ApiError::bad_request(
            "invalid_since",
            format!("since must be an RFC 3339 time such as 2026-01-31T08:00:00Z, not {text:?}"),
        )
    })
}

fn encode_token(t: OffsetDateTime, seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("changes:{}:{seq}", t.unix_timestamp_nanos()))
}

fn decode_token(token: &str) -> Result<Position, ApiError> {
    let decoded = URL_SAFE_NO_PAD.decode(token).ok().and_then(|raw| String::from_utf8(raw).ok());
    let position = decoded.as_deref().and_then(|text| {
        let (nanos, seq) = text.strip_prefix("changes:")?.split_once(':')?;
        let t = OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
        Some(Position::After(t, seq.parse().ok()?))
    });
    position.ok_or_else(|| {
        ApiError::bad_request("invalid_page_token", "the page token was not issued by this pool")
    })
}
