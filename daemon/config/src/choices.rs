//! The closed sets of words the file may use (`kind = "http_inbox"`, `read_access = "token"`, ...).
//!
//! They need no validation beyond serde's, so the raw and the typed config share them.

use schemars::JsonSchema;
use serde::Deserialize;

/// How a connection receives messages from its data pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// Poll the pool's inbox API: list pending messages page by page, fetch each, acknowledge it once it is
    /// durable. Needs the `http` and `inbox` tables.
    HttpInbox,
    /// Poll the pool's "changed since" API with overlapping time windows. Needs the `http` and
    /// `changed_since` tables.
    HttpChangedSince,
    /// Take files from a local folder that an SFTP mirror or an AS2 gateway writes into. Needs the
    /// `drop_folder` table.
    DropFolder,
    /// Receive messages the pool pushes to `POST /v1/webhooks/{name}` on the daemon's listener. Needs the
    /// `webhook` table; `http` is optional and only used to send replies.
    Webhook,
}

impl ConnectionKind {
    /// Every kind, in the order above.
    pub const ALL: [ConnectionKind; 4] = [
        ConnectionKind::HttpInbox,
        ConnectionKind::HttpChangedSince,
        ConnectionKind::DropFolder,
        ConnectionKind::Webhook,
    ];

    /// The word used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::HttpInbox => "http_inbox",
            ConnectionKind::HttpChangedSince => "http_changed_since",
            ConnectionKind::DropFolder => "drop_folder",
            ConnectionKind::Webhook => "webhook",
        }
    }
}

/// A kind of reply a connection sends back to its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// Catalogue Item Confirmations (RECEIVED, REVIEW, REJECTED, SYNCHRONISED).
    Cic,
    /// GS1 Responses for messages that could not be read.
    Gs1Response,
}

/// The HTTP method that acknowledges a message in an inbox API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckMethod {
    /// `POST` to the acknowledgement path.
    Post,
    /// `PUT` to the acknowledgement path.
    Put,
    /// `DELETE` on the acknowledgement path.
    Delete,
}

/// How a fetched message's body holds the GS1 XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayloadEncoding {
    /// The body is the XML message itself.
    Xml,
    /// The body is JSON and the XML is a base64 string at `payload_pointer`.
    Base64Json,
}

/// Which search index the publisher feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    /// The in-process tantivy index under the data directory (the default).
    Embedded,
    /// An OpenSearch or Elasticsearch cluster, written through `_bulk` and an alias.
    Opensearch,
}

/// Who may call the read endpoints of the HTTP API (product lookup and search, the product page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadAccess {
    /// Anyone who can reach the listener.
    Public,
    /// Callers with the read token or the admin token as `Authorization: Bearer`.
    Token,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal or journald.
    Human,
    /// One JSON object per line, for a log collector.
    Json,
}
