//! Scanning the inbox: list, classify, and apply the stability rule.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::DropFolder;
use crate::error::{DropFolderError, NameError, Result};
use crate::name::{check_name, is_ignored};
use crate::stability::Signature;
use crate::sys::{self, Kind};

/// A file in the inbox that has been stable for the minimum age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyFile {
    pub(crate) name: String,
    pub(crate) signature: Signature,
}

impl ReadyFile {
    /// The file's name in the inbox.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its size in bytes when it was found ready.
    pub fn len(&self) -> u64 {
        self.signature.size
    }

    /// Whether it was empty when found ready.
    pub fn is_empty(&self) -> bool {
        self.signature.size == 0
    }

    /// Its modification time when it was found ready.
    pub fn modified(&self) -> SystemTime {
        let (secs, nanos) = self.signature.mtime;
        let nanos = u32::try_from(nanos).unwrap_or(0);
        match u64::try_from(secs) {
            Ok(s) => SystemTime::UNIX_EPOCH + std::time::Duration::new(s, nanos),
            Err(_) => SystemTime::UNIX_EPOCH,
        }
    }
}

/// Why an inbox entry is refused (it is never touched, and reported once).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The entry is a symbolic link.
    Symlink,
    /// The name is not acceptable.
    Name(NameError),
}

/// An inbox entry that is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The name, lossily decoded.
    pub name: String,
    /// Why.
    pub reason: RefusalReason,
}

/// What one scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scan {
    /// Files ready to take, oldest modification time first, then by name.
    pub ready: Vec<ReadyFile>,
    /// Regular files still waiting to be stable.
    pub waiting: usize,
    /// Temporary, hidden and non-regular entries left alone.
    pub ignored: usize,
    /// Refused entries not reported by an earlier scan.
    pub refused: Vec<Refusal>,
}

impl DropFolder {
    /// Lists the inbox (not recursively) and returns the files that are ready.
    ///
    /// Fails with [`DropFolderError::FolderReplaced`] if a folder was swapped since it was opened.
    pub fn scan(&mut self) -> Result<Scan> {
        self.dirs.check_unchanged()?;
        let inbox = &self.dirs.inbox;
        let io = |e| DropFolderError::io(&inbox.path, e);
        let mut scan = Scan::default();
        let mut files = Vec::new();
        let mut refused_now = BTreeSet::new();
        for entry in rustix::fs::Dir::read_from(&inbox.fd).map_err(io)? {
            let entry = entry.map_err(io)?;
            let raw = entry.file_name().to_bytes();
            if raw == b"." || raw == b".." {
                continue;
            }
            let lossy = String::from_utf8_lossy(raw).into_owned();
            let reason = match std::str::from_utf8(raw) {
                Err(_) => Some(RefusalReason::Name(NameError::NotUtf8)),
                Ok(name) if is_ignored(name) => {
                    scan.ignored += 1;
                    continue;
                }
                Ok(name) => match classify(self, name)? {
                    Classified::File(sig) => {
                        files.push((name.to_owned(), sig));
                        None
                    }
                    Classified::Ignored => {
                        scan.ignored += 1;
                        None
                    }
                    Classified::Refused(reason) => Some(reason),
                },
            };
            if let Some(reason) = reason {
                if !self.refused.contains(&lossy) {
                    scan.refused.push(Refusal { name: lossy.clone(), reason });
                }
                refused_now.insert(lossy);
            }
        }
        self.refused = refused_now;
        let now = self.clock.now();
        let ready: BTreeSet<String> = self.stability.observe(now, &files).into_iter().collect();
        scan.waiting = files.len() - ready.len();
        files.retain(|(name, _)| ready.contains(name));
        files.sort_by(|(a, sa), (b, sb)| (sa.mtime, a).cmp(&(sb.mtime, b)));
        scan.ready = files.into_iter().map(|(name, signature)| ReadyFile { name, signature }).collect();
        Ok(scan)
    }

    /// The path of the inbox, as opened.
    pub fn inbox(&self) -> PathBuf {
        self.dirs.inbox.path.clone()
    }
}

enum Classified {
    File(Signature),
    Ignored,
    Refused(RefusalReason),
}

fn classify(folder: &DropFolder, name: &str) -> Result<Classified> {
    if let Err(reason) = check_name(name) {
        return Ok(Classified::Refused(RefusalReason::Name(reason)));
    }
    let inbox = &folder.dirs.inbox;
    let st = sys::stat_at(&inbox.fd, name).map_err(|e| DropFolderError::io(inbox.path.join(name), e))?;
    Ok(match st.as_ref().map(sys::kind) {
        // Gone between listing and stat: a writer renamed it; the next scan sees the new name.
        None => Classified::Ignored,
        Some(Kind::File(sig)) => Classified::File(sig),
        Some(Kind::Symlink) => Classified::Refused(RefusalReason::Symlink),
        Some(Kind::Other) => Classified::Ignored,
    })
}
