//! Safety on home visits in the pages: the check-in and check-out buttons on the staff view of a visit
//! (`/visits/{id}`, plain form posts, big enough for a thumb on a phone), and the managers' day of home visits
//! with their checks and the overdue flagged (`/manage/safety`).

use crate::auth::{Caller, Manager, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, asked_date, clock, day_heading, error_summary, line, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use knead_app::catalog::Therapists;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, safety, AppError};
use knead_core::booking::{Booking, BookingId, Where};
use knead_core::calendar::local_date;
use knead_core::safety::{CheckInput, Overdue, Presence};
use knead_core::{Role, TherapistId, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/visits/{id}/check-in", post(check_in))
        .route("/visits/{id}/check-out", post(check_out))
        .route("/manage/safety", get(day_page))
}

/// The safety part of a visit's page: for its own therapist, where they stand and the button for the next
/// step; for a manager, where each therapist stands. Nothing for a visit that is not a confirmed home visit.
pub(crate) struct Panel {
    booking: BookingId,
    /// The caller's own, when they are one of the visit's therapists.
    mine: Option<Presence>,
    /// Each therapist's, for a manager.
    all: Vec<(TherapistId, Presence)>,
    grace_minutes: i64,
}

impl Panel {
    pub(crate) async fn load(state: &AppState, caller: &Caller, b: &Booking) -> Result<Panel, WebError> {
        let app = state.app();
        let checkable = safety::checkable(b);
        let grace_minutes = calendar::settings(app).await?.safety_grace_minutes;
        let mut panel = Panel { booking: b.id, mine: None, all: Vec::new(), grace_minutes };
        if !checkable {
            return Ok(panel);
        }
        panel.mine = safety::own_presence(app, &caller.user, b).await?;
        if caller.user.role == Role::Manager {
            let checks = safety::visit_checks(app, &caller.user, b.id).await?;
            panel.all = b.therapist_ids().into_iter().map(|t| (t, Presence::of(&checks, t))).collect();
        }
        Ok(panel)
    }

    /// The panel; `name` names a therapist.
    pub(crate) fn view(&self, caller: &Caller, tz: &TimeZone, name: &dyn Fn(TherapistId) -> String) -> Markup {
        let id = self.booking.0;
        let grace = self.grace_minutes;
        html! {
            @if let Some(mine) = self.mine {
                section.safety #safety aria-labelledby="safety-heading" {
                    h2 #safety-heading { "Your safety check" }
                    @match mine {
                        Presence::NotCheckedIn => {
                            p { "Check in when you arrive. If you have not checked out " (grace) " minutes after the visit's end, the practice's managers are alerted." }
                            form method="post" action={ "/visits/" (id) "/check-in" } {
                                (ui::csrf_field(Some(caller)))
                                button type="submit" { "Check in" }
                            }
                        }
                        Presence::CheckedIn { at } => {
                            p #checked-in { strong { "Checked in at " (clock(tz, at)) "." } " Check out when you leave." }
                            form method="post" action={ "/visits/" (id) "/check-out" } {
                                (ui::csrf_field(Some(caller)))
                                button type="submit" { "Check out" }
                            }
                        }
                        Presence::CheckedOut { arrived, left } => {
                            p #checked-in { "Checked in at " (clock(tz, arrived)) ", checked out at " (clock(tz, left)) "." }
                        }
                    }
                }
            } @else if !self.all.is_empty() {
                section.safety #safety aria-labelledby="safety-heading" {
                    h2 #safety-heading { "Safety check" }
                    ul.plain {
                        @for (t, p) in &self.all { li { (name(*t)) ": " (presence_text(*p, tz)) } }
                    }
                    p { a href="/manage/safety" { "Today's home visits" } }
                }
            }
        }
    }
}

fn presence_text(p: Presence, tz: &TimeZone) -> String {
    match p {
        Presence::NotCheckedIn => "not checked in".into(),
        Presence::CheckedIn { at } => format!("checked in at {}, not checked out", clock(tz, at)),
        Presence::CheckedOut { arrived, left } => {
            format!("checked in at {}, checked out at {}", clock(tz, arrived), clock(tz, left))
        }
    }
}

async fn check_in(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    check(state, caller, id, form, true).await
}

async fn check_out(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    check(state, caller, id, form, false).await
}

