//! [`PoolClient`]: one connection's reqwest client with its authentication, and the one function every
//! request goes through (`send`), which refreshes an OAuth2 token once on 401.

use gdsn_config::{ChangedSinceApi, Connection, HttpAuth, HttpClient, InboxApi, Transport};
use reqwest::{Method, Response, Url};

use crate::auth::Auth;
use crate::error::PollError;
use crate::response::{Expect, read_capped, status_error};

/// The protocol a connection polls with.
pub(crate) enum Api {
    Inbox(InboxApi),
    ChangedSince(ChangedSinceApi),
    /// A webhook connection's client only delivers replies.
    OutboundOnly,
}

/// The HTTP client of one data pool connection: built once from its typed config, then used for
/// every poll and every outbound delivery. Cheap to share behind an `Arc`; requests may run
/// concurrently.
pub struct PoolClient {
    pub(crate) name: String,
    pub(crate) http: reqwest::Client,
    pub(crate) settings: HttpClient,
    pub(crate) api: Api,
    auth: Auth,
}

impl PoolClient {
    /// A client for `connection`. Errors: a transport without an HTTP client (drop folder, a webhook
    /// without one), PEM files that do not load, a TLS setup reqwest refuses.
    pub fn new(connection: &Connection) -> Result<Self, PollError> {
        let (settings, api) = match &connection.transport {
            Transport::HttpInbox { http, api, .. } => (http.clone(), Api::Inbox(api.clone())),
            Transport::HttpChangedSince { http, api, .. } => (http.clone(), Api::ChangedSince(api.clone())),
            Transport::Webhook { http: Some(http), .. } => (http.clone(), Api::OutboundOnly),
            _ => {
                return Err(PollError::Setup(format!("connection {} has no HTTP client", connection.name)));
            }
        };
        let http = build_http(&settings)?;
        let auth = Auth::new(&settings.auth);
        Ok(PoolClient { name: connection.name.clone(), http, settings, api, auth })
    }

    /// The connection's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reaches the pool once, as a poll would begin: the first list page
    /// (with authentication, an OAuth2 token fetched if configured), read
    /// as JSON and dropped; nothing is fetched or acknowledged. `Ok(None)`
    /// for a client that only sends replies (nothing to list).
    pub async fn probe(&self) -> Result<Option<String>, PollError> {
        let url = match &self.api {
            Api::Inbox(api) => api.list_url.clone(),
            Api::ChangedSince(api) => api.list_url.clone(),
            Api::OutboundOnly => return Ok(None),
        };
        self.get_json(url.clone()).await?;
        Ok(Some(url.to_string()))
    }

    /// POSTs one outbound message (CIC, CIS, RFCIN, GS1 Response) as `application/xml` to the
    /// configured outbound URL. Returns the success status (the simulator answers 202, or 200 for a
    /// repeat of the same bytes).
    pub async fn send_outbound(&self, xml: Vec<u8>) -> Result<u16, PollError> {
        let url = self.settings.outbound_url.clone();
        let response = self.send(Method::POST, url, Some(xml)).await?;
        let status = response.status().as_u16();
        // Drain (bounded) so the connection can be reused; the receipt itself is not needed.
        let cap = self.settings.max_body_bytes.min(1 << 20);
        read_capped(response, self.settings.outbound_url.as_str(), cap).await?;
        Ok(status)
    }

    /// One request with authentication; a 401 under OAuth2 drops the token and tries once more.
    /// Success statuses come back; every other status is turned into its [`PollError`].
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Response, PollError> {
        let mut response = self.send_once(&method, &url, body.as_deref()).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED && self.auth.refreshable() {
            tracing::info!(connection = %self.name, %url, "access token refused, fetching a new one");
            self.auth.invalidate().await;
            response = self.send_once(&method, &url, body.as_deref()).await?;
        }
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(status_error(response, url.as_str()).await)
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
    ) -> Result<Response, PollError> {
        let mut builder = self.http.request(method.clone(), url.clone());
        if let Some(body) = body {
            builder = builder.header("content-type", "application/xml").body(body.to_vec());
        }
        let builder = self.auth.apply(&self.http, builder, method, url, body.unwrap_or_default()).await?;
        builder.send().await.map_err(|e| PollError::from_reqwest(url.as_str(), e))
    }

    /// GET `url` and read its body, labelled `expect`, under the cap.
    pub(crate) async fn get(&self, url: Url, expect: Expect) -> Result<Vec<u8>, PollError> {
        let response = self.send(Method::GET, url.clone(), None).await?;
        expect.check(&response, url.as_str())?;
        read_capped(response, url.as_str(), self.settings.max_body_bytes).await
    }

    /// GET `url` as JSON.
    pub(crate) async fn get_json(&self, url: Url) -> Result<serde_json::Value, PollError> {
        let body = self.get(url.clone(), Expect::Json).await?;
        serde_json::from_slice(&body).map_err(|e| PollError::protocol(url.as_str(), format!("not JSON: {e}")))
    }
}

/// The reqwest client: the configured timeouts, no redirects to other hosts' credentials, and the
/// TLS client identity for mutual TLS.
fn build_http(settings: &HttpClient) -> Result<reqwest::Client, PollError> {
    let timeouts = settings.timeouts;
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .read_timeout(timeouts.read)
        .timeout(timeouts.total)
        // A redirect would resend signed or authorised requests elsewhere; pools do not redirect.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("gdsn-sync/", env!("CARGO_PKG_VERSION")));
    if let HttpAuth::Mtls { cert_file, key_file, ca_file } = &settings.auth {
        let mut pem = read_pem(cert_file)?;
        pem.push(b'\n');
        pem.extend(read_pem(key_file)?);
        let identity = reqwest::Identity::from_pem(&pem)
            .map_err(|e| PollError::Setup(format!("client identity {}: {e}", cert_file.display())))?;
        builder = builder.identity(identity);
        if let Some(ca_file) = ca_file {
            let certs = reqwest::Certificate::from_pem_bundle(&read_pem(ca_file)?)
                .map_err(|e| PollError::Setup(format!("CA file {}: {e}", ca_file.display())))?;
            builder = builder.tls_certs_only(certs);
        }
    }
    builder.build().map_err(|e| PollError::Setup(format!("HTTP client: {e}")))
}

fn read_pem(path: &std::path::Path) -> Result<Vec<u8>, PollError> {
    std::fs::read(path).map_err(|e| PollError::Setup(format!("cannot read {}: {e}", path.display())))
}
