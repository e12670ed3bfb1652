//! The daemon's configuration defaults (gdsn-config) drive the simulator with no override: paths,
//! pointers, parameters, the acknowledgement method, the HMAC headers and the webhook signature.

use std::path::Path;

use gdsn_config::{Config, HttpAuth, OsEnvironment, Transport, WebhookAuth};
use gdsn_pool_sim::{Auth, HmacAuth, PushAuth, sign};
use reqwest::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::helpers::{config, start, tiny};

fn load(base_url: &str) -> Config {
    let toml = format!(
        r#"
allow_plaintext_secrets = true

[[connections]]
name = "inbox"
kind = "http_inbox"
schedule = "*/5 * * * *"
[connections.http]
base_url = "{base_url}"
auth = {{ kind = "hmac", key_id = "pool-key", secret = {{ plaintext = "hmac-secret" }} }}

[[connections]]
name = "changes"
kind = "http_changed_since"
schedule = "*/5 * * * *"
[connections.http]
base_url = "{base_url}"
auth = {{ kind = "hmac", key_id = "pool-key", secret = {{ plaintext = "hmac-secret" }} }}

[[connections]]
name = "push"
kind = "webhook"
[connections.webhook]
auth = {{ kind = "hmac_sha256", secret = {{ plaintext = "push-secret" }} }}
"#
    );
    Config::from_toml(&toml, Path::new("/tmp/gdsn-pool-sim-test.toml"), &OsEnvironment).expect("valid config")
}

/// A GET signed with the config's HMAC settings.
async fn get(http: &reqwest::Client, auth: &HttpAuth, url: reqwest::Url) -> Value {
    let HttpAuth::Hmac { key_id, secret, key_id_header, timestamp_header, signature_header } = auth else {
        panic!("hmac auth expected");
    };
    let at = OffsetDateTime::now_utc().format(&Rfc3339).expect("time");
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let signature = sign::sign_request(secret.expose().as_bytes(), "GET", &target, &at, b"");
    let request = http
        .get(url)
        .header(key_id_header.as_str(), key_id.as_str())
        .header(timestamp_header.as_str(), at)
        .header(signature_header.as_str(), signature);
    let response = request.send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let is_json = response.headers()["content-type"] == "application/json";
    let text = response.text().await.expect("body");
    if is_json { serde_json::from_str(&text).expect("JSON") } else { Value::String(text) }
}

#[tokio::test]
async fn inbox_and_changes_work_with_every_default() {
    let mut sim_config = config(tiny(3));
    sim_config.auth = Auth::Hmac(HmacAuth::new("pool-key", "hmac-secret"));
    sim_config.default_page_size = 2;
    let sim = start(sim_config).await;
    let config = load(&sim.base_url());
    let http = reqwest::Client::new();

    let Transport::HttpInbox { http: client, api, .. } = &config.connection("inbox").unwrap().transport
    else {
        panic!("inbox transport");
    };
    let page = get(&http, &client.auth, api.list_url.clone()).await;
    let entries = api.messages.messages_pointer.get(&page).and_then(Value::as_array).unwrap();
    let id = api.messages.message_id_pointer.get(&entries[0]).and_then(Value::as_str).unwrap();
    let cursor = api.cursor_pointer.get(&page).and_then(Value::as_str).unwrap();
    let mut next = api.list_url.clone();
    next.query_pairs_mut().append_pair(&api.cursor_param, cursor);
    let second = get(&http, &client.auth, next).await;
    assert_eq!(api.messages.messages_pointer.get(&second).and_then(Value::as_array).unwrap().len(), 1);
    let body = get(&http, &client.auth, api.messages.fetch.url(&client.base_url, id).unwrap()).await;
    assert_eq!(body, "<m n=\"1\"/>");
    assert!(matches!(api.ack_method, gdsn_config::AckMethod::Post));
    let ack = api.ack.url(&client.base_url, id).unwrap();
    assert_eq!(ack.path(), format!("/inbox/{id}/ack"));
    assert_eq!(client.outbound_url.path(), "/outbound");

    let Transport::HttpChangedSince { http: client, api, .. } =
        &config.connection("changes").unwrap().transport
    else {
        panic!("changed-since transport");
    };
    let mut url = api.list_url.clone();
    url.query_pairs_mut().append_pair(&api.since_param, "2026-01-01T00:00:00Z");
    let page = get(&http, &client.auth, url).await;
    assert_eq!(api.high_water_pointer.get(&page).and_then(Value::as_str), Some("2026-01-01T00:00:00Z"));
    let token = api.page_token_pointer.get(&page).and_then(Value::as_str).unwrap();
    let mut url = api.list_url.clone();
    url.query_pairs_mut().append_pair(&api.page_token_param, token);
    let last = get(&http, &client.auth, url).await;
    let entries = api.messages.messages_pointer.get(&last).and_then(Value::as_array).unwrap();
    let id = api.messages.message_id_pointer.get(&entries[0]).and_then(Value::as_str).unwrap();
    assert_eq!(id, "000003-m03");
    let body = get(&http, &client.auth, api.messages.fetch.url(&client.base_url, id).unwrap()).await;
    assert_eq!(body, "<m n=\"3\"/>");
}

#[test]
fn pushes_sign_as_the_webhook_default_expects() {
    let config = load("http://127.0.0.1:1/");
    let Transport::Webhook { webhook, .. } = &config.connection("push").unwrap().transport else {
        panic!("webhook transport");
    };
    let WebhookAuth::HmacSha256 { signature_header, signature_prefix, .. } = &webhook.auth else {
        panic!("hmac webhook");
    };
    let PushAuth::HmacSha256 { header, prefix, .. } = PushAuth::hmac("push-secret") else {
        panic!("hmac push");
    };
    assert_eq!((header.as_str(), prefix.as_str()), (signature_header.as_str(), signature_prefix.as_str()));
    assert_eq!(webhook.path, "/v1/webhooks/push");
}
