//! Writing replies into `outbound/` for the mirror or gateway to send.

use std::io::{BufReader, Read};
use std::path::PathBuf;

use crate::error::{DropFolderError, Result};
use crate::name::check_name;
use crate::sys::{self, Kind};
use crate::{DropFolder, atomic};

/// What writing a reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Written {
    /// A new file.
    Created,
    /// A file of that name with other content was replaced.
    Replaced,
    /// A file of that name with the same content was already there; nothing was written.
    Unchanged,
}

/// The file name of a reply: `NAME.xml`, or `NAME` if it already ends in `.xml`.
pub fn reply_file_name(name: &str) -> String {
    if name.ends_with(".xml") { name.to_owned() } else { format!("{name}.xml") }
}

impl DropFolder {
    /// Writes a reply into `outbound/` as `NAME.xml`: first as `.NAME.xml.part`, flushed, then
    /// renamed, and the folder flushed, so an uploader never sees a partial `.xml`.
    ///
    /// Writing the same name again with the same bytes changes nothing (its time is kept, so it is
    /// not uploaded twice); with other bytes the file is replaced atomically.
    pub fn write_reply(&self, name: &str, body: &[u8]) -> Result<(PathBuf, Written)> {
        let file_name = reply_file_name(name);
        check_name(&file_name).map_err(|r| DropFolderError::name(name, r))?;
        let dir = &self.dirs.outbound;
        let path = dir.path.join(&file_name);
        let existing = sys::stat_at(&dir.fd, &file_name).map_err(|e| DropFolderError::io(&path, e))?;
        let written = match existing.as_ref().map(sys::kind) {
            None => Written::Created,
            Some(Kind::Symlink) => return Err(DropFolderError::Symlink { path }),
            Some(Kind::Other) => return Err(DropFolderError::NotRegular { path }),
            Some(Kind::File(sig)) if sig.size == body.len() as u64 && same_bytes(self, &file_name, body)? => {
                Written::Unchanged
            }
            Some(Kind::File(_)) => Written::Replaced,
        };
        if written != Written::Unchanged {
            atomic::write_durable(dir, &file_name, body)?;
        }
        Ok((path, written))
    }

    /// The path of the outbound folder, as opened.
    pub fn outbound(&self) -> PathBuf {
        self.dirs.outbound.path.clone()
    }
}

/// Whether the outbound file `name` holds exactly `body`, compared in chunks.
fn same_bytes(folder: &DropFolder, name: &str, body: &[u8]) -> Result<bool> {
    let dir = &folder.dirs.outbound;
    let path = dir.path.join(name);
    let io = |e: std::io::Error| DropFolderError::io(&path, e);
    let file = sys::open_read(&dir.fd, name).map_err(|e| io(e.into()))?;
    let mut reader = BufReader::new(file);
    let mut rest = body;
    let mut buf = [0u8; 8192];
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(rest.is_empty());
        }
        let Some((head, tail)) = rest.split_at_checked(n) else { return Ok(false) };
        if head != &buf[..n] {
            return Ok(false);
        }
        rest = tail;
    }
}
