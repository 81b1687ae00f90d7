//! Managing a booking: by its guest link, by its client signed in, or by a manager. The page shows the
//! booking and, within the notice policy, the times it can move to and a way to cancel it.

use super::facts::{booking_facts, manage_link, slots_by_day, therapist_names, StartsByDay};
use super::{check_session_csrf, DAYS_SHOWN};
use crate::auth::{managed_booking, MaybeCaller};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{csrf_field, day_heading, line, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use knead_app::booking::{self, AvailabilityQuery};
use knead_app::catalog::Services;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::{parse_instant, Booking, BookingStatus, Clinic};
use knead_core::calendar::parse_date;
use knead_core::calendar::{local_date, PracticeSettings};
use knead_core::{Service, ValidationErrors};
use maud::{html, Markup};

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ManageQuery {
    token: Option<String>,
    date: Option<String>,
    done: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageQuery>,
) -> Result<Response, WebError> {
    let token = q.token.as_deref().filter(|t| !t.is_empty());
    let booking = managed_booking(&state, &caller, id, token).await?;
    let notice = match q.done.as_deref() {
        Some("cancelled") => Some("Your booking is cancelled."),
        Some("moved") => Some("Your booking was moved to the new time."),
        _ => None,
    };
    let shown = Shown { token, date: q.date.as_deref(), notice, refusal: Refusal::default() };
    render(&state, &caller, &booking, shown, StatusCode::OK).await
}

/// What the page shows beside the booking: the link it was opened with, the date the times start from,
/// a notice after a change, and why a change was refused.
struct Shown<'a> {
    token: Option<&'a str>,
    date: Option<&'a str>,
    notice: Option<&'a str>,
    refusal: Refusal,
}

/// Why a change was refused, by where the page shows it.
#[derive(Default)]
struct Refusal {
    /// About the new start chosen: shown beside the times (above the booking when no times are shown).
    start: Option<String>,
    /// About the booking as a whole (the notice policy) or anything else: shown above the booking.
    booking: Vec<String>,
}

/// Everything the page shows, loaded.
struct ManagePage<'a> {
    booking: &'a Booking,
    shown: Shown<'a>,
    settings: PracticeSettings,
    service: Service,
    names: Vec<String>,
    clinics: Vec<Clinic>,
    changeable: bool,
    within_policy: bool,
    from: Date,
    date_errors: ValidationErrors,
    /// The times it can move to, by day, or why they cannot be listed.
    days: Result<StartsByDay, String>,
}

async fn render(
    state: &AppState,
    caller: &MaybeCaller,
    b: &Booking,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = load(state, caller, b, shown).await?;
    // A date that cannot be shown is refused input, even though the page shows other times instead.
    let status = if status == StatusCode::OK && !page.date_errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    Ok(Frame::new(state, caller).respond(status, "Your booking", page.view(caller)))
}

async fn load<'a>(
    state: &AppState,
    caller: &MaybeCaller,
    b: &'a Booking,
    shown: Shown<'a>,
) -> Result<ManagePage<'a>, WebError> {
    let app = state.app();
    let settings = calendar::settings(app).await?;
    let tz = settings.zone();
    let now = state.now();
    let service = listing::get::<Services>(app, b.service_id.0, Audience::Manager).await?;
    let names = therapist_names(state, b).await?;
    let clinics = calendar::all_clinics(app).await?;
    let changeable = b.status == BookingStatus::Confirmed && b.start > now;
    let within_policy = caller.is_manager() || settings.may_change(b.start, now);
    let today = local_date(tz, now);
    let last = settings.last_bookable_date(today);
    // By default, times from the booking's own day, within today and the booking horizon.
    let usual = local_date(tz, b.start).max(today).min(last);
    let mut date_errors = ValidationErrors::default();
    let from = match shown.date.map(str::trim).filter(|d| !d.is_empty()).map(|d| parse_date("date", d)) {
        None => usual,
        Some(Ok(d)) if d > last => {
            date_errors.push(settings.beyond_horizon("date", today));
            usual
        }
        Some(Ok(d)) => d.max(today),
        Some(Err(e)) => {
            date_errors.push(e);
            usual
        }
    };
    // Starts for the same service at the same place; the booking's own time is not offered back.
    let days = if changeable && within_policy {
        let q = AvailabilityQuery {
            service_id: b.service_id,
            place: b.place.location(),
            from,
            days: DAYS_SHOWN,
            therapist_id: None,
        };
        match booking::availability(app, &q).await {
            Ok(offer) => Ok(slots_by_day(tz, &offer.slots, from, DAYS_SHOWN, last)),
            Err(e) => Err(WebError::from(e).body().errors.into_iter().map(|x| x.detail).collect::<Vec<_>>().join(" ")),
        }
    } else {
        Ok(Vec::new())
    };
    Ok(ManagePage {
        booking: b,
        shown,
        settings,
        service,
        names,
        clinics,
        changeable,
        within_policy,
        from,
        date_errors,
        days,
    })
}

