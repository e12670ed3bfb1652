//! Memory stays bounded by one document: more than 200 MB generated on the
//! fly (through a `Read`, never on disk) is parsed, normalized and hashed by
//! a child process whose peak RSS must stay under 100 MiB.

use std::process::Command;
use std::time::Instant;

const BYTES: u64 = 210_000_000;
const LIMIT_KIB: u64 = 100 * 1024;

#[test]
fn parsing_210_mb_from_the_generator_peaks_under_100_mib() {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_gdsn-bench"))
        .args(["rss-gen", "--bytes", &BYTES.to_string()])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap();
    let report: serde_json::Value = serde_json::from_str(line).unwrap();
    let field = |name: &str| report[name].as_u64().unwrap_or_else(|| panic!("no `{name}` in {line}"));
    let bytes = field("bytes");
    let documents = field("documents");
    let accepted = field("accepted");
    let hwm = field("vm_hwm_kib");
    println!(
        "rss-gen: {bytes} bytes, {documents} documents, {} records; peak RSS (VmHWM) {hwm} KiB = {:.1} MiB; child ran {:.1} s",
        field("records"),
        hwm as f64 / 1024.0,
        elapsed.as_secs_f64()
    );
    assert!(bytes >= 200_000_000, "{line}");
    assert!(documents > 0, "{line}");
    assert_eq!(accepted, documents, "{line}");
    assert_eq!(field("rejected"), 0, "{line}");
    assert_eq!(field("diagnostics"), 0, "{line}");
    assert_eq!(report["clean"], serde_json::Value::Bool(true), "{line}");
    assert!(hwm < LIMIT_KIB, "peak RSS {hwm} KiB is not under {LIMIT_KIB} KiB: {line}");
}
