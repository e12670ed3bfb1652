//! Product lookup and hierarchy: what an officer's scan resolves to.
//!
//! `GET /v1/products/{code}` and `GET /v1/products?code=` take what
//! `gdsn-sync lookup` takes (GTIN-8/12/13/14, a scanner's element string, a
//! Digital Link URI). A Digital Link has slashes: in the path it must be
//! percent-encoded (`%2F`), which some proxies decode or refuse, so the
//! query form exists for it. `GET /v1/products/{code}/hierarchy` adds the
//! item's parents and children, each resolved to its published records.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use gdsn_model::codes::{ScannedCode, parse_code};
use gdsn_model::ids::{Gtin, TargetMarket};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, ApiError, ErrorCode, Params, Segment, require_read};
use crate::daemon::Shared;
use crate::daemon::http::on_reader;
use crate::daemon::reader::{ReadError, Reader};

#[derive(Debug, Default, Deserialize)]
pub(super) struct LookupQuery {
    code: Option<String>,
    market: Option<String>,
}

/// `GET /v1/products/{code}`.
pub(super) async fn lookup(
    State(shared): State<Arc<Shared>>,
    Segment(code): Segment<String>,
    Params(query): Params<LookupQuery>,
    headers: HeaderMap,
) -> Answer {
    require_read(&shared, &headers)?;
    lookup_code(&shared, &code, query.market).await
}

/// `GET /v1/products?code=`: the same, for codes awkward in a path.
pub(super) async fn lookup_query(
    State(shared): State<Arc<Shared>>,
    Params(query): Params<LookupQuery>,
    headers: HeaderMap,
) -> Answer {
    require_read(&shared, &headers)?;
    let Some(code) = query.code else {
        return Err(ApiError::new(ErrorCode::BadRequest, "the code query parameter is required"));
    };
    lookup_code(&shared, &code, query.market).await
}

async fn lookup_code(shared: &Arc<Shared>, given: &str, market: Option<String>) -> Answer {
    let scanned = scanned(given)?;
    let market = market.as_deref().map(checked_market).transpose()?;
    let gtin = scanned.gtin;
    let wanted = market.clone();
    let records = on_reader(shared, move |reader| reader.lookup(gtin, wanted.as_deref()))
        .await
        .ok_or_else(thread_failed)?
        .map_err(|e| read_error(&e, &scanned.gtin))?;
    if records.is_empty() {
        return Err(not_found(&scanned.gtin, market.as_deref()));
    }
    Ok(Json(json!({
        "code": given,
        "form": scanned.form,
        "gtin": scanned.gtin,
        "attributes": attributes(&scanned),
        "market": market,
        "records": records,
    }))
    .into_response())
}

/// `GET /v1/products/{code}/hierarchy`: for each live record of the item,
/// its children (with how many one unit contains) and its parents (with
/// how many of this item one parent contains), each resolved to the
/// records published for it in the same target market by the same
/// provider; `published: false` when the index has none (not yet
/// published, or a level the provider never sent).
pub(super) async fn hierarchy(
    State(shared): State<Arc<Shared>>,
    Segment(code): Segment<String>,
    Params(query): Params<LookupQuery>,
    headers: HeaderMap,
) -> Answer {
    require_read(&shared, &headers)?;
    let scanned = scanned(&code)?;
    let market = query.market.as_deref().map(checked_market).transpose()?;
    let gtin = scanned.gtin;
    let wanted = market.clone();
    let items = on_reader(&shared, move |reader| resolve(reader, gtin, wanted.as_deref()))
        .await
        .ok_or_else(thread_failed)?
        .map_err(|e| read_error(&e, &scanned.gtin))?;
    if items.is_empty() {
        return Err(not_found(&scanned.gtin, market.as_deref()));
    }
    Ok(Json(json!({ "gtin": scanned.gtin, "market": market, "items": items })).into_response())
}

/// Every record of `gtin` with its resolved relations (on a blocking thread).
fn resolve(reader: &Reader, gtin: Gtin, market: Option<&str>) -> Result<Vec<Value>, ReadError> {
    let mut items = Vec::new();
    for record in reader.lookup(gtin, market)? {
        let children = relations(&record["children"])
            .into_iter()
            .map(|(child, quantity)| {
                let records = related(reader, &record, &child)?;
                Ok(json!({ "gtin": child, "quantity": quantity, "published": !records.is_empty(),
                           "records": records.iter().map(summary).collect::<Vec<_>>() }))
            })
            .collect::<Result<Vec<_>, ReadError>>()?;
        let parents = relations(&record["parents"])
            .into_iter()
            .map(|(parent, _)| {
                let records = related(reader, &record, &parent)?;
                // How many of this item one parent holds: the parent's own link.
                let quantity = records.iter().find_map(|p| {
                    relations(&p["children"])
                        .into_iter()
                        .find(|(child, _)| Some(child.as_str()) == record["gtin"].as_str())
                        .map(|(_, quantity)| quantity)
                });
                Ok(json!({ "gtin": parent, "quantity": quantity.unwrap_or(Value::Null),
                           "published": !records.is_empty(),
                           "records": records.iter().map(summary).collect::<Vec<_>>() }))
            })
            .collect::<Result<Vec<_>, ReadError>>()?;
        items.push(json!({ "item": summary(&record), "children": children, "parents": parents }));
    }
    Ok(items)
}

