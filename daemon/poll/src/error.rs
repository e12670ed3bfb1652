//! [`PollError`]: every way a request to a pool can fail, sorted by what the scheduler should do.

use std::time::Duration;

/// A failed poll, fetch, acknowledgement or outbound delivery. Messages name the URL (never a secret)
/// and, for HTTP errors, an excerpt of the body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PollError {
    /// 429, or 503 with `Retry-After`: the pool asks us to wait at least `after`.
    #[error("{url}: HTTP {status}, the pool asks to retry after {after:?}")]
    RetryAfter {
        /// The request URL.
        url: String,
        /// 429 or 503.
        status: u16,
        /// How long to wait.
        after: Duration,
    },
    /// A 5xx status: the pool failed, a later try may succeed.
    #[error("{url}: HTTP {status} (server error, retryable): {excerpt}")]
    Server {
        /// The request URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// 401 or 403 (after one token refresh for OAuth2): our credentials are refused.
    #[error("{url}: HTTP {status}, authentication refused: {excerpt}")]
    Unauthorized {
        /// The request URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// Another 4xx: the request is wrong and repeating it will not help.
    #[error("{url}: HTTP {status} (permanent): {excerpt}")]
    Client {
        /// The request URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// A connect, read or total timeout.
    #[error("{url}: timed out: {source}")]
    Timeout {
        /// The request URL.
        url: String,
        /// What reqwest reported.
        source: reqwest::Error,
    },
    /// The connection failed or broke (refused, reset, TLS, a body cut short without a length).
    #[error("{url}: transport error: {source}")]
    Transport {
        /// The request URL.
        url: String,
        /// What reqwest reported.
        source: reqwest::Error,
    },
    /// The body ended before its `Content-Length`.
    #[error("{url}: body truncated after {received} of {expected} bytes")]
    Truncated {
        /// The request URL.
        url: String,
        /// Bytes received.
        received: u64,
        /// The announced length.
        expected: u64,
    },
    /// The body is larger than `max_body_bytes`; reading stopped at the cap.
    #[error("{url}: body larger than the cap of {cap} bytes")]
    BodyTooLarge {
        /// The request URL.
        url: String,
        /// The configured cap.
        cap: u64,
    },
    /// The response is labelled with a content type we do not read.
    #[error("{url}: content type {found:?}, expected {expected}")]
    ContentType {
        /// The request URL.
        url: String,
        /// The `Content-Type` received (empty when none).
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The response does not follow the protocol (bad JSON, a pointer that finds nothing, bad base64).
    #[error("{url}: {problem}")]
    Protocol {
        /// The request URL.
        url: String,
        /// What is wrong.
        problem: String,
    },
    /// The client could not be built from the connection (unreadable PEM, wrong transport kind).
    #[error("pool client setup: {0}")]
    Setup(String),
    /// The caller's handler failed; the message was not acknowledged.
    #[error("message {id}: the handler failed: {source}")]
    Handler {
        /// The message id.
        id: String,
        /// The handler's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl PollError {
    /// Whether the scheduler should try again with backoff (5xx, timeouts, transport errors, truncated
    /// bodies, `Retry-After`). Authentication, other 4xx, protocol and setup errors need a person.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            PollError::RetryAfter { .. }
                | PollError::Server { .. }
                | PollError::Timeout { .. }
                | PollError::Transport { .. }
                | PollError::Truncated { .. }
                | PollError::Handler { .. }
        )
    }

    /// The wait the pool asked for, if it asked.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PollError::RetryAfter { after, .. } => Some(*after),
            _ => None,
        }
    }

    /// Maps a reqwest error of a request to `url` to a timeout or a transport error.
    pub(crate) fn from_reqwest(url: &str, source: reqwest::Error) -> Self {
        if source.is_timeout() {
            PollError::Timeout { url: url.to_owned(), source }
        } else {
            PollError::Transport { url: url.to_owned(), source }
        }
    }

    pub(crate) fn protocol(url: &str, problem: impl Into<String>) -> Self {
        PollError::Protocol { url: url.to_owned(), problem: problem.into() }
    }
}
