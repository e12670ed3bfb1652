//! `gdsn-sync reconcile` finds every way the index can disagree with the
//! store (changes never published, an older generation restored behind the
//! store's back, a deleted item still served) and says converged once they
//! agree again.

use std::path::Path;
use std::process::Output;

mod support;

use support::{case, run};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `reconcile`: its exit code and stdout.
fn reconcile(data: &Path) -> (Option<i32>, String) {
    let out = run(data, &["reconcile"]);
    assert!(out.status.code() != Some(2), "reconcile failed: {}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), stdout(&out))
}

fn ok(data: &Path, args: &[&str]) {
    let out = run(data, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ingest(data: &Path, cases: &[&str], extra: &[&str]) {
    let files: Vec<String> = cases.iter().map(|c| case(c).to_string_lossy().into_owned()).collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra);
    ok(data, &args);
}

/// Serves generation `name` of the embedded index, as a restore of an old
/// backup of the index directory would.
fn serve(data: &Path, name: &str) {
    std::fs::write(data.join("index/CURRENT"), format!("{name}\n")).expect("CURRENT written");
}

#[test]
fn reconcile_finds_unpublished_restored_and_deleted_documents() {
    let data = tempfile::tempdir().expect("temp dir");
    let data = data.path();
    ingest(data, &["0001_cin_single_each", "0002_cin_pallet_case_each"], &["--no-publish"]);
    let (code, text) = reconcile(data);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("NOT converged: store 4 live, index 0 live; 4 missing"), "{text}");

    ok(data, &["publish"]);
    let (code, text) = reconcile(data);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("converged: store 4 live, index 4 live; 0 missing, 0 older, 0 newer, 0 extra"),
        "{text}"
    );

    // gen-000002 serves; gen-000001 stays as the previous generation.
    ok(data, &["reindex"]);
    ingest(data, &["0003_cin_change_by_refresh"], &[]);
    assert_eq!(reconcile(data).0, Some(0));
    serve(data, "gen-000001");
    let (code, text) = reconcile(data);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("; 0 missing, 1 older, 0 newer, 0 extra"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("older ") && l.contains("03012345100014")), "{text}");

    serve(data, "gen-000002");
    ingest(data, &["0005_cin_delete"], &[]);
    let (code, text) = reconcile(data);
    assert_eq!(code, Some(0), "the delete reached the index: {text}");
    serve(data, "gen-000001");
    let (code, text) = reconcile(data);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.lines().any(|l| l.starts_with("extra ") && l.contains("03012345100014")), "{text}");
    assert!(text.contains("store 3 live, index 4 live; 0 missing, 0 older, 0 newer, 1 extra"), "{text}");
}
