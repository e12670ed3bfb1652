//! The HTTP inbox: every auth style once, every fault once, and a SIGKILL
//! mid-poll. Each test checks the message is applied exactly once (store
//! counts, `lookup`, and `export` once stopped) and acknowledged only once
//! durable (the simulator's inbox and acknowledgements).

use std::time::{Duration, Instant};

use gdsn_pool_sim::{
    Auth, ContentTypeFault, CountFault, Faults, HmacAuth, OAuth2Auth, RateLimitFault, SlowBodyFault,
    StallFault, StatusFault,
};
use serde_json::Value;

use crate::support::{Cin, DEADLINE, Daemon, Pki, Pool, gtin, http_connection, messages, wait_for};

const NAME: &str = "pool";

fn daemon(pool: &Pool, auth: &str) -> Daemon {
    Daemon::start(&http_connection(NAME, "http_inbox", &pool.url(), auth, ""))
}

/// One message through `auth`: fetched, durable, acknowledged, searchable.
fn one_message_through(sim_auth: Auth, auth: &str, prefix: u32) -> (Pool, Daemon) {
    let pool = Pool::with(messages("AUTH", prefix, 1), |c| c.auth = sim_auth);
    one_message_from(pool, auth, prefix)
}

/// The same from a pool already serving message `AUTH-0` with GTIN `gtin(prefix, 0)`.
fn one_message_from(pool: Pool, auth: &str, prefix: u32) -> (Pool, Daemon) {
    let daemon = daemon(&pool, auth);
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 1, "{report}");
    assert_eq!(daemon.wait_lookup(&gtin(prefix, 0)).len(), 1);
    assert!(pool.state().inbox.is_empty(), "acknowledged");
    assert_eq!(pool.acked().len(), 1);
    cic_reaches_the_pool(&pool);
    (pool, daemon)
}

/// The CIC RECEIVED goes back through the same connection: a POST to the
/// pool's `/outbound` with the same credentials, accepted.
fn cic_reaches_the_pool(pool: &Pool) {
    let receipt = wait_for("a CIC at the pool's /outbound", DEADLINE, || {
        pool.state().received.into_iter().find(|r| r.root == "catalogueItemConfirmationMessage")
    });
    assert_eq!((receipt.via.as_str(), receipt.outcome.as_str()), ("api", "accepted"), "{:?}", receipt.error);
    assert!(receipt.xml.contains(">RECEIVED<") || receipt.xml.contains(">SYNCHRONISED<"));
}

#[test]
fn auth_bearer() {
    let auth = Auth::Bearer { token: "b3arer".to_owned() };
    one_message_through(
        auth,
        r#"kind = "bearer"
token = { plaintext = "b3arer" }"#,
        101,
    );
}

#[test]
fn auth_api_key() {
    let auth =
        Auth::ApiKey { header: "X-Api-Key".to_owned(), prefix: "Key ".to_owned(), key: "k3y".to_owned() };
    one_message_through(
        auth,
        r#"kind = "api_key"
header = "X-Api-Key"
prefix = "Key "
key = { plaintext = "k3y" }"#,
        102,
    );
}

#[test]
fn auth_basic() {
    let auth = Auth::Basic { username: "customs".to_owned(), password: "pa55".to_owned() };
    one_message_through(
        auth,
        r#"kind = "basic"
username = "customs"
password = { plaintext = "pa55" }"#,
        103,
    );
}

#[test]
fn auth_hmac() {
    let auth = Auth::Hmac(HmacAuth::new("customs-01", "hm4c-secret"));
    one_message_through(
        auth,
        r#"kind = "hmac"
key_id = "customs-01"
secret = { plaintext = "hm4c-secret" }"#,
        104,
    );
}

/// Mutual TLS: the pool accepts only connections presenting a certificate from its CA, and the
/// daemon's connection presents one (`cert_file`, `key_file`) and trusts only that CA (`ca_file`).
/// The list, fetch, ack and the CIC to `/outbound` all come over such handshakes, and none is refused.
#[test]
fn auth_mtls() {
    let pki = Pki::generate();
    let pool = Pool::with_tls(messages("AUTH", 107, 1), &pki);
    assert!(pool.url().starts_with("https://"), "{}", pool.url());
    let (pool, _daemon) = one_message_from(pool, &pki.daemon_auth(), 107);
    let state = pool.state();
    assert!(state.tls_accepted >= 1, "handshakes: {}", state.tls_accepted);
    assert_eq!(state.tls_refused, 0, "no handshake refused");
}

