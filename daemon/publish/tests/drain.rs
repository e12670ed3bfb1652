//! The publisher against a real store and a sink that can fail on demand
//! (a test double for a remote index: down for a while, partial bulk
//! failures, permanent refusals), checked against a model of the index.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::time::Duration;

use gdsn_diff::incoming::from_records;
use gdsn_publish::{DrainReport, PublishError, PublishOptions, drain};
use gdsn_sink::{Ack, Change, Health, Op, Sink, SinkError};
use gdsn_store::Store;

/// What the model index holds per key: (version, live).
type Model = BTreeMap<String, (u64, bool)>;

#[derive(Default)]
struct FakeSink {
    model: Model,
    /// Whole-batch failures still to come.
    down_for: u32,
    /// Keys containing this text are refused for good.
    refuse: Option<String>,
    /// Keys to fail once with a retryable per-item error.
    flaky_once: BTreeSet<String>,
    last_seq: Option<u64>,
    calls: u32,
    /// The `sync` object of the last upsert applied per key.
    stamps: BTreeMap<String, serde_json::Value>,
}

impl Sink for FakeSink {
    fn publish(&mut self, batch: &[Change]) -> Result<Ack, SinkError> {
        self.calls += 1;
        if self.down_for > 0 {
            self.down_for -= 1;
            return Err(SinkError::Unavailable {
                reason: "503 Service Unavailable".into(),
                retry_after_secs: None,
            });
        }
        let (mut ack, mut retry, mut rejected) = (Ack::default(), Vec::new(), BTreeMap::new());
        for change in batch {
            if self.refuse.as_deref().is_some_and(|r| change.key.contains(r)) {
                rejected.insert(change.seq, "mapper_parsing_exception".to_owned());
                continue;
            }
            if self.flaky_once.remove(&change.key) {
                retry.push(change.seq);
                continue;
            }
            let held = self.model.get(&change.key).map_or(0, |(v, _)| *v);
            if change.version < held {
                ack.already_newer += 1;
                continue;
            }
            self.model.insert(change.key.clone(), (change.version, matches!(change.op, Op::Upsert(_))));
            if let Op::Upsert(record) = &change.op {
                self.stamps.insert(change.key.clone(), record["sync"].clone());
            }
            ack.applied += 1;
        }
        if retry.is_empty() && rejected.is_empty() {
            Ok(ack)
        } else {
            Err(SinkError::Partial { ack, retry, rejected })
        }
    }

    fn health(&mut self) -> Health {
        Health::Ready
    }

    fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }
}

fn apply_case(store: &Store, name: &str, sequence: u64) {
    let path = gdsn_conformance::cases_dir().join(name).join("input.xml");
    let file = File::open(&path).expect("case");
    let mut incoming = Vec::new();
    gdsn_xml::parse(BufReader::new(file), &Default::default(), |doc| {
        let time = doc.envelope.as_deref().and_then(|e| e.creation);
        incoming.extend(from_records(&doc.records, doc.context.command, time, sequence));
        ControlFlow::Continue(())
    });
    store.apply(&incoming).expect("applied");
}

/// The live keys and their write sequences, as the store has them.
fn store_view(store: &Store) -> Model {
    let mut view = Model::new();
    store
        .for_each_live(|key, record| -> Result<(), gdsn_store::StoreError> {
            view.insert(key.to_owned(), (record["sync"]["version"].as_u64().expect("version"), true));
            Ok(())
        })
        .expect("iterates");
    view
}

fn live(model: &Model) -> Model {
    model.iter().filter(|(_, (_, live))| *live).map(|(k, v)| (k.clone(), *v)).collect()
}

fn options() -> PublishOptions {
    PublishOptions { batch_size: 2, max_attempts: 4, ..PublishOptions::default() }
}

fn run(store: &Store, sink: &mut FakeSink) -> (Result<DrainReport, PublishError>, Vec<Duration>) {
    let mut slept = Vec::new();
    let result = drain(store, sink, &options(), &mut |d| slept.push(d));
    (result, slept)
}

#[test]
fn drains_in_batches_and_converges_with_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    apply_case(&store, "0001_cin_single_each", 2);
    let mut sink = FakeSink::default();
    let (report, slept) = run(&store, &mut sink);
    let report = report.expect("drained");
    assert_eq!(report.published, 4, "{report:?}");
    assert!(report.batches >= 2, "batch size 2 over 4 changes: {report:?}");
    assert!(slept.is_empty());
    assert_eq!(store.outbox_depth(), 0);
    assert_eq!(live(&sink.model), store_view(&store));

    // A delete reaches the index as a delete with a higher version.
    apply_case(&store, "0005_cin_delete", 3);
    let (report, _) = run(&store, &mut sink);
    assert!(report.expect("drained").published >= 1);
    assert_eq!(live(&sink.model), store_view(&store));

    // Draining again publishes nothing: the outbox is empty.
    let (report, _) = run(&store, &mut sink);
    assert_eq!(report.expect("drained"), DrainReport::default());
}

