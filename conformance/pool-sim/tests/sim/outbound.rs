//! `POST /outbound`: checks, receipts, RFCIN reloads and CIS responses.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Client, cases, config, ids, start};

const CINS: [&str; 6] = [
    "0001_cin_single_each",
    "0002_cin_pallet_case_each",
    "0003_cin_change_by_refresh",
    "0004_cin_correct",
    "0005_cin_delete",
    "0006_cin_reload",
];

/// The input of a conformance case.
pub(crate) fn message(case: &str) -> Vec<u8> {
    cases(&[case]).remove(0).1
}

fn text(case: &str) -> String {
    String::from_utf8(message(case)).expect("UTF-8 case")
}

#[tokio::test]
async fn rfcin_queues_reload_copies_of_the_selected_items() {
    let sim = start(config(cases(&CINS))).await;
    let client = Client::new(&sim);
    // Case 0030 asks for provider 7612345000008 in Belgium (056): only case 0006.
    let (status, receipt) = client.post_xml("outbound", &message("0030_rfcin_reload")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
    assert_eq!(receipt["queued"], serde_json::json!(["000007-reload-0006_cin_reload"]));

    // The same request for provider 3012345000000 in France (250): cases 0001, 0003, 0004, 0005.
    let france = text("0030_rfcin_reload")
        .replace("<dataSource>7612345000008", "<dataSource>3012345000000")
        .replace("<targetMarketCountryCode>056", "<targetMarketCountryCode>250")
        .replace("MSG-0030", "MSG-RFCIN-FR");
    let (_, receipt) = client.post_xml("outbound", france.as_bytes()).await;
    let queued: Vec<&str> =
        receipt["queued"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(queued.len(), 4, "{receipt}");
    for (id, case) in queued.iter().zip(["0001", "0003", "0004", "0005"]) {
        assert!(id.contains(case), "{id} should be a reload of {case}");
    }

    let (_, inbox) = client.get_json("inbox?limit=100").await;
    assert_eq!(ids(&inbox).len(), 11);
    assert_eq!(inbox["messages"][6]["reload"], true);
    let copy = client.http.get(client.url(&format!("inbox/{}", queued[0]))).send().await.unwrap();
    let copy = copy.text().await.unwrap();
    assert!(copy.contains("<isReload>true</isReload>"));
    assert!(!copy.contains("<isReload>false</isReload>"));
    assert!(
        copy.contains("InstanceIdentifier>MSG-0001-RELOAD-r000002<"),
        "reload copies get a new message id"
    );
}

#[tokio::test]
async fn cis_queues_a_gs1_response_accepted() {
    let sim = start(config(Vec::new())).await;
    let client = Client::new(&sim);
    let (status, receipt) = client.post_xml("outbound", &message("0029_cis_add")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(receipt["message_type"], "catalogueItemSubscriptionMessage");
    assert_eq!(receipt["instance_identifier"], "MSG-0029");
    let id = receipt["queued"][0].as_str().unwrap();
    let response =
        client.http.get(client.url(&format!("inbox/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(response.contains("gS1ResponseMessage"));
    assert!(response.contains("<responseStatusCode>ACCEPTED</responseStatusCode>"));
    assert!(response.contains("<entityIdentification>MSG-0029</entityIdentification>"));
    assert!(response.contains("<entityIdentification>TRX-0029-1</entityIdentification>"));
    assert!(response.contains("<receiver>5412345000006</receiver>"));
}

#[tokio::test]
async fn bad_messages_are_refused_and_recorded() {
    let sim = start(config(Vec::new())).await;
    let client = Client::new(&sim);
    let code = |v: &Value| v["error"].as_str().unwrap_or_default().to_owned();
    let (status, body) = client.post_xml("outbound", b"<a><b></a>").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "invalid_xml".into()));
    let (status, body) = client.post_xml("outbound", b"<catalogueItemConfirmationMessage/>").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "missing_sbdh".into()));
    let (status, body) = client.post_xml("outbound", &message("0035_doctype_xxe")).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "invalid_xml".into()));
    let (status, body) = client.post_xml("outbound", &message("0001_cin_single_each")).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_message".into()));
    let plain =
        client.http.post(client.url("outbound")).header("content-type", "text/plain").body("x").send();
    assert_eq!(plain.await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // The same CIC twice: recorded once, the repeat answered with the first receipt.
    let (first, a) = client.post_xml("outbound", &message("0028_cic_review")).await;
    let (again, b) = client.post_xml("outbound", &message("0028_cic_review")).await;
    assert_eq!((first, again), (StatusCode::ACCEPTED, StatusCode::OK));
    assert_eq!((a["id"].clone(), b["repeat"].clone()), (b["id"].clone(), Value::Bool(true)));

    let (_, received) = client.get_json("admin/received").await;
    let outcomes: Vec<&str> =
        received.as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["rejected", "rejected", "rejected", "rejected", "accepted"]);
}
