//! The crate's one error type.

use std::path::PathBuf;

/// What went wrong opening, writing or reading the index.
///
/// The sink side maps every variant to [`gdsn_sink::SinkError::Unavailable`]
/// (retry later); records the index cannot take are not errors of this type
/// but rejections inside a [`gdsn_sink::SinkError::Partial`].
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file or directory operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error from the operating system.
        source: std::io::Error,
    },
    /// tantivy failed (IO inside the index, a corrupt segment, a dead writer thread).
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Another process (or another handle in this one) holds the index writer.
    #[error("index {} is in use by another writer", path.display())]
    Locked {
        /// The generation directory.
        path: PathBuf,
    },
    /// `CURRENT` does not name a generation (`gen-NNNNNN`).
    #[error("{}: expected a generation name such as gen-000001, found `{found}`", path.display())]
    BadCurrent {
        /// The `CURRENT` file.
        path: PathBuf,
        /// What it holds (trimmed, cut to 64 bytes).
        found: String,
    },
    /// There is no index yet: `CURRENT` is missing (readers never create one).
    #[error("no index in {}: nothing has been published yet", path.display())]
    NoIndex {
        /// The index root (`DATA/index`).
        path: PathBuf,
    },
    /// The generation was written with another schema (an older or newer
    /// gdsn-index): it must be rebuilt, not reused.
    #[error("index {} has another schema than this gdsn-index writes: rebuild it", path.display())]
    SchemaMismatch {
        /// The generation directory.
        path: PathBuf,
    },
    /// The commit payload is not ours.
    #[error("index {}: unreadable commit payload `{payload}`", path.display())]
    BadPayload {
        /// The generation directory.
        path: PathBuf,
        /// The payload as found (cut to 64 bytes).
        payload: String,
    },
    /// A stored record that is not valid JSON (the index is damaged).
    #[error("stored record of `{key}` is not JSON: {source}")]
    BadStoredRecord {
        /// The document's key.
        key: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A search cursor that this index did not hand out, or one from another query.
    #[error("invalid search cursor: {0}")]
    BadCursor(&'static str),
    /// A rebuild was handed to an index directory other than its own.
    #[error("generation {} does not belong to {}", generation.display(), root.display())]
    ForeignGeneration {
        /// The rebuilt generation.
        generation: PathBuf,
        /// The index root it was handed to.
        root: PathBuf,
    },
}

impl IndexError {
    /// An IO error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> IndexError {
        IndexError::Io { path: path.into(), source }
    }
}

/// Keeps an untrusted string short enough for an error message.
pub(crate) fn clip(s: &str) -> String {
    let trimmed = s.trim();
    let mut end = trimmed.len().min(64);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    trimmed[..end].to_owned()
}
