//! Which inbox entries are seen, and when they are ready.

use std::fs;
use std::io::Write;
use std::time::Duration;

use crate::util::{Fixture, set_mtime};

fn ready_names(fx: &mut Fixture) -> Vec<String> {
    fx.folder.scan().expect("scan").ready.iter().map(|r| r.name().to_owned()).collect()
}

#[test]
fn temporary_hidden_and_non_regular_entries_are_ignored() {
    let mut fx = Fixture::new(0);
    for name in [".hidden.xml", "a.xml.part", "b.tmp", "c.filepart", ".d.xml.part"] {
        fx.drop_file(name, b"<x/>");
    }
    fs::create_dir(fx.path("inbox/sub.xml")).expect("mkdir");
    fx.drop_file("ok.xml", b"<x/>");
    let scan = fx.folder.scan().expect("scan");
    let names: Vec<&str> = scan.ready.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["ok.xml"]);
    assert_eq!(scan.ignored, 6);
    assert!(scan.refused.is_empty());
}

#[test]
fn a_fifo_is_ignored_and_never_opened() {
    let mut fx = Fixture::new(0);
    let fifo = fx.path("inbox/pipe.xml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    let scan = fx.folder.scan().expect("scan");
    assert!(scan.ready.is_empty());
    assert_eq!(scan.ignored, 1);
}

#[test]
fn a_file_is_ready_only_after_min_age_unchanged() {
    let mut fx = Fixture::new(5);
    fx.drop_file("a.xml", b"<x/>");
    let first = fx.folder.scan().expect("scan");
    assert!(first.ready.is_empty());
    assert_eq!(first.waiting, 1);
    fx.clock.advance(Duration::from_secs(4));
    assert!(ready_names(&mut fx).is_empty());
    fx.clock.advance(Duration::from_secs(1));
    assert_eq!(ready_names(&mut fx), ["a.xml"]);
}

#[test]
fn a_growing_file_is_not_ready() {
    let mut fx = Fixture::new(5);
    let path = fx.drop_file("big.xml", b"<x>");
    fx.folder.scan().expect("scan");
    for _ in 0..3 {
        fx.clock.advance(Duration::from_secs(5));
        let mut file = fs::File::options().append(true).open(&path).expect("append");
        file.write_all(b"more").expect("grow");
        drop(file);
        assert!(ready_names(&mut fx).is_empty(), "a file that grew is not ready");
    }
    fx.clock.advance(Duration::from_secs(5));
    assert_eq!(ready_names(&mut fx), ["big.xml"]);
}

#[test]
fn a_file_replaced_with_the_same_size_and_time_waits_again() {
    let mut fx = Fixture::new(5);
    let path = fx.drop_file("a.xml", b"<one/>");
    set_mtime(&path, 1_000);
    fx.folder.scan().expect("scan");
    fx.clock.advance(Duration::from_secs(5));
    // Same size, same mtime, another inode: a writer renamed a new file over it.
    let other = fx.drop_file("a.xml.part", b"<two/>");
    set_mtime(&other, 1_000);
    fs::rename(&other, &path).expect("rename");
    assert!(ready_names(&mut fx).is_empty());
    fx.clock.advance(Duration::from_secs(5));
    assert_eq!(ready_names(&mut fx), ["a.xml"]);
}

#[test]
fn ready_files_come_oldest_first_then_by_name() {
    let mut fx = Fixture::new(0);
    for (name, mtime) in [("b.xml", 100), ("a.xml", 200), ("c.xml", 100), ("d.xml", 50)] {
        let path = fx.drop_file(name, b"<x/>");
        set_mtime(&path, mtime);
    }
    assert_eq!(ready_names(&mut fx), ["d.xml", "b.xml", "c.xml", "a.xml"]);
}

#[test]
fn a_file_that_changes_after_the_scan_is_not_taken() {
    let mut fx = Fixture::new(5);
    let path = fx.drop_file("a.xml", b"<x/>");
    let ready = fx.ready_after(5);
    assert_eq!(ready.len(), 1);
    let mut file = fs::File::options().append(true).open(&path).expect("append");
    file.write_all(b"late bytes").expect("grow");
    drop(file);
    let err = fx.folder.take(&ready[0]).expect_err("changed");
    assert!(matches!(err, gdsn_dropfolder::DropFolderError::Changed { .. }), "{err}");
    // Its wait starts again.
    assert!(ready_names(&mut fx).is_empty());
    fx.clock.advance(Duration::from_secs(5));
    assert_eq!(ready_names(&mut fx), ["a.xml"]);
}
