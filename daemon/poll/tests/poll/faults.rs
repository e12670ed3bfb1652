//! Each simulator fault once on the inbox, and the body cap.

use std::time::Duration;

use gdsn_poll::PollError;
use gdsn_pool_sim::{Faults, RunningSim};

use crate::helpers::{Recorder, client, inbox_client, messages, sim_config, start};

fn arm(sim: &RunningSim, json: &str) {
    sim.set_faults(serde_json::from_str::<Faults>(json).expect("faults JSON")).expect("faults armed");
}

/// Polls until a poll succeeds, returning the errors on the way.
async fn poll_until_done(sim: &RunningSim, handler: &mut Recorder) -> Vec<PollError> {
    let pool = inbox_client(sim);
    let mut errors = Vec::new();
    for _ in 0..10 {
        match pool.poll_inbox(handler).await {
            Ok(_) => return errors,
            Err(error) => errors.push(error),
        }
    }
    panic!("never succeeded: {errors:?}");
}

#[tokio::test]
async fn server_errors_are_retryable_until_they_stop() {
    let sim = start(sim_config(2)).await;
    arm(&sim, r#"{"error_5xx": {"next": 3, "status": 502}}"#);
    let mut handler = Recorder::default();
    let errors = poll_until_done(&sim, &mut handler).await;
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|e| matches!(e, PollError::Server { status: 502, .. }) && e.is_retryable()));
    assert_eq!(handler.got.len(), 2);
}

#[tokio::test]
async fn rate_limits_return_the_wait() {
    let sim = start(sim_config(1)).await;
    arm(&sim, r#"{"rate_limit": {"next": 1, "retry_after_secs": 2}}"#);
    let mut handler = Recorder::default();
    let errors = poll_until_done(&sim, &mut handler).await;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].retry_after(), Some(Duration::from_secs(2)), "{}", errors[0]);
    assert!(matches!(errors[0], PollError::RetryAfter { status: 429, .. }));
}

#[tokio::test]
async fn a_stall_before_the_headers_times_out() {
    let sim = start(sim_config(1)).await;
    arm(&sim, r#"{"stall": {"next": 1, "ms": 2500}}"#);
    let started = std::time::Instant::now();
    let error = inbox_client(&sim).poll_inbox(&mut Recorder::default()).await.expect_err("an error");
    assert!(matches!(error, PollError::Timeout { .. }), "{error}");
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_millis(2400), "read timeout of 1 s, not the stall");
}

#[tokio::test]
async fn a_slow_body_arrives_whole() {
    let mut config = sim_config(0);
    config.messages = messages(1, 2000);
    let sim = start(config).await;
    arm(&sim, r#"{"slow_body": {"next": 1, "chunk_bytes": 200, "interval_ms": 30}}"#);
    let mut handler = Recorder::default();
    inbox_client(&sim).poll_inbox(&mut handler).await.expect("slow but steady");
    assert_eq!(handler.got[0].1.len(), 2000);
}

#[tokio::test]
async fn a_truncated_body_is_detected_and_not_acknowledged() {
    let mut config = sim_config(0);
    config.messages = messages(1, 2000);
    let sim = start(config).await;
    arm(&sim, r#"{"truncated_body": {"next": 1}}"#);
    let mut handler = Recorder::default();
    let errors = poll_until_done(&sim, &mut handler).await;
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], PollError::Truncated { expected: 2000, .. }), "{}", errors[0]);
    assert!(errors[0].is_retryable());
    assert_eq!(handler.got.len(), 1);
    assert_eq!(handler.got[0].1.len(), 2000);
}

#[tokio::test]
async fn duplicate_listings_are_delivered_once() {
    let sim = start(sim_config(3)).await;
    arm(&sim, r#"{"duplicate_listing": {"next": 1}}"#);
    let mut handler = Recorder::default();
    let report = inbox_client(&sim).poll_inbox(&mut handler).await.expect("poll");
    assert_eq!((report.delivered, report.duplicates), (3, 1));
    assert_eq!(handler.got.len(), 3);
}

#[tokio::test]
async fn out_of_order_listings_lose_nothing() {
    let sim = start(sim_config(3)).await;
    arm(&sim, r#"{"out_of_order": {"next": 1}}"#);
    let mut handler = Recorder::default();
    inbox_client(&sim).poll_inbox(&mut handler).await.expect("poll");
    let mut ids = handler.ids();
    let listed: Vec<String> = sim.state().messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.first().map(|id| id.to_string()), listed.last().cloned(), "reversed page");
    ids.sort_unstable();
    assert_eq!(ids, listed);
    assert!(sim.state().inbox.is_empty());
}

#[tokio::test]
async fn a_wrong_content_type_is_refused() {
    let sim = start(sim_config(1)).await;
    arm(&sim, r#"{"wrong_content_type": {"next": 1, "content_type": "text/html; charset=utf-8"}}"#);
    let mut handler = Recorder::default();
    let errors = poll_until_done(&sim, &mut handler).await;
    assert!(
        matches!(&errors[..], [PollError::ContentType { found, .. }] if found.starts_with("text/html")),
        "{errors:?}"
    );
    assert_eq!(handler.got.len(), 1, "delivered by the next poll, not before");
}

#[tokio::test]
async fn bodies_past_the_cap_are_refused_naming_the_url() {
    let mut config = sim_config(0);
    config.messages = messages(1, 5000);
    let sim = start(config).await;
    let pool = client("http_inbox", &sim, "max_body_bytes = 4096", "");
    let mut handler = Recorder::default();
    let error = pool.poll_inbox(&mut handler).await.expect_err("an error");
    assert!(matches!(error, PollError::BodyTooLarge { cap: 4096, .. }), "{error}");
    assert!(error.to_string().contains(&format!("{}inbox/", sim.base_url())), "{error}");
    assert!(handler.got.is_empty());
    assert_eq!(sim.state().inbox.len(), 1);

    // Without a Content-Length to refuse early, the streaming read stops at the cap too.
    arm(&sim, r#"{"slow_body": {"next": 1, "chunk_bytes": 1000, "interval_ms": 1}}"#);
    let error = pool.poll_inbox(&mut handler).await.expect_err("an error");
    assert!(matches!(error, PollError::BodyTooLarge { .. }), "{error}");
}

/// An acknowledgement the pool answers 200 but forgets: the message comes again on the next poll
/// (delivery is at least once; the store recognises the repeat).
#[tokio::test]
async fn a_forgotten_acknowledgement_means_one_more_delivery() {
    let sim = start(sim_config(2)).await;
    arm(&sim, r#"{"redeliver_after_ack": {"next": 1}}"#);
    let pool = inbox_client(&sim);
    let mut handler = Recorder::default();
    assert_eq!(pool.poll_inbox(&mut handler).await.expect("first").delivered, 2);
    assert_eq!(sim.state().inbox.len(), 1);
    assert_eq!(pool.poll_inbox(&mut handler).await.expect("second").delivered, 1);
    assert_eq!(handler.got[2].0, handler.got[0].0);
    assert!(sim.state().inbox.is_empty());
}
