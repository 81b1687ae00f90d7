//! Booking in the API: availability, and making, reading, moving and cancelling bookings. A manager's move,
//! reassignment or cancellation is recorded as a change the client is told about (`GET .../changes`).

use crate::auth::{managed_booking, Manager, MaybeCaller};
use crate::error::{ErrorBody, WebError};
use crate::extract::{parse_json, AppJson, AppPath, AppQuery, JsonBytes};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_app::booking::{self, AvailabilityQuery, OfferedSlot};
use knead_app::{calendar, intake, places};
use knead_core::booking::{
    parse_instant, Booking, BookingChange, BookingId, BookingInput, BookingStatus, Change, ClinicId, Location,
    NamedTherapist, Visit, Where,
};
use knead_core::calendar::format_rfc3339;
use knead_core::intake::{Category, ClientId, Precaution, ScreeningId, VisitReason};
use knead_core::{Gender, ServiceId, TherapistId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(availability))
        .routes(routes!(create_booking))
        .routes(routes!(get_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(reassign_booking))
        .routes(routes!(booking_changes))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityParams {
    pub service_id: i64,
    /// The client's street address, found in the practice's map; or give `lat` and `lon`, or `clinic_id`.
    #[param(min_length = 1, max_length = 300)]
    pub address: Option<String>,
    /// The client's place (with `lon`), or give `address` or `clinic_id`.
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    pub clinic_id: Option<i64>,
    /// First local date, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: String,
    /// How many days, 1 to 60.
    #[param(minimum = 1, maximum = 60)]
    pub days: i64,
    pub therapist_id: Option<i64>,
    /// Only starts with a therapist of this gender, as their profile states it (`female`, `male` or
    /// `non_binary`); a 422 when no therapist who gives the service is.
    #[param(value_type = Option<Gender>)]
    pub therapist_gender: Option<String>,
    /// Add-ons to include, by name as the service lists them, separated by commas
    /// (`add_ons=Hot stones,Aromatherapy oil`): the search is for the longer visit they make.
    #[param(max_length = 2000)]
    pub add_ons: Option<String>,
}

/// The add-on names of a comma-separated list, trimmed, blanks left out.
fn add_on_names(list: Option<&str>) -> Vec<String> {
    list.unwrap_or("").split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// A start the client can book, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = OfferedSlot)]
pub struct SlotView {
    /// RFC 3339 with the practice's offset, e.g. `2026-12-01T10:00:00-05:00`.
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    #[schema(value_type = Vec<i64>)]
    pub therapist_ids: Vec<TherapistId>,
    /// Minutes of driving to the visit (the longest among the therapists).
    pub travel_before_min: u32,
    /// Minutes of driving on to the next visit, or home (the longest among the therapists).
    pub travel_after_min: u32,
    /// How much the therapists' driving grows, summed over them.
    pub added_travel_min: i64,
}

impl SlotView {
    fn new(tz: &TimeZone, slot: OfferedSlot) -> SlotView {
        SlotView {
            start: format_rfc3339(tz, slot.start),
            end: format_rfc3339(tz, slot.end),
            therapist_ids: slot.therapist_ids,
            travel_before_min: slot.travel_before_min,
            travel_after_min: slot.travel_after_min,
            added_travel_min: slot.added_travel_min,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailabilityView {
    pub slots: Vec<SlotView>,
}

/// Every start on the practice's grid at which a therapist who offers the service and covers the place
/// can arrive from the previous visit and reach the next one; "any therapist" ranks by added travel.
#[utoipa::path(get, path = "/availability", tag = "booking", operation_id = "getAvailability", params(AvailabilityParams),
    responses((status = 200, body = AvailabilityView),
        (status = 422, body = ErrorBody, description = "An unknown service, clinic or add-on, a place outside the service area, dates the practice does not book, or an address that is not found (`address_not_found`) or matches places far apart (`address_ambiguous`, with `candidates`)"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn availability(
    State(state): State<AppState>,
    AppQuery(q): AppQuery<AvailabilityParams>,
) -> Result<Json<AvailabilityView>, WebError> {
    let (lat, lon) = match (&q.address, q.lat, q.lon, q.clinic_id) {
        (Some(address), None, None, None) => {
            let found = places::locate(state.app(), "address", address).await?;
            (Some(found.at.lat), Some(found.at.lon))
        }
        (Some(_), ..) => {
            return Err(WebError::field(
                "invalid",
                "address",
                "give the address, or lat and lon, or clinic_id: only one of them",
            ))
        }
        (None, lat, lon, _) => (lat, lon),
    };
    let place = Location::parse(lat, lon, q.clinic_id)?;
    let from: Date =
        q.from.parse().map_err(|_| WebError::field("invalid", "from", "must be a date like 2026-12-01"))?;
    let query = AvailabilityQuery {
        service_id: ServiceId(q.service_id),
        place,
        from,
        days: q.days,
        therapist_id: q.therapist_id.map(TherapistId),
        therapist_gender: Gender::parse_field("therapist_gender", q.therapist_gender.as_deref())?,
        add_ons: add_on_names(q.add_ons.as_deref()),
    };
    let offer = booking::availability(state.app(), &query).await?;
    Ok(Json(AvailabilityView { slots: offer.slots.into_iter().map(|s| SlotView::new(&offer.zone, s)).collect() }))
}

/// A booking as stored and shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Booking)]
pub struct BookingBody {
    pub id: BookingId,
    pub service_id: ServiceId,
    pub status: BookingStatus,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub clinic_id: Option<ClinicId>,
    pub client_name: String,
    pub client_email: String,
    pub client_phone: String,
    /// The client record the booking belongs to.
    #[schema(value_type = Option<i64>)]
    pub client_id: Option<ClientId>,
    /// What brings the client.
    pub reason: Option<VisitReason>,
    /// The red-flag screening the booking was made with.
    #[schema(value_type = Option<String>)]
    pub screening_id: Option<ScreeningId>,
    /// The add-ons chosen, by name; their minutes and prices are in `end` and `price_cents`.
    pub add_ons: Vec<String>,
    /// What the client left for the therapist (parking, pets, stairs, buzzer).
    pub notes: String,
    pub price_cents: i64,
    pub travel_fee_cents: i64,
    pub visits: Vec<Visit>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The therapist's gender the client asked for; moves and re-plans keep to it.
    pub therapist_gender: Option<Gender>,
}

impl From<Booking> for BookingBody {
    fn from(b: Booking) -> BookingBody {
        let (lat, lon, address, clinic_id) = match b.place {
            Where::Mobile { at, address } => (Some(at.lat), Some(at.lon), Some(address), None),
            Where::Clinic(id) => (None, None, None, Some(id)),
        };
        BookingBody {
            id: b.id,
            service_id: b.service_id,
            status: b.status,
            start: b.start,
            end: b.end,
            lat,
            lon,
            address,
            clinic_id,
            client_name: b.client.name,
            client_email: b.client.email.as_str().to_string(),
            client_phone: b.client.phone,
            client_id: b.client_id,
            reason: b.reason,
            screening_id: b.screening_id,
            add_ons: b.add_ons,
            notes: b.notes,
            price_cents: b.price_cents,
            travel_fee_cents: b.travel_fee_cents,
            visits: b.visits,
            created_at: b.created_at,
            therapist_gender: b.therapist_gender,
        }
    }
}

/// A booking as the API shows it; `manage_url` is given to the guest who made it (a new one each time the
/// request is repeated with its `Idempotency-Key`: only each link's hash is kept).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: BookingBody,
    /// RFC 3339 in the practice's zone.
    pub start_local: String,
    /// The kinds of precaution the visit carries, strictest first (`block`, `clearance_required`,
    /// `local_avoid`, `modify_pressure`): from the client's latest health history, the reason and the
    /// screening. What and where is on the visit sheet, which only the visit's staff open.
    pub precautions: Vec<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
}

impl BookingView {
    /// The view of `booking` in the practice's zone `tz`, with the precautions it carries.
    pub(super) fn new(
        tz: &TimeZone,
        booking: Booking,
        found: &[Precaution],
        manage_token: Option<String>,
    ) -> BookingView {
        let manage_url = manage_token.map(|t| format!("/bookings/{}/manage?token={t}", booking.id.0));
        let start_local = format_rfc3339(tz, booking.start);
        let mut precautions: Vec<Category> = found.iter().map(|p| p.category).collect();
        precautions.sort_by(|a, b| b.cmp(a));
        precautions.dedup();
        BookingView { start_local, booking: booking.into(), precautions, manage_url }
    }
}

async fn view(state: &AppState, booking: Booking, manage_token: Option<String>) -> Result<BookingView, WebError> {
    let zone = calendar::settings(state.app()).await?.zone().clone();
    let found = intake::precautions_for(state.app(), &booking).await?;
    Ok(BookingView::new(&zone, booking, &found, manage_token))
}

/// Bookings as the API shows them, each with the kinds of precaution it carries now (no health details,
/// so no audit entry: `precautions_for` reads them for exactly this).
pub(super) async fn views(
    state: &AppState,
    tz: &TimeZone,
    bookings: Vec<Booking>,
) -> Result<Vec<BookingView>, WebError> {
    let mut out = Vec::with_capacity(bookings.len());
    for booking in bookings {
        let found = intake::precautions_for(state.app(), &booking).await?;
        out.push(BookingView::new(tz, booking, &found, None));
    }
    Ok(out)
}

/// Book a slot. Send an `Idempotency-Key` header to make retries safe: a repeat returns the same booking.
///
/// A visit for `back_pain`, `leg_pain` or `sciatica` needs the `screening_id` of a complete red-flag screening
/// (`createScreening`). An `urgent` screening, or a health history that needs a physician's clearance, books
/// the time as `awaiting_clearance` until staff record it (`clearBooking`). Staff may book for a client by
/// `client_id`.
#[utoipa::path(post, path = "/bookings", tag = "booking", operation_id = "createBooking", request_body = BookingInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, pattern = "^[!-~]([ -~]*[!-~])?$",
        description = "Any unique string of printable ASCII; a repeated request returns the first booking")),
    security((), ("bearer" = [])),
    responses((status = 201, body = BookingView, description = "Booked: `confirmed`, or `awaiting_clearance` when a physician's clearance comes first"),
        (status = 409, body = ErrorBody, description = "The start is no longer free"),
        (status = 422, body = ErrorBody, description = "A field is invalid, the start is not one the practice offers for this service and place, or the address is not found (`address_not_found`) or matches places far apart (`address_ambiguous`, with `candidates`). A screened reason without a screening is `required` on `screening_id`; an emergency screening is `red_flag_emergency` on `screening_id` (no booking can be made: the client needs an emergency department today); a health history with a precaution that rules massage out now is `contraindicated` on `intake`"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn create_booking(
    State(state): State<AppState>,
    caller: MaybeCaller,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<BookingView>), WebError> {
    let mut input: BookingInput = parse_json(&body)?;
    place_address(&state, &mut input.lat, &mut input.lon, input.clinic_id, input.address.as_deref()).await?;
    let request = input.validate()?;
    let key = idempotency_key(&headers)?;
    let fingerprint = hex::encode(Sha256::digest(&body));
    let booked = booking::book(state.app(), &request, caller.user(), key, fingerprint).await?;
    tracing::info!(
        booking_id = booked.booking.id.0,
        replayed = booked.replayed,
        status = booked.booking.status.as_str(),
        "booked"
    );
    let view = BookingView::new(&booked.zone, booked.booking, &booked.precautions, booked.manage_token);
    Ok((StatusCode::CREATED, Json(view)))
}

/// A program without coordinates sends the address alone; the practice's map places it.
pub(super) async fn place_address(
    state: &AppState,
    lat: &mut Option<f64>,
    lon: &mut Option<f64>,
    clinic_id: Option<i64>,
    address: Option<&str>,
) -> Result<(), WebError> {
    if let (None, None, None, Some(address)) = (*lat, *lon, clinic_id, address) {
        let found = places::locate(state.app(), "address", address).await?;
        (*lat, *lon) = (Some(found.at.lat), Some(found.at.lon));
    }
    Ok(())
}

/// The `Idempotency-Key` header, checked: 1 to 200 printable ASCII characters.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, WebError> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let k = v.to_str().map_err(|_| WebError::field("invalid", "Idempotency-Key", "must be printable ASCII"))?.trim();
    if k.is_empty() || k.len() > 200 {
        return Err(WebError::field("invalid", "Idempotency-Key", "must be 1 to 200 characters"));
    }
    Ok(Some(k.to_string()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManageToken {
    /// The private token from a guest's manage link.
    pub token: Option<String>,
}

/// One booking (its client, a manager, or the holder of its manage link).
#[utoipa::path(get, path = "/bookings/{id}", tag = "booking", operation_id = "getBooking", params(("id" = i64, Path), ManageToken),
    security((), ("bearer" = [])),
    responses((status = 200, body = BookingView),
        (status = 404, body = ErrorBody, description = "No such booking, or not one the caller may see (the same answer)")))]
pub async fn get_booking(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&state, &caller, id, q.token.as_deref()).await?;
    Ok(Json(view(&state, booking, None).await?))
}

/// Cancel a booking, within the practice's notice policy (managers may always).
///
/// A manager's cancellation is recorded for the client (see `getBookingChanges`).
#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "booking", operation_id = "cancelBooking",
    params(("id" = i64, Path), ManageToken), security((), ("bearer" = [])),
    responses((status = 200, body = BookingView),
        (status = 404, body = ErrorBody, description = "No such booking, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "Too late to cancel under the practice's notice policy")))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&state, &caller, id, q.token.as_deref()).await?;
    let cancelled = match caller.user().filter(|_| caller.is_manager()) {
        Some(manager) => booking::staff_cancel(state.app(), &booking, manager).await?,
        None => booking::cancel(state.app(), &booking, false).await?,
    };
    Ok(Json(view(&state, cancelled, None).await?))
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
///
/// Managers may always; a manager's move is recorded for the client (see `getBookingChanges`).
#[utoipa::path(post, path = "/bookings/{id}/reschedule", tag = "booking", operation_id = "rescheduleBooking",
    params(("id" = i64, Path), ManageToken), request_body = RescheduleInput, security((), ("bearer" = [])),
    responses((status = 200, body = BookingView),
        (status = 404, body = ErrorBody, description = "No such booking, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "The new start is no longer free"),
        (status = 422, body = ErrorBody, description = "A field is invalid, the start is not offered, or it is too late to change")))]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
    AppJson(input): AppJson<RescheduleInput>,
) -> Result<Json<BookingView>, WebError> {
    let booking = managed_booking(&state, &caller, id, q.token.as_deref()).await?;
    let start = parse_instant("start", &input.start)?;
    let therapists = input.therapist_ids.map(|ids| ids.into_iter().map(TherapistId).collect());
    let moved = match caller.user().filter(|_| caller.is_manager()) {
        Some(manager) => booking::staff_reschedule(state.app(), &booking, start, therapists, manager).await?,
        None => booking::reschedule(state.app(), &booking, start, therapists, false).await?,
    };
    Ok(Json(view(&state, moved, None).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignInput {
    /// The therapists to give the booking to, as many as it has now and not all the same ones.
    pub therapist_ids: Vec<i64>,
}

/// Give a booking to other therapists at the same time (managers).
///
/// They must be free then, as for a new booking; the change is recorded for the client.
#[utoipa::path(post, path = "/bookings/{id}/reassign", tag = "booking", operation_id = "reassignBooking",
    params(("id" = i64, Path)), request_body = ReassignInput, security(("bearer" = [])),
    responses((status = 200, body = BookingView),
        (status = 404, body = ErrorBody, description = "No such booking"),
        (status = 409, body = ErrorBody, description = "The therapists are not free then, or the booking is cancelled"),
        (status = 422, body = ErrorBody, description = "A field is invalid: the wrong number of therapists, the same ones, or one who does not offer the service; or the booking's start has passed")))]
pub async fn reassign_booking(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ReassignInput>,
) -> Result<Json<BookingView>, WebError> {
    let booking = booking::staff_visible(state.app(), BookingId(id), &caller.user)
        .await?
        .ok_or(WebError::not_found("booking"))?;
    let moved = booking::reassign(
        state.app(),
        &booking,
        input.therapist_ids.into_iter().map(TherapistId).collect(),
        &caller.user,
    )
    .await?;
    Ok(Json(view(&state, moved, None).await?))
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Moved,
    Reassigned,
    Cancelled,
}

/// A change the practice made to a booking, as the client is to be told it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = BookingChange)]
pub struct ChangeView {
    pub kind: ChangeKind,
    /// When the change was made, RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub at: String,
    /// For a move: the start before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub from_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub to_start: Option<String>,
    /// For a reassignment: who gave the visit, and who gives it now (their names as they were then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_therapists: Option<Vec<NamedTherapist>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_therapists: Option<Vec<NamedTherapist>>,
}

impl ChangeView {
    fn new(tz: &TimeZone, c: BookingChange) -> ChangeView {
        let at = format_rfc3339(tz, c.at);
        let blank = |kind| ChangeView {
            kind,
            at: at.clone(),
            from_start: None,
            to_start: None,
            from_therapists: None,
            to_therapists: None,
        };
        match c.change {
            Change::Moved { from, to } => ChangeView {
                from_start: Some(format_rfc3339(tz, from)),
                to_start: Some(format_rfc3339(tz, to)),
                ..blank(ChangeKind::Moved)
            },
            Change::Reassigned { from, to } => {
                ChangeView { from_therapists: Some(from), to_therapists: Some(to), ..blank(ChangeKind::Reassigned) }
            }
            Change::Cancelled => blank(ChangeKind::Cancelled),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangesView {
    pub changes: Vec<ChangeView>,
}

/// What the practice changed about a booking, oldest first.
///
/// Moves, reassignments and cancellations by staff; for the booking's client, a manager, or whoever holds the
/// manage link.
#[utoipa::path(get, path = "/bookings/{id}/changes", tag = "booking", operation_id = "getBookingChanges",
    params(("id" = i64, Path), ManageToken), security((), ("bearer" = [])),
    responses((status = 200, body = ChangesView),
        (status = 404, body = ErrorBody, description = "No such booking, or not one the caller may see (the same answer)")))]
pub async fn booking_changes(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<ChangesView>, WebError> {
    let booking = managed_booking(&state, &caller, id, q.token.as_deref()).await?;
    let settings = calendar::settings(state.app()).await?;
    let changes = booking::changes(state.app(), booking.id).await?;
    Ok(Json(ChangesView { changes: changes.into_iter().map(|c| ChangeView::new(settings.zone(), c)).collect() }))
}
