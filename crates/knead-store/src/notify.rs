//! The notifications port: the jobs that send messages, a booking's extra private links, and the private
//! calendar feeds.
//!
//! Jobs caused by a booking change are written by the scheduling port in the change's own transaction
//! (`NewBooking::jobs`, and the `jobs` argument of a cancellation or a clearance); this port claims them and
//! records how they ended. A claim is a compare-and-set on the row — a pending job, or a running one whose
//! lease ran out — so among several servers exactly one takes each job, on PostgreSQL and on SQLite alike,
//! with one SQL text. A server that dies holding a job leaves it to be claimed again when the lease ends;
//! the attempt number in the claim keeps a late finisher from overwriting the new holder's outcome.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::BookingId;
use knead_core::intake::ClientId;
use knead_core::notify::{Job, JobStatus, NewJob, SentMessage};
use knead_core::TherapistId;

/// A job one server holds until `lease_until`.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub job: Job,
    pub worker: String,
    pub lease_until: Timestamp,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// The mail server took it.
    Sent(SentMessage),
    /// No mail server is set: filed in the outbox.
    Filed(SentMessage),
    /// Try again at `at`; `error` says why this attempt failed.
    Retry { at: Timestamp, error: String },
    /// Given up.
    Failed(String),
    /// Nothing to send any more.
    Skipped(String),
    /// A job that sends nothing (the waitlist's check) ran: its row goes.
    Done,
}

/// Which jobs a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub booking: Option<BookingId>,
    /// Only jobs with an id below this (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Whose visits a calendar feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOwner {
    Therapist(TherapistId),
    Client(ClientId),
}

#[async_trait]
pub trait NotifyStore: Send + Sync {
    /// Writes jobs about `booking` (or about none) that no other change causes, such as a re-sent link.
    async fn add_jobs(&self, booking: Option<BookingId>, jobs: &[NewJob], now: Timestamp) -> StoreResult<()>;
    /// Takes the next due job for `worker` until `lease_until`, if any is due at `now`: a pending job whose
    /// time has come, or a running one whose holder's lease ran out. Each claim counts an attempt.
    async fn claim_job(&self, now: Timestamp, lease_until: Timestamp, worker: &str) -> StoreResult<Option<Claim>>;
    /// Records how the claimed attempt ended; `false` (and nothing written) when the claim is no longer the
    /// job's current one (its lease ran out and another server took it).
    async fn finish_job(&self, claim: &Claim, outcome: &JobOutcome, now: Timestamp) -> StoreResult<bool>;
    /// Jobs newest first.
    async fn jobs(&self, filter: &JobFilter) -> StoreResult<Vec<Job>>;
    async fn job(&self, id: i64) -> StoreResult<Job>;
    /// Whether `booking` has a job of `kind` not yet run, or one made after `since` (so repeated requests do
    /// not flood the client).
    async fn recent_job(
        &self,
        booking: BookingId,
        kind: knead_core::notify::JobKind,
        since: Timestamp,
    ) -> StoreResult<bool>;
    /// Whether `user` has a job of `kind` not yet run, or one made after `since`.
    async fn recent_user_job(
        &self,
        user: knead_core::UserId,
        kind: knead_core::notify::JobKind,
        since: Timestamp,
    ) -> StoreResult<bool>;
    /// The active bookings made with `email` (any case) that have not ended by `now`.
    async fn upcoming_bookings_for_email(&self, email: &str, now: Timestamp) -> StoreResult<Vec<BookingId>>;

    /// The email of the login linked to a therapist's profile, if any.
    async fn therapist_email(&self, therapist: TherapistId) -> StoreResult<Option<String>>;

    /// Another private link to `booking` (the SHA-256 of its token); the first stays valid.
    async fn add_manage_link(&self, booking: BookingId, token_hash: &str, now: Timestamp) -> StoreResult<()>;

    /// A new feed for `owner` under `token_hash`, revoking the one it had, in one transaction.
    async fn replace_calendar_feed(&self, owner: FeedOwner, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    /// Revokes `owner`'s feed; `false` when it had none.
    async fn revoke_calendar_feed(&self, owner: FeedOwner, now: Timestamp) -> StoreResult<bool>;
    /// Whose feed `token_hash` opens, unless revoked.
    async fn calendar_feed(&self, token_hash: &str) -> StoreResult<Option<FeedOwner>>;
}
