//! `POST /v1/reindex` while the daemon ingests: a thread keeps dropping new
//! versions of a set of GTINs into the drop folder and polling, while the
//! test reindexes twice. After shutdown every GTIN must show the last
//! version fed: no update applied during a rebuild is lost, and the rebuild
//! never put an older version back. Once with the embedded index (checked
//! by `lookup`), once with an OpenSearch cluster (the osmem emulator, as in
//! `tests/opensearch`; checked through the alias and by `reconcile`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/daemon.rs"]
mod support_daemon;

// Shared with tests/opensearch, which uses all of it.
#[path = "opensearch/cluster.rs"]
#[allow(dead_code)]
mod cluster;

use gdsn_bench::small::Cin;
use support_daemon::Daemon;

const TOKEN: &str = "reindex-test-admin-token";
use gdsn_bench::small::RECIPIENT_GLN;
const NEVER: &str = "0 0 1 1 *";
const DEADLINE: Duration = Duration::from_secs(60);
const GTINS: u32 = 25;
const ROUNDS: u32 = 10;
/// Other GTINs, loaded first, so that a rebuild takes a while.
const FILLER: u32 = 300;

/// The daemon under test and an HTTP client for its admin routes.
struct Harness {
    daemon: Daemon,
    http: reqwest::blocking::Client,
}

impl Harness {
    /// A daemon on the drop folder, with `sink` (TOML tables) appended.
    fn start(sink: &str) -> Harness {
        let admin = gdsn_config::hash_admin_token(TOKEN);
        let config = format!(
            r#"data_dir = "data"
recipient_gln = "{RECIPIENT_GLN}"

[[connections]]
name = "drop"
kind = "drop_folder"
schedule = "{NEVER}"
drop_folder = {{ inbox = "inbox", min_age_secs = 0 }}

[http]
listen = "127.0.0.1:0"
admin_token_sha256 = "{admin}"

[pipeline]
drain_deadline_secs = 10

# Changes wait up to three seconds for the publisher, so a reindex
# posted right after a round always finds that round in the outbox,
# however loaded the machine.
[publisher]
commit_interval_ms = 3000
{sink}
"#
        );
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client");
        Harness { daemon: Daemon::start(&config, DEADLINE), http }
    }

    /// An admin POST; the status and the JSON body.
    fn post(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.daemon.url))
            .bearer_auth(TOKEN)
            .send()
            .unwrap_or_else(|e| panic!("POST {path}: {e}\n{}", self.daemon.log()));
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn inbox(&self) -> PathBuf {
        self.daemon.inbox()
    }

    fn data(&self) -> PathBuf {
        self.daemon.data()
    }

    fn log(&self) -> String {
        self.daemon.log()
    }

    fn stop(&mut self) {
        self.daemon.stop();
    }

    /// The daemon's config file.
    fn config_file(&self) -> PathBuf {
        self.data().with_file_name("gdsn-sync.toml")
    }

    fn outbox(&self) -> Option<u64> {
        let url = format!("{}/v1/status", self.daemon.url);
        let response = self.http.get(url).bearer_auth(TOKEN).send().ok()?;
        response.json::<Value>().ok()?["store"]["outbox"].as_u64()
    }
}

/// A valid GTIN-14 per `n`.
fn gtin(n: u32) -> String {
    gdsn_bench::small::gtin(77, n)
}

/// One CIN with one item: version `round` of `gtin`, described `v{round}`.
fn cin(id: &str, gtin: &str, round: u32) -> String {
    let changed = format!("2025-02-03T10:{round:02}:00+01:00");
    let description = format!("v{round}");
    Cin { changed: &changed, description: &description, ..Cin::new(id, gtin) }.xml()
}

/// Writes a file into the inbox as an SFTP mirror does: a hidden name, then a rename.
fn drop_file(inbox: &Path, name: &str, body: &str) {
    let tmp = inbox.join(format!(".{name}.tmp"));
    fs::write(&tmp, body).expect("writing a drop file");
    fs::rename(&tmp, inbox.join(name)).expect("renaming a drop file");
}

/// Round `round` of every GTIN into the inbox, then a poll that applies them.
fn feed_round(daemon: &Harness, round: u32) {
    for n in 0..GTINS {
        let id = format!("R{round:02}-G{n:03}");
        drop_file(&daemon.inbox(), &format!("{id}.xml"), &cin(&id, &gtin(n), round));
    }
    let (status, body) = daemon.post("/v1/connections/drop/poll");
    assert_eq!(status, 200, "poll: {body}\n{}", daemon.log());
}

/// `gdsn-sync lookup GTIN` on the stopped daemon's data dir.
fn lookup(data: &Path, gtin: &str) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["lookup", gtin, "--data-dir"])
        .arg(data)
        .output()
        .expect("lookup runs");
    assert_eq!(out.status.code(), Some(0), "lookup {gtin}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON record"))
        .collect()
}

