//! `gdsn-bench store`: the store's throughput against its serial bound.
//!
//! Order of the run: write the catalogue and its revised copy to files
//! (untimed, synced); time the parse bound of both (median of
//! `--parse-runs` passes); apply the catalogue three times to a fresh store
//! (first load, unchanged re-delivery, revised re-delivery) and note the
//! peak RSS; close the store; time the raw sled passes over the same items
//! in a fresh sled database.

use std::error::Error;
use std::path::{Path, PathBuf};

use clap::Args;
use gdsn_bench::GeneratorConfig;
use gdsn_bench::measure::vm_hwm_kib;
use gdsn_bench::store_bench::raw::{RawMode, RawPass, raw_pass};
use gdsn_bench::store_bench::{Message, StorePass, apply_message, disk_bytes, parse_pass, write_message};
use gdsn_store::Store;
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Goals from issue 3: a scenario's rate over its bound's.
const GOALS: [Option<f64>; 3] = [Some(0.7), Some(0.8), None];

#[derive(Args)]
pub(crate) struct StoreArgs {
    /// Working directory, created for the run (it must not exist) and removed after it.
    #[arg(long, default_value = "/tmp/gdsn-store-bench")]
    dir: PathBuf,
    /// Documents in the catalogue (two trade items per document on average).
    #[arg(long, default_value_t = 100_000)]
    documents: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Documents per store transaction, as `ingest --apply-chunk-documents`.
    #[arg(long, default_value_t = 500)]
    chunk_documents: usize,
    /// Passes of the parse bound over each message; the median is used.
    #[arg(long, default_value_t = 3)]
    parse_runs: usize,
    /// The revised re-delivery changes every N-th trade item.
    #[arg(long, default_value_t = 10)]
    change_every: usize,
    /// Keep the working directory (messages, store, raw database).
    #[arg(long)]
    keep: bool,
}

/// The working directory, removed on drop unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    fn create(path: &Path, keep: bool) -> Result<WorkDir> {
        std::fs::create_dir(path).map_err(|e| format!("{}: {e} (it must not exist)", path.display()))?;
        Ok(WorkDir { path: path.to_owned(), keep })
    }
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

/// Everything measured, for the report.
struct Figures {
    items: usize,
    changed_items: usize,
    message_bytes: u64,
    /// Parse bound seconds: the catalogue, the revised catalogue.
    parse: [f64; 2],
    /// First load, unchanged, revised.
    store: [StorePass; 3],
    raw: [RawPass; 3],
    store_bytes_loaded: u64,
    store_bytes_end: u64,
    raw_bytes_loaded: u64,
    store_hwm_kib: Option<u64>,
    run_hwm_kib: Option<u64>,
}

pub(crate) fn run(args: &StoreArgs) -> Result<()> {
    let work = WorkDir::create(&args.dir, args.keep)?;
    let config = GeneratorConfig { documents: Some(args.documents), target_bytes: None, seed: args.seed };
    eprintln!("writing the catalogue and its revised copy to {}", work.path.display());
    let base = write_message(&work.path.join("catalogue.xml"), config, 0)?;
    let revised = write_message(&work.path.join("revised.xml"), config, args.change_every)?;
    eprintln!("{} documents, {} items, {} bytes each", base.documents, base.items, base.bytes);
    let runs = args.parse_runs.max(1);
    let parse = [median_parse(&base.path, runs)?, median_parse(&revised.path, runs)?];
    eprintln!("parse bound: {:.1} s, {:.1} s", parse[0], parse[1]);
    let store_dir = work.path.join("store");
    let (store, store_bytes_loaded) = store_phase(args, &store_dir, &base, &revised)?;
    let store_bytes_end = disk_bytes(&store_dir)?;
    let store_hwm_kib = vm_hwm_kib();
    let (raw, raw_bytes_loaded) = raw_phase(args, &work.path.join("raw"), &base, &revised)?;
    let figures = Figures {
        items: base.items,
        changed_items: revised.changed_items,
        message_bytes: base.bytes,
        parse,
        store,
        raw,
        store_bytes_loaded,
        store_bytes_end,
        raw_bytes_loaded,
        store_hwm_kib,
        run_hwm_kib: vm_hwm_kib(),
    };
    print_table(&figures);
    println!("{}", as_json(&figures));
    Ok(())
}

