//! Episodes, their plans and measures, and the instruments in the API.

use super::super::Staff;
use crate::auth::{Manager, SignedIn};
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::records::{episodes, measures};
use knead_core::intake::ClientId;
use knead_core::records::plan::PlanInput;
use knead_core::records::{
    Episode, EpisodeId, EpisodeInput, EpisodeStatus, InstrumentDefinition, Measure, MeasureInput, Response,
    TreatmentPlan,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_episodes, create_episode))
        .routes(routes!(get_episode, update_episode))
        .routes(routes!(create_plan))
        .routes(routes!(list_measures, create_measure))
        .routes(routes!(list_instruments, load_instrument))
}

/// An episode of care with the non-response policy's verdict on it now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EpisodeView {
    #[serde(flatten)]
    pub episode: Episode,
    /// `status` (`responding`, `too_early`, `early_warning`, `non_responder`, `ceiling_reached`,
    /// `deteriorating`), the `recommendation`, and the visit day it holds `since`.
    pub response: Response,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EpisodesView {
    /// Newest first.
    pub episodes: Vec<EpisodeView>,
}

/// A change of an episode's status: `discharged`, `referred`, or `active` to reopen it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeUpdate {
    pub status: EpisodeStatus,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeasuresView {
    /// Oldest first.
    pub measures: Vec<Measure>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstrumentsView {
    /// The built-ins (`nprs_leg`, `nprs_back`, `psfs`, `startback`: scoring only), then the loaded ones.
    pub instruments: Vec<InstrumentDefinition>,
}

/// Open an episode of care for a client (staff): the condition, its side, the start date.
///
/// The other care the client receives is the latest health history's when left out; the therapist
/// responsible is the one opening it. Recorded in the audit log.
#[utoipa::path(post, path = "/clients/{id}/episodes", tag = "records", operation_id = "createEpisode",
    params(("id" = i64, Path, description = "The client's id")), request_body = EpisodeInput, security(("bearer" = [])),
    responses((status = 201, body = EpisodeView),
        (status = 404, body = ErrorBody, description = "No such client, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid (`condition`, `side`, `started_on` in the future, `therapist_id`), each named")))]
pub async fn create_episode(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<EpisodeInput>,
) -> Result<(StatusCode, Json<EpisodeView>), WebError> {
    let episode = episodes::open(state.app(), &caller.user, ClientId(id), &input).await?;
    tracing::info!(episode_id = episode.id.0, "episode opened");
    // A new episode has no measures yet: the policy's verdict on none, which reads no record.
    let settings = knead_app::calendar::settings(state.app()).await?;
    let response = knead_core::records::response::assess(&[], Default::default(), &settings.response_policy, &[]);
    Ok((StatusCode::CREATED, Json(EpisodeView { episode, response })))
}

/// A client's episodes with their response status, newest first (staff, or the client themselves).
///
/// Reading them is recorded in the audit log.
#[utoipa::path(get, path = "/clients/{id}/episodes", tag = "records", operation_id = "listEpisodes",
    params(("id" = i64, Path, description = "The client's id")), security(("bearer" = [])),
    responses((status = 200, body = EpisodesView),
        (status = 404, body = ErrorBody, description = "No such client, or not one the caller may see (the same answer)")))]
