//! Crash safety: `gdsn-sync ingest` is killed with SIGKILL at random moments
//! while applying a generated 5,000-document message (10,000 items); after each restart a
//! re-ingest must leave the store exactly as a clean run does (same live
//! records, same links), with no document half-applied and exactly one
//! outbox entry per real change.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gdsn_bench::{CinGenerator, GeneratorConfig};

/// About 61 MB and 10,000 trade items, applied in chunks of 100 documents.
const DOCUMENTS: usize = 5_000;
const ITERATIONS: u64 = 50;

fn gdsn_sync(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("runs")
}

fn ingest(data: &Path, message: &Path) -> String {
    let out = gdsn_sync(
        data,
        &["ingest", "--no-publish", "--apply-chunk-documents", "100", &message.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The live records, without the wall-clock `sync.applied_at` (which
/// differs between runs; `sync.version`, the write sequence, must not).
fn export(data: &Path) -> String {
    let out = gdsn_sync(data, &["export"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "store failed to reopen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = String::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut record: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        record["sync"].as_object_mut().expect("sync stamp").remove("applied_at");
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    lines
}

/// The outbox depth from an ingest summary line (`..., outbox N, ...`).
fn outbox(summary: &str) -> usize {
    let after = summary.split("outbox ").nth(1).unwrap_or("");
    after.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)
}

/// A small deterministic generator for the kill delays (xorshift).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn sigkill_mid_ingest_never_loses_or_half_applies() {
    let work = tempfile::tempdir().expect("temp dir");
    let message = work.path().join("message.xml");
    let mut bytes = Vec::new();
    CinGenerator::new(GeneratorConfig { documents: Some(DOCUMENTS), target_bytes: None, seed: 7 })
        .read_to_end(&mut bytes)
        .expect("generated");
    std::fs::write(&message, &bytes).expect("written");

    let clean_dir = work.path().join("clean");
    let started = Instant::now();
    let clean_summary = ingest(&clean_dir, &message);
    let clean_time = started.elapsed();
    let clean = export(&clean_dir);
    let clean_outbox = outbox(&clean_summary);
    assert!(clean.lines().count() > DOCUMENTS, "{clean_summary}");

    // Two workers (the CI machine has two cores), each with its own data
    // dirs; the kill delays come from one deterministic sequence.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let delays: Vec<Duration> = (0..ITERATIONS)
        .map(|_| Duration::from_micros(next(&mut state) % (clean_time.as_micros() as u64 + 1)))
        .collect();
    let landed: Vec<Landed> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let (delays, message, clean, work) = (&delays, &message, &clean, work.path());
                scope.spawn(move || {
                    (worker..delays.len())
                        .step_by(2)
                        .map(|i| {
                            kill_and_recover(
                                &work.join(format!("run{i}")),
                                message,
                                delays[i],
                                clean,
                                clean_outbox,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    let count = |l: Landed| landed.iter().filter(|&&x| x == l).count();
    let (mid_apply, before_any, after_all) =
        (count(Landed::MidApply), count(Landed::BeforeAnyCommit), count(Landed::AfterAll));
    println!(
        "{ITERATIONS} kills: {mid_apply} mid-apply (the re-ingest resumed after committed chunks), \
         {before_any} before any commit, {after_all} after the last; clean ingest {clean_time:?}"
    );
    assert!(mid_apply > 0, "no kill landed mid-apply: the test proved nothing");
}

/// Where a kill landed, from what the re-ingest found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    BeforeAnyCommit,
    MidApply,
    AfterAll,
}

/// Starts an ingest into `dir`, kills it after `delay`, re-ingests, and
/// checks the store against the clean run.
fn kill_and_recover(dir: &Path, message: &Path, delay: Duration, clean: &str, clean_outbox: usize) -> Landed {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args([
            "ingest",
            "--no-publish",
            "--apply-chunk-documents",
            "100",
            &message.to_string_lossy(),
            "--data-dir",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    let summary = ingest(dir, message);
    let landed = if summary.contains("already applied") {
        Landed::AfterAll
    } else if summary.contains("resumed after") {
        Landed::MidApply
    } else {
        Landed::BeforeAnyCommit
    };
    assert_eq!(export(dir), clean, "{} (delay {delay:?}): store differs from a clean run", dir.display());
    // A message that finished before the kill is "already applied";
    // otherwise the re-ingest completes it without repeating a change.
    if landed != Landed::AfterAll {
        assert_eq!(outbox(&summary), clean_outbox, "{}: {summary}", dir.display());
    }
    std::fs::remove_dir_all(dir).expect("cleanup");
    landed
}
