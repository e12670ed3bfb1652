//! The search page: the search box, then the hits as a list (thumbnail,
//! name, brand, GTIN, market), the market facet as filter chips, and a
//! link to the next page.

use std::collections::BTreeMap;

use maud::{Markup, html};
use serde_json::Value;

use crate::i18n::{Lang, fill};
use crate::layout::{Here, SearchBox, page};
use crate::text::{country, images, query, str_of, title};
use crate::{Unavailable, assets, unavailable};

/// What the search page shows.
#[derive(Debug)]
pub struct SearchView<'a> {
    /// The interface language.
    pub lang: Lang,
    /// The text as typed or scanned.
    pub q: &'a str,
    /// The target market filter (`250`), empty for all.
    pub market: &'a str,
    /// What the read gave.
    pub outcome: SearchOutcome<'a>,
}

/// What the read gave.
#[derive(Debug)]
pub enum SearchOutcome<'a> {
    /// Nothing asked yet: the search box alone.
    Start,
    /// One page of hits.
    Results {
        /// The published records of this page, best first.
        hits: &'a [Value],
        /// Every matching document.
        total: u64,
        /// Matching documents per target market (the facet).
        markets: &'a BTreeMap<String, u64>,
        /// The next page's cursor, `None` on the last page.
        next_cursor: Option<&'a str>,
    },
    /// The index cannot answer.
    Unavailable(Unavailable),
}

/// The whole search page.
pub fn render_search(view: &SearchView<'_>) -> String {
    let lang = view.lang;
    let s = lang.strings();
    let here = Here { path: "/", params: vec![("q", view.q), ("market", view.market)] };
    let search = SearchBox { q: view.q, market: view.market, autofocus: true };
    let title = if view.q.is_empty() { s.search_button } else { view.q };
    let body = match &view.outcome {
        SearchOutcome::Start => html! {},
        SearchOutcome::Unavailable(why) => unavailable(lang, why),
        SearchOutcome::Results { hits, total, markets, next_cursor } => {
            results(view, hits, *total, markets, *next_cursor)
        }
    };
    page(lang, title, &here, Some(&search), &body)
}

fn results(
    view: &SearchView<'_>,
    hits: &[Value],
    total: u64,
    markets: &BTreeMap<String, u64>,
    next_cursor: Option<&str>,
) -> Markup {
    let lang = view.lang;
    let s = lang.strings();
    let chip = |market: &str| format!("/{}", query(&[("q", view.q), ("market", market)]));
    html! {
        div.summary {
            span #total { (fill(s.results, &total.to_string())) }
            @if markets.len() > 1 || !view.market.is_empty() {
                nav.chips aria-label=(s.market) {
                    a href=(chip("")) aria-current=[view.market.is_empty().then_some("true")] { (s.all_markets) }
                    @for (market, count) in markets {
                        a href=(chip(market)) aria-current=[(market == view.market).then_some("true")] {
                            (country(market, lang)) " · " (count)
                        }
                    }
                }
            }
        }
        @if hits.is_empty() {
            p.notice { (s.no_results) }
        } @else {
            ol.results {
                @for record in hits {
                    li { (hit(record, lang)) }
                }
            }
        }
        @if let Some(cursor) = next_cursor {
            a.more rel="next" href=(format!("/{}", query(&[("q", view.q), ("market", view.market), ("cursor", cursor)]))) {
                (s.more_results)
            }
        }
    }
}

/// One result: the whole row links to the product card.
fn hit(record: &Value, lang: Lang) -> Markup {
    let gtin = str_of(record, "gtin").unwrap_or_default();
    let market = str_of(record, "target_market").unwrap_or_default();
    let name = title(record, lang);
    html! {
        a.hit href=(crate::product::card_link(gtin, market)) {
            @match images(record).first() {
                Some(url) => img.thumb src=(url) alt="" loading="lazy" data-remote;,
                None => img.thumb src=(assets::url("placeholder.svg")) alt="";,
            }
            div.hit-text {
                @match name {
                    Some((text, tag)) => span.hit-name lang=(tag) { (text) },
                    None => span.hit-name { bdi dir="ltr" { (gtin) } },
                }
                span.hit-meta {
                    @if let Some(brand) = str_of(record, "brand_name") {
                        span.hit-brand { (brand) }
                    }
                    span.code { bdi dir="ltr" { (gtin) } }
                    @if !market.is_empty() {
                        span { (country(market, lang)) }
                    }
                }
            }
        }
    }
}
