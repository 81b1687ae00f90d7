//! knead's web layer: server-rendered pages, the JSON API under `/api/v1`, sessions and tokens.
//!
//! Handlers are thin: they parse input into domain types at the edge (`AppJson`, `FormPairs` plus the
//! core's `validate`), call a use case in `knead-app`, and render. Organised by context: `api/<context>.rs`
//! and `pages/<context>/`, with the shared form widgets in `ui`. All errors flow through `WebError`.

mod api;
mod auth;
mod error;
mod extract;
#[doc(hidden)]
pub mod fuzzing;
mod limit;
mod markdown;
mod pages;
mod pdf;
mod routes;
mod security;
mod state;
mod ui;

pub use routes::route_table;
pub use state::{AppState, WebConfig};

use axum::middleware;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// The whole application: pages, API (with its OpenAPI document), health check and static files, behind
/// the defences every request gets (innermost first): cross-site refusal, a panic turned into a 500, and
/// the security headers.
pub fn router(state: AppState) -> Router {
    let api = api::router().layer(middleware::from_fn_with_state(state.clone(), auth::guard_api_sessions));
    Router::new()
        .merge(pages::router(state.clone()))
        .merge(api)
        .layer(middleware::from_fn(security::refuse_cross_site))
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(middleware::from_fn_with_state(state.clone(), security::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // Method and path only: query strings and bodies may carry personal information.
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}
