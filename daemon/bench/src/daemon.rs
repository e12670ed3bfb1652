//! A `gdsn-sync run` child process for the benchmarks that measure the
//! daemon from outside (`ingest-latency`, `load-test`): a config with one
//! drop folder that polls only when asked, the admin token, and the
//! address the daemon reports in `DATA/daemon.json`.

use std::error::Error;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::small::RECIPIENT_GLN;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The admin token of the benchmark daemons.
pub const TOKEN: &str = "gdsn-bench-daemon-token";
/// Gives up waiting for the daemon (start, a poll) after this long.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The gdsn-sync binary a benchmark runs: `given`, else the one next to
/// the running benchmark (build both in the same profile).
pub fn gdsn_sync_binary(given: Option<&Path>) -> Result<PathBuf> {
    let binary = match given {
        Some(path) => path.to_owned(),
        None => std::env::current_exe()?.with_file_name("gdsn-sync"),
    };
    if !binary.is_file() {
        return Err(format!("{} not found: build gdsn-sync or pass --gdsn-sync", binary.display()).into());
    }
    Ok(binary)
}

/// A running `gdsn-sync run`, stopped with SIGTERM by [`Daemon::stop`].
pub struct Daemon {
    child: Child,
    listen: String,
}

impl Daemon {
    /// Starts `binary` in `dir` (data in `dir/data`, drop folder
    /// `dir/inbox` named `drop`); `extra` is appended to the config (e.g. a
    /// `[publisher]` table).
    pub fn start(binary: &Path, dir: &Path, extra: &str) -> Result<Daemon> {
        fs::create_dir_all(dir.join("inbox"))?;
        let config = format!(
            "data_dir = \"data\"\nrecipient_gln = \"{RECIPIENT_GLN}\"\n\n\
             [[connections]]\nname = \"drop\"\nkind = \"drop_folder\"\nschedule = \"0 0 1 1 *\"\n\
             drop_folder = {{ inbox = \"inbox\", min_age_secs = 0 }}\n\n\
             [http]\nlisten = \"127.0.0.1:0\"\nadmin_token_sha256 = \"{}\"\n\n\
             [logging]\nlevel = \"warn\"\n\n{extra}",
            gdsn_config::hash_admin_token(TOKEN),
        );
        fs::write(dir.join("gdsn-sync.toml"), config)?;
        let child = Command::new(binary)
            .args(["run", "--config", "gdsn-sync.toml"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("daemon.log"))?)
            .spawn()?;
        let mut daemon = Daemon { child, listen: String::new() };
        daemon.listen = daemon.wait_listening(&dir.join("data").join("daemon.json"))?;
        Ok(daemon)
    }

    /// `host:port` of the daemon's listener.
    pub fn listen(&self) -> &str {
        &self.listen
    }

    fn wait_listening(&mut self, file: &Path) -> Result<String> {
        let started = Instant::now();
        while started.elapsed() < TIMEOUT {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("gdsn-sync run exited {status}; see its daemon.log").into());
            }
            let value: Option<serde_json::Value> =
                fs::read_to_string(file).ok().and_then(|text| serde_json::from_str(&text).ok());
            let pid_matches =
                value.as_ref().and_then(|v| v["pid"].as_u64()) == Some(u64::from(self.child.id()));
            if let Some(listen) = value.as_ref().and_then(|v| v["listen"].as_str()).filter(|_| pid_matches) {
                return Ok(listen.to_owned());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err("the daemon did not start listening".into())
    }

    /// What delivers messages to this daemon (from any thread).
    pub fn poller(&self) -> Poller {
        Poller::new(&self.listen)
    }

    /// [`Poller::deliver`] to this daemon.
    pub fn deliver(&self, dir: &Path, name: &str, xml: &[u8]) -> Result<()> {
        self.poller().deliver(dir, name, xml)
    }

    /// [`Poller::poll_now`] on this daemon.
    pub fn poll_now(&self) -> Result<()> {
        self.poller().poll_now()
    }

    /// SIGTERM, then waits for the process.
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

/// Delivers messages to a daemon's drop folder and makes it fetch them.
#[derive(Debug, Clone)]
pub struct Poller {
    listen: String,
}

impl Poller {
    /// For the daemon listening on `listen` (`host:port`).
    pub fn new(listen: &str) -> Poller {
        Poller { listen: listen.to_owned() }
    }

    /// Drops `xml` into the inbox as `name` (written, then renamed, as an
    /// SFTP mirror delivers) and makes the daemon fetch it now; returns
    /// once the message is durable (the poll route answers then).
    pub fn deliver(&self, dir: &Path, name: &str, xml: &[u8]) -> Result<()> {
        let tmp = dir.join("inbox").join(format!(".{name}.tmp"));
        fs::write(&tmp, xml)?;
        fs::rename(&tmp, dir.join("inbox").join(name))?;
        self.poll_now()
    }

    /// `POST /v1/connections/drop/poll` over a plain HTTP/1.1 connection;
    /// it answers once the poll's messages are durable.
    pub fn poll_now(&self) -> Result<()> {
        let mut stream = TcpStream::connect(&self.listen)?;
        stream.set_read_timeout(Some(TIMEOUT))?;
        write!(
            stream,
            "POST /v1/connections/drop/poll HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            self.listen
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        if !response.starts_with("HTTP/1.1 200") {
            return Err(format!("poll-now answered: {response}").into());
        }
        Ok(())
    }
}
