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
mod state;
mod ui;

pub use state::{AppState, WebConfig};

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole application: pages, API (with its OpenAPI document), health check and static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router(state.clone()))
        .merge(api::router())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // Method and path only: query strings and bodies may carry personal information.
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}
