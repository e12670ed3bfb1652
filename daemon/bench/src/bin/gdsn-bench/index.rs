//! `gdsn-bench index`: publish throughput of the embedded index against
//! plain tantivy indexing of the same documents, and GTIN lookup latency.
//!
//! Order of the run: generate the catalogue, parse it into product records
//! and build every change batch (`serde_json::Value` records), untimed;
//! then, `--runs` times and interleaved, (a) a first load through
//! `IndexSink::publish` into a fresh index, one commit per batch, and (b)
//! the baseline: the same records turned into the same tantivy documents
//! (`DocumentBuilder`, the sink's own conversion), `add_document`, one
//! commit per batch, into a fresh index with the same schema, analysers
//! and writer settings. Each pass is timed from its first change to the
//! writer's drop, in wall time and in the process's CPU time (every
//! thread): the machine is shared, and CPU time is far less disturbed by
//! other processes than wall time. Then, on the last loaded indexes, an
//! update pass (every key again with a higher version) against the
//! baseline's upsert (`delete_term` + `add_document`), and
//! `SearchHandle::lookup` latency for random GTINs of the catalogue.

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
    let mut batches = batches(&items, args.batch.max(1))?;
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for run in 1..=args.runs.max(1) {
        ours.push(publish_pass(&work.path.join(format!("ours-{run}")), &batches, options)?);
        raw.push(raw_pass(&work.path.join(format!("raw-{run}")), &batches, options, RawMode::Add)?);
        let (a, b) = (ours[run - 1], raw[run - 1]);
        eprintln!(
            "run {run}: publish {:.2} s ({:.2} s CPU), raw tantivy {:.2} s ({:.2} s CPU), ratio {:.3} ({:.3} CPU)",
            a.wall,
            a.cpu,
            b.wall,
            b.cpu,
            b.wall / a.wall,
            b.cpu / a.cpu
        );
    }
    let last = args.runs.max(1);
    let ours_path = work.path.join(format!("ours-{last}"));
    let raw_path = work.path.join(format!("raw-{last}"));
    let index_bytes = disk_bytes(&ours_path)?;
    // The update pass: every key again, with a higher version.
    for change in batches.iter_mut().flatten() {
        change.seq += items.len() as u64;
        change.version = change.seq;
    }
    let update = publish_pass(&ours_path, &batches, options)?;
    let raw_update = raw_pass(&raw_path, &batches, options, RawMode::Upsert)?;
    eprintln!("update: publish {:.2} s, raw tantivy upsert {:.2} s", update.wall, raw_update.wall);
    let lookup_us = lookup_latency(&ours_path, &items, args.lookups)?;
    let figures = Figures {
        items: items.len(),
        json_bytes,
        batch: args.batch.max(1),
        ours,
        raw,
        update,
        raw_update,
        index_bytes,
        lookup_us,
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

/// Every change of the first load, in batches: upserts with version =
/// seq = position in the catalogue, from 1.
fn batches(items: &[Item], batch: usize) -> Result<Vec<Vec<Change>>> {
    let mut seq = 0;
    let mut out = Vec::with_capacity(items.len().div_ceil(batch));
    for chunk in items.chunks(batch) {
        let mut changes = Vec::with_capacity(chunk.len());
        for item in chunk {
            seq += 1;
            let record = serde_json::from_str(&item.json)?;
            changes.push(Change { seq, key: item.key.clone(), version: seq, op: Op::Upsert(record) });
        }
        out.push(changes);
    }
    Ok(out)
}

/// Wall and CPU seconds (all threads of the process) of a pass.
#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    wall: f64,
    cpu: f64,
}

/// Starts timing: call the returned closure at the end.
fn timer() -> impl FnOnce() -> Timing {
    let (wall, cpu) = (Instant::now(), gdsn_bench::measure::cpu_seconds());
    move || Timing { wall: wall.elapsed().as_secs_f64(), cpu: gdsn_bench::measure::cpu_seconds() - cpu }
}

