//! The store's one error type.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (IO, corruption, lock held by another process).
    #[error("store: {0}")]
    Sled(sled::Error),
    /// Another process holds the store (sled allows one per directory).
    #[error("data dir {dir} in use by another gdsn-sync process{}", pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    InUse {
        /// The store directory.
        dir: String,
        /// The holder's pid, when it recorded one.
        pid: Option<u32>,
    },
    /// The data directory holds another format version.
    #[error("store format {found} is not the {expected} this build reads")]
    Format {
        /// Found on disk.
        found: u32,
        /// What this build reads.
        expected: u32,
    },
    /// A stored value could not be decoded.
    #[error("store value under `{key}` in `{tree}` cannot be decoded")]
    Corrupt {
        /// The tree.
        tree: &'static str,
        /// The key, as text.
        key: String,
    },
    /// Writing output failed.
    #[error("write: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        StoreError::Sled(e)
    }
}

impl StoreError {
    /// True when the disk is full (ENOSPC): the caller can say so plainly,
    /// and retry once space is freed.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::Sled(sled::Error::Io(e)) | StoreError::Io(e) => is_enospc(e),
            _ => false,
        }
    }
}

/// ENOSPC, by kind or by errno.
pub fn is_enospc(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}
