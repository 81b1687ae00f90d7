//! Group events after booking, in the API: enquiries (anyone files one; managers accept or decline), parties with
//! their payments (managers), and a party guest's own health check (the guest's link, no account).

use crate::auth::Manager;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::events::enquiry;
use knead_app::events::party::{self, Party};
use knead_core::booking::BookingId;
use knead_core::calendar::format_rfc3339;
use knead_core::events::enquiry::{clock_text, Enquiry, EnquiryId, EnquiryInput, EnquiryKind, EnquiryStatus};
use knead_core::events::payment::{Payment, PaymentInput, PaymentKind, PaymentMethod};
use knead_core::events::GuestCheckInput;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_enquiry, list_enquiries))
        .routes(routes!(accept_enquiry))
        .routes(routes!(decline_enquiry))
        .routes(routes!(list_parties))
        .routes(routes!(get_party))
        .routes(routes!(record_payment))
        .routes(routes!(answer_guest_check))
}

/// An enquiry as filed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnquiryView {
    pub id: i64,
    pub kind: EnquiryKind,
    pub status: EnquiryStatus,
    pub date: String,
    /// HH:MM.
    pub start: String,
    pub end: String,
    pub service_id: Option<i64>,
    pub chairs: Option<i64>,
    pub slot_minutes: Option<i64>,
    pub guests: Option<i64>,
    pub address: String,
    pub company: String,
    pub contact: ContactView,
    pub note: String,
    /// The chair day's booking, once accepted.
    pub booking_id: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl From<&Enquiry> for EnquiryView {
    fn from(e: &Enquiry) -> Self {
        let q = &e.enquiry;
        EnquiryView {
            id: e.id.0,
            kind: q.kind,
            status: e.status,
            date: q.date.to_string(),
            start: clock_text(q.start_minute),
            end: clock_text(q.end_minute),
            service_id: q.service_id.map(|s| s.0),
            chairs: q.chairs,
            slot_minutes: q.slot_minutes,
            guests: q.guests,
            address: q.address.clone(),
            company: q.company.clone(),
            contact: ContactView {
                name: q.contact.name.clone(),
                email: q.contact.email.as_str().to_string(),
                phone: q.contact.phone.clone(),
            },
            note: q.note.clone(),
            booking_id: e.booking_id.map(|b| b.0),
        }
    }
}

/// The receipt an enquirer gets: nothing of anyone else's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnquiryReceipt {
    pub id: i64,
    pub kind: EnquiryKind,
    pub status: EnquiryStatus,
}

/// Ask the practice for a chair-massage day or a spa party (anyone; nothing is booked until a manager accepts).
///
/// A chair day's enquiry is checked as the day itself would be (a slot length that divides the block, 1 to 8
/// chairs, a chair-massage service), so accepting it books exactly what was asked.
#[utoipa::path(post, path = "/group-enquiries", tag = "events", operation_id = "createGroupEnquiry",
    request_body = EnquiryInput,
    responses((status = 201, body = EnquiryReceipt, description = "Filed for a manager"),
        (status = 422, body = ErrorBody, description = "A bad field, named (a past date, a chair day's field on a party, ...)")))]
pub async fn create_enquiry(
    State(state): State<AppState>,
    AppJson(input): AppJson<EnquiryInput>,
) -> Result<(StatusCode, Json<EnquiryReceipt>), WebError> {
    let e = enquiry::submit(state.app(), &input).await?;
    Ok((StatusCode::CREATED, Json(EnquiryReceipt { id: e.id.0, kind: e.enquiry.kind, status: e.status })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EnquiryFilter {
    /// Only enquiries in this status.
    pub status: Option<EnquiryStatus>,
}

/// Group enquiries, newest first (managers).
#[utoipa::path(get, path = "/group-enquiries", tag = "events", operation_id = "listGroupEnquiries",
    params(EnquiryFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<EnquiryView>)))]
