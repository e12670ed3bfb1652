//! Where a message comes from: a file named on the command line, the raw
//! archive (`replay`), bytes fetched over HTTP, or a file the daemon holds
//! open (a drop folder's, never reopened by path).

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use flate2::read::GzDecoder;

/// A file the caller opened, readable more than once.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// An open file shared between the daemon (which moves it afterwards) and
/// the ingest that reads it.
pub(crate) type SharedFile = Arc<Mutex<dyn ReadSeek>>;

/// A message to apply.
#[derive(Clone)]
pub(crate) enum Source {
    /// A file (`-` is not accepted: the content hash needs a second read).
    File(PathBuf),
    /// A gzip file of the raw archive, with the name the store knows it by.
    Archived { path: PathBuf, name: String },
    /// A message body received over HTTP, already capped in size.
    Memory { label: PathBuf, bytes: Arc<[u8]> },
    /// A file held open by the caller.
    Open { label: PathBuf, file: SharedFile },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Source({})", self.label().display())
    }
}

impl Source {
    /// What summaries and errors call it.
    pub(crate) fn label(&self) -> PathBuf {
        match self {
            Source::File(path) | Source::Archived { path, .. } => path.clone(),
            Source::Memory { label, .. } | Source::Open { label, .. } => label.clone(),
        }
    }

    /// The archive name when the message is archived already.
    pub(crate) fn archived(&self) -> Option<&str> {
        match self {
            Source::Archived { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The message's bytes as a stream, from the start. `wrap` sees a file
    /// opened here (compressed, for an archived message) and its size:
    /// progress is counted on what is read from disk.
    pub(crate) fn open_with(&self, wrap: impl FnOnce(File, u64) -> Box<dyn Read>) -> Result<Box<dyn Read>> {
        let (path, gzip) = match self {
            Source::File(path) => (path, false),
            Source::Archived { path, .. } => (path, true),
            Source::Memory { bytes, .. } => return Ok(Box::new(Cursor::new(Arc::clone(bytes)))),
            Source::Open { file, .. } => {
                lock(file)?.seek(SeekFrom::Start(0)).context("cannot rewind")?;
                return Ok(Box::new(Shared(Arc::clone(file))));
            }
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

fn lock(file: &SharedFile) -> Result<std::sync::MutexGuard<'_, dyn ReadSeek + 'static>> {
    file.lock().map_err(|_| anyhow::anyhow!("a reader of this file panicked"))
}

/// Reads a shared file; each read takes the lock (one 64 KiB buffer at a time).
struct Shared(SharedFile);

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut file = self.0.lock().map_err(|_| io::Error::other("a reader of this file panicked"))?;
        file.read(buf)
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
