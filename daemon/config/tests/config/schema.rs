//! `schemas/config.schema.json` must be exactly what [`gdsn_config::schema_json`] generates.
//!
//! The schema is generated from the raw config types and their doc comments, so a new or changed field
//! changes it; this test makes that visible in review.
//! `UPDATE_EXPECT=1 cargo test -p gdsn-config --test config schema` rewrites the file.

use std::path::PathBuf;

fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/config.schema.json")
}

#[test]
fn committed_schema_matches_the_generated_one() {
    let generated = gdsn_config::schema_json();
    let path = schema_file();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the config types; regenerate it with\n    UPDATE_EXPECT=1 cargo test -p gdsn-config --test config schema\nand review the diff",
        path.display()
    );
}

#[test]
fn schema_describes_every_field_and_refuses_unknown_ones() {
    let schema: serde_json::Value = serde_json::from_str(&gdsn_config::schema_json()).unwrap();
    let mut objects = Vec::new();
    collect_objects(&schema, "#", &mut objects);
    assert!(objects.len() > 20, "expected the raw types' objects, found {}", objects.len());
    for (at, object) in objects {
        assert_eq!(object.get("additionalProperties"), Some(&serde_json::Value::Bool(false)), "{at}");
        for (name, property) in object["properties"].as_object().unwrap() {
            let described =
                property.get("description").and_then(|d| d.as_str()).is_some_and(|d| !d.is_empty());
            assert!(described, "{at}.{name} has no description");
        }
    }
}

/// Every schema object that defines `properties`, with where it is.
fn collect_objects<'a>(
    value: &'a serde_json::Value,
    at: &str,
    found: &mut Vec<(String, &'a serde_json::Value)>,
) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("properties") {
                found.push((at.to_owned(), value));
            }
            // The `if`/`then` rules of `allOf` restate fields; they are not object definitions.
            for (key, child) in map.iter().filter(|(key, _)| *key != "allOf") {
                collect_objects(child, &format!("{at}/{key}"), found);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_objects(child, &format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}
