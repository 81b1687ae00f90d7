//! The staff view of one booking, `/visits/{id}`: everything staff need to know about a visit (the client's
//! contact details included, which only staff see) and everything they may do with it.
//!
//! A manager may open any booking, move it to another time (one day's free times at a time; the client's
//! notice policy does not bind the practice), give it to another therapist the engine finds free then, or
//! cancel it — each after a confirmation step that works without script. A therapist may open only bookings
//! with a visit of theirs (any other id is "not found", so ids reveal nothing) and, for now, only reads it.
//! Clients are refused and signed-out visitors asked to sign in, as on the other staff pages.
//!
//! A home visit's therapist checks in and out here too (`pages::safety`'s panel, first on the page).
//!
//! Every change made here is recorded with the change (`BookingChange`); [`change_notices`] renders those
//! records in plain words for the client's own page. The page opens with the visit sheet (`sheet`):
//! precautions first, then the screening, a held booking's clearance, consent, other care and the client.

mod sheet;

use crate::auth::{Caller, Manager, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, clock, day_heading, line, when_text, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_app::booking::{self, Replacement};
use knead_app::catalog::{Services, Therapists};
use knead_app::intake::VisitSheet;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::{parse_instant, Booking, BookingChange, BookingId, BookingStatus, Change, Clinic, Where};
use knead_core::calendar::{add_days, format_rfc3339, local_date, parse_date, PracticeSettings};
use knead_core::money::format_cents;
use knead_core::{Role, Service, Therapist, TherapistId, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/visits/{id}", get(page))
        .route("/visits/{id}/move", post(move_visit))
        .route("/visits/{id}/reassign", post(reassign))
        .route("/visits/{id}/cancel", post(cancel))
        .route("/visits/{id}/clearance", post(sheet::clear))
}

/// `?date=2026-12-02` (the day whose free times are listed), `?done=moved` after a change.
#[derive(Debug, Default, serde::Deserialize)]
struct VisitQuery {
    date: Option<String>,
    done: Option<String>,
}

/// "Tuesday 1 December 14:30": an instant as a client reads it in a sentence.
fn day_and_clock(tz: &TimeZone, ts: Timestamp) -> String {
    format!("{} {}", day_heading(local_date(tz, ts)), clock(tz, ts))
}

fn names_of(list: &[knead_core::booking::NamedTherapist]) -> String {
    list.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(" and ")
}

/// One change as the client is told it.
fn change_sentence(change: &BookingChange, tz: &TimeZone) -> String {
    match &change.change {
        Change::Moved { from, to } => {
            format!("The practice moved your visit from {} to {}.", day_and_clock(tz, *from), day_and_clock(tz, *to))
        }
        Change::Reassigned { from, to } => {
            format!("Your visit will now be given by {} instead of {}.", names_of(to), names_of(from))
        }
        Change::Cancelled => "The practice cancelled your visit.".into(),
    }
}

/// What the practice changed about a client's booking, in plain words, oldest first; nothing when it changed
/// nothing. For the client's own page (and, later, the notifier's mail).
pub(crate) fn change_notices(changes: &[BookingChange], tz: &TimeZone) -> Markup {
    html! {
        @if !changes.is_empty() {
            section.notice.change-notices aria-labelledby="change-notices-heading" {
                h2 #change-notices-heading { "Changes by the practice" }
                ul { @for c in changes { li { (change_sentence(c, tz)) } } }
            }
        }
    }
}

/// The booking `caller` may see here: a manager any, a therapist one with a visit of theirs (anything else is
/// "not found"); a client is refused.
async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<Booking, WebError> {
    if caller.user.role == Role::Client {
        return Err(WebError::Forbidden);
    }
    booking::staff_visible(state.app(), BookingId(id), &caller.user).await?.ok_or(WebError::not_found("visit"))
}

async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<VisitQuery>,
) -> Result<Response, WebError> {
    let b = visible(&state, &caller, id).await?;
    let notice = match q.done.as_deref() {
        Some("moved") => Some("The visit was moved. The client will see the change on their booking's page."),
        Some("reassigned") => {
            Some("The visit was given to another therapist. The client will see the change on their booking's page.")
        }
        Some("cancelled") => Some("The visit was cancelled. The client will see this on their booking's page."),
        Some("cleared") => Some("The clearance was recorded: the visit is confirmed."),
        Some("checked_in") => Some("Checked in. Check out when you leave."),
        Some("checked_out") => Some("Checked out. Thank you."),
        _ => None,
    };
    let page = VisitPage::load(&state, &caller, &b, q.date.as_deref()).await?;
    let status = if page.date_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(Frame::signed_in(&state, &caller).respond(status, &page.title(), page.view(&caller, notice, &[])))
}

