//! Webhook connections: a pool pushes a message to `/v1/webhooks/{name}`.
//!
//! The push must carry an HMAC-SHA256 of its body or a bearer token,
//! checked in constant time (else 401, nothing stored); the body is capped
//! (413); the answer (200) comes only once the message is durable. Under a
//! burst, pushes beyond the connection's queue get 503 with `Retry-After`
//! at once rather than holding the pool's connections open.

use std::sync::Arc;

use axum::Router;
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
use super::api::{ApiError, ErrorCode, RawBody};
use super::http::bearer;
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
    // Over the connection's `max_body_bytes`: 413 `body_too_large`.
    RawBody(body): RawBody,
) -> Response {
    if !authentic(&hook.settings.auth, &headers, &body) {
        return ApiError::new(ErrorCode::BadSignature, "the push's signature or token is missing or wrong")
            .into_response();
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
        Ok(Err(e)) => ApiError::new(ErrorCode::NotStored, e).into_response(),
        Err(_) => ApiError::stopping().into_response(),
    }
}

fn busy(hook: &Hook) -> Response {
    let mut response = ApiError::new(ErrorCode::Busy, "too many pushes waiting; retry later").into_response();
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
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};
    use gdsn_config::{Secret, WebhookAuth};
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::{authentic, decode_hex};

    fn hmac_auth() -> WebhookAuth {
        WebhookAuth::HmacSha256 {
            secret: Secret::new("s3cret"),
            signature_header: "x-signature-256".to_owned(),
            signature_prefix: "sha256=".to_owned(),
        }
    }

    fn signature(body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").expect("any key length");
        mac.update(body);
        let bytes = mac.finalize().into_bytes();
        format!("sha256={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("ascii"));
        headers
    }

    #[test]
    fn hmac_signature_must_match_the_body() {
        let body = b"<xml/>";
        let auth = hmac_auth();
        assert!(authentic(&auth, &headers("x-signature-256", &signature(body)), body));
        assert!(!authentic(&auth, &headers("x-signature-256", &signature(body)), b"<xml />"));
        // Without the prefix, upper-case header name irrelevant, missing header.
        let bare = signature(body).trim_start_matches("sha256=").to_owned();
        assert!(!authentic(&auth, &headers("x-signature-256", &bare), body));
        assert!(!authentic(&auth, &HeaderMap::new(), body));
        assert!(!authentic(&auth, &headers("x-signature-256", "sha256=zz"), body));
    }

    #[test]
    fn bearer_token_must_match() {
        let auth = WebhookAuth::Bearer { token: Secret::new("tok") };
        assert!(authentic(&auth, &headers("authorization", "Bearer tok"), b""));
        assert!(!authentic(&auth, &headers("authorization", "Bearer to"), b""));
        assert!(!authentic(&auth, &headers("authorization", "Basic tok"), b""));
        assert!(!authentic(&auth, &HeaderMap::new(), b""));
    }

    #[test]
    fn hex_decoding_refuses_odd_or_foreign_digits() {
        assert_eq!(decode_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("0g"), None);
        assert_eq!(decode_hex("é0"), None);
    }
}
