//! Managing a booking: by its guest link, by its client signed in, or by a manager.
//!
//! The page shows the booking and, within the notice policy, two short actions. Each is a step of its own, so
//! a phone shows one thing at a time and nothing changes without a yes:
//!
//! - Move (`?step=move`, in `moving`): one day's free times at a time — a row of the nearby days that have times, a date
//!   field, then that day's times by part of the day. A time with another therapist than the booking's says
//!   who ("with Kai instead of Mara"). Choosing a time (`?step=move&start=…&therapist_ids=…`) shows what
//!   would change; a post with `confirm=yes` moves the booking to that time with those therapists, or refuses
//!   if they were taken meanwhile. The page after the move names the therapist.
//! - Cancel (`?step=cancel`): asks first; a post with `confirm=yes` cancels.
//!
//! A post without `confirm=yes` shows the question rather than acting. The JSON API moves and cancels at
//! once: a program asks its own questions.

mod health;
mod moving;

pub(super) use health::{add_health, health_page};

use super::check_session_csrf;
use super::facts::{booking_facts, calendar_offer, manage_link};
use crate::auth::{managed_booking, MaybeCaller};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::visits::change_notices;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{clock, csrf_field, day_heading, minutes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_app::booking;
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::{parse_instant, Booking, BookingChange, BookingStatus, Clinic};
use knead_core::calendar::{local_date, PracticeSettings};
use knead_core::{Service, TherapistId, ValidationErrors};
use maud::{html, Markup};
use moving::Days;
use std::collections::HashMap;

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ManageQuery {
    token: Option<String>,
    /// `move` or `cancel`; the booking itself when absent.
    step: Option<String>,
    /// The day whose times the move step shows.
    date: Option<String>,
    /// The first day of the row of days (from its "Earlier days" and "Later days" links).
    from: Option<String>,
    /// The time chosen to move to, and who would give it (ids, comma-separated).
    start: Option<String>,
    therapist_ids: Option<String>,
    /// What was just done: `cancelled`, `moved` or `moved-other` (moved, with another therapist).
    done: Option<String>,
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The booking as an iCalendar file, for whoever may see its page (its private link's token, its client
/// signed in, staff): the visit in the practice's zone, cancelled when the booking is.
pub(super) async fn calendar_file(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageQuery>,
) -> Result<Response, WebError> {
    let booking = managed_booking(&state, &caller, id, given(&q.token)).await?;
    let details = calendar::practice_details(state.app()).await?;
    let practice = details.name.unwrap_or_else(|| state.config().practice_name.clone());
    let file = booking::calendar_file(state.app(), &booking, &practice).await?;
    let disposition = format!("attachment; filename=\"booking-{id}.ics\"");
    let headers = [
        (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, file).into_response())
}

pub(super) async fn page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageQuery>,
) -> Result<Response, WebError> {
    let token = given(&q.token);
    let booking = managed_booking(&state, &caller, id, token).await?;
    let m = Manage::load(&state, &caller, &booking, token).await?;
    if !m.may_change() {
        return Ok(m.overview(q.done.as_deref(), &[], StatusCode::OK));
    }
    match (q.step.as_deref(), given(&q.start)) {
        (Some("cancel"), _) => Ok(m.confirm_cancel()),
        (_, Some(start)) => {
            let Ok(start) = parse_instant("start", start) else {
                return Ok(m.move_page(&Days::Chosen(None), Some("choose one of the times listed".into())).await);
            };
            let Ok(therapists) = parse_therapists(q.therapist_ids.as_deref().unwrap_or("")) else {
                return Ok(m.move_page(&Days::At(m.date_of(start)), Some(NOT_FREE.into())).await);
            };
            Ok(m.confirm_move(start, therapists).await)
        }
        (Some("move"), None) => Ok(m.move_page(&Days::asked(&q), None).await),
        // A date names a day of times to move to, even without the step (an older link).
        (_, None) if given(&q.date).is_some() => Ok(m.move_page(&Days::asked(&q), None).await),
        _ => Ok(m.overview(q.done.as_deref(), &[], StatusCode::OK)),
    }
}

const NOT_FREE: &str = "that time is no longer free; choose another";

/// Therapist ids as a form carries them ("3" or "3,4"); none when empty.
fn parse_therapists(text: &str) -> Result<Option<Vec<TherapistId>>, ()> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.split(',').map(|t| t.trim().parse().map(TherapistId).map_err(|_| ())).collect::<Result<_, _>>().map(Some)
}

/// The booking, and everything its pages show beside it.
struct Manage<'a> {
    state: &'a AppState,
    caller: &'a MaybeCaller,
    booking: &'a Booking,
    /// The private link's token it was opened with, carried on every link and form.
    token: Option<&'a str>,
    settings: PracticeSettings,
    service: Service,
    names: HashMap<TherapistId, String>,
    clinics: Vec<Clinic>,
    /// What the practice changed about the booking (another time, another therapist), for the client to read.
    changes: Vec<BookingChange>,
    changeable: bool,
    within_policy: bool,
    today: Date,
    /// The last day of the booking horizon.
    last: Date,
}

