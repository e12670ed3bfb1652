//! Every authentication style, accepted and refused.

use std::time::Duration;

use gdsn_pool_sim::{Auth, HmacAuth, OAuth2Auth, sign};
use reqwest::{RequestBuilder, StatusCode};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::helpers::{Client, config, form, start, tiny};

async fn client_with(auth: Auth) -> (gdsn_pool_sim::RunningSim, Client) {
    let mut config = config(tiny(2));
    config.auth = auth;
    let sim = start(config).await;
    let client = Client::new(&sim);
    (sim, client)
}

async fn status(request: RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.expect("request");
    let challenge =
        response.headers().get("www-authenticate").map(|v| v.to_str().unwrap_or_default().to_owned());
    (response.status(), challenge.unwrap_or_default())
}

#[tokio::test]
async fn bearer_api_key_and_basic() {
    let (_sim, c) = client_with(Auth::Bearer { token: "t0ken".into() }).await;
    assert_eq!(status(c.http.get(c.url("inbox")).bearer_auth("t0ken")).await.0, StatusCode::OK);
    let (code, challenge) = status(c.http.get(c.url("inbox")).bearer_auth("wrong")).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Bearer realm="), "{challenge}");
    assert_eq!(status(c.http.get(c.url("inbox"))).await.0, StatusCode::UNAUTHORIZED);
    // Admin routes never need credentials.
    assert_eq!(status(c.http.get(c.url("admin/state"))).await.0, StatusCode::OK);

    let key = Auth::ApiKey { header: "X-Api-Key".into(), prefix: "ApiKey ".into(), key: "k3y".into() };
    let (_sim, c) = client_with(key).await;
    assert_eq!(status(c.http.get(c.url("inbox")).header("X-Api-Key", "ApiKey k3y")).await.0, StatusCode::OK);
    assert_eq!(
        status(c.http.get(c.url("inbox")).header("X-Api-Key", "k3y")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status(c.http.get(c.url("inbox"))).await.0, StatusCode::UNAUTHORIZED);

    let (_sim, c) = client_with(Auth::Basic { username: "pool".into(), password: "s3cret".into() }).await;
    assert_eq!(status(c.http.get(c.url("inbox")).basic_auth("pool", Some("s3cret"))).await.0, StatusCode::OK);
    let (code, challenge) = status(c.http.get(c.url("inbox")).basic_auth("pool", Some("nope"))).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Basic realm="), "{challenge}");
}

fn now() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).expect("format")
}

/// A request signed as the spec says, optionally with a different signed target or time.
fn signed(
    c: &Client,
    method: reqwest::Method,
    target: &str,
    signed_target: &str,
    at: &str,
    body: &[u8],
) -> RequestBuilder {
    signed_as(c, "pool-key", method, target, signed_target, at, body)
}

/// The same under another key id.
fn signed_as(
    c: &Client,
    key_id: &str,
    method: reqwest::Method,
    target: &str,
    signed_target: &str,
    at: &str,
    body: &[u8],
) -> RequestBuilder {
    let signature = sign::sign_request(b"hmac-secret", method.as_str(), signed_target, at, body);
    c.http
        .request(method, c.url(target))
        .header("X-Key-Id", key_id)
        .header("X-Timestamp", at)
        .header("X-Signature", signature)
        .body(body.to_vec())
}

