//! Typed authentication: [`HttpAuth`] for requests we make, [`WebhookAuth`] for pushes we receive.

use std::path::PathBuf;

use url::Url;

use crate::secret::Secret;

/// How requests to a pool's API (or OpenSearch) authenticate. Secrets are resolved; files are absolute
/// paths that were readable PEM when the config was loaded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HttpAuth {
    /// No authentication.
    None,
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token.
        token: Secret,
    },
    /// `HEADER: PREFIX KEY`.
    ApiKey {
        /// A valid header name.
        header: String,
        /// Text before the key; empty when none.
        prefix: String,
        /// The key.
        key: Secret,
    },
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// HMAC-SHA256-signed requests.
    Hmac {
        /// The key id.
        key_id: String,
        /// The shared secret.
        secret: Secret,
        /// Header of the key id.
        key_id_header: String,
        /// Header of the timestamp.
        timestamp_header: String,
        /// Header of the signature.
        signature_header: String,
    },
    /// OAuth2 client-credentials grant.
    OAuth2ClientCredentials {
        /// The token endpoint.
        token_url: Url,
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
        /// Scopes to request, space-separated.
        scope: Option<String>,
    },
    /// OAuth2 password grant.
    OAuth2Password {
        /// The token endpoint.
        token_url: Url,
        /// The client id.
        client_id: String,
        /// The client secret of a confidential client.
        client_secret: Option<Secret>,
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
        /// Scopes to request, space-separated.
        scope: Option<String>,
    },
    /// Mutual TLS with a client certificate.
    Mtls {
        /// PEM certificate chain.
        cert_file: PathBuf,
        /// PEM private key.
        key_file: PathBuf,
        /// PEM CA certificates replacing the system roots.
        ca_file: Option<PathBuf>,
    },
}

/// How a webhook push proves it comes from the pool.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WebhookAuth {
    /// HMAC-SHA256 of the raw body in a header.
    HmacSha256 {
        /// The shared secret.
        secret: Secret,
        /// Header carrying the signature.
        signature_header: String,
        /// Text before the hex signature.
        signature_prefix: String,
    },
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token.
        token: Secret,
    },
}

impl HttpAuth {
    /// The word used for this method in the file (`kind = "..."`).
    pub fn kind(&self) -> &'static str {
        match self {
            HttpAuth::None => "none",
            HttpAuth::Bearer { .. } => "bearer",
            HttpAuth::ApiKey { .. } => "api_key",
            HttpAuth::Basic { .. } => "basic",
            HttpAuth::Hmac { .. } => "hmac",
            HttpAuth::OAuth2ClientCredentials { .. } => "oauth2_client_credentials",
            HttpAuth::OAuth2Password { .. } => "oauth2_password",
            HttpAuth::Mtls { .. } => "mtls",
        }
    }
}
