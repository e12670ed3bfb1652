//! Webhook pushes to a tiny receiver that checks signatures and answers as scripted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use gdsn_pool_sim::{PushAuth, PushConfig, sign};

use crate::helpers::{config, eventually, start, tiny};

/// What the receiver saw and will answer.
#[derive(Default)]
struct Receiver {
    /// Statuses to answer with, in order; 200 once empty (when the credentials are right).
    script: VecDeque<u16>,
    /// (message id, body) of each push with valid credentials.
    got: Vec<(String, Bytes)>,
}

type Shared = Arc<Mutex<Receiver>>;

async fn webhook(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signature = header("x-signature-256");
    let signed =
        signature.strip_prefix("sha256=").is_some_and(|hex| sign::verify_hex(b"push-secret", &body, hex));
    let bearer = header("authorization") == "Bearer push-token";
    if !(signed || bearer) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut receiver = shared.lock().expect("receiver lock");
    match receiver.script.pop_front() {
        Some(503) => (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "0")]).into_response(),
        Some(code) if code != 200 => StatusCode::from_u16(code).expect("status").into_response(),
        _ => {
            receiver.got.push((header("x-message-id"), body));
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn receiver(script: &[u16]) -> (String, Shared) {
    let shared: Shared =
        Arc::new(Mutex::new(Receiver { script: script.iter().copied().collect(), got: Vec::new() }));
    let app = Router::new().route("/v1/webhooks/pool", post(webhook)).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
    let url = format!("http://{}/v1/webhooks/pool", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

#[tokio::test]
async fn pushes_are_signed_retried_on_503_and_delivered_on_2xx() {
    let (url, shared) = receiver(&[503, 500]).await;
    let mut config = config(tiny(2));
    let mut push = PushConfig::new(&url, PushAuth::hmac("push-secret"));
    push.initial_backoff = Duration::from_millis(10);
    config.push = Some(push);
    let sim = start(config).await;
    eventually("two deliveries", || sim.state().deliveries.len() == 2).await;
    let state = sim.state();
    assert_eq!(state.deliveries[0].statuses, [503, 500, 204]);
    assert!(state.deliveries.iter().all(|d| d.delivered));
    assert!(state.inbox.is_empty());
    assert!(state.acked.iter().all(|a| a.via == "push"));

    // A message queued later is pushed as well.
    sim.add_message("late.xml", "<late/>");
    eventually("the late push", || sim.state().deliveries.len() == 3).await;
    let got = shared.lock().unwrap();
    let ids: Vec<&str> = got.got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["000001-m01", "000002-m02", "000003-late"]);
    assert_eq!(got.got[2].1, Bytes::from_static(b"<late/>"));
}

#[tokio::test]
async fn refused_pushes_are_given_up_and_stay_in_the_inbox() {
    let (url, shared) = receiver(&[]).await;
    let mut config = config(tiny(1));
    config.push = Some(PushConfig::new(&url, PushAuth::Bearer { token: "wrong".into() }));
    let sim = start(config).await;
    eventually("one delivery", || sim.state().deliveries.len() == 1).await;
    let state = sim.state();
    assert_eq!(state.deliveries[0].statuses, [401]);
    assert!(!state.deliveries[0].delivered);
    assert_eq!(state.inbox_ids(), ["000001-m01"]);
    assert!(shared.lock().unwrap().got.is_empty());
}

#[tokio::test]
async fn bearer_pushes_and_give_up_after_max_attempts() {
    let (url, shared) = receiver(&[503, 503, 503]).await;
    let mut config = config(tiny(1));
    let mut push = PushConfig::new(&url, PushAuth::Bearer { token: "push-token".into() });
    push.max_attempts = 2;
    push.initial_backoff = Duration::from_millis(10);
    config.push = Some(push);
    let sim = start(config).await;
    eventually("one delivery", || sim.state().deliveries.len() == 1).await;
    let delivery = &sim.state().deliveries[0];
    assert_eq!(delivery.statuses, [503, 503]);
    assert_eq!(delivery.error.as_deref(), Some("gave up after 2 attempts"));
    assert!(shared.lock().unwrap().got.is_empty());
}
