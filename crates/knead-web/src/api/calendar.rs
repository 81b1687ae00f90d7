//! The calendar in the API: the practice's public facts, and the manager's settings, the practice's own
//! details, clinics (added, replaced, archived, restored), therapists' schedules, dated hours and time off
//! (refused with 409 `visits_booked` over booked visits unless the body says to go ahead).

use super::listing::{audience, ListQuery};
use crate::auth::{Manager, MaybeCaller};
use crate::error::{ErrorBody, ErrorItem, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_app::calendar::{self, HoursChange};
use knead_app::listing::Audience;
use knead_core::booking::{parse_instant, Booking, Clinic, ClinicId, ClinicInput};
use knead_core::calendar::{
    format_rfc3339, DayWindows, PracticeSettings, PracticeSettingsInput, ScheduleInput, ServiceArea, TherapistSchedule,
    TypedWindow,
};
use knead_core::practice::{PracticeDetails, PracticeDetailsInput};
use knead_core::{TherapistId, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(practice))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(get_details, put_details))
        .routes(routes!(clinics, create_clinic))
        .routes(routes!(get_clinic, update_clinic))
        .routes(routes!(archive_clinic))
        .routes(routes!(restore_clinic))
        .routes(routes!(get_schedule, put_schedule))
        .routes(routes!(add_time_off))
        .routes(routes!(delete_time_off))
        .routes(routes!(put_override))
}

/// What a booking page needs to know about the practice: how to reach it, where it works, and the clinics
/// clients may book. Therapists' home bases are never public.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticeView {
    /// The practice's public name (the server's configured name until a manager gives one).
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The postal address; lines are separated by line breaks.
    pub address: Option<String>,
    pub time_zone: String,
    pub service_area: ServiceArea,
    pub clinics: Vec<ClinicSummary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClinicSummary {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
}

/// The practice: name, how to reach it, time zone, service area and the clinics clients may book.
#[utoipa::path(get, path = "/practice", tag = "booking", operation_id = "getPractice", responses((status = 200, body = PracticeView)))]
pub async fn practice(State(state): State<AppState>) -> Result<Json<PracticeView>, WebError> {
    let settings = calendar::settings(state.app()).await?;
    let details = calendar::practice_details(state.app()).await?;
    let clinics = calendar::clinics(state.app()).await?;
    Ok(Json(PracticeView {
        name: details.name.unwrap_or_else(|| state.config().practice_name.clone()),
        phone: details.phone.map(|p| p.as_str().to_string()),
        email: details.email,
        address: details.address,
        time_zone: settings.time_zone.name().to_string(),
        service_area: settings.service_area,
        clinics: clinics
            .into_iter()
            .map(|c| ClinicSummary { id: c.id.0, name: c.name, address: c.address, lat: c.lat, lon: c.lon })
            .collect(),
    }))
}

/// The practice's booking settings (managers).
#[utoipa::path(get, path = "/practice/settings", tag = "booking", operation_id = "getPracticeSettings",
    security(("bearer" = [])), responses((status = 200, body = PracticeSettings)))]
pub async fn get_settings(State(state): State<AppState>, _m: Manager) -> Result<Json<PracticeSettings>, WebError> {
    Ok(Json(calendar::settings(state.app()).await?))
}

/// Replace the practice's booking settings (managers).
#[utoipa::path(put, path = "/practice/settings", tag = "booking", operation_id = "replacePracticeSettings",
    request_body = PracticeSettingsInput, security(("bearer" = [])),
    responses((status = 200, body = PracticeSettings), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    _m: Manager,
    AppJson(input): AppJson<PracticeSettingsInput>,
) -> Result<Json<PracticeSettings>, WebError> {
    Ok(Json(calendar::save_settings(state.app(), &input).await?))
}

/// The practice's own details as saved: public name, phone, email and postal address (managers).
#[utoipa::path(get, path = "/practice/details", tag = "booking", operation_id = "getPracticeDetails",
    security(("bearer" = [])), responses((status = 200, body = PracticeDetails)))]
