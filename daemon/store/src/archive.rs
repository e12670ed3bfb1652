//! The raw message archive: one gzip file per message under
//! `DATA/archive/`, written as the message streams in and fsynced before
//! the store records the message as applied, so what was acknowledged can
//! always be replayed. sled holds only the file name.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// A message being archived. Bytes written to it are compressed into a
/// `.part` file that [`ArchiveWriter::finish`] makes durable and final.
pub struct ArchiveWriter {
    encoder: GzEncoder<File>,
    part: PathBuf,
    dir: PathBuf,
}

impl ArchiveWriter {
    /// Starts a new archive file in `dir` (created if missing).
    pub fn create(dir: &Path, sequence: u64) -> io::Result<ArchiveWriter> {
        fs::create_dir_all(dir)?;
        let part = dir.join(format!("{sequence:012}.xml.gz.part"));
        let file = File::create(&part)?;
        Ok(ArchiveWriter { encoder: GzEncoder::new(file, Compression::fast()), part, dir: dir.to_owned() })
    }

    /// Completes the file, fsyncs it and its directory, and names it after
    /// the message's content hash. Returns the file name (the reference
    /// the store keeps).
    pub fn finish(self, hash: u128) -> io::Result<String> {
        let file = self.encoder.finish()?;
        file.sync_all()?;
        let name = format!("{hash:032x}.xml.gz");
        fs::rename(&self.part, self.dir.join(&name))?;
        File::open(&self.dir)?.sync_all()?;
        Ok(name)
    }
}

impl ArchiveWriter {
    /// Drops an archive that will not be referenced (a message already
    /// applied, or one that failed): removes its `.part` file.
    pub fn abandon(self) {
        let part = self.part.clone();
        drop(self);
        let _ = fs::remove_file(part);
    }
}

/// Removes the `.part` files a killed or cut-off process left in `dir`
/// (messages never recorded as applied: their senders deliver them again).
/// Call it only while holding the store, so no live writer owns one.
/// Returns how many were removed; a missing `dir` is none.
pub fn remove_unfinished(dir: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".xml.gz.part") && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl Write for ArchiveWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn archive_round_trips_and_leaves_no_part_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = ArchiveWriter::create(dir.path(), 7).expect("create");
        writer.write_all(b"<msg>hello</msg>").expect("write");
        let name = writer.finish(0xabc).expect("finish");
        assert_eq!(name, format!("{:032x}.xml.gz", 0xabc));
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(dir.path().join(&name)).expect("open"))
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "<msg>hello</msg>");
        let leftovers: Vec<_> =
            fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn unfinished_part_files_are_removed_and_finished_ones_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut finished = ArchiveWriter::create(dir.path(), 1).expect("create");
        finished.write_all(b"<msg/>").expect("write");
        let name = finished.finish(0xabc).expect("finish");
        let mut cut = ArchiveWriter::create(dir.path(), 2).expect("create");
        cut.write_all(b"<msg>cut off").expect("write");
        drop(cut);
        fs::write(dir.path().join("notes.part"), "not an archive").expect("write");
        assert_eq!(remove_unfinished(dir.path()).expect("removed"), 1);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec![name, "notes.part".to_owned()]);
        assert_eq!(remove_unfinished(&dir.path().join("missing")).expect("none"), 0);
    }
}
