//! Signing in: the password form, then (for users with a second factor) the code form.
//!
//! The password form carries a pre-session token that must match a cookie set with the form, so another
//! site cannot sign a visitor into the attacker's account. A right password for a user with a second
//! factor starts only a sign-in that waits five minutes for a code, held in its own short-lived cookie.

use crate::auth::{self, ClientIp};
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::Frame;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::accounts::{self, SignIn, PENDING_SIGN_IN_MINUTES};
use knead_app::{calendar, AppError};
use knead_core::{Role, User};
use maud::html;

/// The cookie that pairs a sign-in form with the browser it was sent to.
const LOGIN_COOKIE: &str = "knead_login";
/// The cookie naming a sign-in that waits for its code.
const PENDING_COOKIE: &str = "knead_pending";
/// How long a sign-in form may sit open.
const LOGIN_FORM_SECONDS: i64 = 3600;
/// The longest `next` path kept.
const MAX_NEXT_LEN: usize = 2000;

#[derive(serde::Deserialize, Default)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// `next` if it is a path on this site: one leading `/`, then no `//`, no backslash and no control
/// character (a browser drops a tab or newline and would read `/\t/evil.example` as `//evil.example`).
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.len() <= MAX_NEXT_LEN
            && n.starts_with('/')
            && !n.contains("//")
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
    })
}

/// Where a signed-in user goes without a `next`: where their work is. A manager to the practice's pages, a
/// therapist to today's visits (their account while no therapist profile is linked to the login), a client to
/// their account, which lists their bookings.
async fn home_of(state: &AppState, user: &User) -> Result<&'static str, WebError> {
    Ok(match user.role {
        Role::Manager => "/manage",
        Role::Therapist if calendar::therapist_for_user(state.app(), user.id).await?.is_some() => "/calendar",
        Role::Therapist | Role::Client => "/account",
    })
}

/// A redirect that also sets cookies.
fn redirect_with(to: &str, cookies: &[String]) -> Result<Response, WebError> {
    let mut response = Redirect::to(to).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(c).map_err(WebError::internal)?);
    }
    Ok(response)
}

struct LoginForm<'a> {
    email: &'a str,
    next: Option<&'a str>,
    error: Option<&'a str>,
    /// The pre-session token the form echoes.
    token: &'a str,
}

fn login_form(state: &AppState, form: LoginForm<'_>, status: StatusCode) -> Result<Response, WebError> {
    let frame = Frame { state, caller: None };
    let body = html! {
        div.narrow {
            h1 { "Sign in" }
            form.stack method="post" action="/login" novalidate {
                @if let Some(e) = form.error { p.error-summary role="alert" { (e) } }
                input type="hidden" name="login_token" value=(form.token);
                @if let Some(n) = safe_next(form.next) { input type="hidden" name="next" value=(n); }
                label for="email" { "Email" }
                input #email type="email" name="email" value=(form.email) autocomplete="username" required
                    aria-invalid=[form.error.map(|_| "true")];
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
            p { a href="/login/forgot" { "Forgot your password?" } }
            p { "Booked without an account? " a href="/bookings/lost-link" { "Find your booking" } }
        }
    };
    let mut response = frame.respond(status, "Sign in", body);
    let cookie = auth::cookie(state, LOGIN_COOKIE, form.token, "/login", Some(LOGIN_FORM_SECONDS));
    response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(WebError::internal)?);
    Ok(response)
}

/// The form's token: the browser's, if it has one already (so two open tabs both work), else a new one.
fn login_token(headers: &HeaderMap) -> String {
    auth::cookie_value(headers, LOGIN_COOKIE).unwrap_or_else(accounts::random_secret)
}

pub(super) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let token = login_token(&headers);
    let form = LoginForm { email: "", next: q.next.as_deref(), error: None, token: &token };
    login_form(&state, form, StatusCode::OK)
}

