//! Stories of the safety port: a check-in is written with its alert and only once; a check-out needs the
//! check-in, comes once, and skips the pending alerts in its own transaction; the log is append-only and read
//! back by booking and by the day's visits; a finished alert writes its escalation unless the therapist has
//! checked out.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule};
use crate::{JobFilter, JobOutcome, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{Booking, BookingId};
use knead_core::notify::{Job, JobKind, JobStatus, SentMessage};
use knead_core::safety::{CheckKind, NewCheck, SafetyRule};
use knead_core::{NewUser, TherapistId, UserId};

async fn safety_jobs(store: &dyn Store, booking: BookingId) -> Vec<Job> {
    let all = store.jobs(&JobFilter { booking: Some(booking), limit: 100, ..JobFilter::default() }).await.unwrap();
    all.into_iter().filter(|j| matches!(j.kind, JobKind::SafetyAlert | JobKind::SafetyEscalation)).collect()
}

fn check(booking: &Booking, therapist: TherapistId, kind: CheckKind, at: Timestamp, by: UserId) -> NewCheck {
    NewCheck { booking_id: booking.id, therapist_id: therapist, kind, at, by, note: None }
}

/// A practice with one therapist (and a login for them), a one-hour home visit at `start`, and the rule.
async fn visit(store: &dyn Store, start: Timestamp) -> (Booking, TherapistId, UserId) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let user = NewUser::parse("mara@example.com", "Mara", "therapist").unwrap();
    let user = store.create_user(&user, "plain:x", t0()).await.unwrap();
    let booking = booked(store, &new_booking(service.id, &[mara], start, home(), None)).await;
    (booking, mara, user.id)
}

pub async fn a_check_in_writes_its_alert_once_and_a_check_out_skips_it(store: &dyn Store) {
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let (booking, mara, by) = visit(store, start).await;
    let rule = SafetyRule::new(30);

    // Checking out first is refused, naming the missing check-in, and writes nothing.
    let early = store.check_out(&check(&booking, mara, CheckKind::Out, start, by)).await;
    assert!(matches!(early, Err(StoreError::Conflict { field: "check_in" })), "{early:?}");
    assert!(store.visit_checks(booking.id).await.unwrap().is_empty());

    // The check-in is written with its alert, due a grace period after the visit's end.
    let arrived = start - 5.minutes();
    let mut first = check(&booking, mara, CheckKind::In, arrived, by);
    first.note = Some("parking behind the building".into());
    let stored = store.check_in(&first, &[rule.alert_job(mara, booking.end)]).await.unwrap();
    assert_eq!(
        (stored.kind, stored.at, stored.by, stored.note.as_deref()),
        (CheckKind::In, arrived, Some(by), Some("parking behind the building"))
    );
    let jobs = safety_jobs(store, booking.id).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let alert = &jobs[0];
    assert_eq!(
        (alert.kind, alert.status, alert.run_at, alert.therapist_id, alert.created_at),
        (JobKind::SafetyAlert, JobStatus::Pending, booking.end + 30.minutes(), Some(mara), arrived)
    );

    // A second check-in is refused and writes no second alert.
    let again =
        store.check_in(&check(&booking, mara, CheckKind::In, start, by), &[rule.alert_job(mara, booking.end)]).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "check_in" })), "{again:?}");
    assert_eq!(safety_jobs(store, booking.id).await.len(), 1);

    // The check-out skips the pending alert, saying why; a second check-out is refused.
    let left = booking.end + 3.minutes();
    store.check_out(&check(&booking, mara, CheckKind::Out, left, by)).await.unwrap();
    let jobs = safety_jobs(store, booking.id).await;
    assert_eq!((jobs[0].status, jobs[0].last_error.as_deref()), (JobStatus::Skipped, Some("checked out")));
    let twice = store.check_out(&check(&booking, mara, CheckKind::Out, left, by)).await;
    assert!(matches!(twice, Err(StoreError::Conflict { field: "check_out" })), "{twice:?}");

    // The log reads back oldest first, by booking and by the day the visits start on.
    let log = store.visit_checks(booking.id).await.unwrap();
    assert_eq!(
        log.iter().map(|c| (c.kind, c.at)).collect::<Vec<_>>(),
        [(CheckKind::In, arrived), (CheckKind::Out, left)]
    );
    let day = store.checks_between(start - 14.hours(), start + 10.hours()).await.unwrap();
    assert_eq!(day, log);
    assert!(
        store.checks_between(start + 1.hours(), start + 10.hours()).await.unwrap().is_empty(),
        "by the visit's start"
    );

    // A check for a booking that does not exist is not found.
    let ghost = NewCheck { booking_id: BookingId(987_654), ..check(&booking, mara, CheckKind::In, start, by) };
    assert!(matches!(store.check_in(&ghost, &[]).await, Err(StoreError::NotFound)));
}

