//! The waitlist port's stories: a series keeps its wall-clock time and zone and is found again by its key;
//! an entry is written with its message; a start is held for one entry at a time; a lapsed offer goes back
//! in line remembering the start; an entry ends once.

use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule};
use crate::Store;
use jiff::{SignedDuration, ToSpan};
use knead_core::booking::waitlist::{HeldStart, NewWaitlistEntry, WaitStatus, Wish};
use knead_core::booking::{BookingRequest, Contact, NewSeries, Repeat};
use knead_core::notify::{JobKind, NewJob};
use knead_core::Email;

fn entry(store_service: knead_core::ServiceId, name: &str, token_hash: &str) -> NewWaitlistEntry {
    let client = Contact {
        name: format!("{name} Fictional"),
        email: Email::parse("email", &format!("{}@example.com", name.to_lowercase())).unwrap(),
        phone: "416-555-0100".into(),
    };
    NewWaitlistEntry {
        visit: BookingRequest {
            service_id: store_service,
            start: t0(),
            therapist_ids: None,
            place: home(),
            client: Some(client.clone()),
            reason: None,
            screening_id: None,
            add_ons: vec!["Hot stones".into()],
            notes: String::new(),
            client_id: None,
            intake: None,
            arrival_window_minutes: 0,
            therapist_gender: Some(knead_core::Gender::Male),
        },
        client,
        client_user_id: None,
        wish: Wish {
            first_date: jiff::civil::date(2026, 6, 1),
            last_date: jiff::civil::date(2026, 6, 30),
            weekdays: 0b001_0101,
            earliest_minute: 9 * 60,
            latest_minute: 12 * 60 + 30,
        },
        token_hash: token_hash.into(),
        created_at: t0(),
    }
}

pub async fn a_series_keeps_its_wall_clock_time_and_is_found_by_its_key(store: &dyn Store) {
    let new = NewSeries {
        first_date: jiff::civil::date(2027, 3, 16),
        local_time: jiff::civil::time(10, 30, 0, 0),
        zone: "Europe/Helsinki".into(),
        repeat: Repeat { every_weeks: 2, visits: 8 },
        idempotency_key: Some("series-1".into()),
        created_at: t0(),
    };
    let first = store.add_series(&new).await.unwrap();
    assert_eq!(first.series, new, "read back as written");
    let again = store.add_series(&new).await.unwrap();
    assert_eq!(again.id, first.id, "the same key finds the same series");
    let other = store.add_series(&NewSeries { idempotency_key: None, ..new.clone() }).await.unwrap();
    assert_ne!(other.id, first.id);
    assert_eq!(store.series(first.id).await.unwrap(), first);
}

