//! Stories of the clients port: client records, the bookings staff list, health-history versions that are
//! never overwritten, screenings, the clearance that releases a held booking, and the audit chain (which
//! concurrent appends must not fork). Two stories need raw SQL (the database refuses to change intakes and
//! audit entries; a client row that cannot be read), so they run with the corrupt-row stories.

use super::corrupt::assert_corrupt;
use super::{booked, home, new_booking, service_input, t0, therapist_with_schedule};
use crate::sql::SqlDatabase;
use crate::{BookingFilter, CatalogStore, ClientStore, SchedulingStore, Store, StoreError};
use jiff::civil::date;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{BookingId, BookingStatus, NewBooking};
use knead_core::intake::audit::{verify, GENESIS};
use knead_core::intake::health::INTAKE_QUESTIONS;
use knead_core::intake::screening::all_clear;
use knead_core::intake::{
    assess, Action, AuditEvent, Clearance, ClientDraft, ClientId, HealthHistory, IntakeInput, Level, SavedAddress,
    ScreeningId, ScreeningRecord, ScreeningThresholds, VisitReason,
};
use knead_core::{Email, NewUser, ServiceId, TherapistId, UserId};

fn email(text: &str) -> Email {
    Email::parse("email", text).unwrap()
}

pub fn draft(name: &str, mail: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        email: email(mail),
        phone: "416-555-0101".into(),
        date_of_birth: None,
        addresses: vec![],
    }
}

/// A complete health history: every question answered "no", every consent element given, `conditions` as
/// the client wrote them (so versions can be told apart).
pub fn history(conditions: &str) -> HealthHistory {
    let mut answers = serde_json::Map::new();
    for (field, _) in INTAKE_QUESTIONS {
        answers.insert(field.into(), false.into());
    }
    answers.insert("spinal_surgery".into(), false.into());
    answers.insert("conditions".into(), conditions.into());
    let consent = ["nature", "benefits", "risks", "alternatives", "no_treatment", "right_to_stop"];
    let consent: serde_json::Map<String, serde_json::Value> =
        consent.iter().map(|c| (c.to_string(), true.into())).collect();
    answers.insert("consent".into(), consent.into());
    let input: IntakeInput = serde_json::from_value(answers.into()).unwrap();
    input.validate().unwrap()
}

pub fn event(client: Option<ClientId>, action: Action, record: &'static str, id: &str) -> AuditEvent {
    AuditEvent { at: t0(), actor: None, client, action, record, record_id: id.into() }
}

/// A screening with id `n`, all clear unless `raise` names a question answered yes.
fn screening(n: u64, raise: Option<&str>, at: Timestamp) -> ScreeningRecord {
    let mut input = all_clear();
    if let Some(field) = raise {
        assert!(input.set_flag(field, Some(true)));
    }
    let answers = input.validate().unwrap();
    let assessment = assess(&answers, &ScreeningThresholds::default());
    ScreeningRecord {
        id: ScreeningId(format!("{n:032x}")),
        answers,
        assessment,
        client: None,
        booking: None,
        created_at: at,
    }
}

async fn user(store: &dyn Store, mail: &str, role: &str) -> UserId {
    store.create_user(&NewUser::parse(mail, "Someone", role).unwrap(), "h", t0()).await.unwrap().id
}

/// A booking for `client` with `therapist`, `hours` after t0's next day, in `status`.
fn booking_for(
    service: ServiceId,
    therapist: TherapistId,
    client: ClientId,
    hours: i64,
    status: BookingStatus,
) -> NewBooking {
    let start: Timestamp = "2026-06-01T13:00:00Z".parse().unwrap();
    let mut b = new_booking(service, &[therapist], start + hours.hours(), home(), None);
    b.client_id = Some(client);
    b.status = status;
    b
}

