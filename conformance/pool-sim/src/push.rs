//! Webhook mode: every inbox message is POSTed to the daemon's webhook, in inbox order, one at a
//! time. Only a 2xx delivers it (it then leaves the inbox, as if acknowledged); 5xx, 408 and 429
//! are retried with exponential backoff, honouring `Retry-After`; any other answer gives it up.

use std::time::Duration;

use axum::http::HeaderMap;
use reqwest::StatusCode;

use crate::config::{PushAuth, PushConfig};
use crate::pool::{Delivery, Message};
use crate::sign;
use crate::sim::Sim;

/// Delivers until the task is dropped (at shutdown).
pub(crate) async fn run(sim: Sim, push: PushConfig, client: reqwest::Client) {
    loop {
        let next = sim.pool().next_to_deliver();
        let Some(message) = next else {
            sim.wake.notified().await;
            continue;
        };
        let delivery = deliver(&client, &push, &message).await;
        tracing::info!(id = %message.id, delivered = delivery.delivered, attempts = delivery.attempts, "webhook push");
        let mut pool = sim.pool();
        if delivery.delivered {
            pool.ack(&message.id, "push");
        } else {
            pool.undeliverable.insert(message.seq);
        }
        pool.deliveries.push(delivery);
    }
}

async fn deliver(client: &reqwest::Client, push: &PushConfig, message: &Message) -> Delivery {
    let mut delivery =
        Delivery { id: message.id.clone(), attempts: 0, statuses: Vec::new(), delivered: false, error: None };
    loop {
        delivery.attempts += 1;
        let retry_after = match send(client, push, message).await {
            Ok((status, headers)) => {
                delivery.statuses.push(status.as_u16());
                if status.is_success() {
                    delivery.delivered = true;
                    return delivery;
                }
                if !retryable(status) {
                    delivery.error = Some(format!("refused with {status}; not retried"));
                    return delivery;
                }
                retry_after(&headers)
            }
            Err(error) => {
                delivery.statuses.push(0);
                delivery.error = Some(error.to_string());
                None
            }
        };
        if delivery.attempts >= push.max_attempts.max(1) {
            delivery.error = Some(format!("gave up after {} attempts", delivery.attempts));
            return delivery;
        }
        tokio::time::sleep(wait(push, delivery.attempts, retry_after)).await;
    }
}

async fn send(
    client: &reqwest::Client,
    push: &PushConfig,
    message: &Message,
) -> Result<(StatusCode, HeaderMap), reqwest::Error> {
    let mut request = client
        .post(&push.url)
        .header("content-type", "application/xml")
        .header("x-message-id", &message.id)
        .body(message.body.clone());
    request = match &push.auth {
        PushAuth::HmacSha256 { secret, header, prefix } => {
            let signature = sign::hmac_sha256_hex(secret.as_bytes(), &message.body);
            request.header(header.as_str(), format!("{prefix}{signature}"))
        }
        PushAuth::Bearer { token } => request.bearer_auth(token),
    };
    let response = request.send().await?;
    Ok((response.status(), response.headers().clone()))
}

fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the daemon and falls back to backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get("retry-after")?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs))
}

/// The wait before attempt `attempts + 1`: the server's `Retry-After`, else the backoff doubled per
/// attempt; both capped.
fn wait(push: &PushConfig, attempts: u32, retry_after: Option<Duration>) -> Duration {
    let doubled = push.initial_backoff.saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
    retry_after.unwrap_or(doubled).min(push.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_and_retry_after_wins() {
        let mut push = PushConfig::new("http://x/", PushAuth::hmac("s"));
        push.initial_backoff = Duration::from_millis(100);
        push.max_backoff = Duration::from_secs(1);
        assert_eq!(wait(&push, 1, None), Duration::from_millis(100));
        assert_eq!(wait(&push, 3, None), Duration::from_millis(400));
        assert_eq!(wait(&push, 30, None), Duration::from_secs(1));
        assert_eq!(wait(&push, 1, Some(Duration::from_secs(0))), Duration::ZERO);
        assert_eq!(wait(&push, 1, Some(Duration::from_secs(60))), Duration::from_secs(1));
    }
}
