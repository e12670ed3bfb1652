//! The index commands: publishing the outbox into the embedded index or the
//! configured sink (after `ingest`, and `publish`), `lookup`, `search`,
//! `dead-letters` and `reindex`. The embedded index lives in `DATA/index/`
//! (generations, see gdsn-index); `lookup` and `search` only read it, so
//! they also work while another process writes.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gdsn_config::SinkSettings;
use gdsn_index::{IndexDir, SearchRequest, SinkOptions};
use gdsn_publish::{DrainReport, PublishOptions};
use gdsn_sink::{Change, Op, Sink};
use gdsn_store::Store;

use crate::cli::{DeadLettersArgs, LookupArgs, PublishArgs, ReindexArgs, SearchArgs};
use crate::ingest::{fail, open_store};
use crate::sinks::{self, SinkRuntime};

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
    drain_into(store, &mut sink, &PublishOptions::default(), "the index")
}

/// Drains the outbox into the sink the configuration `config` names, or
/// into the embedded index of `data_dir` without one; prints one summary
/// line. On failure the changes stay in the outbox, and the error says
/// how many wait.
pub(crate) fn publish_outbox(store: &Store, data_dir: &Path, config: Option<&Path>) -> Result<DrainReport> {
    let Some(file) = config else { return publish_embedded(store, data_dir) };
    let config = sinks::load_config(file, data_dir)?;
    let mut sink = sinks::open_sink(&config, SinkRuntime::Own)?;
    drain_into(store, sink.as_mut(), &sinks::publish_options(&config), &sinks::sink_name(&config))
}

/// Drains the outbox into `sink`, called `name` in what is printed.
pub(crate) fn drain_into(
    store: &Store,
    sink: &mut dyn Sink,
    options: &PublishOptions,
    name: &str,
) -> Result<DrainReport> {
    let report = gdsn_publish::drain(store, sink, options, &mut std::thread::sleep).with_context(|| {
        format!("publishing to {name}; {} changes wait in the outbox", store.outbox_depth())
    })?;
    println!(
        "published {} changes to {name} ({} already there, {} skipped, {} dead letters), outbox {}",
        report.published,
        report.already_newer,
        report.skipped,
        report.dead_lettered,
        store.outbox_depth()
    );
    Ok(report)
}

pub(crate) fn publish(args: &PublishArgs) -> ExitCode {
    let run = || -> Result<DrainReport> {
        let store = open_store(&args.store)?;
        publish_outbox(&store, &args.store.data_dir, args.sink.config.as_deref())
    };
    match run() {
        Ok(report) => ExitCode::from(u8::from(report.dead_lettered > 0)),
        Err(e) => fail(&e),
    }
}

