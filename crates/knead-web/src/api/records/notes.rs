//! SOAP notes in the API: drafts, edits of a draft, signing, amendments, and a note with its versions.

use super::super::Staff;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::records::notes;
use knead_core::records::{AmendmentInput, EpisodeId, NoteId, NoteInput, SoapNote};
use serde::Serialize;
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
    params(("id" = i64, Path)), request_body(content = serde_json::Value, description = "Any of `NoteInput`'s fields"),
    security(("bearer" = [])),
    responses((status = 200, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "The note is signed (`already_signed` on `status`): add an amendment"),
        (status = 422, body = ErrorBody, description = "A field is not valid, each named")))]
pub async fn patch_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(changes): AppJson<serde_json::Value>,
) -> Result<Json<SoapNote>, WebError> {
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
    params(("id" = i64, Path)), request_body = AmendmentInput, security(("bearer" = [])),
    responses((status = 201, body = SoapNote),
        (status = 404, body = ErrorBody, description = "No such note, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid, the `reason` is missing, the note is a draft (`not_signed`) or a newer version exists (`already_amended`)")))]
pub async fn amend_note(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<AmendmentInput>,
) -> Result<(StatusCode, Json<SoapNote>), WebError> {
    let note = notes::amend(state.app(), &caller.user, NoteId(id), &input).await?;
    tracing::info!(note_id = note.id.0, amends = id, "note amended");
    Ok((StatusCode::CREATED, Json(note)))
}
