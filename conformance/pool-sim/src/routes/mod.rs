//! The router: one table of every route (method, path, group, handler), from which both the router
//! and [`served_routes`] are built, so the OpenAPI test compares the spec with what is really served.
//!
//! Groups decide the middleware: the pool API goes through request faults then authentication; the
//! token endpoint and the admin routes through neither. Every request is counted.

mod admin;
mod changes;
mod fetch;
mod inbox;
mod outbound;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::error::ApiError;
use crate::faults::RequestFault;
use crate::sim::Sim;
use crate::{auth, oauth};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Pool,
    Token,
    Admin,
}

fn table() -> Vec<(Group, Method, &'static str, MethodRouter<Sim>)> {
    use Group::*;
    let route = |group, method: Method, path, handler: MethodRouter<Sim>| (group, method, path, handler);
    vec![
        route(Pool, Method::GET, "/inbox", on(MethodFilter::GET, inbox::list)),
        route(Pool, Method::GET, "/inbox/{id}", on(MethodFilter::GET, fetch::inbox_message)),
        route(Pool, Method::POST, "/inbox/{id}/ack", on(MethodFilter::POST, inbox::ack)),
        route(Pool, Method::PUT, "/inbox/{id}/ack", on(MethodFilter::PUT, inbox::ack)),
        route(Pool, Method::DELETE, "/inbox/{id}/ack", on(MethodFilter::DELETE, inbox::ack)),
        route(Pool, Method::GET, "/changes", on(MethodFilter::GET, changes::list)),
        route(Pool, Method::GET, "/messages/{id}", on(MethodFilter::GET, fetch::any_message)),
        route(Pool, Method::POST, "/outbound", on(MethodFilter::POST, outbound::post)),
        route(Token, Method::POST, "/oauth/token", on(MethodFilter::POST, oauth::token)),
        route(Admin, Method::GET, "/admin/state", on(MethodFilter::GET, admin::state)),
        route(Admin, Method::POST, "/admin/faults", on(MethodFilter::POST, admin::set_faults)),
        route(Admin, Method::GET, "/admin/received", on(MethodFilter::GET, admin::received)),
        route(Admin, Method::POST, "/admin/messages", on(MethodFilter::POST, admin::add_message)),
    ]
}

/// Every `(METHOD, path)` the simulator serves, paths in OpenAPI form (`/inbox/{id}`).
pub fn served_routes() -> Vec<(String, String)> {
    table().into_iter().map(|(_, method, path, _)| (method.to_string(), path.to_owned())).collect()
}

/// The whole application.
pub(crate) fn router(sim: Sim) -> Router {
    let mut groups: BTreeMap<Group, BTreeMap<&'static str, MethodRouter<Sim>>> = BTreeMap::new();
    for (group, _, path, handler) in table() {
        let paths = groups.entry(group).or_default();
        let merged = match paths.remove(path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        paths.insert(path, merged);
    }
    let mut app = Router::new();
    for (group, paths) in groups {
        let mut part = Router::new();
        for (path, handler) in paths {
            part = part.route(path, handler);
        }
        if group == Group::Pool {
            part = part
                .route_layer(middleware::from_fn_with_state(sim.clone(), auth::require))
                .route_layer(middleware::from_fn_with_state(sim.clone(), request_faults));
        }
        app = app.merge(part);
    }
    app.fallback(admin::fallback)
        .layer(middleware::from_fn_with_state(sim.clone(), count))
        .layer(DefaultBodyLimit::max(sim.config.max_body_bytes))
        .with_state(sim)
}

/// Counts the request by route and its response by status.
async fn count(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => "unmatched".to_owned(),
    };
    *sim.pool().requests.entry(route).or_default() += 1;
    let response = next.run(request).await;
    *sim.pool().statuses.entry(response.status().as_u16().to_string()).or_default() += 1;
    response
}

/// Stalls, 5xx and 429 before anything else of the pool API runs (a load balancer's view).
async fn request_faults(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let stall = sim.pool().faults.take_stall();
    if let Some(ms) = stall {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let fault = sim.pool().faults.take_request();
    match fault {
        Some(RequestFault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            ApiError::new(status, "injected_fault", "error_5xx fault").into_response()
        }
        Some(RequestFault::RateLimit { retry_after_secs }) => ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "rate_limit fault: slow down")
        }
        .into_response(),
        None => next.run(request).await,
    }
}
