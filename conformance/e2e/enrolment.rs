//! An enrolment carried from `requested` to `synchronised`: `gdsn-sync
//! enrol` queues a CIS and an RFCIN; the daemon delivers both to the
//! pool's `/outbound` (`sent`); the pool answers the CIS with a GS1
//! Response ACCEPTED (`subscribed`) and the RFCIN with reload copies of
//! the provider's CINs (`loading`); once the reload has been quiet for
//! `store.reload_quiet_secs` the daemon closes the session and sweeps
//! (`synchronised`).

use std::process::Command;

use serde_json::Value;

use crate::support::{
    DEADLINE, Daemon, POOL_GLN, PROVIDER_GLN, Pool, config_head, gtin, http_connection, lines, messages,
    wait_for,
};

const NAME: &str = "pool";

/// `gdsn-sync enrolments --json` (the daemon must be stopped).
fn enrolment(dir: &std::path::Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["enrolments", "--json", "--data-dir", "data"])
        .current_dir(dir)
        .output()
        .expect("gdsn-sync enrolments");
    assert!(out.status.success(), "enrolments: {}", String::from_utf8_lossy(&out.stderr));
    let list = lines(&out.stdout);
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].clone()
}

fn history(enrolment: &Value) -> Vec<String> {
    enrolment["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|t| t["state"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn enrolment_from_requested_to_synchronised() {
    // The provider's catalogue at the pool: what the RFCIN asks to reload.
    let pool = Pool::with(messages("CAT", 701, 3), |_| {});
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let config = format!(
        "{}\n[store]\nreload_quiet_secs = 1\n{}",
        config_head(),
        http_connection(NAME, "http_inbox", &pool.url(), r#"kind = "none""#, "")
    );
    std::fs::write(tmp.path().join("gdsn-sync.toml"), &config).expect("the config");
    let enrol = Command::new(env!("CARGO_BIN_EXE_gdsn-sync"))
        .args(["enrol", "--provider-gln", PROVIDER_GLN, "--target-market", "250", "--connection", NAME])
        .args(["--config", "gdsn-sync.toml", "--pool-gln", POOL_GLN, "--data-dir", "data"])
        .current_dir(tmp.path())
        .output()
        .expect("gdsn-sync enrol");
    assert!(enrol.status.success(), "enrol: {}", String::from_utf8_lossy(&enrol.stderr));
    let dir = tmp.path().to_owned();
    assert_eq!(enrolment(&dir)["state"], "requested");

    let mut daemon = Daemon::start_in(tmp, &config);
    // The outbound sender delivers the queued CIS and RFCIN at start.
    let received = wait_for("the CIS and the RFCIN at the pool", DEADLINE, || {
        let received = pool.state().received;
        (received.len() == 2).then_some(received)
    });
    let roots: Vec<&str> = received.iter().map(|r| r.root.as_str()).collect();
    assert_eq!(roots, ["catalogueItemSubscriptionMessage", "requestForCatalogueItemNotificationMessage"]);
    for receipt in &received {
        assert_eq!(receipt.outcome, "accepted", "{:?}", receipt.error);
    }
    assert_eq!(received[1].queued.len(), 3, "a reload copy of each CIN");
    daemon.sigterm(DEADLINE);
    assert_eq!(enrolment(&dir)["state"], "sent");

    daemon.spawn();
    // The three CINs, the GS1 Response and the three reload copies.
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 7, "{report}");
    wait_for("the reload session to close", DEADLINE, || {
        daemon.log_text().contains("reload session closed after its quiet period").then_some(())
    });
    for i in 0..3 {
        daemon.wait_lookup(&gtin(701, i));
    }
    daemon.sigterm(DEADLINE);
    let enrolment = enrolment(&dir);
    assert_eq!(enrolment["state"], "synchronised", "{enrolment}");
    assert_eq!(
        history(&enrolment),
        ["requested", "sent", "subscribed", "loading", "synchronised"],
        "{enrolment}"
    );
    assert_eq!(enrolment["items"], 3, "{enrolment}");
}
