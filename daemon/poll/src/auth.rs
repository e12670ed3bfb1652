//! Request authentication: static headers, basic, HMAC signatures and OAuth2 tokens. Mutual TLS is a
//! property of the TLS connection and is set up with the client (`client.rs`), not per request.
//!
//! Secrets go into headers marked sensitive (hyper leaves them out of its debug output) and into no
//! log line or error: errors carry the URL and the pool's answer only.

use gdsn_config::{HttpAuth, Secret};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, Url};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::PollError;
use crate::oauth::TokenCache;

/// How each request of one connection authenticates.
pub(crate) enum Auth {
    /// No header (none, or mutual TLS).
    Nothing,
    /// One fixed header.
    Header { name: String, value: Secret },
    /// Basic.
    Basic { username: String, password: Secret },
    /// HMAC-SHA256 signature headers.
    Hmac {
        key_id: String,
        secret: Secret,
        key_id_header: String,
        timestamp_header: String,
        signature_header: String,
    },
    /// An OAuth2 bearer token, fetched and cached.
    OAuth2(TokenCache),
}

impl Auth {
    pub(crate) fn new(auth: &HttpAuth) -> Self {
        match auth {
            HttpAuth::Bearer { token } => Auth::Header {
                name: "authorization".to_owned(),
                value: Secret::new(format!("Bearer {}", token.expose())),
            },
            // The prefix carries its own separator (`"ApiKey "`), as the config documents.
            HttpAuth::ApiKey { header, prefix, key } => {
                Auth::Header { name: header.clone(), value: Secret::new(format!("{prefix}{}", key.expose())) }
            }
            HttpAuth::Basic { username, password } => {
                Auth::Basic { username: username.clone(), password: password.clone() }
            }
            HttpAuth::Hmac { key_id, secret, key_id_header, timestamp_header, signature_header } => {
                Auth::Hmac {
                    key_id: key_id.clone(),
                    secret: secret.clone(),
                    key_id_header: key_id_header.clone(),
                    timestamp_header: timestamp_header.clone(),
                    signature_header: signature_header.clone(),
                }
            }
            HttpAuth::OAuth2ClientCredentials { .. } | HttpAuth::OAuth2Password { .. } => {
                TokenCache::new(auth).map_or(Auth::Nothing, Auth::OAuth2)
            }
            _ => Auth::Nothing,
        }
    }

    /// Whether a 401 is worth one more try with a new token.
    pub(crate) fn refreshable(&self) -> bool {
        matches!(self, Auth::OAuth2(_))
    }

    /// Forgets a cached token the pool refused.
    pub(crate) async fn invalidate(&self) {
        if let Auth::OAuth2(cache) = self {
            cache.invalidate().await;
        }
    }

    /// Adds the authentication headers of a request with this method, URL and body.
    pub(crate) async fn apply(
        &self,
        http: &reqwest::Client,
        builder: RequestBuilder,
        method: &Method,
        url: &Url,
        body: &[u8],
    ) -> Result<RequestBuilder, PollError> {
        Ok(match self {
            Auth::Nothing => builder,
            Auth::Header { name, value } => builder.header(name.as_str(), sensitive(value.expose())?),
            Auth::Basic { username, password } => builder.basic_auth(username, Some(password.expose())),
            Auth::Hmac { key_id, secret, key_id_header, timestamp_header, signature_header } => {
                let at = OffsetDateTime::now_utc()
                    .replace_nanosecond(0)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                    .format(&Rfc3339)
                    .map_err(|e| PollError::Setup(format!("timestamp: {e}")))?;
                let signature =
                    sign(secret.expose().as_bytes(), method.as_str(), &path_and_query(url), &at, body);
                builder
                    .header(key_id_header.as_str(), key_id.as_str())
                    .header(timestamp_header.as_str(), at)
                    .header(signature_header.as_str(), signature)
            }
            Auth::OAuth2(cache) => {
                let token = cache.token(http).await?;
                builder.header("authorization", sensitive(&format!("Bearer {}", token.expose()))?)
            }
        })
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, PollError> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| PollError::Setup("a credential is not a valid header value".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The request target as sent: path, then `?` and the query when there is one.
pub(crate) fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// `hex(HMAC-SHA256(secret, METHOD \n PATH_AND_QUERY \n TIMESTAMP \n hex(SHA-256(body))))`, the pool
/// protocol's signature (schemas/pool-api.openapi.yaml, security scheme `hmac`).
pub(crate) fn sign(secret: &[u8], method: &str, target: &str, timestamp: &str, body: &[u8]) -> String {
    let text =
        format!("{}\n{target}\n{timestamp}\n{}", method.to_ascii_uppercase(), hex(&Sha256::digest(body)));
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; an empty signature would only
    // be refused by the pool.
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_simulator() {
        let ours = sign(b"s3cret", "get", "/inbox?limit=2", "2026-01-01T00:00:00Z", b"");
        let theirs = gdsn_pool_sim::sign::sign_request(
            b"s3cret",
            "GET",
            "/inbox?limit=2",
            "2026-01-01T00:00:00Z",
            b"",
        );
        assert_eq!(ours, theirs);
    }
}