/// Everything the page shows, loaded.
struct VisitPage<'a> {
    booking: &'a Booking,
    settings: PracticeSettings,
    service: Service,
    therapists: Vec<Therapist>,
    clinics: Vec<Clinic>,
    changes: Vec<BookingChange>,
    /// What the therapist must know first (its read is one audit entry).
    sheet: VisitSheet,
    /// Checking in and out of a home visit.
    safety: crate::pages::safety::Panel,
    /// For a manager and a booking still to come: the day whose times are listed, and those times or why
    /// they cannot be listed; the therapists who could take it over.
    actions: Option<Actions>,
    date_errors: ValidationErrors,
}

struct Actions {
    date: Date,
    times: Result<Vec<Timestamp>, String>,
    replacements: Result<Vec<Replacement>, String>,
}

/// What a refused use case says, in a sentence.
fn why(e: AppError) -> String {
    WebError::from(e).body().errors.into_iter().map(|x| x.detail).collect::<Vec<_>>().join(" ")
}

impl<'a> VisitPage<'a> {
    async fn load(
        state: &AppState,
        caller: &Caller,
        b: &'a Booking,
        date: Option<&str>,
    ) -> Result<VisitPage<'a>, WebError> {
        let app = state.app();
        let settings = calendar::settings(app).await?;
        let tz = settings.zone().clone();
        let service = listing::get::<Services>(app, b.service_id.0, Audience::Manager).await?;
        let therapists = listing::list::<Therapists>(app, Audience::Manager).await?;
        let clinics = calendar::all_clinics(app).await?;
        let changes = booking::changes(app, b.id).await?;
        let sheet = sheet::load(state, caller, b.id).await?;
        let safety = crate::pages::safety::Panel::load(state, caller, b).await?;
        let mut date_errors = ValidationErrors::default();
        let actions = if caller.is_manager() && booking::changeable(app, b) {
            let today = local_date(&tz, state.now());
            let last = settings.last_bookable_date(today);
            let usual = local_date(&tz, b.start).max(today).min(last);
            let date = match date.map(str::trim).filter(|d| !d.is_empty()).map(|d| parse_date("date", d)) {
                None => usual,
                Some(Ok(d)) if d < today => usual,
                Some(Ok(d)) if d > last => {
                    date_errors.push(settings.beyond_horizon("date", today));
                    usual
                }
                Some(Ok(d)) => d,
                Some(Err(e)) => {
                    date_errors.push(e);
                    usual
                }
            };
            let times = match booking::staff_times(app, b, date).await {
                Ok(offer) => Ok(offer.slots.iter().map(|s| s.start).collect()),
                Err(e) => Err(why(e)),
            };
            let replacements = booking::replacements(app, b).await.map_err(why);
            Some(Actions { date, times, replacements })
        } else {
            None
        };
        Ok(VisitPage {
            booking: b,
            settings,
            service,
            therapists,
            clinics,
            changes,
            sheet,
            safety,
            actions,
            date_errors,
        })
    }

    fn title(&self) -> String {
        format!("Visit: {}", self.service.name)
    }

    fn tz(&self) -> &TimeZone {
        self.settings.zone()
    }

    fn name(&self, id: TherapistId) -> String {
        self.therapists.iter().find(|t| t.id == id).map_or_else(|| format!("Therapist {}", id.0), |t| t.name.clone())
    }

    fn place(&self) -> String {
        let b = self.booking;
        match &b.place {
            Where::Mobile { address, .. } => address.clone(),
            Where::Clinic(id) => {
                let Some(c) = self.clinics.iter().find(|c| c.id == *id) else { return "A clinic".into() };
                let rooms: Vec<&str> = b
                    .visits
                    .iter()
                    .filter_map(|v| v.room_id)
                    .map(|r| c.rooms.iter().find(|x| x.id == r).map_or("a room since removed", |x| x.name.as_str()))
                    .collect();
                if rooms.is_empty() {
                    format!("{}, {}", c.name, c.address)
                } else {
                    format!("{}, {} (room: {})", c.name, c.address, rooms.join(", "))
                }
            }
        }
    }

    fn facts(&self) -> Markup {
        let b = self.booking;
        let tz = self.tz();
        let names: Vec<String> = b.visits.iter().map(|v| self.name(v.therapist_id)).collect();
        html! {
            dl.facts.booking {
                dt { "Service" } dd { (self.service.name) }
                dt { "When" } dd #visit-when { (when_text(tz, b.start, b.end)) }
                dt { "Where" } dd #visit-where { (self.place()) }
                dt { @if names.len() > 1 { "Therapists" } @else { "Therapist" } } dd #visit-therapists { (names.join(" and ")) }
                dt { "Price" } dd { (format_cents(b.price_cents)) }
                dt { "Travel fee" } dd { @if b.travel_fee_cents == 0 { "None" } @else { (format_cents(b.travel_fee_cents)) } }
                dt { "Total" } dd { strong { (format_cents(b.price_cents + b.travel_fee_cents)) } }
                dt { "Status" } dd #visit-status { @match b.status { BookingStatus::Confirmed => "Confirmed", BookingStatus::AwaitingClearance => "Waiting for a physician's clearance", BookingStatus::Cancelled => "Cancelled" } }
            }
        }
    }

    /// The booking's history as staff read it: when it was booked, then each change by the practice.
    fn history(&self) -> Markup {
        let tz = self.tz();
        html! {
            h2 { "History" }
            ol.history #visit-history {
                li { "Booked " (day_and_clock(tz, self.booking.created_at)) "." }
                @for c in &self.changes {
                    li {
                        (day_and_clock(tz, c.at)) ": "
                        @match &c.change {
                            Change::Moved { from, to } => { "moved by the practice from " (day_and_clock(tz, *from)) " to " (day_and_clock(tz, *to)) "." }
                            Change::Reassigned { from, to } => { "given to " (names_of(to)) " instead of " (names_of(from)) "." }
                            Change::Cancelled => { "cancelled by the practice." }
                        }
                    }
                }
            }
        }
    }

    fn view(&self, caller: &Caller, notice: Option<&str>, refusal: &[String]) -> Markup {
        self.view_with(caller, notice, refusal, &Values::default(), &ValidationErrors::default())
    }

    /// The page; `values` and `clearance_errors` re-show a refused clearance form.
    fn view_with(
        &self,
        caller: &Caller,
        notice: Option<&str>,
        refusal: &[String],
        values: &Values,
        clearance_errors: &ValidationErrors,
    ) -> Markup {
        let b = self.booking;
        let back = if caller.is_manager() {
            ("/manage/calendar", "Back to the calendar")
        } else {
            ("/calendar", "Back to your calendar")
        };
        html! {
            h1 { (self.title()) }
            (ui::notice(notice))
            @if !refusal.is_empty() {
                div.error-summary role="alert" { p { "Nothing was changed." } @for r in refusal { p { (r) } } }
            }
            (self.safety.view(caller, self.tz(), &|t| self.name(t)))
            (sheet::view(caller, &self.sheet, values, clearance_errors))
            h2 { "Booking" }
            (self.facts())
            @if let Some(actions) = &self.actions {
                (self.actions_view(caller, actions))
            } @else if b.status == BookingStatus::Confirmed && !caller.is_manager() {
                p.hint { "To move, reassign or cancel this visit, ask the practice's manager." }
            }
            (self.history())
            @if !self.changes.is_empty() {
                p.hint { "The client's page tells them:" }
                (change_notices(&self.changes, self.tz()))
            }
            p { a href=(back.0) { (back.1) } }
        }
    }

    fn actions_view(&self, caller: &Caller, a: &Actions) -> Markup {
        let b = self.booking;
        let tz = self.tz();
        let csrf = ui::csrf_field(Some(caller));
        let mut date_values = Values::default();
        date_values.set("date", a.date.to_string());
        let day_link = |d: Date| format!("/visits/{}?date={d}#move", b.id.0);
        html! {
            h2 #move { "Move to another time" }
            p.hint { "Times when " (self.therapist_list()) " can still give it. The client's notice period does not apply to the practice; the client will see the change." }
            form.row.when-form method="get" action={ "/visits/" (b.id.0) } {
                (line(&date_values, &self.date_errors, "date", "Day", DATE, ""))
                div.field.submit { button.secondary type="submit" { "Show times" } }
            }
            p.day-links {
                a href=(day_link(add_days(a.date, -1))) { "Previous day" } " · " a href=(day_link(add_days(a.date, 1))) { "Next day" }
            }
            h3 { (day_heading(a.date)) }
            @match &a.times {
                Err(why) => { p.error-summary { "Times cannot be listed: " (why) } }
                Ok(times) if times.is_empty() => { p.meta { "No free times on this day." } }
                Ok(times) => {
                    form.stack method="post" action={ "/visits/" (b.id.0) "/move" } {
                        (csrf)
                        fieldset {
                            legend { "New start on " (day_heading(a.date)) }
                            div.radio-slots {
                                @for t in times {
                                    label.slot { input type="radio" name="start" value=(format_rfc3339(tz, *t)) required; " " (clock(tz, *t)) }
                                }
                            }
                        }
                        button type="submit" { "Move…" }
                    }
                }
            }
            h2 #reassign { "Give it to another therapist" }
            @match &a.replacements {
                Err(why) => { p.error-summary { "Therapists cannot be listed: " (why) } }
                Ok(list) if list.is_empty() => { p.meta { "No other therapist is free for this visit at this time." } }
                Ok(list) => {
                    form.stack method="post" action={ "/visits/" (b.id.0) "/reassign" } {
                        (csrf)
                        fieldset {
                            legend { "Free at " (clock(tz, b.start)) " on " (day_heading(local_date(tz, b.start))) }
                            @for r in list {
                                label.choice { input type="radio" name="therapist_ids" value=(team_value(&r.team)) required; " " (self.name(r.by)) " instead of " (self.name(r.instead_of)) }
                            }
                        }
                        button type="submit" { "Reassign…" }
                    }
                }
            }
            h2 { "Cancel" }
            form.stack method="post" action={ "/visits/" (b.id.0) "/cancel" } {
                (csrf)
                button.danger type="submit" { "Cancel this visit…" }
            }
        }
    }

    fn therapist_list(&self) -> String {
        self.booking.visits.iter().map(|v| self.name(v.therapist_id)).collect::<Vec<_>>().join(" and ")
    }
}

