//! `check-config --probe`: reach every endpoint and folder a valid config
//! names, the way the daemon will, and say what answered. Read-only: the
//! first list page of each HTTP connection, the drop folders opened (and
//! created if missing, as the daemon would), the sink's health.

use std::process::ExitCode;

use gdsn_config::{Config, Transport};
use gdsn_dropfolder::{DropFolder, Folders};
use gdsn_poll::PoolClient;

use crate::sinks::{SinkRuntime, open_sink};

pub(crate) fn probe(config: &Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("probe: cannot start the HTTP runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for connection in config.connections.iter().filter(|c| c.enabled) {
        let outcome = match &connection.transport {
            Transport::DropFolder { folders, .. } => DropFolder::open(&Folders::from_config(folders))
                .map(|_| format!("folders open ({})", folders.inbox.display()))
                .map_err(|e| e.to_string()),
            Transport::Webhook { http: None, webhook, .. } => {
                Ok(format!("push route {} (nothing to reach)", webhook.path))
            }
            _ => runtime.block_on(probe_http(connection)),
        };
        failed += report(&format!("connection {}", connection.name), outcome);
    }
    let sink = open_sink(config, SinkRuntime::Own).map_err(|e| format!("{e:#}")).and_then(|mut sink| {
        match sink.health() {
            gdsn_sink::Health::Ready => Ok("ready".to_owned()),
            gdsn_sink::Health::Unavailable(why) => Err(why),
        }
    });
    failed += report("sink", sink);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) }
}

async fn probe_http(connection: &gdsn_config::Connection) -> Result<String, String> {
    let client = PoolClient::new(connection).map_err(|e| e.to_string())?;
    match client.probe().await.map_err(|e| e.to_string())? {
        Some(url) => Ok(format!("{url} answered")),
        None => Ok("replies only (nothing to list)".to_owned()),
    }
}

fn report(what: &str, outcome: Result<String, String>) -> usize {
    match outcome {
        Ok(detail) => {
            println!("probe {what}: ok, {detail}");
            0
        }
        Err(e) => {
            println!("probe {what}: FAILED, {e}");
            1
        }
    }
}
