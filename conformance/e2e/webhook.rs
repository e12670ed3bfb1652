//! Webhook pushes: HMAC-signed pushes answered 200 once durable and
//! searchable, a bad signature 401 with nothing stored, an oversized body
//! 413, a burst beyond the queue 503 with `Retry-After` for some and the
//! rest applied, and a SIGKILL mid-push with a restart on the same port.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use gdsn_pool_sim::sign::hmac_sha256_hex;
use gdsn_pool_sim::{PushAuth, PushConfig, SimConfig};

use crate::support::{Cin, DEADLINE, Daemon, Pool, gtin, messages, wait_for};

const NAME: &str = "push";
const SECRET: &str = "w3bhook-secret";

fn daemon() -> Daemon {
    Daemon::start(&format!(
        r#"
[[connections]]
name = "{NAME}"
kind = "webhook"
replies = []

[connections.webhook]
max_body_bytes = 8192
queue_capacity = 2
retry_after_secs = 1

[connections.webhook.auth]
kind = "hmac_sha256"
secret = {{ plaintext = "{SECRET}" }}
"#
    ))
}

fn push_url(daemon: &Daemon) -> String {
    daemon.url(&format!("/v1/webhooks/{NAME}"))
}

/// POSTs `body` with `signature` (none: no header); the status and `Retry-After`.
fn post(
    client: &reqwest::blocking::Client,
    url: &str,
    body: &str,
    signature: Option<&str>,
) -> (u16, Option<String>) {
    let mut request = client.post(url).header("content-type", "application/xml").body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Signature-256", format!("sha256={signature}"));
    }
    let response = request.send().expect("the push is answered");
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (response.status().as_u16(), retry_after)
}

fn sign(body: &str) -> String {
    hmac_sha256_hex(SECRET.as_bytes(), body.as_bytes())
}

/// The simulator pushes with the HMAC: each push answered 200, each item
/// searchable.
#[test]
fn hmac_push_is_durable_and_searchable() {
    let daemon = daemon();
    let mut config = SimConfig::new();
    config.messages = messages("PUSH", 401, 2);
    config.push = Some(PushConfig::new(&push_url(&daemon), PushAuth::hmac(SECRET)));
    let pool = Pool::start(config);
    let deliveries = wait_for("both pushes answered", DEADLINE, || {
        let deliveries = pool.state().deliveries;
        (deliveries.len() == 2).then_some(deliveries)
    });
    for delivery in &deliveries {
        assert!(delivery.delivered, "{delivery:?}");
        assert_eq!(delivery.statuses, [200], "{delivery:?}");
    }
    // 200 came only once durable.
    assert_eq!(daemon.store_counts()["messages"], 2);
    daemon.wait_lookup(&gtin(401, 0));
    daemon.wait_lookup(&gtin(401, 1));
}

#[test]
fn bad_signature_is_401_and_nothing_stored() {
    let daemon = daemon();
    let client = reqwest::blocking::Client::new();
    let body = Cin::new("PUSH-bad", &gtin(402, 0)).xml();
    let wrong = hmac_sha256_hex(b"not the secret", body.as_bytes());
    assert_eq!(post(&client, &push_url(&daemon), &body, Some(&wrong)).0, 401);
    assert_eq!(post(&client, &push_url(&daemon), &body, None).0, 401);
    assert_eq!(post(&client, &push_url(&daemon), &body, Some("zz-not-hex")).0, 401);
    // The signature of another body.
    assert_eq!(post(&client, &push_url(&daemon), &body, Some(&sign("<other/>"))).0, 401);
    let counts = daemon.store_counts();
    assert_eq!(counts["messages"], 0, "{counts}");
    assert!(daemon.lookup(&gtin(402, 0)).is_empty());
}

