//! `GET /metrics`: the daemon's figures for Prometheus.
//!
//! Two kinds of figures, kept apart on purpose:
//! - events, counted where they happen (messages, items, polls, drains,
//!   replies, drop-folder files) in the families [`Metrics`] holds; the
//!   tasks call its `record_*` methods, which only bump atomics;
//! - levels, read when scraped: store sizes (outbox, replies, quarantine,
//!   dead letters, enrolments) in one call on a blocking thread, and each
//!   connection's lag from `status`. They go into a registry built for the
//!   one scrape, so a store read that failed leaves its series out rather
//!   than reporting a stale or zero value, and concurrent scrapes never
//!   share a half-set gauge.
//!
//! No label takes a value from a message: message types and change kinds
//! are closed lists, and a connection label is a configured name (or
//! `_api` for a message posted without one, `_other` for anything else;
//! configured names cannot start with `_`). So there is no GTIN, GLN or
//! file name in the output, and the number of series is bounded by the
//! configuration.
//!
//! The body is the Prometheus text format 0.0.4 (what prometheus-client's
//! `prometheus_text` encodes), or OpenMetrics 1.0 text when the scraper's
//! `Accept` asks for it (prometheus-client's `text`, ending in `# EOF`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use gdsn_model::message::MessageType;
use gdsn_store::EnrolState;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

mod scrape;

use scrape::StoreFigures;
pub(crate) use scrape::routes;

use super::connections::PollReport;
use super::pipeline::Applied;

/// Every metric name starts with this.
const PREFIX: &str = "gdsn_sync";

/// The OpenMetrics text content type (prometheus-client names only the
/// 0.0.4 one).
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Store figures younger than this are served again instead of read again:
/// several scrapers (or a scrape loop) cost one store read per second at
/// most. `enrolments` walks each provider's item keys, so this matters on
/// a large store.
const STORE_FIGURES_MAX_AGE: Duration = Duration::from_secs(1);

/// A poll takes from milliseconds (an empty drop folder) to minutes (a
/// large inbox behind a slow pool).
const POLL_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];
/// A drain is one to `DRAIN_BATCHES` sink commits.
const DRAIN_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// From apply to publish: the commit interval at best, the sink's outage
/// at worst.
const LAG_BUCKETS: &[f64] =
    &[0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0];

