//! Every refusal that keeps the drop folder inside its four folders.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gdsn_dropfolder::{
    DropFolder, DropFolderError, Folders, ManualClock, NameError, RefusalReason, Role, check_name,
};

use crate::util::{Fixture, folders};

#[test]
fn every_bad_name_is_refused() {
    let long = "a".repeat(201);
    let cases: [(&str, NameError); 9] = [
        ("", NameError::Empty),
        ("a/b.xml", NameError::Slash),
        ("..", NameError::DotOrDotDot),
        (".", NameError::DotOrDotDot),
        ("a\0b", NameError::Nul),
        ("a\\b", NameError::Backslash),
        ("a\nb", NameError::Control),
        (".hidden", NameError::Hidden),
        (&long, NameError::TooLong),
    ];
    for (name, reason) in cases {
        assert_eq!(check_name(name), Err(reason), "{name:?}");
    }
    assert_eq!(check_name("CIN 2024-01-01 (1).xml"), Ok(()));
}

#[test]
fn bad_reply_names_touch_nothing() {
    let fx = Fixture::new(5);
    for name in ["../escape", "/abs/path", "sub/dir", "..", "a\0b", ".hidden"] {
        let err = fx.folder.write_reply(name, b"<x/>").expect_err(name);
        assert!(matches!(err, DropFolderError::Name { .. }), "{name:?}: {err}");
    }
    assert!(fx.names("outbound").is_empty());
    assert_eq!(fx.names(""), ["done", "failed", "inbox", "outbound"]);
}

#[test]
fn an_inbox_symlink_is_refused_reported_once_and_never_moved() {
    let mut fx = Fixture::new(0);
    let outside = fx.path("secret.xml");
    fs::write(&outside, b"secret").expect("seed");
    symlink(&outside, fx.path("inbox/link.xml")).expect("link");
    let first = fx.folder.scan().expect("scan");
    assert!(first.ready.is_empty());
    assert_eq!(first.refused.len(), 1);
    assert_eq!(first.refused[0].name, "link.xml");
    assert_eq!(first.refused[0].reason, RefusalReason::Symlink);
    assert!(fx.folder.scan().expect("scan").refused.is_empty(), "reported once");
    assert_eq!(fs::read(&outside).expect("read"), b"secret");
    assert_eq!(fx.names("inbox"), ["link.xml"]);
}

#[test]
fn a_file_swapped_for_a_symlink_after_the_scan_is_refused() {
    let mut fx = Fixture::new(5);
    fx.drop_file("cin.xml", b"<x/>");
    let ready = fx.ready_after(5);
    let outside = fx.path("secret.xml");
    fs::write(&outside, b"secret").expect("seed");
    fs::remove_file(fx.path("inbox/cin.xml")).expect("remove");
    symlink(&outside, fx.path("inbox/cin.xml")).expect("link");
    let err = fx.folder.take(&ready[0]).expect_err("refused");
    assert!(matches!(err, DropFolderError::Symlink { .. }), "{err}");
}

#[test]
fn a_non_utf8_inbox_name_is_refused() {
    let mut fx = Fixture::new(0);
    let name = OsStr::from_bytes(b"bad-\xff.xml");
    fs::write(fx.path("inbox").join(name), b"<x/>").expect("seed");
    let scan = fx.folder.scan().expect("scan");
    assert!(scan.ready.is_empty());
    assert_eq!(scan.refused[0].reason, RefusalReason::Name(NameError::NotUtf8));
}

#[test]
fn an_inbox_name_with_control_characters_is_refused() {
    let mut fx = Fixture::new(0);
    fx.drop_file("a\nb.xml", b"<x/>");
    let scan = fx.folder.scan().expect("scan");
    assert_eq!(scan.refused[0].reason, RefusalReason::Name(NameError::Control));
}

fn open_err(folders: &Folders) -> DropFolderError {
    DropFolder::open(folders).expect_err("refused")
}

#[test]
fn a_symlinked_folder_is_refused_unless_allowed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let real = tmp.path().join("real-inbox");
    fs::create_dir(&real).expect("mkdir");
    symlink(&real, tmp.path().join("inbox")).expect("link");
    let err = open_err(&folders(tmp.path()));
    assert!(matches!(err, DropFolderError::FolderIsSymlink { role: Role::Inbox, .. }), "{err}");
    // Allowed explicitly: resolved once, and files go through it.
    let allowed = folders(tmp.path()).allow_symlinked_folders(true).with_min_age(Duration::ZERO);
    let mut folder = DropFolder::open(&allowed).expect("open");
    assert_eq!(folder.inbox(), fs::canonicalize(&real).expect("canon"));
    fs::write(real.join("a.xml"), b"<x/>").expect("seed");
    assert_eq!(folder.scan().expect("scan").ready.len(), 1);
}

#[test]
fn relative_and_dotdot_folders_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut relative = folders(tmp.path());
    relative.inbox = "inbox".into();
    assert!(matches!(open_err(&relative), DropFolderError::FolderPath { role: Role::Inbox, .. }));
    let mut dotdot = folders(tmp.path());
    dotdot.done = tmp.path().join("x/../done");
    assert!(matches!(open_err(&dotdot), DropFolderError::FolderPath { role: Role::Done, .. }));
    assert!(!tmp.path().join("x").exists(), "nothing was created for a refused path");
}

#[test]
fn a_folder_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(tmp.path().join("failed"), b"").expect("seed");
    let err = open_err(&folders(tmp.path()));
    assert!(matches!(err, DropFolderError::NotADirectory { role: Role::Failed, .. }), "{err}");
}

#[test]
fn folders_that_overlap_through_links_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::create_dir_all(tmp.path().join("inbox/sub")).expect("mkdir");
    symlink(tmp.path().join("inbox/sub"), tmp.path().join("done")).expect("link");
    let linked = folders(tmp.path()).allow_symlinked_folders(true);
    assert!(matches!(open_err(&linked), DropFolderError::Overlap { .. }));
}

#[test]
fn a_folder_swapped_after_opening_stops_the_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut folder = DropFolder::open(&folders(tmp.path())).expect("open");
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    fs::write(elsewhere.join("a.xml"), b"<x/>").expect("seed");
    fs::rename(tmp.path().join("inbox"), tmp.path().join("old-inbox")).expect("move away");
    symlink(&elsewhere, tmp.path().join("inbox")).expect("link");
    let err = folder.scan().expect_err("replaced");
    assert!(matches!(err, DropFolderError::FolderReplaced { role: Role::Inbox, .. }), "{err}");
    assert!(elsewhere.join("a.xml").exists());
}

#[test]
fn missing_folders_are_created_and_the_clock_is_injectable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let nested = tmp.path().join("data/dropfolder/pool");
    let folders = folders(&nested);
    let clock = ManualClock::new();
    let folder = DropFolder::open(&folders).expect("open").with_clock(Arc::new(clock));
    for sub in ["inbox", "done", "failed", "outbound"] {
        assert!(Path::new(&nested.join(sub)).is_dir(), "{sub}");
    }
    drop(folder);
}
