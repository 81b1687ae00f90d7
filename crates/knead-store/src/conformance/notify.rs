//! Stories of the notifications port: jobs are written with the change that causes them (and not with a
//! refused one), each job is claimed by one worker at a time and again only when its lease ends, a late
//! finisher cannot overwrite the new holder, and feeds and extra private links open what they should.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule, Pass, Refuse};
use crate::{BookingError, FeedOwner, JobFilter, JobOutcome, Store};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::BookingId;
use knead_core::notify::{JobKind, JobStatus, NewJob, SentMessage};
use knead_core::schedule::Unfit;
use std::collections::HashSet;

fn jobs_of(booking: BookingId) -> JobFilter {
    JobFilter { booking: Some(booking), limit: 100, ..JobFilter::default() }
}

fn message(id: &str) -> SentMessage {
    SentMessage {
        message_id: id.into(),
        to: "ana@example.com".into(),
        subject: "You're booked".into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        calendar: Some("BEGIN:VCALENDAR".into()),
    }
}

pub async fn jobs_are_written_with_the_change_that_causes_them(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let mut new = new_booking(service.id, &[mara], start, home(), None);
    let reminder = NewJob { visit_start: Some(start), ..NewJob::now(JobKind::Reminder, start - 2.hours()) };
    new.jobs = vec![NewJob::now(JobKind::BookingConfirmed, t0()), reminder.clone()];
    let booking = booked(store, &new).await;
    let jobs = store.jobs(&jobs_of(booking.id)).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.status == JobStatus::Pending && j.attempts == 0 && j.booking_id == Some(booking.id)));
    let written = jobs.iter().find(|j| j.kind == JobKind::Reminder).unwrap();
    assert_eq!((written.run_at, written.visit_start, written.created_at), (start - 2.hours(), Some(start), t0()));

    // A refused booking writes no job.
    let mut refused = new_booking(service.id, &[mara], start + 3.hours(), home(), None);
    refused.jobs = vec![NewJob::now(JobKind::BookingConfirmed, t0())];
    let r = store.create_booking(&refused, &Refuse(Unfit::NoSchedule)).await;
    assert!(matches!(r, Err(BookingError::Unavailable(_))), "{r:?}");
    assert_eq!(store.jobs(&JobFilter { limit: 100, ..JobFilter::default() }).await.unwrap().len(), 2);

    // A move skips the pending reminder (kept, with why) and writes its own jobs; the revision rises.
    let mut to = new_booking(service.id, &[mara], start + 1.hours(), home(), None);
    to.jobs = vec![NewJob::now(JobKind::BookingChanged, t0())];
    let moved = store.reschedule_booking(booking.id, &to, &Pass, None).await.unwrap();
    assert_eq!(moved.revision, booking.revision + 1);
    let jobs = store.jobs(&jobs_of(booking.id)).await.unwrap();
    let old = jobs.iter().find(|j| j.kind == JobKind::Reminder).unwrap();
    assert_eq!((old.status, old.last_error.as_deref()), (JobStatus::Skipped, Some("the visit moved")));
    assert!(jobs.iter().any(|j| j.kind == JobKind::BookingChanged && j.status == JobStatus::Pending));

    // A cancellation writes its jobs once, however often it is cancelled.
    let told = [NewJob::now(JobKind::BookingCancelled, t0())];
    let cancelled = store.cancel_booking(booking.id, t0(), None, &told).await.unwrap();
    store.cancel_booking(booking.id, t0() + 1.hours(), None, &told).await.unwrap();
    assert_eq!(
        store.booking(booking.id).await.unwrap().revision,
        cancelled.revision,
        "a second cancel changes nothing"
    );
    assert_eq!(cancelled.revision, moved.revision + 1);
    let jobs = store.jobs(&jobs_of(booking.id)).await.unwrap();
    assert_eq!(jobs.iter().filter(|j| j.kind == JobKind::BookingCancelled).count(), 1);
}

