//! The store benchmark's workloads on a small catalogue: each scenario
//! plans what it should, and the raw bound handles the same keys and values.

use std::io::BufReader;
use std::ops::ControlFlow;

use gdsn_bench::store_bench::raw::{RawMode, raw_pass};
use gdsn_bench::store_bench::{apply_message, disk_bytes, parse_pass, write_message};
use gdsn_bench::{CinGenerator, GeneratorConfig};
use gdsn_store::Store;
use gdsn_xml::{ParseOptions, parse};

const CONFIG: GeneratorConfig = GeneratorConfig { documents: Some(60), target_bytes: None, seed: 4 };
/// Not a divisor of 60: the last chunk is a short one.
const CHUNK: usize = 7;

#[test]
fn scenarios_plan_what_they_should_and_the_raw_bound_sees_the_same_items() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_message(&dir.path().join("base.xml"), CONFIG, 0).unwrap();
    let revised = write_message(&dir.path().join("revised.xml"), CONFIG, 10).unwrap();
    assert_eq!((base.documents, base.items, base.changed_items), (60, 120, 0));
    assert_eq!((revised.items, revised.changed_items), (120, 12));
    assert_eq!(parse_pass(&base.path).unwrap().1.records, 120);

    let store = Store::open(&dir.path().join("store")).unwrap();
    let load = apply_message(&store, &base.path, CHUNK).unwrap();
    assert_eq!((load.added, load.changes(), load.writes, load.transactions), (120, 120, 120, 9));
    let again = apply_message(&store, &base.path, CHUNK).unwrap();
    assert_eq!((again.unchanged, again.changes(), again.writes), (120, 120, 0));
    let changed = apply_message(&store, &revised.path, CHUNK).unwrap();
    assert_eq!((changed.updated, changed.unchanged, changed.writes), (12, 108, 12));
    assert!(disk_bytes(&dir.path().join("store")).unwrap() > 0);

    let db = sled::open(dir.path().join("raw")).unwrap();
    let tree = db.open_tree("items").unwrap();
    let load = raw_pass(&tree, &base.path, CHUNK, RawMode::Insert).unwrap();
    assert_eq!((load.items, load.inserted), (120, 120));
    let again = raw_pass(&tree, &base.path, CHUNK, RawMode::Get).unwrap();
    assert_eq!((again.found, again.inserted, again.logical_bytes), (120, 0, load.logical_bytes));
    let changed = raw_pass(&tree, &revised.path, CHUNK, RawMode::Update).unwrap();
    assert_eq!((changed.found, changed.inserted), (120, 12));
}

/// The raw bound's values are the bytes the store keeps in `items`
/// (`serde_json::to_value(record)`, written with `to_string`).
#[test]
fn raw_values_are_the_stored_json() {
    let mut generator = CinGenerator::new(GeneratorConfig { documents: Some(10), ..CONFIG });
    let summary = parse(BufReader::new(&mut generator), &ParseOptions::default(), |doc| {
        for record in &doc.records {
            let stored = serde_json::to_value(record).unwrap().to_string();
            assert_eq!(serde_json::to_vec(record).unwrap(), stored.into_bytes());
        }
        ControlFlow::Continue(())
    });
    assert!(summary.is_clean());
}