/// A posted check-in or check-out: back to the visit, or the refusal in words (409 for a check-out without
/// a check-in, or a second one).
async fn check(
    state: AppState,
    caller: Caller,
    id: i64,
    form: FormPairs,
    arriving: bool,
) -> Result<Response, WebError> {
    if caller.user.role == Role::Client {
        return Err(WebError::Forbidden);
    }
    caller.check_csrf(form.get("csrf"))?;
    let input = CheckInput { therapist_id: None, note: None };
    let done = if arriving {
        safety::check_in(state.app(), &caller.user, BookingId(id), &input).await.map(|_| "checked_in")
    } else {
        safety::check_out(state.app(), &caller.user, BookingId(id), &input).await.map(|_| "checked_out")
    };
    match done {
        Ok(what) => Ok(Redirect::to(&format!("/visits/{id}?done={what}#safety")).into_response()),
        Err(e @ AppError::Conflict { .. }) | Err(e @ AppError::Invalid(_)) => {
            let status = if matches!(e, AppError::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let reasons = field_errors(&e).map(|errs| errs.0).unwrap_or_default();
            let body = html! {
                h1 { @if arriving { "Not checked in" } @else { "Not checked out" } }
                div.error-summary role="alert" { @for r in &reasons { p { (r.detail) } } }
                p { a href={ "/visits/" (id) "#safety" } { "Back to the visit" } }
            };
            Ok(Frame::signed_in(&state, &caller).respond(status, "Safety check", body))
        }
        Err(e) => Err(e.into()),
    }
}

/// `?date=2026-03-03`; today when absent.
#[derive(Debug, Default, serde::Deserialize)]
struct DayQuery {
    date: Option<String>,
}

/// The day's home visits, each therapist's checks, and the ones overdue (managers).
async fn day_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<DayQuery>,
) -> Result<Response, WebError> {
    let app = state.app();
    let settings = calendar::settings(app).await?;
    let tz = settings.zone().clone();
    let mut date_errors = ValidationErrors::default();
    let date = asked_date(q.date.as_deref(), local_date(&tz, state.now()), &mut date_errors);
    let (date, rule, visits) = safety::day(app, Some(date)).await?;
    let therapists = listing::list::<Therapists>(app, Audience::Manager).await?;
    let name = |id: TherapistId| {
        therapists.iter().find(|t| t.id == id).map_or_else(|| format!("Therapist {}", id.0), |t| t.name.clone())
    };
    let overdue = visits.iter().filter(|v| v.overdue != Overdue::No).count();
    let mut date_value = Values::default();
    date_value.set("date", date.to_string());
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } }
        h1 { "Safety: home visits on " (day_heading(date)) }
        p { "Therapists check in on arrival and out on leaving. A visit not checked out " (rule.grace_minutes)
            " minutes after its end alerts the managers; " (rule.grace_minutes) " minutes later, the emergency contact ("
            a href="/manage/settings#safety" { "settings" } ")." }
        (error_summary(&date_errors, "That date cannot be shown, so today is:"))
        form.row method="get" action="/manage/safety" {
            (line(&date_value, &date_errors, "date", "Date", DATE, ""))
            div.field.submit { button type="submit" { "Show" } }
        }
        @if overdue > 0 {
            p.warning role="alert" { strong { (overdue) " overdue: " } "checked in and not checked out in time. Call the therapist now." }
        }
        @if visits.is_empty() {
            p.meta { "No home visits that day." }
        } @else {
            table.list {
                thead { tr { th { "Visit" } th { "Therapist" } th { "Where" } th { "Check-in and out" } } }
                tbody {
                    @for v in &visits {
                        tr.overdue[v.overdue != Overdue::No] {
                            td { a href={ "/visits/" (v.booking.id.0) } { (clock(&tz, v.booking.start)) "–" (clock(&tz, v.booking.end)) } }
                            td { (name(v.therapist_id)) }
                            td { @if let Where::Mobile { address, .. } = &v.booking.place { (address) } }
                            td {
                                @match v.overdue {
                                    Overdue::Escalated => { strong { "Overdue: the emergency contact is alerted. " } }
                                    Overdue::Alerted => { strong { "Overdue: the managers are alerted. " } }
                                    Overdue::No if v.no_check_in => { strong { "Started, not checked in. " } }
                                    Overdue::No => {}
                                }
                                (presence_text(v.presence, &tz))
                                @for c in v.checks.iter().filter(|c| c.note.is_some()) {
                                    br; span.meta { (clock(&tz, c.at)) ": " (c.note.as_deref().unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let status = if date_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(Frame::signed_in(&state, &caller).respond(status, "Safety", body))
}