impl<'a> Manage<'a> {
    async fn load(
        state: &'a AppState,
        caller: &'a MaybeCaller,
        booking: &'a Booking,
        token: Option<&'a str>,
    ) -> Result<Manage<'a>, WebError> {
        let app = state.app();
        let settings = calendar::settings(app).await?;
        let now = state.now();
        let service = listing::get::<Services>(app, booking.service_id.0, Audience::Manager).await?;
        // Archived therapists keep their names on the visits they gave.
        let names =
            listing::list::<Therapists>(app, Audience::Manager).await?.into_iter().map(|t| (t.id, t.name)).collect();
        let clinics = calendar::all_clinics(app).await?;
        let changes = booking::changes(app, booking.id).await?;
        let today = local_date(settings.zone(), now);
        Ok(Manage {
            state,
            caller,
            booking,
            token,
            changeable: booking.status == BookingStatus::Confirmed && booking.start > now,
            within_policy: caller.is_manager() || settings.may_change(booking.start, now),
            last: settings.last_bookable_date(today),
            today,
            settings,
            service,
            names,
            clinics,
            changes,
        })
    }

    fn may_change(&self) -> bool {
        self.changeable && self.within_policy
    }

    fn date_of(&self, ts: Timestamp) -> Date {
        local_date(self.settings.zone(), ts)
    }

    /// "Mara" or "Kai and Lea".
    fn names_of(&self, ids: &[TherapistId]) -> String {
        ids.iter()
            .map(|id| self.names.get(id).map_or("another therapist", String::as_str))
            .collect::<Vec<_>>()
            .join(" and ")
    }

    fn own_therapists(&self) -> Vec<TherapistId> {
        self.booking.visits.iter().map(|v| v.therapist_id).collect()
    }

    /// "Tuesday 1 December at 14:30".
    fn day_and_time(&self, ts: Timestamp) -> String {
        format!("{} at {}", day_heading(self.date_of(ts)), clock(self.settings.zone(), ts))
    }

    /// This page's address with the private token (if any) and `pairs`.
    fn link(&self, pairs: &[(&str, &str)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = self.token {
            query.append_pair("token", t);
        }
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        let query = query.finish();
        if query.is_empty() {
            self.path()
        } else {
            format!("{}?{query}", self.path())
        }
    }

    /// This page's path: the action of its GET forms, which carry the token as a field (a browser drops the
    /// query of a GET form's action).
    fn path(&self) -> String {
        format!("/bookings/{}/manage", self.booking.id.0)
    }

    fn action(&self, what: &str) -> String {
        format!("/bookings/{}/manage/{what}", self.booking.id.0)
    }

    /// The hidden fields every form here carries: the CSRF token of a session, the private link's token.
    fn carried(&self) -> Markup {
        html! {
            (csrf_field(self.caller.0.as_ref()))
            @if let Some(t) = self.token { input type="hidden" name="token" value=(t); }
        }
    }

    fn respond(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        Frame::new(self.state, self.caller).respond(status, title, body)
    }

    /// The booking, what was just done, why a change was refused, and the actions the policy allows.
    fn overview(&self, done: Option<&str>, refused: &[String], status: StatusCode) -> Response {
        let b = self.booking;
        let tz = self.settings.zone();
        let own = self.names_of(&self.own_therapists());
        let notice = match done {
            Some("cancelled") => Some("Your booking is cancelled.".to_string()),
            Some("moved") => {
                Some(format!("Your booking is moved to {}, still with {own}.", self.day_and_time(b.start)))
            }
            Some("moved-other") => {
                Some(format!("Your booking is moved to {}. Your therapist is now {own}.", self.day_and_time(b.start)))
            }
            Some("health") => Some("Thank you: your health history is saved for your therapist.".to_string()),
            _ => None,
        };
        let body = html! {
            h1 { "Your booking" }
            @if self.caller.is_manager() {
                // This is the client's page; staff work from their own view of the booking.
                p.notice { "This is the page your client sees. " a href={ "/visits/" (b.id.0) } { "Open the staff view of this booking" } }
            }
            @if let Some(n) = &notice { p.notice role="status" { (n) } }
            @if !refused.is_empty() {
                div.error-summary role="alert" { @for why in refused { p { (why) } } }
            }
            (booking_facts(tz, b, &self.service, &self.own_names(), &self.clinics))
            (calendar_offer(b.id.0, self.token, b.status == BookingStatus::Cancelled))
            (change_notices(&self.changes, tz))
            @if self.changeable {
                @if !self.within_policy {
                    p.error-summary role="note" {
                        "Changes need at least " (self.settings.cancel_notice_hours) " hours' notice, so this booking can no longer be "
                        "changed here. Please call the practice."
                    }
                } @else {
                    h2 { "Change this booking" }
                    p.hint { "You can move or cancel up to " (self.settings.cancel_notice_hours) " hours before the start." }
                    // Two short actions, each its own step: no list of times stands between the client and Cancel.
                    div.row {
                        form.inline method="get" action=(self.path()) {
                            @if let Some(t) = self.token { input type="hidden" name="token" value=(t); }
                            input type="hidden" name="step" value="move";
                            button #move-booking type="submit" { "Move to another time" }
                        }
                        form.inline method="get" action=(self.path()) {
                            @if let Some(t) = self.token { input type="hidden" name="token" value=(t); }
                            input type="hidden" name="step" value="cancel";
                            button.danger #cancel-booking type="submit" { "Cancel this booking" }
                        }
                    }
                }
            }
            @if b.status.is_active() {
                p { a #health-link href=(self.health_link()) { "Add to your health history" } " · your therapist reads it before the visit." }
            }
            p { a href="/" { "Back to the home page" } }
        };
        self.respond(status, "Your booking", body)
    }

    fn own_names(&self) -> Vec<String> {
        self.own_therapists().iter().map(|id| self.names_of(&[*id])).collect()
    }

    /// The question before cancelling.
    fn confirm_cancel(&self) -> Response {
        let b = self.booking;
        let body = html! {
            h1 { "Cancel this booking?" }
            p.lead {
                "Cancel " (self.service.name) " (" (minutes(self.service.duration_minutes)) ") on " (self.day_and_time(b.start))
                ", with " (self.names_of(&self.own_therapists())) "?"
            }
            div.row {
                form.inline method="post" action=(self.action("cancel")) {
                    (self.carried())
                    input type="hidden" name="confirm" value="yes";
                    button.danger type="submit" { "Yes, cancel it" }
                }
                a.button href=(self.link(&[])) { "Keep it" }
            }
        };
        self.respond(StatusCode::OK, "Cancel this booking?", body)
    }

    /// A refused change: a start that cannot be had shows that day's times with the reason; anything else
    /// (the notice policy) the booking with it. An error not about the input is the error itself.
    async fn refused(&self, start: Option<Timestamp>, e: AppError) -> Result<Response, WebError> {
        let Some(errors) = field_errors(&e) else { return Err(e.into()) };
        let status = match e {
            AppError::Unavailable(_) => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let mut about_start = None;
        let mut others = Vec::new();
        for error in errors.0 {
            match (&e, error.field.as_str()) {
                (AppError::Unavailable(_), _) => about_start = Some(NOT_FREE.to_string()),
                (AppError::TooLate { .. }, _) => others.push(error.detail),
                (_, "start" | "therapist_ids") => about_start = Some(error.detail),
                _ => others.push(error.detail),
            }
        }
        if let (Some(why), true) = (about_start.clone(), others.is_empty() && self.may_change()) {
            let days = match start {
                Some(s) => Days::At(self.date_of(s)),
                None => Days::Chosen(None),
            };
            let mut page = self.move_page(&days, Some(why)).await;
            *page.status_mut() = status;
            return Ok(page);
        }
        others.extend(about_start);
        Ok(self.overview(None, &others, status))
    }
}

fn sorted(ids: &[TherapistId]) -> Vec<TherapistId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

/// The booking a cancel or move form names, after the same checks as the page.
async fn posted_booking(
    state: &AppState,
    caller: &MaybeCaller,
    id: i64,
    form: &FormPairs,
) -> Result<Booking, WebError> {
    check_session_csrf(caller, form)?;
    managed_booking(state, caller, id, posted_token(form)).await
}

fn posted_token(form: &FormPairs) -> Option<&str> {
    Some(form.get("token")).filter(|t| !t.is_empty())
}

fn confirmed(form: &FormPairs) -> bool {
    form.get("confirm") == "yes"
}

/// What a post without `confirm=yes` gets when the booking can no longer change: why, and nothing changed.
fn cannot_change(m: &Manage<'_>) -> Response {
    if m.changeable {
        let why = format!(
            "Changes need at least {} hours' notice; please call the practice.",
            m.settings.cancel_notice_hours
        );
        m.overview(None, &[why], StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        m.overview(None, &["This booking can no longer be changed.".into()], StatusCode::CONFLICT)
    }
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&state, &caller, id, &form).await?;
    let token = posted_token(&form);
    if !confirmed(&form) {
        let m = Manage::load(&state, &caller, &b, token).await?;
        return Ok(if m.may_change() { m.confirm_cancel() } else { cannot_change(&m) });
    }
    match booking::cancel(state.app(), &b, caller.is_manager()).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "cancelled through the pages");
            Ok(Redirect::to(&manage_link(id, token, Some("cancelled"))).into_response())
        }
        Err(e) => Manage::load(&state, &caller, &b, token).await?.refused(None, e).await,
    }
}

