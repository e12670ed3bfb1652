//! Write-then-rename of small files inside one folder.

use std::io::Write;

use crate::error::{DropFolderError, Result};
use crate::folders::Dir;
use crate::sys;

/// The temporary name of `name` while it is written: hidden and `.part`, so neither the scanner nor
/// an uploader ever picks it up.
pub(crate) fn part_name(name: &str) -> String {
    format!(".{name}.part")
}

/// Writes `body` to `dir/name` atomically: to the temporary name, flushed, then renamed over `name`.
/// The directory itself is flushed by the caller (or [`write_durable`]).
pub(crate) fn write(dir: &Dir, name: &str, body: &[u8]) -> Result<()> {
    let part = part_name(name);
    let part_path = dir.path.join(&part);
    let io = |e: std::io::Error| DropFolderError::io(&part_path, e);
    // A leftover from a crash mid-write is ours to remove; `create_new` then refuses anything else.
    sys::remove(&dir.fd, &part).map_err(|e| io(e.into()))?;
    let mut file = sys::create_new(&dir.fd, &part).map_err(|e| io(e.into()))?;
    let written = file.write_all(body).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        // Best effort: the write error is what matters to the caller.
        let _ = sys::remove(&dir.fd, &part);
        return Err(io(e));
    }
    drop(file);
    sys::rename(&dir.fd, &part, &dir.fd, name).map_err(|e| DropFolderError::io(dir.path.join(name), e))
}

/// [`write`], then flushes the directory so the new name is durable.
pub(crate) fn write_durable(dir: &Dir, name: &str, body: &[u8]) -> Result<()> {
    write(dir, name, body)?;
    sys::sync_dir(&dir.fd).map_err(|e| DropFolderError::io(&dir.path, e))
}
