//! `gdsn-sync reconcile`: does the index hold exactly what the store holds?
//!
//! Every live store record (its key and `sync.version`, and its content
//! hash when the record carries one) is compared with the index document of
//! the same key: missing (not in the index), older (a lower version, or the
//! same version with another hash) or newer (a version the store never
//! wrote, e.g. an index restored from another store). Index documents of
//! keys that are not live in the store are extra. Exit 0 when converged, 1
//! otherwise, 2 when either side cannot be read.
//!
//! The embedded index is read through gdsn-index's read side (browsing
//! every live document, page by page); a cluster is asked by GTIN through
//! the alias, and its count tells whether documents of unknown keys remain.
//! Like `reindex`, this opens the store: stop the daemon first.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use gdsn_config::SinkSettings;
use gdsn_index::{IndexDir, SearchRequest};
use gdsn_store::Store;
use serde_json::Value;

use crate::cli::{SinkArgs, StoreArgs};
use crate::index_cmds::index_dir;
use crate::ingest::{fail, open_store};
use crate::sinks::{self, SinkRuntime};

#[derive(Debug, Args)]
pub(crate) struct ReconcileArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) sink: SinkArgs,
    /// List at most this many keys per kind of difference (the counts are always whole).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) show: usize,
}

/// What one side holds of a key: its version and content hash, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    version: u64,
    hash: Option<String>,
}

impl Held {
    fn of(record: &Value) -> Held {
        let hash = record.get("content_hash").and_then(Value::as_str).map(str::to_owned);
        Held { version: record["sync"]["version"].as_u64().unwrap_or(0), hash }
    }
}

/// The differences found, by kind, as sorted keys.
#[derive(Debug, Default)]
struct Differences {
    store_live: usize,
    index_live: u64,
    missing: Vec<String>,
    older: Vec<String>,
    newer: Vec<String>,
    extra: Vec<String>,
    /// Index documents no key of the store accounts for (a cluster only
    /// counts them: it cannot list keys it was not asked about).
    extra_unlisted: u64,
}

impl Differences {
    fn converged(&self) -> bool {
        self.missing.is_empty()
            && self.older.is_empty()
            && self.newer.is_empty()
            && self.extra.is_empty()
            && self.extra_unlisted == 0
    }

    /// Compares the store's live keys with the index documents of the same keys.
    fn compare(store: &BTreeMap<String, Held>, index: &BTreeMap<String, Held>) -> Differences {
        let mut found = Differences { store_live: store.len(), ..Differences::default() };
        for (key, held) in store {
            match index.get(key) {
                None => found.missing.push(key.clone()),
                Some(doc) if doc.version < held.version => found.older.push(key.clone()),
                Some(doc) if doc.version > held.version => found.newer.push(key.clone()),
                Some(doc) if doc.hash.is_some() && held.hash.is_some() && doc.hash != held.hash => {
                    found.older.push(key.clone());
                }
                Some(_) => {}
            }
        }
        found.extra = index.keys().filter(|key| !store.contains_key(*key)).cloned().collect();
        found
    }

    fn print(&self, show: usize) {
        let kinds = [
            ("missing", &self.missing, "live in the store, not in the index"),
            ("older", &self.older, "the index holds an older version"),
            ("newer", &self.newer, "the index holds a version the store never wrote"),
            ("extra", &self.extra, "in the index, not live in the store"),
        ];
        for (kind, keys, meaning) in kinds {
            for key in keys.iter().take(show) {
                println!("{kind} {key}");
            }
            if keys.len() > show {
                println!("{kind} ... and {} more ({meaning})", keys.len() - show);
            }
        }
        if self.extra_unlisted > 0 {
            println!("extra {} documents of keys the store does not know", self.extra_unlisted);
        }
        let verdict = if self.converged() { "converged" } else { "NOT converged" };
        println!(
            "{verdict}: store {} live, index {} live; {} missing, {} older, {} newer, {} extra",
            self.store_live,
            self.index_live,
            self.missing.len(),
            self.older.len(),
            self.newer.len(),
            self.extra.len() + usize::try_from(self.extra_unlisted).unwrap_or(usize::MAX),
        );
    }
}

pub(crate) fn reconcile(args: &ReconcileArgs) -> ExitCode {
    let run = || -> Result<Differences> {
        let store = open_store(&args.store)?;
        let live = store_versions(&store)?;
        let data_dir = &args.store.data_dir;
        let Some(file) = args.sink.config.as_deref() else {
            return embedded(&index_dir(data_dir), &live);
        };
        let config = sinks::load_config(file, data_dir)?;
        match &config.sink {
            SinkSettings::Embedded(settings) => embedded(&IndexDir::new(settings.dir.clone()), &live),
            SinkSettings::OpenSearch(settings) => cluster(settings, &store, &live),
            _ => bail!("this build does not know the configured sink"),
        }
    };
    match run() {
        Ok(found) => {
            found.print(args.show);
            ExitCode::from(u8::from(!found.converged()))
        }
        Err(e) => fail(&e),
    }
}