#[test]
fn a_bounded_drain_stops_after_its_batches_and_the_next_one_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    apply_case(&store, "0001_cin_single_each", 2);
    let mut sink = FakeSink::default();
    let bounded = PublishOptions { max_batches: 1, ..options() };
    let first = drain(&store, &mut sink, &bounded, &mut |_| {}).expect("drained");
    assert_eq!((first.batches, first.published, first.more), (1, 2, true), "{first:?}");
    assert_eq!(store.outbox_depth(), 2);
    let second = drain(&store, &mut sink, &bounded, &mut |_| {}).expect("drained");
    assert_eq!((second.batches, second.published, second.more), (1, 2, true), "{second:?}");
    // Nothing left: the third drain finds the outbox empty and says so.
    let third = drain(&store, &mut sink, &bounded, &mut |_| {}).expect("drained");
    assert_eq!((third.batches, third.more), (0, false), "{third:?}");
    assert_eq!(live(&sink.model), store_view(&store));
}

#[test]
fn a_sink_down_for_a_while_is_retried_with_growing_delays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    let mut sink = FakeSink { down_for: 3, ..FakeSink::default() };
    let (report, slept) = run(&store, &mut sink);
    let report = report.expect("recovered");
    assert_eq!(report.retries, 3);
    assert_eq!(slept.len(), 3);
    assert!(slept.iter().all(|d| *d <= Duration::from_secs(30)), "{slept:?}");
    assert_eq!(live(&sink.model), store_view(&store));
    assert_eq!(store.outbox_depth(), 0);
}

#[test]
fn a_drain_gives_up_after_max_attempts_and_keeps_the_outbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    let depth = store.outbox_depth();
    let mut sink = FakeSink { down_for: 100, ..FakeSink::default() };
    let (result, slept) = run(&store, &mut sink);
    match result {
        Err(PublishError::Unavailable { attempts, .. }) => assert_eq!(attempts, 4),
        other => panic!("expected to give up: {other:?}"),
    }
    assert_eq!(slept.len(), 3, "no sleep after the last attempt");
    assert_eq!(store.outbox_depth(), depth, "nothing acknowledged");
    // Later the sink is back: the next drain completes.
    sink.down_for = 0;
    run(&store, &mut sink).0.expect("drained");
    assert_eq!(live(&sink.model), store_view(&store));
}

#[test]
fn refused_changes_become_dead_letters_and_retry_requeues_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    let view = store_view(&store);
    let refused = view.keys().next().expect("a key").clone();
    let flaky = view.keys().nth(1).expect("a second key").clone();
    let mut sink = FakeSink {
        refuse: Some(refused.clone()),
        flaky_once: BTreeSet::from([flaky.clone()]),
        ..FakeSink::default()
    };
    let (report, slept) = run(&store, &mut sink);
    let report = report.expect("drained");
    assert_eq!(report.dead_lettered, 1, "{report:?}");
    assert_eq!(slept.len(), 1, "the flaky item was retried once");
    assert!(sink.model.contains_key(&flaky), "the flaky item made it on retry");
    let dead = store.dead_letters().expect("list");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].key.as_str(), dead[0].reason.as_str()),
        (refused.as_str(), "mapper_parsing_exception")
    );
    assert_eq!(store.outbox_depth(), 0);

    // The operator fixes the mapping and retries the dead letters.
    sink.refuse = None;
    assert_eq!(store.retry_dead_letters().expect("requeued"), 1);
    assert!(store.dead_letters().expect("list").is_empty());
    run(&store, &mut sink).0.expect("drained");
    assert_eq!(live(&sink.model), store_view(&store));
}

#[test]
fn entries_the_sink_already_holds_are_skipped_after_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    let entries = store.outbox_batch(10).expect("outbox");
    let mut sink = FakeSink { last_seq: Some(entries[1].seq), ..FakeSink::default() };
    let report = run(&store, &mut sink).0.expect("drained");
    assert_eq!(report.skipped, 2, "{report:?}");
    assert_eq!(report.published, entries.len() - 2);
    assert_eq!(store.outbox_depth(), 0);
}

/// `applied_at` and `published_at` come from the store's clock: with a
/// fixed one, every stamp the sink receives is exactly that time, and the
/// lag is measured on it too.
#[test]
fn stamps_come_from_the_stores_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let at = gdsn_model::time::Timestamp::parse("2026-03-04T05:06:07.890Z").expect("a time").0;
    let store = Store::open(dir.path()).expect("store").with_clock(gdsn_store::clock::fixed(at));
    apply_case(&store, "0002_cin_pallet_case_each", 1);
    let mut sink = FakeSink::default();
    let report = run(&store, &mut sink).0.expect("drained");
    assert_eq!(report.published, 3, "{report:?}");
    assert_eq!(report.lag_secs, Some(0), "no time passes on a fixed clock");
    assert_eq!(sink.stamps.len(), 3);
    for (key, sync) in &sink.stamps {
        assert_eq!(sync["applied_at"], "2026-03-04T05:06:07Z", "{key}: {sync}");
        assert_eq!(sync["published_at"], "2026-03-04T05:06:07Z", "{key}: {sync}");
    }
}
