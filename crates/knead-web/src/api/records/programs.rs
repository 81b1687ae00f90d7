//! Home programs in the API: prescribed by staff, seen and logged by the client.

use super::super::Staff;
use crate::auth::SignedIn;
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::records::programs;
use knead_core::records::exercises::{Adherence, ExerciseLog};
use knead_core::records::{Episode, EpisodeId, ExerciseLogInput, HomeProgram, Measure, ProgramId, ProgramInput};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_program)).routes(routes!(own_programs)).routes(routes!(log_day))
}

/// A client's current program on one of their episodes, as their page shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnProgramView {
    pub episode: Episode,
    pub program: HomeProgram,
    /// The last four weeks' logs, oldest first.
    pub logs: Vec<ExerciseLog>,
    pub adherence: Adherence,
    /// The episode's measures, oldest first (the chart).
    pub measures: Vec<Measure>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnProgramsView {
    pub programs: Vec<OwnProgramView>,
}

/// Prescribe a home program on an episode (staff): exercises from the library with sets, reps, hold and
/// frequency. It becomes the current program; an exercise the client's precautions or answers rule out is
/// refused, naming it and why. Recorded in the audit log.
#[utoipa::path(post, path = "/episodes/{id}/programs", tag = "records", operation_id = "createProgram",
    params(("id" = i64, Path)), request_body = ProgramInput, security(("bearer" = [])),
    responses((status = 201, body = HomeProgram),
        (status = 404, body = ErrorBody, description = "No such episode, or not one the caller may see (the same answer)"),
        (status = 422, body = ErrorBody, description = "An unknown or excluded exercise, or a dose out of range (`exercises[1].sets`...), each named")))]
pub async fn create_program(
    State(state): State<AppState>,
    Staff(caller): Staff,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ProgramInput>,
) -> Result<(StatusCode, Json<HomeProgram>), WebError> {
    let program = programs::prescribe(state.app(), &caller.user, EpisodeId(id), &input).await?;
    tracing::info!(program_id = program.id.0, episode_id = id, "program prescribed");
    Ok((StatusCode::CREATED, Json(program)))
}

/// The signed-in client's current programs, one per active episode that has one, with their logs,
/// adherence and measures. Reading them is recorded in the audit log.
#[utoipa::path(get, path = "/me/programs", tag = "records", operation_id = "listOwnPrograms",
    security(("bearer" = [])), responses((status = 200, body = OwnProgramsView),
        (status = 404, body = ErrorBody, description = "The caller is not a client")))]
pub async fn own_programs(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<OwnProgramsView>, WebError> {
    let own = programs::own(state.app(), &caller.user).await?;
    let programs = own
        .into_iter()
        .map(|p| OwnProgramView {
            episode: p.episode,
            program: p.program,
            logs: p.logs,
            adherence: p.adherence,
            measures: p.measures,
        })
        .collect();
    Ok(Json(OwnProgramsView { programs }))
}

/// Log a day of the program (the client it is prescribed to): the exercises done and the day's pain. One
/// log a day. Recorded in the audit log.
#[utoipa::path(post, path = "/programs/{id}/logs", tag = "records", operation_id = "createExerciseLog",
    params(("id" = i64, Path)), request_body = ExerciseLogInput, security(("bearer" = [])),
    responses((status = 201, body = ExerciseLog),
        (status = 404, body = ErrorBody, description = "No such program, or not the caller's (the same answer)"),
        (status = 422, body = ErrorBody, description = "A field is not valid (`on` more than 14 days back or in the future, `done[0]` not in the program, `pain`), or the day is already logged (`already_logged`)")))]
pub async fn log_day(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ExerciseLogInput>,
) -> Result<(StatusCode, Json<ExerciseLog>), WebError> {
    let log = programs::log_day(state.app(), &caller.user, ProgramId(id), &input).await?;
    tracing::info!(program_id = id, "exercise day logged");
    Ok((StatusCode::CREATED, Json(log)))
}
