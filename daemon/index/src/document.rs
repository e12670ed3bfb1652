//! From a product record (JSON) to the tantivy document that indexes it,
//! and the tombstone that stands for a deleted key.
//!
//! The record is stored verbatim (its JSON text) and returned as published;
//! only the search fields are derived from it. A record is read leniently:
//! every field but `gtin` may be missing, null or of another shape (the
//! record schema can grow, and a `sync` object is added by the publisher),
//! and is then simply not indexed.

use gdsn_model::ids::Gtin;
use serde_json::{Map, Value};
use tantivy::TantivyDocument;
use tantivy::schema::Schema;

use crate::analysis;
use crate::schema::{self, Fields};

/// Why a record cannot be indexed (it goes to the dead-letter list).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The record is not a JSON object.
    #[error("record is not a JSON object")]
    NotAnObject,
    /// No `gtin` string.
    #[error("record has no gtin")]
    MissingGtin,
    /// A `gtin` that is not a valid GTIN.
    #[error("record gtin is invalid: {0}")]
    BadGtin(String),
}

/// The language maps of a record: every field that is `{language: text}`.
const LANG_MAPS: [&str; 4] =
    ["descriptions", "short_descriptions", "functional_names", "variant_descriptions"];

/// Builds this crate's documents outside a sink: for tools and for the
/// benchmark's baseline (plain tantivy indexing of the same documents).
#[derive(Debug, Clone)]
pub struct DocumentBuilder {
    schema: Schema,
    fields: Fields,
}

impl DocumentBuilder {
    /// The builder for this crate's schema.
    pub fn new() -> DocumentBuilder {
        let (schema, fields) = schema::build();
        DocumentBuilder { schema, fields }
    }

    /// The schema the documents follow (create an index with it and call
    /// [`crate::register_analysers`] on it).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The document [`crate::IndexSink::publish`] writes for an upsert.
    pub fn document(&self, key: &str, version: u64, record: &Value) -> Result<TantivyDocument, RecordError> {
        document_of(&self.fields, key, version, record)
    }
}

impl Default for DocumentBuilder {
    fn default() -> DocumentBuilder {
        DocumentBuilder::new()
    }
}

/// The document for a live record of `key` at `version`.
pub(crate) fn document_of(
    fields: &Fields,
    key: &str,
    version: u64,
    record: &Value,
) -> Result<TantivyDocument, RecordError> {
    let object = record.as_object().ok_or(RecordError::NotAnObject)?;
    let gtin = object.get("gtin").and_then(Value::as_str).ok_or(RecordError::MissingGtin)?;
    let gtin = Gtin::parse(gtin).map_err(|e| RecordError::BadGtin(e.to_string()))?;
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.key, key);
    doc.add_u64(fields.version, version);
    doc.add_bool(fields.deleted, false);
    // Serialising a Value cannot fail (its keys are strings).
    doc.add_text(fields.record, serde_json::to_string(record).unwrap_or_default());
    doc.add_text(fields.gtin, gtin.as_str());
    for short in gtin.short_forms() {
        doc.add_text(fields.gtin, short);
    }
    add_market(fields, object, &mut doc);
    add_brand(fields, object, &mut doc);
    add_parties(fields, object, &mut doc);
    add_texts(fields, object, &mut doc);
    Ok(doc)
}

/// The tombstone of a deleted key: no search field, so no query finds it,
/// but its version keeps an older upsert from bringing the key back.
pub(crate) fn tombstone(fields: &Fields, key: &str, version: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.key, key);
    doc.add_u64(fields.version, version);
    doc.add_bool(fields.deleted, true);
    doc
}

fn string<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn add_market(fields: &Fields, object: &Map<String, Value>, doc: &mut TantivyDocument) {
    let Some(country) = string(object, "target_market") else {
        return;
    };
    doc.add_text(fields.market_filter, country);
    match string(object, "target_market_subdivision") {
        Some(sub) => {
            let full = format!("{country}/{sub}");
            doc.add_text(fields.market_filter, &full);
            doc.add_text(fields.market, full);
        }
        None => doc.add_text(fields.market, country),
    }
}