impl ManagePage<'_> {
    fn view(&self, caller: &MaybeCaller) -> Markup {
        let b = self.booking;
        let tz = self.settings.zone();
        // A refused new start is shown beside the times; anything else (the notice policy) above the booking.
        let times_shown = self.changeable && self.within_policy;
        let refusal = &self.shown.refusal;
        let start_error = refusal.start.as_deref().filter(|_| times_shown);
        let above: Vec<&str> = refusal
            .start
            .as_deref()
            .filter(|_| !times_shown)
            .into_iter()
            .chain(refusal.booking.iter().map(String::as_str))
            .collect();
        let mut date_values = Values::default();
        date_values.set("date", self.from.to_string());
        let csrf = csrf_field(caller.0.as_ref());
        let token_field = html! { @if let Some(t) = self.shown.token { input type="hidden" name="token" value=(t); } };
        let action = |what: &str| format!("/bookings/{}/manage/{what}", b.id.0);
        html! {
            h1 { "Your booking" }
            @if let Some(n) = self.shown.notice { p.notice role="status" { (n) } }
            @if !above.is_empty() {
                div.error-summary role="alert" { @for why in &above { p { (why) } } }
            }
            (booking_facts(tz, b, &self.service, &self.names, &self.clinics))
            @if self.changeable {
                @if !self.within_policy {
                    p.error-summary role="note" {
                        "Changes need at least " (self.settings.cancel_notice_hours) " hours' notice, so this booking can no longer be "
                        "changed here. Please call the practice."
                    }
                } @else {
                    p.hint { "You can move or cancel up to " (self.settings.cancel_notice_hours) " hours before the start." }
                    h2 { "Move to another time" }
                    form.row.when-form method="get" action={ "/bookings/" (b.id.0) "/manage" } {
                        (token_field)
                        (line(&date_values, &self.date_errors, "date", "From date", DATE, ""))
                        div.field.submit { button.secondary type="submit" { "Show times" } }
                    }
                    @match &self.days {
                        Err(why) => { p.error-summary { "Times cannot be listed: " (why) } }
                        Ok(days) => {
                            form.stack method="post" action=(action("reschedule")) {
                                (csrf) (token_field)
                                fieldset #start .invalid[start_error.is_some()] aria-describedby=[start_error.map(|_| "start-error")] {
                                    legend { "New start" }
                                    @if let Some(e) = start_error { span.error #start-error { (e) } }
                                    @for (day, times) in days {
                                        div.slot-day {
                                            h3 { (day_heading(*day)) }
                                            @if times.is_empty() { p.meta { "No free times." } }
                                            @else {
                                                div.radio-slots {
                                                    @for (label, start) in times {
                                                        label.slot { input type="radio" name="start" value=(start) required; " " (label) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                button type="submit" { "Move my booking" }
                            }
                        }
                    }
                    h2 { "Cancel" }
                    form.stack method="post" action=(action("cancel")) {
                        (csrf) (token_field)
                        button.danger type="submit" { "Cancel this booking" }
                    }
                }
            }
            p { a href="/" { "Back to the home page" } }
        }
    }
}

/// The booking a cancel or reschedule form names, after the same checks as the page.
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

/// The page again with a refused change's errors, or the error itself when it is not about the input.
async fn refused(
    state: &AppState,
    caller: &MaybeCaller,
    b: &Booking,
    form: &FormPairs,
    e: AppError,
) -> Result<Response, WebError> {
    let Some(errors) = field_errors(&e) else { return Err(e.into()) };
    let status = match e {
        AppError::Unavailable(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut refusal = Refusal::default();
    for error in errors.0 {
        match (&e, error.field.as_str()) {
            (AppError::Unavailable(_), _) => refusal.start = Some("that time was just taken; pick another".into()),
            (AppError::TooLate { .. }, _) => refusal.booking.push(error.detail),
            (_, "start") => refusal.start = Some(error.detail),
            _ => refusal.booking.push(error.detail),
        }
    }
    let shown = Shown { token: posted_token(form), date: None, notice: None, refusal };
    render(state, caller, b, shown, status).await
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&state, &caller, id, &form).await?;
    match booking::cancel(state.app(), &b, caller.is_manager()).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "cancelled through the pages");
            Ok(Redirect::to(&manage_link(id, posted_token(&form), Some("cancelled"))).into_response())
        }
        Err(e) => refused(&state, &caller, &b, &form, e).await,
    }
}

pub(super) async fn reschedule(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&state, &caller, id, &form).await?;
    let start = match parse_instant("start", form.get("start")) {
        Ok(s) => s,
        Err(_) => {
            let e = ValidationErrors::single("required", "start", "choose one of the new times");
            return refused(&state, &caller, &b, &form, AppError::Invalid(e)).await;
        }
    };
    match booking::reschedule(state.app(), &b, start, None, caller.is_manager()).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "rescheduled through the pages");
            Ok(Redirect::to(&manage_link(id, posted_token(&form), Some("moved"))).into_response())
        }
        Err(e) => refused(&state, &caller, &b, &form, e).await,
    }
}
