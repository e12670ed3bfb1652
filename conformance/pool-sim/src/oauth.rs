//! `POST /oauth/token`: the client-credentials and password grants (RFC 6749 §4.3, §4.4), issuing
//! short-lived bearer tokens so that clients must fetch a new one when they get a 401.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::auth::{authorization, same};
use crate::config::{Auth, OAuth2Auth};
use crate::error::ApiError;
use crate::sign;
use crate::sim::Sim;

/// Issues a token, or answers with an RFC 6749 error.
pub(crate) async fn token(
    State(sim): State<Sim>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Auth::OAuth2(oauth) = &sim.config.auth else {
        return ApiError::not_found("the simulator was not started with OAuth2").into_response();
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let text = format!("send an application/x-www-form-urlencoded body: {}", rejection.body_text());
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &text).into_response();
        }
    };
    let field = |name: &str| form.get(name).map(String::as_str);
    let (client_id, client_secret) = client_credentials(&headers, &form);
    let client_known = client_id.as_deref().is_some_and(|id| same(id, &oauth.client_id));
    let granted = match field("grant_type") {
        Some("client_credentials") => {
            let secret_ok = client_secret.as_deref().is_some_and(|s| same(s, &oauth.client_secret));
            if client_known & secret_ok { Ok(()) } else { Err(invalid_client()) }
        }
        Some("password") => password_grant(
            oauth,
            client_known,
            client_secret.as_deref(),
            field("username"),
            field("password"),
        ),
        Some(other) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant type {other:?} is not supported"),
        )),
        None => Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required")),
    };
    match granted {
        Ok(()) => issue(&sim, oauth, field("scope")),
        Err(error) => error.into_response(),
    }
}

fn password_grant(
    oauth: &OAuth2Auth,
    client_known: bool,
    client_secret: Option<&str>,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<(), OAuthError> {
    // A public client sends no secret; a confidential one must send the right one.
    let secret_ok = client_secret.is_none_or(|s| same(s, &oauth.client_secret));
    if !(client_known & secret_ok) {
        return Err(invalid_client());
    }
    let user_ok = match (&oauth.user, username, password) {
        (Some((user, pass)), Some(u), Some(p)) => same(u, user) & same(p, pass),
        _ => false,
    };
    if user_ok {
        Ok(())
    } else {
        Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "wrong user name or password"))
    }
}

/// Client id and secret from HTTP basic authentication, else from the form (both are allowed by
/// RFC 6749 §2.3.1).
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    let from_basic = authorization(headers, "Basic")
        .and_then(|b64| STANDARD.decode(b64).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, secret)| (id.to_owned(), secret.to_owned())));
    match from_basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.get("client_id").cloned(), form.get("client_secret").cloned()),
    }
}

fn issue(sim: &Sim, oauth: &OAuth2Auth, scope: Option<&str>) -> Response {
    let n = sim.token_counter.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let token = sign::sha256_hex(format!("{nanos}:{n}:{}", oauth.client_id).as_bytes());
    {
        let mut pool = sim.pool();
        // Tokens expired for over an hour are forgotten (they then answer "unknown" rather than
        // "expired"), so a simulator left running for days does not grow without bound.
        let now = Instant::now();
        pool.tokens.retain(|_, expires| now.saturating_duration_since(*expires) < Duration::from_secs(3600));
        pool.tokens.insert(token.clone(), now + oauth.token_lifetime);
        pool.tokens_issued += 1;
    }
    // Whole seconds, rounded up: a lifetime under a second still says 1.
    let expires_in = oauth.token_lifetime.as_millis().div_ceil(1000);
    let mut body =
        serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": expires_in });
    if let Some(scope) = scope {
        body["scope"] = scope.into();
    }
    no_store((StatusCode::OK, axum::Json(body)).into_response())
}

/// An RFC 6749 §5.2 error answer.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.error, "error_description": self.description });
        let mut response = no_store((self.status, axum::Json(body)).into_response());
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = HeaderValue::from_static("Basic realm=\"gdsn-pool-sim\"");
            response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

fn invalid_client() -> OAuthError {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret")
}

fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> OAuthError {
    OAuthError { status, error, description: description.to_owned() }
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
