//! Stories of the scheduling port: settings, clinics, schedules, the calendar version, and bookings written
//! under the store's lock with the core's rule as the re-check and the database's overlap rule as backstop.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule, NoOverlap, Pass, Refuse};
use crate::{BookingError, Created, Store, StoreError};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{
    BookingId, BookingStatus, ClinicId, ClinicInput, NewBooking, RoomInput, RoomRef, Unavailable, Where,
};
use knead_core::calendar::{DayWindows, PracticeSettings, ScheduleInput, WeeklyHoursInput, Zone};
use knead_core::schedule::{RoomCalendar, Unfit};
use knead_core::{Gender, NewUser, TherapistId, TherapistInput};

/// A clinic with its point given and `rooms` by name.
pub fn clinic_input(rooms: &[&str]) -> ClinicInput {
    ClinicInput {
        name: "Queen St Clinic".into(),
        address: "10 Fictional St".into(),
        lat: Some(43.65),
        lon: Some(-79.40),
        rooms: rooms.iter().map(|r| RoomInput::from(*r)).collect(),
    }
}

/// Settings are the defaults until saved, then what was saved (the booking horizon too).
pub async fn practice_settings(store: &dyn Store) {
    assert_eq!(store.practice_settings().await.unwrap(), PracticeSettings::default());
    let zone = Zone::parse("time_zone", "America/Vancouver").unwrap();
    let s =
        PracticeSettings { time_zone: zone, grid_minutes: 30, booking_horizon_days: 90, ..PracticeSettings::default() };
    store.save_practice_settings(&s).await.unwrap();
    store.save_practice_settings(&s).await.unwrap();
    assert_eq!(store.practice_settings().await.unwrap(), s);
    let longer = PracticeSettings { booking_horizon_days: 730, ..s };
    store.save_practice_settings(&longer).await.unwrap();
    assert_eq!(store.practice_settings().await.unwrap().booking_horizon_days, 730);
}

