//! Outcome measures and the instruments they are taken on.

use super::access::{create_in_episode, visible_episode};
use crate::{App, AppError, AppResult};
use knead_core::records::instruments::{score, ImportantChange, ScoringRule, NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::{EpisodeId, InstrumentDefinition, Measure, MeasureInput};
use knead_core::{Role, User};
use knead_store::MeasureDraft;

/// What a client records on their own episode: their pain and their activities, never a stratification or
/// a clinician's instrument.
const CLIENT_INSTRUMENTS: [&str; 3] = [NPRS_LEG, NPRS_BACK, PSFS];

/// Records a measure on an episode (staff, or the client themselves for their own NPRS and PSFS), scored
/// on the built-in or loaded instrument. One audit entry (create).
pub async fn record(app: &App, by: &User, episode: EpisodeId, input: &MeasureInput) -> AppResult<Measure> {
    let (found, _) = visible_episode(app, by, episode).await?;
    if by.role == Role::Client && !CLIENT_INSTRUMENTS.contains(&input.instrument.as_str()) {
        return Err(AppError::field(
            "not_allowed",
            "instrument",
            format!("a client records only: {}", CLIENT_INSTRUMENTS.join(", ")),
        ));
    }
    let loaded = app.store().instruments().await?;
    let scored = score(&input.instrument, &input.answers, &loaded);
    let taken_at = taken_at(app, input.taken_at.as_deref());
    let (score, taken_at) = match (scored, taken_at) {
        (Ok(s), Ok(t)) => (s, t),
        (scored, taken_at) => {
            let mut errors = scored.err().unwrap_or_default();
            if let Err(e) = taken_at {
                errors.push(e);
            }
            return Err(errors.into());
        }
    };
    let draft = MeasureDraft {
        episode,
        instrument: input.instrument.clone(),
        answers: input.answers.clone(),
        score,
        taken_at,
        recorded_by: Some(by.id),
    };
    let audit = create_in_episode(app, by, &found, "measure");
    Ok(app.store().add_measure(&draft, app.now(), &audit).await?)
}

/// An episode's measures, oldest first, for staff who may see it or the client themselves. One audit
/// entry (read).
pub async fn of_episode(app: &App, viewer: &User, episode: EpisodeId) -> AppResult<Vec<Measure>> {
    let (found, _) = visible_episode(app, viewer, episode).await?;
    let measures = app.store().measures(episode).await?;
    crate::clients::record_read(app, Some(viewer), Some(found.client_id), "measures", episode.to_string()).await?;
    Ok(measures)
}

/// When a measure was taken: now when left out, otherwise an RFC 3339 time no later than a minute from now.
fn taken_at(app: &App, text: Option<&str>) -> Result<jiff::Timestamp, knead_core::FieldError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(app.now());
    };
    let at: jiff::Timestamp = text.parse().map_err(|_| {
        knead_core::FieldError::new("invalid", "taken_at", "must be a time in RFC 3339, e.g. 2026-11-02T10:00:00Z")
    })?;
    if at > app.now() + jiff::SignedDuration::from_mins(1) {
        return Err(knead_core::FieldError::new("out_of_range", "taken_at", "must not be in the future"));
    }
    Ok(at)
}

/// The built-in instruments as definitions: their scoring and thresholds only (no item text ships).
fn builtins() -> Vec<InstrumentDefinition> {
    let def =
        |key: &str, name: &str, lower_is_better, change, function_measure, loinc: Option<&str>| InstrumentDefinition {
            key: key.to_string(),
            name: name.to_string(),
            copyright: String::new(),
            items: Vec::new(),
            scoring: ScoringRule::Sum,
            min_answered: None,
            lower_is_better,
            important_change: change,
            function_measure,
            loinc: loinc.map(str::to_string),
        };
    let nprs = ImportantChange { points: Some(2.0), percent: Some(30.0) };
    vec![
        def(NPRS_LEG, "Leg pain (NPRS 0-10)", true, nprs, false, Some("72514-3")),
        def(NPRS_BACK, "Back pain (NPRS 0-10)", true, nprs, false, Some("72514-3")),
        def(
            PSFS,
            "Patient-Specific Functional Scale",
            false,
            ImportantChange { points: Some(2.0), percent: None },
            true,
            None,
        ),
        def(
            STARTBACK,
            "Keele STarT Back",
            true,
            ImportantChange { points: None, percent: None },
            false,
            Some("91351-7"),
        ),
    ]
}

/// Every instrument a measure may be taken on: the built-ins' definitions (scoring only) and the loaded.
pub async fn instruments(app: &App) -> AppResult<Vec<InstrumentDefinition>> {
    let mut all = builtins();
    all.extend(app.store().instruments().await?);
    Ok(all)
}

/// A manager loads an instrument definition file (JSON): validated, then added or replacing one of the
/// same key.
pub async fn load_instrument(app: &App, manager: &User, definition: &InstrumentDefinition) -> AppResult<()> {
    if manager.role != Role::Manager {
        return Err(AppError::NotFound { what: "instrument" });
    }
    definition.validate()?;
    Ok(app.store().save_instrument(definition, app.now()).await?)
}

/// Loads a definition file from its JSON text (the CLI's path): a parse error names the line and column.
pub async fn load_instrument_json(app: &App, json: &str) -> AppResult<InstrumentDefinition> {
    let definition: InstrumentDefinition = serde_json::from_str(json).map_err(|e| {
        AppError::field("invalid_json", "file", format!("line {}, column {}: {e}", e.line(), e.column()))
    })?;
    definition.validate()?;
    app.store().save_instrument(&definition, app.now()).await?;
    Ok(definition)
}
