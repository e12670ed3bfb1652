//! `POST /outbound`: the client's CIC, CIS, RFCIN and GS1 Response messages.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::outbound::{Received, receive};
use crate::sim::Sim;

/// 202 with the receipt for a new message, 200 with the earlier receipt for a repeat.
pub(crate) async fn post(
    State(sim): State<Sim>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
        && !is_xml(content_type)
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send GS1 XML as application/xml, not {content_type}"),
        ));
    }
    let (status, receipt, repeat) = match receive(&sim, &body, "api")? {
        Received::New(r) => (StatusCode::ACCEPTED, r, false),
        Received::Repeat(r) => (StatusCode::OK, r, true),
    };
    let body = json!({
        "id": receipt.id,
        "message_type": receipt.root,
        "instance_identifier": receipt.instance_identifier,
        "repeat": repeat,
        "queued": receipt.queued,
    });
    Ok((status, Json(body)))
}

fn is_xml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml")
}
