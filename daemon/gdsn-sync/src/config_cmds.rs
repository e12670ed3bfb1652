//! `check-config` and `config-schema`: the configuration file, validated
//! by gdsn-config before anything else reads it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use gdsn_config::{SinkSettings, Transport};

#[derive(Debug, Args)]
pub(crate) struct CheckConfigArgs {
    /// The TOML file to validate (secrets named in it must resolve).
    pub(crate) file: PathBuf,
    /// Also reach what it configures: each HTTP connection's list endpoint
    /// (with its authentication), each drop folder's folders, the sink.
    /// Nothing is fetched, acknowledged or written.
    #[arg(long)]
    pub(crate) probe: bool,
}

/// Validates a config file: every problem with its file:line:column and
/// field, exit 2; otherwise a short summary, exit 0.
pub(crate) fn check_config(args: &CheckConfigArgs) -> ExitCode {
    match gdsn_config::check(&args.file) {
        Ok(config) => {
            println!("{}: valid", args.file.display());
            println!("data dir: {}", config.data_dir.display());
            let sink = match &config.sink {
                SinkSettings::Embedded(_) => "embedded tantivy index",
                SinkSettings::OpenSearch(_) => "OpenSearch/Elasticsearch",
                _ => "another sink",
            };
            println!("sink: {sink}");
            for c in &config.connections {
                let kind = match &c.transport {
                    Transport::HttpInbox { .. } => "HTTP inbox",
                    Transport::HttpChangedSince { .. } => "HTTP changed-since",
                    Transport::DropFolder { .. } => "drop folder",
                    Transport::Webhook { .. } => "webhook",
                    _ => "another transport",
                };
                let state = if c.enabled { "" } else { " (disabled)" };
                println!("connection {}: {kind}{state}", c.name);
            }
            if args.probe {
                return crate::probe::probe(&config);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Prints the JSON Schema of the configuration file (the one kept in
/// `schemas/config.schema.json`).
pub(crate) fn config_schema() -> ExitCode {
    println!("{}", gdsn_config::schema_json().trim_end());
    ExitCode::SUCCESS
}
