//! The command-line surface (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use gdsn_xml::{Limits, ParseOptions};

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
    /// Parse, diff and apply messages to the store, in order; print a
    /// summary per file.
    Ingest(IngestArgs),
    /// Write every live record of the store as NDJSON.
    Export(StoreApiArgs),
    /// List the quarantined messages with their reasons.
    Quarantine(StoreApiArgs),
    /// Re-apply a message from the raw archive: one applied or quarantined
    /// message by id, or every quarantined one. Versions still decide:
    /// nothing older overwrites newer, unchanged items write nothing.
    Replay(ReplayArgs),
    /// Publish the outbox into the embedded index, or the sink a --config
    /// file names (`ingest` does this itself unless --no-publish).
    Publish(PublishArgs),
    /// Live records of a GTIN-8/12/13/14, a GS1 barcode scan (element
    /// string, with or without parentheses, FNC1/GS, AIM prefix) or a GS1
    /// Digital Link URI, as JSON lines. Exit 1 when nothing matches, 2 for
    /// a bad code.
    Lookup(LookupArgs),
    /// Full-text search over brand, names and descriptions in every
    /// language; ranked hits as JSON lines.
    Search(SearchArgs),
    /// Changes the index refused for good: list them, or queue them again.
    DeadLetters(DeadLettersArgs),
    /// Build a new index generation (or, with --config naming a cluster, a
    /// new index behind the alias) from the store, check it (count and
    /// known GTINs), then switch to it; a failed check changes nothing.
    Reindex(ReindexArgs),
    /// Compare the store's live records (key, sync.version) with the index
    /// (or the --config file's sink): missing, older, newer and extra
    /// documents. Exit 0 when they agree, 1 otherwise.
    Reconcile(crate::reconcile::ReconcileArgs),
    /// Validate a configuration file: every problem with file:line:column
    /// and field (exit 2), or a summary of what it configures (exit 0).
    CheckConfig(crate::config_cmds::CheckConfigArgs),
    /// Print the JSON Schema of the configuration file.
    ConfigSchema,
    /// Reload sessions: list them, close one (or all), or confirm a held sweep.
    Reload(ReloadArgs),
    /// Write a consistent snapshot of the store (every tree and the format
    /// version) to a file.
    Backup(BackupArgs),
    /// Restore a backup into an empty data dir.
    Restore(RestoreArgs),
    /// Run the daemon: poll the configured data pools on their schedules,
    /// take webhook pushes, apply, publish, send replies; serve HTTP.
    Run(crate::daemon::RunArgs),
    /// List the replies (CIC, GS1 Response) waiting for delivery, or write
    /// them as XML files to a folder (which delivers them).
    Replies(RepliesArgs),
    /// Enrol a right holder: record the (provider GLN, target market)
    /// pair and queue a CIS and an RFCIN (reload) for its connection.
    Enrol(crate::enrol_cmds::EnrolArgs),
    /// List enrolments: pair, state, connection, live items, last message, error.
    Enrolments(crate::enrol_cmds::EnrolmentsArgs),
    /// Unenrol a pair: queue the CIS delete; --purge also removes its items.
    Unenrol(crate::enrol_cmds::UnenrolArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    /// The backup file to write (gzip-compressed JSON lines).
    #[arg(long, value_name = "FILE")]
    pub(crate) to: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The backup file to read.
    #[arg(long, value_name = "FILE")]
    pub(crate) from: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ReloadArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    /// A sweep that would remove more than this fraction of a pair's keys
    /// is held until confirmed.
    #[arg(long, value_name = "F", default_value_t = 0.5, global = true)]
    pub(crate) max_sweep_fraction: f64,
    #[command(subcommand)]
    pub(crate) action: ReloadAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReloadAction {
    /// Open and held sessions.
    List,
    /// Close a session (or every open one): sweep, or hold a large sweep.
    Close {
        /// The pair, `GLN/TM`.
        pair: Option<String>,
    },
    /// Run a held sweep.
    Confirm {
        /// The pair, `GLN/TM`.
        pair: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct RepliesArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    /// Write each pending reply to DIR/<message id>.xml (write, fsync,
    /// rename) and drop it from the queue.
    #[arg(long, value_name = "DIR")]
    pub(crate) write_to: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// The data directory (the store lives in DIR/store).
    #[arg(long, value_name = "DIR", default_value = "data", global = true)]
    pub(crate) data_dir: PathBuf,
}

/// `--api URL --token T`: act through the running daemon (`gdsn-sync
/// run` holds the store) instead of opening the store.
#[derive(Debug, Default, Args)]
pub(crate) struct ApiArgs {
    /// The running daemon's address, `http://HOST:PORT` (its
    /// `DATA/daemon.json` says where it listens); the daemon's config then
    /// decides what ingest options would (recipient GLN, chunk size,
    /// sweep fraction).
    #[arg(long, value_name = "URL", global = true)]
    pub(crate) api: Option<String>,
    /// The daemon's admin token (`[http] admin_token_sha256` is its SHA-256).
    #[arg(long, value_name = "T", env = "GDSN_SYNC_API_TOKEN", hide_env_values = true, global = true)]
    pub(crate) token: Option<String>,
}

/// A store command that can also act through the daemon.
#[derive(Debug, Args)]
pub(crate) struct StoreApiArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// Which search index a command publishes to.
#[derive(Debug, Default, Args)]
pub(crate) struct SinkArgs {
    /// Publish to the sink this configuration file names (`[sink]`: the
    /// embedded index or an OpenSearch/Elasticsearch cluster); its
    /// data_dir must be --data-dir. Without it, the embedded index in
    /// DATA/index.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) sink: SinkArgs,
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    #[command(flatten)]
    pub(crate) options: IngestOptions,
    /// Messages to apply, in order.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    #[command(flatten)]
    pub(crate) options: IngestOptions,
    /// The SBDH InstanceIdentifier of an applied or quarantined message.
    #[arg(required_unless_present = "quarantined", conflicts_with = "quarantined")]
    pub(crate) message_id: Option<String>,
    /// The message's SBDH sender, when several senders used the same id.
    #[arg(long, value_name = "GLN")]
    pub(crate) sender: Option<String>,
    /// Replay every quarantined message (oldest key first) and release it
    /// from quarantine once applied.
    #[arg(long)]
    pub(crate) quarantined: bool,
}

/// How messages are applied (`ingest` and `replay`).
#[derive(Debug, Args)]
pub(crate) struct IngestOptions {
    /// Documents per store transaction; a larger message commits in
    /// chunks of whole documents.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub(crate) apply_chunk_documents: usize,
    /// A reload sweep that would remove more than this fraction of a
    /// pair's keys is held until confirmed (`gdsn-sync reload confirm`).
    #[arg(long, value_name = "F", default_value_t = 0.5)]
    pub(crate) max_sweep_fraction: f64,
    /// Print what would change and which replies would be sent; write
    /// nothing (each file is planned against the store as it is).
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Our GLN as a data recipient; without it no reply (CIC, GS1
    /// Response) is built.
    #[arg(long, value_name = "GLN")]
    pub(crate) recipient_gln: Option<String>,
    /// Leave the changes in the outbox instead of publishing them to the
    /// embedded index (DATA/index) after applying.
    #[arg(long)]
    pub(crate) no_publish: bool,
    /// Refuse CIN documents of a (provider, target market) pair that is not
    /// enrolled (`gdsn-sync enrol`): nothing applied, CIC REJECTED.
    #[arg(long)]
    pub(crate) reject_unenrolled: bool,
    #[command(flatten)]
    pub(crate) sink: SinkArgs,
    /// Never draw a progress bar (one is drawn on a terminal for messages
    /// over 8 MiB).
    #[arg(long)]
    pub(crate) no_progress: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// The connection a message came through (the daemon's; replies go
    /// back through it). Not on the command line.
    #[arg(skip)]
    pub(crate) connection: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct FilesArgs {
    /// Messages to read (`-` for standard input).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Write diagnostics as JSON lines instead of `file:line:col: ...`.
    #[arg(long)]
    pub(crate) json_diagnostics: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// The parser's resource limits; past one, the document is rejected with
/// the limit's code and parsing resumes at the next document.
#[derive(Debug, Args)]
pub(crate) struct LimitArgs {
    /// Deepest element nesting (X010).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub(crate) max_depth: usize,
    /// Largest text node in bytes (X011).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_text_bytes)]
    pub(crate) max_text_bytes: usize,
    /// Most attributes on one element (X012).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_attributes)]
    pub(crate) max_attributes: usize,
    /// Largest document (one hierarchy) in bytes (X013).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_document_bytes)]
    pub(crate) max_document_bytes: u64,
    /// Read timestamps that carry no zone as local time in this IANA zone
    /// (`Europe/Paris`), daylight saving included; default UTC. The daemon
    /// takes it from each connection's `naive_timestamps_zone`.
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub(crate) naive_timestamps_zone: Option<chrono_tz::Tz>,
}

fn parse_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse().map_err(|_| format!("{name:?} is not an IANA time zone name"))
}

impl Default for LimitArgs {
    fn default() -> Self {
        let limits = Limits::default();
        LimitArgs {
            max_depth: limits.max_depth,
            max_text_bytes: limits.max_text_bytes,
            max_attributes: limits.max_attributes,
            max_document_bytes: limits.max_document_bytes,
            naive_timestamps_zone: None,
        }
    }
}

impl LimitArgs {
    /// The parse options these flags describe.
    pub(crate) fn options(&self) -> ParseOptions {
        ParseOptions {
            limits: Limits {
                max_depth: self.max_depth,
                max_text_bytes: self.max_text_bytes,
                max_attributes: self.max_attributes,
                max_document_bytes: self.max_document_bytes,
            },
            naive_zone: self.naive_timestamps_zone,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The message to read (`-` for standard input).
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The code: GTIN, scan string or Digital Link URI.
    pub(crate) code: String,
    /// Only this target market (`840`, or `840/US-CA`).
    #[arg(long, value_name = "TM")]
    pub(crate) market: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Words, a GTIN or a scanned code.
    pub(crate) query: String,
    /// Search only text in this language (`en`, `fr`, `ar`, `ru`, ...).
    #[arg(long, value_name = "L")]
    pub(crate) lang: Option<String>,
    /// Only this target market.
    #[arg(long, value_name = "TM")]
    pub(crate) market: Option<String>,
    /// Only this brand (whole name, case-insensitive).
    #[arg(long)]
    pub(crate) brand: Option<String>,
    /// Only this GPC brick code.
    #[arg(long)]
    pub(crate) gpc: Option<String>,
    /// Hits per page.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) limit: usize,
    /// The cursor printed after the previous page.
    #[arg(long)]
    pub(crate) cursor: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DeadLettersArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Queue every dead letter again and publish.
    #[arg(long)]
    pub(crate) retry: bool,
    #[command(flatten)]
    pub(crate) sink: SinkArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReindexArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Records per commit (per `_bulk` batch for a cluster) while building.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub(crate) batch_size: usize,
    #[command(flatten)]
    pub(crate) sink: SinkArgs,
}
