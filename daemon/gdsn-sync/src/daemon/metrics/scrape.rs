//! The scrape: `GET /metrics`, and the levels read for each scrape (store
//! figures on a blocking thread, connection lag from `status`) into a
//! registry built for that one scrape.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use gdsn_store::Store;
use prometheus_client::encoding::{prometheus_text, text};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tracing::warn;

use super::{
    ConnectionLabels, ENROL_STATES, Metrics, OPENMETRICS, PREFIX, STORE_FIGURES_MAX_AGE, StateLabels,
};
use crate::daemon::Shared;
use crate::daemon::api::{ApiError, ErrorCode};
use crate::daemon::status::ConnectionStatus;

impl Metrics {
    /// The store figures, read at most once per [`STORE_FIGURES_MAX_AGE`].
    async fn store_figures(&self, shared: &Arc<Shared>) -> Option<Arc<StoreFigures>> {
        let mut cache = self.store_cache.lock().await;
        if let Some((at, figures)) = cache.as_ref()
            && at.elapsed() < STORE_FIGURES_MAX_AGE
        {
            return Some(Arc::clone(figures));
        }
        let figures = Arc::new(crate::daemon::http::on_store(shared, StoreFigures::read).await?);
        *cache = Some((Instant::now(), Arc::clone(&figures)));
        Some(figures)
    }

    /// The levels of this scrape, in a registry of their own.
    fn levels(
        &self,
        store: Option<&StoreFigures>,
        connections: &BTreeMap<String, ConnectionStatus>,
    ) -> Registry {
        let mut registry = Registry::with_prefix(PREFIX);
        registry.register(
            "store_read_ok",
            "1 when this scrape read the store figures, 0 when it could not (their series are then absent)",
            gauge(usize::from(store.is_some())),
        );
        if let Some(store) = store {
            self.store_levels(&mut registry, store);
        }
        self.connection_levels(&mut registry, connections);
        registry
    }

    fn store_levels(&self, registry: &mut Registry, store: &StoreFigures) {
        registry.register("outbox_depth", "Changes applied and not yet published", gauge(store.outbox));
        registry.register(
            "replies_held",
            "CIC SYNCHRONISED replies held until their message's changes are published",
            gauge(store.held_replies),
        );
        if let Some(by_connection) = &store.replies_pending {
            let family = Family::<ConnectionLabels, Gauge>::default();
            // Every configured connection reads 0 when it has nothing queued.
            for name in &self.connections {
                family.get_or_create(&ConnectionLabels { connection: name.clone() }).set(0);
            }
            for (name, n) in by_connection {
                // `inc_by`, not `set`: unknown names share one label value.
                let labels = ConnectionLabels { connection: self.connection(name) };
                family.get_or_create(&labels).inc_by(i64::try_from(*n).unwrap_or(i64::MAX));
            }
            registry.register(
                "replies_pending",
                "Replies and enrolment messages queued for delivery, by the connection that carries them (_api: none)",
                family,
            );
        }
        if let Some(n) = store.quarantined {
            let help = "Messages set aside (same id, other content) awaiting replay or release";
            registry.register("quarantined_messages", help, gauge(n));
        }
        if let Some(n) = store.dead_letters {
            let help = "Changes the index refused for good, awaiting `dead-letters retry`";
            registry.register("dead_letters", help, gauge(n));
        }
        if let Some(states) = &store.enrolments {
            let family = Family::<StateLabels, Gauge>::default();
            for state in ENROL_STATES {
                let n = states.get(state.as_str()).copied().unwrap_or(0);
                family
                    .get_or_create(&StateLabels { state: state.as_str() })
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
            }
            registry.register("enrolments", "Enrolments (provider and target market pairs) by state", family);
        }
    }

