//! Search: each language's analyser finds the right product, the language
//! restriction, GTIN and scanned codes in the query, filters and facets,
//! and cursor paging that returns every hit exactly once.

mod common;

use std::collections::BTreeSet;

use common::{CORPUS, corpus_changes, fresh, gtin, key, record, upsert};
use gdsn_index::{IndexDir, IndexError, SearchHandle, SearchRequest, SearchResponse};

fn corpus() -> (tempfile::TempDir, IndexDir, SearchHandle) {
    let (tmp, dir, mut sink) = fresh();
    sink.publish(&corpus_changes(&CORPUS)).expect("publish the corpus");
    let reader = dir.open_reader().expect("reader");
    (tmp, dir, reader)
}

fn request(q: &str, lang: Option<&str>) -> SearchRequest {
    SearchRequest { q: q.into(), lang: lang.map(str::to_owned), ..SearchRequest::default() }
}

/// The GTIN/market of each hit, sorted (ranking is not what these check).
fn found(response: &SearchResponse) -> Vec<String> {
    let mut out: Vec<String> = response
        .hits
        .iter()
        .map(|h| {
            format!(
                "{}/{}",
                h.record["gtin"].as_str().unwrap_or("-"),
                h.record["target_market"].as_str().unwrap_or("-")
            )
        })
        .collect();
    out.sort();
    out
}

/// (query, lang, what must be found). The texts are the conformance
/// corpus's; comments say which word matches which.
const LANGUAGE_CASES: &[(&str, Option<&str>, &[&str])] = &[
    // Arabic: "مسكنة" (analgesic) in the paracetamol's functional name.
    ("مسكنة", Some("ar"), &["06221234100500/818"]),
    // ... with tashkeel, and with tatweel.
    ("مُسَكِّنَة", Some("ar"), &["06221234100500/818"]),
    ("مسـكـنة", None, &["06221234100500/818"]),
    // The text has "أقراص" (hamza on alef); typed without hamza, and with alef madda.
    ("اقراص", Some("ar"), &["06221234100500/818"]),
    ("آقراص", Some("ar"), &["06221234100500/818"]),
    // "ماء عطر" (eau de parfum): the perfume and the oud.
    ("مَاء عِطْر", Some("ar-AE"), &["03012345100014/250", "06291234000018/784"]),
    // Russian: the text has "Наушники" (headphones, plural); singular and genitive.
    ("наушник", Some("ru"), &["00812345200010/840"]),
    ("наушников", Some("ru"), &["00812345200010/840"]),
    // "флакон" (bottle) in the perfume; the plural "флаконы".
    ("флаконы", Some("ru"), &["03012345100014/250"]),
    // "Сигареты" -> the singular "сигарета" (0007's cigarettes pack).
    ("сигарета", Some("ru"), &["04601234000208/643"]),
    // French, accent-insensitive: "paracétamol", "comprimés", "boîtier", "doré".
    ("paracetamol comprime", Some("fr"), &["06221234100500/818"]),
    ("BOITIER", Some("fr"), &["07612345004013/056"]),
    ("bouchon dore", Some("fr"), &["03012345100014/250"]),
    // English plural through the stemmer: "tablets", "headphones".
    ("tablet", Some("en"), &["06221234100500/818"]),
    (
        "headphone",
        Some("en"),
        &["00812345200010/276", "00812345200010/840", "10812345200017/276", "50812345200015/276"],
    ),
    // German (no analyser of its own: folded): "Kopfhörer", "Laufschuh".
    ("kopfhorer", Some("de"), &["00812345200010/276", "00812345200010/840"]),
    ("Laufschuh", Some("de"), &["04012345300437/276"]),
    // Spanish: "Pilas alcalinas", "Pila alcalina": exact folded words.
    ("pilas", Some("es"), &["00000095002170/840"]),
    ("alcalina", None, &["00000095002170/840"]),
    // Dutch: "Polshorloge".
    ("polshorloge", Some("nl"), &["07612345004013/056"]),
    // Without lang, words may match in different languages' fields.
    ("Kopfhörer wireless", None, &["00812345200010/276", "00812345200010/840"]),
];

#[test]
fn each_language_finds_its_product() {
    let (_tmp, _dir, reader) = corpus();
    for (q, lang, expected) in LANGUAGE_CASES {
        let response = reader.search(&request(q, *lang)).unwrap();
        assert_eq!(found(&response), *expected, "q={q:?} lang={lang:?}");
        assert_eq!(response.total, expected.len() as u64, "q={q:?} lang={lang:?}");
    }
}

#[test]
fn lang_restricts_the_text_but_not_names_or_gtins() {
    let (_tmp, _dir, reader) = corpus();
    let count = |q: &str, lang: Option<&str>| reader.search(&request(q, lang)).unwrap().total;
    assert_eq!(count("headphones", Some("ru")), 0, "English word, Russian field");
    assert_eq!(count("наушники", Some("en")), 0, "Russian word, English field");
    assert_eq!(count("наушники", None), 1);
    // Brand and party names are in no one language.
    assert_eq!(count("VoltEdge", Some("ru")), 2);
    assert_eq!(count("северный ветер", Some("de")), 2, "Cyrillic brand, folded");
    assert_eq!(count("Maison Lumière", Some("ar")), 1, "brand typed with its accent");
    assert_eq!(count("maison lumiere", None), 1);
    assert_eq!(count("grasse", None), 1, "manufacturer name");
    // GTIN digits and scanned codes, whatever the language.
    assert_eq!(count("95002170", Some("fr")), 1);
    assert_eq!(count("03012345100014", None), 1);
    assert_eq!(count("(01)03012345100014(10)LOT1", None), 1);
    assert_eq!(count("https://id.gs1.example/01/00000095002170", Some("en")), 1);
    // Punctuation only: nothing, rather than everything.
    assert_eq!(count("&& --", None), 0);
    assert_eq!(count("ArcPro nothinglikethis", None), 0, "every word must match");
}

