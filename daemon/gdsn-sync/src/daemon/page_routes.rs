//! The HTML side of the listener: the customs search and product pages,
//! the ops page and their embedded assets. gdsn-page renders; this module
//! reads (index and store, always on a blocking thread), picks the
//! language and sets the headers.
//!
//! - `GET /?q=&market=&cursor=&ui=`: the search page. A `q` that reads as a
//!   code (GTIN, scan, Digital Link) with live records goes straight to
//!   `/p/{gtin}`; anything else is a full-text search (which matches codes
//!   too).
//! - `GET /p/{code}?market=`: one card per live record of the code.
//! - `GET /ops`: the ops page.
//! - `GET /assets/{name}`: CSS, JS and icons from the binary, cached a year
//!   (pages link them with a content hash).
//!
//! Access follows `[http] read_access`, as for `/v1/status` and the JSON
//! read API: with `"public"` (the default) every page is public. With
//! `"token"` a page needs the read (or admin) token; browsers cannot send a
//! bearer header, so a page without one answers 401 with a small form
//! that posts the token to `POST /ops`, which checks it, keeps it in the
//! `gdsn_read` cookie (HttpOnly, SameSite=Lax, for the browser session
//! only) and sends the browser back where it was. A bearer header works
//! too, for scripts.
//!
//! Language: `?ui=` (then remembered in the `gdsn_ui` cookie), else that
//! cookie, else `Accept-Language`, else English.
//!
//! Every HTML answer carries a Content-Security-Policy that allows scripts,
//! styles and forms from this origin only and images from here, https and
//! data URLs: record text is escaped by maud, and even so a page could not
//! load script from anywhere else.

use std::sync::Arc;

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gdsn_model::codes::parse_code;
use gdsn_page::{Lang, OpsView, ProductOutcome, ProductView, SearchOutcome, SearchView, Unavailable};
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::warn;

use super::Shared;
use super::api::products::{related, relations};
use super::http::{bearer, on_reader, on_store};
use super::reader::{ReadError, Reader};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const UI_COOKIE: &str = "gdsn_ui";
const READ_COOKIE: &str = "gdsn_read";
/// Hits per search page: a phone screen or two.
const PAGE_SIZE: usize = 20;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(search))
        .route("/p/{code}", get(product))
        .route("/ops", get(ops).post(ops_login))
        .route("/assets/{name}", get(asset))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    q: String,
    market: String,
    cursor: String,
    ui: String,
}

async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let lang = language(&params, &headers);
    if let Some(login) = guard(&shared, &headers, lang, "/") {
        return login;
    }
    let q = params.q.trim();
    let market = params.market.trim();
    if q.is_empty() {
        let view = SearchView { lang, q, market, outcome: SearchOutcome::Start };
        return html(StatusCode::OK, lang, &params, gdsn_page::render_search(&view));
    }
    // A scanned or typed code goes straight to its card when it is known.
    if let Ok(code) = parse_code(q) {
        let gtin = code.gtin;
        let market_filter = (!market.is_empty()).then(|| market.to_owned());
        let found = on_reader(&shared, move |reader| reader.lookup(gtin, market_filter.as_deref())).await;
        if let Some(Ok(records)) = found
            && let Some(first) = records.first()
        {
            // One record: link its market, so the card URL says which one.
            let only =
                if records.len() == 1 { first["target_market"].as_str().unwrap_or(market) } else { market };
            // A market is digits, a slash and a subdivision code: anything
            // else is left out rather than escaped into the Location.
            let safe =
                !only.is_empty() && only.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-');
            let query = if safe { format!("?market={only}") } else { String::new() };
            return redirect(&format!("/p/{}{query}", gtin.as_str()), lang, &params);
        }
    }
    let request = gdsn_index::SearchRequest {
        q: q.to_owned(),
        market: (!market.is_empty()).then(|| market.to_owned()),
        cursor: (!params.cursor.is_empty()).then(|| params.cursor.clone()),
        limit: PAGE_SIZE,
        ..Default::default()
    };
    let _slot = shared.reader.search_slot().await;
    let answer = on_reader(&shared, move |reader| {
        let page = reader.search(&request)?;
        // An index with nothing in it yet deserves words, not "no match".
        if page.total == 0 && reader.count_live()? == 0 {
            return Err(ReadError::NotPublished);
        }
        Ok(page)
    })
    .await;
    let (status, body) = match answer {
        Some(Ok(page)) => {
            let hits: Vec<Value> = page.hits.into_iter().map(|hit| hit.record).collect();
            let outcome = SearchOutcome::Results {
                hits: &hits,
                total: page.total,
                markets: &page.facets.market,
                next_cursor: page.next_cursor.as_deref(),
            };
            (StatusCode::OK, gdsn_page::render_search(&SearchView { lang, q, market, outcome }))
        }
        other => {
            let (status, why) = unavailable(other.ok_or(()), "search");
            (
                status,
                gdsn_page::render_search(&SearchView {
                    lang,
                    q,
                    market,
                    outcome: SearchOutcome::Unavailable(why),
                }),
            )
        }
    };
    html(status, lang, &params, body)
}

