//! Helpers shared by the integration tests: records from the conformance
//! cases (parsed exactly as `gdsn-sync parse` does), hand-made records
//! shaped like the schema, changes, and a sink in a temporary directory.

#![allow(dead_code, unreachable_pub, missing_docs)] // each test binary uses a part

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use gdsn_index::{IndexDir, IndexSink, SinkOptions};
use gdsn_sink::{Change, Op};
use gdsn_xml::ParseOptions;
use serde_json::{Value, json};

/// The conformance case folder whose name starts with `prefix` (`0001`).
pub fn case_dir(prefix: &str) -> PathBuf {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("conformance cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .collect();
    assert_eq!(dirs.len(), 1, "one case named {prefix}*");
    dirs.remove(0)
}

/// The records of every accepted document of a case, as (key, record JSON).
pub fn case_records(prefix: &str) -> Vec<(String, Value)> {
    let input = case_dir(prefix).join("input.xml");
    let reader = BufReader::new(File::open(&input).expect("input.xml"));
    let mut out = Vec::new();
    gdsn_xml::parse(reader, &ParseOptions::default(), |doc| {
        for record in doc.records.iter().filter(|_| doc.accepted) {
            let key = record.key().expect("record key").to_string();
            out.push((key, serde_json::to_value(record).expect("record JSON")));
        }
        ControlFlow::Continue(())
    });
    assert!(!out.is_empty(), "case {prefix} has records");
    out
}

/// The conformance cases the search tests load, in this order (a later
/// case replaces an earlier one's key: 0010 replaces 0007's paracetamol).
pub const CORPUS: [&str; 9] = ["0001", "0002", "0006", "0007", "0008", "0010", "0011", "0042", "0043"];

/// Upserts of every record of `cases`, seq = version = 1, 2, ...
pub fn corpus_changes(cases: &[&str]) -> Vec<Change> {
    let records = cases.iter().flat_map(|c| case_records(c));
    records.enumerate().map(|(i, (key, record))| upsert(i as u64 + 1, i as u64 + 1, &key, record)).collect()
}

pub fn upsert(seq: u64, version: u64, key: &str, record: Value) -> Change {
    Change { seq, key: key.to_owned(), version, op: Op::Upsert(record) }
}

pub fn delete(seq: u64, version: u64, key: &str) -> Change {
    Change { seq, key: key.to_owned(), version, op: Op::Delete }
}

/// A GTIN-14 with a valid check digit from 13 payload digits.
pub fn gtin(payload: u64) -> String {
    let digits = format!("{payload:013}");
    let check = gdsn_model::ids::check_digit(digits.as_bytes());
    format!("{digits}{check}")
}

/// A record shaped like the schema (the fields the index reads, plus a few
/// it ignores), with an English description.
pub fn record(gtin: &str, market: &str, brand: &str, description: &str) -> Value {
    json!({
        "schema_version": 1,
        "gtin": gtin,
        "target_market": market,
        "target_market_subdivision": null,
        "state": "REGISTERED",
        "information_provider": {"gln": "4012345000009", "name": "Testhaus GmbH"},
        "brand_owner": null,
        "manufacturers": [],
        "brand_name": brand,
        "sub_brand": null,
        "descriptions": {"en": description},
        "short_descriptions": {},
        "functional_names": {},
        "variant_descriptions": {},
        "gpc_brick": {"code": "10000251", "name": null},
        "net_contents": [],
        "sync": {"version": 1, "applied_at": "2026-11-28T10:00:00Z", "published_at": null}
    })
}

/// The key of a hand-made record.
pub fn key(gtin: &str, market: &str) -> String {
    format!("4012345000009/{gtin}/{market}")
}

/// A fresh index directory with its sink.
pub fn fresh() -> (tempfile::TempDir, IndexDir, IndexSink) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = IndexDir::new(tmp.path().join("index"));
    let sink = dir.open_sink(SinkOptions::default()).expect("open sink");
    (tmp, dir, sink)
}

/// The GTINs of records, in order.
pub fn gtins(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["gtin"].as_str().unwrap_or_default().to_owned()).collect()
}
