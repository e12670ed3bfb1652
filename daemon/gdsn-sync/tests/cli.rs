//! The `gdsn-sync` binary as a user runs it: exit codes, the record stream
//! on stdout, diagnostics on stderr in both formats, and `inspect`.

use std::path::Path;
use std::process::{Command, Output};

fn gdsn_sync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gdsn-sync")).args(args).output().expect("binary runs")
}

fn case_input(name: &str) -> String {
    gdsn_conformance::cases_dir().join(name).join("input.xml").to_string_lossy().into_owned()
}

#[test]
fn exit_codes_follow_every_case() {
    for case in gdsn_conformance::cases().expect("cases") {
        let input = case.input();
        let out = gdsn_sync(&["parse", &input.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(i32::from(case.spec.exit)), "{}", case.name);
        let records = String::from_utf8_lossy(&out.stdout).lines().count();
        assert_eq!(records, case.spec.records, "{}", case.name);
        let validate = gdsn_sync(&["validate", &input.to_string_lossy()]);
        assert_eq!(validate.status.code(), Some(i32::from(case.spec.exit)), "{}", case.name);
        assert!(validate.stdout.is_empty(), "{}: validate printed records", case.name);
    }
}

#[test]
fn records_are_ndjson_and_diagnostics_name_file_line_and_path() {
    let input = case_input("0010_cin_timestamps_no_zone");
    let out = gdsn_sync(&["parse", &input]);
    assert_eq!(out.status.code(), Some(0));
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        assert_eq!(record["schema_version"], 1);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().expect("a warning");
    assert!(first.starts_with(&format!("{input}:")), "{first}");
    assert!(first.contains(": warning W004: "), "{first}");
    assert!(first.ends_with("/creationDateTime)"), "{first}");
}

#[test]
fn json_diagnostics_are_json_lines() {
    let input = case_input("0015_cin_bad_gtin_check_digit");
    let out = gdsn_sync(&["validate", "--json-diagnostics", &input]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let r447 = lines.iter().find(|d| d["code"] == "R447").expect("R447 reported");
    assert_eq!(r447["severity"], "error");
    assert_eq!(r447["file"], input.as_str());
    assert!(r447["line"].as_u64().unwrap_or(0) > 1);
    assert!(r447["path"].as_str().unwrap_or("").ends_with("/tradeItem/gtin"));
}

#[test]
fn unreadable_file_and_usage_errors_exit_2() {
    assert_eq!(gdsn_sync(&["parse", "/nonexistent/message.xml"]).status.code(), Some(2));
    assert_eq!(gdsn_sync(&["parse"]).status.code(), Some(2));
    assert_eq!(gdsn_sync(&["frobnicate"]).status.code(), Some(2));
    // One bad file among good ones: the worst outcome wins.
    let good = case_input("0001_cin_single_each");
    let out = gdsn_sync(&["parse", &good, "/nonexistent.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn inspect_shows_every_message_type() {
    let expectations = [
        ("0025_cihw_delete", "CIHW", "/documents/0/document/reason_code", "PUBLICATION_WITHDRAWAL"),
        ("0028_cic_review", "CIC", "/documents/0/document/state", "REVIEW"),
        ("0030_rfcin_reload", "RFCIN", "/documents/0/document/is_reload", "true"),
        ("0002_cin_pallet_case_each", "CIN", "/documents/0/command", "\"ADD\""),
    ];
    for (case, kind, pointer, want) in expectations {
        let out = gdsn_sync(&["inspect", &case_input(case)]);
        assert_eq!(out.status.code(), Some(0), "{case}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("inspect prints JSON");
        assert_eq!(json["message_type"], kind, "{case}");
        let got = json.pointer(pointer).map(|v| match v {
            serde_json::Value::String(s) if !want.starts_with('"') => s.clone(),
            other => other.to_string(),
        });
        assert_eq!(got.as_deref(), Some(want), "{case} {pointer}");
    }
    let response = gdsn_sync(&["inspect", &case_input("0027_gs1_response_exception")]);
    let json: serde_json::Value = serde_json::from_slice(&response.stdout).expect("JSON");
    let tree =
        json.pointer("/documents/0/document/exception/children/0/children/0/children/0/children/0/level");
    assert_eq!(tree.and_then(|v| v.as_str()), Some("attributeException"));
}

#[test]
fn output_is_deterministic() {
    let input = case_input("0013_cin_duplicate_gtin_same");
    let a = gdsn_sync(&["parse", &input]);
    let b = gdsn_sync(&["parse", &input]);
    assert_eq!(a.stdout, b.stdout);
    assert!(Path::new(&input).exists());
}

#[test]
fn limits_are_flags() {
    let input = case_input("0002_cin_pallet_case_each");
    assert_eq!(gdsn_sync(&["validate", &input]).status.code(), Some(0));
    let out = gdsn_sync(&["validate", "--max-depth", "12", &input]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(" error X010: element depth exceeds 12"));
    let out = gdsn_sync(&["validate", "--max-text-bytes", "20", &input]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(" error X011: "));
    assert_eq!(gdsn_sync(&["validate", "--max-depth", "lots", &input]).status.code(), Some(2));
}

#[test]
fn standard_input_and_directories() {
    use std::io::Write as _;
    use std::process::Stdio;
    let input = std::fs::read(case_input("0001_cin_single_each")).expect("case readable");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(&input).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let dir = gdsn_conformance::cases_dir();
    let out = gdsn_sync(&["validate", &dir.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}
