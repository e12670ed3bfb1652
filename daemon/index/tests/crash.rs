//! A crash mid-publish loses nothing committed and doubles nothing.
//!
//! The test re-runs its own binary as a child that publishes an endless,
//! deterministic stream of batches (upserts, deletes and a replayed older
//! change in each batch), and kills it with SIGKILL at a different moment
//! each round: before the first commit, while staging, inside a commit.
//! After each kill the index reopens, and its content must be exactly the
//! model's state after the changes up to `last_seq()`: every key live or
//! not as the model says, with the model's version, once. Then publishing
//! resumes after `last_seq()` and the state is checked again.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{delete, gtin, key, record, upsert};
use gdsn_index::{IndexDir, SinkOptions};
use gdsn_model::ids::Gtin;
use gdsn_sink::Change;

const CHILD_ENV: &str = "GDSN_INDEX_CRASH_CHILD_DIR";
const KEYS: u64 = 64;
const BATCH: u64 = 50;

/// Change number `seq` (1-based) of the stream.
fn change(seq: u64) -> Change {
    let n = (seq * 7) % KEYS;
    let g = gtin(5_000_000_000_000 + n);
    let k = key(&g, "250");
    if seq.is_multiple_of(5) {
        delete(seq, seq, &k)
    } else {
        upsert(seq, seq, &k, record(&g, "250", "Acme", &format!("v{seq}")))
    }
}

/// Batch `b` (0-based): its 50 changes, plus a replay of the previous
/// batch's first change (an older or equal version: ignored).
fn batch(b: u64) -> Vec<Change> {
    let mut out: Vec<Change> = (b * BATCH + 1..=(b + 1) * BATCH).map(change).collect();
    if b > 0 {
        out.push(change((b - 1) * BATCH + 1));
    }
    out
}

/// Key index -> the version of the last change up to `last`, and whether it is live.
fn model(last: u64) -> BTreeMap<u64, (u64, bool)> {
    let mut state = BTreeMap::new();
    for seq in 1..=last {
        state.insert((seq * 7) % KEYS, (seq, !seq.is_multiple_of(5)));
    }
    state
}

/// The index in `root` holds exactly the model's state after its last_seq.
fn check(root: &Path) -> u64 {
    let dir = IndexDir::new(root);
    let sink = dir.open_sink(SinkOptions::default()).expect("reopen after the kill");
    let last = sink.last_seq().unwrap_or(0);
    assert_eq!(last % BATCH, 0, "only whole batches are committed");
    drop(sink);
    let reader = dir.open_reader().expect("reader");
    let state = model(last);
    let live = state.values().filter(|(_, live)| *live).count() as u64;
    assert_eq!(reader.count_live().expect("count"), live, "after seq {last}");
    for (n, (version, is_live)) in state {
        let gtin = Gtin::parse(&gtin(5_000_000_000_000 + n)).expect("gtin");
        let records = reader.lookup(gtin, None).expect("lookup");
        if is_live {
            assert_eq!(records.len(), 1, "key {n} once after seq {last}");
            assert_eq!(records[0]["descriptions"]["en"], format!("v{version}"), "key {n} after seq {last}");
        } else {
            assert!(records.is_empty(), "key {n} deleted after seq {last}");
        }
    }
    last
}

#[test]
fn kill_mid_publish_loses_nothing_committed_and_doubles_nothing() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut landed = Vec::new();
    for round in 0..8u64 {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("index");
        let mut child = Command::new(&exe)
            .args(["--exact", "child_publisher", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From before the first commit to well into the stream.
        std::thread::sleep(Duration::from_millis(20 + round * round * 45));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if !root.join("CURRENT").exists() {
            landed.push(None);
            continue;
        }
        let last = check(&root);
        landed.push(Some(last));
        // Resume after last_seq: the next batch applies in full, nothing doubles.
        let mut sink = IndexDir::new(&root).open_sink(SinkOptions::default()).unwrap();
        let ack = sink.publish(&batch(last / BATCH)).unwrap();
        assert_eq!(ack.applied, BATCH as usize);
        drop(sink);
        assert_eq!(check(&root), last + BATCH);
    }
    eprintln!("last_seq at each kill: {landed:?}");
    assert!(landed.iter().flatten().any(|&l| l > 0), "some kill landed after a commit: {landed:?}");
}

/// The child: publishes batches until killed (or for 60 s at most).
#[test]
fn child_publisher() {
    let Some(root) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut sink = IndexDir::new(root).open_sink(SinkOptions::default()).unwrap();
    let started = Instant::now();
    let mut b = 0;
    while started.elapsed() < Duration::from_secs(60) {
        sink.publish(&batch(b)).unwrap();
        b += 1;
    }
}
