//! Notifications: the runner that turns the jobs changes wrote into messages, the outbox, and calendar
//! feeds ([`feeds`]).
//!
//! Every server runs a [`JobRunner`]. It claims one due job at a time from the store (exactly one server
//! wins each claim), renders the message from the booking as it is now ([`render`]), and hands it to the
//! [`Mailer`] — or, with no mail server configured, files it in the outbox for the manager to read. A send
//! that fails for a reason that may pass (the mail server is down, a 4xx reply) is retried with a growing
//! wait; one that cannot succeed (a 5xx reply) fails at once; either way the reason is kept for the manager.
//!
//! Delivery is at least once: a server stopped after the mail server accepted a message but before the
//! store recorded it leaves the job to be claimed again when its lease ends, and the message goes out a
//! second time. Both copies carry the same `Message-ID` ([`Job::message_id`]), so a mail client or a
//! reader can tell the second for a duplicate. In every other case a job is sent once.
//!
//! The safety alerts of home visits (`safety`) are jobs like the others: each is skipped when the therapist
//! has checked out by the time it runs, and the managers' alert writes the emergency contact's with its
//! outcome.

pub mod feeds;
mod groups;
mod render;
mod safety;

use crate::{App, AppResult};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use knead_core::notify::{retry_at, Job, JobKind, JobStatus, MAX_ATTEMPTS};
use knead_store::{Claim, JobFilter, JobOutcome};
use std::sync::Arc;
use std::time::Duration;

pub use render::Rendered;

/// A message ready for the mail server.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// One address, or several separated by commas (a safety alert goes to every manager).
    pub to: String,
    /// The practice's own email, when it has one, so a reply reaches a person.
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The visit's `.ics`, attached; `cancel` when it cancels the event (`METHOD:CANCEL`).
    pub calendar: Option<CalendarPart>,
    /// `<job-…@domain>`, the same on every attempt of the job.
    pub message_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalendarPart {
    pub ics: String,
    pub cancel: bool,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// May pass: the job is tried again later.
    #[error("{0}")]
    Temporary(String),
    /// Will not pass (the address was refused): the job fails now.
    #[error("{0}")]
    Permanent(String),
}

/// The port to a mail server (SMTP, in `knead-mail`).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> Result<(), SendError>;
}

/// What the runner needs besides the app.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The name clients see when the practice has not saved one.
    pub practice_name: String,
    /// Where the server is reached from outside, for the links in messages (`https://spa.example`).
    pub public_url: String,
    /// The domain of `Message-ID`s.
    pub mail_domain: String,
    /// How long a claimed job is held before another server may take it up.
    pub lease: Duration,
    /// The first retry's wait; each later one is four times the one before.
    pub retry_base: Duration,
    /// How often the runner looks for due jobs written by other servers (or coming due).
    pub poll: Duration,
}

impl NotifyConfig {
    pub fn new(practice_name: &str, public_url: &str) -> NotifyConfig {
        let public_url = public_url.trim_end_matches('/').to_string();
        let host = public_url.split("://").nth(1).unwrap_or(&public_url);
        let host = host.split(['/', ':']).next().filter(|h| !h.is_empty()).unwrap_or("knead.invalid");
        NotifyConfig {
            practice_name: practice_name.to_string(),
            mail_domain: host.to_string(),
            public_url,
            lease: Duration::from_secs(120),
            retry_base: Duration::from_secs(60),
            poll: Duration::from_secs(2),
        }
    }
}

/// One server's job runner.
pub struct JobRunner {
    app: Arc<App>,
    mailer: Option<Arc<dyn Mailer>>,
    config: NotifyConfig,
    worker: String,
}

impl JobRunner {
    /// A runner sending through `mailer`, or filing in the outbox when there is none.
    pub fn new(app: Arc<App>, mailer: Option<Arc<dyn Mailer>>, config: NotifyConfig) -> JobRunner {
        let worker = format!("{}-{}", std::process::id(), &crate::accounts::random_secret()[..8]);
        JobRunner { app, mailer, config, worker }
    }