pub(super) async fn reschedule(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&state, &caller, id, &form).await?;
    let token = posted_token(&form);
    let m = Manage::load(&state, &caller, &b, token).await?;
    let start = match parse_instant("start", form.get("start")) {
        Ok(s) => s,
        Err(_) => {
            let e = ValidationErrors::single("required", "start", "choose one of the times listed");
            return m.refused(None, AppError::Invalid(e)).await;
        }
    };
    let Ok(therapists) = parse_therapists(form.get("therapist_ids")) else {
        let e = ValidationErrors::single("invalid", "therapist_ids", NOT_FREE);
        return m.refused(Some(start), AppError::Invalid(e)).await;
    };
    if !confirmed(&form) {
        return Ok(if m.may_change() { m.confirm_move(start, therapists).await } else { cannot_change(&m) });
    }
    match booking::reschedule(state.app(), &b, start, therapists, caller.is_manager()).await {
        Ok(moved) => {
            tracing::info!(booking_id = id, "rescheduled through the pages");
            let before = sorted(&m.own_therapists());
            let after = sorted(&moved.visits.iter().map(|v| v.therapist_id).collect::<Vec<_>>());
            let done = if before == after { "moved" } else { "moved-other" };
            Ok(Redirect::to(&manage_link(id, token, Some(done))).into_response())
        }
        Err(e) => m.refused(Some(start), e).await,
    }
}
