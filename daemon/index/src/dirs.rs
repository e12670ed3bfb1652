//! Index generations: `DATA/index/gen-NNNNNN/` directories and the
//! `CURRENT` file naming the one being served.
//!
//! A rebuild (reindex) fills a new generation beside the serving one; the
//! caller checks it (a canary) and either [switches](IndexDir::switch_to)
//! `CURRENT` to it or [abandons](Rebuild::abandon) it. `CURRENT` is replaced
//! atomically (write a temporary file, fsync, rename, fsync the directory),
//! so a reader or a restart sees the old generation or the new one, never a
//! torn name. After a switch the previous generation is kept (a reader that
//! read `CURRENT` just before the flip may still be opening it) and every
//! other older one is deleted, including a rebuild a crash left behind.
//! One rebuild at a time per index directory.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{IndexError, clip};
use crate::read::SearchHandle;
use crate::sink::{IndexSink, SinkOptions};

const CURRENT: &str = "CURRENT";
const CURRENT_TMP: &str = "CURRENT.tmp";
const PREFIX: &str = "gen-";

/// A generation number (`gen-000001` is 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(pub u32);

impl Generation {
    /// The directory name, `gen-NNNNNN`.
    pub fn dir_name(self) -> String {
        format!("{PREFIX}{:06}", self.0)
    }

    fn parse(name: &str) -> Option<Generation> {
        let digits = name.strip_prefix(PREFIX)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|&n| n > 0).map(Generation)
    }
}

/// The index root, `DATA/index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDir {
    root: PathBuf,
}

/// A generation being built: fill it through [`Rebuild::sink`], check it
/// through [`Rebuild::open_reader`], then [`IndexDir::switch_to`] or
/// [`Rebuild::abandon`].
pub struct Rebuild {
    root: PathBuf,
    generation: Generation,
    sink: IndexSink,
}

/// The outcome of a switch: the new serving sink, and whether removing the
/// generations it made obsolete failed (the switch itself succeeded).
pub struct Switched {
    /// The writer of the generation now serving.
    pub sink: IndexSink,
    /// An error removing old generations; [`IndexDir::prune`] retries.
    pub prune_error: Option<IndexError>,
}

