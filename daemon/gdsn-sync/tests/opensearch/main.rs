//! The store and an OpenSearch cluster converge through the CLI, whatever
//! fails in between: the cluster down during `ingest`, a publish cut off
//! mid-batch by resets and 503s, the CLI killed with SIGKILL while a bulk
//! is in flight, and `reindex` switching the alias. The cluster is the
//! osmem emulator (OpenSearch 3.x REST); a fault proxy of our own stands
//! between the CLI and it. Converged means: the outbox is empty, the
//! alias holds exactly the store's live records (`export`), each equal to
//! the store's, so at the store's `sync.version` and never an older one.

#[path = "../support/mod.rs"]
mod support;

mod cluster;
mod proxy;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use gdsn_bench::{CinGenerator, GeneratorConfig};
use serde_json::Value;

use cluster::{ALIAS, Cluster, Emulator, free_port};
use proxy::{Fault, Proxy};
use support::{case, run};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(out: &Output) -> String {
    format!("exit {:?}\nstdout: {}\nstderr: {}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Starts osmem on `port` (0: any), or `None` after printing SKIPPED.
fn emulator(port: u16) -> Option<Emulator> {
    match Emulator::start(port) {
        Ok(emulator) => Some(emulator),
        Err(why) => {
            println!("SKIPPED ({why})");
            None
        }
    }
}

/// A config for the store in `data` that publishes to the cluster at `url`
/// in batches of `batch`, retrying within milliseconds.
fn config(data: &Path, url: &str, batch: usize) -> PathBuf {
    let file = data.with_extension("toml");
    let toml = format!(
        r#"data_dir = "{data}"

[sink]
kind = "opensearch"

[sink.opensearch]
url = "{url}/"
alias = "{ALIAS}"
timeouts = {{ connect_secs = 2, read_secs = 10, total_secs = 20 }}

[publisher]
batch_size = {batch}
retry = {{ initial_ms = 1, max_ms = 5 }}

[[connections]]
name = "inbox"
kind = "drop_folder"
drop_folder = {{ inbox = "{data}-inbox" }}
"#,
        data = data.display()
    );
    std::fs::write(&file, toml).expect("config written");
    file
}

/// Runs the CLI with `--config FILE` after `args`.
fn with_config(data: &Path, file: &Path, args: &[&str]) -> Output {
    let file = file.to_string_lossy();
    let mut all = args.to_vec();
    all.extend(["--config", &file]);
    run(data, &all)
}

/// A generated CIN message of `documents` documents (two items each), as
/// a file; `revise` moves every `revise`-th item one year later, under a
/// message id of its own.
fn generated(dir: &Path, documents: usize, revise: usize) -> PathBuf {
    let mut bytes = Vec::new();
    CinGenerator::new(GeneratorConfig { documents: Some(documents), target_bytes: None, seed: 7 })
        .change_every(revise)
        .read_to_end(&mut bytes)
        .expect("generated");
    let mut xml = text(&bytes);
    if revise > 0 {
        // Same id, other bytes would be quarantined: a revision is a new message.
        xml = xml.replace(">MSG-7<", ">MSG-7-REVISED<");
    }
    let file = dir.join(format!("generated-{revise}.xml"));
    std::fs::write(&file, xml).expect("message written");
    file
}

/// The store's live records by item key.
fn export(data: &Path) -> Vec<(String, Value)> {
    let out = run(data, &["export"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    text(&out.stdout)
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("JSON line");
            let mut key = format!(
                "{}/{}/{}",
                record["information_provider"]["gln"].as_str().expect("gln"),
                record["gtin"].as_str().expect("gtin"),
                record["target_market"].as_str().expect("market")
            );
            if let Some(subdivision) = record["target_market_subdivision"].as_str() {
                key = format!("{key}/{subdivision}");
            }
            (key, record)
        })
        .collect()
}

/// A record without the publisher's `sync.published_at`, which the store's
/// copy never has.
fn unpublished(mut record: Value) -> Value {
    if let Some(sync) = record["sync"].as_object_mut() {
        sync.remove("published_at");
    }
    record
}

/// The alias holds exactly the store's live records, each as stored.
/// Returns how many.
fn assert_converged(data: &Path, cluster: &Cluster) -> usize {
    let live = export(data);
    assert_eq!(cluster.count(ALIAS), live.len() as u64, "documents behind the alias vs live records");
    for (key, record) in &live {
        let gtin = record["gtin"].as_str().expect("gtin");
        let hits = cluster.search_gtin(gtin);
        let Some(hit) = hits.iter().find(|hit| &hit.id == key) else {
            panic!("{key} is live in the store, not found in the cluster ({} hits)", hits.len());
        };
        let (indexed, stored) = (unpublished(hit.record.clone()), unpublished(record.clone()));
        assert_eq!(
            indexed["sync"]["version"], stored["sync"]["version"],
            "{key}: the cluster holds another version than the store"
        );
        assert_eq!(indexed, stored, "{key}: the cluster's record is not the store's");
    }
    live.len()
}

/// The figure after `label` in a summary line, such as `outbox 4`.
fn figure(line: &str, label: &str) -> Option<usize> {
    let after = line.split(label).nth(1)?;
    after.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// N in `N changes wait in the outbox`.
fn waiting(stderr: &str) -> Option<usize> {
    stderr.split(" changes wait in the outbox").find_map(|before| {
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        before[before.len() - digits..].parse().ok()
    })
}

#[test]
fn sink_down_during_ingest_then_publish_converges() {
    if emulator(0).is_none() {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    // Nothing listens on the port yet: the cluster is down.
    let port = free_port();
    let file = config(&data, &format!("http://127.0.0.1:{port}"), 500);
    let cases = [case("0001_cin_single_each"), case("0002_cin_pallet_case_each")];
    let cases: Vec<String> = cases.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let out = with_config(&data, &file, &["ingest", &cases[0], &cases[1]]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("applied, but not yet published (the changes wait in the outbox)"), "{stderr}");
    assert_eq!(waiting(&stderr), Some(4), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "the message names the cluster: {stderr}");
    assert_eq!(export(&data).len(), 4, "the changes are applied");

    let Some(up) = emulator(port) else { return };
    let out = with_config(&data, &file, &["publish"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("published 4 changes to alias {ALIAS} at {}/", up.url)), "{stdout}");
    assert_eq!(figure(&stdout, "outbox "), Some(0), "{stdout}");
    let cluster = Cluster::new(&up.url);
    assert_eq!(assert_converged(&data, &cluster), 4);
    for gtin in ["03012345100014", "10812345200017"] {
        assert!(!cluster.search_gtin(gtin).is_empty(), "{gtin} searchable");
    }
}

#[test]
fn publish_cut_mid_batch_converges_on_rerun() {
    let Some(up) = emulator(0) else { return };
    let proxy = Proxy::start(&up.url);
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let file = config(&data, &proxy.url, 20);
    let message = generated(work.path(), 50, 0);
    let out = run(&data, &["ingest", "--no-publish", &message.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let total = export(&data).len();
    assert!(total >= 100, "{total} records");

    // Two batches go through; the third is applied but its answer is lost,
    // then five failures in a row (503, resets): the drain gives up.
    proxy.plan(&[
        Fault::Pass,
        Fault::Pass,
        Fault::ApplyThenReset,
        Fault::Unavailable,
        Fault::Reset,
        Fault::Reset,
        Fault::Unavailable,
        Fault::Reset,
    ]);
    let out = with_config(&data, &file, &["publish"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = text(&out.stderr);
    assert_eq!(waiting(&stderr), Some(total - 40), "two acknowledged batches left the outbox: {stderr}");
    let cluster = Cluster::new(&up.url);
    assert_eq!(cluster.count(ALIAS), 60, "the unacknowledged batch was applied all the same");

    let out = with_config(&data, &file, &["publish"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = text(&out.stdout);
    println!("re-run: {}", stdout.trim());
    assert_eq!(figure(&stdout, "("), Some(20), "the repeated batch is already there: {stdout}");
    assert_eq!(assert_converged(&data, &cluster), total);
}

#[test]
fn sigkill_during_publish_then_rerun_converges_on_newest_versions() {
    let Some(up) = emulator(0) else { return };
    let proxy = Proxy::start(&up.url);
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let file = config(&data, &proxy.url, 10);
    let first = generated(work.path(), 50, 0);
    let out = with_config(&data, &file, &["ingest", &first.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let cluster = Cluster::new(&up.url);
    let total = assert_converged(&data, &cluster);

    // Every second item revised: newer versions wait in the outbox.
    let revised = generated(work.path(), 50, 2);
    let out = run(&data, &["ingest", "--no-publish", &revised.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let before = proxy.bulks();
    proxy.plan(&[Fault::Pass, Fault::Pass, Fault::Slow]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["publish", "--config", &file.to_string_lossy(), "--data-dir", &data.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("publish runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.bulks() < before + 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reaped");
    assert_eq!(status.code(), None, "killed by a signal while the third bulk was in flight");
    let stale = export(&data)
        .iter()
        .filter(|(key, record)| {
            let gtin = record["gtin"].as_str().unwrap_or_default();
            let hits = cluster.search_gtin(gtin);
            hits.iter().any(|h| &h.id == key && h.record["sync"]["version"] != record["sync"]["version"])
        })
        .count();
    assert!(stale > 0, "the kill left nothing behind: the test proved nothing");
    println!("killed mid-publish: {stale} of {total} records older in the cluster than in the store");

    let out = with_config(&data, &file, &["publish"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(figure(&text(&out.stdout), "outbox "), Some(0), "{}", show(&out));
    assert_eq!(assert_converged(&data, &cluster), total);
}

#[test]
fn reindex_switches_the_alias_and_a_failed_canary_keeps_it() {
    let Some(up) = emulator(0) else { return };
    let proxy = Proxy::start(&up.url);
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let file = config(&data, &proxy.url, 20);
    let message = generated(work.path(), 30, 0);
    let out = with_config(&data, &file, &["ingest", &message.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let cluster = Cluster::new(&up.url);
    assert_eq!(cluster.alias_indices(), ["gdsn-products-000001"]);
    // A DELETE (0005 deletes 0001's item): reindex must leave it out.
    for name in ["0001_cin_single_each", "0005_cin_delete"] {
        let out = with_config(&data, &file, &["ingest", &case(name).to_string_lossy()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", show(&out));
    }
    let live = export(&data).len();

    let out = with_config(&data, &file, &["reindex", "--batch-size", "25"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("gdsn-products-000002: {live} records, canary passed")), "{stdout}");
    assert!(stdout.contains("alias gdsn-products now on it (was gdsn-products-000001)"), "{stdout}");
    assert_eq!(cluster.alias_indices(), ["gdsn-products-000002"]);
    assert!(!cluster.exists("gdsn-products-000001"), "the old index is deleted");
    assert_eq!(assert_converged(&data, &cluster), live);

    // A canary that cannot pass (the count is wrong): the alias stays.
    proxy.lie_about_count(true);
    let out = with_config(&data, &file, &["reindex"]);
    proxy.lie_about_count(false);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("canary failed on gdsn-products-000003"), "{stderr}");
    assert!(stderr.contains("alias gdsn-products still on gdsn-products-000002"), "{stderr}");
    assert_eq!(cluster.alias_indices(), ["gdsn-products-000002"]);
    assert!(!cluster.exists("gdsn-products-000003"), "the failed index is deleted");
    assert_eq!(assert_converged(&data, &cluster), live);
}

#[test]
fn config_for_another_data_dir_is_refused() {
    let work = tempfile::tempdir().expect("temp dir");
    let file = config(&work.path().join("elsewhere"), "http://127.0.0.1:9", 500);
    let out = with_config(&work.path().join("data"), &file, &["publish"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("is not the data_dir of"), "{}", show(&out));
}

/// `--config` naming the embedded index (no `[sink]`) publishes into and
/// rebuilds `DATA/index`, as the commands do without a config.
#[test]
fn config_naming_the_embedded_index_publishes_and_reindexes_it() {
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let file = data.with_extension("toml");
    let inbox = work.path().join("inbox");
    let toml = format!(
        "data_dir = \"{}\"\n[[connections]]\nname = \"in\"\nkind = \"drop_folder\"\ndrop_folder = {{ inbox = \"{}\" }}\n",
        data.display(),
        inbox.display()
    );
    std::fs::write(&file, toml).expect("config written");
    let message = case("0002_cin_pallet_case_each");
    let out = run(&data, &["ingest", "--no-publish", &message.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = with_config(&data, &file, &["publish"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stdout).contains("published 3 changes to the index"), "{}", show(&out));
    let out = with_config(&data, &file, &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stdout).contains("reindexed 3 records into generation"), "{}", show(&out));
    let out = run(&data, &["lookup", "10812345200017"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}
