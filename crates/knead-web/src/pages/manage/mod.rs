//! The manager's pages: the dashboard, the lists of services, therapists and articles (`listing`), and what
//! availability is made from — the index of therapists' hours and calendars (here), each therapist's
//! schedule with time off and dated hours (`schedule`), the clinics and rooms (`clinics`), the practice's
//! own details and booking settings (`settings`) and how drives are priced (`travel`). Every page here needs a
//! signed-in manager.

mod clinics;
mod listing;
mod schedule;
mod settings;
mod travel;

use crate::auth::Manager;
use crate::error::WebError;
use crate::extract::AppQuery;
use crate::pages::calendar::{day_route, map, map::MapRoute};
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{asked_date, day_heading, error_summary, line, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, Response};
use jiff::civil::Date;
use knead_app::catalog::{Services, Therapists};
use knead_app::content::Articles;
use knead_app::listing::Audience;
use knead_app::{calendar, places};
use knead_core::booking::{Clinic, ClinicId};
use knead_core::calendar::{instant_of, local_date, local_day, TherapistSchedule};
use knead_core::intake::ScreeningRecord;
use knead_core::places::Road;
use knead_core::{Therapist, ValidationErrors};
use listing::Managed;
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Routes {
    Routes::new()
        .route("/manage", get(dashboard))
        .merge(listing::routes::<Services>())
        .merge(listing::routes::<Therapists>())
        .merge(listing::routes::<Articles>())
        .route("/manage/calendar", get(calendar_index))
        .merge(schedule::routes())
        .merge(clinics::routes())
        .merge(settings::routes())
        .merge(travel::routes())
}

/// The trail above a manager's page: "Manage", then each `(path, label)` in turn.
fn crumbs(trail: &[(&str, &str)]) -> Markup {
    html! {
        p.crumbs {
            a href="/manage" { "Manage" }
            @for (path, label) in trail { " / " a href=(path) { (label) } }
        }
    }
}

/// The trail above the calendar's pages: Manage / Calendar.
fn calendar_crumbs() -> Markup {
    crumbs(&[("/manage/calendar", "Calendar")])
}

/// `?saved=...`: what the post that redirected here saved, to confirm it.
#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

impl SavedQuery {
    /// The confirmation to show, if the query names something these pages save.
    fn notice(&self) -> Option<&'static str> {
        match self.saved.as_deref()? {
            "hours" => Some("The hours were saved."),
            "time_off" => Some("The time off was added."),
            "time_off_deleted" => Some("The time off was removed."),
            "override" => Some("The date's hours were saved."),
            "clinic" => Some("The clinic was added."),
            "clinic_saved" => Some("The clinic was saved."),
            "clinic_archived" => Some("The clinic was archived: clients no longer see it or book it."),
            "clinic_restored" => Some("The clinic was restored: clients can book it again."),
            "settings" => Some("The settings were saved."),
            "details" => Some("The practice's details were saved; every public page shows them."),
            _ => None,
        }
    }
}

/// How far back the dashboard lists emergency screenings.
const EMERGENCIES_DAYS: i64 = 30;

async fn dashboard(State(state): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    let since = state.now() - jiff::SignedDuration::from_hours(24 * EMERGENCIES_DAYS);
    let emergencies = knead_app::intake::emergency_attempts(state.app(), &caller.user, since).await?;
    let care = crate::pages::records::alerts::section(&state, &caller).await?;
    let body = maud::html! { (dashboard_view(&emergencies)) (care) };
    Ok(Frame::signed_in(&state, &caller).page("Manage", body))
}

/// Screenings that reached emergency lately: each person was told to go to an emergency department today,
/// and no booking was made; the practice may want to follow up.
fn emergencies_view(list: &[ScreeningRecord]) -> Markup {
    html! {
        h2 #emergencies { "Emergency screenings, last " (EMERGENCIES_DAYS) " days" }
        @if list.is_empty() {
            p.meta { "None." }
        } @else {
            p { "Each was told to go to an emergency department today; no booking was made." }
            ul.plain {
                @for s in list {
                    li {
                        (crate::pages::clients::date_time(s.created_at)) ": "
                        @match s.client {
                            Some(c) => { a href={ "/manage/clients/" (c.0) } { "client " (c.0) } }
                            None => "a guest, not identified",
                        }
                        " — " (s.assessment.reasons.iter().map(|r| r.message.as_str()).collect::<Vec<_>>().join("; "))
                    }
                }
            }
        }
    }
}

