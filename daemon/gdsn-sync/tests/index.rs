//! `ingest` publishes into the embedded index; `lookup`, `search`,
//! `publish`, `dead-letters` and `reindex` over a real store and a real
//! tantivy index in a temporary data directory.

use std::process::Output;

mod support;

use support::{case, run};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    stdout(out).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn ingested(cases: &[&str]) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("temp dir");
    let mut args = vec!["ingest".to_owned()];
    args.extend(cases.iter().map(|c| case(c).to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(data.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("published 4 changes to the index"), "{}", stdout(&out));
    data
}

#[test]
fn lookup_right_after_ingest_finds_every_code_form() {
    let data = ingested(&["0001_cin_single_each", "0002_cin_pallet_case_each"]);
    let gtin = "03012345100014";
    for code in [
        gtin,
        "3012345100014",
        &format!("(01){gtin}"),
        &format!("]C101{gtin}"),
        &format!("https://id.example.com/01/{gtin}"),
    ] {
        let out = run(data.path(), &["lookup", code]);
        assert_eq!(out.status.code(), Some(0), "{code}: {}", String::from_utf8_lossy(&out.stderr));
        let records = lines(&out);
        assert_eq!(records.len(), 1, "{code}");
        assert_eq!(records[0]["gtin"], gtin);
        assert!(records[0]["sync"]["published_at"].is_string(), "{}", records[0]);
    }
    let out = run(data.path(), &["lookup", "03012345100014", "--market", "999"]);
    assert_eq!(out.status.code(), Some(1), "another market: nothing");
    let out = run(data.path(), &["lookup", "03012345100015"]);
    assert_eq!(out.status.code(), Some(2), "a wrong check digit is a bad code");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("check digit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn search_finds_arabic_and_russian_words_and_deletes_disappear() {
    let data = ingested(&["0001_cin_single_each", "0002_cin_pallet_case_each"]);
    for (query, lang) in [("عطر", None), ("парфюмерной", Some("ru")), ("Lumière", None)] {
        let mut args = vec!["search", query];
        if let Some(lang) = lang {
            args.extend(["--lang", lang]);
        }
        let out = run(data.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{query}: {}", String::from_utf8_lossy(&out.stderr));
        let hits = lines(&out);
        assert!(hits.iter().any(|h| h["record"]["gtin"] == "03012345100014"), "{query}: {hits:?}");
    }
    // A DELETE of the item: gone from lookup and search once published.
    let out = run(data.path(), &["ingest", &case("0005_cin_delete").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(run(data.path(), &["lookup", "03012345100014"]).status.code(), Some(1));
    let out = run(data.path(), &["search", "عطر"]);
    assert!(lines(&out).iter().all(|h| h["record"]["gtin"] != "03012345100014"));
}

#[test]
fn no_publish_leaves_the_outbox_and_publish_drains_it() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = run(data.path(), &["ingest", "--no-publish", &case("0001_cin_single_each").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("outbox 1"), "{}", stdout(&out));
    // Nothing published yet: the index does not even exist, so nothing matches.
    let out = run(data.path(), &["lookup", "03012345100014"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing has been published"));
    let out = run(data.path(), &["publish"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).contains("published 1 changes") && stdout(&out).contains("outbox 0"),
        "{}",
        stdout(&out)
    );
    assert_eq!(run(data.path(), &["lookup", "03012345100014"]).status.code(), Some(0));
    let out = run(data.path(), &["dead-letters"]);
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(0), ""));
}

#[test]
fn reindex_builds_a_new_generation_that_serves_the_same_records() {
    let data = ingested(&["0001_cin_single_each", "0002_cin_pallet_case_each"]);
    let before = lines(&run(data.path(), &["lookup", "03012345100014"]));
    let out = run(data.path(), &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("reindexed 4 records into generation gen-000002"), "{}", stdout(&out));
    let after = lines(&run(data.path(), &["lookup", "03012345100014"]));
    assert_eq!(before.len(), after.len());
    assert_eq!(before[0]["sync"]["version"], after[0]["sync"]["version"]);
    let current = std::fs::read_to_string(data.path().join("index/CURRENT")).expect("CURRENT");
    assert!(current.contains("gen-000002"), "{current}");
}
