//! `gdsn-sync`: the command line of the GDSN data-recipient daemon.
//!
//! Exit codes: 0 every document accepted (warnings allowed), 1 something
//! was rejected, 2 usage error or unreadable file.

mod api_client;
mod cli;
mod config_cmds;
mod daemon;
mod enrol_cmds;
mod index_cmds;
mod ingest;
mod messages;
mod probe;
mod reconcile;
mod replies;
mod sinks;
mod store_cmds;

// jemalloc, as the daemon uses: with sled's page cache loaded, glibc malloc
// took nearly half the CPU time of a store run (see daemon/bench/README.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Parse(args) => messages::parse(&args, messages::Output::Records),
        cli::Command::Validate(args) => messages::parse(&args, messages::Output::DiagnosticsOnly),
        cli::Command::Inspect(args) => messages::inspect(&args),
        cli::Command::Ingest(args) => ingest::ingest(&args),
        cli::Command::Export(args) => store_cmds::export(&args),
        cli::Command::Replies(args) => store_cmds::replies(&args),
        cli::Command::Quarantine(args) => store_cmds::quarantine(&args),
        cli::Command::Replay(args) => ingest::replay::replay(&args),
        cli::Command::Publish(args) => index_cmds::publish(&args),
        cli::Command::Lookup(args) => index_cmds::lookup(&args),
        cli::Command::Search(args) => index_cmds::search(&args),
        cli::Command::DeadLetters(args) => index_cmds::dead_letters(&args),
        cli::Command::Reindex(args) => index_cmds::reindex(&args),
        cli::Command::Reconcile(args) => reconcile::reconcile(&args),
        cli::Command::CheckConfig(args) => config_cmds::check_config(&args),
        cli::Command::ConfigSchema => config_cmds::config_schema(),
        cli::Command::Reload(args) => store_cmds::reload(&args),
        cli::Command::Backup(args) => store_cmds::backup(&args),
        cli::Command::Restore(args) => store_cmds::restore(&args),
        cli::Command::Enrol(args) => enrol_cmds::enrol(&args),
        cli::Command::Enrolments(args) => enrol_cmds::enrolments(&args),
        cli::Command::Unenrol(args) => enrol_cmds::unenrol(&args),
        cli::Command::Run(args) => daemon::run(&args),
    }
}
