//! The JSON Schema of the config file, generated from the raw types and their doc comments.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::raw::RawConfig;

/// The schema's `$id`, in the same family as the product record's.
const SCHEMA_ID: &str = "https://gdsn-sync.example/schemas/config/1.json";

/// The JSON Schema (draft 2020-12) of the config file, pretty-printed with a final newline: what
/// `schemas/config.schema.json` holds and `gdsn-sync config-schema` prints.
///
/// TOML has no null, so the `null` that schemars adds for optional fields is taken out: an optional
/// field is one that may be left out.
pub fn schema_json() -> String {
    let schema = SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<RawConfig>();
    let mut value = schema.to_value();
    drop_nulls(&mut value);
    if let Value::Object(root) = &mut value {
        root.insert("$id".to_owned(), Value::String(SCHEMA_ID.to_owned()));
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Removes `null` from `type` lists and `{"type": "null"}` from `anyOf`/`oneOf`, everywhere.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(object) => {
            drop_null_type(object);
            for key in ["anyOf", "oneOf"] {
                drop_null_alternative(object, key);
            }
            object.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn drop_null_type(object: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = object.get_mut("type") else { return };
    types.retain(|kind| kind != "null");
    if let [only] = types.as_slice() {
        let only = only.clone();
        object.insert("type".to_owned(), only);
    }
}

/// Drops the null alternative; a single alternative left is merged into the object itself.
fn drop_null_alternative(object: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(alternatives)) = object.get_mut(key) else { return };
    let is_null = |alternative: &Value| alternative.get("type").is_some_and(|kind| kind == "null");
    if !alternatives.iter().any(is_null) {
        return;
    }
    alternatives.retain(|alternative| !is_null(alternative));
    if alternatives.len() == 1 {
        if let Some(Value::Object(only)) = alternatives.pop() {
            object.remove(key);
            for (name, value) in only {
                object.entry(name).or_insert(value);
            }
        }
    }
}
