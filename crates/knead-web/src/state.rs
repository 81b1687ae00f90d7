//! What every handler can reach: the application, the web layer's settings, and the sign-in limiter.

use crate::limit::LoginLimiter;
use jiff::Timestamp;
use knead_app::App;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in the header and page titles.
    pub practice_name: String,
    /// Mark the session cookie `Secure` (browsers still send it to http://127.0.0.1 and localhost).
    pub secure_cookies: bool,
    /// Login attempts allowed per minute, per client address and per email.
    pub login_attempts_per_minute: u32,
    /// The practice is reached over HTTPS (directly or through a TLS proxy): send HSTS.
    pub served_over_tls: bool,
    /// Where clients reach the server (`https://spa.example`), for the absolute links it gives out (feeds).
    pub public_url: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            practice_name: "knead".into(),
            secure_cookies: true,
            login_attempts_per_minute: 10,
            served_over_tls: false,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    app: Arc<App>,
    config: WebConfig,
    login_limiter: LoginLimiter,
}

impl AppState {
    pub fn new(app: Arc<App>, config: WebConfig) -> AppState {
        let login_limiter = LoginLimiter::new(config.login_attempts_per_minute);
        AppState(Arc::new(Inner { app, config, login_limiter }))
    }

    pub fn app(&self) -> &App {
        &self.0.app
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    pub fn now(&self) -> Timestamp {
        self.0.app.now()
    }

    pub(crate) fn login_limiter(&self) -> &LoginLimiter {
        &self.0.login_limiter
    }
}