/// A team as a form value: "3,7".
fn team_value(team: &[TherapistId]) -> String {
    team.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(",")
}

fn parse_team(text: &str) -> Option<Vec<TherapistId>> {
    let ids: Option<Vec<TherapistId>> =
        text.split(',').map(|p| p.trim().parse::<i64>().ok().map(TherapistId)).collect();
    ids.filter(|ids| !ids.is_empty())
}

/// A posted staff action's booking, after the manager's CSRF check.
async fn posted(state: &AppState, caller: &Caller, id: i64, form: &FormPairs) -> Result<Booking, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    visible(state, caller, id).await
}

/// The confirmation step of an action: what it will do, [do it] (the same post with `confirm=yes`) and
/// [keep it] (back to the visit).
fn confirmation(
    caller: &Caller,
    id: i64,
    action: &str,
    question: &str,
    detail: Markup,
    hidden: &[(&str, &str)],
    yes: &str,
) -> Markup {
    html! {
        h1 { (question) }
        (detail)
        form.row method="post" action={ "/visits/" (id) "/" (action) } {
            (ui::csrf_field(Some(caller)))
            @for (name, value) in hidden { input type="hidden" name=(name) value=(value); }
            input type="hidden" name="confirm" value="yes";
            button.danger[action == "cancel"] type="submit" { (yes) }
            a.button.secondary href={ "/visits/" (id) } { "Keep it as it is" }
        }
    }
}

