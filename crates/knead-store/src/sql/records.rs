//! The care-records port over SQL: episodes, plans, notes, programs and logs, measures, referrals and loaded
//! instruments, each change written with its audit entry in one transaction under the audit lock.
//!
//! A create's audit event may leave `record_id` empty: the store then names the row it made (its id, or for
//! a log `program/day`), which the caller cannot know before. A signed note or referral is changed by no
//! statement here: each update is conditional on the row still being a draft, and the triggers refuse it
//! even so.

mod read;

use super::clients::{append_audit, refused};
use super::{Locks, Param, SqlDatabase, SqlTransaction};
use crate::{MeasureDraft, NoteDraft, RecordStore, StoreError, StoreResult};
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
    NoteStatus, Prescription, ProgramId, Referral, ReferralId, SoapNote, TreatmentPlan,
};
use knead_core::{TherapistId, UserId};
use read::*;

/// Appends `audit` for the row `made`: an event that leaves its `record_id` empty names that row.
async fn append_for(tx: &mut dyn SqlTransaction, audit: &AuditEvent, made: impl ToString) -> StoreResult<()> {
    if audit.record_id.is_empty() {
        append_audit(tx, &AuditEvent { record_id: made.to_string(), ..audit.clone() }).await?;
    } else {
        append_audit(tx, audit).await?;
    }
    Ok(())
}

/// Why a conditional update of a draft changed nothing: the row is not there, or it is signed.
async fn not_a_draft(tx: &mut dyn SqlTransaction, exists: &'static str, id: i64) -> StoreError {
    match tx.query(exists, &[id.into()]).await {
        Ok(rows) if rows.is_empty() => StoreError::NotFound,
        Ok(_) => StoreError::Conflict { field: "status" },
        Err(e) => e.into(),
    }
}

async fn note_in(tx: &mut dyn SqlTransaction, id: NoteId) -> StoreResult<SoapNote> {
    one(read_notes(tx.query(NOTE_BY_ID, &[id.into()]).await?)?)
}

#[async_trait]
impl<D: SqlDatabase> RecordStore for D {
    async fn create_episode(&self, draft: &EpisodeDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Episode> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [
            draft.client.into(),
            (&draft.condition).into(),
            draft.side.map(|s| s.as_str()).into(),
            draft.started_on.into(),
            Param::json(&draft.other_care)?,
            draft.therapist.into(),
            draft.created_by.into(),
            now.into(),
        ];
        let rows = tx.query(INSERT_EPISODE, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let episode = one(read_episodes(rows)?)?;
        append_for(&mut *tx, audit, episode.id).await?;
        tx.commit().await?;
        Ok(episode)
    }

    async fn episode(&self, id: EpisodeId) -> StoreResult<Episode> {
        one(read_episodes(self.query(EPISODE_BY_ID, &[id.into()]).await?)?)
    }

    async fn client_episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        read_episodes(self.query(CLIENT_EPISODES, &[client.into()]).await?)
    }

