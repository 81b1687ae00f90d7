//! Stories of the practice's own details and of clinics that are edited, archived and given rooms.

use super::scheduling::clinic_input;
use super::{booked, new_booking, service_input, t0, therapist_with_schedule, Pass};
use crate::{BookingError, ClinicError, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{Clinic, ClinicId, ClinicInput, RoomId, RoomInput, RoomRef, Unavailable, Where};
use knead_core::practice::{PracticeDetails, PracticeDetailsInput};
use knead_core::GeoPoint;

fn kept(id: RoomId, name: &str) -> RoomInput {
    RoomInput::Room(RoomRef { id: Some(id.0), name: name.into() })
}

fn room_names(c: &Clinic) -> Vec<&str> {
    c.rooms.iter().map(|r| r.name.as_str()).collect()
}

/// The details are none until saved, then exactly what was saved (a cleared detail is none again); saving
/// them leaves the calendar version alone, because availability does not read them.
pub async fn practice_details_read_back_as_saved(store: &dyn Store) {
    assert_eq!(store.practice_details().await.unwrap(), PracticeDetails::default());
    let version = store.calendar_version().await.unwrap();
    let all = PracticeDetailsInput {
        name: "Kneady Hands".into(),
        phone: "+1 (416) 555-0123".into(),
        email: "hello@kneady.example".into(),
        address: "Suite 4\n700 Queen St W\nToronto ON".into(),
    }
    .validate()
    .unwrap();
    store.save_practice_details(&all).await.unwrap();
    store.save_practice_details(&all).await.unwrap();
    assert_eq!(store.practice_details().await.unwrap(), all);
    let phone_only = PracticeDetailsInput { phone: "416-555-0199".into(), ..Default::default() }.validate().unwrap();
    store.save_practice_details(&phone_only).await.unwrap();
    let read = store.practice_details().await.unwrap();
    assert_eq!(read, phone_only);
    assert_eq!((read.name, read.email, read.address), (None, None, None), "cleared details are none");
    assert_eq!(store.calendar_version().await.unwrap(), version, "the details are not availability's");
}

/// An edit replaces the name, address and point, keeps the rooms given by id (renamed, even two swapping
/// names), adds the rooms without one and removes the rest; a room id the clinic does not have changes
/// nothing, and a clinic that does not exist is not found.
pub async fn a_clinic_is_edited_in_place_keeping_its_rooms_by_id(store: &dyn Store) {
    let c = store.create_clinic(&clinic_input(&["Room A", "Room B", "Room C"]).validate().unwrap()).await.unwrap();
    let other = store
        .create_clinic(&ClinicInput { name: "Annex".into(), ..clinic_input(&["Annex room"]) }.validate().unwrap())
        .await
        .unwrap();
    let [a, b, gone] = [c.rooms[0].id, c.rooms[1].id, c.rooms[2].id];
    let edit = ClinicInput {
        name: "Queen St Wellness".into(),
        address: "12 Fictional St".into(),
        lat: Some(43.66),
        lon: Some(-79.41),
        rooms: vec![kept(a, "Room B"), kept(b, "Room A"), RoomInput::from("Room D")],
    };
    let edited = store.update_clinic(c.id, &edit.validate().unwrap(), t0()).await.unwrap();
    assert_eq!((edited.name.as_str(), edited.address.as_str()), ("Queen St Wellness", "12 Fictional St"));
    assert_eq!(edited.at(), GeoPoint { lat: 43.66, lon: -79.41 });
    let rooms: Vec<_> = edited.rooms.iter().map(|r| (r.id, r.name.as_str())).collect();
    assert_eq!(rooms[..2], [(a, "Room B"), (b, "Room A")], "kept by id, names swapped");
    assert_eq!(rooms[2].1, "Room D");
    assert!(!edited.rooms.iter().any(|r| r.id == gone), "the room left out is removed");
    assert_eq!(store.clinic(c.id).await.unwrap(), edited);

    // A removed room's name is free again: a new room may take it.
    let again = ClinicInput { rooms: vec![kept(a, "Room B"), RoomInput::from("Room C")], ..edit.clone() };
    let again = store.update_clinic(c.id, &again.validate().unwrap(), t0()).await.unwrap();
    assert_eq!(room_names(&again), ["Room B", "Room C"]);
    assert!(again.rooms[1].id != gone, "a new room, not the removed one");

    let stranger = ClinicInput { rooms: vec![kept(a, "Room B"), kept(other.rooms[0].id, "Mine now")], ..edit.clone() };
    let refused = store.update_clinic(c.id, &stranger.validate().unwrap(), t0()).await;
    assert!(matches!(refused, Err(ClinicError::UnknownRoom { index: 1 })), "{refused:?}");
    let removed_room = ClinicInput { rooms: vec![kept(gone, "Back again")], ..edit.clone() };
    let refused = store.update_clinic(c.id, &removed_room.validate().unwrap(), t0()).await;
    assert!(matches!(refused, Err(ClinicError::UnknownRoom { index: 0 })), "a removed room is not the clinic's");
    assert_eq!(store.clinic(c.id).await.unwrap(), again, "a refused edit changes nothing");
    assert_eq!(store.clinic(other.id).await.unwrap(), other);

    let missing = store.update_clinic(ClinicId(c.id.0 + 100), &edit.validate().unwrap(), t0()).await;
    assert!(matches!(missing, Err(ClinicError::Store(StoreError::NotFound))), "{missing:?}");
}

/// A room with an active visit still to come cannot be removed, and the refusal names it and when its next
/// visit starts; nothing is written. Once the visit is over (or cancelled) the room can go, and the visit
/// keeps its room.
pub async fn a_room_with_visits_to_come_cannot_be_removed(store: &dyn Store) {
    let service = store.create_service(&service_input("Clinic massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist_with_schedule(store, "Therapist A", service.id).await;
    let c = store.create_clinic(&clinic_input(&["Room 1", "Room 2"]).validate().unwrap()).await.unwrap();
    let (one, two) = (c.rooms[0].id, c.rooms[1].id);
    let start: Timestamp = "2026-06-02T15:00:00Z".parse().unwrap();
    let visit = booked(store, &new_booking(service.id, &[t], start, Where::Clinic(c.id), None)).await;
    assert_eq!(visit.visits[0].room_id, Some(one));
    let later = booked(store, &new_booking(service.id, &[t], start + 3.hours(), Where::Clinic(c.id), None)).await;
    assert_eq!(later.visits[0].room_id, Some(one), "the first free room again");

    let without_one = ClinicInput { rooms: vec![kept(two, "Room 2")], ..clinic_input(&[]) };
    let before = start - 1.hours();
    match store.update_clinic(c.id, &without_one.validate().unwrap(), before).await {
        Err(ClinicError::RoomsInUse(busy)) => {
            assert_eq!(busy.len(), 1, "{busy:?}");
            assert_eq!((busy[0].id, busy[0].name.as_str()), (one, "Room 1"));
            assert_eq!(busy[0].next_visit, visit.visits[0].block_start, "its next visit, buffer included");
        }
        other => panic!("expected the busy room, got {other:?}"),
    }
    let during = start + 30.minutes();
    match store.update_clinic(c.id, &without_one.validate().unwrap(), during).await {
        Err(ClinicError::RoomsInUse(busy)) => {
            assert_eq!(busy[0].next_visit, visit.visits[0].block_start, "a visit under way counts");
        }
        other => panic!("expected the busy room, got {other:?}"),
    }
    assert_eq!(store.clinic(c.id).await.unwrap(), c, "a refused edit changes nothing");

    // Renaming a busy room keeps it, so that is allowed.
    let renamed = ClinicInput { rooms: vec![kept(one, "Blue room"), kept(two, "Room 2")], ..clinic_input(&[]) };
    let renamed = store.update_clinic(c.id, &renamed.validate().unwrap(), before).await.unwrap();
    assert_eq!(room_names(&renamed), ["Blue room", "Room 2"]);

    store.cancel_booking(later.id, t0(), None, &[]).await.unwrap();
    let after = visit.visits[0].block_end;
    let edited = store.update_clinic(c.id, &without_one.validate().unwrap(), after).await.unwrap();
    assert_eq!(room_names(&edited), ["Room 2"], "past and cancelled visits do not hold a room");
    assert_eq!(store.booking(visit.id).await.unwrap().visits[0].room_id, Some(one), "the visit keeps its room");
    let calendar = store.room_calendar(c.id, start - 1.hours(), start + 2.hours()).await.unwrap();
    assert_eq!((calendar.rooms, calendar.busy.len()), (1, 0), "a removed room is no longer counted");

    // The next visit at that time takes the room that is left.
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let next = booked(store, &new_booking(service.id, &[b], start, Where::Clinic(c.id), None)).await;
    assert_eq!(next.visits[0].room_id, Some(two));
}

/// An archived clinic takes no new bookings and says so; its bookings keep it. Restored, it takes them
/// again. Archiving a clinic that does not exist is not found.
pub async fn an_archived_clinic_takes_no_new_bookings_until_restored(store: &dyn Store) {
    let service = store.create_service(&service_input("Clinic massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist_with_schedule(store, "Therapist A", service.id).await;
    let c = store.create_clinic(&clinic_input(&["Room 1", "Room 2"]).validate().unwrap()).await.unwrap();
    let start: Timestamp = "2026-06-02T15:00:00Z".parse().unwrap();
    let kept_booking = booked(store, &new_booking(service.id, &[t], start, Where::Clinic(c.id), None)).await;

    let archived = store.set_clinic_archived(c.id, true).await.unwrap();
    assert!(archived.archived);
    assert_eq!(archived.rooms, c.rooms, "its rooms stay");
    assert_eq!(store.clinics().await.unwrap(), vec![archived.clone()], "listed, marked archived");
    let refused =
        store.create_booking(&new_booking(service.id, &[t], start + 3.hours(), Where::Clinic(c.id), None), &Pass).await;
    assert!(matches!(refused, Err(BookingError::Unavailable(Unavailable::NoRoomFree))), "{refused:?}");
    let kept_booking = store.booking(kept_booking.id).await.unwrap();
    assert_eq!(kept_booking.place, Where::Clinic(c.id), "a booking made before keeps its clinic");

    let restored = store.set_clinic_archived(c.id, false).await.unwrap();
    assert_eq!(restored, c);
    booked(store, &new_booking(service.id, &[t], start + 3.hours(), Where::Clinic(c.id), None)).await;
    assert!(matches!(store.set_clinic_archived(ClinicId(c.id.0 + 100), true).await, Err(StoreError::NotFound)));
}