    /// Runs jobs until none is due; how many ran.
    pub async fn run_due(&self) -> AppResult<usize> {
        let mut ran = 0;
        while let Some(claim) = self.claim().await? {
            let outcome = self.attempt(&claim).await;
            let held = match claim.job.kind {
                // Its escalation is written with its outcome.
                JobKind::SafetyAlert => safety::finish_alert(&self.app, &claim, &outcome).await?,
                _ => self.app.store().finish_job(&claim, &outcome, self.app.now()).await?,
            };
            if !held {
                tracing::warn!(job = claim.job.id, "a job's lease ran out before it finished; another server has it");
            }
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs due jobs until `stop` resolves: at once when this server wrote jobs, otherwise every poll. A job
    /// being sent when `stop` comes is finished first.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if let Err(e) = self.run_due().await {
                tracing::warn!(error = %e, "the job runner could not reach the store; trying again");
            }
            tokio::select! {
                () = &mut stop => return,
                () = self.app.jobs_wanted() => {}
                () = tokio::time::sleep(self.config.poll) => {}
            }
        }
    }

    async fn claim(&self) -> AppResult<Option<Claim>> {
        let now = self.app.now();
        let lease = SignedDuration::try_from(self.config.lease).unwrap_or(SignedDuration::from_secs(120));
        let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
        Ok(self.app.store().claim_job(now, until, &self.worker).await?)
    }

    /// One attempt at a claimed job.
    async fn attempt(&self, claim: &Claim) -> JobOutcome {
        let job = &claim.job;
        if job.attempts > MAX_ATTEMPTS {
            return JobOutcome::Failed(format!("given up after {MAX_ATTEMPTS} attempts"));
        }
        if !job.kind.is_message() {
            return match crate::booking::scan_waitlist(&self.app).await {
                Ok(_) => JobOutcome::Done,
                Err(e) => self.failed_attempt(job, format!("the waitlist check failed: {e}")),
            };
        }
        let rendered = match render::render(&self.app, &self.config, job).await {
            Ok(Ok(rendered)) => rendered,
            Ok(Err(skip)) => return JobOutcome::Skipped(skip),
            Err(e) => return self.failed_attempt(job, format!("could not prepare the message: {e}")),
        };
        let Some(mailer) = &self.mailer else {
            return JobOutcome::Filed(rendered.as_filed());
        };
        match mailer.send(&rendered.mail).await {
            Ok(()) => {
                tracing::info!(job = job.id, kind = job.kind.as_str(), "message sent");
                JobOutcome::Sent(rendered.as_sent())
            }
            Err(SendError::Permanent(why)) => JobOutcome::Failed(why),
            Err(SendError::Temporary(why)) => self.failed_attempt(job, why),
        }
    }

    fn failed_attempt(&self, job: &Job, why: String) -> JobOutcome {
        tracing::warn!(job = job.id, attempt = job.attempts, "a job's attempt failed: {why}");
        let base = i64::try_from(self.config.retry_base.as_secs()).unwrap_or(60);
        match retry_at(self.app.now(), job.attempts, base) {
            Some(at) => JobOutcome::Retry { at, error: why },
            None => JobOutcome::Failed(why),
        }
    }
}

/// The outbox: messages and jobs, newest first (managers).
pub async fn outbox(app: &App, status: Option<JobStatus>, before: Option<i64>, limit: i64) -> AppResult<Vec<Job>> {
    Ok(app.store().jobs(&JobFilter { status, booking: None, before, limit }).await?)
}

/// One job with its message.
pub async fn job(app: &App, id: i64) -> AppResult<Job> {
    use crate::NotFoundAs;
    app.store().job(id).await.not_found_as("job")
}

/// Sends the private links of the upcoming bookings made with `email` to that email, at most once every
/// 10 minutes per booking. Nothing is said about whether there were any.
pub async fn resend_manage_links(app: &App, email: &str) -> AppResult<()> {
    use knead_core::notify::NewJob;
    let email = knead_core::Email::parse("email", email).map_err(|e| knead_core::ValidationErrors(vec![e]))?;
    let store = app.store();
    let now = app.now();
    let since = now.checked_sub(SignedDuration::from_mins(10)).unwrap_or(now);
    let mut queued = 0;
    for booking in store.upcoming_bookings_for_email(email.as_str(), now).await? {
        if !store.recent_job(booking, JobKind::ManageLink, since).await? {
            store.add_jobs(Some(booking), &[NewJob::now(JobKind::ManageLink, now)], now).await?;
            queued += 1;
        }
    }
    if queued > 0 {
        app.jobs_added();
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