/// A guest's first booking makes their client record in its own transaction: the booking is filed under it, and a
/// booking that is refused leaves no record behind. A booking that names its client makes none.
pub async fn a_guests_first_booking_makes_their_record_with_it(store: &dyn Store) {
    use super::{Pass, Refuse};
    use crate::{BookingError, Created};
    use knead_core::schedule::Unfit;
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist_with_schedule(store, "Robin Vale", service.id).await;
    let start: Timestamp = "2026-06-01T13:00:00Z".parse().unwrap();
    let mut first = new_booking(service.id, &[t], start, home(), None);
    first.client.email = email("first.guest@example.com");
    first.new_client_record = true;
    let Ok(Created::New(booking)) = store.create_booking(&first, &Pass).await else { panic!("booked") };
    let id = booking.client_id.expect("filed under the record it made");
    let record = store.client(id).await.unwrap();
    assert_eq!((record.name.as_str(), record.email.as_str()), (first.client.name.as_str(), "first.guest@example.com"));
    assert_eq!((record.user_id, record.created_at), (None, first.created_at));
    assert_eq!(store.clients_by_email(&first.client.email).await.unwrap(), vec![record]);

    let mut refused = new_booking(service.id, &[t], start + 3.hours(), home(), None);
    refused.client.email = email("refused.guest@example.com");
    refused.new_client_record = true;
    let why = Unfit::NotEnoughTravelBefore { needed: 30, available: 10 };
    let r = store.create_booking(&refused, &Refuse(why)).await;
    assert!(matches!(r, Err(BookingError::Unavailable(_))), "{r:?}");
    assert!(store.clients_by_email(&refused.client.email).await.unwrap().is_empty(), "no record without its booking");

    let mut named = new_booking(service.id, &[t], start + 6.hours(), home(), None);
    named.client_id = Some(id);
    named.new_client_record = true;
    let Ok(Created::New(again)) = store.create_booking(&named, &Pass).await else { panic!("booked") };
    assert_eq!(again.client_id, Some(id), "a named record is used, not another made");
    assert_eq!(store.clients_by_email(&first.client.email).await.unwrap().len(), 1);
}

pub async fn clients_are_created_read_updated_and_found_by_email_or_login(store: &dyn Store) {
    let login = user(store, "ana@example.com", "client").await;
    let mut d = draft("Ana Fictional", "ana@example.com");
    d.date_of_birth = Some(date(1980, 2, 29));
    d.addresses =
        vec![SavedAddress { label: "Home".into(), address: "1 Fictional Lane".into(), lat: 43.66, lon: -79.39 }];
    let ana = store.create_client(&d, Some(login), t0()).await.unwrap();
    assert_eq!((ana.name.as_str(), ana.user_id, ana.created_at), ("Ana Fictional", Some(login), t0()));
    assert_eq!((ana.date_of_birth, &ana.addresses), (Some(date(1980, 2, 29)), &d.addresses));
    assert_eq!(store.client(ana.id).await.unwrap(), ana);
    assert_eq!(store.client_for_user(login).await.unwrap(), Some(ana.clone()));

    // Two people may share an email: a second record, never merged; the lookup ignores case.
    let mut shared = draft("Ben Fictional", "ana@example.com");
    shared.email = Email::from_trusted("Ana@Example.COM".into());
    let ben = store.create_client(&shared, None, t0() + 1.hours()).await.unwrap();
    let found = store.clients_by_email(&email("ANA@example.com")).await.unwrap();
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [ana.id, ben.id], "oldest first");
    assert!(store.clients_by_email(&email("nobody@example.com")).await.unwrap().is_empty());

    // One record per login; a login that does not exist is not found.
    let again = store.create_client(&draft("Ana Again", "ana@example.com"), Some(login), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "user_id" })), "{again:?}");
    let nobody = store.create_client(&draft("No One", "n@example.com"), Some(UserId(login.0 + 999)), t0()).await;
    assert!(matches!(nobody, Err(StoreError::NotFound)), "{nobody:?}");

    // An update replaces the details and keeps the login and the record's age.
    let mut changed = draft("Ana Fictional-Stone", "ana.stone@example.com");
    changed.phone = "416-555-0199".into();
    let updated = store.update_client(ana.id, &changed).await.unwrap();
    assert_eq!((updated.name.as_str(), updated.email.as_str()), ("Ana Fictional-Stone", "ana.stone@example.com"));
    assert_eq!((updated.user_id, updated.created_at, updated.date_of_birth), (Some(login), t0(), None));
    assert!(updated.addresses.is_empty());
    assert_eq!(store.client(ana.id).await.unwrap(), updated);
    assert!(matches!(store.client(ClientId(ben.id.0 + 999)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.update_client(ClientId(ben.id.0 + 999), &changed).await, Err(StoreError::NotFound)));
    assert_eq!(store.client_for_user(UserId(login.0 + 999)).await.unwrap(), None);
}

