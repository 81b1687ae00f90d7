//! The care-records port: episodes, plan versions, SOAP notes and their amendments, home programs and the
//! client's exercise logs, outcome measures, referral letters, and the instruments a clinic loaded.
//!
//! Every change is written with its [`AuditEvent`] in one transaction under the audit lock, like the
//! clients port. A signed note or referral is never changed: the store refuses it (`Conflict { field:
//! "status" }`) and the database's triggers refuse it too, so not even a hand-written UPDATE changes one.
//! Plans, programs, exercise logs and measures are only ever added to (the triggers refuse the rest).
//!
//! A create's event may leave `record_id` empty, since the caller cannot know the new row's id: the store
//! then records the row it made (its id; `episode/version` for a plan, `program/YYYY-MM-DD` for a log).
//! A refused change (not found, a conflict) writes nothing, its audit entry included.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::intake::{AuditEvent, ClientId};
use knead_core::notify::NewJob;
use knead_core::records::exercises::ExerciseLog;
use knead_core::records::note::NoteContent;
use knead_core::records::plan::PlanDraft;
use knead_core::records::referral::ReferralContent;
use knead_core::records::{
    Episode, EpisodeDraft, EpisodeId, EpisodeStatus, HomeProgram, InstrumentDefinition, Measure, MeasureId, NoteId,
    Prescription, ProgramId, Referral, ReferralId, Score, SoapNote, TreatmentPlan,
};
use knead_core::{TherapistId, UserId};

/// A measure ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureDraft {
    pub episode: EpisodeId,
    pub instrument: String,
    pub answers: serde_json::Value,
    pub score: Score,
    pub taken_at: Timestamp,
    pub recorded_by: Option<UserId>,
    /// Staff notices the measure causes (a records alert), written in its transaction.
    pub notices: Vec<NewJob>,
}

/// A new note: a draft by its author.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteDraft {
    pub episode: EpisodeId,
    pub content: NoteContent,
    pub therapist: Option<TherapistId>,
    pub author: UserId,
}

#[async_trait]
pub trait RecordStore: Send + Sync {
    async fn create_episode(&self, draft: &EpisodeDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Episode>;
    async fn episode(&self, id: EpisodeId) -> StoreResult<Episode>;
    /// The client's episodes, newest first.
    async fn client_episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>>;
    /// Active episodes, of one therapist or all, oldest first (for the dashboards' alerts).
    async fn active_episodes(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<Episode>>;
    async fn set_episode_status(
        &self,
        id: EpisodeId,
        status: EpisodeStatus,
        audit: &AuditEvent,
    ) -> StoreResult<Episode>;

    /// Adds the episode's next plan version (numbered from 1 by the store).
    async fn add_plan(
        &self,
        episode: EpisodeId,
        plan: &PlanDraft,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<TreatmentPlan>;
    /// Every plan version, newest first.
    async fn plans(&self, episode: EpisodeId) -> StoreResult<Vec<TreatmentPlan>>;

    async fn create_note(&self, draft: &NoteDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<SoapNote>;
    async fn note(&self, id: NoteId) -> StoreResult<SoapNote>;
    /// Replaces a draft's content; `Conflict { field: "status" }` when it is signed.
    async fn update_draft(&self, id: NoteId, content: &NoteContent, audit: &AuditEvent) -> StoreResult<SoapNote>;
    /// Signs a draft, storing the content's digest; `Conflict { field: "status" }` when already signed.
    async fn sign_note(
        &self,
        id: NoteId,
        by: UserId,
        now: Timestamp,
        digest: &str,
        audit: &AuditEvent,
    ) -> StoreResult<SoapNote>;
    /// Adds a signed amendment of a signed note (the newest version of it), linked to it with who, when and
    /// why; the original stays as it was. `Conflict { field: "status" }` when `of` is a draft or already
    /// amended (amend the newest version).
    #[allow(clippy::too_many_arguments)] // The note, its correction and its signature, as `sign_note` has.
    async fn amend_note(
        &self,
        of: NoteId,
        content: &NoteContent,
        reason: &str,
        by: UserId,
        now: Timestamp,
        digest: &str,
        audit: &AuditEvent,
    ) -> StoreResult<SoapNote>;
    /// Every note version of the episode, newest first (amended versions included).
    async fn episode_notes(&self, episode: EpisodeId) -> StoreResult<Vec<SoapNote>>;
    /// Drafts created before `before`, of one author or all, oldest first.
    async fn unsigned_notes(&self, author: Option<UserId>, before: Timestamp) -> StoreResult<Vec<SoapNote>>;
    /// Every signed note version, by id, for `knead audit verify` (id, digest recorded, content now).
    async fn signed_notes(&self) -> StoreResult<Vec<SoapNote>>;

    async fn add_program(
        &self,
        episode: EpisodeId,
        exercises: &[Prescription],
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<HomeProgram>;
    async fn program(&self, id: ProgramId) -> StoreResult<HomeProgram>;
    /// The episode's programs, newest (the current one) first.
    async fn programs(&self, episode: EpisodeId) -> StoreResult<Vec<HomeProgram>>;
    /// One log per program and day: `Conflict { field: "on" }` for a second.
    async fn add_exercise_log(&self, log: &ExerciseLog, audit: &AuditEvent) -> StoreResult<ExerciseLog>;
    /// The program's logs from `from` on, oldest first.
    async fn exercise_logs(&self, program: ProgramId, from: Date) -> StoreResult<Vec<ExerciseLog>>;

    async fn add_measure(&self, measure: &MeasureDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Measure>;
    async fn measure(&self, id: MeasureId) -> StoreResult<Measure>;
    /// The episode's measures by `taken_at`, oldest first.
    async fn measures(&self, episode: EpisodeId) -> StoreResult<Vec<Measure>>;

    async fn create_referral(
        &self,
        episode: EpisodeId,
        content: &ReferralContent,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral>;
    async fn referral(&self, id: ReferralId) -> StoreResult<Referral>;
    /// Replaces a draft's content; `Conflict { field: "status" }` when signed.
    async fn update_referral(
        &self,
        id: ReferralId,
        content: &ReferralContent,
        audit: &AuditEvent,
    ) -> StoreResult<Referral>;
    /// Signs a draft with the signer's printed name; `Conflict { field: "status" }` when already signed.
    async fn sign_referral(
        &self,
        id: ReferralId,
        by: UserId,
        name: &str,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral>;
    /// The episode's referrals, newest first.
    async fn referrals(&self, episode: EpisodeId) -> StoreResult<Vec<Referral>>;

    /// Adds or replaces a loaded instrument (by key).
    async fn save_instrument(&self, definition: &InstrumentDefinition, now: Timestamp) -> StoreResult<()>;
    /// Every loaded instrument, by key.
    async fn instruments(&self) -> StoreResult<Vec<InstrumentDefinition>>;
}
