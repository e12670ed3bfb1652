//! Authentication tables as written: `auth = { kind = "...", ... }`.
//!
//! These are small tables, so they are serde enums tagged by `kind` (a precise schema, one variant per
//! method); the locator points errors inside them at the table, or at the unknown key it names.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::secret::SecretSource;

/// How requests to a pool's API (or to OpenSearch) authenticate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawHttpAuth {
    /// No authentication.
    None,
    /// A static bearer token: `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token.
        token: SecretSource,
    },
    /// A static key in a header of its own: `HEADER: PREFIX KEY`.
    ApiKey {
        /// Name of the header, such as `X-Api-Key`.
        header: String,
        /// Text before the key in the header value, such as `"ApiKey "` for Elasticsearch. Default: none.
        prefix: Option<String>,
        /// The key.
        key: SecretSource,
    },
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: SecretSource,
    },
    /// Requests signed with HMAC-SHA256: the key id, a timestamp and the signature travel in headers
    /// (what is signed is part of the pool API, `schemas/pool-api.openapi.yaml`).
    Hmac {
        /// The key id the pool knows the secret by.
        key_id: String,
        /// The shared secret.
        secret: SecretSource,
        /// Header carrying the key id. Default: `X-Key-Id`.
        key_id_header: Option<String>,
        /// Header carrying the request time (RFC 3339, UTC). Default: `X-Timestamp`.
        timestamp_header: Option<String>,
        /// Header carrying the hex signature. Default: `X-Signature`.
        signature_header: Option<String>,
    },
    /// OAuth2 client-credentials grant; the token is fetched when needed and again after a 401.
    Oauth2ClientCredentials {
        /// The token endpoint (`https://`).
        token_url: String,
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: SecretSource,
        /// Space-separated scopes to request. Default: none.
        scope: Option<String>,
    },
    /// OAuth2 resource-owner password grant, for pools that issue user accounts; refreshed like the
    /// client-credentials grant.
    Oauth2Password {
        /// The token endpoint (`https://`).
        token_url: String,
        /// The client id.
        client_id: String,
        /// The client secret, when the pool gives one. Default: none (a public client).
        client_secret: Option<SecretSource>,
        /// The user name.
        username: String,
        /// The password.
        password: SecretSource,
        /// Space-separated scopes to request. Default: none.
        scope: Option<String>,
    },
    /// Mutual TLS: a client certificate. Files are PEM, absolute or relative to the config file's
    /// directory, and must be readable when the config is loaded.
    Mtls {
        /// The client certificate chain.
        cert_file: PathBuf,
        /// The client's private key.
        key_file: PathBuf,
        /// CA certificates to trust for the server instead of the system roots. Default: system roots.
        ca_file: Option<PathBuf>,
    },
}

/// How a webhook push proves it comes from the pool. Credentials are compared in constant time; a push
/// that fails is answered 401 and nothing is stored.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawWebhookAuth {
    /// An HMAC-SHA256 of the raw body with a shared secret, in a header.
    HmacSha256 {
        /// The shared secret.
        secret: SecretSource,
        /// Header carrying the signature. Default: `X-Signature-256`.
        signature_header: Option<String>,
        /// Text before the hex signature in the header. Default: `"sha256="`.
        signature_prefix: Option<String>,
    },
    /// A static bearer token: `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token.
        token: SecretSource,
    },
}

impl RawHttpAuth {
    /// The `kind` word of this method.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            RawHttpAuth::None => "none",
            RawHttpAuth::Bearer { .. } => "bearer",
            RawHttpAuth::ApiKey { .. } => "api_key",
            RawHttpAuth::Basic { .. } => "basic",
            RawHttpAuth::Hmac { .. } => "hmac",
            RawHttpAuth::Oauth2ClientCredentials { .. } => "oauth2_client_credentials",
            RawHttpAuth::Oauth2Password { .. } => "oauth2_password",
            RawHttpAuth::Mtls { .. } => "mtls",
        }
    }
}
