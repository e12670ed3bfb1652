//! The store on disk: what is applied survives a reopen, the outbox holds
//! one entry per write in sequence order, and a foreign format is refused.

use gdsn_diff::{Incoming, IncomingItem, Reason, Version};
use gdsn_model::ids::{Gln, Gtin, ItemKey, TargetMarket};
use gdsn_store::{Store, StoreError};
use serde_json::json;

fn key(gtin: &str) -> ItemKey {
    ItemKey {
        provider: Gln::new_lenient("5412345000013").expect("gln"),
        gtin: Gtin::parse(gtin).expect("gtin"),
        target_market: TargetMarket::parse("056", None).expect("tm"),
    }
}

fn item(gtin: &str, children: &[&str], content: u32, time: i128) -> IncomingItem {
    IncomingItem {
        key: key(gtin),
        version: Version { item_time: time, message_time: 0, sequence: 1 },
        hash: u128::from(content),
        record: json!({ "gtin": gtin, "content": content }).to_string().into(),
        children: children.iter().map(|c| key(c)).collect(),
    }
}

#[test]
fn applied_state_survives_reopen_and_outbox_is_ordered() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        let pallet = Incoming::Replace {
            items: vec![item("05412345000105", &["05412345000112"], 1, 1), item("05412345000112", &[], 1, 1)],
        };
        let outcome = store.apply(&[pallet]).expect("apply");
        assert_eq!(outcome.writes, 2);
        let delete = Incoming::Remove {
            top: key("05412345000105"),
            version: Version { item_time: 2, message_time: 0, sequence: 2 },
            reason: Reason::Deleted,
        };
        assert_eq!(store.apply(&[delete]).expect("apply").writes, 2);
        store.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let counts = store.counts();
    assert_eq!((counts.live, counts.tombstones, counts.outbox), (0, 2, 4));
    let ops: Vec<(u64, String)> = store
        .outbox()
        .expect("outbox")
        .into_iter()
        .map(|(seq, v)| (seq, v["op"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(
        ops,
        vec![(1, "upsert".into()), (2, "upsert".into()), (3, "delete".into()), (4, "delete".into())]
    );
    // An older ADD after the delete is stale: nothing written.
    let late = Incoming::Replace { items: vec![item("05412345000105", &[], 1, 1)] };
    assert_eq!(store.apply(&[late]).expect("apply").writes, 0);
}

#[test]
fn documents_in_one_apply_see_each_other() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let first = Incoming::Replace {
        items: vec![item("05412345000105", &["05412345000112"], 1, 1), item("05412345000112", &[], 1, 1)],
    };
    let second = Incoming::Replace {
        items: vec![item("05412345000129", &["05412345000112"], 1, 1), item("05412345000112", &[], 1, 1)],
    };
    let outcome = store.apply(&[first, second]).expect("apply");
    // The shared case is added once, then gains a second parent.
    assert_eq!(outcome.writes, 4);
    let stored = store.stored(&key("05412345000112")).expect("read").expect("live");
    assert_eq!(stored.links.parents.len(), 2);
}

#[test]
fn another_format_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(Store::open(dir.path()).expect("open"));
    {
        let db = sled::open(dir.path()).expect("sled");
        db.open_tree("meta").expect("meta").insert("format", &99u32.to_be_bytes()).expect("insert");
        db.flush().expect("flush");
    }
    match Store::open(dir.path()) {
        Err(StoreError::Format { found: 99, expected: 1 }) => {}
        other => panic!("expected a format error, got {:?}", other.map(|_| ())),
    }
}

/// With an injected clock every byte the store writes is deterministic:
/// two stores given the same documents export the same bytes, stamped
/// with the clock's time (to the second).
#[test]
fn an_injected_clock_makes_what_is_stored_deterministic() {
    let at = gdsn_model::time::Timestamp::parse("2026-03-04T05:06:07.890Z").expect("a time").0;
    let exports: Vec<Vec<u8>> = (0..2)
        .map(|_| {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = Store::open(dir.path()).expect("open").with_clock(gdsn_store::clock::fixed(at));
            let pallet = Incoming::Replace {
                items: vec![
                    item("05412345000105", &["05412345000112"], 1, 1),
                    item("05412345000112", &[], 1, 1),
                ],
            };
            store.apply(&[pallet]).expect("apply");
            let mut out = Vec::new();
            assert_eq!(store.export(&mut out).expect("export"), 2);
            out
        })
        .collect();
    assert_eq!(exports[0], exports[1]);
    let text = String::from_utf8(exports[0].clone()).expect("UTF-8");
    assert_eq!(text.matches(r#""applied_at":"2026-03-04T05:06:07Z""#).count(), 2, "{text}");
}
