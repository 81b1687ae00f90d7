//! `TestApp`: the whole router in-process over a fresh in-memory SQLite store with the demo practice.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use knead_store::DynStore;
use knead_web::{AppState, WebConfig};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const MANAGER: (&str, &str) = ("manager@demo.knead.test", "knead-demo-manager");
pub const CLIENT: (&str, &str) = ("client@demo.knead.test", "knead-demo-client");
pub const THERAPIST: (&str, &str) = ("mara@demo.knead.test", "knead-demo-therapist");

pub struct TestApp {
    pub store: DynStore,
    pub app: Arc<knead_app::App>,
    pub router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `(code, field)` pairs of an API error body.
    pub fn error_fields(&self) -> Vec<(String, String)> {
        self.json()["errors"]
            .as_array()
            .expect("an errors array")
            .iter()
            .map(|e| (e["code"].as_str().unwrap().to_string(), e["field"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap()).unwrap_or("")
    }

    pub fn set_cookie(&self) -> &str {
        self.headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(WebConfig::default()).await
    }

    pub async fn with_config(config: WebConfig) -> TestApp {
        let store: DynStore = Arc::new(knead_store_sqlite::SqliteStore::in_memory().await.unwrap());
        knead_demo::load(&*store, &knead_app::accounts::hash_password, jiff::Timestamp::now()).await.unwrap();
        let app = Arc::new(knead_app::App::new(store.clone()));
        let router = knead_web::router(AppState::new(app.clone(), config));
        TestApp { store, app, router }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn get_as(&self, path: &str, auth: &Auth) -> Reply {
        self.send(auth.apply(Request::get(path)).body(Body::empty()).unwrap()).await
    }

    pub async fn json(&self, method: &str, path: &str, auth: Option<&Auth>, body: &str) -> Reply {
        let mut builder = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(auth) = auth {
            builder = auth.apply(builder);
        }
        self.send(builder.body(Body::from(body.to_string())).unwrap()).await
    }

    pub async fn form(&self, path: &str, auth: Option<&Auth>, pairs: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        let mut builder = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(auth) = auth {
            builder = auth.apply(builder);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Signs in through the login form; returns the session cookie.
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> Auth {
        let reply = self.form("/login", None, &[("email", email), ("password", password)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "login failed: {}", reply.body);
        Auth::cookie_from(reply.set_cookie())
    }

    /// A personal access token for a demo user, made as `knead token create` makes one.
    pub async fn token_for(&self, email: &str) -> Auth {
        let (_, _, token) =
            knead_app::accounts::create_api_token(&self.app, email, "test", knead_app::accounts::DEFAULT_TOKEN_DAYS)
                .await
                .unwrap();
        Auth::Bearer(token)
    }

    /// The CSRF token a signed-in page carries.
    pub async fn csrf(&self, auth: &Auth) -> String {
        let page = self.get_as("/account", auth).await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.body.find(marker).expect("a csrf field") + marker.len();
        page.body[start..].split('"').next().unwrap().to_string()
    }
}

#[derive(Clone, Debug)]
pub enum Auth {
    Cookie(String),
    Bearer(String),
}

impl Auth {
    pub fn cookie_from(set_cookie: &str) -> Auth {
        let pair = set_cookie.split(';').next().unwrap();
        Auth::Cookie(pair.to_string())
    }

    fn apply(&self, builder: axum::http::request::Builder) -> axum::http::request::Builder {
        match self {
            Auth::Cookie(c) => builder.header(header::COOKIE, c),
            Auth::Bearer(t) => builder.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
    }
}