/// `(gtin, quantity)` of a record's `children` (objects) or `parents` (GTINs).
pub(in crate::daemon) fn relations(list: &Value) -> Vec<(String, Value)> {
    let entries = list.as_array().map(Vec::as_slice).unwrap_or_default();
    entries
        .iter()
        .filter_map(|entry| match entry {
            Value::String(gtin) => Some((gtin.clone(), Value::Null)),
            Value::Object(link) => {
                let gtin = link.get("gtin")?.as_str()?.to_owned();
                Some((gtin, link.get("quantity").cloned().unwrap_or(Value::Null)))
            }
            _ => None,
        })
        .collect()
}

/// The records of `gtin` in `of`'s target market (and subdivision) from the
/// same information provider: the other levels of the same hierarchy.
pub(in crate::daemon) fn related(reader: &Reader, of: &Value, gtin: &str) -> Result<Vec<Value>, ReadError> {
    // A GTIN in a stored record was checked when it was parsed.
    let Ok(gtin) = Gtin::parse(gtin) else { return Ok(Vec::new()) };
    let market = match (of["target_market"].as_str(), of["target_market_subdivision"].as_str()) {
        (Some(country), Some(sub)) => Some(format!("{country}/{sub}")),
        (Some(country), None) => Some(country.to_owned()),
        _ => None,
    };
    let provider = &of["information_provider"]["gln"];
    let records = reader.lookup(gtin, market.as_deref())?;
    Ok(records
        .into_iter()
        .filter(|r| r["target_market_subdivision"] == of["target_market_subdivision"])
        .filter(|r| &r["information_provider"]["gln"] == provider)
        .collect())
}

/// What a hierarchy shows of each record: enough to name the item.
fn summary(record: &Value) -> Value {
    json!({
        "gtin": record["gtin"],
        "target_market": record["target_market"],
        "target_market_subdivision": record["target_market_subdivision"],
        "information_provider": record["information_provider"],
        "brand_name": record["brand_name"],
        "descriptions": record["descriptions"],
        "unit_descriptor": record["unit_descriptor"],
        "is_consumer_unit": record["is_consumer_unit"],
    })
}

fn scanned(given: &str) -> Result<ScannedCode, ApiError> {
    parse_code(given).map_err(|e| {
        ApiError::new(
            ErrorCode::BadCode,
            format!("{given:?} is not a GTIN, GS1 barcode scan or GS1 Digital Link: {e}"),
        )
    })
}

/// `TM` or `TM/SUBDIVISION`, checked: a typo answers 400, not an empty 404.
pub(super) fn checked_market(market: &str) -> Result<String, ApiError> {
    let market = market.trim();
    let (country, subdivision) = match market.split_once('/') {
        Some((country, sub)) => (country, Some(sub)),
        None => (market, None),
    };
    let parsed = TargetMarket::parse(country, subdivision)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("market {market:?}: {e}")))?;
    Ok(match parsed.subdivision() {
        Some(sub) => format!("{}/{sub}", parsed.country()),
        None => parsed.country().to_owned(),
    })
}

fn attributes(scanned: &ScannedCode) -> Vec<Value> {
    scanned.attributes.iter().map(|(ai, value)| json!({ "ai": ai, "value": value })).collect()
}

fn not_found(gtin: &Gtin, market: Option<&str>) -> ApiError {
    let market = market.map(|m| format!(" in target market {m}")).unwrap_or_default();
    ApiError::new(ErrorCode::NotFound, format!("no live record for GTIN {gtin}{market}"))
}

fn thread_failed() -> ApiError {
    ApiError::new(ErrorCode::Internal, "the index reading thread failed")
}

/// How a failed index read answers. Before the first publish nothing can
/// match, which is the 404 a missing product gets anyway (with the reason).
pub(super) fn read_error(e: &ReadError, gtin: &Gtin) -> ApiError {
    match e {
        ReadError::NotPublished => ApiError::new(
            ErrorCode::NotFound,
            format!("no live record for GTIN {gtin}: {}", ReadError::NotPublished),
        ),
        other => index_error(other),
    }
}

/// Index failures shared by every read route.
pub(super) fn index_error(e: &ReadError) -> ApiError {
    match e {
        ReadError::Cluster(_) => ApiError::new(ErrorCode::IndexNotEmbedded, e.to_string()),
        ReadError::Index(gdsn_index::IndexError::BadCursor(_)) => {
            ApiError::new(ErrorCode::BadCursor, e.to_string())
        }
        ReadError::NotPublished | ReadError::Index(_) => {
            ApiError::new(ErrorCode::IndexUnavailable, e.to_string())
        }
    }
}