pub async fn client_summaries_count_and_a_therapist_sees_only_their_own_clients(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let kai = therapist_with_schedule(store, "Kai", service.id).await;
    let zoe = store.create_client(&draft("Zoe", "zoe@example.com"), None, t0()).await.unwrap();
    let ada = store.create_client(&draft("Ada", "ada@example.com"), None, t0()).await.unwrap();
    let new = store.create_client(&draft("Bo", "bo@example.com"), None, t0()).await.unwrap();
    booked(store, &booking_for(service.id, mara, zoe.id, 0, BookingStatus::Confirmed)).await;
    let cancelled = booked(store, &booking_for(service.id, mara, zoe.id, 2, BookingStatus::Confirmed)).await;
    store.cancel_booking(cancelled.id, t0(), None, &[]).await.unwrap();
    booked(store, &booking_for(service.id, kai, ada.id, 0, BookingStatus::Confirmed)).await;
    for n in 1..=2 {
        let e = event(Some(ada.id), Action::Create, "intake", &n.to_string());
        store.add_intake(ada.id, &history("none"), None, t0(), &e).await.unwrap();
    }

    let all = store.client_summaries(None).await.unwrap();
    let seen: Vec<_> = all.iter().map(|s| (s.client.name.as_str(), s.bookings, s.intake_version)).collect();
    assert_eq!(seen, [("Ada", 1, 2), ("Bo", 0, 0), ("Zoe", 2, 0)], "by name, a cancelled booking counted");
    let of_mara = store.client_summaries(Some(mara)).await.unwrap();
    assert_eq!(of_mara.iter().map(|s| s.client.id).collect::<Vec<_>>(), [zoe.id]);
    assert_eq!(of_mara[0].client, zoe);
    assert!(store.is_client_of(zoe.id, mara).await.unwrap());
    assert!(!store.is_client_of(zoe.id, kai).await.unwrap());
    assert!(!store.is_client_of(new.id, mara).await.unwrap());
    assert!(!store.is_client_of(ClientId(new.id.0 + 999), mara).await.unwrap());
}

pub async fn staff_list_a_clients_bookings_and_bookings_by_day_therapist_and_status(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let kai = therapist_with_schedule(store, "Kai", service.id).await;
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let ben = store.create_client(&draft("Ben", "ben@example.com"), None, t0()).await.unwrap();
    let first = booked(store, &booking_for(service.id, mara, ana.id, 0, BookingStatus::Confirmed)).await;
    let held = booked(store, &booking_for(service.id, mara, ana.id, 3, BookingStatus::AwaitingClearance)).await;
    let next_day = booked(store, &booking_for(service.id, kai, ana.id, 24, BookingStatus::Confirmed)).await;
    let bens = booked(store, &booking_for(service.id, kai, ben.id, 1, BookingStatus::Confirmed)).await;
    let gone = booked(store, &booking_for(service.id, kai, ben.id, 5, BookingStatus::Confirmed)).await;
    store.cancel_booking(gone.id, t0(), None, &[]).await.unwrap();
    assert_eq!((first.client_id, held.status), (Some(ana.id), BookingStatus::AwaitingClearance));

    let ids = |bookings: Vec<knead_core::booking::Booking>| bookings.iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(ids(store.bookings_of_client(ana.id).await.unwrap()), [next_day.id, held.id, first.id], "newest first");
    assert_eq!(ids(store.bookings_of_client(ben.id).await.unwrap()), [gone.id, bens.id]);
    assert!(store.bookings_of_client(ClientId(ben.id.0 + 999)).await.unwrap().is_empty());

    let day: Timestamp = "2026-06-01T04:00:00Z".parse().unwrap();
    let filter = |therapist, status| BookingFilter { from: day, to: day + 24.hours(), therapist, status };
    assert_eq!(ids(store.bookings_filtered(&filter(None, None)).await.unwrap()), [first.id, bens.id, held.id, gone.id]);
    assert_eq!(ids(store.bookings_filtered(&filter(Some(mara), None)).await.unwrap()), [first.id, held.id]);
    let confirmed = filter(None, Some(BookingStatus::Confirmed));
    assert_eq!(ids(store.bookings_filtered(&confirmed).await.unwrap()), [first.id, bens.id]);
    let waiting = filter(None, Some(BookingStatus::AwaitingClearance));
    assert_eq!(ids(store.bookings_filtered(&waiting).await.unwrap()), [held.id]);
    let cancelled = filter(Some(kai), Some(BookingStatus::Cancelled));
    assert_eq!(ids(store.bookings_filtered(&cancelled).await.unwrap()), [gone.id]);
    let next = BookingFilter { from: day + 24.hours(), to: day + 48.hours(), therapist: None, status: None };
    assert_eq!(ids(store.bookings_filtered(&next).await.unwrap()), [next_day.id]);
}

