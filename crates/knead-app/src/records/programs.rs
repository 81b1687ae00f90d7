//! Home-care programs: prescribed by staff from the library, seen and logged by the client.

use super::access::{create_in_episode, event, health_of, staff_episode};
use crate::clients::{own_record, record_read};
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::calendar::local_date;
use knead_core::intake::Action;
use knead_core::records::exercises::{adherence, Adherence, ExerciseLog};
use knead_core::records::{
    Episode, EpisodeId, EpisodeStatus, ExerciseLogInput, HomeProgram, Measure, ProgramId, ProgramInput,
};
use knead_core::{Role, User};
use knead_store::StoreError;

/// A client's current program on one of their episodes, with their logs and the episode's measures (for
/// the chart on their page).
#[derive(Debug, Clone)]
pub struct OwnProgram {
    pub episode: Episode,
    pub program: HomeProgram,
    pub logs: Vec<ExerciseLog>,
    pub adherence: Adherence,
    pub measures: Vec<Measure>,
}

/// Prescribes a program (a new version; the newest is current), refusing exercises the client's
/// precautions or answers exclude. One audit entry (create).
pub async fn prescribe(app: &App, staff: &User, episode: EpisodeId, input: &ProgramInput) -> AppResult<HomeProgram> {
    let (found, _) = staff_episode(app, staff, episode).await?;
    let (precautions, yes) = health_of(app, found.client_id).await?;
    let yes: Vec<&str> = yes.iter().map(String::as_str).collect();
    let exercises = input.validate(&precautions, &yes)?;
    let audit = create_in_episode(app, staff, &found, "program");
    Ok(app.store().add_program(episode, &exercises, staff.id, app.now(), &audit).await?)
}

/// How far back the client's page shows their logs and adherence.
const OWN_DAYS: i64 = 28;

/// The signed-in client's current programs (one per active episode that has one). One audit entry (read).
pub async fn own(app: &App, client: &User) -> AppResult<Vec<OwnProgram>> {
    let me = own_record(app, client).await?;
    let store = app.store();
    let today = local_date(store.practice_settings().await?.zone(), app.now());
    let mut out = Vec::new();
    for episode in store.client_episodes(me.id).await? {
        if episode.status != EpisodeStatus::Active {
            continue;
        }
        let Some(program) = store.programs(episode.id).await?.into_iter().next() else {
            continue;
        };
        let started = local_date(store.practice_settings().await?.zone(), program.created_at);
        let from = started.max(today.saturating_sub(jiff::Span::new().days(OWN_DAYS - 1)));
        let logs = store.exercise_logs(program.id, from).await?;
        let adherence = adherence(&program, &logs, from, today.max(from));
        let measures = store.measures(episode.id).await?;
        out.push(OwnProgram { episode, program, logs, adherence, measures });
    }
    let ids = out.iter().map(|p| p.program.id.to_string()).collect::<Vec<_>>().join(",");
    record_read(app, Some(client), Some(me.id), "program", ids).await?;
    Ok(out)
}

/// The client logs a day of their program. One audit entry (create).
pub async fn log_day(app: &App, client: &User, program: ProgramId, input: &ExerciseLogInput) -> AppResult<ExerciseLog> {
    if client.role != Role::Client {
        return Err(AppError::NotFound { what: "program" });
    }
    let me = own_record(app, client).await?;
    let store = app.store();
    let found = store.program(program).await.not_found_as("program")?;
    let episode = store.episode(found.episode_id).await.not_found_as("program")?;
    if episode.client_id != me.id {
        return Err(AppError::NotFound { what: "program" });
    }
    let today = local_date(store.practice_settings().await?.zone(), app.now());
    let (on, done, pain, note) = input.validate(&found, today)?;
    let log = ExerciseLog { program_id: program, on, done, pain, note, created_at: app.now() };
    let audit = event(app, client, me.id, Action::Create, "exercise_log", format!("{program}/{on}"));
    store.add_exercise_log(&log, &audit).await.map_err(|e| match e {
        StoreError::Conflict { .. } => AppError::field("already_logged", "on", "this day is already logged"),
        other => other.into(),
    })
}
