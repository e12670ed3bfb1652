//! The two protocol emulators from PyPI, started per test on a free loopback
//! port and killed on drop: osmem-server (OpenSearch 3.x REST) and noida-db
//! (Elasticsearch 8.x REST). When one is missing, it is installed once with
//! pip; when that fails, [`Emulator::start`] says why and the test skips.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Which emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// osmem-server 0.1.6: OpenSearch 3.8 REST, in memory.
    Osmem,
    /// noida-db 0.2.3: Elasticsearch 8.15 REST.
    Noida,
}

impl Kind {
    fn package(self) -> &'static str {
        match self {
            Kind::Osmem => "osmem-server==0.1.6",
            Kind::Noida => "noida-db==0.2.3",
        }
    }

    /// Python that prints the path of the bundled server binary.
    fn locate_script(self) -> &'static str {
        match self {
            Kind::Osmem => "import osmem_server; print(osmem_server.resolve_binary())",
            Kind::Noida => {
                "import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), 'noida-db'))"
            }
        }
    }
}

/// A running emulator; dropping it kills its whole process group.
pub(crate) struct Emulator {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    child: Child,
    _data_dir: Option<tempfile::TempDir>,
}

const READY_DEADLINE: Duration = Duration::from_secs(20);

impl Emulator {
    /// Starts `kind`, or says why it cannot (the caller prints SKIPPED).
    pub(crate) async fn start(kind: Kind) -> Result<Emulator, String> {
        let binary = binary(kind)?;
        let mut last_error = String::new();
        // A free port found by binding can be taken before noida binds it: try again.
        for _ in 0..3 {
            let started = match kind {
                Kind::Osmem => start_osmem(&binary),
                Kind::Noida => start_noida(&binary),
            };
            let mut emulator = match started {
                Ok(emulator) => emulator,
                Err(e) => {
                    last_error = e;
                    continue;
                }
            };
            match wait_ready(&mut emulator).await {
                Ok(()) => return Ok(emulator),
                Err(e) => last_error = e,
            }
        }
        Err(format!("{kind:?} did not start: {last_error}"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The server runs in its own process group (see `spawn_in_group`):
        // signal the group, so any child it started goes too.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary of `kind`, installing the package once per process when
/// it is missing.
fn binary(kind: Kind) -> Result<PathBuf, String> {
    static OSMEM: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    static NOIDA: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let cell = match kind {
        Kind::Osmem => &OSMEM,
        Kind::Noida => &NOIDA,
    };
    cell.get_or_init(|| {
        if let Ok(path) = locate(kind) {
            return Ok(path);
        }
        let install = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", kind.package()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("python3 not runnable: {e}"))?;
        if !install.status.success() {
            let stderr = String::from_utf8_lossy(&install.stderr);
            return Err(format!("pip install {} failed: {}", kind.package(), stderr.trim()));
        }
        locate(kind)
    })
    .clone()
}

fn locate(kind: Kind) -> Result<PathBuf, String> {
    let output = Command::new("python3")
        .args(["-c", kind.locate_script()])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} is not installed", kind.package()))
    }
}

fn spawn_in_group(command: &mut Command) -> Result<Child, String> {
    use std::os::unix::process::CommandExt;
    command.process_group(0).stdin(Stdio::null()).spawn().map_err(|e| format!("spawn: {e}"))
}

/// osmem picks its own port (`:0`) and prints `{"url": ...}` on its first line.
fn start_osmem(binary: &PathBuf) -> Result<Emulator, String> {
    let parent = std::process::id().to_string();
    let mut command = Command::new(binary);
    command
        .args(["-addr", "127.0.0.1:0", "-no-stdin-watch", "-no-ja", "-parent-pid", &parent])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = spawn_in_group(&mut command)?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let emulator = |url: String, child: Child| Emulator { url, child, _data_dir: None };
    let Ok(line) = receive.recv_timeout(READY_DEADLINE) else {
        drop(emulator(String::new(), child));
        return Err("osmem printed no address".into());
    };
    let url = serde_json::from_str::<serde_json::Value>(&line)
        .ok()
        .and_then(|v| v["url"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let started = emulator(url, child);
    if started.url.is_empty() {
        return Err(format!("osmem's first line has no url: {line:?}"));
    }
    Ok(started)
}

fn start_noida(binary: &PathBuf) -> Result<Emulator, String> {
    let port = free_port()?;
    let data_dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let mut command = Command::new(binary);
    command
        .arg("start")
        .arg("--data-dir")
        .arg(data_dir.path())
        .args(["--host", "127.0.0.1", "--only", "elasticsearch", "--elasticsearch-port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = spawn_in_group(&mut command)?;
    Ok(Emulator { url: format!("http://127.0.0.1:{port}"), child, _data_dir: Some(data_dir) })
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("local addr: {e}"))
}

/// Polls `GET /` until it answers 200, within the deadline; gives up at
/// once when the process has exited.
async fn wait_ready(emulator: &mut Emulator) -> Result<(), String> {
    let client =
        reqwest::Client::builder().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
    let url = emulator.url.clone();
    let deadline = Instant::now() + READY_DEADLINE;
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        if let Ok(Some(status)) = emulator.child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        match client.get(&url).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => last = format!("HTTP {}", response.status()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{url} not ready after {READY_DEADLINE:?}: {last}"))
}
