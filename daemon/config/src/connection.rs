//! Typed data pool connections: [`Connection`] and its [`Transport`].

use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use gdsn_schedule::Schedule;
use url::Url;

use crate::auth::{HttpAuth, WebhookAuth};
use crate::choices::{AckMethod, ConnectionKind, ReplyKind};

/// One data pool connection.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Connection {
    /// The unique name (lower-case letters, digits, `-`, `_`).
    pub name: String,
    /// Whether the daemon runs it.
    pub enabled: bool,
    /// Replies sent back through it, sorted, without repeats.
    pub replies: Vec<ReplyKind>,
    /// Zone of timestamps that carry none in this pool's messages.
    pub naive_timestamps_zone: Tz,
    /// How messages arrive, and where replies go.
    pub transport: Transport,
}

/// How a connection receives messages, with the settings of that transport.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Transport {
    /// The inbox API.
    HttpInbox {
        /// When to poll.
        poll: PollSettings,
        /// The HTTP client.
        http: HttpClient,
        /// The protocol's paths and pointers.
        api: InboxApi,
    },
    /// The changed-since API.
    HttpChangedSince {
        /// When to poll.
        poll: PollSettings,
        /// The HTTP client.
        http: HttpClient,
        /// The protocol's paths and pointers.
        api: ChangedSinceApi,
    },
    /// A local drop folder.
    DropFolder {
        /// When to scan.
        poll: PollSettings,
        /// The folders.
        folders: DropFolder,
    },
    /// Pushes to the daemon's listener.
    Webhook {
        /// The endpoint.
        webhook: Webhook,
        /// Where replies are posted, if anywhere.
        http: Option<HttpClient>,
    },
}

impl Connection {
    /// The transport's kind.
    pub fn kind(&self) -> ConnectionKind {
        match self.transport {
            Transport::HttpInbox { .. } => ConnectionKind::HttpInbox,
            Transport::HttpChangedSince { .. } => ConnectionKind::HttpChangedSince,
            Transport::DropFolder { .. } => ConnectionKind::DropFolder,
            Transport::Webhook { .. } => ConnectionKind::Webhook,
        }
    }

    /// The schedule and backoff, for the kinds that poll.
    pub fn poll(&self) -> Option<&PollSettings> {
        match &self.transport {
            Transport::HttpInbox { poll, .. }
            | Transport::HttpChangedSince { poll, .. }
            | Transport::DropFolder { poll, .. } => Some(poll),
            Transport::Webhook { .. } => None,
        }
    }

    /// The HTTP client, for the kinds that have one.
    pub fn http(&self) -> Option<&HttpClient> {
        match &self.transport {
            Transport::HttpInbox { http, .. } | Transport::HttpChangedSince { http, .. } => Some(http),
            Transport::Webhook { http, .. } => http.as_ref(),
            Transport::DropFolder { .. } => None,
        }
    }
}

/// When a connection polls and how it retries.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PollSettings {
    /// The cron schedule, in its time zone.
    pub schedule: Schedule,
    /// Largest start delay (the actual one is `gdsn_schedule::jitter` of the name).
    pub jitter: Duration,
    /// Retries after failures.
    pub backoff: BackoffSettings,
}

/// Retry bounds after failed polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackoffSettings {
    /// Ceiling of the first retry.
    pub initial: Duration,
    /// Largest ceiling.
    pub max: Duration,
    /// Consecutive failures after which retries wait for the next scheduled run.
    pub max_failures: u32,
}

/// An HTTP client of a pool's API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpClient {
    /// The base URL, ending in `/`.
    pub base_url: Url,
    /// Authentication.
    pub auth: HttpAuth,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Largest response body read.
    pub max_body_bytes: u64,
    /// Where replies are POSTed.
    pub outbound_url: Url,
}

/// Time limits of one HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// To connect (TCP and TLS).
    pub connect: Duration,
    /// Without receiving bytes.
    pub read: Duration,
    /// For the whole request.
    pub total: Duration,
}

