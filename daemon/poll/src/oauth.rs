//! OAuth2 tokens (client-credentials and password grants): fetched on first use, cached until shortly
//! before they expire, and dropped when the pool answers 401 so the next request fetches a new one.

use std::time::{Duration, Instant};

use gdsn_config::{HttpAuth, Secret};
use reqwest::Url;
use tokio::sync::Mutex;

use crate::error::PollError;
use crate::response::{excerpt, read_capped};

/// Token responses are small; a larger one is refused.
const TOKEN_BODY_CAP: u64 = 64 * 1024;
/// A token is renewed this long before the pool says it expires, so it does not lapse in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The grant of one connection and the token it last gave.
pub(crate) struct TokenCache {
    token_url: Url,
    client_id: String,
    client_secret: Option<Secret>,
    /// User name and password for the password grant.
    user: Option<(String, Secret)>,
    scope: Option<String>,
    cached: Mutex<Option<(Secret, Option<Instant>)>>,
}

impl TokenCache {
    pub(crate) fn new(auth: &HttpAuth) -> Option<Self> {
        let (token_url, client_id, client_secret, user, scope) = match auth {
            HttpAuth::OAuth2ClientCredentials { token_url, client_id, client_secret, scope } => {
                (token_url, client_id, Some(client_secret.clone()), None, scope)
            }
            HttpAuth::OAuth2Password { token_url, client_id, client_secret, username, password, scope } => (
                token_url,
                client_id,
                client_secret.clone(),
                Some((username.clone(), password.clone())),
                scope,
            ),
            _ => return None,
        };
        Some(TokenCache {
            token_url: token_url.clone(),
            client_id: client_id.clone(),
            client_secret,
            user,
            scope: scope.clone(),
            cached: Mutex::new(None),
        })
    }

    pub(crate) async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    /// The cached token, or a new one. The lock is held while fetching so concurrent requests share
    /// one token request.
    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<Secret, PollError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && expires.is_none_or(|at| Instant::now() < at)
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = self.fetch(http).await?;
        let expires = lifetime.map(|secs| {
            let lifetime = Duration::from_secs(secs);
            // A tenth of a short lifetime, so a one-minute token is not refetched on every request.
            Instant::now() + lifetime - EXPIRY_MARGIN.min(lifetime / 10)
        });
        *cached = Some((token.clone(), expires));
        tracing::debug!(token_url = %self.token_url, "fetched an OAuth2 access token");
        Ok(token)
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(Secret, Option<u64>), PollError> {
        let url = self.token_url.as_str();
        let mut request = http
            .post(self.token_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(self.form());
        if let Some(secret) = &self.client_secret {
            request = request.basic_auth(&self.client_id, Some(secret.expose()));
        }
        let response = request.send().await.map_err(|e| PollError::from_reqwest(url, e))?;
        let status = response.status();
        let body = read_capped(response, url, TOKEN_BODY_CAP).await?;
        if !status.is_success() {
            let (url, status, excerpt) = (url.to_owned(), status.as_u16(), excerpt(&body));
            return Err(match status {
                400 | 401 | 403 => PollError::Unauthorized { url, status, excerpt },
                500..=599 => PollError::Server { url, status, excerpt },
                _ => PollError::Client { url, status, excerpt },
            });
        }
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| PollError::protocol(url, format!("token response is not JSON: {e}")))?;
        let token = json["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PollError::protocol(url, "token response has no access_token"))?;
        Ok((Secret::new(token), json["expires_in"].as_u64()))
    }

    fn form(&self) -> String {
        let mut pairs = Vec::new();
        match &self.user {
            Some((username, password)) => {
                pairs.push(("grant_type", "password"));
                pairs.push(("username", username.as_str()));
                pairs.push(("password", password.expose()));
            }
            None => pairs.push(("grant_type", "client_credentials")),
        }
        if self.client_secret.is_none() {
            // A public client names itself in the form, having no secret for basic auth.
            pairs.push(("client_id", self.client_id.as_str()));
        }
        if let Some(scope) = &self.scope {
            pairs.push(("scope", scope.as_str()));
        }
        let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", form_encode(v))).collect();
        encoded.join("&")
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
