//! Home-care programs: prescribed by staff from the library, seen and logged by the client.

use crate::{App, AppResult};
use knead_core::records::exercises::{Adherence, ExerciseLog};
use knead_core::records::{Episode, EpisodeId, ExerciseLogInput, HomeProgram, Measure, ProgramId, ProgramInput};
use knead_core::User;

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
    let _ = (app, staff, episode, input);
    todo!("app: prescribe")
}

/// The signed-in client's current programs (one per active episode that has one). One audit entry (read).
pub async fn own(app: &App, client: &User) -> AppResult<Vec<OwnProgram>> {
    let _ = (app, client);
    todo!("app: own programs")
}

/// The client logs a day of their program. One audit entry (create).
pub async fn log_day(app: &App, client: &User, program: ProgramId, input: &ExerciseLogInput) -> AppResult<ExerciseLog> {
    let _ = (app, client, program, input);
    todo!("app: log day")
}
