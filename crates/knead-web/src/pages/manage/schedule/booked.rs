//! Booked visits and the hours taken away around them: the page that asks before time off or a date's hours
//! leave visits outside the therapist's hours, the lists of visits left that way, and how time off and a
//! date's hours read ("Monday 7 December – Wednesday 9 December 2026, all day").
//!
//! The question is a page of its own that works without script: the form as typed comes back in hidden
//! fields with `over_booked_visits=yes`, and two buttons: go ahead, or go back to the form as typed. Staff
//! see each visit's date, time, service, place and the client's first name; each links to the staff view of
//! its booking (`/visits/{id}`), where it is moved or reassigned and the client told.

use super::super::calendar_crumbs;
use crate::auth::Caller;
use crate::error::WebError;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, clock, day_heading, Values};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::{calendar, App, AppResult};
use knead_core::booking::{Booking, ClinicId, Where};
use knead_core::calendar::{local_date, DayWindows, TherapistSchedule};
use knead_core::ServiceId;
use maud::{html, Markup};
use std::collections::HashMap;

/// The form field that says the person has seen the visits and goes ahead.
const CONFIRM: &str = "over_booked_visits";

/// Whether the form was sent from the question page's "Add … anyway" button.
pub(super) fn confirmed(values: &Values) -> bool {
    values.get(CONFIRM) == "yes" && values.get("action") != "back"
}

/// Whether the form was sent from the question page's "Go back" button: show the form as typed, save nothing.
pub(super) fn going_back(values: &Values) -> bool {
    values.get("action") == "back"
}

/// The form's own fields, without the question page's.
pub(super) fn as_typed(values: Values) -> Values {
    Values(values.0.into_iter().filter(|(k, _)| k != CONFIRM && k != "action").collect())
}

/// Names the visits are shown with: services (archived ones too) and clinics.
pub(super) struct Known {
    services: HashMap<ServiceId, String>,
    clinics: HashMap<ClinicId, String>,
}

impl Known {
    async fn load(app: &App) -> AppResult<Known> {
        let services = listing::list::<Services>(app, Audience::Manager).await?;
        let clinics = calendar::all_clinics(app).await?;
        Ok(Known {
            services: services.into_iter().map(|s| (s.id, s.name)).collect(),
            clinics: clinics.into_iter().map(|c| (c.id, c.name)).collect(),
        })
    }

    /// "Tuesday 8 December 2026, 10:00–11:00 · Deep tissue · Ana · Kallio clinic".
    fn visit_text(&self, tz: &TimeZone, b: &Booking) -> String {
        let service = self.services.get(&b.service_id).map_or("Visit", String::as_str);
        let place = match &b.place {
            Where::Clinic(id) => self.clinics.get(id).cloned().unwrap_or_else(|| "Clinic".into()),
            Where::Mobile { address, .. } if !address.trim().is_empty() => address.clone(),
            Where::Mobile { .. } => "At the client's place".into(),
        };
        // Staff see a client by their first name only here.
        let client = b.client.name.split_whitespace().next().unwrap_or("");
        format!("{} · {service} · {client} · {place}", ui::when_text(tz, b.start, b.end))
    }

    /// One visit with its link to the staff view, where it is moved or reassigned.
    fn visit_item(&self, tz: &TimeZone, b: &Booking) -> Markup {
        html! {
            li {
                (self.visit_text(tz, b)) " — "
                a href={ "/visits/" (b.id.0) } {
                    "Move or reassign" span.visually-hidden { " the visit at " (clock(tz, b.start)) " on " (day_heading(local_date(tz, b.start))) }
                }
            }
        }
    }

    /// Under a time off or a date: the visits still booked in time the therapist does not work.
    fn still_booked(&self, tz: &TimeZone, visits: &[Booking], lead: &str) -> Markup {
        html! {
            @if !visits.is_empty() {
                div.notice {
                    p { strong { (lead) " (" (count(visits.len())) "):" } }
                    ul { @for b in visits { (self.visit_item(tz, b)) } }
                }
            }
        }
    }
}

/// The visits each upcoming time off and date with its own hours leave booked outside the therapist's hours.
pub(super) struct LeftBooked {
    time_off: Vec<(i64, Vec<Booking>)>,
    dates: Vec<(Date, Vec<Booking>)>,
    known: Known,
}

