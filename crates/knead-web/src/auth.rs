//! Who is calling: the session cookie or bearer token turned into a `Caller`, role checks, the CSRF check
//! for form posts, the session cookie itself, and the sign-in rate limit. Passwords, secrets and sessions
//! as operations are `knead_app::accounts`'.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use knead_app::accounts;
use knead_core::booking::{Booking, BookingId};
use knead_core::{Role, User};
use std::net::IpAddr;

pub const SESSION_COOKIE: &str = "knead_session";

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
    pub fn is_manager(&self) -> bool {
        self.user.role == Role::Manager
    }

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
        let state = AppState::from_ref(state);
        let caller = if let Some(token) = bearer_token(&parts.headers) {
            let user = accounts::token_user(state.app(), token).await?.ok_or(WebError::Unauthenticated)?;
            Some(Caller { user, via: Via::ApiToken })
        } else if let Some(secret) = session_cookie(&parts.headers) {
            accounts::session(state.app(), &secret).await?.map(|s| Caller {
                user: s.user,
                via: Via::Session { token_hash: s.token_hash, csrf_token: s.csrf_token },
            })
        } else {
            None
        };
        parts.extensions.insert(caller.clone());
        Ok(MaybeCaller(caller))
    }
}

impl MaybeCaller {
    pub fn user(&self) -> Option<&User> {
        self.0.as_ref().map(|c| &c.user)
    }

    pub fn is_manager(&self) -> bool {
        self.0.as_ref().is_some_and(Caller::is_manager)
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

/// A booking the caller may manage: its client, a manager, or whoever holds its manage link (`token`).
/// Booking ids are sequential, so the answer must not tell whether an id exists: an anonymous caller without a
/// link is asked to sign in before anything is looked up, and anyone else who may not see a booking is told it
/// does not exist, exactly as for an id that was never used.
pub async fn managed_booking(
    state: &AppState,
    caller: &MaybeCaller,
    id: i64,
    token: Option<&str>,
) -> Result<Booking, WebError> {
    if caller.0.is_none() && token.is_none() {
        return Err(WebError::Unauthenticated);
    }
    knead_app::booking::manageable(state.app(), BookingId(id), caller.user(), token)
        .await?
        .ok_or(WebError::not_found("booking"))
}

/// Starts a session for `user`, returning the `Set-Cookie` value. A new random id every time, so a
/// session id planted before login is never the one that becomes authenticated.
pub async fn start_session(state: &AppState, user: &User) -> Result<String, WebError> {
    let secret = accounts::start_session(state.app(), user).await?;
    Ok(session_set_cookie(state, secret, Some(state.app().session_policy().lifetime(user.role).as_secs())))
}

/// A `Set-Cookie` value for the session cookie; `None` max-age clears it.
pub fn session_set_cookie(state: &AppState, value: String, max_age_secs: Option<i64>) -> String {
    let mut c = cookie::Cookie::new(SESSION_COOKIE, value);
    c.set_http_only(true);
    c.set_secure(state.config().secure_cookies);
    c.set_same_site(cookie::SameSite::Lax);
    c.set_path("/");
    c.set_max_age(cookie::time::Duration::seconds(max_age_secs.unwrap_or(0)));
    c.to_string()
}

/// The client's address when the server knows it (the real server does; in-process tests do not).
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}
