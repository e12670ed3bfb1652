//! Enrolment through the daemon, as `enrol`, `enrolments` and `unenrol
//! [--purge]` do locally (the same functions build the CIS and RFCIN; the
//! store records the enrolment and queues them in one transaction).
//!
//! An enrolment's id is its pair with a dash, `GLN-TM` (`0812345000009-276`);
//! the pair itself (`GLN/TM`, the slash percent-encoded) is accepted too.
//! Writes run on a blocking thread holding `store_gate`, so they never
//! interleave with a message being applied; then the outbound senders are
//! woken, so the CIS goes out now rather than at their next 30 s round.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use gdsn_store::{EnrolError, Enrolment, EnrolmentView};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, ApiError, ErrorCode, JsonBody, Params, Segment, on_store, require_admin};
use crate::daemon::Shared;
use crate::enrol_cmds::{EnrolSpec, as_json, check_gpc, check_pair, enrol_request, gln, unenrol_message};

/// `POST /v1/enrolments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewEnrolment {
    provider_gln: String,
    target_market: String,
    gpc: Option<String>,
    connection: String,
    /// Default: the config's `recipient_gln`.
    recipient_gln: Option<String>,
    pool_gln: String,
    /// Default: the config's `[enrolment] request_reload`.
    reload: Option<bool>,
}

/// Why a store write for an enrolment failed: the pair's state, or the store.
enum Failure {
    Enrol(EnrolError),
    Other(anyhow::Error),
}

pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewEnrolment>,
) -> Answer {
    require_admin(&shared, &headers)?;
    let spec = spec(&shared, body)?;
    let created = on_store(&shared, true, move |shared| {
        let request = enrol_request(&shared.store, &spec)?;
        match shared.store.enrol(&request) {
            Ok(enrolment) => {
                shared.store.flush()?;
                Ok(Ok((view(shared, enrolment)?, request.rfcin.is_some())))
            }
            Err(e) => Ok(Err(e)),
        }
    })
    .await?;
    let (view, reload) = created.map_err(|e| refusal(Failure::Enrol(e)))?;
    shared.wake_outbound();
    let id = id_of(&view);
    let mut body = enrolment_json(&view);
    body["queued"] = if reload { json!(["CIS", "RFCIN"]) } else { json!(["CIS"]) };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/enrolments/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The request checked as the CLI checks its flags (with `--config` the
/// daemon's): every refusal is a 400 naming the field.
fn spec(shared: &Shared, body: NewEnrolment) -> Result<EnrolSpec, ApiError> {
    let bad = |e: anyhow::Error| ApiError::new(ErrorCode::BadRequest, format!("{e:#}"));
    let (provider, market) =
        check_pair(&body.provider_gln, &body.target_market, ("provider_gln", "target_market"))
            .map_err(bad)?;
    check_gpc(body.gpc.as_deref()).map_err(|e| bad(e.context(format!("gpc {:?}", body.gpc))))?;
    if shared.config.connection(&body.connection).is_none() {
        let message = format!("connection: no connection named {:?} in the daemon's config", body.connection);
        return Err(ApiError::new(ErrorCode::BadRequest, message));
    }
    let configured = shared.config.recipient_gln.as_ref().map(ToString::to_string);
    let recipient = body.recipient_gln.or(configured);
    let recipient = gln(
        "recipient_gln",
        recipient.as_deref(),
        "needed: our GLN is the CIS sender (or set recipient_gln in the config)",
    )
    .map_err(bad)?;
    let pool = gln("pool_gln", Some(&body.pool_gln), "needed").map_err(bad)?;
    Ok(EnrolSpec {
        provider_gln: provider,
        target_market: market,
        gpc: body.gpc,
        connection: body.connection,
        recipient_gln: recipient,
        pool_gln: pool,
        reload: body.reload.unwrap_or(shared.config.enrolment.request_reload),
    })
}

/// `GET /v1/enrolments`: every enrolment with its live item count.
pub(super) async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    require_admin(&shared, &headers)?;
    let list = on_store(&shared, false, |shared| Ok(shared.store.enrolments()?)).await?;
    let list: Vec<Value> = list.iter().map(enrolment_json).collect();
    Ok(Json(list).into_response())
}

/// `GET /v1/enrolments/{id}`.
pub(super) async fn show(
    State(shared): State<Arc<Shared>>,
    Segment(id): Segment<String>,
    headers: HeaderMap,
) -> Answer {
    require_admin(&shared, &headers)?;
    let pair = pair_of(&id)?;
    let wanted = pair.clone();
    let list = on_store(&shared, false, |shared| Ok(shared.store.enrolments()?)).await?;
    let view = list.iter().find(|v| v.enrolment.pair() == wanted).ok_or_else(|| not_enrolled(&pair))?;
    Ok(Json(enrolment_json(view)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeleteQuery {
    #[serde(default)]
    purge: bool,
}

/// `DELETE /v1/enrolments/{id}[?purge=true]`: queues the CIS delete and
/// marks the pair `unenrolled`; `purge` also removes the pair's live items
/// (the publisher then drops them from the index).
pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    Segment(id): Segment<String>,
    Params(query): Params<DeleteQuery>,
    headers: HeaderMap,
) -> Answer {
    require_admin(&shared, &headers)?;
    let pair = pair_of(&id)?;
    let purge = query.purge;
    let done = on_store(&shared, true, move |shared| {
        let Some(enrolment) = shared.store.enrolment(&pair)? else {
            return Ok(Err(Failure::Enrol(EnrolError::NotEnrolled(pair))));
        };
        // As `unenrol --config`: the configured recipient, else the enrolment's.
        let recipient = shared.config.recipient_gln.as_ref().map(ToString::to_string);
        let recipient = recipient.unwrap_or_else(|| enrolment.recipient_gln.clone());
        let checked = gln("recipient_gln", Some(recipient.as_str()), "needed").and_then(|recipient| {
            Ok((recipient, gln("pool_gln", Some(enrolment.pool_gln.as_str()), "needed")?))
        });
        let (recipient, pool) = match checked {
            Ok(glns) => glns,
            Err(e) => return Ok(Err(Failure::Other(e))),
        };
        let cis_delete = unenrol_message(&shared.store, &enrolment, &recipient, &pool)?;
        let enrolment = match shared.store.unenrol(&pair, &cis_delete) {
            Ok(enrolment) => enrolment,
            Err(e) => return Ok(Err(Failure::Enrol(e))),
        };
        shared.store.flush()?;
        let purged = if purge {
            let removed = shared.store.purge_pair(&enrolment.provider_gln, &enrolment.target_market)?;
            shared.store.flush()?;
            Some(removed)
        } else {
            None
        };
        Ok(Ok((view(shared, enrolment)?, purged)))
    })
    .await?;
    let (view, purged) = done.map_err(refusal)?;
    shared.wake_outbound();
    if purged.is_some() {
        shared.wake_publisher.notify_one();
    }
    let mut body = enrolment_json(&view);
    body["queued"] = json!(["CIS"]);
    body["purged"] = json!(purged);
    Ok(Json(body).into_response())
}

/// `enrolment` with its live item count, as the list shows it.
fn view(shared: &Shared, enrolment: Enrolment) -> anyhow::Result<EnrolmentView> {
    let pair = enrolment.pair();
    let listed = shared.store.enrolments()?.into_iter().find(|v| v.enrolment.pair() == pair);
    Ok(listed.unwrap_or(EnrolmentView { enrolment, items: 0 }))
}

/// The pair (`GLN/TM`) an id names: `GLN-TM`, or the pair itself.
fn pair_of(id: &str) -> Result<String, ApiError> {
    let (provider, market) = id.split_once('-').or_else(|| id.split_once('/')).ok_or_else(|| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("enrolment id {id:?}: expected GLN-TM, e.g. 0812345000009-276"),
        )
    })?;
    let (provider, market) = check_pair(provider, market, ("enrolment id GLN", "enrolment id target market"))
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("{e:#}")))?;
    Ok(format!("{provider}/{market}"))
}

fn id_of(view: &EnrolmentView) -> String {
    format!("{}-{}", view.enrolment.provider_gln, view.enrolment.target_market)
}

/// `enrolments --json`'s object with its API id.
fn enrolment_json(view: &EnrolmentView) -> Value {
    let mut value = as_json(view);
    value["id"] = json!(id_of(view));
    value
}

fn not_enrolled(pair: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("{pair} is not enrolled"))
}

fn refusal(failure: Failure) -> ApiError {
    match failure {
        Failure::Enrol(EnrolError::AlreadyEnrolled { pair, state }) => ApiError::new(
            ErrorCode::AlreadyEnrolled,
            format!("{pair} is already enrolled ({state}); unenrol it first, or wait for it to fail"),
        ),
        Failure::Enrol(EnrolError::NotEnrolled(pair)) => not_enrolled(&pair),
        Failure::Enrol(EnrolError::Store(e)) => ApiError::new(ErrorCode::StoreError, e.to_string()),
        Failure::Other(e) => ApiError::new(ErrorCode::StoreError, format!("{e:#}")),
    }
}
