//! The red-flag screening, clearances and the audit log in the API.
//!
//! Screenings are made without a sign-in (the booking flow asks the questions before the client has an
//! account), so their ids are random; reading one is for staff and the client it belongs to, and every read
//! of health information writes one audit entry (the use cases do; the handlers only parse and render).

use super::booking::BookingView;
use super::Staff;
use crate::auth::{Manager, MaybeCaller, SignedIn};
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use jiff::tz::TimeZone;
use knead_app::{calendar, intake};
use knead_core::booking::BookingId;
use knead_core::calendar::format_rfc3339;
use knead_core::intake::screening::Reason;
use knead_core::intake::{Action, AuditEntry, ClearanceInput, ClientId, Level, ScreeningId, ScreeningInput};
use knead_core::intake::{Clearance, ScreeningRecord};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_screening))
        .routes(routes!(get_screening))
        .routes(routes!(clear_booking))
        .routes(routes!(audit_log))
        .routes(routes!(export_audit))
}

/// What a screening found: the highest level any answer raises, and every raised answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ScreeningResult)]
pub struct ScreeningView {
    /// Random and unguessable; send it as the booking's `screening_id`.
    #[schema(value_type = String)]
    pub id: ScreeningId,
    /// `emergency`: no booking; go to an emergency department today, not driving yourself. `urgent`: the
    /// booking waits for a physician's clearance. `routine`: a physician or physiotherapist review is
    /// advised. `clear`: nothing to do.
    pub level: Level,
    /// Every raised answer, in the order the questions are asked.
    pub reasons: Vec<Reason>,
}

impl From<&ScreeningRecord> for ScreeningView {
    fn from(s: &ScreeningRecord) -> ScreeningView {
        ScreeningView { id: s.id.clone(), level: s.assessment.level, reasons: s.assessment.reasons.clone() }
    }
}

/// A stored screening with its answers and whose it is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Screening)]
pub struct ScreeningDetail {
    #[serde(flatten)]
    pub result: ScreeningView,
    /// The answers as given.
    pub answers: ScreeningInput,
    /// The client it belongs to, once known (a signed-in client's at once; a guest's once booked).
    pub client_id: Option<i64>,
    /// The booking it was made for, once booked.
    pub booking_id: Option<i64>,
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl ScreeningDetail {
    pub(super) fn new(tz: &TimeZone, s: &ScreeningRecord) -> ScreeningDetail {
        ScreeningDetail {
            result: s.into(),
            answers: s.answers.input().clone(),
            client_id: s.client.map(|c| c.0),
            booking_id: s.booking.map(|b| b.0),
            created_at: format_rfc3339(tz, s.created_at),
        }
    }
}

/// Answer the red-flag questions asked before a visit for back pain, leg pain or sciatica.
///
/// No sign-in needed (the booking flow asks them first); a signed-in client's screening is theirs at once.
/// Every question must be answered: an unanswered one is never taken as "no", and the 422 names each one
/// still open. An `emergency` result is kept for the practice, and can never become a booking.
#[utoipa::path(post, path = "/screenings", tag = "intake", operation_id = "createScreening",
    request_body = ScreeningInput, security((), ("bearer" = [])),
    responses((status = 201, body = ScreeningView),
        (status = 422, body = ErrorBody, description = "Every question not answered (`required`) or out of range (`out_of_range`), each named")))]
pub async fn create_screening(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppJson(input): AppJson<ScreeningInput>,
) -> Result<(StatusCode, Json<ScreeningView>), WebError> {
    let record = intake::screen(state.app(), caller.user(), &input).await?;
    tracing::info!(level = record.assessment.level.as_str(), "screened");
    Ok((StatusCode::CREATED, Json(ScreeningView::from(&record))))
}

/// One screening with its answers: for staff (a therapist: their own clients') and the client it belongs to.
///
/// Reading it is recorded in the audit log.
#[utoipa::path(get, path = "/screenings/{id}", tag = "intake", operation_id = "getScreening",
    params(("id" = String, Path, description = "The screening's id, as `createScreening` gave it")),
    security(("bearer" = [])),
    responses((status = 200, body = ScreeningDetail),
        (status = 404, body = ErrorBody, description = "No such screening, or not one the caller may see (the same answer)")))]
pub async fn get_screening(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<String>,
) -> Result<Json<ScreeningDetail>, WebError> {
    // A malformed id names no screening: the same answer as an unknown one.
    let id = ScreeningId::parse("id", &id).map_err(|_| WebError::not_found("screening"))?;
    let record = intake::screening(state.app(), &caller.user, &id).await?;
    let zone = calendar::settings(state.app()).await?.zone().clone();
    Ok(Json(ScreeningDetail::new(&zone, &record)))
}

