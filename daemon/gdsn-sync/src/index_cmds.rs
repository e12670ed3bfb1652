//! The index commands: publishing the outbox into the embedded index
//! (after `ingest`, and `publish`), `lookup`, `search`, `dead-letters` and
//! `reindex`. The index lives in `DATA/index/` (generations, see
//! gdsn-index); `lookup` and `search` only read it, so they also work
//! while another process writes.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gdsn_index::{IndexDir, IndexSink, SearchRequest, SinkOptions};
use gdsn_publish::{DrainReport, PublishOptions};
use gdsn_sink::{Change, Op, Sink};
use gdsn_store::Store;

use crate::cli::{DeadLettersArgs, LookupArgs, ReindexArgs, SearchArgs, StoreArgs};
use crate::ingest::{fail, open_store};

/// The embedded index's directory in a data directory.
pub(crate) fn index_dir(data_dir: &Path) -> IndexDir {
    IndexDir::new(data_dir.join("index"))
}

/// Drains the outbox into the embedded index; prints one summary line.
pub(crate) fn publish_embedded(store: &Store, data_dir: &Path) -> Result<DrainReport> {
    let dir = index_dir(data_dir);
    let mut sink = dir
        .open_sink(SinkOptions::default())
        .with_context(|| format!("opening the index in {}", dir.root().display()))?;
    let report = gdsn_publish::drain(store, &mut sink, &PublishOptions::default(), &mut std::thread::sleep)
        .context("publishing to the index")?;
    println!(
        "published {} changes to the index ({} already there, {} skipped, {} dead letters), outbox {}",
        report.published,
        report.already_newer,
        report.skipped,
        report.dead_lettered,
        store.outbox_depth()
    );
    Ok(report)
}

pub(crate) fn publish(args: &StoreArgs) -> ExitCode {
    let run = || -> Result<DrainReport> {
        let store = open_store(args)?;
        publish_embedded(&store, &args.data_dir)
    };
    match run() {
        Ok(report) => ExitCode::from(u8::from(report.dead_lettered > 0)),
        Err(e) => fail(&e),
    }
}

pub(crate) fn lookup(args: &LookupArgs) -> ExitCode {
    let code = match gdsn_model::codes::parse_code(&args.code) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gdsn-sync: {:?} is not a GTIN, GS1 barcode scan or Digital Link: {e}", args.code);
            return ExitCode::from(2);
        }
    };
    let run = || -> Result<usize> {
        let reader = index_dir(&args.store.data_dir).open_reader().context("opening the index")?;
        let records = reader.lookup(code.gtin, args.market.as_deref())?;
        let mut out = BufWriter::new(io::stdout().lock());
        for record in &records {
            writeln!(out, "{record}")?;
        }
        out.flush()?;
        Ok(records.len())
    };
    match run() {
        Ok(0) => {
            eprintln!("no live record for GTIN {}", code.gtin);
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

pub(crate) fn search(args: &SearchArgs) -> ExitCode {
    let run = || -> Result<usize> {
        let reader = index_dir(&args.store.data_dir).open_reader().context("opening the index")?;
        let request = SearchRequest {
            q: args.query.clone(),
            lang: args.lang.clone(),
            market: args.market.clone(),
            brand: args.brand.clone(),
            gpc: args.gpc.clone(),
            limit: args.limit,
            cursor: args.cursor.clone(),
        };
        let response = reader.search(&request)?;
        let mut out = BufWriter::new(io::stdout().lock());
        for hit in &response.hits {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        }
        out.flush()?;
        eprintln!("{} hits in all", response.total);
        if let Some(cursor) = &response.next_cursor {
            eprintln!("next page: --cursor {cursor}");
        }
        Ok(response.hits.len())
    };
    match run() {
        Ok(0) => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

pub(crate) fn dead_letters(args: &DeadLettersArgs) -> ExitCode {
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        if args.retry {
            let n = store.retry_dead_letters()?;
            store.flush()?;
            println!("{n} dead letters queued again");
            publish_embedded(&store, &args.store.data_dir)?;
            return Ok(());
        }
        for dead in store.dead_letters()? {
            println!("{} {} {}: {}", dead.seq, dead.op, dead.key, dead.reason);
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Builds a new index generation from the store, checks it, and switches
/// to it; a failed check leaves the serving generation untouched.
pub(crate) fn reindex(args: &ReindexArgs) -> ExitCode {
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let dir = index_dir(&args.store.data_dir);
        let mut rebuild = dir.begin_rebuild(SinkOptions::default())?;
        let (live, sample) = fill(&store, rebuild.sink(), args.batch_size.max(1))?;
        let checked = canary(&rebuild, live, &sample);
        if let Err(e) = checked {
            rebuild.abandon()?;
            bail!("canary failed, the serving index is unchanged: {e:#}");
        }
        let generation = rebuild.generation();
        let gdsn_index::Switched { sink, prune_error } = dir.switch_to(rebuild)?;
        drop(sink); // the publisher below opens its own writer
        if let Some(e) = prune_error {
            eprintln!("warning: old generations not removed: {e}");
        }
        println!("reindexed {live} records into generation {}; now serving it", generation.dir_name());
        // Entries still in the outbox are published into the new generation.
        publish_embedded(&store, &args.store.data_dir)?;
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Publishes every live record into `sink`; returns how many, and a sample
/// of GTINs (every 97th record) for the canary.
fn fill(store: &Store, sink: &mut IndexSink, batch_size: usize) -> Result<(u64, Vec<String>)> {
    let mut batch: Vec<Change> = Vec::with_capacity(batch_size);
    let mut sample = Vec::new();
    let mut publish = |batch: &mut Vec<Change>| -> Result<()> {
        if !batch.is_empty() {
            Sink::publish(sink, batch).map_err(|e| anyhow::anyhow!("the new index refused a batch: {e}"))?;
            batch.clear();
        }
        Ok(())
    };
    let mut seen = 0usize;
    let live = store.for_each_live(|key, record| -> Result<()> {
        // Every 97th record, up to 50, is a canary GTIN.
        if sample.len() < 50 && seen.is_multiple_of(97) {
            sample.extend(record["gtin"].as_str().map(str::to_owned));
        }
        seen += 1;
        let version = record["sync"]["version"].as_u64().unwrap_or(1);
        batch.push(Change { seq: 0, key: key.to_owned(), version, op: Op::Upsert(record) });
        if batch.len() >= batch_size {
            publish(&mut batch)?;
        }
        Ok(())
    })?;
    publish(&mut batch)?;
    Ok((live as u64, sample))
}

fn canary(rebuild: &gdsn_index::Rebuild, live: u64, sample: &[String]) -> Result<()> {
    let reader = rebuild.open_reader()?;
    let count = reader.count_live()?;
    if count != live {
        bail!("the new index holds {count} live records, the store {live}");
    }
    for gtin in sample {
        let gtin = gdsn_model::ids::Gtin::parse(gtin).map_err(|e| anyhow::anyhow!("{gtin}: {e}"))?;
        if reader.lookup(gtin, None)?.is_empty() {
            bail!("GTIN {gtin} is in the store but not found in the new index");
        }
    }
    Ok(())
}
