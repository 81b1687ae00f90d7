//! Outcome measures and the instruments they are taken on.

use super::access::{create_in_episode, response_of, visible_episode};
use crate::{App, AppError, AppResult};
use knead_core::notify::{JobKind, NewJob};
use knead_core::records::instruments::{score, ImportantChange, ScoringRule, NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::{Episode, EpisodeId, EpisodeStatus, InstrumentDefinition, Measure, MeasureId, MeasureInput};
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
    let mut draft = MeasureDraft {
        episode,
        instrument: input.instrument.clone(),
        answers: input.answers.clone(),
        score,
        taken_at,
        recorded_by: Some(by.id),
        notices: Vec::new(),
    };
    draft.notices = alert_notices(app, &found, &draft).await?;
    let audit = create_in_episode(app, by, &found, "measure");
    let stored = app.store().add_measure(&draft, app.now(), &audit).await?;
    if !draft.notices.is_empty() {
        app.jobs_added();
    }
    Ok(stored)
}

/// A records alert for the episode's therapist when this measure turns the policy's verdict into one that
/// asks for action (it asked for something else, or nothing, before). Judged on the measures as read now: two
/// measures recorded at the same instant may both tell, or neither; the dashboard's alerts are always
/// computed afresh, so nothing is lost but the email.
async fn alert_notices(app: &App, episode: &Episode, draft: &MeasureDraft) -> AppResult<Vec<NewJob>> {
    if episode.status != EpisodeStatus::Active {
        return Ok(Vec::new());
    }
    let mut measures = app.store().measures(episode.id).await?;
    let before = response_of(app, episode, &measures).await?.status;
    measures.push(Measure {
        id: MeasureId(0),
        episode_id: episode.id,
        instrument: draft.instrument.clone(),
        answers: draft.answers.clone(),
        score: draft.score.clone(),
        taken_at: draft.taken_at,
        recorded_by: draft.recorded_by,
        created_at: app.now(),
    });
    measures.sort_by_key(|m| m.taken_at);
    let after = response_of(app, episode, &measures).await?.status;
    if !after.newly_needs_action(before) {
        return Ok(Vec::new());
    }
    Ok(vec![NewJob {
        therapist_id: episode.therapist_id,
        episode_id: Some(episode.id),
        ..NewJob::now(JobKind::RecordAlert, app.now())
    }])
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
