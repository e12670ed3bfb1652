//! The document indexed for one product record: the search fields the index
//! template maps, derived here in one place, plus the record itself, stored
//! but not indexed.

use serde_json::{Map, Value, json};

/// The languages with their own analyser in the index template; every
/// other language goes to the folded `other` field.
pub const ANALYSED_LANGUAGES: [&str; 4] = ["en", "fr", "ru", "ar"];

/// A record that cannot become a search document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The record is not a JSON object.
    #[error("record is not a JSON object")]
    NotAnObject,
}

/// The search document for a normalized product record
/// (`schemas/product-record.schema.json`, plus its `sync` object when the
/// publisher adds one).
///
/// The record goes unchanged under `record`, which the mapping neither
/// parses nor indexes (`enabled: false`): consumers read it back from
/// `_source`, and no record content can ever cause a mapping error. Next to
/// it are the fields search needs:
/// - `gtin` and `gtin_forms`: the 14-digit GTIN, and every shorter form
///   (GTIN-13, -12, -8) it has when its leading digits are zeros, so a scan
///   of any printed form is one `term` query;
/// - identity and filters: `target_market`, `target_market_subdivision`,
///   `state`, `unit_descriptor`, `is_consumer_unit`, `provider_gln`,
///   `provider_name`, `brand_owner_gln`, `brand_owner_name`, `brand`,
///   `sub_brand`, `gpc_code`, `gpc_name`, `child_gtins`, `parent_gtins`,
///   `additional_ids`, `countries_of_origin`, `languages`, `last_change`;
/// - text per language: `name.<lang>` (short description, functional name,
///   variant) and `description.<lang>` (full description), where `<lang>` is
///   one of [`ANALYSED_LANGUAGES`] (a subtag such as `en-gb` counts as its
///   language) or `other`;
/// - `sync`: the publisher's `sync` object, when the record has one.
///
/// Missing or ill-typed fields are left out, never an error: the record was
/// validated upstream, and a search document with a field less is better
/// than a product that cannot be found at all.
pub fn search_document(record: &Value) -> Result<Value, DocumentError> {
    let Some(fields) = record.as_object() else { return Err(DocumentError::NotAnObject) };
    let mut doc = Map::new();
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    if let Some(gtin) = text("gtin") {
        doc.insert("gtin".into(), json!(gtin));
        doc.insert("gtin_forms".into(), json!(gtin_forms(gtin)));
    }
    for name in ["target_market", "target_market_subdivision", "state", "unit_descriptor"] {
        put(&mut doc, name, text(name).map(Value::from));
    }
    put(
        &mut doc,
        "is_consumer_unit",
        fields.get("is_consumer_unit").and_then(Value::as_bool).map(Value::from),
    );
    put_party(&mut doc, fields.get("information_provider"), "provider");
    put_party(&mut doc, fields.get("brand_owner"), "brand_owner");
    put(&mut doc, "brand", text("brand_name").map(Value::from));
    put(&mut doc, "sub_brand", text("sub_brand").map(Value::from));
    let gpc = fields.get("gpc_brick");
    put(&mut doc, "gpc_code", gpc.and_then(|g| g.get("code")).filter(|v| v.is_string()).cloned());
    put(&mut doc, "gpc_name", gpc.and_then(|g| g.get("name")).filter(|v| v.is_string()).cloned());
    put_list(&mut doc, "child_gtins", strings(fields.get("children"), Some("gtin")));
    put_list(&mut doc, "parent_gtins", strings(fields.get("parents"), None));
    put_list(&mut doc, "additional_ids", strings(fields.get("additional_ids"), Some("value")));
    put_list(&mut doc, "countries_of_origin", strings(fields.get("countries_of_origin"), None));
    put_texts(&mut doc, fields);
    let last_change = fields.get("dates").and_then(|d| d.get("last_change")).filter(|v| v.is_string());
    put(&mut doc, "last_change", last_change.cloned());
    put(&mut doc, "sync", fields.get("sync").filter(|v| v.is_object()).cloned());
    doc.insert("record".into(), record.clone());
    Ok(Value::Object(doc))
}

