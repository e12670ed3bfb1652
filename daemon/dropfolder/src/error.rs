//! The error type of this crate.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Which configured folder a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Where messages arrive.
    Inbox,
    /// Where processed files go.
    Done,
    /// Where unreadable files go.
    Failed,
    /// Where replies are written.
    Outbound,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Inbox => "inbox",
            Role::Done => "done",
            Role::Failed => "failed",
            Role::Outbound => "outbound",
        })
    }
}

/// Why a file name is refused: a name is always exactly one plain path component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    #[error("the name is empty")]
    Empty,
    /// The name contains `/` (it would reach into another directory).
    #[error("the name contains '/'")]
    Slash,
    /// The name contains `\` (a path separator for the Windows side of a transfer).
    #[error("the name contains '\\'")]
    Backslash,
    /// The name contains a NUL byte.
    #[error("the name contains a NUL byte")]
    Nul,
    /// The name contains another control character.
    #[error("the name contains a control character")]
    Control,
    /// The name is `.` or `..`.
    #[error("the name is '.' or '..'")]
    DotOrDotDot,
    /// The name starts with `.` (hidden, or a writer's temporary name).
    #[error("the name starts with '.'")]
    Hidden,
    /// The name is longer than 200 bytes (room is kept for clash counters and suffixes).
    #[error("the name is longer than 200 bytes")]
    TooLong,
    /// The name is not valid UTF-8.
    #[error("the name is not UTF-8")]
    NotUtf8,
}

/// Everything that can go wrong in the drop folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DropFolderError {
    /// A configured folder path is relative or has a `..` step.
    #[error("{role} folder {path}: not an absolute path without '..'")]
    FolderPath {
        /// Which folder.
        role: Role,
        /// The path as configured.
        path: PathBuf,
    },
    /// A configured folder is a symbolic link and links were not allowed explicitly.
    #[error(
        "{role} folder {path} is a symbolic link: configure its target, or allow symbolic-link folders explicitly"
    )]
    FolderIsSymlink {
        /// Which folder.
        role: Role,
        /// The path as configured.
        path: PathBuf,
    },
    /// A configured folder exists but is not a directory.
    #[error("{role} folder {path} is not a directory")]
    NotADirectory {
        /// Which folder.
        role: Role,
        /// The path.
        path: PathBuf,
    },
    /// Two folders overlap once symbolic links are resolved.
    #[error("folders {outer} and {inner} overlap once symbolic links are resolved")]
    Overlap {
        /// The enclosing folder.
        outer: PathBuf,
        /// The folder inside it (or equal to it).
        inner: PathBuf,
    },
    /// The inbox and a destination are on different filesystems, so files could not be renamed.
    #[error("folders {inbox} and {other} are on different filesystems: files are moved by rename")]
    CrossDevice {
        /// The inbox.
        inbox: PathBuf,
        /// `done` or `failed`.
        other: PathBuf,
    },
    /// A folder was removed or replaced after it was opened; reopen the drop folder.
    #[error("{role} folder {path} was replaced since it was opened")]
    FolderReplaced {
        /// Which folder.
        role: Role,
        /// The path.
        path: PathBuf,
    },
    /// A file name was refused.
    #[error("refused file name {name:?}: {reason}")]
    Name {
        /// The name, lossily decoded.
        name: String,
        /// Why.
        reason: NameError,
    },
    /// An inbox entry or an outbound target is a symbolic link.
    #[error("{path} is a symbolic link")]
    Symlink {
        /// The file.
        path: PathBuf,
    },
    /// An inbox entry or an outbound target is not a regular file.
    #[error("{path} is not a regular file")]
    NotRegular {
        /// The file.
        path: PathBuf,
    },
    /// The file changed (size, time or identity) after it was found ready; it is watched again.
    #[error("{path} changed after it was found ready")]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// No free name was found in the destination.
    #[error("no free name for {name:?} in {dir} after {tries} tries")]
    NoFreeName {
        /// The original name.
        name: String,
        /// The destination folder.
        dir: PathBuf,
        /// How many names were tried.
        tries: u32,
    },
    /// A system call failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl DropFolderError {
    /// An [`DropFolderError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: impl Into<io::Error>) -> Self {
        DropFolderError::Io { path: path.into(), source: source.into() }
    }

    /// A [`DropFolderError::Name`] for `name`.
    pub(crate) fn name(name: &str, reason: NameError) -> Self {
        DropFolderError::Name { name: name.to_owned(), reason }
    }
}

/// The result type of this crate.
pub type Result<T, E = DropFolderError> = std::result::Result<T, E>;
