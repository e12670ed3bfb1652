//! The test kit of the end-to-end suite: a [`Daemon`] guard around the real
//! `gdsn-sync run` process, a [`Pool`] around the simulator (with its own
//! tokio runtime, since the tests themselves are plain blocking code), and
//! small CIN messages made to order.
//!
//! Synchronisation is always "ask, then ask again until a deadline": the
//! daemon file for the port, the admin poll route (which answers when the
//! poll is over), `lookup` until the publisher caught up, the simulator's
//! state until a push was answered.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use gdsn_pool_sim::{RunningSim, SimConfig, StateSnapshot, TlsConfig};
use serde_json::Value;

/// The admin bearer token every test daemon accepts (its SHA-256 is in the config).
pub(crate) const ADMIN_TOKEN: &str = "e2e-admin-token";
/// Our GLN as data recipient, the items' information provider and the
/// simulator's GLN: those the generated messages carry.
pub(crate) use gdsn_bench::small::{POOL_GLN, PROVIDER_GLN, RECIPIENT_GLN};
/// A schedule that never fires during a test: polls come from the admin route.
pub(crate) const NEVER: &str = "0 0 1 1 *";

/// How long any wait of the suite may last before it fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(20);

/// Polls `check` every 20 ms until it gives a value, or panics with `what`
/// after `deadline`.
pub(crate) fn wait_for<T>(what: &str, deadline: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + deadline;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < until, "timed out after {deadline:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) use gdsn_bench::small::{Cin, gtin};

/// `count` messages `{tag}-{i}` with one item each, GTINs `gtin(prefix, i)`.
pub(crate) fn messages(tag: &str, prefix: u32, count: u32) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let id = format!("{tag}-{i}");
            let gtin = gtin(prefix, i);
            (format!("{id}.xml"), Cin::new(&id, &gtin).xml().into_bytes())
        })
        .collect()
}

/// The simulator, serving on its own runtime until dropped.
pub(crate) struct Pool {
    sim: Option<RunningSim>,
    runtime: tokio::runtime::Runtime,
}

impl Pool {
    pub(crate) fn start(config: SimConfig) -> Pool {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the simulator");
        let sim = runtime.block_on(gdsn_pool_sim::serve(config)).expect("the simulator starts");
        Pool { sim: Some(sim), runtime }
    }

    /// A simulator serving `messages` with `configure` applied to its config.
    pub(crate) fn with(messages: Vec<(String, Vec<u8>)>, configure: impl FnOnce(&mut SimConfig)) -> Pool {
        let mut config = SimConfig::new();
        config.messages = messages;
        configure(&mut config);
        Pool::start(config)
    }

    /// A simulator serving `messages` over mutual TLS: `pki`'s server certificate, client
    /// certificates from `pki`'s CA required.
    pub(crate) fn with_tls(messages: Vec<(String, Vec<u8>)>, pki: &Pki) -> Pool {
        Pool::with(messages, |c| c.tls = Some(pki.server_tls()))
    }

    fn sim(&self) -> &RunningSim {
        self.sim.as_ref().expect("running")
    }

    pub(crate) fn url(&self) -> String {
        self.sim().base_url()
    }

    pub(crate) fn state(&self) -> StateSnapshot {
        self.sim().state()
    }

    pub(crate) fn add(&self, name: &str, xml: String) {
        let _guard = self.runtime.enter();
        self.sim().add_message(name, xml.into_bytes());
    }

    /// Ids of the messages acknowledged (not put back by a fault).
    pub(crate) fn acked(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.state().acked.into_iter().filter(|a| !a.redelivered).map(|a| a.id).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.shutdown());
        }
    }
}

/// Certificates for mutual TLS made by rcgen at run time (nothing is committed): a CA, the pool's
/// server certificate for 127.0.0.1, and the daemon's client certificate, written as PEM files into
/// a temporary directory that lives as long as this value.
pub(crate) struct Pki {
    dir: tempfile::TempDir,
    ca: String,
    server: (String, String),
}

impl Pki {
    pub(crate) fn generate() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("the CA");
        let leaf = |names: &[&str]| {
            let key = KeyPair::generate().expect("a key");
            let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            let params = CertificateParams::new(names).expect("certificate params");
            (params.signed_by(&key, &ca).expect("signed by the CA").pem(), key.serialize_pem())
        };
        let server = leaf(&["127.0.0.1", "localhost"]);
        let (client_cert, client_key) = leaf(&["gdsn-sync"]);
        let dir = tempfile::tempdir().expect("a directory for the certificates");
        for (name, pem) in [("ca.pem", &ca.pem()), ("client.pem", &client_cert), ("client.key", &client_key)]
        {
            fs::write(dir.path().join(name), pem).expect("writing a PEM file");
        }
        Pki { dir, ca: ca.pem(), server }
    }

    /// The simulator's side: its certificate and key, client certificates from the CA required.
    pub(crate) fn server_tls(&self) -> TlsConfig {
        TlsConfig::new(self.server.0.as_bytes(), self.server.1.as_bytes()).with_client_ca(self.ca.as_bytes())
    }

    /// The daemon's side: the body of a `[connections.http.auth]` table presenting the client
    /// certificate and trusting only the CA.
    pub(crate) fn daemon_auth(&self) -> String {
        let path = |name: &str| self.dir.path().join(name).display().to_string();
        format!(
            "kind = \"mtls\"\ncert_file = {:?}\nkey_file = {:?}\nca_file = {:?}\n",
            path("client.pem"),
            path("client.key"),
            path("ca.pem")
        )
    }
}

