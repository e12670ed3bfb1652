//! `GET /admin/state`: everything a test may want to assert on, as one JSON document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::faults::Faults;
use crate::pool::{AckRecord, Delivery, MessageSummary, Pool, Receipt};

/// A snapshot of the simulator, as `GET /admin/state` returns it and [`crate::RunningSim::state`] gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StateSnapshot {
    /// Pending messages, in inbox order.
    pub inbox: Vec<MessageSummary>,
    /// Every message the pool ever queued (the changed-since log), in order.
    pub messages: Vec<MessageSummary>,
    /// Acknowledgements, in order.
    pub acked: Vec<AckRecord>,
    /// Messages received from the client, in order.
    pub received: Vec<Receipt>,
    /// Webhook pushes and drop-folder writes, in order.
    pub deliveries: Vec<Delivery>,
    /// Faults still armed.
    pub faults: Faults,
    /// Requests per `METHOD /route` (routes as the router names them, `{id}` unexpanded), admin
    /// routes included; `unmatched` counts requests that matched no route.
    pub requests: BTreeMap<String, u64>,
    /// Responses per status code.
    pub statuses: BTreeMap<String, u64>,
    /// OAuth2 tokens issued.
    pub tokens_issued: u64,
    /// TLS handshakes completed (with a verified client certificate under mutual TLS); 0 on plain
    /// HTTP.
    #[serde(default)]
    pub tls_accepted: u64,
    /// TLS handshakes refused: no client certificate, one from another CA, not TLS, too slow.
    #[serde(default)]
    pub tls_refused: u64,
}

impl StateSnapshot {
    pub(crate) fn of(pool: &Pool) -> StateSnapshot {
        StateSnapshot {
            inbox: pool.inbox(),
            messages: pool.log().iter().map(|m| m.summary()).collect(),
            acked: pool.acked.clone(),
            received: pool.received.clone(),
            deliveries: pool.deliveries.clone(),
            faults: pool.faults.clone(),
            requests: pool.requests.clone(),
            statuses: pool.statuses.clone(),
            tokens_issued: pool.tokens_issued,
            tls_accepted: pool.tls_accepted,
            tls_refused: pool.tls_refused,
        }
    }

    /// Requests counted for `key` (`"GET /inbox"`), 0 if none.
    pub fn requests_to(&self, key: &str) -> u64 {
        self.requests.get(key).copied().unwrap_or(0)
    }

    /// Ids of the pending messages.
    pub fn inbox_ids(&self) -> Vec<String> {
        self.inbox.iter().map(|m| m.id.clone()).collect()
    }
}
