//! Replies written into outbound/.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use gdsn_dropfolder::{DropFolder, DropFolderError, Written};

use crate::util::{Fixture, folders};

#[test]
fn a_reply_is_written_as_xml_without_leftovers() {
    let fx = Fixture::new(5);
    let (path, written) = fx.folder.write_reply("cic-1", b"<cic/>").expect("write");
    assert_eq!(written, Written::Created);
    assert_eq!(path, fx.path("outbound/cic-1.xml"));
    assert_eq!(fs::read(&path).expect("read"), b"<cic/>");
    assert_eq!(fx.names("outbound"), ["cic-1.xml"]);
    // A name already ending in .xml is kept.
    let (path, _) = fx.folder.write_reply("cic-2.xml", b"<cic/>").expect("write");
    assert_eq!(path, fx.path("outbound/cic-2.xml"));
}

#[test]
fn writing_the_same_reply_again_is_idempotent() {
    let fx = Fixture::new(5);
    let (path, _) = fx.folder.write_reply("cic-1", b"<cic/>").expect("write");
    let mtime = fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
    let (_, again) = fx.folder.write_reply("cic-1", b"<cic/>").expect("again");
    assert_eq!(again, Written::Unchanged);
    assert_eq!(fs::metadata(&path).and_then(|m| m.modified()).expect("mtime"), mtime);
    let (_, other) = fx.folder.write_reply("cic-1", b"<cic>v2</cic>").expect("other");
    assert_eq!(other, Written::Replaced);
    assert_eq!(fs::read(&path).expect("read"), b"<cic>v2</cic>");
    // Same length, other bytes.
    let (_, same_len) = fx.folder.write_reply("cic-1", b"<cic>v3</cic>").expect("same length");
    assert_eq!(same_len, Written::Replaced);
    assert_eq!(fx.names("outbound"), ["cic-1.xml"]);
}

#[test]
fn a_leftover_part_from_a_crash_is_replaced() {
    let fx = Fixture::new(5);
    fs::write(fx.path("outbound/.cic-1.xml.part"), b"half a").expect("seed");
    fx.folder.write_reply("cic-1", b"<cic/>").expect("write");
    assert_eq!(fx.names("outbound"), ["cic-1.xml"]);
}

/// A reader polling the folder must only ever see whole files under `.xml` names.
#[test]
fn no_partial_xml_is_ever_visible() {
    let tmp = tempfile::tempdir().expect("tmp");
    let folder = DropFolder::open(&folders(tmp.path())).expect("open");
    let outbound = tmp.path().join("outbound");
    const LEN: usize = 256 * 1024;
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, outbound) = (Arc::clone(&stop), outbound.clone());
        thread::spawn(move || {
            let mut checks = 0u32;
            loop {
                // One last pass after the writer stops, so the finished files are always checked.
                let stopping = stop.load(Ordering::Relaxed);
                for entry in fs::read_dir(&outbound).expect("list").flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !name.ends_with(".xml") {
                        continue;
                    }
                    let Ok(body) = fs::read(entry.path()) else { continue };
                    assert_eq!(body.len(), LEN, "partial {name}");
                    assert!(body.iter().all(|b| *b == body[0]), "mixed {name}");
                    checks += 1;
                }
                if stopping {
                    return checks;
                }
            }
        })
    };
    for round in 0..40u8 {
        let body = vec![b'a' + round % 26; LEN];
        folder.write_reply(&format!("r{}", round % 3), &body).expect("write");
    }
    stop.store(true, Ordering::Relaxed);
    let checks = watcher.join().expect("watcher");
    assert!(checks > 0, "the watcher saw no file");
    let names = crate::util::names(&outbound);
    assert_eq!(names, ["r0.xml", "r1.xml", "r2.xml"]);
}

#[test]
fn an_outbound_symlink_is_refused_and_its_target_untouched() {
    let fx = Fixture::new(5);
    let outside = fx.path("outside.xml");
    fs::write(&outside, b"precious").expect("seed");
    std::os::unix::fs::symlink(&outside, fx.path("outbound/cic-1.xml")).expect("link");
    let err = fx.folder.write_reply("cic-1", b"<cic/>").expect_err("refused");
    assert!(matches!(err, DropFolderError::Symlink { .. }), "{err}");
    assert_eq!(fs::read(&outside).expect("read"), b"precious");
}
