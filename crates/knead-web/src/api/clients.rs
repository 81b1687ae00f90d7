//! Clients, their health-history intake, and staff's list of bookings in the API.
//!
//! Staff see every client; a therapist only their own clients (those with a visit of theirs); a client only
//! themselves. A record the caller may not see answers as a missing one (404). Reading a client's file or
//! health history writes one audit entry (the use cases do).

use super::booking::{views, BookingView};
use super::intake::{ClearanceView, ScreeningDetail};
use super::Staff;
use crate::auth::SignedIn;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use jiff::tz::TimeZone;
use knead_app::clients::{self, BookingsQuery};
use knead_app::{calendar, intake};
use knead_core::booking::BookingStatus;
use knead_core::calendar::format_rfc3339;
use knead_core::intake::SavedAddress;
use knead_core::intake::{precautions, Client, ClientId, ClientInput, IntakeInput, IntakeVersion, Precaution};
use knead_core::TherapistId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clients, create_client))
        .routes(routes!(get_client))
        .routes(routes!(list_intakes, create_intake))
        .routes(routes!(list_bookings))
}

/// A client record's contact details (no health information).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Client)]
pub struct ClientView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// `YYYY-MM-DD`, when known.
    #[schema(format = Date)]
    pub date_of_birth: Option<String>,
    pub addresses: Vec<SavedAddress>,
    /// Whether the client has a login of their own.
    pub has_login: bool,
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl ClientView {
    fn new(tz: &TimeZone, c: Client) -> ClientView {
        ClientView {
            id: c.id.0,
            name: c.name,
            email: c.email.as_str().to_string(),
            phone: c.phone,
            date_of_birth: c.date_of_birth.map(|d| d.to_string()),
            addresses: c.addresses,
            has_login: c.user_id.is_some(),
            created_at: format_rfc3339(tz, c.created_at),
        }
    }
}

/// A client in staff's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ClientSummary)]
pub struct ClientSummaryView {
    #[serde(flatten)]
    pub client: ClientView,
    /// Bookings made, in any status.
    pub bookings: i64,
    /// The latest health-history version's number (0: none yet).
    pub intake_version: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientsView {
    /// By name.
    pub clients: Vec<ClientSummaryView>,
}

/// One version of a client's health history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = IntakeVersion)]
pub struct IntakeVersionView {
    pub client_id: i64,
    /// Numbered from 1; a new answer set is a new version, none is overwritten.
    pub version: i64,
    /// The answers as kept.
    pub answers: IntakeInput,
    /// What these answers mean for a visit, strictest first (before the visit's reason and screening).
    pub precautions: Vec<Precaution>,
    /// Who submitted it: the client's login or a staff member; null for a guest's booking form.
    pub submitted_by: Option<i64>,
    /// RFC 3339 with the practice's offset.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl IntakeVersionView {
    fn new(tz: &TimeZone, v: IntakeVersion) -> IntakeVersionView {
        IntakeVersionView {
            client_id: v.client.0,
            version: v.version,
            precautions: precautions(Some(&v.history), None, None),
            answers: v.history.answers().clone(),
            submitted_by: v.submitted_by.map(|u| u.0),
            created_at: format_rfc3339(tz, v.created_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntakesView {
    /// Newest first.
    pub intakes: Vec<IntakeVersionView>,
}

/// A booking whose typed name differs from its client record's name, for staff to look at.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NameMismatch {
    pub booking_id: i64,
    /// The name as typed on the booking.
    pub name: String,
}

/// A client's file: contact, bookings, health-history versions, screenings and clearances (each newest
/// first), and the other records that share the email (never merged silently).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ClientFile)]
pub struct ClientFileView {
    pub client: ClientView,
    pub bookings: Vec<BookingView>,
    pub intakes: Vec<IntakeVersionView>,
    pub screenings: Vec<ScreeningDetail>,
    pub clearances: Vec<ClearanceView>,
    pub same_email: Vec<ClientView>,
    pub name_mismatches: Vec<NameMismatch>,
}

async fn zone(state: &AppState) -> Result<TimeZone, WebError> {
    Ok(calendar::settings(state.app()).await?.zone().clone())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientSearch {
    /// Part of a name, email or phone (case and accents aside); every client when absent or blank.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// Clients whose name, email or phone contains `q`, by name (staff; a therapist sees only their own clients).
#[utoipa::path(get, path = "/clients", tag = "clients", operation_id = "listClients", params(ClientSearch),
    security(("bearer" = [])), responses((status = 200, body = ClientsView),
        (status = 422, body = ErrorBody, description = "A search longer than 200 characters")))]
pub async fn list_clients(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppQuery(q): AppQuery<ClientSearch>,
) -> Result<Json<ClientsView>, WebError> {
    let text = q.q.as_deref().unwrap_or("");
    if text.chars().count() > 200 {
        return Err(WebError::field("too_long", "q", "must be at most 200 characters"));
    }
    let found = clients::search(state.app(), &caller.user, text).await?;
    let tz = zone(&state).await?;
    let clients = found
        .into_iter()
        .map(|s| ClientSummaryView {
            client: ClientView::new(&tz, s.client),
            bookings: s.bookings,
            intake_version: s.intake_version,
        })
        .collect();
    Ok(Json(ClientsView { clients }))
}

/// Create a client record (staff).
///
/// Emails are not unique: two people may share one. A record with the same email shows in each one's file
/// for staff to look at; nothing is merged.
#[utoipa::path(post, path = "/clients", tag = "clients", operation_id = "createClient", request_body = ClientInput,
    security(("bearer" = [])), responses((status = 201, body = ClientView)))]
pub async fn create_client(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppJson(input): AppJson<ClientInput>,
) -> Result<(StatusCode, Json<ClientView>), WebError> {
    let client = clients::create_client(state.app(), &caller.user, &input).await?;
    tracing::info!(client_id = client.id.0, "client created");
    Ok((StatusCode::CREATED, Json(ClientView::new(&zone(&state).await?, client))))
}

/// A client's file: contact, bookings, health-history versions, screenings, clearances, and records that
/// share the email (staff, a therapist for their own clients, and the client themselves).
///
/// Reading it is recorded in the audit log.
#[utoipa::path(get, path = "/clients/{id}", tag = "clients", operation_id = "getClient", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ClientFileView),
        (status = 404, body = ErrorBody, description = "No such client, or not one the caller may see (the same answer)")))]
