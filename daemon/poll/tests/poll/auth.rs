//! Each auth style accepted once, and refused with a clear error when the secret is wrong.

use std::time::Duration;

use gdsn_poll::PollError;
use gdsn_pool_sim::{Auth, HmacAuth, OAuth2Auth};

use crate::helpers::{Recorder, client, sim_config, start};

/// Polls with `good` (accepted, both messages delivered) and with `bad` (refused, nothing delivered).
async fn accepted_and_refused(auth: Auth, good: &str, bad: &str) {
    let mut config = sim_config(2);
    config.auth = auth;
    let sim = start(config).await;

    let refused = client("http_inbox", &sim, bad, "");
    let mut handler = Recorder::default();
    let error = refused.poll_inbox(&mut handler).await.expect_err("an error");
    assert!(matches!(error, PollError::Unauthorized { status: 401, .. }), "{error}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("authentication refused"), "{error}");
    assert!(!error.to_string().contains("nope-Z9"), "secret leaked: {error}");
    assert!(handler.got.is_empty());

    let accepted = client("http_inbox", &sim, good, "");
    let report = accepted.poll_inbox(&mut handler).await.expect("accepted");
    assert_eq!(report.delivered, 2);
    assert!(sim.state().inbox.is_empty());
}

#[tokio::test]
async fn bearer() {
    accepted_and_refused(
        Auth::Bearer { token: "t0ken".into() },
        r#"auth = { kind = "bearer", token = { plaintext = "t0ken" } }"#,
        r#"auth = { kind = "bearer", token = { plaintext = "nope-Z9" } }"#,
    )
    .await;
}

#[tokio::test]
async fn api_key() {
    let auth = Auth::ApiKey { header: "X-Api-Key".into(), prefix: "Key ".into(), key: "k3y".into() };
    accepted_and_refused(
        auth,
        r#"auth = { kind = "api_key", header = "X-Api-Key", prefix = "Key ", key = { plaintext = "k3y" } }"#,
        r#"auth = { kind = "api_key", header = "X-Api-Key", prefix = "Key ", key = { plaintext = "nope-Z9" } }"#,
    )
    .await;
}

#[tokio::test]
async fn basic() {
    accepted_and_refused(
        Auth::Basic { username: "officer".into(), password: "pw".into() },
        r#"auth = { kind = "basic", username = "officer", password = { plaintext = "pw" } }"#,
        r#"auth = { kind = "basic", username = "officer", password = { plaintext = "nope-Z9" } }"#,
    )
    .await;
}

#[tokio::test]
async fn hmac() {
    accepted_and_refused(
        Auth::Hmac(HmacAuth::new("pool-key", "s3cret")),
        r#"auth = { kind = "hmac", key_id = "pool-key", secret = { plaintext = "s3cret" } }"#,
        r#"auth = { kind = "hmac", key_id = "pool-key", secret = { plaintext = "nope-Z9" } }"#,
    )
    .await;
}

fn oauth(lifetime: Duration) -> OAuth2Auth {
    let mut oauth = OAuth2Auth::new("sync", "s3cret");
    oauth.user = Some(("officer".into(), "pw".into()));
    oauth.token_lifetime = lifetime;
    oauth
}

fn client_credentials(base: &str, secret: &str) -> String {
    format!(
        r#"auth = {{ kind = "oauth2_client_credentials", token_url = "{base}oauth/token", client_id = "sync", client_secret = {{ plaintext = "{secret}" }} }}"#
    )
}

#[tokio::test]
async fn oauth2_client_credentials() {
    let mut config = sim_config(2);
    config.auth = Auth::OAuth2(oauth(Duration::from_secs(3600)));
    let sim = start(config).await;
    let base = sim.base_url();

    let refused = client("http_inbox", &sim, &client_credentials(&base, "nope-Z9"), "");
    let error = refused.poll_inbox(&mut Recorder::default()).await.expect_err("an error");
    assert!(matches!(error, PollError::Unauthorized { status: 401, .. }), "{error}");
    assert!(error.to_string().contains("invalid_client"), "{error}");

    let accepted = client("http_inbox", &sim, &client_credentials(&base, "s3cret"), "");
    let mut handler = Recorder::default();
    assert_eq!(accepted.poll_inbox(&mut handler).await.expect("accepted").delivered, 2);
    assert_eq!(sim.state().tokens_issued, 1, "one token serves every request");
}

#[tokio::test]
async fn oauth2_password_grant() {
    let mut config = sim_config(1);
    config.auth = Auth::OAuth2(oauth(Duration::from_secs(3600)));
    let sim = start(config).await;
    let grant = |password: &str| {
        format!(
            r#"auth = {{ kind = "oauth2_password", token_url = "{}oauth/token", client_id = "sync", client_secret = {{ plaintext = "s3cret" }}, username = "officer", password = {{ plaintext = "{password}" }} }}"#,
            sim.base_url()
        )
    };
    let error = client("http_inbox", &sim, &grant("nope-Z9"), "").poll_inbox(&mut Recorder::default()).await;
    assert!(matches!(error, Err(PollError::Unauthorized { .. })), "{error:?}");
    let report = client("http_inbox", &sim, &grant("pw"), "").poll_inbox(&mut Recorder::default()).await;
    assert_eq!(report.expect("accepted").delivered, 1);
}

/// A token the pool expired earlier than we expected is answered 401: the client drops it, fetches a
/// new one and retries the request once, and the poll goes on.
#[tokio::test]
async fn oauth2_expired_token_is_refreshed_on_401() {
    let mut config = sim_config(2);
    // 500 ms on the pool's side, but it says `expires_in: 1`, so our cache still trusts it at 700 ms.
    config.auth = Auth::OAuth2(oauth(Duration::from_millis(500)));
    let sim = start(config).await;
    let pool = client("http_inbox", &sim, &client_credentials(&sim.base_url(), "s3cret"), "");
    let mut handler = Recorder::default();
    sim.add_message("first.xml", "<m/>");
    pool.poll_inbox(&mut handler).await.expect("first poll");
    tokio::time::sleep(Duration::from_millis(700)).await;
    sim.add_message("late.xml", "<m/>");
    pool.poll_inbox(&mut handler).await.expect("second poll, after a refresh");
    let state = sim.state();
    assert_eq!(state.tokens_issued, 2);
    assert_eq!(state.statuses.get("401"), Some(&1));
    assert_eq!(handler.got.len(), 4);
}
