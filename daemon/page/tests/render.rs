//! The renderers on real records (conformance snapshots) and on hostile
//! ones: escaping, right-to-left, the language fallback, records with
//! missing parts, and the notices for an index that cannot answer.

use std::collections::BTreeMap;

use gdsn_page::{
    Lang, OpsView, ProductOutcome, ProductView, SearchOutcome, SearchView, Unavailable, asset, render_ops,
    render_ops_login, render_product, render_search,
};
use serde_json::{Value, json};

fn full_card() -> Value {
    let line = include_str!("../../../conformance/cases/0044_cin_full_card/expected.ndjson");
    serde_json::from_str(line.lines().next().expect("a record")).expect("JSON")
}

fn product(lang: Lang, records: &[Value]) -> String {
    render_product(&ProductView {
        lang,
        code: "03012345100014",
        market: "",
        outcome: ProductOutcome::Records(records),
        linked: &[],
    })
}

fn search(lang: Lang, q: &str, hits: &[Value]) -> String {
    let markets = BTreeMap::new();
    let outcome =
        SearchOutcome::Results { hits, total: hits.len() as u64, markets: &markets, next_cursor: Some("c1") };
    render_search(&SearchView { lang, q, market: "", outcome })
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let evil = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#;
    let record = json!({
        "gtin": "00812345200010", "target_market": "276", "brand_name": evil, "sub_brand": evil,
        "descriptions": {"en": evil}, "short_descriptions": {"en": evil},
        "brand_owner": {"name": evil, "gln": evil},
        "images": [{"url": "javascript:alert(3)"}, {"url": "https://x.example/\"onload=\"alert(4)"}],
        "contacts": [{"name": evil, "channels": [{"code": "WEBSITE", "value": "javascript:alert(5)"},
                                                 {"code": "EMAIL", "value": "a\"b@x.example"}]}],
        "children": [{"gtin": evil, "quantity": 1}], "parents": [evil],
    });
    for html in [
        product(Lang::En, std::slice::from_ref(&record)),
        search(Lang::En, evil, std::slice::from_ref(&record)),
    ] {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("=\"javascript:"), "a javascript: URL only as text: {html}");
        assert!(!html.contains("\"onload=\""), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    // The https image stays, with its quote escaped inside the attribute.
    assert!(product(Lang::En, &[record]).contains("src=\"https://x.example/&quot;onload=&quot;alert(4)\""));
}

#[test]
fn arabic_pages_are_right_to_left_and_the_others_not() {
    let card = full_card();
    for (lang, dir) in [(Lang::Ar, "rtl"), (Lang::En, "ltr"), (Lang::Fr, "ltr"), (Lang::Ru, "ltr")] {
        let html = product(lang, std::slice::from_ref(&card));
        let head = format!("<html lang=\"{}\" dir=\"{dir}\"", lang.code());
        assert!(html.contains(&head), "{lang:?}: {}", &html[..200]);
        assert!(html.contains("name=\"viewport\""));
    }
    let html = product(Lang::Ar, &[card]);
    assert!(html.contains("مالك العلامة التجارية"), "the Arabic labels");
    assert!(html.contains("<p class=\"description\" lang=\"ar\">لوميير دامبر"), "the Arabic description");
    assert!(html.contains("فرنسا (250)"), "the market's Arabic name");
}

#[test]
fn descriptions_fall_back_to_english_then_any_language() {
    let mut record = full_card();
    record["descriptions"] = json!({"de": "Nur Deutsch", "en": "English text", "fr": "Texte français"});
    let fr = product(Lang::Fr, std::slice::from_ref(&record));
    assert!(fr.contains("<p class=\"description\" lang=\"fr\">Texte français</p>"));
    assert!(!fr.contains("lang-note"), "no note when the text is in the UI language");
    let ru = product(Lang::Ru, std::slice::from_ref(&record));
    assert!(ru.contains("<p class=\"description\" lang=\"en\">English text</p>"));
    assert!(ru.contains("Нет на вашем языке; показано на: en"));
    record["descriptions"] = json!({"de": "Nur Deutsch"});
    assert!(product(Lang::Ar, &[record]).contains("<p class=\"description\" lang=\"de\">Nur Deutsch</p>"));
}

#[test]
fn the_full_card_shows_what_an_officer_checks() {
    let html = product(Lang::En, &[full_card()]);
    for expected in [
        "Maison Lumière",
        "Lumière d'Ambre Eau de Parfum for women",
        "Maison Lumière Parfums SAS",
        "Service Consommateurs Maison Lumière",
        "href=\"tel:+33493001234\"",
        "href=\"mailto:consommateurs@maison-lumiere.example\"",
        "href=\"https://www.maison-lumiere.example\"",
        "France (250)",
        "Perfumes/Colognes/Fragrances",
        "100 ml",
        "145 mm × 68 mm × 42 mm",
        "Cancelled by the brand owner",
        "src=\"https://images.example.com/03012345100014/front.jpg\"",
        "Last changed by the brand owner: <bdi dir=\"ltr\">2025-02-03 09:15 UTC</bdi>",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn a_record_with_no_picture_or_optional_parts_still_renders() {
    let bare = json!({"gtin": "00000095002170", "target_market": "840", "parents": [{"gtin": "00861234000248", "quantity": 24}],
                      "sync": {"version": 3, "applied_at": "2026-01-02T03:04:05Z", "published_at": "2026-01-02T03:04:06Z"}});
    let html = product(Lang::En, &[bare]);
    assert!(html.contains("No picture supplied"));
    assert!(html.contains("/assets/placeholder.svg?v="));
    assert!(html.contains("Packed in"));
    assert!(html.contains("href=\"/p/00861234000248?market=840\""));
    assert!(html.contains("<bdi dir=\"ltr\">24 ×</bdi>"));
    assert!(html.contains("Last synchronised: <bdi class=\"synced\" dir=\"ltr\">2026-01-02 03:04 UTC</bdi>"));
    assert!(
        html.contains("<h1><bdi dir=\"ltr\">00000095002170</bdi></h1>"),
        "the GTIN stands in for a missing name"
    );
}

#[test]
fn several_records_get_one_card_each_and_jump_links() {
    let france = full_card();
    let mut belgium = full_card();
    belgium["target_market"] = json!("056");
    let html = product(Lang::Fr, &[france, belgium]);
    assert_eq!(html.matches("<article class=\"card\"").count(), 2);
    assert!(html.contains("2 fiches pour ce GTIN"));
    assert!(html.contains("href=\"#m-056\"") && html.contains("id=\"m-056\""));
}

#[test]
fn search_pages_list_hits_and_page_on() {
    let html = search(Lang::En, "parfum", &[full_card()]);
    assert!(html.contains("Results: 1"));
    assert!(html.contains("href=\"/p/03012345100014?market=250\""));
    assert!(html.contains("href=\"/?q=parfum&amp;cursor=c1\""));
    assert!(html.contains("autofocus"));
    assert!(html.contains("value=\"parfum\""));
    let empty = search(Lang::Ru, "нет", &[]);
    assert!(empty.contains("По этому запросу товары не найдены."));
    let start =
        render_search(&SearchView { lang: Lang::Fr, q: "", market: "", outcome: SearchOutcome::Start });
    assert!(start.contains("Scannez un code-barres"));
    // The language links keep the page and its query.
    assert!(html.contains("href=\"/?q=parfum&amp;ui=ar\""));
}

#[test]
fn an_index_that_cannot_answer_is_said_politely() {
    let cases = [
        (Unavailable::NotPublished, "No product data has been received yet"),
        (Unavailable::Cluster("opensearch https://search.example:9200".into()), "needs the embedded index"),
        (Unavailable::Failed, "could not be read"),
    ];
    for (why, text) in cases {
        let html = render_search(&SearchView {
            lang: Lang::En,
            q: "x",
            market: "",
            outcome: SearchOutcome::Unavailable(why.clone()),
        });
        assert!(html.contains(text), "{why:?}");
        let html = render_product(&ProductView {
            lang: Lang::En,
            code: "1",
            market: "",
            outcome: ProductOutcome::Unavailable(why),
            linked: &[],
        });
        assert!(html.contains(text));
    }
    let bad = render_product(&ProductView {
        lang: Lang::En,
        code: "<b>12</b>",
        market: "",
        outcome: ProductOutcome::BadCode("wrong check digit"),
        linked: &[],
    });
    assert!(
        bad.contains("not a valid GTIN") && bad.contains("&lt;b&gt;12&lt;/b&gt;") && !bad.contains("<b>12")
    );
}

#[test]
fn languages_are_negotiated_explicit_then_cookie_then_browser() {
    assert_eq!(Lang::negotiate(Some("ar"), Some("fr"), Some("ru")), Lang::Ar);
    assert_eq!(Lang::negotiate(Some("xx"), Some("fr"), Some("ru")), Lang::Fr);
    assert_eq!(Lang::negotiate(None, None, Some("de-DE,de;q=0.9,ru;q=0.8,fr;q=0.7")), Lang::Ru);
    assert_eq!(Lang::negotiate(None, None, Some("fr;q=0.5, ar-EG")), Lang::Ar);
    assert_eq!(Lang::negotiate(None, None, Some("ar;q=0, de")), Lang::En);
    assert_eq!(Lang::negotiate(None, None, Some("garbage;;q=x,,")), Lang::En);
    assert_eq!(Lang::negotiate(None, None, None), Lang::En);
}

#[test]
fn ops_page_escapes_errors_and_lists_rows() {
    let connections = json!({"pool-a": {"kind": "http_inbox", "polling": true, "last_poll_at": "2026-01-01T00:00:00.000Z",
        "last_error": "<script>x</script>", "consecutive_failures": 3, "messages_applied": 7, "lag_secs": 3720}});
    let store = json!({"live": 12, "outbox": 0, "messages": 3, "quarantined": 1, "replies_pending": 0, "tombstones": 2});
    let dead = [json!({"seq": 9, "key": "k", "op": "upsert", "reason": "too big"})];
    let view = OpsView {
        lang: Lang::En,
        connections: &connections,
        store: Some(&store),
        index: Ok(12),
        dead_letters: &dead,
        quarantined: &[],
        enrolments: &[],
    };
    let html = render_ops(&view);
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;") && !html.contains("<script>x"));
    assert!(html.contains("1 h 2 min") && html.contains("polling now") && html.contains("too big"));
    assert!(html.contains("data-count=\"live\"><b>12</b>"));
    let login = render_ops_login(Lang::Ru, true, "/p/1\"><x");
    assert!(login.contains("Этот токен не принят.") && login.contains("method=\"post\""));
    assert!(login.contains("name=\"next\" value=\"/p/1&quot;&gt;&lt;x\""));
}

#[test]
fn assets_are_embedded_with_their_types() {
    assert_eq!(asset("page.css").map(|a| a.content_type), Some("text/css; charset=utf-8"));
    assert_eq!(asset("page.js").map(|a| a.content_type), Some("text/javascript; charset=utf-8"));
    assert_eq!(asset("icon.svg").map(|a| a.content_type), Some("image/svg+xml"));
    assert!(asset("../Cargo.toml").is_none() && asset("").is_none());
}

/// A hierarchy link shows the linked item's name in the officer's language,
/// from its record in the same market only, escaped like everything else.
#[test]
fn hierarchy_links_are_named_from_the_linked_records() {
    let case = json!({
        "gtin": "10812345200017", "target_market": "276",
        "children": [{"gtin": "00812345200010", "quantity": 12}],
        "parents": [{"gtin": "20812345200014", "quantity": 40}],
    });
    let linked = [
        json!({"gtin": "00812345200010", "target_market": "276",
               "short_descriptions": {"en": "Headphones", "fr": "Casque <audio>"}}),
        json!({"gtin": "00812345200010", "target_market": "250", "short_descriptions": {"fr": "Autre marché"}}),
    ];
    let html = render_product(&ProductView {
        lang: Lang::Fr,
        code: "10812345200017",
        market: "",
        outcome: ProductOutcome::Records(std::slice::from_ref(&case)),
        linked: &linked,
    });
    let child = html.split(r#"<li class="child">"#).nth(1).and_then(|rest| rest.split("</li>").next());
    let child = child.expect("a child row");
    assert!(child.contains(r#"<bdi class="name" lang="fr">Casque &lt;audio&gt;</bdi>"#), "{child}");
    assert!(child.contains("/p/00812345200010?market=276"), "{child}");
    assert!(!html.contains("Autre marché"), "a record of another market names nothing");
    // The parent has no linked record: its GTIN alone, as before.
    let parent = html.split(r#"<li class="parent">"#).nth(1).and_then(|rest| rest.split("</li>").next());
    let parent = parent.expect("a parent row");
    assert!(!parent.contains("class=\"name\""), "{parent}");
    assert!(parent.contains("20812345200014"), "{parent}");
}
