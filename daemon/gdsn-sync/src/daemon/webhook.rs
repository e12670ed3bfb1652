//! Webhook connections: a pool pushes a message to `/v1/webhooks/{name}`.
//!
//! The push must carry an HMAC-SHA256 of its body or a bearer token,
//! checked in constant time (else 401, nothing stored); the body is capped
//! (413); the answer (200) comes only once the message is durable. Under a
//! burst, pushes beyond the connection's queue get 503 with `Retry-After`
//! at once rather than holding the pool's connections open.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use gdsn_config::{Transport, Webhook, WebhookAuth};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use tracing::info;

use super::Shared;
use super::http::{bearer, error};
use crate::ingest::Source;

/// One webhook connection's route state.
struct Hook {
    name: String,
    settings: Webhook,
    /// Pushes accepted and not yet answered.
    slots: Arc<Semaphore>,
}

pub(crate) fn routes(mut router: Router<Arc<Shared>>, shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    for connection in shared.config.connections.iter().filter(|c| c.enabled) {
        let Transport::Webhook { webhook, .. } = &connection.transport else { continue };
        let hook = Arc::new(Hook {
            name: connection.name.clone(),
            settings: webhook.clone(),
            slots: Arc::new(Semaphore::new(webhook.queue_capacity.max(1))),
        });
        let limit = usize::try_from(webhook.max_body_bytes).unwrap_or(usize::MAX);
        let route = post(move |state, headers, body| push(state, Arc::clone(&hook), headers, body))
            .layer(DefaultBodyLimit::max(limit));
        router = router.route(&webhook.path, route);
    }
    router
}

async fn push(
    State(shared): State<Arc<Shared>>,
    hook: Arc<Hook>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authentic(&hook.settings.auth, &headers, &body) {
        return error(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "the push's signature or token is missing or wrong",
        );
    }
    let Ok(_slot) = Arc::clone(&hook.slots).try_acquire_owned() else { return busy(&hook) };
    let id = headers.get("x-message-id").and_then(|v| v.to_str().ok()).unwrap_or("push");
    let source =
        Source::Memory { label: super::pipeline::label(&hook.name, id), bytes: Arc::from(&body[..]) };
    let Ok(answer) = shared.try_queue(&hook.name, source) else { return busy(&hook) };
    shared.status.pushed(&hook.name);
    match answer.await {
        Ok(Ok(applied)) => {
            info!(connection = %hook.name, bytes = body.len(), "push applied");
            (StatusCode::OK, axum::Json(applied)).into_response()
        }
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, "not_stored", &e),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "stopping", "the daemon is shutting down"),
    }
}

fn busy(hook: &Hook) -> Response {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, "busy", "too many pushes waiting; retry later");
    let secs = hook.settings.retry_after.as_secs().max(1);
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn authentic(auth: &WebhookAuth, headers: &HeaderMap, body: &[u8]) -> bool {
    match auth {
        WebhookAuth::HmacSha256 { secret, signature_header, signature_prefix } => {
            let Some(given) = headers.get(signature_header.as_str()).and_then(|v| v.to_str().ok()) else {
                return false;
            };
            let Some(given) = given.strip_prefix(signature_prefix.as_str()).and_then(decode_hex) else {
                return false;
            };
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
                return false;
            };
            mac.update(body);
            mac.verify_slice(&given).is_ok()
        }
        WebhookAuth::Bearer { token } => {
            bearer(headers).is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.expose().as_bytes())))
        }
        _ => false,
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}
