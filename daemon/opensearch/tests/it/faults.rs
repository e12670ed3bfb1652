//! The sink against our own fault server: the NDJSON it sends, and every
//! failure a cluster can answer with, per item or for the whole request.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use gdsn_opensearch::{Auth, OpenSearchSink, SinkConfig};
use gdsn_sink::{Ack, Change, Health, SinkError};
use serde_json::json;

use crate::support::fault::{FaultServer, Reply, Request};
use crate::support::{GTINS, delete, key, sink, upsert};

/// Every item applied.
fn all_ok(request: &Request) -> Reply {
    Reply::bulk(request, |action| (if action.name == "delete" { 200 } else { 201 }, None))
}

fn batch() -> Vec<Change> {
    let mut batch: Vec<Change> =
        GTINS.iter().enumerate().map(|(i, g)| upsert(g, "Lumière", 10 + i as u64)).collect();
    batch.push(delete(GTINS[0], 20));
    batch
}

#[tokio::test]
async fn ndjson_has_one_external_action_per_change() {
    let server = FaultServer::start(all_ok).await;
    let ack = sink(&server.url, None).publish(&batch()).await.expect("publish");
    assert_eq!(ack, Ack { applied: 6, already_newer: 0 });
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/gdsn-products/_bulk?require_alias=true")
    );
    assert_eq!(request.header("content-type"), Some("application/x-ndjson"));
    let actions = request.actions();
    assert_eq!(actions.len(), 6);
    for (action, change) in actions.iter().zip(batch()) {
        assert_eq!(
            action.meta,
            json!({"_id": change.key, "version": change.version, "version_type": "external"})
        );
    }
    assert_eq!(actions[0].name, "index");
    assert_eq!(actions[0].source.as_ref().expect("document")["gtin_forms"][0], GTINS[0]);
    assert_eq!(actions[5].name, "delete");
    assert!(actions[5].source.is_none());
}

#[tokio::test]
async fn split_by_size_and_bounded_concurrency() {
    let server = FaultServer::start_with_delay(Duration::from_millis(30), all_ok).await;
    let mut config = SinkConfig::new(&server.url, "gdsn-products");
    config.max_bulk_bytes = 8 * 1024;
    config.max_concurrent_bulks = 2;
    let sink = OpenSearchSink::new(config).expect("config");
    let batch: Vec<Change> = (1..=60).map(|i| upsert(GTINS[(i % 5) as usize], "Lumière", i)).collect();
    let ack = sink.publish(&batch).await.expect("publish");
    assert_eq!(ack.applied, 60);
    let requests = server.requests();
    assert!(requests.len() >= 10, "split into {} bodies", requests.len());
    let mut versions = Vec::new();
    for request in &requests {
        assert!(request.body.len() <= 8 * 1024, "a body of {} bytes", request.body.len());
        versions.extend(request.actions().iter().map(|a| a.meta["version"].as_u64().expect("version")));
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=60).collect::<Vec<_>>(), "every change sent exactly once");
    assert_eq!(server.max_in_flight(), 2, "at most two bulk requests at a time, and two used");
}

#[tokio::test]
async fn per_item_failures_are_sorted() {
    let server = FaultServer::start(|request: &Request| {
        Reply::bulk(request, |action| match action.meta["version"].as_u64() {
            Some(10) => (429, Some("es_rejected_execution_exception")),
            Some(11) => (400, Some("mapper_parsing_exception")),
            Some(12) => (409, Some("version_conflict_engine_exception")),
            Some(13) => (503, Some("unavailable_shards_exception")),
            Some(20) => (404, None),
            _ => (201, None),
        })
    })
    .await;
    let result = sink(&server.url, None).publish(&batch()).await;
    let Err(SinkError::Partial { ack, retry, rejected }) = result else { panic!("partial: {result:?}") };
    assert_eq!(ack, Ack { applied: 2, already_newer: 1 }, "GTINS[4] and the 404 delete applied, 12 newer");
    assert_eq!(retry, [10, 13]);
    assert_eq!(rejected.keys().copied().collect::<Vec<_>>(), [11]);
    assert!(rejected[&11].contains("mapper_parsing_exception"), "{}", rejected[&11]);
}

#[tokio::test]
async fn missing_items_are_retried_never_acknowledged() {
    let server = FaultServer::start(|_: &Request| {
        Reply::json(
            200,
            &json!({"errors": false, "items": [{"index": {"_id": key(GTINS[0]), "status": 201}}]}),
        )
    })
    .await;
    let result = sink(&server.url, None).publish(&batch()[..3]).await;
    let Err(SinkError::Partial { ack, retry, rejected }) = result else { panic!("partial: {result:?}") };
    assert_eq!((ack.applied, retry, rejected), (1, vec![11, 12], BTreeMap::new()));
}

#[tokio::test]
async fn whole_request_503_with_retry_after() {
    let server = FaultServer::start(|_: &Request| Reply::Http {
        status: 503,
        headers: vec![("Retry-After".into(), "30".into())],
        body: br#"{"error":{"type":"cluster_block_exception"},"status":503}"#.to_vec(),
    })
    .await;
    let result = sink(&server.url, None).publish(&batch()).await;
    let Err(SinkError::Unavailable { reason, retry_after_secs }) = result else {
        panic!("unavailable: {result:?}")
    };
    assert_eq!(retry_after_secs, Some(30));
    assert!(reason.contains("503"), "{reason}");
}

