//! HTTP clients, their time limits and authentication, and webhook authentication.

use std::path::Path;

use super::{Ctx, maybe, values};
use crate::auth::{HttpAuth, WebhookAuth};
use crate::bytesize::ByteSize;
use crate::connection::{HttpClient, Timeouts};
use crate::error::FieldPath;
use crate::raw::{RawHttpAuth, RawHttpClient, RawTimeouts, RawWebhookAuth};

/// The default cap on a response or push body: large enough for a full catalogue reload message.
pub(super) const DEFAULT_MAX_BODY: ByteSize = ByteSize(64 << 20);

/// Every authentication method, for pool connections.
pub(super) const ALL_AUTH: &[&str] =
    &["none", "bearer", "api_key", "basic", "hmac", "oauth2_client_credentials", "oauth2_password", "mtls"];

/// A pool's HTTP client. Plain `http://` is allowed to loopback addresses only.
pub(super) fn client(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawHttpClient) -> Option<HttpClient> {
    let base = cx.ok(&path.key("base_url"), values::base_url(&raw.base_url, true));
    let auth = auth(cx, &path.key("auth"), raw.auth.as_ref(), ALL_AUTH);
    let timeouts = timeouts(cx, &path.key("timeouts"), raw.timeouts.as_ref());
    let max_body = body_limit(cx, &path.key("max_body_bytes"), raw.max_body_bytes);
    let outbound = base.as_ref().and_then(|base| {
        let outbound = raw.outbound_path.as_deref().unwrap_or("outbound");
        cx.ok(&path.key("outbound_path"), values::relative_url(base, outbound))
    });
    Some(HttpClient {
        base_url: base?,
        auth: auth?,
        timeouts: timeouts?,
        max_body_bytes: max_body?,
        outbound_url: outbound?,
    })
}

/// A body cap between 1 KiB and 4 GiB, 64 MiB by default.
pub(super) fn body_limit(cx: &mut Ctx<'_>, path: &FieldPath, raw: Option<ByteSize>) -> Option<u64> {
    let bytes = raw.unwrap_or(DEFAULT_MAX_BODY).bytes();
    cx.between(path, Some(bytes), 0, 1 << 10, 4 << 30)
}

/// Request time limits; the total must cover connecting and reading.
pub(super) fn timeouts(cx: &mut Ctx<'_>, path: &FieldPath, raw: Option<&RawTimeouts>) -> Option<Timeouts> {
    let default = RawTimeouts::default();
    let raw = raw.unwrap_or(&default);
    let connect = cx.secs(&path.key("connect_secs"), raw.connect_secs, 10, 1, 300);
    let read = cx.secs(&path.key("read_secs"), raw.read_secs, 60, 1, 3600);
    let total = cx.secs(&path.key("total_secs"), raw.total_secs, 300, 1, 86_400);
    let (connect, read, total) = (connect?, read?, total?);
    if total < connect || total < read {
        cx.report(
            &path.key("total_secs"),
            format!(
                "total_secs ({}) must be at least connect_secs ({}) and read_secs ({})",
                total.as_secs(),
                connect.as_secs(),
                read.as_secs()
            ),
        );
        return None;
    }
    Some(Timeouts { connect, read, total })
}

