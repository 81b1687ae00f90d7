//! What books later, in the API: recurring series (each visit booked like any other, clashes reported)
//! and the waitlist (join, see or leave through the entry's private link, book the start it is offered;
//! managers list it).

use super::booking::{idempotency_key, place_address, BookingView, ManageToken};
use crate::auth::{Manager, MaybeCaller};
use crate::error::{ErrorBody, WebError};
use crate::extract::{parse_json, AppPath, AppQuery, JsonBytes};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use jiff::tz::TimeZone;
use knead_app::booking::{self, SeriesVisit};
use knead_app::calendar;
use knead_core::booking::waitlist::{WaitStatus, WaitlistEntry, WaitlistId, WaitlistInput};
use knead_core::booking::{BookingInput, Repeat, Where};
use knead_core::calendar::format_rfc3339;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_series))
        .routes(routes!(join_waitlist, list_waitlist))
        .routes(routes!(get_waitlist_entry))
        .routes(routes!(book_waitlist_offer))
        .routes(routes!(leave_waitlist))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesInput {
    /// The first visit, as for `createBooking`; the others repeat it at the same local time.
    pub booking: BookingInput,
    /// Weeks between visits, 1 to 8.
    #[schema(minimum = 1, maximum = 8)]
    pub every_weeks: i64,
    /// How many visits in all, the first included: 2 to 26.
    #[schema(minimum = 2, maximum = 26)]
    pub visits: i64,
}

/// One visit of a series: booked, or why not.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeriesVisitView {
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub start: String,
    /// `booked` or `clash`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingView>,
    /// For a clash: `taken`, or the code a booking at that start would have been refused with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeriesView {
    pub series_id: i64,
    pub every_weeks: i64,
    /// The local wall-clock time every visit starts at, HH:MM, in `zone`.
    pub local_time: String,
    pub zone: String,
    /// How many of the visits were booked; the rest clash.
    pub booked: usize,
    pub visits: Vec<SeriesVisitView>,
}

