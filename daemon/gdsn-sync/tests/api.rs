//! The store commands through a running daemon (`--api URL --token T`):
//! `gdsn-sync run` holds the data dir, so the commands act through its
//! admin routes and print what they print locally; after the daemon stops,
//! a direct `export` and a restored backup agree with what the API gave.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

#[path = "support/daemon.rs"]
mod daemon;
mod support;

use daemon::Daemon;
use support::{case, run};

const TOKEN: &str = "api-test-admin-token";
const DEADLINE: Duration = Duration::from_secs(30);

/// `gdsn-sync run` with a drop folder; `http` is the body of the `[http]`
/// table after `listen`.
fn start(http: &str) -> Daemon {
    Daemon::start(&daemon::drop_folder_config(http, ""), DEADLINE)
}

/// The store commands through the daemon.
trait Api {
    /// `gdsn-sync ARGS --api URL --token TOKEN`.
    fn api(&self, args: &[&str]) -> Output;
    /// The same, which must exit 0; its stdout.
    fn ok(&self, args: &[&str]) -> String;
}

impl Api for Daemon {
    fn api(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .args(args)
            .args(["--api", &self.url, "--token", TOKEN])
            .output()
            .expect("the binary runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.api(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}\n{}", text(&out.stderr), self.log());
        text(&out.stdout)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Case 0001 under its own message id with other content: quarantined.
fn altered_copy(dir: &Path) -> PathBuf {
    let altered = fs::read_to_string(case("0001_cin_single_each")).expect("case").replacen(
        "Parfum",
        "Parfum-ALTERED",
        1,
    );
    let file = dir.join("altered.xml");
    fs::write(&file, altered).expect("written");
    file
}

#[test]
fn store_commands_act_through_the_running_daemon() {
    let admin = format!("admin_token_sha256 = \"{}\"", gdsn_config::hash_admin_token(TOKEN));
    let mut daemon = start(&admin);
    let work = tempfile::tempdir().expect("a temporary directory");

    // Without --api the store is in use: exit 2, naming the daemon and the way in.
    let out = run(&daemon.data(), &["export"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("in use by gdsn-sync run (pid {})", daemon.pid())), "{stderr}");
    assert!(stderr.contains(&format!("(use --api {} --token ...)", daemon.url)), "{stderr}");

    // A wrong token, or none: exit 2 with a clear message, nothing applied.
    let pallet = case("0002_cin_pallet_case_each");
    for token in [["--token", "wrong"].as_slice(), [].as_slice()] {
        let out = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .args(["ingest", path(&pallet), "--api", &daemon.url])
            .args(token)
            .env_remove("GDSN_SYNC_API_TOKEN")
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("the daemon refused the token"), "{}", text(&out.stderr));
    }

    // Ingest: the same summary line a local ingest prints.
    let out = daemon.ok(&["ingest", path(&pallet)]);
    assert!(out.starts_with(&format!("{}: 1 documents, 3 added,", pallet.display())), "{out}");
    assert!(out.contains("1 replies queued"), "{out}");
    let out = daemon.ok(&["ingest", path(&pallet)]);
    assert!(out.contains("already applied"), "{out}");

    // Quarantine, and the replay that releases it.
    daemon.ok(&["ingest", path(&case("0001_cin_single_each"))]);
    let out = daemon.ok(&["ingest", path(&altered_copy(work.path()))]);
    assert!(out.contains("quarantined"), "{out}");
    let listed = daemon.ok(&["quarantine"]);
    assert!(listed.contains("MSG-0001: same sender and message id with other content"), "{listed}");
    assert_eq!(listed.lines().count(), 1);
    let out = daemon.ok(&["replay", "--quarantined"]);
    assert!(out.contains("1 updated") && out.contains("released"), "{out}");
    assert_eq!(daemon.ok(&["quarantine"]), "");
    let out = daemon.api(&["replay", "NO-SUCH-ID"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no applied or quarantined message with id NO-SUCH-ID"));

    // Replies: listed, then written out (which delivers them). The
    // publisher may release a held CIC SYNCHRONISED at any moment, so the
    // queue can grow between the two calls; what was written is gone.
    let listed = daemon.ok(&["replies"]);
    assert!(listed.lines().count() >= 2 && listed.contains(" CIC "), "{listed}");
    let outbound = work.path().join("outbound");
    let written = daemon.ok(&["replies", "--write-to", path(&outbound)]);
    assert!(written.lines().count() >= listed.lines().count(), "{written}");
    assert_eq!(fs::read_dir(&outbound).expect("written").count(), written.lines().count());
    let left = daemon.ok(&["replies"]);
    for file in written.lines() {
        let id = Path::new(file).file_stem().and_then(|s| s.to_str()).expect("a message id");
        assert!(!left.contains(&format!(" {id} ")), "{id} still queued: {left}");
    }

    // Reload sessions: one opened by a reload message, then closed.
    daemon.ok(&["ingest", path(&case("0006_cin_reload"))]);
    let sessions = daemon.ok(&["reload", "list"]);
    assert!(sessions.contains(" open, ") && sessions.contains("keys marked"), "{sessions}");
    let pair = sessions.split_whitespace().next().expect("a pair").to_owned();
    let closed = daemon.ok(&["reload", "close", &pair]);
    assert!(closed.starts_with(&format!("reload {pair}: closed")), "{closed}");
    assert_eq!(daemon.ok(&["reload", "list"]), "");

    // Export and backup through the daemon.
    let exported = daemon.ok(&["export"]);
    assert_eq!(exported.lines().count(), 5, "{exported}");
    let backup = work.path().join("store.backup");
    let out = daemon.ok(&["backup", "--to", path(&backup)]);
    assert!(out.starts_with(&format!("{}: ", backup.display())) && out.contains(" entries"), "{out}");

    // The daemon stops; the store says the same thing directly, and so
    // does the backup restored into a fresh data dir.
    daemon.stop();
    let direct = run(&daemon.data(), &["export"]);
    assert_eq!(direct.status.code(), Some(0), "{}", text(&direct.stderr));
    assert_eq!(text(&direct.stdout), exported);
    let fresh = work.path().join("fresh");
    let out = run(&fresh, &["restore", "--from", path(&backup)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let restored = run(&fresh, &["export"]);
    assert_eq!(text(&restored.stdout), exported);
}

#[test]
fn without_an_admin_token_the_routes_are_disabled_and_bodies_are_capped() {
    let daemon = start("max_request_body_bytes = \"1 KiB\"");
    let out = daemon.api(&["export"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no admin token is configured") && stderr.contains("admin_disabled"), "{stderr}");
    // The pallet message is over 1 KiB: refused before anything is stored.
    // The daemon answers 413 without reading the rest of the body, so the
    // client sees either that answer or, when the connection closes while
    // it still sends, a broken send; exit 2 either way.
    let out = daemon.api(&["ingest", path(&case("0002_cin_pallet_case_each"))]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("larger than the daemon accepts") || stderr.contains("receiver is gone"),
        "{stderr}"
    );
    let mut daemon = daemon;
    daemon.stop();
    let out = run(&daemon.data(), &["export"]);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), String::new()), "nothing stored");
}
