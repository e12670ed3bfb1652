//! Backup and restore: a consistent snapshot of every tree plus the format
//! version, as gzip-compressed JSON lines.
//!
//! The first line is `{"gdsn_sync_backup":1,"format":N}`; every other line
//! is one entry, `{"t":TREE,"k":HEX,"v":HEX}`, trees in a fixed order and
//! keys in order. A backup is consistent because the store is held by one
//! process at a time (sled's lock), so nothing writes while it runs. The
//! raw message archive is files, and is copied with them, not here.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::store::Store;
use crate::{FORMAT_VERSION, StoreError};

impl Store {
    /// Writes a backup of every tree to `out`; returns the entry count.
    pub fn backup(&self, out: impl Write) -> Result<usize, StoreError> {
        let mut gz = GzEncoder::new(out, Compression::default());
        writeln!(gz, "{}", json!({ "gdsn_sync_backup": 1, "format": FORMAT_VERSION }))?;
        let mut n = 0;
        for (name, tree) in self.trees() {
            for entry in tree.iter() {
                let (k, v) = entry?;
                writeln!(gz, "{}", json!({ "t": name, "k": hex(&k), "v": hex(&v) }))?;
                n += 1;
            }
        }
        gz.finish()?.flush()?;
        Ok(n)
    }

    /// Restores a backup into `dir`, which must not hold a store yet.
    pub fn restore(dir: &Path, input: impl Read) -> Result<(Store, usize), StoreError> {
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
            return Err(bad(format!("{} is not empty; restore only into an empty data dir", dir.display())));
        }
        let mut lines = BufReader::new(GzDecoder::new(input)).lines();
        let header: Value = serde_json::from_str(&lines.next().ok_or_else(|| bad("empty backup".into()))??)
            .map_err(|e| bad(format!("backup header: {e}")))?;
        if header["gdsn_sync_backup"] != json!(1) {
            return Err(bad("not a gdsn-sync backup".into()));
        }
        let found = header["format"].as_u64().unwrap_or(0) as u32;
        if found != FORMAT_VERSION {
            return Err(StoreError::Format { found, expected: FORMAT_VERSION });
        }
        let store = Store::open(dir)?;
        let trees = store.trees();
        let mut n = 0;
        for line in lines {
            let entry: Value = serde_json::from_str(&line?).map_err(|e| bad(format!("backup entry: {e}")))?;
            let name = entry["t"].as_str().unwrap_or_default();
            let tree = trees.iter().find(|(t, _)| *t == name).map(|(_, tree)| tree);
            let tree = tree.ok_or_else(|| bad(format!("backup names unknown tree `{name}`")))?;
            let (Some(k), Some(v)) = (unhex(&entry["k"]), unhex(&entry["v"])) else {
                return Err(bad("backup entry is not hex".into()));
            };
            tree.insert(k, v)?;
            n += 1;
        }
        store.flush()?;
        Ok((store, n))
    }
}

fn bad(message: String) -> StoreError {
    StoreError::Corrupt { tree: "backup", key: message }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(value: &Value) -> Option<Vec<u8>> {
    let text = value.as_str()?;
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}
