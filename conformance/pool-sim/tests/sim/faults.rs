//! Every fault of the catalogue, observable from a client, armed through `POST /admin/faults`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Client, config, form, ids, start, tiny};

#[tokio::test]
async fn status_faults_hit_the_next_requests_then_stop() {
    let sim = start(config(tiny(2))).await;
    let c = Client::new(&sim);
    assert_eq!(
        c.set_faults(
            json!({"error_5xx": {"next": 2, "status": 502}, "rate_limit": {"next": 1, "retry_after_secs": 7}})
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(c.get_json("inbox").await.0, StatusCode::BAD_GATEWAY);
    assert_eq!(c.get_json("changes").await.0, StatusCode::BAD_GATEWAY);
    let limited = c.http.get(c.url("inbox")).send().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(c.get_json("inbox").await.0, StatusCode::OK);
    // Admin routes are never faulted, and spent faults are gone from the state.
    let state = c.state().await;
    assert_eq!(state.faults, gdsn_pool_sim::Faults::default());
    assert_eq!(state.statuses.get("502"), Some(&2));
    assert_eq!(state.requests_to("GET /inbox"), 3);
}

#[tokio::test]
async fn stalls_delay_the_headers() {
    let sim = start(config(tiny(1))).await;
    let c = Client::new(&sim);
    c.set_faults(json!({"stall": {"next": 1, "ms": 400}})).await;
    let started = Instant::now();
    assert_eq!(c.get_json("inbox").await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));
    // A client with a shorter timeout gives up.
    c.set_faults(json!({"stall": {"next": 1, "ms": 2000}})).await;
    let impatient = c.http.get(c.url("inbox")).timeout(Duration::from_millis(200)).send().await;
    assert!(impatient.is_err_and(|e| e.is_timeout()));
}

#[tokio::test]
async fn body_faults_slow_truncate_and_mislabel_fetches() {
    let sim = start(config(tiny(1))).await;
    let c = Client::new(&sim);
    let fetch = || c.http.get(c.url("inbox/000001-m01")).send();

    c.set_faults(json!({"slow_body": {"next": 1, "chunk_bytes": 2, "interval_ms": 50}})).await;
    let started = Instant::now();
    let body = fetch().await.unwrap().text().await.unwrap();
    assert_eq!(body, "<m n=\"1\"/>");
    assert!(started.elapsed() >= Duration::from_millis(200), "10 bytes in 2-byte chunks 50 ms apart");

    c.set_faults(json!({"truncated_body": {"next": 1}})).await;
    let response = fetch().await.unwrap();
    assert_eq!(response.headers()["content-length"], "10");
    assert!(response.bytes().await.is_err(), "the body ends short of its Content-Length");

    c.set_faults(json!({"wrong_content_type": {"next": 1}})).await;
    let response = fetch().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(fetch().await.unwrap().headers()["content-type"], "application/xml");
}

#[tokio::test]
async fn listing_faults_duplicate_reorder_and_redeliver() {
    let sim = start(config(tiny(3))).await;
    let c = Client::new(&sim);
    c.set_faults(json!({"duplicate_listing": {"next": 1}})).await;
    let (_, page) = c.get_json("inbox").await;
    assert_eq!(ids(&page), ["000001-m01", "000002-m02", "000003-m03", "000001-m01"]);

    c.set_faults(json!({"out_of_order": {"next": 1}})).await;
    let (_, page) = c.get_json("changes").await;
    assert_eq!(ids(&page), ["000003-m03", "000002-m02", "000001-m01"]);
    let (_, page) = c.get_json("changes").await;
    assert_eq!(ids(&page), ["000001-m01", "000002-m02", "000003-m03"]);

    c.set_faults(json!({"redeliver_after_ack": {"next": 1}})).await;
    let ack = c.http.post(c.url("inbox/000001-m01/ack")).send().await.unwrap();
    assert_eq!(ack.status(), StatusCode::OK);
    let (_, page) = c.get_json("inbox").await;
    assert_eq!(ids(&page)[0], "000001-m01", "the acknowledged message is delivered again");
    c.http.post(c.url("inbox/000001-m01/ack")).send().await.unwrap();
    let state = c.state().await;
    assert_eq!(state.inbox_ids(), ["000002-m02", "000003-m03"]);
    assert_eq!(state.acked.iter().map(|a| a.redelivered).collect::<Vec<_>>(), [true, false]);
}

#[tokio::test]
async fn faults_are_validated_and_settable_from_the_library() {
    let sim = start(config(tiny(1))).await;
    let c = Client::new(&sim);
    assert_eq!(c.set_faults(json!({"error_5xx": {"next": 1, "status": 404}})).await, StatusCode::BAD_REQUEST);
    assert_eq!(c.set_faults(json!({"no_such_fault": {"next": 1}})).await, StatusCode::BAD_REQUEST);
    let faults: gdsn_pool_sim::Faults = serde_json::from_value(json!({"error_5xx": {"next": 1}})).unwrap();
    sim.set_faults(faults).unwrap();
    assert_eq!(c.get_json("inbox").await.0, StatusCode::SERVICE_UNAVAILABLE);
    // Token endpoint and admin routes are outside the faults.
    sim.set_faults(serde_json::from_value(json!({"error_5xx": {"next": 5}})).unwrap()).unwrap();
    assert_eq!(c.get_json("admin/state").await.0, StatusCode::OK);
    assert_eq!(
        form(c.http.post(c.url("oauth/token")), &[("grant_type", "password")]).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}
