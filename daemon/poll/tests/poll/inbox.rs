//! Inbox paging, payload encodings, acknowledgement only after the handler, outbound replies.

use gdsn_poll::PollError;
use gdsn_pool_sim::PayloadMode;

use crate::helpers::{Recorder, client, inbox_client, sim_config, start};

#[tokio::test]
async fn pages_are_followed_and_every_message_is_acknowledged() {
    let mut config = sim_config(5);
    config.default_page_size = 2;
    let sim = start(config).await;
    let mut handler = Recorder::default();
    let report = inbox_client(&sim).poll_inbox(&mut handler).await.expect("poll");
    assert_eq!((report.pages, report.delivered), (3, 5));
    assert!(handler.got[0].1.starts_with(b"<m n=\"1\">xxx") && handler.got[0].1.len() == 40);
    let state = sim.state();
    assert!(state.inbox.is_empty());
    assert_eq!(state.acked.len(), 5);
}

#[tokio::test]
async fn base64_json_payloads_are_decoded() {
    let mut config = sim_config(2);
    config.payload = PayloadMode::Base64Json;
    let sim = start(config).await;
    let pool = client("http_inbox", &sim, "", r#"payload_encoding = "base64_json""#);
    let mut handler = Recorder::default();
    pool.poll_inbox(&mut handler).await.expect("poll");
    assert!(handler.got[1].1.starts_with(b"<m n=\"2\">"));
    assert!(sim.state().inbox.is_empty());
}

/// A handler that cannot make a message durable stops the poll before its acknowledgement: the
/// message stays in the inbox and the next poll delivers it.
#[tokio::test]
async fn a_failing_handler_leaves_its_message_in_the_inbox() {
    let sim = start(sim_config(3)).await;
    let pool = inbox_client(&sim);
    let second = sim.state().inbox[1].id.clone();
    let mut handler = Recorder { fail: vec![second.clone()], ..Recorder::default() };
    let error = pool.poll_inbox(&mut handler).await.expect_err("an error");
    assert!(matches!(&error, PollError::Handler { id, .. } if *id == second), "{error}");
    assert!(error.to_string().contains("disk full"), "{error}");
    let state = sim.state();
    assert_eq!(state.acked.len(), 1);
    assert_eq!(state.inbox.len(), 2);
    assert_eq!(state.inbox[0].id, second);

    handler.fail.clear();
    pool.poll_inbox(&mut handler).await.expect("second poll");
    assert_eq!(handler.got.len(), 3);
    assert!(sim.state().inbox.is_empty());
}

#[tokio::test]
async fn replies_are_posted_to_the_outbound_path() {
    let sim = start(sim_config(0)).await;
    let pool = inbox_client(&sim);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
    let xml = std::fs::read(root.join("0030_rfcin_reload/input.xml")).expect("case");
    assert_eq!(pool.send_outbound(xml).await.expect("accepted"), 202);
    assert_eq!(sim.state().received.len(), 1);

    let error = pool.send_outbound(b"not xml".to_vec()).await.expect_err("an error");
    assert!(matches!(error, PollError::Client { status: 400, .. }), "{error}");
    assert!(error.to_string().contains("invalid_xml"), "{error}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_drop_folder_connection_has_no_client() {
    let toml =
        "[[connections]]\nname = \"d\"\nkind = \"drop_folder\"\ndrop_folder = { inbox = \"/srv/in\" }\n";
    let config = gdsn_config::Config::from_toml(
        toml,
        std::path::Path::new("/tmp/x.toml"),
        &gdsn_config::OsEnvironment,
    )
    .expect("config");
    let error = gdsn_poll::PoolClient::new(&config.connections[0]).err().expect("refused");
    assert!(matches!(error, PollError::Setup(_)), "{error}");
}
