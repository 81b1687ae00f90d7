//! Who may reach an episode, the audit events the records write, and what the policy is told beyond the
//! measures: the helpers every records use case shares.

use crate::clients::{may_see, therapist_of};
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::intake::{precautions, Action, AuditEvent, Client, ClientId, Precaution, ScreeningRecord};
use knead_core::records::instruments::{StartBackRisk, STARTBACK};
use knead_core::records::response::{assess, Signals};
use knead_core::records::{Episode, EpisodeId, Measure, Response, Score};
use knead_core::{Role, User};

/// The screening answers that speak of the nerves: a later screening raising one of these that the
/// baseline did not is "new or worsening neurological symptoms" for the policy.
pub(crate) const NERVE_FIELDS: [&str; 7] = [
    "saddle_numbness",
    "bladder_change",
    "bowel_change",
    "sexual_change",
    "bilateral_leg_symptoms",
    "gait_disturbance",
    "progressive_weakness",
];

pub(crate) fn is_staff(user: &User) -> bool {
    matches!(user.role, Role::Manager | Role::Therapist)
}

/// `NotFound` unless `user` is staff: the same answer as an unknown record.
pub(crate) fn staff_only(user: &User, what: &'static str) -> AppResult<()> {
    if is_staff(user) {
        Ok(())
    } else {
        Err(AppError::NotFound { what })
    }
}

/// Whether `viewer` may see this episode: a manager any; a therapist their own clients' (a booking with a
/// visit of theirs, or an episode they are responsible for); a client their own.
pub(crate) async fn may_see_episode(app: &App, viewer: &User, episode: &Episode, client: &Client) -> AppResult<bool> {
    if may_see(app, viewer, client).await? {
        return Ok(true);
    }
    let Some(me) = therapist_of(app, viewer).await? else {
        return Ok(false);
    };
    if episode.therapist_id == Some(me) {
        return Ok(true);
    }
    Ok(app.store().client_episodes(client.id).await?.iter().any(|e| e.therapist_id == Some(me)))
}

/// The episode and its client if `viewer` may see it; `NotFound` otherwise.
pub(crate) async fn visible_episode(app: &App, viewer: &User, id: EpisodeId) -> AppResult<(Episode, Client)> {
    let episode = app.store().episode(id).await.not_found_as("episode")?;
    let client = app.store().client(episode.client_id).await.not_found_as("episode")?;
    if may_see_episode(app, viewer, &episode, &client).await? {
        Ok((episode, client))
    } else {
        Err(AppError::NotFound { what: "episode" })
    }
}

/// The client if `viewer` may see their records: as [`crate::clients::visible`], and for a therapist also a
/// client with an episode they are responsible for.
pub(crate) async fn visible_client(app: &App, viewer: &User, id: ClientId) -> AppResult<Client> {
    let client = app.store().client(id).await.not_found_as("client")?;
    if may_see(app, viewer, &client).await? {
        return Ok(client);
    }
    if let Some(me) = therapist_of(app, viewer).await? {
        if app.store().client_episodes(id).await?.iter().any(|e| e.therapist_id == Some(me)) {
            return Ok(client);
        }
    }
    Err(AppError::NotFound { what: "client" })
}

/// The episode if `staff` may see it and change it (clients never change their own record's episodes).
pub(crate) async fn staff_episode(app: &App, staff: &User, id: EpisodeId) -> AppResult<(Episode, Client)> {
    staff_only(staff, "episode")?;
    visible_episode(app, staff, id).await
}

/// An audit event of `action` on one record by `by`.
pub(crate) fn event(
    app: &App,
    by: &User,
    client: ClientId,
    action: Action,
    record: &'static str,
    record_id: String,
) -> AuditEvent {
    AuditEvent { at: app.now(), actor: Some(by.id), client: Some(client), action, record, record_id }
}

