//! The command-line surface (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Keeps a customs product search in step with GS1 GDSN catalogues.
#[derive(Debug, Parser)]
#[command(name = "gdsn-sync", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse GS1 XML messages: normalized product records as NDJSON on
    /// stdout, diagnostics on stderr.
    Parse(FilesArgs),
    /// Like `parse`, but print only the diagnostics.
    Validate(FilesArgs),
    /// Print the message model of one message as JSON (envelope,
    /// transactions, commands and documents of any type).
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FilesArgs {
    /// Messages to read.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Write diagnostics as JSON lines instead of `file:line:col: ...`.
    #[arg(long)]
    pub(crate) json_diagnostics: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The message to read.
    pub(crate) file: PathBuf,
}