/// Outgoing request authentication, limited to the methods in `allowed` (the sink takes fewer).
pub(super) fn auth(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    raw: Option<&RawHttpAuth>,
    allowed: &[&str],
) -> Option<HttpAuth> {
    let Some(raw) = raw else { return Some(HttpAuth::None) };
    if !allowed.contains(&raw.kind()) {
        let message =
            format!("auth kind {:?} is not supported here: expected one of {allowed:?}", raw.kind());
        cx.report(&path.key("kind"), message);
        return None;
    }
    match raw {
        RawHttpAuth::None => Some(HttpAuth::None),
        RawHttpAuth::Bearer { token } => {
            Some(HttpAuth::Bearer { token: cx.secret(&path.key("token"), token)? })
        }
        RawHttpAuth::ApiKey { header, prefix, key } => {
            let header = cx.ok(&path.key("header"), values::header_name(header));
            let key = cx.secret(&path.key("key"), key);
            Some(HttpAuth::ApiKey { header: header?, prefix: prefix.clone().unwrap_or_default(), key: key? })
        }
        RawHttpAuth::Basic { username, password } => {
            let password = cx.secret(&path.key("password"), password)?;
            Some(HttpAuth::Basic { username: username.clone(), password })
        }
        RawHttpAuth::Hmac { .. } => hmac(cx, path, raw),
        RawHttpAuth::Oauth2ClientCredentials { token_url, client_id, client_secret, scope } => {
            let token_url = cx.ok(&path.key("token_url"), values::endpoint_url(token_url, true));
            let client_secret = cx.secret(&path.key("client_secret"), client_secret);
            Some(HttpAuth::OAuth2ClientCredentials {
                token_url: token_url?,
                client_id: client_id.clone(),
                client_secret: client_secret?,
                scope: scope.clone(),
            })
        }
        RawHttpAuth::Oauth2Password { token_url, client_id, client_secret, username, password, scope } => {
            let token_url = cx.ok(&path.key("token_url"), values::endpoint_url(token_url, true));
            let client_secret =
                maybe(client_secret.as_ref(), |secret| cx.secret(&path.key("client_secret"), secret));
            let password = cx.secret(&path.key("password"), password);
            Some(HttpAuth::OAuth2Password {
                token_url: token_url?,
                client_id: client_id.clone(),
                client_secret: client_secret?,
                username: username.clone(),
                password: password?,
                scope: scope.clone(),
            })
        }
        RawHttpAuth::Mtls { cert_file, key_file, ca_file } => {
            let cert = pem_file(cx, &path.key("cert_file"), cert_file, Pem::Certificate);
            let key = pem_file(cx, &path.key("key_file"), key_file, Pem::PrivateKey);
            let ca = maybe(ca_file.as_deref(), |ca| pem_file(cx, &path.key("ca_file"), ca, Pem::Certificate));
            Some(HttpAuth::Mtls { cert_file: cert?, key_file: key?, ca_file: ca? })
        }
    }
}

fn hmac(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawHttpAuth) -> Option<HttpAuth> {
    let RawHttpAuth::Hmac { key_id, secret, key_id_header, timestamp_header, signature_header } = raw else {
        return None;
    };
    let mut header = |key: &str, value: &Option<String>, default: &str| {
        cx.ok(&path.key(key), values::header_name(value.as_deref().unwrap_or(default)))
    };
    let key_id_header = header("key_id_header", key_id_header, "X-Key-Id");
    let timestamp_header = header("timestamp_header", timestamp_header, "X-Timestamp");
    let signature_header = header("signature_header", signature_header, "X-Signature");
    if key_id.trim().is_empty() {
        cx.report(&path.key("key_id"), "key_id is empty");
    }
    let secret = cx.secret(&path.key("secret"), secret);
    Some(HttpAuth::Hmac {
        key_id: (!key_id.trim().is_empty()).then(|| key_id.clone())?,
        secret: secret?,
        key_id_header: key_id_header?,
        timestamp_header: timestamp_header?,
        signature_header: signature_header?,
    })
}

/// What a PEM file must contain.
#[derive(Clone, Copy)]
enum Pem {
    Certificate,
    PrivateKey,
}

/// Resolves a PEM file's path and checks that it is readable and holds what it should: a DER file or
/// a certificate given as the key is the usual mistake, and it is better found at start.
fn pem_file(cx: &mut Ctx<'_>, path: &FieldPath, configured: &Path, kind: Pem) -> Option<std::path::PathBuf> {
    let file = cx.path(configured);
    let bytes = cx.read_file(path, &file)?;
    let text = String::from_utf8_lossy(&bytes);
    let ok = match kind {
        Pem::Certificate => text.contains("-----BEGIN CERTIFICATE-----"),
        Pem::PrivateKey => text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----"),
    };
    if !ok {
        let expected = match kind {
            Pem::Certificate => "a PEM certificate (-----BEGIN CERTIFICATE-----)",
            Pem::PrivateKey => "a PEM private key (-----BEGIN ... PRIVATE KEY-----)",
        };
        cx.report(path, format!("{} is not {expected}", file.display()));
        return None;
    }
    Some(file)
}

/// How webhook pushes authenticate.
pub(super) fn webhook_auth(cx: &mut Ctx<'_>, path: &FieldPath, raw: &RawWebhookAuth) -> Option<WebhookAuth> {
    match raw {
        RawWebhookAuth::HmacSha256 { secret, signature_header, signature_prefix } => {
            let header = signature_header.as_deref().unwrap_or("X-Signature-256");
            let header = cx.ok(&path.key("signature_header"), values::header_name(header));
            let secret = cx.secret(&path.key("secret"), secret);
            Some(WebhookAuth::HmacSha256 {
                secret: secret?,
                signature_header: header?,
                signature_prefix: signature_prefix.clone().unwrap_or_else(|| "sha256=".to_owned()),
            })
        }
        RawWebhookAuth::Bearer { token } => {
            Some(WebhookAuth::Bearer { token: cx.secret(&path.key("token"), token)? })
        }
    }
}
