//! `GET /v1/search`: the index's full-text search (`gdsn-sync search`) with
//! its filters, facets and cursor paging, as JSON.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use gdsn_index::{Facets, MAX_LIMIT, SearchRequest, SearchResponse};
use serde::Deserialize;

use super::products::{checked_market, index_error};
use super::{Answer, ApiError, ErrorCode, Params, require_read};
use crate::daemon::Shared;
use crate::daemon::http::on_reader;
use crate::daemon::reader::ReadError;

/// The query string; every parameter is optional (no `q`: browse by filter).
#[derive(Debug, Default, Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
    market: Option<String>,
    brand: Option<String>,
    gpc: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

pub(super) async fn search(
    State(shared): State<Arc<Shared>>,
    Params(query): Params<SearchQuery>,
    headers: HeaderMap,
) -> Answer {
    require_read(&shared, &headers)?;
    let request = request(query)?;
    let _slot = shared.reader.search_slot().await;
    let answer = on_reader(&shared, move |reader| reader.search(&request))
        .await
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the index reading thread failed"))?;
    let response = match answer {
        Ok(response) => response,
        // Before the first publish nothing matches: an empty page, as the
        // CLI says "nothing matches" rather than failing.
        Err(ReadError::NotPublished) => {
            SearchResponse { hits: Vec::new(), total: 0, facets: Facets::default(), next_cursor: None }
        }
        Err(e) => return Err(index_error(&e)),
    };
    Ok(Json(response).into_response())
}

/// The index's request, with the parameters checked: a bad market or limit
/// answers 400 rather than silently matching nothing or being clamped.
fn request(query: SearchQuery) -> Result<SearchRequest, ApiError> {
    let limit = query.limit.unwrap_or(0);
    if limit > MAX_LIMIT {
        return Err(ApiError::new(ErrorCode::BadRequest, format!("limit {limit} is over {MAX_LIMIT}")));
    }
    let market = query.market.as_deref().map(checked_market).transpose()?;
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    Ok(SearchRequest {
        q: query.q.unwrap_or_default(),
        lang: blank(query.lang),
        market,
        brand: blank(query.brand),
        gpc: blank(query.gpc),
        limit,
        cursor: blank(query.cursor),
    })
}