/// The event for a record the store numbers as it writes it: its `record_id` is left empty, and the store
/// names the new row in the entry it writes in the same transaction.
pub(crate) fn create_new(app: &App, by: &User, client: ClientId, record: &'static str) -> AuditEvent {
    event(app, by, client, Action::Create, record, String::new())
}

/// [`create_new`] for a record added to an episode.
pub(crate) fn create_in_episode(app: &App, by: &User, episode: &Episode, record: &'static str) -> AuditEvent {
    create_new(app, by, episode.client_id, record)
}

/// The name a signature prints: a therapist's profile name when the login has one, else the user's name.
pub(crate) async fn signer_name(app: &App, user: &User) -> AppResult<String> {
    if let Some(id) = therapist_of(app, user).await? {
        if let Ok(t) = app.store().therapist(id).await {
            return Ok(t.name);
        }
    }
    Ok(user.name.clone())
}

/// The client's precautions from their latest health history (the plan and the program are checked
/// against these), and the yes answers of that history and their latest screening.
pub(crate) async fn health_of(app: &App, client: ClientId) -> AppResult<(Vec<Precaution>, Vec<String>)> {
    let store = app.store();
    let intake = store.intakes(client).await?.into_iter().next();
    let screening = store.client_screenings(client).await?.into_iter().next();
    let found = precautions(intake.as_ref().map(|v| &v.history), None, screening.as_ref().map(|s| &s.assessment));
    let mut yes = Vec::new();
    if let Some(v) = &intake {
        yes.extend(yes_fields(serde_json::to_value(v.history.answers())));
    }
    if let Some(s) = &screening {
        yes.extend(yes_fields(serde_json::to_value(s.answers.input())));
    }
    Ok((found, yes))
}

/// The fields answered `true` in a form's answers (its JSON shape names them as the API does).
fn yes_fields(answers: serde_json::Result<serde_json::Value>) -> Vec<String> {
    match answers {
        Ok(serde_json::Value::Object(map)) => {
            map.into_iter().filter(|(_, v)| v == &serde_json::Value::Bool(true)).map(|(k, _)| k).collect()
        }
        _ => Vec::new(),
    }
}

/// The policy's verdict on the episode now, from its measures, the client's screenings and the practice's
/// thresholds. Reads nothing a person sees by itself, so it leaves no audit entry.
pub(crate) async fn response_of(app: &App, episode: &Episode, measures: &[Measure]) -> AppResult<Response> {
    let store = app.store();
    let settings = store.practice_settings().await?;
    let loaded = store.instruments().await?;
    let screenings = store.client_screenings(episode.client_id).await?;
    let signals = signals(measures, &screenings);
    Ok(assess(measures, signals, &settings.response_policy, &loaded))
}

/// What the measures alone do not say.
///
/// `new_neuro_symptoms`: a screening made after the episode's first measure raised a nerve-related answer
/// that no screening up to that measure raised (the baseline). Kept simple on purpose: it compares which
/// answers were raised, not how severe they were. `high_startback`: the episode's first STarT Back came
/// out high.
pub(crate) fn signals(measures: &[Measure], screenings: &[ScreeningRecord]) -> Signals {
    let first = measures.iter().map(|m| m.taken_at).min();
    let nerve = |s: &ScreeningRecord| -> Vec<String> {
        s.assessment
            .reasons
            .iter()
            .filter(|r| NERVE_FIELDS.contains(&r.field.as_str()))
            .map(|r| r.field.clone())
            .collect()
    };
    let new_neuro_symptoms = first.is_some_and(|start| {
        let baseline: Vec<String> = screenings.iter().filter(|s| s.created_at <= start).flat_map(nerve).collect();
        screenings.iter().filter(|s| s.created_at > start).flat_map(nerve).any(|f| !baseline.contains(&f))
    });
    let high_startback = measures
        .iter()
        .filter(|m| m.instrument == STARTBACK)
        .min_by_key(|m| m.taken_at)
        .is_some_and(|m| matches!(m.score, Score::StartBack { risk: StartBackRisk::High, .. }));
    Signals { new_neuro_symptoms, high_startback }
}
