//! The HTTP layer: one reqwest client with the configured timeouts, TLS roots
//! and credentials; response bodies read in chunks up to a cap; `Retry-After`.

use std::time::{Duration, SystemTime};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Response};

use crate::config::{Auth, ConfigError, SinkConfig};
use crate::error::OpenSearchError;

/// How much of an error body is kept in [`OpenSearchError::Status`].
const ERROR_BODY_KEEP: usize = 4096;

/// A request body and its content type.
pub(crate) enum Payload {
    /// No body.
    Empty,
    /// A JSON document.
    Json(Vec<u8>),
    /// Newline-delimited JSON (`_bulk`).
    Ndjson(Vec<u8>),
}

/// A response read in full (up to the cap), whatever its status.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) retry_after_secs: Option<u64>,
}

/// How credentials go on each request.
#[derive(Clone)]
enum AuthHeader {
    None,
    // reqwest encodes and marks the header sensitive itself.
    Basic { username: String, password: String },
    Header(HeaderName, HeaderValue),
}

/// A cheap-to-clone handle on the cluster (reqwest's client is reference counted).
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
    auth: AuthHeader,
    max_response_bytes: usize,
}

impl Http {
    pub(crate) fn new(config: &SinkConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A cluster has no reason to redirect, and following one could hand
            // credentials to another host.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(read_timeout) = config.read_timeout {
            builder = builder.read_timeout(read_timeout);
        }
        if let Some(path) = &config.ca_cert_file {
            let ca_error = |reason: String| ConfigError::CaCert { path: path.clone(), reason };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("no certificate in the file".into()));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| ConfigError::Client(error_chain(&e)))?;
        Ok(Http {
            client,
            base: config.base_url.trim_end_matches('/').to_owned(),
            auth: auth_header(&config.auth)?,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// Sends one request and reads the whole response, whatever its status.
    /// `path` is relative to the base URL, such as `gdsn-products/_bulk`.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        payload: Payload,
    ) -> Result<Reply, OpenSearchError> {
        let op = format!("{method} /{path}");
        let mut request = self.client.request(method, format!("{}/{path}", self.base));
        request = match &self.auth {
            AuthHeader::None => request,
            AuthHeader::Basic { username, password } => request.basic_auth(username, Some(password)),
            AuthHeader::Header(name, value) => request.header(name, value.clone()),
        };
        request = match payload {
            Payload::Empty => request,
            Payload::Json(body) => request.header(CONTENT_TYPE, "application/json").body(body),
            Payload::Ndjson(body) => request.header(CONTENT_TYPE, "application/x-ndjson").body(body),
        };
        let response = request.send().await.map_err(|e| transport(&op, &e))?;
        let status = response.status().as_u16();
        let retry_after_secs = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = read_capped(response, self.max_response_bytes, &op).await?;
        Ok(Reply { status, body, retry_after_secs })
    }

    /// Sends a request and parses a 2xx JSON answer; any other status is an
    /// [`OpenSearchError::Status`].
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, OpenSearchError> {
        let op = format!("{method} /{path}");
        let payload = match body {
            None => Payload::Empty,
            Some(value) => Payload::Json(serde_json::to_vec(value).map_err(|e| response_error(&op, &e))?),
        };
        let reply = self.send(method, path, payload).await?;
        if !(200..300).contains(&reply.status) {
            return Err(status_error(op, &reply));
        }
        serde_json::from_slice(&reply.body).map_err(|e| response_error(&op, &e))
    }
}

fn auth_header(auth: &Auth) -> Result<AuthHeader, ConfigError> {
    let sensitive = |text: String| {
        let mut value = HeaderValue::try_from(text)
            .map_err(|_| ConfigError::Auth("secret is not a valid header value"))?;
        value.set_sensitive(true);
        Ok::<_, ConfigError>(value)
    };
    Ok(match auth {
        Auth::None => AuthHeader::None,
        Auth::Basic { username, password } => {
            AuthHeader::Basic { username: username.clone(), password: password.clone() }
        }
        Auth::Bearer(token) => AuthHeader::Header(AUTHORIZATION, sensitive(format!("Bearer {token}"))?),
        Auth::ApiKey(key) => AuthHeader::Header(AUTHORIZATION, sensitive(format!("ApiKey {key}"))?),
        Auth::Header { name, value } => {
            let name =
                HeaderName::try_from(name.as_str()).map_err(|_| ConfigError::Auth("invalid header name"))?;
            AuthHeader::Header(name, sensitive(value.clone())?)
        }
    })
}

