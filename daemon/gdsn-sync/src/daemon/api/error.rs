//! The one error answer of every daemon route: `{"error": {"code", "message"}}`
//! with a stable code from [`ErrorCode`], the single list of them (mirrored by the
//! `ErrorCode` schema of `schemas/openapi.yaml`; a test keeps the two equal).
//!
//! Clients branch on `code`, never on `message`, which is for people and may
//! change. The status goes with the code, so no route can answer one code
//! with two statuses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every error code the daemon answers with, and its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// A query parameter, path segment or JSON body that cannot be read.
    BadRequest,
    /// A product code that is not a GTIN, GS1 element string or Digital Link.
    BadCode,
    /// A search cursor that is not one this search gave.
    BadCursor,
    /// No bearer token, or not the right one.
    Unauthorized,
    /// A webhook push whose HMAC signature or token is missing or wrong.
    BadSignature,
    /// An admin route while no admin token is configured.
    AdminDisabled,
    /// No such product, enrolment or other resource.
    NotFound,
    /// No route has this path.
    NoRoute,
    /// No connection has this name.
    UnknownConnection,
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// The connection exists but is not polled (a webhook).
    NotPolled,
    /// The pair is enrolled already (and neither failed nor unenrolled).
    AlreadyEnrolled,
    /// The request body is over `[http] max_request_body_bytes`.
    BodyTooLarge,
    /// The archived messages asked for cannot be replayed.
    CannotReplay,
    /// The store failed.
    StoreError,
    /// A message could not be stored (the ingest worker said why).
    NotStored,
    /// A reindex failed; the serving index is unchanged.
    ReindexFailed,
    /// A worker thread failed.
    Internal,
    /// The daemon publishes to a cluster: read it there.
    IndexNotEmbedded,
    /// The embedded index cannot be read just now.
    IndexUnavailable,
    /// The daemon is shutting down.
    Stopping,
    /// A queue is full; retry later.
    Busy,
    /// The request took longer than `[http] request_timeout_secs`.
    Timeout,
}

impl ErrorCode {
    /// Every code, in the order of the OpenAPI `ErrorCode` enum.
    #[cfg(test)]
    pub(crate) const ALL: [ErrorCode; 23] = [
        ErrorCode::BadRequest,
        ErrorCode::BadCode,
        ErrorCode::BadCursor,
        ErrorCode::Unauthorized,
        ErrorCode::BadSignature,
        ErrorCode::AdminDisabled,
        ErrorCode::NotFound,
        ErrorCode::NoRoute,
        ErrorCode::UnknownConnection,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NotPolled,
        ErrorCode::AlreadyEnrolled,
        ErrorCode::BodyTooLarge,
        ErrorCode::CannotReplay,
        ErrorCode::StoreError,
        ErrorCode::NotStored,
        ErrorCode::ReindexFailed,
        ErrorCode::Internal,
        ErrorCode::IndexNotEmbedded,
        ErrorCode::IndexUnavailable,
        ErrorCode::Stopping,
        ErrorCode::Busy,
        ErrorCode::Timeout,
    ];

    /// The code as it appears in the body.
    pub(crate) fn as_str(self) -> &'static str {
        self.row().0
    }

    /// The status that always goes with it.
    pub(crate) fn status(self) -> StatusCode {
        self.row().1
    }

    fn row(self) -> (&'static str, StatusCode) {
        match self {
            ErrorCode::BadRequest => ("bad_request", StatusCode::BAD_REQUEST),
            ErrorCode::BadCode => ("bad_code", StatusCode::BAD_REQUEST),
            ErrorCode::BadCursor => ("bad_cursor", StatusCode::BAD_REQUEST),
            ErrorCode::Unauthorized => ("unauthorized", StatusCode::UNAUTHORIZED),
            ErrorCode::BadSignature => ("bad_signature", StatusCode::UNAUTHORIZED),
            ErrorCode::AdminDisabled => ("admin_disabled", StatusCode::FORBIDDEN),
            ErrorCode::NotFound => ("not_found", StatusCode::NOT_FOUND),
            ErrorCode::NoRoute => ("no_route", StatusCode::NOT_FOUND),
            ErrorCode::UnknownConnection => ("unknown_connection", StatusCode::NOT_FOUND),
            ErrorCode::MethodNotAllowed => ("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
            ErrorCode::NotPolled => ("not_polled", StatusCode::CONFLICT),
            ErrorCode::AlreadyEnrolled => ("already_enrolled", StatusCode::CONFLICT),
            ErrorCode::BodyTooLarge => ("body_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            ErrorCode::CannotReplay => ("cannot_replay", StatusCode::UNPROCESSABLE_ENTITY),
            ErrorCode::StoreError => ("store_error", StatusCode::INTERNAL_SERVER_ERROR),
            ErrorCode::NotStored => ("not_stored", StatusCode::INTERNAL_SERVER_ERROR),
            ErrorCode::ReindexFailed => ("reindex_failed", StatusCode::INTERNAL_SERVER_ERROR),
            ErrorCode::Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
            ErrorCode::IndexNotEmbedded => ("index_not_embedded", StatusCode::NOT_IMPLEMENTED),
            ErrorCode::IndexUnavailable => ("index_unavailable", StatusCode::SERVICE_UNAVAILABLE),
            ErrorCode::Stopping => ("stopping", StatusCode::SERVICE_UNAVAILABLE),
            ErrorCode::Busy => ("busy", StatusCode::SERVICE_UNAVAILABLE),
            ErrorCode::Timeout => ("timeout", StatusCode::SERVICE_UNAVAILABLE),
        }
    }
}

/// An error answer. Small on purpose: it travels in every route's `Result`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into() }
    }

    /// 403 `admin_disabled` or 401 `unauthorized`, as the admin guard answers.
    pub(crate) fn admin_disabled() -> ApiError {
        ApiError::new(ErrorCode::AdminDisabled, "no admin token is configured ([http] admin_token_sha256)")
    }

    pub(crate) fn stopping() -> ApiError {
        ApiError::new(ErrorCode::Stopping, "the daemon is shutting down")
    }

    /// A blocking thread that panicked or was cancelled.
    pub(crate) fn thread(e: &tokio::task::JoinError) -> ApiError {
        ApiError::new(ErrorCode::Internal, format!("a worker thread failed: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code.as_str(), "message": self.message } });
        (self.code.status(), Json(body)).into_response()
    }
}

/// A route's answer.
pub(crate) type Answer = Result<Response, ApiError>;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ErrorCode;

    #[test]
    fn codes_are_distinct_and_lower_snake_case() {
        let names: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for name in names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
    }

    #[test]
    fn every_code_is_an_error_status() {
        for code in ErrorCode::ALL {
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{code:?}");
        }
    }
}
