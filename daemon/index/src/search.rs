//! Full-text search: the request and response types and the query built
//! from them.
//!
//! Query semantics: the text is split on white space into words; every
//! word must match (AND), each in any of the searched fields (OR), each
//! field analysing the word with its own analyser (so a word is stemmed as
//! English in `text_en` and as Russian in `text_ru`). A word that is the
//! digits of a GTIN-8/12/13/14 also matches the GTIN forms, and a query
//! that reads as a whole as a scanned code (`parse_code`: element string,
//! Digital Link) matches its GTIN. Without `lang` the searched fields are
//! every language field, the folded field and the names (brand, sub-brand,
//! parties); with `lang` they are that language's field (the folded one for
//! a language without its own analyser) and the names, which are not in any
//! one language. Filters and the live-document restriction do not score.

use std::collections::BTreeMap;

use gdsn_model::codes::parse_code;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tantivy::query::{BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, Searcher, Term};

use crate::analysis;
use crate::collect::PageCollector;
use crate::cursor::{self, After};
use crate::error::IndexError;
use crate::read::{live_query, stored, term_query};
use crate::schema::Fields;

/// Hits per page when the request says 0.
pub const DEFAULT_LIMIT: usize = 20;
/// The most hits one page returns.
pub const MAX_LIMIT: usize = 500;
/// Words of a query beyond this many are ignored.
const MAX_WORDS: usize = 32;

/// A search. Every field is optional when deserialised (query strings, JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The text typed or scanned; empty to browse with filters only.
    pub q: String,
    /// Restrict the text to one language (`en`, `fr-CA`, `de`, ...).
    pub lang: Option<String>,
    /// Target market: a country code (`840`, all its subdivisions too) or `840/US-CA`.
    pub market: Option<String>,
    /// Brand name, case- and accent-insensitive, whole value.
    pub brand: Option<String>,
    /// GPC brick code.
    pub gpc: Option<String>,
    /// Hits per page: 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: usize,
    /// `next_cursor` of the previous page, to get the next one.
    pub cursor: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResponse {
    /// The hits of this page, best first (score descending, then key).
    pub hits: Vec<Hit>,
    /// Every live document matching the query and filters.
    pub total: u64,
    /// Counts over every matching document (not only this page).
    pub facets: Facets,
    /// The cursor of the next page, `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The item key.
    pub key: String,
    /// Its BM25 score (0 when browsing without text).
    pub score: f32,
    /// The record as published.
    pub record: Value,
}

/// Facet counts: value -> number of matching documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By brand name as given.
    pub brand: BTreeMap<String, u64>,
    /// By target market, `TM` or `TM/SUBDIVISION`.
    pub market: BTreeMap<String, u64>,
    /// By GPC brick code.
    pub gpc: BTreeMap<String, u64>,
}

/// Runs `request` on `searcher`.
pub(crate) fn run(
    index: &Index,
    searcher: &Searcher,
    fields: &Fields,
    request: &SearchRequest,
) -> Result<SearchResponse, IndexError> {
    let limit = match request.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    let fingerprint = cursor::fingerprint([
        Some(request.q.trim()),
        request.lang.as_deref(),
        request.market.as_deref(),
        request.brand.as_deref(),
        request.gpc.as_deref(),
    ]);
    let after = request.cursor.as_deref().map(|c| cursor::decode(fingerprint, c)).transpose()?;
    let query = build_query(index, fields, request);
    let page = searcher.search(&*query, &PageCollector { limit, after })?;
    let next_cursor = match page.hits.last() {
        Some((score, key, _)) if page.after_cursor > page.hits.len() as u64 => {
            Some(cursor::encode(fingerprint, &After { score: *score, key: key.clone() }))
        }
        _ => None,
    };
    let mut hits = Vec::with_capacity(page.hits.len());
    for (score, key, address) in page.hits {
        let (_, record) = stored(searcher, fields, address)?;
        hits.push(Hit { key, score, record });
    }
    let [brand, market, gpc] = page.facets;
    Ok(SearchResponse { hits, total: page.total, facets: Facets { brand, market, gpc }, next_cursor })
}