/// The index's reader; `None` (said on stderr) before anything was ever
/// published: nothing matches yet, which is exit 1, not an error.
fn open_reader(data_dir: &Path) -> Result<Option<gdsn_index::SearchHandle>> {
    match index_dir(data_dir).open_reader() {
        Err(gdsn_index::IndexError::NoIndex { .. }) => {
            eprintln!("nothing has been published to the index yet");
            Ok(None)
        }
        other => other.map(Some).context("opening the index"),
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
        let Some(reader) = open_reader(&args.store.data_dir)? else { return Ok(0) };
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
        let Some(reader) = open_reader(&args.store.data_dir)? else { return Ok(0) };
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
            publish_outbox(&store, &args.store.data_dir, args.sink.config.as_deref())?;
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

/// Builds a new index from the store, checks it, and switches to it; a
/// failed check leaves the serving index untouched. The embedded index
/// switches generations, a cluster its alias. Then the outbox is
/// published into the new index.
pub(crate) fn reindex(args: &ReindexArgs) -> ExitCode {
    let run = || -> Result<()> {
        let store = open_store(&args.store)?;
        let data_dir = &args.store.data_dir;
        let batch_size = args.batch_size.max(1);
        let Some(file) = args.sink.config.as_deref() else {
            let report = rebuild_embedded(&store, &index_dir(data_dir), SinkOptions::default(), batch_size)?;
            print_reindex(&report);
            publish_embedded(&store, data_dir)?;
            return Ok(());
        };
        let config = sinks::load_config(file, data_dir)?;
        let report = rebuild(&store, &config, SinkRuntime::Own, batch_size)?;
        print_reindex(&report);
        publish_outbox(&store, data_dir, Some(file)).map(drop)
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// What a reindex built: the CLI prints it, `POST /v1/reindex` answers it.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct ReindexReport {
    /// The embedded index's new generation directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) generation: Option<String>,
    /// The cluster's new index behind the alias, and the one it replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) alias: Option<String>,
    /// Live records written into the new index.
    pub(crate) documents: u64,
    /// What the canary checked before the switch.
    pub(crate) canary: Canary,
    /// Outbox changes published into the new index after the switch.
    pub(crate) published_after: usize,
    /// Outbox changes the new index already held at their version (the
    /// fill read them from the store after they were applied).
    pub(crate) already_there: usize,
    /// What went wrong after the switch without undoing it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<String>,
}

/// A passed canary: the live count matched the store's, the sampled GTINs resolved.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct Canary {
    pub(crate) passed: bool,
    pub(crate) count: u64,
    pub(crate) sampled_gtins: usize,
}

fn print_reindex(report: &ReindexReport) {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let ReindexReport { documents, .. } = report;
    match (&report.generation, &report.index, &report.alias, &report.previous) {
        (Some(generation), ..) => {
            println!("reindexed {documents} records into generation {generation}; now serving it");
        }
        (None, Some(index), Some(alias), Some(previous)) => {
            let sampled = report.canary.sampled_gtins;
            println!("{index}: {documents} records, canary passed ({sampled} sampled GTINs found)");
            println!("reindexed into {index}; alias {alias} now on it (was {previous})");
        }
        _ => println!("reindexed {documents} records"),
    }
}

/// Rebuilds the index `config.sink` names from the store, checks and
/// switches to it (see `rebuild_embedded` and `sinks::rebuild_cluster`),
/// without draining the outbox: the caller does, into the new index.
/// Blocking; a cluster sink blocks on `runtime`.
pub(crate) fn rebuild(
    store: &Store,
    config: &gdsn_config::Config,
    runtime: SinkRuntime,
    batch_size: usize,
) -> Result<ReindexReport> {
    match &config.sink {
        SinkSettings::OpenSearch(cluster) => {
            let mut cluster = sinks::open_cluster(cluster, runtime)?;
            sinks::rebuild_cluster(store, &mut cluster, batch_size)
        }
        SinkSettings::Embedded(embedded) => {
            let dir = IndexDir::new(embedded.dir.clone());
            rebuild_embedded(store, &dir, sinks::embedded_options(config), batch_size)
        }
        _ => bail!("this build does not know the configured sink"),
    }
}

/// A new generation of the embedded index in `dir`, checked, then serving.
pub(crate) fn rebuild_embedded(
    store: &Store,
    dir: &IndexDir,
    options: SinkOptions,
    batch_size: usize,
) -> Result<ReindexReport> {
    let mut rebuild = dir.begin_rebuild(options)?;
    let sink = rebuild.sink();
    let (live, sample) = fill(store, batch_size, &mut |batch| {
        Sink::publish(sink, batch)
            .map(drop)
            .map_err(|e| anyhow::anyhow!("the new index refused a batch: {e}"))
    })?;
    let checked = canary(&rebuild, live, &sample);
    if let Err(e) = checked {
        rebuild.abandon()?;
        bail!("canary failed, the serving index is unchanged: {e:#}");
    }
    let generation = rebuild.generation();
    let gdsn_index::Switched { sink, prune_error } = dir.switch_to(rebuild)?;
    drop(sink); // the publisher after this opens its own writer
    let warnings = prune_error.map(|e| format!("old generations not removed: {e}")).into_iter().collect();
    Ok(ReindexReport {
        generation: Some(generation.dir_name()),
        documents: live,
        canary: Canary { passed: true, count: live, sampled_gtins: sample.len() },
        warnings,
        ..ReindexReport::default()
    })
}

/// Hands every live record to `publish` in batches of `batch_size`;
/// returns how many, and a sample of GTINs (every 97th record, up to 50)
/// for the canary.
pub(crate) fn fill(
    store: &Store,
    batch_size: usize,
    publish: &mut dyn FnMut(&[Change]) -> Result<()>,
) -> Result<(u64, Vec<String>)> {
    let mut batch: Vec<Change> = Vec::with_capacity(batch_size);
    let mut sample = Vec::new();
    let mut seen = 0usize;
    let live = store.for_each_live(|key, record| -> Result<()> {
        if sample.len() < 50 && seen.is_multiple_of(97) {
            sample.extend(record["gtin"].as_str().map(str::to_owned));
        }
        seen += 1;
        let version = record["sync"]["version"].as_u64().unwrap_or(1);
        batch.push(Change { seq: 0, key: key.to_owned(), version, op: Op::Upsert(record) });
        if batch.len() >= batch_size {
            publish(&batch)?;
            batch.clear();
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        publish(&batch)?;
    }
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