pub(super) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, WebError> {
    let (email, password) = (form.get("email"), form.get("password"));
    let next = safe_next(Some(form.get("next")));
    let token = login_token(&headers);
    let again = |error: &str, status: StatusCode| {
        login_form(&state, LoginForm { email, next, error: Some(error), token: &token }, status)
    };
    let sent = form.get("login_token");
    if auth::cookie_value(&headers, LOGIN_COOKIE).is_none_or(|c| !auth::constant_time_eq(c.as_bytes(), sent.as_bytes()))
    {
        return again(
            "This sign-in form had expired or came from another site. Please sign in again.",
            StatusCode::FORBIDDEN,
        );
    }
    let delay = match state.login_limiter().check(ip, email) {
        Ok(delay) => delay,
        Err(e) => return Ok(with_retry_after(again(&first_detail(&e), e.status())?, &e)),
    };
    tokio::time::sleep(delay).await;
    let outcome = match accounts::sign_in(state.app(), email, password).await {
        Ok(outcome) => outcome,
        Err(AppError::Invalid(errs)) => {
            state.login_limiter().failed(email);
            return again(&errs.0[0].detail, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(other) => return Err(other.into()),
    };
    state.login_limiter().succeeded(email);
    // Any session the browser held before is ended; the new one gets a fresh id.
    if let Some(old) = auth::session_cookie(&headers) {
        accounts::end_session_of(state.app(), &old).await?;
    }
    let used_form = auth::cookie(&state, LOGIN_COOKIE, "", "/login", None);
    match outcome {
        SignIn::Done { user, secret } => {
            tracing::info!(user_id = user.id.0, "signed in");
            let session = auth::session_set_cookie(&state, &user, secret);
            let to = match next {
                Some(n) => n,
                None => home_of(&state, &user).await?,
            };
            redirect_with(to, &[session, used_form])
        }
        SignIn::NeedsCode { pending } => {
            let waiting = auth::cookie(&state, PENDING_COOKIE, &pending, "/login", Some(PENDING_SIGN_IN_MINUTES * 60));
            let to = match next {
                Some(n) => {
                    format!("/login/code?next={}", form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>())
                }
                None => "/login/code".to_string(),
            };
            redirect_with(&to, &[waiting, used_form])
        }
    }
}

/// The first message of a refusal, for a page that shows one.
fn first_detail(e: &WebError) -> String {
    e.body().errors.first().map(|item| item.detail.clone()).unwrap_or_default()
}

/// `response` with the refusal's `Retry-After` when it is a rate limit.
fn with_retry_after(mut response: Response, e: &WebError) -> Response {
    if let WebError::RateLimited { retry_after_secs } = e {
        response.headers_mut().insert(header::RETRY_AFTER, (*retry_after_secs).into());
    }
    response
}

fn code_form(state: &AppState, csrf: &str, next: Option<&str>, error: Option<&str>, status: StatusCode) -> Response {
    let frame = Frame { state, caller: None };
    let body = html! {
        div.narrow {
            h1 { "Enter your code" }
            p { "Open the authenticator app on your phone and enter the six-digit code it shows for this practice." }
            form.stack method="post" action="/login/code" novalidate {
                @if let Some(e) = error { p.error-summary role="alert" id="code-error" { (e) } }
                input type="hidden" name="csrf" value=(csrf);
                @if let Some(n) = safe_next(next) { input type="hidden" name="next" value=(n); }
                label for="code" { "Code" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required
                    autofocus aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "code-error")];
                button type="submit" { "Continue" }
            }
            p.small { "No phone to hand? Enter one of your recovery codes instead; each works once." }
            p.small { a href="/login" { "Start again" } }
        }
    };
    frame.respond(status, "Enter your code", body)
}

pub(super) async fn code_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let pending = match auth::cookie_value(&headers, PENDING_COOKIE) {
        Some(p) => accounts::pending_sign_in(state.app(), &p).await?,
        None => None,
    };
    match pending {
        Some(p) => Ok(code_form(&state, &p.csrf_token, q.next.as_deref(), None, StatusCode::OK)),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

pub(super) async fn submit_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, WebError> {
    let next = safe_next(Some(form.get("next")));
    let Some(pending) = auth::cookie_value(&headers, PENDING_COOKIE) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let Some(waiting) = accounts::pending_sign_in(state.app(), &pending).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !auth::constant_time_eq(waiting.csrf_token.as_bytes(), form.get("csrf").as_bytes()) {
        return Err(WebError::Refused { code: "csrf_token_required", detail: "This form came from another site." });
    }
    if let Err(e) = state.login_limiter().check_address(ip) {
        let form = code_form(&state, &waiting.csrf_token, next, Some(&first_detail(&e)), e.status());
        return Ok(with_retry_after(form, &e));
    }
    match accounts::second_step(state.app(), &pending, form.get("code")).await {
        Ok((user, secret)) => {
            tracing::info!(user_id = user.id.0, "signed in with a second factor");
            let session = auth::session_set_cookie(&state, &user, secret);
            let done = auth::cookie(&state, PENDING_COOKIE, "", "/login", None);
            let to = match next {
                Some(n) => n,
                None => home_of(&state, &user).await?,
            };
            redirect_with(to, &[session, done])
        }
        Err(AppError::Invalid(errs)) => {
            let detail = &errs.0[0].detail;
            // The last wrong code ends the waiting sign-in: then there is no form to show again.
            if accounts::pending_sign_in(state.app(), &pending).await?.is_none() {
                let frame = Frame { state: &state, caller: None };
                let body = html! {
                    h1 { "Too many wrong codes" }
                    p.error-summary role="alert" { (detail) }
                    p { a.button href="/login" { "Sign in again" } }
                };
                return Ok(frame.respond(StatusCode::UNPROCESSABLE_ENTITY, "Too many wrong codes", body));
            }
            Ok(code_form(&state, &waiting.csrf_token, next, Some(detail), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(AppError::NotFound { .. }) => Ok(Redirect::to("/login").into_response()),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for good in ["/", "/manage", "/book/when?date=2026-12-01&x=%2F%2F", "/a/b"] {
            assert_eq!(safe_next(Some(good)), Some(good), "{good:?}");
        }
        for bad in [
            "",
            "manage",
            "//evil.example",
            "/\t/evil.example",
            "/\n",
            "/\\evil.example",
            "https://evil.example",
            "/a//b",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), None);
    }
}