/// The page again with why the change was refused (409 when the time was taken, 422 for input).
async fn refused(state: &AppState, caller: &Caller, b: &Booking, e: AppError) -> Result<Response, WebError> {
    let Some(errors) = field_errors(&e) else { return Err(e.into()) };
    let status = match e {
        AppError::Unavailable(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let reasons: Vec<String> = match e {
        AppError::Unavailable(_) => vec!["That time is no longer free for this visit; choose another.".into()],
        _ => errors.0.into_iter().map(|x| format!("{}: {}", x.field, x.detail)).collect(),
    };
    let page = VisitPage::load(state, caller, b, None).await?;
    Ok(Frame::signed_in(state, caller).respond(status, &page.title(), page.view(caller, None, &reasons)))
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/visits/{id}?done={what}")).into_response()
}

async fn move_visit(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted(&state, &caller, id, &form).await?;
    let start = match parse_instant("start", form.get("start")) {
        Ok(s) => s,
        Err(_) => {
            let e = ValidationErrors::single("required", "start", "choose one of the new times");
            return refused(&state, &caller, &b, AppError::Invalid(e)).await;
        }
    };
    if form.get("confirm") != "yes" {
        let tz = calendar::settings(state.app()).await?.zone().clone();
        let detail = html! {
            p { "From " strong { (day_and_clock(&tz, b.start)) } " to " strong { (day_and_clock(&tz, start)) } ", with the same therapist." }
            p { "The client will see the change on their booking's page." }
        };
        let start_text = format_rfc3339(&tz, start);
        let body =
            confirmation(&caller, id, "move", "Move this visit?", detail, &[("start", start_text.as_str())], "Move it");
        return Ok(Frame::signed_in(&state, &caller).page("Move this visit?", body).into_response());
    }
    match booking::staff_move(state.app(), &b, start, &caller.user).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "moved by staff");
            Ok(done(id, "moved"))
        }
        Err(e) => refused(&state, &caller, &b, e).await,
    }
}

