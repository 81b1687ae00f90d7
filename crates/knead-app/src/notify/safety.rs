//! The runner's part in the safety of home visits: rendering the two alerts from the visit and its checks as
//! they are when the job runs, and writing the escalation when the managers' alert has gone.
//!
//! Either alert is skipped ("checked out") when the therapist has checked out by the time it runs. The
//! managers' alert goes to every manager's email (the practice's email when there is no manager); the
//! escalation goes to the practice's emergency contact, or, when none is set, to the same people again and
//! says so. An alert that ends sent, filed in the outbox or failed writes the escalation, due a grace period
//! after the alert's own time (at once if that has passed), in the same transaction as its outcome, unless
//! the therapist has checked out meanwhile: a failed alert is all the more reason to tell the next person.

use super::render::{mail, Rendered};
use super::NotifyConfig;
use crate::{App, AppResult};
use knead_core::calendar::local_date;
use knead_core::notify::message::{compose_safety, SafetyFacts, Sender};
use knead_core::notify::{Job, JobKind};
use knead_core::safety::{Presence, SafetyRule};
use knead_core::{Role, TherapistId};
use knead_store::{Claim, JobOutcome};

/// The alert's message, or why there is nothing to send any more (`Ok(Err(why))`).
pub(super) async fn message(app: &App, config: &NotifyConfig, job: &Job) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let (Some(booking_id), Some(therapist)) = (job.booking_id, job.therapist_id) else {
        return Ok(Err("the job names no visit".into()));
    };
    let checks = store.visit_checks(booking_id).await?;
    let arrived = match Presence::of(&checks, therapist) {
        Presence::CheckedOut { .. } => return Ok(Err("checked out".into())),
        Presence::NotCheckedIn => return Ok(Err("not checked in".into())),
        Presence::CheckedIn { at } => at,
    };
    let booking = store.booking(booking_id).await?;
    let settings = store.practice_settings().await?;
    let details = store.practice_details().await?;
    let (tz, clock) = (settings.zone(), settings.wall_clock());
    let rule = SafetyRule::new(settings.safety_grace_minutes);
    let contact = settings.emergency_contact.clone();
    let to = match (job.kind, &contact) {
        (JobKind::SafetyEscalation, Some(c)) => vec![c.email.clone()],
        _ => managers(app, details.email.as_deref()).await?,
    };
    if to.is_empty() {
        return Ok(Err("no one to tell: no manager and no practice email".into()));
    }
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let next = rule.escalation_at(booking.end).max(app.now());
    let facts = SafetyFacts {
        therapist: store.therapist(therapist).await?.name,
        place: crate::booking::place_text(app, &booking).await?,
        checked_in: clock.date_time(tz, arrived),
        due_to_end: clock.date_time(tz, booking.end),
        grace_minutes: rule.grace_minutes,
        contact: contact.map(|c| c.name),
        next_alert: (job.kind == JobKind::SafetyAlert).then(|| clock.clock(tz, next)),
    };
    let page = format!("{}/manage/safety?date={}", config.public_url, local_date(tz, booking.start));
    let composed = compose_safety(job.kind, &Sender { name: &name, details: &details }, &facts, &page);
    Ok(Ok(Rendered::plain(mail(job, config, to.join(", "), &details, composed, None))))
}

/// Every manager's email, in the order the accounts list them; the practice's own email when there is no
/// manager.
async fn managers(app: &App, practice_email: Option<&str>) -> AppResult<Vec<String>> {
    let mut to: Vec<String> = app
        .store()
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Manager)
        .map(|u| u.email.as_str().to_string())
        .collect();
    if to.is_empty() {
        to.extend(practice_email.map(str::to_string));
    }
    Ok(to)
}

/// Records how the managers' alert ended and, when it went (or failed for good), writes the escalation with
/// it; `false` when the claim was no longer this server's.
pub(super) async fn finish_alert(app: &App, claim: &Claim, outcome: &JobOutcome) -> AppResult<bool> {
    let now = app.now();
    let then = match (outcome, claim.job.booking_id, claim.job.therapist_id) {
        (JobOutcome::Sent(_) | JobOutcome::Filed(_) | JobOutcome::Failed(_), Some(booking), Some(therapist)) => {
            vec![escalation(app, booking, therapist).await?]
        }
        _ => Vec::new(),
    };
    let held = app.store().finish_safety_alert(claim, outcome, &then, now).await?;
    if held && !then.is_empty() {
        app.jobs_added();
    }
    Ok(held)
}

async fn escalation(
    app: &App,
    booking: knead_core::booking::BookingId,
    therapist: TherapistId,
) -> AppResult<knead_core::notify::NewJob> {
    let end = app.store().booking(booking).await?.end;
    let settings = app.store().practice_settings().await?;
    Ok(SafetyRule::new(settings.safety_grace_minutes).escalation_job(therapist, end, app.now()))
}
