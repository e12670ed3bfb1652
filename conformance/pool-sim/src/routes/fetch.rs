//! `GET /inbox/{id}` and `GET /messages/{id}`: one message, raw XML or base64 in JSON, through the
//! body faults (slow, truncated, wrong content type).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use futures_util::{StreamExt, stream};

use crate::config::PayloadMode;
use crate::error::ApiError;
use crate::faults::BodyFaults;
use crate::pool::Message;
use crate::sim::Sim;

/// A pending message of the inbox.
pub(crate) async fn inbox_message(
    State(sim): State<Sim>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (message, faults) = {
        let mut pool = sim.pool();
        let message = pool.get_pending(&id).ok_or_else(|| not_pending(pool.get(&id).is_some(), &id))?;
        (message, pool.faults.take_body())
    };
    Ok(message_response(&message, sim.config.payload, &faults))
}

/// Any message the pool ever held.
pub(crate) async fn any_message(
    State(sim): State<Sim>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (message, faults) = {
        let mut pool = sim.pool();
        let message = pool.get(&id).ok_or_else(|| ApiError::not_found(format!("no message {id}")))?;
        (message, pool.faults.take_body())
    };
    Ok(message_response(&message, sim.config.payload, &faults))
}

fn not_pending(known: bool, id: &str) -> ApiError {
    if known {
        ApiError::not_found(format!("message {id} was acknowledged and left the inbox"))
    } else {
        ApiError::not_found(format!("no message {id}"))
    }
}

/// The response carrying `message`, shaped by this fetch's body faults.
pub(crate) fn message_response(message: &Message, mode: PayloadMode, faults: &BodyFaults) -> Response {
    let (content_type, body) = match mode {
        PayloadMode::Xml => ("application/xml", message.body.clone()),
        PayloadMode::Base64Json => {
            let envelope = serde_json::json!({
                "id": message.id,
                "name": message.name,
                "content_type": "application/xml",
                "payload": STANDARD.encode(&message.body),
            });
            ("application/json", Bytes::from(envelope.to_string()))
        }
    };
    let full_length = body.len();
    let body = if faults.truncated {
        truncated(&body)
    } else if let Some((chunk, interval_ms)) = faults.slow {
        trickled(body, chunk, Duration::from_millis(interval_ms))
    } else {
        Body::from(body)
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let content_type = faults.content_type.as_deref().unwrap_or(content_type);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Set by hand so that a truncated or streamed body still announces its full length.
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full_length));
    if let Ok(id) = HeaderValue::from_str(&message.id) {
        headers.insert("x-message-id", id);
    }
    response
}

/// The first half of the body, then an error: hyper closes the connection short of the announced
/// `Content-Length`, as a proxy dropping an upstream would. The pause before the error lets the
/// headers and the half body reach the client first (else hyper may drop them unsent).
fn truncated(body: &Bytes) -> Body {
    let half = body.slice(..body.len() / 2);
    let first = stream::once(async move { Ok::<_, std::io::Error>(half) });
    let cut = stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::other("truncated_body fault: connection closed"))
    });
    Body::from_stream(first.chain(cut))
}

/// The body in `chunk`-byte pieces, `interval` apart.
fn trickled(body: Bytes, chunk: usize, interval: Duration) -> Body {
    let pieces = stream::unfold((body, true), move |(rest, first)| async move {
        if rest.is_empty() {
            return None;
        }
        if !first {
            tokio::time::sleep(interval).await;
        }
        let mut rest = rest;
        let piece = rest.split_to(chunk.min(rest.len()));
        Some((Ok::<_, Infallible>(piece), (rest, false)))
    });
    Body::from_stream(pieces)
}
