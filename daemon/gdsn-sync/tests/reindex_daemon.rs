//! `POST /v1/reindex` while the daemon ingests: a thread keeps dropping new
//! versions of a set of GTINs into the drop folder and polling, while the
//! test reindexes twice. After shutdown every GTIN's `lookup` must show the
//! last version fed: no update applied during a rebuild is lost, and the
//! rebuild never put an older version back.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/daemon.rs"]
mod support_daemon;

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
    fn start() -> Harness {
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

#[test]
fn reindex_while_ingesting_loses_no_update() {
    let mut daemon = Harness::start();
    for n in 0..FILLER {
        let id = format!("FILL-{n:04}");
        drop_file(&daemon.inbox(), &format!("{id}.xml"), &cin(&id, &gtin(GTINS + n), 0));
    }
    feed_round(&daemon, 0);
    let fed = AtomicU32::new(1);
    let reports = std::thread::scope(|scope| {
        let feeder = scope.spawn(|| {
            for round in 1..ROUNDS {
                feed_round(&daemon, round);
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
            let (status, body) = daemon.post("/v1/reindex");
            assert_eq!(status, 200, "reindex: {body}\n{}", daemon.log());
            reports.push(body);
        }
        feeder.join().expect("the feeder");
        reports
    });
    for report in &reports {
        eprintln!("reindex: {report}");
        assert!(report["generation"].as_str().is_some_and(|g| g.starts_with("gen-")), "{report}");
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
    for n in 0..GTINS {
        let records = lookup(&daemon.data(), &gtin(n));
        assert_eq!(records.len(), 1, "GTIN {}: {records:?}", gtin(n));
        assert_eq!(description(&records[0]), format!("v{}", ROUNDS - 1), "GTIN {}: {}", gtin(n), records[0]);
    }
}
