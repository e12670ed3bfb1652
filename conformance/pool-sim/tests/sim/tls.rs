//! HTTPS and mutual TLS: certificates are made by rcgen at run time (nothing is committed), a
//! client presents its certificate with reqwest's rustls `Identity`, and clients without a valid
//! one are refused at the handshake while the server goes on serving.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use gdsn_pool_sim::{RunningSim, SimError, TlsConfig};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Client, config, eventually, ids, start, tiny};

/// A CA, the simulator's certificate for 127.0.0.1, a client certificate from the same CA and one
/// from a CA the simulator does not trust, all as PEM.
struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
    rogue: (String, String),
}

fn authority() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("CA")
}

/// A certificate for `names` signed by `ca`, and its key.
fn leaf(names: &[&str], ca: &CertifiedIssuer<'static, KeyPair>) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let params = CertificateParams::new(names).expect("params");
    (params.signed_by(&key, ca).expect("signed").pem(), key.serialize_pem())
}

impl Pki {
    fn new() -> Pki {
        let ca = authority();
        Pki {
            ca: ca.pem(),
            server: leaf(&["127.0.0.1", "localhost"], &ca),
            client: leaf(&["gdsn-sync"], &ca),
            rogue: leaf(&["gdsn-sync"], &authority()),
        }
    }

    /// Mutual TLS: the server certificate, client certificates from our CA required.
    fn mtls(&self) -> TlsConfig {
        TlsConfig::new(self.server.0.as_bytes(), self.server.1.as_bytes()).with_client_ca(self.ca.as_bytes())
    }

    /// A client that trusts only our CA and presents `identity` (certificate, key), if any.
    fn client(&self, identity: Option<&(String, String)>) -> reqwest::Client {
        let ca = reqwest::Certificate::from_pem(self.ca.as_bytes()).expect("CA certificate");
        let mut builder = reqwest::Client::builder().tls_certs_only([ca]).timeout(Duration::from_secs(10));
        if let Some((cert, key)) = identity {
            let identity =
                reqwest::Identity::from_pem(format!("{cert}\n{key}").as_bytes()).expect("identity");
            builder = builder.identity(identity);
        }
        builder.build().expect("client")
    }
}

async fn mtls_sim(pki: &Pki, configure: impl FnOnce(&mut TlsConfig)) -> RunningSim {
    let mut config = config(tiny(3));
    let mut tls = pki.mtls();
    configure(&mut tls);
    config.tls = Some(tls);
    start(config).await
}