    async fn active_episodes(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<Episode>> {
        read_episodes(self.query(ACTIVE_EPISODES, &[therapist.into()]).await?)
    }

    async fn set_episode_status(
        &self,
        id: EpisodeId,
        status: EpisodeStatus,
        audit: &AuditEvent,
    ) -> StoreResult<Episode> {
        let mut tx = self.write(&Locks::audit()).await?;
        let episode = one(read_episodes(tx.query(SET_EPISODE_STATUS, &[id.into(), status.as_str().into()]).await?)?)?;
        append_for(&mut *tx, audit, episode.id).await?;
        tx.commit().await?;
        Ok(episode)
    }

    async fn add_plan(
        &self,
        episode: EpisodeId,
        plan: &PlanDraft,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<TreatmentPlan> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [
            episode.into(),
            Param::json(&plan.goals)?,
            Param::json(&plan.techniques)?,
            plan.pressure.as_str().into(),
            plan.visits_per_week.into(),
            plan.every_weeks.into(),
            plan.review_on.into(),
            Param::json(&plan.consent)?,
            by.into(),
            now.into(),
        ];
        let rows = tx.query(INSERT_PLAN, &params).await.map_err(|e| refused(e, "version"))?;
        let version = one(read_plans(rows)?)?;
        append_for(&mut *tx, audit, format!("{}/{}", episode, version.version)).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn plans(&self, episode: EpisodeId) -> StoreResult<Vec<TreatmentPlan>> {
        read_plans(self.query(PLANS, &[episode.into()]).await?)
    }

    async fn create_note(&self, draft: &NoteDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<SoapNote> {
        let mut tx = self.write(&Locks::audit()).await?;
        let mut params = note_content_params(&draft.content)?;
        params.extend([
            draft.episode.into(),
            "draft".into(),
            draft.therapist.into(),
            draft.author.into(),
            now.into(),
            Param::Int(None),
            Param::Time(None),
            Param::Text(None),
            Param::Int(None),
            Param::Text(None),
        ]);
        let rows = tx.query(INSERT_NOTE, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let id = NoteId(super::returned_id(rows, "soap_notes")?);
        let note = note_in(&mut *tx, id).await?;
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(note)
    }

    async fn note(&self, id: NoteId) -> StoreResult<SoapNote> {
        one(read_notes(self.query(NOTE_BY_ID, &[id.into()]).await?)?)
    }

    async fn update_draft(&self, id: NoteId, content: &NoteContent, audit: &AuditEvent) -> StoreResult<SoapNote> {
        let mut tx = self.write(&Locks::audit()).await?;
        let mut params = note_content_params(content)?;
        params.push(id.into());
        let changed = tx.execute(UPDATE_DRAFT, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        if changed == 0 {
            return Err(not_a_draft(&mut *tx, NOTE_EXISTS, id.0).await);
        }
        let note = note_in(&mut *tx, id).await?;
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(note)
    }

    async fn sign_note(
        &self,
        id: NoteId,
        by: UserId,
        now: Timestamp,
        digest: &str,
        audit: &AuditEvent,
    ) -> StoreResult<SoapNote> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [id.into(), by.into(), now.into(), digest.into()];
        if tx.execute(SIGN_NOTE, &params).await.map_err(|e| e.missing_on_foreign_key())? == 0 {
            return Err(not_a_draft(&mut *tx, NOTE_EXISTS, id.0).await);
        }
        let note = note_in(&mut *tx, id).await?;
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(note)
    }

    #[allow(clippy::too_many_arguments)]
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
        let mut tx = self.write(&Locks::audit()).await?;
        let original = note_in(&mut *tx, of).await?;
        if original.status != NoteStatus::Signed || original.amended_by.is_some() {
            return Err(StoreError::Conflict { field: "status" });
        }
        let mut params = note_content_params(content)?;
        params.extend([
            original.episode_id.into(),
            "signed".into(),
            original.therapist_id.into(),
            by.into(),
            now.into(),
            by.into(),
            now.into(),
            digest.into(),
            Param::Int(Some(of.0)),
            reason.into(),
        ]);
        // The unique `amends` is the backstop against two amendments of one version.
        let rows = tx.query(INSERT_NOTE, &params).await.map_err(|e| refused(e, "status"))?;
        let id = NoteId(super::returned_id(rows, "soap_notes")?);
        let note = note_in(&mut *tx, id).await?;
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(note)
    }

    async fn episode_notes(&self, episode: EpisodeId) -> StoreResult<Vec<SoapNote>> {
        read_notes(self.query(EPISODE_NOTES, &[episode.into()]).await?)
    }

    async fn unsigned_notes(&self, author: Option<UserId>, before: Timestamp) -> StoreResult<Vec<SoapNote>> {
        read_notes(self.query(UNSIGNED_NOTES, &[author.into(), before.into()]).await?)
    }

    async fn signed_notes(&self) -> StoreResult<Vec<SoapNote>> {
        read_notes(self.query(SIGNED_NOTES, &[]).await?)
    }

    async fn add_program(
        &self,
        episode: EpisodeId,
        exercises: &[Prescription],
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<HomeProgram> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [episode.into(), Param::json(&exercises)?, by.into(), now.into()];
        let rows = tx.query(INSERT_PROGRAM, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let program = one(read_programs(rows)?)?;
        append_for(&mut *tx, audit, program.id).await?;
        tx.commit().await?;
        Ok(program)
    }

    async fn program(&self, id: ProgramId) -> StoreResult<HomeProgram> {
        one(read_programs(self.query(PROGRAM_BY_ID, &[id.into()]).await?)?)
    }

    async fn programs(&self, episode: EpisodeId) -> StoreResult<Vec<HomeProgram>> {
        read_programs(self.query(PROGRAMS, &[episode.into()]).await?)
    }

    async fn add_exercise_log(&self, log: &ExerciseLog, audit: &AuditEvent) -> StoreResult<ExerciseLog> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [
            log.program_id.into(),
            log.on.into(),
            Param::json(&log.done)?,
            log.pain.into(),
            (&log.note).into(),
            log.created_at.into(),
        ];
        let rows = tx.query(INSERT_LOG, &params).await.map_err(|e| refused(e, "on"))?;
        let stored = one(read_logs(rows)?)?;
        append_for(&mut *tx, audit, format!("{}/{}", stored.program_id, stored.on)).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn exercise_logs(&self, program: ProgramId, from: Date) -> StoreResult<Vec<ExerciseLog>> {
        read_logs(self.query(LOGS_FROM, &[program.into(), from.into()]).await?)
    }

    async fn add_measure(&self, measure: &MeasureDraft, now: Timestamp, audit: &AuditEvent) -> StoreResult<Measure> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [
            measure.episode.into(),
            (&measure.instrument).into(),
            Param::json(&measure.answers)?,
            Param::json(&measure.score)?,
            measure.taken_at.into(),
            measure.recorded_by.into(),
            now.into(),
        ];
        let rows = tx.query(INSERT_MEASURE, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let stored = one(read_measures(rows)?)?;
        super::notify::insert_jobs(&mut *tx, None, &measure.notices, now).await?;
        append_for(&mut *tx, audit, stored.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn measure(&self, id: MeasureId) -> StoreResult<Measure> {
        one(read_measures(self.query(MEASURE_BY_ID, &[id.into()]).await?)?)
    }

    async fn measures(&self, episode: EpisodeId) -> StoreResult<Vec<Measure>> {
        read_measures(self.query(MEASURES, &[episode.into()]).await?)
    }

    async fn create_referral(
        &self,
        episode: EpisodeId,
        content: &ReferralContent,
        by: UserId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        let mut tx = self.write(&Locks::audit()).await?;
        let [recipient, name, urgency, reason, body] = referral_content_params(content);
        let params = [episode.into(), recipient, name, urgency, reason, body, by.into(), now.into()];
        let rows = tx.query(INSERT_REFERRAL, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let referral = one(read_referrals(rows)?)?;
        append_for(&mut *tx, audit, referral.id).await?;
        tx.commit().await?;
        Ok(referral)
    }

    async fn referral(&self, id: ReferralId) -> StoreResult<Referral> {
        one(read_referrals(self.query(REFERRAL_BY_ID, &[id.into()]).await?)?)
    }

    async fn update_referral(
        &self,
        id: ReferralId,
        content: &ReferralContent,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        let mut tx = self.write(&Locks::audit()).await?;
        let [recipient, name, urgency, reason, body] = referral_content_params(content);
        let rows = tx.query(UPDATE_REFERRAL, &[id.into(), recipient, name, urgency, reason, body]).await?;
        let Some(referral) = read_referrals(rows)?.pop() else {
            return Err(not_a_draft(&mut *tx, REFERRAL_EXISTS, id.0).await);
        };
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(referral)
    }

    async fn sign_referral(
        &self,
        id: ReferralId,
        by: UserId,
        name: &str,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Referral> {
        let mut tx = self.write(&Locks::audit()).await?;
        let params = [id.into(), by.into(), now.into(), name.into()];
        let rows = tx.query(SIGN_REFERRAL, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let Some(referral) = read_referrals(rows)?.pop() else {
            return Err(not_a_draft(&mut *tx, REFERRAL_EXISTS, id.0).await);
        };
        append_for(&mut *tx, audit, id).await?;
        tx.commit().await?;
        Ok(referral)
    }

    async fn referrals(&self, episode: EpisodeId) -> StoreResult<Vec<Referral>> {
        read_referrals(self.query(REFERRALS, &[episode.into()]).await?)
    }

    async fn save_instrument(&self, definition: &InstrumentDefinition, now: Timestamp) -> StoreResult<()> {
        let params = [(&definition.key).into(), Param::json(definition)?, now.into()];
        self.execute(SAVE_INSTRUMENT, &params).await?;
        Ok(())
    }

    async fn instruments(&self) -> StoreResult<Vec<InstrumentDefinition>> {
        read_instruments(self.query(INSTRUMENTS, &[]).await?)
    }
}
