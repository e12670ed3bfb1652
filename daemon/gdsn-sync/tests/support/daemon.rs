//! `gdsn-sync run` as a child process for the binary's daemon tests
//! (`#[path]`-included by the test targets that start a daemon, so the
//! others carry none of it). Each target uses only some of the methods.
#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running daemon in a temporary directory; killed on drop (its log is
/// printed then, for a failing test).
pub(crate) struct Daemon {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    deadline: Duration,
}

impl Daemon {
    /// Writes `config` (whose `[http] listen` should be port 0) into a new
    /// temporary directory with an `inbox/`, starts the daemon there and
    /// waits until `DATA/daemon.json` names its address. Waits give up
    /// after `deadline`.
    pub(crate) fn start(config: &str, deadline: Duration) -> Daemon {
        let dir = tempfile::tempdir().expect("a temporary directory");
        fs::create_dir_all(dir.path().join("inbox")).expect("the inbox");
        let config_path = dir.path().join("gdsn-sync.toml");
        fs::write(&config_path, config).expect("the config");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("daemon.log"))
            .expect("the log");
        let child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .args(["run", "--config"])
            .arg(&config_path)
            .current_dir(dir.path())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log"))
            .stderr(log)
            .spawn()
            .expect("spawning gdsn-sync run");
        let mut daemon = Daemon { dir, child: Some(child), url: String::new(), deadline };
        let pid = daemon.pid();
        let daemon_file = daemon.data().join("daemon.json");
        // The pid check: a file left by an earlier daemon is never read.
        let listen = daemon.wait_for("the daemon file", || {
            let value: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&daemon_file).ok()?).ok()?;
            (value["pid"].as_u64() == Some(u64::from(pid)))
                .then(|| value["listen"].as_str().map(str::to_owned))?
        });
        daemon.url = format!("http://{listen}");
        daemon
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn inbox(&self) -> PathBuf {
        self.dir.path().join("inbox")
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    /// Polls `check` until it gives a value; fails the test if the daemon
    /// exits or the deadline passes.
    pub(crate) fn wait_for<T>(&mut self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let until = Instant::now() + self.deadline;
        loop {
            if let Some(value) = check() {
                return value;
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("gdsn-sync run exited ({status}):\n{}", self.log());
            }
            assert!(Instant::now() < until, "timed out waiting for {what}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for a clean exit.
    pub(crate) fn stop(&mut self) {
        let mut child = self.child.take().expect("running");
        let status =
            Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
        assert!(status.success());
        let exit = child.wait().expect("the daemon exits");
        assert!(exit.success(), "gdsn-sync run exited with {exit}:\n{}", self.log());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("daemon log:\n{}", self.log());
        }
    }
}

/// A cron schedule that never fires during a test: every poll is asked for.
pub(crate) const NEVER: &str = "0 0 1 1 *";

/// The config most daemon tests start from: one drop folder `drop` on
/// `inbox/` that polls only when asked and takes files at once, HTTP on a
/// free port with `http` after `listen` (tokens, limits), a 5 s drain
/// deadline, 50 ms publisher commits, then `tail` (more tables).
pub(crate) fn drop_folder_config(http: &str, tail: &str) -> String {
    let recipient = gdsn_bench::small::RECIPIENT_GLN;
    format!(
        r#"data_dir = "data"
recipient_gln = "{recipient}"

[[connections]]
name = "drop"
kind = "drop_folder"
schedule = "{NEVER}"
drop_folder = {{ inbox = "inbox", min_age_secs = 0 }}

[http]
listen = "127.0.0.1:0"
{http}

[pipeline]
drain_deadline_secs = 5

[publisher]
commit_interval_ms = 50
{tail}
"#
    )
}
