//! Referral letters in the API: drafted from the episode, edited, signed, and exported as a PDF and as a
//! FHIR R4 Bundle.

use super::super::Staff;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use knead_app::records::referrals;
use knead_core::records::{EpisodeId, Referral, ReferralId, ReferralInput};
use knead_core::FieldError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    // The PDF shares the letter's path segment (`/referrals/{id}.pdf`), which the router cannot tell from
    // `{id}` alone: `get_referral` serves both, and the PDF's operation is documented on its own.
    OpenApiRouter::with_openapi(PdfDoc::openapi())
        .routes(routes!(create_referral))
        .routes(routes!(get_referral, update_referral))
        .routes(routes!(sign_referral))
        .routes(routes!(referral_fhir))
}

/// `/referrals/{id}.pdf` takes GET (and HEAD) only, whatever `/referrals/{id}` takes: any other method is a 405
/// whose `Allow` header names what the PDF's document lists. A layer over the whole API router (see
/// `api::router`), because a method the route lacks goes to the router's own fallback, not to this module's.
pub(crate) async fn pdf_is_read_only(request: Request, next: Next) -> Response {
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    if reading || !(path.starts_with("/referrals/") && path.ends_with(".pdf")) {
        return next.run(request).await;
    }
    let mut refused = WebError::MethodNotAllowed.into_response();
    refused.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
    refused
}

#[derive(OpenApi)]
#[openapi(paths(referral_pdf))]
struct PdfDoc;

/// Draft a referral letter from the episode in one action (staff): to a physician (or a physiotherapist or
/// chiropractor), with the reason and urgency the response asks for, the red-flag results, the score
/// history and the treatment so far; every field may be given instead. Recorded in the audit log.
#[utoipa::path(post, path = "/episodes/{id}/referrals", tag = "records", operation_id = "createReferral",
    params(("id" = i64, Path)), request_body = ReferralInput, security(("bearer" = [])),
    responses((status = 201, body = Referral),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid (`reason`, `body`...), each named")))]
pub async fn create_referral(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ReferralInput>,
) -> Result<(StatusCode, Json<Referral>), WebError> {
    let referral = referrals::draft(state.app(), &caller.user, EpisodeId(id), &input).await?;
    tracing::info!(referral_id = referral.id.0, episode_id = id, "referral drafted");
    Ok((StatusCode::CREATED, Json(referral)))
}

/// The id in `/referrals/{id}` or `/referrals/{id}.pdf`, and whether the PDF was asked for.
fn referral_path(text: &str) -> Result<(ReferralId, bool), WebError> {
    let (digits, pdf) = match text.strip_suffix(".pdf") {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    let id = digits
        .parse::<i64>()
        .map_err(|_| WebError::BadRequest(FieldError::new("invalid_path", "id", "must be a whole number")))?;
    Ok((ReferralId(id), pdf))
}

/// One referral letter (staff who may see its client). Reading it is recorded in the audit log.
#[utoipa::path(get, path = "/referrals/{id}", tag = "records", operation_id = "getReferral",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Referral),
        (status = 404, body = ErrorBody, description = "No such referral, or not one the caller may see (the same answer)")))]
pub async fn get_referral(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<String>,
) -> Result<Response, WebError> {
    let (id, pdf) = referral_path(&id)?;
    if pdf {
        let file = referrals::get(state.app(), &caller.user, id, Some("pdf")).await?;
        let bytes = crate::pdf::referral_pdf(&file);
        let disposition = format!("inline; filename=\"referral-{id}.pdf\"");
        return Ok((
            [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)],
            bytes,
        )
            .into_response());
    }
    let file = referrals::get(state.app(), &caller.user, id, None).await?;
    Ok(Json(file.referral).into_response())
}

/// The referral letter as a PDF: the practice, the recipient, the client, the reason and urgency, the
/// letter, the score history and the signature line (staff who may see its client). The export is
/// recorded in the audit log.
#[utoipa::path(get, path = "/referrals/{id}.pdf", tag = "records", operation_id = "getReferralPdf",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>, description = "The letter"),
        (status = 400, body = ErrorBody, description = "The id is not a whole number"),
        (status = 401, body = ErrorBody, description = "Sign-in required, or the bearer token is unknown, expired or revoked."),
        (status = 403, body = ErrorBody, description = "The caller's role may not do this."),
        (status = 404, body = ErrorBody, description = "No such referral, or not one the caller may see (the same answer)")))]
#[allow(dead_code)]
async fn referral_pdf() {}

/// Edit a draft letter (staff): the fields given replace the draft's. A signed letter never changes: 409
/// `already_signed`. Recorded in the audit log.
#[utoipa::path(patch, path = "/referrals/{id}", tag = "records", operation_id = "updateReferral",
    params(("id" = i64, Path)), request_body = ReferralInput, security(("bearer" = [])),
    responses((status = 200, body = Referral),
        (status = 404, body = ErrorBody, description = "No such referral, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "The letter is signed (`already_signed` on `status`)"),
        (status = 422, body = ErrorBody, description = "A field is not valid (`reason`, `body`...), each named")))]
pub async fn update_referral(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<String>,
    AppJson(input): AppJson<ReferralInput>,
) -> Result<Json<Referral>, WebError> {
    // A `.pdf` path never reaches here (`pdf_is_read_only`).
    let (id, _) = referral_path(&id)?;
    let referral = referrals::edit(state.app(), &caller.user, id, &input).await?;
    tracing::info!(referral_id = id.0, "referral edited");
    Ok(Json(referral))
}

/// Sign a draft letter (staff), with the signer's name on its signature line; the episode becomes
/// `referred`. Recorded in the audit log.
#[utoipa::path(post, path = "/referrals/{id}/sign", tag = "records", operation_id = "signReferral",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Referral),
        (status = 404, body = ErrorBody, description = "No such referral, or not one the caller may see (the same answer)"),
        (status = 409, body = ErrorBody, description = "Already signed (`already_signed` on `status`)")))]
pub async fn sign_referral(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Referral>, WebError> {
    let referral = referrals::sign(state.app(), &caller.user, ReferralId(id)).await?;
    tracing::info!(referral_id = id, "referral signed");
    Ok(Json(referral))
}

/// The referral as a FHIR R4 Bundle (`collection`): a ServiceRequest with its priority and reason, and one
/// Observation per measure (category `survey`, LOINC codes where they exist). The export is recorded in
/// the audit log.
#[utoipa::path(get, path = "/referrals/{id}/fhir", tag = "records", operation_id = "getReferralFhir",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/fhir+json", body = Object, description = "A FHIR R4 Bundle"),
        (status = 404, body = ErrorBody, description = "No such referral, or not one the caller may see (the same answer)")))]
pub async fn referral_fhir(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
) -> Result<impl IntoResponse, WebError> {
    let bundle = referrals::fhir(state.app(), &caller.user, ReferralId(id)).await?;
    Ok(([(header::CONTENT_TYPE, "application/fhir+json")], bundle.to_string()))
}
