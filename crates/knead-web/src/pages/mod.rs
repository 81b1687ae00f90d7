//! Server-rendered pages, one module per context: the public site (`public`), signing in and the account
//! (`accounts`), the client's booking flow and managing a booking (`booking`), a therapist's day and week
//! (`calendar`), the manager's pages (`manage`), and the safety of home visits (`safety`: checking in and
//! out, the managers' day of them). Shared widgets are in `crate::ui`.
//!
//! Pages are plain HTML with one small stylesheet and work without script, so they load fast on a phone;
//! address fields add suggestions as a person types and a "use my location" button (one small script). A handler loads what the page shows and a
//! view function renders it.

mod accounts;
mod booking;
pub(crate) mod calendar;
mod chair_days;
mod clients;
mod dispatch;
mod groups;
mod intake;
mod manage;
mod manage_groups;
mod notify;
mod parties;
mod public;
mod records;
pub(crate) mod safety;
pub(crate) mod visits;

use crate::auth::{Caller, MaybeCaller};
use crate::error::{RenderedError, WebError};
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Router;
use jiff::tz::TimeZone;
use knead_core::calendar::WallClock;
use knead_core::practice::PracticeDetails;
use knead_core::Role;
use maud::{html, Markup, DOCTYPE};
use std::sync::Arc;

pub const STYLESHEET: &str = include_str!("../../assets/style.css");
pub(crate) use booking::ADDRESS_SCRIPT_PATH;

/// Every page's route, listed as it is added (`crate::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .merge(public::router())
        .merge(accounts::router())
        .merge(booking::router())
        .merge(calendar::router())
        .merge(clients::router())
        .merge(intake::router())
        .merge(manage::router())
        .merge(dispatch::router())
        .merge(visits::router())
        .merge(records::router())
        .merge(notify::router())
        .merge(safety::router())
        .merge(chair_days::router())
        .merge(parties::router())
        .merge(groups::router())
        .merge(manage_groups::router())
        .route("/static/style.css", get(stylesheet))
        .route(booking::ADDRESS_SCRIPT_PATH, get(booking::address_script))
}

pub fn router(state: AppState) -> Router<AppState> {
    routes()
        .into_router()
        .fallback(|| async { WebError::not_found("page") })
        .layer(middleware::from_fn_with_state(state.clone(), second_factor_first))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors_as_html))
        .layer(middleware::from_fn_with_state(state, with_practice_details))
}

tokio::task_local! {
    /// The practice's details for the page being answered, read once per request by `with_practice_details`
    /// so every page's frame (error pages too) shows them without each handler loading them.
    static PRACTICE_DETAILS: Arc<PracticeDetails>;
    /// How the practice writes times and dates, and its zone, for the page being answered (read with the
    /// details), so `ui::clock` and its kin follow the practice's settings without each handler passing them.
    static PAGE_LOCALE: PageLocale;
}

/// How the page being answered writes times and dates: the practice's clock and locale, and its zone.
#[derive(Debug, Clone)]
pub(crate) struct PageLocale {
    pub wall_clock: WallClock,
    pub zone: TimeZone,
}

impl Default for PageLocale {
    fn default() -> Self {
        PageLocale { wall_clock: WallClock::default(), zone: TimeZone::UTC }
    }
}

impl PageLocale {
    /// An instant as a short date and time in the practice's zone: `Dec 1, 2026, 2:30 pm`.
    pub fn date_time(&self, ts: jiff::Timestamp) -> String {
        self.wall_clock.date_time(&self.zone, ts)
    }
}

/// Reads the practice's details (for the frame) and how it writes times (for every time on the page) for
/// whatever page this request renders (the stylesheet and script excepted). Both are one row each, read by
/// key, so a page costs two small reads more; the settings are read anyway by most pages that show times.
async fn with_practice_details(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/static/") {
        return next.run(request).await;
    }
    let details = knead_app::calendar::practice_details(state.app()).await.unwrap_or_else(|e| {
        // The page can still be shown, without the details; the error says what failed, never the details.
        tracing::warn!(error = %e, "the practice's details could not be read for a page's footer");
        PracticeDetails::default()
    });
    let locale = match knead_app::calendar::settings(state.app()).await {
        Ok(s) => PageLocale { wall_clock: s.wall_clock(), zone: s.zone().clone() },
        Err(e) => {
            // Times still show, on the default clock; the handler that needs the settings reports the error.
            tracing::warn!(error = %e, "the practice's settings could not be read for a page's times");
            PageLocale::default()
        }
    };
    let page = PAGE_LOCALE.scope(locale, next.run(request));
    PRACTICE_DETAILS.scope(Arc::new(details), page).await
}

/// The practice's details of the page being answered (empty outside a page request).
pub(crate) fn practice_details() -> Arc<PracticeDetails> {
    PRACTICE_DETAILS.try_with(Arc::clone).unwrap_or_default()
}

/// How the page being answered writes times and dates (the defaults outside a page request: 12-hour clock,
/// `en-CA`, UTC).
pub(crate) fn page_locale() -> PageLocale {
    PAGE_LOCALE.try_with(Clone::clone).unwrap_or_default()
}

