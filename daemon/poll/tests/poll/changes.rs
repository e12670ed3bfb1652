//! Changed-since: overlapping windows over shared timestamps lose nothing and deliver each id once.

use gdsn_poll::ChangedSinceState;

use crate::helpers::{Recorder, client, sim_config, start};

/// Through JSON, as the caller stores it between polls.
fn stored(state: &ChangedSinceState) -> ChangedSinceState {
    serde_json::from_str(&serde_json::to_string(state).expect("serialise")).expect("deserialise")
}

#[tokio::test]
async fn shared_timestamps_lose_nothing_and_repeat_nothing() {
    let mut config = sim_config(10);
    config.shared_timestamps = 3;
    config.default_page_size = 2;
    let sim = start(config).await;
    let pool = client("http_changed_since", &sim, "", "overlap_secs = 300");
    let mut handler = Recorder::default();
    let mut state = ChangedSinceState::default();

    let report = pool.poll_changes(&mut state, &mut handler).await.expect("first poll");
    assert_eq!((report.delivered, report.pages), (10, 5));
    assert!(state.high_water_mark.is_some());

    // The next window reaches back over everything: all of it is a repeat.
    let mut state = stored(&state);
    let report = pool.poll_changes(&mut state, &mut handler).await.expect("second poll");
    assert_eq!((report.delivered, report.repeats), (0, 10));

    sim.add_message("late.xml", "<late/>");
    let mut state = stored(&state);
    let report = pool.poll_changes(&mut state, &mut handler).await.expect("third poll");
    assert_eq!(report.delivered, 1);

    let mut ids = handler.ids();
    assert_eq!(ids.len(), 11);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 11, "each id once");
}

/// A handler failure part-way leaves the state consistent: the next poll delivers the rest, each once.
#[tokio::test]
async fn a_failed_poll_resumes_without_loss_or_repeats() {
    let mut config = sim_config(7);
    config.default_page_size = 3;
    let sim = start(config).await;
    let pool = client("http_changed_since", &sim, "", "");
    let fifth = sim.state().messages[4].id.clone();
    let mut handler = Recorder { fail: vec![fifth], ..Recorder::default() };
    let mut state = ChangedSinceState::default();
    assert!(pool.poll_changes(&mut state, &mut handler).await.is_err());
    assert_eq!(handler.got.len(), 4);

    handler.fail.clear();
    let mut state = stored(&state);
    pool.poll_changes(&mut state, &mut handler).await.expect("resumed");
    let ids = handler.ids();
    let expected: Vec<String> = sim.state().messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, expected);
}
