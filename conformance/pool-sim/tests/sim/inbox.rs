//! The inbox protocol: list with a cursor, fetch, acknowledge.

use base64::Engine;
use gdsn_pool_sim::PayloadMode;
use reqwest::StatusCode;

use crate::helpers::{Client, config, ids, start, tiny};

#[tokio::test]
async fn pages_fetch_and_ack_until_empty() {
    let sim = start(config(tiny(5))).await;
    let client = Client::new(&sim);
    let (status, first) = client.get_json("inbox?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&first), ["000001-m01", "000002-m02"]);
    let entry = &first["messages"][0];
    assert_eq!(entry["size"], 10);
    assert_eq!(entry["content_type"], "application/xml");
    assert_eq!(entry["changed"], "2026-01-01T00:00:00Z");

    // Acknowledging while paging neither skips nor repeats: the cursor points after an entry.
    for id in ids(&first) {
        let body = client.http.get(client.url(&format!("inbox/{id}"))).send().await.unwrap();
        assert_eq!(body.headers()["content-type"], "application/xml");
        assert!(body.text().await.unwrap().starts_with("<m n="));
        let ack = client.http.post(client.url(&format!("inbox/{id}/ack"))).send().await.unwrap();
        assert_eq!(ack.status(), StatusCode::OK);
    }
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = client.get_json(&format!("inbox?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), ["000003-m03", "000004-m04"]);
    let cursor = second["next_cursor"].as_str().unwrap();
    let (_, last) = client.get_json(&format!("inbox?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&last), ["000005-m05"]);
    assert!(last["next_cursor"].is_null());

    // Unacknowledged messages are listed again from the start; acknowledged ones are gone.
    let (_, again) = client.get_json("inbox").await;
    assert_eq!(ids(&again), ["000003-m03", "000004-m04", "000005-m05"]);
    let gone = client.http.get(client.url("inbox/000001-m01")).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    // ... but the changed-since log still serves them.
    let kept = client.http.get(client.url("messages/000001-m01")).send().await.unwrap();
    assert_eq!(kept.status(), StatusCode::OK);
    let state = sim.state();
    assert_eq!(state.inbox_ids(), ["000003-m03", "000004-m04", "000005-m05"]);
    assert_eq!(state.acked.len(), 2);
}

#[tokio::test]
async fn ack_is_idempotent_and_takes_put_and_delete() {
    let sim = start(config(tiny(3))).await;
    let client = Client::new(&sim);
    let put = client.http.put(client.url("inbox/000001-m01/ack")).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let again: serde_json::Value =
        client.http.post(client.url("inbox/000001-m01/ack")).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["already_acknowledged"], true);
    let delete = client.http.delete(client.url("inbox/000002-m02/ack")).send().await.unwrap();
    assert_eq!(delete.status(), StatusCode::OK);
    let unknown = client.http.post(client.url("inbox/nope/ack")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(sim.state().inbox_ids(), ["000003-m03"]);
}

#[tokio::test]
async fn bad_cursor_and_limit_are_400_with_a_code() {
    let sim = start(config(tiny(1))).await;
    let client = Client::new(&sim);
    let (status, body) = client.get_json("inbox?cursor=bm90LW91cnM").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")));
    let (status, body) = client.get_json("inbox?limit=0").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_limit")));
    let (status, body) = client.get_json("no/such/route").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn base64_json_payload_carries_the_xml_at_payload() {
    let mut config = config(tiny(1));
    config.payload = PayloadMode::Base64Json;
    let sim = start(config).await;
    let client = Client::new(&sim);
    let response = client.http.get(client.url("inbox/000001-m01")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let envelope: serde_json::Value = response.json().await.unwrap();
    let xml =
        base64::engine::general_purpose::STANDARD.decode(envelope["payload"].as_str().unwrap()).unwrap();
    assert_eq!(xml, b"<m n=\"1\"/>");
    assert_eq!(envelope["id"], "000001-m01");
}

#[tokio::test]
async fn injected_messages_join_the_inbox() {
    let sim = start(config(tiny(1))).await;
    let client = Client::new(&sim);
    let response =
        client.http.post(client.url("admin/messages?name=late.xml")).body("<late/>").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let added = sim.add_message("later.xml", "<later/>");
    assert_eq!(added.id, "000003-later");
    let (_, page) = client.get_json("inbox").await;
    assert_eq!(ids(&page), ["000001-m01", "000002-late", "000003-later"]);
}
