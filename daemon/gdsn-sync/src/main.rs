//! `gdsn-sync`: the command line of the GDSN data-recipient daemon.
//!
//! Exit codes: 0 every document accepted (warnings allowed), 1 something
//! was rejected, 2 usage error or unreadable file.

mod cli;
mod ingest;
mod messages;
mod replies;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Parse(args) => messages::parse(&args, messages::Output::Records),
        cli::Command::Validate(args) => messages::parse(&args, messages::Output::DiagnosticsOnly),
        cli::Command::Inspect(args) => messages::inspect(&args),
        cli::Command::Ingest(args) => ingest::ingest(&args),
        cli::Command::Export(args) => ingest::export(&args),
        cli::Command::Replies(args) => ingest::replies(&args),
        cli::Command::Quarantine(args) => ingest::quarantine(&args),
        cli::Command::Reload(args) => ingest::reload(&args),
        cli::Command::Backup(args) => ingest::backup(&args),
        cli::Command::Restore(args) => ingest::restore(&args),
    }
}
