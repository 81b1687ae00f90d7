//! knead's web layer: server-rendered pages, the JSON API under `/api/v1`, sessions and tokens.
//!
//! Handlers are thin: they parse input into domain types at the edge (`AppJson`, `FormPairs` plus
//! the core's `validate`), call the store, and render. All errors flow through `WebError`.

pub mod api;
pub mod api_booking;
pub mod auth;
pub mod booking;
pub mod error;
pub mod extract;
pub mod markdown;
pub mod pages;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use knead_core::{Clock, SystemClock};
use knead_store::DynStore;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use auth::{hash_password, new_api_token, secret_hash, verify_password};
pub use error::WebError;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in the header and page titles.
    pub practice_name: String,
    /// Mark the session cookie `Secure` (browsers still send it to http://127.0.0.1 and localhost).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Login attempts allowed per minute, per client address and per email.
    pub login_attempts_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            practice_name: "knead".into(),
            secure_cookies: true,
            session_hours: auth::DEFAULT_SESSION_HOURS,
            login_attempts_per_minute: 10,
        }
    }
}

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: DynStore,
    config: WebConfig,
    clock: Arc<dyn Clock>,
    login_limiter: auth::LoginLimiter,
    /// Route-days between availability searches, rebuilt when the calendar version moves.
    calendar: booking::CalendarCache,
    /// Checked against when an email is unknown, so both failures take the same time.
    dummy_hash: String,
}

impl AppState {
    pub fn new(store: DynStore, config: WebConfig) -> AppState {
        AppState::with_clock(store, config, Arc::new(SystemClock))
    }

    pub fn with_clock(store: DynStore, config: WebConfig, clock: Arc<dyn Clock>) -> AppState {
        let login_limiter = auth::LoginLimiter::new(config.login_attempts_per_minute);
        AppState(Arc::new(Inner {
            store,
            config,
            clock,
            login_limiter,
            calendar: booking::CalendarCache::default(),
            dummy_hash: hash_password("knead-dummy-password-for-timing"),
        }))
    }

    pub fn store(&self) -> &DynStore {
        &self.0.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    pub fn calendar(&self) -> &booking::CalendarCache {
        &self.0.calendar
    }

    pub fn login_limiter(&self) -> &auth::LoginLimiter {
        &self.0.login_limiter
    }

    fn dummy_hash(&self) -> &str {
        &self.0.dummy_hash
    }
}

/// The whole application: pages, API, health check and static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router(state.clone()))
        .nest("/api/v1", api::router())
        .route("/healthz", get(healthz))
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

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health), (status = 500, body = error::ErrorBody)))]
pub async fn healthz(axum::extract::State(app): axum::extract::State<AppState>) -> Result<Json<Health>, WebError> {
    app.store().ping().await?;
    Ok(Json(Health { status: "ok", database: app.store().backend() }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}
