//! `TestApp`: the whole router in-process over a fresh in-memory SQLite store with the demo practice.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use knead_store::DynStore;
use knead_web::{AppState, WebConfig};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

pub const MANAGER: (&str, &str) = ("manager@demo.knead.test", "knead-demo-manager");
pub const CLIENT: (&str, &str) = ("client@demo.knead.test", "knead-demo-client");
pub const THERAPIST: (&str, &str) = ("mara@demo.knead.test", "knead-demo-therapist");

pub struct TestApp {
    pub store: DynStore,
    pub app: Arc<knead_app::App>,
    pub router: Router,
    /// Second factors set up through the pages: email to (authenticator key, unused recovery codes).
    factors: Mutex<HashMap<String, (String, Vec<String>)>>,
}

/// The code an authenticator app shows now for a base32 `key`.
pub fn totp_code(key: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(key.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new())
        .generate_current()
        .unwrap()
}

/// The text between `start` and the next `end` in `body`.
pub fn between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = body.find(start)? + start.len();
    body[from..].split(end).next()
}

/// The demo's map, read once per test run (every test's practice imports the same addresses and roads).
pub fn demo_map() -> &'static knead_places::extract::Extract {
    static MAP: std::sync::OnceLock<knead_places::extract::Extract> = std::sync::OnceLock::new();
    MAP.get_or_init(|| knead_places::extract::read_extract(knead_demo::MAP_EXTRACT, &|_| true, &mut |_| {}).unwrap())
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
        let map = demo_map();
        store.replace_places(&map.addresses, &map.roads, jiff::Timestamp::now()).await.unwrap();
        let app = Arc::new(knead_app::App::new(store.clone()));
        let router = knead_web::router(AppState::new(app.clone(), config));
        TestApp { store, app, router, factors: Mutex::default() }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Sends `request` as if from client address `ip` (the real server knows it; in-process calls do not).
    pub async fn send_from(&self, ip: &str, mut request: Request<Body>) -> Reply {
        let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.send(request).await
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

    /// The sign-in form's pre-session cookie (`name=value`) and the token the form carries.
    pub async fn login_form(&self) -> (String, String) {
        let page = self.get("/login").await;
        let cookie = page.set_cookie().split(';').next().unwrap().to_string();
        let token = between(&page.body, "name=\"login_token\" value=\"", "\"").expect("a login token").to_string();
        (cookie, token)
    }

    /// Posts the sign-in form as a browser would (the form fetched first), from client address `ip` if given.
    pub async fn login(&self, email: &str, password: &str, ip: Option<&str>) -> Reply {
        let (cookie, token) = self.login_form().await;
        self.login_with(&cookie, &[("email", email), ("password", password), ("login_token", &token)], ip).await
    }

    /// Posts the sign-in form with `cookies` and `pairs` as given.
    pub async fn login_with(&self, cookies: &str, pairs: &[(&str, &str)], ip: Option<&str>) -> Reply {
        let request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies)
            .body(Body::from(serde_urlencoded::to_string(pairs).unwrap()))
            .unwrap();
        match ip {
            Some(ip) => self.send_from(ip, request).await,
            None => self.send(request).await,
        }
    }

    /// Signs in through the login form, as a browser would; returns the session cookie. A manager sets up
    /// a second factor at their first sign-in, as the pages ask; a user with one enters a recovery code.
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> Auth {
        let reply = self.login(email, password, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "login failed: {}", reply.body);
        if reply.location().starts_with("/login/code") {
            let pending = reply.set_cookie().split(';').next().unwrap().to_string();
            let code = self.factors.lock().unwrap().get_mut(email).and_then(|(_, codes)| codes.pop()).expect("a code");
            let page = self.get_as("/login/code", &Auth::Cookie(pending.clone())).await;
            let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
            let done =
                self.form("/login/code", Some(&Auth::Cookie(pending)), &[("csrf", &csrf), ("code", &code)]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "code refused: {}", done.body);
            return Auth::cookie_from(done.set_cookie());
        }
        let session = Auth::cookie_from(reply.set_cookie());
        if self.get_as("/account", &session).await.location() == "/account/second-factor" {
            self.set_up_second_factor(email, &session).await;
        }
        session
    }

    /// Sets up a second factor through the pages; returns the authenticator key.
    pub async fn set_up_second_factor(&self, email: &str, session: &Auth) -> String {
        let page = self.get_as("/account/second-factor", session).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let key = between(&page.body, "class=\"secret\">", "<").expect("the key").replace(' ', "");
        let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
        let done =
            self.form("/account/second-factor", Some(session), &[("csrf", &csrf), ("code", &totp_code(&key))]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let codes: Vec<String> =
            done.body.split("<li><code>").skip(1).map(|rest| rest.split('<').next().unwrap().to_string()).collect();
        assert_eq!(codes.len(), 10, "{}", done.body);
        self.factors.lock().unwrap().insert(email.to_string(), (key.clone(), codes));
        key
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

/// A screening form answered with nothing raised (the core's `all_clear`), as the page posts it.
pub fn screening_all_clear() -> Vec<(String, String)> {
    let input = knead_core::intake::screening::all_clear();
    let mut pairs = Vec::new();
    for q in knead_core::intake::screening::QUESTIONS {
        let value = match q.field {
            "age" => input.age.unwrap().to_string(),
            "symptom_weeks" => input.symptom_weeks.unwrap().to_string(),
            f => if input.flag(f) == Some(true) { "yes" } else { "no" }.to_string(),
        };
        pairs.push((q.field.to_string(), value));
    }
    pairs
}

/// A health-history form answered "no" to every question, with consent to each element, as the pages post it.
pub fn intake_all_clear() -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = knead_core::intake::health::INTAKE_QUESTIONS
        .iter()
        .map(|(f, _)| (format!("intake.{f}"), "no".to_string()))
        .collect();
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        pairs.push((format!("intake.consent.{element}"), "yes".to_string()));
    }
    pairs
}
