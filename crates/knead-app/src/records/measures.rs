//! Outcome measures and the instruments they are taken on.

use crate::{App, AppResult};
use knead_core::records::{EpisodeId, InstrumentDefinition, Measure, MeasureInput};
use knead_core::User;

/// Records a measure on an episode (staff, or the client themselves for their own NPRS and PSFS), scored
/// on the built-in or loaded instrument. One audit entry (create).
pub async fn record(app: &App, by: &User, episode: EpisodeId, input: &MeasureInput) -> AppResult<Measure> {
    let _ = (app, by, episode, input);
    todo!("app: record measure")
}

/// Every instrument a measure may be taken on: the built-ins' definitions (scoring only) and the loaded.
pub async fn instruments(app: &App) -> AppResult<Vec<InstrumentDefinition>> {
    let _ = app;
    todo!("app: instruments")
}

/// A manager loads an instrument definition file (JSON): validated, then added or replacing one of the
/// same key.
pub async fn load_instrument(app: &App, manager: &User, definition: &InstrumentDefinition) -> AppResult<()> {
    let _ = (app, manager, definition);
    todo!("app: load instrument")
}

/// Loads a definition file from its JSON text (the CLI's path): a parse error names the line and column.
pub async fn load_instrument_json(app: &App, json: &str) -> AppResult<InstrumentDefinition> {
    let _ = (app, json);
    todo!("app: load instrument json")
}