async fn product(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let lang = language(&params, &headers);
    if let Some(login) = guard(&shared, &headers, lang, &format!("/p/{}", code.trim())) {
        return login;
    }
    let market = params.market.trim();
    let gtin = match parse_code(&code) {
        Ok(scanned) => scanned.gtin,
        Err(e) => {
            let reason = e.to_string();
            let outcome = ProductOutcome::BadCode(&reason);
            let view = ProductView { lang, code: &code, market, outcome, linked: &[] };
            return html(StatusCode::BAD_REQUEST, lang, &params, gdsn_page::render_product(&view));
        }
    };
    let market_filter = (!market.is_empty()).then(|| market.to_owned());
    let answer = on_reader(&shared, move |reader| {
        let records = reader.lookup(gtin, market_filter.as_deref())?;
        if records.is_empty() && reader.count_live()? == 0 {
            return Err(ReadError::NotPublished);
        }
        let linked = linked_records(reader, &records)?;
        Ok((records, linked))
    })
    .await;
    let render = |outcome, linked| {
        gdsn_page::render_product(&ProductView { lang, code: &code, market, outcome, linked })
    };
    let (status, body) = match answer {
        Some(Ok((records, _))) if records.is_empty() => {
            (StatusCode::NOT_FOUND, render(ProductOutcome::NotFound(gtin.as_str()), &[]))
        }
        Some(Ok((records, linked))) => (StatusCode::OK, render(ProductOutcome::Records(&records), &linked)),
        other => {
            let (status, why) = unavailable(other.map(|r| r.map(|_| ())).ok_or(()), "lookup");
            (status, render(ProductOutcome::Unavailable(why), &[]))
        }
    };
    html(status, lang, &params, body)
}

/// At most this many parents and as many children of a record are named
/// on its card (each name is one more lookup).
const MAX_NAMED_LINKS: usize = 50;

/// The records of the parents and children `records` link to (same
/// provider and market, as the hierarchy route resolves them), so the
/// cards can name their hierarchy links.
fn linked_records(reader: &Reader, records: &[Value]) -> Result<Vec<Value>, ReadError> {
    let mut linked = Vec::new();
    for record in records {
        for field in ["children", "parents"] {
            for (gtin, _) in relations(&record[field]).into_iter().take(MAX_NAMED_LINKS) {
                linked.extend(related(reader, record, &gtin)?);
            }
        }
    }
    Ok(linked)
}

/// A read that gave no answer, as a status and the page's notice: nothing
/// published yet and a cluster sink are normal states (200), a failed read
/// is logged here and shown without its detail (503).
fn unavailable<T>(answer: Result<Result<T, ReadError>, ()>, what: &str) -> (StatusCode, Unavailable) {
    match answer {
        Ok(Err(ReadError::NotPublished)) => (StatusCode::OK, Unavailable::NotPublished),
        Ok(Err(ReadError::Cluster(name))) => (StatusCode::OK, Unavailable::Cluster(name)),
        Ok(Err(ReadError::Index(gdsn_index::IndexError::BadCursor(why)))) => {
            warn!("page {what}: a bad cursor: {why}");
            (StatusCode::BAD_REQUEST, Unavailable::Failed)
        }
        Ok(Err(e)) => {
            warn!("page {what}: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Unavailable::Failed)
        }
        Ok(Ok(_)) | Err(()) => {
            warn!("page {what}: the reader thread failed");
            (StatusCode::SERVICE_UNAVAILABLE, Unavailable::Failed)
        }
    }
}

#[derive(Debug, Deserialize)]
struct Login {
    token: String,
    #[serde(default)]
    next: String,
}

/// `None` when the request may read; else the 401 page with the token form.
fn guard(shared: &Shared, headers: &HeaderMap, lang: Lang, next: &str) -> Option<Response> {
    let http = &shared.config.http;
    if http.allows_read(bearer(headers)) || http.allows_read(cookie(headers, READ_COOKIE)) {
        return None;
    }
    let wrong = cookie(headers, READ_COOKIE).is_some();
    let page = gdsn_page::render_ops_login(lang, wrong, next);
    Some(ops_html(StatusCode::UNAUTHORIZED, lang, &Params::default(), page))
}

/// Where a login goes on to: a path of this site, else the search page
/// (never `//host`, which a browser reads as another site).
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains(['\\', '\r', '\n']);
    if local { next } else { "/" }
}

