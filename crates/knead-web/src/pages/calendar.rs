//! The calendar's pages: a therapist's day and week (their own at `/calendar`, anyone's for a manager),
//! and the manager's pages for what availability is made from — each therapist's base, services, weekly
//! hours, time off and dated overrides, the clinics and their rooms, and the practice's booking settings.
//!
//! Times are stored as instants and shown in the practice's zone. Forms follow `manage.rs`: every post
//! checks the session's CSRF token, and a refused form comes back as typed with each message beside its
//! field, having written nothing.

use super::forms::{self, field, Input, Values};
use super::Frame;
use crate::auth::{Caller, Manager, SignedIn};
use crate::error::{NotFoundAs, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{Booking, ClinicInput};
use knead_core::calendar::{
    format_clock, instant_of, local_date, local_day, local_minute, parse_clock, PracticeSettings, ScheduleInput,
    ServiceArea, TherapistSchedule, WeeklyHoursInput,
};
use knead_core::money::format_cents;
use knead_core::{FieldError, Role, Service, Therapist, TherapistId, ValidationErrors};
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(own_calendar))
        .route("/manage/calendar", get(calendar_index))
        .route("/manage/therapists/{id}/calendar", get(therapist_calendar))
        .route("/manage/therapists/{id}/schedule", get(schedule_page).post(save_schedule))
        .route("/manage/therapists/{id}/time-off", post(add_time_off))
        .route("/manage/therapists/{id}/time-off/{time_off_id}/delete", post(delete_time_off))
        .route("/manage/therapists/{id}/override", post(set_override))
        .route("/manage/clinics", get(clinics_page).post(add_clinic))
        .route("/manage/settings", get(settings_page).post(save_settings))
}

// ---------------------------------------------------------------------------------------------------
// Shared by the booking pages: local times, typed fields, numbers read from forms.

/// "14:30": an instant's wall-clock time in the practice's zone.
pub(super) fn clock(tz: &TimeZone, ts: Timestamp) -> String {
    ts.to_zoned(tz.clone()).strftime("%H:%M").to_string()
}

/// "Tuesday 3 March".
pub(super) fn day_heading(date: Date) -> String {
    date.strftime("%A %-d %B").to_string()
}

/// "Tuesday 3 March 2026, 10:00–11:00".
pub(super) fn when_text(tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
    let date = local_date(tz, start);
    format!("{} {}, {}–{}", day_heading(date), date.year(), clock(tz, start), clock(tz, end))
}

/// Today in the practice's zone.
pub(super) fn today(tz: &TimeZone, now: Timestamp) -> Date {
    local_date(tz, now)
}

/// How an `<input>` is typed, so phones show the right keyboard and browsers can fill it in.
#[derive(Clone, Copy)]
pub(super) struct Typed<'a> {
    pub html_type: &'a str,
    pub inputmode: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
}

pub(super) const TEXT: Typed<'static> = Typed { html_type: "text", inputmode: None, autocomplete: None };
pub(super) const DECIMAL: Typed<'static> =
    Typed { html_type: "text", inputmode: Some("decimal"), autocomplete: Some("off") };
pub(super) const WHOLE: Typed<'static> =
    Typed { html_type: "text", inputmode: Some("numeric"), autocomplete: Some("off") };
pub(super) const DATE: Typed<'static> = Typed { html_type: "date", inputmode: None, autocomplete: Some("off") };
/// Hours as text ("09:00"), not `type=time`, so a mistyped value comes back as typed beside its message.
pub(super) const HOURS: Typed<'static> =
    Typed { html_type: "text", inputmode: Some("numeric"), autocomplete: Some("off") };

/// A labelled `<input>` of any type, with hint and error, shaped like `forms::field`.
pub(super) fn typed_field(
    values: &Values,
    errors: &ValidationErrors,
    name: &str,
    label: &str,
    t: Typed<'_>,
    hint: &str,
) -> Markup {
    let error = forms::error_for(errors, name);
    let id = field_id(name);
    let described = error.map(|_| format!("{id}-error"));
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            @if !hint.is_empty() { span.hint { (hint) } }
            input #(id) type=(t.html_type) name=(name) value=(values.get(name)) inputmode=[t.inputmode]
                autocomplete=[t.autocomplete] aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
            @if let Some(e) = error { span.error id=(format!("{id}-error")) { (e) } }
        }
    }
}

/// The element id `forms::field` gives a field name.
pub(super) fn field_id(name: &str) -> String {
    name.replace(['[', ']', '.'], "_")
}

/// The list of problems above a refused form, each linking to its field.
pub(super) fn error_summary(errors: &ValidationErrors, lead: &str) -> Markup {
    html! {
        @if !errors.0.is_empty() {
            div.error-summary role="alert" {
                p { (lead) }
                ul { @for e in &errors.0 { li { a href={ "#" (field_id(&e.field)) } { (e.detail) } } } }
            }
        }
    }
}

