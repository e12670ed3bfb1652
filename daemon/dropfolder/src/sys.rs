//! Thin wrappers over the `*at` system calls: every file operation is relative to a folder's open
//! descriptor and never follows a symbolic link in the last component.

use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

use crate::stability::Signature;

/// What kind of entry a name is, without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file, with its signature.
    File(Signature),
    /// A symbolic link.
    Symlink,
    /// A directory, FIFO, socket or device.
    Other,
}

/// The signature of a `stat` result.
// The field types of `Stat` differ between targets, so the casts are not always no-ops.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn signature(st: &Stat) -> Signature {
    Signature {
        mtime: (st.st_mtime as i64, st.st_mtime_nsec as i64),
        size: st.st_size as u64,
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
    }
}

/// The kind of `st`.
pub(crate) fn kind(st: &Stat) -> Kind {
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => Kind::File(signature(st)),
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    }
}

/// `lstat` of `name` in `dir`; `None` when it does not exist.
pub(crate) fn stat_at(dir: impl AsFd, name: &str) -> Result<Option<Stat>, Errno> {
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(st)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens `name` in `dir` for reading; a symbolic link fails with `ELOOP`, and `O_NONBLOCK` keeps a
/// FIFO swapped in from blocking the open (the caller then refuses it as not regular).
pub(crate) fn open_read(dir: impl AsFd, name: &str) -> Result<File, Errno> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    rustix::fs::openat(dir, name, flags, Mode::empty()).map(File::from)
}

/// Creates `name` in `dir` for writing; fails if it exists (so it cannot be a planted link).
pub(crate) fn create_new(dir: impl AsFd, name: &str) -> Result<File, Errno> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mode = Mode::RUSR | Mode::WUSR | Mode::RGRP | Mode::ROTH;
    rustix::fs::openat(dir, name, flags, mode).map(File::from)
}

/// Removes `name` from `dir`; a missing name is not an error.
pub(crate) fn remove(dir: impl AsFd, name: &str) -> Result<(), Errno> {
    match rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Renames `from` to `to`, replacing `to` (a link at `to` is replaced, never followed).
pub(crate) fn rename(from_dir: impl AsFd, from: &str, to_dir: impl AsFd, to: &str) -> Result<(), Errno> {
    rustix::fs::renameat(from_dir, from, to_dir, to)
}

/// Renames `from` to `to` unless `to` exists (`EEXIST`).
///
/// `renameat2(RENAME_NOREPLACE)` where the file system supports it; otherwise a hard link (which
/// never replaces) and an unlink of the source, so a crash in between leaves the file in both
/// folders, and the inbox copy is simply taken again (re-delivery is detected by the store).
pub(crate) fn rename_noreplace(
    from_dir: &OwnedFd,
    from: &str,
    to_dir: &OwnedFd,
    to: &str,
) -> Result<(), Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    match rustix::fs::renameat_with(from_dir, from, to_dir, to, rustix::fs::RenameFlags::NOREPLACE) {
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {}
        other => return other,
    }
    rustix::fs::linkat(from_dir, from, to_dir, to, AtFlags::empty())?;
    remove(from_dir, from)
}

/// Flushes a folder's entries (a rename is durable only once its directories are).
pub(crate) fn sync_dir(dir: impl AsFd) -> Result<(), Errno> {
    rustix::fs::fsync(dir)
}
