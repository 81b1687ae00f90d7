//! One therapist's schedule, on one page with three forms: the base, radius, services and weekly hours;
//! time off; and a date's own hours (or a day off). Hours are wall-clock times in the practice's zone, read
//! as people type them ("9", "930", "9:30", "5pm": `read_clock`).
//!
//! A refused form comes back as typed with each message beside its field, the page's other forms as stored,
//! having written nothing. Time off or a date's hours that would leave booked visits outside the therapist's
//! hours is not saved at once: a confirmation page lists the visits and asks (see `booked`). Visits left booked
//! that way are listed under their time off or date, each linking to the staff view where it is moved or
//! reassigned.

mod booked;

use super::{calendar_crumbs, SavedQuery};
use crate::auth::{Caller, Manager};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, field, line, Input, Values, DATE, DECIMAL, HOURS};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use booked::{Confirm, LeftBooked, Pending};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_app::calendar::HoursChange;
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::{calendar, places, AppError};
use knead_core::calendar::{
    format_clock, instant_of, local_date, local_minute, parse_date, read_clock, DayWindows, PracticeSettings,
    ScheduleInput, TherapistSchedule, TypedWindow, WeeklyHoursInput,
};
use knead_core::{FieldError, GeoPoint, Service, Therapist, TherapistId, ValidationErrors};
use maud::{html, Markup};

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/manage/therapists/{id}/schedule", get(schedule_page).post(save_schedule))
        .route("/manage/therapists/{id}/time-off", post(add_time_off))
        .route("/manage/therapists/{id}/time-off/{time_off_id}/delete", post(delete_time_off))
        .route("/manage/therapists/{id}/override", post(set_override))
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/// Windows a weekday can have on the form (split shifts and more).
const MAX_WINDOWS: usize = 4;
/// Windows a single date can have on the form.
const DATE_WINDOWS: usize = 2;
const OVERRIDE_KINDS: [(&str, &str); 3] =
    [("hours", "Work these hours"), ("off", "Day off"), ("usual", "Back to the usual weekly hours")];

/// "day3_1_end": the field of weekday 3's second window's end.
fn hours_name(weekday: usize, k: usize, end: bool) -> String {
    format!("day{weekday}_{k}_{}", if end { "end" } else { "start" })
}

/// The hours form prefilled from the stored schedule (its base as the nearest known address, when the map
/// has one there), or a starting point when there is none.
fn schedule_values(schedule: Option<&TherapistSchedule>, base_label: Option<String>) -> Values {
    let mut v = Values::default();
    match schedule {
        Some(s) => {
            v.set("base_address", base_label.unwrap_or_default());
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
            v.set("radius_km", "20");
        }
    }
    v
}

/// The typed schedule around `base` (the looked-up address, or the stored base when the field was left
/// empty; NaN, which the core refuses, when there is neither), the form fields each weekly row came from, and
/// the errors found while reading.
fn read_schedule(values: &Values, base: Option<GeoPoint>) -> (ScheduleInput, Vec<(String, String)>, ValidationErrors) {
    let mut e = ValidationErrors::default();
    let (base_lat, base_lon) = base.map_or((f64::NAN, f64::NAN), |b| (b.lat, b.lon));
    let radius_km = ui::decimal(&mut e, values, "radius_km", "20");
    let mut service_ids = Vec::new();
    for (_, v) in values.0.iter().filter(|(k, _)| k == "service_ids") {
        match v.parse::<i64>() {
            Ok(id) => service_ids.push(id),
            Err(_) => e.push(FieldError::new("unknown", "service_ids", "names a service that does not exist")),
        }
    }
    let mut weekly = Vec::new();
    let mut rows = Vec::new();
    for d in 1..=7usize {
        for k in 0..MAX_WINDOWS {
            let (start, end) = (hours_name(d, k, false), hours_name(d, k, true));
            if values.get(&start).trim().is_empty() && values.get(&end).trim().is_empty() {
                continue;
            }
            // Each row read as typed ("9" to "5pm"), its own errors under its own fields; a row that reads
            // goes on as the API's "HH:MM", where the overlap rule across a day's rows is checked.
            let mut one = DayWindows::day_off();
            let typed =
                TypedWindow { start_field: &start, end_field: &end, start: values.get(&start), end: values.get(&end) };
            one.add_read(&mut e, typed);
            if let Some(&(from, to)) = one.as_slice().first() {
                weekly.push(WeeklyHoursInput { weekday: d as i8, start: format_clock(from), end: format_clock(to) });
                rows.push((start, end));
            }
        }
    }
    (ScheduleInput { base_lat, base_lon, radius_km, service_ids, weekly }, rows, e)
}

