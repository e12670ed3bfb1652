//! The command line: flags, and their translation into a [`SimConfig`].

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use gdsn_pool_sim::{
    Auth, DropFolderConfig, Faults, HmacAuth, OAuth2Auth, PayloadMode, PushAuth, PushConfig, SimConfig,
    TlsConfig,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A GDSN data pool simulator: serves a directory of GS1 XML messages through the pool API of
/// schemas/pool-api.openapi.yaml (inbox, changed-since, outbound), by webhook pushes or into a drop
/// folder, with every authentication style gdsn-sync supports (mutual TLS with --tls-cert, --tls-key
/// and --client-ca) and injectable faults.
#[derive(Debug, Parser)]
#[command(name = "gdsn-pool-sim", version)]
pub(crate) struct Args {
    /// Directory of GS1 XML messages (*.xml), served in file-name order.
    #[arg(long, value_name = "DIR")]
    messages: Option<PathBuf>,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8090)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// How fetched messages are returned: raw XML, or base64 XML in JSON at /payload.
    #[arg(long, value_enum, default_value_t = Payload::Xml)]
    payload: Payload,
    /// Page size when a list request gives no limit.
    #[arg(long, default_value_t = 50)]
    page_size: usize,
    /// Consecutive messages sharing each change time.
    #[arg(long, default_value_t = 3)]
    shared_timestamps: usize,
    /// Change time of the first message (RFC 3339); default: so that the last one is a second ago.
    #[arg(long)]
    epoch: Option<String>,
    /// The pool's GLN (sender of its GS1 Responses).
    #[arg(long, default_value = gdsn_pool_sim::DEFAULT_POOL_GLN)]
    pool_gln: String,
    /// Faults armed at start, as the JSON of POST /admin/faults, or @FILE.
    #[arg(long, value_name = "JSON")]
    faults: Option<String>,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    delivery: DeliveryArgs,
    #[command(flatten)]
    tls: TlsArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Payload {
    Xml,
    Base64Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuthKind {
    None,
    Bearer,
    ApiKey,
    Basic,
    Hmac,
    Oauth2,
}

/// Authentication of the pool API.
#[derive(Debug, clap::Args)]
struct AuthArgs {
    /// Authentication the pool API requires.
    #[arg(long, value_enum, default_value_t = AuthKind::None)]
    auth: AuthKind,
    /// bearer: the token.
    #[arg(long, env = "POOL_SIM_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// api-key: the header.
    #[arg(long, default_value = "X-Api-Key")]
    api_key_header: String,
    /// api-key: text before the key in the header value.
    #[arg(long, default_value = "")]
    api_key_prefix: String,
    /// api-key: the key.
    #[arg(long, env = "POOL_SIM_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// basic, and the oauth2 password grant: the user name.
    #[arg(long)]
    username: Option<String>,
    /// basic, and the oauth2 password grant: the password.
    #[arg(long, env = "POOL_SIM_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// hmac: the key id.
    #[arg(long)]
    hmac_key_id: Option<String>,
    /// hmac: the shared secret.
    #[arg(long, env = "POOL_SIM_HMAC_SECRET", hide_env_values = true)]
    hmac_secret: Option<String>,
    /// hmac: largest clock difference accepted, in seconds.
    #[arg(long, default_value_t = 300)]
    hmac_max_skew_secs: u64,
    /// oauth2: the client id.
    #[arg(long)]
    client_id: Option<String>,
    /// oauth2: the client secret.
    #[arg(long, env = "POOL_SIM_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// oauth2: lifetime of issued tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
}

/// Push and drop-folder delivery.
#[derive(Debug, clap::Args)]
struct DeliveryArgs {
    /// Push every message to this webhook URL (the daemon's /v1/webhooks/NAME).
    #[arg(long, value_name = "URL", conflicts_with = "drop_folder")]
    push_to: Option<String>,
    /// Sign pushes with HMAC-SHA256 of the body under this secret.
    #[arg(long, env = "POOL_SIM_PUSH_SECRET", hide_env_values = true)]
    push_secret: Option<String>,
    /// Header of the push signature.
    #[arg(long, default_value = "X-Signature-256")]
    push_signature_header: String,
    /// Text before the hex push signature.
    #[arg(long, default_value = "sha256=")]
    push_signature_prefix: String,
    /// Send pushes with this bearer token instead of a signature.
    #[arg(long, env = "POOL_SIM_PUSH_TOKEN", hide_env_values = true, conflicts_with = "push_secret")]
    push_token: Option<String>,
    /// Attempts per pushed message before giving it up.
    #[arg(long, default_value_t = 8)]
    push_max_attempts: u32,
    /// Write every message into this folder (NAME.part, then renamed to NAME.xml).
    #[arg(long, value_name = "DIR")]
    drop_folder: Option<PathBuf>,
    /// Take the daemon's replies from this folder (drop-folder mode).
    #[arg(long, value_name = "DIR", requires = "drop_folder")]
    drop_outbound: Option<PathBuf>,
    /// Milliseconds each NAME.part stays before it is renamed (a slow upload).
    #[arg(long, default_value_t = 0, requires = "drop_folder")]
    drop_hold_part_ms: u64,
}

/// HTTPS and mutual TLS.
#[derive(Debug, clap::Args)]
struct TlsArgs {
    /// Serve HTTPS with this PEM certificate chain (leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require client certificates chaining to these PEM CA certificates (mutual TLS).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    client_ca: Option<PathBuf>,
}

impl TlsArgs {
    fn into_tls(self) -> anyhow::Result<Option<TlsConfig>> {
        let (Some(cert), Some(key)) = (self.tls_cert, self.tls_key) else {
            return Ok(None);
        };
        let read = |path: &PathBuf, flag: &str| {
            std::fs::read(path).with_context(|| format!("{flag} {}", path.display()))
        };
        let mut tls = TlsConfig::new(read(&cert, "--tls-cert")?, read(&key, "--tls-key")?);
        if let Some(ca) = &self.client_ca {
            tls = tls.with_client_ca(read(ca, "--client-ca")?);
        }
        Ok(Some(tls))
    }
}

impl Args {
    pub(crate) fn into_config(self) -> anyhow::Result<SimConfig> {
        let mut config = SimConfig::new();
        config.bind = SocketAddr::new(self.host, self.port);
        config.messages_dir = self.messages;
        config.payload = match self.payload {
            Payload::Xml => PayloadMode::Xml,
            Payload::Base64Json => PayloadMode::Base64Json,
        };
        config.default_page_size = self.page_size;
        config.shared_timestamps = self.shared_timestamps;
        config.epoch =
            self.epoch.map(|e| OffsetDateTime::parse(&e, &Rfc3339).context("--epoch")).transpose()?;
        config.pool_gln = self.pool_gln;
        config.faults = self.faults.as_deref().map(parse_faults).transpose()?.unwrap_or_default();
        config.auth = self.auth.into_auth()?;
        config.push = self.delivery.push()?;
        config.drop_folder = self.delivery.drop_folder.map(|inbox| {
            let mut drop = DropFolderConfig::new(inbox);
            drop.outbound = self.delivery.drop_outbound;
            drop.hold_part = Duration::from_millis(self.delivery.drop_hold_part_ms);
            drop
        });
        config.tls = self.tls.into_tls()?;
        Ok(config)
    }
}

fn parse_faults(text: &str) -> anyhow::Result<Faults> {
    let json = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("--faults {path}"))?,
        None => text.to_owned(),
    };
    let faults: Faults = serde_json::from_str(&json).context("--faults")?;
    faults.check().map_err(anyhow::Error::msg).context("--faults")?;
    Ok(faults)
}

