//! `[[connections]]` as written.
//!
//! A connection is one flat table with a `kind` and one sub-table per transport (`http`, `inbox`,
//! `changed_since`, `drop_folder`, `webhook`), rather than a serde enum tagged by `kind`: serde buffers a
//! tagged enum before reading it, which loses the position of every error inside, and an operator needs
//! that position. Validation checks that the sub-tables match the kind.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use super::auth::{RawHttpAuth, RawWebhookAuth};
use crate::bytesize::ByteSize;
use crate::choices::{AckMethod, ConnectionKind, PayloadEncoding, ReplyKind};

/// One data pool connection.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConnection {
    /// Unique name of the connection: lower-case letters, digits, `-` and `_`, starting with a letter or
    /// digit, at most 63 characters. It appears in URLs (`/v1/connections/{name}/poll`,
    /// `/v1/webhooks/{name}`), metrics and folder names.
    pub name: String,
    /// The transport: `http_inbox`, `http_changed_since`, `drop_folder` or `webhook`.
    pub kind: ConnectionKind,
    /// Set to `false` to keep a connection configured but idle. Default: `true`.
    pub enabled: Option<bool>,
    /// When to poll, as a cron expression: a 5-field crontab line (`"*/15 * * * *"`), 6 or 7 fields with
    /// seconds first (`"0 */15 * * * *"`), or `@hourly`, `@daily` and the like. Required for HTTP kinds;
    /// for `drop_folder` the default is every 10 seconds (`"*/10 * * * * *"`); not allowed for `webhook`.
    pub schedule: Option<String>,
    /// IANA time zone the schedule is read in (`"Europe/Paris"`). Default: UTC.
    pub time_zone: Option<String>,
    /// Each run starts up to this many seconds late, by a stable per-connection amount, so that
    /// connections sharing a schedule do not all start at once. Default: 0.
    pub jitter_secs: Option<u64>,
    /// Retries after a failed poll (not allowed for `webhook`).
    pub backoff: Option<RawBackoff>,
    /// Which replies are sent back through this connection: any of `cic` and `gs1_response`; `[]` sends
    /// none. Replies go to `http.outbound_path` (HTTP kinds, and `webhook` when it has an `http` table) or
    /// to the outbound folder (`drop_folder`). Default: both, or `[]` for a webhook without `http`.
    pub replies: Option<Vec<ReplyKind>>,
    /// IANA time zone of timestamps that carry no zone in this pool's messages. Default: `"UTC"`.
    pub naive_timestamps_zone: Option<String>,
    /// The pool's HTTP API (HTTP kinds), or where replies are posted (`webhook`).
    pub http: Option<RawHttpClient>,
    /// The inbox protocol (`http_inbox` only).
    pub inbox: Option<RawInboxApi>,
    /// The changed-since protocol (`http_changed_since` only).
    pub changed_since: Option<RawChangedSinceApi>,
    /// The folders (`drop_folder` only).
    pub drop_folder: Option<RawDropFolder>,
    /// The push endpoint (`webhook` only).
    pub webhook: Option<RawWebhook>,
}

/// Exponential backoff with full jitter after failed polls.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBackoff {
    /// Seconds of the first retry's ceiling. At least 1. Default: 10.
    pub initial_secs: Option<u64>,
    /// Seconds the ceiling grows to at most. At least `initial_secs`. Default: 900.
    pub max_secs: Option<u64>,
    /// Consecutive failures after which retries stop until the next scheduled run (the connection then
    /// shows as failing in `/readyz` and the status page). At least 1. Default: 10.
    pub max_failures: Option<u32>,
}

/// An HTTP client of a data pool's API.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHttpClient {
    /// Base URL of the API, `https://` (or `http://` for a local simulator); the paths below are relative
    /// to it. A trailing `/` is added when missing, so `https://pool.example/api/v1` keeps its last segment.
    pub base_url: String,
    /// How requests authenticate. Default: `{ kind = "none" }`.
    pub auth: Option<RawHttpAuth>,
    /// Request time limits.
    pub timeouts: Option<RawTimeouts>,
    /// Largest response body read; a larger one fails the request. Default: `"64 MiB"`.
    pub max_body_bytes: Option<ByteSize>,
    /// Path, relative to `base_url`, that replies and enrolment messages (CIC, GS1 Response, CIS, RFCIN)
    /// are POSTed to as XML. Default: `"outbound"`.
    pub outbound_path: Option<String>,
}

/// Time limits of one HTTP request.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTimeouts {
    /// Seconds to establish the connection (TCP and TLS). At least 1. Default: 10.
    pub connect_secs: Option<u64>,
    /// Seconds without receiving any bytes before the request fails. At least 1. Default: 60.
    pub read_secs: Option<u64>,
    /// Seconds the whole request may take, body included. At least `connect_secs` and `read_secs`.
    /// Default: 300.
    pub total_secs: Option<u64>,
}

