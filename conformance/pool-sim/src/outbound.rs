//! What the pool does with a message the client sends it (`POST /outbound`, or a file in the drop
//! folder's outbound folder): check it, record it, and react as a pool would. An RFCIN queues reload
//! copies of the matching messages; a CIS queues a GS1 Response ACCEPTED.

use bytes::Bytes;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::pool::{Origin, Receipt};
use crate::response::{self, Accepted};
use crate::sim::Sim;
use crate::xml::{self, Scan, Selection};

/// The roots a data recipient sends to its pool.
const ACCEPTED_ROOTS: [&str; 4] = [
    "catalogueItemConfirmationMessage",
    "catalogueItemSubscriptionMessage",
    "requestForCatalogueItemNotificationMessage",
    "gS1ResponseMessage",
];

/// Whether the receipt is new or repeats an earlier identical message.
pub(crate) enum Received {
    New(Receipt),
    Repeat(Receipt),
}

/// Checks, records and reacts to one outbound message. A refused one is recorded too (outcome
/// `rejected`), so tests can see what was sent.
pub(crate) fn receive(sim: &Sim, body: &Bytes, via: &str) -> Result<Received, ApiError> {
    let text = String::from_utf8_lossy(body).into_owned();
    let scan = match check(body) {
        Ok(scan) => scan,
        Err(error) => {
            record(sim, rejected(via, text, &error));
            return Err(error);
        }
    };
    // At-least-once delivery means the client may send the same bytes twice: answer as before.
    if let Some(earlier) = sim.pool().received.iter().find(|r| r.outcome == "accepted" && r.xml == text) {
        return Ok(Received::Repeat(earlier.clone()));
    }
    let mut receipt = Receipt {
        id: String::new(),
        via: via.to_owned(),
        root: scan.root.clone(),
        instance_identifier: scan.instance_id.clone(),
        sender: scan.sender.clone(),
        outcome: "accepted".to_owned(),
        error: None,
        queued: Vec::new(),
        xml: text,
    };
    receipt.id = next_receipt_id(sim);
    receipt.queued = react(sim, &scan, &receipt.id);
    record(sim, receipt.clone());
    Ok(Received::New(receipt))
}

fn check(body: &[u8]) -> Result<Scan, ApiError> {
    let scan = xml::scan(body)
        .map_err(|e| ApiError::bad_request("invalid_xml", format!("not well-formed XML: {e}")))?;
    if !scan.has_sbdh {
        return Err(ApiError::bad_request(
            "missing_sbdh",
            "the message has no StandardBusinessDocumentHeader as the first child of its root",
        ));
    }
    if !ACCEPTED_ROOTS.contains(&scan.root.as_str()) {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_message",
            format!(
                "a pool takes CIC, CIS, RFCIN and GS1 Response messages from a recipient, not {}",
                scan.root
            ),
        ));
    }
    Ok(scan)
}

fn rejected(via: &str, xml: String, error: &ApiError) -> Receipt {
    Receipt {
        id: String::new(),
        via: via.to_owned(),
        root: String::new(),
        instance_identifier: None,
        sender: None,
        outcome: "rejected".to_owned(),
        error: Some(error.message.clone()),
        queued: Vec::new(),
        xml,
    }
}

/// Ids come from a counter, not from the number of receipts, so that two messages received at once
/// never share one (a receipt is recorded only after its reactions are queued).
fn next_receipt_id(sim: &Sim) -> String {
    let mut pool = sim.pool();
    pool.receipts_issued += 1;
    format!("r{:06}", pool.receipts_issued)
}

fn record(sim: &Sim, mut receipt: Receipt) {
    if receipt.id.is_empty() {
        receipt.id = next_receipt_id(sim);
    }
    sim.pool().received.push(receipt);
}

/// Queues what the pool sends back; returns the ids queued.
fn react(sim: &Sim, scan: &Scan, receipt_id: &str) -> Vec<String> {
    match scan.root.as_str() {
        "requestForCatalogueItemNotificationMessage" => reload(sim, &scan.reload_requests, receipt_id),
        "catalogueItemSubscriptionMessage" => vec![answer_subscription(sim, scan, receipt_id)],
        _ => Vec::new(),
    }
}

/// Re-queues every original CIN that one of the request's documents selects, as a reload copy.
fn reload(sim: &Sim, selections: &[Selection], receipt_id: &str) -> Vec<String> {
    let all = [Selection::default()];
    let selections = if selections.is_empty() { &all[..] } else { selections };
    let originals: Vec<_> = sim
        .pool()
        .log()
        .iter()
        .filter(|m| m.origin == Origin::File && m.scan.root == "catalogueItemNotificationMessage")
        .filter(|m| selections.iter().any(|s| m.scan.matches(s)))
        .cloned()
        .collect();
    let suffix = format!("-RELOAD-{receipt_id}");
    originals
        .iter()
        .map(|m| {
            let copy = xml::reload_copy(&m.body, m.scan.instance_id.as_deref(), &suffix);
            let origin = Origin::Reload { of: m.id.clone(), request: receipt_id.to_owned() };
            sim.add(&format!("reload-{}", m.name), Bytes::from(copy), origin).id.clone()
        })
        .collect()
}

fn answer_subscription(sim: &Sim, scan: &Scan, receipt_id: &str) -> String {
    let original = scan.instance_id.as_deref().unwrap_or("unknown");
    let response_id = format!("RESP-{original}");
    let xml = response::accepted(&Accepted {
        pool_gln: &sim.config.pool_gln,
        recipient_gln: scan.sender.as_deref().unwrap_or_default(),
        original_id: original,
        transactions: &scan.transactions,
        response_id: &response_id,
        created: OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    });
    let origin = Origin::Response { to: receipt_id.to_owned() };
    sim.add(&format!("gs1-response-{original}"), Bytes::from(xml), origin).id.clone()
}
