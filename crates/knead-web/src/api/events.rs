//! Office chair-massage days in the API: a manager books one and reads its sheet; attendees sign up through the
//! organiser's private link, without an account.

use crate::auth::Manager;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::events::{self, Sheet, Sitting};
use knead_core::calendar::format_rfc3339;
use knead_core::events::chair::ChairDayInput;
use knead_core::events::{GroupId, SignupInput};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_chair_day))
        .routes(routes!(get_chair_day))
        .routes(routes!(sign_up))
        .routes(routes!(create_party))
}

/// One guest's treatment at a party.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuestVisitView {
    /// The guest's name, as the host gave it.
    pub guest: String,
    pub service_id: i64,
    pub add_ons: Vec<String>,
    pub therapist_id: i64,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    /// The guest's own page for their health check and consent, for the host to pass on.
    pub health_url: Option<String>,
}

/// A spa party as booked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    /// The party's booking, holding its therapists at the host's home for the whole window.
    pub id: i64,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    pub address: String,
    /// The therapists held for the window.
    pub therapist_ids: Vec<i64>,
    /// The guests' treatments with their add-ons.
    pub price_cents: i64,
    pub travel_fee_cents: i64,
    /// Each guest's treatment, by therapist then time.
    pub visits: Vec<GuestVisitView>,
    /// The host's private page: the guests' times, their health checks, the money (the host's email carries
    /// another link to it).
    pub host_url: String,
}

/// Book a spa party (managers).
///
/// Every guest's treatment (with its add-ons) is fitted into the window on as few therapists as can serve them
/// all, each therapist taking guests one after another with the practice's changeover between them
/// (`party_changeover_minutes`, 10 by default); those therapists are held at the host's home for the whole window.
#[utoipa::path(post, path = "/parties", tag = "events", operation_id = "createParty",
    request_body = knead_core::events::party::PartyInput, security(("bearer" = [])),
    responses((status = 201, body = PartyView, description = "Booked"),
        (status = 409, body = ErrorBody, description = "A therapist's time was taken meanwhile"),
        (status = 422, body = ErrorBody, description = "A bad field, named; or `cannot_fit` on `guests`: the guests cannot all be served in the window by the therapists free then (nothing is written)")))]
pub async fn create_party(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppJson(input): AppJson<knead_core::events::party::PartyInput>,
) -> Result<(StatusCode, Json<PartyView>), WebError> {
    let booked = events::create_party(state.app(), &input, Some(&caller.user)).await?;
    let base = &state.config().public_url;
    let time = |t| format_rfc3339(&booked.zone, t);
    let b = &booked.booking;
    let address = events::address_of(b);
    let view = PartyView {
        id: b.id.0,
        start: time(b.start),
        end: time(b.end),
        address,
        therapist_ids: b.visits.iter().map(|v| v.therapist_id.0).collect(),
        price_cents: b.price_cents,
        travel_fee_cents: b.travel_fee_cents,
        visits: booked
            .guests
            .iter()
            .map(|g| GuestVisitView {
                guest: g.name.clone(),
                service_id: g.service_id.0,
                add_ons: g.add_ons.clone(),
                therapist_id: g.therapist_id.0,
                start: time(g.start),
                end: time(g.end),
                health_url: g.intake.token.as_ref().map(|t| format!("{base}/parties/guests/health?token={t}")),
            })
            .collect(),
        host_url: format!("{base}/groups/{}?token={}", b.id.0, booked.page_token),
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Who holds a sitting (staff see the name and email; nothing of the health check).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttendeeView {
    pub name: String,
    pub email: String,
}

/// One chair at one start.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SittingView {
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub start: String,
    /// 1-based.
    pub chair: i64,
    /// Null while the sitting is free.
    pub attendee: Option<AttendeeView>,
}

/// A chair day and its sheet.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChairDayView {
    pub id: i64,
    /// The booking holding the therapists (one visit per chair).
    pub booking_id: i64,
    pub status: knead_core::booking::BookingStatus,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    pub address: String,
    pub chairs: i64,
    pub slot_minutes: i64,
    /// One per chair.
    pub therapist_ids: Vec<i64>,
    /// What the company is invoiced for the block (chair-hours at the service's hourly rate).
    pub price_cents: i64,
    /// Every sitting, by start then chair.
    pub slots: Vec<SittingView>,
}

impl ChairDayView {
    fn new(sheet: &Sheet, with_attendees: bool) -> ChairDayView {
        let time = |t| format_rfc3339(&sheet.zone, t);
        let sitting = |s: &Sitting| SittingView {
            start: time(s.start),
            chair: s.chair,
            attendee: s
                .attendee
                .as_ref()
                .filter(|_| with_attendees)
                .map(|a| AttendeeView { name: a.signup.name.clone(), email: a.signup.email.as_str().to_string() }),
        };
        ChairDayView {
            id: sheet.day.id.0,
            booking_id: sheet.booking.id.0,
            status: sheet.booking.status,
            start: time(sheet.booking.start),
            end: time(sheet.booking.end),
            address: events::address_of(&sheet.booking),
            chairs: sheet.day.day.chairs,
            slot_minutes: sheet.day.day.slot_minutes,
            therapist_ids: sheet.booking.visits.iter().map(|v| v.therapist_id.0).collect(),
            price_cents: sheet.booking.price_cents,
            slots: sheet.sittings.iter().map(sitting).collect(),
        }
    }
}

