//! What a simulator run is told: where its messages come from, how clients authenticate, how it
//! delivers (API only, webhook pushes or a drop folder) and which faults start armed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use time::OffsetDateTime;

use crate::faults::Faults;
use crate::tls::TlsConfig;

/// Everything [`crate::serve`] needs. [`SimConfig::new`] gives a loopback server on a free port with
/// no messages, no authentication and no faults; set the fields you need.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimConfig {
    /// Address to listen on; port 0 picks a free port (read it back from [`crate::RunningSim::addr`]).
    pub bind: SocketAddr,
    /// Directory of GS1 XML messages (`*.xml`), served in file-name order.
    pub messages_dir: Option<PathBuf>,
    /// Messages given directly as (file name, bytes), served after those of `messages_dir`.
    pub messages: Vec<(String, Vec<u8>)>,
    /// How clients of the pool API authenticate.
    pub auth: Auth,
    /// How a fetched message is returned.
    pub payload: PayloadMode,
    /// Change time of the first message; later messages follow at one-second steps.
    /// `None`: the start time less one second per step, so every loaded message lies in the past.
    pub epoch: Option<OffsetDateTime>,
    /// How many consecutive messages share each change time (at least 1), so that changed-since
    /// clients meet ties at the edge of their windows.
    pub shared_timestamps: usize,
    /// Page size when a list request gives no `limit`.
    pub default_page_size: usize,
    /// The pool's own GLN: the sender of the GS1 Responses it generates.
    pub pool_gln: String,
    /// Faults armed at start.
    pub faults: Faults,
    /// Push every inbox message to a webhook instead of waiting for the client to poll.
    pub push: Option<PushConfig>,
    /// Write every inbox message into a folder instead of waiting for the client to poll.
    pub drop_folder: Option<DropFolderConfig>,
    /// Largest request body accepted (outbound messages, injected messages).
    pub max_body_bytes: usize,
    /// Serve HTTPS instead of plain HTTP, and require client certificates when it names a client
    /// CA (mutual TLS). Every route, the admin routes included, is on that one listener.
    pub tls: Option<TlsConfig>,
}

impl SimConfig {
    /// A server on `127.0.0.1:0` with no messages, no authentication and no faults.
    pub fn new() -> SimConfig {
        SimConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            messages_dir: None,
            messages: Vec::new(),
            auth: Auth::None,
            payload: PayloadMode::Xml,
            epoch: None,
            shared_timestamps: 3,
            default_page_size: 50,
            pool_gln: DEFAULT_POOL_GLN.to_owned(),
            faults: Faults::default(),
            push: None,
            drop_folder: None,
            max_body_bytes: 64 << 20,
            tls: None,
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig::new()
    }
}

/// The GLN the simulator answers as unless told otherwise (a valid check digit).
pub const DEFAULT_POOL_GLN: &str = "5400000900006";

/// How requests to the pool API must authenticate. Admin routes (`/admin/...`) never need it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Auth {
    /// Anything goes.
    None,
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The one token accepted.
        token: String,
    },
    /// `HEADER: PREFIX KEY`.
    ApiKey {
        /// Header name, such as `X-Api-Key`.
        header: String,
        /// Text before the key in the header value (may be empty).
        prefix: String,
        /// The key.
        key: String,
    },
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// HMAC-SHA256-signed requests (string to sign in `schemas/pool-api.openapi.yaml`).
    Hmac(HmacAuth),
    /// Bearer tokens issued by `POST /oauth/token`.
    OAuth2(OAuth2Auth),
}

/// The HMAC request-signing scheme.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HmacAuth {
    /// The key id clients must send.
    pub key_id: String,
    /// The shared secret.
    pub secret: String,
    /// Header of the key id.
    pub key_id_header: String,
    /// Header of the timestamp (RFC 3339).
    pub timestamp_header: String,
    /// Header of the lower-case hex signature.
    pub signature_header: String,
    /// Largest accepted distance between the timestamp and the server clock.
    pub max_skew: Duration,
}