/// The whole query: text (scored) AND filters AND live (not scored).
fn build_query(index: &Index, fields: &Fields, request: &SearchRequest) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, unscored(live_query(fields)))];
    if let Some(market) = request.market.as_deref() {
        clauses.push((Occur::Must, unscored(market_filter(fields, market))));
    }
    if let Some(brand) = request.brand.as_deref() {
        let folded = analysis::terms(index, analysis::KEYWORD, brand.trim()).concat();
        clauses
            .push((Occur::Must, unscored(term_query(Term::from_field_text(fields.brand_filter, &folded)))));
    }
    if let Some(gpc) = request.gpc.as_deref() {
        clauses.push((Occur::Must, unscored(term_query(Term::from_field_text(fields.gpc, gpc.trim())))));
    }
    let q = request.q.trim();
    if !q.is_empty() {
        clauses.push((Occur::Must, text_query(index, fields, q, request.lang.as_deref())));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The market filter shared with lookups: `840` or `840/US-CA`.
pub(crate) fn market_filter(fields: &Fields, market: &str) -> Box<dyn Query> {
    let market = market.trim();
    // Subdivisions are indexed upper case, as the record model writes them.
    let value = match market.split_once('/') {
        Some((country, sub)) => format!("{country}/{}", sub.to_ascii_uppercase()),
        None => market.to_owned(),
    };
    term_query(Term::from_field_text(fields.market_filter, &value))
}

fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// The scored part: every word in some field, or the scanned code's GTIN.
fn text_query(index: &Index, fields: &Fields, q: &str, lang: Option<&str>) -> Box<dyn Query> {
    let searched: Vec<(Field, &str)> = match lang {
        Some(lang) => {
            let analyser = analysis::analyser_for(lang);
            vec![(fields.text_for(analyser), analyser), (fields.names, analysis::FOLDED)]
        }
        None => fields.text_fields().to_vec(),
    };
    let words: Vec<(Occur, Box<dyn Query>)> = q
        .split_whitespace()
        .take(MAX_WORDS)
        .filter_map(|word| word_query(index, fields, &searched, word))
        .map(|query| (Occur::Must, query))
        .collect();
    let code = parse_code(q).ok().map(|code| gtin_query(fields, code.gtin.as_str()));
    match (words.is_empty(), code) {
        // Nothing searchable (only punctuation): no hit rather than every document.
        (true, None) => Box::new(EmptyQuery),
        (true, Some(code)) => code,
        (false, None) => Box::new(BooleanQuery::new(words)),
        (false, Some(code)) => Box::new(BooleanQuery::union(vec![Box::new(BooleanQuery::new(words)), code])),
    }
}

/// One word in any of the `searched` fields (all its terms in that field),
/// or as GTIN digits; `None` when no analyser keeps anything of it.
fn word_query(
    index: &Index,
    fields: &Fields,
    searched: &[(Field, &str)],
    word: &str,
) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    for &(field, analyser) in searched {
        let mut terms = analysis::terms(index, analyser, word);
        terms.dedup();
        let mut queries: Vec<Box<dyn Query>> = terms
            .iter()
            .map(|t| -> Box<dyn Query> {
                Box::new(TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs))
            })
            .collect();
        match queries.len() {
            0 => {}
            1 => alternatives.extend(queries.pop()),
            _ => alternatives.push(Box::new(BooleanQuery::intersection(queries))),
        }
    }
    if matches!(word.len(), 8 | 12 | 13 | 14) && word.bytes().all(|b| b.is_ascii_digit()) {
        alternatives.push(gtin_query(fields, word));
    }
    match alternatives.len() {
        0 => None,
        1 => alternatives.pop(),
        _ => Some(Box::new(BooleanQuery::union(alternatives))),
    }
}

fn gtin_query(fields: &Fields, digits: &str) -> Box<dyn Query> {
    term_query(Term::from_field_text(fields.gtin, digits))
}
