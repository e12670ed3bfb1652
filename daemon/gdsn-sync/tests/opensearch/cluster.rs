//! The OpenSearch emulator (osmem-server from PyPI, OpenSearch 3.x REST),
//! started per test on a loopback port and killed on drop, and what the
//! tests ask the cluster. Same policy as gdsn-opensearch's tests: a missing
//! emulator is installed once with pip; when that fails the test prints
//! `SKIPPED (why)` and passes.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use gdsn_opensearch::{BlockingSink, Hit, OpenSearchSink, SinkConfig};

const PACKAGE: &str = "osmem-server==0.1.6";
pub(crate) const ALIAS: &str = "gdsn-products";

/// A running osmem; dropping it kills its process group.
pub(crate) struct Emulator {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    child: Child,
}

impl Emulator {
    /// Starts osmem listening on `port` (0: any), or says why it cannot.
    pub(crate) fn start(port: u16) -> Result<Emulator, String> {
        use std::os::unix::process::CommandExt;
        let binary = binary()?;
        let parent = std::process::id().to_string();
        let mut child = Command::new(binary)
            .args([
                "-addr",
                &format!("127.0.0.1:{port}"),
                "-no-stdin-watch",
                "-no-ja",
                "-parent-pid",
                &parent,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("spawn osmem: {e}"))?;
        // osmem prints {"url": ...} once it listens.
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let url = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v["url"].as_str().map(|u| u.trim_end_matches('/').to_owned()));
        let emulator = Emulator { url: url.unwrap_or_default(), child };
        if emulator.url.is_empty() {
            return Err(format!("osmem printed no url: {line:?}"));
        }
        Ok(emulator)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// osmem's bundled server binary, installed once per test process if missing.
fn binary() -> Result<PathBuf, String> {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Ok(path) = locate() {
                return Ok(path);
            }
            let install = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", PACKAGE])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .map_err(|e| format!("python3 not runnable: {e}"))?;
            if !install.status.success() {
                let why = String::from_utf8_lossy(&install.stderr).trim().to_owned();
                return Err(format!("pip install {PACKAGE} failed: {why}"));
            }
            locate()
        })
        .clone()
}

fn locate() -> Result<PathBuf, String> {
    let output = Command::new("python3")
        .args(["-c", "import osmem_server; print(osmem_server.resolve_binary())"])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err(format!("{PACKAGE} is not installed"))
    }
}

/// A loopback port nothing listens on (bound, then released).
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local addr").port()
}

/// The test's view of the cluster: the crate's own client, used directly.
pub(crate) struct Cluster(BlockingSink);

impl Cluster {
    pub(crate) fn new(url: &str) -> Cluster {
        let sink = OpenSearchSink::new(SinkConfig::new(url, ALIAS)).expect("valid config");
        Cluster(BlockingSink::with_own_runtime(sink).expect("runtime"))
    }

    /// Documents in `index` (an index or the alias), after a refresh.
    pub(crate) fn count(&self, index: &str) -> u64 {
        let sink = self.0.sink();
        self.0.block_on(sink.refresh(index)).expect("refresh");
        self.0.block_on(sink.count(index)).expect("count")
    }

    /// The indices behind the alias.
    pub(crate) fn alias_indices(&self) -> Vec<String> {
        self.0.block_on(self.0.sink().alias_indices()).expect("alias")
    }

    /// Whether `index` exists (a count answers).
    pub(crate) fn exists(&self, index: &str) -> bool {
        self.0.block_on(self.0.sink().count(index)).is_ok()
    }

    /// Records of `gtin` found through the alias.
    pub(crate) fn search_gtin(&self, gtin: &str) -> Vec<Hit> {
        self.0.block_on(self.0.sink().search_gtin(ALIAS, gtin)).expect("search")
    }
}
