//! `check-config` over every example in deploy/examples (each transport),
//! a broken file (located errors), and `config-schema` against the schema
//! file kept in schemas/.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn gdsn_sync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(args)
        // The examples name their secrets by environment variable.
        .envs(
            [
                "POOL_B_HMAC_SECRET",
                "POOL_A_CLIENT_SECRET",
                "OPENSEARCH_PASSWORD",
                "ES_API_KEY",
                "POOL_PUSH_REPLY_TOKEN",
            ]
            .map(|v| (v, "dummy-secret-value")),
        )
        .output()
        .expect("binary runs")
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(ROOT).join("deploy/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("deploy/examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// A copy of an example whose absolute secret and certificate paths point
/// into `dir`, with stub files there (the examples name /etc and /run).
fn localised(example: &Path, dir: &Path) -> PathBuf {
    let mut text = std::fs::read_to_string(example).expect("example");
    for prefix in ["/etc/gdsn-sync/", "/run/secrets/"] {
        while let Some(start) = text.find(&format!("\"{prefix}")) {
            let end = start + 1 + text[start + 1..].find('"').expect("closing quote");
            let original = text[start + 1..end].to_owned();
            let local = dir.join(original.trim_start_matches('/'));
            std::fs::create_dir_all(local.parent().expect("parent")).expect("dirs");
            let stub = if original.ends_with(".key") {
                "-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----\n"
            } else if original.ends_with(".crt") || original.ends_with(".pem") {
                "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"
            } else {
                "dummy-secret-value"
            };
            std::fs::write(&local, stub).expect("stub");
            text.replace_range(start + 1..end, &local.to_string_lossy());
        }
    }
    let copy = dir.join(example.file_name().expect("name"));
    std::fs::write(&copy, text).expect("copy");
    copy
}

#[test]
fn every_example_config_is_valid() {
    let files = examples();
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = localised(file, dir.path());
        let out = gdsn_sync(&["check-config", &copy.to_string_lossy()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("valid") && !text.contains("dummy-secret-value"), "{text}");
    }
}

#[test]
fn a_broken_config_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (text, expected) in [
        ("data_dir = \"data\"\ncolour = \"red\"\n", "broken.toml:2:1: colour: unknown field"),
        ("data_dir = \"data\"\nrecipient_gln = \"1234567890123\"\n", "broken.toml:2:"),
    ] {
        let file = dir.path().join("broken.toml");
        std::fs::write(&file, text).expect("written");
        let out = gdsn_sync(&["check-config", &file.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn config_schema_matches_the_published_file() {
    let out = gdsn_sync(&["config-schema"]);
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let kept: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("schemas/config.schema.json")).expect("schema file"),
    )
    .expect("JSON");
    assert_eq!(printed, kept);
}