/// The median of `runs` timed parse passes over `path`.
fn median_parse(path: &Path, runs: usize) -> Result<f64> {
    let mut seconds = (0..runs).map(|_| Ok(parse_pass(path)?.0)).collect::<Result<Vec<f64>>>()?;
    seconds.sort_by(f64::total_cmp);
    eprintln!("parse passes over {}: {seconds:.2?} s", path.display());
    Ok(seconds[runs / 2])
}

/// The three scenarios through the store, each checked; also the store's
/// size on disk after the first load.
fn store_phase(
    args: &StoreArgs,
    dir: &Path,
    base: &Message,
    revised: &Message,
) -> Result<([StorePass; 3], u64)> {
    let store = Store::open(dir)?;
    let chunk = args.chunk_documents;
    let load = apply_message(&store, &base.path, chunk)?;
    eprintln!("store, first load: {:.1} s, {load:?}", load.seconds);
    check("first load", &load, base.items, [base.items, 0, 0])?;
    let loaded_bytes = disk_bytes(dir)?;
    let again = apply_message(&store, &base.path, chunk)?;
    eprintln!("store, unchanged re-delivery: {:.1} s, {again:?}", again.seconds);
    check("unchanged re-delivery", &again, base.items, [0, 0, base.items])?;
    if again.writes != 0 {
        return Err(format!("unchanged re-delivery wrote {} effects", again.writes).into());
    }
    let changed = apply_message(&store, &revised.path, chunk)?;
    eprintln!("store, revised re-delivery: {:.1} s, {changed:?}", changed.seconds);
    let n = revised.changed_items;
    check("revised re-delivery", &changed, base.items, [0, n, base.items - n])?;
    Ok(([load, again, changed], loaded_bytes))
}

/// Fails unless every document was accepted and the changes are
/// `[added, updated, unchanged]` over `items` items, nothing else.
fn check(name: &str, pass: &StorePass, items: usize, expected: [usize; 3]) -> Result<()> {
    let found = [pass.added, pass.updated, pass.unchanged];
    if pass.rejected > 0 || pass.other > 0 || pass.changes() != items || found != expected {
        return Err(
            format!("{name}: expected [added, updated, unchanged] = {expected:?}, got {pass:?}").into()
        );
    }
    Ok(())
}

/// The raw sled passes over a fresh database; also its size after the load.
fn raw_phase(args: &StoreArgs, dir: &Path, base: &Message, revised: &Message) -> Result<([RawPass; 3], u64)> {
    let db = sled::open(dir)?;
    let tree = db.open_tree("items")?;
    let chunk = args.chunk_documents;
    let load = raw_pass(&tree, &base.path, chunk, RawMode::Insert)?;
    let loaded_bytes = disk_bytes(dir)?;
    let again = raw_pass(&tree, &base.path, chunk, RawMode::Get)?;
    let changed = raw_pass(&tree, &revised.path, chunk, RawMode::Update)?;
    eprintln!("raw sled: {:.1} s, {:.1} s, {:.1} s", load.seconds, again.seconds, changed.seconds);
    if again.found != base.items || changed.inserted != revised.changed_items {
        return Err(format!("raw passes disagree with the store: {again:?}, {changed:?}").into());
    }
    Ok(([load, again, changed], loaded_bytes))
}

/// One scenario's figures: (seconds, bound seconds, items/s, bound items/s, ratio).
fn scenario(f: &Figures, i: usize) -> (f64, f64, f64, f64, f64) {
    let seconds = f.store[i].seconds;
    let bound = f.parse[usize::from(i == 2)] + f.raw[i].seconds;
    let items = f.items as f64;
    (seconds, bound, items / seconds, items / bound, bound / seconds)
}