/// Every form of a GTIN a barcode may carry: the 14-digit form first, then
/// GTIN-13, GTIN-12 and GTIN-8 when the digits dropped are all zeros.
/// Anything that is not 14 digits is kept as the only form.
pub fn gtin_forms(gtin: &str) -> Vec<String> {
    let mut forms = vec![gtin.to_owned()];
    if gtin.len() != 14 || !gtin.bytes().all(|b| b.is_ascii_digit()) {
        return forms;
    }
    for dropped in [1, 2, 6] {
        if gtin.as_bytes()[..dropped].iter().all(|&b| b == b'0') {
            forms.push(gtin[dropped..].to_owned());
        }
    }
    forms
}

fn put(doc: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    if let Some(value) = value {
        doc.insert(name.to_owned(), value);
    }
}

fn put_list(doc: &mut Map<String, Value>, name: &str, values: Vec<String>) {
    if !values.is_empty() {
        doc.insert(name.to_owned(), Value::from(values));
    }
}

/// `{prefix}_gln` and `{prefix}_name` from a party object.
fn put_party(doc: &mut Map<String, Value>, party: Option<&Value>, prefix: &str) {
    let Some(party) = party.and_then(Value::as_object) else { return };
    for member in ["gln", "name"] {
        let value = party.get(member).filter(|v| v.is_string()).cloned();
        put(doc, &format!("{prefix}_{member}"), value);
    }
}

/// The strings of an array, or of one member of each object in it.
fn strings(list: Option<&Value>, member: Option<&str>) -> Vec<String> {
    let Some(items) = list.and_then(Value::as_array) else { return Vec::new() };
    let pick = |item: &Value| match member {
        Some(name) => item.get(name).and_then(Value::as_str).map(str::to_owned),
        None => item.as_str().map(str::to_owned),
    };
    items.iter().filter_map(pick).collect()
}

/// `name.<lang>`, `description.<lang>` and `languages`.
fn put_texts(doc: &mut Map<String, Value>, fields: &Map<String, Value>) {
    let mut languages: Vec<String> = Vec::new();
    let groups = [
        ("name", &["short_descriptions", "functional_names", "variant_descriptions"][..]),
        ("description", &["descriptions"][..]),
    ];
    for (target, sources) in groups {
        let mut by_language: Map<String, Value> = Map::new();
        for source in sources {
            let Some(map) = fields.get(*source).and_then(Value::as_object) else { continue };
            for (code, text) in map {
                let Some(text) = text.as_str() else { continue };
                if !languages.contains(code) {
                    languages.push(code.clone());
                }
                let slot = by_language.entry(language_field(code)).or_insert_with(|| json!([]));
                if let Some(list) = slot.as_array_mut() {
                    list.push(json!(text));
                }
            }
        }
        if !by_language.is_empty() {
            doc.insert(target.to_owned(), Value::Object(by_language));
        }
    }
    languages.sort();
    put_list(doc, "languages", languages);
}

