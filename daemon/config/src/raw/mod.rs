//! The configuration file as written: what serde reads from TOML, before any check beyond types.
//!
//! Every struct rejects unknown fields and every field has a doc comment, which becomes its description
//! in `schemas/config.schema.json` and in the crate README. Optional fields are `Option`s: defaults are
//! applied in one place, validation ([`RawConfig::validate`]), so "what the file said" and "what the
//! daemon uses" stay apart (ripgrep's low-level and high-level arguments).
//!
//! Units are in the field names: `_secs` are whole seconds, `_ms` whole milliseconds (integers, no
//! "5m"-style strings); byte sizes take an integer or a string with a unit (`"64 MiB"`). Paths are
//! absolute or relative to the directory of the config file.

mod auth;
mod connection;
mod sink;

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

pub use auth::{RawHttpAuth, RawWebhookAuth};
pub use connection::{
    RawBackoff, RawChangedSinceApi, RawConnection, RawDropFolder, RawHttpClient, RawInboxApi, RawTimeouts,
    RawWebhook,
};
pub use sink::{RawEmbeddedIndex, RawOpenSearch, RawSink};

use crate::bytesize::ByteSize;
use crate::choices::{LogFormat, ReadAccess};

/// The configuration of a gdsn-sync daemon (`gdsn-sync run --config FILE`). Every table is optional;
/// a file with no connection is valid but receives nothing.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gdsn-sync configuration")]
pub struct RawConfig {
    /// Directory of the store, the message archive, the embedded index and the drop-folder `done/`,
    /// `failed/` and `outbound/` folders unless configured otherwise. Absolute or relative to the config
    /// file's directory. Default: `data`.
    pub data_dir: Option<PathBuf>,
    /// Our own GLN (13 digits, valid check digit): the sender of every reply (CIC, CIS, RFCIN). Without it
    /// no reply is built. Default: none.
    pub recipient_gln: Option<String>,
    /// Accept secrets written in clear text as `{ plaintext = "..." }`. Only for local trials against
    /// the pool simulator. Default: `false`.
    pub allow_plaintext_secrets: Option<bool>,
    /// The data pool connections, each an `[[connections]]` table.
    #[serde(default)]
    pub connections: Vec<RawConnection>,
    /// The store: transaction size and reload sessions.
    #[serde(default)]
    pub store: RawStore,
    /// The daemon's one HTTP listener: API, product page, health, metrics and webhooks.
    #[serde(default)]
    pub http: RawHttp,
    /// Log output.
    #[serde(default)]
    pub logging: RawLogging,
    /// The pipeline between fetching, ingesting and publishing.
    #[serde(default)]
    pub pipeline: RawPipeline,
    /// The search index the publisher feeds.
    #[serde(default)]
    pub sink: RawSink,
    /// The publisher that drains the store's outbox into the sink.
    #[serde(default)]
    pub publisher: RawPublisher,
    /// Defaults for `gdsn-sync enrol`.
    #[serde(default)]
    pub enrolment: RawEnrolment,
}

/// Store settings (see the store's guarantees in the project README).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    /// Documents per store transaction when a message is applied; a larger message commits in chunks of
    /// whole documents. 1 to 100000. Default: 500.
    pub apply_chunk_documents: Option<u32>,
    /// Seconds without a further reload message for a (provider, target market) pair after which the
    /// daemon closes its reload session and sweeps. At least 1. Default: 3600.
    pub reload_quiet_secs: Option<u64>,
    /// Largest share of a pair's items a reload sweep may remove without an operator's
    /// `gdsn-sync reload confirm`. Above 0, at most 1. Default: 0.5.
    pub max_sweep_fraction: Option<f64>,
    /// Answer CIC REJECTED to documents from providers that are not enrolled, instead of applying them.
    /// Default: `false`.
    pub reject_unenrolled: Option<bool>,
}

/// The HTTP listener and its access rules.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    /// Address and port to listen on, as `IP:PORT` (`0.0.0.0:8480` for all IPv4 interfaces,
    /// `[::]:8480` for all). Default: `127.0.0.1:8480`.
    pub listen: Option<String>,
    /// SHA-256 (64 hex digits) of the admin bearer token, as `printf %s TOKEN | sha256sum` prints it.
    /// Without it the admin endpoints (enrolment, reindex, poll now, replays) are disabled.
    pub admin_token_sha256: Option<String>,
    /// Who may call the read endpoints: `public` or `token`. Default: `public`.
    pub read_access: Option<ReadAccess>,
    /// SHA-256 (64 hex digits) of a token that may call the read endpoints only. With
    /// `read_access = "token"`, at least one of this and `admin_token_sha256` is required.
    pub read_token_sha256: Option<String>,
    /// `/readyz` fails when a connection has had no successful poll for this many seconds (webhook
    /// connections are not polled and do not count). At least 1. Default: 7200.
    pub readiness_stale_secs: Option<u64>,
    /// Seconds a request may take before it is answered 503. 1 to 3600. Default: 30.
    pub request_timeout_secs: Option<u64>,
    /// Largest request body the API accepts (webhooks have their own limit). Default: `"1 MiB"`.
    pub max_request_body_bytes: Option<ByteSize>,
}

/// Log output.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLogging {
    /// `human` or `json`. Default: `human`.
    pub format: Option<LogFormat>,
    /// Which events are logged: a level (`trace`, `debug`, `info`, `warn`, `error`, `off`) or
    /// comma-separated `target=level` directives, as in `RUST_LOG`: `"info,gdsn_store=debug"`.
    /// Default: `info`.
    pub level: Option<String>,
}

/// The pipeline's bounds.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    /// Capacity of each bounded queue between fetching, ingesting and publishing. 1 to 10000.
    /// Default: 16.
    pub queue_capacity: Option<u32>,
    /// Messages parsed at the same time, off the async runtime. 1 to 64. Default: 2.
    pub parse_workers: Option<u32>,
    /// Seconds shutdown waits for work in progress before it gives up; keep it below the container's
    /// grace period (Kubernetes `terminationGracePeriodSeconds`). 1 to 3600. Default: 20.
    pub drain_deadline_secs: Option<u64>,
}

/// The publisher's batches and retries.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPublisher {
    /// Outbox entries per batch handed to the sink. 1 to 100000. Default: 500.
    pub batch_size: Option<u32>,
    /// Milliseconds between index commits while changes arrive (the embedded index commits at this pace
    /// or per batch, whichever comes first). 10 to 600000. Default: 1000.
    pub commit_interval_ms: Option<u64>,
    /// Retry of batches the sink could not take.
    #[serde(default)]
    pub retry: RawRetry,
}

/// Exponential backoff with full jitter for publisher retries; the publisher retries until the sink
/// accepts or rejects permanently (dead letters).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    /// Milliseconds of the first retry's ceiling. At least 1. Default: 500.
    pub initial_ms: Option<u64>,
    /// Milliseconds the ceiling grows to at most. At least `initial_ms`. Default: 60000.
    pub max_ms: Option<u64>,
}

/// Defaults for `gdsn-sync enrol` and the enrolment API.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnrolment {
    /// Connection the subscription (CIS) and reload request (RFCIN) are sent through when none is given.
    /// Must name a connection. Default: the only connection, if there is exactly one.
    pub connection: Option<String>,
    /// Target markets enrolled when none is given: ISO 3166-1 numeric codes, optionally with a
    /// subdivision as `"840/US-CA"`. Default: none (the command then needs `--target-market`).
    pub target_markets: Option<Vec<String>>,
    /// Send a reload request (RFCIN) with each new subscription. Default: `true`.
    pub request_reload: Option<bool>,
}