pub async fn get_client(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Json<ClientFileView>, WebError> {
    let file = clients::file(state.app(), &caller.user, ClientId(id)).await?;
    let tz = zone(&state).await?;
    let name_mismatches =
        file.name_mismatches.into_iter().map(|b| NameMismatch { booking_id: b.id.0, name: b.client.name }).collect();
    Ok(Json(ClientFileView {
        client: ClientView::new(&tz, file.client),
        bookings: views(&state, &tz, file.bookings).await?,
        intakes: file.intakes.into_iter().map(|v| IntakeVersionView::new(&tz, v)).collect(),
        screenings: file.screenings.iter().map(|s| ScreeningDetail::new(&tz, s)).collect(),
        clearances: file.clearances.iter().map(|c| ClearanceView::new(&tz, c)).collect(),
        same_email: file.same_email.into_iter().map(|c| ClientView::new(&tz, c)).collect(),
        name_mismatches,
    }))
}

/// Every version of a client's health history, newest first (staff, a therapist for their own clients, and
/// the client themselves).
///
/// Reading them is recorded in the audit log.
#[utoipa::path(get, path = "/clients/{id}/intakes", tag = "clients", operation_id = "listIntakes",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = IntakesView),
        (status = 404, body = ErrorBody, description = "No such client, or not one the caller may see (the same answer)")))]
pub async fn list_intakes(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Json<IntakesView>, WebError> {
    let versions = intake::versions(state.app(), &caller.user, ClientId(id)).await?;
    let tz = zone(&state).await?;
    Ok(Json(IntakesView { intakes: versions.into_iter().map(|v| IntakeVersionView::new(&tz, v)).collect() }))
}

/// Add a version of a client's health history (staff, or the client themselves).
///
/// Every yes/no question that decides a precaution must be answered (an unanswered one is never taken as
/// "no"), and every element of consent agreed to; the 422 names each field still open. Earlier versions are
/// kept. Recorded in the audit log.
#[utoipa::path(post, path = "/clients/{id}/intakes", tag = "clients", operation_id = "createIntake",
    params(("id" = i64, Path)), request_body = IntakeInput, security(("bearer" = [])),
    responses((status = 201, body = IntakeVersionView),
        (status = 404, body = ErrorBody, description = "No such client, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "Each unanswered question (`required`), missing consent element (`consent_required`) or text too long, named")))]
pub async fn create_intake(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<IntakeInput>,
) -> Result<(StatusCode, Json<IntakeVersionView>), WebError> {
    let version = intake::submit(state.app(), Some(&caller.user), ClientId(id), &input).await?;
    tracing::info!(client_id = id, version = version.version, "intake added");
    Ok((StatusCode::CREATED, Json(IntakeVersionView::new(&zone(&state).await?, version))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsParams {
    /// The first local date, `YYYY-MM-DD` (today when absent), 1900 to 2999.
    #[param(format = Date, pattern = "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
    /// How many days from `date`, 1 to 31 (1 when absent).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<i64>,
    /// One therapist's visits (a therapist always sees only their own).
    pub therapist_id: Option<i64>,
    /// `confirmed`, `awaiting_clearance` or `cancelled`.
    #[param(value_type = Option<BookingStatus>)]
    pub status: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingsView {
    /// By start.
    pub bookings: Vec<BookingView>,
}

/// Bookings starting on a day (or several), by therapist and status (staff; a therapist sees their own
/// visits).
#[utoipa::path(get, path = "/bookings", tag = "booking", operation_id = "listBookings", params(BookingsParams),
    security(("bearer" = [])),
    responses((status = 200, body = BookingsView),
        (status = 422, body = ErrorBody, description = "A date, day count or status that cannot be used, named")))]
pub async fn list_bookings(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppQuery(q): AppQuery<BookingsParams>,
) -> Result<Json<BookingsView>, WebError> {
    // A parameter sent empty is a mistake to name, not a parameter left out.
    let date = match q.date.as_deref() {
        Some(text) => Some(knead_core::calendar::parse_date("date", text.trim())?),
        None => None,
    };
    let status = match q.status.as_deref() {
        Some(text) => Some(BookingStatus::parse(text).ok_or_else(|| {
            WebError::field("invalid", "status", "must be one of: confirmed, awaiting_clearance, cancelled")
        })?),
        None => None,
    };
    let query = BookingsQuery { date, days: q.days, therapist: q.therapist_id.map(TherapistId), status };
    let found = clients::bookings(state.app(), &caller.user, &query).await?;
    let tz = zone(&state).await?;
    Ok(Json(BookingsView { bookings: views(&state, &tz, found).await? }))
}