/// The whole pool API over mutual TLS with the client's certificate: list, fetch, acknowledge, and
/// the admin routes on the same listener; then a prompt shutdown with the keep-alive connection open.
#[tokio::test]
async fn a_client_certificate_from_the_ca_reaches_every_route() {
    let pki = Pki::new();
    let sim = mtls_sim(&pki, |_| {}).await;
    assert!(sim.base_url().starts_with("https://127.0.0.1:"), "{}", sim.base_url());
    let c = Client { http: pki.client(Some(&pki.client)), base: sim.base_url() };

    let (status, page) = c.get_json("inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), ["000001-m01", "000002-m02", "000003-m03"]);
    let xml = c.http.get(c.url("inbox/000001-m01")).send().await.expect("fetch");
    assert_eq!(xml.text().await.expect("body"), r#"<m n="1"/>"#);
    let ack = c.http.post(c.url("inbox/000001-m01/ack")).send().await.expect("ack");
    assert_eq!(ack.status(), StatusCode::OK);
    let state = c.state().await;
    assert_eq!(state.inbox_ids(), ["000002-m02", "000003-m03"]);
    assert!(state.tls_accepted >= 1, "{}", state.tls_accepted);
    assert_eq!(state.tls_refused, 0);

    tokio::time::timeout(Duration::from_secs(5), sim.shutdown()).await.expect("shutdown within 5 s");
}

/// No client certificate, one from another CA, plain HTTP on the TLS port and a connection that
/// never starts its handshake: each is refused (and counted) at the handshake, and a good client is
/// served before, between and after them.
#[tokio::test]
async fn clients_without_a_valid_certificate_are_refused_at_the_handshake() {
    let pki = Pki::new();
    let sim = mtls_sim(&pki, |tls| tls.handshake_timeout = Duration::from_millis(300)).await;
    let good = Client { http: pki.client(Some(&pki.client)), base: sim.base_url() };
    let listed = || async { good.get_json("inbox").await.0 };
    assert_eq!(listed().await, StatusCode::OK);

    // Holds a TCP connection open without a byte: the others are not kept waiting for it.
    let idle = tokio::net::TcpStream::connect(sim.addr()).await.expect("connect");

    let anonymous = pki.client(None).get(good.url("inbox")).send().await;
    assert!(anonymous.is_err(), "no client certificate: {anonymous:?}");
    assert_eq!(listed().await, StatusCode::OK);
    let rogue = pki.client(Some(&pki.rogue)).get(good.url("inbox")).send().await;
    assert!(rogue.is_err(), "a certificate from another CA: {rogue:?}");
    let plain = reqwest::Client::new().get(format!("http://{}/inbox", sim.addr())).send().await;
    assert!(plain.is_err() || plain.is_ok_and(|r| !r.status().is_success()), "plain HTTP");

    eventually("four refused handshakes", || sim.state().tls_refused == 4).await;
    drop(idle);
    assert_eq!(listed().await, StatusCode::OK);
    let state = sim.state();
    assert_eq!(state.requests_to("GET /inbox"), 3, "only the good client's requests were served");
    assert_eq!(state.tls_refused, 4);
}

/// Without a client CA it is plain HTTPS: no certificate needed.
#[tokio::test]
async fn https_without_a_client_ca_needs_no_client_certificate() {
    let pki = Pki::new();
    let mut config = config(tiny(1));
    config.tls = Some(TlsConfig::new(pki.server.0.as_bytes(), pki.server.1.as_bytes()));
    let sim = start(config).await;
    let c = Client { http: pki.client(None), base: sim.base_url() };
    assert_eq!(c.get_json("inbox").await.0, StatusCode::OK);
}

#[tokio::test]
async fn unusable_tls_material_is_a_typed_start_up_error() {
    let pki = Pki::new();
    let attempts = [
        TlsConfig::new("not PEM", pki.server.1.as_bytes()),
        TlsConfig::new(pki.server.0.as_bytes(), "not a key"),
        // The client's key does not belong to the server's certificate.
        TlsConfig::new(pki.server.0.as_bytes(), pki.client.1.as_bytes()),
        pki.mtls().with_client_ca("no certificate here"),
    ];
    for tls in attempts {
        let mut config = config(Vec::new());
        config.tls = Some(tls.clone());
        let result = gdsn_pool_sim::serve(config).await;
        assert!(matches!(result, Err(SimError::Tls(_))), "{tls:?}: {:?}", result.err());
    }
}

/// The command with `--tls-cert`, `--tls-key` and `--client-ca`: the banner says https and mutual
/// TLS, and a client with its certificate lists the inbox.
#[tokio::test]
async fn the_binary_serves_mutual_tls_from_pem_files() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write PEM");
        path
    };
    let messages = dir.path().join("messages");
    std::fs::create_dir(&messages).expect("messages dir");
    std::fs::write(messages.join("a.xml"), "<a/>").expect("a message");
    let args = [
        ("--tls-cert", write("server.pem", &pki.server.0)),
        ("--tls-key", write("server.key", &pki.server.1)),
        ("--client-ca", write("ca.pem", &pki.ca)),
        ("--messages", messages),
    ];
    let mut child = spawn_sim(&args);
    let mut banner = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut banner).expect("banner");
    let base = banner.trim().rsplit(" on ").next().expect("URL").to_owned();

    let page: Result<Value, reqwest::Error> = async {
        let c = pki.client(Some(&pki.client));
        c.get(format!("{base}inbox")).send().await?.error_for_status()?.json().await
    }
    .await;
    let refused = pki.client(None).get(format!("{base}inbox")).send().await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(banner.contains("mutual TLS") && base.starts_with("https://127.0.0.1:"), "{banner}");
    assert_eq!(ids(&page.expect("listed over mutual TLS")), ["000001-a"]);
    assert!(refused.is_err(), "no client certificate: {refused:?}");
}

fn spawn_sim(args: &[(&str, std::path::PathBuf)]) -> std::process::Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gdsn-pool-sim"));
    command.args(["--port", "0"]);
    for (flag, path) in args {
        command.arg(flag).arg(path);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start gdsn-pool-sim")
}