pub async fn intake_versions_are_numbered_and_never_overwritten(store: &dyn Store) {
    let staff = user(store, "m@example.com", "manager").await;
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let ben = store.create_client(&draft("Ben", "ben@example.com"), None, t0()).await.unwrap();
    for (n, conditions) in ["none", "a sore knee", "asthma"].iter().enumerate() {
        let at = t0() + (n as i64).hours();
        let by = (n == 1).then_some(staff);
        let e = event(Some(ana.id), Action::Create, "intake", &format!("{}/{}", ana.id.0, n + 1));
        let v = store.add_intake(ana.id, &history(conditions), by, at, &e).await.unwrap();
        assert_eq!((v.client, v.version, v.submitted_by, v.created_at), (ana.id, n as i64 + 1, by, at));
    }
    let e = event(Some(ben.id), Action::Create, "intake", "ben");
    assert_eq!(store.add_intake(ben.id, &history("none"), None, t0(), &e).await.unwrap().version, 1, "per client");

    let versions = store.intakes(ana.id).await.unwrap();
    let seen: Vec<_> = versions.iter().map(|v| (v.version, v.history.answers().conditions.as_str())).collect();
    assert_eq!(seen, [(3, "asthma"), (2, "a sore knee"), (1, "none")], "newest first, each kept");
    assert_eq!(versions[2].history, history("none"));
    assert!(store.intakes(ClientId(ben.id.0 + 999)).await.unwrap().is_empty());

    // Submitted at once, they still take the next numbers in turn.
    let cy = store.create_client(&draft("Cy", "cy@example.com"), None, t0()).await.unwrap();
    let e = event(Some(cy.id), Action::Create, "intake", "cy");
    let none = history("none");
    let at_once = (0..5).map(|_| store.add_intake(cy.id, &none, None, t0(), &e));
    for r in futures::future::join_all(at_once).await {
        r.unwrap();
    }
    let numbers: Vec<i64> = store.intakes(cy.id).await.unwrap().iter().map(|v| v.version).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);

    // Each version wrote its audit entry; an unknown client writes neither.
    let before = store.audit_entries(0, 100).await.unwrap().len();
    assert_eq!(before, 9);
    let missing = ClientId(ben.id.0 + 999);
    let r = store
        .add_intake(missing, &history("none"), None, t0(), &event(Some(missing), Action::Create, "intake", "x"))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), before, "no entry without its change");
}