#[test]
fn oversized_push_is_413() {
    let daemon = daemon();
    let client = reqwest::blocking::Client::new();
    let long = "x".repeat(9000);
    let item = gtin(403, 0);
    let mut cin = Cin::new("PUSH-big", &item);
    cin.description = &long;
    let body = cin.xml();
    assert_eq!(post(&client, &push_url(&daemon), &body, Some(&sign(&body))).0, 413);
    assert_eq!(daemon.store_counts()["messages"], 0);
}

/// Thirty pushes at once on a queue of two: some are refused at once with
/// 503 and `Retry-After`, every one answered 200 is stored and searchable,
/// and the refused ones go through when sent again.
#[test]
fn burst_beyond_queue_gets_503_with_retry_after() {
    const PUSHES: u32 = 30;
    let daemon = daemon();
    let url = push_url(&daemon);
    let client = reqwest::blocking::Client::new();
    let start = Arc::new(Barrier::new(PUSHES as usize));
    let threads: Vec<_> = (0..PUSHES)
        .map(|i| {
            let (client, url, start) = (client.clone(), url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let body = Cin::new(&format!("BURST-{i}"), &gtin(404, i)).xml();
                let signature = sign(&body);
                start.wait();
                let (status, retry_after) = post(&client, &url, &body, Some(&signature));
                (i, status, retry_after, body)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("a push thread")).collect();
    let accepted: Vec<u32> = results.iter().filter(|r| r.1 == 200).map(|r| r.0).collect();
    let refused: Vec<_> = results.iter().filter(|r| r.1 == 503).collect();
    assert_eq!(accepted.len() + refused.len(), PUSHES as usize, "only 200 or 503");
    assert!(!refused.is_empty(), "the burst overflowed the queue");
    assert!(!accepted.is_empty(), "some pushes went through");
    for (_, _, retry_after, _) in &refused {
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    assert_eq!(daemon.store_counts()["messages"], accepted.len() as u64, "every 200 is durable");
    for i in &accepted {
        daemon.wait_lookup(&gtin(404, *i));
    }
    // The pool retries the refused ones, one at a time: all go through.
    for (i, _, _, body) in &refused {
        assert_eq!(post(&client, &url, body, Some(&sign(body))).0, 200, "push {i} again");
    }
    assert_eq!(daemon.store_counts()["messages"], u64::from(PUSHES));
}

/// SIGKILL while the simulator pushes: it retries with backoff against the
/// dead port, the daemon comes back on the same port, every message is
/// delivered and each item stored once.
#[test]
fn sigkill_mid_push_then_restart() {
    const COUNT: u32 = 20;
    let mut daemon = daemon();
    daemon.pin_port();
    let mut push = PushConfig::new(&push_url(&daemon), PushAuth::hmac(SECRET));
    push.max_attempts = 100;
    push.initial_backoff = Duration::from_millis(50);
    push.max_backoff = Duration::from_millis(200);
    let mut config = SimConfig::new();
    config.messages = messages("WKILL", 405, COUNT);
    config.push = Some(push);
    let pool = Pool::start(config);
    wait_for("a first push answered", DEADLINE, || (!pool.state().deliveries.is_empty()).then_some(()));
    daemon.kill();
    let delivered_at_kill = pool.state().deliveries.iter().filter(|d| d.delivered).count();
    assert!(delivered_at_kill < COUNT as usize, "killed mid-push");
    daemon.spawn();
    assert!(
        daemon.store_counts()["messages"].as_u64().unwrap_or(0) >= delivered_at_kill as u64,
        "every push answered 200 was durable"
    );
    wait_for("every push delivered", DEADLINE, || {
        (pool.state().deliveries.iter().filter(|d| d.delivered).count() == COUNT as usize).then_some(())
    });
    assert!(pool.state().deliveries.iter().all(|d| d.delivered), "none given up");
    assert_eq!(daemon.store_counts()["messages"], u64::from(COUNT));
    daemon.wait_published();
    daemon.sigterm(DEADLINE);
    let records = daemon.export();
    assert_eq!(records.len(), COUNT as usize, "each item once");
}
