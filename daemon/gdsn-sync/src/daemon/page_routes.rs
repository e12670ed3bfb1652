//! The customs product page and the ops status page (skeleton; see issue 6).

use std::sync::Arc;

use axum::Router;

use super::Shared;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}
