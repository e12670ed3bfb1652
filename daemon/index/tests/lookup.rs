//! Lookups: every form a scanner or a person gives (through
//! `gdsn_model::codes::parse_code`) finds the item, across target markets
//! and providers, never a tombstone; a reader sees commits after reload.

mod common;

use common::{CORPUS, case_records, corpus_changes, delete, fresh, gtins, upsert};
use gdsn_model::codes::parse_code;
use gdsn_model::ids::Gtin;

/// (code as given, the GTIN-14 it must find): GTIN-8/12/13/14 digits, AIM
/// scanner strings, element strings and Digital Links, from the corpus's
/// EAN-8 battery (0043), UPC-A case (0043), EAN-13 perfume (0001) and
/// GTIN-14 pallet (0002).
const CODES: [(&str, &str); 16] = [
    ("95002170", "00000095002170"),
    ("000095002170", "00000095002170"),
    ("0000095002170", "00000095002170"),
    ("00000095002170", "00000095002170"),
    ("]E495002170", "00000095002170"),
    ("861234000248", "00861234000248"),
    ("]E00861234000248", "00861234000248"),
    ("0861234000248", "00861234000248"),
    ("3012345100014", "03012345100014"),
    (" 3012345100014\r\n", "03012345100014"),
    ("(01)03012345100014(10)LOT42", "03012345100014"),
    ("]C1010301234510001410LOT42\u{1d}21SER", "03012345100014"),
    ("]d201030123451000141724123110B12<GS>21XYZ", "03012345100014"),
    ("https://id.gs1.example/01/03012345100014/10/LOT42?17=261231", "03012345100014"),
    ("50812345200015", "50812345200015"),
    ("https://brand.example/gtin/50812345200015", "50812345200015"),
];

#[test]
fn every_code_form_finds_its_item() {
    let (_tmp, dir, mut sink) = fresh();
    sink.publish(&corpus_changes(&CORPUS)).unwrap();
    let reader = dir.open_reader().unwrap();
    for (code, expected) in CODES {
        let scanned = parse_code(code).unwrap_or_else(|e| panic!("{code:?}: {e}"));
        let records = reader.lookup(scanned.gtin, None).unwrap();
        assert_eq!(gtins(&records), [expected], "{code:?}");
    }
    assert!(reader.lookup(Gtin::parse("4006381333931").unwrap(), None).unwrap().is_empty());
}

#[test]
fn one_gtin_in_several_markets_and_the_market_filter() {
    let (_tmp, dir, mut sink) = fresh();
    // The headphones each (00812345200010) in Germany (0002) and California (0042).
    sink.publish(&corpus_changes(&["0002", "0042"])).unwrap();
    let reader = dir.open_reader().unwrap();
    let each = Gtin::parse("00812345200010").unwrap();
    let markets = |market: Option<&str>| -> Vec<String> {
        let records = reader.lookup(each, market).unwrap();
        records.iter().map(|r| r["target_market"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(markets(None), ["276", "840"], "key order");
    assert_eq!(markets(Some("276")), ["276"]);
    assert_eq!(markets(Some("840")), ["840"], "a country includes its subdivisions");
    assert_eq!(markets(Some("840/us-ca")), ["840"]);
    assert!(markets(Some("840/US-NY")).is_empty());
    assert!(markets(Some("250")).is_empty());
    // The record comes back as published.
    let record = &reader.lookup(each, Some("840")).unwrap()[0];
    let (_, published) = case_records("0042").into_iter().next().unwrap();
    assert_eq!(*record, published);
}

#[test]
fn one_gtin_from_several_providers() {
    let (_tmp, dir, mut sink) = fresh();
    // The paracetamol from its provider (0010) and from a second provider
    // GLN with a wrong check digit, kept as given (0017).
    sink.publish(&corpus_changes(&["0010", "0017"])).unwrap();
    let reader = dir.open_reader().unwrap();
    let records = reader.lookup(Gtin::parse("06221234100500").unwrap(), Some("818")).unwrap();
    let providers: Vec<&str> =
        records.iter().map(|r| r["information_provider"]["gln"].as_str().unwrap()).collect();
    assert_eq!(providers, ["6221234000003", "6221234000008"]);
}

#[test]
fn tombstones_are_never_returned_and_reload_shows_commits() {
    let (_tmp, dir, mut sink) = fresh();
    let changes = corpus_changes(&["0002", "0042"]);
    sink.publish(&changes).unwrap();
    let mut reader = dir.open_reader().unwrap();
    let each = Gtin::parse("00812345200010").unwrap();
    assert_eq!(reader.lookup(each, None).unwrap().len(), 2);
    let german = changes.iter().find(|c| c.key.ends_with("00812345200010/276")).unwrap();
    sink.publish(&[delete(100, 100, &german.key)]).unwrap();
    assert_eq!(reader.lookup(each, None).unwrap().len(), 2, "before reload: the old commit");
    reader.reload().unwrap();
    assert_eq!(gtins(&reader.lookup(each, None).unwrap()), ["00812345200010"]);
    assert!(reader.lookup(each, Some("276")).unwrap().is_empty());
    assert_eq!(reader.count_live().unwrap(), 3);
    // Bringing it back with a newer version.
    let gdsn_sink::Op::Upsert(record) = &german.op else { unreachable!() };
    sink.publish(&[upsert(101, 101, &german.key, record.clone())]).unwrap();
    reader.reload().unwrap();
    assert_eq!(reader.lookup(each, None).unwrap().len(), 2);
    assert_eq!(reader.count_live().unwrap(), 4);
}
