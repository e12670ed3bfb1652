//! Where a message comes from: a file named on the command line, or the
//! raw archive (`replay`).

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};
use flate2::read::GzDecoder;

/// A message to apply.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A file (`-` is not accepted: the content hash needs a second read).
    File(PathBuf),
    /// A gzip file of the raw archive, with the name the store knows it by.
    Archived { path: PathBuf, name: String },
}

impl Source {
    /// What summaries and errors call it.
    pub(crate) fn label(&self) -> PathBuf {
        match self {
            Source::File(path) | Source::Archived { path, .. } => path.clone(),
        }
    }

    /// The archive name when the message is archived already.
    pub(crate) fn archived(&self) -> Option<&str> {
        match self {
            Source::File(_) => None,
            Source::Archived { name, .. } => Some(name),
        }
    }

    /// The message's bytes as a stream. `wrap` sees the file itself
    /// (compressed, for an archived message) and its size: progress is
    /// counted on what is read from disk.
    pub(crate) fn open_with(&self, wrap: impl FnOnce(File, u64) -> Box<dyn Read>) -> Result<Box<dyn Read>> {
        let (path, gzip) = match self {
            Source::File(path) => (path, false),
            Source::Archived { path, .. } => (path, true),
        };
        let file = File::open(path).context("cannot read")?;
        let size = file.metadata().map_or(0, |m| m.len());
        let raw = wrap(file, size);
        Ok(if gzip { Box::new(GzDecoder::new(raw)) } else { raw })
    }

    /// xxh3-128 of the message's bytes (decompressed): its "same content".
    pub(crate) fn hash(&self) -> Result<u128> {
        let mut input = self.open_with(|file, _| Box::new(file))?;
        hash_of(&mut input).context("cannot read")
    }
}

fn hash_of(input: &mut dyn Read) -> io::Result<u128> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.digest128());
        }
        hasher.update(&buf[..n]);
    }
}
