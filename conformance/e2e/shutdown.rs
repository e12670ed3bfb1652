//! Graceful shutdown under load: SIGTERM while an inbox poll is fetching
//! and pushes arrive; the daemon exits 0 within the drain deadline (plus a
//! margin for the last flush and process exit), and everything the pools
//! saw acknowledged is in the store.

use std::collections::BTreeSet;
use std::time::Duration;

use gdsn_pool_sim::{Faults, SlowBodyFault};

use crate::support::{Cin, DEADLINE, Daemon, Pool, gtin, http_connection, messages, wait_for};

const DRAIN_DEADLINE: Duration = Duration::from_secs(5);
const MARGIN: Duration = Duration::from_secs(3);

#[test]
fn sigterm_under_load_finishes_within_the_deadline() {
    const COUNT: u32 = 12;
    let mut faults = Faults::default();
    faults.slow_body = Some(SlowBodyFault { next: COUNT, chunk_bytes: 1024, interval_ms: 40 });
    let pool = Pool::with(messages("SHUT", 601, COUNT), |c| c.faults = faults);
    let webhook = r#"
[[connections]]
name = "push"
kind = "webhook"
replies = []

[connections.webhook.auth]
kind = "bearer"
token = { plaintext = "push-token" }
"#;
    let inbox = http_connection("pool", "http_inbox", &pool.url(), r#"kind = "none""#, "");
    let mut daemon = Daemon::start(&format!("{inbox}{webhook}"));
    let base = daemon.base.clone();
    let poller = std::thread::spawn(move || {
        let _ = reqwest::blocking::Client::new()
            .post(format!("{base}/v1/connections/pool/poll"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send();
    });
    // Pushes keep coming while the daemon stops; each answered 200 must be stored.
    let url = daemon.url("/v1/webhooks/push");
    let pusher = std::thread::spawn(move || {
        let client = reqwest::blocking::Client::new();
        let mut accepted = Vec::new();
        for i in 0..200u32 {
            let body = Cin::new(&format!("SHUT-push-{i}"), &gtin(602, i)).xml();
            match client.post(&url).bearer_auth("push-token").body(body).send() {
                Ok(r) if r.status().as_u16() == 200 => accepted.push(gtin(602, i)),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        accepted
    });
    wait_for("a first acknowledgement", DEADLINE, || (!pool.acked().is_empty()).then_some(()));
    let took = daemon.sigterm(DRAIN_DEADLINE + MARGIN);
    let _ = poller.join();
    let pushed = pusher.join().expect("the pusher");
    eprintln!(
        "stopped in {took:?} with {} of {COUNT} acknowledged, {} pushes accepted",
        pool.acked().len(),
        pushed.len()
    );
    assert!(took <= DRAIN_DEADLINE + MARGIN, "shutdown took {took:?}");
    let stored: BTreeSet<String> =
        daemon.export().iter().map(|r| r["gtin"].as_str().unwrap_or_default().to_owned()).collect();
    let summaries = pool.state().messages;
    for id in pool.acked() {
        let name = summaries.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
        let i: u32 = name.trim_start_matches("SHUT-").trim_end_matches(".xml").parse().expect("an index");
        assert!(stored.contains(&gtin(601, i)), "acknowledged {id} is stored");
    }
    for g in &pushed {
        assert!(stored.contains(g), "push of {g} answered 200 is stored");
    }
    // What was not acknowledged comes again after a restart.
    daemon.spawn();
    daemon.poll("pool");
    assert!(pool.state().inbox.is_empty());
    // A push made durable whose answer was cut by the shutdown counts too.
    let messages = daemon.store_counts()["messages"].as_u64().unwrap_or(0);
    assert!(messages >= u64::from(COUNT) + pushed.len() as u64, "{messages} messages");
}