fn required(value: Option<String>, flag: &str, auth: &str) -> anyhow::Result<String> {
    value.with_context(|| format!("--auth {auth} needs {flag}"))
}

impl AuthArgs {
    fn into_auth(self) -> anyhow::Result<Auth> {
        Ok(match self.auth {
            AuthKind::None => Auth::None,
            AuthKind::Bearer => Auth::Bearer { token: required(self.token, "--token", "bearer")? },
            AuthKind::ApiKey => Auth::ApiKey {
                header: self.api_key_header,
                prefix: self.api_key_prefix,
                key: required(self.api_key, "--api-key", "api-key")?,
            },
            AuthKind::Basic => Auth::Basic {
                username: required(self.username, "--username", "basic")?,
                password: required(self.password, "--password", "basic")?,
            },
            AuthKind::Hmac => {
                let mut hmac = HmacAuth::new(
                    &required(self.hmac_key_id, "--hmac-key-id", "hmac")?,
                    &required(self.hmac_secret, "--hmac-secret", "hmac")?,
                );
                hmac.max_skew = Duration::from_secs(self.hmac_max_skew_secs);
                Auth::Hmac(hmac)
            }
            AuthKind::Oauth2 => {
                let mut oauth = OAuth2Auth::new(
                    &required(self.client_id, "--client-id", "oauth2")?,
                    &required(self.client_secret, "--client-secret", "oauth2")?,
                );
                oauth.token_lifetime = Duration::from_secs(self.token_lifetime_secs.max(1));
                oauth.user = self.username.zip(self.password);
                Auth::OAuth2(oauth)
            }
        })
    }
}

impl DeliveryArgs {
    fn push(&self) -> anyhow::Result<Option<PushConfig>> {
        let Some(url) = &self.push_to else {
            return Ok(None);
        };
        let auth = match (&self.push_secret, &self.push_token) {
            (Some(secret), _) => PushAuth::HmacSha256 {
                secret: secret.clone(),
                header: self.push_signature_header.clone(),
                prefix: self.push_signature_prefix.clone(),
            },
            (None, Some(token)) => PushAuth::Bearer { token: token.clone() },
            (None, None) => bail!("--push-to needs --push-secret (HMAC signature) or --push-token (bearer)"),
        };
        let mut push = PushConfig::new(url, auth);
        push.max_attempts = self.push_max_attempts;
        Ok(Some(push))
    }
}

/// One line saying what runs, for the start-up banner (no secrets).
pub(crate) fn describe(config: &SimConfig) -> String {
    let auth = match &config.auth {
        Auth::None => "no auth".to_owned(),
        Auth::Bearer { .. } => "bearer token".to_owned(),
        Auth::ApiKey { header, .. } => format!("API key in {header}"),
        Auth::Basic { username, .. } => format!("basic auth as {username}"),
        Auth::Hmac(h) => format!("HMAC-signed requests, key id {}", h.key_id),
        Auth::OAuth2(o) => format!("OAuth2 at /oauth/token, client {}", o.client_id),
        _ => "auth".to_owned(),
    };
    let mode = match (&config.push, &config.drop_folder) {
        (Some(push), _) => format!("pushing to {}", push.url),
        (None, Some(drop)) => format!("dropping into {}", drop.inbox.display()),
        (None, None) => "inbox and changed-since APIs".to_owned(),
    };
    let tls = match &config.tls {
        Some(tls) if tls.client_ca_pem.is_some() => ", mutual TLS (client certificates required)",
        Some(_) => ", TLS",
        None => "",
    };
    format!("{mode}, {auth}{tls}")
}
