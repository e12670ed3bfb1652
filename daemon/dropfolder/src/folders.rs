//! The four folders of a drop-folder connection, checked and opened once.
//!
//! Rule for symbolic links: each configured folder must itself be a real directory (checked with
//! `lstat`); a folder that is a symbolic link is refused unless [`Folders::allow_symlinked_folders`]
//! is set explicitly, in which case it is resolved once, when opened. Parent directories of the
//! folders are the operator's business and are not checked (`/srv` being a link is common). After
//! opening, every file operation is relative to the folder's descriptor, so swapping a folder for a
//! link later cannot redirect anything; [`crate::DropFolder::scan`] notices the swap and fails.

use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use rustix::fs::{Mode, OFlags};

use crate::error::{DropFolderError, Result, Role};

/// The folders of one drop-folder connection, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Folders {
    /// Where messages arrive.
    pub inbox: PathBuf,
    /// Where a file goes once its outcome is durable.
    pub done: PathBuf,
    /// Where a file goes when it cannot be read at all, with a `.reason.txt` next to it.
    pub failed: PathBuf,
    /// Where replies are written.
    pub outbound: PathBuf,
    /// How long a file must stay unchanged before it is ready.
    pub min_age: Duration,
    /// Accept folders that are symbolic links to directories (resolved once, when opened).
    pub allow_symlinked_folders: bool,
}

impl Folders {
    /// Folders with the default minimum age (5 seconds) and no symbolic-link folders.
    pub fn new(
        inbox: impl Into<PathBuf>,
        done: impl Into<PathBuf>,
        failed: impl Into<PathBuf>,
        outbound: impl Into<PathBuf>,
    ) -> Self {
        Folders {
            inbox: inbox.into(),
            done: done.into(),
            failed: failed.into(),
            outbound: outbound.into(),
            min_age: Duration::from_secs(5),
            allow_symlinked_folders: false,
        }
    }

    /// The folders of a validated configuration.
    pub fn from_config(config: &gdsn_config::DropFolder) -> Self {
        let mut folders = Folders::new(&config.inbox, &config.done, &config.failed, &config.outbound);
        folders.min_age = config.min_age;
        folders
    }

    /// The same folders with another minimum age.
    pub fn with_min_age(mut self, min_age: Duration) -> Self {
        self.min_age = min_age;
        self
    }

    /// The same folders, allowing (or not) folders that are symbolic links.
    pub fn allow_symlinked_folders(mut self, allow: bool) -> Self {
        self.allow_symlinked_folders = allow;
        self
    }
}

/// One opened folder.
#[derive(Debug)]
pub(crate) struct Dir {
    pub(crate) role: Role,
    /// The path after resolving a permitted link.
    pub(crate) path: PathBuf,
    pub(crate) fd: OwnedFd,
    dev: u64,
    ino: u64,
    /// The path as configured, for the replacement check.
    configured: PathBuf,
    follow: bool,
}

impl Dir {
    /// Opens a folder, creating it if missing.
    pub(crate) fn open(role: Role, configured: &Path, allow_link: bool) -> Result<Dir> {
        let bad_path = || DropFolderError::FolderPath { role, path: configured.to_owned() };
        if !configured.is_absolute() || configured.components().any(|c| c == Component::ParentDir) {
            return Err(bad_path());
        }
        let meta = match std::fs::symlink_metadata(configured) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(configured).map_err(|e| DropFolderError::io(configured, e))?;
                std::fs::symlink_metadata(configured)
            }
            other => other,
        }
        .map_err(|e| DropFolderError::io(configured, e))?;
        let is_link = meta.file_type().is_symlink();
        if is_link && !allow_link {
            return Err(DropFolderError::FolderIsSymlink { role, path: configured.to_owned() });
        }
        let path = if is_link {
            std::fs::canonicalize(configured).map_err(|e| DropFolderError::io(configured, e))?
        } else {
            configured.to_owned()
        };
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::open(&path, flags, Mode::empty()).map_err(|e| match e {
            rustix::io::Errno::NOTDIR => DropFolderError::NotADirectory { role, path: path.clone() },
            rustix::io::Errno::LOOP => DropFolderError::FolderIsSymlink { role, path: path.clone() },
            e => DropFolderError::io(&path, e),
        })?;
        let st = rustix::fs::fstat(&fd).map_err(|e| DropFolderError::io(&path, e))?;
        let sig = crate::sys::signature(&st);
        let (dev, ino) = (sig.dev, sig.ino);
        Ok(Dir { role, path, fd, dev, ino, configured: configured.to_owned(), follow: is_link })
    }

    /// Fails if the configured path no longer names the directory that was opened.
    pub(crate) fn check_unchanged(&self) -> Result<()> {
        let meta = if self.follow {
            std::fs::metadata(&self.configured)
        } else {
            std::fs::symlink_metadata(&self.configured)
        };
        match meta {
            Ok(m) if m.is_dir() && m.dev() == self.dev && m.ino() == self.ino => Ok(()),
            _ => Err(DropFolderError::FolderReplaced { role: self.role, path: self.configured.clone() }),
        }
    }

    /// The device the folder is on.
    pub(crate) fn dev(&self) -> u64 {
        self.dev
    }
}

/// The four opened folders.
#[derive(Debug)]
pub(crate) struct OpenFolders {
    pub(crate) inbox: Dir,
    pub(crate) done: Dir,
    pub(crate) failed: Dir,
    pub(crate) outbound: Dir,
}

impl OpenFolders {
    /// Opens and cross-checks the folders: no overlap once resolved, moves within one file system.
    pub(crate) fn open(folders: &Folders) -> Result<OpenFolders> {
        let allow = folders.allow_symlinked_folders;
        let open = OpenFolders {
            inbox: Dir::open(Role::Inbox, &folders.inbox, allow)?,
            done: Dir::open(Role::Done, &folders.done, allow)?,
            failed: Dir::open(Role::Failed, &folders.failed, allow)?,
            outbound: Dir::open(Role::Outbound, &folders.outbound, allow)?,
        };
        open.check_overlap()?;
        for other in [&open.done, &open.failed] {
            if other.dev() != open.inbox.dev() {
                let (inbox, other) = (open.inbox.path.clone(), other.path.clone());
                return Err(DropFolderError::CrossDevice { inbox, other });
            }
        }
        Ok(open)
    }

    fn all(&self) -> [&Dir; 4] {
        [&self.inbox, &self.done, &self.failed, &self.outbound]
    }

    /// The configuration checks overlap lexically; links can still make two folders one.
    fn check_overlap(&self) -> Result<()> {
        let resolved: Vec<PathBuf> = self
            .all()
            .iter()
            .map(|d| std::fs::canonicalize(&d.path).map_err(|e| DropFolderError::io(&d.path, e)))
            .collect::<Result<_>>()?;
        for (i, outer) in resolved.iter().enumerate() {
            for (j, inner) in resolved.iter().enumerate() {
                if i != j && inner.starts_with(outer) {
                    return Err(DropFolderError::Overlap { outer: outer.clone(), inner: inner.clone() });
                }
            }
        }
        Ok(())
    }

    /// Fails if any folder was replaced since it was opened.
    pub(crate) fn check_unchanged(&self) -> Result<()> {
        self.all().iter().try_for_each(|d| d.check_unchanged())
    }
}