/// Clinics keep their rooms in order and list by name; one reads by id.
pub async fn clinics_and_rooms(store: &dyn Store) {
    let c = store.create_clinic(&clinic_input(&["Room A", "Room B"]).validate().unwrap()).await.unwrap();
    assert_eq!(c.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Room A", "Room B"]);
    assert!(!c.archived);
    assert_eq!(store.clinics().await.unwrap(), vec![c.clone()]);
    assert_eq!(store.clinic(c.id).await.unwrap(), c);
    assert!(matches!(store.clinic(ClinicId(c.id.0 + 100)).await, Err(StoreError::NotFound)));
    let earlier = ClinicInput { name: "Annex".into(), ..clinic_input(&["Only room"]) };
    let annex = store.create_clinic(&earlier.validate().unwrap()).await.unwrap();
    assert_eq!(store.clinics().await.unwrap(), vec![annex, c], "by name");
}

/// A schedule round-trips; overrides and time off come and go; archived therapists drop out.
pub async fn schedules(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist_with_schedule(store, "Robin Vale", service.id).await;
    let s = store.schedule(t).await.unwrap().unwrap();
    assert_eq!(s.service_ids, vec![service.id]);
    assert_eq!(s.weekly.len(), 7);
    assert_eq!((s.weekly[0].weekday, s.weekly[0].start_minute, s.weekly[0].end_minute), (1, 540, 1020));
    assert!(store.schedule(TherapistId(t.0 + 100)).await.unwrap().is_none());

    let day: Date = "2026-03-08".parse().unwrap();
    store.set_day_override(t, day, Some(&DayWindows::new([(600, 720)]).unwrap())).await.unwrap();
    let split = DayWindows::new([(700, 800), (600, 660)]).unwrap();
    store.set_day_override(t, day, Some(&split)).await.unwrap();
    let s = store.schedule(t).await.unwrap().unwrap();
    assert_eq!(s.overrides.len(), 1);
    assert_eq!((s.overrides[0].date, s.overrides[0].windows.as_slice()), (day, &[(600, 660), (700, 800)][..]));
    store.set_day_override(t, day, Some(&DayWindows::day_off())).await.unwrap();
    assert!(store.schedule(t).await.unwrap().unwrap().overrides[0].windows.is_day_off());
    store.set_day_override(t, day, None).await.unwrap();
    assert!(store.schedule(t).await.unwrap().unwrap().overrides.is_empty());

    let off = store.add_time_off(t, t0(), t0() + 3.hours()).await.unwrap();
    assert_eq!((off.start, off.end), (t0(), t0() + 3.hours()));
    assert_eq!(store.schedule(t).await.unwrap().unwrap().time_off, vec![off]);
    assert!(matches!(
        store.add_time_off(TherapistId(t.0 + 100), t0(), t0() + 1.hour()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.delete_time_off(TherapistId(t.0 + 1), off.id).await, Err(StoreError::NotFound)));
    store.delete_time_off(t, off.id).await.unwrap();
    assert!(store.schedule(t).await.unwrap().unwrap().time_off.is_empty());

    let missing =
        ScheduleInput { base_lat: 43.0, base_lon: -79.0, radius_km: 5.0, service_ids: vec![], weekly: vec![] };
    assert!(matches!(
        store.save_schedule(TherapistId(9_999), &missing.validate().unwrap()).await,
        Err(StoreError::NotFound)
    ));
    let unknown_service = ScheduleInput { service_ids: vec![service.id.0 + 100], ..missing.clone() };
    assert!(matches!(store.save_schedule(t, &unknown_service.validate().unwrap()).await, Err(StoreError::NotFound)));
    assert_eq!(store.schedule(t).await.unwrap().unwrap(), s_without_overrides(&s), "a refused save changes nothing");

    let login = store
        .create_user(&NewUser::parse("robin@example.com", "Robin", "therapist").unwrap(), "h", t0())
        .await
        .unwrap();
    assert_eq!(store.therapist_for_user(login.id).await.unwrap(), None);
    store.link_therapist_user(t, Some(login.id)).await.unwrap();
    assert_eq!(store.therapist_for_user(login.id).await.unwrap(), Some(t));
    assert!(matches!(
        store.link_therapist_user(TherapistId(t.0 + 500), Some(login.id)).await,
        Err(StoreError::NotFound)
    ));
    store.link_therapist_user(t, None).await.unwrap();
    assert_eq!(store.therapist_for_user(login.id).await.unwrap(), None);

    assert_eq!(store.schedules().await.unwrap().len(), 1);
    assert_eq!(s.gender, None, "not stated on the profile");
    let stated = TherapistInput { name: "Robin Vale".into(), gender: Some("male".into()), ..Default::default() };
    store.update_therapist(t, &stated.validate().unwrap(), t0()).await.unwrap();
    assert_eq!(
        store.schedule(t).await.unwrap().unwrap().gender,
        Some(Gender::Male),
        "the profile's gender comes along"
    );
    assert_eq!(store.schedules().await.unwrap()[0].gender, Some(Gender::Male));
    let asked = NewBooking {
        therapist_gender: Some(Gender::Male),
        ..new_booking(service.id, &[t], t0() + 26.hours(), home(), None)
    };
    let b = booked(store, &asked).await;
    assert_eq!(b.therapist_gender, Some(Gender::Male));
    assert_eq!(store.booking(b.id).await.unwrap().therapist_gender, Some(Gender::Male), "the client's ask reads back");
    store.set_therapist_archived(t, true, t0()).await.unwrap();
    assert!(store.schedules().await.unwrap().is_empty());
    assert!(store.schedule(t).await.unwrap().is_some(), "an archived therapist's own schedule still reads");
}

fn s_without_overrides(s: &knead_core::calendar::TherapistSchedule) -> knead_core::calendar::TherapistSchedule {
    knead_core::calendar::TherapistSchedule { overrides: vec![], time_off: vec![], ..s.clone() }
}

/// Bookings: written under the check, replayed by key, refused on overlap, cancelled and moved.
pub async fn bookings(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();

    let first = new_booking(service.id, &[a, b], start, home(), Some("key-1"));
    let created = store.create_booking(&first, &Pass).await.unwrap();
    let Created::New(booking) = created else { panic!("a new booking") };
    assert_eq!(booking.visits.len(), 2, "a couples booking holds both visits");
    assert_eq!(booking.therapist_ids(), vec![a, b]);
    assert_eq!((booking.start, booking.end), (start, start + 60.minutes()));
    assert_eq!(booking.place, home());
    assert_eq!(booking.client, first.client);
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(booking.visits[0].block_start, start - 15.minutes());
    assert_eq!(booking.visits[0].room_id, None);

    let (by_key, fingerprint) = store.booking_by_idempotency_key("key-1").await.unwrap().unwrap();
    assert_eq!((by_key, fingerprint.as_str()), (booking.clone(), "fp-1"));
    assert!(store.booking_by_idempotency_key("key-x").await.unwrap().is_none());
    let again = store.create_booking(&first, &Pass).await.unwrap();
    assert!(matches!(&again, Created::Replayed(x) if *x == booking), "same key, same booking");
    let mut other = first.clone();
    other.request_fingerprint = "fp-2".into();
    assert!(matches!(store.create_booking(&other, &Pass).await, Err(BookingError::KeyReused)));

    // The database refuses an overlap even when the rule (wrongly) passes: the backstop.
    let clash = new_booking(service.id, &[a], start + 30.minutes(), home(), None);
    let r = store.create_booking(&clash, &Pass).await;
    assert!(matches!(r, Err(BookingError::Unavailable(Unavailable::TherapistBusy))), "{r:?}");
    // A refusing rule writes nothing, and does not use up the request's key.
    let refused = new_booking(service.id, &[a], start + 3.hours(), home(), Some("key-2"));
    let why = Unfit::NotEnoughTravelBefore { needed: 30, available: 10 };
    let r = store.create_booking(&refused, &Refuse(why.clone())).await;
    assert!(matches!(&r, Err(BookingError::Unavailable(Unavailable::DoesNotFit(u))) if *u == why), "{r:?}");
    assert_eq!(
        store.stops_between(start - 1.hours(), start + 6.hours()).await.unwrap().len(),
        2,
        "nothing else written"
    );
    let later = store.create_booking(&refused, &Pass).await.unwrap();
    assert!(matches!(later, Created::New(_)), "the refused request's key was not used up");

    let stops = store.stops_between(start - 1.hours(), start + 2.hours()).await.unwrap();
    assert_eq!(stops.len(), 2);
    assert_eq!(stops[0].1.end - stops[0].1.start, 90, "blocked range with buffers, in minutes");
    assert_eq!(stops[0].1.at, knead_core::geo::GeoPoint { lat: 43.66, lon: -79.39 });

    assert_eq!(store.booking_by_manage_token(&first.manage_token_hash).await.unwrap(), booking);
    assert!(matches!(store.booking_by_manage_token("nope").await, Err(StoreError::NotFound)));
    assert!(matches!(store.booking(BookingId(booking.id.0 + 1000)).await, Err(StoreError::NotFound)));
    let day = store.therapist_bookings(a, start - 10.hours(), start + 10.hours()).await.unwrap();
    assert_eq!(day.iter().map(|b| b.start).collect::<Vec<_>>(), [start, start + 3.hours()], "by start");

    let cancelled = store.cancel_booking(booking.id, t0(), None, &[]).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.visits.len(), 2, "a cancelled booking still shows its visits");
    store.cancel_booking(booking.id, t0(), None, &[]).await.unwrap();
    assert!(matches!(
        store.cancel_booking(BookingId(booking.id.0 + 1000), t0(), None, &[]).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.therapist_bookings(a, start - 10.hours(), start + 10.hours()).await.unwrap().len(), 1);
    let retry = new_booking(service.id, &[a], start, home(), None);
    assert!(matches!(store.create_booking(&retry, &Pass).await, Ok(Created::New(_))), "cancelling frees the time");

    let moving = booked(store, &new_booking(service.id, &[b], start, home(), None)).await;
    let to = new_booking(service.id, &[b], start + 30.minutes(), home(), None);
    let moved = store.reschedule_booking(moving.id, &to, &NoOverlap::of(&to.visits[0]), None).await.unwrap();
    assert_eq!(moved.start, start + 30.minutes(), "its own old visit does not block the move");
    assert_eq!(moved.visits.len(), 1);
    assert_eq!(moved.visits[0].block_start, to.visits[0].block_start);
    let r = store.reschedule_booking(booking.id, &to, &Pass, None).await;
    assert!(matches!(r, Err(BookingError::Unavailable(Unavailable::Cancelled))), "cancelled bookings stay put");

    let user = store.create_user(&NewUser::parse("c@example.com", "C", "client").unwrap(), "h", t0()).await.unwrap();
    let mut mine = new_booking(service.id, &[b], start + 5.hours(), home(), None);
    mine.client_user_id = Some(user.id);
    store.create_booking(&mine, &Pass).await.unwrap();
    let own = store.client_bookings(user.id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].client_user_id, Some(user.id));
}

/// A clinic visit takes a free room; when every room is busy, no room is free.
pub async fn clinic_rooms_are_never_double_booked(store: &dyn Store) {
    let service = store.create_service(&service_input("Clinic massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let clinic = store.create_clinic(&clinic_input(&["Only room"]).validate().unwrap()).await.unwrap();
    let start: Timestamp = "2026-06-02T15:00:00Z".parse().unwrap();
    let at_clinic = |t| new_booking(service.id, &[t], start, Where::Clinic(clinic.id), None);
    let first = store.create_booking(&at_clinic(a), &Pass).await.unwrap();
    assert_eq!(first.booking().visits[0].room_id, Some(clinic.rooms[0].id));
    assert_eq!(first.booking().place, Where::Clinic(clinic.id));
    let second = store.create_booking(&at_clinic(b), &Pass).await;
    assert!(matches!(second, Err(BookingError::Unavailable(Unavailable::NoRoomFree))), "{second:?}");
    let calendar = store.room_calendar(clinic.id, start - 1.hours(), start + 2.hours()).await.unwrap();
    assert_eq!(calendar.rooms, 1);
    assert_eq!(calendar.busy.len(), 1);
    let (from, to) = calendar.busy[0];
    assert_eq!(to - from, 90, "the blocked range with buffers, in minutes");
    let elsewhere = store.room_calendar(clinic.id, start + 3.hours(), start + 4.hours()).await.unwrap();
    assert_eq!(elsewhere, RoomCalendar { rooms: 1, busy: vec![] });
}

/// Twenty simultaneous requests for one therapist's slot: exactly one is written, the rest are refused.
pub async fn concurrent_bookings_for_one_slot_let_exactly_one_through(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    let attempts = (0..20).map(|_| {
        let b = new_booking(service.id, &[a], start, home(), None);
        async move { store.create_booking(&b, &NoOverlap::of(&b.visits[0])).await }
    });
    let results = futures::future::join_all(attempts).await;
    let ok = results.iter().filter(|r| matches!(r, Ok(Created::New(_)))).count();
    let refused = results.iter().filter(|r| matches!(r, Err(BookingError::Unavailable(_)))).count();
    assert_eq!((ok, refused), (1, 19), "{:?}", results.iter().filter(|r| r.is_err()).collect::<Vec<_>>());
}

/// Each change to something availability reads moves the calendar version, in the same transaction: services
/// (with their add-ons), therapists, schedules (with their services and weekly hours), day overrides, time off,
/// the practice's settings, clinics and rooms, and visits. Reads leave it alone.
pub async fn every_change_availability_reads_moves_the_calendar_version(store: &dyn Store) {
    let mut seen = store.calendar_version().await.unwrap();
    let mut moved = async |what: &str| {
        let now = store.calendar_version().await.unwrap();
        assert_ne!(now, seen, "{what} must move the calendar version");
        seen = now;
    };
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    moved("a new service").await;
    let mut longer = service_input("Massage");
    longer.duration_minutes = 90;
    store.update_service(service.id, &longer.validate().unwrap(), t0()).await.unwrap();
    moved("a changed service").await;
    longer.add_ons.pop();
    store.update_service(service.id, &longer.validate().unwrap(), t0()).await.unwrap();
    moved("a removed add-on").await;
    store.set_service_archived(service.id, true, t0()).await.unwrap();
    moved("an archived service").await;
    store.set_service_archived(service.id, false, t0()).await.unwrap();
    moved("a restored service").await;

    let input = TherapistInput { name: "Robin Vale".into(), ..Default::default() };
    let t = store.create_therapist(&input.validate().unwrap(), t0()).await.unwrap().id;
    moved("a new therapist").await;
    let renamed = TherapistInput { name: "Robin Vale-Stone".into(), ..input };
    store.update_therapist(t, &renamed.validate().unwrap(), t0()).await.unwrap();
    moved("a changed therapist").await;

    let mut schedule = ScheduleInput {
        base_lat: 43.65,
        base_lon: -79.38,
        radius_km: 25.0,
        service_ids: vec![service.id.0],
        weekly: vec![WeeklyHoursInput { weekday: 1, start: "09:00".into(), end: "17:00".into() }],
    };
    store.save_schedule(t, &schedule.validate().unwrap()).await.unwrap();
    moved("a new schedule (base, services, weekly hours)").await;
    schedule.weekly[0].end = "18:00".into();
    store.save_schedule(t, &schedule.validate().unwrap()).await.unwrap();
    moved("changed weekly hours").await;

    let day: Date = "2026-06-08".parse().unwrap();
    store.set_day_override(t, day, Some(&DayWindows::new([(600, 720)]).unwrap())).await.unwrap();
    moved("a new day override").await;
    store.set_day_override(t, day, Some(&DayWindows::day_off())).await.unwrap();
    moved("a changed day override").await;
    store.set_day_override(t, day, None).await.unwrap();
    moved("a removed day override").await;

    let off = store.add_time_off(t, t0(), t0() + 3.hours()).await.unwrap();
    moved("new time off").await;
    store.delete_time_off(t, off.id).await.unwrap();
    moved("deleted time off").await;

    let settings = PracticeSettings { grid_minutes: 30, ..PracticeSettings::default() };
    store.save_practice_settings(&settings).await.unwrap();
    moved("the first saved settings").await;
    store.save_practice_settings(&PracticeSettings { grid_minutes: 20, ..settings }).await.unwrap();
    moved("changed settings").await;

    let clinic = store.create_clinic(&clinic_input(&["Room A", "Room B"]).validate().unwrap()).await.unwrap();
    moved("a new clinic with its rooms").await;
    let mut edited = clinic_input(&[]);
    edited.rooms = vec![RoomInput::Room(RoomRef { id: Some(clinic.rooms[0].id.0), name: "Room A".into() })];
    store.update_clinic(clinic.id, &edited.validate().unwrap(), t0()).await.unwrap();
    moved("a room removed from a clinic").await;
    edited.rooms.push(RoomInput::from("Room C"));
    store.update_clinic(clinic.id, &edited.validate().unwrap(), t0()).await.unwrap();
    moved("a room added to a clinic").await;
    store.set_clinic_archived(clinic.id, true).await.unwrap();
    moved("an archived clinic").await;
    store.set_clinic_archived(clinic.id, false).await.unwrap();
    moved("a restored clinic").await;

    let start: Timestamp = "2026-06-08T14:00:00Z".parse().unwrap();
    let booking = booked(store, &new_booking(service.id, &[t], start, home(), None)).await;
    moved("a new visit").await;
    let to = new_booking(service.id, &[t], start + 1.hours(), Where::Clinic(clinic.id), None);
    store.reschedule_booking(booking.id, &to, &Pass, None).await.unwrap();
    moved("a moved visit").await;
    store.cancel_booking(booking.id, t0(), None, &[]).await.unwrap();
    moved("a cancelled visit").await;

    let robin = NewUser::parse("robin@example.com", "Robin", "therapist").unwrap();
    let login = store.create_user(&robin, "h", t0()).await.unwrap();
    store.link_therapist_user(t, Some(login.id)).await.unwrap();
    moved("a therapist linked to a login").await;
    store.set_therapist_archived(t, true, t0()).await.unwrap();
    moved("an archived therapist").await;

    store.schedules().await.unwrap();
    store.list_services(true).await.unwrap();
    store.service(service.id).await.unwrap();
    store.stops_between(start - 1.hours(), start + 3.hours()).await.unwrap();
    store.room_calendar(clinic.id, start, start + 3.hours()).await.unwrap();
    store.practice_settings().await.unwrap();
    store.clinics().await.unwrap();
    assert_eq!(store.calendar_version().await.unwrap(), seen, "reads leave the calendar version alone");
}

/// Visits say what they changed: each new, moved or freed visit logs its therapist and time under the version it
/// moved, so a cache rebuilds that therapist's days alone; anything else that availability reads says
/// "everything" (`None`). A reader already at the version gets no changes.
pub async fn visit_changes_are_logged_with_their_therapist_and_time(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let (t, u) = (
        therapist_with_schedule(store, "Robin Vale", service.id).await,
        therapist_with_schedule(store, "Sam Reed", service.id).await,
    );
    let v0 = store.calendar_version().await.unwrap();
    let nothing = store.calendar_changes(v0).await.unwrap();
    assert_eq!((nothing.version, nothing.visits), (v0, Some(vec![])), "nothing moved: no changes");

    let start: Timestamp = "2026-06-08T14:00:00Z".parse().unwrap();
    let booking = booked(store, &new_booking(service.id, &[t], start, home(), None)).await;
    let made = store.calendar_changes(v0).await.unwrap();
    assert!(made.version > v0);
    let visits = made.visits.expect("a booking changes visits alone");
    assert!(!visits.is_empty() && visits.iter().all(|c| c.therapist == t), "{visits:?}");
    assert!(visits.iter().any(|c| c.from <= start && start < c.to), "the visit's time: {visits:?}");

    let to = new_booking(service.id, &[u], start + 2.hours(), home(), None);
    store.reschedule_booking(booking.id, &to, &Pass, None).await.unwrap();
    let moved = store.calendar_changes(made.version).await.unwrap();
    let visits = moved.visits.expect("a move changes visits alone");
    assert!(visits.iter().any(|c| c.therapist == t && c.from <= start && start < c.to), "freed: {visits:?}");
    assert!(visits.iter().any(|c| c.therapist == u && c.from <= start + 2.hours()), "taken: {visits:?}");

    store.cancel_booking(booking.id, t0(), None, &[]).await.unwrap();
    let freed = store.calendar_changes(moved.version).await.unwrap();
    assert!(freed.visits.expect("a cancellation frees visits").iter().all(|c| c.therapist == u));
    let all = store.calendar_changes(v0).await.unwrap();
    assert_eq!(all.version, freed.version);
    assert!(all.visits.expect("still only visits").len() >= 3, "each change since v0, in one answer");

    store.add_time_off(u, t0(), t0() + 3.hours()).await.unwrap();
    let off = store.calendar_changes(freed.version).await.unwrap();
    assert!(off.version > freed.version);
    assert_eq!(off.visits, None, "time off is not a visit: rebuild everything");
    assert_eq!(store.calendar_changes(v0).await.unwrap().visits, None, "nor from further back");
    assert_eq!(store.calendar_changes(off.version).await.unwrap().visits, Some(vec![]));
    assert_eq!(
        store.therapists_stops_between(&[u, t], start, start + 4.hours()).await.unwrap(),
        vec![],
        "the cancelled visit no longer stops anyone"
    );
}

/// The stops of named therapists are exactly the whole practice's stops of those therapists, however many are
/// named (more than one statement's worth here), in the same order; a cancelled visit stops no one.
pub async fn the_stops_of_named_therapists_are_the_practices_stops_of_them(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mut therapists = Vec::new();
    for i in 0..20 {
        therapists.push(therapist_with_schedule(store, &format!("Therapist {i}"), service.id).await);
    }
    let start: Timestamp = "2026-06-08T14:00:00Z".parse().unwrap();
    let mut cancelled = None;
    for (i, t) in therapists.iter().enumerate() {
        // Two visits each, the second a day later; every third therapist's first visit is cancelled.
        for day in 0..2 {
            let at = start + (24 * day).hours() + (i as i64 * 10).minutes();
            let b = booked(store, &new_booking(service.id, &[*t], at, home(), None)).await;
            if day == 0 && i % 3 == 0 {
                cancelled = Some(store.cancel_booking(b.id, t0(), None, &[]).await.unwrap());
            }
        }
    }
    let (from, to) = (start - 1.hours(), start + 6.hours());
    let named: Vec<TherapistId> = therapists.iter().copied().rev().collect();
    let all = store.stops_between(from, to).await.unwrap();
    let of_named = store.therapists_stops_between(&named, from, to).await.unwrap();
    assert_eq!(of_named, all, "all 20 named, in reverse: the practice's stops, by therapist and start");
    assert_eq!(of_named.len(), 20 - 7, "the next day's visits are outside; the cancelled ones stop no one");
    let some = [therapists[1], therapists[17]];
    let expected: Vec<_> = all.iter().filter(|(t, _)| some.contains(t)).cloned().collect();
    assert_eq!(store.therapists_stops_between(&some, from, to).await.unwrap(), expected);
    assert_eq!(expected.len(), 2);
    let next_day = store.therapists_stops_between(&some, from + 24.hours(), to + 24.hours()).await.unwrap();
    assert_eq!(next_day.len(), 2, "each one's visit the next day");
    assert!(store.therapists_stops_between(&[], from, to).await.unwrap().is_empty(), "no one named: no stops");
    assert!(cancelled.is_some());
}

/// Every refusal says why: the therapist's time is taken (the database's backstop), no room is free, the
/// rule's own reason, or the booking was cancelled. A booking that does not exist is not found.
pub async fn each_refusal_names_its_reason(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let clinic = store.create_clinic(&clinic_input(&["Only room"]).validate().unwrap()).await.unwrap();
    let start: Timestamp = "2026-06-04T14:00:00Z".parse().unwrap();
    let unavailable = |r: Result<Created, BookingError>| match r {
        Err(BookingError::Unavailable(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    };

    let first = booked(store, &new_booking(service.id, &[a], start, home(), None)).await;
    let clash = new_booking(service.id, &[a], start + 30.minutes(), home(), None);
    assert_eq!(unavailable(store.create_booking(&clash, &Pass).await), Unavailable::TherapistBusy);

    let outside = new_booking(service.id, &[b], start, home(), None);
    let refused = store.create_booking(&outside, &Refuse(Unfit::OutsideHours)).await;
    assert_eq!(unavailable(refused), Unavailable::DoesNotFit(Unfit::OutsideHours));

    let in_clinic = |t| new_booking(service.id, &[t], start + 3.hours(), Where::Clinic(clinic.id), None);
    store.create_booking(&in_clinic(b), &Pass).await.unwrap();
    assert_eq!(unavailable(store.create_booking(&in_clinic(a), &Pass).await), Unavailable::NoRoomFree);
    let couple = new_booking(service.id, &[a, b], start + 6.hours(), Where::Clinic(clinic.id), None);
    assert_eq!(
        unavailable(store.create_booking(&couple, &Pass).await),
        Unavailable::NoRoomFree,
        "two visits at once need two rooms"
    );

    store.cancel_booking(first.id, t0(), None, &[]).await.unwrap();
    let to = new_booking(service.id, &[a], start + 1.hours(), home(), None);
    let r = store.reschedule_booking(first.id, &to, &Pass, None).await;
    assert!(matches!(r, Err(BookingError::Unavailable(Unavailable::Cancelled))), "{r:?}");
    let r = store.reschedule_booking(BookingId(first.id.0 + 1000), &to, &Pass, None).await;
    assert!(matches!(r, Err(BookingError::Store(StoreError::NotFound))), "{r:?}");
    let r = store.reschedule_booking(first.id, &to, &Refuse(Unfit::NoSchedule), None).await;
    assert!(matches!(r, Err(BookingError::Unavailable(Unavailable::Cancelled))), "cancelled is checked first");
}

/// What `create_booking` returns is the booking as it reads back, whatever its shape: times to the microsecond
/// the database keeps (a clock gives nanoseconds), a couple's visits in the order reads give them, the room a
/// clinic visit was given, the client record a guest's booking made, and every optional field.
pub async fn a_new_booking_is_returned_as_it_reads_back(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let clinic = store.create_clinic(&clinic_input(&["Front", "Back"]).validate().unwrap()).await.unwrap();
    let start: Timestamp = "2026-06-04T14:00:00Z".parse().unwrap();
    let made_at = t0() + 123_456_789.nanoseconds();

    // The couple named in reverse id order.
    let mut couple = new_booking(service.id, &[b, a], start, home(), Some("as-written-1"));
    couple.created_at = made_at;
    couple.new_client_record = true;
    couple.add_ons = vec!["Hot stones".into(), "Aromatherapy oil".into()];
    couple.notes = "Buzzer 12; a friendly dog".into();
    couple.travel_fee_cents = 1_500;
    couple.arrival = knead_core::booking::ArrivalWindow::around(start, 30);
    couple.therapists_named = true;
    couple.therapist_gender = Some(Gender::Female);
    couple.status = BookingStatus::AwaitingClearance;
    couple.reason = Some(knead_core::intake::VisitReason::Relaxation);
    couple.visits[1].travel_before_min = 25;

    let mut at_clinic = new_booking(service.id, &[a], start + 3.hours(), Where::Clinic(clinic.id), None);
    at_clinic.created_at = made_at + 1.nanoseconds();

    for wanted in [couple, at_clinic] {
        let Ok(Created::New(returned)) = store.create_booking(&wanted, &Pass).await else { panic!("booked") };
        let read = store.booking(returned.id).await.unwrap();
        assert_eq!(returned, read, "the booking returned is the booking stored");
        assert_eq!(read.created_at, Timestamp::from_microsecond(made_at.as_microsecond()).unwrap());
    }
    let couple = store.booking_by_idempotency_key("as-written-1").await.unwrap().unwrap().0;
    assert_eq!(couple.therapist_ids(), [a, b], "visits by therapist");
    assert_eq!((couple.visits[0].travel_before_min, couple.visits[1].travel_before_min), (25, 10));
}
