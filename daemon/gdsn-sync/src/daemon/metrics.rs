//! `/metrics` in the Prometheus text format (skeleton; see issue 6).

use std::sync::Arc;

use axum::Router;

use super::Shared;

/// The daemon's metrics registry.
pub(crate) struct Metrics {}

impl Metrics {
    pub(crate) fn new(_config: &gdsn_config::Config) -> Metrics {
        Metrics {}
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}
