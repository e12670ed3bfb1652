//! The JSON Schema of the config file, generated from the raw types and their doc comments.
//!
//! schemars does most of it; a few touches make it fit a TOML file and an editor: no `null` (TOML has
//! none), doc comments as flowing text, a description on tag properties, and `if`/`then` rules for the
//! tables each connection kind and sink kind needs, generated from the same table the loader checks.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::choices::ConnectionKind;
use crate::raw::RawConfig;
use crate::validate::connection::{Rule, SHAPE_FIELDS, shape};

/// The schema's `$id`, in the same family as the product record's.
const SCHEMA_ID: &str = "https://gdsn-sync.example/schemas/config/1.json";

/// The JSON Schema (draft 2020-12) of the config file, pretty-printed with a final newline: what
/// `schemas/config.schema.json` holds and `gdsn-sync config-schema` prints.
///
/// An optional field is one that may be left out; none may be `null`.
pub fn schema_json() -> String {
    let schema = SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<RawConfig>();
    let mut value = schema.to_value();
    tidy(&mut value);
    if let Value::Object(root) = &mut value {
        root.insert("$id".to_owned(), Value::String(SCHEMA_ID.to_owned()));
        if let Some(Value::Object(defs)) = root.get_mut("$defs") {
            add_rules(defs, "RawConnection", connection_rules());
            add_rules(defs, "RawSink", vec![sink_rule()]);
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Everywhere: drops `null`, joins doc-comment lines, describes tag and single-key properties.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            drop_null_type(object);
            for key in ["anyOf", "oneOf"] {
                drop_null_alternative(object, key);
            }
            if let Some(Value::String(description)) = object.get_mut("description") {
                *description = flow(description);
            }
            describe_properties(object);
            object.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Joins the lines of a doc comment; blank lines stay paragraph breaks.
fn flow(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split('\n').collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Gives a description to the properties serde's enum forms create without one: `kind = "..."` tags,
/// and the single key of `{ env = "..." }`-style variants, which takes its variant's description.
fn describe_properties(object: &mut Map<String, Value>) {
    let variant_description = object.get("description").cloned();
    let Some(Value::Object(properties)) = object.get_mut("properties") else { return };
    let single = properties.len() == 1;
    for property in properties.values_mut() {
        let Value::Object(property) = property else { continue };
        if property.contains_key("description") {
            continue;
        }
        if let Some(Value::String(tag)) = property.get("const") {
            let description = format!("Selects this variant: `{tag}`.");
            property.insert("description".to_owned(), Value::String(description));
        } else if let (true, Some(description)) = (single, &variant_description) {
            property.insert("description".to_owned(), description.clone());
        }
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
    if alternatives.len() == 1
        && let Some(Value::Object(only)) = alternatives.pop()
    {
        object.remove(key);
        for (name, value) in only {
            object.entry(name).or_insert(value);
        }
    }
}

fn add_rules(defs: &mut Map<String, Value>, name: &str, rules: Vec<Value>) {
    if let Some(Value::Object(definition)) = defs.get_mut(name) {
        definition.insert("allOf".to_owned(), Value::Array(rules));
    }
}

/// One `if kind = ... then` rule per connection kind: required tables, and refused ones set to `false`.
fn connection_rules() -> Vec<Value> {
    ConnectionKind::ALL
        .into_iter()
        .map(|kind| {
            let rules = shape(kind);
            let pick = |wanted: Rule| -> Vec<&str> {
                SHAPE_FIELDS
                    .iter()
                    .zip(rules)
                    .filter(|(_, rule)| *rule == wanted)
                    .map(|(field, _)| *field)
                    .collect()
            };
            let refused: Map<String, Value> =
                pick(Rule::Refused).into_iter().map(|field| (field.to_owned(), Value::Bool(false))).collect();
            json!({
                "if": { "properties": { "kind": { "const": kind.as_str() } }, "required": ["kind"] },
                "then": { "required": pick(Rule::Required), "properties": refused }
            })
        })
        .collect()
}

fn sink_rule() -> Value {
    json!({
        "if": { "properties": { "kind": { "const": "opensearch" } }, "required": ["kind"] },
        "then": { "required": ["opensearch"], "properties": { "embedded": false } },
        "else": { "properties": { "opensearch": false } }
    })
}