const NAMES: [&str; 3] = ["first load", "unchanged re-delivery", "revised re-delivery"];

fn print_table(f: &Figures) {
    println!(
        "catalogue: {} items, {} bytes of XML; revised copy: {} items changed; {} documents per transaction",
        f.items,
        f.message_bytes,
        f.changed_items,
        f.store[0].documents / f.store[0].transactions.max(1)
    );
    println!(
        "{:<24} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>7} {:>9} {:>6}",
        "scenario",
        "writes",
        "store s",
        "cpu s",
        "items/s",
        "parse s",
        "sled s",
        "bound it/s",
        "ratio",
        "cpu ratio",
        "goal"
    );
    for (i, name) in NAMES.iter().enumerate() {
        let (seconds, _, rate, bound_rate, ratio) = scenario(f, i);
        let goal = GOALS[i].map_or("-".to_owned(), |g| format!(">={g}"));
        let parse = f.parse[usize::from(i == 2)];
        let (cpu, bound) = (f.store[i].cpu_seconds, parse + f.raw[i].seconds);
        println!(
            "{name:<24} {:>8} {seconds:>9.2} {cpu:>9.2} {rate:>9.0} {parse:>9.2} {:>9.2} {bound_rate:>11.0} {ratio:>7.3} {:>9.3} {goal:>6}",
            f.store[i].writes,
            f.raw[i].seconds,
            bound / cpu
        );
    }
    print_sizes(f);
}

fn print_sizes(f: &Figures) {
    let logical = f.raw[0].logical_bytes as f64;
    println!(
        "logical bytes (key + record JSON): {}; store on disk after the first load: {} ({:.2}x), after all three: {} ({:.2}x); raw sled tree after its load: {} ({:.2}x)",
        f.raw[0].logical_bytes,
        f.store_bytes_loaded,
        f.store_bytes_loaded as f64 / logical,
        f.store_bytes_end,
        f.store_bytes_end as f64 / logical,
        f.raw_bytes_loaded,
        f.raw_bytes_loaded as f64 / logical
    );
    println!(
        "peak RSS (VmHWM): {} KiB after the store scenarios, {} KiB for the whole run",
        f.store_hwm_kib.unwrap_or(0),
        f.run_hwm_kib.unwrap_or(0)
    );
    if let Ok(preload) = std::env::var("LD_PRELOAD") {
        println!("LD_PRELOAD: {preload}");
    }
}

fn as_json(f: &Figures) -> Value {
    let logical = f.raw[0].logical_bytes as f64;
    let scenarios: Vec<Value> = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (seconds, bound, rate, bound_rate, ratio) = scenario(f, i);
            json!({
                "scenario": name,
                "writes": f.store[i].writes,
                "seconds": round3(seconds),
                "cpu_seconds": round3(f.store[i].cpu_seconds),
                "cpu_ratio": round3(bound / f.store[i].cpu_seconds),
                "items_per_s": rate.round(),
                "parse_seconds": round3(f.parse[usize::from(i == 2)]),
                "sled_seconds": round3(f.raw[i].seconds),
                "bound_seconds": round3(bound),
                "bound_items_per_s": bound_rate.round(),
                "ratio": round3(ratio),
                "goal": GOALS[i],
            })
        })
        .collect();
    json!({
        "items": f.items,
        "changed_items": f.changed_items,
        "message_bytes": f.message_bytes,
        "scenarios": scenarios,
        "logical_bytes": f.raw[0].logical_bytes,
        "store_bytes_after_load": f.store_bytes_loaded,
        "store_bytes_after_all": f.store_bytes_end,
        "store_space_ratio": round3(f.store_bytes_loaded as f64 / logical),
        "raw_bytes_after_load": f.raw_bytes_loaded,
        "raw_space_ratio": round3(f.raw_bytes_loaded as f64 / logical),
        "store_vm_hwm_kib": f.store_hwm_kib,
        "vm_hwm_kib": f.run_hwm_kib,
        "ld_preload": std::env::var("LD_PRELOAD").ok(),
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
