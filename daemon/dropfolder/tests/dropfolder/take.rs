//! Taking files and moving them to done/ and failed/.

use std::fs;
use std::io::Read;

use gdsn_dropfolder::Finished;

use crate::util::Fixture;

fn take_one(fx: &mut Fixture, name: &str, body: &[u8]) -> gdsn_dropfolder::Taken {
    fx.drop_file(name, body);
    let ready = fx.ready_after(5);
    let ready = ready.iter().find(|r| r.name() == name).expect("ready");
    fx.folder.take(ready).expect("take")
}

#[test]
fn a_taken_file_streams_and_moves_to_done() {
    let mut fx = Fixture::new(5);
    let mut taken = take_one(&mut fx, "cin.xml", b"<cin/>");
    assert_eq!(taken.len(), 6);
    let mut body = String::new();
    taken.read_to_string(&mut body).expect("read");
    assert_eq!(body, "<cin/>");
    let finished = fx.folder.done(taken).expect("done");
    assert_eq!(finished, Finished::Moved(fx.path("done/cin.xml")));
    assert!(fx.names("inbox").is_empty());
    assert_eq!(fs::read(fx.path("done/cin.xml")).expect("moved"), b"<cin/>");
}

#[test]
fn a_file_stays_in_the_inbox_until_the_caller_finishes() {
    let mut fx = Fixture::new(5);
    let taken = take_one(&mut fx, "cin.xml", b"<cin/>");
    // The caller crashed, or its commit failed: nothing moved, and the file is offered again.
    drop(taken);
    assert_eq!(fx.names("inbox"), ["cin.xml"]);
    let again = fx.folder.scan().expect("scan").ready;
    assert_eq!(again.len(), 1);
}

#[test]
fn clashes_in_done_get_a_counter_and_nothing_is_overwritten() {
    let mut fx = Fixture::new(5);
    fs::write(fx.path("done/cin.xml"), b"first").expect("seed");
    fs::write(fx.path("done/cin.1.xml"), b"second").expect("seed");
    let taken = take_one(&mut fx, "cin.xml", b"third");
    let finished = fx.folder.done(taken).expect("done");
    assert_eq!(finished, Finished::Moved(fx.path("done/cin.2.xml")));
    assert_eq!(fs::read(fx.path("done/cin.xml")).expect("kept"), b"first");
    assert_eq!(fs::read(fx.path("done/cin.1.xml")).expect("kept"), b"second");
    assert_eq!(fs::read(fx.path("done/cin.2.xml")).expect("moved"), b"third");
    // A name without an extension gets the counter at the end.
    fs::write(fx.path("done/raw"), b"x").expect("seed");
    let taken = take_one(&mut fx, "raw", b"y");
    assert_eq!(fx.folder.done(taken).expect("done"), Finished::Moved(fx.path("done/raw.1")));
}

#[test]
fn failed_files_get_a_reason_file() {
    let mut fx = Fixture::new(5);
    let taken = take_one(&mut fx, "bad.xml", b"not xml");
    let finished = fx.folder.failed(taken, "X001: not well-formed").expect("failed");
    assert_eq!(finished, Finished::Moved(fx.path("failed/bad.xml")));
    assert_eq!(fx.names("failed"), ["bad.xml", "bad.xml.reason.txt"]);
    let reason = fs::read_to_string(fx.path("failed/bad.xml.reason.txt")).expect("reason");
    assert_eq!(reason, "X001: not well-formed\n");
    assert!(fx.names("inbox").is_empty());
}

#[test]
fn failed_clashes_keep_file_and_reason_together() {
    let mut fx = Fixture::new(5);
    fs::write(fx.path("failed/bad.xml"), b"old").expect("seed");
    fs::write(fx.path("failed/bad.xml.reason.txt"), b"old reason").expect("seed");
    // An orphan reason file also blocks its name.
    fs::write(fx.path("failed/bad.1.xml.reason.txt"), b"orphan").expect("seed");
    let taken = take_one(&mut fx, "bad.xml", b"new");
    let finished = fx.folder.failed(taken, "broken").expect("failed");
    assert_eq!(finished, Finished::Moved(fx.path("failed/bad.2.xml")));
    assert_eq!(fs::read_to_string(fx.path("failed/bad.2.xml.reason.txt")).expect("r"), "broken\n");
    assert_eq!(fs::read(fx.path("failed/bad.xml.reason.txt")).expect("kept"), b"old reason");
    assert_eq!(fs::read(fx.path("failed/bad.1.xml.reason.txt")).expect("kept"), b"orphan");
    let leftovers: Vec<String> = fx.names("failed").into_iter().filter(|n| n.ends_with(".part")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_redelivered_name_is_not_moved_unread() {
    let mut fx = Fixture::new(5);
    let taken = take_one(&mut fx, "cin.xml", b"<old/>");
    // The mirror delivers a new file under the same name while the old one is being ingested.
    let part = fx.drop_file("cin.xml.part", b"<new/>");
    fs::rename(&part, fx.path("inbox/cin.xml")).expect("rename");
    assert_eq!(fx.folder.done(taken).expect("done"), Finished::Gone);
    assert_eq!(fs::read(fx.path("inbox/cin.xml")).expect("still there"), b"<new/>");
    assert!(fx.names("done").is_empty());
}

#[test]
fn a_file_removed_meanwhile_is_gone() {
    let mut fx = Fixture::new(5);
    let taken = take_one(&mut fx, "cin.xml", b"<x/>");
    fs::remove_file(fx.path("inbox/cin.xml")).expect("remove");
    assert_eq!(fx.folder.done(taken).expect("done"), Finished::Gone);
}