/// A decimal number typed into a form ("43.65"); NaN and an error under `name` when it is not one.
pub(super) fn decimal(errors: &mut ValidationErrors, values: &Values, name: &str, example: &str) -> f64 {
    match values.get(name).trim().parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            errors.push(FieldError::new("invalid_type", name, format!("must be a number, e.g. {example}")));
            f64::NAN
        }
    }
}

/// A required whole number typed into a form.
pub(super) fn whole(errors: &mut ValidationErrors, values: &Values, name: &str) -> i64 {
    values.get(name).trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push(FieldError::new("invalid_type", name, "must be a whole number"));
        0
    })
}

/// The domain's errors under the form's field names, after the errors found while reading the form
/// (which win: "must be a number" says more than the range check that follows from it).
pub(super) fn merge_renamed(
    read: ValidationErrors,
    domain: Result<(), ValidationErrors>,
    rename: impl Fn(&str) -> String,
) -> ValidationErrors {
    let renamed = domain
        .map_err(|e| ValidationErrors(e.0.into_iter().map(|x| FieldError { field: rename(&x.field), ..x }).collect()));
    forms::merge(read, renamed)
}

/// The CSRF field every signed-in form carries.
pub(super) fn csrf_field(caller: Option<&Caller>) -> Markup {
    html! { @if let Some(token) = caller.and_then(Caller::csrf_token) { input type="hidden" name="csrf" value=(token); } }
}

/// A short "saved" notice for the page a successful post redirects to.
fn saved_notice(text: Option<&str>) -> Markup {
    html! { @if let Some(t) = text { p.notice role="status" { (t) } } }
}

// ---------------------------------------------------------------------------------------------------
// Day and week views.

#[derive(Debug, Default, serde::Deserialize)]
struct CalendarQuery {
    date: Option<String>,
    view: Option<String>,
}

/// A signed-in therapist's own calendar; a manager is sent to the practice's list of calendars.
async fn own_calendar(
    State(app): State<AppState>,
    SignedIn(caller): SignedIn,
    AppQuery(q): AppQuery<CalendarQuery>,
) -> Result<Response, WebError> {
    match caller.user.role {
        Role::Manager => Ok(Redirect::to("/manage/calendar").into_response()),
        Role::Client => Err(WebError::Forbidden),
        Role::Therapist => {
            let id = app
                .store()
                .therapist_for_user(caller.user.id)
                .await?
                .ok_or(WebError::NotFound { what: "therapist profile for this account" })?;
            let therapist = app.store().therapist(id).await.not_found_as("therapist")?;
            let frame = Frame { app: &app, caller: Some(&caller) };
            Ok(calendar_page(&frame, &therapist, &q, "/calendar", "Your calendar").await?.into_response())
        }
    }
}

async fn therapist_calendar(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<CalendarQuery>,
) -> Result<Html<String>, WebError> {
    let therapist = app.store().therapist(TherapistId(id)).await.not_found_as("therapist")?;
    let frame = Frame { app: &app, caller: Some(&caller) };
    let title = format!("{}: calendar", therapist.name);
    calendar_page(&frame, &therapist, &q, &format!("/manage/therapists/{id}/calendar"), &title).await
}

/// One visit of the therapist's, as the day view lists it.
struct DayVisit<'a> {
    booking: &'a Booking,
    block_start: Timestamp,
    travel_before_min: i64,
    travel_after_min: i64,
}