impl LeftBooked {
    pub(super) async fn load(
        app: &App,
        schedule: Option<&TherapistSchedule>,
        tz: &TimeZone,
        now: Timestamp,
    ) -> AppResult<LeftBooked> {
        let (mut time_off, mut dates) = (Vec::new(), Vec::new());
        if let Some(s) = schedule {
            for off in s.time_off.iter().filter(|o| o.end > now) {
                let visits = calendar::bookings_inside(app, s.therapist_id, off.start.max(now), off.end).await?;
                time_off.push((off.id, visits));
            }
            for o in s.overrides.iter().filter(|o| o.date >= local_date(tz, now)) {
                dates.push((o.date, calendar::bookings_outside_hours(app, s.therapist_id, o.date).await?));
            }
        }
        Ok(LeftBooked { time_off, dates, known: Known::load(app).await? })
    }

    /// Under a time off: the visits still booked in it.
    pub(super) fn in_time_off(&self, tz: &TimeZone, id: i64) -> Markup {
        let visits = self.time_off.iter().find(|(i, _)| *i == id).map_or(&[][..], |(_, v)| v);
        self.known.still_booked(tz, visits, "Still booked in this time off")
    }

    /// Under a date with its own hours: the visits booked that day outside them.
    pub(super) fn on_date(&self, tz: &TimeZone, date: Date) -> Markup {
        let visits = self.dates.iter().find(|(d, _)| *d == date).map_or(&[][..], |(_, v)| v);
        self.known.still_booked(tz, visits, "Booked outside these hours")
    }
}

/// "1 visit", "2 visits".
fn count(n: usize) -> String {
    if n == 1 {
        "1 visit".into()
    } else {
        format!("{n} visits")
    }
}

/// What the question is about.
pub(super) enum Pending {
    TimeOff {
        start: Timestamp,
        end: Timestamp,
    },
    /// A date's new hours (`None`: back to the weekly hours).
    Date {
        date: Date,
        windows: Option<DayWindows>,
    },
}

/// The question page: what would change, the visits it leaves booked, and the two buttons.
pub(super) struct Confirm {
    pub pending: Pending,
    pub values: Values,
    pub visits: Vec<Booking>,
}

impl Confirm {
    pub(super) async fn respond(self, state: &AppState, caller: &Caller, id: i64) -> Result<Response, WebError> {
        let app = state.app();
        let therapist = listing::get::<Therapists>(app, id, Audience::Manager).await?;
        let settings = calendar::settings(app).await?;
        let known = Known::load(app).await?;
        let tz = settings.zone();
        let n = self.visits.len();
        let (title, change, action, go) = match &self.pending {
            Pending::TimeOff { start, end } => (
                format!("{} booked in this time off", count(n)),
                format!("Time off for {}: {}.", therapist.name, time_off_text(tz, *start, *end)),
                "time-off",
                "Add the time off anyway",
            ),
            Pending::Date { date, windows } => (
                format!("{} booked outside these hours", count(n)),
                format!(
                    "{} on {}: {}.",
                    therapist.name,
                    ui::full_date(*date),
                    match windows {
                        Some(w) => windows_text(w),
                        None => "the usual weekly hours".into(),
                    }
                ),
                "override",
                "Save the hours anyway",
            ),
        };
        let body = html! {
            (calendar_crumbs())
            h1 { (title) }
            p { (change) }
            p { "Nothing is saved yet. These visits fall in the time " (therapist.name) " would not be working:" }
            ul { @for b in &self.visits { li { (known.visit_text(tz, b)) } } }
            p { "If you go ahead, they stay booked and are listed on the schedule page, each with a link to move it or "
                "give it to another therapist; the client is told of any change." }
            form.stack method="post" action={ "/manage/therapists/" (id) "/" (action) } {
                (ui::csrf_field(Some(caller)))
                @for (name, value) in &as_typed(self.values).0 {
                    input type="hidden" name=(name) value=(value);
                }
                input type="hidden" name=(CONFIRM) value="yes";
                div.row {
                    button type="submit" { (go) }
                    button.secondary type="submit" name="action" value="back" { "Go back" }
                }
            }
        };
        Ok(Frame::signed_in(state, caller).respond(StatusCode::OK, &title, body))
    }
}

/// A date's own hours: "09:00–12:00, 13:00–17:00", or "day off".
pub(super) fn windows_text(windows: &DayWindows) -> String {
    if windows.is_day_off() {
        return "day off".into();
    }
    let parts: Vec<String> = windows.as_slice().iter().map(|(s, e)| ui::clock_range(*s, *e)).collect();
    parts.join(", ")
}