pub async fn a_sent_alert_writes_its_escalation_unless_the_therapist_checked_out(store: &dyn Store) {
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let (booking, mara, by) = visit(store, start).await;
    let rule = SafetyRule::new(30);
    store
        .check_in(&check(&booking, mara, CheckKind::In, start, by), &[rule.alert_job(mara, booking.end)])
        .await
        .unwrap();

    // Not due before its time; then claimed, sent, and followed by the escalation in one write.
    let due = rule.alert_at(booking.end);
    assert!(store.claim_job(due - 1.seconds(), due + 2.minutes(), "w").await.unwrap().is_none());
    let claim = store.claim_job(due, due + 2.minutes(), "w").await.unwrap().expect("the alert is due");
    assert_eq!(claim.job.kind, JobKind::SafetyAlert);
    let message = SentMessage {
        message_id: "<job-1@spa.example>".into(),
        to: "manager@example.com".into(),
        subject: "Safety alert".into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        calendar: None,
    };
    let escalation = rule.escalation_job(mara, booking.end, due);
    let finished = store
        .finish_safety_alert(&claim, &JobOutcome::Filed(message.clone()), std::slice::from_ref(&escalation), due)
        .await
        .unwrap();
    assert!(finished);
    let jobs = safety_jobs(store, booking.id).await;
    let alert = jobs.iter().find(|j| j.kind == JobKind::SafetyAlert).unwrap();
    assert_eq!(alert.status, JobStatus::Outbox);
    let next = jobs.iter().find(|j| j.kind == JobKind::SafetyEscalation).expect("the escalation");
    assert_eq!(
        (next.status, next.run_at, next.therapist_id),
        (JobStatus::Pending, rule.escalation_at(booking.end), Some(mara))
    );

    // A late finisher changes nothing and writes nothing.
    assert!(!store
        .finish_safety_alert(&claim, &JobOutcome::Filed(message.clone()), std::slice::from_ref(&escalation), due)
        .await
        .unwrap());
    assert_eq!(safety_jobs(store, booking.id).await.len(), 2);

    // Once checked out, the escalation is skipped, and a finished alert writes none.
    store.check_out(&check(&booking, mara, CheckKind::Out, due + 5.minutes(), by)).await.unwrap();
    let jobs = safety_jobs(store, booking.id).await;
    let next = jobs.iter().find(|j| j.kind == JobKind::SafetyEscalation).unwrap();
    assert_eq!((next.status, next.last_error.as_deref()), (JobStatus::Skipped, Some("checked out")));

    let other = booked(store, &new_booking(booking.service_id, &[mara], start + 4.hours(), home(), None)).await;
    store
        .check_in(&check(&other, mara, CheckKind::In, other.start, by), &[rule.alert_job(mara, other.end)])
        .await
        .unwrap();
    let due = rule.alert_at(other.end);
    let claim = store.claim_job(due, due + 2.minutes(), "w").await.unwrap().expect("the second alert");
    store.check_out(&check(&other, mara, CheckKind::Out, due, by)).await.unwrap();
    let escalation = rule.escalation_job(mara, other.end, due);
    assert!(store.finish_safety_alert(&claim, &JobOutcome::Filed(message), &[escalation], due).await.unwrap());
    let jobs = safety_jobs(store, other.id).await;
    assert_eq!(jobs.len(), 1, "no escalation after the check-out: {jobs:?}");
}

/// Expands to one `#[tokio::test]` per story that needs raw SQL (the safety log's, and group payments'). `$fresh` is as for
/// `corrupt_rows_suite!`: an async function returning `Option<T>` whose field `$field` is the adapter's store.
#[macro_export]
macro_rules! safety_sql_suite {
    ($fresh:path, $field:ident) => {
        #[tokio::test]
        async fn the_check_log_refuses_any_raw_change_and_a_bad_row_is_corrupt() {
            let Some(test_store) = $fresh().await else { return };
            $crate::conformance::safety::the_check_log_refuses_any_raw_change_and_a_bad_row_is_corrupt(
                &test_store.$field,
            )
            .await;
            test_store.cleanup().await;
        }

        #[tokio::test]
        async fn payments_are_kept_as_recorded_and_an_enquiry_is_decided_once() {
            let Some(test_store) = $fresh().await else { return };
            $crate::conformance::chair_days::payments_are_kept_as_recorded_and_an_enquiry_is_decided_once(
                &test_store.$field,
            )
            .await;
            test_store.cleanup().await;
        }
    };
}

/// The triggers refuse every change to a check, whatever the statement; a check whose kind cannot be read
/// (written behind the triggers' and the rule's back) is a corrupt row naming the table and id.
pub async fn the_check_log_refuses_any_raw_change_and_a_bad_row_is_corrupt<D: crate::sql::SqlDatabase>(db: &D) {
    let store: &dyn Store = db;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let (booking, mara, by) = visit(store, start).await;
    let stored = store.check_in(&check(&booking, mara, CheckKind::In, start, by), &[]).await.unwrap();
    for sql in [
        "update visit_checks set checked_at = checked_at where id = $1",
        "update visit_checks set note = 'edited' where id = $1",
        "delete from visit_checks where id = $1",
    ] {
        match db.execute(sql, &[stored.id.into()]).await {
            Err(e) => assert!(e.to_string().contains("visit_checks_append_only"), "{sql}: {e}"),
            Ok(n) => panic!("{sql} must be refused, changed {n}"),
        }
    }
    assert_eq!(store.visit_checks(booking.id).await.unwrap(), std::slice::from_ref(&stored));

    let (lift_trigger, lift_check) = match D::BACKEND {
        "sqlite" => ("drop trigger visit_checks_no_update", "pragma ignore_check_constraints = on"),
        _ => (
            "alter table visit_checks disable trigger visit_checks_append_only",
            "alter table visit_checks drop constraint visit_checks_kind_check",
        ),
    };
    db.execute(lift_trigger, &[]).await.unwrap();
    db.execute(lift_check, &[]).await.unwrap();
    db.execute("update visit_checks set kind = 'sideways' where id = $1", &[stored.id.into()]).await.unwrap();
    super::corrupt::assert_corrupt(store.visit_checks(booking.id).await, "visit_checks", stored.id, "sideways");
}
