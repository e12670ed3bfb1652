//! The changed-since API: windows that overlap the last high-water mark,
//! so a message the pool stamps with the mark itself after the poll is not
//! lost, and messages already delivered are not fetched again; the cursor
//! survives a restart; a SIGKILL mid-poll loses and repeats nothing.

use gdsn_pool_sim::{Faults, SlowBodyFault};
use time::OffsetDateTime;

use crate::support::{Cin, DEADLINE, Daemon, Pool, gtin, http_connection, messages, wait_for};

const NAME: &str = "changes";

fn daemon(pool: &Pool) -> Daemon {
    Daemon::start(&http_connection(NAME, "http_changed_since", &pool.url(), r#"kind = "none""#, ""))
}

/// Seven messages, three per change time, two per page; the pool's clock
/// starts a minute ahead, so a message added later is stamped with the
/// last change time already served (a row committed late under the mark).
fn pool() -> Pool {
    Pool::with(messages("CS", 501, 7), |c| {
        c.shared_timestamps = 3;
        c.default_page_size = 2;
        c.epoch = Some(OffsetDateTime::now_utc() + time::Duration::minutes(1));
    })
}

fn add(pool: &Pool, i: u32) {
    let id = format!("CS-late-{i}");
    pool.add(&format!("{id}.xml"), Cin::new(&id, &gtin(501, i)).xml());
}

#[test]
fn shared_cursor_values_are_not_lost_nor_repeated() {
    let pool = pool();
    let daemon = daemon(&pool);
    assert_eq!(daemon.poll(NAME)["messages"], 7);
    let mark = pool.state().messages.last().map(|m| m.changed.clone());
    add(&pool, 7);
    add(&pool, 8);
    let state = pool.state();
    assert_eq!(state.messages[7].changed, mark.clone().unwrap_or_default(), "stamped with the mark");
    assert_eq!(state.messages[8].changed, mark.unwrap_or_default());
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 2, "only the two new ones: {report}");
    assert_eq!(daemon.poll(NAME)["messages"], 0, "nothing new");
    assert_eq!(daemon.store_counts()["messages"], 9);
    // Each of the nine served by exactly one fetch.
    assert_eq!(pool.state().requests_to("GET /messages/{id}"), 9);
    for i in 0..9 {
        daemon.wait_lookup(&gtin(501, i));
    }
}

#[test]
fn cursor_survives_a_restart() {
    let pool = pool();
    let mut daemon = daemon(&pool);
    assert_eq!(daemon.poll(NAME)["messages"], 7);
    daemon.sigterm(DEADLINE);
    daemon.spawn();
    add(&pool, 7);
    let report = daemon.poll(NAME);
    assert_eq!(report["messages"], 1, "from the stored cursor, not from the start: {report}");
    assert_eq!(pool.state().requests_to("GET /messages/{id}"), 8);
    assert_eq!(daemon.store_counts()["messages"], 8);
}

/// SIGKILL while fetching slow bodies: the cursor was not saved past what
/// was durable, so after the restart the rest comes, the durable ones are
/// recognised, and every item is stored once.
#[test]
fn sigkill_mid_poll_then_restart() {
    const COUNT: u32 = 8;
    let mut faults = Faults::default();
    faults.slow_body = Some(SlowBodyFault { next: COUNT, chunk_bytes: 1024, interval_ms: 60 });
    let pool = Pool::with(messages("CSKILL", 502, COUNT), |c| c.faults = faults);
    let mut daemon = daemon(&pool);
    let base = daemon.base.clone();
    let poller = std::thread::spawn(move || {
        let _ = reqwest::blocking::Client::new()
            .post(format!("{base}/v1/connections/{NAME}/poll"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send();
    });
    wait_for("a first message durable", DEADLINE, || {
        (daemon.store_counts()["messages"].as_u64().unwrap_or(0) > 0).then_some(())
    });
    daemon.kill();
    let _ = poller.join();
    daemon.spawn();
    let at_restart = daemon.store_counts()["messages"].as_u64().unwrap_or(0);
    assert!(at_restart < u64::from(COUNT), "killed mid-poll ({at_restart} durable)");
    daemon.poll(NAME);
    assert_eq!(daemon.store_counts()["messages"], u64::from(COUNT));
    daemon.wait_published();
    daemon.sigterm(DEADLINE);
    let records = daemon.export();
    assert_eq!(records.len(), COUNT as usize, "each item once");
}
