//! The safety port: the append-only log of home visits' check-ins and check-outs, each written with what it
//! causes in one transaction.
//!
//! A check-in is written with its alert job (due a grace period after the visit's end); a check-out marks the
//! therapist's pending alerts at that booking skipped ("checked out"), in the same transaction. A visit has at
//! most one check-in and one check-out per therapist (a unique rule, so of two at once one is refused), and a
//! check-out needs the check-in first. When the managers' alert has run, its outcome and the escalation it
//! leads to are written together ([`SafetyStore::finish_safety_alert`]).

use crate::{Claim, JobOutcome, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::BookingId;
use knead_core::notify::NewJob;
use knead_core::safety::{NewCheck, VisitCheck};

#[async_trait]
pub trait SafetyStore: Send + Sync {
    /// Writes a check-in (`check.kind` is `In`) and `jobs` (its alert) in one transaction.
    /// `Conflict { field: "check_in" }`, with nothing written, when that therapist already checked in at that
    /// booking; `NotFound` when the booking or the therapist does not exist.
    async fn check_in(&self, check: &NewCheck, jobs: &[NewJob]) -> StoreResult<VisitCheck>;
    /// Writes a check-out (`check.kind` is `Out`) and marks the therapist's pending safety alerts at that
    /// booking skipped ("checked out"), in one transaction. `Conflict { field: "check_in" }` when the therapist
    /// has not checked in there, `Conflict { field: "check_out" }` when they already checked out.
    async fn check_out(&self, check: &NewCheck) -> StoreResult<VisitCheck>;
    /// A booking's checks, oldest first.
    async fn visit_checks(&self, booking: BookingId) -> StoreResult<Vec<VisitCheck>>;
    /// The checks of the bookings that start in `[from, to)` (a day's visits), oldest check first.
    async fn checks_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<VisitCheck>>;
    /// Records how a claimed safety alert ended, as `finish_job` does, and in the same transaction writes
    /// `then` (the escalation) about the job's booking unless its therapist has checked out there since.
    /// `false`, with nothing written, when the claim is no longer the job's current one.
    async fn finish_safety_alert(
        &self,
        claim: &Claim,
        outcome: &JobOutcome,
        then: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool>;
}