/// `weekly[3].end` -> the form field that row came from; `service_ids[0]` -> the services' fieldset.
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
    if api_field.starts_with("base_") {
        return "base_address".into();
    }
    api_field.to_string()
}

/// One form's values (as typed, or as stored) and its errors.
type FormState = (Values, ValidationErrors);

/// What the schedule page shows in its forms besides the stored schedule: a refused form, or a notice.
#[derive(Default)]
struct ScheduleForms {
    hours: Option<FormState>,
    time_off: Option<FormState>,
    day_override: Option<FormState>,
    saved: Option<&'static str>,
}

async fn schedule_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    let saved = match q.saved.as_deref() {
        Some("time_off_booked") => {
            Some("The time off was added. Visits are still booked in it: move or reassign each one listed below.")
        }
        Some("override_booked") => Some(
            "The date's hours were saved. Visits that day are outside them: move or reassign each one listed below.",
        ),
        _ => q.notice(),
    };
    let forms = ScheduleForms { saved, ..Default::default() };
    render(&state, &caller, id, forms, StatusCode::OK).await
}

/// Loads the therapist's schedule and shows the page, with a refused form as typed.
async fn render(
    state: &AppState,
    caller: &Caller,
    id: i64,
    forms: ScheduleForms,
    status: StatusCode,
) -> Result<Response, WebError> {
    let app = state.app();
    let therapist = listing::get::<Therapists>(app, id, Audience::Manager).await?;
    let settings = calendar::settings(app).await?;
    let schedule = calendar::schedule(app, therapist.id).await?;
    // The services clients can book: the ones a therapist can offer.
    let services = listing::list::<Services>(app, Audience::Public).await?;
    let hours = match forms.hours {
        Some(typed) => typed,
        None => {
            let label = match &schedule {
                Some(s) => places::reverse(app, s.base).await.ok().flatten().map(|p| p.label),
                None => None,
            };
            (schedule_values(schedule.as_ref(), label), ValidationErrors::default())
        }
    };
    let day_override = forms.day_override.unwrap_or_else(|| {
        let mut v = Values::default();
        v.set("ov_kind", "hours");
        (v, ValidationErrors::default())
    });
    let left = LeftBooked::load(app, schedule.as_ref(), settings.zone(), state.now()).await?;
    let page = SchedulePage {
        caller,
        therapist,
        settings,
        schedule,
        services,
        now: state.now(),
        hours,
        time_off: forms.time_off.unwrap_or_default(),
        day_override,
        saved: forms.saved,
        left,
    };
    let title = format!("{}: hours and time off", page.therapist.name);
    Ok(Frame::signed_in(state, caller).respond(status, &title, page.view(&title)))
}

/// Everything the schedule page shows.
struct SchedulePage<'a> {
    caller: &'a Caller,
    therapist: Therapist,
    settings: PracticeSettings,
    schedule: Option<TherapistSchedule>,
    services: Vec<Service>,
    now: Timestamp,
    hours: FormState,
    time_off: FormState,
    day_override: FormState,
    saved: Option<&'static str>,
    left: LeftBooked,
}