/// Every live store key with what it holds.
fn store_versions(store: &Store) -> Result<BTreeMap<String, Held>> {
    let mut live = BTreeMap::new();
    store.for_each_live(|key, record| -> Result<()> {
        live.insert(key.to_owned(), Held::of(&record));
        Ok(())
    })?;
    Ok(live)
}

/// Compares with the embedded index's serving generation, browsing every
/// live document (no query text, largest pages, following the cursor).
fn embedded(dir: &IndexDir, store: &BTreeMap<String, Held>) -> Result<Differences> {
    let reader = match dir.open_reader() {
        Ok(reader) => reader,
        // Nothing ever published: every live record is missing.
        Err(gdsn_index::IndexError::NoIndex { .. }) => {
            return Ok(Differences::compare(store, &BTreeMap::new()));
        }
        Err(e) => return Err(e).context("opening the index"),
    };
    let mut index = BTreeMap::new();
    let mut request = SearchRequest { limit: gdsn_index::MAX_LIMIT, ..SearchRequest::default() };
    loop {
        let page = reader.search(&request).context("reading the index")?;
        for hit in page.hits {
            index.insert(hit.key, Held::of(&hit.record));
        }
        match page.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
    }
    let mut found = Differences::compare(store, &index);
    found.index_live = reader.count_live()?;
    Ok(found)
}

/// Compares with the cluster behind the alias: each store GTIN is searched
/// (its hits give the documents of every provider and market of it), and
/// the alias's count tells how many documents no store GTIN led to.
fn cluster(
    settings: &gdsn_config::OpenSearchSink,
    store: &Store,
    live: &BTreeMap<String, Held>,
) -> Result<Differences> {
    let cluster = sinks::open_cluster(settings, SinkRuntime::Own)?;
    let sink = cluster.sink();
    let alias = sink.alias().to_owned();
    cluster.block_on(sink.refresh(&alias)).with_context(|| format!("refreshing {alias}"))?;
    let mut index = BTreeMap::new();
    for gtin in store_gtins(store)? {
        let hits =
            cluster.block_on(sink.search_gtin(&alias, &gtin)).with_context(|| format!("GTIN {gtin}"))?;
        for hit in hits {
            index.insert(hit.id, Held::of(&hit.record));
        }
    }
    let mut found = Differences::compare(live, &index);
    found.index_live = cluster.block_on(sink.count(&alias)).with_context(|| format!("counting {alias}"))?;
    let listed = u64::try_from(index.len()).unwrap_or(u64::MAX);
    found.extra_unlisted = found.index_live.saturating_sub(listed);
    Ok(found)
}

/// The distinct GTINs of the live records.
fn store_gtins(store: &Store) -> Result<Vec<String>> {
    let mut gtins = std::collections::BTreeSet::new();
    store.for_each_live(|_, record| -> Result<()> {
        gtins.extend(record["gtin"].as_str().map(str::to_owned));
        Ok(())
    })?;
    Ok(gtins.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(version: u64) -> Held {
        Held { version, hash: None }
    }

    #[test]
    fn every_kind_of_difference() {
        let store: BTreeMap<String, Held> =
            [("a", 3), ("b", 5), ("c", 2), ("d", 1)].map(|(k, v)| (k.to_owned(), held(v))).into();
        let index: BTreeMap<String, Held> =
            [("a", 3), ("b", 4), ("c", 7), ("x", 9)].map(|(k, v)| (k.to_owned(), held(v))).into();
        let found = Differences::compare(&store, &index);
        assert_eq!(found.missing, ["d"]);
        assert_eq!(found.older, ["b"]);
        assert_eq!(found.newer, ["c"]);
        assert_eq!(found.extra, ["x"]);
        assert!(!found.converged());
        assert!(Differences::compare(&store, &store).converged());
    }

    #[test]
    fn same_version_with_another_hash_is_older() {
        let with = |hash: &str| Held { version: 1, hash: Some(hash.to_owned()) };
        let store = BTreeMap::from([("a".to_owned(), with("h1"))]);
        let index = BTreeMap::from([("a".to_owned(), with("h2"))]);
        assert_eq!(Differences::compare(&store, &index).older, ["a"]);
    }
}
