//! What the sink needs to know about its cluster: [`SinkConfig`] and [`Auth`].

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Default for [`SinkConfig::max_bulk_bytes`]: 5 MiB, Elastic's advice for a
/// first bulk size and far below the servers' 100 MiB `http.max_content_length`.
pub const DEFAULT_MAX_BULK_BYTES: usize = 5 * 1024 * 1024;

/// Default for [`SinkConfig::max_response_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// How the sink reaches one OpenSearch or Elasticsearch cluster.
///
/// Build it with [`SinkConfig::new`] and change the public fields; every
/// field documents its default.
///
/// ```
/// use gdsn_opensearch::{Auth, SinkConfig};
///
/// let mut config = SinkConfig::new("https://search.example:9200", "gdsn-products");
/// config.auth = Auth::Basic { username: "gdsn".into(), password: "s3cret".into() };
/// config.max_concurrent_bulks = 4;
/// // Secrets never show in logs: Debug redacts them.
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct SinkConfig {
    /// The cluster's base URL, `http://` or `https://`, possibly with a path
    /// prefix (behind a proxy); without credentials (they go in
    /// [`SinkConfig::auth`]) and without a query.
    pub base_url: String,
    /// The alias that consumers search and the publisher writes to; the
    /// concrete indices behind it are named `{alias}-000001`, `{alias}-000002`...
    pub alias: String,
    /// How to authenticate. Default: [`Auth::None`].
    pub auth: Auth,
    /// Limit on establishing a connection. Default: 5 s.
    pub connect_timeout: Duration,
    /// Limit on a whole request, from sending to the last byte of the
    /// response. Default: 60 s (a 5 MiB bulk on a busy cluster takes seconds).
    pub request_timeout: Duration,
    /// Limit on waiting for the next bytes of a response (a stalled
    /// connection), within `request_timeout`. Default: none, only the
    /// request limit.
    pub read_timeout: Option<Duration>,
    /// Largest NDJSON body of one `_bulk` request; a batch is split into
    /// several bodies below it. A single change larger than this on its own
    /// is rejected, never sent. Default: [`DEFAULT_MAX_BULK_BYTES`].
    pub max_bulk_bytes: usize,
    /// How many `_bulk` requests this sink keeps in flight at once, across
    /// all callers. Default: 2.
    pub max_concurrent_bulks: usize,
    /// Largest response body read; past it the request counts as failed.
    /// Default: [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub max_response_bytes: usize,
    /// A PEM file of extra CA certificates trusted besides the system's
    /// (for a cluster with a private CA). Default: none.
    pub ca_cert_file: Option<PathBuf>,
    /// Whether writes to the alias carry `require_alias=true`, so that a
    /// missing alias fails the items instead of auto-creating a concrete
    /// index under the alias's name. Default: true. Turn it off only for
    /// Elasticsearch before 7.10, which refuses the parameter; the cluster's
    /// `action.auto_create_index` should then exclude the alias's name.
    pub require_alias: bool,
    /// The create-index body (settings and mappings) for new concrete indices.
    /// Default `None`: the built-in template, `schemas/opensearch/index-template.json`
    /// ([`crate::INDEX_TEMPLATE`]). Override it to change shards and replicas, or
    /// for a cluster that lacks an analysis filter.
    pub index_body: Option<serde_json::Value>,
}

impl SinkConfig {
    /// A configuration with every default, for the cluster at `base_url`
    /// and the alias `alias`.
    pub fn new(base_url: impl Into<String>, alias: impl Into<String>) -> Self {
        SinkConfig {
            base_url: base_url.into(),
            alias: alias.into(),
            auth: Auth::None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
            read_timeout: None,
            max_bulk_bytes: DEFAULT_MAX_BULK_BYTES,
            max_concurrent_bulks: 2,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_cert_file: None,
            require_alias: true,
            index_body: None,
        }
    }

    /// Checks what can be checked without the network.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| ConfigError::BaseUrl { url: self.base_url.clone(), reason: e.to_string() })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::BaseUrl { url: self.base_url.clone(), reason: "not http(s)".into() });
        }
        // Credentials in the URL would end up in logs and error messages.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::CredentialsInUrl);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::BaseUrl { url: self.base_url.clone(), reason: "has a query".into() });
        }
        check_index_name(&self.alias)
            .map_err(|reason| ConfigError::Alias { alias: self.alias.clone(), reason })?;
        if self.max_bulk_bytes < 1024 {
            return Err(ConfigError::Limit("max_bulk_bytes must be at least 1024"));
        }
        if self.max_concurrent_bulks == 0 {
            return Err(ConfigError::Limit("max_concurrent_bulks must be at least 1"));
        }
        if self.max_response_bytes < 1024 {
            return Err(ConfigError::Limit("max_response_bytes must be at least 1024"));
        }
        Ok(())
    }
}

