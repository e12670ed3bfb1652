//! What each connection has been doing, for `/v1/status`, `/readyz` and
//! `/metrics` (read at scrape time). Counters only grow; times are RFC 3339 UTC.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use gdsn_config::Connection;
use serde::Serialize;

use super::pipeline::Applied;

/// The status of one connection.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ConnectionStatus {
    pub(crate) kind: &'static str,
    /// A poll is running now.
    pub(crate) polling: bool,
    pub(crate) last_poll_at: Option<String>,
    pub(crate) last_success_at: Option<String>,
    pub(crate) last_error: Option<String>,
    pub(crate) last_error_at: Option<String>,
    pub(crate) consecutive_failures: u32,
    pub(crate) messages_applied: u64,
    pub(crate) messages_failed: u64,
    pub(crate) documents_rejected: u64,
    /// Files waiting in a drop folder's inbox at the last scan.
    pub(crate) messages_waiting: Option<u64>,
    pub(crate) replies_sent: u64,
    pub(crate) last_reply_error: Option<String>,
    /// Seconds since the last successful poll (or push): how far behind
    /// its pool this connection may be.
    pub(crate) lag_secs: Option<i64>,
    #[serde(skip)]
    pub(crate) last_success: Option<DateTime<Utc>>,
}

/// Every connection's status behind one lock (held for microseconds).
pub(crate) struct Status(Mutex<BTreeMap<String, ConnectionStatus>>);

pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Status {
    pub(crate) fn new(connections: &[Connection]) -> Status {
        let map = connections
            .iter()
            .filter(|c| c.enabled)
            .map(|c| (c.name.clone(), ConnectionStatus { kind: c.kind().as_str(), ..Default::default() }))
            .collect();
        Status(Mutex::new(map))
    }

    fn with(&self, name: &str, f: impl FnOnce(&mut ConnectionStatus)) {
        if let Ok(mut map) = self.0.lock()
            && let Some(status) = map.get_mut(name)
        {
            f(status);
        }
    }

    pub(crate) fn snapshot(&self) -> BTreeMap<String, ConnectionStatus> {
        let mut map = self.0.lock().map(|map| map.clone()).unwrap_or_default();
        let now = Utc::now();
        for status in map.values_mut() {
            status.lag_secs = status.last_success.map(|at| (now - at).num_seconds());
        }
        map
    }

    pub(crate) fn poll_started(&self, name: &str) {
        self.with(name, |s| {
            s.polling = true;
            s.last_poll_at = Some(now_text());
        });
    }

    pub(crate) fn poll_finished(&self, name: &str, error: Option<&str>, waiting: Option<u64>) {
        self.with(name, |s| {
            s.polling = false;
            s.messages_waiting = waiting.or(s.messages_waiting);
            match error {
                None => {
                    s.last_success = Some(Utc::now());
                    s.last_success_at = Some(now_text());
                    s.consecutive_failures = 0;
                }
                Some(e) => {
                    s.last_error = Some(e.to_owned());
                    s.last_error_at = Some(now_text());
                    s.consecutive_failures = s.consecutive_failures.saturating_add(1);
                }
            }
        });
    }

    pub(crate) fn applied(&self, name: &str, applied: &Applied) {
        self.with(name, |s| {
            s.messages_applied += 1;
            s.documents_rejected += applied.rejected as u64;
        });
    }

    pub(crate) fn failed_message(&self, name: &str, error: &str) {
        self.with(name, |s| {
            s.messages_failed += 1;
            s.last_error = Some(error.to_owned());
            s.last_error_at = Some(now_text());
        });
    }

    /// A webhook push that arrived: for a push connection, arriving is its
    /// "successful poll".
    pub(crate) fn pushed(&self, name: &str) {
        self.with(name, |s| {
            s.last_success = Some(Utc::now());
            s.last_success_at = Some(now_text());
        });
    }

    pub(crate) fn reply_sent(&self, name: &str) {
        self.with(name, |s| {
            s.replies_sent += 1;
            s.last_reply_error = None;
        });
    }

    pub(crate) fn reply_failed(&self, name: &str, error: &str) {
        self.with(name, |s| s.last_reply_error = Some(error.to_owned()));
    }

    /// Polled connections without a successful poll for longer than
    /// `stale` since `started` (or their last success).
    pub(crate) fn stale(&self, stale: chrono::Duration, started: DateTime<Utc>) -> Vec<String> {
        let now = Utc::now();
        self.snapshot()
            .into_iter()
            .filter(|(_, s)| s.kind != "webhook" && now - s.last_success.unwrap_or(started) > stale)
            .map(|(name, _)| name)
            .collect()
    }
}