/// Reads a body chunk by chunk and stops as soon as it passes `limit`, so a
/// runaway response never fills memory.
async fn read_capped(mut response: Response, limit: usize, op: &str) -> Result<Vec<u8>, OpenSearchError> {
    let too_large = || OpenSearchError::ResponseTooLarge { op: op.to_owned(), limit };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(op, &e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error status as an [`OpenSearchError::Status`], keeping the start of the body.
pub(crate) fn status_error(op: String, reply: &Reply) -> OpenSearchError {
    let keep = &reply.body[..reply.body.len().min(ERROR_BODY_KEEP)];
    OpenSearchError::Status {
        op,
        status: reply.status,
        body: String::from_utf8_lossy(keep).into_owned(),
        retry_after_secs: reply.retry_after_secs,
    }
}

pub(crate) fn response_error(op: &str, e: &dyn std::error::Error) -> OpenSearchError {
    OpenSearchError::Response { op: op.to_owned(), reason: e.to_string() }
}

fn transport(op: &str, e: &reqwest::Error) -> OpenSearchError {
    OpenSearchError::Transport { op: op.to_owned(), reason: error_chain(e), timeout: e.is_timeout() }
}

/// An error and its sources on one line: reqwest's own message is often just
/// "error sending request", and the cause ("connection refused") is below.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The seconds a `Retry-After` value asks for: delay-seconds, or an HTTP date
/// (RFC 9110 §10.2.3) counted from `now` (a date in the past is 0).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A huge number saturates rather than failing: the server clearly
        // wants us to wait.
        return Some(value.parse().unwrap_or(u64::MAX));
    }
    let date = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(parse_retry_after(" 7 ", now), Some(7));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(u64::MAX));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), Some(60));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(0));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    /// A self-signed test CA (public certificate only; its key is discarded).
    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBjzCCATWgAwIBAgIUEScwXielcOgOT8pLMFqGaIpa2ZIwCgYIKoZIzj0EAwIw\nHDEaMBgGA1UEAwwRZ2Rzbi1zeW5jIHRlc3QgQ0EwIBcNMjYxMTI4MTQzNjU2WhgP\nMjEyNjExMDQxNDM2NTZaMBwxGjAYBgNVBAMMEWdkc24tc3luYyB0ZXN0IENBMFkw\nEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEjJ6M6VbFqNaueobkkj7vXsF9wx85J4QB\nqMYNRvYz/dRd3bfnk0hm2KbQrICsVJm1BRtAZLrv6YZl05Rw2uMjRKNTMFEwHQYD\nVR0OBBYEFG2/Qiz00fYa66HB8nbzAsOEKfvFMB8GA1UdIwQYMBaAFG2/Qiz00fYa\n66HB8nbzAsOEKfvFMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIh\nAJVPJ9DLNJ8F+p5dAVrsoK1MzSwMpmdNMqacqnAeSqMkAiBw4crVjgV8tGbftZrK\nWw+oJyhzEVS+51C0X5m38ECWwg==\n-----END CERTIFICATE-----\n";

    #[test]
    fn extra_ca_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SinkConfig::new("https://search.example:9200", "gdsn-products");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, TEST_CA).unwrap();
        config.ca_cert_file = Some(ca);
        assert!(Http::new(&config).is_ok());
        let not_pem = dir.path().join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        config.ca_cert_file = Some(not_pem);
        assert!(matches!(Http::new(&config), Err(ConfigError::CaCert { .. })));
        config.ca_cert_file = Some(dir.path().join("missing.pem"));
        assert!(matches!(Http::new(&config), Err(ConfigError::CaCert { .. })));
    }

    #[test]
    fn auth_headers_are_sensitive() {
        let AuthHeader::Header(name, value) = auth_header(&Auth::Bearer("t".into())).unwrap() else {
            panic!("bearer is a header")
        };
        assert_eq!(name, AUTHORIZATION);
        assert!(value.is_sensitive());
        assert!(auth_header(&Auth::ApiKey("bad\nkey".into())).is_err());
        assert!(auth_header(&Auth::Header { name: "bad name".into(), value: "v".into() }).is_err());
    }
}