fn add_brand(fields: &Fields, object: &Map<String, Value>, doc: &mut TantivyDocument) {
    if let Some(brand) = string(object, "brand_name") {
        doc.add_text(fields.brand, brand);
        doc.add_text(fields.brand_filter, brand);
        doc.add_text(fields.names, brand);
    }
    if let Some(sub) = string(object, "sub_brand") {
        doc.add_text(fields.names, sub);
    }
    if let Some(gpc) = object.get("gpc_brick").and_then(Value::as_object) {
        if let Some(code) = string(gpc, "code") {
            doc.add_text(fields.gpc, code);
        }
        // GPC brick names are English (GS1 publishes them in English).
        if let Some(name) = string(gpc, "name") {
            doc.add_text(fields.text_for(analysis::EN), name);
        }
    }
}

/// Provider, brand owner and manufacturer names are searchable: an officer
/// often knows the company, not the product's wording.
fn add_parties(fields: &Fields, object: &Map<String, Value>, doc: &mut TantivyDocument) {
    if let Some(provider) = object.get("information_provider").and_then(Value::as_object)
        && let Some(gln) = string(provider, "gln")
    {
        doc.add_text(fields.provider_gln, gln);
    }
    let manufacturers = object.get("manufacturers").and_then(Value::as_array).into_iter().flatten();
    let parties = [object.get("information_provider"), object.get("brand_owner")].into_iter().flatten();
    for party in parties.chain(manufacturers).filter_map(Value::as_object) {
        if let Some(name) = string(party, "name") {
            doc.add_text(fields.names, name);
        }
    }
}

fn add_texts(fields: &Fields, object: &Map<String, Value>, doc: &mut TantivyDocument) {
    for map in LANG_MAPS.iter().filter_map(|name| object.get(*name)?.as_object()) {
        for (language, text) in map {
            if let Some(text) = text.as_str() {
                doc.add_text(fields.text_for(analysis::analyser_for(language)), text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tantivy::schema::Value as _;

    use super::*;

    fn texts(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
        doc.get_all(field).filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    #[test]
    fn routes_fields() {
        let (_, f) = schema::build();
        let record = json!({
            "gtin": "00000096385074", "target_market": "840", "target_market_subdivision": "US-CA",
            "brand_name": " Acme ", "sub_brand": null,
            "descriptions": {"en": "Blue widgets", "de": "Blaue Dinger", "ar-eg": "عطر"},
            "gpc_brick": {"code": "10000251", "name": "Perfumes"},
            "information_provider": {"gln": "0812345000009", "name": "Acme Inc"},
            "manufacturers": [{"gln": null, "name": "Acme Works"}, 3]
        });
        let doc = document_of(&f, "k", 7, &record).unwrap();
        assert_eq!(texts(&doc, f.gtin), ["00000096385074", "96385074", "000096385074", "0000096385074"]);
        assert_eq!(texts(&doc, f.market), ["840/US-CA"]);
        assert_eq!(texts(&doc, f.market_filter), ["840", "840/US-CA"]);
        assert_eq!(texts(&doc, f.brand), ["Acme"]);
        assert_eq!(texts(&doc, f.names), ["Acme", "Acme Inc", "Acme Works"]);
        assert_eq!(texts(&doc, f.text_for(analysis::EN)), ["Perfumes", "Blue widgets"]);
        assert_eq!(texts(&doc, f.text_for(analysis::AR)), ["عطر"]);
        assert_eq!(texts(&doc, f.text_for(analysis::FOLDED)), ["Blaue Dinger"]);
        assert_eq!(texts(&doc, f.provider_gln), ["0812345000009"]);
    }

    #[test]
    fn rejects_what_cannot_be_keyed() {
        let (_, f) = schema::build();
        assert_eq!(document_of(&f, "k", 1, &json!([1])).unwrap_err(), RecordError::NotAnObject);
        assert_eq!(document_of(&f, "k", 1, &json!({"gtin": 5})).unwrap_err(), RecordError::MissingGtin);
        assert!(matches!(document_of(&f, "k", 1, &json!({"gtin": "123"})), Err(RecordError::BadGtin(_))));
    }
}
