//! The changed-since protocol: inclusive windows, shared timestamps, page tokens, high-water marks.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Client, config, ids, start, tiny};

const T0: &str = "2026-01-01T00:00:00Z";
const T1: &str = "2026-01-01T00:00:01Z";
const T2: &str = "2026-01-01T00:00:02Z";

/// Every page of a window, following tokens.
async fn window(client: &Client, since: &str, limit: usize) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut query = format!("changes?since={since}&limit={limit}");
    loop {
        let (status, page) = client.get_json(&query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let token = page["next_page_token"].as_str().map(str::to_owned);
        pages.push(page);
        match token {
            Some(token) => query = format!("changes?limit={limit}&page_token={token}"),
            None => return pages,
        }
    }
}

#[tokio::test]
async fn since_is_inclusive_and_three_messages_share_each_second() {
    let sim = start(config(tiny(7))).await;
    let client = Client::new(&sim);
    let changed: Vec<_> = sim.state().messages.iter().map(|m| m.changed.clone()).collect();
    assert_eq!(changed, [T0, T0, T0, T1, T1, T1, T2]);
    let pages = window(&client, T1, 50).await;
    assert_eq!(ids(&pages[0]), ["000004-m04", "000005-m05", "000006-m06", "000007-m07"]);
    assert_eq!(pages[0]["high_water_mark"], T2);
}

#[tokio::test]
async fn page_tokens_split_ties_without_losing_or_repeating() {
    let sim = start(config(tiny(7))).await;
    let client = Client::new(&sim);
    let pages = window(&client, T0, 2).await;
    let listed: Vec<String> = pages.iter().flat_map(ids).collect();
    let want: Vec<String> = (1..=7).map(|i| format!("{i:06}-m{i:02}")).collect();
    assert_eq!(listed, want);
    let marks: Vec<_> = pages.iter().map(|p| p["high_water_mark"].as_str().unwrap().to_owned()).collect();
    assert_eq!(marks, [T0, T1, T1, T2]);
}

#[tokio::test]
async fn overlapping_windows_repeat_ties_and_dedup_by_id_loses_nothing() {
    let sim = start(config(tiny(6))).await;
    let client = Client::new(&sim);
    // A client that read up to m04 (high water T1) starts its next window at the mark itself:
    // m04 comes again (a tie at the edge), and de-duplicating by id leaves exactly the new ones.
    let first = window(&client, T0, 4).await;
    let first_page = &first[0];
    assert_eq!(first_page["high_water_mark"], T1);
    let mut seen: BTreeSet<String> = ids(first_page).into_iter().collect();
    let late = sim.add_message("late.xml", "<late/>");
    let mark = first_page["high_water_mark"].as_str().unwrap();
    let second = window(&client, mark, 50).await;
    let second_ids: Vec<String> = second.iter().flat_map(ids).collect();
    assert_eq!(second_ids[..3], ["000004-m04", "000005-m05", "000006-m06"]);
    let fresh: Vec<String> = second_ids.into_iter().filter(|id| seen.insert(id.clone())).collect();
    assert_eq!(fresh, ["000005-m05", "000006-m06", late.id.as_str()]);
}

#[tokio::test]
async fn empty_windows_and_bad_input() {
    let sim = start(config(tiny(2))).await;
    let client = Client::new(&sim);
    let (status, page) = client.get_json("changes?since=2030-01-01T00:00:00%2B01:00").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), Vec::<String>::new());
    assert_eq!(page["high_water_mark"], "2029-12-31T23:00:00Z");
    assert!(page["next_page_token"].is_null());
    let (status, body) = client.get_json("changes?since=yesterday").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_since")));
    let (status, body) = client.get_json("changes?page_token=xyz").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_page_token")));
    let (status, all) = client.get_json("changes").await;
    assert_eq!((status, ids(&all).len()), (StatusCode::OK, 2));
}