/// Publishes every batch through an `IndexSink` in `path` (created if
/// needed); the time runs from the first publish to the writer's drop.
fn publish_pass(path: &Path, batches: &[Vec<Change>], options: SinkOptions) -> Result<Timing> {
    let mut sink = IndexSink::open(path, options)?;
    let done = timer();
    for changes in batches {
        let ack = sink.publish(changes)?;
        if ack.applied != changes.len() {
            return Err(format!("publish applied {} of {} changes", ack.applied, changes.len()).into());
        }
    }
    let live = sink.count_live()?;
    drop(sink);
    let timing = done();
    if live != batches.iter().map(|b| b.len() as u64).sum::<u64>() {
        return Err("the index does not hold every item once".into());
    }
    Ok(timing)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RawMode {
    /// `add_document` only (a first load).
    Add,
    /// `delete_term(key)` + `add_document` (tantivy's upsert).
    Upsert,
}

/// The baseline: the same documents into plain tantivy, one commit per
/// batch; the time runs from the first document built to the writer's drop.
fn raw_pass(path: &Path, batches: &[Vec<Change>], options: SinkOptions, mode: RawMode) -> Result<Timing> {
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
    let done = timer();
    for changes in batches {
        for change in changes {
            let Op::Upsert(record) = &change.op else { continue };
            let doc = builder.document(&change.key, change.version, record)?;
            if mode == RawMode::Upsert {
                writer.delete_term(Term::from_field_text(key_field, &change.key));
            }
            writer.add_document(doc)?;
        }
        writer.commit()?;
    }
    // Dropped, not waited for, as the sink is: in-flight merges are abandoned in both.
    drop(writer);
    Ok(done())
}

/// p50, p99 and max of `SearchHandle::lookup` for random GTINs, in µs.
fn lookup_latency(path: &Path, items: &[Item], lookups: usize) -> Result<[f64; 3]> {
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
    Ok([at(0.5), at(0.99), at(1.0)])
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
    /// First loads, one per run.
    ours: Vec<Timing>,
    raw: Vec<Timing>,
    update: Timing,
    raw_update: Timing,
    index_bytes: u64,
    lookup_us: [f64; 3],
}

impl Figures {
    /// Medians over the runs: (publish, raw) docs/s on wall time, the
    /// median of the per-run wall ratios, and the same on CPU time.
    fn load(&self) -> ([f64; 3], [f64; 3], Vec<f64>) {
        let n = self.items as f64;
        let pick = |f: fn(&Timing) -> f64| {
            let mut ours: Vec<f64> = self.ours.iter().map(f).collect();
            let mut raw: Vec<f64> = self.raw.iter().map(f).collect();
            let mut ratios: Vec<f64> = raw.iter().zip(&ours).map(|(b, a)| b / a).collect();
            let out = [n / median(&mut ours), n / median(&mut raw), median(&mut ratios)];
            (out, ratios)
        };
        let (wall, wall_ratios) = pick(|t| t.wall);
        let (cpu, _) = pick(|t| t.cpu);
        (wall, cpu, wall_ratios)
    }

    fn print(&self) {
        let n = self.items as f64;
        let (wall, cpu, ratios) = self.load();
        println!(
            "records: {}, {} bytes of JSON; {} changes per publish",
            self.items, self.json_bytes, self.batch
        );
        println!(
            "first load, wall: publish {:.0} docs/s, raw tantivy {:.0} docs/s, ratio {:.3} (runs {ratios:.3?}; goal >= {RATIO_GOAL})",
            wall[0], wall[1], wall[2]
        );
        println!(
            "first load, CPU:  publish {:.0} docs/CPU-s, raw tantivy {:.0} docs/CPU-s, ratio {:.3}",
            cpu[0], cpu[1], cpu[2]
        );
        println!(
            "update pass: publish {:.0} docs/s, raw tantivy upsert {:.0} docs/s, ratio {:.3} ({:.3} CPU)",
            n / self.update.wall,
            n / self.raw_update.wall,
            self.raw_update.wall / self.update.wall,
            self.raw_update.cpu / self.update.cpu
        );
        let [p50, p99, max] = self.lookup_us;
        println!("lookup: p50 {p50:.1} µs, p99 {p99:.1} µs (goal <= {LOOKUP_P99_GOAL_US}), max {max:.1} µs");
        println!(
            "index on disk after the first load: {} bytes ({:.2}x the JSON); peak RSS {} KiB; load average {:?}",
            self.index_bytes,
            self.index_bytes as f64 / self.json_bytes as f64,
            vm_hwm_kib().unwrap_or(0),
            load_average()
        );
        let line = json!({
            "records": self.items,
            "json_bytes": self.json_bytes,
            "batch": self.batch,
            "publish_docs_per_s": wall[0].round(),
            "raw_docs_per_s": wall[1].round(),
            "ratio": round3(wall[2]),
            "run_ratios": ratios.iter().map(|r| round3(*r)).collect::<Vec<_>>(),
            "ratio_goal": RATIO_GOAL,
            "publish_docs_per_cpu_s": cpu[0].round(),
            "raw_docs_per_cpu_s": cpu[1].round(),
            "cpu_ratio": round3(cpu[2]),
            "update_docs_per_s": (n / self.update.wall).round(),
            "raw_upsert_docs_per_s": (n / self.raw_update.wall).round(),
            "update_ratio": round3(self.raw_update.wall / self.update.wall),
            "update_cpu_ratio": round3(self.raw_update.cpu / self.update.cpu),
            "lookup_p50_us": round3(p50),
            "lookup_p99_us": round3(p99),
            "lookup_max_us": round3(max),
            "lookup_p99_goal_us": LOOKUP_P99_GOAL_US,
            "index_bytes": self.index_bytes,
            "vm_hwm_kib": vm_hwm_kib(),
            "load_average": load_average(),
        });
        println!("{line}");
    }
}

/// The 1-minute load average at the end of the run (other processes on the
/// machine skew the figures), where `/proc/loadavg` exists.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
