//! Authentication: argon2id passwords, server-side sessions, personal access tokens, role checks,
//! and the login rate limit.
//!
//! Secrets never reach the database in the clear: a session cookie and an API token are random
//! 256-bit values, and only their SHA-256 is stored, so a stolen database cannot sign anyone in.

use crate::error::WebError;
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::Engine;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jiff::{Timestamp, ToSpan};
use knead_core::{Email, Password, Role, User};
use knead_store::{NewSession, StoreResult};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub const SESSION_COOKIE: &str = "knead_session";
pub const TOKEN_PREFIX: &str = "knead_pat_";

/// Hashes a password with argon2id and a fresh random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default params").to_string()
}

/// True when `password` matches the stored PHC `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh random secret, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores in place of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new personal access token for the API, as shown once to its owner.
pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// Who is calling, and how they proved it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; forms must echo `csrf_token`.
    Session {
        token_hash: String,
        csrf_token: String,
    },
    ApiToken,
}

impl Caller {
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf_token, .. } => Some(csrf_token),
            Via::ApiToken => None,
        }
    }

    /// Refuses a form post whose CSRF token does not match the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        match self.csrf_token() {
            Some(expected) if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
            _ => Err(WebError::Forbidden),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| cookie::Cookie::parse(pair.trim()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// The caller, if any: a bearer token wins over a session cookie. A bad bearer token is an error,
/// not anonymity, so a misconfigured client learns at once.
pub struct MaybeCaller(pub Option<Caller>);

impl<S> FromRequestParts<S> for MaybeCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(cached) = parts.extensions.get::<Option<Caller>>() {
            return Ok(MaybeCaller(cached.clone()));
        }
        let app = AppState::from_ref(state);
        let caller = if let Some(token) = bearer_token(&parts.headers) {
            let user = app.store().api_token_user(&secret_hash(token)).await?.ok_or(WebError::Unauthenticated)?;
            Some(Caller { user, via: Via::ApiToken })
        } else if let Some(secret) = session_cookie(&parts.headers) {
            let token_hash = secret_hash(&secret);
            app.store()
                .session(&token_hash, app.now())
                .await?
                .map(|s| Caller { user: s.user, via: Via::Session { token_hash, csrf_token: s.csrf_token } })
        } else {
            None
        };
        parts.extensions.insert(caller.clone());
        Ok(MaybeCaller(caller))
    }
}

/// Any signed-in user.
pub struct SignedIn(pub Caller);

impl<S> FromRequestParts<S> for SignedIn
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let MaybeCaller(caller) = MaybeCaller::from_request_parts(parts, state).await?;
        caller.map(SignedIn).ok_or(WebError::Unauthenticated)
    }
}

/// A signed-in manager; anyone else is refused.
pub struct Manager(pub Caller);

impl<S> FromRequestParts<S> for Manager
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedIn(caller) = SignedIn::from_request_parts(parts, state).await?;
        if caller.user.role == Role::Manager {
            Ok(Manager(caller))
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// Starts a session for `user`, returning the `Set-Cookie` value. A new random id every time, so a
/// session id planted before login is never the one that becomes authenticated.
pub async fn start_session(app: &AppState, user: &User) -> StoreResult<String> {
    let secret = random_secret();
    let now = app.now();
    let lifetime = app.config().session_hours.hours();
    app.store()
        .create_session(&NewSession {
            token_hash: secret_hash(&secret),
            user_id: user.id,
            csrf_token: random_secret(),
            created_at: now,
            expires_at: now + lifetime,
        })
        .await?;
    Ok(session_set_cookie(app, secret, Some(app.config().session_hours * 3600)))
}

/// A `Set-Cookie` value for the session cookie; `None` max-age clears it.
pub fn session_set_cookie(app: &AppState, value: String, max_age_secs: Option<i64>) -> String {
    let mut c = cookie::Cookie::new(SESSION_COOKIE, value);
    c.set_http_only(true);
    c.set_secure(app.config().secure_cookies);
    c.set_same_site(cookie::SameSite::Lax);
    c.set_path("/");
    c.set_max_age(cookie::time::Duration::seconds(max_age_secs.unwrap_or(0)));
    c.to_string()
}

/// Checks an email and password. A wrong password and an unknown email give the same answer and
/// take the same time (an unknown email is checked against a dummy hash).
pub async fn authenticate(app: &AppState, email: &str, password: &str) -> Result<User, WebError> {
    let refused = || WebError::field("invalid_credentials", "email", "The email or password is not right.");
    let password = Password::for_login(password);
    let found = match Email::parse("email", email) {
        Ok(email) => app.store().credentials_by_email(&email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, app.dummy_hash().to_string()),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(password.expose(), &hash))
        .await
        .map_err(WebError::internal)?;
    match user {
        Some(user) if ok => Ok(user),
        _ => Err(refused()),
    }
}

/// Login attempts allowed: per client address and per email address, so neither one address
/// guessing many accounts nor many addresses guessing one account gets far.
pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_email: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    /// `per_minute` attempts per address and per email, with that many in a burst.
    pub fn new(per_minute: u32) -> LoginLimiter {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap();
        let quota = Quota::per_minute(n).allow_burst(n);
        LoginLimiter { by_ip: RateLimiter::keyed(quota), by_email: RateLimiter::keyed(quota) }
    }

    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), WebError> {
        let wait = |not_until: governor::NotUntil<governor::clock::QuantaInstant>| WebError::RateLimited {
            retry_after_secs: not_until
                .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()))
                .as_secs()
                .max(1),
        };
        if let Some(ip) = ip {
            self.by_ip.check_key(&ip).map_err(wait)?;
        }
        self.by_email.check_key(&email.trim().to_lowercase()).map_err(wait)?;
        Ok(())
    }

    /// Forgets idle keys so the limiter's memory stays bounded.
    pub fn shrink(&self) {
        self.by_ip.retain_recent();
        self.by_email.retain_recent();
    }
}

/// How long a browser session lasts, in hours, unless signed out sooner.
pub const DEFAULT_SESSION_HOURS: i64 = 24 * 14;

/// How often expired sessions are swept.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Removes expired sessions now and then; runs until the process ends.
pub async fn sweep_sessions(app: AppState) {
    loop {
        tokio::time::sleep(SWEEP_EVERY).await;
        app.login_limiter().shrink();
        match app.store().delete_expired_sessions(Timestamp::now()).await {
            Ok(n) => tracing::debug!(removed = n, "swept expired sessions"),
            Err(e) => tracing::warn!(error = %e, "could not sweep expired sessions"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_stored_only_as_hashes() {
        let a = random_secret();
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash(&a).len(), 64);
        assert!(new_api_token().starts_with(TOKEN_PREFIX));
    }

    #[test]
    fn the_login_limit_stops_a_burst_for_one_email() {
        let limiter = LoginLimiter::new(3);
        for _ in 0..3 {
            limiter.check(None, "a@example.com").unwrap();
        }
        assert!(matches!(limiter.check(None, "A@example.com "), Err(WebError::RateLimited { .. })));
        limiter.check(None, "b@example.com").unwrap();
    }
}

/// The client's address when the server knows it (the real server does; in-process tests do not).
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}