pub async fn list_episodes(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Json<EpisodesView>, WebError> {
    let found = episodes::of_client(state.app(), &caller.user, ClientId(id)).await?;
    let episodes = found.into_iter().map(|(episode, response)| EpisodeView { episode, response }).collect();
    Ok(Json(EpisodesView { episodes }))
}

/// One episode with the non-response policy's verdict: `response.status`, `response.recommendation` and
/// `response.since` (staff who may see its client, or the client themselves).
///
/// Reading it is recorded in the audit log.
#[utoipa::path(get, path = "/episodes/{id}", tag = "records", operation_id = "getEpisode",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = EpisodeView),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)")))]
pub async fn get_episode(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Json<EpisodeView>, WebError> {
    let (episode, response) = episodes::get(state.app(), &caller.user, EpisodeId(id)).await?;
    Ok(Json(EpisodeView { episode, response }))
}

/// Discharge or refer an episode, or reopen it (staff). Recorded in the audit log.
#[utoipa::path(patch, path = "/episodes/{id}", tag = "records", operation_id = "updateEpisode",
    params(("id" = i64, Path)), request_body = EpisodeUpdate, security(("bearer" = [])),
    responses((status = 200, body = Episode),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)")))]
pub async fn update_episode(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<EpisodeUpdate>,
) -> Result<Json<Episode>, WebError> {
    let episode = episodes::set_status(state.app(), &caller.user, EpisodeId(id), input.status).await?;
    tracing::info!(episode_id = id, status = episode.status.as_str(), "episode status changed");
    Ok(Json(episode))
}

/// Add a treatment plan version to an episode (staff): goals, techniques with their aims, pressure,
/// frequency, review date and the client's consent.
///
/// The client's precautions constrain it: no deep technique or pressure above `moderate` under a
/// `modify_pressure` precaution, nothing on a region to avoid. Recorded in the audit log.
#[utoipa::path(post, path = "/episodes/{id}/plans", tag = "records", operation_id = "createPlan",
    params(("id" = i64, Path)), request_body = PlanInput, security(("bearer" = [])),
    responses((status = 201, body = TreatmentPlan),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid or a precaution rules it out (`techniques[0].technique`, `consent.risks`...), each named")))]
pub async fn create_plan(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<PlanInput>,
) -> Result<(StatusCode, Json<TreatmentPlan>), WebError> {
    let plan = episodes::save_plan(state.app(), &caller.user, EpisodeId(id), &input).await?;
    tracing::info!(episode_id = id, version = plan.version, "plan saved");
    Ok((StatusCode::CREATED, Json(plan)))
}

/// Record an outcome measure on an episode, scored on its instrument: NPRS `{"value": 0..=10}`, PSFS
/// `{"activities":[{"name","score"}]}`, STarT Back `{"items":[8 booleans],"bothersome"}`, or a loaded
/// instrument `{"items":[score or null per item]}` (staff; a client their own NPRS and PSFS).
///
/// Answers a measure with its computed `score`. Recorded in the audit log.
#[utoipa::path(post, path = "/episodes/{id}/measures", tag = "records", operation_id = "createMeasure",
    params(("id" = i64, Path)), request_body = MeasureInput, security(("bearer" = [])),
    responses((status = 201, body = Measure),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "An unknown instrument, answers it does not take (`answers.value`, `answers.items`...), or `taken_at` not a past RFC 3339 time, each named")))]
pub async fn create_measure(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<MeasureInput>,
) -> Result<(StatusCode, Json<Measure>), WebError> {
    let measure = measures::record(state.app(), &caller.user, EpisodeId(id), &input).await?;
    tracing::info!(episode_id = id, instrument = %measure.instrument, "measure recorded");
    Ok((StatusCode::CREATED, Json(measure)))
}

/// An episode's measures, oldest first (staff, or the client themselves). Reading them is recorded in the
/// audit log.
#[utoipa::path(get, path = "/episodes/{id}/measures", tag = "records", operation_id = "listMeasures",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = MeasuresView),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)")))]
pub async fn list_measures(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Json<MeasuresView>, WebError> {
    let measures = measures::of_episode(state.app(), &caller.user, EpisodeId(id)).await?;
    Ok(Json(MeasuresView { measures }))
}

/// The instruments a measure may be taken on: the built-ins' scoring and the definitions the clinic loaded
/// (staff).
#[utoipa::path(get, path = "/instruments", tag = "records", operation_id = "listInstruments",
    security(("bearer" = [])), responses((status = 200, body = InstrumentsView)))]
pub async fn list_instruments(
    State(state): State<AppState>,
    Staff(_caller): Staff,
) -> Result<Json<InstrumentsView>, WebError> {
    Ok(Json(InstrumentsView { instruments: measures::instruments(state.app()).await? }))
}

/// Load an instrument definition (managers): its items, answer scores, scoring rule and important change;
/// one of the same key is replaced. A clinic holding a licence adds ODI or RMDQ this way, without code.
#[utoipa::path(post, path = "/instruments", tag = "records", operation_id = "loadInstrument",
    request_body = InstrumentDefinition, security(("bearer" = [])),
    responses((status = 201, body = InstrumentDefinition),
        (status = 422, body = ErrorBody, description = "The definition breaks a rule (`key` taken by a built-in, `items[2].answers`...), each named")))]
pub async fn load_instrument(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppJson(definition): AppJson<InstrumentDefinition>,
) -> Result<(StatusCode, Json<InstrumentDefinition>), WebError> {
    measures::load_instrument(state.app(), &caller.user, &definition).await?;
    tracing::info!(key = %definition.key, "instrument loaded");
    Ok((StatusCode::CREATED, Json(definition)))
}