/// The inbox protocol.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InboxApi {
    /// The list request.
    pub list_url: Url,
    /// Listing, fetching and decoding messages.
    pub messages: MessageAccess,
    /// Pointer to the next page's cursor.
    pub cursor_pointer: JsonPointer,
    /// Query parameter of the cursor.
    pub cursor_param: String,
    /// The acknowledgement path.
    pub ack: PathTemplate,
    /// The acknowledgement method.
    pub ack_method: AckMethod,
}

/// The changed-since protocol.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChangedSinceApi {
    /// The list request.
    pub list_url: Url,
    /// Listing, fetching and decoding messages.
    pub messages: MessageAccess,
    /// Query parameter of the window start.
    pub since_param: String,
    /// How far each window reaches back before the previous high-water mark.
    pub overlap: Duration,
    /// Pointer to the high-water mark.
    pub high_water_pointer: JsonPointer,
    /// Pointer to the next page's token.
    pub page_token_pointer: JsonPointer,
    /// Query parameter of the page token.
    pub page_token_param: String,
}

/// What both HTTP protocols share: finding messages in a list response, fetching and decoding each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageAccess {
    /// Pointer to the array of messages in a list response.
    pub messages_pointer: JsonPointer,
    /// Pointer to the id inside one entry.
    pub message_id_pointer: JsonPointer,
    /// The fetch path.
    pub fetch: PathTemplate,
    /// How the fetched body holds the XML.
    pub payload: Payload,
}

/// How a fetched body holds the XML.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// The body is the XML.
    Xml,
    /// The body is JSON with the XML base64-encoded at a pointer.
    Base64Json {
        /// Where the base64 string is.
        pointer: JsonPointer,
    },
}

/// A checked JSON pointer (RFC 6901): empty, or `/`-separated tokens with `~0`/`~1` escapes only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPointer(pub(crate) String);

impl JsonPointer {
    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value it points at in `document`.
    pub fn get<'a>(&self, document: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        document.pointer(&self.0)
    }
}

/// A path relative to the base URL with an `{id}` placeholder, such as `inbox/{id}/ack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate(pub(crate) String);

impl PathTemplate {
    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL for message `id`: the template with `{id}` replaced by the percent-encoded id, joined to
    /// `base`. The id is encoded whole (a `/` in it becomes `%2F`), so it can never leave its segment.
    /// `None` for an id that is empty, `.` or `..` (URL parsers read those as path steps however they
    /// are encoded), or a join that fails.
    pub fn url(&self, base: &Url, id: &str) -> Option<Url> {
        if matches!(id, "" | "." | "..") {
            return None;
        }
        base.join(&self.0.replace("{id}", &percent_encode(id))).ok()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The folders of a drop-folder connection, absolute, none inside another.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropFolder {
    /// Where messages arrive.
    pub inbox: PathBuf,
    /// Where processed files go.
    pub done: PathBuf,
    /// Where unreadable files go.
    pub failed: PathBuf,
    /// Where replies are written.
    pub outbound: PathBuf,
    /// How long a file must stay unchanged before it is taken.
    pub min_age: Duration,
}

/// A push endpoint on the daemon's listener.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Webhook {
    /// The route, `/v1/webhooks/{name}`.
    pub path: String,
    /// How pushes authenticate.
    pub auth: WebhookAuth,
    /// Largest body accepted.
    pub max_body_bytes: u64,
    /// Pushes waiting to be ingested before 503.
    pub queue_capacity: usize,
    /// `Retry-After` sent with a 503.
    pub retry_after: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_inside_their_path_segment() {
        let base = Url::parse("https://pool.example/api/v1/").unwrap();
        let template = PathTemplate("inbox/{id}/ack".into());
        let url = template.url(&base, "../../admin?x=1 y").unwrap();
        assert_eq!(url.as_str(), "https://pool.example/api/v1/inbox/..%2F..%2Fadmin%3Fx%3D1%20y/ack");
        assert_eq!(template.url(&base, ".."), None);
        assert_eq!(template.url(&base, ""), None);
    }
}