/// A chair day just booked, with its private sign-up link (given once: only its hash is kept).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChairDayCreatedView {
    #[serde(flatten)]
    pub day: ChairDayView,
    /// The token of the sign-up link; attendees send it with their sign-up.
    pub signup_token: String,
    /// The page attendees sign up on, to share with them.
    pub signup_url: String,
    /// The organiser's private page: the sheet as it fills and the sign-up link to send round again (the
    /// organiser's email carries another link to it).
    pub organiser_url: String,
}

impl ChairDayCreatedView {
    pub(crate) fn new(created: &events::ChairDayCreated, state: &AppState) -> ChairDayCreatedView {
        let day = ChairDayView::new(&created.sheet, true);
        let base = &state.config().public_url;
        let signup_url = format!("/chair-days/{}/signup?token={}", day.id, created.signup_token);
        let organiser_url = format!("{base}/groups/{}?token={}", day.booking_id, created.page_token);
        ChairDayCreatedView { day, signup_token: created.signup_token.clone(), signup_url, organiser_url }
    }
}

/// Book an office chair-massage day (managers).
///
/// The engine places one therapist per chair, free for the whole block with the drives it needs (least added
/// travel first), as for any mobile visit. The sheet has a sitting every `slot_minutes` in each chair, less the
/// therapists' breaks (the practice's `chair_breaks`: 10 minutes every 2 hours by default, staggered chair by chair).
#[utoipa::path(post, path = "/chair-days", tag = "events", operation_id = "createChairDay",
    request_body = ChairDayInput, security(("bearer" = [])),
    responses((status = 201, body = ChairDayCreatedView, description = "Booked, with the sign-up link"),
        (status = 409, body = ErrorBody, description = "A therapist's time was taken meanwhile"),
        (status = 422, body = ErrorBody, description = "A bad field, named: a slot length that does not divide the block, outside the service area or the booking horizon, not on the practice's grid, or fewer therapists free than chairs (`not_enough_therapists` on `chairs`)")))]
pub async fn create_chair_day(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppJson(input): AppJson<ChairDayInput>,
) -> Result<(StatusCode, Json<ChairDayCreatedView>), WebError> {
    let created = events::create_chair_day(state.app(), &input, &caller.user).await?;
    Ok((StatusCode::CREATED, Json(ChairDayCreatedView::new(&created, &state))))
}

/// A chair day's sheet, each sitting with its attendee or null (managers).
#[utoipa::path(get, path = "/chair-days/{id}", tag = "events", operation_id = "getChairDay",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ChairDayView), (status = 404, body = ErrorBody, description = "No such chair day")))]
pub async fn get_chair_day(
    State(state): State<AppState>,
    _manager: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<ChairDayView>, WebError> {
    let sheet = events::chair_sheet(state.app(), GroupId(id)).await?;
    Ok(Json(ChairDayView::new(&sheet, true)))
}

/// The sitting an attendee was given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignupView {
    pub id: i64,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    pub chair: i64,
    /// The attendee's own link to cancel the sitting (given once).
    pub cancel_url: String,
    /// What the therapist will adapt, from the health check (e.g. lighter pressure).
    pub adapt: Vec<String>,
}

/// Sign up for a sitting of a chair day (anyone holding the organiser's link; no account).
///
/// The attendee takes the first free chair at `start`. With `health` (the sign-up page always asks it), an answer
/// that rules out a massage today refuses the sign-up (`not_today` on `health`).
#[utoipa::path(post, path = "/chair-days/{id}/signups", tag = "events", operation_id = "signUpForChairDay",
    params(("id" = i64, Path)), request_body = SignupInput,
    responses((status = 201, body = SignupView, description = "Signed up"),
        (status = 404, body = ErrorBody, description = "No such chair day, or a token that is not its link's (the same answer)"),
        (status = 409, body = ErrorBody, description = "`slot_full`: every chair is taken at that start"),
        (status = 422, body = ErrorBody, description = "A bad field, named: a start not on the sheet or already past, no consent, a health answer missing or ruling the massage out today")))]
pub async fn sign_up(
    State(state): State<AppState>,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<SignupInput>,
) -> Result<(StatusCode, Json<SignupView>), WebError> {
    let done = events::sign_up(state.app(), GroupId(id), &input).await?;
    let zone = &done.sheet.zone;
    let s = &done.signup;
    let end = knead_core::calendar::add_minutes(s.signup.start, done.sheet.day.day.slot_minutes);
    Ok((
        StatusCode::CREATED,
        Json(SignupView {
            id: s.id.0,
            start: format_rfc3339(zone, s.signup.start),
            end: format_rfc3339(zone, end),
            chair: s.chair,
            cancel_url: format!("/chair-days/signups/cancel?token={}", done.cancel_token),
            adapt: done.adapt.iter().map(|a| a.to_string()).collect(),
        }),
    ))
}