pub async fn a_job_is_held_by_one_worker_until_its_lease_ends(store: &dyn Store) {
    let lease = |at: Timestamp| at + 2.minutes();
    store.add_jobs(None, &[NewJob::now(JobKind::ManageLink, t0())], t0()).await.unwrap();
    // Not due yet.
    assert!(store.claim_job(t0() - 1.seconds(), lease(t0()), "a").await.unwrap().is_none());
    let first = store.claim_job(t0(), lease(t0()), "a").await.unwrap().expect("due");
    assert_eq!((first.job.status, first.job.attempts, first.worker.as_str()), (JobStatus::Running, 1, "a"));
    assert!(store.claim_job(t0() + 1.minutes(), lease(t0()), "b").await.unwrap().is_none(), "held by a");

    // a stops answering; once its lease ends b takes the job up, as a second attempt.
    let later = t0() + 3.minutes();
    let second = store.claim_job(later, lease(later), "b").await.unwrap().expect("the lease ran out");
    assert_eq!((second.job.id, second.job.attempts), (first.job.id, 2));
    // a's late answer is not recorded over b's claim; b's is.
    assert!(!store.finish_job(&first, &JobOutcome::Sent(message("<a>")), later).await.unwrap());
    assert!(store.finish_job(&second, &JobOutcome::Sent(message("<b>")), later).await.unwrap());
    let done = store.job(first.job.id).await.unwrap();
    assert_eq!((done.status, done.finished_at), (JobStatus::Sent, Some(later)));
    assert_eq!(done.message, Some(message("<b>")));
    assert!(store.claim_job(later + 1.hours(), lease(later), "c").await.unwrap().is_none(), "a sent job is done");

    // A retry waits for its time and keeps why; a failure and a skip end the job with their reason.
    store.add_jobs(None, &[NewJob::now(JobKind::ManageLink, t0())], t0()).await.unwrap();
    let claim = store.claim_job(later, lease(later), "a").await.unwrap().unwrap();
    let retry = JobOutcome::Retry { at: later + 10.minutes(), error: "451 try later".into() };
    assert!(store.finish_job(&claim, &retry, later).await.unwrap());
    let waiting = store.job(claim.job.id).await.unwrap();
    assert_eq!((waiting.status, waiting.last_error.as_deref()), (JobStatus::Pending, Some("451 try later")));
    assert!(store.claim_job(later + 9.minutes(), lease(later), "a").await.unwrap().is_none());
    let again = store.claim_job(later + 10.minutes(), lease(later + 10.minutes()), "b").await.unwrap().unwrap();
    assert_eq!(again.job.attempts, 2);
    assert!(store.finish_job(&again, &JobOutcome::Failed("550 no such user".into()), later).await.unwrap());
    let failed = store.job(claim.job.id).await.unwrap();
    assert_eq!((failed.status, failed.last_error.as_deref()), (JobStatus::Failed, Some("550 no such user")));
    let listed = store.jobs(&JobFilter { status: Some(JobStatus::Failed), limit: 10, ..JobFilter::default() }).await;
    assert_eq!(listed.unwrap().iter().map(|j| j.id).collect::<Vec<_>>(), [claim.job.id]);
}

pub async fn concurrent_workers_take_each_job_exactly_once(store: &dyn Store) {
    let jobs: Vec<NewJob> = (0..40).map(|_| NewJob::now(JobKind::ManageLink, t0())).collect();
    store.add_jobs(None, &jobs, t0()).await.unwrap();
    let now = t0() + 1.seconds();
    let workers = (0..4).map(|w| async move {
        let mut taken = Vec::new();
        while let Some(claim) = store.claim_job(now, now + 1.hours(), &format!("w{w}")).await.unwrap() {
            assert!(store.finish_job(&claim, &JobOutcome::Skipped("done".into()), now).await.unwrap());
            taken.push(claim.job.id);
        }
        taken
    });
    let taken: Vec<i64> = futures::future::join_all(workers).await.into_iter().flatten().collect();
    assert_eq!(taken.len(), 40, "every job once");
    assert_eq!(taken.iter().collect::<HashSet<_>>().len(), 40, "no job twice");
}

pub async fn extra_private_links_and_feeds_open_only_what_they_should(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let booking = booked(store, &new_booking(service.id, &[mara], start, home(), None)).await;
    store.add_manage_link(booking.id, "second-link-hash", t0()).await.unwrap();
    assert_eq!(store.booking_by_manage_token("second-link-hash").await.unwrap().id, booking.id);
    assert!(store.booking_by_manage_token("unknown").await.is_err());

    let owner = FeedOwner::Therapist(mara);
    store.replace_calendar_feed(owner, "feed-1", t0()).await.unwrap();
    assert_eq!(store.calendar_feed("feed-1").await.unwrap(), Some(owner));
    store.replace_calendar_feed(owner, "feed-2", t0()).await.unwrap();
    assert_eq!(store.calendar_feed("feed-1").await.unwrap(), None, "a new feed revokes the old one");
    assert_eq!(store.calendar_feed("feed-2").await.unwrap(), Some(owner));
    assert!(store.revoke_calendar_feed(owner, t0()).await.unwrap());
    assert_eq!(store.calendar_feed("feed-2").await.unwrap(), None);
    assert!(!store.revoke_calendar_feed(owner, t0()).await.unwrap(), "nothing left to revoke");
}
