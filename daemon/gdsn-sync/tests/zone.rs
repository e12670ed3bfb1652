//! Timestamps without a zone read in a pool's zone (`--naive-timestamps-zone`,
//! the daemon's per-connection `naive_timestamps_zone`): the version rule
//! compares the instants that follow.

mod support;

use std::path::Path;
use std::process::Command;

fn gdsn(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gdsn-sync")).args(args).output().expect("binary runs")
}

fn last_change(stdout: &[u8]) -> String {
    let line = String::from_utf8_lossy(stdout).lines().next().unwrap_or_default().to_owned();
    let record: serde_json::Value = serde_json::from_str(&line).expect("a record");
    record["dates"]["last_change"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_naive_time_is_read_in_the_given_zone() {
    let case = support::case("0010_cin_timestamps_no_zone");
    let case = case.to_str().expect("utf-8 path");
    // 09:00 local on 2025-04-02: CEST in Paris, EDT in New York.
    for (zone, expected) in [
        (None, "2025-04-02T09:00:00Z"),
        (Some("Europe/Paris"), "2025-04-02T07:00:00Z"),
        (Some("America/New_York"), "2025-04-02T13:00:00Z"),
    ] {
        let mut args = vec!["parse", case];
        args.extend(zone.iter().flat_map(|z| ["--naive-timestamps-zone", *z]));
        let out = gdsn(&args);
        assert_eq!(last_change(&out.stdout), expected, "zone {zone:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("read as {}", zone.unwrap_or("UTC"))), "{stderr}");
    }
    let out = gdsn(&["parse", case, "--naive-timestamps-zone", "Europe/Atlantis"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an IANA time zone"));
}

/// A later message says 08:00Z. Read in Paris, the stored 09:00 local is
/// 07:00Z, so the later message is newer and applies; read as UTC it is
/// 09:00Z, and the later message is stale.
#[test]
fn the_zone_decides_which_message_is_newer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = support::case("0010_cin_timestamps_no_zone");
    let text = std::fs::read_to_string(&first).expect("case");
    let later = text
        .replace(
            "<lastChangeDateTime>2025-04-02T09:00:00</lastChangeDateTime>",
            "<lastChangeDateTime>2025-04-02T08:00:00Z</lastChangeDateTime>",
        )
        .replace("Nilepar Paracetamol 500 mg 20 tablets", "Nilepar Paracetamol 500 mg 24 tablets")
        .replace("MSG-0010", "MSG-0010-B");
    assert_ne!(later, text);
    let second = dir.path().join("later.xml");
    std::fs::write(&second, later).expect("write");
    for (zone, expected) in [("Europe/Paris", "1 updated"), ("UTC", "1 stale")] {
        let data = dir.path().join(zone.replace('/', "-"));
        let ingest = |file: &Path| {
            let mut args = vec!["ingest", "--no-publish", "--naive-timestamps-zone", zone];
            args.push(file.to_str().expect("utf-8 path"));
            support::run(&data, &args)
        };
        assert!(ingest(&first).status.success());
        let out = ingest(&second);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expected), "zone {zone}: {stdout}");
    }
}