pub async fn screenings_are_kept_claimed_once_and_emergencies_listed(store: &dyn Store) {
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let ben = store.create_client(&draft("Ben", "ben@example.com"), None, t0()).await.unwrap();
    let clear = screening(1, None, t0());
    let urgent = screening(2, Some("history_of_cancer"), t0() + 1.hours());
    let emergency = screening(3, Some("saddle_numbness"), t0() + 2.hours());
    let old_emergency = screening(4, Some("bladder_change"), t0() - 48.hours());
    assert_eq!((urgent.assessment.level, emergency.assessment.level), (Level::Urgent, Level::Emergency));
    for s in [&clear, &urgent, &emergency, &old_emergency] {
        store.save_screening(s, &event(None, Action::Create, "screening", &s.id.0)).await.unwrap();
    }
    assert_eq!(store.screening(&urgent.id).await.unwrap(), urgent);
    let r = store.save_screening(&clear, &event(None, Action::Create, "screening", &clear.id.0)).await;
    assert!(matches!(r, Err(StoreError::Conflict { field: "id" })), "{r:?}");
    assert!(matches!(store.screening(&ScreeningId(format!("{:032x}", 99))).await, Err(StoreError::NotFound)));

    // Claimed by the first client only.
    store.claim_screening(&clear.id, ana.id).await.unwrap();
    store.claim_screening(&clear.id, ben.id).await.unwrap();
    store.claim_screening(&urgent.id, ana.id).await.unwrap();
    assert_eq!(store.screening(&clear.id).await.unwrap().client, Some(ana.id));
    let anas: Vec<_> = store.client_screenings(ana.id).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(anas, [urgent.id.clone(), clear.id.clone()], "newest first");
    assert!(store.client_screenings(ben.id).await.unwrap().is_empty());
    let r = store.claim_screening(&ScreeningId(format!("{:032x}", 99)), ana.id).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    let r = store.claim_screening(&emergency.id, ClientId(ben.id.0 + 999)).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "an unknown client: {r:?}");

    let since = store.emergency_screenings(t0() - 24.hours()).await.unwrap();
    assert_eq!(since, std::slice::from_ref(&emergency));
    let all: Vec<_> = store.emergency_screenings(t0() - 72.hours()).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(all, [emergency.id, old_emergency.id]);
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 4, "one entry per screening saved");
}

pub async fn a_booking_keeps_what_the_client_said_and_links_its_screening(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let s = screening(7, None, t0());
    store.save_screening(&s, &event(None, Action::Create, "screening", &s.id.0)).await.unwrap();
    let mut b = booking_for(service.id, mara, ana.id, 0, BookingStatus::Confirmed);
    b.reason = Some(VisitReason::Sciatica);
    b.screening_id = Some(s.id.clone());
    b.add_ons = vec!["Hydrating face mask".into(), "Aromatherapy oil".into()];
    b.notes = "Park behind the house; a friendly dog.".into();
    let booking = booked(store, &b).await;
    assert_eq!(
        (booking.client_id, booking.reason, booking.screening_id.clone()),
        (Some(ana.id), b.reason, b.screening_id.clone())
    );
    assert_eq!((&booking.add_ons, &booking.notes, booking.status), (&b.add_ons, &b.notes, BookingStatus::Confirmed));
    assert_eq!(store.booking(booking.id).await.unwrap(), booking);
    let linked = store.screening(&s.id).await.unwrap();
    assert_eq!((linked.booking, linked.client), (Some(booking.id), Some(ana.id)));

    // A booking without them reads back empty, not as someone else's; a screening already claimed keeps its client.
    let plain = booked(store, &new_booking(service.id, &[mara], b.start + 3.hours(), home(), None)).await;
    assert_eq!((plain.client_id, plain.reason, plain.screening_id, plain.notes.as_str()), (None, None, None, ""));
    assert!(plain.add_ons.is_empty());
    let ben = store.create_client(&draft("Ben", "ben@example.com"), None, t0()).await.unwrap();
    let mut again = booking_for(service.id, mara, ben.id, 5, BookingStatus::Confirmed);
    again.screening_id = Some(s.id.clone());
    let second = booked(store, &again).await;
    let relinked = store.screening(&s.id).await.unwrap();
    assert_eq!((relinked.booking, relinked.client), (Some(second.id), Some(ana.id)));
}