/// A physician's clearance as recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Clearance)]
pub struct ClearanceView {
    pub booking_id: i64,
    /// The physician or clinic who cleared the client.
    pub cleared_by: String,
    pub note: String,
    /// The staff member who recorded it.
    pub recorded_by: i64,
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub recorded_at: String,
}

impl ClearanceView {
    pub(super) fn new(tz: &TimeZone, c: &Clearance) -> ClearanceView {
        ClearanceView {
            booking_id: c.booking_id.0,
            cleared_by: c.cleared_by.clone(),
            note: c.note.clone(),
            recorded_by: c.recorded_by.0,
            recorded_at: format_rfc3339(tz, c.recorded_at),
        }
    }
}

/// Record a physician's clearance for a booking held as `awaiting_clearance`; it becomes `confirmed` (staff).
///
/// Who cleared the client (the physician or clinic), and what the note says; the staff member and the time
/// are recorded with it, in the audit log too.
#[utoipa::path(post, path = "/bookings/{id}/clearance", tag = "intake", operation_id = "clearBooking",
    params(("id" = i64, Path)), request_body = ClearanceInput, security(("bearer" = [])),
    responses((status = 200, body = BookingView, description = "The booking, now confirmed"),
        (status = 404, body = ErrorBody, description = "No such booking, or not one the caller's visits (the same answer)"),
        (status = 409, body = ErrorBody, description = "The booking is not waiting for a clearance (`not_awaiting_clearance` on `status`)")))]
pub async fn clear_booking(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ClearanceInput>,
) -> Result<Json<BookingView>, WebError> {
    let booking = intake::clear(state.app(), &caller.user, BookingId(id), &input).await?;
    tracing::info!(booking_id = booking.id.0, "clearance recorded");
    let zone = calendar::settings(state.app()).await?.zone().clone();
    let found = intake::precautions_for(state.app(), &booking).await?;
    Ok(Json(BookingView::new(&zone, booking, &found, None)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this client's entries.
    pub client_id: Option<i64>,
    /// How many of the newest entries, 1 to 1000 (100 when absent).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// One audit entry: who did what to whose health information, when, and its place in the hash chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryView {
    pub id: i64,
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub at: String,
    /// The user who did it; null for a guest (a booking without a login).
    pub actor_id: Option<i64>,
    /// Whose record.
    pub client_id: Option<i64>,
    pub action: Action,
    /// What kind of record: `intake`, `screening`, `clearance`, `client`, `audit_log`...
    pub record: String,
    /// Which one (several ids for a list, comma-separated).
    pub record_id: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntryView {
    fn new(tz: &TimeZone, e: AuditEntry) -> AuditEntryView {
        AuditEntryView {
            id: e.id,
            at: format_rfc3339(tz, e.at),
            actor_id: e.actor.map(|u| u.0),
            client_id: e.client.map(|c| c.0),
            action: e.action,
            record: e.record,
            record_id: e.record_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditLogView {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
}

/// The newest entries of the audit log of health information, optionally for one client (managers).
///
/// Every read and change of an intake, a screening or a clearance writes one entry; viewing the log is
/// itself recorded.
#[utoipa::path(get, path = "/audit", tag = "intake", operation_id = "getAuditLog", params(AuditParams),
    security(("bearer" = [])),
    responses((status = 200, body = AuditLogView),
        (status = 422, body = ErrorBody, description = "`limit` out of range")))]
pub async fn audit_log(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<AuditParams>,
) -> Result<Json<AuditLogView>, WebError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(WebError::field("out_of_range", "limit", format!("must be between 1 and 1000 (got {limit})")));
    }
    let entries = intake::audit_log(state.app(), &caller.user, q.client_id.map(ClientId), limit).await?;
    let zone = calendar::settings(state.app()).await?.zone().clone();
    Ok(Json(AuditLogView { entries: entries.into_iter().map(|e| AuditEntryView::new(&zone, e)).collect() }))
}

/// The whole audit log as CSV, oldest first (managers): `id,at,actor,client,action,record,record_id,
/// prev_hash,hash`, times in UTC. The export is itself recorded.
#[utoipa::path(get, path = "/audit/export", tag = "intake", operation_id = "exportAuditLog",
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String, description = "The log, one entry a line after the header")))]
pub async fn export_audit(
    State(state): State<AppState>,
    Manager(caller): Manager,
) -> Result<impl IntoResponse, WebError> {
    let csv = intake::export_audit(state.app(), &caller.user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"knead-audit.csv\""),
        ],
        csv,
    ))
}
