//! Simulators, connections built from TOML exactly as the daemon loads them, and a recording handler.

use std::path::Path;

use gdsn_config::{Config, Connection, OsEnvironment};
use gdsn_poll::{Durable, MessageHandler, PoolClient};
use gdsn_pool_sim::{RunningSim, SimConfig};

/// `n` messages `m01.xml`... of about `size` bytes each.
pub(crate) fn messages(n: usize, size: usize) -> Vec<(String, Vec<u8>)> {
    (1..=n)
        .map(|i| {
            let head = format!("<m n=\"{i}\">");
            let pad = "x".repeat(size.saturating_sub(head.len() + 4));
            (format!("m{i:02}.xml"), format!("{head}{pad}</m>").into_bytes())
        })
        .collect()
}

pub(crate) fn sim_config(n: usize) -> SimConfig {
    let mut config = SimConfig::new();
    config.messages = messages(n, 40);
    config
}

pub(crate) async fn start(config: SimConfig) -> RunningSim {
    gdsn_pool_sim::serve(config).await.expect("simulator starts")
}

/// One connection of `kind` on `sim`, with `http` lines added to `[connections.http]` and `api`
/// lines to the protocol's table. Timeouts are short so fault tests stay quick.
pub(crate) fn connection(kind: &str, sim: &RunningSim, http: &str, api: &str) -> Connection {
    let table = if kind == "http_inbox" { "inbox" } else { "changed_since" };
    let toml = format!(
        r#"
allow_plaintext_secrets = true

[[connections]]
name = "pool"
kind = "{kind}"
schedule = "* * * * *"

[connections.http]
base_url = "{base}"
timeouts = {{ connect_secs = 1, read_secs = 1, total_secs = 5 }}
{http}

[connections.{table}]
{api}
"#,
        base = sim.base_url()
    );
    let config = Config::from_toml(&toml, Path::new("/tmp/gdsn-poll-test.toml"), &OsEnvironment)
        .unwrap_or_else(|e| panic!("config: {e}\n{toml}"));
    config.connections[0].clone()
}

pub(crate) fn client(kind: &str, sim: &RunningSim, http: &str, api: &str) -> PoolClient {
    PoolClient::new(&connection(kind, sim, http, api)).expect("client")
}

pub(crate) fn inbox_client(sim: &RunningSim) -> PoolClient {
    client("http_inbox", sim, "", "")
}

/// Records every message; fails (without recording) on the ids in `fail`.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) got: Vec<(String, Vec<u8>)>,
    pub(crate) fail: Vec<String>,
}

impl Recorder {
    pub(crate) fn ids(&self) -> Vec<&str> {
        self.got.iter().map(|(id, _)| id.as_str()).collect()
    }
}

impl MessageHandler for Recorder {
    type Error = std::io::Error;

    async fn handle(&mut self, id: &str, xml: Vec<u8>) -> Result<Durable, Self::Error> {
        if self.fail.iter().any(|f| f == id) {
            return Err(std::io::Error::other("disk full"));
        }
        self.got.push((id.to_owned(), xml));
        Ok(Durable)
    }
}
