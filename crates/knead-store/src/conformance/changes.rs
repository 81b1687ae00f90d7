//! Stories of booking change records: what a staff member changed about a booking is written in the same
//! transaction as the change, and nothing is recorded for a change that was refused or made by the client.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule, Pass, Refuse};
use crate::{BookingError, Store};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{BookingChange, BookingId, BookingStatus, Change, NamedTherapist};
use knead_core::schedule::Unfit;
use knead_core::NewUser;

pub async fn a_staff_change_is_recorded_with_the_change_itself(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let kai = therapist_with_schedule(store, "Kai", service.id).await;
    let manager =
        store.create_user(&NewUser::parse("m@example.com", "M", "manager").unwrap(), "h", t0()).await.unwrap();
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let booking = booked(store, &new_booking(service.id, &[mara], start, home(), None)).await;
    let named = |id, name: &str| NamedTherapist { id, name: name.into() };

    // The client's own move is not recorded: they know.
    let to = new_booking(service.id, &[mara], start + 1.hours(), home(), None);
    store.reschedule_booking(booking.id, &to, &Pass, None).await.unwrap();
    assert!(store.booking_changes(booking.id).await.unwrap().is_empty());

    // A staff member's move to another time, the same therapist: one record, at the move's time.
    let mut to = new_booking(service.id, &[mara], start + 2.hours(), home(), None);
    to.created_at = t0() + 1.hours();
    store.reschedule_booking(booking.id, &to, &Pass, Some(manager.id)).await.unwrap();
    let moved = BookingChange {
        booking_id: booking.id,
        at: t0() + 1.hours(),
        by: Some(manager.id),
        change: Change::Moved { from: start + 1.hours(), to: start + 2.hours() },
    };
    assert_eq!(store.booking_changes(booking.id).await.unwrap(), [moved]);

    // Another therapist at the same time: a reassignment, naming both.
    let to = new_booking(service.id, &[kai], start + 2.hours(), home(), None);
    store.reschedule_booking(booking.id, &to, &Pass, Some(manager.id)).await.unwrap();
    let changes = store.booking_changes(booking.id).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].change, Change::Reassigned { from: vec![named(mara, "Mara")], to: vec![named(kai, "Kai")] });

    // Both at once: two records, the move first.
    let to = new_booking(service.id, &[mara], start + 3.hours(), home(), None);
    store.reschedule_booking(booking.id, &to, &Pass, Some(manager.id)).await.unwrap();
    let kinds: Vec<_> = store.booking_changes(booking.id).await.unwrap().iter().map(|c| c.change.kind()).collect();
    assert_eq!(kinds, ["moved", "reassigned", "moved", "reassigned"]);

    // A refused move changes nothing and records nothing.
    let to = new_booking(service.id, &[kai], start + 5.hours(), home(), None);
    let r = store.reschedule_booking(booking.id, &to, &Refuse(Unfit::NoSchedule), Some(manager.id)).await;
    assert!(matches!(r, Err(BookingError::Unavailable(_))), "{r:?}");
    assert_eq!(store.booking_changes(booking.id).await.unwrap().len(), 4);
    assert_eq!(store.booking(booking.id).await.unwrap().start, start + 3.hours());

    // Cancelled by the practice: recorded once, however often it is cancelled.
    let cancelled = store.cancel_booking(booking.id, t0() + 2.hours(), Some(manager.id), &[]).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    store.cancel_booking(booking.id, t0() + 3.hours(), Some(manager.id), &[]).await.unwrap();
    let changes = store.booking_changes(booking.id).await.unwrap();
    assert_eq!(changes.len(), 5);
    assert_eq!(
        (changes[4].at, changes[4].by, &changes[4].change),
        (t0() + 2.hours(), Some(manager.id), &Change::Cancelled)
    );
    let r = store.reschedule_booking(booking.id, &to, &Pass, Some(manager.id)).await;
    assert!(r.is_err(), "a cancelled booking is not moved");
    assert_eq!(store.booking_changes(booking.id).await.unwrap().len(), 5, "nor is a move recorded");

    // A client's cancellation is not recorded; other bookings and unknown ones have no records.
    let other = booked(store, &new_booking(service.id, &[kai], start + 6.hours(), home(), None)).await;
    store.cancel_booking(other.id, t0(), None, &[]).await.unwrap();
    assert!(store.booking_changes(other.id).await.unwrap().is_empty());
    assert!(store.booking_changes(BookingId(other.id.0 + 1000)).await.unwrap().is_empty());
    let r = store.cancel_booking(BookingId(other.id.0 + 1000), t0(), Some(manager.id), &[]).await;
    assert!(matches!(r, Err(crate::StoreError::NotFound)), "{r:?}");
}