impl IndexDir {
    /// The index directory at `root` (usually `DATA/index`); nothing is
    /// read or created yet.
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation `CURRENT` names, `None` when there is no `CURRENT`.
    pub fn current(&self) -> Result<Option<Generation>, IndexError> {
        let path = self.root.join(CURRENT);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(IndexError::io(path, e)),
        };
        match Generation::parse(text.trim()) {
            Some(g) => Ok(Some(g)),
            None => Err(IndexError::BadCurrent { path, found: clip(&text) }),
        }
    }

    /// The directory of generation `g`.
    pub fn path_of(&self, g: Generation) -> PathBuf {
        self.root.join(g.dir_name())
    }

    /// Every generation directory present, in order.
    pub fn generations(&self) -> Result<Vec<Generation>, IndexError> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(IndexError::io(&self.root, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| IndexError::io(&self.root, e))?;
            if let Some(g) = entry.file_name().to_str().and_then(Generation::parse) {
                out.push(g);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Opens the writer of the serving generation, creating generation 1
    /// and `CURRENT` when there is none yet.
    pub fn open_sink(&self, options: SinkOptions) -> Result<IndexSink, IndexError> {
        if let Some(g) = self.current()? {
            return IndexSink::open_existing(&self.path_of(g), options);
        }
        let first = Generation(1);
        let sink = IndexSink::open(&self.path_of(first), options)?;
        sync_dir(&self.root)?;
        self.write_current(first)?;
        Ok(sink)
    }

    /// Opens a read handle on the serving generation; it follows `CURRENT`
    /// when reloaded. Fails with [`IndexError::NoIndex`] before the first
    /// [`IndexDir::open_sink`].
    pub fn open_reader(&self) -> Result<SearchHandle, IndexError> {
        SearchHandle::open_current(self)
    }

    /// Creates the next generation (one past every existing directory) and
    /// its writer, for the caller to fill with `publish` calls.
    pub fn begin_rebuild(&self, options: SinkOptions) -> Result<Rebuild, IndexError> {
        let last = self.generations()?.last().copied().max(self.current()?);
        let generation = Generation(last.map_or(1, |g| g.0.saturating_add(1)));
        let path = self.path_of(generation);
        fs::create_dir_all(&self.root).map_err(|e| IndexError::io(&self.root, e))?;
        // create_dir, not create_dir_all: a concurrent rebuild that picked
        // the same number fails here instead of sharing the directory.
        fs::create_dir(&path).map_err(|e| IndexError::io(&path, e))?;
        match IndexSink::open(&path, options) {
            Ok(sink) => Ok(Rebuild { root: self.root.clone(), generation, sink }),
            Err(e) => {
                let _ = fs::remove_dir_all(&path);
                Err(e)
            }
        }
    }

    /// Makes `rebuild` the serving generation, then removes every
    /// generation older than the one it replaces.
    pub fn switch_to(&self, rebuild: Rebuild) -> Result<Switched, IndexError> {
        if rebuild.root != self.root {
            return Err(IndexError::ForeignGeneration {
                generation: rebuild.sink.path().to_owned(),
                root: self.root.clone(),
            });
        }
        let replaced = self.current()?;
        sync_dir(&self.root)?;
        self.write_current(rebuild.generation)?;
        let prune_error = self.prune_keeping(replaced).err();
        Ok(Switched { sink: rebuild.sink, prune_error })
    }

    /// Removes the generations older than the serving one except the
    /// newest of them (the previous one, as far as the directory tells);
    /// anything newer than the serving one (a rebuild in progress) stays.
    /// Returns what was removed.
    pub fn prune(&self) -> Result<Vec<Generation>, IndexError> {
        let Some(current) = self.current()? else {
            return Ok(Vec::new());
        };
        let previous = self.generations()?.into_iter().filter(|&g| g < current).max();
        self.prune_keeping(previous)
    }

    /// Removes every generation older than the serving one but `keep`:
    /// after a switch, `keep` is the generation it replaced, so a rebuild
    /// abandoned by a crash (numbered between the two) goes too.
    fn prune_keeping(&self, keep: Option<Generation>) -> Result<Vec<Generation>, IndexError> {
        let Some(current) = self.current()? else {
            return Ok(Vec::new());
        };
        let mut removed = Vec::new();
        for g in self.generations()?.into_iter().filter(|&g| g < current && Some(g) != keep) {
            let path = self.path_of(g);
            fs::remove_dir_all(&path).map_err(|e| IndexError::io(path, e))?;
            removed.push(g);
        }
        Ok(removed)
    }

    /// The directory of the serving generation.
    pub(crate) fn current_path(&self) -> Result<PathBuf, IndexError> {
        match self.current()? {
            Some(g) => Ok(self.path_of(g)),
            None => Err(IndexError::NoIndex { path: self.root.clone() }),
        }
    }

    /// Replaces `CURRENT` atomically and durably.
    fn write_current(&self, g: Generation) -> Result<(), IndexError> {
        let tmp = self.root.join(CURRENT_TMP);
        let mut file = File::create(&tmp).map_err(|e| IndexError::io(&tmp, e))?;
        file.write_all(format!("{}\n", g.dir_name()).as_bytes()).map_err(|e| IndexError::io(&tmp, e))?;
        file.sync_all().map_err(|e| IndexError::io(&tmp, e))?;
        drop(file);
        let path = self.root.join(CURRENT);
        fs::rename(&tmp, &path).map_err(|e| IndexError::io(&path, e))?;
        sync_dir(&self.root)
    }
}

impl Rebuild {
    /// The generation being built.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// Its writer: publish the store's records through it.
    pub fn sink(&mut self) -> &mut IndexSink {
        &mut self.sink
    }

    /// A read handle pinned to this generation, for the canary.
    pub fn open_reader(&self) -> Result<SearchHandle, IndexError> {
        SearchHandle::open_generation(self.sink.path())
    }

    /// Drops the writer and removes the generation's directory.
    pub fn abandon(self) -> Result<(), IndexError> {
        let path = self.sink.path().to_owned();
        drop(self.sink);
        fs::remove_dir_all(&path).map_err(|e| IndexError::io(path, e))
    }
}

/// Makes a directory's entries (a new file, a rename) durable.
fn sync_dir(path: &Path) -> Result<(), IndexError> {
    File::open(path).and_then(|dir| dir.sync_all()).map_err(|e| IndexError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_names() {
        assert_eq!(Generation(1).dir_name(), "gen-000001");
        assert_eq!(Generation::parse("gen-000042"), Some(Generation(42)));
        assert_eq!(Generation::parse("gen-1234567"), Some(Generation(1_234_567)));
        for bad in ["gen-", "gen-000000", "gen-12a", "gen--1", "CURRENT", "gen-99999999999"] {
            assert_eq!(Generation::parse(bad), None, "{bad}");
        }
    }
}
