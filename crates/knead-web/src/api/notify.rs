//! Notifications in the API: the outbox (managers), private calendar feeds, and the lost-link request.

use super::Staff;
use crate::auth::{Manager, SignedIn};
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use jiff::tz::TimeZone;
use knead_app::calendar;
use knead_app::notify::{self, feeds};
use knead_core::calendar::format_rfc3339;
use knead_core::notify::{Job, JobKind, JobStatus, SentMessage};
use knead_core::TherapistId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(outbox))
        .routes(routes!(new_therapist_feed, revoke_therapist_feed))
        .routes(routes!(new_own_feed, revoke_own_feed))
        .routes(routes!(resend_links))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    /// Only jobs in this state.
    pub status: Option<JobStatus>,
    /// Only jobs older than this id (the next page).
    pub before: Option<i64>,
    /// How many, 1 to 500 (100 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A message job: what it sends, where it is, and the message as it went out or was filed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = OutboxJob)]
pub struct JobView {
    pub id: i64,
    pub kind: JobKind,
    pub status: JobStatus,
    pub booking_id: Option<i64>,
    /// The staff member a staff notice goes to.
    pub therapist_id: Option<i64>,
    /// The waitlist entry a waitlist message is about.
    pub waitlist_id: Option<i64>,
    /// The episode a records alert is about.
    pub episode_id: Option<i64>,
    /// The account a password reset goes to.
    pub user_id: Option<i64>,
    /// How many times a server took it up.
    pub attempts: i64,
    /// RFC 3339 with the practice's offset: when it runs (or ran, or runs again).
    #[schema(format = DateTime)]
    pub run_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// Why the last attempt failed, or why the job was skipped.
    pub last_error: Option<String>,
    /// The message, once sent or filed. A sent message's private link reads `[private]`.
    pub message: Option<SentMessage>,
}

impl JobView {
    fn new(tz: &TimeZone, j: Job) -> JobView {
        JobView {
            id: j.id,
            kind: j.kind,
            status: j.status,
            booking_id: j.booking_id.map(|b| b.0),
            therapist_id: j.therapist_id.map(|t| t.0),
            waitlist_id: j.waitlist_id.map(|w| w.0),
            episode_id: j.episode_id.map(|e| e.0),
            user_id: j.user_id.map(|u| u.0),
            attempts: j.attempts,
            run_at: format_rfc3339(tz, j.run_at),
            created_at: format_rfc3339(tz, j.created_at),
            finished_at: j.finished_at.map(|t| format_rfc3339(tz, t)),
            last_error: j.last_error,
            message: j.message,
        }
    }
}

/// The outbox: every message job, newest first (manager).
///
/// Without a mail server (`smtp_url`) messages end `outbox`, filed here whole for the manager to pass on;
/// with one they end `sent`. `failed` and `skipped` keep their reason in `last_error`.
#[utoipa::path(get, path = "/outbox", tag = "notifications", operation_id = "listOutbox",
    params(OutboxParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<JobView>),
        (status = 422, body = ErrorBody, description = "A parameter out of range, named")))]
pub async fn outbox(
    State(state): State<AppState>,
    _manager: Manager,
    AppQuery(params): AppQuery<OutboxParams>,
) -> Result<Json<Vec<JobView>>, WebError> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(knead_app::AppError::field("out_of_range", "limit", "must be between 1 and 500").into());
    }
    let jobs = notify::outbox(state.app(), params.status, params.before, limit).await?;
    let zone = calendar::settings(state.app()).await?.zone().clone();
    Ok(Json(jobs.into_iter().map(|j| JobView::new(&zone, j)).collect()))
}

/// A private calendar feed's URL.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedUrl {
    /// Subscribe to it from a calendar program; anyone with it sees the visits, so keep it private.
    pub url: String,
}

fn feed_url(state: &AppState, token: &str) -> FeedUrl {
    FeedUrl { url: format!("{}/calendar/feed/{token}.ics", state.config().public_url.trim_end_matches('/')) }
}

/// A new private iCal feed of a therapist's visits (that therapist or a manager); the old URL stops working.
///
/// Each visit shows the service, the client's first name and the address, nothing more.
#[utoipa::path(post, path = "/therapists/{id}/calendar-feed", tag = "notifications",
    operation_id = "createTherapistFeed", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 201, body = FeedUrl),
        (status = 404, body = ErrorBody, description = "No such therapist, or not the caller (the same answer)")))]
pub async fn new_therapist_feed(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<(StatusCode, Json<FeedUrl>), WebError> {
    let token = feeds::new_therapist_feed(state.app(), &caller.user, TherapistId(id)).await?;
    Ok((StatusCode::CREATED, Json(feed_url(&state, &token))))
}

/// Revoke a therapist's feed: its URL then answers 404 (that therapist or a manager).
#[utoipa::path(delete, path = "/therapists/{id}/calendar-feed", tag = "notifications",
    operation_id = "revokeTherapistFeed", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 404, body = ErrorBody, description = "No feed, no such therapist, or not the caller")))]
pub async fn revoke_therapist_feed(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode, WebError> {
    feeds::revoke_therapist_feed(state.app(), &caller.user, TherapistId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new private iCal feed of the caller's own visits (a therapist's or a client's); the old URL stops working.
#[utoipa::path(post, path = "/account/calendar-feed", tag = "notifications", operation_id = "createOwnFeed",
    security(("bearer" = [])),
    responses((status = 201, body = FeedUrl),
        (status = 404, body = ErrorBody, description = "The caller has no visits of their own (a manager), or no record yet")))]
pub async fn new_own_feed(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<(StatusCode, Json<FeedUrl>), WebError> {
    let token = feeds::new_own_feed(state.app(), &caller.user).await?;
    Ok((StatusCode::CREATED, Json(feed_url(&state, &token))))
}

/// Revoke the caller's own feed.
#[utoipa::path(delete, path = "/account/calendar-feed", tag = "notifications", operation_id = "revokeOwnFeed",
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody, description = "No feed")))]
pub async fn revoke_own_feed(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<StatusCode, WebError> {
    feeds::revoke_own_feed(state.app(), &caller.user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who asks for their links again.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LostLinks {
    /// The email the bookings were made with.
    pub email: String,
}

/// Email the private links of the upcoming bookings made with this email, to that email.
///
/// The answer is the same whether there are any or not (202), so it says nothing about who has booked; a
/// booking gets at most one such message every 10 minutes.
#[utoipa::path(post, path = "/manage-links", tag = "notifications", operation_id = "resendManageLinks",
    request_body = LostLinks, security((), ("bearer" = [])),
    responses((status = 202, description = "If there are upcoming bookings under this email, their links are on the way"),
        (status = 422, body = ErrorBody, description = "Not an email address (`email`)")))]
pub async fn resend_links(
    State(state): State<AppState>,
    AppJson(input): AppJson<LostLinks>,
) -> Result<StatusCode, WebError> {
    notify::resend_manage_links(state.app(), &input.email).await?;
    Ok(StatusCode::ACCEPTED)
}
