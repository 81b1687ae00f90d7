//! SOAP notes in the API: drafts, edits of a draft, signing, amendments, and a note with its versions.

use super::super::Staff;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::records::notes;
use knead_core::booking::BookingId;
use knead_core::records::{AmendmentInput, EpisodeId, NoteId, NoteInput, Pressure, SoapNote, Technique};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_note))
        .routes(routes!(get_note, replace_note, patch_note))
        .routes(routes!(sign_note))
        .routes(routes!(amend_note))
}

/// A note with every version of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteHistoryView {
    #[serde(flatten)]
    pub note: SoapNote,
    /// The versions it amends and the ones amending it, itself included, oldest first: the original stays
    /// readable as it was signed.
    pub versions: Vec<SoapNote>,
}

/// Some of a draft's fields, to change; those left out keep their value.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas_treated: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub techniques: Option<Vec<Technique>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<Pressure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_care: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrals: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<i64>,
}

/// An amendment: a note's whole corrected content, and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    #[serde(default)]
    pub booking_id: Option<i64>,
    #[serde(default)]
    pub subjective: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub areas_treated: Vec<String>,
    #[serde(default)]
    pub techniques: Vec<Technique>,
    #[serde(default)]
    pub pressure: Option<Pressure>,
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub self_care: String,
    #[serde(default)]
    pub referrals: String,
    /// RFC 3339; when the treatment started.
    #[schema(format = DateTime)]
    pub started_at: String,
    /// 1..=480.
    pub duration_minutes: i64,
    /// Why the note is corrected, 1..=1000 characters.
    pub reason: String,
}

impl From<AmendmentBody> for AmendmentInput {
    fn from(b: AmendmentBody) -> AmendmentInput {
        AmendmentInput {
            note: NoteInput {
                booking_id: b.booking_id.map(BookingId),
                subjective: b.subjective,
                objective: b.objective,
                assessment: b.assessment,
                plan: b.plan,
                areas_treated: b.areas_treated,
                techniques: b.techniques,
                pressure: b.pressure,
                response: b.response,
                self_care: b.self_care,
                referrals: b.referrals,
                started_at: b.started_at,
                duration_minutes: b.duration_minutes,
            },
            reason: b.reason,
        }
    }
}

/// Start a SOAP note on an episode, as a draft (staff): subjective, objective, assessment, plan, areas
/// treated, techniques, pressure, the client's response, self-care given, referrals made, the start time
/// and the duration. Recorded in the audit log.
#[utoipa::path(post, path = "/episodes/{id}/notes", tag = "records", operation_id = "createNote",
    params(("id" = i64, Path)), request_body = NoteInput, security(("bearer" = [])),
    responses((status = 201, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid (`started_at`, `duration_minutes`, a text too long...), each named")))]
pub async fn create_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<(StatusCode, Json<SoapNote>), WebError> {
    let note = notes::start(state.app(), &caller.user, EpisodeId(id), &input).await?;
    tracing::info!(note_id = note.id.0, episode_id = id, "note started");
    Ok((StatusCode::CREATED, Json(note)))
}

/// One note with all its versions (staff who may see its client). Reading it is recorded in the audit log.
#[utoipa::path(get, path = "/notes/{id}", tag = "records", operation_id = "getNote",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = NoteHistoryView),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)")))]
pub async fn get_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<Json<NoteHistoryView>, WebError> {
    let history = notes::get(state.app(), &caller.user, NoteId(id)).await?;
    Ok(Json(NoteHistoryView { note: history.note, versions: history.versions }))
}

/// Replace a draft's content (staff). A signed note never changes: 409 `already_signed`; amend it instead.
#[utoipa::path(put, path = "/notes/{id}", tag = "records", operation_id = "replaceNote",
    params(("id" = i64, Path)), request_body = NoteInput, security(("bearer" = [])),
    responses((status = 200, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "The note is signed (`already_signed` on `status`): add an amendment"),
        (status = 422, body = ErrorBody, description = "A field is not valid, each named")))]
pub async fn replace_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<Json<SoapNote>, WebError> {
    let note = notes::update(state.app(), &caller.user, NoteId(id), &input).await?;
    tracing::info!(note_id = id, "draft note replaced");
    Ok(Json(note))
}

/// Change some fields of a draft (staff): the fields sent replace the draft's, the others stay. A signed
/// note never changes: 409 `already_signed`; amend it instead.
#[utoipa::path(patch, path = "/notes/{id}", tag = "records", operation_id = "updateNote",
    params(("id" = i64, Path)), request_body = NotePatch,
    security(("bearer" = [])),
    responses((status = 200, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "The note is signed (`already_signed` on `status`): add an amendment"),
        (status = 422, body = ErrorBody, description = "A field is not valid, each named")))]
pub async fn patch_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(changes): AppJson<NotePatch>,
) -> Result<Json<SoapNote>, WebError> {
    let changes = serde_json::to_value(&changes).map_err(WebError::internal)?;
    let note = notes::patch(state.app(), &caller.user, NoteId(id), &changes).await?;
    tracing::info!(note_id = id, "draft note changed");
    Ok(Json(note))
}

/// Sign a draft (its author or a manager): locked from then on, with the content's digest recorded.
#[utoipa::path(post, path = "/notes/{id}/sign", tag = "records", operation_id = "signNote",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "Already signed (`already_signed` on `status`)"),
        (status = 422, body = ErrorBody, description = "Only the note's author or a manager signs it (`not_author`)")))]
pub async fn sign_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<Json<SoapNote>, WebError> {
    let note = notes::sign(state.app(), &caller.user, NoteId(id)).await?;
    tracing::info!(note_id = id, "note signed");
    Ok(Json(note))
}

/// Amend a signed note (staff): a new signed version with the corrected content, linked to the one it
/// corrects, with who, when and the `reason`. The original stays readable and unchanged.
#[utoipa::path(post, path = "/notes/{id}/amendments", tag = "records", operation_id = "amendNote",
    params(("id" = i64, Path)), request_body = AmendmentBody, security(("bearer" = [])),
    responses((status = 201, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid, the `reason` is missing, the note is a draft (`not_signed`) or a newer version exists (`already_amended`)")))]
pub async fn amend_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<AmendmentBody>,
) -> Result<(StatusCode, Json<SoapNote>), WebError> {
    let note = notes::amend(state.app(), &caller.user, NoteId(id), &input.into()).await?;
    tracing::info!(note_id = note.id.0, amends = id, "note amended");
    Ok((StatusCode::CREATED, Json(note)))
}
