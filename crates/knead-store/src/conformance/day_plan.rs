//! Stories of a day's re-plan (`apply_day_plan`): written whole, each move recorded, or not at all.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule, NoOverlap};
use crate::{BookingError, JobFilter, PlannedMove, Store};
use jiff::ToSpan;
use knead_core::booking::{Booking, Change, NewBooking, Unavailable};
use knead_core::notify::{JobKind, NewJob};
use knead_core::{NewUser, TherapistId};

/// `b` moved to `start` with `therapists`, telling the client.
fn moved(b: &Booking, therapists: &[TherapistId], start: jiff::Timestamp) -> NewBooking {
    let mut to = new_booking(b.service_id, therapists, start, b.place.clone(), None);
    to.created_at = t0() + 1.hour();
    to.jobs = vec![NewJob::now(JobKind::BookingChanged, to.created_at)];
    to
}

/// Two therapists swap their visits at the same hour: one at a time each would overlap the other's old visit,
/// so the store must free both first. A plan from an older revision, or one whose last move does not fit,
/// writes nothing.
pub async fn a_day_plan_is_written_whole_or_not_at_all(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Robin Vale", service.id).await;
    let b = therapist_with_schedule(store, "Sam Reed", service.id).await;
    let manager = NewUser::parse("dispatch@example.com", "Dana Fictional", "manager").unwrap();
    let manager = store.create_user(&manager, "h", t0()).await.unwrap();
    let start = t0() + 48.hours();
    let first = booked(store, &new_booking(service.id, &[a], start, home(), None)).await;
    let second = booked(store, &new_booking(service.id, &[b], start, home(), None)).await;
    let later = booked(store, &new_booking(service.id, &[a], start + 3.hours(), home(), None)).await;

    let (to_first, to_second) = (moved(&first, &[b], start), moved(&second, &[a], start));
    let (rule_first, rule_second) = (NoOverlap::of(&to_first.visits[0]), NoOverlap::of(&to_second.visits[0]));
    let swap = [
        PlannedMove { id: first.id, revision: first.revision, to: to_first, rule: &rule_first },
        PlannedMove { id: second.id, revision: second.revision, to: to_second, rule: &rule_second },
    ];
    let written = store.apply_day_plan(&swap, manager.id).await.unwrap();
    assert_eq!(written.iter().map(Booking::therapist_ids).collect::<Vec<_>>(), vec![vec![b], vec![a]]);
    let now_first = store.booking(first.id).await.unwrap();
    assert_eq!((now_first.therapist_ids(), now_first.revision), (vec![b], first.revision + 1));
    let changes = store.booking_changes(first.id).await.unwrap();
    assert!(
        matches!(&changes[..], [c] if matches!(&c.change, Change::Reassigned { .. }) && c.by == Some(manager.id)),
        "{changes:?}"
    );
    let filter = JobFilter { booking: Some(first.id), limit: 50, ..JobFilter::default() };
    let jobs = store.jobs(&filter).await.unwrap();
    assert!(jobs.iter().any(|j| j.kind == JobKind::BookingChanged), "the client is told");

    // The same plan again: both bookings have moved on since.
    let again = store.apply_day_plan(&swap, manager.id).await;
    assert!(matches!(again, Err(BookingError::Unavailable(Unavailable::ChangedSincePlanned))), "{again:?}");
    assert_eq!(store.booking(first.id).await.unwrap(), now_first, "nothing written");

    // First moves fine, the second would land on `later`: neither is written.
    let now_second = store.booking(second.id).await.unwrap();
    let (to_first, to_second) = (moved(&now_first, &[b], start + 1.hour()), moved(&now_second, &[a], later.start));
    let (rule_first, rule_second) = (NoOverlap::of(&to_first.visits[0]), NoOverlap::of(&to_second.visits[0]));
    let clash = [
        PlannedMove { id: first.id, revision: now_first.revision, to: to_first, rule: &rule_first },
        PlannedMove { id: second.id, revision: now_second.revision, to: to_second, rule: &rule_second },
    ];
    let refused = store.apply_day_plan(&clash, manager.id).await;
    assert!(matches!(refused, Err(BookingError::Unavailable(_))), "{refused:?}");
    assert_eq!(store.booking(first.id).await.unwrap(), now_first, "the first move was rolled back");
    assert_eq!(store.booking(second.id).await.unwrap(), now_second);
}
