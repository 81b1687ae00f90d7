//! Safety on home visits in the API: checking in and out (the visit's therapist, or a manager for them), a
//! visit's checks, and a day's home visits with the overdue flagged (managers).

use super::Staff;
use crate::auth::Manager;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppPath, AppQuery, OptionalJson};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use jiff::tz::TimeZone;
use knead_app::{calendar, safety};
use knead_core::booking::{BookingId, Where};
use knead_core::calendar::{format_rfc3339, parse_date};
use knead_core::safety::{CheckInput, CheckKind, Overdue, Presence, VisitCheck};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check_in))
        .routes(routes!(check_out))
        .routes(routes!(visit_checks))
        .routes(routes!(day_checks))
}

/// One check-in or check-out, as the append-only log keeps it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = VisitCheck)]
pub struct CheckView {
    pub id: i64,
    pub booking_id: i64,
    /// Whose visit: a visit for two has a check-in for each therapist.
    pub therapist_id: i64,
    /// `in` on arrival, `out` on leaving.
    pub kind: CheckKind,
    /// RFC 3339 with the practice's offset, by the server's clock.
    #[schema(format = DateTime)]
    pub at: String,
    /// The account that made it: the therapist, or a manager on their behalf.
    pub by_user_id: Option<i64>,
    pub note: Option<String>,
}

impl CheckView {
    fn new(tz: &TimeZone, c: VisitCheck) -> CheckView {
        CheckView {
            id: c.id,
            booking_id: c.booking_id.0,
            therapist_id: c.therapist_id.0,
            kind: c.kind,
            at: format_rfc3339(tz, c.at),
            by_user_id: c.by.map(|u| u.0),
            note: c.note,
        }
    }
}

async fn zone(state: &AppState) -> Result<TimeZone, WebError> {
    Ok(calendar::settings(state.app()).await?.zone().clone())
}

/// Check in at a home visit, on arrival (the visit's therapist, or a manager for them).
///
/// The time is the server's. If the therapist has not checked out a grace period (`safety_grace_minutes` in the
/// practice's settings, 30 by default) after the visit's scheduled end, the managers are emailed; a grace period
/// later again, the practice's emergency contact. The body may be left out.
#[utoipa::path(post, path = "/bookings/{id}/check-in", tag = "safety", operation_id = "checkInVisit",
    params(("id" = i64, Path)), request_body = Option<CheckInput>, security(("bearer" = [])),
    responses((status = 201, body = CheckView, description = "Checked in"),
        (status = 404, body = ErrorBody, description = "No such visit, or not one of the caller's (the same answer)"),
        (status = 409, body = ErrorBody, description = "Already checked in (`already_checked_in` on `check_in`), not a home visit (`not_a_home_visit` on `place`), or not confirmed (`not_confirmed` on `status`)"),
        (status = 422, body = ErrorBody, description = "A note too long, or the therapist to check in not named or not the visit's (`therapist_id`)")))]
pub async fn check_in(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    OptionalJson(input): OptionalJson<CheckInput>,
) -> Result<(StatusCode, Json<CheckView>), WebError> {
    let check = safety::check_in(state.app(), &caller.user, BookingId(id), &input).await?;
    Ok((StatusCode::CREATED, Json(CheckView::new(&zone(&state).await?, check))))
}

/// Check out of a home visit, on leaving (the visit's therapist, or a manager for them): no alert goes.
#[utoipa::path(post, path = "/bookings/{id}/check-out", tag = "safety", operation_id = "checkOutVisit",
    params(("id" = i64, Path)), request_body = Option<CheckInput>, security(("bearer" = [])),
    responses((status = 201, body = CheckView, description = "Checked out"),
        (status = 404, body = ErrorBody, description = "No such visit, or not one of the caller's (the same answer)"),
        (status = 409, body = ErrorBody, description = "Not checked in (`not_checked_in` on `check_in`), already checked out (`already_checked_out` on `check_out`), not a home visit, or not confirmed"),
        (status = 422, body = ErrorBody, description = "A note too long, or the therapist not named or not the visit's (`therapist_id`)")))]
