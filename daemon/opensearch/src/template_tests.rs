//! The built-in index template against the search documents we build: a field
//! that `search_document` writes but the mapping lacks would be silently
//! unsearchable (`dynamic: false`), so this is checked here.

use serde_json::Value;

use crate::document::search_document;
use crate::document::tests::record;

fn template() -> Value {
    serde_json::from_str(crate::INDEX_TEMPLATE).expect("the template is JSON")
}

/// Paths of every leaf field of a document, `name.en` style; `record` is
/// one object mapped as a whole.
fn field_paths(prefix: &str, value: &Value, out: &mut Vec<String>) {
    let Some(fields) = value.as_object() else { return };
    for (name, child) in fields {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        if child.is_object() && path != "record" {
            field_paths(&path, child, out);
        } else {
            out.push(path);
        }
    }
}

fn mapped(template: &Value, path: &str) -> bool {
    let mut node = &template["mappings"];
    for part in path.split('.') {
        node = &node["properties"][part];
    }
    !node.is_null()
}

#[test]
fn every_document_field_is_mapped() {
    let template = template();
    let mut full = record("00012345678905");
    full["children"] = serde_json::json!([{"gtin": "00012345678912", "quantity": 6}]);
    // The store's stamp (schemas/product-record.schema.json, `sync`).
    full["sync"] =
        serde_json::json!({"version": 7, "applied_at": "2026-11-28T10:00:00Z", "published_at": null});
    let doc = search_document(&full).unwrap();
    let mut paths = Vec::new();
    field_paths("", &doc, &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths {
        assert!(mapped(&template, &path), "{path} is not in the mapping");
    }
}

#[test]
fn the_record_is_stored_not_indexed_and_unknown_fields_are_not_mapped() {
    let template = template();
    let mappings = &template["mappings"];
    assert_eq!(mappings["dynamic"], false);
    assert_eq!(mappings["properties"]["record"]["enabled"], false);
    assert_eq!(mappings["properties"]["gtin_forms"]["type"], "keyword");
}

#[test]
fn every_analyzer_and_normalizer_used_is_defined() {
    let template = template();
    let analysis = &template["settings"]["analysis"];
    let mut used = Vec::new();
    collect_named(&template["mappings"], &mut used);
    assert!(!used.is_empty());
    for (kind, name) in used {
        let table = if kind == "normalizer" { "normalizer" } else { "analyzer" };
        assert!(analysis[table][&name].is_object(), "{kind} {name} is not defined");
    }
    // Every custom filter an analyser names is defined, or is a built-in.
    let built_in = ["lowercase", "asciifolding", "decimal_digit", "arabic_normalization"];
    for (name, analyzer) in analysis["analyzer"].as_object().unwrap() {
        for filter in analyzer["filter"].as_array().unwrap() {
            let filter = filter.as_str().unwrap();
            let known = built_in.contains(&filter) || analysis["filter"][filter].is_object();
            assert!(known, "analyzer {name}: filter {filter} is not defined");
        }
    }
}

fn collect_named(node: &Value, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(fields) => {
            for (key, value) in fields {
                if matches!(key.as_str(), "analyzer" | "normalizer")
                    && let Some(name) = value.as_str()
                {
                    out.push((key.clone(), name.to_owned()));
                } else {
                    collect_named(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_named(item, out)),
        _ => {}
    }
}
