//! Structured logs with `tracing`: for people on a terminal, JSON lines
//! for log collectors.

use anyhow::{Result, anyhow};
use gdsn_config::{LogFormat, LogSettings};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormatArg {
    /// One line per event for people.
    Human,
    /// One JSON object per event.
    Json,
}

/// Installs the global subscriber, writing to stderr. `RUST_LOG`, when
/// set, replaces the configured filter.
pub(crate) fn init(settings: &LogSettings, format: Option<LogFormatArg>) -> Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.is_empty() => EnvFilter::try_new(value),
        _ => EnvFilter::try_new(&settings.level),
    }
    .map_err(|e| anyhow!("bad log filter: {e}"))?;
    let json = match format {
        Some(format) => format == LogFormatArg::Json,
        None => matches!(settings.format, LogFormat::Json),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).try_init()
    };
    installed.map_err(|e| anyhow!("cannot install the logger: {e}"))
}