pub async fn get_details(State(state): State<AppState>, _m: Manager) -> Result<Json<PracticeDetails>, WebError> {
    Ok(Json(calendar::practice_details(state.app()).await?))
}

/// Replace the practice's own details (managers); an empty or missing field removes that detail. Every
/// public page shows them.
#[utoipa::path(put, path = "/practice/details", tag = "booking", operation_id = "replacePracticeDetails",
    request_body = PracticeDetailsInput, security(("bearer" = [])),
    responses((status = 200, body = PracticeDetails),
        (status = 422, body = ErrorBody, description = "A phone, email, name or address that is not valid, named by its field")))]
pub async fn put_details(
    State(state): State<AppState>,
    _m: Manager,
    AppJson(input): AppJson<PracticeDetailsInput>,
) -> Result<Json<PracticeDetails>, WebError> {
    Ok(Json(calendar::save_practice_details(state.app(), &input).await?))
}

/// Clinics with their rooms: those clients may book, or every one with `include_archived` (managers).
#[utoipa::path(get, path = "/clinics", tag = "booking", operation_id = "listClinics", params(ListQuery),
    security((), ("bearer" = [])), responses((status = 200, body = [Clinic])))]
pub async fn clinics(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<Vec<Clinic>>, WebError> {
    Ok(Json(match audience(&caller, &q)? {
        Audience::Public => calendar::clinics(state.app()).await?,
        Audience::Manager => calendar::all_clinics(state.app()).await?,
    }))
}

/// Add a clinic and its rooms (managers). Without `lat` and `lon` its address is looked up on the map.
#[utoipa::path(post, path = "/clinics", tag = "booking", operation_id = "createClinic", request_body = ClinicInput,
    security(("bearer" = [])), responses((status = 201, body = Clinic),
        (status = 422, body = ErrorBody, description = "A field is invalid, or the address cannot be found (`address_not_found`)")))]
pub async fn create_clinic(
    State(state): State<AppState>,
    _m: Manager,
    AppJson(input): AppJson<ClinicInput>,
) -> Result<(StatusCode, Json<Clinic>), WebError> {
    Ok((StatusCode::CREATED, Json(calendar::create_clinic(state.app(), &input).await?)))
}

/// One clinic by id (an archived one only for managers).
#[utoipa::path(get, path = "/clinics/{id}", tag = "booking", operation_id = "getClinic", params(("id" = i64, Path)),
    security((), ("bearer" = [])), responses((status = 200, body = Clinic), (status = 404, body = ErrorBody)))]