#[tokio::test]
async fn whole_request_429_with_an_http_date() {
    let server = FaultServer::start(|_: &Request| Reply::Http {
        status: 429,
        headers: vec![("Retry-After".into(), "Wed, 21 Oct 2015 07:28:00 GMT".into())],
        body: b"{}".to_vec(),
    })
    .await;
    let result = sink(&server.url, None).publish(&batch()).await;
    // A date in the past: retry now.
    assert!(matches!(result, Err(SinkError::Unavailable { retry_after_secs: Some(0), .. })), "{result:?}");
}

#[tokio::test]
async fn stall_before_headers_hits_the_timeout() {
    let server = FaultServer::start(|_: &Request| Reply::Stall(Duration::from_secs(30))).await;
    let mut config = SinkConfig::new(&server.url, "gdsn-products");
    config.request_timeout = Duration::from_millis(300);
    let sink = OpenSearchSink::new(config).expect("config");
    let started = Instant::now();
    let result = sink.publish(&batch()).await;
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let Err(SinkError::Unavailable { reason, .. }) = result else { panic!("unavailable: {result:?}") };
    assert!(reason.contains("timed out"), "{reason}");
    assert!(matches!(sink.health().await, Health::Unavailable(_)));
}

#[tokio::test]
async fn connection_reset() {
    let server = FaultServer::start(|_: &Request| Reply::Reset).await;
    let result = sink(&server.url, None).publish(&batch()).await;
    assert!(matches!(result, Err(SinkError::Unavailable { retry_after_secs: None, .. })), "{result:?}");
}

#[tokio::test]
async fn connection_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let result = sink(&format!("http://127.0.0.1:{port}"), None).publish(&batch()).await;
    let Err(SinkError::Unavailable { reason, .. }) = result else { panic!("unavailable: {result:?}") };
    assert!(reason.to_lowercase().contains("refused"), "{reason}");
}

#[tokio::test]
async fn unreadable_or_oversized_answers_acknowledge_nothing() {
    let server = FaultServer::start(|_: &Request| Reply::Http {
        status: 200,
        headers: vec![],
        body: b"<html>".to_vec(),
    })
    .await;
    let result = sink(&server.url, None).publish(&batch()).await;
    assert!(matches!(result, Err(SinkError::Unavailable { .. })), "{result:?}");

    let huge = FaultServer::start(|_: &Request| Reply::Http {
        status: 200,
        headers: vec![],
        body: vec![b' '; 64 * 1024],
    })
    .await;
    let mut config = SinkConfig::new(&huge.url, "gdsn-products");
    config.max_response_bytes = 16 * 1024;
    let result = OpenSearchSink::new(config).expect("config").publish(&batch()).await;
    let Err(SinkError::Unavailable { reason, .. }) = result else { panic!("unavailable: {result:?}") };
    assert!(reason.contains("larger than"), "{reason}");
}

#[tokio::test]
async fn credentials_reach_the_server_as_headers() {
    let cases = [
        (
            Auth::Basic { username: "gdsn".into(), password: "pw".into() },
            "authorization",
            "Basic Z2Rzbjpwdw==",
        ),
        (Auth::Bearer("tok".into()), "authorization", "Bearer tok"),
        (Auth::ApiKey("a2V5".into()), "authorization", "ApiKey a2V5"),
        (Auth::Header { name: "x-api-key".into(), value: "k".into() }, "x-api-key", "k"),
    ];
    for (auth, header, expected) in cases {
        let server = FaultServer::start(all_ok).await;
        let mut config = SinkConfig::new(&server.url, "gdsn-products");
        config.auth = auth;
        OpenSearchSink::new(config).expect("config").publish(&batch()).await.expect("publish");
        assert_eq!(server.requests()[0].header(header), Some(expected));
    }
}

#[tokio::test]
async fn health_probe_is_an_update_of_a_missing_document() {
    let server = FaultServer::start(|request: &Request| {
        Reply::bulk(request, |_| (404, Some("document_missing_exception")))
    })
    .await;
    assert_eq!(sink(&server.url, None).health().await, Health::Ready);
    let request = &server.requests()[0];
    assert_eq!(request.target, "/gdsn-products/_bulk?require_alias=true");
    let actions = request.actions();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].name, "update");
    assert_eq!(actions[0].source, Some(json!({"doc": {}})));

    let blocked = FaultServer::start(|request: &Request| {
        Reply::bulk(request, |_| (429, Some("cluster_block_exception")))
    })
    .await;
    assert!(matches!(sink(&blocked.url, None).health().await, Health::Unavailable(_)));
}

#[tokio::test]
async fn publish_to_index_never_creates_one() {
    let server = FaultServer::start(|request: &Request| match request.method.as_str() {
        "HEAD" => Reply::json(404, &json!({})),
        _ => all_ok(request),
    })
    .await;
    let result = sink(&server.url, None).publish_to_index("gdsn-products-000009", &batch()).await;
    assert!(matches!(result, Err(SinkError::Unavailable { .. })), "{result:?}");
    assert!(server.requests().iter().all(|r| r.method == "HEAD"), "no bulk was sent");
}
