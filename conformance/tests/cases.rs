//! Runs every conformance case and compares it with its reviewed snapshots.
//!
//! `UPDATE_EXPECT=1 cargo test -p gdsn-conformance --test cases` rewrites
//! the snapshots; review the diff by hand before committing it.

use std::fmt::Write as _;
use std::path::Path;

use gdsn_conformance::{Case, Outcome, cases, run};

#[test]
fn every_case_gives_its_expected_outcome() {
    let cases = cases().expect("cases load");
    assert!(cases.len() >= 40, "only {} cases found", cases.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = String::new();
    for case in &cases {
        let outcome = run(&case.input(), "input.xml").expect("case input readable");
        if let Err(why) = check_class(case, &outcome) {
            let _ = writeln!(failures, "{}: {why}", case.name);
        }
        if let Err(why) = check_snapshots(case, &outcome, update) {
            let _ = writeln!(failures, "{}: {why}", case.name);
        }
    }
    assert!(failures.is_empty(), "failing cases:\n{failures}");
}

fn check_class(case: &Case, outcome: &Outcome) -> Result<(), String> {
    let spec = &case.spec;
    if outcome.exit != spec.exit {
        return Err(format!("exit {} != expected {}", outcome.exit, spec.exit));
    }
    if outcome.records.len() != spec.records {
        return Err(format!("{} records != expected {}", outcome.records.len(), spec.records));
    }
    if outcome.message_type != spec.message_type {
        return Err(format!("message type {} != expected {}", outcome.message_type, spec.message_type));
    }
    let missing: Vec<&String> = spec.codes.iter().filter(|c| !outcome.codes.contains(*c)).collect();
    if !missing.is_empty() {
        return Err(format!("codes {missing:?} missing; got {:?}", outcome.codes));
    }
    Ok(())
}

fn check_snapshots(case: &Case, outcome: &Outcome, update: bool) -> Result<(), String> {
    let mut records = outcome.records.join("\n");
    let mut diagnostics = outcome.diagnostics.join("\n");
    for text in [&mut records, &mut diagnostics] {
        if !text.is_empty() {
            text.push('\n');
        }
    }
    snapshot(&case.dir.join("expected.ndjson"), &records, update)?;
    snapshot(&case.dir.join("expected.diagnostics"), &diagnostics, update)?;
    if outcome.message_type != "CIN" && outcome.message_type != "none" {
        let documents = serde_json::to_string_pretty(&outcome.documents).unwrap_or_default() + "\n";
        snapshot(&case.dir.join("expected.documents.json"), &documents, update)?;
    }
    Ok(())
}

fn snapshot(path: &Path, actual: &str, update: bool) -> Result<(), String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if update {
        return std::fs::write(path, actual).map_err(|e| format!("{name}: {e}"));
    }
    let expected =
        std::fs::read_to_string(path).map_err(|e| format!("{name}: {e} (run with UPDATE_EXPECT=1)"))?;
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        return Err(format!(
            "{name} differs from the snapshot at line {}:\n  expected: {}\n  actual:   {}",
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        ));
    }
    Ok(())
}