/// Every enrolment state, so a state nobody is in reads 0 rather than
/// vanishing from the output.
const ENROL_STATES: &[EnrolState] = &[
    EnrolState::Requested,
    EnrolState::Sent,
    EnrolState::Subscribed,
    EnrolState::Loading,
    EnrolState::Synchronised,
    EnrolState::Failed,
    EnrolState::Unenrolled,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    connection: String,
    message_type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectedLabels {
    connection: String,
    message_type: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ItemLabels {
    connection: String,
    change: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    connection: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    connection: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplyLabels {
    connection: String,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

type HistogramFamily<S> = Family<S, Histogram, fn() -> Histogram>;

/// The daemon's registry of event counters, and the cache of store figures.
pub(crate) struct Metrics {
    registry: Registry,
    /// Configured connection names: the only connection label values.
    connections: BTreeSet<String>,
    /// Connections with no success yet count their lag from here, as
    /// `/readyz` does.
    started: DateTime<Utc>,
    messages_received: Family<MessageLabels, Counter>,
    messages_applied: Family<MessageLabels, Counter>,
    messages_repeated: Family<MessageLabels, Counter>,
    messages_rejected: Family<RejectedLabels, Counter>,
    documents_rejected: Family<MessageLabels, Counter>,
    items: Family<ItemLabels, Counter>,
    polls: Family<OutcomeLabels, Counter>,
    poll_duration: HistogramFamily<ConnectionLabels>,
    files: Family<OutcomeLabels, Counter>,
    drains: Family<ResultLabels, Counter>,
    drain_duration: Histogram,
    publish_lag: Histogram,
    changes_published: Family<ResultLabels, Counter>,
    replies_sent: Family<ReplyLabels, Counter>,
    reply_failures: Family<ReplyLabels, Counter>,
    store_cache: tokio::sync::Mutex<Option<(Instant, Arc<StoreFigures>)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub(crate) fn new(config: &gdsn_config::Config) -> Metrics {
        let mut registry = Registry::with_prefix(PREFIX);
        let histogram = |buckets: &'static [f64]| Histogram::new(buckets.iter().copied());
        let metrics = Metrics {
            connections: config.connections.iter().map(|c| c.name.clone()).collect(),
            started: Utc::now(),
            messages_received: Family::default(),
            messages_applied: Family::default(),
            messages_repeated: Family::default(),
            messages_rejected: Family::default(),
            documents_rejected: Family::default(),
            items: Family::default(),
            polls: Family::default(),
            poll_duration: Family::new_with_constructor(|| Histogram::new(POLL_BUCKETS.iter().copied())),
            files: Family::default(),
            drains: Family::default(),
            drain_duration: histogram(DRAIN_BUCKETS),
            publish_lag: histogram(LAG_BUCKETS),
            changes_published: Family::default(),
            replies_sent: Family::default(),
            reply_failures: Family::default(),
            store_cache: tokio::sync::Mutex::new(None),
            // Filled below with clones of the families above (they share
            // their values), then moved in.
            registry: Registry::default(),
        };
        let m = &metrics;
        let info = Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]);
        registry.register("build", "The running gdsn-sync version", info);
        registry.register(
            "messages_received",
            "Messages the ingest worker took, by connection and message type (from the root element; unknown when none was recognised)",
            m.messages_received.clone(),
        );
        registry.register(
            "messages_applied",
            "Messages applied and durable, at least one document taken (others may have been rejected)",
            m.messages_applied.clone(),
        );
        registry.register(
            "messages_repeated",
            "Messages already applied before (same sender, id and content): nothing written",
            m.messages_repeated.clone(),
        );
        registry.register(
            "messages_rejected",
            "Messages not taken, by reason: all_rejected (every document rejected; recorded and answered), unreadable (no document could be read; a drop-folder file goes to failed/), quarantined (same id, other content), error (not stored; the sender delivers it again)",
            m.messages_rejected.clone(),
        );
        registry.register(
            "documents_rejected",
            "Documents rejected inside messages (parse or validation errors)",
            m.documents_rejected.clone(),
        );
        registry.register(
            "items",
            "Item changes planned by applied messages, by change kind (added, updated, unchanged, stale, removed)",
            m.items.clone(),
        );
        registry.register("polls", "Polls by connection and outcome (ok, retry, error)", m.polls.clone());
        registry.register(
            "poll_duration_seconds",
            "How long each poll took, applying what it fetched included",
            m.poll_duration.clone(),
        );
        registry.register(
            "dropfolder_files",
            "Drop-folder files by outcome: done, failed (nothing readable), refused (a link or a name refused; reported once), left (replaced while applied)",
            m.files.clone(),
        );
        registry.register(
            "publish_drains",
            "Publisher drains that had work, by result (ok, error)",
            m.drains.clone(),
        );
        registry.register(
            "publish_drain_duration_seconds",
            "How long each drain with work took (outbox to index, commit included)",
            m.drain_duration.clone(),
        );
        registry.register(
            "publish_lag_seconds",
            "Per drain with work: from the apply of the oldest change it found to the end of the drain, the longest an applied change waited to be published (whole seconds up to the drain's start)",
            m.publish_lag.clone(),
        );
        registry.register(
            "published_changes",
            "Outbox entries handled by the publisher: published, already_newer (the index held as new), skipped, dead_lettered",
            m.changes_published.clone(),
        );
        registry.register(
            "replies_sent",
            "Replies and enrolment messages delivered to a connection, by kind",
            m.replies_sent.clone(),
        );
        registry.register(
            "reply_failures",
            "Failed reply deliveries (retried later), by connection and kind",
            m.reply_failures.clone(),
        );
        Metrics { registry, ..metrics }
    }

    /// The bounded label value of a connection name.
    fn connection(&self, name: &str) -> String {
        if name.is_empty() {
            "_api".to_owned()
        } else if self.connections.contains(name) {
            name.to_owned()
        } else {
            "_other".to_owned()
        }
    }

    /// The worker took a message (called before it is applied).
    pub(crate) fn record_received(&self, connection: &str, message_type: Option<MessageType>) {
        self.messages_received.get_or_create(&self.message_labels(connection, message_type)).inc();
    }

    /// What applying a message did.
    pub(crate) fn record_outcome(
        &self,
        connection: &str,
        message_type: Option<MessageType>,
        outcome: Result<&Applied, &str>,
    ) {
        let labels = self.message_labels(connection, message_type);
        let rejected = |reason| RejectedLabels {
            connection: labels.connection.clone(),
            message_type: labels.message_type,
            reason,
        };
        let Ok(applied) = outcome else {
            self.messages_rejected.get_or_create(&rejected("error")).inc();
            return;
        };
        match applied.note {
            Some("already applied") => {
                self.messages_repeated.get_or_create(&labels).inc();
            }
            Some(note) if note.starts_with("quarantined") => {
                self.messages_rejected.get_or_create(&rejected("quarantined")).inc();
            }
            _ if applied.unreadable => {
                self.messages_rejected.get_or_create(&rejected("unreadable")).inc();
            }
            // Durable and answered (a GS1 Response exception), but nothing
            // in it was taken: for an operator, a rejected message.
            _ if applied.documents > 0 && applied.rejected >= applied.documents => {
                self.messages_rejected.get_or_create(&rejected("all_rejected")).inc();
            }
            _ => {
                self.messages_applied.get_or_create(&labels).inc();
            }
        }
        if applied.rejected > 0 {
            self.documents_rejected.get_or_create(&labels).inc_by(applied.rejected as u64);
        }
        for (kind, n) in &applied.summary.changes {
            // The kinds `FileSummary::add_applied` names; anything else is not a label.
            let change = match kind.as_str() {
                "added" => "added",
                "updated" => "updated",
                "unchanged" => "unchanged",
                "stale" => "stale",
                "removed" => "removed",
                _ => continue,
            };
            let item = ItemLabels { connection: labels.connection.clone(), change };
            self.items.get_or_create(&item).inc_by(*n as u64);
        }
    }

    fn message_labels(&self, connection: &str, message_type: Option<MessageType>) -> MessageLabels {
        MessageLabels {
            connection: self.connection(connection),
            message_type: message_type.map_or("unknown", MessageType::short_name),
        }
    }

    /// One poll of a connection, and how long it took.
    pub(crate) fn record_poll(&self, connection: &str, took: Duration, report: &PollReport) {
        let connection = self.connection(connection);
        let outcome = match (&report.error, report.retryable) {
            (None, _) => "ok",
            (Some(_), true) => "retry",
            (Some(_), false) => "error",
        };
        self.poll_duration
            .get_or_create(&ConnectionLabels { connection: connection.clone() })
            .observe(took.as_secs_f64());
        self.polls.get_or_create(&OutcomeLabels { connection, outcome }).inc();
    }

    /// A drop-folder file's fate: `done`, `failed`, `refused` or `left`.
    pub(crate) fn record_file(&self, connection: &str, outcome: &'static str) {
        self.files.get_or_create(&OutcomeLabels { connection: self.connection(connection), outcome }).inc();
    }

    /// A drain that had work, how long it took and what it did.
    pub(crate) fn record_drain(&self, took: Duration, report: &gdsn_publish::DrainReport) {
        self.drains.get_or_create(&ResultLabels { result: "ok" }).inc();
        self.drain_duration.observe(took.as_secs_f64());
        if let Some(lag) = report.lag_secs {
            // `lag_secs` ends where the drain started; the entry was
            // published by the drain's end at the latest.
            self.publish_lag.observe(lag as f64 + took.as_secs_f64());
        }
        let counts = [
            ("published", report.published),
            ("already_newer", report.already_newer),
            ("skipped", report.skipped),
            ("dead_lettered", report.dead_lettered),
        ];
        for (result, n) in counts {
            self.changes_published.get_or_create(&ResultLabels { result }).inc_by(n as u64);
        }
    }

    /// A drain that failed (the sink could not be opened or refused).
    pub(crate) fn record_drain_failed(&self) {
        self.drains.get_or_create(&ResultLabels { result: "error" }).inc();
    }

    /// A reply delivered (`ok`) or not.
    pub(crate) fn record_reply(&self, connection: &str, kind: &str, ok: bool) {
        let kind = match kind {
            "CIC" => "CIC",
            "GS1Response" => "GS1Response",
            "CIS" => "CIS",
            "RFCIN" => "RFCIN",
            _ => "other",
        };
        let labels = ReplyLabels { connection: self.connection(connection), kind };
        let family = if ok { &self.replies_sent } else { &self.reply_failures };
        family.get_or_create(&labels).inc();
    }
}