/// A `gdsn-sync run` process on a config in its own temporary directory,
/// killed when dropped (its log is printed then if the test failed).
pub(crate) struct Daemon {
    _tmp: tempfile::TempDir,
    pub(crate) dir: PathBuf,
    pub(crate) data: PathBuf,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    pub(crate) base: String,
    http: reqwest::blocking::Client,
}

/// The parts of every test config above its connections: loopback on a free
/// port, an admin token, fast publishing, a short drain deadline.
pub(crate) fn config_head() -> String {
    let admin_sha = gdsn_pool_sim::sign::sha256_hex(ADMIN_TOKEN.as_bytes());
    format!(
        r#"data_dir = "data"
recipient_gln = "{RECIPIENT_GLN}"
allow_plaintext_secrets = true

[http]
listen = "127.0.0.1:0"
admin_token_sha256 = "{admin_sha}"

[pipeline]
drain_deadline_secs = 5

[publisher]
commit_interval_ms = 50
retry = {{ initial_ms = 50, max_ms = 500 }}

[logging]
level = "info,gdsn_sync=debug"
"#
    )
}

/// An HTTP connection (`http_inbox` or `http_changed_since`) to `pool`,
/// with short timeouts and backoff; `auth` is the body of its
/// `[connections.http.auth]` table, `extra` anything else for the connection.
pub(crate) fn http_connection(name: &str, kind: &str, pool: &str, auth: &str, extra: &str) -> String {
    format!(
        r#"
[[connections]]
name = "{name}"
kind = "{kind}"
schedule = "{NEVER}"
backoff = {{ initial_secs = 1, max_secs = 1, max_failures = 3 }}
{extra}

[connections.http]
base_url = "{pool}"
timeouts = {{ connect_secs = 2, read_secs = 1, total_secs = 5 }}

[connections.http.auth]
{auth}
"#
    )
}

impl Daemon {
    /// Starts a daemon on `config_head()` + `connections`.
    pub(crate) fn start(connections: &str) -> Daemon {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        Daemon::start_in(tmp, &format!("{}{connections}", config_head()))
    }

    /// Starts a daemon on `config` (written as `DIR/gdsn-sync.toml`) in `tmp`.
    pub(crate) fn start_in(tmp: tempfile::TempDir, config: &str) -> Daemon {
        let dir = tmp.path().to_owned();
        let config_path = dir.join("gdsn-sync.toml");
        fs::write(&config_path, config).expect("writing the config");
        let mut daemon = Daemon {
            data: dir.join("data"),
            log: dir.join("daemon.log"),
            config: config_path,
            dir,
            _tmp: tmp,
            child: None,
            base: String::new(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
        };
        daemon.spawn();
        daemon
    }

    /// Starts the process (again) on the same config and data dir, and waits
    /// until it listens.
    pub(crate) fn spawn(&mut self) {
        assert!(self.child.is_none(), "the daemon is already running");
        let daemon_file = self.data.join("daemon.json");
        // A SIGKILLed daemon leaves its file behind: it must not be read as the new one's.
        let _ = fs::remove_file(&daemon_file);
        let log = OpenOptions::new().create(true).append(true).open(&self.log).expect("the log file");
        let child = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .arg("run")
            .arg("--config")
            .arg(&self.config)
            .current_dir(&self.dir)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .spawn()
            .expect("spawning gdsn-sync run");
        let pid = child.id();
        self.child = Some(child);
        let listen = wait_for("the daemon file", DEADLINE, || {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("gdsn-sync run exited at start ({status}):\n{}", self.log_text());
            }
            let text = fs::read_to_string(&daemon_file).ok()?;
            let value: Value = serde_json::from_str(&text).ok()?;
            (value["pid"].as_u64() == Some(u64::from(pid)))
                .then(|| value["listen"].as_str().map(str::to_owned))?
        });
        self.base = format!("http://{listen}");
    }

