//! What the tests share: emulators, the fault server, records and changes.

pub(crate) mod emulator;
pub(crate) mod fault;

use gdsn_opensearch::{OpenSearchSink, SinkConfig};
use gdsn_sink::{Change, Op};
use serde_json::{Value, json};

/// GTIN-14s with valid check digits, of every origin: a GTIN-8, a UPC-A
/// (GTIN-12), two EAN-13s and a case's GTIN-14.
pub(crate) const GTINS: [&str; 5] =
    ["00000096385074", "00012345678905", "04006381333931", "05901234123457", "10012345678902"];

/// The information provider's GLN in every key.
pub(crate) const PROVIDER: &str = "5412345000013";

/// The item key of `gtin` in target market 250.
pub(crate) fn key(gtin: &str) -> String {
    format!("{PROVIDER}/{gtin}/250")
}

/// A normalized product record (schemas/product-record.schema.json) with
/// the store's `sync` stamp.
pub(crate) fn record(gtin: &str, brand: &str, version: u64) -> Value {
    json!({
        "schema_version": 1, "gtin": gtin, "target_market": "250", "target_market_subdivision": null,
        "state": "REGISTERED",
        "information_provider": {"gln": PROVIDER, "name": "Parfums Lumière SA"},
        "brand_owner": {"gln": "5412345000020", "name": "Lumière Holding"},
        "manufacturers": [], "brand_name": brand, "sub_brand": null,
        "descriptions": {"en": format!("{brand} luxury eau de parfum"), "ar": "عطر فاخر"},
        "short_descriptions": {"fr": format!("{brand} eau de parfum 50 ml")},
        "functional_names": {"ru": "Парфюмерная вода"}, "variant_descriptions": {},
        "unit_descriptor": "BASE_UNIT_OR_EACH", "is_consumer_unit": true, "is_base_unit": true,
        "gpc_brick": {"code": "10000251", "name": "Perfumes/Colognes/Fragrances"},
        "net_contents": [{"value": "50", "unit": "MLT"}],
        "dimensions": {"height": null, "width": null, "depth": null},
        "gross_weight": null, "net_weight": null, "countries_of_origin": ["250"],
        "images": [], "contacts": [], "packaging_types": [], "data_carriers": [], "additional_ids": [],
        "dates": {"last_change": "2025-01-20T16:00:00Z", "effective": null, "publication": null,
                  "discontinued": null, "cancelled": null},
        "children": [], "parents": [],
        "source": {"data_pool": null, "sender": null, "message_id": "M1", "command": "ADD",
                   "document_status": "ORIGINAL", "is_reload": false},
        "sync": {"version": version, "applied_at": "2026-11-28T10:00:00Z", "published_at": null}
    })
}

/// An upsert of `gtin` at `version` (also its sequence number).
pub(crate) fn upsert(gtin: &str, brand: &str, version: u64) -> Change {
    Change { seq: version, key: key(gtin), version, op: Op::Upsert(record(gtin, brand, version)) }
}

/// A delete of `gtin` at `version`.
pub(crate) fn delete(gtin: &str, version: u64) -> Change {
    Change { seq: version, key: key(gtin), version, op: Op::Delete }
}

/// A sink on `url` with the default alias and small timeouts for tests.
pub(crate) fn sink(url: &str, index_body: Option<Value>) -> OpenSearchSink {
    let mut config = SinkConfig::new(url, "gdsn-products");
    config.connect_timeout = std::time::Duration::from_secs(2);
    config.request_timeout = std::time::Duration::from_secs(10);
    config.index_body = index_body;
    OpenSearchSink::new(config).expect("valid config")
}