#[test]
fn auth_oauth2_client_credentials() {
    let auth = Auth::OAuth2(OAuth2Auth::new("gdsn-sync", "cl1ent-secret"));
    // The token endpoint is on the simulator, so its URL is known only once it runs.
    let pool = Pool::with(messages("AUTH", 105, 1), |c| c.auth = auth);
    let auth = format!(
        r#"kind = "oauth2_client_credentials"
token_url = "{}oauth/token"
client_id = "gdsn-sync"
client_secret = {{ plaintext = "cl1ent-secret" }}"#,
        pool.url()
    );
    let daemon = daemon(&pool, &auth);
    assert_eq!(daemon.poll(NAME)["messages"], 1);
    assert_eq!(daemon.wait_lookup(&gtin(105, 0)).len(), 1);
    assert!(pool.state().inbox.is_empty());
    cic_reaches_the_pool(&pool);
    assert_eq!(pool.state().tokens_issued, 1, "the token is reused");
}

/// The password grant, and a token the pool expires before the client
/// thinks it should: the 401 drops it, a new one is fetched, the request
/// is sent again, and the poll succeeds.
#[test]
fn auth_oauth2_password_refreshes_after_401() {
    let mut oauth = OAuth2Auth::new("gdsn-sync", "cl1ent-secret");
    oauth.user = Some(("officer".to_owned(), "0fficer-pw".to_owned()));
    // The token says "expires_in: 1" (rounded up) but lapses after 200 ms.
    oauth.token_lifetime = Duration::from_millis(200);
    let pool = Pool::with(messages("AUTH", 106, 1), |c| c.auth = Auth::OAuth2(oauth));
    let auth = format!(
        r#"kind = "oauth2_password"
token_url = "{}oauth/token"
client_id = "gdsn-sync"
client_secret = {{ plaintext = "cl1ent-secret" }}
username = "officer"
password = {{ plaintext = "0fficer-pw" }}"#,
        pool.url()
    );
    let daemon = daemon(&pool, &auth);
    assert_eq!(daemon.poll(NAME)["messages"], 1);
    // Not a synchronisation: the pool's token must lapse (200 ms) while
    // the client's copy (900 ms) has not. A loaded machine may miss that
    // window once (the client then renews on its own), so a few rounds.
    let mut round = 0;
    while !pool.state().statuses.contains_key("401") {
        round += 1;
        assert!(round <= 5, "no 401 seen: {:?}", pool.state().statuses);
        std::thread::sleep(Duration::from_millis(400));
        let id = format!("AUTH-late-{round}");
        pool.add(&format!("{id}.xml"), Cin::new(&id, &gtin(106, round)).xml());
        // Every poll succeeds: the 401 is handled inside it.
        assert_eq!(daemon.poll(NAME)["messages"], 1);
    }
    let state = pool.state();
    assert!(state.tokens_issued >= 2, "a new token after the 401: {}", state.tokens_issued);
    assert!(state.inbox.is_empty());
    assert_eq!(daemon.store_counts()["messages"], u64::from(round) + 1);
    daemon.wait_lookup(&gtin(106, round));
}

/// Waits until the store holds `count` messages and the pool's inbox is
/// empty, checking on the way that nothing was acknowledged before it was
/// durable (acknowledgements never outnumber stored messages).
fn wait_all_applied(daemon: &Daemon, pool: &Pool, count: u64) {
    wait_for("every message applied and acknowledged", DEADLINE, || {
        let acked = pool.acked().len() as u64;
        let stored = daemon.store_counts()["messages"].as_u64().unwrap_or(0);
        assert!(acked <= stored, "{acked} acknowledged but only {stored} durable");
        (stored == count && pool.state().inbox.is_empty()).then_some(())
    });
}

/// Stops the daemon and checks the store holds each GTIN exactly once.
fn stop_and_check_once(mut daemon: Daemon, gtins: &[String]) -> Vec<Value> {
    daemon.wait_published();
    for g in gtins {
        assert_eq!(daemon.lookup(g).len(), 1, "GTIN {g} searchable once");
    }
    daemon.sigterm(DEADLINE);
    let records = daemon.export();
    let mut exported: Vec<String> =
        records.iter().map(|r| r["gtin"].as_str().unwrap_or_default().to_owned()).collect();
    exported.sort();
    let mut expected = gtins.to_vec();
    expected.sort();
    assert_eq!(exported, expected, "each item stored once");
    records
}