async fn ops(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let lang = language(&params, &headers);
    if let Some(login) = guard(&shared, &headers, lang, "/ops") {
        return login;
    }
    let connections = serde_json::to_value(shared.status.snapshot()).unwrap_or(Value::Null);
    let lists = on_store(&shared, |store| {
        let counts = store.counts();
        let rows = |list: Vec<Value>| list.into_iter().take(gdsn_page::MAX_ROWS).collect::<Vec<_>>();
        let dead = store.dead_letters().map(|list| {
            rows(
                list.into_iter()
                    .map(|d| json!({"seq": d.seq, "key": d.key, "op": d.op, "reason": d.reason}))
                    .collect(),
            )
        });
        let quarantined = store.quarantined().map(|list| {
            rows(
                list.into_iter()
                    .map(|q| json!({"sender": q.sender, "message_id": q.message_id, "reason": q.reason}))
                    .collect(),
            )
        });
        let enrolments = store.enrolments().map(|list| {
            rows(
                list.into_iter()
                    .map(|view| {
                        let e = view.enrolment;
                        json!({"pair": e.pair(), "state": e.state.as_str(), "connection": e.connection,
                           "items": view.items, "last_message_at": e.last_message_at, "error": e.error})
                    })
                    .collect(),
            )
        });
        (counts, dead, quarantined, enrolments)
    })
    .await;
    let index = match on_reader(&shared, |reader| reader.count_live()).await {
        Some(Ok(n)) => Ok(n),
        other => Err(unavailable(other.map(|r| r.map(|_| ())).ok_or(()), "ops index count").1),
    };
    let Some((counts, dead, quarantined, enrolments)) = lists else {
        return ops_html(StatusCode::SERVICE_UNAVAILABLE, lang, &params, "the store thread failed".into());
    };
    let store = json!({"live": counts.live, "tombstones": counts.tombstones, "outbox": counts.outbox,
                       "messages": counts.messages, "quarantined": counts.quarantined, "replies_pending": counts.replies});
    let read = |list: Result<Vec<Value>, gdsn_store::StoreError>, what: &str| {
        list.unwrap_or_else(|e| {
            warn!("ops page: reading {what}: {e}");
            Vec::new()
        })
    };
    let (dead, quarantined, enrolments) =
        (read(dead, "dead letters"), read(quarantined, "quarantine"), read(enrolments, "enrolments"));
    let view = OpsView {
        lang,
        connections: &connections,
        store: Some(&store),
        index,
        dead_letters: &dead,
        quarantined: &quarantined,
        enrolments: &enrolments,
    };
    ops_html(StatusCode::OK, lang, &params, gdsn_page::render_ops(&view))
}

/// The token form: a good token becomes the session's read cookie.
async fn ops_login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(login): Form<Login>,
) -> Response {
    let params = Params::default();
    let lang = language(&params, &headers);
    let token = login.token.trim();
    let next = local_path(&login.next);
    if !shared.config.http.allows_read(Some(token)) {
        let page = gdsn_page::render_ops_login(lang, true, next);
        return ops_html(StatusCode::UNAUTHORIZED, lang, &params, page);
    }
    let Ok(location) = HeaderValue::from_str(next) else {
        return (StatusCode::BAD_REQUEST, "bad next path\n").into_response();
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    // Tokens are header-safe text; one that is not simply is not remembered.
    if let Ok(value) =
        HeaderValue::from_str(&format!("{READ_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn asset(Path(name): Path<String>) -> Response {
    let Some(asset) = gdsn_page::asset(&name) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such asset\n",
        )
            .into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.bytes,
    )
        .into_response()
}

/// The interface language, from `?ui=`, the cookie, `Accept-Language`.
fn language(params: &Params, headers: &HeaderMap) -> Lang {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Lang::negotiate(Some(params.ui.as_str()), cookie(headers, UI_COOKIE), accept)
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// An HTML page with the page headers; remembers an explicit `?ui=`.
fn html(status: StatusCode, lang: Lang, params: &Params, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Data changes with every publish and the language with the request.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    remember(headers, lang, params);
    response
}

fn ops_html(status: StatusCode, lang: Lang, params: &Params, body: String) -> Response {
    let mut response = html(status, lang, params, body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn redirect(target: &str, lang: Lang, params: &Params) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, target.to_owned())]).into_response();
    remember(response.headers_mut(), lang, params);
    response
}

/// Sets the language cookie when the request chose a language explicitly.
fn remember(headers: &mut HeaderMap, lang: Lang, params: &Params) {
    if Lang::from_tag(&params.ui).is_some() {
        let cookie = format!("{UI_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}
