//! Who is calling: the session cookie or bearer token turned into a `Caller`, role checks, the CSRF checks
//! for form posts and for the API under a session, and the session cookie itself. Passwords, secrets and sessions
//! as operations are `knead_app::accounts`'.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
    /// A manager signed in with a password alone who has not set up their second factor yet: their pages
    /// send them to do that first, and they may not act as a manager until they have.
    pub second_factor_missing: bool,
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
        self.user.role == Role::Manager && !self.second_factor_missing
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

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the request's cookie `name`, if it sent a non-empty one.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| cookie::Cookie::parse(pair.trim()).ok())
        .find(|c| c.name() == name && !c.value().is_empty())
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
        let caller = resolve_caller(&AppState::from_ref(state), &parts.headers).await?;
        parts.extensions.insert(caller.clone());
        Ok(MaybeCaller(caller))
    }
}

/// Who the request's bearer token or session cookie names.
async fn resolve_caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, WebError> {
    if let Some(token) = bearer_token(headers) {
        let user = accounts::token_user(state.app(), token).await?.ok_or(WebError::Unauthenticated)?;
        return Ok(Some(Caller { user, via: Via::ApiToken, second_factor_missing: false }));
    }
    let Some(secret) = session_cookie(headers) else { return Ok(None) };
    Ok(accounts::session(state.app(), &secret).await?.map(|s| Caller {
        user: s.user,
        via: Via::Session { token_hash: s.token_hash, csrf_token: s.csrf_token },
        second_factor_missing: s.second_factor_missing,
    }))
}

/// The header a browser session's state-changing API request must carry, holding the session's form token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Guards the API against browser sessions' risks. A state-changing request authenticated by a session
/// cookie must carry the session's form token in [`CSRF_HEADER`]: a cookie rides along on a cross-site
/// request, a header does not (requests with a bearer token need none; another site cannot make a browser
/// send one). And a session whose second factor is still to be set up may not use the API at all.
pub async fn guard_api_sessions(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if bearer_token(request.headers()).is_some() || session_cookie(request.headers()).is_none() {
        return next.run(request).await;
    }
    let caller = match resolve_caller(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if caller.as_ref().is_some_and(|c| c.second_factor_missing) {
        let refusal = WebError::Refused {
            code: "second_factor_required",
            detail: "Set up your second factor on the account page before using the API.",
        };
        return refusal.into_response();
    }
    if crate::security::is_state_changing(request.method()) {
        if let Some(expected) = caller.as_ref().and_then(Caller::csrf_token) {
            let sent = request.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
            if !constant_time_eq(expected.as_bytes(), sent) {
                let refusal = WebError::Refused {
                    code: "csrf_token_required",
                    detail: "A request made with a browser session must send the session's form token in the \
                             X-CSRF-Token header; API clients send `Authorization: Bearer <token>` instead.",
                };
                return refusal.into_response();
            }
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
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
        if caller.user.role == Role::Manager && !caller.second_factor_missing {
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

/// The `Set-Cookie` value for a new session of `user` whose cookie holds `secret`, lasting as long as the
/// session may for the user's role.
pub fn session_set_cookie(state: &AppState, user: &User, secret: String) -> String {
    let max_age = state.app().session_policy().lifetime(user.role).as_secs();
    build_cookie(state, SESSION_COOKIE, &secret, "/", Some(max_age), cookie::SameSite::Lax)
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_session_cookie(state: &AppState) -> String {
    build_cookie(state, SESSION_COOKIE, "", "/", None, cookie::SameSite::Lax)
}

/// A `Set-Cookie` value for one of the sign-in steps' own cookies: sent only to `path` and never with a
/// request from another site. `None` max-age clears it.
pub fn cookie(state: &AppState, name: &str, value: &str, path: &str, max_age_secs: Option<i64>) -> String {
    build_cookie(state, name, value, path, max_age_secs, cookie::SameSite::Strict)
}

fn build_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: Option<i64>,
    same_site: cookie::SameSite,
) -> String {
    let mut c = cookie::Cookie::new(name.to_string(), value.to_string());
    c.set_http_only(true);
    c.set_secure(state.config().secure_cookies);
    c.set_same_site(same_site);
    c.set_path(path.to_string());
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