/// Runs `f` as if answering a page of a practice that writes times as `locale` does (for view tests).
#[cfg(test)]
pub(crate) fn with_page_locale<R>(locale: PageLocale, f: impl FnOnce() -> R) -> R {
    PAGE_LOCALE.sync_scope(locale, f)
}

/// A manager who signed in without the second factor their role needs is sent to set it up before any
/// other page (signing out and the stylesheet excepted).
async fn second_factor_first(caller: MaybeCaller, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let exempt = path == accounts::SECOND_FACTOR_PATH || path == "/logout" || path.starts_with("/static/");
    if !exempt && caller.0.as_ref().is_some_and(|c| c.second_factor_missing) {
        return Redirect::to(accounts::SECOND_FACTOR_PATH).into_response();
    }
    next.run(request).await
}

/// What every page's frame needs: the practice's name and who is looking.
pub struct Frame<'a> {
    pub state: &'a AppState,
    pub caller: Option<&'a Caller>,
}

impl<'a> Frame<'a> {
    pub fn new(state: &'a AppState, caller: &'a MaybeCaller) -> Frame<'a> {
        Frame { state, caller: caller.0.as_ref() }
    }

    /// The frame of a signed-in caller's page.
    pub fn signed_in(state: &'a AppState, caller: &'a Caller) -> Frame<'a> {
        Frame { state, caller: Some(caller) }
    }

    /// The full page around `body`, with the practice's name (its public one, else the configured one) and
    /// its contact details at the foot.
    pub fn page(&self, title: &str, body: Markup) -> Html<String> {
        let details = PRACTICE_DETAILS.try_with(|d| d.clone()).unwrap_or_default();
        let practice = details.name.as_ref().unwrap_or(&self.state.config().practice_name);
        let full_title = if title.is_empty() { practice.clone() } else { format!("{title} · {practice}") };
        Html(
            html! {
                (DOCTYPE)
                html lang="en" {
                    head {
                        meta charset="utf-8";
                        meta name="viewport" content="width=device-width, initial-scale=1";
                        title { (full_title) }
                        link rel="stylesheet" href="/static/style.css";
                    }
                    body {
                        a.skip href="#main" { "Skip to content" }
                        header.site {
                            div.wrap {
                                a.brand href="/" { (practice) }
                                // At a desk every link shows; on a phone the most used stays beside a
                                // "Menu" that opens the rest (a <details>, so it works without script).
                                // The stylesheet shows one of the two, so only one is ever read out or reached by Tab.
                                nav.phone aria-label="Main" {
                                    a.nav-book href="/book" { "Book" }
                                    details.menu {
                                        summary { "Menu" }
                                        div.menu-items { (self.nav_links()) }
                                    }
                                }
                                nav.desk aria-label="Main" { (self.nav_links()) }
                            }
                        }
                        main #main .wrap { (body) }
                        footer.site {
                            div.wrap {
                                (ui::practice_contact(practice, &details))
                                p { "Massage therapy at home, at the office and in the clinic." }
                                p.small { "Articles here are general information, not medical advice." }
                            }
                        }
                    }
                }
            }
            .into_string(),
        )
    }

    /// The site's links, and signing in or out, for the caller.
    fn nav_links(&self) -> Markup {
        html! {
            a href="/services" { "Services" }
            a href="/therapists" { "Therapists" }
            a href="/articles" { "Articles" }
            a href="/book" { "Book" }
            @match self.caller {
                Some(c) => {
                    @if c.user.role == Role::Manager { a href="/manage" { "Manage" } }
                    @if c.user.role == Role::Therapist { a href="/calendar" { "Calendar" } }
                    @if matches!(c.user.role, Role::Manager | Role::Therapist) {
                        a href="/manage/clients" { "Clients" }
                        a href="/manage/bookings" { "Bookings" }
                    }
                    a href="/account" { "Account" }
                    form.inline method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(c.csrf_token().unwrap_or(""));
                        button.link type="submit" { "Sign out" }
                    }
                }
                None => { a href="/login" { "Sign in" } a href="/sign-up" { "Sign up" } }
            }
        }
    }

    /// The page with a status, as a response.
    pub fn respond(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        (status, self.page(title, body)).into_response()
    }
}

/// Pages show errors as pages: a sign-in redirect for 401, otherwise a short page with the message.
async fn render_errors_as_html(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let response = next.run(request).await;
    let Some(err) = response.extensions().get::<RenderedError>().cloned() else { return response };
    if err.status == StatusCode::UNAUTHORIZED {
        let next_url = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/login?next={next_url}")).into_response();
    }
    let frame = Frame { state: &state, caller: None };
    let title = match err.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let body = html! {
        h1 { (title) }
        @for e in &err.body.errors { p.error-summary { (e.detail) } }
        p { a href="/" { "Back to the home page" } }
    };
    let mut out = frame.respond(err.status, title, body);
    if let Some(v) = response.headers().get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    out
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        STYLESHEET,
    )
}