/// The text field a language code goes to: `en-gb` to `en`, `und` and
/// languages without their own analyser to `other`.
fn language_field(code: &str) -> String {
    let base = code.split('-').next().unwrap_or(code).to_ascii_lowercase();
    if ANALYSED_LANGUAGES.contains(&base.as_str()) { base } else { "other".to_owned() }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A record shaped like the conformance cases' output.
    pub(crate) fn record(gtin: &str) -> Value {
        json!({
            "schema_version": 1, "gtin": gtin, "target_market": "250", "target_market_subdivision": null,
            "state": "REGISTERED",
            "information_provider": {"gln": "5412345000013", "name": "Parfums Lumière SA"},
            "brand_owner": {"gln": "5412345000020", "name": "Lumière Holding"},
            "manufacturers": [], "brand_name": "Lumière", "sub_brand": "Nuit",
            "descriptions": {"ar": "عطر نسائي فاخر", "en-gb": "Luxury eau de parfum", "zh-hans": "香水"},
            "short_descriptions": {"en": "Nuit EDP 50 ml", "fr": "Nuit EDP 50 ml"},
            "functional_names": {"fr": "Eau de parfum", "ru": "Парфюмерная вода", "und": "EDP"},
            "variant_descriptions": {},
            "unit_descriptor": "BASE_UNIT_OR_EACH", "is_consumer_unit": true, "is_base_unit": true,
            "gpc_brick": {"code": "10000251", "name": "Perfumes/Colognes/Fragrances"},
            "net_contents": [{"value": "50", "unit": "MLT"}],
            "dimensions": {"height": null, "width": null, "depth": null},
            "gross_weight": null, "net_weight": null, "countries_of_origin": ["250"],
            "images": [], "contacts": [], "packaging_types": [], "data_carriers": [],
            "additional_ids": [{"type": "SUPPLIER_ASSIGNED", "value": "LUM-NUIT-50"}],
            "dates": {"last_change": "2025-01-20T16:00:00Z", "effective": null, "publication": null,
                      "discontinued": null, "cancelled": null},
            "children": [], "parents": ["10012345678902"],
            "source": {"data_pool": null, "sender": null, "message_id": "M1", "command": "ADD",
                       "document_status": "ORIGINAL", "is_reload": false}
        })
    }

    #[test]
    fn gtin_forms_of_each_length() {
        assert_eq!(
            gtin_forms("00000012345670"),
            ["00000012345670", "0000012345670", "000012345670", "12345670"]
        );
        assert_eq!(gtin_forms("00012345678905"), ["00012345678905", "0012345678905", "012345678905"]);
        assert_eq!(gtin_forms("05412345000013"), ["05412345000013", "5412345000013"]);
        assert_eq!(gtin_forms("10012345678902"), ["10012345678902"]);
        assert_eq!(gtin_forms("1234"), ["1234"]);
        assert_eq!(gtin_forms("0001234567890é"), ["0001234567890é"]);
    }

    #[test]
    fn search_fields_of_a_record() {
        let record = record("00012345678905");
        let doc = search_document(&record).unwrap();
        assert_eq!(doc["gtin_forms"], json!(["00012345678905", "0012345678905", "012345678905"]));
        assert_eq!(doc["provider_gln"], "5412345000013");
        assert_eq!(doc["brand_owner_name"], "Lumière Holding");
        assert_eq!(doc["brand"], "Lumière");
        assert_eq!(doc["gpc_code"], "10000251");
        assert_eq!(doc["parent_gtins"], json!(["10012345678902"]));
        assert_eq!(doc["additional_ids"], json!(["LUM-NUIT-50"]));
        assert_eq!(doc["name"]["fr"], json!(["Nuit EDP 50 ml", "Eau de parfum"]));
        assert_eq!(doc["name"]["ru"], json!(["Парфюмерная вода"]));
        assert_eq!(doc["name"]["other"], json!(["EDP"]));
        assert_eq!(doc["description"]["en"], json!(["Luxury eau de parfum"]));
        assert_eq!(doc["description"]["ar"], json!(["عطر نسائي فاخر"]));
        assert_eq!(doc["description"]["other"], json!(["香水"]));
        assert_eq!(doc["languages"], json!(["ar", "en", "en-gb", "fr", "ru", "und", "zh-hans"]));
        assert_eq!(doc["last_change"], "2025-01-20T16:00:00Z");
        assert_eq!(doc["record"], record);
        assert!(doc.get("child_gtins").is_none() && doc.get("sync").is_none());
    }

    #[test]
    fn lenient_with_odd_records() {
        assert_eq!(search_document(&json!("x")), Err(DocumentError::NotAnObject));
        let odd = json!({"gtin": 5, "brand_owner": null, "descriptions": {"en": 3}, "children": [{"gtin": 1}],
                         "sync": "no", "gpc_brick": [1]});
        let doc = search_document(&odd).unwrap();
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["record"]);
        let with_sync = search_document(&json!({"sync": {"seq": 4}})).unwrap();
        assert_eq!(with_sync["sync"], json!({"seq": 4}));
    }
}