pub async fn a_held_booking_keeps_its_time_until_its_clearance_confirms_it_once(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let mara = therapist_with_schedule(store, "Mara", service.id).await;
    let staff = user(store, "m@example.com", "manager").await;
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let held = booked(store, &booking_for(service.id, mara, ana.id, 0, BookingStatus::AwaitingClearance)).await;
    assert_eq!(held.status, BookingStatus::AwaitingClearance);
    // Its time is kept: on the therapist's day and in the stops availability reads.
    let (from, to) = (held.start - 1.hours(), held.end + 1.hours());
    assert_eq!(store.therapist_bookings(mara, from, to).await.unwrap(), std::slice::from_ref(&held));
    assert_eq!(store.stops_between(from, to).await.unwrap().len(), 1);
    assert_eq!(store.clearance(held.id).await.unwrap(), None);

    let clearance = Clearance {
        booking_id: held.id,
        cleared_by: "Dr. A. Example, Example Family Clinic".into(),
        note: "Fine for gentle massage.".into(),
        recorded_by: staff,
        recorded_at: t0() + 1.hours(),
    };
    let e = event(Some(ana.id), Action::Create, "clearance", &held.id.0.to_string());
    let confirmed = store.record_clearance(&clearance, &e, &[]).await.unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(store.booking(held.id).await.unwrap(), confirmed);
    assert_eq!(store.clearance(held.id).await.unwrap(), Some(clearance.clone()));
    assert_eq!(store.clearances(ana.id).await.unwrap(), std::slice::from_ref(&clearance));

    // Twice, or for a booking never held, is a conflict on its status; an unknown booking is not found.
    let r = store.record_clearance(&clearance, &e, &[]).await;
    assert!(matches!(r, Err(StoreError::Conflict { field: "status" })), "{r:?}");
    let plain = booked(store, &booking_for(service.id, mara, ana.id, 3, BookingStatus::Confirmed)).await;
    let r = store.record_clearance(&Clearance { booking_id: plain.id, ..clearance.clone() }, &e, &[]).await;
    assert!(matches!(r, Err(StoreError::Conflict { field: "status" })), "{r:?}");
    let r = store
        .record_clearance(&Clearance { booking_id: BookingId(plain.id.0 + 999), ..clearance.clone() }, &e, &[])
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 1, "only the clearance that was recorded");

    // A held booking cancelled is cancelled (its time freed), and cannot be cleared after.
    let other = booked(store, &booking_for(service.id, mara, ana.id, 6, BookingStatus::AwaitingClearance)).await;
    let cancelled = store.cancel_booking(other.id, t0(), Some(staff), &[]).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let r = store.record_clearance(&Clearance { booking_id: other.id, ..clearance }, &e, &[]).await;
    assert!(matches!(r, Err(StoreError::Conflict { field: "status" })), "{r:?}");
    assert_eq!(store.booking_changes(other.id).await.unwrap().len(), 1, "the practice's cancellation is recorded");
}

pub async fn the_audit_chain_holds_through_many_and_concurrent_appends(store: &dyn Store) {
    let ana = store.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let first = store.record_access(&event(Some(ana.id), Action::Read, "intake", "1")).await.unwrap();
    assert_eq!((first.prev_hash.as_str(), first.action, first.client), (GENESIS, Action::Read, Some(ana.id)));
    // An instant finer than a microsecond is hashed as stored.
    let fine = AuditEvent {
        at: "2026-03-01T15:00:00.123456789Z".parse().unwrap(),
        ..event(None, Action::Export, "audit_log", "all")
    };
    store.record_access(&fine).await.unwrap();
    for n in 0..10 {
        store.record_access(&event(None, Action::Read, "screening", &n.to_string())).await.unwrap();
    }
    let appends = (0..20).map(|n| {
        let e = event(Some(ana.id), Action::Read, "intake", &format!("c{n}"));
        async move { store.record_access(&e).await }
    });
    for r in futures::future::join_all(appends).await {
        r.unwrap();
    }
    let entries = store.audit_entries(0, 1000).await.unwrap();
    assert_eq!(entries.len(), 32);
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id));
    let end = verify(GENESIS, &entries).unwrap();
    assert_eq!(end, entries[31].hash);
    assert_eq!(entries[1].at, "2026-03-01T15:00:00.123456Z".parse::<Timestamp>().unwrap());

    // Paging by id continues the chain; the newest come first, for one client or all.
    let (head, tail) =
        (store.audit_entries(0, 5).await.unwrap(), store.audit_entries(entries[4].id, 1000).await.unwrap());
    assert_eq!((head.len(), tail.len()), (5, 27));
    assert_eq!(verify(&verify(GENESIS, &head).unwrap(), &tail).unwrap(), end);
    let recent = store.recent_audit(Some(ana.id), 3).await.unwrap();
    assert_eq!(recent.iter().map(|e| e.id).collect::<Vec<_>>(), [entries[31].id, entries[30].id, entries[29].id]);
    assert_eq!(store.recent_audit(Some(ana.id), 100).await.unwrap().len(), 21);
    assert_eq!(store.recent_audit(None, 100).await.unwrap().len(), 32);
}

