//! `gdsn-bench`: generates large CIN messages and measures the parser's
//! throughput and peak memory, and the store's throughput against its
//! serial bound. See `daemon/bench/README.md`.

#[path = "gdsn-bench/index.rs"]
mod index;
#[path = "gdsn-bench/store.rs"]
mod store;

// jemalloc, as the daemon uses: with sled's page cache loaded, glibc malloc
// took nearly half the CPU time of a store run (see daemon/bench/README.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::error::Error;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use gdsn_bench::measure::{self, ParseStats};
use gdsn_bench::{CinGenerator, GeneratorConfig};
use serde_json::json;

/// Read buffer for the streaming parse, as the daemon uses.
const READ_BUFFER: usize = 64 * 1024;

#[derive(Parser)]
#[command(
    name = "gdsn-bench",
    about = "Generate large CIN messages; measure parser and store throughput and peak RSS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a generated CIN message of about N bytes to a file.
    Gen {
        /// Approximate size in bytes (overshoots by at most one document).
        #[arg(long)]
        bytes: u64,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file.
        out: PathBuf,
    },
    /// Time gdsn-sync's parse + normalize + hash against quick-xml's bare event loop.
    Throughput {
        /// A CIN message.
        file: PathBuf,
        /// Runs of each path; the median is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Parse a file (streaming) and print peak RSS as one JSON line.
    Rss {
        /// A CIN message.
        file: PathBuf,
    },
    /// Parse a message straight from the generator (no file) and print peak RSS as one JSON line.
    RssGen {
        /// Approximate size in bytes.
        #[arg(long)]
        bytes: u64,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Apply a generated catalogue to a fresh store (first load, unchanged and
    /// revised re-delivery) and compare each with its serial bound (release build).
    Store(store::StoreArgs),
    /// Publish a generated catalogue into the embedded index against plain
    /// tantivy indexing of the same documents; GTIN lookup latency (release build).
    Index(index::IndexArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Gen { bytes, seed, out } => generate(bytes, seed, &out),
        Command::Throughput { file, runs } => throughput(&file, runs.max(1)),
        Command::Rss { file } => rss_file(&file),
        Command::RssGen { bytes, seed } => rss_generated(bytes, seed),
        Command::Store(args) => store::run(&args),
        Command::Index(args) => index::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gdsn-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(bytes: u64, seed: u64, out: &Path) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let mut generator =
        CinGenerator::new(GeneratorConfig { documents: None, target_bytes: Some(bytes), seed });
    let file = File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut writer = BufWriter::with_capacity(READ_BUFFER, file);
    let written = io::copy(&mut generator, &mut writer)?;
    writer.flush()?;
    let line = json!({
        "file": out.display().to_string(),
        "bytes": written,
        "documents": generator.documents(),
        "trade_items": generator.trade_items(),
        "transactions": generator.transactions(),
        "seconds": round3(started.elapsed()),
    });
    println!("{line}");
    Ok(())
}

fn throughput(path: &Path, runs: usize) -> Result<(), Box<dyn Error>> {
    let bytes = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    // The baseline reads from memory; loading the file is not timed.
    let text = std::fs::read_to_string(path)?;
    let mut ours = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    let mut streaming = Vec::with_capacity(runs);
    let mut stats = ParseStats::default();
    let mut events = 0;
    for run in 1..=runs {
        let started = Instant::now();
        let reader = BufReader::with_capacity(READ_BUFFER, File::open(path)?);
        stats = measure::parse_normalize_hash(reader);
        let a = started.elapsed();
        let started = Instant::now();
        events = measure::quick_xml_events(&text)?;
        let b = started.elapsed();
        let started = Instant::now();
        measure::quick_xml_ns_streaming(BufReader::with_capacity(READ_BUFFER, File::open(path)?))?;
        let c = started.elapsed();
        eprintln!(
            "run {run}/{runs}: gdsn-sync {:.3} s, quick-xml {:.3} s, NsReader streaming {:.3} s",
            a.as_secs_f64(),
            b.as_secs_f64(),
            c.as_secs_f64()
        );
        ours.push(a);
        theirs.push(b);
        streaming.push(c);
    }
    if !stats.clean || stats.diagnostics > 0 || stats.json_errors > 0 {
        eprintln!(
            "warning: {} rejected document(s), {} diagnostic(s), {} serialisation error(s)",
            stats.rejected, stats.diagnostics, stats.json_errors
        );
    }
    let a = median(&mut ours).as_secs_f64();
    let b = median(&mut theirs).as_secs_f64();
    let c = median(&mut streaming).as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!(
        "file: {} ({bytes} bytes, {} documents, {} records, {events} XML events)",
        path.display(),
        stats.documents,
        stats.records
    );
    println!("runs: {runs} (median reported; MB = 10^6 bytes)");
    println!(
        "(a) gdsn-sync parse + normalize + content_hash: {:>8.1} MB/s  ({a:.3} s, {:.0} documents/s, {:.0} records/s)",
        mb / a,
        stats.documents as f64 / a,
        stats.records as f64 / a
    );
    println!("(b) quick-xml Reader::from_str event loop:      {:>8.1} MB/s  ({b:.3} s)", mb / b);
    println!("ratio (a)/(b): {:.3}", b / a);
    println!(
        "(c) for context, quick-xml NsReader streaming from the file, events unused: {:.1} MB/s",
        mb / c
    );
    let line = json!({
        "bytes": bytes,
        "runs": runs,
        "documents": stats.documents,
        "records": stats.records,
        "accepted": stats.accepted,
        "diagnostics": stats.diagnostics,
        "gdsn_sync_mb_s": round1(mb / a),
        "quick_xml_mb_s": round1(mb / b),
        "ns_reader_streaming_mb_s": round1(mb / c),
        "ratio": (b / a * 1000.0).round() / 1000.0,
        "documents_per_s": (stats.documents as f64 / a).round(),
        "records_per_s": (stats.records as f64 / a).round(),
    });
    println!("{line}");
    Ok(())
}

fn rss_file(path: &Path) -> Result<(), Box<dyn Error>> {
    let bytes = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let started = Instant::now();
    let stats = measure::parse_normalize_hash(BufReader::with_capacity(READ_BUFFER, File::open(path)?));
    print_rss(&path.display().to_string(), bytes, &stats, started.elapsed());
    Ok(())
}

fn rss_generated(bytes: u64, seed: u64) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let mut generator =
        CinGenerator::new(GeneratorConfig { documents: None, target_bytes: Some(bytes), seed });
    let stats = measure::parse_normalize_hash(BufReader::with_capacity(READ_BUFFER, &mut generator));
    if !generator.is_finished() {
        return Err("the parser stopped before the end of the generated message".into());
    }
    print_rss("generator", generator.bytes_generated(), &stats, started.elapsed());
    Ok(())
}

fn print_rss(source: &str, bytes: u64, stats: &ParseStats, elapsed: Duration) {
    let line = json!({
        "source": source,
        "bytes": bytes,
        "documents": stats.documents,
        "accepted": stats.accepted,
        "rejected": stats.rejected,
        "records": stats.records,
        "diagnostics": stats.diagnostics,
        "clean": stats.clean,
        "seconds": round3(elapsed),
        "vm_hwm_kib": measure::vm_hwm_kib(),
    });
    println!("{line}");
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