async fn calendar_page(
    frame: &Frame<'_>,
    therapist: &Therapist,
    q: &CalendarQuery,
    path: &str,
    title: &str,
) -> Result<Html<String>, WebError> {
    let store = frame.app.store();
    let settings = store.practice_settings().await?;
    let tz = settings.zone();
    let today = today(&tz, frame.app.now());
    let requested = q.date.as_deref().filter(|d| !d.trim().is_empty());
    let parsed = requested.map(|d| d.trim().parse::<Date>());
    let bad_date = matches!(parsed, Some(Err(_)));
    let date = match parsed {
        Some(Ok(d)) => d,
        _ => today,
    };
    let week = q.view.as_deref() == Some("week");
    let dates: Vec<Date> = if week {
        let monday = date - i64::from(date.weekday().to_monday_zero_offset()).days();
        (0..7).map(|i| monday + i.days()).collect()
    } else {
        vec![date]
    };
    let (first, last) = (dates[0], dates[dates.len() - 1]);
    let from = instant_of(local_day(&tz, first).origin);
    let to = instant_of(local_day(&tz, last).end);
    let bookings = store.therapist_bookings(therapist.id, from, to).await?;
    let schedule = store.schedule(therapist.id).await?;
    let services: HashMap<_, _> = store.list_services(true).await?.into_iter().map(|s| (s.id, s)).collect();
    let clinics: HashMap<_, _> = store.clinics().await?.into_iter().map(|c| (c.id, c)).collect();

    let mut visits: Vec<DayVisit<'_>> = bookings
        .iter()
        .flat_map(|b| {
            b.visits.iter().filter(|v| v.therapist_id == therapist.id).map(move |v| DayVisit {
                booking: b,
                block_start: v.block_start,
                travel_before_min: v.travel_before_min,
                travel_after_min: v.travel_after_min,
            })
        })
        .collect();
    visits.sort_by_key(|v| v.block_start);

    let step = if week { 7 } else { 1 };
    let view = if week { "week" } else { "day" };
    let link = |d: Date, v: &str| format!("{path}?date={d}&view={v}");
    let place_of = |b: &Booking| match (b.clinic_id, b.address.as_deref()) {
        (Some(c), _) => clinics.get(&c).map_or_else(|| "Clinic".to_string(), |c| c.name.clone()),
        (None, Some(a)) if !a.trim().is_empty() => a.to_string(),
        (None, _) => match (b.lat, b.lon) {
            (Some(lat), Some(lon)) => format!("Client's place ({lat:.4}, {lon:.4})"),
            _ => "Client's place".into(),
        },
    };

    let for_manager = frame.caller.is_some_and(|c| c.user.role == Role::Manager);
    let body = html! {
        @if for_manager {
            p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/calendar" { "Calendar" } }
        }
        h1 { (title) }
        @if bad_date { p.error-summary role="alert" { "That date could not be read, so today is shown." } }
        nav.calendar-nav aria-label="Calendar" {
            a href=(link(date - step.days(), view)) { "‹ Previous " (view) }
            a href=(link(today, view)) { "Today" }
            a href=(link(date + step.days(), view)) { "Next " (view) " ›" }
            @if week { a href=(link(date, "day")) { "Day view" } } @else { a href=(link(date, "week")) { "Week view" } }
        }
        form.row.calendar-date method="get" action=(path) {
            div.field {
                label for="date" { "Go to date" }
                input #date type="date" name="date" value=(date.to_string());
            }
            input type="hidden" name="view" value=(view);
            div.field.submit { button type="submit" { "Show" } }
        }
        @if schedule.is_none() { p { "No working hours are set for " (therapist.name) " yet." } }
        @for d in &dates {
            @let day_visits: Vec<&DayVisit<'_>> = visits.iter().filter(|v| local_date(&tz, v.booking.start) == *d).collect();
            @let windows = schedule.as_ref().map(|s| s.windows_on(&tz, *d)).unwrap_or_default();
            section.calendar-day aria-labelledby={ "day-" (d) } {
                h2 id={ "day-" (d) } { (day_heading(*d)) @if *d == today { " (today)" } }
                p.hours {
                    @if windows.is_empty() { "Not working." }
                    @else {
                        "Working "
                        @for (i, (s, e)) in windows.iter().enumerate() {
                            @if i > 0 { ", " }
                            (clock(&tz, instant_of(*s))) "–" (clock(&tz, instant_of(*e)))
                        }
                        "."
                    }
                }
                @if day_visits.is_empty() {
                    p.meta { "No visits booked." }
                } @else {
                    ol.visits {
                        @for v in &day_visits {
                            li {
                                @if v.travel_before_min > 0 {
                                    p.travel { "Drive about " (super::minutes(v.travel_before_min)) }
                                }
                                article.card.visit {
                                    @let heading = format!("{}–{} · {}", clock(&tz, v.booking.start), clock(&tz, v.booking.end),
                                        services.get(&v.booking.service_id).map_or("Visit", |s| s.name.as_str()));
                                    // Managers can open the booking to move or cancel it; therapists only see their day.
                                    @if for_manager { h3 { a href={ "/bookings/" (v.booking.id.0) "/manage" } { (heading) } } }
                                    @else { h3 { (heading) } }
                                    p { (place_of(v.booking)) }
                                    p.meta { "Client: " (v.booking.client_name.split_whitespace().next().unwrap_or("")) }
                                    @if v.booking.visits.len() > 1 { p.meta { "With " (v.booking.visits.len() - 1) " other therapist(s)" } }
                                }
                            }
                        }
                    }
                    @if let Some(last) = day_visits.last() {
                        @if last.travel_after_min > 0 {
                            p.travel { "Then about " (super::minutes(last.travel_after_min)) " back to base" }
                        }
                    }
                }
            }
        }
    };
    Ok(frame.page(title, body))
}