fn dashboard_view(emergencies: &[ScreeningRecord]) -> Markup {
    let sections = [
        (Services::PATH, Services::PLURAL, "What you sell: length, price, where, add-ons."),
        (Therapists::PATH, Therapists::PLURAL, "Public profiles: credentials, modalities, languages."),
        (Articles::PATH, Articles::PLURAL, "Educational articles in Markdown."),
        (
            "calendar",
            "Calendar and booking",
            "Therapists' hours, time off and calendars; clinics and rooms; the practice's details and booking settings.",
        ),
        ("dispatch", "Dispatch", "Every therapist's day side by side on one map; the optimizer's re-plan of a day, reviewed, then applied."),
        ("clients", "Clients", "Every client's file: contact, bookings, health history, screenings and clearances."),
        ("bookings", "Bookings", "Bookings by day, therapist and status; held ones waiting for a clearance stand out."),
        ("audit", "Audit log", "Every read and change of health information, its chain check, and an export."),
        ("safety", "Safety", "Today's home visits: who checked in and out, and who is overdue."),
        ("chair-days", "Chair-massage days", "Every office chair-massage day: where, when, and how full its sheet is, sitting by sitting."),
        ("instruments", "Outcome instruments", "The scores care records use, and loading a licensed instrument's definition file."),
    ];
    html! {
        h1 { "Manage the practice" }
        div.grid {
            @for (path, title, text) in sections {
                article.card { h2.card-title { a href={ "/manage/" (path) } { (title) } } p { (text) } }
            }
        }
        (emergencies_view(emergencies))
    }
}

/// `?date=2026-03-03` for the routes map; today when absent.
#[derive(Debug, Default, serde::Deserialize)]
struct RoutesQuery {
    date: Option<String>,
}

/// The manager's way in to availability: every bookable therapist's hours and calendar, the clinics and
/// the settings, and every therapist's route for the day on one map.
async fn calendar_index(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<RoutesQuery>,
) -> Result<Response, WebError> {
    let app = state.app();
    // The public list is the therapists clients can book; archived ones have no calendar to keep.
    let therapists = knead_app::listing::list::<Therapists>(app, Audience::Public).await?;
    let schedules = calendar::schedules(app).await?;
    let settings = calendar::settings(app).await?;
    let tz = settings.zone().clone();
    let today = local_date(&tz, state.now());
    let mut date_errors = ValidationErrors::default();
    let date = asked_date(q.date.as_deref(), today, &mut date_errors);
    let (from, to) = (instant_of(local_day(&tz, date).origin), instant_of(local_day(&tz, date).end));
    let clinics: HashMap<ClinicId, Clinic> = calendar::clinics(app).await?.into_iter().map(|c| (c.id, c)).collect();
    let mut routes = Vec::new();
    for t in &therapists {
        let schedule = schedules.iter().find(|s| s.therapist_id == t.id);
        let bookings = calendar::therapist_bookings(app, t.id, from, to).await?;
        if bookings.is_empty() {
            continue;
        }
        routes.push(day_route(&t.name, schedule, &bookings, &clinics, &tz));
    }
    let roads = match map::area(&routes) {
        Some(area) => places::roads_for_map(app, area).await?,
        None => Vec::new(),
    };
    let view = CalendarIndex { therapists: &therapists, schedules: &schedules, date, date_errors, routes, roads };
    let status = if view.date_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(Frame::signed_in(&state, &caller).respond(status, "Calendar", view.render()))
}

struct CalendarIndex<'a> {
    therapists: &'a [Therapist],
    schedules: &'a [TherapistSchedule],
    date: Date,
    date_errors: ValidationErrors,
    routes: Vec<MapRoute>,
    roads: Vec<Road>,
}

impl CalendarIndex<'_> {
    fn render(&self) -> Markup {
        let mut date_value = Values::default();
        date_value.set("date", self.date.to_string());
        html! {
            (calendar_index_view(self.therapists, self.schedules))
            h2 #routes { "Routes on " (day_heading(self.date)) }
            (error_summary(&self.date_errors, "That date cannot be shown, so today is:"))
            form.row.calendar-date method="get" action="/manage/calendar" {
                (line(&date_value, &self.date_errors, "date", "Date", DATE, ""))
                div.field.submit { button type="submit" { "Show routes" } }
            }
            @if self.routes.is_empty() { p.meta { "No visits booked that day." } }
            @else { (map::day_map(&format!("Every therapist's route on {}", day_heading(self.date)), &self.routes, &self.roads)) }
        }
    }
}

fn calendar_index_view(therapists: &[Therapist], schedules: &[TherapistSchedule]) -> Markup {
    html! {
        (crumbs(&[]))
        h1 { "Calendar and booking" }
        p {
            a href="/manage/clinics" { "Clinics and rooms" } " · " a href="/manage/settings" { "Practice and booking settings" }
            " · " a href="/manage/travel" { "Travel times" } " · " a href="/manage/outbox" { "Outbox" } " · " a href="/manage/waitlist" { "Waitlist" }
        }
        table.list {
            thead { tr { th { "Therapist" } th { "Hours" } th { span.visually-hidden { "Calendar" } } } }
            tbody {
                @for t in therapists {
                    @let has_hours = schedules.iter().any(|s| s.therapist_id == t.id);
                    tr {
                        td { (t.name) }
                        td { a href={ "/manage/therapists/" (t.id.0) "/schedule" } { @if has_hours { "Hours and time off" } @else { "Set hours" } } }
                        td {
                            a href={ "/manage/therapists/" (t.id.0) "/calendar" } { "Day" } " · "
                            a href={ "/manage/therapists/" (t.id.0) "/calendar?view=week" } { "Week" }
                        }
                    }
                }
            }
        }
    }
}