/// Checks an index or alias name against the servers' rules, so that a name
/// is always safe to put in a URL path unescaped.
pub(crate) fn check_index_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 255 {
        return Err("must be 1 to 255 bytes");
    }
    if name.starts_with(['-', '_', '+', '.']) {
        return Err("must not start with '-', '_', '+' or '.'");
    }
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | '+');
    if !name.chars().all(allowed) {
        return Err("only lower-case ASCII letters, digits, '-', '_', '.' and '+'");
    }
    Ok(())
}

impl fmt::Debug for SinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkConfig")
            .field("base_url", &self.base_url)
            .field("alias", &self.alias)
            .field("auth", &self.auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_bulk_bytes", &self.max_bulk_bytes)
            .field("max_concurrent_bulks", &self.max_concurrent_bulks)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("ca_cert_file", &self.ca_cert_file)
            .field("require_alias", &self.require_alias)
            .field("index_body", &self.index_body.as_ref().map(|_| "custom"))
            .finish()
    }
}

/// How the sink authenticates. Secrets are plain strings handed over by the
/// caller; `Debug` prints `<redacted>` in their place and the HTTP headers
/// carrying them are marked sensitive.
#[derive(Clone, Default)]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// HTTP basic authentication.
    Basic {
        /// The user name (not secret, shown by `Debug`).
        username: String,
        /// The password.
        password: String,
    },
    /// `Authorization: Bearer <token>` (an OIDC or JWT token).
    Bearer(String),
    /// `Authorization: ApiKey <key>`, Elasticsearch's API key in the encoded
    /// form the create-API-key call returns (base64 of `id:api_key`).
    ApiKey(String),
    /// Any other header, such as a proxy's `x-api-key`.
    Header {
        /// The header name (not secret, shown by `Debug`).
        name: String,
        /// The header value.
        value: String,
    },
}

const REDACTED: &str = "<redacted>";

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { username, .. } => {
                f.debug_struct("Basic").field("username", username).field("password", &REDACTED).finish()
            }
            Auth::Bearer(_) => f.debug_tuple("Bearer").field(&REDACTED).finish(),
            Auth::ApiKey(_) => f.debug_tuple("ApiKey").field(&REDACTED).finish(),
            Auth::Header { name, .. } => {
                f.debug_struct("Header").field("name", name).field("value", &REDACTED).finish()
            }
        }
    }
}

/// A configuration the sink cannot work with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The base URL does not parse or is not a plain `http(s)://host:port`.
    #[error("base URL {url:?}: {reason}")]
    BaseUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL carries a user name or password.
    #[error("base URL carries credentials: put them in the auth setting")]
    CredentialsInUrl,
    /// The alias is not a valid index name.
    #[error("alias {alias:?}: {reason}")]
    Alias {
        /// The alias as configured.
        alias: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A size or count limit is out of range.
    #[error("{0}")]
    Limit(&'static str),
    /// The CA certificate file cannot be read or holds no PEM certificate.
    #[error("CA certificate file {path}: {reason}")]
    CaCert {
        /// The file as configured.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A secret cannot be sent as an HTTP header value (a control character).
    #[error("auth: {0}")]
    Auth(&'static str),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_every_secret() {
        let secrets = [
            Auth::Basic { username: "user".into(), password: "pw-secret".into() },
            Auth::Bearer("tok-secret".into()),
            Auth::ApiKey("key-secret".into()),
            Auth::Header { name: "x-api-key".into(), value: "hdr-secret".into() },
        ];
        for auth in secrets {
            let mut config = SinkConfig::new("http://localhost:9200", "gdsn-products");
            config.auth = auth;
            let text = format!("{config:?} {config:#?}");
            assert!(!text.contains("secret"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    #[test]
    fn validation() {
        let ok = SinkConfig::new("https://search.example:9200", "gdsn-products");
        assert!(ok.validate().is_ok());
        let creds = SinkConfig::new("https://u:p@search.example", "gdsn-products");
        assert!(matches!(creds.validate(), Err(ConfigError::CredentialsInUrl)));
        let ftp = SinkConfig::new("ftp://search.example", "gdsn-products");
        assert!(matches!(ftp.validate(), Err(ConfigError::BaseUrl { .. })));
        for alias in ["", "Upper", "a/b", "_x", "a b", "a?b", "a#b"] {
            let bad = SinkConfig::new("http://localhost:9200", alias);
            assert!(matches!(bad.validate(), Err(ConfigError::Alias { .. })), "{alias}");
        }
        let mut zero = SinkConfig::new("http://localhost:9200", "a");
        zero.max_concurrent_bulks = 0;
        assert!(matches!(zero.validate(), Err(ConfigError::Limit(_))));
    }
}
