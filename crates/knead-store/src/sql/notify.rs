//! The notifications port over SQL: jobs (written with the change that causes them, claimed by a
//! compare-and-set), a booking's extra private links, and calendar feeds.

use super::{SqlDatabase, SqlTransaction};
use crate::{Claim, FeedOwner, JobFilter, JobOutcome, NotifyStore, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::waitlist::WaitlistId;
use knead_core::booking::BookingId;
use knead_core::events::SignupId;
use knead_core::intake::ClientId;
use knead_core::notify::{Job, JobKind, JobStatus, NewJob, SentMessage};
use knead_core::records::EpisodeId;
use knead_core::{TherapistId, UserId};

macro_rules! job_columns {
    () => {
        "id, kind, booking_id, therapist_id, user_id, visit_start, waitlist_id, episode_id, status, attempts, \
         run_at, created_at, finished_at, last_error, message_id, recipient, subject, body_text, body_html, calendar, \
         signup_id"
    };
}

/// One to four jobs in one statement (a booking writes four: its confirmation, the therapist's note and two
/// reminders), ten parameters a job.
macro_rules! insert_jobs {
    ($($row:literal),+) => {
        concat!(
            "insert into jobs (kind, booking_id, therapist_id, visit_start, run_at, created_at, waitlist_id, \
             user_id, episode_id, signup_id) values ",
            $($row),+
        )
    };
}
const JOB_PARAMS: usize = 10;
const INSERT_JOBS: [&str; 4] = [
    insert_jobs!("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
    insert_jobs!("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ", "($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"),
    insert_jobs!(
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ",
        "($11, $12, $13, $14, $15, $16, $17, $18, $19, $20), ",
        "($21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"
    ),
    insert_jobs!(
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ",
        "($11, $12, $13, $14, $15, $16, $17, $18, $19, $20), ",
        "($21, $22, $23, $24, $25, $26, $27, $28, $29, $30), ",
        "($31, $32, $33, $34, $35, $36, $37, $38, $39, $40)"
    ),
];
/// What a change leaves behind of the reminders it makes stale: skipped with the reason, kept for the outbox.
const SKIP_REMINDERS: &str = "update jobs set status = 'skipped', finished_at = $2, last_error = $3 \
     where booking_id = $1 and kind = 'reminder' and status = 'pending'";
/// Candidates only: the claim below decides.
const DUE_JOBS: &str = "select id from jobs where run_at <= $1 \
     and (status = 'pending' or (status = 'running' and lease_until < $1)) order by run_at, id limit 8";
/// The compare-and-set: of two servers claiming one job, the second finds the row no longer matching (on
/// PostgreSQL it waits for the first's update and tests the row as that left it) and changes nothing.
const CLAIM_JOB: &str = concat!(
    "update jobs set status = 'running', attempts = attempts + 1, lease_until = $2, worker = $3 \
     where id = $1 and run_at <= $4 and (status = 'pending' or (status = 'running' and lease_until < $4)) \
     returning ",
    job_columns!()
);
const FINISH_WITH_MESSAGE: &str = "update jobs set status = $4, finished_at = $5, lease_until = null, \
     last_error = null, message_id = $6, recipient = $7, subject = $8, body_text = $9, body_html = $10, \
     calendar = $11 where id = $1 and worker = $2 and attempts = $3 and status = 'running'";
const FINISH_RETRY: &str = "update jobs set status = 'pending', run_at = $4, last_error = $5, lease_until = null \
     where id = $1 and worker = $2 and attempts = $3 and status = 'running'";
/// A check that sends nothing leaves no row behind once it has run.
const FINISH_DONE: &str = "delete from jobs where id = $1 and worker = $2 and attempts = $3 and status = 'running'";
const FINISH_WITH_REASON: &str = "update jobs set status = $4, finished_at = $5, last_error = $6, \
     lease_until = null where id = $1 and worker = $2 and attempts = $3 and status = 'running'";
const LIST_JOBS: &str = concat!(
    "select ",
    job_columns!(),
    " from jobs where kind <> 'waitlist_scan' and ($1 is null or status = $1) and ($2 is null or booking_id = $2) \
     and ($3 is null or id < $3) order by id desc limit $4"
);
const JOB_BY_ID: &str = concat!("select ", job_columns!(), " from jobs where id = $1");
const RECENT_OF_KIND: &str = "select id from jobs where booking_id = $1 and kind = $2 \
     and (status in ('pending', 'running') or created_at > $3) limit 1";
const RECENT_FOR_USER: &str = "select id from jobs where user_id = $1 and kind = $2 \
     and (status in ('pending', 'running') or created_at > $3) limit 1";
const UPCOMING_FOR_EMAIL: &str = "select id from bookings where lower(client_email) = lower($1) \
     and status = 'confirmed' and ends_at > $2 order by starts_at limit 20";

const THERAPIST_EMAIL: &str = "select u.email from therapists t join users u on u.id = t.user_id where t.id = $1";
const INSERT_MANAGE_LINK: &str = "insert into manage_links (booking_id, token_hash, created_at) values ($1, $2, $3)";

const REVOKE_FEED: &str = "update calendar_feeds set revoked_at = $3 \
     where (therapist_id = $1 or client_id = $2) and revoked_at is null";
const INSERT_FEED: &str =
    "insert into calendar_feeds (therapist_id, client_id, token_hash, created_at) values ($1, $2, $3, $4)";
const FEED_BY_TOKEN: &str =
    "select therapist_id, client_id from calendar_feeds where token_hash = $1 and revoked_at is null";

/// Writes `jobs` about `booking` in the caller's transaction.
pub(super) async fn insert_jobs(
    tx: &mut dyn SqlTransaction,
    booking: Option<BookingId>,
    jobs: &[NewJob],
    now: Timestamp,
) -> StoreResult<()> {
    for batch in jobs.chunks(INSERT_JOBS.len()) {
        let mut params = Vec::with_capacity(batch.len() * JOB_PARAMS);
        for j in batch {
            params.extend([
                j.kind.as_str().into(),
                booking.into(),
                j.therapist_id.into(),
                super::Param::Time(j.visit_start),
                j.run_at.into(),
                now.into(),
                j.waitlist_id.into(),
                j.user_id.into(),
                j.episode_id.into(),
                j.signup_id.map(|s| s.0).into(),
            ]);
        }
        tx.execute(INSERT_JOBS[batch.len() - 1], &params).await?;
    }
    Ok(())
}

/// Marks `booking`'s pending reminders skipped: the visit moved or was cancelled.
pub(super) async fn skip_reminders(
    tx: &mut dyn SqlTransaction,
    booking: BookingId,
    why: &str,
    now: Timestamp,
) -> StoreResult<()> {
    tx.execute(SKIP_REMINDERS, &[booking.into(), now.into(), why.into()]).await?;
    Ok(())
}

fn read_jobs(mut rows: super::Rows) -> StoreResult<Vec<Job>> {
    let mut out = Vec::new();
    for mut r in rows.read("jobs") {
        let id = r.id("id")?;
        let kind = r.parsed("kind", "a kind of job", JobKind::parse)?;
        let booking_id = r.opt_int("booking_id")?.map(BookingId);
        let therapist_id = r.opt_int("therapist_id")?.map(TherapistId);
        let user_id = r.opt_int("user_id")?.map(UserId);
        let visit_start = r.opt_time("visit_start")?;
        let waitlist_id = r.opt_int("waitlist_id")?.map(WaitlistId);
        let episode_id = r.opt_int("episode_id")?.map(EpisodeId);
        let status = r.parsed("status", "a job status", JobStatus::parse)?;
        let attempts = r.int("attempts")?;
        let run_at = r.time("run_at")?;
        let created_at = r.time("created_at")?;
        let finished_at = r.opt_time("finished_at")?;
        let last_error = r.opt_text("last_error")?;
        let message = match r.opt_text("message_id")? {
            None => {
                r.seek(20);
                None
            }
            Some(message_id) => Some(SentMessage {
                message_id,
                to: r.text("recipient")?,
                subject: r.text("subject")?,
                text: r.text("body_text")?,
                html: r.text("body_html")?,
                calendar: r.opt_text("calendar")?,
            }),
        };
        let signup_id = r.opt_int("signup_id")?.map(SignupId);
        out.push(Job {
            id,
            kind,
            booking_id,
            therapist_id,
            user_id,
            visit_start,
            waitlist_id,
            episode_id,
            signup_id,
            status,
            attempts,
            run_at,
            created_at,
            finished_at,
            last_error,
            message,
        });
    }
    Ok(out)
}

/// The statement that records how a claimed attempt ended, with its parameters: it changes the job's row
/// only while the claim (worker and attempt) is still the job's current one.
pub(super) fn finish_statement(
    claim: &Claim,
    outcome: &JobOutcome,
    now: Timestamp,
) -> (&'static str, Vec<super::Param>) {
    let key = [claim.job.id.into(), (&claim.worker).into(), claim.job.attempts.into()];
    match outcome {
        JobOutcome::Sent(m) | JobOutcome::Filed(m) => {
            let status = if matches!(outcome, JobOutcome::Sent(_)) { JobStatus::Sent } else { JobStatus::Outbox };
            let rest = [
                status.as_str().into(),
                now.into(),
                (&m.message_id).into(),
                (&m.to).into(),
                (&m.subject).into(),
                (&m.text).into(),
                (&m.html).into(),
                m.calendar.as_ref().into(),
            ];
            (FINISH_WITH_MESSAGE, [key.as_slice(), &rest].concat())
        }
        JobOutcome::Retry { at, error } => (FINISH_RETRY, [key.as_slice(), &[(*at).into(), error.into()]].concat()),
        JobOutcome::Done => (FINISH_DONE, key.to_vec()),
        JobOutcome::Failed(why) | JobOutcome::Skipped(why) => {
            let status = if matches!(outcome, JobOutcome::Failed(_)) { JobStatus::Failed } else { JobStatus::Skipped };
            let rest = [status.as_str().into(), now.into(), why.into()];
            (FINISH_WITH_REASON, [key.as_slice(), &rest].concat())
        }
    }
}

fn owner_params(owner: FeedOwner) -> (Option<TherapistId>, Option<ClientId>) {
    match owner {
        FeedOwner::Therapist(t) => (Some(t), None),
        FeedOwner::Client(c) => (None, Some(c)),
    }
}

#[async_trait]
impl<D: SqlDatabase> NotifyStore for D {
    async fn add_jobs(&self, booking: Option<BookingId>, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
        let mut tx = self.write(&super::Locks::none()).await?;
        insert_jobs(&mut *tx, booking, jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_job(&self, now: Timestamp, lease_until: Timestamp, worker: &str) -> StoreResult<Option<Claim>> {
        let mut candidates = self.query(DUE_JOBS, &[now.into()]).await?;
        let ids: Vec<i64> = candidates.read("jobs").map(|mut r| r.id("id")).collect::<StoreResult<_>>()?;
        for id in ids {
            let rows = self.query(CLAIM_JOB, &[id.into(), lease_until.into(), worker.into(), now.into()]).await?;
            if let Some(job) = read_jobs(rows)?.pop() {
                return Ok(Some(Claim { job, worker: worker.to_string(), lease_until }));
            }
        }
        Ok(None)
    }

    async fn finish_job(&self, claim: &Claim, outcome: &JobOutcome, now: Timestamp) -> StoreResult<bool> {
        let (sql, params) = finish_statement(claim, outcome, now);
        Ok(self.execute(sql, &params).await? == 1)
    }

    async fn jobs(&self, filter: &JobFilter) -> StoreResult<Vec<Job>> {
        let params = [
            filter.status.map(JobStatus::as_str).into(),
            filter.booking.into(),
            filter.before.into(),
            filter.limit.clamp(1, 1000).into(),
        ];
        read_jobs(self.query(LIST_JOBS, &params).await?)
    }

    async fn job(&self, id: i64) -> StoreResult<Job> {
        read_jobs(self.query(JOB_BY_ID, &[id.into()]).await?)?.pop().ok_or(StoreError::NotFound)
    }

    async fn recent_job(&self, booking: BookingId, kind: JobKind, since: Timestamp) -> StoreResult<bool> {
        Ok(!self.query(RECENT_OF_KIND, &[booking.into(), kind.as_str().into(), since.into()]).await?.is_empty())
    }

    async fn recent_user_job(&self, user: UserId, kind: JobKind, since: Timestamp) -> StoreResult<bool> {
        Ok(!self.query(RECENT_FOR_USER, &[user.into(), kind.as_str().into(), since.into()]).await?.is_empty())
    }

    async fn upcoming_bookings_for_email(&self, email: &str, now: Timestamp) -> StoreResult<Vec<BookingId>> {
        let mut rows = self.query(UPCOMING_FOR_EMAIL, &[email.into(), now.into()]).await?;
        rows.read("bookings").map(|mut r| r.id("id").map(BookingId)).collect()
    }

    async fn therapist_email(&self, therapist: TherapistId) -> StoreResult<Option<String>> {
        let mut rows = self.query(THERAPIST_EMAIL, &[therapist.into()]).await?;
        rows.first("users").map(|mut r| r.text("email")).transpose()
    }

    async fn add_manage_link(&self, booking: BookingId, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        self.execute(INSERT_MANAGE_LINK, &[booking.into(), token_hash.into(), now.into()]).await?;
        Ok(())
    }

    async fn replace_calendar_feed(&self, owner: FeedOwner, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        let (therapist, client) = owner_params(owner);
        let mut tx = self.write(&super::Locks::none()).await?;
        tx.execute(REVOKE_FEED, &[therapist.into(), client.into(), now.into()]).await?;
        tx.execute(INSERT_FEED, &[therapist.into(), client.into(), token_hash.into(), now.into()]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_calendar_feed(&self, owner: FeedOwner, now: Timestamp) -> StoreResult<bool> {
        let (therapist, client) = owner_params(owner);
        Ok(self.execute(REVOKE_FEED, &[therapist.into(), client.into(), now.into()]).await? > 0)
    }

    async fn calendar_feed(&self, token_hash: &str) -> StoreResult<Option<FeedOwner>> {
        let mut rows = self.query(FEED_BY_TOKEN, &[token_hash.into()]).await?;
        let Some(mut r) = rows.first("calendar_feeds") else { return Ok(None) };
        match (r.opt_int("therapist_id")?, r.opt_int("client_id")?) {
            (Some(t), None) => Ok(Some(FeedOwner::Therapist(TherapistId(t)))),
            (None, Some(c)) => Ok(Some(FeedOwner::Client(ClientId(c)))),
            _ => Err(r.corrupt("needs a therapist_id or a client_id, not both")),
        }
    }
}