    fn connection_levels(&self, registry: &mut Registry, connections: &BTreeMap<String, ConnectionStatus>) {
        let now = Utc::now();
        let lag = Family::<ConnectionLabels, Gauge>::default();
        let failures = Family::<ConnectionLabels, Gauge>::default();
        let waiting = Family::<ConnectionLabels, Gauge>::default();
        for (name, status) in connections {
            let labels = ConnectionLabels { connection: self.connection(name) };
            let since = status.last_success.unwrap_or(self.started);
            lag.get_or_create(&labels).set((now - since).num_seconds().max(0));
            failures.get_or_create(&labels).set(i64::from(status.consecutive_failures));
            if let Some(n) = status.messages_waiting {
                waiting.get_or_create(&labels).set(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
        registry.register(
            "connection_lag_seconds",
            "Seconds since the connection's last successful poll or push (since the daemon started when there was none)",
            lag,
        );
        registry.register("connection_consecutive_failures", "Polls failed in a row", failures);
        registry.register(
            "dropfolder_waiting_files",
            "Files in a drop folder's inbox not yet stable at the last scan",
            waiting,
        );
    }
}

/// A gauge holding `value`.
fn gauge(value: usize) -> Gauge {
    let gauge: Gauge = Gauge::default();
    gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
    gauge
}

/// What a scrape reads from the store, in one blocking call. The cheap
/// figures always; each listing that fails is left out (and logged).
#[derive(Debug)]
pub(super) struct StoreFigures {
    outbox: usize,
    held_replies: usize,
    /// Count by connection name (empty: none).
    replies_pending: Option<BTreeMap<String, usize>>,
    quarantined: Option<usize>,
    dead_letters: Option<usize>,
    /// Count by state name.
    enrolments: Option<BTreeMap<&'static str, usize>>,
}

impl StoreFigures {
    fn read(store: &Store) -> StoreFigures {
        let logged = |what: &str, e: gdsn_store::StoreError| warn!("metrics: cannot read the {what}: {e}");
        StoreFigures {
            outbox: store.outbox_depth(),
            held_replies: store.held_reply_count(),
            replies_pending: store
                .pending_replies()
                .map(|replies| {
                    let mut by_connection = BTreeMap::new();
                    for reply in replies {
                        *by_connection.entry(reply.connection.unwrap_or_default()).or_default() += 1;
                    }
                    by_connection
                })
                .map_err(|e| logged("replies", e))
                .ok(),
            quarantined: store.quarantined().map(|q| q.len()).map_err(|e| logged("quarantine", e)).ok(),
            dead_letters: store.dead_letters().map(|d| d.len()).map_err(|e| logged("dead letters", e)).ok(),
            enrolments: store
                .enrolments()
                .map(|list| {
                    let mut states = BTreeMap::new();
                    for view in list {
                        *states.entry(view.enrolment.state.as_str()).or_default() += 1;
                    }
                    states
                })
                .map_err(|e| logged("enrolments", e))
                .ok(),
        }
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/metrics", get(scrape))
}

/// `GET /metrics`: public or behind the read token, like the read routes.
async fn scrape(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refused) = crate::daemon::api::require_read(&shared, &headers) {
        return refused.into_response();
    }
    let store = shared.metrics.store_figures(&shared).await;
    let levels = shared.metrics.levels(store.as_deref(), &shared.status.snapshot());
    let openmetrics = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/openmetrics-text"));
    let mut body = String::with_capacity(16 * 1024);
    let encoded = if openmetrics {
        text::encode_registry(&mut body, &shared.metrics.registry)
            .and_then(|()| text::encode_registry(&mut body, &levels))
            .and_then(|()| text::encode_eof(&mut body))
    } else {
        prometheus_text::encode(&mut body, &shared.metrics.registry)
            .and_then(|()| prometheus_text::encode(&mut body, &levels))
    };
    if let Err(e) = encoded {
        warn!("metrics: cannot encode: {e}");
        return ApiError::new(ErrorCode::Internal, "cannot encode the metrics").into_response();
    }
    let content_type = if openmetrics { OPENMETRICS } else { prometheus_text::CONTENT_TYPE };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
