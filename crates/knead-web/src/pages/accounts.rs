//! Signing in and out, and the signed-in user's own account page.

use super::Frame;
use crate::auth::{self, ClientIp, MaybeCaller, SignedIn};
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use knead_app::{accounts, AppError};
use knead_core::Role;
use maud::html;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
}

#[derive(serde::Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login form cannot bounce a user to another site.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

fn login_form(frame: &Frame<'_>, email: &str, next: Option<&str>, error: Option<&str>) -> Html<String> {
    let body = html! {
        div.narrow {
            h1 { "Sign in" }
            form.stack method="post" action="/login" novalidate {
                @if let Some(e) = error { p.error-summary role="alert" { (e) } }
                @if let Some(n) = safe_next(next) { input type="hidden" name="next" value=(n); }
                label for="email" { "Email" }
                input #email type="email" name="email" value=(email) autocomplete="username" required
                    aria-invalid=[error.map(|_| "true")];
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
        }
    };
    frame.page("Sign in", body)
}

async fn login_page(State(state): State<AppState>, caller: MaybeCaller, Query(q): Query<NextQuery>) -> Html<String> {
    login_form(&Frame::new(&state, &caller), "", q.next.as_deref(), None)
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, WebError> {
    let (email, password, next) = (form.get("email"), form.get("password"), form.get("next"));
    let frame = Frame { state: &state, caller: None };
    let next = (!next.is_empty()).then_some(next);
    if let Err(e) = state.login_limiter().check(ip, email) {
        let detail = e.body().errors[0].detail.clone();
        return Ok((e.status(), login_form(&frame, email, next, Some(&detail))).into_response());
    }
    let user = match accounts::authenticate(state.app(), email, password).await {
        Ok(user) => user,
        Err(AppError::Invalid(errs)) => {
            let detail = errs.0[0].detail.clone();
            let page = login_form(&frame, email, next, Some(&detail));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other.into()),
    };
    // Any session the browser held before is ended; the new one gets a fresh id.
    if let Some(old) = auth::session_cookie(&headers) {
        accounts::end_session_of(state.app(), &old).await?;
    }
    let cookie = auth::start_session(&state, &user).await?;
    tracing::info!(user_id = user.id.0, "signed in");
    let default = if user.role == Role::Manager { "/manage" } else { "/account" };
    let to = safe_next(next).unwrap_or(default);
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(WebError::internal)?);
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    if let auth::Via::Session { token_hash, .. } = &caller.via {
        accounts::end_session(state.app(), token_hash).await?;
    }
    let mut response = Redirect::to("/").into_response();
    let clear = auth::session_set_cookie(&state, String::new(), None);
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&clear).map_err(WebError::internal)?);
    Ok(response)
}

/// The signed-in user's own page; a client sees only their own account here.
async fn account(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let Some(c) = caller.0.as_ref() else { return Err(WebError::Unauthenticated) };
    let body = html! {
        h1 { "Your account" }
        dl.facts {
            dt { "Name" } dd { (c.user.name) }
            dt { "Email" } dd { (c.user.email.as_str()) }
            dt { "Role" } dd { (c.user.role.as_str()) }
        }
        @if c.user.role == Role::Manager { p { a.button href="/manage" { "Manage the practice" } } }
    };
    Ok(Frame::new(&state, &caller).page("Your account", body))
}
