//! HTTPS, and mutual TLS when a client CA is configured: the listener performs the TLS handshake of
//! every connection on a task of its own and hands finished streams to axum's server, so the router,
//! its middleware and the graceful shutdown are those of plain HTTP.
//!
//! Who holds what: the accept task owns the TCP listener and a `JoinSet` of handshakes; each
//! handshake that succeeds sends its stream into a bounded channel whose receiver is the
//! [`TlsListener`] that `axum::serve` pulls from. A refused handshake (no client certificate, one
//! from another CA, not TLS at all, or too slow) is logged and counted, and only that connection is
//! closed. When the stop signal comes, the accept task returns and dropping its `JoinSet` aborts the
//! handshakes still in flight; axum stops pulling on the same signal.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig, crypto};
use tokio_rustls::server::TlsStream;

use crate::error::SimError;
use crate::sim::Sim;

/// HTTPS for the simulator: its certificate and key, and, for mutual TLS, the CA that client
/// certificates must chain to. Everything is PEM text, as the files hold it.
#[derive(Clone)]
#[non_exhaustive]
pub struct TlsConfig {
    /// The server's certificate chain, leaf first (PEM, one or more `CERTIFICATE` blocks).
    pub cert_chain_pem: Vec<u8>,
    /// The server's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key_pem: Vec<u8>,
    /// CA certificates (PEM) that client certificates must chain to. `Some`: every connection must
    /// present a valid client certificate (mutual TLS); `None`: plain HTTPS, no client certificate.
    pub client_ca_pem: Option<Vec<u8>>,
    /// How long a client may take to finish its handshake before the connection is dropped.
    pub handshake_timeout: Duration,
}

impl TlsConfig {
    /// HTTPS with this certificate chain and key, no client certificates, a 10 s handshake limit.
    pub fn new(cert_chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> TlsConfig {
        TlsConfig {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
            client_ca_pem: None,
            handshake_timeout: Duration::from_secs(10),
        }
    }

    /// The same, requiring a client certificate that chains to `client_ca_pem` (mutual TLS).
    pub fn with_client_ca(mut self, client_ca_pem: impl Into<Vec<u8>>) -> TlsConfig {
        self.client_ca_pem = Some(client_ca_pem.into());
        self
    }
}

/// The key stays out of logs and panics.
impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_chain_pem", &format_args!("{} bytes", self.cert_chain_pem.len()))
            .field("key_pem", &format_args!("<redacted>"))
            .field("client_ca_pem", &self.client_ca_pem.as_ref().map(Vec::len))
            .field("handshake_timeout", &self.handshake_timeout)
            .finish()
    }
}

/// A checked [`TlsConfig`]: the rustls acceptor and the handshake limit.
pub(crate) struct Tls {
    acceptor: TlsAcceptor,
    timeout: Duration,
}

/// Builds the rustls acceptor. Errors: PEM that holds no certificate or key, a key that does not
/// fit, a CA that cannot be a trust anchor.
pub(crate) fn prepare(config: &TlsConfig) -> Result<Tls, SimError> {
    // One explicit provider: reqwest and rcgen in the same process may enable others, and rustls
    // refuses to pick a process default when more than one is compiled in.
    let provider = Arc::new(crypto::aws_lc_rs::default_provider());
    let chain = certificates(&config.cert_chain_pem, "server certificate chain")?;
    let key = PrivateKeyDer::from_pem_slice(&config.key_pem)
        .map_err(|e| SimError::Tls(format!("server key: {e}")))?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(format!("protocol versions: {e}")))?;
    let builder = match &config.client_ca_pem {
        Some(pem) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(pem, "client CA")? {
                roots.add(cert).map_err(|e| SimError::Tls(format!("client CA: {e}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| SimError::Tls(format!("client certificate verifier: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut server = builder
        .with_single_cert(chain, key)
        .map_err(|e| SimError::Tls(format!("server certificate and key: {e}")))?;
    // axum serves HTTP/1.1 here; offering h2 would make clients choose what is not served.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(server)), timeout: config.handshake_timeout })
}

fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, SimError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SimError::Tls(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(SimError::Tls(format!("{what}: no PEM certificate found")));
    }
    Ok(certs)
}

/// What `axum::serve` accepts from: streams whose handshake is done.
pub(crate) struct TlsListener {
    addr: SocketAddr,
    /// The other end is held by the accept task and its handshakes; `None` once they are gone.
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task stopped: that happens only on the stop signal, which ends the server
            // too, so wait for it rather than invent a connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// Starts the accept task on `tcp`; the returned listener yields its handshaken connections.
pub(crate) fn listen(
    tcp: TcpListener,
    addr: SocketAddr,
    tls: Tls,
    sim: Sim,
    mut stopped: watch::Receiver<bool>,
) -> (TlsListener, JoinHandle<()>) {
    // A few connections may wait between their handshake and axum's next accept; beyond that the
    // handshake tasks wait too, which is the backpressure a burst of clients should meet.
    let (sender, ready) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        let mut handshakes = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => break,
                Some(_) = handshakes.join_next(), if !handshakes.is_empty() => continue,
                accepted = tcp.accept() => accepted,
            };
            match accepted {
                Ok((stream, peer)) => {
                    let handshake = handshake(tls.acceptor.clone(), stream, peer, tls.timeout, sim.clone());
                    let sender = sender.clone();
                    handshakes.spawn(async move {
                        if let Some(tls) = handshake.await {
                            // Refused only when the server is gone: the connection just closes.
                            let _ = sender.send((tls, peer)).await;
                        }
                    });
                }
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    (TlsListener { addr, ready }, task)
}

/// One handshake, bounded by `timeout`; a failure is logged and counted, never raised.
async fn handshake(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
    sim: Sim,
) -> Option<TlsStream<TcpStream>> {
    let error = match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => {
            sim.pool().tls_accepted += 1;
            return Some(tls);
        }
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!("no handshake within {timeout:?}"),
    };
    sim.pool().tls_refused += 1;
    tracing::warn!(%peer, %error, "TLS handshake refused; connection closed");
    None
}