impl SchedulePage<'_> {
    fn base(&self) -> String {
        format!("/manage/therapists/{}", self.therapist.id.0)
    }

    fn view(&self, title: &str) -> Markup {
        html! {
            (calendar_crumbs())
            h1 { (title) }
            p { a href={ (self.base()) "/calendar?view=week" } { "See " (self.therapist.name) "'s week" } }
            (ui::notice(self.saved))
            (self.hours_form())
            h2 #time-off { "Time off" }
            @if self.schedule.is_some() { (self.time_off_section()) } @else { (hours_first()) }
            h2 #override { "Different hours on one date" }
            @if self.schedule.is_some() { (self.override_section()) } @else { (hours_first()) }
        }
    }

    fn hours_form(&self) -> Markup {
        let (values, errors) = &self.hours;
        let offered: Vec<&str> = values.0.iter().filter(|(k, _)| k == "service_ids").map(|(_, v)| v.as_str()).collect();
        let service_error = ui::error_for(errors, "service_ids");
        html! {
            h2 #hours { "Base, services and weekly hours" }
            form.stack method="post" action={ (self.base()) "/schedule" } novalidate {
                (ui::error_summary(errors, "Nothing was saved. Please correct these:"))
                (ui::csrf_field(Some(self.caller)))
                p.hint { "The base is where the therapist starts and ends the day (private; never shown to clients). "
                    "Times are wall-clock hours in " (self.settings.time_zone.name()) "." }
                (ui::address_field(values, errors, "base_address", "Base address",
                    if self.schedule.is_some() { "Leave it as it is to keep the current base; type another address to move it." }
                    else { "Where the therapist starts and ends the day." }))
                (line(values, errors, "radius_km", "Travels up to (km)", DECIMAL, ""))
                fieldset #service_ids .invalid[service_error.is_some()] {
                    legend { "Services offered" }
                    @for s in &self.services {
                        @let value = s.id.0.to_string();
                        label.check {
                            input type="checkbox" name="service_ids" value=(value) checked[offered.contains(&value.as_str())];
                            " " (s.name) span.meta { " · " (s.place.label()) }
                        }
                    }
                    @if let Some(e) = service_error { span.error { (e) } }
                }
                @for (i, day) in WEEKDAYS.iter().enumerate() {
                    (weekday_rows(values, errors, i + 1, day))
                }
                p.hint { "Type times as you like: 9, 9:30, 0930, 17:30 or 5:30pm (without am or pm, 5 is five in the morning). "
                    "Leave a day empty for a day off." }
                button type="submit" { "Save hours" }
            }
            script src=(crate::pages::ADDRESS_SCRIPT_PATH) defer {}
        }
    }

    fn time_off_section(&self) -> Markup {
        let tz = self.settings.zone();
        let (values, errors) = &self.time_off;
        let upcoming: Vec<_> = self.schedule.iter().flat_map(|s| &s.time_off).filter(|o| o.end > self.now).collect();
        html! {
            @if upcoming.is_empty() { p.meta { "No time off ahead." } }
            @else {
                ul.plain {
                    @for off in &upcoming {
                        @let when = booked::time_off_text(tz, off.start, off.end);
                        li {
                            (when) " "
                            form.inline method="post" action={ (self.base()) "/time-off/" (off.id) "/delete" } {
                                (ui::csrf_field(Some(self.caller)))
                                button.secondary type="submit" aria-label={ "Remove time off " (when) } { "Remove" }
                            }
                            (self.left.in_time_off(tz, off.id))
                        }
                    }
                }
            }
            form.stack method="post" action={ (self.base()) "/time-off" } novalidate {
                (ui::error_summary(errors, "The time off was not added. Please correct these:"))
                (ui::csrf_field(Some(self.caller)))
                div.row {
                    (line(values, errors, "off_from_date", "From date", DATE, ""))
                    (line(values, errors, "off_from_time", "From time", HOURS, "e.g. 9:30 or 5pm; empty: the start of the day."))
                }
                div.row {
                    (line(values, errors, "off_to_date", "Until date", DATE, ""))
                    (line(values, errors, "off_to_time", "Until time", HOURS, "e.g. 9:30 or 5pm; empty: the end of the day."))
                }
                button type="submit" { "Add time off" }
            }
        }
    }

    fn override_section(&self) -> Markup {
        let today = local_date(self.settings.zone(), self.now);
        let (values, errors) = &self.day_override;
        let overrides: Vec<_> = self.schedule.iter().flat_map(|s| &s.overrides).filter(|o| o.date >= today).collect();
        html! {
            @if !overrides.is_empty() {
                ul.plain {
                    @for o in &overrides {
                        li {
                            (ui::full_date(o.date)) ": "
                            @if o.windows.is_day_off() { "day off" }
                            @else {
                                (booked::windows_text(&o.windows))
                            }
                            " "
                            form.inline method="post" action={ (self.base()) "/override" } {
                                (ui::csrf_field(Some(self.caller)))
                                input type="hidden" name="ov_date" value=(o.date.to_string());
                                input type="hidden" name="ov_kind" value="usual";
                                button.secondary type="submit" aria-label={ "Back to the usual hours on " (o.date) } { "Usual hours" }
                            }
                            (self.left.on_date(self.settings.zone(), o.date))
                        }
                    }
                }
            }
            form.stack method="post" action={ (self.base()) "/override" } novalidate {
                (ui::error_summary(errors, "Nothing was saved. Please correct these:"))
                (ui::csrf_field(Some(self.caller)))
                div.row {
                    (line(values, errors, "ov_date", "Date", DATE, ""))
                    (field(values, errors, "ov_kind", "That day", Input::Select(&OVERRIDE_KINDS), ""))
                }
                @for k in 0..DATE_WINDOWS {
                    div.row {
                        (line(values, errors, &format!("ov_{k}_start"), if k == 0 { "From" } else { "Then from" }, HOURS, ""))
                        (line(values, errors, &format!("ov_{k}_end"), "To", HOURS, ""))
                    }
                }
                p.hint { "The hours replace the weekly ones on that date only. Type times like 9:30 or 5pm." }
                button type="submit" { "Save the date" }
            }
        }
    }
}