#[test]
fn filters_and_facets() {
    let (_tmp, _dir, reader) = corpus();
    let browse = |market: Option<&str>, brand: Option<&str>, gpc: Option<&str>| {
        reader
            .search(&SearchRequest {
                market: market.map(str::to_owned),
                brand: brand.map(str::to_owned),
                gpc: gpc.map(str::to_owned),
                limit: 100,
                ..SearchRequest::default()
            })
            .unwrap()
    };
    let all = browse(None, None, None);
    // 15 records, 14 keys: 0010 replaced 0007's paracetamol.
    assert_eq!(all.total, 14, "every live record of the corpus");
    assert_eq!(all.hits.len(), 14);
    assert!(all.hits.iter().all(|h| h.score == 0.0), "browsing does not score");
    let keys: Vec<&str> = all.hits.iter().map(|h| h.key.as_str()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "equal scores page in key order");
    assert_eq!(all.facets.market["276"], 5);
    assert_eq!(all.facets.market["840/US-CA"], 1);
    assert_eq!(all.facets.market["840"], 2);
    assert_eq!(all.facets.brand["SonicArc"], 4);
    assert_eq!(all.facets.brand["Северный ветер"], 2);
    assert_eq!(all.facets.gpc["10000251"], 2);

    let germany = browse(Some("276"), None, None);
    assert_eq!(germany.total, 5);
    assert_eq!(
        germany.facets.brand.iter().map(|(b, n)| (b.as_str(), *n)).collect::<Vec<_>>(),
        [("SonicArc", 3), ("Velocita", 2)]
    );
    assert_eq!(browse(Some("840"), None, None).total, 3, "a country includes its subdivisions");
    assert_eq!(browse(Some("840/us-ca"), None, None).total, 1);
    assert_eq!(browse(None, Some("sonicarc"), None).total, 4, "brand filter ignores case");
    assert_eq!(browse(None, Some("MAISON LUMIERE"), None).total, 1, "and accents");
    assert_eq!(browse(None, Some("Sonic"), None).total, 0, "but takes the whole value");
    assert_eq!(browse(Some("276"), Some("SonicArc"), Some("10001296")).total, 3);
    assert_eq!(browse(Some("840"), Some("SonicArc"), Some("10001296")).total, 1);

    // Filters combine with text; facets count the whole result, not the page.
    let response = reader
        .search(&SearchRequest {
            q: "headphones".into(),
            market: Some("276".into()),
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(response.total, 3);
    assert_eq!(response.hits.len(), 1);
    assert_eq!(response.facets.market.get("276"), Some(&3));
    assert!(response.next_cursor.is_some());
}

/// 300 records matching "widget" with varied scores (1 to 4 mentions in
/// descriptions of varied length) and many ties, in several segments;
/// paged 7 at a time, with text and without, every hit comes back exactly
/// once, in order.
#[test]
fn cursor_paging_returns_every_hit_once() {
    let (_tmp, dir, mut sink) = fresh();
    let batch: Vec<_> = (0..300u64)
        .map(|i| {
            let g = gtin(4_000_000_000_000 + i);
            let text = format!(
                "{} blue{}",
                "widget ".repeat((i % 4 + 1) as usize),
                " filler".repeat((i % 3) as usize)
            );
            let market = ["250", "276", "840"][(i % 3) as usize];
            upsert(i + 1, i + 1, &key(&g, market), record(&g, market, "Acme", &text))
        })
        .collect();
    // Several commits, so hits come from several segments whose key
    // dictionaries differ.
    for chunk in batch.chunks(45) {
        sink.publish(chunk).unwrap();
    }
    let reader = dir.open_reader().unwrap();
    for (q, market, expected) in [("widget", None, 300), ("widgets blue", Some("276"), 100), ("", None, 300)]
    {
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = reader
                .search(&SearchRequest {
                    q: q.into(),
                    market: market.map(str::to_owned),
                    limit: 7,
                    cursor: cursor.take(),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(page.total, expected, "{q}");
            pages += 1;
            for hit in &page.hits {
                assert!(seen.insert(hit.key.clone()), "{q}: {} twice", hit.key);
                order.push((hit.score, hit.key.clone()));
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len() as u64, expected, "{q}");
        assert_eq!(pages, (expected as usize).div_ceil(7), "{q}: no empty last page");
        assert!(
            order.windows(2).all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)),
            "{q}: score descending, then key"
        );
    }
}

#[test]
fn cursors_are_checked() {
    let (_tmp, _dir, reader) = corpus();
    let first =
        reader.search(&SearchRequest { q: "headphones".into(), limit: 1, ..Default::default() }).unwrap();
    let cursor = first.next_cursor.unwrap();
    let other = SearchRequest { q: "tablets".into(), cursor: Some(cursor.clone()), ..Default::default() };
    assert!(matches!(reader.search(&other), Err(IndexError::BadCursor(_))));
    let broken = SearchRequest { q: "headphones".into(), cursor: Some("zz".into()), ..Default::default() };
    assert!(matches!(reader.search(&broken), Err(IndexError::BadCursor(_))));
    let next = SearchRequest { q: "headphones".into(), limit: 1, cursor: Some(cursor), ..Default::default() };
    let second = reader.search(&next).unwrap();
    assert_ne!(second.hits[0].key, first.hits[0].key);
}