/// Time off as people say it: "Tuesday 8 December 2026, all day"; "Monday 7 December – Wednesday 9 December
/// 2026, all day"; "Tuesday 8 December 2026, 12:00–17:00"; "Monday 7 December 2026 from 14:00 – Wednesday
/// 9 December 2026 until 12:00". A day counts as whole when the time off starts or ends at its midnight.
pub(super) fn time_off_text(tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
    let (from, to) = (start.to_zoned(tz.clone()), end.to_zoned(tz.clone()));
    let at_midnight = |z: &jiff::Zoned| z.time() == jiff::civil::Time::midnight();
    let (first, end_date) = (from.date(), to.date());
    // Time off until midnight ends with the day before.
    let last = if at_midnight(&to) { end_date.yesterday().unwrap_or(end_date) } else { end_date };
    let day = |d: Date, year: bool| if year { ui::full_date(d) } else { day_heading(d) };
    let same_year = first.year() == last.year();
    match (at_midnight(&from), at_midnight(&to)) {
        (true, true) if first >= last => format!("{}, all day", day(first, true)),
        (true, true) => format!("{} – {}, all day", day(first, !same_year), day(last, true)),
        _ if first == last => {
            let until = if at_midnight(&to) { "the end of the day".into() } else { clock(tz, end) };
            let from_time = if at_midnight(&from) { "the start of the day".into() } else { clock(tz, start) };
            if at_midnight(&to) || at_midnight(&from) {
                format!("{}, from {from_time} to {until}", day(first, true))
            } else {
                format!("{}, {from_time}–{until}", day(first, true))
            }
        }
        (from_midnight, to_midnight) => {
            let left = if from_midnight {
                day(first, true)
            } else {
                format!("{} from {}", day(first, true), clock(tz, start))
            };
            let right =
                if to_midnight { day(last, true) } else { format!("{} until {}", day(end_date, true), clock(tz, end)) };
            format!("{left} – {right}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::{with_page_locale, PageLocale};
    use knead_core::calendar::{Locale, TimeFormat, WallClock};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// Runs `f` as a page of a practice writing 24-hour times and British dates would.
    fn european<R>(f: impl FnOnce() -> R) -> R {
        let wall_clock = WallClock { time_format: TimeFormat::H24, locale: Locale::EnGb };
        with_page_locale(PageLocale { wall_clock, zone: TimeZone::get("Europe/Helsinki").unwrap() }, f)
    }

    #[test]
    fn time_off_reads_as_whole_days_or_with_its_times() {
        let tz = TimeZone::get("Europe/Helsinki").unwrap();
        let text = |s: &str, e: &str| european(|| time_off_text(&tz, at(s), at(e)));
        assert_eq!(text("2026-12-07T22:00:00Z", "2026-12-08T22:00:00Z"), "Tuesday 8 December 2026, all day");
        assert_eq!(
            text("2026-12-06T22:00:00Z", "2026-12-09T22:00:00Z"),
            "Monday 7 December – Wednesday 9 December 2026, all day"
        );
        assert_eq!(
            text("2026-12-30T22:00:00Z", "2027-01-01T22:00:00Z"),
            "Thursday 31 December 2026 – Friday 1 January 2027, all day"
        );
        assert_eq!(text("2026-12-08T10:00:00Z", "2026-12-08T15:00:00Z"), "Tuesday 8 December 2026, 12:00–17:00");
        assert_eq!(
            text("2026-12-08T10:00:00Z", "2026-12-08T22:00:00Z"),
            "Tuesday 8 December 2026, from 12:00 to the end of the day"
        );
        assert_eq!(
            text("2026-12-07T12:00:00Z", "2026-12-09T10:00:00Z"),
            "Monday 7 December 2026 from 14:00 – Wednesday 9 December 2026 until 12:00"
        );
        assert_eq!(
            text("2026-12-06T22:00:00Z", "2026-12-09T10:00:00Z"),
            "Monday 7 December 2026 – Wednesday 9 December 2026 until 12:00"
        );
    }

    #[test]
    fn a_dates_hours_read_as_times_or_a_day_off() {
        let hours = DayWindows::new([(540, 720), (780, 1440)]).unwrap();
        assert_eq!(windows_text(&DayWindows::day_off()), "day off");
        assert_eq!(european(|| windows_text(&hours)), "09:00–12:00, 13:00–24:00");
        assert_eq!(windows_text(&hours), "9:00 am–12:00 pm, 1:00 pm–12:00 am", "on a 12-hour clock");
    }
}