/// The English short description of a looked-up record, wherever the record keeps it.
fn description(record: &Value) -> String {
    let text = record.to_string();
    let found = text.split('"').find(|s| s.len() <= 3 && s.starts_with('v') && s[1..].parse::<u32>().is_ok());
    found.unwrap_or_default().to_owned()
}

/// Feeds rounds of every GTIN while reindexing twice; checks the reports
/// (what they built named with the prefix `generation`), waits for the outbox to
/// drain and stops the daemon.
fn reindex_twice_while_ingesting(daemon: &mut Harness, generation: &str) {
    for n in 0..FILLER {
        let id = format!("FILL-{n:04}");
        drop_file(&daemon.inbox(), &format!("{id}.xml"), &cin(&id, &gtin(GTINS + n), 0));
    }
    feed_round(daemon, 0);
    let fed = AtomicU32::new(1);
    let daemon_ref = &*daemon;
    let reports = std::thread::scope(|scope| {
        let feeder = scope.spawn(|| {
            for round in 1..ROUNDS {
                feed_round(daemon_ref, round);
                fed.store(round + 1, Ordering::Release);
                // Paced so that changes of a round wait in the outbox while
                // a reindex rebuilds (the publisher runs between rounds).
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let mut reports = Vec::new();
        for after in [2, 5] {
            while fed.load(Ordering::Acquire) < after && !feeder.is_finished() {
                std::thread::sleep(Duration::from_millis(5));
            }
            let (status, body) = daemon_ref.post("/v1/reindex");
            assert_eq!(status, 200, "reindex: {body}\n{}", daemon_ref.log());
            reports.push(body);
        }
        feeder.join().expect("the feeder");
        reports
    });
    for report in &reports {
        eprintln!("reindex: {report}");
        // The embedded index names a `generation`, a cluster its new `index`.
        let built = report["generation"].as_str().or(report["index"].as_str());
        assert!(built.is_some_and(|g| g.starts_with(generation)), "{report}");
        assert_eq!(report["documents"], GTINS + FILLER, "{report}");
        assert_eq!(report["canary"]["passed"], true, "{report}");
        assert!(report["published_after"].is_u64(), "{report}");
    }
    // Changes applied while the publisher was held back: drained into the
    // new generation, or already there at their version when the fill ran
    // after them.
    let caught_up: u64 = reports
        .iter()
        .filter_map(|r| Some(r["published_after"].as_u64()? + r["already_there"].as_u64()?))
        .sum();
    assert!(caught_up > 0, "no change waited in the outbox during a rebuild: {reports:?}");
    let until = Instant::now() + DEADLINE;
    while daemon.outbox() != Some(0) {
        assert!(Instant::now() < until, "the outbox never drained:\n{}", daemon.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    daemon.stop();
}

#[test]
fn reindex_while_ingesting_loses_no_update() {
    let mut daemon = Harness::start("");
    reindex_twice_while_ingesting(&mut daemon, "gen-");
    for n in 0..GTINS {
        let records = lookup(&daemon.data(), &gtin(n));
        assert_eq!(records.len(), 1, "GTIN {}: {records:?}", gtin(n));
        assert_eq!(description(&records[0]), format!("v{}", ROUNDS - 1), "GTIN {}: {}", gtin(n), records[0]);
    }
}

/// The same with the daemon publishing to a cluster: the reindex builds a
/// new index and swaps the alias while rounds keep arriving; afterwards
/// the alias holds every record once at its last version, and `reconcile`
/// finds the cluster equal to the store.
#[test]
fn reindex_to_a_cluster_while_ingesting_loses_no_update() {
    let emulator = match cluster::Emulator::start(0) {
        Ok(emulator) => emulator,
        Err(why) => {
            println!("SKIPPED ({why})");
            return;
        }
    };
    let sink = format!(
        r#"
[sink]
kind = "opensearch"

[sink.opensearch]
url = "{}/"
alias = "{}"
"#,
        emulator.url,
        cluster::ALIAS
    );
    let mut daemon = Harness::start(&sink);
    reindex_twice_while_ingesting(&mut daemon, &format!("{}-", cluster::ALIAS));
    let cluster = cluster::Cluster::new(&emulator.url);
    assert_eq!(cluster.count(cluster::ALIAS), u64::from(GTINS + FILLER));
    assert_eq!(cluster.alias_indices().len(), 1, "one index behind the alias");
    for n in 0..GTINS {
        let hits = cluster.search_gtin(&gtin(n));
        assert_eq!(hits.len(), 1, "GTIN {}: {} hits", gtin(n), hits.len());
        assert_eq!(description(&hits[0].record), format!("v{}", ROUNDS - 1), "GTIN {}", gtin(n));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["reconcile", "--config"])
        .arg(daemon.config_file())
        .arg("--data-dir")
        .arg(daemon.data())
        .output()
        .expect("reconcile runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "reconcile: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("reconcile: {stdout}");
}
