//! The product page: one card per live record of a GTIN (one per target
//! market), with what an officer compares against the goods in front of
//! them: pictures, descriptions, brand, who owns it and how to reach them,
//! the market, the type of goods, sizes, the packaging hierarchy, and how
//! fresh the data is.

use maud::{Markup, html};
use serde_json::Value;

use crate::i18n::{Lang, fill};
use crate::layout::{Here, SearchBox, page};
use crate::text::{country, images, measure, pick, query, str_of, title, web_link, when};
use crate::{Unavailable, assets, unavailable};

/// What the product page shows.
#[derive(Debug)]
pub struct ProductView<'a> {
    /// The interface language.
    pub lang: Lang,
    /// The code as it came in the URL.
    pub code: &'a str,
    /// The target market filter, empty for all.
    pub market: &'a str,
    /// What the read gave.
    pub outcome: ProductOutcome<'a>,
    /// Records of the parents and children the records link to (any
    /// market), so their links can show a name and not only a GTIN; may be
    /// empty.
    pub linked: &'a [Value],
}

/// What the read gave.
#[derive(Debug)]
pub enum ProductOutcome<'a> {
    /// The live records of the GTIN (at least one).
    Records(&'a [Value]),
    /// A valid GTIN (14 digits) with nothing published.
    NotFound(&'a str),
    /// The code is not a GTIN, scan or Digital Link; the parser's reason.
    BadCode(&'a str),
    /// The index cannot answer.
    Unavailable(Unavailable),
}

/// The link to a record's card.
pub(crate) fn card_link(gtin: &str, market: &str) -> String {
    format!("/p/{}{}", crate::text::encode(gtin), query(&[("market", market)]))
}

/// The whole product page.
pub fn render_product(view: &ProductView<'_>) -> String {
    let lang = view.lang;
    let s = lang.strings();
    let here = Here {
        path: &format!("/p/{}", crate::text::encode(view.code)),
        params: vec![("market", view.market)],
    };
    let search = SearchBox { q: "", market: "", autofocus: false };
    let (title_text, body) = match &view.outcome {
        ProductOutcome::Records(records) => {
            let first = records.first().and_then(|r| title(r, lang)).map_or(view.code, |(text, _)| text);
            (first.to_owned(), cards(lang, records, view.linked))
        }
        ProductOutcome::NotFound(gtin) => {
            (view.code.to_owned(), html! { p.notice.warn { (fill(s.not_found, gtin)) } (new_search(lang)) })
        }
        ProductOutcome::BadCode(reason) => (
            view.code.to_owned(),
            html! {
                p.notice.bad { (fill(s.bad_code, view.code)) br; small { (reason) } }
                (new_search(lang))
            },
        ),
        ProductOutcome::Unavailable(why) => (view.code.to_owned(), unavailable(lang, why)),
    };
    page(lang, &title_text, &here, Some(&search), &body)
}

fn new_search(lang: Lang) -> Markup {
    html! { a href=(format!("/{}", query(&[("ui", lang.code())]))) { (lang.strings().new_search) } }
}

fn cards(lang: Lang, records: &[Value], linked: &[Value]) -> Markup {
    let s = lang.strings();
    let several = records.len() > 1;
    html! {
        @if several {
            nav.records.chips aria-label=(s.market) {
                span { (fill(s.records_for, &records.len().to_string())) }
                @for record in records {
                    @let market = str_of(record, "target_market").unwrap_or_default();
                    a href=(format!("#m-{market}")) { (country(market, lang)) }
                }
            }
        }
        @for record in records {
            (card(lang, record, several, linked))
        }
    }
}

fn card(lang: Lang, record: &Value, several: bool, linked: &[Value]) -> Markup {
    let s = lang.strings();
    let gtin = str_of(record, "gtin").unwrap_or_default();
    let market = str_of(record, "target_market").unwrap_or_default();
    let market_label = match str_of(record, "target_market_subdivision") {
        Some(sub) => country(&format!("{market}/{sub}"), lang),
        None => country(market, lang),
    };
    let name = title(record, lang);
    let pictures = images(record);
    let state = match str_of(record, "state") {
        Some("DISCONTINUED") => Some(s.state_discontinued),
        Some("CANCELED" | "CANCELLED") => Some(s.state_cancelled),
        _ => None,
    };
    html! {
        article.card id=(format!("m-{market}")) data-gtin=(gtin) data-market=(market) {
            header.card-head {
                @let heading = html! {
                    @match name { Some((text, tag)) => span lang=(tag) { (text) }, None => bdi dir="ltr" { (gtin) } }
                };
                @if several { h2 { (heading) } } @else { h1 { (heading) } }
                p.sub {
                    @if let Some(brand) = str_of(record, "brand_name") { span.brand { (brand) } " · " }
                    span.code { bdi dir="ltr" { (gtin) } } " · " (market_label)
                }
                @if let Some(state) = state { span.badge { (state) } }
            }
            @if pictures.is_empty() {
                p.nopic { img src=(assets::url("placeholder.svg")) alt=""; (s.no_picture) }
            } @else {
                div.gallery {
                    @for url in &pictures {
                        img src=(url) alt=(name.map_or(gtin, |(text, _)| text)) loading="lazy" data-remote;
                    }
                }
            }
            dl.facts { (facts(lang, record, &market_label)) }
            (hierarchy(lang, record, market, linked))
            (sync_line(lang, record))
        }
    }
}

fn fact(label: &str, value: &Markup) -> Markup {
    html! { div { dt { (label) } dd { (value) } } }
}

fn facts(lang: Lang, record: &Value, market_label: &str) -> Markup {
    let s = lang.strings();
    let gtin = str_of(record, "gtin").unwrap_or_default();
    let party = |field: &str| {
        let party = record.get(field)?;
        let name = str_of(party, "name");
        let gln = str_of(party, "gln");
        (name.is_some() || gln.is_some()).then(|| {
            html! {
                @if let Some(name) = name { bdi { (name) } }
                @if let Some(gln) = gln { @if name.is_some() { br; } bdi.code dir="ltr" { "GLN " (gln) } }
            }
        })
    };
    let brand = str_of(record, "brand_name");
    let sub_brand = str_of(record, "sub_brand");
    let manufacturers: Vec<&str> =
        list(record, "manufacturers").iter().filter_map(|m| str_of(m, "name")).collect();
    let gpc = record.get("gpc_brick");
    let net: Vec<String> = list(record, "net_contents").iter().filter_map(measure).collect();
    let origin: Vec<String> = list(record, "countries_of_origin")
        .iter()
        .filter_map(Value::as_str)
        .map(|c| country(c, lang))
        .collect();
    html! {
        (fact(s.gtin, &html! { span.code { bdi dir="ltr" { (gtin) } } }))
        @if brand.is_some() || sub_brand.is_some() {
            (fact(s.brand, &html! { (brand.unwrap_or_default()) @if let Some(sub) = sub_brand { " · " (sub) } }))
        }
        (description(lang, record))
        @if let Some(owner) = party("brand_owner") { (fact(s.brand_owner, &owner)) }
        @if let Some(provider) = party("information_provider") { (fact(s.information_provider, &provider)) }
        @if !manufacturers.is_empty() { (fact(s.manufacturer, &html! { (manufacturers.join(", ")) })) }
        @for contact in list(record, "contacts") { (fact(s.contact, &contact_lines(contact))) }
        (fact(s.market, &html! { (market_label) }))
        @if let Some(gpc) = gpc.filter(|g| g.is_object()) {
            (fact(s.type_of_goods, &html! {
                @if let Some(name) = str_of(gpc, "name") { bdi { (name) } br; }
                @if let Some(code) = str_of(gpc, "code") { bdi.code dir="ltr" { "GPC " (code) } }
            }))
        }
        @if let Some(level) = str_of(record, "unit_descriptor") { (fact(s.packaging_level, &html! { (level_name(level, lang)) })) }
        @if !net.is_empty() { (fact(s.net_content, &html! { bdi dir="ltr" { (net.join(", ")) } })) }
        @if let Some(size) = dimensions(record) { (fact(s.dimensions, &html! { bdi dir="ltr" { (size) } })) }
        @if let Some(weight) = record.get("gross_weight").and_then(measure) { (fact(s.gross_weight, &html! { bdi dir="ltr" { (weight) } })) }
        @if !origin.is_empty() { (fact(s.origin, &html! { (origin.join(", ")) })) }
    }
}

/// The description in the officer's language when the record has it,
/// marked with its language when it is another one.
fn description(lang: Lang, record: &Value) -> Markup {
    let s = lang.strings();
    let Some((text, tag)) = pick(record.get("descriptions"), lang) else { return html! {} };
    let variant = pick(record.get("variant_descriptions"), lang);
    let foreign = crate::i18n::Lang::from_tag(tag) != Some(lang);
    fact(
        s.description,
        &html! {
            p.description lang=(tag) { (text) }
            @if let Some((variant, vtag)) = variant { p lang=(vtag) { (variant) } }
            @if foreign { span.lang-note { (fill(s.shown_in, tag)) } }
        },
    )
}

fn contact_lines(contact: &Value) -> Markup {
    html! {
        @if let Some(name) = str_of(contact, "name") { strong { bdi { (name) } } }
        @if let Some(address) = str_of(contact, "address") { br; bdi { (address) } }
        ul.contact-lines {
            @for channel in list(contact, "channels") {
                @let value = str_of(channel, "value").unwrap_or_default();
                @match str_of(channel, "code") {
                    Some("TELEPHONE") => li { a href=(format!("tel:{}", value.replace(' ', ""))) { bdi dir="ltr" { (value) } } },
                    Some("EMAIL") => li { a href=(format!("mailto:{value}")) { (value) } },
                    Some("WEBSITE") | Some("URL") => li {
                        @match web_link(value) { Some(url) => a href=(url) rel="noopener noreferrer" { (value) }, None => (value) }
                    },
                    _ => li { bdi { (value) } }, // free text: direction from its content
                }
            }
        }
    }
}

fn dimensions(record: &Value) -> Option<String> {
    let dims = record.get("dimensions")?;
    let parts: Vec<String> =
        ["height", "width", "depth"].iter().filter_map(|d| dims.get(*d).and_then(measure)).collect();
    (!parts.is_empty()).then(|| parts.join(" × "))
}

/// The parents and children, each linked to its card in the same market
/// and named by its own record there when `linked` holds it.
fn hierarchy(lang: Lang, record: &Value, market: &str, linked: &[Value]) -> Markup {
    let s = lang.strings();
    let links = |field: &str| -> Vec<(String, Option<u64>)> {
        list(record, field)
            .iter()
            .filter_map(|link| match link {
                Value::String(gtin) => Some((gtin.clone(), None)),
                other => {
                    Some((str_of(other, "gtin")?.to_owned(), other.get("quantity").and_then(Value::as_u64)))
                }
            })
            .collect()
    };
    let (children, parents) = (links("children"), links("parents"));
    if children.is_empty() && parents.is_empty() {
        return html! {};
    }
    let name = |gtin: &str| {
        let same = |r: &&Value| str_of(r, "gtin") == Some(gtin) && str_of(r, "target_market") == Some(market);
        linked.iter().find(same).and_then(|r| title(r, lang))
    };
    let row = |rel: &str, class: &str, gtin: &str, quantity: Option<u64>| {
        html! {
            li class=(class) {
                span.rel { (rel) }
                @if let Some(n) = quantity { bdi dir="ltr" { (n) " ×" } }
                @if let Some((text, text_lang)) = name(gtin) { bdi.name lang=(text_lang) { (text) } }
                a.code href=(card_link(gtin, market)) { bdi dir="ltr" { (gtin) } }
            }
        }
    };
    html! {
        section.hierarchy {
            h3 { (s.packaging) }
            ul {
                @for (gtin, quantity) in &parents { (row(s.packed_in, "parent", gtin, *quantity)) }
                @for (gtin, quantity) in &children { (row(s.contains, "child", gtin, *quantity)) }
            }
        }
    }
}

fn sync_line(lang: Lang, record: &Value) -> Markup {
    let s = lang.strings();
    let sync = record.get("sync");
    let synced = sync.and_then(|v| str_of(v, "published_at").or_else(|| str_of(v, "applied_at")));
    let changed = record.get("dates").and_then(|d| str_of(d, "last_change"));
    html! {
        p.sync {
            @if let Some(at) = synced { (s.last_sync) ": " bdi.synced dir="ltr" { (when(at)) } }
            @if synced.is_some() && changed.is_some() { br; }
            @if let Some(at) = changed { (s.last_change) ": " bdi dir="ltr" { (when(at)) } }
        }
    }
}

fn list<'a>(value: &'a Value, field: &str) -> &'a [Value] {
    value.get(field).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// GDSN trade item unit descriptors in words.
fn level_name(code: &str, lang: Lang) -> &str {
    let names: [&'static str; 4] = match code {
        "BASE_UNIT_OR_EACH" => ["Each (base unit)", "Unité de base", "وحدة أساسية", "Единица товара"],
        "PACK_OR_INNER_PACK" => ["Pack", "Lot / sous-emballage", "عبوة", "Упаковка"],
        "CASE" => ["Case", "Carton", "كرتونة", "Короб"],
        "DISPLAY_SHIPPER" => ["Display", "Présentoir", "عبوة عرض", "Дисплей"],
        "PALLET" => ["Pallet", "Palette", "منصة نقالة", "Паллета"],
        "MIXED_MODULE" => ["Mixed module", "Module mixte", "وحدة مختلطة", "Смешанный модуль"],
        "TRANSPORT_LOAD" => ["Transport load", "Unité de transport", "حمولة نقل", "Транспортная единица"],
        _ => return code,
    };
    match lang {
        Lang::En => names[0],
        Lang::Fr => names[1],
        Lang::Ar => names[2],
        Lang::Ru => names[3],
    }
}
