//! The public read API and the admin API beyond `admin.rs` (skeleton; see
//! issue 6).

use std::sync::Arc;

use axum::Router;

use super::Shared;

pub(crate) fn routes(_shared: &Shared) -> Router<Arc<Shared>> {
    Router::new()
}
