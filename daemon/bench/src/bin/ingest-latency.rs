//! `ingest-latency`: time from `ingest` start to searchable for a small
//! message (one trade item), by two paths:
//!
//! - CLI: `gdsn-sync ingest FILE` (applies, publishes into the embedded
//!   index, exits), then the index's read side (what `lookup` runs) finds
//!   the GTIN;
//! - daemon: one `gdsn-sync run` for all runs; the file is written into its
//!   drop folder, `POST /v1/connections/drop/poll` makes it fetch now, and
//!   the read side is polled until it finds the GTIN.
//!
//! Each run uses a new GTIN in the same data directory (a warm store, as in
//! service). The read side is polled in-process every millisecond rather
//! than by spawning `lookup` (a process start would add its own ~ms to
//! every probe). See `daemon/bench/README.md`.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::Parser;
use gdsn_bench::daemon::{Daemon, gdsn_sync_binary};
use gdsn_index::IndexDir;
use gdsn_model::ids::Gtin;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Gives up on one run after this long.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Parser)]
#[command(name = "ingest-latency", about = "Time from ingest start to searchable, CLI and daemon")]
struct Cli {
    /// Runs per path; the median, p90 and max are reported.
    #[arg(long, default_value_t = 20)]
    runs: u32,
    /// The gdsn-sync binary (default: next to this one, so build it in the
    /// same profile: `cargo build --release -p gdsn-sync`).
    #[arg(long, value_name = "FILE")]
    gdsn_sync: Option<PathBuf>,
    /// The daemon's `publisher.commit_interval_ms` (its default when absent).
    #[arg(long, value_name = "MS")]
    commit_interval_ms: Option<u64>,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ingest-latency: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let binary = gdsn_sync_binary(cli.gdsn_sync.as_deref())?;
    let work = std::env::temp_dir().join(format!("ingest-latency-{}", std::process::id()));
    fs::create_dir_all(&work)?;
    let outcome = measure_both(cli, &binary, &work);
    let _ = fs::remove_dir_all(&work);
    outcome
}

fn measure_both(cli: &Cli, binary: &Path, work: &Path) -> Result<()> {
    let cli_path = cli_runs(binary, &work.join("cli"), cli.runs)?;
    report("CLI (ingest, then the read side)", &cli_path.total, Some(&cli_path.process));
    let daemon = daemon_runs(binary, &work.join("daemon"), cli.runs, cli.commit_interval_ms)?;
    report("daemon (drop folder + poll-now, then the read side)", &daemon, None);
    Ok(())
}

/// The CLI path's figures: to searchable, and until the process exited.
struct CliFigures {
    total: Vec<Duration>,
    process: Vec<Duration>,
}

fn cli_runs(binary: &Path, dir: &Path, runs: u32) -> Result<CliFigures> {
    let data = dir.join("data");
    fs::create_dir_all(&data)?;
    let mut figures = CliFigures { total: Vec::new(), process: Vec::new() };
    // Run 0 creates the store and the index; it is not counted.
    for n in 0..=runs {
        let gtin = gtin(n);
        let file = dir.join(format!("cli-{n}.xml"));
        fs::write(&file, cin(&format!("CLI-{n}"), &gtin))?;
        let started = Instant::now();
        let out = Command::new(binary).arg("ingest").arg(&file).arg("--data-dir").arg(&data).output()?;
        let exited = started.elapsed();
        if !out.status.success() {
            return Err(
                format!("ingest exited {}: {}", out.status, String::from_utf8_lossy(&out.stderr)).into()
            );
        }
        wait_searchable(&data, &gtin, started)?;
        if n > 0 {
            figures.total.push(started.elapsed());
            figures.process.push(exited);
        }
    }
    Ok(figures)
}

fn daemon_runs(
    binary: &Path,
    dir: &Path,
    runs: u32,
    commit_interval_ms: Option<u64>,
) -> Result<Vec<Duration>> {
    let publisher = commit_interval_ms.map(|ms| format!("[publisher]\ncommit_interval_ms = {ms}\n"));
    let daemon = Daemon::start(binary, dir, &publisher.unwrap_or_default())?;
    let mut figures = Vec::new();
    for n in 0..=runs {
        let gtin = gtin(1000 + n);
        let id = format!("DAEMON-{n}");
        let started = Instant::now();
        daemon.deliver(dir, &format!("{id}.xml"), cin(&id, &gtin).as_bytes())?;
        wait_searchable(&dir.join("data"), &gtin, started)?;
        if n > 0 {
            figures.push(started.elapsed());
        }
    }
    daemon.stop();
    Ok(figures)
}

/// Polls the read side every millisecond until `gtin` resolves.
fn wait_searchable(data: &Path, gtin: &str, started: Instant) -> Result<()> {
    let gtin = Gtin::parse(gtin).map_err(|e| format!("{gtin}: {e}"))?;
    let dir = IndexDir::new(data.join("index"));
    let mut reader = None;
    while started.elapsed() < TIMEOUT {
        if reader.is_none() {
            reader = dir.open_reader().ok();
        }
        if let Some(reader) = reader.as_mut() {
            reader.reload()?;
            if !reader.lookup(gtin, None)?.is_empty() {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Err(format!("GTIN {gtin} not searchable after {TIMEOUT:?}").into())
}

fn report(path: &str, figures: &[Duration], process: Option<&[Duration]>) {
    let (p50, p90, max) = percentiles(figures);
    println!("{path}: {} runs, to searchable p50 {p50:.1?}, p90 {p90:.1?}, max {max:.1?}", figures.len());
    if let Some(process) = process {
        let (p50, p90, max) = percentiles(process);
        println!(
            "  of which the ingest process (start to exit): p50 {p50:.1?}, p90 {p90:.1?}, max {max:.1?}"
        );
    }
}

/// The median, the 90th percentile and the maximum (zero when empty).
fn percentiles(figures: &[Duration]) -> (Duration, Duration, Duration) {
    let mut sorted = figures.to_vec();
    sorted.sort();
    let at = |q: usize| sorted.get((sorted.len().saturating_sub(1)) * q / 100).copied().unwrap_or_default();
    (at(50), at(90), sorted.last().copied().unwrap_or_default())
}

/// A valid GTIN-14 per run.
fn gtin(n: u32) -> String {
    gdsn_bench::small::gtin(88, n)
}

/// A small CIN: one each, ADD, target market 250, about 3 KB.
fn cin(id: &str, gtin: &str) -> String {
    gdsn_bench::small::Cin::new(id, gtin).xml()
}
