//! The publish contract: the version guard, the commit payload, partial
//! failures, the writer lock and the health probe.

mod common;

use common::{delete, fresh, gtin, key, record, upsert};
use gdsn_index::{IndexDir, IndexError, IndexSink, SinkOptions};
use gdsn_model::ids::Gtin;
use gdsn_sink::{Ack, Health, SinkError};

fn ack(applied: usize, already_newer: usize) -> Ack {
    Ack { applied, already_newer }
}

/// The description of every live record of `gtin`, after a reload.
fn descriptions(dir: &IndexDir, gtin: &str) -> Vec<String> {
    let reader = dir.open_reader().expect("reader");
    let records = reader.lookup(Gtin::parse(gtin).expect("gtin"), None).expect("lookup");
    records.iter().map(|r| r["descriptions"]["en"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Each row: a sequence of batches (version, op) on one key, and what the
/// reader must see afterwards (the live description, or none).
#[test]
fn version_guard() {
    let g = gtin(1);
    let k = key(&g, "276");
    let up = |seq: u64, version: u64, text: &str| upsert(seq, version, &k, record(&g, "276", "Acme", text));
    let del = |seq: u64, version: u64| delete(seq, version, &k);
    type Row = (&'static str, Vec<Vec<gdsn_sink::Change>>, Vec<Ack>, Option<&'static str>);
    let rows: Vec<Row> = vec![
        (
            "newer replaces",
            vec![vec![up(1, 1, "one")], vec![up(2, 2, "two")]],
            vec![ack(1, 0), ack(1, 0)],
            Some("two"),
        ),
        (
            "older after newer is ignored",
            vec![vec![up(1, 5, "five")], vec![up(2, 3, "three")]],
            vec![ack(1, 0), ack(0, 1)],
            Some("five"),
        ),
        (
            "older upsert after a delete stays out",
            vec![vec![up(1, 1, "one")], vec![del(2, 4)], vec![up(3, 2, "two")]],
            vec![ack(1, 0), ack(1, 0), ack(0, 1)],
            None,
        ),
        (
            "delete of a key never seen blocks an older upsert",
            vec![vec![del(1, 9)], vec![up(2, 8, "eight")]],
            vec![ack(1, 0), ack(0, 1)],
            None,
        ),
        (
            "newer upsert after a delete brings the key back",
            vec![vec![up(1, 1, "one"), del(2, 2)], vec![up(3, 3, "three")]],
            vec![ack(2, 0), ack(1, 0)],
            Some("three"),
        ),
        (
            "a repeated batch is harmless",
            vec![vec![up(1, 1, "one")], vec![up(1, 1, "one")], vec![up(1, 1, "one")]],
            vec![ack(1, 0), ack(0, 1), ack(0, 1)],
            Some("one"),
        ),
        (
            "inside one batch the order of versions counts",
            vec![vec![up(1, 1, "one"), up(2, 3, "three"), up(3, 2, "two"), up(4, 3, "three again")]],
            vec![ack(2, 2)],
            Some("three"),
        ),
    ];
    for (name, batches, acks, expected) in rows {
        let (_tmp, dir, mut sink) = fresh();
        for (batch, expected_ack) in batches.iter().zip(&acks) {
            assert_eq!(sink.publish(batch).unwrap(), *expected_ack, "{name}");
        }
        let expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        assert_eq!(descriptions(&dir, &g), expected, "{name}");
        assert_eq!(sink.count_live().unwrap(), expected.len() as u64, "{name}");
    }
}

#[test]
fn last_seq_is_the_commit_payload_and_survives_reopen() {
    let (_tmp, dir, mut sink) = fresh();
    assert_eq!(sink.last_seq(), None);
    assert_eq!(sink.publish(&[]).unwrap(), Ack::default());
    assert_eq!(sink.last_seq(), None, "an empty batch commits nothing");
    let g = gtin(2);
    let batch: Vec<_> =
        (10..15).map(|s| upsert(s, s, &key(&g, "250"), record(&g, "250", "A", "x"))).collect();
    sink.publish(&batch).unwrap();
    assert_eq!(sink.last_seq(), Some(14));
    // A replayed older batch never moves the resume point back.
    sink.publish(&batch[..2]).unwrap();
    assert_eq!(sink.last_seq(), Some(14));
    drop(sink);
    let mut sink = dir.open_sink(SinkOptions::default()).unwrap();
    assert_eq!(sink.last_seq(), Some(14));
    sink.advance_last_seq(20).unwrap();
    sink.advance_last_seq(18).unwrap();
    assert_eq!(sink.health(), Health::Ready);
    drop(sink);
    assert_eq!(dir.open_sink(SinkOptions::default()).unwrap().last_seq(), Some(20));
}

#[test]
fn records_the_index_cannot_take_are_rejected_the_rest_commits() {
    let (_tmp, dir, mut sink) = fresh();
    let g = gtin(3);
    let good = upsert(1, 1, &key(&g, "250"), record(&g, "250", "A", "fine"));
    let not_object = upsert(2, 2, "k2", serde_json::json!("text"));
    let no_gtin = upsert(3, 3, "k3", serde_json::json!({"brand_name": "B"}));
    let bad_gtin = upsert(4, 4, "k4", serde_json::json!({"gtin": "03012345100015"}));
    let err = sink.publish(&[good, not_object, no_gtin, bad_gtin]).unwrap_err();
    let SinkError::Partial { ack: got, retry, rejected } = err else { panic!("expected Partial, got {err}") };
    assert_eq!(got, ack(1, 0));
    assert!(retry.is_empty());
    assert_eq!(rejected.keys().copied().collect::<Vec<_>>(), [2, 3, 4]);
    assert!(rejected[&2].contains("not a JSON object"), "{rejected:?}");
    assert!(rejected[&3].contains("no gtin"), "{rejected:?}");
    assert!(rejected[&4].contains("check digit"), "{rejected:?}");
    assert_eq!(sink.last_seq(), Some(4), "rejected changes are handled: the publisher moves past them");
    assert_eq!(descriptions(&dir, &g), ["fine"]);
}

#[test]
fn one_writer_at_a_time_and_readers_need_no_lock() {
    let (tmp, dir, mut sink) = fresh();
    let g = gtin(4);
    sink.publish(&[upsert(1, 1, &key(&g, "250"), record(&g, "250", "A", "x"))]).unwrap();
    match dir.open_sink(SinkOptions::default()) {
        Err(IndexError::Locked { .. }) => {}
        other => panic!("expected Locked, got {:?}", other.err()),
    }
    let direct = IndexSink::open(&tmp.path().join("index/gen-000001"), SinkOptions::default());
    assert!(matches!(direct, Err(IndexError::Locked { .. })));
    // The reader works while the writer holds the lock.
    assert_eq!(dir.open_reader().unwrap().count_live().unwrap(), 1);
    assert_eq!(sink.health(), Health::Ready);
}

/// The generation directory is moved away under the sink (which works as
/// root too, unlike permissions): the probe and a publish fail as
/// Unavailable, nothing is committed, and both recover once it is back.
#[test]
fn health_and_publish_fail_while_the_directory_is_gone() {
    let (tmp, dir, mut sink) = fresh();
    assert_eq!(sink.health(), Health::Ready);
    let path = sink.path().to_owned();
    let aside = tmp.path().join("aside");
    std::fs::rename(&path, &aside).unwrap();
    let health = sink.health();
    assert!(matches!(health, Health::Unavailable(_)), "{health:?}");
    let g = gtin(5);
    let change = upsert(7, 7, &key(&g, "250"), record(&g, "250", "A", "x"));
    let err = sink.publish(std::slice::from_ref(&change)).unwrap_err();
    assert!(matches!(err, SinkError::Unavailable { .. }), "{err}");
    assert_eq!(err.retryable(std::slice::from_ref(&change)).len(), 1);
    std::fs::rename(&aside, &path).unwrap();
    assert_eq!(sink.last_seq(), None, "nothing of the failed batch was recorded");
    assert_eq!(sink.health(), Health::Ready);
    assert_eq!(sink.publish(std::slice::from_ref(&change)).unwrap(), ack(1, 0));
    assert_eq!(sink.last_seq(), Some(7));
    assert_eq!(descriptions(&dir, &g), ["x"]);
}
