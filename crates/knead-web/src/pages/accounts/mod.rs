//! Signing in and out, and the signed-in user's own pages: the account (a client's bookings first), the second
//! factor and the personal access tokens.

mod password_reset;
mod second_factor;
mod sign_in;
mod sign_up;
mod tokens;

use super::Frame;
use crate::auth::{self, MaybeCaller, SignedIn};
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::intake::{capital, version_date};
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::when_text;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use knead_app::catalog::Services;
use knead_app::listing::{self, Audience};
use knead_app::{accounts, calendar, clients};
use knead_core::booking::{Booking, BookingStatus};
use knead_core::intake::Level;
use knead_core::{Role, ServiceId, User, UserId};
use maud::{html, Markup};
use std::collections::HashMap;

pub use second_factor::SET_UP_PATH as SECOND_FACTOR_PATH;

pub fn router() -> Routes {
    Routes::new()
        .route("/login", get(sign_in::login_page).post(sign_in::login))
        .route("/login/code", get(sign_in::code_page).post(sign_in::submit_code))
        .route("/login/forgot", get(password_reset::forgot_page).post(password_reset::forgot))
        .route("/login/reset", get(password_reset::reset_page).post(password_reset::reset))
        .route("/logout", post(logout))
        .route(sign_up::PATH, get(sign_up::page).post(sign_up::sign_up))
        .route("/account", get(account))
        .route(second_factor::SET_UP_PATH, get(second_factor::page).post(second_factor::confirm))
        .route("/account/second-factor/off", post(second_factor::turn_off))
        .route("/account/tokens", get(tokens::page).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
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
    let clear = auth::clear_session_cookie(&state);
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&clear).map_err(WebError::internal)?);
    Ok(response)
}

/// The signed-in user's own page; a client sees only their own account here, with their bookings first.
async fn account(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let Some(c) = caller.0.as_ref() else { return Err(WebError::Unauthenticated) };
    let has_second_factor = accounts::has_second_factor(state.app(), c.user.id).await?;
    let (bookings, health) = match c.user.role {
        Role::Client => (Some(client_bookings(&state, c.user.id).await?), Some(own_health(&state, &c.user).await?)),
        _ => (None, None),
    };
    let care = match c.user.role {
        Role::Therapist => Some(crate::pages::records::alerts::section(&state, c).await?),
        _ => None,
    };
    let body = html! {
        h1 { "Your account" }
        @if let Some(care) = &care { (care) }
        @if c.user.role == Role::Client {
            p #own-program { a.button href="/account/program" { "Your home program" } " Your exercises, logging a day, and your pain chart." }
        }
        @if let Some(b) = &bookings { (b) }
        @if let Some(h) = &health { (h) }
        @if bookings.is_some() { h2 { "Account details" } }
        dl.facts {
            dt { "Name" } dd { (c.user.name) }
            dt { "Email" } dd { (c.user.email.as_str()) }
            dt { "Role" } dd { (c.user.role.as_str()) }
            dt { "Second factor" } dd { @if has_second_factor { "On" } @else { "Off" } }
        }
        ul {
            li { a href=(second_factor::SET_UP_PATH) { "Second factor (authenticator app)" } }
            li { a href="/account/tokens" { "Personal access tokens for the API" } }
            @if c.user.role != Role::Manager { li { a href="/account/calendar-feed" { "Your visits in your phone's calendar" } } }
        }
        @if c.is_manager() { p { a.button href="/manage" { "Manage the practice" } } }
        @if c.user.role == Role::Therapist { p { a.button href="/calendar" { "Your calendar" } } }
    };
    Ok(Frame::new(&state, &caller).page("Your account", body))
}

/// A client's bookings made while signed in: the coming ones, soonest first, each linking to the page that
/// moves or cancels it; then the last few past or cancelled ones.
async fn client_bookings(state: &AppState, user: UserId) -> Result<Markup, WebError> {
    const EARLIER_SHOWN: usize = 5;
    let app = state.app();
    let all = calendar::client_bookings(app, user).await?;
    let settings = calendar::settings(app).await?;
    let tz = settings.zone();
    // Archived services still name the visits booked before.
    let services: HashMap<ServiceId, String> =
        listing::list::<Services>(app, Audience::Manager).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let now = state.now();
    let (mut coming, earlier): (Vec<&Booking>, Vec<&Booking>) =
        all.iter().partition(|b| b.status.is_active() && b.end > now);
    coming.sort_by_key(|b| b.start);
    let item = |b: &Booking| {
        let service = services.get(&b.service_id).map_or("Booking", String::as_str);
        html! {
            a href={ "/bookings/" (b.id.0) "/manage" } { (when_text(tz, b.start, b.end)) }
            " · " (service)
            @if b.status == BookingStatus::Cancelled { " · Cancelled" }
            @if b.status == BookingStatus::AwaitingClearance { " · Held until a physician clears you" }
        }
    };
    Ok(html! {
        h2 { "Your bookings" }
        @if coming.is_empty() {
            p { "No visits booked. " a href="/book" { "Book a massage" } }
        } @else {
            ul.bookings { @for b in &coming { li { (item(b)) } } }
        }
        @if !earlier.is_empty() {
            h3 { "Earlier and cancelled" }
            ul.bookings { @for b in earlier.iter().take(EARLIER_SHOWN) { li { (item(b)) } } }
        }
    })
}

/// A client's own health history (its latest version) and what their screenings found.
async fn own_health(state: &AppState, user: &User) -> Result<Markup, WebError> {
    let app = state.app();
    let record = clients::own_record(app, user).await?;
    let file = clients::file(app, user, record.id).await?;
    let locale = crate::pages::page_locale();
    Ok(html! {
        h2 { "Your health history" }
        @match file.intakes.first() {
            Some(v) => p #health-summary { "Last updated " (version_date(v)) " (version " (v.version) "). " a href="/account/health" { "See or update it" } }
            None => p #health-summary { "Not filled in yet. Your therapist reads it before your visit. " a href="/account/health" { "Fill in your health history" } }
        }
        @if !file.screenings.is_empty() {
            h3 { "Your safety questions" }
            ul #screenings {
                @for s in &file.screenings {
                    li {
                        (locale.date_time(s.created_at)) ": " strong { (level_text(s.assessment.level)) }
                        @if !s.assessment.reasons.is_empty() {
                            ul { @for r in &s.assessment.reasons { li { (capital(&r.message)) "." } } }
                        }
                    }
                }
            }
        }
    })
}

fn level_text(level: Level) -> &'static str {
    match level {
        Level::Clear => "nothing to follow up",
        Level::Routine => "see a physician or physiotherapist alongside massage",
        Level::Urgent => "a physician's clearance before massage",
        Level::Emergency => "go to an emergency department",
    }
}
