//! Graceful shutdown under load: SIGTERM while an inbox poll is fetching
//! and pushes arrive; the daemon exits 0 within the drain deadline (plus a
//! margin for the last flush and process exit), and everything the pools
//! saw acknowledged is in the store; and work that outlasts the deadline
//! is cut off, never acknowledged, and comes again.

use std::collections::BTreeSet;
use std::time::Duration;

use gdsn_pool_sim::{Faults, SlowBodyFault};

use crate::support::{
    Cin, DEADLINE, Daemon, NEVER, Pool, config_head, count_files, file_names, gtin, http_connection,
    messages, wait_for,
};

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

/// The drain deadline cuts off work that outlasts it: SIGTERM while a big
/// drop-folder file is being applied. The daemon exits 0 soon after the
/// deadline and says so in its log, the file stays in the inbox (it was
/// never acknowledged), and after a restart the file is applied (whatever
/// chunks committed before the stop are recognised) and moved to `done/`.
#[test]
fn the_drain_deadline_cuts_off_a_long_apply_and_the_file_comes_again() {
    use std::io::Read;

    use gdsn_bench::{CinGenerator, GeneratorConfig};

    const CUT_DEADLINE: Duration = Duration::from_secs(1);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir(&inbox).expect("the inbox");
    // About 100 MB: several seconds to apply, far longer than the deadline.
    let mut generator =
        CinGenerator::new(GeneratorConfig { documents: Some(8_000), target_bytes: None, seed: 11 });
    let mut bytes = Vec::new();
    generator.read_to_end(&mut bytes).expect("generated");
    std::fs::write(inbox.join("big.xml"), &bytes).expect("written");
    drop(bytes);
    let config = format!(
        r#"{}
[[connections]]
name = "drop"
kind = "drop_folder"
schedule = "{NEVER}"
replies = []

[connections.drop_folder]
inbox = "inbox"
min_age_secs = 0
"#,
        config_head().replace("drain_deadline_secs = 5", "drain_deadline_secs = 1")
    );
    let mut daemon = Daemon::start_in(tmp, &config);
    let (base, data) = (daemon.base.clone(), daemon.data.clone());
    let poller = std::thread::spawn(move || {
        let _ = reqwest::blocking::Client::new()
            .post(format!("{base}/v1/connections/drop/poll"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send();
    });
    // The archive file appears as the message streams into the store.
    wait_for("the apply to start", DEADLINE, || {
        std::fs::read_dir(data.join("archive")).ok()?.next().map(|_| ())
    });
    let took = daemon.sigterm(CUT_DEADLINE + MARGIN);
    let _ = poller.join();
    eprintln!("stopped in {took:?}");
    assert!(daemon.log_text().contains("drain deadline passed"), "no cut-off:\n{}", daemon.log_text());
    let done = data.join("dropfolder").join("drop").join("done");
    assert_eq!(file_names(&inbox), vec!["big.xml".to_owned()], "the cut-off file stays in the inbox");
    assert_eq!(count_files(&done), 0, "nothing was acknowledged");

    let unfinished =
        || file_names(&data.join("archive")).into_iter().filter(|n| n.ends_with(".part")).count();
    assert_eq!(unfinished(), 1, "the cut-off apply leaves its unfinished archive file");
    daemon.spawn();
    assert_eq!(unfinished(), 0, "an unfinished archive file is removed at start");
    let report = daemon.poll("drop");
    assert_eq!(report["messages"], 1, "{report}");
    assert_eq!(file_names(&done), vec!["big.xml".to_owned()]);
    assert!(file_names(&inbox).is_empty());
    daemon.sigterm(DRAIN_DEADLINE + MARGIN);
    assert_eq!(daemon.export().len(), generator.trade_items());
}
