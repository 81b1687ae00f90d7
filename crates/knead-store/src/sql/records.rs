//! The care-records port over SQL: episodes, plans, notes, programs and logs, measures, referrals and loaded
//! instruments, each change written with its audit entry in one transaction under the audit lock.

use super::SqlDatabase;
use crate::{MeasureDraft, NoteDraft, RecordStore, StoreResult};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::intake::{AuditEvent, ClientId};
use knead_core::records::exercises::ExerciseLog;
use knead_core::records::note::NoteContent;
use knead_core::records::plan::PlanDraft;
use knead_core::records::referral::ReferralContent;
use knead_core::records::{
    Episode, EpisodeDraft, EpisodeId, EpisodeStatus, HomeProgram, InstrumentDefinition, Measure, MeasureId, NoteId,
    Prescription, ProgramId, Referral, ReferralId, SoapNote, TreatmentPlan,
};
use knead_core::{TherapistId, UserId};

#[async_trait]
impl<D: SqlDatabase> RecordStore for D {
    #[allow(unused_variables)]
    async fn create_episode(&self, draft: &EpisodeDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Episode> {
        todo!("store: create_episode")
    }

    #[allow(unused_variables)]
    async fn episode(&self, id: EpisodeId) -> StoreResult<Episode> {
        todo!("store: episode")
    }

    #[allow(unused_variables)]
    async fn client_episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        todo!("store: client_episodes")
    }

    #[allow(unused_variables)]
    async fn active_episodes(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<Episode>> {
        todo!("store: active_episodes")
    }

    #[allow(unused_variables)]
    async fn set_episode_status(
        &self,
        id: EpisodeId,
        status: EpisodeStatus,
        audit: &AuditEvent,
    ) -> StoreResult<Episode> {
        todo!("store: set_episode_status")
    }

    #[allow(unused_variables)]
    async fn add_plan(
        &self,
        episode: EpisodeId,
        plan: &PlanDraft,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<TreatmentPlan> {
        todo!("store: add_plan")
    }

    #[allow(unused_variables)]
    async fn plans(&self, episode: EpisodeId) -> StoreResult<Vec<TreatmentPlan>> {
        todo!("store: plans")
    }

    #[allow(unused_variables)]
    async fn create_note(&self, draft: &NoteDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<SoapNote> {
        todo!("store: create_note")
    }

    #[allow(unused_variables)]
    async fn note(&self, id: NoteId) -> StoreResult<SoapNote> {
        todo!("store: note")
    }

    #[allow(unused_variables)]
    async fn update_draft(&self, id: NoteId, content: &NoteContent, audit: &AuditEvent) -> StoreResult<SoapNote> {
        todo!("store: update_draft")
    }

    #[allow(unused_variables)]
    async fn sign_note(
        &self,
        id: NoteId,
        by: UserId,
        now: Timestamp,
        digest: &str,
        audit: &AuditEvent,
    ) -> StoreResult<SoapNote> {
        todo!("store: sign_note")
    }

    #[allow(unused_variables)]
    async fn amend_note(
        &self,
        of: NoteId,
        content: &NoteContent,
        reason: &str,
        by: UserId,
        now: Timestamp,
        digest: &str,
        audit: &AuditEvent,
    ) -> StoreResult<SoapNote> {
        todo!("store: amend_note")
    }

    #[allow(unused_variables)]
    async fn episode_notes(&self, episode: EpisodeId) -> StoreResult<Vec<SoapNote>> {
        todo!("store: episode_notes")
    }

    #[allow(unused_variables)]
    async fn unsigned_notes(&self, author: Option<UserId>, before: Timestamp) -> StoreResult<Vec<SoapNote>> {
        todo!("store: unsigned_notes")
    }

    #[allow(unused_variables)]
    async fn signed_notes(&self) -> StoreResult<Vec<SoapNote>> {
        todo!("store: signed_notes")
    }

    #[allow(unused_variables)]
    async fn add_program(
        &self,
        episode: EpisodeId,
        exercises: &[Prescription],
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<HomeProgram> {
        todo!("store: add_program")
    }

    #[allow(unused_variables)]
    async fn program(&self, id: ProgramId) -> StoreResult<HomeProgram> {
        todo!("store: program")
    }

    #[allow(unused_variables)]
    async fn programs(&self, episode: EpisodeId) -> StoreResult<Vec<HomeProgram>> {
        todo!("store: programs")
    }

    #[allow(unused_variables)]
    async fn add_exercise_log(&self, log: &ExerciseLog, audit: &AuditEvent) -> StoreResult<ExerciseLog> {
        todo!("store: add_exercise_log")
    }

    #[allow(unused_variables)]
    async fn exercise_logs(&self, program: ProgramId, from: Date) -> StoreResult<Vec<ExerciseLog>> {
        todo!("store: exercise_logs")
    }

    #[allow(unused_variables)]
    async fn add_measure(&self, measure: &MeasureDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Measure> {
        todo!("store: add_measure")
    }

    #[allow(unused_variables)]
    async fn measure(&self, id: MeasureId) -> StoreResult<Measure> {
        todo!("store: measure")
    }

    #[allow(unused_variables)]
    async fn measures(&self, episode: EpisodeId) -> StoreResult<Vec<Measure>> {
        todo!("store: measures")
    }

    #[allow(unused_variables)]
    async fn create_referral(
        &self,
        episode: EpisodeId,
        content: &ReferralContent,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        todo!("store: create_referral")
    }

    #[allow(unused_variables)]
    async fn referral(&self, id: ReferralId) -> StoreResult<Referral> {
        todo!("store: referral")
    }

    #[allow(unused_variables)]
    async fn update_referral(
        &self,
        id: ReferralId,
        content: &ReferralContent,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        todo!("store: update_referral")
    }

    #[allow(unused_variables)]
    async fn sign_referral(
        &self,
        id: ReferralId,
        by: UserId,
        name: &str,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        todo!("store: sign_referral")
    }

    #[allow(unused_variables)]
    async fn referrals(&self, episode: EpisodeId) -> StoreResult<Vec<Referral>> {
        todo!("store: referrals")
    }

    #[allow(unused_variables)]
    async fn save_instrument(&self, definition: &InstrumentDefinition, now: Timestamp) -> StoreResult<()> {
        todo!("store: save_instrument")
    }

    #[allow(unused_variables)]
    async fn instruments(&self) -> StoreResult<Vec<InstrumentDefinition>> {
        todo!("store: instruments")
    }
}
