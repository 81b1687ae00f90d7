//! Notifications in the pages: the manager's outbox, a therapist's or client's private calendar feed, the
//! feed itself, and asking for a booking's private link again.

use crate::auth::{Caller, Manager, MaybeCaller, SignedIn};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::{page_locale, Frame};
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{self, Values};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use knead_app::notify::{self, feeds};
use knead_app::{calendar, AppError};
use knead_core::notify::{Job, JobStatus};
use knead_core::{Role, ValidationErrors};
use maud::{html, Markup};
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/manage/outbox", get(outbox))
        .route("/manage/outbox/{id}", get(message))
        .route("/account/calendar-feed", get(feed_page).post(new_feed))
        .route("/calendar/feed/{token}", get(feed))
        .route("/bookings/lost-link", get(lost_link_page).post(lost_link))
}

const EMAIL: ui::Typed<'static> = ui::Typed { html_type: "email", inputmode: None, autocomplete: Some("email") };

#[derive(Debug, Deserialize)]
pub(super) struct OutboxQuery {
    status: Option<String>,
}

fn status_label(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Pending => "Waiting",
        JobStatus::Running => "Sending",
        JobStatus::Sent => "Sent",
        JobStatus::Outbox => "In the outbox",
        JobStatus::Failed => "Failed",
        JobStatus::Skipped => "Not needed",
    }
}

/// Every message, newest first; without a mail server they wait here for the manager to pass on.
async fn outbox(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<OutboxQuery>,
) -> Result<Response, WebError> {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).and_then(JobStatus::parse);
    let jobs = notify::outbox(state.app(), status, None, 200).await?;
    let when = |t| page_locale().date_time(t);
    let body = html! {
        h1 { "Outbox" }
        p { "Every message the practice sends: confirmations, changes, reminders, and notices to therapists. Without a mail server set (" code { "smtp_url" } ") messages stay here for you to pass on." }
        form.inline method="get" action="/manage/outbox" {
            label for="status" { "Show " }
            select #status name="status" {
                option value="" { "all" }
                @for s in JobStatus::ALL { option value=(s.as_str()) selected[status == Some(s)] { (status_label(s)) } }
            }
            " " button type="submit" { "Show" }
        }
        @if jobs.is_empty() { p { "No messages yet." } } @else {
            div.table-scroll tabindex="0" role="region" aria-label="Messages" {
                table {
                    thead { tr { th { "Made" } th { "Message" } th { "To" } th { "State" } th { "About" } } }
                    tbody {
                        @for j in &jobs {
                            tr {
                                td { (when(j.created_at)) }
                                td { a href={ "/manage/outbox/" (j.id) } { (j.message.as_ref().map(|m| m.subject.clone()).unwrap_or_else(|| j.kind.label().to_string())) } }
                                td { (j.message.as_ref().map(|m| m.to.as_str()).unwrap_or("")) }
                                td { (status_label(j.status)) @if let Some(e) = &j.last_error { br; span.hint { (e) } } }
                                td {
                                    @if let Some(b) = j.booking_id { a href={ "/visits/" (b.0) } { "Booking #" (b.0) } }
                                    @if let Some(e) = j.episode_id { a href={ "/manage/episodes/" (e.0) } { "Episode #" (e.0) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, "Outbox", body))
}

/// One message as it went out (or waits to be passed on).
async fn message(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    let job = notify::job(state.app(), id).await?;
    let body = message_view(&job);
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, job.kind.label(), body))
}

fn message_view(job: &Job) -> Markup {
    let when = |t| page_locale().date_time(t);
    html! {
        h1 { (job.kind.label()) }
        dl {
            dt { "State" } dd { (status_label(job.status)) }
            dt { "Attempts" } dd { (job.attempts) }
            dt { "Due" } dd { (when(job.run_at)) }
            @if let Some(t) = job.finished_at { dt { "Done" } dd { (when(t)) } }
            @if let Some(e) = &job.last_error { dt { "Reason" } dd { (e) } }
        }
        @if let Some(m) = &job.message {
            h2 { (m.subject) }
            p { "To " (m.to) ". Message id " code { (m.message_id) } }
            pre.message { (m.text) }
            @if let Some(ics) = &m.calendar {
                details { summary { "Calendar file attached" } pre.message { (ics) } }
            }
        } @else {
            p { "Not sent yet." }
        }
        p { a href="/manage/outbox" { "Back to the outbox" } }
    }
}

fn feed_view(caller: &Caller, url: Option<&str>) -> Markup {
    html! {
        h1 { "Your calendar feed" }
        p { "Subscribe to a private address from your phone's calendar, and your visits appear there and stay up to date." }
        @if let Some(url) = url {
            p { strong { "Your new feed:" } }
            p { code.secret { (url) } }
            p { "Add it in your calendar as a subscription (\"add calendar from URL\"). Anyone with the address sees your visits, so keep it to yourself. Making a new one stops this one." }
        }
        form.stack method="post" action="/account/calendar-feed" {
            (ui::csrf_field(Some(caller)))
            button type="submit" { @if url.is_some() { "Make another (stops this one)" } @else { "Make my feed address" } }
        }
        p.hint { "Making an address stops any address you made before." }
    }
}

async fn feed_page(State(state): State<AppState>, SignedIn(caller): SignedIn) -> Result<Response, WebError> {
    if caller.user.role == Role::Manager {
        return Err(WebError::not_found("page"));
    }
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, "Your calendar feed", feed_view(&caller, None)))
}

/// A therapist's feed of their visits, or a client's of their own.
async fn new_feed(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let app = state.app();
    let token = feeds::new_own_feed(app, &caller.user).await?;
    let url = format!("{}/calendar/feed/{token}.ics", state.config().public_url.trim_end_matches('/'));
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, "Your calendar feed", feed_view(&caller, Some(&url))))
}