async fn reassign(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted(&state, &caller, id, &form).await?;
    let Some(team) = parse_team(form.get("therapist_ids")) else {
        let e = ValidationErrors::single("required", "therapist_ids", "choose the therapist to give it to");
        return refused(&state, &caller, &b, AppError::Invalid(e)).await;
    };
    if let Err(e) = booking::check_reassignment(&b, &team) {
        return refused(&state, &caller, &b, e).await;
    }
    if form.get("confirm") != "yes" {
        let therapists = listing::list::<Therapists>(state.app(), Audience::Manager).await?;
        let name = |id: &TherapistId| {
            therapists.iter().find(|t| t.id == *id).map_or_else(|| format!("Therapist {}", id.0), |t| t.name.clone())
        };
        let current = b.therapist_ids();
        let to: Vec<String> = team.iter().filter(|t| !current.contains(t)).map(&name).collect();
        let from: Vec<String> = current.iter().filter(|t| !team.contains(t)).map(&name).collect();
        let detail = html! {
            p { "It will be given by " strong { (to.join(" and ")) } " instead of " strong { (from.join(" and ")) } ", at the same time." }
            p { "The client will see the change on their booking's page." }
        };
        let value = team_value(&team);
        let body = confirmation(
            &caller,
            id,
            "reassign",
            "Give this visit to another therapist?",
            detail,
            &[("therapist_ids", value.as_str())],
            "Reassign it",
        );
        return Ok(Frame::signed_in(&state, &caller).page("Reassign this visit?", body).into_response());
    }
    match booking::reassign(state.app(), &b, team, &caller.user).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "reassigned by staff");
            Ok(done(id, "reassigned"))
        }
        Err(e) => refused(&state, &caller, &b, e).await,
    }
}

async fn cancel(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted(&state, &caller, id, &form).await?;
    if form.get("confirm") != "yes" {
        let tz = calendar::settings(state.app()).await?.zone().clone();
        let detail = html! {
            p { "The visit on " strong { (when_text(&tz, b.start, b.end)) } " for " (b.client.name) " will be cancelled and its time freed." }
            p { "The client will see this on their booking's page. This cannot be undone." }
        };
        let body = confirmation(&caller, id, "cancel", "Cancel this visit?", detail, &[], "Cancel the visit");
        return Ok(Frame::signed_in(&state, &caller).page("Cancel this visit?", body).into_response());
    }
    match booking::staff_cancel(state.app(), &b, &caller.user).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "cancelled by staff");
            Ok(done(id, "cancelled"))
        }
        Err(e) => refused(&state, &caller, &b, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::booking::NamedTherapist;
    use knead_core::UserId;

    fn zone() -> TimeZone {
        TimeZone::get("America/Toronto").unwrap()
    }

    fn change(change: Change) -> BookingChange {
        BookingChange {
            booking_id: BookingId(1),
            at: "2026-11-30T15:00:00Z".parse().unwrap(),
            by: Some(UserId(1)),
            change,
        }
    }

    #[test]
    fn each_change_is_told_in_plain_words() {
        use crate::pages::{with_page_locale, PageLocale};
        use knead_core::calendar::{Locale, TimeFormat, WallClock};
        let moved = change(Change::Moved {
            from: "2026-12-01T19:30:00Z".parse().unwrap(),
            to: "2026-12-02T15:00:00Z".parse().unwrap(),
        });
        let mara = NamedTherapist { id: TherapistId(1), name: "Mara".into() };
        let kai = NamedTherapist { id: TherapistId(2), name: "Kai".into() };
        let reassigned = change(Change::Reassigned { from: vec![mara], to: vec![kai] });
        let wall_clock = WallClock { time_format: TimeFormat::H24, locale: Locale::EnGb };
        let european = PageLocale { wall_clock, zone: zone() };
        let changes = [moved, reassigned, change(Change::Cancelled)];
        let html = with_page_locale(european, || change_notices(&changes, &zone()).into_string());
        assert!(
            html.contains("The practice moved your visit from Tuesday 1 December 14:30 to Wednesday 2 December 10:00."),
            "{html}"
        );
        assert!(html.contains("Your visit will now be given by Kai instead of Mara."), "{html}");
        assert!(html.contains("The practice cancelled your visit."), "{html}");
        assert!(change_notices(&[], &zone()).into_string().is_empty(), "no changes, nothing shown");
    }
}