fn gtins(prefix: u32, count: u32) -> Vec<String> {
    (0..count).map(|i| gtin(prefix, i)).collect()
}

/// Three messages, `faults` armed, polled until the poll succeeds.
fn with_faults(prefix: u32, faults: Faults) -> (Pool, Daemon, Vec<Value>) {
    let pool = Pool::with(messages("FAULT", prefix, 3), |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let (_, failed) = daemon.poll_until_ok(NAME, 5);
    wait_all_applied(&daemon, &pool, 3);
    (pool, daemon, failed)
}

/// Two 503s, then the pool answers: the scheduler's backoff retries on its
/// own (no second admin poll) until the messages are in.
#[test]
fn fault_5xx_then_backoff() {
    let mut faults = Faults::default();
    faults.error_5xx = Some(StatusFault { next: 2, status: 503 });
    let pool = Pool::with(messages("FAULT", 201, 3), |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let (status, report) = daemon.try_poll(NAME);
    assert_eq!(status, 502, "{report}");
    assert!(report["error"].as_str().unwrap_or_default().contains("503"), "{report}");
    assert_eq!(daemon.store_counts()["messages"], 0);
    wait_all_applied(&daemon, &pool, 3);
    assert_eq!(pool.state().statuses.get("503").copied(), Some(2));
    stop_and_check_once(daemon, &gtins(201, 3));
}

/// The pool stalls before its headers for longer than the read timeout:
/// the poll times out, nothing is acknowledged, the next one succeeds.
#[test]
fn fault_stall_times_out_then_succeeds() {
    let mut faults = Faults::default();
    faults.stall = Some(StallFault { next: 1, ms: 2500 });
    let (_pool, daemon, failed) = with_faults(202, faults);
    assert!(!failed.is_empty(), "the stalled request failed");
    assert!(failed[0]["error"].as_str().unwrap_or_default().contains("timed out"), "{}", failed[0]);
    stop_and_check_once(daemon, &gtins(202, 3));
}

/// A body trickled in small chunks, each within the read timeout: slow is
/// not a failure.
#[test]
fn fault_slow_body() {
    let mut faults = Faults::default();
    faults.slow_body = Some(SlowBodyFault { next: 3, chunk_bytes: 512, interval_ms: 30 });
    let (pool, daemon, failed) = with_faults(203, faults);
    assert!(failed.is_empty(), "{failed:?}");
    assert!(pool.state().faults.slow_body.is_none(), "every fetch was slow");
    stop_and_check_once(daemon, &gtins(203, 3));
}

/// A body cut short of its Content-Length: that message is not applied nor
/// acknowledged; it comes again and is applied once.
#[test]
fn fault_truncated_body() {
    let mut faults = Faults::default();
    faults.truncated_body = Some(CountFault { next: 1 });
    let pool = Pool::with(messages("FAULT", 204, 3), |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let (status, report) = daemon.try_poll(NAME);
    assert_eq!(status, 502, "{report}");
    assert!(report["error"].as_str().unwrap_or_default().contains("truncated"), "{report}");
    // The first message failed: nothing stored, nothing acknowledged.
    assert_eq!(pool.state().inbox.len(), 3);
    assert!(pool.acked().is_empty());
    wait_all_applied(&daemon, &pool, 3);
    stop_and_check_once(daemon, &gtins(204, 3));
}

/// A page that lists its first entry twice, a page in reverse order (a
/// newer version of an item before the older one), and an acknowledgement
/// the pool loses (the message comes again): each message applied once,
/// and the newer version wins.
#[test]
fn fault_duplicate_and_out_of_order_delivery() {
    let item = gtin(205, 9);
    let mut old = Cin::new("ORDER-old", &item);
    old.description = "older text";
    let mut new = Cin::new("ORDER-new", &item);
    new.changed = "2025-03-01T00:00:00Z";
    new.description = "newer text";
    let mut all = messages("FAULT", 205, 2);
    all.push(("ORDER-old.xml".to_owned(), old.xml().into_bytes()));
    all.push(("ORDER-new.xml".to_owned(), new.xml().into_bytes()));
    let mut faults = Faults::default();
    faults.duplicate_listing = Some(CountFault { next: 1 });
    faults.out_of_order = Some(CountFault { next: 1 });
    faults.redeliver_after_ack = Some(CountFault { next: 1 });
    let pool = Pool::with(all, |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let first = daemon.poll(NAME);
    assert_eq!(first["messages"], 4, "the duplicate entry is skipped: {first}");
    // The lost acknowledgement: that message is still pending, and comes again.
    assert_eq!(pool.state().inbox.len(), 1);
    let second = daemon.poll(NAME);
    assert_eq!(second["messages"], 1, "{second}");
    assert!(pool.state().inbox.is_empty());
    let counts = daemon.store_counts();
    assert_eq!(counts["messages"], 4, "the repeat is recognised: {counts}");
    let status = daemon.connection_status(NAME);
    assert_eq!(status["messages_applied"], 5, "four messages and the repeat: {status}");
    assert_eq!(status["messages_failed"], 0, "{status}");
    assert_eq!(counts["live"], 3, "{counts}");
    let records = stop_and_check_once(daemon, &[gtin(205, 0), gtin(205, 1), item.clone()]);
    let record = records.iter().find(|r| r["gtin"] == item.as_str()).expect("the item");
    assert!(record.to_string().contains("newer text"), "the newer version wins: {record}");
}

/// A fetch answered as `text/html` (a proxy's error page): refused, not
/// parsed, not acknowledged; it needs a person, so no automatic retry; the
/// next poll takes it.
#[test]
fn fault_wrong_content_type() {
    let mut faults = Faults::default();
    faults.wrong_content_type = Some(ContentTypeFault { next: 1, content_type: "text/html".to_owned() });
    let pool = Pool::with(messages("FAULT", 206, 3), |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let (status, report) = daemon.try_poll(NAME);
    assert_eq!(status, 502, "{report}");
    assert!(report["error"].as_str().unwrap_or_default().contains("text/html"), "{report}");
    assert_eq!(daemon.store_counts()["messages"], 0);
    assert!(pool.acked().is_empty());
    assert_eq!(daemon.poll(NAME)["messages"], 3);
    wait_all_applied(&daemon, &pool, 3);
    stop_and_check_once(daemon, &gtins(206, 3));
}

/// 429 with `Retry-After: 1`: the scheduler waits that long and retries on
/// its own.
#[test]
fn fault_429_retry_after() {
    let mut faults = Faults::default();
    faults.rate_limit = Some(RateLimitFault { next: 1, retry_after_secs: 1 });
    let pool = Pool::with(messages("FAULT", 207, 3), |c| c.faults = faults);
    let daemon = daemon(&pool, r#"kind = "none""#);
    let (status, report) = daemon.try_poll(NAME);
    let refused = Instant::now();
    assert_eq!(status, 502, "{report}");
    assert!(report["error"].as_str().unwrap_or_default().contains("429"), "{report}");
    wait_all_applied(&daemon, &pool, 3);
    assert!(refused.elapsed() >= Duration::from_millis(800), "retried after {:?}", refused.elapsed());
    stop_and_check_once(daemon, &gtins(207, 3));
}

/// SIGKILL while a poll is fetching (slow bodies): after a restart the
/// messages not acknowledged come again, the ones durable but not
/// acknowledged are recognised, and the store ends with each item once.
#[test]
fn sigkill_mid_poll_then_restart() {
    const COUNT: u32 = 8;
    let mut faults = Faults::default();
    faults.slow_body = Some(SlowBodyFault { next: COUNT, chunk_bytes: 1024, interval_ms: 60 });
    let pool = Pool::with(messages("KILL", 208, COUNT), |c| c.faults = faults);
    let mut daemon = daemon(&pool, r#"kind = "none""#);
    let base = daemon.base.clone();
    let poller = std::thread::spawn(move || {
        // Fails when the daemon dies under it; that is the point.
        let _ = reqwest::blocking::Client::new()
            .post(format!("{base}/v1/connections/{NAME}/poll"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send();
    });
    wait_for("a first acknowledgement", DEADLINE, || (!pool.acked().is_empty()).then_some(()));
    daemon.kill();
    let _ = poller.join();
    let acked_at_kill = pool.acked().len();
    assert!(acked_at_kill < COUNT as usize, "killed mid-poll ({acked_at_kill} acknowledged)");
    daemon.spawn();
    let stored = daemon.store_counts()["messages"].as_u64().unwrap_or(0);
    assert!(stored >= acked_at_kill as u64, "every acknowledged message was durable");
    daemon.poll(NAME);
    wait_all_applied(&daemon, &pool, u64::from(COUNT));
    stop_and_check_once(daemon, &gtins(208, COUNT));
}