pub async fn a_start_is_held_for_one_entry_and_a_lapsed_offer_goes_back_in_line(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let joined = [NewJob::now(JobKind::WaitlistJoined, t0())];
    let aino = store.join_waitlist(&entry(service.id, "Aino", "hash-aino"), &joined).await.unwrap();
    let bea = store.join_waitlist(&entry(service.id, "Bea", "hash-bea"), &joined).await.unwrap();
    assert_eq!(aino.entry.visit.add_ons, ["Hot stones"]);
    assert_eq!(aino.entry.visit.therapist_gender, Some(knead_core::Gender::Male), "the preference reads back");
    assert_eq!(aino.entry.wish, entry(service.id, "Aino", "").wish, "the wish reads back as written");
    assert_eq!(store.waitlist_by_token("hash-bea").await.unwrap().id, bea.id);
    let line: Vec<_> = store.waitlist(Some(WaitStatus::Waiting), 10).await.unwrap().iter().map(|w| w.id).collect();
    assert_eq!(line, [aino.id, bea.id], "oldest first");
    let messages = store.jobs(&crate::JobFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(messages.iter().filter(|j| j.waitlist_id == Some(aino.id)).count(), 1, "written with the entry");

    let start = t0() + 48.hours();
    let offer = HeldStart { start, therapist_ids: vec![mara], expires_at: t0() + 12.hours() };
    let with = [NewJob::now(JobKind::WaitlistOffer, t0())];
    assert!(store.offer_waitlist_start(aino.id, &offer, &with, t0()).await.unwrap());
    assert!(!store.offer_waitlist_start(bea.id, &offer, &with, t0()).await.unwrap(), "the start is held for Aino");
    assert!(!store.offer_waitlist_start(aino.id, &offer, &with, t0()).await.unwrap(), "Aino no longer waits");
    let held = store.waitlist_entry(aino.id).await.unwrap();
    assert_eq!((held.status, held.offer.clone()), (WaitStatus::Offered, Some(offer.clone())));

    // Before the deadline nothing lapses; after it, Aino is back in line remembering the start, and Bea
    // may be offered it.
    assert_eq!(store.lapse_waitlist_offers(t0() + 1.hours(), jiff::civil::date(2026, 6, 1)).await.unwrap(), 0);
    let after = t0().checked_add(SignedDuration::from_hours(12)).unwrap();
    assert_eq!(store.lapse_waitlist_offers(after, jiff::civil::date(2026, 6, 1)).await.unwrap(), 1);
    let lapsed = store.waitlist_entry(aino.id).await.unwrap();
    assert_eq!((lapsed.status, lapsed.offer, lapsed.passed_start), (WaitStatus::Waiting, None, Some(start)));
    let to_bea = HeldStart { expires_at: after + 12.hours(), ..offer };
    assert!(store.offer_waitlist_start(bea.id, &to_bea, &with, after).await.unwrap());

    // An entry ends once; its dates passing expire the rest.
    let booking = booked(store, &new_booking(service.id, &[mara], start, home(), None)).await;
    assert!(store.close_waitlist_entry(bea.id, WaitStatus::Booked, Some(booking.id)).await.unwrap());
    assert_eq!(store.waitlist_entry(bea.id).await.unwrap().booking_id, Some(booking.id));
    assert!(!store.close_waitlist_entry(bea.id, WaitStatus::Left, None).await.unwrap(), "already over");
    store.lapse_waitlist_offers(after, jiff::civil::date(2026, 7, 1)).await.unwrap();
    assert_eq!(store.waitlist_entry(aino.id).await.unwrap().status, WaitStatus::Expired);
}

/// The starts live offers hold are part of what availability reads: making an offer, giving it back, letting it
/// lapse and taking it (the entry booked) each move the calendar version; joining, or leaving while waiting,
/// does not.
pub async fn an_offer_moves_the_calendar_version_and_waiting_does_not(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let version = async || store.calendar_version().await.unwrap();
    let joined = [NewJob::now(JobKind::WaitlistJoined, t0())];
    let before = version().await;
    let aino = store.join_waitlist(&entry(service.id, "Aino", "hash-aino"), &joined).await.unwrap();
    let cai = store.join_waitlist(&entry(service.id, "Cai", "hash-cai"), &joined).await.unwrap();
    assert!(store.close_waitlist_entry(cai.id, WaitStatus::Left, None).await.unwrap());
    assert_eq!(version().await, before, "joining and leaving while waiting hold no start");

    let start = t0() + 48.hours();
    let offer = HeldStart { start, therapist_ids: vec![mara], expires_at: t0() + 12.hours() };
    let with = [NewJob::now(JobKind::WaitlistOffer, t0())];
    let mut seen = version().await;
    let mut moved = async |what: &str| {
        let now = version().await;
        assert!(now > seen, "{what} must move the calendar version");
        seen = now;
    };
    assert!(store.offer_waitlist_start(aino.id, &offer, &with, t0()).await.unwrap());
    moved("an offer made").await;
    store.return_to_waitlist(aino.id).await.unwrap();
    moved("an offer given back").await;
    assert!(store.offer_waitlist_start(aino.id, &offer, &with, t0()).await.unwrap());
    moved("an offer made again").await;
    let after = t0().checked_add(SignedDuration::from_hours(12)).unwrap();
    assert_eq!(store.lapse_waitlist_offers(after, jiff::civil::date(2026, 6, 1)).await.unwrap(), 1);
    moved("an offer lapsed").await;
    let again = HeldStart { expires_at: after + 12.hours(), ..offer };
    assert!(store.offer_waitlist_start(aino.id, &again, &with, after).await.unwrap());
    moved("an offer made after lapsing").await;
    let booking = booked(store, &new_booking(service.id, &[mara], start, home(), None)).await;
    moved("the offered start booked").await;
    assert!(store.close_waitlist_entry(aino.id, WaitStatus::Booked, Some(booking.id)).await.unwrap());
    moved("the offer taken").await;
}