/// The database itself refuses to change or remove an intake version or an audit entry.
pub async fn intakes_and_audit_entries_cannot_be_changed_or_removed<D: SqlDatabase>(db: &D) {
    let ana = db.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let e = event(Some(ana.id), Action::Create, "intake", "1");
    db.add_intake(ana.id, &history("none"), None, t0(), &e).await.unwrap();
    for sql in [
        "update intakes set version = 2",
        "update intakes set answers = answers",
        "delete from intakes",
        "update audit_log set record = 'client'",
        "update audit_log set hash = hash",
        "delete from audit_log",
    ] {
        assert!(db.execute(sql, &[]).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(db.intakes(ana.id).await.unwrap().len(), 1);
    let entries = db.audit_entries(0, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    verify(GENESIS, &entries).unwrap();
}

/// Someone who gets past the triggers (drops them) and edits or removes an entry leaves a chain that no
/// longer verifies, and `verify` names the entry.
pub async fn an_audit_entry_edited_behind_the_triggers_breaks_the_chain<D: SqlDatabase>(db: &D) {
    for n in 0..4 {
        db.record_access(&event(None, Action::Read, "intake", &n.to_string())).await.unwrap();
    }
    let entries = db.audit_entries(0, 10).await.unwrap();
    verify(GENESIS, &entries).unwrap();
    let lift: &[&'static str] = match D::BACKEND {
        "sqlite" => &["drop trigger audit_log_no_update", "drop trigger audit_log_no_delete"],
        _ => &["drop trigger audit_log_append_only on audit_log"],
    };
    for sql in lift {
        db.execute(sql, &[]).await.unwrap();
    }
    db.execute("update audit_log set record_id = '9' where id = $1", &[entries[2].id.into()]).await.unwrap();
    let edited = db.audit_entries(0, 10).await.unwrap();
    assert_eq!(verify(GENESIS, &edited).unwrap_err().id, entries[2].id, "the edited entry is named");
    db.execute("update audit_log set record_id = '2' where id = $1", &[entries[2].id.into()]).await.unwrap();
    verify(GENESIS, &db.audit_entries(0, 10).await.unwrap()).unwrap();
    db.execute("delete from audit_log where id = $1", &[entries[1].id.into()]).await.unwrap();
    let removed = db.audit_entries(0, 10).await.unwrap();
    assert_eq!(verify(GENESIS, &removed).unwrap_err().id, entries[2].id, "the entry after a removed one is named");
}

/// Saved addresses that are not a list, a date of birth that is no date, or a booking's reason no one knows:
/// each a corrupt row, named, never a default.
pub async fn a_client_or_booking_field_that_cannot_be_read_is_a_corrupt_row<D: SqlDatabase>(db: &D) {
    let ana = db.create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    db.execute("update clients set addresses = '{\"secret\": 1}'", &[]).await.unwrap();
    assert_corrupt(db.client(ana.id).await, "clients", ana.id.0, "secret");
    assert_corrupt(db.client_summaries(None).await, "clients", ana.id.0, "secret");

    let service = db.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let booking = booked(db, &new_booking(service.id, &[], t0() + 48.hours(), home(), None)).await;
    db.execute("update bookings set reason = 'private-reason'", &[]).await.unwrap();
    assert_corrupt(db.booking(booking.id).await, "bookings", booking.id.0, "private-reason");
    db.execute("update bookings set reason = null, add_ons = '{\"secret\": 1}'", &[]).await.unwrap();
    assert_corrupt(db.booking(booking.id).await, "bookings", booking.id.0, "secret");
}

/// For an adapter's upgrade test: guest and signed-in bookings as a database before migration 0010 holds
/// them, in one SQL text given how the adapter writes an instant. Needs the users `ana@example.com` (a client
/// login named "Ana") and `cy@example.com` (one with no bookings), and one service.
pub fn bookings_before_clients(instant: impl Fn(Timestamp) -> String) -> String {
    let rows = [
        // (who signed in, name, email, phone, hours after t0)
        (Some("ana@example.com"), "Ana F.", "ana@example.com", "111", 0),
        (Some("ana@example.com"), "Ana", "ana@example.com", "112", 5),
        (None, "Ben", "ben@example.com", "221", 1),
        (None, "Ben", "BEN@example.com", "222", 2),
        (None, "Bea", "ben@example.com", "331", 3),
        (None, "Ana", "ana@example.com", "441", 4),
        (None, "ana", "ana@example.com", "551", 6),
    ];
    let mut sql = String::new();
    for (n, (login, name, mail, phone, hours)) in rows.into_iter().enumerate() {
        let at = t0() + hours.hours();
        let user = login.map_or("null".to_string(), |l| format!("(select id from users where email = '{l}')"));
        sql.push_str(&format!(
            "insert into bookings (service_id, status, starts_at, ends_at, lat, lon, address, clinic_id, client_name, \
             client_email, client_phone, client_user_id, price_cents, travel_fee_cents, manage_token_hash, \
             idempotency_key, request_fingerprint, created_at) values ((select min(id) from services), 'confirmed', \
             {start}, {end}, 43.66, -79.39, '1 Fictional Lane', null, '{name}', '{mail}', '{phone}', {user}, 12000, 0, \
             'token-{n}', null, 'fp', {at});\n",
            start = instant(at + 24.hours()),
            end = instant(at + 25.hours()),
            at = instant(at),
        ));
    }
    sql
}

/// After migration 0010 over [`bookings_before_clients`]: every booking is on a client record. The login's
/// bookings are on its record (its name and email, its latest phone), with the guest booking of the same name
/// and email; other guests have one record per email and exact name, never merged across names.
pub async fn bookings_before_clients_are_on_client_records(store: &dyn Store) {
    let ana_login = store.credentials_by_email(&email("ana@example.com")).await.unwrap().unwrap().0.id;
    let cy_login = store.credentials_by_email(&email("cy@example.com")).await.unwrap().unwrap().0.id;
    assert_eq!(store.client_for_user(cy_login).await.unwrap(), None, "a login without bookings gets no record");
    let ana = store.client_for_user(ana_login).await.unwrap().expect("a record for the login with bookings");
    assert_eq!((ana.name.as_str(), ana.email.as_str(), ana.phone.as_str()), ("Ana", "ana@example.com", "112"));
    assert_eq!((ana.created_at, ana.date_of_birth, ana.addresses.len()), (t0(), None, 0));
    let phones = |bookings: Vec<knead_core::booking::Booking>| {
        let mut phones: Vec<String> = bookings.into_iter().map(|b| b.client.phone).collect();
        phones.sort();
        phones
    };
    assert_eq!(phones(store.bookings_of_client(ana.id).await.unwrap()), ["111", "112", "441"]);

    let records: Vec<_> = store.client_summaries(None).await.unwrap();
    let seen: Vec<_> = records
        .iter()
        .map(|s| (s.client.name.as_str(), s.client.email.as_str(), s.client.phone.as_str(), s.bookings))
        .collect();
    assert_eq!(
        seen,
        [
            ("Ana", "ana@example.com", "112", 3),
            ("Bea", "ben@example.com", "331", 1),
            ("Ben", "ben@example.com", "222", 2),
            ("ana", "ana@example.com", "551", 1),
        ]
    );
    let bens = store.clients_by_email(&email("ben@example.com")).await.unwrap();
    assert_eq!(bens.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Ben", "Bea"], "by first booking");
    assert_eq!(bens[0].created_at, t0() + 1.hours());
    assert_eq!(phones(store.bookings_of_client(bens[0].id).await.unwrap()), ["221", "222"]);
    // Every booking has its record; the login still sees its own (and its record's) bookings.
    let day = BookingFilter { from: t0(), to: t0() + 48.hours(), therapist: None, status: None };
    let all = store.bookings_filtered(&day).await.unwrap();
    assert_eq!(all.len(), 7);
    assert!(all.iter().all(|b| b.client_id.is_some() && b.status == BookingStatus::Confirmed && b.add_ons.is_empty()));
    assert_eq!(phones(store.client_bookings(ana_login).await.unwrap()), ["111", "112", "441"]);
}
