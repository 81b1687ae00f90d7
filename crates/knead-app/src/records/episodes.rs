//! Episodes of care and what the therapist sees on one: the plan, the notes, the measures, the program,
//! the referrals and the policy's response, read as one record.

use crate::{App, AppResult};
use knead_core::intake::{ClientId, Precaution};
use knead_core::records::exercises::{Adherence, ExerciseLog};
use knead_core::records::plan::PlanInput;
use knead_core::records::{
    Episode, EpisodeId, EpisodeInput, EpisodeStatus, HomeProgram, Measure, Referral, Response, SoapNote, TreatmentPlan,
};
use knead_core::User;

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
    let _ = (app, staff, client, input);
    todo!("app: open episode")
}

/// The episode with everything on it, for staff who may see its client. One audit entry (read).
pub async fn file(app: &App, viewer: &User, id: EpisodeId) -> AppResult<EpisodeFile> {
    let _ = (app, viewer, id);
    todo!("app: episode file")
}

/// The episode alone with its response (the API's `GET /episodes/{id}`). One audit entry (read).
pub async fn get(app: &App, viewer: &User, id: EpisodeId) -> AppResult<(Episode, Response)> {
    let _ = (app, viewer, id);
    todo!("app: episode")
}

/// A client's episodes, newest first, for staff or the client themselves. One audit entry (read).
pub async fn of_client(app: &App, viewer: &User, client: ClientId) -> AppResult<Vec<(Episode, Response)>> {
    let _ = (app, viewer, client);
    todo!("app: client episodes")
}

/// Discharges or refers an episode (or reopens it). One audit entry (change).
pub async fn set_status(app: &App, staff: &User, id: EpisodeId, status: EpisodeStatus) -> AppResult<Episode> {
    let _ = (app, staff, id, status);
    todo!("app: episode status")
}

/// A new plan version, validated against the client's precautions, with the consent it carries. One audit
/// entry (create).
pub async fn save_plan(app: &App, staff: &User, id: EpisodeId, input: &PlanInput) -> AppResult<TreatmentPlan> {
    let _ = (app, staff, id, input);
    todo!("app: save plan")
}

/// Active episodes whose response asks for action: a therapist's own, or every one for a manager. Not a
/// read of a record (the dashboard shows the status, not the health information), so not audited.
pub async fn alerts(app: &App, staff: &User) -> AppResult<Vec<Alert>> {
    let _ = (app, staff);
    todo!("app: alerts")
}

/// Adherence to the episode's current program since the last signed note (or the program's start).
pub fn adherence_since_last_note(file: &EpisodeFile) -> Option<Adherence> {
    let _ = file;
    todo!("app: adherence since last note")
}
