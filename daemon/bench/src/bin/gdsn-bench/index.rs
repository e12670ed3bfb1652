//! `gdsn-bench index`: publish throughput of the embedded index against
//! plain tantivy indexing of the same documents, and GTIN lookup latency.
//!
//! Order of the run: generate the catalogue and parse it into product
//! records, kept as JSON text in memory (untimed); then, `--runs` times and
//! interleaved, (a) a first load through `IndexSink::publish` into a fresh
//! index in batches of `--batch` changes, and (b) the baseline: the same
//! records turned into the same tantivy documents (`DocumentBuilder`, the
//! sink's own conversion), `add_document`, one commit per batch, into a
//! fresh index with the same schema, analysers and writer settings. Parsing
//! the JSON text into `serde_json::Value`s and building the change batches
//! is not timed in either. Then, on the last loaded index, an update pass
//! (every key again with a higher version) against the baseline's upsert
//! (`delete_term` + `add_document`), and `SearchHandle::lookup` latency for
//! random GTINs of the catalogue.

use std::error::Error;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use gdsn_bench::measure::vm_hwm_kib;
use gdsn_bench::{CinGenerator, GeneratorConfig};
use gdsn_index::tantivy::{Index, IndexWriter, Term};
use gdsn_index::{Change, DocumentBuilder, IndexSink, Op, SearchHandle, SinkOptions};
use gdsn_model::ids::Gtin;
use gdsn_xml::ParseOptions;
use serde_json::json;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Goals from issue 4.
const RATIO_GOAL: f64 = 0.7;
const LOOKUP_P99_GOAL_US: f64 = 110.0;

#[derive(Args)]
pub(crate) struct IndexArgs {
    /// Working directory, created for the run (it must not exist) and removed after it.
    #[arg(long, default_value = "/tmp/gdsn-index-bench")]
    dir: PathBuf,
    /// Documents in the catalogue (two trade items per document on average).
    #[arg(long, default_value_t = 50_000)]
    documents: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Changes per publish call (one commit each), and documents per baseline commit.
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Interleaved first-load runs of each path; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Index writer threads, both paths.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Index writer memory budget in MiB, both paths.
    #[arg(long, default_value_t = 64)]
    memory_mib: usize,
    /// Timed GTIN lookups (after 1,000 untimed ones).
    #[arg(long, default_value_t = 20_000)]
    lookups: usize,
    /// Keep the working directory.
    #[arg(long)]
    keep: bool,
}

/// The working directory, removed on drop unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep
            && let Err(e) = std::fs::remove_dir_all(&self.path)
        {
            eprintln!("warning: removing {}: {e}", self.path.display());
        }
    }
}

/// One record of the catalogue: its key and its JSON text.
struct Item {
    key: String,
    json: String,
}

pub(crate) fn run(args: &IndexArgs) -> Result<()> {
    std::fs::create_dir(&args.dir).map_err(|e| format!("{}: {e} (it must not exist)", args.dir.display()))?;
    let work = WorkDir { path: args.dir.clone(), keep: args.keep };
    let started = Instant::now();
    let items = catalogue(args)?;
    let json_bytes: usize = items.iter().map(|i| i.json.len()).sum();
    eprintln!(
        "{} records, {json_bytes} bytes of JSON, in {:.1} s",
        items.len(),
        started.elapsed().as_secs_f64()
    );
    let options = SinkOptions { writer_threads: args.threads, writer_memory_bytes: args.memory_mib << 20 };
    let batch = args.batch.max(1);
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for run in 1..=args.runs.max(1) {
        let path = work.path.join(format!("ours-{run}"));
        ours.push(publish_pass(&path, &items, batch, options, 0)?);
        let path = work.path.join(format!("raw-{run}"));
        raw.push(raw_pass(&path, &items, batch, options, RawMode::Add)?);
        eprintln!("run {run}: publish {:.2} s, raw tantivy {:.2} s", ours[run - 1], raw[run - 1]);
    }
    let last = args.runs.max(1);
    let ours_path = work.path.join(format!("ours-{last}"));
    let raw_path = work.path.join(format!("raw-{last}"));
    let index_bytes = disk_bytes(&ours_path)?;
    let update = publish_pass(&ours_path, &items, batch, options, items.len() as u64)?;
    let raw_update = raw_pass(&raw_path, &items, batch, options, RawMode::Upsert)?;
    eprintln!("update: publish {update:.2} s, raw tantivy upsert {raw_update:.2} s");
    let (p50, p99, max) = lookup_latency(&ours_path, &items, args.lookups)?;
    let figures = Figures {
        items: items.len(),
        json_bytes,
        batch,
        load: median(&mut ours),
        raw_load: median(&mut raw),
        update,
        raw_update,
        index_bytes,
        lookup_us: [p50, p99, max],
    };
    figures.print();
    Ok(())
}