pub async fn list_enquiries(
    State(state): State<AppState>,
    _manager: Manager,
    AppQuery(filter): AppQuery<EnquiryFilter>,
) -> Result<Json<Vec<EnquiryView>>, WebError> {
    let all = enquiry::list(state.app(), filter.status).await?;
    Ok(Json(all.iter().map(EnquiryView::from).collect()))
}

/// An accepted enquiry, with the chair day it booked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AcceptedView {
    pub enquiry: EnquiryView,
    /// The chair day booked (for a chair day's enquiry); null for a party's.
    pub chair_day: Option<super::events::ChairDayCreatedView>,
}

/// Accept an open enquiry (managers): a chair day is booked exactly as asked; a party's is marked as called.
#[utoipa::path(post, path = "/group-enquiries/{id}/accept", tag = "events", operation_id = "acceptGroupEnquiry",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AcceptedView),
        (status = 404, body = ErrorBody, description = "No such enquiry"),
        (status = 409, body = ErrorBody, description = "`decided`: already accepted or declined"),
        (status = 422, body = ErrorBody, description = "The day cannot be booked as asked (e.g. `not_enough_therapists`); the enquiry stays open")))]
pub async fn accept_enquiry(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<AcceptedView>, WebError> {
    let done = enquiry::accept(state.app(), EnquiryId(id), &caller.user).await?;
    let chair_day = done.chair_day.as_ref().map(|c| super::events::ChairDayCreatedView::new(c, &state));
    Ok(Json(AcceptedView { enquiry: EnquiryView::from(&done.enquiry), chair_day }))
}

/// Decline an open enquiry (managers).
#[utoipa::path(post, path = "/group-enquiries/{id}/decline", tag = "events", operation_id = "declineGroupEnquiry",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = EnquiryView),
        (status = 404, body = ErrorBody, description = "No such enquiry"),
        (status = 409, body = ErrorBody, description = "`decided`: already accepted or declined")))]
pub async fn decline_enquiry(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<EnquiryView>, WebError> {
    let e = enquiry::decline(state.app(), EnquiryId(id), &caller.user).await?;
    Ok(Json(EnquiryView::from(&e)))
}

/// Money received for a group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: i64,
    pub kind: PaymentKind,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub note: String,
    #[schema(format = DateTime)]
    pub recorded_at: String,
}

/// One guest of a party, for staff: nothing of their answers, only whether they are in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyGuestView {
    pub guest: String,
    pub service_id: i64,
    pub therapist_id: i64,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    /// Whether the guest has answered their health check and consented.
    pub health_check_done: bool,
    /// The guest's own health-check page, to pass on; null for a guest booked before links existed.
    pub health_url: Option<String>,
}

/// A party with its guests and money.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartySummary {
    pub id: i64,
    pub status: knead_core::booking::BookingStatus,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    pub address: String,
    pub host: ContactView,
    pub therapist_ids: Vec<i64>,
    /// Price plus travel fee.
    pub total_cents: i64,
    pub paid_cents: i64,
    pub due_cents: i64,
    pub payments: Vec<PaymentView>,
    pub guests: Vec<PartyGuestView>,
}

fn payment_view(p: &Payment, zone: &jiff::tz::TimeZone) -> PaymentView {
    PaymentView {
        id: p.id,
        kind: p.payment.kind,
        amount_cents: p.payment.amount_cents,
        method: p.payment.method,
        note: p.payment.note.clone(),
        recorded_at: format_rfc3339(zone, p.payment.recorded_at),
    }
}

