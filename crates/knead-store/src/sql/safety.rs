//! The safety port over SQL: home visits' check-ins and check-outs, append-only, each written with the jobs
//! it causes or cancels in one transaction.

use super::notify::{finish_statement, insert_jobs};
use super::{DbError, DbErrorKind, Locks, SqlDatabase, SqlTransaction};
use crate::{Claim, JobOutcome, SafetyStore, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::BookingId;
use knead_core::notify::NewJob;
use knead_core::safety::{CheckKind, NewCheck, VisitCheck};
use knead_core::{TherapistId, UserId};

const INSERT_CHECK: &str = "insert into visit_checks (booking_id, therapist_id, kind, checked_at, checked_by, note) \
     values ($1, $2, $3, $4, $5, $6) returning id";
const CHECK_OF_KIND: &str = "select id from visit_checks where booking_id = $1 and therapist_id = $2 and kind = $3";
/// A check-out makes the therapist's pending alerts at that visit unnecessary: skipped, with why, kept for the
/// outbox.
const SKIP_ALERTS: &str = "update jobs set status = 'skipped', finished_at = $3, last_error = 'checked out' \
     where booking_id = $1 and therapist_id = $2 and kind in ('safety_alert', 'safety_escalation') \
     and status = 'pending'";
const CHECKS_OF_BOOKING: &str = "select id, booking_id, therapist_id, kind, checked_at, checked_by, note \
     from visit_checks where booking_id = $1 order by checked_at, id";
const CHECKS_OF_DAY: &str = "select c.id, c.booking_id, c.therapist_id, c.kind, c.checked_at, c.checked_by, c.note \
     from visit_checks c join bookings b on b.id = c.booking_id where b.starts_at >= $1 and b.starts_at < $2 \
     order by c.checked_at, c.id";

fn read_checks(mut rows: super::Rows) -> StoreResult<Vec<VisitCheck>> {
    let mut out = Vec::new();
    for mut r in rows.read("visit_checks") {
        out.push(VisitCheck {
            id: r.id("id")?,
            booking_id: BookingId(r.int("booking_id")?),
            therapist_id: TherapistId(r.int("therapist_id")?),
            kind: r.parsed("kind", "a kind of check", CheckKind::parse)?,
            at: r.time("checked_at")?,
            by: r.opt_int("checked_by")?.map(UserId),
            note: r.opt_text("note")?,
        });
    }
    Ok(out)
}

/// The second check of a kind is a conflict on that kind (`check_in`, `check_out`); a missing booking,
/// therapist or user is `NotFound`.
fn refused(e: DbError, kind: CheckKind) -> StoreError {
    match e.kind() {
        DbErrorKind::UniqueViolation { .. } => StoreError::Conflict { field: field_of(kind) },
        DbErrorKind::ForeignKeyViolation => StoreError::NotFound,
        _ => StoreError::from(e),
    }
}

fn field_of(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::In => "check_in",
        CheckKind::Out => "check_out",
    }
}

async fn has_check(
    tx: &mut dyn SqlTransaction,
    booking: BookingId,
    therapist: TherapistId,
    kind: CheckKind,
) -> StoreResult<bool> {
    Ok(!tx.query(CHECK_OF_KIND, &[booking.into(), therapist.into(), kind.as_str().into()]).await?.is_empty())
}

/// Inserts `check` in the caller's transaction and gives it back as stored.
async fn insert_check(tx: &mut dyn SqlTransaction, check: &NewCheck) -> StoreResult<VisitCheck> {
    let params = [
        check.booking_id.into(),
        check.therapist_id.into(),
        check.kind.as_str().into(),
        check.at.into(),
        check.by.into(),
        check.note.as_ref().into(),
    ];
    let rows = tx.query(INSERT_CHECK, &params).await.map_err(|e| refused(e, check.kind))?;
    let id = super::returned_id(rows, "visit_checks")?;
    Ok(VisitCheck {
        id,
        booking_id: check.booking_id,
        therapist_id: check.therapist_id,
        kind: check.kind,
        at: check.at,
        by: Some(check.by),
        note: check.note.clone(),
    })
}

#[async_trait]
impl<D: SqlDatabase> SafetyStore for D {
    async fn check_in(&self, check: &NewCheck, jobs: &[NewJob]) -> StoreResult<VisitCheck> {
        let check = NewCheck { kind: CheckKind::In, ..check.clone() };
        let mut tx = self.write(&Locks::none()).await?;
        // Asked first so that SQLite, whose unique error names no rule, and PostgreSQL answer alike; the unique
        // rule is the backstop for two at once.
        if has_check(&mut *tx, check.booking_id, check.therapist_id, CheckKind::In).await? {
            return Err(StoreError::Conflict { field: "check_in" });
        }
        let stored = insert_check(&mut *tx, &check).await?;
        insert_jobs(&mut *tx, Some(check.booking_id), jobs, check.at).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn check_out(&self, check: &NewCheck) -> StoreResult<VisitCheck> {
        let check = NewCheck { kind: CheckKind::Out, ..check.clone() };
        let mut tx = self.write(&Locks::none()).await?;
        if !has_check(&mut *tx, check.booking_id, check.therapist_id, CheckKind::In).await? {
            return Err(StoreError::Conflict { field: "check_in" });
        }
        if has_check(&mut *tx, check.booking_id, check.therapist_id, CheckKind::Out).await? {
            return Err(StoreError::Conflict { field: "check_out" });
        }
        let stored = insert_check(&mut *tx, &check).await?;
        tx.execute(SKIP_ALERTS, &[check.booking_id.into(), check.therapist_id.into(), check.at.into()]).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn visit_checks(&self, booking: BookingId) -> StoreResult<Vec<VisitCheck>> {
        read_checks(self.query(CHECKS_OF_BOOKING, &[booking.into()]).await?)
    }

    async fn checks_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<VisitCheck>> {
        read_checks(self.query(CHECKS_OF_DAY, &[from.into(), to.into()]).await?)
    }

    async fn finish_safety_alert(
        &self,
        claim: &Claim,
        outcome: &JobOutcome,
        then: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (sql, params) = finish_statement(claim, outcome, now);
        let mut tx = self.write(&Locks::none()).await?;
        if tx.execute(sql, &params).await? != 1 {
            return Ok(false);
        }
        let job = &claim.job;
        if let (Some(booking), Some(therapist), false) = (job.booking_id, job.therapist_id, then.is_empty()) {
            if !has_check(&mut *tx, booking, therapist, CheckKind::Out).await? {
                insert_jobs(&mut *tx, Some(booking), then, now).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}
