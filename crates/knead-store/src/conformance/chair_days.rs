//! The group events port's stories: a chair day is written with its booking or not at all, found by its link,
//! and its sign-ups take the lowest free chair, never two in one, however many race.

use super::{home, new_booking, service_input, t0, therapist_with_schedule, NoOverlap, Pass};
use crate::{BookingError, SignupError, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::Unavailable;
use knead_core::events::chair::ChairBreaks;
use knead_core::events::health::Answers;
use knead_core::events::{NewChairDay, NewSignup};
use knead_core::Email;

fn day(token: &str) -> NewChairDay {
    NewChairDay {
        chairs: 2,
        slot_minutes: 15,
        breaks: ChairBreaks::default(),
        signup_token_hash: token.into(),
        signup_token: Some(format!("plain-{token}")),
    }
}

fn signup(n: usize, start: Timestamp) -> NewSignup {
    NewSignup {
        start,
        name: format!("Attendee{n} Fictional"),
        email: Email::from_trusted(format!("attendee{n}@example.test")),
        answers: Some(Answers::default()),
        consented_at: t0(),
        cancel_token_hash: format!("cancel-{n}"),
        created_at: t0(),
    }
}

/// A chair day of two chairs at 13:00 UTC on 3 June 2026 with two therapists, written under `Pass`; its start.
async fn two_chair_day(store: &dyn Store) -> (Timestamp, knead_core::events::ChairDay) {
    let service = store.create_service(&service_input("Chair massage").validate().unwrap(), t0()).await.unwrap();
    let (a, b) = (
        therapist_with_schedule(store, "Chair A", service.id).await,
        therapist_with_schedule(store, "Chair B", service.id).await,
    );
    let start: Timestamp = "2026-06-03T13:00:00Z".parse().unwrap();
    let booking = new_booking(service.id, &[a, b], start, home(), None);
    let (_, chair_day) = store.create_chair_day(&booking, &day("link-1"), &Pass).await.unwrap();
    (start, chair_day)
}

/// A chair day reads back with its booking; a refused booking writes no day either.
pub async fn a_chair_day_is_written_with_its_booking_or_not_at_all(store: &dyn Store) {
    let service = store.create_service(&service_input("Chair massage").validate().unwrap(), t0()).await.unwrap();
    let (a, b) = (
        therapist_with_schedule(store, "Chair A", service.id).await,
        therapist_with_schedule(store, "Chair B", service.id).await,
    );
    let start: Timestamp = "2026-06-03T13:00:00Z".parse().unwrap();
    let booking = new_booking(service.id, &[a, b], start, home(), None);
    let (written, chair_day) = store.create_chair_day(&booking, &day("link-1"), &Pass).await.unwrap();
    assert_eq!(written.therapist_ids().len(), 2);
    assert_eq!((chair_day.booking_id, &chair_day.day), (written.id, &day("link-1")));
    assert_eq!(store.chair_day(chair_day.id).await.unwrap(), chair_day);
    assert_eq!(store.chair_day_by_token("link-1").await.unwrap(), chair_day);
    assert!(matches!(store.chair_day_by_token("link-2").await, Err(StoreError::NotFound)));
    assert_eq!(store.chair_days(10).await.unwrap(), vec![chair_day.clone()]);

    // The same therapists at the same time: the overlap rule refuses it, and no second day appears.
    let again = new_booking(service.id, &[a, b], start, home(), None);
    let refused = store.create_chair_day(&again, &day("link-2"), &NoOverlap::of(&again.visits[0])).await;
    assert!(matches!(refused, Err(BookingError::Unavailable(Unavailable::TherapistBusy | Unavailable::DoesNotFit(_)))));
    assert_eq!(store.chair_days(10).await.unwrap().len(), 1, "nothing half-written");
    assert!(matches!(store.chair_day_by_token("link-2").await, Err(StoreError::NotFound)));
}

/// Sign-ups take the lowest free chair; a full start is `SlotFull`; a cancelled chair frees at once.
pub async fn a_sign_up_takes_the_lowest_free_chair_and_a_cancel_frees_it(store: &dyn Store) {
    let (start, chair_day) = two_chair_day(store).await;
    let first = store.sign_up(chair_day.id, &[1, 2], &signup(1, start), &[]).await.unwrap();
    let second = store.sign_up(chair_day.id, &[1, 2], &signup(2, start), &[]).await.unwrap();
    assert_eq!((first.chair, second.chair), (1, 2));
    assert_eq!(first.signup, signup(1, start), "reads back as written");
    assert!(matches!(store.sign_up(chair_day.id, &[1, 2], &signup(3, start), &[]).await, Err(SignupError::SlotFull)));
    let later = store.sign_up(chair_day.id, &[2], &signup(4, start + 15.minutes()), &[]).await.unwrap();
    assert_eq!(later.chair, 2, "only the chairs the sheet gives at that start");

    let cancelled = store.cancel_signup("cancel-1", t0() + 1.hour()).await.unwrap();
    assert_eq!(cancelled.cancelled_at, Some(t0() + 1.hour()));
    let again = store.cancel_signup("cancel-1", t0() + 2.hours()).await.unwrap();
    assert_eq!(again.cancelled_at, Some(t0() + 1.hour()), "cancelling again changes nothing");
    let taken = store.sign_up(chair_day.id, &[1, 2], &signup(5, start), &[]).await.unwrap();
    assert_eq!(taken.chair, 1, "the freed chair");
    let sheet = store.chair_signups(chair_day.id).await.unwrap();
    assert_eq!(sheet.len(), 4, "the cancelled one stays on record; the refused one was never written");
    assert!(matches!(store.cancel_signup("cancel-none", t0()).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.sign_up(knead_core::events::GroupId(chair_day.id.0 + 99), &[1], &signup(6, start), &[]).await,
        Err(SignupError::Store(StoreError::NotFound))
    ));
}

/// 32 attendees race for the 16 places of a 2-hour, 2-chair day of 15-minute slots, two per start: exactly 16
/// get one, 16 hear `SlotFull`, and no chair holds two.
pub async fn racing_attendees_get_each_place_once(store: &dyn Store) {
    let (start, chair_day) = two_chair_day(store).await;
    let attempts = (0..32).map(|n| {
        let at = start + (15 * (n as i64 % 8)).minutes();
        async move { store.sign_up(chair_day.id, &[1, 2], &signup(n, at), &[]).await }
    });
    let results = futures::future::join_all(attempts).await;
    let placed = results.iter().filter(|r| r.is_ok()).count();
    let full = results.iter().filter(|r| matches!(r, Err(SignupError::SlotFull))).count();
    assert_eq!((placed, full), (16, 16), "{:?}", results.iter().filter(|r| r.is_err()).collect::<Vec<_>>());
    let mut seats: Vec<(Timestamp, i64)> =
        store.chair_signups(chair_day.id).await.unwrap().iter().map(|s| (s.signup.start, s.chair)).collect();
    seats.sort();
    seats.dedup();
    assert_eq!(seats.len(), 16, "never two in one chair");
}

/// A party's guests read back in the host's order with the booking; a refused booking writes none.
pub async fn a_party_is_written_with_its_guests_or_not_at_all(store: &dyn Store) {
    let service = store.create_service(&service_input("Spa party").validate().unwrap(), t0()).await.unwrap();
    let (a, b) = (
        therapist_with_schedule(store, "Party A", service.id).await,
        therapist_with_schedule(store, "Party B", service.id).await,
    );
    let start: Timestamp = "2026-06-03T13:00:00Z".parse().unwrap();
    let guest = |position: i64, therapist, offset: i64| knead_core::events::GuestVisit {
        position,
        name: format!("Guest{position} Fictional"),
        service_id: service.id,
        add_ons: vec!["Hydrating face mask".into()],
        therapist_id: therapist,
        start: start + offset.minutes(),
        end: start + (offset + 30).minutes(),
        intake: knead_core::events::GuestIntake {
            token: Some(format!("guest-{position}")),
            answers: None,
            consented_at: None,
        },
    };
    let guests = [guest(0, a, 0), guest(1, b, 0), guest(2, a, 40)];
    let booking = new_booking(service.id, &[a, b], start, home(), None);
    let (written, stored) = store.create_party(&booking, &guests, &Pass).await.unwrap();
    assert_eq!(stored, guests.to_vec(), "in the host's order, as written");
    assert_eq!(store.party_guests(written.id).await.unwrap(), guests.to_vec());

    let again = new_booking(service.id, &[a, b], start, home(), None);
    let refused = store.create_party(&again, &guests, &NoOverlap::of(&again.visits[0])).await;
    assert!(refused.is_err());
    let bookings = store.stops_between(start - 1.hours(), start + 3.hours()).await.unwrap();
    assert_eq!(bookings.len(), 2, "only the first party's two visits");

    // Each guest answers once through their own link; the party lists among the parties.
    assert_eq!(store.parties(10).await.unwrap(), vec![written.id]);
    let (of, guest) = store.party_guest_by_token("guest-1").await.unwrap();
    assert_eq!((of, guest.name.as_str(), guest.intake.consented_at), (written.id, "Guest1 Fictional", None));
    let answers = Answers { blood_thinners: true, ..Answers::default() };
    assert!(store.record_guest_intake("guest-1", &answers, t0() + 1.hours()).await.unwrap());
    let later = Answers { pregnant: true, ..Answers::default() };
    assert!(!store.record_guest_intake("guest-1", &later, t0() + 2.hours()).await.unwrap(), "once only");
    let (_, guest) = store.party_guest_by_token("guest-1").await.unwrap();
    assert_eq!((guest.intake.answers, guest.intake.consented_at), (Some(answers), Some(t0() + 1.hours())));
    assert!(matches!(store.party_guest_by_token("guest-9").await, Err(StoreError::NotFound)));
    assert!(matches!(store.record_guest_intake("guest-9", &later, t0()).await, Err(StoreError::NotFound)));
}

/// A sign-up is written with its confirmation or not at all (a lost race writes neither), and a later message's
/// cancel link cancels it as the first one does.
pub async fn a_sign_up_is_written_with_its_confirmation_and_any_of_its_links_cancels_it(store: &dyn Store) {
    use knead_core::notify::{JobKind, NewJob};
    let (start, chair_day) = two_chair_day(store).await;
    let confirm = [NewJob::now(JobKind::SignupConfirmed, t0())];
    let first = store.sign_up(chair_day.id, &[1], &signup(1, start), &confirm).await.unwrap();
    assert!(matches!(store.sign_up(chair_day.id, &[1], &signup(2, start), &confirm).await, Err(SignupError::SlotFull)));
    let filter = crate::JobFilter { status: None, booking: Some(chair_day.booking_id), before: None, limit: 50 };
    let jobs = store.jobs(&filter).await.unwrap();
    let confirmations: Vec<_> = jobs.iter().filter(|j| j.kind == JobKind::SignupConfirmed).collect();
    assert_eq!(confirmations.len(), 1, "the lost race wrote no message: {jobs:?}");
    assert_eq!(confirmations[0].signup_id, Some(first.id));
    assert_eq!(store.signup(first.id).await.unwrap(), first);
    assert_eq!(store.chair_day_by_booking(chair_day.booking_id).await.unwrap(), chair_day);
    assert_eq!(chair_day.day.signup_token.as_deref(), Some("plain-link-1"), "kept for the organiser's page");

    store.add_signup_link(first.id, "cancel-again", t0()).await.unwrap();
    let cancelled = store.cancel_signup("cancel-again", t0() + 1.hours()).await.unwrap();
    assert_eq!((cancelled.id, cancelled.cancelled_at), (first.id, Some(t0() + 1.hours())));
    assert!(matches!(
        store.add_signup_link(knead_core::events::SignupId(first.id.0 + 99), "x", t0()).await,
        Err(StoreError::NotFound)
    ));

    // The organiser's page links: any of them finds the group, a stranger's none.
    store.add_group_link(chair_day.booking_id, "page-1", t0()).await.unwrap();
    store.add_group_link(chair_day.booking_id, "page-2", t0()).await.unwrap();
    assert_eq!(store.group_by_link("page-2").await.unwrap(), chair_day.booking_id);
    assert!(matches!(store.group_by_link("page-3").await, Err(StoreError::NotFound)));
}

/// Payments read back oldest first and are never changed; enquiries are decided once, by whoever is first.
pub async fn payments_are_kept_as_recorded_and_an_enquiry_is_decided_once<D: crate::sql::SqlDatabase>(db: &D) {
    use knead_core::events::enquiry::{EnquiryInput, EnquiryKind, EnquiryStatus};
    use knead_core::events::payment::{NewPayment, PaymentKind, PaymentMethod};
    let store: &dyn Store = db;
    let (_, chair_day) = two_chair_day(store).await;
    let new_user = knead_core::NewUser::parse("pay@example.test", "Fictional Manager", "manager").unwrap();
    let by = store.create_user(&new_user, "h", t0()).await.unwrap().id;
    let payment = |cents: i64, kind| NewPayment {
        booking_id: chair_day.booking_id,
        kind,
        amount_cents: cents,
        method: PaymentMethod::Transfer,
        note: "INV CD-0001".into(),
        recorded_by: by,
        recorded_at: t0(),
    };
    let deposit = store.record_payment(&payment(5_000, PaymentKind::Deposit)).await.unwrap();
    let rest = store.record_payment(&payment(9_000, PaymentKind::Balance)).await.unwrap();
    assert_eq!(deposit.payment, payment(5_000, PaymentKind::Deposit));
    assert_eq!(store.payments(chair_day.booking_id).await.unwrap(), vec![deposit.clone(), rest]);
    for sql in ["update group_payments set amount_cents = 1 where id = $1", "delete from group_payments where id = $1"]
    {
        match db.execute(sql, &[deposit.id.into()]).await {
            Err(e) => assert!(e.to_string().contains("group_payments_append_only"), "{sql}: {e}"),
            Ok(n) => panic!("{sql} must be refused, changed {n}"),
        }
    }
    let missing = NewPayment {
        booking_id: knead_core::booking::BookingId(chair_day.booking_id.0 + 99),
        ..payment(1, PaymentKind::Whole)
    };
    assert!(matches!(store.record_payment(&missing).await, Err(StoreError::NotFound)));

    let input = EnquiryInput {
        kind: EnquiryKind::Party,
        date: "2026-06-20".into(),
        start: "14:00".into(),
        end: "17:00".into(),
        guests: Some(6),
        address: "12 Kalevankatu, Helsinki".into(),
        contact: knead_core::booking::ContactInput {
            name: "Hilda Fictional".into(),
            email: "hilda@example.test".into(),
            phone: "040 555 0198".into(),
        },
        note: "Garden party".into(),
        ..EnquiryInput::default()
    };
    let asked = input.validate(t0()).unwrap();
    let filed = store.add_enquiry(&asked).await.unwrap();
    assert_eq!((filed.enquiry.clone(), filed.status, filed.booking_id), (asked, EnquiryStatus::Open, None));
    assert_eq!(store.enquiries(Some(EnquiryStatus::Open), 10).await.unwrap(), vec![filed.clone()]);
    let (a, b) = futures::join!(
        store.decide_enquiry(filed.id, EnquiryStatus::Accepted, by, t0()),
        store.decide_enquiry(filed.id, EnquiryStatus::Declined, by, t0())
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|won| **won).count(), 1, "decided once");
    let decided = store.enquiry(filed.id).await.unwrap();
    assert_ne!(decided.status, EnquiryStatus::Open);
    assert!(store.enquiries(Some(EnquiryStatus::Open), 10).await.unwrap().is_empty());
    if decided.status == EnquiryStatus::Accepted {
        store.reopen_enquiry(filed.id).await.unwrap();
        assert_eq!(store.enquiry(filed.id).await.unwrap().status, EnquiryStatus::Open, "its booking failed");
        assert!(store.decide_enquiry(filed.id, EnquiryStatus::Accepted, by, t0()).await.unwrap());
        store.set_enquiry_booking(filed.id, chair_day.booking_id).await.unwrap();
        store.reopen_enquiry(filed.id).await.unwrap();
        assert_eq!(store.enquiry(filed.id).await.unwrap().booking_id, Some(chair_day.booking_id), "booked: stays");
    }
    assert!(matches!(
        store.enquiry(knead_core::events::enquiry::EnquiryId(filed.id.0 + 99)).await,
        Err(StoreError::NotFound)
    ));
}