impl HmacAuth {
    /// The scheme with the header names the daemon's config defaults to and a 5-minute skew.
    pub fn new(key_id: &str, secret: &str) -> HmacAuth {
        HmacAuth {
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            key_id_header: "X-Key-Id".to_owned(),
            timestamp_header: "X-Timestamp".to_owned(),
            signature_header: "X-Signature".to_owned(),
            max_skew: Duration::from_secs(300),
        }
    }
}

/// The OAuth2 token endpoint: which clients and users it knows and how long its tokens live.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OAuth2Auth {
    /// The client id.
    pub client_id: String,
    /// The client secret (required for `client_credentials`; checked for `password` when sent).
    pub client_secret: String,
    /// The user of the `password` grant; `None` refuses that grant.
    pub user: Option<(String, String)>,
    /// Lifetime of an issued token.
    pub token_lifetime: Duration,
}

impl OAuth2Auth {
    /// A client-credentials client with one-hour tokens and no password-grant user.
    pub fn new(client_id: &str, client_secret: &str) -> OAuth2Auth {
        OAuth2Auth {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            user: None,
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// How `GET /inbox/{id}` and `GET /messages/{id}` return a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadMode {
    /// The raw XML as `application/xml`.
    Xml,
    /// A JSON envelope with the XML base64-encoded at `/payload`.
    Base64Json,
}

/// Webhook pushes to the daemon.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PushConfig {
    /// The daemon's webhook URL, such as `http://127.0.0.1:8480/v1/webhooks/pool`.
    pub url: String,
    /// How each push proves it is the pool's.
    pub auth: PushAuth,
    /// Attempts per message before it is given up (recorded as failed).
    pub max_attempts: u32,
    /// Wait before the first retry when the answer has no `Retry-After`; doubles per attempt.
    pub initial_backoff: Duration,
    /// Longest wait between attempts (a larger `Retry-After` is cut to it).
    pub max_backoff: Duration,
}

impl PushConfig {
    /// Pushes to `url` signed with `auth`: 8 attempts, backoff from 100 ms up to 30 s.
    pub fn new(url: &str, auth: PushAuth) -> PushConfig {
        PushConfig {
            url: url.to_owned(),
            auth,
            max_attempts: 8,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// How a webhook push authenticates (what the daemon's `[connections.webhook.auth]` checks).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PushAuth {
    /// HMAC-SHA256 of the raw body: `HEADER: PREFIX<hex>`.
    HmacSha256 {
        /// The shared secret.
        secret: String,
        /// Header name (the daemon's default is `X-Signature-256`).
        header: String,
        /// Text before the hex digest (the daemon's default is `sha256=`).
        prefix: String,
    },
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token.
        token: String,
    },
}

impl PushAuth {
    /// HMAC-SHA256 with the daemon's default header `X-Signature-256` and prefix `sha256=`.
    pub fn hmac(secret: &str) -> PushAuth {
        PushAuth::HmacSha256 {
            secret: secret.to_owned(),
            header: "X-Signature-256".to_owned(),
            prefix: "sha256=".to_owned(),
        }
    }
}

/// The drop-folder mode: what an SFTP mirror would leave on the daemon's side.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DropFolderConfig {
    /// Where messages are written (`ID.part`, then renamed to `ID.xml`).
    pub inbox: PathBuf,
    /// Where the daemon's replies are picked up from, if anywhere.
    pub outbound: Option<PathBuf>,
    /// How often the outbound folder is scanned.
    pub scan_interval: Duration,
    /// How long a written `ID.part` stays before it is renamed, so that a person or a test can see
    /// the daemon ignore it (a slow SFTP upload). Default zero.
    pub hold_part: Duration,
}

impl DropFolderConfig {
    /// Writes into `inbox`, reads no replies; scans every 200 ms.
    pub fn new(inbox: PathBuf) -> DropFolderConfig {
        DropFolderConfig {
            inbox,
            outbound: None,
            scan_interval: Duration::from_millis(200),
            hold_part: Duration::ZERO,
        }
    }
}
