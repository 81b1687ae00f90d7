//! Episodes of care and what the therapist sees on one: the plan, the notes, the measures, the program,
//! the referrals and the policy's response, read as one record.

use super::access::{event, health_of, response_of, staff_episode, staff_only, visible_client, visible_episode};
use crate::clients::therapist_of;
use crate::{App, AppError, AppResult};
use knead_core::calendar::local_date;
use knead_core::intake::{Action, ClientId, Precaution};
use knead_core::records::episode::EpisodeDraft;
use knead_core::records::exercises::adherence;
use knead_core::records::exercises::{Adherence, ExerciseLog};
use knead_core::records::plan::PlanInput;
use knead_core::records::{
    Episode, EpisodeId, EpisodeInput, EpisodeStatus, HomeProgram, Measure, Referral, Response, SoapNote, TreatmentPlan,
};
use knead_core::{Role, User};

/// An episode with everything recorded on it.
#[derive(Debug, Clone)]
pub struct EpisodeFile {
    pub episode: Episode,
    pub client_name: String,
    pub response: Response,
    /// Plan versions, newest first.
    pub plans: Vec<TreatmentPlan>,
    /// Note versions, newest first.
    pub notes: Vec<SoapNote>,
    /// Measures, oldest first.
    pub measures: Vec<Measure>,
    /// Programs, the current one first.
    pub programs: Vec<HomeProgram>,
    /// The current program's logs, oldest first.
    pub logs: Vec<ExerciseLog>,
    pub referrals: Vec<Referral>,
    /// The client's precautions from their latest health history.
    pub precautions: Vec<Precaution>,
}

/// An episode whose response asks the therapist to act.
#[derive(Debug, Clone)]
pub struct Alert {
    pub episode: Episode,
    pub client_name: String,
    pub response: Response,
}

/// Staff open an episode for a client they may see. One audit entry (create).
pub async fn open(app: &App, staff: &User, client: ClientId, input: &EpisodeInput) -> AppResult<Episode> {
    staff_only(staff, "client")?;
    let record = visible_client(app, staff, client).await?;
    let settings = app.store().practice_settings().await?;
    let (condition, side, started_on, given_care) = input.validate(local_date(settings.zone(), app.now()))?;
    let other_care = match given_care {
        Some(care) => care,
        None => match app.store().intakes(client).await?.into_iter().next() {
            Some(v) => v.history.answers().other_care.clone(),
            None => Default::default(),
        },
    };
    let therapist = match input.therapist_id {
        Some(id) => {
            // A therapist opens episodes for themselves; a manager names any therapist who exists.
            let me = therapist_of(app, staff).await?;
            if staff.role == Role::Therapist && me != Some(id) {
                return Err(AppError::field(
                    "not_allowed",
                    "therapist_id",
                    "a therapist opens episodes for themselves",
                ));
            }
            if app.store().therapist(id).await.is_err() {
                return Err(AppError::field("unknown", "therapist_id", "no therapist has this id"));
            }
            Some(id)
        }
        None => therapist_of(app, staff).await?,
    };
    let draft = EpisodeDraft { client, condition, side, started_on, other_care, therapist, created_by: staff.id };
    let audit = super::access::create_new(app, staff, record.id, "episode");
    Ok(app.store().create_episode(&draft, app.now(), &audit).await?)
}

/// The episode with everything on it, for staff who may see its client. One audit entry (read).
pub async fn file(app: &App, viewer: &User, id: EpisodeId) -> AppResult<EpisodeFile> {
    let (episode, client) = staff_episode(app, viewer, id).await?;
    let file = gather(app, episode, client.name).await?;
    crate::clients::record_read(app, Some(viewer), Some(file.episode.client_id), "episode_file", id.to_string())
        .await?;
    Ok(file)
}

/// Everything on an episode, read without an audit entry (the caller records the one read).
pub(crate) async fn gather(app: &App, episode: Episode, client_name: String) -> AppResult<EpisodeFile> {
    let store = app.store();
    let id = episode.id;
    let plans = store.plans(id).await?;
    let notes = store.episode_notes(id).await?;
    let measures = store.measures(id).await?;
    let programs = store.programs(id).await?;
    let logs = match programs.first() {
        Some(current) => {
            let from = local_date(store.practice_settings().await?.zone(), current.created_at);
            store.exercise_logs(current.id, from).await?
        }
        None => Vec::new(),
    };
    let referrals = store.referrals(id).await?;
    let (precautions, _) = health_of(app, episode.client_id).await?;
    let response = response_of(app, &episode, &measures).await?;
    Ok(EpisodeFile { episode, client_name, response, plans, notes, measures, programs, logs, referrals, precautions })
}

