//! A therapist's day and week: their working hours and booked visits, with the drive before each and back
//! to base after the last. Therapists see their own at `/calendar`; managers see anyone's at
//! `/manage/therapists/{id}/calendar`. Each visit links to the staff view of its booking, `/visits/{id}`.
//!
//! Times are stored as instants and shown in the practice's zone; a client's name is shown by its first word,
//! and a visit's precautions by their categories only (a calendar is read over a shoulder; the reasons are on
//! the visit sheet), with "Held" for a booking waiting for a physician's clearance.
//! A date that cannot be read, or lies outside the dates requests may name, shows today's page with the
//! message beside the date field (422); the links to the previous and next day or week stop at that range.

pub(crate) mod map;

use crate::auth::{Caller, Manager, SignedIn};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery};
use crate::pages::clients::health::categories;
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{asked_date, clock, day_heading, error_summary, line, minutes, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_app::calendar;
use knead_app::catalog::{Services, Therapists};
use knead_app::intake;
use knead_app::listing::{self, Audience};
use knead_app::places;
use knead_core::booking::{Booking, BookingId, BookingStatus, Clinic, ClinicId, Where};
use knead_core::calendar::{
    add_days, end_minute_of, instant_of, local_date, local_day, minute_of, step_days, TherapistSchedule,
};
use knead_core::intake::Category;
use knead_core::places::Road;
use knead_core::GeoPoint;
use knead_core::{Role, ServiceId, Therapist, TherapistId, ValidationErrors};
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Routes {
    Routes::new()
        .route("/calendar", get(own_calendar))
        .route("/manage/therapists/{id}/calendar", get(therapist_calendar))
}

/// `?date=2026-03-03&view=week`; today's day when absent.
#[derive(Debug, Default, serde::Deserialize)]
struct CalendarQuery {
    date: Option<String>,
    view: Option<String>,
}

/// A signed-in therapist's own calendar; a manager is sent to the practice's list of calendars.
async fn own_calendar(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppQuery(q): AppQuery<CalendarQuery>,
) -> Result<Response, WebError> {
    match caller.user.role {
        Role::Manager => Ok(Redirect::to("/manage/calendar").into_response()),
        Role::Client => Err(WebError::Forbidden),
        Role::Therapist => {
            let id = calendar::therapist_for_user(state.app(), caller.user.id)
                .await?
                .ok_or(WebError::not_found("therapist profile for this account"))?;
            let page = CalendarPage::load(&state, &caller, id, &q, "/calendar").await?;
            Ok(Frame::signed_in(&state, &caller).respond(page.status(), "Your calendar", page.view("Your calendar")))
        }
    }
}

async fn therapist_calendar(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<CalendarQuery>,
) -> Result<Response, WebError> {
    let path = format!("/manage/therapists/{id}/calendar");
    let page = CalendarPage::load(&state, &caller, TherapistId(id), &q, &path).await?;
    let title = format!("{}: calendar", page.therapist.name);
    Ok(Frame::signed_in(&state, &caller).respond(page.status(), &title, page.view(&title)))
}

/// One visit of the therapist's, as the day lists it.
struct DayVisit {
    /// Its booking's index in `CalendarPage::bookings`.
    booking: usize,
    block_start: Timestamp,
    travel_before_min: i64,
    travel_after_min: i64,
}

/// The days shown, and everything shown on them.
struct CalendarPage {
    therapist: Therapist,
    tz: TimeZone,
    today: Date,
    /// The date asked for (today when absent or refused).
    date: Date,
    /// Why the date asked for was refused, under the field `date`.
    date_errors: ValidationErrors,
    week: bool,
    dates: Vec<Date>,
    bookings: Vec<Booking>,
    /// The therapist's visits on those dates, by start.
    visits: Vec<DayVisit>,
    schedule: Option<TherapistSchedule>,
    services: HashMap<ServiceId, String>,
    /// Each booking's precaution categories, strictest first.
    markers: HashMap<BookingId, Vec<Category>>,
    clinics: HashMap<ClinicId, Clinic>,
    /// The roads under the day's map (none in the week view, or without an imported extract).
    roads: Vec<Road>,
    /// This page's own path, for the links to other days.
    path: String,
    /// A manager's view of a therapist's calendar (with the way back to the practice's calendars).
    for_manager: bool,
}

impl CalendarPage {
    async fn load(
        state: &AppState,
        caller: &Caller,
        therapist: TherapistId,
        q: &CalendarQuery,
        path: &str,
    ) -> Result<CalendarPage, WebError> {
        let app = state.app();
        // Archived therapists keep their calendar, so the manager's audience.
        let therapist = listing::get::<Therapists>(app, therapist.0, Audience::Manager).await?;
        let settings = calendar::settings(app).await?;
        let tz = settings.zone().clone();
        let today = local_date(&tz, state.now());
        let mut date_errors = ValidationErrors::default();
        let date = asked_date(q.date.as_deref(), today, &mut date_errors);
        let week = q.view.as_deref() == Some("week");
        let dates: Vec<Date> = if week {
            let monday = add_days(date, -i64::from(date.weekday().to_monday_zero_offset()));
            (0..7).map(|i| add_days(monday, i)).collect()
        } else {
            vec![date]
        };
        let from = instant_of(local_day(&tz, dates[0]).origin);
        let to = instant_of(local_day(&tz, dates[dates.len() - 1]).end);
        let bookings = calendar::therapist_bookings(app, therapist.id, from, to).await?;
        let schedule = calendar::schedule(app, therapist.id).await?;
        // Archived services still name the visits booked before.
        let services = listing::list::<Services>(app, Audience::Manager).await?;
        let clinics = calendar::all_clinics(app).await?;
        let mut visits: Vec<DayVisit> = bookings
            .iter()
            .enumerate()
            .flat_map(|(i, b)| {
                b.visits.iter().filter(|v| v.therapist_id == therapist.id).map(move |v| DayVisit {
                    booking: i,
                    block_start: v.block_start,
                    travel_before_min: v.travel_before_min,
                    travel_after_min: v.travel_after_min,
                })
            })
            .collect();
        visits.sort_by_key(|v| v.block_start);
        let clinics: HashMap<ClinicId, Clinic> = clinics.into_iter().map(|c| (c.id, c)).collect();
        let mut markers = HashMap::new();
        for b in &bookings {
            markers.insert(b.id, categories(&intake::precautions_for(app, b).await?));
        }
        let roads = match (week, map::area(&[day_route(&therapist.name, schedule.as_ref(), &bookings, &clinics, &tz)]))
        {
            (false, Some(area)) => places::roads_for_map(app, area).await?,
            _ => Vec::new(),
        };
        Ok(CalendarPage {
            therapist,
            tz,
            today,
            date,
            date_errors,
            week,
            dates,
            bookings,
            visits,
            schedule,
            services: services.into_iter().map(|s| (s.id, s.name)).collect(),
            markers,
            clinics,
            roads,
            path: path.to_string(),
            for_manager: caller.is_manager(),
        })
    }

    /// 422 when the date asked for was refused (the page shows today instead), else 200.
    fn status(&self) -> StatusCode {
        if self.date_errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    fn view(&self, title: &str) -> Markup {
        let (step, view) = if self.week { (7, "week") } else { (1, "day") };
        let link = |d: Date, v: &str| format!("{}?date={d}&view={v}", self.path);
        // At the ends of the dates a request may name there is no page before or after.
        let (previous, next) = (step_days(self.date, -step), step_days(self.date, step));
        let mut date_value = Values::default();
        date_value.set("date", self.date.to_string());
        html! {
            @if self.for_manager {
                p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/calendar" { "Calendar" } }
            }
            h1 { (title) }
            (error_summary(&self.date_errors, "That date cannot be shown, so today is:"))
            nav.calendar-nav aria-label="Calendar" {
                @if let Some(d) = previous { a href=(link(d, view)) { "‹ Previous " (view) } }
                a href=(link(self.today, view)) { "Today" }
                @if let Some(d) = next { a href=(link(d, view)) { "Next " (view) " ›" } }
                @if self.week { a href=(link(self.date, "day")) { "Day view" } }
                @else { a href=(link(self.date, "week")) { "Week view" } }
            }
            form.row.calendar-date method="get" action=(self.path) {
                (line(&date_value, &self.date_errors, "date", "Go to date", DATE, ""))
                input type="hidden" name="view" value=(view);
                div.field.submit { button type="submit" { "Show" } }
            }
            @if self.schedule.is_none() { p { "No working hours are set for " (self.therapist.name) " yet." } }
            @for d in &self.dates { (self.day_view(*d)) }
        }
    }

    fn day_view(&self, date: Date) -> Markup {
        let visits: Vec<&DayVisit> =
            self.visits.iter().filter(|v| local_date(&self.tz, self.bookings[v.booking].start) == date).collect();
        let windows = self.schedule.as_ref().map(|s| s.windows_on(&self.tz, date)).unwrap_or_default();
        // Visits still booked in time off or outside the day's hours are said, never left under "Not working".
        let outside = visits
            .iter()
            .filter(|v| {
                let b = &self.bookings[v.booking];
                !knead_core::calendar::within_windows(&windows, minute_of(b.start), end_minute_of(b.end))
            })
            .count();
        let (them, are) = if outside == 1 { ("it", "visit is") } else { ("them", "visits are") };
        html! {
            section.calendar-day aria-labelledby={ "day-" (date) } {
                h2 id={ "day-" (date) } { (day_heading(date)) @if date == self.today { " (today)" } }
                p.hours {
                    @if windows.is_empty() {
                        "Not working"
                        @if outside > 0 { " — " strong { (outside) " " (are) " still booked" } }
                    } @else {
                        "Working "
                        @for (i, (s, e)) in windows.iter().enumerate() {
                            @if i > 0 { ", " }
                            (clock(&self.tz, instant_of(*s))) "–" (clock(&self.tz, instant_of(*e)))
                        }
                        @if outside > 0 { ". " strong { (outside) " " (are) " booked outside these hours" } }
                    }
                    @if outside > 0 && self.for_manager { ": move or reassign " (them) } "."
                }
                @if visits.is_empty() {
                    p.meta { "No visits booked." }
                } @else {
                    @if !self.week {
                        @let bookings: Vec<Booking> = visits.iter().map(|v| self.bookings[v.booking].clone()).collect();
                        @let route = day_route(&self.therapist.name, self.schedule.as_ref(), &bookings, &self.clinics, &self.tz);
                        (map::day_map(&format!("{}'s route on {}", self.therapist.name, day_heading(date)), &[route], &self.roads))
                    }
                    ol.visits { @for v in &visits { li { (self.visit_view(v)) } } }
                    @if let Some(last) = visits.last() {
                        @if last.travel_after_min > 0 {
                            p.travel { "Then about " (minutes(last.travel_after_min)) " back to base" }
                        }
                    }
                }
            }
        }
    }

    fn visit_view(&self, v: &DayVisit) -> Markup {
        let b = &self.bookings[v.booking];
        let service = self.services.get(&b.service_id).map_or("Visit", String::as_str);
        let heading = format!("{}–{} · {service}", clock(&self.tz, b.start), clock(&self.tz, b.end));
        html! {
            @if v.travel_before_min > 0 { p.travel { "Drive about " (minutes(v.travel_before_min)) } }
            article.card.visit {
                // The staff view of the booking: what the visit needs, and what staff may do with it.
                h3 { a href=(visit_link(b)) { (heading) } }
                p { (self.place_of(b)) }
                @if let Some(at) = point_of(b, &self.clinics) {
                    p.directions {
                        a href=(map::directions_link(at)) { "Directions" } " · "
                        a href=(map::apple_directions_link(at)) { "Apple Maps" }
                    }
                }
                p.meta { "Client: " (b.client.name.split_whitespace().next().unwrap_or("")) }
                @let cats = self.markers.get(&b.id).map_or(&[][..], Vec::as_slice);
                @if b.status == BookingStatus::AwaitingClearance || !cats.is_empty() {
                    ul.markers aria-label="Before this visit" {
                        @if b.status == BookingStatus::AwaitingClearance { li.marker.held { "Held: waiting for clearance" } }
                        @for c in cats { li class={ "marker " (c.as_str()) } { (c.label()) } }
                    }
                }
                @if b.visits.len() > 1 { p.meta { "With " (b.visits.len() - 1) " other therapist(s)" } }
            }
        }
    }

    /// Where a visit happens: the clinic's name, or the client's address (or place, when none was given).
    fn place_of(&self, b: &Booking) -> String {
        match &b.place {
            Where::Clinic(id) => self.clinics.get(id).map_or_else(|| "Clinic".into(), |c| c.name.clone()),
            Where::Mobile { address, .. } if !address.trim().is_empty() => address.clone(),
            Where::Mobile { at, .. } => format!("Client's place ({:.4}, {:.4})", at.lat, at.lon),
        }
    }
}

/// The staff view of a visit's booking.
pub(crate) fn visit_link(b: &Booking) -> String {
    format!("/visits/{}", b.id.0)
}

/// Where a booking's visit happens on the map: the client's point, or the clinic's.
fn point_of(b: &Booking, clinics: &HashMap<ClinicId, Clinic>) -> Option<GeoPoint> {
    match &b.place {
        Where::Mobile { at, .. } => Some(*at),
        Where::Clinic(id) => clinics.get(id).map(Clinic::at),
    }
}

/// One therapist's day for the map: base, then the (confirmed) visits in order of time.
pub(crate) fn day_route(
    name: &str,
    schedule: Option<&TherapistSchedule>,
    bookings: &[Booking],
    clinics: &HashMap<ClinicId, Clinic>,
    tz: &TimeZone,
) -> map::MapRoute {
    let mut ordered: Vec<&Booking> = bookings.iter().filter(|b| b.status == BookingStatus::Confirmed).collect();
    ordered.sort_by_key(|b| b.start);
    let stops = ordered
        .into_iter()
        .filter_map(|b| {
            let at = point_of(b, clinics)?;
            let place = match &b.place {
                Where::Mobile { address, .. } => address.clone(),
                Where::Clinic(id) => clinics.get(id).map_or_else(String::new, |c| c.name.clone()),
            };
            Some(map::MapStop { at, label: format!("{} · {place}", clock(tz, b.start)) })
        })
        .collect();
    map::MapRoute { name: name.to_string(), base: schedule.map(|s| s.base), stops }
}