pub async fn get_clinic(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Clinic>, WebError> {
    let clinic = calendar::clinic(state.app(), ClinicId(id)).await?;
    if clinic.archived && !caller.is_manager() {
        return Err(WebError::not_found("clinic"));
    }
    Ok(Json(clinic))
}

/// Replace a clinic's name, address and rooms (managers). A room given as `{"id", "name"}` is kept (and
/// renamed), a room given by name alone is added, and the clinic's rooms left out are removed — refused
/// while a room has visits still to come. Without `lat` and `lon` an unchanged address keeps the clinic's
/// point and a new one is looked up.
#[utoipa::path(put, path = "/clinics/{id}", tag = "booking", operation_id = "replaceClinic", params(("id" = i64, Path)),
    request_body = ClinicInput, security(("bearer" = [])),
    responses((status = 200, body = Clinic), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A field is invalid, a room id is not the clinic's, a room to remove has visits to come (`room_in_use`), or the address cannot be found")))]
pub async fn update_clinic(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ClinicInput>,
) -> Result<Json<Clinic>, WebError> {
    Ok(Json(calendar::update_clinic(state.app(), ClinicId(id), &input).await?))
}

/// Archive a clinic: clients no longer see it and it takes no new bookings; its bookings keep it (managers).
#[utoipa::path(post, path = "/clinics/{id}/archive", tag = "booking", operation_id = "archiveClinic",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Clinic), (status = 404, body = ErrorBody)))]
pub async fn archive_clinic(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Clinic>, WebError> {
    Ok(Json(calendar::set_clinic_archived(state.app(), ClinicId(id), true).await?))
}

/// Bring an archived clinic back (managers).
#[utoipa::path(post, path = "/clinics/{id}/restore", tag = "booking", operation_id = "restoreClinic",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Clinic), (status = 404, body = ErrorBody)))]
pub async fn restore_clinic(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Clinic>, WebError> {
    Ok(Json(calendar::set_clinic_archived(state.app(), ClinicId(id), false).await?))
}

/// A therapist's schedule: base, radius, services, weekly hours, overrides and time off (managers).
#[utoipa::path(get, path = "/therapists/{id}/schedule", tag = "booking", operation_id = "getTherapistSchedule",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TherapistSchedule), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<TherapistSchedule>, WebError> {
    calendar::schedule(state.app(), TherapistId(id)).await?.map(Json).ok_or(WebError::not_found("schedule"))
}

/// Set a therapist's base, radius, services and weekly hours (managers).
#[utoipa::path(put, path = "/therapists/{id}/schedule", tag = "booking", operation_id = "replaceTherapistSchedule",
    params(("id" = i64, Path)), request_body = ScheduleInput, security(("bearer" = [])),
    responses((status = 200, body = TherapistSchedule), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A field is invalid, hours overlap or end before they start, or a service id is unknown")))]
pub async fn put_schedule(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ScheduleInput>,
) -> Result<Json<TherapistSchedule>, WebError> {
    Ok(Json(calendar::save_schedule(state.app(), TherapistId(id), &input).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffInput {
    /// RFC 3339 with an offset.
    pub start: String,
    pub end: String,
    /// Add it even though visits are booked in it (they stay booked, listed in the answer); without this, such
    /// time off is refused with 409 `visits_booked`, listing them.
    #[serde(default)]
    pub over_booked_visits: bool,
}

/// A visit still booked in time its therapist does not work: move it or give it to another therapist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BookedVisit {
    pub booking_id: i64,
    /// RFC 3339 with the practice's offset.
    pub start: String,
    /// RFC 3339 with the practice's offset.
    pub end: String,
}

/// Time off as added, with the visits still booked in it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimeOffAdded {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    /// Empty unless `over_booked_visits` was sent (or a visit was booked as the time off was added).
    pub booked_visits: Vec<BookedVisit>,
}

/// The visits of `bookings`, in the practice's offset.
async fn booked_visits(state: &AppState, bookings: &[Booking]) -> Result<Vec<BookedVisit>, WebError> {
    let settings = calendar::settings(state.app()).await?;
    let tz = settings.zone();
    Ok(bookings
        .iter()
        .map(|b| BookedVisit { booking_id: b.id.0, start: format_rfc3339(tz, b.start), end: format_rfc3339(tz, b.end) })
        .collect())
}

/// The 409 `visits_booked` for a change that would leave `bookings` in time the therapist does not work.
async fn visits_booked(state: &AppState, bookings: &[Booking], what: &str) -> Result<Response, WebError> {
    let n = bookings.len();
    let detail = format!(
        "{n} booked visit{} fall{} in {what}; move or reassign {}, or send \"over_booked_visits\": true to go ahead \
         and keep {} booked",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
        if n == 1 { "it" } else { "them" },
        if n == 1 { "it" } else { "them" },
    );
    // One error in the usual shape, carrying the visits.
    let error = ErrorItem {
        code: "visits_booked".into(),
        field: Some("over_booked_visits".into()),
        detail,
        candidates: None,
        booked_visits: Some(booked_visits(state, bookings).await?),
    };
    Ok((StatusCode::CONFLICT, Json(ErrorBody { errors: vec![error] })).into_response())
}

/// Add time off (managers).
///
/// Time off over booked visits is refused (409 `visits_booked`, listing them) unless the body says
/// `"over_booked_visits": true`; then it is added, the visits stay booked and the answer lists them.
#[utoipa::path(post, path = "/therapists/{id}/time-off", tag = "booking", operation_id = "addTimeOff",
    params(("id" = i64, Path)), request_body = TimeOffInput, security(("bearer" = [])),
    responses((status = 201, body = TimeOffAdded), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Visits are booked in the time off (`visits_booked`, listing them in `booked_visits`); nothing was added"),
        (status = 422, body = ErrorBody, description = "A time is invalid, or the end is not after the start")))]
pub async fn add_time_off(
    State(state): State<AppState>,
    _m: Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<TimeOffInput>,
) -> Result<Response, WebError> {
    let mut e = ValidationErrors::default();
    let start = e.take(parse_instant("start", &input.start));
    let end = e.take(parse_instant("end", &input.end));
    let (start, end) = e.finish(|| Some((start?, end?)))?;
    match calendar::add_time_off_checked(state.app(), TherapistId(id), start, end, input.over_booked_visits).await? {
        HoursChange::Saved { saved, still_booked } => {
            let booked_visits = booked_visits(&state, &still_booked).await?;
            let added = TimeOffAdded { id: saved.id, start: saved.start, end: saved.end, booked_visits };
            Ok((StatusCode::CREATED, Json(added)).into_response())
        }
        HoursChange::VisitsBooked(bookings) => visits_booked(&state, &bookings, "this time off").await,
    }
}

/// Remove time off (managers).
#[utoipa::path(delete, path = "/therapists/{id}/time-off/{time_off_id}", tag = "booking", operation_id = "deleteTimeOff",
    params(("id" = i64, Path), ("time_off_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)))]
pub async fn delete_time_off(
    State(state): State<AppState>,
    _m: Manager,
    AppPath((id, off)): AppPath<(i64, i64)>,
) -> Result<StatusCode, WebError> {
    calendar::delete_time_off(state.app(), TherapistId(id), off).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    /// Local working windows that day, e.g. `[["09:00","12:00"]]`, none overlapping; empty for a day off.
    pub windows: Vec<(String, String)>,
    /// Save the hours even though visits booked that day fall outside them (they stay booked); without this,
    /// such hours are refused with 409 `visits_booked`, listing them.
    #[serde(default)]
    pub over_booked_visits: bool,
}

/// Replace one date's hours (managers); an empty list makes it a day off.
///
/// Hours that leave visits booked that day outside them are refused (409 `visits_booked`, listing them) unless
/// the body says `"over_booked_visits": true`.
#[utoipa::path(put, path = "/therapists/{id}/overrides/{date}", tag = "booking", operation_id = "replaceDayOverride",
    params(("id" = i64, Path), ("date" = String, Path, format = Date, description = "YYYY-MM-DD")),
    request_body = OverrideInput, security(("bearer" = [])),
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Visits booked that day fall outside the new hours (`visits_booked`, listing them in `booked_visits`); nothing was saved"),
        (status = 422, body = ErrorBody, description = "A date or time is invalid, or windows overlap or end before they start")))]
pub async fn put_override(
    State(state): State<AppState>,
    _m: Manager,
    AppPath((id, date)): AppPath<(i64, String)>,
    AppJson(input): AppJson<OverrideInput>,
) -> Result<Response, WebError> {
    let date: Date = date.parse().map_err(|_| WebError::field("invalid", "date", "must be a date like 2026-12-24"))?;
    let mut e = ValidationErrors::default();
    let mut windows = DayWindows::day_off();
    for (i, (start, end)) in input.windows.iter().enumerate() {
        let (start_field, end_field) = (format!("windows[{i}][0]"), format!("windows[{i}][1]"));
        windows.add_typed(&mut e, TypedWindow { start_field: &start_field, end_field: &end_field, start, end });
    }
    e.check()?;
    let over = input.over_booked_visits;
    match calendar::set_day_override_checked(state.app(), TherapistId(id), date, Some(&windows), over).await? {
        HoursChange::Saved { .. } => Ok(StatusCode::NO_CONTENT.into_response()),
        HoursChange::VisitsBooked(bookings) => visits_booked(&state, &bookings, "the time these hours leave out").await,
    }
}