/// The manager's way in: every therapist's calendar and hours, the clinics and the settings.
async fn calendar_index(State(app): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    let therapists = app.store().list_therapists(false).await?;
    let schedules = app.store().schedules().await?;
    let frame = Frame { app: &app, caller: Some(&caller) };
    Ok(frame.page(
        "Calendar",
        html! {
            p.crumbs { a href="/manage" { "Manage" } }
            h1 { "Calendar and booking" }
            p { a href="/manage/clinics" { "Clinics and rooms" } " · " a href="/manage/settings" { "Booking settings" } }
            table.list {
                thead { tr { th { "Therapist" } th { "Hours" } th { span.visually-hidden { "Calendar" } } } }
                tbody {
                    @for t in &therapists {
                        @let has = schedules.iter().any(|s| s.therapist_id == t.id);
                        tr {
                            td { (t.name) }
                            td { a href={ "/manage/therapists/" (t.id.0) "/schedule" } { @if has { "Hours and time off" } @else { "Set hours" } } }
                            td {
                                a href={ "/manage/therapists/" (t.id.0) "/calendar" } { "Day" } " · "
                                a href={ "/manage/therapists/" (t.id.0) "/calendar?view=week" } { "Week" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

// ---------------------------------------------------------------------------------------------------
// A therapist's schedule: base, radius, services, weekly hours; time off; dated overrides.

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/// Windows a weekday can have on the form (split shifts and more).
const MAX_WINDOWS: usize = 4;

fn hours_name(weekday: usize, k: usize, end: bool) -> String {
    format!("day{weekday}_{k}_{}", if end { "end" } else { "start" })
}

fn schedule_values(schedule: Option<&TherapistSchedule>, area: &ServiceArea) -> Values {
    let mut v = Values::default();
    match schedule {
        Some(s) => {
            v.set("base_lat", s.base.lat.to_string());
            v.set("base_lon", s.base.lon.to_string());
            v.set("radius_km", s.radius_km.to_string());
            for id in &s.service_ids {
                v.set("service_ids", id.0.to_string());
            }
            for d in 1..=7usize {
                for (k, w) in s.weekly.iter().filter(|w| w.weekday as usize == d).enumerate() {
                    v.set(hours_name(d, k, false), format_clock(w.start_minute));
                    v.set(hours_name(d, k, true), format_clock(w.end_minute));
                }
            }
        }
        None => {
            // A starting point the manager can correct: the service area's centre.
            v.set("base_lat", area.lat.to_string());
            v.set("base_lon", area.lon.to_string());
            v.set("radius_km", "20");
        }
    }
    v
}

/// The typed schedule, where each weekly row came from, and the errors found while reading.
fn read_schedule(values: &Values, services: &[Service]) -> (ScheduleInput, Vec<(String, String)>, ValidationErrors) {
    let mut e = ValidationErrors::default();
    let base_lat = decimal(&mut e, values, "base_lat", "43.65");
    let base_lon = decimal(&mut e, values, "base_lon", "-79.38");
    let radius_km = decimal(&mut e, values, "radius_km", "20");
    let mut service_ids = Vec::new();
    for (k, v) in &values.0 {
        if k == "service_ids" {
            match v.parse::<i64>() {
                Ok(id) if services.iter().any(|s| s.id.0 == id) => service_ids.push(id),
                _ => e.push(FieldError::new("unknown", "service_ids", "names a service that does not exist")),
            }
        }
    }
    let mut weekly = Vec::new();
    let mut rows = Vec::new();
    for d in 1..=7usize {
        for k in 0..MAX_WINDOWS {
            let (s, en) = (hours_name(d, k, false), hours_name(d, k, true));
            if values.get(&s).trim().is_empty() && values.get(&en).trim().is_empty() {
                continue;
            }
            weekly.push(WeeklyHoursInput {
                weekday: d as i8,
                start: values.get(&s).to_string(),
                end: values.get(&en).to_string(),
            });
            rows.push((s, en));
        }
    }
    (ScheduleInput { base_lat, base_lon, radius_km, service_ids, weekly }, rows, e)
}

/// `weekly[3].end` -> the form field that row came from.
fn schedule_field(rows: &[(String, String)], api_field: &str) -> String {
    if let Some(rest) = api_field.strip_prefix("weekly[") {
        if let Some((i, tail)) = rest.split_once(']') {
            if let Some((start, end)) = i.parse::<usize>().ok().and_then(|i| rows.get(i)) {
                return if tail == ".end" { end.clone() } else { start.clone() };
            }
        }
    }
    if api_field.starts_with("service_ids") {
        return "service_ids".into();
    }
    api_field.to_string()
}

/// What the schedule page shows in each of its three forms: values as typed or stored, and errors.
#[derive(Default)]
struct ScheduleForms {
    hours: Option<(Values, ValidationErrors)>,
    time_off: Option<(Values, ValidationErrors)>,
    day_override: Option<(Values, ValidationErrors)>,
    saved: Option<&'static str>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

fn saved_text(what: Option<&str>) -> Option<&'static str> {
    match what? {
        "hours" => Some("The hours were saved."),
        "time_off" => Some("The time off was added."),
        "time_off_deleted" => Some("The time off was removed."),
        "override" => Some("The date's hours were saved."),
        "clinic" => Some("The clinic was added."),
        "settings" => Some("The settings were saved."),
        _ => None,
    }
}

async fn schedule_page(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    let forms = ScheduleForms { saved: saved_text(q.saved.as_deref()), ..Default::default() };
    render_schedule(&app, &caller, id, forms, StatusCode::OK).await
}

async fn render_schedule(
    app: &AppState,
    caller: &Caller,
    id: i64,
    forms: ScheduleForms,
    status: StatusCode,
) -> Result<Response, WebError> {
    let store = app.store();
    let therapist = store.therapist(TherapistId(id)).await.not_found_as("therapist")?;
    let settings = store.practice_settings().await?;
    let tz = settings.zone();
    let schedule = store.schedule(therapist.id).await?;
    let services = store.list_services(false).await?;
    let (hours_values, hours_errors) = forms
        .hours
        .unwrap_or_else(|| (schedule_values(schedule.as_ref(), &settings.service_area), ValidationErrors::default()));
    let (off_values, off_errors) = forms.time_off.unwrap_or_default();
    let (ov_values, ov_errors) = forms.day_override.unwrap_or_else(|| {
        let mut v = Values::default();
        v.set("ov_kind", "hours");
        (v, ValidationErrors::default())
    });
    let now = app.now();
    let today = today(&tz, now);
    let offered: Vec<&str> =
        hours_values.0.iter().filter(|(k, _)| k == "service_ids").map(|(_, v)| v.as_str()).collect();
    let service_error = forms::error_for(&hours_errors, "service_ids");
    let base = format!("/manage/therapists/{id}");
    let frame = Frame { app, caller: Some(caller) };
    let title = format!("{}: hours and time off", therapist.name);
    let ov_kinds: [(&str, &str); 3] =
        [("hours", "Work these hours"), ("off", "Day off"), ("usual", "Back to the usual weekly hours")];
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/calendar" { "Calendar" } }
        h1 { (title) }
        p { a href={ (base) "/calendar?view=week" } { "See " (therapist.name) "'s week" } }
        (saved_notice(forms.saved))

        h2 #hours { "Base, services and weekly hours" }
        form.stack method="post" action={ (base) "/schedule" } novalidate {
            (error_summary(&hours_errors, "Nothing was saved. Please correct these:"))
            (csrf_field(Some(caller)))
            p.hint { "The base is where the therapist starts and ends the day (private; never shown to clients). "
                "Times are wall-clock hours in " (settings.time_zone) "." }
            div.row {
                (typed_field(&hours_values, &hours_errors, "base_lat", "Base latitude", DECIMAL, ""))
                (typed_field(&hours_values, &hours_errors, "base_lon", "Base longitude", DECIMAL, ""))
                (typed_field(&hours_values, &hours_errors, "radius_km", "Travels up to (km)", DECIMAL, ""))
            }
            fieldset #service_ids .invalid[service_error.is_some()] {
                legend { "Services offered" }
                @for s in &services {
                    @let value = s.id.0.to_string();
                    label.check {
                        input type="checkbox" name="service_ids" value=(value) checked[offered.contains(&value.as_str())];
                        " " (s.name) span.meta { " · " (s.place.label()) }
                    }
                }
                @if let Some(e) = service_error { span.error { (e) } }
            }
            @for (i, day) in WEEKDAYS.iter().enumerate() {
                @let d = i + 1;
                @let shown = (0..MAX_WINDOWS).filter(|k| !hours_values.get(&hours_name(d, *k, false)).is_empty() || !hours_values.get(&hours_name(d, *k, true)).is_empty()).max().map_or(2, |k| (k + 2).min(MAX_WINDOWS));
                fieldset.hours {
                    legend { (day) }
                    @for k in 0..shown {
                        div.row {
                            (typed_field(&hours_values, &hours_errors, &hours_name(d, k, false), if k == 0 { "From" } else { "Then from" }, HOURS, ""))
                            (typed_field(&hours_values, &hours_errors, &hours_name(d, k, true), "To", HOURS, ""))
                        }
                    }
                }
            }
            p.hint { "24-hour times such as 09:00 and 17:30. Leave a day empty for a day off." }
            button type="submit" { "Save hours" }
        }

        h2 #time-off { "Time off" }
        @let upcoming: Vec<_> = schedule.iter().flat_map(|s| s.time_off.iter()).filter(|o| o.end > now).collect();
        @if upcoming.is_empty() { p.meta { "No time off ahead." } }
        @else {
            ul.plain {
                @for off in &upcoming {
                    li {
                        (when_span(&tz, off.start, off.end)) " "
                        form.inline method="post" action={ (base) "/time-off/" (off.id) "/delete" } {
                            (csrf_field(Some(caller)))
                            button.secondary type="submit" aria-label={ "Remove time off " (when_span_text(&tz, off.start, off.end)) } { "Remove" }
                        }
                    }
                }
            }
        }
        form.stack method="post" action={ (base) "/time-off" } novalidate {
            (error_summary(&off_errors, "The time off was not added. Please correct these:"))
            (csrf_field(Some(caller)))
            div.row {
                (typed_field(&off_values, &off_errors, "off_from_date", "From date", DATE, ""))
                (typed_field(&off_values, &off_errors, "off_from_time", "From time", HOURS, "Empty: the start of the day."))
            }
            div.row {
                (typed_field(&off_values, &off_errors, "off_to_date", "Until date", DATE, ""))
                (typed_field(&off_values, &off_errors, "off_to_time", "Until time", HOURS, "Empty: the end of the day."))
            }
            button type="submit" { "Add time off" }
        }

        h2 #override { "Different hours on one date" }
        @let overrides: Vec<_> = schedule.iter().flat_map(|s| s.overrides.iter()).filter(|o| o.date >= today).collect();
        @if !overrides.is_empty() {
            ul.plain {
                @for o in &overrides {
                    li {
                        (day_heading(o.date)) " " (o.date.year()) ": "
                        @if o.windows.is_empty() { "day off" }
                        @else { @for (i, (s, e)) in o.windows.iter().enumerate() { @if i > 0 { ", " } (format_clock(*s)) "–" (format_clock(*e)) } }
                        " "
                        form.inline method="post" action={ (base) "/override" } {
                            (csrf_field(Some(caller)))
                            input type="hidden" name="ov_date" value=(o.date.to_string());
                            input type="hidden" name="ov_kind" value="usual";
                            button.secondary type="submit" aria-label={ "Back to the usual hours on " (o.date) } { "Usual hours" }
                        }
                    }
                }
            }
        }
        form.stack method="post" action={ (base) "/override" } novalidate {
            (error_summary(&ov_errors, "Nothing was saved. Please correct these:"))
            (csrf_field(Some(caller)))
            div.row {
                (typed_field(&ov_values, &ov_errors, "ov_date", "Date", DATE, ""))
                (field(&ov_values, &ov_errors, "ov_kind", "That day", Input::Select(&ov_kinds), ""))
            }
            @for k in 0..2 {
                div.row {
                    (typed_field(&ov_values, &ov_errors, &format!("ov_{k}_start"), if k == 0 { "From" } else { "Then from" }, HOURS, ""))
                    (typed_field(&ov_values, &ov_errors, &format!("ov_{k}_end"), "To", HOURS, ""))
                }
            }
            p.hint { "The hours replace the weekly ones on that date only." }
            button type="submit" { "Save the date" }
        }
    };
    Ok((status, frame.page(&title, body)).into_response())
}

fn when_span_text(tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
    let (sd, ed) = (local_date(tz, start), local_date(tz, end - 1.second()));
    if sd == ed {
        format!("{} {}, {}–{}", day_heading(sd), sd.year(), clock(tz, start), clock(tz, end))
    } else {
        format!(
            "{} {} {} – {} {} {}",
            day_heading(sd),
            sd.year(),
            clock(tz, start),
            day_heading(ed),
            ed.year(),
            clock(tz, end)
        )
    }
}

fn when_span(tz: &TimeZone, start: Timestamp, end: Timestamp) -> Markup {
    html! { (when_span_text(tz, start, end)) }
}

async fn save_schedule(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let services = app.store().list_services(false).await?;
    let (input, rows, read) = read_schedule(&values, &services);
    let checked = input.validate();
    let errors = merge_renamed(read, checked.as_ref().map(|_| ()).map_err(Clone::clone), |f| schedule_field(&rows, f));
    match checked {
        Ok(draft) if errors.0.is_empty() => {
            app.store().save_schedule(TherapistId(id), &draft).await.not_found_as("therapist")?;
            Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=hours")).into_response())
        }
        _ => {
            let forms = ScheduleForms { hours: Some((values, errors)), ..Default::default() };
            render_schedule(&app, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// A local date and optional time typed into a form, as the absolute minute it names in the practice's zone.
fn local_instant(
    e: &mut ValidationErrors,
    values: &Values,
    tz: &TimeZone,
    date_name: &str,
    time_name: &str,
    default_minute: i64,
) -> Option<Timestamp> {
    let date = match values.get(date_name).trim().parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            e.push(FieldError::new("invalid", date_name, "must be a date like 2026-12-24"));
            None
        }
    };
    let time_text = values.get(time_name).trim();
    let minute = if time_text.is_empty() {
        Some(default_minute)
    } else {
        parse_clock(time_name, time_text).map_err(|x| e.push(x)).ok()
    };
    Some(instant_of(local_minute(tz, date?, minute?)))
}

async fn add_time_off(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let tz = app.store().practice_settings().await?.zone();
    let mut e = ValidationErrors::default();
    let start = local_instant(&mut e, &values, &tz, "off_from_date", "off_from_time", 0);
    let end = local_instant(&mut e, &values, &tz, "off_to_date", "off_to_time", 24 * 60);
    if let (Some(s), Some(en)) = (start, end) {
        if en <= s {
            e.push(FieldError::new("invalid", "off_to_date", "must be after the start"));
        }
    }
    match (start, end) {
        (Some(s), Some(en)) if e.0.is_empty() => {
            app.store().add_time_off(TherapistId(id), s, en).await.not_found_as("therapist")?;
            Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=time_off#time-off")).into_response())
        }
        _ => {
            let forms = ScheduleForms { time_off: Some((values, e)), ..Default::default() };
            render_schedule(&app, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn delete_time_off(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath((id, off)): AppPath<(i64, i64)>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    app.store().delete_time_off(TherapistId(id), off).await.not_found_as("time off")?;
    Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=time_off_deleted#time-off")).into_response())
}

async fn set_override(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let therapist = app.store().therapist(TherapistId(id)).await.not_found_as("therapist")?;
    let mut e = ValidationErrors::default();
    let date = values
        .get("ov_date")
        .trim()
        .parse::<Date>()
        .map_err(|_| e.push(FieldError::new("invalid", "ov_date", "must be a date like 2026-12-24")))
        .ok();
    let windows: Option<Vec<(i64, i64)>> = match values.get("ov_kind") {
        "usual" => None,
        "off" => Some(Vec::new()),
        "hours" => {
            let mut windows = Vec::new();
            for k in 0..2 {
                let (sn, en) = (format!("ov_{k}_start"), format!("ov_{k}_end"));
                if k > 0 && values.get(&sn).trim().is_empty() && values.get(&en).trim().is_empty() {
                    continue;
                }
                let s = parse_clock(&sn, values.get(&sn)).map_err(|x| e.push(x)).ok();
                let en_min = parse_clock(&en, values.get(&en)).map_err(|x| e.push(x)).ok();
                if let (Some(s), Some(x)) = (s, en_min) {
                    if x <= s {
                        e.push(FieldError::new("invalid", en.clone(), "must be after the start"));
                    } else if windows.iter().any(|&(a, b)| a < x && s < b) {
                        e.push(FieldError::new("overlaps", sn.clone(), "overlaps the other hours"));
                    } else {
                        windows.push((s, x));
                    }
                }
            }
            windows.sort();
            Some(windows)
        }
        _ => {
            e.push(FieldError::new("invalid", "ov_kind", "choose hours, a day off, or the usual hours"));
            None
        }
    };
    match date {
        Some(date) if e.0.is_empty() => {
            app.store().set_day_override(therapist.id, date, windows.as_deref()).await?;
            Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=override#override")).into_response())
        }
        _ => {
            let forms = ScheduleForms { day_override: Some((values, e)), ..Default::default() };
            render_schedule(&app, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Clinics and rooms.

async fn clinics_page(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    render_clinics(
        &app,
        &caller,
        &Values::default(),
        &ValidationErrors::default(),
        saved_text(q.saved.as_deref()),
        StatusCode::OK,
    )
    .await
}

async fn render_clinics(
    app: &AppState,
    caller: &Caller,
    values: &Values,
    errors: &ValidationErrors,
    saved: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let clinics = app.store().clinics().await?;
    let frame = Frame { app, caller: Some(caller) };
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/calendar" { "Calendar" } }
        h1 { "Clinics and rooms" }
        (saved_notice(saved))
        @if clinics.is_empty() { p { "No clinics yet. Clinic services can be booked once a clinic has a room." } }
        @else {
            table.list {
                thead { tr { th { "Clinic" } th { "Address" } th { "Rooms" } } }
                tbody {
                    @for c in &clinics {
                        tr {
                            td { (c.name) }
                            td { (c.address) br; span.meta { (format!("{:.4}, {:.4}", c.lat, c.lon)) } }
                            td { (c.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                }
            }
        }
        h2 { "Add a clinic" }
        form.stack method="post" action="/manage/clinics" novalidate {
            (error_summary(errors, "Nothing was saved. Please correct these:"))
            (csrf_field(Some(caller)))
            (field(values, errors, "name", "Name", Input::Text, ""))
            (field(values, errors, "address", "Address", Input::Text, "Shown to clients who book a clinic visit."))
            div.row {
                (typed_field(values, errors, "lat", "Latitude", DECIMAL, ""))
                (typed_field(values, errors, "lon", "Longitude", DECIMAL, ""))
            }
            (field(values, errors, "rooms", "Rooms", Input::Area(3), "One room name per line; a clinic visit needs a free room."))
            button type="submit" { "Add clinic" }
        }
    };
    Ok((status, frame.page("Clinics and rooms", body)).into_response())
}

async fn add_clinic(
    State(app): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let mut read = ValidationErrors::default();
    let input = ClinicInput {
        name: values.get("name").to_string(),
        address: values.get("address").to_string(),
        lat: decimal(&mut read, &values, "lat", "43.65"),
        lon: decimal(&mut read, &values, "lon", "-79.38"),
        rooms: values.get("rooms").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
    };
    let checked = input.validate();
    let errors = merge_renamed(read, checked.as_ref().map(|_| ()).map_err(Clone::clone), |f| {
        if f.starts_with("rooms") {
            "rooms".into()
        } else {
            f.to_string()
        }
    });
    match checked {
        Ok(draft) if errors.0.is_empty() => {
            app.store().create_clinic(&draft).await?;
            Ok(Redirect::to("/manage/clinics?saved=clinic").into_response())
        }
        _ => render_clinics(&app, &caller, &values, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------------------
// The practice's booking settings.

const GRIDS: [(&str, &str); 6] = [
    ("5", "5 minutes"),
    ("10", "10 minutes"),
    ("15", "15 minutes"),
    ("20", "20 minutes"),
    ("30", "30 minutes"),
    ("60", "60 minutes"),
];

fn settings_values(s: &PracticeSettings) -> Values {
    let mut v = Values::default();
    v.set("time_zone", &s.time_zone);
    v.set("area_lat", s.service_area.lat.to_string());
    v.set("area_lon", s.service_area.lon.to_string());
    v.set("area_radius_km", s.service_area.radius_km.to_string());
    v.set("grid_minutes", s.grid_minutes.to_string());
    v.set("lead_minutes", s.lead_minutes.to_string());
    v.set("cancel_notice_hours", s.cancel_notice_hours.to_string());
    v.set("travel_fee_free_km", s.travel_fee_free_km.to_string());
    v.set("travel_fee_per_km", format_cents(s.travel_fee_cents_per_km).trim_start_matches('$').to_string());
    v.set("road_factor", s.road_factor.to_string());
    v.set("speed_kmh", s.speed_kmh.to_string());
    v
}

/// The API's field names for settings, as the form spells them.
fn settings_field(api_field: &str) -> String {
    match api_field {
        "service_area.lat" => "area_lat".into(),
        "service_area.lon" => "area_lon".into(),
        "service_area.radius_km" => "area_radius_km".into(),
        "travel_fee_cents_per_km" => "travel_fee_per_km".into(),
        other => other.into(),
    }
}

async fn settings_page(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    let settings = app.store().practice_settings().await?;
    render_settings(
        &app,
        &caller,
        &settings_values(&settings),
        &ValidationErrors::default(),
        saved_text(q.saved.as_deref()),
        StatusCode::OK,
    )
}

fn render_settings(
    app: &AppState,
    caller: &Caller,
    v: &Values,
    e: &ValidationErrors,
    saved: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let frame = Frame { app, caller: Some(caller) };
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/calendar" { "Calendar" } }
        h1 { "Booking settings" }
        (saved_notice(saved))
        form.stack method="post" action="/manage/settings" novalidate {
            (error_summary(e, "Nothing was saved. Please correct these:"))
            (csrf_field(Some(caller)))
            (typed_field(v, e, "time_zone", "Time zone", TEXT, "An IANA name such as America/Toronto. Working hours are wall-clock times in it."))
            fieldset {
                legend { "Service area" }
                p.hint { "Home visits are booked only within this circle." }
                div.row {
                    (typed_field(v, e, "area_lat", "Centre latitude", DECIMAL, ""))
                    (typed_field(v, e, "area_lon", "Centre longitude", DECIMAL, ""))
                    (typed_field(v, e, "area_radius_km", "Radius (km)", DECIMAL, ""))
                }
            }
            div.row {
                (field(v, e, "grid_minutes", "Start times every", Input::Select(&GRIDS), ""))
                (typed_field(v, e, "lead_minutes", "Earliest booking (minutes from now)", WHOLE, ""))
                (typed_field(v, e, "cancel_notice_hours", "Notice to cancel or move (hours)", WHOLE, ""))
            }
            fieldset {
                legend { "Travel fee" }
                div.row {
                    (typed_field(v, e, "travel_fee_free_km", "Free distance (km)", DECIMAL, "From the therapist's base, in a straight line."))
                    (typed_field(v, e, "travel_fee_per_km", "Per km beyond it ($)", DECIMAL, ""))
                }
            }
            fieldset {
                legend { "Driving times" }
                p.hint { "Driving time is the straight-line distance times the road factor, at the average speed." }
                div.row {
                    (typed_field(v, e, "road_factor", "Road factor", DECIMAL, "E.g. 1.3."))
                    (typed_field(v, e, "speed_kmh", "Average speed (km/h)", DECIMAL, ""))
                }
            }
            button type="submit" { "Save settings" }
        }
    };
    Ok((status, frame.page("Booking settings", body)).into_response())
}

async fn save_settings(
    State(app): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let mut read = ValidationErrors::default();
    let settings = PracticeSettings {
        time_zone: values.get("time_zone").trim().to_string(),
        service_area: ServiceArea {
            lat: decimal(&mut read, &values, "area_lat", "43.65"),
            lon: decimal(&mut read, &values, "area_lon", "-79.38"),
            radius_km: decimal(&mut read, &values, "area_radius_km", "30"),
        },
        grid_minutes: whole(&mut read, &values, "grid_minutes"),
        lead_minutes: whole(&mut read, &values, "lead_minutes"),
        cancel_notice_hours: whole(&mut read, &values, "cancel_notice_hours"),
        travel_fee_free_km: decimal(&mut read, &values, "travel_fee_free_km", "10"),
        travel_fee_cents_per_km: forms::money(&mut read, &values, "travel_fee_per_km", "travel_fee_per_km"),
        road_factor: decimal(&mut read, &values, "road_factor", "1.3"),
        speed_kmh: decimal(&mut read, &values, "speed_kmh", "30"),
    };
    let errors = merge_renamed(read, settings.validate(), settings_field);
    if !errors.0.is_empty() {
        return render_settings(&app, &caller, &values, &errors, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.store().save_practice_settings(&settings).await?;
    Ok(Redirect::to("/manage/settings?saved=settings").into_response())
}