pub async fn check_out(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    OptionalJson(input): OptionalJson<CheckInput>,
) -> Result<(StatusCode, Json<CheckView>), WebError> {
    let check = safety::check_out(state.app(), &caller.user, BookingId(id), &input).await?;
    Ok((StatusCode::CREATED, Json(CheckView::new(&zone(&state).await?, check))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecksView {
    /// Oldest first.
    pub checks: Vec<CheckView>,
}

/// A visit's check-ins and check-outs (staff who may see the visit).
#[utoipa::path(get, path = "/bookings/{id}/checks", tag = "safety", operation_id = "getVisitChecks",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ChecksView),
        (status = 404, body = ErrorBody, description = "No such visit, or not one of the caller's (the same answer)")))]
pub async fn visit_checks(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<Json<ChecksView>, WebError> {
    let checks = safety::visit_checks(state.app(), &caller.user, BookingId(id)).await?;
    let tz = zone(&state).await?;
    Ok(Json(ChecksView { checks: checks.into_iter().map(|c| CheckView::new(&tz, c)).collect() }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    /// The local date whose home visits are listed, `YYYY-MM-DD` (today when absent), 1900 to 2999.
    #[param(format = Date, pattern = "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
}

/// Where one therapist's home visit stands.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceView {
    NotCheckedIn,
    CheckedIn,
    CheckedOut,
}

/// How late a checked-in therapist is: `alerted` past the end and one grace period (the managers were
/// emailed), `escalated` past the second (the emergency contact was).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverdueView {
    No,
    Alerted,
    Escalated,
}

/// One therapist's part of a home visit on the day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitSafetyView {
    pub booking_id: i64,
    pub therapist_id: i64,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    /// The visit's address: where the therapist is.
    pub address: String,
    pub presence: PresenceView,
    pub overdue: OverdueView,
    /// Started more than a grace period ago and not checked in (no alert is sent for this).
    pub no_check_in: bool,
    pub checks: Vec<CheckView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SafetyDayView {
    #[schema(format = Date)]
    pub date: String,
    /// The practice's grace period, in minutes.
    pub grace_minutes: i64,
    /// By start.
    pub visits: Vec<VisitSafetyView>,
}

/// A day's home visits with their check-ins and check-outs, the overdue flagged (managers).
#[utoipa::path(get, path = "/safety/checks", tag = "safety", operation_id = "listSafetyChecks",
    params(DayParams), security(("bearer" = [])),
    responses((status = 200, body = SafetyDayView),
        (status = 422, body = ErrorBody, description = "A date that cannot be used (`date`)")))]
pub async fn day_checks(
    State(state): State<AppState>,
    _manager: Manager,
    AppQuery(q): AppQuery<DayParams>,
) -> Result<Json<SafetyDayView>, WebError> {
    // A date sent empty is a mistake to name, not a date left out.
    let date = q.date.as_deref().map(|d| parse_date("date", d)).transpose()?;
    let (date, rule, visits) = safety::day(state.app(), date).await?;
    let tz = zone(&state).await?;
    let visits = visits
        .into_iter()
        .map(|v| VisitSafetyView {
            booking_id: v.booking.id.0,
            therapist_id: v.therapist_id.0,
            start: format_rfc3339(&tz, v.booking.start),
            end: format_rfc3339(&tz, v.booking.end),
            address: match &v.booking.place {
                Where::Mobile { address, .. } => address.clone(),
                Where::Clinic(_) => String::new(),
            },
            presence: match v.presence {
                Presence::NotCheckedIn => PresenceView::NotCheckedIn,
                Presence::CheckedIn { .. } => PresenceView::CheckedIn,
                Presence::CheckedOut { .. } => PresenceView::CheckedOut,
            },
            overdue: match v.overdue {
                Overdue::No => OverdueView::No,
                Overdue::Alerted => OverdueView::Alerted,
                Overdue::Escalated => OverdueView::Escalated,
            },
            no_check_in: v.no_check_in,
            checks: v.checks.into_iter().map(|c| CheckView::new(&tz, c)).collect(),
        })
        .collect();
    Ok(Json(SafetyDayView { date: date.to_string(), grace_minutes: rule.grace_minutes, visits }))
}