#[tokio::test]
async fn hmac_signatures_are_checked() {
    let (_sim, c) = client_with(Auth::Hmac(HmacAuth::new("pool-key", "hmac-secret"))).await;
    let at = now();
    let get = reqwest::Method::GET;
    let ok = signed(&c, get.clone(), "inbox?limit=1", "/inbox?limit=1", &at, b"");
    assert_eq!(status(ok).await.0, StatusCode::OK);
    // The query is signed: another limit with the same signature is refused.
    let tampered = signed(&c, get.clone(), "inbox?limit=2", "/inbox?limit=1", &at, b"");
    let (code, challenge) = status(tampered).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("HMAC-SHA256"), "{challenge}");
    // More than five minutes off the server clock.
    let old = (OffsetDateTime::now_utc() - time::Duration::minutes(6)).format(&Rfc3339).unwrap();
    assert_eq!(
        status(signed(&c, get.clone(), "inbox", "/inbox", &old, b"")).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Wrong key id, missing headers.
    let wrong_id = signed_as(&c, "other", get.clone(), "inbox", "/inbox", &at, b"");
    assert_eq!(status(wrong_id).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(status(c.http.get(c.url("inbox"))).await.0, StatusCode::UNAUTHORIZED);
    // The body is signed too.
    let cic = crate::outbound::message("0028_cic_review");
    let post = signed(&c, reqwest::Method::POST, "outbound", "/outbound", &at, &cic)
        .header("content-type", "application/xml");
    assert_eq!(status(post).await.0, StatusCode::ACCEPTED);
    let mut other = cic.clone();
    other.extend_from_slice(b"\n");
    let swapped = signed(&c, reqwest::Method::POST, "outbound", "/outbound", &at, &cic).body(other);
    assert_eq!(status(swapped).await.0, StatusCode::UNAUTHORIZED);
}

async fn token(c: &Client, pairs: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
    let response = form(c.http.post(c.url("oauth/token")), pairs).send().await.expect("token request");
    (response.status(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn oauth2_tokens_expire_and_are_fetched_again() {
    let mut oauth = OAuth2Auth::new("client", "client-secret");
    oauth.user = Some(("officer".into(), "pw".into()));
    oauth.token_lifetime = Duration::from_millis(300);
    let (sim, c) = client_with(Auth::OAuth2(oauth)).await;
    let cc =
        [("grant_type", "client_credentials"), ("client_id", "client"), ("client_secret", "client-secret")];
    let (code, granted) = token(&c, &cc).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!((granted["token_type"].as_str(), granted["expires_in"].as_u64()), (Some("Bearer"), Some(1)));
    let access = granted["access_token"].as_str().unwrap().to_owned();
    assert_eq!(status(c.http.get(c.url("inbox")).bearer_auth(&access)).await.0, StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(400)).await;
    let (code, challenge) = status(c.http.get(c.url("inbox")).bearer_auth(&access)).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("error=\"invalid_token\"") && challenge.contains("expired"), "{challenge}");

    // Refresh: the password grant, client authenticated with basic.
    let request = c.http.post(c.url("oauth/token")).basic_auth("client", Some("client-secret"));
    let granted: serde_json::Value =
        form(request, &[("grant_type", "password"), ("username", "officer"), ("password", "pw")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let fresh = granted["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert_eq!(status(c.http.get(c.url("inbox")).bearer_auth(fresh)).await.0, StatusCode::OK);
    assert_eq!(sim.state().tokens_issued, 2);
}

#[tokio::test]
async fn oauth2_refusals_follow_rfc_6749() {
    let mut oauth = OAuth2Auth::new("client", "client-secret");
    oauth.user = Some(("officer".into(), "pw".into()));
    let (_sim, c) = client_with(Auth::OAuth2(oauth)).await;
    let wrong_secret =
        [("grant_type", "client_credentials"), ("client_id", "client"), ("client_secret", "x")];
    let (code, body) = token(&c, &wrong_secret).await;
    assert_eq!((code, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let wrong_password =
        [("grant_type", "password"), ("client_id", "client"), ("username", "officer"), ("password", "no")];
    let (code, body) = token(&c, &wrong_password).await;
    assert_eq!((code, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (code, body) = token(&c, &[("grant_type", "authorization_code")]).await;
    assert_eq!((code, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    assert_eq!(status(c.http.get(c.url("inbox")).bearer_auth("made-up")).await.0, StatusCode::UNAUTHORIZED);
}
