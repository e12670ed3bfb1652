//! Index generations: bootstrap, rebuild, canary reader, switch, pruning,
//! abandon, and readers that follow `CURRENT`.

mod common;

use common::{fresh, gtin, key, record, upsert};
use gdsn_index::{Generation, IndexDir, IndexError, SinkOptions};

fn one(seq: u64, n: u64) -> gdsn_sink::Change {
    let g = gtin(n);
    upsert(seq, seq, &key(&g, "250"), record(&g, "250", "Acme", "gadget"))
}

fn current_file(dir: &IndexDir) -> String {
    std::fs::read_to_string(dir.root().join("CURRENT")).expect("CURRENT")
}

#[test]
fn first_open_creates_generation_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = IndexDir::new(tmp.path().join("index"));
    assert!(matches!(dir.open_reader(), Err(IndexError::NoIndex { .. })), "readers never create");
    assert_eq!(dir.current().unwrap(), None);
    let sink = dir.open_sink(SinkOptions::default()).unwrap();
    assert_eq!(dir.current().unwrap(), Some(Generation(1)));
    assert_eq!(current_file(&dir), "gen-000001\n");
    assert_eq!(sink.path(), dir.path_of(Generation(1)));
    assert!(!dir.root().join("CURRENT.tmp").exists());
    drop(sink);
    // Reopening finds it, and does not create another.
    let sink = dir.open_sink(SinkOptions::default()).unwrap();
    assert_eq!(sink.path(), dir.path_of(Generation(1)));
    assert_eq!(dir.generations().unwrap(), [Generation(1)]);
}

#[test]
fn rebuild_switch_and_prune() {
    let (_tmp, dir, mut sink) = fresh();
    sink.publish(&[one(1, 1)]).unwrap();
    let mut reader = dir.open_reader().unwrap();
    let mut rebuilds = Vec::new();
    for round in 2..=4u32 {
        let mut rebuild = dir.begin_rebuild(SinkOptions::default()).unwrap();
        assert_eq!(rebuild.generation(), Generation(round));
        let batch: Vec<_> = (0..u64::from(round)).map(|i| one(10 * u64::from(round) + i, 100 + i)).collect();
        rebuild.sink().publish(&batch).unwrap();
        rebuild.sink().advance_last_seq(1000 * u64::from(round)).unwrap();
        // The canary reads the new generation; the serving one is untouched.
        assert_eq!(rebuild.open_reader().unwrap().count_live().unwrap(), u64::from(round));
        reader.reload().unwrap();
        assert_eq!(reader.count_live().unwrap(), u64::from(round) - 1);
        let switched = dir.switch_to(rebuild).unwrap();
        assert!(switched.prune_error.is_none());
        sink = switched.sink;
        assert_eq!(sink.last_seq(), Some(1000 * u64::from(round)));
        assert_eq!(dir.current().unwrap(), Some(Generation(round)));
        // A following reader moves to the new generation on reload.
        reader.reload().unwrap();
        assert_eq!(reader.path(), dir.path_of(Generation(round)));
        assert_eq!(reader.count_live().unwrap(), u64::from(round));
        // The previous generation is kept, older ones removed.
        let kept: Vec<u32> = dir.generations().unwrap().into_iter().map(|g| g.0).collect();
        assert_eq!(kept, [round - 1, round]);
        rebuilds.push(round);
    }
    // The serving sink keeps publishing after the switch.
    sink.publish(&[one(5000, 7)]).unwrap();
    reader.reload().unwrap();
    assert_eq!(reader.count_live().unwrap(), 5);
    drop(sink);
    assert_eq!(dir.open_sink(SinkOptions::default()).unwrap().last_seq(), Some(5000));
}

#[test]
fn abandon_removes_the_new_generation_only() {
    let (_tmp, dir, mut sink) = fresh();
    sink.publish(&[one(1, 1)]).unwrap();
    let mut rebuild = dir.begin_rebuild(SinkOptions::default()).unwrap();
    rebuild.sink().publish(&[one(2, 2), one(3, 3)]).unwrap();
    let path = dir.path_of(rebuild.generation());
    assert!(path.exists());
    // A failed canary: the caller never switches.
    rebuild.abandon().unwrap();
    assert!(!path.exists());
    assert_eq!(dir.current().unwrap(), Some(Generation(1)));
    assert_eq!(dir.open_reader().unwrap().count_live().unwrap(), 1);
    // The next rebuild takes the next free number.
    assert_eq!(dir.begin_rebuild(SinkOptions::default()).unwrap().generation(), Generation(2));
}

/// A rebuild left behind by a crash (never switched, never abandoned) is
/// removed by the next switch, which keeps the generation it replaced.
#[test]
fn a_crashed_rebuild_is_pruned_by_the_next_switch() {
    let (_tmp, dir, mut sink) = fresh();
    sink.publish(&[one(1, 1)]).unwrap();
    let crashed = dir.begin_rebuild(SinkOptions::default()).unwrap();
    assert_eq!(crashed.generation(), Generation(2));
    drop(crashed);
    let rebuild = dir.begin_rebuild(SinkOptions::default()).unwrap();
    assert_eq!(rebuild.generation(), Generation(3));
    let switched = dir.switch_to(rebuild).unwrap();
    assert!(switched.prune_error.is_none());
    assert_eq!(dir.generations().unwrap(), [Generation(1), Generation(3)]);
    // A standalone prune keeps the newest older generation.
    assert!(dir.prune().unwrap().is_empty());
}

#[test]
fn a_switch_takes_only_its_own_directory_and_bad_current_is_an_error() {
    let (_tmp, dir, _sink) = fresh();
    let (_other_tmp, other, _other_sink) = fresh();
    let rebuild = other.begin_rebuild(SinkOptions::default()).unwrap();
    assert!(matches!(dir.switch_to(rebuild), Err(IndexError::ForeignGeneration { .. })));
    assert_eq!(dir.current().unwrap(), Some(Generation(1)));
    std::fs::write(dir.root().join("CURRENT"), "../../etc\n").unwrap();
    assert!(matches!(dir.current(), Err(IndexError::BadCurrent { .. })));
    assert!(matches!(dir.open_reader(), Err(IndexError::BadCurrent { .. })));
}
