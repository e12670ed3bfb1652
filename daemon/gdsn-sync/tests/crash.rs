//! Crash safety: `gdsn-sync ingest` is killed with SIGKILL at random moments
//! while applying a generated 2,000-document message (4,000 items); after each restart a
//! re-ingest must leave the store exactly as a clean run does (same live
//! records, same links), with no document half-applied and exactly one
//! outbox entry per real change.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gdsn_bench::{CinGenerator, GeneratorConfig};

/// About 24 MB and 4,000 trade items: big enough that most kills land
/// mid-apply, small enough that 50 iterations stay near a minute and a half.
const DOCUMENTS: usize = 2_000;
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
    let out = gdsn_sync(data, &["ingest", "--apply-chunk-documents", "100", &message.to_string_lossy()]);
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

    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let (mut mid_apply, mut before_any, mut after_all, mut resumed) = (0, 0, 0, 0);
    for iteration in 0..ITERATIONS {
        let dir = work.path().join(format!("run{iteration}"));
        let delay = Duration::from_micros(next(&mut state) % (clean_time.as_micros() as u64 + 1));
        let mut child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .args(["ingest", "--apply-chunk-documents", "100", &message.to_string_lossy(), "--data-dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let partial = if dir.join("store").exists() { export(&dir).lines().count() } else { 0 };
        match partial {
            0 => before_any += 1,
            n if n < clean.lines().count() => mid_apply += 1,
            _ => after_all += 1,
        }
        let summary = ingest(&dir, &message);
        assert_eq!(
            export(&dir),
            clean,
            "iteration {iteration} (delay {delay:?}): store differs from a clean run"
        );
        // A message that finished before the kill is "already applied";
        // otherwise the re-ingest completes it without repeating a change.
        resumed += usize::from(summary.contains("resumed after"));
        if !summary.contains("already applied") {
            assert_eq!(outbox(&summary), clean_outbox, "iteration {iteration}: {summary}");
        }
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
    println!(
        "{ITERATIONS} kills: {mid_apply} mid-apply, {before_any} before any commit, {after_all} after the last; \
         {resumed} re-ingests resumed after committed chunks; clean ingest {clean_time:?}"
    );
    assert!(mid_apply > 0, "no kill landed mid-apply: the test proved nothing");
    assert!(resumed > 0, "no re-ingest resumed from a resume point");
}
