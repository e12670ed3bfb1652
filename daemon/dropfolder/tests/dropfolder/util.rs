//! Shared set-up: four folders in a temporary directory, a manual clock.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gdsn_dropfolder::{DropFolder, Folders, ManualClock, ReadyFile};
use tempfile::TempDir;

/// A drop folder under a temporary directory, and the clock it reads.
pub(crate) struct Fixture {
    pub(crate) tmp: TempDir,
    pub(crate) folder: DropFolder,
    pub(crate) clock: ManualClock,
}

impl Fixture {
    /// Folders `inbox`, `done`, `failed`, `outbound` (created by `open`) with `min_age` seconds.
    pub(crate) fn new(min_age: u64) -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let folders = folders(tmp.path()).with_min_age(Duration::from_secs(min_age));
        let clock = ManualClock::new();
        let folder = DropFolder::open(&folders).expect("open").with_clock(Arc::new(clock.clone()));
        Fixture { tmp, folder, clock }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes `inbox/name`.
    pub(crate) fn drop_file(&self, name: &str, body: &[u8]) -> PathBuf {
        let path = self.path("inbox").join(name);
        fs::write(&path, body).expect("write inbox file");
        path
    }

    /// Scans twice around `min_age`, returning what is ready the second time.
    pub(crate) fn ready_after(&mut self, secs: u64) -> Vec<ReadyFile> {
        self.folder.scan().expect("scan");
        self.clock.advance(Duration::from_secs(secs));
        self.folder.scan().expect("scan").ready
    }

    /// Sorted names in a folder.
    pub(crate) fn names(&self, rel: &str) -> Vec<String> {
        names(&self.path(rel))
    }
}

/// The standard four folders under `root`.
pub(crate) fn folders(root: &Path) -> Folders {
    Folders::new(root.join("inbox"), root.join("done"), root.join("failed"), root.join("outbound"))
}

/// Sorted names in a directory.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Sets a file's modification time to `secs` after the epoch.
pub(crate) fn set_mtime(path: &Path, secs: u64) {
    let file = fs::File::options().append(true).open(path).expect("open for mtime");
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).expect("set mtime");
}
