//! The daemon's JSON API beyond the CLI's admin routes (`admin.rs`):
//!
//! - read (public, or a read/admin token with `[http] read_access = "token"`):
//!   `GET /v1/products/{code}` (or `?code=`), `GET /v1/products/{code}/hierarchy`,
//!   `GET /v1/search`;
//! - admin (the admin token): `POST|GET /v1/enrolments`,
//!   `GET|DELETE /v1/enrolments/{id}`, `GET /v1/dead-letters`,
//!   `POST /v1/dead-letters/retry`.
//!
//! Also the pieces every route of the listener shares: the one error type
//! ([`ApiError`], codes in `error.rs`), the access guards, and extractors
//! that answer a malformed request with that error instead of axum's plain
//! text. The contract is `schemas/openapi.yaml`.

mod dead_letters;
mod enrolments;
mod error;
pub(super) mod products;
mod search;

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::de::DeserializeOwned;

pub(crate) use error::{Answer, ApiError, ErrorCode};

use super::Shared;
use super::http::bearer;

pub(crate) fn routes(_shared: &Shared) -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/products", get(products::lookup_query))
        .route("/v1/products/{code}", get(products::lookup))
        .route("/v1/products/{code}/hierarchy", get(products::hierarchy))
        .route("/v1/search", get(search::search))
        .route("/v1/enrolments", get(enrolments::list).post(enrolments::create))
        .route("/v1/enrolments/{id}", get(enrolments::show).delete(enrolments::delete))
        .route("/v1/dead-letters", get(dead_letters::list))
        .route("/v1/dead-letters/retry", axum::routing::post(dead_letters::retry))
}

/// 403 when no admin token is configured, 401 without the right one.
pub(crate) fn require_admin(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    if shared.config.http.admin_token.is_none() {
        return Err(ApiError::admin_disabled());
    }
    if !shared.config.http.allows_admin(bearer(headers)) {
        return Err(ApiError::new(ErrorCode::Unauthorized, "the admin token is required"));
    }
    Ok(())
}

/// 401 unless reads are public or the read (or admin) token is given.
pub(crate) fn require_read(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    if shared.config.http.allows_read(bearer(headers)) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Unauthorized, "a read or admin token is required"))
    }
}

/// Runs store work on a blocking thread (never on the async runtime); a
/// store failure is a 500 `store_error`. With `gated`, the thread holds
/// `store_gate` for the whole work, so it never interleaves with a message
/// being applied; the blocking thread, not the handler, holds it, so a
/// client that hangs up or a request timeout cannot release the gate while
/// the work still runs.
pub(crate) async fn on_store<T: Send + 'static>(
    shared: &Arc<Shared>,
    gated: bool,
    work: impl FnOnce(&Shared) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let worker = Arc::clone(shared);
    let done = shared
        .tracker
        .spawn_blocking(move || {
            let _gate = gated.then(|| worker.store_gate.blocking_lock());
            work(&worker)
        })
        .await;
    match done {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ApiError::new(ErrorCode::StoreError, format!("{e:#}"))),
        Err(e) => Err(ApiError::thread(&e)),
    }
}

/// `axum::extract::Query`, answering `bad_request` in our error body.
pub(crate) struct Params<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Params(value))
            .map_err(|e: QueryRejection| ApiError::new(ErrorCode::BadRequest, e.body_text()))
    }
}

/// `axum::extract::Path`, answering `bad_request` in our error body.
pub(crate) struct Segment<T>(pub(crate) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Segment<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Segment(value))
            .map_err(|e: PathRejection| ApiError::new(ErrorCode::BadRequest, e.body_text()))
    }
}

/// A JSON body under the route's body limit: over it `body_too_large`
/// (413); otherwise unreadable (no JSON content type, bad JSON, wrong
/// fields) `bad_request` (400), one answer for what the client fixes alike.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large(&e.body_text())),
            Err(e) => Err(ApiError::new(ErrorCode::BadRequest, e.body_text())),
        }
    }
}

/// The raw body under the route's body limit (413 `body_too_large` over it).
pub(crate) struct RawBody(pub(crate) axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large(&e.body_text())),
            Err(e) => Err(ApiError::new(ErrorCode::BadRequest, e.body_text())),
        }
    }
}

fn too_large(detail: &str) -> ApiError {
    ApiError::new(ErrorCode::BodyTooLarge, format!("the request body is over the limit: {detail}"))
}
