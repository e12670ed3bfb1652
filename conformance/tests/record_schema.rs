//! Checks the record contract: every product record the parser outputs for
//! the conformance cases validates against
//! `schemas/product-record.schema.json` (JSON Schema draft 2020-12, with
//! `format` asserted), and the schema really rejects records that break it.
//!
//! A field added to `ProductRecord` or `ItemFacts` without a schema update
//! fails here, because every object in the schema has
//! `additionalProperties: false` and lists all its fields as required.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use gdsn_xml::ParseOptions;
use jsonschema::Validator;
use serde_json::{Value, json};

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/product-record.schema.json");
const CASES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");

/// The schema's published identifier; bumped together with `schema_version`.
const SCHEMA_ID: &str = "https://gdsn-sync.example/schemas/product-record/1.json";

fn schema() -> Value {
    let text = std::fs::read_to_string(SCHEMA_PATH).expect("schema file readable");
    serde_json::from_str(&text).expect("schema file is JSON")
}

/// A draft 2020-12 validator that asserts `format` (`date-time`) and refuses
/// unknown format names, so a typo in the schema cannot silently pass.
fn validator() -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(false)
        .build(&schema())
        .expect("schema compiles as draft 2020-12")
}

/// Every case folder with an `input.xml`, in name order.
fn case_inputs() -> Vec<(String, PathBuf)> {
    let mut inputs: Vec<(String, PathBuf)> = std::fs::read_dir(CASES_DIR)
        .expect("cases folder readable")
        .map(|entry| entry.expect("cases folder entry").path())
        .filter(|dir| dir.join("input.xml").is_file())
        .map(|dir| {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name, dir.join("input.xml"))
        })
        .collect();
    inputs.sort();
    inputs
}

/// The records of every document of one message, serialized as serde emits them.
fn records_of(input: &Path) -> Vec<Value> {
    let file = File::open(input).expect("case input readable");
    let mut records = Vec::new();
    gdsn_xml::parse(BufReader::new(file), &ParseOptions::default(), |doc| {
        records.extend(doc.records.iter().map(|r| serde_json::to_value(r).expect("record serializes")));
        ControlFlow::Continue(())
    });
    records
}

/// One line per schema violation: `instance path: message`.
fn violations(validator: &Validator, record: &Value) -> Vec<String> {
    validator
        .iter_errors(record)
        .map(|e| format!("{}: {e}", display_path(e.instance_path.as_str())))
        .collect()
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

/// The first record of case 0001 (the fully populated perfume), a known-good base.
fn good_record() -> Value {
    let (_, input) =
        case_inputs().into_iter().find(|(name, _)| name.starts_with("0001_")).expect("case 0001 present");
    records_of(&input).into_iter().next().expect("case 0001 has a record")
}

#[test]
fn schema_is_draft_2020_12_with_the_current_version() {
    let schema = schema();
    assert!(
        jsonschema::draft202012::meta::is_valid(&schema),
        "schema does not validate against the 2020-12 meta-schema"
    );
    assert_eq!(schema["$schema"], json!("https://json-schema.org/draft/2020-12/schema"));
    assert_eq!(schema["$id"], json!(SCHEMA_ID));
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        json!(gdsn_model::record::SCHEMA_VERSION),
        "schema_version const differs from gdsn_model::record::SCHEMA_VERSION"
    );
}

#[test]
fn every_case_record_validates() {
    let validator = validator();
    let mut checked = 0usize;
    let mut failures = String::new();
    for (case, input) in case_inputs() {
        for record in records_of(&input) {
            checked += 1;
            let gtin = record.get("gtin").and_then(Value::as_str).unwrap_or("?").to_owned();
            for violation in violations(&validator, &record) {
                let _ = writeln!(failures, "{case} gtin {gtin} at {violation}");
            }
        }
    }
    assert!(failures.is_empty(), "records that break schemas/product-record.schema.json:\n{failures}");
    assert!(checked > 20, "only {checked} records checked: the test would pass vacuously");
}

#[test]
fn schema_rejects_broken_records() {
    let validator = validator();
    let good = good_record();
    let ok = violations(&validator, &good);
    assert!(ok.is_empty(), "the base record itself is invalid: {ok:?}");
    let mut stamped = good.clone();
    stamped["sync"] = json!({ "version": 7, "applied_at": "2026-11-28T10:00:00Z", "published_at": null });
    let ok = violations(&validator, &stamped);
    assert!(ok.is_empty(), "a record with the store's sync stamp is invalid: {ok:?}");

    type Breakage = (&'static str, &'static str, fn(&mut Value));
    let breakages: &[Breakage] = &[
        ("short gtin", "/gtin", |r| r["gtin"] = json!("123")),
        ("unknown top-level field", "/", |r| {
            r.as_object_mut().expect("record is an object").insert("colour".into(), json!("red"));
        }),
        ("unknown nested field", "/source", |r| {
            r["source"]
                .as_object_mut()
                .expect("source is an object")
                .insert("received_at".into(), json!(null));
        }),
        ("sync version not a number", "/sync/version", |r| {
            r["sync"] = json!({ "version": "7", "applied_at": "2026-11-28T10:00:00Z", "published_at": null });
        }),
        ("sync without applied_at", "/sync", |r| {
            r["sync"] = json!({ "version": 7, "published_at": null });
        }),
        ("missing field", "/", |r| {
            r.as_object_mut().expect("record is an object").remove("dates");
        }),
        ("null where serde never emits one", "/manufacturers", |r| r["manufacturers"] = json!(null)),
        ("wrong schema version", "/schema_version", |r| r["schema_version"] = json!(2)),
        ("two-digit target market", "/target_market", |r| r["target_market"] = json!("56")),
        ("lower-case subdivision", "/target_market_subdivision", |r| {
            r["target_market_subdivision"] = json!("us-ca");
        }),
        ("upper-case language key", "/descriptions", |r| r["descriptions"]["EN"] = json!("Perfume")),
        ("timestamp with offset", "/dates/last_change", |r| {
            r["dates"]["last_change"] = json!("2025-02-03T10:15:00+01:00");
        }),
        // Matches the timestamp pattern: only the `date-time` format assertion catches it.
        ("impossible date", "/dates/effective", |r| r["dates"]["effective"] = json!("2025-02-30T00:00:00Z")),
        ("unknown command", "/source/command", |r| r["source"]["command"] = json!("UPSERT")),
        ("negative quantity", "/children/0/quantity", |r| {
            r["children"] = json!([{ "gtin": "03012345100014", "quantity": -1 }]);
        }),
        ("measure as a number", "/gross_weight", |r| r["gross_weight"] = json!(412)),
    ];
    let mut failures = String::new();
    for (what, path, breakage) in breakages {
        let mut record = good.clone();
        breakage(&mut record);
        let errors: Vec<(String, String)> = validator
            .iter_errors(&record)
            .map(|e| (display_path(e.instance_path.as_str()).to_owned(), e.to_string()))
            .collect();
        if errors.is_empty() {
            let _ = writeln!(failures, "{what}: accepted");
        } else if !errors.iter().any(|(at, _)| at == path) {
            let _ = writeln!(failures, "{what}: rejected, but not at {path}: {errors:?}");
        }
    }
    assert!(failures.is_empty(), "the schema does not constrain:\n{failures}");
}