/// Generates the catalogue and parses it into records, as JSON text.
fn catalogue(args: &IndexArgs) -> Result<Vec<Item>> {
    let config = GeneratorConfig { documents: Some(args.documents), target_bytes: None, seed: args.seed };
    let generator = CinGenerator::new(config);
    let mut items = Vec::new();
    let mut failure: Option<String> = None;
    let summary =
        gdsn_xml::parse(BufReader::with_capacity(64 * 1024, generator), &ParseOptions::default(), |doc| {
            for record in &doc.records {
                let (Some(key), Ok(json)) = (record.key(), serde_json::to_string(record)) else {
                    failure = Some(format!("record {} has no key or no JSON", record.gtin));
                    return ControlFlow::Break(());
                };
                items.push(Item { key: key.to_string(), json });
            }
            ControlFlow::Continue(())
        });
    if let Some(failure) = failure {
        return Err(failure.into());
    }
    if !summary.is_clean() {
        return Err(format!("the generated catalogue was not accepted: {} rejected", summary.rejected).into());
    }
    Ok(items)
}

/// The changes of one batch: upserts with version = seq = offset + position.
fn changes(items: &[Item], first: u64) -> Result<Vec<Change>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let seq = first + i as u64;
            Ok(Change {
                seq,
                key: item.key.clone(),
                version: seq,
                op: Op::Upsert(serde_json::from_str(&item.json)?),
            })
        })
        .collect()
}