/// The feed a private address opens; a revoked or unknown one is not found.
async fn feed(State(state): State<AppState>, AppPath(token): AppPath<String>) -> Result<Response, WebError> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let details = calendar::practice_details(state.app()).await?;
    let practice = details.name.unwrap_or_else(|| state.config().practice_name.clone());
    let file = feeds::feed(state.app(), token, &practice).await.map_err(|e| match e {
        AppError::NotFound { .. } => WebError::not_found("calendar feed"),
        other => other.into(),
    })?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], file).into_response())
}

fn lost_link_view(values: &Values, errors: &ValidationErrors, sent: bool) -> Markup {
    html! {
        h1 { "Find your booking" }
        @if sent {
            p.notice role="status" { "If there are upcoming bookings under that email, we have sent their private links to it. It can take a few minutes." }
        } @else {
            p { "Lost the link to your booking? Give the email you booked with, and we send the link to it again." }
        }
        (ui::error_summary(errors, "Nothing was sent:"))
        form.stack method="post" action="/bookings/lost-link" novalidate {
            (ui::line(values, errors, "email", "Email", EMAIL, "The one you gave when you booked."))
            button type="submit" { "Send me the link" }
        }
    }
}

async fn lost_link_page(State(state): State<AppState>, caller: MaybeCaller) -> Result<Response, WebError> {
    let body = lost_link_view(&Values::default(), &ValidationErrors::default(), false);
    Ok(Frame::new(&state, &caller).respond(StatusCode::OK, "Find your booking", body))
}

async fn lost_link(State(state): State<AppState>, caller: MaybeCaller, form: FormPairs) -> Result<Response, WebError> {
    let values = Values::from_form(form.0);
    match notify::resend_manage_links(state.app(), values.get("email")).await {
        Ok(()) => {
            let body = lost_link_view(&Values::default(), &ValidationErrors::default(), true);
            Ok(Frame::new(&state, &caller).respond(StatusCode::OK, "Find your booking", body))
        }
        Err(AppError::Invalid(errors)) => {
            let body = lost_link_view(&values, &errors, false);
            Ok(Frame::new(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Find your booking", body))
        }
        Err(other) => Err(other.into()),
    }
}