    /// Keeps this run's port for the next start: a pool that pushes to the
    /// daemon must find it again after a restart.
    pub(crate) fn pin_port(&self) {
        let listen = self.base.trim_start_matches("http://");
        let config = fs::read_to_string(&self.config).expect("the config");
        let pinned = config.replace(r#"listen = "127.0.0.1:0""#, &format!(r#"listen = "{listen}""#));
        fs::write(&self.config, pinned).expect("writing the config");
    }

    /// The URL of a route of the daemon.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Everything the daemon logged so far (all its runs).
    pub(crate) fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `POST /v1/connections/{name}/poll`: the status and the poll report.
    pub(crate) fn try_poll(&self, name: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/v1/connections/{name}/poll", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .unwrap_or_else(|e| panic!("poll {name}: {e}\n{}", self.log_text()));
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// A poll that must succeed; its report.
    pub(crate) fn poll(&self, name: &str) -> Value {
        let (status, report) = self.try_poll(name);
        assert_eq!(status, 200, "poll {name}: {report}\n{}", self.log_text());
        report
    }

    /// Polls until a poll succeeds (retries after injected faults); the
    /// successful report and the failed ones.
    pub(crate) fn poll_until_ok(&self, name: &str, attempts: usize) -> (Value, Vec<Value>) {
        let mut failed = Vec::new();
        for _ in 0..attempts {
            let (status, report) = self.try_poll(name);
            if status == 200 {
                return (report, failed);
            }
            assert_eq!(status, 502, "poll {name}: {report}");
            failed.push(report);
        }
        panic!("poll {name} failed {attempts} times: {failed:?}\n{}", self.log_text());
    }

    /// `GET /v1/status`.
    pub(crate) fn status(&self) -> Value {
        self.http
            .get(format!("{}/v1/status", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("status: {e}\n{}", self.log_text()))
    }

    /// The connection's entry in `/v1/status`.
    pub(crate) fn connection_status(&self, name: &str) -> Value {
        self.status()["connections"][name].clone()
    }

    /// The store's counts in `/v1/status` (`live`, `messages`, `outbox`, ...).
    pub(crate) fn store_counts(&self) -> Value {
        self.status()["store"].clone()
    }

    /// Runs a `gdsn-sync` command (not `run`) in the daemon's directory.
    pub(crate) fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("running gdsn-sync")
    }

    /// `gdsn-sync lookup GTIN`: the records found now (none: empty).
    pub(crate) fn lookup(&self, gtin: &str) -> Vec<Value> {
        let data = self.data.to_string_lossy().into_owned();
        let out = self.cli(&["lookup", gtin, "--data-dir", &data]);
        match out.status.code() {
            Some(0) => lines(&out.stdout),
            // Also before the publisher's first commit, when there is no index at all.
            Some(1) => Vec::new(),
            _ => panic!("lookup {gtin}: {}{}", String::from_utf8_lossy(&out.stderr), self.log_text()),
        }
    }

    /// Waits until `lookup` finds the GTIN (the publisher runs after ingest).
    pub(crate) fn wait_lookup(&self, gtin: &str) -> Vec<Value> {
        wait_for(&format!("GTIN {gtin} to be searchable"), DEADLINE, || {
            let found = self.lookup(gtin);
            (!found.is_empty()).then_some(found)
        })
    }

    /// Waits until the outbox is empty (every change is in the index).
    pub(crate) fn wait_published(&self) {
        wait_for("the outbox to drain", DEADLINE, || (self.store_counts()["outbox"] == 0).then_some(()));
    }

    /// `gdsn-sync export`: every live record (the daemon must be stopped).
    pub(crate) fn export(&self) -> Vec<Value> {
        assert!(self.child.is_none(), "export needs the data dir: stop the daemon first");
        let data = self.data.to_string_lossy().into_owned();
        let out = self.cli(&["export", "--data-dir", &data]);
        assert!(out.status.success(), "export: {}", String::from_utf8_lossy(&out.stderr));
        lines(&out.stdout)
    }

    /// SIGTERM; waits for the exit (at most `within`) and checks it is 0.
    /// Returns how long the shutdown took.
    pub(crate) fn sigterm(&mut self, within: Duration) -> Duration {
        let started = Instant::now();
        signal(self.pid(), "TERM");
        let status = self.wait_exit(within);
        let took = started.elapsed();
        assert!(status.success(), "gdsn-sync run exited with {status} after SIGTERM:\n{}", self.log_text());
        took
    }

    /// SIGKILL, and waits for the process to be gone.
    pub(crate) fn kill(&mut self) {
        signal(self.pid(), "KILL");
        self.wait_exit(DEADLINE);
    }

    fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let child = self.child.as_mut().expect("running");
        let status = wait_for("the daemon to exit", within, || child.try_wait().expect("waitpid"));
        self.child = None;
        status
    }

    /// Writes a file into `dir` atomically as the simulator or an SFTP mirror does.
    pub(crate) fn drop_file(dir: &Path, name: &str, bytes: &[u8]) {
        let tmp = dir.join(format!(".{name}.tmp"));
        fs::write(&tmp, bytes).expect("writing a drop file");
        fs::rename(&tmp, dir.join(name)).expect("renaming a drop file");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            eprintln!("---- gdsn-sync run log (last 80 lines) ----");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// kill(1): the workspace forbids `unsafe`, so no libc::kill.
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill").args(["-s", signal, &pid.to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill -s {signal} {pid} failed");
}

/// JSON lines.
pub(crate) fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The number of files in `dir` (0 when it does not exist).
pub(crate) fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map(|d| d.filter_map(Result::ok).filter(|e| e.path().is_file()).count()).unwrap_or(0)
}

/// Names of the files in `dir`, sorted.
pub(crate) fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}