/// Publishes every item through an `IndexSink` in `path` (created if
/// needed), versions starting after `offset`; returns the seconds spent in
/// `publish`.
fn publish_pass(path: &Path, items: &[Item], batch: usize, options: SinkOptions, offset: u64) -> Result<f64> {
    let mut sink = IndexSink::open(path, options)?;
    let mut seconds = 0.0;
    for (n, chunk) in items.chunks(batch).enumerate() {
        let changes = changes(chunk, offset + (n * batch) as u64 + 1)?;
        let started = Instant::now();
        let ack = sink.publish(&changes)?;
        seconds += started.elapsed().as_secs_f64();
        if ack.applied != chunk.len() {
            return Err(format!("publish applied {} of {} changes", ack.applied, chunk.len()).into());
        }
    }
    if sink.count_live()? != items.len() as u64 {
        return Err("the index does not hold every item once".into());
    }
    Ok(seconds)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RawMode {
    /// `add_document` only (a first load).
    Add,
    /// `delete_term(key)` + `add_document` (tantivy's upsert).
    Upsert,
}

/// The baseline: the same documents into plain tantivy; returns the seconds
/// spent building documents, adding them and committing.
fn raw_pass(path: &Path, items: &[Item], batch: usize, options: SinkOptions, mode: RawMode) -> Result<f64> {
    let builder = DocumentBuilder::new();
    std::fs::create_dir_all(path)?;
    let index = match mode {
        RawMode::Add => Index::create_in_dir(path, builder.schema().clone())?,
        RawMode::Upsert => Index::open_in_dir(path)?,
    };
    gdsn_index::register_analysers(&index);
    let key_field = builder.schema().get_field(gdsn_index::field_names::KEY)?;
    let mut writer: IndexWriter =
        index.writer_with_num_threads(options.writer_threads.max(1), options.writer_memory_bytes)?;
    let mut seconds = 0.0;
    for (n, chunk) in items.chunks(batch).enumerate() {
        let changes = changes(chunk, (n * batch) as u64 + 1)?;
        let started = Instant::now();
        for change in &changes {
            let Op::Upsert(record) = &change.op else { continue };
            let doc = builder.document(&change.key, change.version, record)?;
            if mode == RawMode::Upsert {
                writer.delete_term(Term::from_field_text(key_field, &change.key));
            }
            writer.add_document(doc)?;
        }
        writer.commit()?;
        seconds += started.elapsed().as_secs_f64();
    }
    writer.wait_merging_threads()?;
    Ok(seconds)
}

/// p50, p99 and max of `SearchHandle::lookup` for random GTINs, in µs.
fn lookup_latency(path: &Path, items: &[Item], lookups: usize) -> Result<(f64, f64, f64)> {
    let reader = SearchHandle::open_generation(path)?;
    let gtins: Vec<Gtin> = items
        .iter()
        .map(|i| {
            let gtin = i.key.split('/').nth(1).ok_or("key without GTIN")?;
            Ok(Gtin::parse(gtin)?)
        })
        .collect::<Result<_>>()?;
    let mut rng = SplitMix(0x1D3C);
    let mut samples = Vec::with_capacity(lookups);
    for n in 0..lookups + 1_000 {
        let gtin = gtins[(rng.next() % gtins.len() as u64) as usize];
        let started = Instant::now();
        let found = reader.lookup(gtin, None)?;
        let micros = started.elapsed().as_secs_f64() * 1e6;
        if found.is_empty() {
            return Err(format!("lookup of {gtin} found nothing").into());
        }
        if n >= 1_000 {
            samples.push(micros);
        }
    }
    samples.sort_by(f64::total_cmp);
    let at =
        |q: f64| samples.get(((samples.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Ok((at(0.5), at(0.99), at(1.0)))
}

/// SplitMix64, for reproducible GTIN picks.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Bytes of the files under `path`.
fn disk_bytes(path: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let meta = entry?.metadata()?;
        total += if meta.is_dir() { 0 } else { meta.len() };
    }
    Ok(total)
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(0.0)
}

/// Everything measured, for the report.
struct Figures {
    items: usize,
    json_bytes: usize,
    batch: usize,
    load: f64,
    raw_load: f64,
    update: f64,
    raw_update: f64,
    index_bytes: u64,
    lookup_us: [f64; 3],
}

impl Figures {
    fn print(&self) {
        let n = self.items as f64;
        let ratio = self.raw_load / self.load;
        println!(
            "records: {}, {} bytes of JSON; {} changes per publish",
            self.items, self.json_bytes, self.batch
        );
        println!(
            "first load:  publish {:>8.0} docs/s, raw tantivy {:>8.0} docs/s, ratio {ratio:.3} (goal >= {RATIO_GOAL})",
            n / self.load,
            n / self.raw_load
        );
        println!(
            "update pass: publish {:>8.0} docs/s, raw tantivy upsert {:>8.0} docs/s, ratio {:.3}",
            n / self.update,
            n / self.raw_update,
            self.raw_update / self.update
        );
        let [p50, p99, max] = self.lookup_us;
        println!("lookup: p50 {p50:.1} µs, p99 {p99:.1} µs (goal <= {LOOKUP_P99_GOAL_US}), max {max:.1} µs");
        println!(
            "index on disk after the first load: {} bytes ({:.2}x the JSON); peak RSS {} KiB",
            self.index_bytes,
            self.index_bytes as f64 / self.json_bytes as f64,
            vm_hwm_kib().unwrap_or(0)
        );
        let line = json!({
            "records": self.items,
            "json_bytes": self.json_bytes,
            "batch": self.batch,
            "publish_docs_per_s": (n / self.load).round(),
            "raw_docs_per_s": (n / self.raw_load).round(),
            "ratio": round3(ratio),
            "ratio_goal": RATIO_GOAL,
            "update_docs_per_s": (n / self.update).round(),
            "raw_upsert_docs_per_s": (n / self.raw_update).round(),
            "update_ratio": round3(self.raw_update / self.update),
            "lookup_p50_us": round3(p50),
            "lookup_p99_us": round3(p99),
            "lookup_max_us": round3(max),
            "lookup_p99_goal_us": LOOKUP_P99_GOAL_US,
            "index_bytes": self.index_bytes,
            "vm_hwm_kib": vm_hwm_kib(),
        });
        println!("{line}");
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