/// The episode alone with its response (the API's `GET /episodes/{id}`). One audit entry (read).
pub async fn get(app: &App, viewer: &User, id: EpisodeId) -> AppResult<(Episode, Response)> {
    let (episode, _) = visible_episode(app, viewer, id).await?;
    let measures = app.store().measures(id).await?;
    let response = response_of(app, &episode, &measures).await?;
    crate::clients::record_read(app, Some(viewer), Some(episode.client_id), "episode", id.to_string()).await?;
    Ok((episode, response))
}

/// A client's episodes, newest first, for staff or the client themselves. One audit entry (read).
pub async fn of_client(app: &App, viewer: &User, client: ClientId) -> AppResult<Vec<(Episode, Response)>> {
    visible_client(app, viewer, client).await?;
    let mut out = Vec::new();
    for episode in app.store().client_episodes(client).await? {
        let measures = app.store().measures(episode.id).await?;
        let response = response_of(app, &episode, &measures).await?;
        out.push((episode, response));
    }
    let ids = out.iter().map(|(e, _)| e.id.to_string()).collect::<Vec<_>>().join(",");
    crate::clients::record_read(app, Some(viewer), Some(client), "episode", ids).await?;
    Ok(out)
}

/// Discharges or refers an episode (or reopens it). One audit entry (change).
pub async fn set_status(app: &App, staff: &User, id: EpisodeId, status: EpisodeStatus) -> AppResult<Episode> {
    let (episode, _) = staff_episode(app, staff, id).await?;
    let audit = event(app, staff, episode.client_id, Action::Change, "episode", id.to_string());
    Ok(app.store().set_episode_status(id, status, &audit).await?)
}

/// A new plan version, validated against the client's precautions, with the consent it carries. One audit
/// entry (create).
pub async fn save_plan(app: &App, staff: &User, id: EpisodeId, input: &PlanInput) -> AppResult<TreatmentPlan> {
    let (episode, _) = staff_episode(app, staff, id).await?;
    let store = app.store();
    let today = local_date(store.practice_settings().await?.zone(), app.now());
    let (precautions, _) = health_of(app, episode.client_id).await?;
    let draft = input.validate(today, &precautions)?;
    // The version the store will give it, for the entry; the store numbers it under its own lock.
    let next = store.plans(id).await?.first().map_or(1, |p| p.version + 1);
    let audit = event(app, staff, episode.client_id, Action::Create, "plan", format!("{id}/{next}"));
    Ok(store.add_plan(id, &draft, staff.id, app.now(), &audit).await?)
}

/// Active episodes whose response asks for action: a therapist's own, or every one for a manager. Not a
/// read of a record (the dashboard shows the status, not the health information), so not audited.
pub async fn alerts(app: &App, staff: &User) -> AppResult<Vec<Alert>> {
    let therapist = match staff.role {
        Role::Manager => None,
        Role::Therapist => match therapist_of(app, staff).await? {
            Some(me) => Some(me),
            None => return Ok(Vec::new()),
        },
        Role::Client => return Err(AppError::NotFound { what: "episode" }),
    };
    let mut out = Vec::new();
    for episode in app.store().active_episodes(therapist).await? {
        let measures = app.store().measures(episode.id).await?;
        let response = response_of(app, &episode, &measures).await?;
        if response.status.needs_action() {
            let client_name = app.store().client(episode.client_id).await?.name;
            out.push(Alert { episode, client_name, response });
        }
    }
    Ok(out)
}

/// Adherence to the episode's current program since the last signed note (or the program's start).
pub fn adherence_since_last_note(file: &EpisodeFile) -> Option<Adherence> {
    let program = file.programs.first()?;
    let program_start = program.created_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let last_signed = file
        .notes
        .iter()
        .filter(|n| n.amends.is_none())
        .filter_map(|n| n.signed_at.map(|_| n.content.started_at))
        .max()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let from = last_signed.map_or(program_start, |d| d.max(program_start));
    let to = file.logs.iter().map(|l| l.on).max().unwrap_or(from).max(from);
    Some(adherence(program, &file.logs, from, to))
}