/// The inbox protocol: list pending messages (paged by a cursor), fetch each, acknowledge it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInboxApi {
    /// Path of the list request (GET). Default: `"inbox"`.
    pub list_path: Option<String>,
    /// JSON pointer to the array of messages in a list response. Default: `"/messages"`.
    pub messages_pointer: Option<String>,
    /// JSON pointer to the message id inside one entry of that array. Default: `"/id"`.
    pub message_id_pointer: Option<String>,
    /// JSON pointer to the next page's cursor in a list response; absent, `null` or `""` means the
    /// last page. Default: `"/next_cursor"`.
    pub cursor_pointer: Option<String>,
    /// Query parameter that carries the cursor. Default: `"cursor"`.
    pub cursor_param: Option<String>,
    /// Path of the fetch request (GET); `{id}` is replaced by the percent-encoded message id.
    /// Default: `"inbox/{id}"`.
    pub fetch_path: Option<String>,
    /// How a fetched body holds the XML: `xml` or `base64_json`. Default: `xml`.
    pub payload_encoding: Option<PayloadEncoding>,
    /// JSON pointer to the base64 XML (`base64_json` only). Default: `"/payload"`.
    pub payload_pointer: Option<String>,
    /// Path of the acknowledgement; `{id}` as for `fetch_path`. Default: `"inbox/{id}/ack"`.
    pub ack_path: Option<String>,
    /// Method of the acknowledgement: `post`, `put` or `delete`. Default: `post`.
    pub ack_method: Option<AckMethod>,
}

/// The changed-since protocol: list messages changed after a time, in overlapping windows.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChangedSinceApi {
    /// Path of the list request (GET). Default: `"changes"`.
    pub list_path: Option<String>,
    /// Query parameter that carries the start of the window (RFC 3339, UTC). Default: `"since"`.
    pub since_param: Option<String>,
    /// Seconds each window reaches back before the previous high-water mark, so that rows sharing the
    /// last cursor value, or committed late by the pool, are never lost; repeats are harmless
    /// (re-delivery is detected). At least 1. Default: 300.
    pub overlap_secs: Option<u64>,
    /// JSON pointer to the array of messages in a list response. Default: `"/messages"`.
    pub messages_pointer: Option<String>,
    /// JSON pointer to the message id inside one entry of that array. Default: `"/id"`.
    pub message_id_pointer: Option<String>,
    /// JSON pointer to the high-water mark in a list response: the timestamp the next window starts
    /// from (less the overlap). Default: `"/high_water_mark"`.
    pub high_water_pointer: Option<String>,
    /// JSON pointer to the next page's token in a list response; absent, `null` or `""` means the last
    /// page. Default: `"/next_page_token"`.
    pub page_token_pointer: Option<String>,
    /// Query parameter that carries the page token. Default: `"page_token"`.
    pub page_token_param: Option<String>,
    /// Path of the fetch request (GET); `{id}` is replaced by the percent-encoded message id.
    /// Default: `"messages/{id}"`.
    pub fetch_path: Option<String>,
    /// How a fetched body holds the XML: `xml` or `base64_json`. Default: `xml`.
    pub payload_encoding: Option<PayloadEncoding>,
    /// JSON pointer to the base64 XML (`base64_json` only). Default: `"/payload"`.
    pub payload_pointer: Option<String>,
}

/// The folders of a drop-folder connection. No folder may be inside another, inside another
/// connection's folders, or contain the data directory; `..` is refused.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDropFolder {
    /// Folder the SFTP mirror or AS2 gateway writes messages into. Names starting with `.` or ending in
    /// `.part`, `.tmp` or `.filepart` are ignored until renamed.
    pub inbox: PathBuf,
    /// Where a file goes once its messages are durable. Default: `DATA_DIR/dropfolder/NAME/done`.
    pub done: Option<PathBuf>,
    /// Where a file goes when it cannot be read at all. Default: `DATA_DIR/dropfolder/NAME/failed`.
    pub failed: Option<PathBuf>,
    /// Where replies are written (write, then rename) for the mirror to upload.
    /// Default: `DATA_DIR/dropfolder/NAME/outbound`.
    pub outbound: Option<PathBuf>,
    /// Seconds a file's size and modification time must stay unchanged before it is taken. Default: 5.
    pub min_age_secs: Option<u64>,
}

/// A push endpoint, `POST /v1/webhooks/{name}` on the daemon's listener.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    /// How the pool proves a push is its own. Required: an unauthenticated webhook is refused.
    pub auth: RawWebhookAuth,
    /// Largest body accepted; a larger push is answered 413. Default: `"64 MiB"`.
    pub max_body_bytes: Option<ByteSize>,
    /// Pushes waiting to be ingested; when full, pushes are answered 503 with `Retry-After`. 1 to 10000.
    /// Default: 64.
    pub queue_capacity: Option<u32>,
    /// Seconds sent in `Retry-After` when the queue is full. At least 1. Default: 5.
    pub retry_after_secs: Option<u64>,
}
