//! Taking a ready file: open it for streaming, then move it out of the inbox once its outcome is
//! durable.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::error::{DropFolderError, Result};
use crate::folders::Dir;
use crate::name::{check_name, with_counter};
use crate::scan::ReadyFile;
use crate::stability::Signature;
use crate::sys::{self, Kind};
use crate::{DropFolder, atomic};

/// Names tried in `done/` or `failed/` before giving up.
const MAX_CLASH_TRIES: u32 = 10_000;

/// An inbox file opened for reading. It stays in the inbox until [`DropFolder::done`] or
/// [`DropFolder::failed`] is called with it.
#[derive(Debug)]
pub struct Taken {
    name: String,
    file: File,
    signature: Signature,
}

impl Taken {
    /// The file's name in the inbox.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.signature.size
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.signature.size == 0
    }

    /// Closes the file before it is moved; the caller is done reading.
    fn close(self) -> (String, Signature) {
        drop(self.file);
        (self.name, self.signature)
    }
}

impl Read for Taken {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

/// A reader may go over the file twice (the daemon hashes a message before
/// parsing it) without opening it again by path, which would step outside
/// the descriptor-relative confinement.
impl Seek for Taken {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

/// What happened to a file the caller finished with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finished {
    /// Moved to this path in `done/` or `failed/`.
    Moved(PathBuf),
    /// The name in the inbox was removed or now names another file (a new delivery), which is left
    /// for a later scan.
    Gone,
}

impl DropFolder {
    /// Opens a ready file for the caller to stream.
    ///
    /// Fails with [`DropFolderError::Changed`] if it is no longer the file the scan found stable
    /// (its wait then starts again), and refuses links and anything but a regular file.
    pub fn take(&mut self, ready: &ReadyFile) -> Result<Taken> {
        let name = ready.name();
        check_name(name).map_err(|r| DropFolderError::name(name, r))?;
        let path = self.dirs.inbox.path.join(name);
        let file = sys::open_read(&self.dirs.inbox.fd, name).map_err(|e| match e {
            rustix::io::Errno::LOOP => DropFolderError::Symlink { path: path.clone() },
            e => DropFolderError::io(&path, e),
        })?;
        let st = rustix::fs::fstat(&file).map_err(|e| DropFolderError::io(&path, e))?;
        let Kind::File(signature) = sys::kind(&st) else {
            return Err(DropFolderError::NotRegular { path });
        };
        if signature != ready.signature {
            self.stability.forget(name);
            return Err(DropFolderError::Changed { path });
        }
        Ok(Taken { name: name.to_owned(), file, signature })
    }

    /// Moves a taken file to `done/`. Call it only once the file's outcome is durable.
    pub fn done(&mut self, taken: Taken) -> Result<Finished> {
        let (name, signature) = taken.close();
        let moved = move_out(&self.dirs.inbox, &self.dirs.done, &name, signature, None)?;
        self.stability.forget(&name);
        Ok(moved)
    }

    /// Moves a taken file to `failed/`, with `NAME.reason.txt` next to it. Call it only once the
    /// decision is durable (for example, the failure is recorded).
    pub fn failed(&mut self, taken: Taken, reason: &str) -> Result<Finished> {
        let (name, signature) = taken.close();
        let moved = move_out(&self.dirs.inbox, &self.dirs.failed, &name, signature, Some(reason))?;
        self.stability.forget(&name);
        Ok(moved)
    }
}

fn reason_name(name: &str) -> String {
    format!("{name}.reason.txt")
}

/// Renames the inbox entry to the first free name in `dest`, writes the reason file if any, then
/// flushes `dest` and the inbox, in that order (the file is never in neither).
fn move_out(inbox: &Dir, dest: &Dir, name: &str, taken: Signature, reason: Option<&str>) -> Result<Finished> {
    let src = inbox.path.join(name);
    // The name may have been re-delivered since the take: never move a file nobody read.
    let current = sys::stat_at(&inbox.fd, name).map_err(|e| DropFolderError::io(&src, e))?;
    match current.as_ref().map(sys::kind) {
        Some(Kind::File(sig)) if (sig.dev, sig.ino) == (taken.dev, taken.ino) => {}
        _ => return Ok(Finished::Gone),
    }
    let target = rename_free(inbox, dest, name, reason.is_some())?;
    if let Some(reason) = reason {
        let mut text = reason.trim_end().to_owned();
        text.push('\n');
        atomic::write(dest, &reason_name(&target), text.as_bytes())?;
    }
    sys::sync_dir(&dest.fd).map_err(|e| DropFolderError::io(&dest.path, e))?;
    sys::sync_dir(&inbox.fd).map_err(|e| DropFolderError::io(&inbox.path, e))?;
    Ok(Finished::Moved(dest.path.join(target)))
}

fn rename_free(inbox: &Dir, dest: &Dir, name: &str, with_reason: bool) -> Result<String> {
    for n in 0..MAX_CLASH_TRIES {
        let candidate = with_counter(name, n);
        let to = dest.path.join(&candidate);
        if with_reason {
            let reason = sys::stat_at(&dest.fd, &reason_name(&candidate));
            if reason.map_err(|e| DropFolderError::io(&to, e))?.is_some() {
                continue;
            }
        }
        match sys::rename_noreplace(&inbox.fd, name, &dest.fd, &candidate) {
            Ok(()) => return Ok(candidate),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(DropFolderError::io(inbox.path.join(name), e)),
        }
    }
    Err(DropFolderError::NoFreeName { name: name.to_owned(), dir: dest.path.clone(), tries: MAX_CLASH_TRIES })
}
