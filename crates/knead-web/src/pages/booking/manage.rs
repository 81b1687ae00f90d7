//! Managing a booking: by its guest link, by its client signed in, or by a manager.
//!
//! The page shows the booking and, within the notice policy, two short actions. Each is a step of its own, so
//! a phone shows one thing at a time and nothing changes without a yes:
//!
//! - Move (`?step=move`): one day's free times at a time — a row of the nearby days that have times, a date
//!   field, then that day's times by part of the day. A time with another therapist than the booking's says
//!   who ("with Kai instead of Mara"). Choosing a time (`?step=move&start=…&therapist_ids=…`) shows what
//!   would change; a post with `confirm=yes` moves the booking to that time with those therapists, or refuses
//!   if they were taken meanwhile. The page after the move names the therapist.
//! - Cancel (`?step=cancel`): asks first; a post with `confirm=yes` cancels.
//!
//! A post without `confirm=yes` shows the question rather than acting. The JSON API moves and cancels at
//! once: a program asks its own questions.

use super::check_session_csrf;
use super::facts::{booking_facts, manage_link};
use crate::auth::{managed_booking, MaybeCaller};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{clock, csrf_field, day_heading, line, minutes, when_text, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_app::booking::{self, AvailabilityQuery};
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::{parse_instant, Booking, BookingStatus, Clinic};
use knead_core::calendar::{add_days, add_minutes, format_rfc3339, local_date, parse_date, PracticeSettings};
use knead_core::{Service, TherapistId, ValidationErrors};
use maud::{html, Markup};
use std::collections::HashMap;

/// How many days the row of days to move to covers at once.
const WINDOW_DAYS: i64 = 7;

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

/// Which day of times the move step shows.
enum Days<'a> {
    /// The date the client chose (typed or from the row of days), or the usual day when none.
    Chosen(Option<&'a str>),
    /// The first day with times in the row starting at this date (as typed).
    From(&'a str),
    /// This day: the day of a time refused.
    At(Date),
}

impl<'a> Days<'a> {
    fn asked(q: &'a ManageQuery) -> Days<'a> {
        match (given(&q.date), given(&q.from)) {
            (None, Some(from)) => Days::From(from),
            (date, _) => Days::Chosen(date),
        }
    }
}

/// A start the booking can move to, and who would give it.
struct Offered {
    start: Timestamp,
    therapists: Vec<TherapistId>,
    /// Whether they are the booking's own therapists.
    same: bool,
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
            _ => None,
        };
        let body = html! {
            h1 { "Your booking" }
            @if let Some(n) = &notice { p.notice role="status" { (n) } }
            @if !refused.is_empty() {
                div.error-summary role="alert" { @for why in refused { p { (why) } } }
            }
            (booking_facts(tz, b, &self.service, &self.own_names(), &self.clinics))
            // Changes the practice made to this booking (another time, another therapist) are listed here,
            // under its facts.
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
            p { a href="/" { "Back to the home page" } }
        };
        self.respond(status, "Your booking", body)
    }

    fn own_names(&self) -> Vec<String> {
        self.own_therapists().iter().map(|id| self.names_of(&[*id])).collect()
    }

    /// The starts the booking can move to over `days` days from `from` (up to the horizon), by start. Where
    /// the booking's own therapist is free, the time is theirs; otherwise it is with whoever the search
    /// picks. The booking's own start is not offered back. `Err` says why no times can be listed.
    async fn offered(&self, from: Date, days: i64) -> Result<Vec<Offered>, String> {
        let days = days.min(i64::from((self.last - from).get_days()) + 1);
        if days < 1 || from < self.today {
            return Ok(Vec::new());
        }
        let b = self.booking;
        let app = self.state.app();
        let own = self.own_therapists();
        let query = |therapist_id| AvailabilityQuery {
            service_id: b.service_id,
            place: b.place.location(),
            from,
            days,
            therapist_id,
        };
        let anyone = booking::availability(app, &query(None))
            .await
            .map_err(|e| WebError::from(e).body().errors.into_iter().map(|x| x.detail).collect::<Vec<_>>().join(" "))?;
        // A therapist who no longer offers the service (or left) has no times of their own: then only others'.
        let theirs = match own.as_slice() {
            [only] => booking::availability(app, &query(Some(*only))).await.map(|o| o.slots).unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut sorted_own = own.clone();
        sorted_own.sort();
        let mut out: Vec<Offered> = theirs
            .iter()
            .filter(|s| s.start != b.start)
            .map(|s| Offered { start: s.start, therapists: own.clone(), same: true })
            .collect();
        for s in anyone.slots {
            if s.start == b.start || out.iter().any(|o| o.start == s.start) {
                continue;
            }
            let mut picked = s.therapist_ids.clone();
            picked.sort();
            out.push(Offered { same: picked == sorted_own, start: s.start, therapists: s.therapist_ids });
        }
        out.sort_by_key(|o| o.start);
        Ok(out)
    }

    /// The first day of the row of days that holds `d`: rows start today and every `WINDOW_DAYS` after.
    fn row_start(&self, d: Date) -> Date {
        let offset = i64::from((d - self.today).get_days()).max(0);
        add_days(self.today, offset - offset % WINDOW_DAYS)
    }

    /// The move step: one day's free times, with the days near it that have times, and a date field.
    async fn move_page(&self, days: &Days<'_>, start_error: Option<String>) -> Response {
        let tz = self.settings.zone();
        let mut date_errors = ValidationErrors::default();
        // By default the booking's own day, within today and the booking horizon.
        let usual = self.date_of(self.booking.start).max(self.today).min(self.last);
        let mut within = |text: &str| match parse_date("date", text) {
            Ok(d) if d > self.last => {
                date_errors.push(self.settings.beyond_horizon("date", self.today));
                None
            }
            Ok(d) => Some(d.max(self.today)),
            Err(e) => {
                date_errors.push(e);
                None
            }
        };
        // The day asked for, or `None` to show the first day of the row with times.
        let (row_from, chosen) = match days {
            Days::At(d) => (*d, Some(*d)),
            Days::Chosen(Some(text)) => match within(text) {
                Some(d) => (d, Some(d)),
                None => (usual, None),
            },
            Days::Chosen(None) => (usual, None),
            Days::From(text) => (within(text).unwrap_or(usual), None),
        };
        let row_from = self.row_start(row_from);
        let offered = self.offered(row_from, WINDOW_DAYS).await;
        let days_with_times: Vec<Date> = match &offered {
            Ok(all) => {
                let mut days: Vec<Date> = all.iter().map(|o| self.date_of(o.start)).collect();
                days.dedup();
                days
            }
            Err(_) => Vec::new(),
        };
        // Without a day asked for: the booking's own day if it has times, else the row's first day with times.
        let in_row = |d: Date| d >= row_from && d < add_days(row_from, WINDOW_DAYS);
        let day = chosen.unwrap_or_else(|| {
            Some(usual)
                .filter(|d| days_with_times.contains(d))
                .or_else(|| days_with_times.first().copied())
                .unwrap_or(if in_row(usual) { usual } else { row_from })
        });
        let earlier = Some(add_days(row_from, -WINDOW_DAYS)).filter(|_| row_from > self.today);
        let later = Some(add_days(row_from, WINDOW_DAYS)).filter(|d| *d <= self.last);
        let mut values = Values::default();
        values.set("date", day.to_string());
        let own = self.own_therapists();
        let b = self.booking;
        let status = if !date_errors.is_empty() || start_error.is_some() {
            if start_error.as_deref() == Some(NOT_FREE) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        } else {
            StatusCode::OK
        };
        let body = html! {
            h1 { "Move to another time" }
            p.lead { "Now: " (when_text(tz, b.start, b.end)) ", with " (self.names_of(&own)) "." }
            @match &offered {
                Err(why) => { p.error-summary role="alert" { "Times cannot be listed: " (why) } }
                Ok(all) => {
                    nav.pager.days aria-label="Days with free times" {
                        @if let Some(d) = earlier { a href=(self.link(&[("step", "move"), ("from", &d.to_string())])) { "‹ Earlier days" } }
                        @for d in &days_with_times {
                            @if *d == day { a href=(self.link(&[("step", "move"), ("date", &d.to_string())])) aria-current="date" { strong { (day_heading(*d)) } } }
                            @else { a href=(self.link(&[("step", "move"), ("date", &d.to_string())])) { (day_heading(*d)) } }
                        }
                        @if days_with_times.is_empty() { span.meta { "No free times in these days." } }
                        @if let Some(d) = later { a href=(self.link(&[("step", "move"), ("from", &d.to_string())])) { "Later days ›" } }
                    }
                    form.row.when-form method="get" action=(self.path()) {
                        @if let Some(t) = self.token { input type="hidden" name="token" value=(t); }
                        input type="hidden" name="step" value="move";
                        (line(&values, &date_errors, "date", "Or choose a date", DATE, ""))
                        div.field.submit { button.secondary type="submit" { "Show times" } }
                    }
                    (self.times_of_day(day, all, start_error.as_deref(), !days_with_times.is_empty()))
                }
            }
            p { a href=(self.link(&[])) { "‹ Keep the current time" } }
        };
        self.respond(status, "Move to another time", body)
    }

    /// One day's times by part of the day; within a part, the booking's own therapist's first, then each
    /// other therapist's, named.
    fn times_of_day(&self, day: Date, all: &[Offered], error: Option<&str>, other_days: bool) -> Markup {
        let tz = self.settings.zone();
        let todays: Vec<&Offered> = all.iter().filter(|o| self.date_of(o.start) == day).collect();
        let part_of = |o: &Offered| match o.start.to_zoned(tz.clone()).hour() {
            h if h < 12 => 0,
            h if h < 17 => 1,
            _ => 2,
        };
        let own_names = self.names_of(&self.own_therapists());
        html! {
            section.slot-day #start aria-labelledby="times-day" {
                h2 #times-day { (day_heading(day)) }
                @if let Some(e) = error { p.error-summary #start-error role="alert" { "The new time: " (e) "." } }
                @if todays.is_empty() {
                    p.meta { "No free times on this day." @if other_days { " Choose one of the days above." } }
                }
                @for (part, name) in ["Morning", "Afternoon", "Evening"].iter().enumerate() {
                    @let times: Vec<&Offered> = todays.iter().copied().filter(|o| part_of(o) == part).collect();
                    @if !times.is_empty() {
                        h3 { (name) }
                        @let groups = by_therapists(&times);
                        @for (ids, same, group) in &groups {
                            @let who = self.names_of(ids);
                            @if !same { p.meta { "With " strong { (who) } " instead of " (own_names) ":" } }
                            @else if groups.len() > 1 { p.meta { "With " (who) ", as now:" } }
                            ul.slots {
                                @for o in group {
                                    @let ids_text = o.therapists.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(",");
                                    @let href = self.link(&[("step", "move"), ("start", &format_rfc3339(tz, o.start)), ("therapist_ids", &ids_text)]);
                                    li { a.slot href=(href) aria-label={ (self.day_and_time(o.start)) ", with " (who) } { (clock(tz, o.start)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The question before a move: what changes, and who gives the visit. A time no longer free (or never
    /// offered) shows that day's times again with the reason.
    async fn confirm_move(&self, start: Timestamp, therapists: Option<Vec<TherapistId>>) -> Response {
        let day = self.date_of(start);
        let found = match self.offered(day, 1).await {
            Ok(all) => all
                .into_iter()
                .find(|o| o.start == start && therapists.as_ref().is_none_or(|t| sorted(t) == sorted(&o.therapists))),
            Err(_) => None,
        };
        let Some(to) = found else { return self.move_page(&Days::At(day), Some(NOT_FREE.into())).await };
        let tz = self.settings.zone();
        let b = self.booking;
        let end = add_minutes(start, self.service.duration_minutes);
        let own = self.names_of(&self.own_therapists());
        let who = self.names_of(&to.therapists);
        let ids_text = to.therapists.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(",");
        let body = html! {
            h1 { "Move your booking?" }
            p.lead {
                "Move " (self.service.name) " from " (self.day_and_time(b.start)) " to " (self.day_and_time(start))
                @if to.same { ", still with " (who) "?" } @else { ", with " (who) " instead of " (own) "?" }
            }
            dl.facts {
                dt { "Now" } dd { (when_text(tz, b.start, b.end)) }
                dt { "New time" } dd #move-when { (when_text(tz, start, end)) }
                dt { "Therapist" }
                dd #move-therapist {
                    @if to.same { (who) ", as now" } @else { strong { (who) } " instead of " (own) }
                }
            }
            div.row {
                form.inline method="post" action=(self.action("reschedule")) {
                    (self.carried())
                    input type="hidden" name="start" value=(format_rfc3339(tz, start));
                    input type="hidden" name="therapist_ids" value=(ids_text);
                    input type="hidden" name="confirm" value="yes";
                    button type="submit" { "Yes, move it" }
                }
                a.button href=(self.link(&[])) { "Keep the current time" }
            }
            p { a href=(self.link(&[("step", "move"), ("date", &day.to_string())])) { "‹ Choose another time" } }
        };
        self.respond(StatusCode::OK, "Move your booking?", body)
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

/// Times grouped by who gives them, the booking's own therapists first, then in order of the first time.
fn by_therapists<'o>(times: &[&'o Offered]) -> Vec<(Vec<TherapistId>, bool, Vec<&'o Offered>)> {
    let mut groups: Vec<(Vec<TherapistId>, bool, Vec<&Offered>)> = Vec::new();
    for o in times {
        match groups.iter_mut().find(|(ids, _, _)| *ids == o.therapists) {
            Some((_, _, group)) => group.push(o),
            None => groups.push((o.therapists.clone(), o.same, vec![o])),
        }
    }
    groups.sort_by_key(|(_, same, _)| !same);
    groups
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