/// Book a recurring series: weekly or every N weeks at the same local time.
///
/// Each visit is checked and booked like any other booking (the same screening and health rules). The first
/// must book, or the request is refused as `createBooking` would refuse it; a later visit whose time is taken
/// or not offered is reported as a `clash` and never double-booked. Without `therapist_ids`, the later visits
/// keep the first one's therapists. A repeated `Idempotency-Key` returns the same series.
#[utoipa::path(post, path = "/booking-series", tag = "booking", operation_id = "createBookingSeries",
    request_body = SeriesInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, pattern = "^[!-~]([ -~]*[!-~])?$",
        description = "Any unique string of printable ASCII; a repeated request returns the same series")),
    security((), ("bearer" = [])),
    responses((status = 201, body = SeriesView, description = "The series, each visit booked or reported as a clash"),
        (status = 409, body = ErrorBody, description = "The first visit's start is no longer free"),
        (status = 422, body = ErrorBody, description = "A field is invalid (`every_weeks`, `visits`, or the first visit's, as for `createBooking`)"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn create_series(
    State(state): State<AppState>,
    caller: MaybeCaller,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<SeriesView>), WebError> {
    let mut input: SeriesInput = parse_json(&body)?;
    let repeat = Repeat::parse(input.every_weeks, input.visits)?;
    let b = &mut input.booking;
    place_address(&state, &mut b.lat, &mut b.lon, b.clinic_id, b.address.clone().as_deref()).await?;
    let request = input.booking.validate()?;
    let key = idempotency_key(&headers)?;
    let fingerprint = hex::encode(Sha256::digest(&body));
    let done = booking::book_series(state.app(), &request, repeat, caller.user(), key, &fingerprint).await?;
    tracing::info!(series_id = done.series.id.0, booked = done.booked(), "booked a series");
    let zone = calendar::settings(state.app()).await?.zone().clone();
    let booked = done.booked();
    let visits = done
        .visits
        .into_iter()
        .map(|v| match v {
            SeriesVisit::Booked(b) => SeriesVisitView {
                start: format_rfc3339(&zone, b.booking.start),
                outcome: "booked",
                booking: Some(BookingView::new(&zone, b.booking, &b.precautions, b.manage_token)),
                code: None,
                reason: None,
            },
            SeriesVisit::Clash { start, code, reason } => SeriesVisitView {
                start: format_rfc3339(&zone, start),
                outcome: "clash",
                booking: None,
                code: Some(code),
                reason: Some(reason),
            },
        })
        .collect();
    let s = &done.series.series;
    let view = SeriesView {
        series_id: done.series.id.0,
        every_weeks: s.repeat.every_weeks,
        local_time: s.local_time.strftime("%H:%M").to_string(),
        zone: s.zone.clone(),
        booked,
        visits,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// A start held for a waitlisted client.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldStartView {
    #[schema(format = DateTime)]
    pub start: String,
    pub therapist_ids: Vec<i64>,
    /// Book it before this, or it goes to the next client in line.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// A waitlist entry as the API shows it. No contact details: the entry's link is the client's own.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitlistView {
    pub id: i64,
    pub status: WaitStatus,
    pub service_id: i64,
    pub address: Option<String>,
    pub clinic_id: Option<i64>,
    #[schema(format = Date)]
    pub first_date: String,
    #[schema(format = Date)]
    pub last_date: String,
    /// `mon` .. `sun`.
    pub weekdays: Vec<&'static str>,
    /// Earliest and latest local start, HH:MM.
    pub earliest: String,
    pub latest: String,
    pub offer: Option<HeldStartView>,
    pub booking_id: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The private link to the entry: given once, to whoever joined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
}

fn hh_mm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl WaitlistView {
    fn new(tz: &TimeZone, w: WaitlistEntry, token: Option<String>) -> WaitlistView {
        let (address, clinic_id) = match &w.entry.visit.place {
            Where::Mobile { address, .. } => (Some(address.clone()), None),
            Where::Clinic(c) => (None, Some(c.0)),
        };
        let wish = w.entry.wish;
        WaitlistView {
            id: w.id.0,
            status: w.status,
            service_id: w.entry.visit.service_id.0,
            address,
            clinic_id,
            first_date: wish.first_date.to_string(),
            last_date: wish.last_date.to_string(),
            weekdays: wish.day_names(),
            earliest: hh_mm(wish.earliest_minute),
            latest: hh_mm(wish.latest_minute),
            offer: w.offer.map(|o| HeldStartView {
                start: format_rfc3339(tz, o.start),
                therapist_ids: o.therapist_ids.iter().map(|t| t.0).collect(),
                expires_at: format_rfc3339(tz, o.expires_at),
            }),
            booking_id: w.booking_id.map(|b| b.0),
            created_at: format_rfc3339(tz, w.entry.created_at),
            manage_url: token.map(|t| format!("/waitlist/{}?token={t}", w.id.0)),
        }
    }
}

async fn zone(state: &AppState) -> Result<TimeZone, WebError> {
    Ok(calendar::settings(state.app()).await?.zone().clone())
}

/// Join the waitlist for a service at a place, on the days and times that suit.
///
/// When a start that suits frees (a cancellation, a move, new hours), the first client in line is emailed
/// and the start is held for them for the practice's `waitlist_offer_hours`; then it goes to the next.
#[utoipa::path(post, path = "/waitlist", tag = "booking", operation_id = "joinWaitlist", request_body = WaitlistInput,
    security((), ("bearer" = [])),
    responses((status = 201, body = WaitlistView, description = "In line; `manage_url` is the entry's private link"),
        (status = 422, body = ErrorBody, description = "A field is invalid: the visit's (as for `createBooking`), the dates, weekdays or times"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn join_waitlist(
    State(state): State<AppState>,
    caller: MaybeCaller,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<WaitlistView>), WebError> {
    let mut input: WaitlistInput = parse_json(&body)?;
    place_address(&state, &mut input.lat, &mut input.lon, input.clinic_id, input.address.clone().as_deref()).await?;
    let tz = zone(&state).await?;
    let today = knead_core::calendar::local_date(&tz, state.app().now());
    let (visit, wish) = input.validate(today)?;
    let joined = booking::join_waitlist(state.app(), &visit, wish, caller.user()).await?;
    Ok((StatusCode::CREATED, Json(WaitlistView::new(&tz, joined.entry, Some(joined.token)))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitlistParams {
    /// Only entries in this state.
    pub status: Option<WaitStatus>,
    /// How many, 1 to 500 (100 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitlistList {
    pub entries: Vec<WaitlistView>,
}

/// The waitlist in line order (managers).
#[utoipa::path(get, path = "/waitlist", tag = "booking", operation_id = "listWaitlist", params(WaitlistParams),
    security(("bearer" = [])),
    responses((status = 200, body = WaitlistList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A parameter out of range, named")))]
pub async fn list_waitlist(
    State(state): State<AppState>,
    Manager(_manager): Manager,
    AppQuery(q): AppQuery<WaitlistParams>,
) -> Result<Json<WaitlistList>, WebError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(WebError::field("out_of_range", "limit", "must be from 1 to 500"));
    }
    let tz = zone(&state).await?;
    let entries = booking::waitlist(state.app(), q.status, limit).await?;
    Ok(Json(WaitlistList { entries: entries.into_iter().map(|w| WaitlistView::new(&tz, w, None)).collect() }))
}

/// A waitlist entry, through its private link.
#[utoipa::path(get, path = "/waitlist/{id}", tag = "booking", operation_id = "getWaitlistEntry",
    params(("id" = i64, Path), ManageToken),
    responses((status = 200, body = WaitlistView),
        (status = 404, body = ErrorBody, description = "No such entry, or the token does not open it (the same answer)")))]
pub async fn get_waitlist_entry(
    State(state): State<AppState>,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<WaitlistView>, WebError> {
    let w = booking::waitlist_entry(state.app(), WaitlistId(id), q.token.as_deref().unwrap_or_default()).await?;
    Ok(Json(WaitlistView::new(&zone(&state).await?, w, None)))
}

/// Book the start the entry is offered, while the offer holds.
///
/// Taking the same offer twice books once. A start taken meanwhile puts the entry back in line (409).
#[utoipa::path(post, path = "/waitlist/{id}/book", tag = "booking", operation_id = "bookWaitlistOffer",
    params(("id" = i64, Path), ManageToken),
    responses((status = 201, body = BookingView),
        (status = 404, body = ErrorBody, description = "No such entry, or the token does not open it (the same answer)"),
        (status = 409, body = ErrorBody, description = "The start was taken meanwhile; the entry is back in line"),
        (status = 422, body = ErrorBody, description = "No start is on offer now (`no_offer`), or it is booked already (`already_booked`)")))]
pub async fn book_waitlist_offer(
    State(state): State<AppState>,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<(StatusCode, Json<BookingView>), WebError> {
    let token = q.token.as_deref().unwrap_or_default();
    let booked = booking::take_waitlist_offer(state.app(), WaitlistId(id), token).await?;
    let tz = zone(&state).await?;
    // The booking's own private link: the waitlist's link stays the client's way to the entry.
    let view = BookingView::new(&tz, booked.booking, &booked.precautions, booked.manage_token);
    Ok((StatusCode::CREATED, Json(view)))
}

/// Leave the waitlist (a held start goes to the next in line). Leaving twice is harmless.
#[utoipa::path(post, path = "/waitlist/{id}/leave", tag = "booking", operation_id = "leaveWaitlist",
    params(("id" = i64, Path), ManageToken),
    responses((status = 200, body = WaitlistView),
        (status = 404, body = ErrorBody, description = "No such entry, or the token does not open it (the same answer)")))]
pub async fn leave_waitlist(
    State(state): State<AppState>,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageToken>,
) -> Result<Json<WaitlistView>, WebError> {
    let token = q.token.as_deref().unwrap_or_default();
    let left = booking::leave_waitlist(state.app(), WaitlistId(id), token).await?;
    Ok(Json(WaitlistView::new(&zone(&state).await?, left, None)))
}
