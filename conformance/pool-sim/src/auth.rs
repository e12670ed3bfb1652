//! The pool API's authentication middleware: one check per style of [`Auth`]. Every secret is
//! compared in constant time; every refusal is a 401 with a `WWW-Authenticate` challenge.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{Auth, HmacAuth};
use crate::error::ApiError;
use crate::sign;
use crate::sim::Sim;

const REALM: &str = "gdsn-pool-sim";

/// Lets a request through to the pool API only with the credentials the configured style wants.
pub(crate) async fn require(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let checked = match &sim.config.auth {
        Auth::None => Ok(request),
        Auth::Bearer { token } => {
            bearer(request.headers(), |t| if same(t, token) { Ok(()) } else { Err(TokenProblem::Unknown) })
                .map(|()| request)
        }
        Auth::ApiKey { header, prefix, key } => {
            api_key(request.headers(), header, prefix, key).map(|()| request)
        }
        Auth::Basic { username, password } => basic(request.headers(), username, password).map(|()| request),
        Auth::OAuth2(_) => bearer(request.headers(), |t| token_valid(&sim, t)).map(|()| request),
        Auth::Hmac(hmac) => signed(request, hmac, sim.config.max_body_bytes).await,
    };
    match checked {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

/// Constant-time equality (the length of a wrong credential may leak; its content does not).
pub(crate) fn same(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// What a bearer check found wrong with a presented token.
pub(crate) enum TokenProblem {
    Unknown,
    Expired,
}

fn bearer(headers: &HeaderMap, valid: impl Fn(&str) -> Result<(), TokenProblem>) -> Result<(), ApiError> {
    let challenge = format!("Bearer realm=\"{REALM}\"");
    let Some(token) = authorization(headers, "Bearer") else {
        return Err(ApiError::unauthorized(challenge, "a bearer token is required"));
    };
    match valid(&token) {
        Ok(()) => Ok(()),
        Err(TokenProblem::Unknown) => Err(ApiError::unauthorized(
            format!("{challenge}, error=\"invalid_token\", error_description=\"unknown token\""),
            "the bearer token is not valid",
        )),
        Err(TokenProblem::Expired) => Err(ApiError::unauthorized(
            format!("{challenge}, error=\"invalid_token\", error_description=\"the access token expired\""),
            "the access token expired; fetch a new one",
        )),
    }
}

fn token_valid(sim: &Sim, token: &str) -> Result<(), TokenProblem> {
    let pool = sim.pool();
    // Issued tokens are random 64-hex strings, so a map lookup reveals nothing a timing attack
    // could use beyond what guessing 256 bits would.
    match pool.tokens.get(token) {
        Some(expires) if *expires > Instant::now() => Ok(()),
        Some(_) => Err(TokenProblem::Expired),
        None => Err(TokenProblem::Unknown),
    }
}

fn api_key(headers: &HeaderMap, name: &str, prefix: &str, key: &str) -> Result<(), ApiError> {
    let challenge = format!("ApiKey realm=\"{REALM}\", header=\"{name}\"");
    let given = headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix(prefix));
    match given {
        Some(given) if same(given, key) => Ok(()),
        Some(_) => Err(ApiError::unauthorized(challenge, format!("the key in {name} is not valid"))),
        None => Err(ApiError::unauthorized(challenge, format!("the header {name} is required"))),
    }
}

fn basic(headers: &HeaderMap, username: &str, password: &str) -> Result<(), ApiError> {
    let challenge = format!("Basic realm=\"{REALM}\", charset=\"UTF-8\"");
    let decoded = authorization(headers, "Basic")
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let Some(decoded) = decoded else {
        return Err(ApiError::unauthorized(challenge, "basic credentials are required"));
    };
    let (user, pass) = decoded.split_once(':').unwrap_or((&decoded, ""));
    // Both are compared whatever the first gives, so the time taken says nothing about which failed.
    let user_ok = same(user, username);
    let pass_ok = same(pass, password);
    if user_ok & pass_ok {
        Ok(())
    } else {
        Err(ApiError::unauthorized(challenge, "wrong user name or password"))
    }
}

/// The credentials of `Authorization: SCHEME CREDENTIALS` (scheme matched case-insensitively).
pub(crate) fn authorization(headers: &HeaderMap, scheme: &str) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (given, credentials) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| credentials.trim().to_owned())
}

async fn signed(request: Request, hmac: &HmacAuth, max_body: usize) -> Result<Request, ApiError> {
    let challenge = format!("HMAC-SHA256 realm=\"{REALM}\", headers=\"{}\"", hmac.signature_header);
    let fail = |message: String| ApiError::unauthorized(challenge.clone(), message);
    // Everything is taken out of the request before the body is awaited: a `&Request` held across
    // an await would make this future not `Send` (the body is not `Sync`).
    let (parts, body) = request.into_parts();
    let header = |name: &str| {
        let value = parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        value.ok_or_else(|| fail(format!("the header {name} is required")))
    };
    let key_id = header(&hmac.key_id_header)?;
    let timestamp = header(&hmac.timestamp_header)?;
    let signature = header(&hmac.signature_header)?;
    if !same(&key_id, &hmac.key_id) {
        return Err(fail(format!("unknown key id in {}", hmac.key_id_header)));
    }
    check_skew(&timestamp, hmac).map_err(&fail)?;
    let target = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |p| p.to_string());
    let body = to_bytes(body, max_body).await.map_err(|_| {
        ApiError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "too_large", "body too large")
    })?;
    let to_sign = sign::string_to_sign(parts.method.as_str(), &target, &timestamp, &body);
    if !sign::verify_hex(hmac.secret.as_bytes(), to_sign.as_bytes(), &signature) {
        return Err(fail("the signature does not match the request".to_owned()));
    }
    Ok(Request::from_parts(parts, Body::from(body)))
}

fn check_skew(timestamp: &str, hmac: &HmacAuth) -> Result<(), String> {
    let at = OffsetDateTime::parse(timestamp, &Rfc3339)
        .map_err(|_| format!("{} is not an RFC 3339 time", hmac.timestamp_header))?;
    let skew = (OffsetDateTime::now_utc() - at).unsigned_abs();
    if skew > hmac.max_skew {
        return Err(format!(
            "{} is {} s away from the server clock (at most {} s allowed)",
            hmac.timestamp_header,
            skew.as_secs(),
            hmac.max_skew.as_secs()
        ));
    }
    Ok(())
}
