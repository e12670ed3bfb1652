//! The error of every call other than a publish (which answers with
//! [`gdsn_sink::SinkError`]).

use crate::config::ConfigError;

/// Why a call to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenSearchError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An index or alias name given to a call is not valid.
    #[error("index name {name:?}: {reason}")]
    IndexName {
        /// The name given.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// No answer: connection refused or reset, DNS, TLS, or a timeout.
    #[error("{op}: {reason}")]
    Transport {
        /// The call, such as `PUT /gdsn-products-000002`.
        op: String,
        /// What went wrong.
        reason: String,
        /// True when a timeout hit.
        timeout: bool,
    },
    /// The cluster answered with an error status.
    #[error("{op}: HTTP {status}: {body}")]
    Status {
        /// The call.
        op: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body (the cluster's error JSON).
        body: String,
        /// Seconds to wait, from `Retry-After`.
        retry_after_secs: Option<u64>,
    },
    /// The response was larger than [`crate::SinkConfig::max_response_bytes`].
    #[error("{op}: response larger than {limit} bytes")]
    ResponseTooLarge {
        /// The call.
        op: String,
        /// The limit.
        limit: usize,
    },
    /// The response was not the JSON the call expects.
    #[error("{op}: unexpected response: {reason}")]
    Response {
        /// The call.
        op: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The cluster's state does not allow the call (for example, the
    /// alias exists but is not where the call expects it).
    #[error("{0}")]
    State(String),
}

impl OpenSearchError {
    /// The HTTP status, when the cluster answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            OpenSearchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The type of the cluster's error (`resource_already_exists_exception`,
    /// `index_not_found_exception`...), when the body says it.
    pub fn error_type(&self) -> Option<String> {
        let OpenSearchError::Status { body, .. } = self else { return None };
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let error = value.get("error")?;
        error.get("type").and_then(|t| t.as_str()).map(str::to_owned)
    }
}