/// One weekday's rows of the hours form: those filled in and one more, up to `MAX_WINDOWS` (two when empty).
fn weekday_rows(values: &Values, errors: &ValidationErrors, weekday: usize, name: &str) -> Markup {
    let filled = |k: &usize| {
        !values.get(&hours_name(weekday, *k, false)).is_empty()
            || !values.get(&hours_name(weekday, *k, true)).is_empty()
    };
    let shown = (0..MAX_WINDOWS).filter(filled).max().map_or(2, |k| (k + 2).min(MAX_WINDOWS));
    html! {
        fieldset.hours {
            legend { (name) }
            @for k in 0..shown {
                div.row {
                    (line(values, errors, &hours_name(weekday, k, false), if k == 0 { "From" } else { "Then from" }, HOURS, ""))
                    (line(values, errors, &hours_name(weekday, k, true), "To", HOURS, ""))
                }
            }
        }
    }
}

/// In place of the time-off and date forms while the therapist has no schedule to change.
fn hours_first() -> Markup {
    html! { p.meta { "Save the base and weekly hours first; then time off and single dates can be set here." } }
}

async fn save_schedule(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let typed = values.get("base_address").trim().to_string();
    let (base, mut located) = if typed.is_empty() {
        // Left empty: the base stays where it is; a first schedule must name one.
        match calendar::schedule(state.app(), TherapistId(id)).await? {
            Some(s) => (Some(s.base), ValidationErrors::default()),
            None => (
                None,
                ValidationErrors::single("required", "base_address", "type the address the therapist starts from"),
            ),
        }
    } else {
        match ui::located(state.app(), "base_address", &typed).await? {
            Ok(at) => (Some(at), ValidationErrors::default()),
            Err(errors) => (None, errors),
        }
    };
    let (input, rows, mut read) = read_schedule(&values, base);
    located.0.append(&mut read.0);
    let read = located;
    let rename = |f: &str| schedule_field(&rows, f);
    let errors = if read.is_empty() {
        match calendar::save_schedule(state.app(), TherapistId(id), &input).await {
            Ok(_) => return Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=hours")).into_response()),
            Err(AppError::Invalid(domain)) => ui::merge(read, Err(domain), rename),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Nothing is saved, but the domain still says what else is wrong.
        ui::merge(read, input.validate().map(|_| ()), rename)
    };
    let forms = ScheduleForms { hours: Some((values, errors)), ..Default::default() };
    render(&state, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A local date and optional time typed into a form, as the instant it names in the practice's zone.
fn local_instant(
    e: &mut ValidationErrors,
    values: &Values,
    tz: &TimeZone,
    (date_name, time_name): (&str, &str),
    default_minute: i64,
) -> Option<Timestamp> {
    let date = e.take(parse_date(date_name, values.get(date_name)));
    let time_text = values.get(time_name).trim();
    let minute = if time_text.is_empty() { Some(default_minute) } else { e.take(read_clock(time_name, time_text)) };
    Some(instant_of(local_minute(tz, date?, minute?)))
}

/// The use case's names for the time off's ends, as the form spells them.
fn time_off_field(api_field: &str) -> String {
    match api_field {
        "start" => "off_from_date".into(),
        "end" => "off_to_date".into(),
        other => other.into(),
    }
}

async fn add_time_off(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    if booked::going_back(&values) {
        let forms = ScheduleForms {
            time_off: Some((booked::as_typed(values), ValidationErrors::default())),
            ..Default::default()
        };
        return render(&state, &caller, id, forms, StatusCode::OK).await;
    }
    let over = booked::confirmed(&values);
    let settings = calendar::settings(state.app()).await?;
    let tz = settings.zone();
    let mut e = ValidationErrors::default();
    let start = local_instant(&mut e, &values, tz, ("off_from_date", "off_from_time"), 0);
    let end = local_instant(&mut e, &values, tz, ("off_to_date", "off_to_time"), 24 * 60);
    let errors = match (start, end) {
        (Some(start), Some(end)) if end <= start => {
            e.push(FieldError::new("invalid", "off_to_date", "must be after the start"));
            e
        }
        (Some(start), Some(end)) if e.is_empty() => {
            match calendar::add_time_off_checked(state.app(), TherapistId(id), start, end, over).await {
                Ok(HoursChange::Saved { still_booked, .. }) => {
                    let saved = if still_booked.is_empty() { "time_off" } else { "time_off_booked" };
                    let to = format!("/manage/therapists/{id}/schedule?saved={saved}#time-off");
                    return Ok(Redirect::to(&to).into_response());
                }
                Ok(HoursChange::VisitsBooked(visits)) => {
                    let confirm = Confirm { pending: Pending::TimeOff { start, end }, values, visits };
                    return confirm.respond(&state, &caller, id).await;
                }
                Err(AppError::Invalid(domain)) => ui::merge(e, Err(domain), time_off_field),
                Err(other) => return Err(other.into()),
            }
        }
        _ => e,
    };
    let forms = ScheduleForms { time_off: Some((values, errors)), ..Default::default() };
    render(&state, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn delete_time_off(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath((id, time_off_id)): AppPath<(i64, i64)>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    calendar::delete_time_off(state.app(), TherapistId(id), time_off_id).await?;
    Ok(Redirect::to(&format!("/manage/therapists/{id}/schedule?saved=time_off_deleted#time-off")).into_response())
}

/// The date form's hours: its own windows (`hours`), none (`off`), or the weekly ones again (`usual`, `None`).
fn read_override(values: &Values, e: &mut ValidationErrors) -> Option<DayWindows> {
    match values.get("ov_kind") {
        "usual" => None,
        "off" => Some(DayWindows::day_off()),
        "hours" => {
            let mut day = DayWindows::day_off();
            for k in 0..DATE_WINDOWS {
                let (start_field, end_field) = (format!("ov_{k}_start"), format!("ov_{k}_end"));
                let (start, end) = (values.get(&start_field), values.get(&end_field));
                // The first row is required; later ones may be left empty.
                if k > 0 && start.trim().is_empty() && end.trim().is_empty() {
                    continue;
                }
                day.add_read(e, TypedWindow { start_field: &start_field, end_field: &end_field, start, end });
            }
            Some(day)
        }
        _ => {
            e.push(FieldError::new("invalid", "ov_kind", "choose hours, a day off, or the usual hours"));
            None
        }
    }
}

async fn set_override(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    // An unknown therapist is "No such therapist." before anything about the form.
    let therapist = listing::get::<Therapists>(state.app(), id, Audience::Manager).await?;
    if booked::going_back(&values) {
        let forms = ScheduleForms {
            day_override: Some((booked::as_typed(values), ValidationErrors::default())),
            ..Default::default()
        };
        return render(&state, &caller, id, forms, StatusCode::OK).await;
    }
    let over = booked::confirmed(&values);
    let mut e = ValidationErrors::default();
    let date = e.take(parse_date("ov_date", values.get("ov_date")));
    let windows = read_override(&values, &mut e);
    let errors = match date {
        Some(date) if e.is_empty() => {
            match calendar::set_day_override_checked(state.app(), therapist.id, date, windows.as_ref(), over).await {
                Ok(HoursChange::Saved { still_booked, .. }) => {
                    let saved = if still_booked.is_empty() { "override" } else { "override_booked" };
                    let to = format!("/manage/therapists/{id}/schedule?saved={saved}#override");
                    return Ok(Redirect::to(&to).into_response());
                }
                Ok(HoursChange::VisitsBooked(visits)) => {
                    let confirm = Confirm { pending: Pending::Date { date, windows }, values, visits };
                    return confirm.respond(&state, &caller, id).await;
                }
                Err(AppError::Invalid(domain)) => {
                    ui::merge(e, Err(domain), |f| if f == "date" { "ov_date".into() } else { f.to_string() })
                }
                Err(other) => return Err(other.into()),
            }
        }
        _ => e,
    };
    let forms = ScheduleForms { day_override: Some((values, errors)), ..Default::default() };
    render(&state, &caller, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}
