//! The booking API: the practice's public facts, availability, bookings, and the manager's calendar
//! settings (practice settings, clinics, therapists' schedules and time off).

use crate::auth::{secret_hash, Manager, MaybeCaller};
use crate::booking::{self, AvailabilityQuery, OfferedSlot};
use crate::error::{ErrorBody, NotFoundAs, WebError};
use crate::extract::{parse_json, AppJson, AppPath, AppQuery};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use jiff::civil::Date;
use knead_core::booking::{parse_instant, Booking, BookingId, BookingInput, Clinic, ClinicInput};
use knead_core::calendar::{parse_clock, PracticeSettings, ScheduleInput, ServiceArea, TherapistSchedule, TimeOff};
use knead_core::{FieldError, Role, ServiceId, TherapistId, ValidationErrors};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a booking page needs to know about the practice. Therapists' home bases are never public.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticeView {
    pub name: String,
    pub time_zone: String,
    pub service_area: ServiceArea,
    pub clinics: Vec<ClinicSummary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClinicSummary {
    pub id: i64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// The practice: name, time zone, service area and clinics.
#[utoipa::path(get, path = "/practice", tag = "booking", responses((status = 200, body = PracticeView)))]
pub async fn practice(State(app): State<AppState>) -> Result<Json<PracticeView>, WebError> {
    let settings = app.store().practice_settings().await?;
    let clinics = app.store().clinics().await?;
    Ok(Json(PracticeView {
        name: app.config().practice_name.clone(),
        time_zone: settings.time_zone,
        service_area: settings.service_area,
        clinics: clinics
            .into_iter()
            .map(|c| ClinicSummary { id: c.id.0, name: c.name, lat: c.lat, lon: c.lon })
            .collect(),
    }))
}

/// The practice's booking settings (managers).
#[utoipa::path(get, path = "/practice/settings", tag = "booking", security(("bearer" = [])),
    responses((status = 200, body = PracticeSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_settings(State(app): State<AppState>, _m: Manager) -> Result<Json<PracticeSettings>, WebError> {
    Ok(Json(app.store().practice_settings().await?))
}

/// Replace the practice's booking settings (managers).
#[utoipa::path(put, path = "/practice/settings", tag = "booking", request_body = PracticeSettings, security(("bearer" = [])),
    responses((status = 200, body = PracticeSettings), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(app): State<AppState>,
    _m: Manager,
    AppJson(settings): AppJson<PracticeSettings>,
) -> Result<Json<PracticeSettings>, WebError> {
    settings.validate()?;
    app.store().save_practice_settings(&settings).await?;
    Ok(Json(settings))
}

/// Clinics with their rooms.
#[utoipa::path(get, path = "/clinics", tag = "booking", responses((status = 200, body = [Clinic])))]
pub async fn clinics(State(app): State<AppState>) -> Result<Json<Vec<Clinic>>, WebError> {
    Ok(Json(app.store().clinics().await?))
}

/// Add a clinic and its rooms (managers).
#[utoipa::path(post, path = "/clinics", tag = "booking", request_body = ClinicInput, security(("bearer" = [])),
    responses((status = 201, body = Clinic), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_clinic(
    State(app): State<AppState>,
    _m: Manager,
    AppJson(input): AppJson<ClinicInput>,
) -> Result<(StatusCode, Json<Clinic>), WebError> {
    let draft = input.validate()?;
    Ok((StatusCode::CREATED, Json(app.store().create_clinic(&draft).await?)))
}

/// A therapist's schedule: base, radius, services, weekly hours, overrides and time off (managers).
#[utoipa::path(get, path = "/therapists/{id}/schedule", tag = "booking", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TherapistSchedule), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(app): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<TherapistSchedule>, WebError> {
    app.store().schedule(TherapistId(id)).await?.map(Json).ok_or(WebError::NotFound { what: "schedule" })
}

/// Set a therapist's base, radius, services and weekly hours (managers).
#[utoipa::path(put, path = "/therapists/{id}/schedule", tag = "booking", params(("id" = i64, Path)), request_body = ScheduleInput,
    security(("bearer" = [])),
    responses((status = 200, body = TherapistSchedule), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_schedule(
    State(app): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ScheduleInput>,
) -> Result<Json<TherapistSchedule>, WebError> {
    let draft = input.validate()?;
    let services = app.store().list_services(false).await?;
    for (i, s) in draft.service_ids.iter().enumerate() {
        if !services.iter().any(|x| x.id == *s) {
            return Err(WebError::field("unknown", &format!("service_ids[{i}]"), format!("no service has id {}", s.0)));
        }
    }
    Ok(Json(app.store().save_schedule(TherapistId(id), &draft).await.not_found_as("therapist")?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffInput {
    /// RFC 3339 with an offset.
    pub start: String,
    pub end: String,
}

/// Add time off (managers).
#[utoipa::path(post, path = "/therapists/{id}/time-off", tag = "booking", params(("id" = i64, Path)), request_body = TimeOffInput,
    security(("bearer" = [])), responses((status = 201, body = TimeOff), (status = 422, body = ErrorBody)))]
pub async fn add_time_off(
    State(app): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<TimeOffInput>,
) -> Result<(StatusCode, Json<TimeOff>), WebError> {
    let mut e = ValidationErrors::default();
    let start = parse_instant("start", &input.start).map_err(|x| e.push(x)).ok();
    let end = parse_instant("end", &input.end).map_err(|x| e.push(x)).ok();
    if let (Some(s), Some(en)) = (start, end) {
        if en <= s {
            e.push(FieldError::new("invalid", "end", "must be after the start"));
        }
    }
    let (start, end) = e.finish(|| (start.unwrap(), end.unwrap()))?;
    let off = app.store().add_time_off(TherapistId(id), start, end).await.not_found_as("therapist")?;
    Ok((StatusCode::CREATED, Json(off)))
}

/// Remove time off (managers).
#[utoipa::path(delete, path = "/therapists/{id}/time-off/{time_off_id}", tag = "booking",
    params(("id" = i64, Path), ("time_off_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_time_off(
    State(app): State<AppState>,
    _m: Manager,
    AppPath((id, off)): AppPath<(i64, i64)>,
) -> Result<StatusCode, WebError> {
    app.store().delete_time_off(TherapistId(id), off).await.not_found_as("time off")?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    /// Local working windows that day, e.g. `[["09:00","12:00"]]`; empty for a day off.
    pub windows: Vec<(String, String)>,
}

/// Replace one date's hours (managers); an empty list makes it a day off.
#[utoipa::path(put, path = "/therapists/{id}/overrides/{date}", tag = "booking",
    params(("id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD")), request_body = OverrideInput,
    security(("bearer" = [])), responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn put_override(
    State(app): State<AppState>,
    _m: Manager,
    AppPath((id, date)): AppPath<(i64, String)>,
    AppJson(input): AppJson<OverrideInput>,
) -> Result<StatusCode, WebError> {
    let date: Date = date.parse().map_err(|_| WebError::field("invalid", "date", "must be a date like 2026-12-24"))?;
    let mut e = ValidationErrors::default();
    let mut windows = Vec::new();
    for (i, (s, en)) in input.windows.iter().enumerate() {
        let s = parse_clock(&format!("windows[{i}][0]"), s).map_err(|x| e.push(x)).ok();
        let en = parse_clock(&format!("windows[{i}][1]"), en).map_err(|x| e.push(x)).ok();
        if let (Some(s), Some(en)) = (s, en) {
            if en <= s {
                e.push(FieldError::new("invalid", format!("windows[{i}][1]"), "must be after the start"));
            }
            windows.push((s, en));
        }
    }
    e.finish(|| ())?;
    if app.store().schedule(TherapistId(id)).await?.is_none() {
        return Err(WebError::NotFound { what: "schedule" });
    }
    app.store().set_day_override(TherapistId(id), date, Some(&windows)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityParams {
    pub service_id: i64,
    /// The client's place (with `lon`), or give `clinic_id`.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub clinic_id: Option<i64>,
    /// First local date, YYYY-MM-DD.
    pub from: String,
    /// How many days, 1 to 60.
    pub days: i64,
    pub therapist_id: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailabilityView {
    pub slots: Vec<OfferedSlot>,
}

/// Every start on the practice's grid at which a therapist who offers the service and covers the place
/// can arrive from the previous visit and reach the next one; "any therapist" ranks by added travel.
#[utoipa::path(get, path = "/availability", tag = "booking", params(AvailabilityParams),
    responses((status = 200, body = AvailabilityView), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn availability(
    State(app): State<AppState>,
    AppQuery(q): AppQuery<AvailabilityParams>,
) -> Result<Json<AvailabilityView>, WebError> {
    let place = booking::parse_place(q.lat, q.lon, q.clinic_id)?;
    let from: Date =
        q.from.parse().map_err(|_| WebError::field("invalid", "from", "must be a date like 2026-12-01"))?;
    let query = AvailabilityQuery {
        service_id: ServiceId(q.service_id),
        place,
        from,
        days: q.days,
        therapist_id: q.therapist_id.map(TherapistId),
    };
    let slots = booking::availability(app.store().as_ref(), app.calendar(), &query, app.now()).await?;
    Ok(Json(AvailabilityView { slots }))
}

/// A booking as the API shows it; `manage_url` is given once, to the guest who made it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    /// RFC 3339 in the practice's zone.
    pub start_local: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
}

pub(crate) async fn view(
    app: &AppState,
    booking: Booking,
    manage_token: Option<String>,
) -> Result<BookingView, WebError> {
    let tz = app.store().practice_settings().await?.zone();
    let manage_url = manage_token.map(|t| format!("/bookings/{}/manage?token={t}", booking.id.0));
    Ok(BookingView { start_local: booking::rfc3339_local(&tz, booking.start), booking, manage_url })
}

/// Book a slot. Send an `Idempotency-Key` header to make retries safe: a repeat returns the same booking.
#[utoipa::path(post, path = "/bookings", tag = "booking", request_body = BookingInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string; a repeated request returns the first booking")),
    responses((status = 201, body = BookingView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_booking(
    State(app): State<AppState>,
    caller: MaybeCaller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<BookingView>), WebError> {
    crate::extract::require_json(&headers)?;
    let input: BookingInput = parse_json(&body)?;
    let request = input.validate()?;
    let key = match headers.get("idempotency-key") {
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| WebError::field("invalid", "Idempotency-Key", "must be printable ASCII"))?
                .trim();
            if k.is_empty() || k.len() > 200 {
                return Err(WebError::field("invalid", "Idempotency-Key", "must be 1 to 200 characters"));
            }
            Some(k.to_string())
        }
        None => None,
    };
    let fingerprint = hex::encode(Sha256::digest(&body));
    let booked = booking::book(app.store().as_ref(), &request, caller.0.as_ref(), key, fingerprint, app.now()).await?;
    let b = booked.created.booking().clone();
    tracing::info!(booking_id = b.id.0, replayed = booked.manage_token.is_none(), "booked");
    Ok((StatusCode::CREATED, Json(view(&app, b, booked.manage_token).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManageToken {
    /// The private token from a guest's manage link.
    pub token: Option<String>,
}

/// A booking the caller may manage: its client, a manager, or whoever holds its manage link.
pub(crate) async fn managed_booking(
    app: &AppState,
    caller: &MaybeCaller,
    id: i64,
    token: Option<&str>,
) -> Result<Booking, WebError> {
    let booking = app.store().booking(BookingId(id)).await.not_found_as("booking")?;
    let token_ok = match token {
        Some(t) => app.store().booking_by_manage_token(&secret_hash(t)).await.is_ok_and(|b| b.id == booking.id),
        None => false,
    };
    if booking::may_manage(&booking, caller.0.as_ref(), token_ok) {
        Ok(booking)
    } else if caller.0.is_none() && token.is_none() {
        Err(WebError::Unauthenticated)
    } else {
        // Not "forbidden": whether a booking exists is not anyone else's business.
        Err(WebError::NotFound { what: "booking" })
    }
}

/// One booking (its client, a manager, or the holder of its manage link).
#[utoipa::path(get, path = "/bookings/{id}", tag = "booking", params(("id" = i64, Path), ManageToken),
    responses((status = 200, body = BookingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_booking(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&app, &caller, id, q.token.as_deref()).await?;
    Ok(Json(view(&app, booking, None).await?))
}

fn is_manager(caller: &MaybeCaller) -> bool {
    caller.0.as_ref().is_some_and(|c| c.user.role == Role::Manager)
}

/// Cancel a booking, within the practice's notice policy (managers may always).
#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "booking", params(("id" = i64, Path), ManageToken),
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel_booking(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&app, &caller, id, q.token.as_deref()).await?;
    let cancelled = booking::cancel(app.store().as_ref(), &booking, is_manager(&caller), app.now()).await?;
    Ok(Json(view(&app, cancelled, None).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    /// The new start, RFC 3339 with an offset.
    pub start: String,
    #[serde(default)]
    pub therapist_ids: Option<Vec<i64>>,
}

/// Move a booking to another start, within the notice policy.
#[utoipa::path(post, path = "/bookings/{id}/reschedule", tag = "booking", params(("id" = i64, Path), ManageToken),
    request_body = RescheduleInput,
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reschedule_booking(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
    AppJson(input): AppJson<RescheduleInput>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&app, &caller, id, q.token.as_deref()).await?;
    let start = parse_instant("start", &input.start).map_err(|e| WebError::Invalid(ValidationErrors(vec![e])))?;
    let therapists = input.therapist_ids.map(|ids| ids.into_iter().map(TherapistId).collect());
    let moved =
        booking::reschedule(app.store().as_ref(), &booking, start, therapists, is_manager(&caller), app.now()).await?;
    Ok(Json(view(&app, moved, None).await?))
}
