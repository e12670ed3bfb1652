//! Starting and stopping.

use std::time::{Duration, Instant};

use gdsn_pool_sim::{SimConfig, SimError};

use crate::helpers::{Client, config, start, tiny};

#[tokio::test]
async fn shutdown_is_prompt_with_an_idle_keep_alive_client() {
    let sim = start(config(tiny(1))).await;
    let client = Client::new(&sim);
    assert!(client.get_json("inbox").await.0.is_success());
    let addr = sim.addr();
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown()).await.expect("shutdown within 5 s");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn start_up_errors_are_typed() {
    let sim = start(config(Vec::new())).await;
    let mut taken = SimConfig::new();
    taken.bind = sim.addr();
    assert!(matches!(gdsn_pool_sim::serve(taken).await, Err(SimError::Bind { .. })));
    let mut missing = SimConfig::new();
    missing.messages_dir = Some("/nonexistent/gdsn-pool-sim".into());
    assert!(matches!(gdsn_pool_sim::serve(missing).await, Err(SimError::Io { .. })));
    let mut bad_faults = SimConfig::new();
    bad_faults.faults = serde_json::from_str(r#"{"error_5xx":{"next":1,"status":200}}"#).unwrap();
    assert!(matches!(gdsn_pool_sim::serve(bad_faults).await, Err(SimError::Config(_))));
}
