//! Reading a `_bulk` response item by item: what was applied, what the index
//! already held newer, what to retry and what will never be accepted.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::bulk::Sent;

/// What happened to the changes of one or more `_bulk` requests.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) applied: usize,
    pub(crate) already_newer: usize,
    pub(crate) retry: Vec<u64>,
    pub(crate) rejected: BTreeMap<u64, String>,
}

impl Outcome {
    pub(crate) fn merge(&mut self, other: Outcome) {
        self.applied += other.applied;
        self.already_newer += other.already_newer;
        self.retry.extend(other.retry);
        self.rejected.extend(other.rejected);
    }
}

/// The verdict on one item.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Applied,
    AlreadyNewer,
    Retry(String),
    Rejected(String),
}

/// Reads a 200 `_bulk` response body for the actions `sent`, in order.
/// `Err` when the body is not a bulk response at all (nothing is known).
pub(crate) fn interpret(sent: &[Sent], body: &[u8]) -> Result<Outcome, String> {
    let response: Value =
        serde_json::from_slice(body).map_err(|e| format!("bulk response is not JSON: {e}"))?;
    let Some(items) = response.get("items").and_then(Value::as_array) else {
        return Err("bulk response has no items".into());
    };
    let mut outcome = Outcome::default();
    for (index, action) in sent.iter().enumerate() {
        // Items come back in request order; a missing one is unknown, so retried.
        let verdict = match items.get(index) {
            Some(item) => verdict(action, item),
            None => Verdict::Retry("no item in the bulk response".into()),
        };
        match verdict {
            Verdict::Applied => outcome.applied += 1,
            Verdict::AlreadyNewer => outcome.already_newer += 1,
            Verdict::Retry(why) => {
                tracing::debug!(seq = action.seq, key = %action.key, %why, "bulk item to retry");
                outcome.retry.push(action.seq);
            }
            Verdict::Rejected(reason) => {
                outcome.rejected.insert(action.seq, reason);
            }
        }
    }
    Ok(outcome)
}

/// One item: `{"index": {"_id", "status", "error"?, "result"?}}` (or `delete`).
pub(crate) fn verdict(sent: &Sent, item: &Value) -> Verdict {
    let expected = if sent.delete { "delete" } else { "index" };
    let Some(result) = item.get(expected) else {
        return Verdict::Retry(format!("item is not a {expected} result"));
    };
    if let Some(id) = result.get("_id").and_then(Value::as_str)
        && id != sent.key
    {
        return Verdict::Retry(format!("item is for id {id:?}"));
    }
    let Some(status) = result.get("status").and_then(Value::as_u64) else {
        return Verdict::Retry("item has no status".into());
    };
    let error = result.get("error");
    let error_type = error.and_then(|e| e.get("type")).and_then(Value::as_str).unwrap_or("");
    let reason = || error.map_or_else(|| format!("HTTP {status}"), Value::to_string);
    match (status, error_type) {
        (200..=299, _) => Verdict::Applied,
        (409, "version_conflict_engine_exception") => Verdict::AlreadyNewer,
        // The index behind the alias is missing (require_alias) or blocked
        // (read-only, flood-stage disk): not the document's fault.
        (_, "index_not_found_exception" | "cluster_block_exception") => Verdict::Retry(reason()),
        // Deleting what is not there: the tombstone with our version is
        // recorded all the same.
        (404, _) if sent.delete => Verdict::Applied,
        (429 | 500..=599, _) => Verdict::Retry(reason()),
        (409, _) => Verdict::Retry(reason()),
        _ => Verdict::Rejected(reason()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sent(seq: u64, delete: bool) -> Sent {
        Sent { seq, key: format!("k{seq}"), delete }
    }

    fn item(action: &str, seq: u64, status: u64, error: Option<&str>) -> Value {
        let mut inner = json!({"_id": format!("k{seq}"), "status": status});
        if let Some(kind) = error {
            inner["error"] = json!({"type": kind, "reason": "why"});
        }
        json!({ action: inner })
    }

    #[test]
    fn the_result_table() {
        let cases = [
            (sent(1, false), item("index", 1, 201, None), Verdict::Applied),
            (sent(2, false), item("index", 2, 200, None), Verdict::Applied),
            (sent(3, true), item("delete", 3, 200, None), Verdict::Applied),
            (sent(4, true), item("delete", 4, 404, None), Verdict::Applied),
            (
                sent(5, false),
                item("index", 5, 409, Some("version_conflict_engine_exception")),
                Verdict::AlreadyNewer,
            ),
            (
                sent(6, true),
                item("delete", 6, 409, Some("version_conflict_engine_exception")),
                Verdict::AlreadyNewer,
            ),
        ];
        for (action, item, expected) in cases {
            assert_eq!(verdict(&action, &item), expected, "{item}");
        }
        let retried = [
            (sent(7, false), item("index", 7, 429, Some("es_rejected_execution_exception"))),
            (sent(8, false), item("index", 8, 503, Some("unavailable_shards_exception"))),
            (sent(9, false), item("index", 9, 404, Some("index_not_found_exception"))),
            (sent(10, true), item("delete", 10, 404, Some("index_not_found_exception"))),
            (sent(11, false), item("index", 11, 403, Some("cluster_block_exception"))),
            (sent(12, false), item("delete", 12, 201, None)),
            (sent(13, false), item("index", 99, 201, None)),
            (sent(14, false), json!({"index": {"_id": "k14"}})),
        ];
        for (action, item) in retried {
            assert!(matches!(verdict(&action, &item), Verdict::Retry(_)), "{item}");
        }
        let mapping = item("index", 15, 400, Some("mapper_parsing_exception"));
        let Verdict::Rejected(reason) = verdict(&sent(15, false), &mapping) else { panic!("rejected") };
        assert_eq!(reason, r#"{"type":"mapper_parsing_exception","reason":"why"}"#);
    }

    #[test]
    fn whole_response() {
        let actions = [sent(1, false), sent(2, false), sent(3, true), sent(4, false)];
        let body = json!({"errors": true, "items": [
            item("index", 1, 201, None),
            item("index", 2, 400, Some("document_parsing_exception")),
            item("delete", 3, 409, Some("version_conflict_engine_exception")),
        ]});
        let outcome = interpret(&actions, body.to_string().as_bytes()).unwrap();
        assert_eq!(outcome.applied, 1);
        assert_eq!(outcome.already_newer, 1);
        assert_eq!(outcome.retry, [4]);
        assert_eq!(outcome.rejected.keys().copied().collect::<Vec<_>>(), [2]);
        assert!(interpret(&actions, b"<html>").is_err());
        assert!(interpret(&actions, b"{\"took\":1}").is_err());
    }
}
