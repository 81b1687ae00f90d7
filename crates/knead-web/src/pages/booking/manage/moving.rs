//! The move step of managing a booking: the times a booking can move to, one day at a time, who would give
//! each, and the question before the move.

use super::{given, sorted, Manage, NOT_FREE};
use crate::error::WebError;
use crate::ui::{clock, day_heading, line, when_text, Values, DATE};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_app::booking::{self, AvailabilityQuery};
use knead_core::calendar::{add_days, add_minutes, format_rfc3339, parse_date};
use knead_core::{TherapistId, ValidationErrors};
use maud::{html, Markup};

/// How many days the row of days to move to covers at once.
const WINDOW_DAYS: i64 = 7;

/// Which day of times the move step shows.
pub(super) enum Days<'a> {
    /// The date the client chose (typed or from the row of days), or the usual day when none.
    Chosen(Option<&'a str>),
    /// The first day with times in the row starting at this date (as typed).
    From(&'a str),
    /// This day: the day of a time refused.
    At(Date),
}

impl<'a> Days<'a> {
    pub(super) fn asked(q: &'a super::ManageQuery) -> Days<'a> {
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

impl Manage<'_> {
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
            // The client's preference holds for whoever takes the moved visit.
            therapist_gender: b.therapist_gender,
            // The visit keeps its add-ons, so the times offered fit its whole length.
            add_ons: b.add_ons.clone(),
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
    pub(super) async fn move_page(&self, days: &Days<'_>, start_error: Option<String>) -> Response {
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
                                    // The name starts with the time shown, as speech input expects.
                                    li { a.slot href=(href) aria-label={ (clock(tz, o.start)) " on " (day_heading(day)) ", with " (who) } { (clock(tz, o.start)) } }
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
    pub(super) async fn confirm_move(&self, start: Timestamp, therapists: Option<Vec<TherapistId>>) -> Response {
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
                "Move " (self.service.name) " from " (self.day_and_time(b.start)) " to "
                @if day == self.date_of(b.start) { (clock(tz, start)) " the same day" } @else { (self.day_and_time(start)) }
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
}

/// Times grouped by who gives them, the booking's own therapists first, then in order of the first time.
fn by_therapists<'o>(times: &[&'o Offered]) -> Vec<(Vec<TherapistId>, bool, Vec<&'o Offered>)> {
    let mut groups: Vec<(Vec<TherapistId>, bool, Vec<&Offered>)> = Vec::new();
    for o in times {
        // A pair is the same pair in either order.
        match groups.iter_mut().find(|(ids, _, _)| sorted(ids) == sorted(&o.therapists)) {
            Some((_, _, group)) => group.push(o),
            None => groups.push((o.therapists.clone(), o.same, vec![o])),
        }
    }
    groups.sort_by_key(|(_, same, _)| !same);
    groups
}
