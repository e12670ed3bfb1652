//! Reading responses: the status sorted into [`PollError`]s, bodies read chunk by chunk under a cap,
//! truncation detected against `Content-Length`, content types checked.

use std::time::Duration;

use reqwest::{Response, StatusCode};

use crate::error::PollError;

/// How much of an error body goes into an error message.
const EXCERPT_CHARS: usize = 300;
/// Error bodies are read only this far: an excerpt needs no more.
const ERROR_BODY_CAP: u64 = 16 * 1024;
/// The wait when a 429 carries no readable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The body, read as it streams, failing as soon as it passes `cap` bytes (so memory stays bounded
/// by the cap) or ends before its announced length.
pub(crate) async fn read_capped(mut response: Response, url: &str, cap: u64) -> Result<Vec<u8>, PollError> {
    let expected = response.content_length();
    if expected.is_some_and(|length| length > cap) {
        return Err(PollError::BodyTooLarge { url: url.to_owned(), cap });
    }
    let mut body = Vec::with_capacity(usize::try_from(expected.unwrap_or(0).min(1 << 20)).unwrap_or(0));
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > cap {
                    return Err(PollError::BodyTooLarge { url: url.to_owned(), cap });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(source) => return Err(cut_short(url, source, body.len() as u64, expected)),
        }
    }
    match expected {
        Some(expected) if (body.len() as u64) < expected => {
            Err(PollError::Truncated { url: url.to_owned(), received: body.len() as u64, expected })
        }
        _ => Ok(body),
    }
}

/// A read error part-way: a timeout stays a timeout, a body that stopped short of its length is
/// truncated, anything else is a transport error.
fn cut_short(url: &str, source: reqwest::Error, received: u64, expected: Option<u64>) -> PollError {
    match expected {
        Some(expected) if !source.is_timeout() && received < expected => {
            PollError::Truncated { url: url.to_owned(), received, expected }
        }
        _ => PollError::from_reqwest(url, source),
    }
}

/// Turns a non-success status into its error, reading a bounded excerpt of the body.
pub(crate) async fn status_error(response: Response, url: &str) -> PollError {
    let status = response.status();
    let retry_after =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
    let body = read_capped(response, url, ERROR_BODY_CAP).await.unwrap_or_default();
    let (url, code, excerpt) = (url.to_owned(), status.as_u16(), excerpt(&body));
    match (status, retry_after) {
        (StatusCode::TOO_MANY_REQUESTS, after) => {
            PollError::RetryAfter { url, status: code, after: after.unwrap_or(DEFAULT_RETRY_AFTER) }
        }
        (StatusCode::SERVICE_UNAVAILABLE, Some(after)) => PollError::RetryAfter { url, status: code, after },
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => {
            PollError::Unauthorized { url, status: code, excerpt }
        }
        (s, _) if s.is_server_error() => PollError::Server { url, status: code, excerpt },
        _ => PollError::Client { url, status: code, excerpt },
    }
}

/// `Retry-After` in seconds, or as an HTTP date (RFC 9110 IMF-fixdate; a date in the past means no
/// wait). Anything else is `None`, and the caller waits the default.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, format).ok()?.assume_utc();
    let wait = at - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The start of a body as text, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// What a response must be labelled.
#[derive(Clone, Copy)]
pub(crate) enum Expect {
    Json,
    Xml,
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Expect::Json => "application/json",
            Expect::Xml => "application/xml, text/xml or */*+xml",
        }
    }

    fn accepts(self, media_type: &str) -> bool {
        match self {
            Expect::Json => media_type == "application/json" || media_type.ends_with("+json"),
            Expect::Xml => {
                matches!(media_type, "application/xml" | "text/xml") || media_type.ends_with("+xml")
            }
        }
    }

    /// Refuses a response labelled otherwise (an HTML error page from a proxy, for one).
    pub(crate) fn check(self, response: &Response, url: &str) -> Result<(), PollError> {
        let found = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        let media_type = found.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if self.accepts(&media_type) {
            Ok(())
        } else {
            Err(PollError::ContentType {
                url: url.to_owned(),
                found: found.to_owned(),
                expected: self.describe(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let wait = parse_retry_after(&later.format(format).unwrap()).unwrap();
        assert!((Duration::from_secs(118)..=Duration::from_secs(120)).contains(&wait), "{wait:?}");
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn excerpts_are_bounded() {
        let long = "é".repeat(1000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b"short"), "short");
    }
}