impl PartySummary {
    fn new(p: &Party, base: &str) -> PartySummary {
        let time = |t| format_rfc3339(&p.zone, t);
        let b = &p.booking;
        PartySummary {
            id: b.id.0,
            status: b.status,
            start: time(b.start),
            end: time(b.end),
            address: knead_app::events::address_of(b),
            host: ContactView {
                name: b.client.name.clone(),
                email: b.client.email.as_str().to_string(),
                phone: b.client.phone.clone(),
            },
            therapist_ids: b.visits.iter().map(|v| v.therapist_id.0).collect(),
            total_cents: b.price_cents + b.travel_fee_cents,
            paid_cents: p.paid_cents(),
            due_cents: p.balance_due_cents(),
            payments: p.payments.iter().map(|x| payment_view(x, &p.zone)).collect(),
            guests: p
                .guests
                .iter()
                .map(|g| PartyGuestView {
                    guest: g.name.clone(),
                    service_id: g.service_id.0,
                    therapist_id: g.therapist_id.0,
                    start: time(g.start),
                    end: time(g.end),
                    health_check_done: g.intake.consented_at.is_some(),
                    health_url: g.intake.token.as_ref().map(|t| format!("{base}/parties/guests/health?token={t}")),
                })
                .collect(),
        }
    }
}

/// Every party, newest first (managers).
#[utoipa::path(get, path = "/parties", tag = "events", operation_id = "listParties", security(("bearer" = [])),
    responses((status = 200, body = Vec<PartySummary>)))]
pub async fn list_parties(
    State(state): State<AppState>,
    _manager: Manager,
) -> Result<Json<Vec<PartySummary>>, WebError> {
    let base = &state.config().public_url;
    let all = party::parties(state.app()).await?;
    Ok(Json(all.iter().map(|p| PartySummary::new(p, base)).collect()))
}

/// One party (managers).
#[utoipa::path(get, path = "/parties/{id}", tag = "events", operation_id = "getParty",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = PartySummary), (status = 404, body = ErrorBody, description = "No such party")))]
pub async fn get_party(
    State(state): State<AppState>,
    _manager: Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Json<PartySummary>, WebError> {
    let p = party::party(state.app(), BookingId(id)).await?;
    Ok(Json(PartySummary::new(&p, &state.config().public_url)))
}

/// Record money received for a party or a chair day (managers). Entries are never changed afterwards.
#[utoipa::path(post, path = "/parties/{id}/payments", tag = "events", operation_id = "recordPartyPayment",
    params(("id" = i64, Path, description = "The party's (or chair day's) booking id")), request_body = PaymentInput,
    security(("bearer" = [])),
    responses((status = 201, body = PaymentView),
        (status = 404, body = ErrorBody, description = "No such party or chair day"),
        (status = 422, body = ErrorBody, description = "A bad field, named")))]
pub async fn record_payment(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<PaymentInput>,
) -> Result<(StatusCode, Json<PaymentView>), WebError> {
    let p = party::record_payment(state.app(), BookingId(id), &input, &caller.user).await?;
    let zone = knead_app::calendar::settings(state.app()).await?.zone().clone();
    Ok((StatusCode::CREATED, Json(payment_view(&p, &zone))))
}

/// What a guest's answers mean for their treatment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuestCheckView {
    /// What the therapist will adapt (e.g. lighter pressure).
    pub adapt: Vec<String>,
}

/// A party guest answers their health check and consents (the guest's own link; no account). Once only.
#[utoipa::path(post, path = "/party-guests/health", tag = "events", operation_id = "answerGuestHealthCheck",
    request_body = GuestCheckInput,
    responses((status = 201, body = GuestCheckView),
        (status = 404, body = ErrorBody, description = "A token that is no guest's link"),
        (status = 409, body = ErrorBody, description = "`answered`: already answered (tell the therapist on the day)"),
        (status = 422, body = ErrorBody, description = "A bad field, named: no consent, an answer missing, or one that rules the treatment out today (`not_today` on `health`)")))]
pub async fn answer_guest_check(
    State(state): State<AppState>,
    AppJson(input): AppJson<GuestCheckInput>,
) -> Result<(StatusCode, Json<GuestCheckView>), WebError> {
    let (_, adapt) = party::answer_guest_check(state.app(), &input).await?;
    Ok((StatusCode::CREATED, Json(GuestCheckView { adapt: adapt.iter().map(|a| a.to_string()).collect() })))
}
