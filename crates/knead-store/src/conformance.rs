//! Conformance stories: the behaviour every storage adapter must show, written once.
//!
//! An adapter's test suite calls `conformance_suite!(fresh_store)`, where `fresh_store` is an async
//! function returning a `(store, cleanup)` pair over an empty, migrated database.

use crate::{NewSession, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::{
    AddOnInput, ArticleInput, Email, Kind, NewUser, Place, Role, ServiceId, ServiceInput, TherapistInput, UserId,
};

/// The instant stories start at.
pub fn t0() -> Timestamp {
    "2026-03-01T15:00:00Z".parse().unwrap()
}

/// A valid one-hour mobile service with two add-ons.
pub fn service_input(name: &str) -> ServiceInput {
    ServiceInput {
        slug: None,
        name: name.into(),
        description: "A calm, full-body massage with warm oil.".into(),
        duration_minutes: 60,
        price_cents: 12_000,
        modality: "Swedish".into(),
        place: Place::Mobile,
        kind: Kind::Individual,
        buffer_minutes: 15,
        add_ons: vec![
            AddOnInput { name: "Aromatherapy oil".into(), price_cents: 1_500, extra_minutes: 0 },
            AddOnInput { name: "Hydrating face mask".into(), price_cents: 2_500, extra_minutes: 15 },
        ],
    }
}

/// Users: created once per address, found by address with their hash, never by a wrong id.
pub async fn accounts(store: &dyn Store) {
    let new = NewUser::parse("Ana.Client@Example.com", "Ana Fictional", "client").unwrap();
    let user = store.create_user(&new, "$argon2id$fake", t0()).await.unwrap();
    assert_eq!(user.email.as_str(), "ana.client@example.com");
    assert_eq!(user.role, Role::Client);
    assert_eq!(user.created_at, t0());

    let again = store.create_user(&new, "$argon2id$other", t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "email" })), "{again:?}");

    let (found, hash) = store.credentials_by_email(&new.email).await.unwrap().unwrap();
    assert_eq!(found, user);
    assert_eq!(hash, "$argon2id$fake");
    let nobody = Email::parse("email", "nobody@example.com").unwrap();
    assert!(store.credentials_by_email(&nobody).await.unwrap().is_none());

    assert_eq!(store.user_by_id(user.id).await.unwrap(), user);
    assert!(matches!(store.user_by_id(UserId(user.id.0 + 999)).await, Err(StoreError::NotFound)));

    let manager = NewUser::parse("boss@example.com", "Mo Manager", "manager").unwrap();
    store.create_user(&manager, "h", t0()).await.unwrap();
    let all = store.list_users().await.unwrap();
    assert_eq!(all.len(), 2);
}

/// Sessions live until they expire or are deleted; tokens map to their user.
pub async fn sessions_and_tokens(store: &dyn Store) {
    let new = NewUser::parse("thera@example.com", "Theo Fictional", "therapist").unwrap();
    let user = store.create_user(&new, "h", t0()).await.unwrap();
    let session = NewSession {
        token_hash: "a".repeat(64),
        user_id: user.id,
        csrf_token: "csrf-1".into(),
        created_at: t0(),
        expires_at: t0() + 2.hours(),
    };
    store.create_session(&session).await.unwrap();
    let live = store.session(&session.token_hash, t0() + 1.hour()).await.unwrap().unwrap();
    assert_eq!(live.user, user);
    assert_eq!(live.csrf_token, "csrf-1");
    assert!(store.session(&session.token_hash, t0() + 3.hours()).await.unwrap().is_none(), "expired");
    assert!(store.session(&"b".repeat(64), t0()).await.unwrap().is_none());

    let other = NewSession { token_hash: "c".repeat(64), expires_at: t0() + 1.minute(), ..session.clone() };
    store.create_session(&other).await.unwrap();
    assert_eq!(store.delete_expired_sessions(t0() + 30.minutes()).await.unwrap(), 1);
    store.delete_session(&session.token_hash).await.unwrap();
    assert!(store.session(&session.token_hash, t0()).await.unwrap().is_none());

    store.create_api_token(user.id, "laptop", &"d".repeat(64), t0()).await.unwrap();
    assert_eq!(store.api_token_user(&"d".repeat(64)).await.unwrap(), Some(user));
    assert_eq!(store.api_token_user(&"e".repeat(64)).await.unwrap(), None);
}

/// Services round-trip with their add-ons, are unique by slug, and archive without vanishing.
pub async fn services(store: &dyn Store) {
    let draft = service_input("Massage with oil at home").validate().unwrap();
    let created = store.create_service(&draft, t0()).await.unwrap();
    assert_eq!(created.slug.as_str(), "massage-with-oil-at-home");
    assert_eq!(created.add_ons.len(), 2);
    assert_eq!(created.add_ons[1].name, "Hydrating face mask");
    assert_eq!(created.add_ons[1].extra_minutes, 15);
    assert!(!created.archived);

    assert_eq!(store.service(created.id).await.unwrap(), created);
    assert_eq!(store.service_by_slug("massage-with-oil-at-home").await.unwrap(), created);
    assert!(matches!(store.service(ServiceId(created.id.0 + 1000)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.service_by_slug("nope").await, Err(StoreError::NotFound)));

    let dup = store.create_service(&draft, t0()).await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "slug" })), "{dup:?}");

    let mut couples = service_input("Couple's massage");
    couples.kind = Kind::Couples;
    couples.add_ons.clear();
    let couples = store.create_service(&couples.validate().unwrap(), t0()).await.unwrap();

    let mut changed = service_input("Massage with oil at home");
    changed.price_cents = 13_000;
    changed.place = Place::Both;
    changed.add_ons = vec![AddOnInput { name: "Hot stones".into(), price_cents: 2_000, extra_minutes: 10 }];
    let later = t0() + 24.hours();
    let updated = store.update_service(created.id, &changed.validate().unwrap(), later).await.unwrap();
    assert_eq!(updated.price_cents, 13_000);
    assert_eq!(updated.place, Place::Both);
    assert_eq!(updated.add_ons.len(), 1, "add-ons are replaced, not appended");
    assert_eq!(updated.created_at, t0());
    assert_eq!(updated.updated_at, later);

    let mut clash = service_input("x");
    clash.slug = Some(couples.slug.as_str().to_string());
    let clash = store.update_service(created.id, &clash.validate().unwrap(), later).await;
    assert!(matches!(clash, Err(StoreError::Conflict { field: "slug" })), "{clash:?}");
    assert_eq!(store.service(created.id).await.unwrap(), updated, "a refused update changes nothing");

    let missing = store.update_service(ServiceId(9_999), &draft, later).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    let archived = store.set_service_archived(couples.id, true, later).await.unwrap();
    assert!(archived.archived);
    let public: Vec<_> = store.list_services(false).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(public, vec![created.id]);
    let all = store.list_services(true).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(!store.set_service_archived(couples.id, false, later).await.unwrap().archived);
}

/// Therapist profiles keep their label lists in order.
pub async fn therapists(store: &dyn Store) {
    let input = TherapistInput {
        name: "Mara Quill".into(),
        credentials: "RMT".into(),
        registration_number: "R-0042".into(),
        bio: "Clinic RMT — treats low back pain; speaks français.".into(),
        modalities: vec!["Swedish massage".into(), "Myofascial release".into(), "Joint mobilizations".into()],
        conditions: vec!["Sciatica".into()],
        languages: vec!["English".into(), "Français".into()],
        ..Default::default()
    };
    let t = store.create_therapist(&input.validate().unwrap(), t0()).await.unwrap();
    assert_eq!(t.modalities, ["Swedish massage", "Myofascial release", "Joint mobilizations"]);
    assert_eq!(t.languages, ["English", "Français"]);
    assert_eq!(t.bio, input.bio);
    assert_eq!(store.therapist_by_slug("mara-quill").await.unwrap(), t);
    assert!(matches!(
        store.create_therapist(&input.validate().unwrap(), t0()).await,
        Err(StoreError::Conflict { field: "slug" })
    ));

    let mut changed = input.clone();
    changed.modalities = vec![];
    let u = store.update_therapist(t.id, &changed.validate().unwrap(), t0()).await.unwrap();
    assert!(u.modalities.is_empty());
    assert_eq!(store.therapist(t.id).await.unwrap(), u);

    store.set_therapist_archived(t.id, true, t0()).await.unwrap();
    assert!(store.list_therapists(false).await.unwrap().is_empty());
    assert_eq!(store.list_therapists(true).await.unwrap().len(), 1);
}

/// Articles list newest first and keep their Markdown byte for byte.
pub async fn articles(store: &dyn Store) {
    let body = "# Heading\n\nText with <script>alert(1)</script> and **bold**.\n";
    let first = ArticleInput { title: "First".into(), body_markdown: body.into(), ..Default::default() };
    let second = ArticleInput { title: "Second".into(), body_markdown: "Later.".into(), ..Default::default() };
    let a = store.create_article(&first.validate().unwrap(), t0()).await.unwrap();
    let b = store.create_article(&second.validate().unwrap(), t0() + 1.hour()).await.unwrap();
    assert_eq!(a.body_markdown, body.trim());
    let order: Vec<_> = store.list_articles(false).await.unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(order, vec![b.id, a.id]);
    assert_eq!(store.article_by_slug("first").await.unwrap(), a);
    assert_eq!(store.article(b.id).await.unwrap(), b);
    let clash = ArticleInput { slug: Some("first".into()), ..second.clone() };
    assert!(matches!(
        store.update_article(b.id, &clash.validate().unwrap(), t0()).await,
        Err(StoreError::Conflict { field: "slug" })
    ));
    store.set_article_archived(a.id, true, t0()).await.unwrap();
    assert_eq!(store.list_articles(false).await.unwrap().len(), 1);
    assert_eq!(store.list_articles(true).await.unwrap().len(), 2);
}

/// The store answers a ping and names itself.
pub async fn health(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

/// Expands to one `#[tokio::test]` per story. `$fresh` is an async fn returning
/// `Option<(DynStore, impl Future cleanup)>`-like `TestStore`; `None` means the backend is absent (skipped loudly).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@story $fresh, accounts, sessions_and_tokens, services, therapists, articles, health,
            practice_settings, clinics_and_rooms, schedules, bookings, clinic_rooms_are_never_double_booked,
            concurrent_bookings_for_one_slot_let_exactly_one_through);
    };
    (@story $fresh:path, $($story:ident),*) => {
        $(
            #[tokio::test]
            async fn $story() {
                let Some(test_store) = $fresh().await else { return };
                $crate::conformance::$story(&*test_store.store).await;
                test_store.cleanup().await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------------
// Booking

use crate::{BookingError, Created};
use knead_core::booking::{ClinicInput, Contact, NewBooking, NewVisit, Where};
use knead_core::calendar::{PracticeSettings, ScheduleInput, WeeklyHoursInput};
use knead_core::schedule::{GeoPoint, Stop};
use knead_core::{ServiceId as Sid, TherapistId};

async fn therapist_with_schedule(store: &dyn Store, name: &str, service: Sid) -> TherapistId {
    let t = store
        .create_therapist(&TherapistInput { name: name.into(), ..Default::default() }.validate().unwrap(), t0())
        .await
        .unwrap();
    let input = ScheduleInput {
        base_lat: 43.65,
        base_lon: -79.38,
        radius_km: 25.0,
        service_ids: vec![service.0],
        weekly: (1..=7).map(|d| WeeklyHoursInput { weekday: d, start: "09:00".into(), end: "17:00".into() }).collect(),
    };
    store.save_schedule(t.id, &input.validate().unwrap()).await.unwrap();
    t.id
}

/// A one-hour booking at `place` with a visit (15-minute buffers) per therapist and a fresh manage token.
pub fn new_booking(
    service: Sid,
    therapists: &[TherapistId],
    start: Timestamp,
    place: Where,
    key: Option<&str>,
) -> NewBooking {
    NewBooking {
        service_id: service,
        start,
        end: start + 60.minutes(),
        place,
        client: Contact {
            name: "Ana Fictional".into(),
            email: Email::parse("email", "ana@example.com").unwrap(),
            phone: "416-555-0100".into(),
        },
        client_user_id: None,
        price_cents: 13_000,
        travel_fee_cents: 0,
        visits: therapists
            .iter()
            .map(|&t| NewVisit {
                therapist_id: t,
                block_start: start - 15.minutes(),
                block_end: start + 75.minutes(),
                travel_before_min: 10,
                travel_after_min: 10,
            })
            .collect(),
        manage_token_hash: next_token_hash(),
        idempotency_key: key.map(str::to_string),
        request_fingerprint: "fp-1".into(),
        created_at: t0(),
    }
}

/// A distinct manage-link hash for each booking a story makes.
fn next_token_hash() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("{:064x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// A client's home inside the default service area.
pub fn home() -> Where {
    Where::Mobile { at: GeoPoint { lat: 43.66, lon: -79.39 }, address: "1 Fictional Lane".into() }
}

/// A check like the engine's: no overlap with any booked stop.
fn no_overlap(block: (Timestamp, Timestamp)) -> impl Fn(TherapistId, &[Stop]) -> Result<(), String> + Send + Sync {
    let (s, e) = (knead_core::calendar::minute_of(block.0), knead_core::calendar::minute_of(block.1));
    move |_, stops: &[Stop]| match stops.iter().find(|st| st.start < e && s < st.end) {
        Some(_) => Err("overlaps".into()),
        None => Ok(()),
    }
}

fn pass(_: TherapistId, _: &[Stop]) -> Result<(), String> {
    Ok(())
}

/// Settings are the defaults until saved, then what was saved.
pub async fn practice_settings(store: &dyn Store) {
    assert_eq!(store.practice_settings().await.unwrap(), PracticeSettings::default());
    let s = PracticeSettings { time_zone: "America/Vancouver".into(), grid_minutes: 30, ..PracticeSettings::default() };
    store.save_practice_settings(&s).await.unwrap();
    store.save_practice_settings(&s).await.unwrap();
    assert_eq!(store.practice_settings().await.unwrap(), s);
}

/// Clinics keep their rooms in order.
pub async fn clinics_and_rooms(store: &dyn Store) {
    let input = ClinicInput {
        name: "Queen St Clinic".into(),
        address: "10 Fictional St".into(),
        lat: 43.65,
        lon: -79.40,
        rooms: vec!["Room A".into(), "Room B".into()],
    };
    let c = store.create_clinic(&input.validate().unwrap()).await.unwrap();
    assert_eq!(c.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Room A", "Room B"]);
    assert_eq!(store.clinics().await.unwrap(), vec![c]);
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

    let day: jiff::civil::Date = "2026-03-08".parse().unwrap();
    store.set_day_override(t, day, Some(&[(600, 720)])).await.unwrap();
    store.set_day_override(t, day, Some(&[(600, 660), (700, 800)])).await.unwrap();
    let s = store.schedule(t).await.unwrap().unwrap();
    assert_eq!(s.overrides.len(), 1);
    assert_eq!(s.overrides[0].windows, vec![(600, 660), (700, 800)]);
    store.set_day_override(t, day, None).await.unwrap();
    assert!(store.schedule(t).await.unwrap().unwrap().overrides.is_empty());

    let version = store.calendar_version().await.unwrap();
    let off = store.add_time_off(t, t0(), t0() + 3.hours()).await.unwrap();
    assert_ne!(store.calendar_version().await.unwrap(), version, "time off moves the calendar version");
    assert_eq!(store.schedule(t).await.unwrap().unwrap().time_off, vec![off]);
    assert!(matches!(store.delete_time_off(TherapistId(t.0 + 1), off.id).await, Err(StoreError::NotFound)));
    store.delete_time_off(t, off.id).await.unwrap();
    assert!(store.schedule(t).await.unwrap().unwrap().time_off.is_empty());

    let missing =
        ScheduleInput { base_lat: 43.0, base_lon: -79.0, radius_km: 5.0, service_ids: vec![], weekly: vec![] };
    assert!(matches!(
        store.save_schedule(TherapistId(9_999), &missing.validate().unwrap()).await,
        Err(StoreError::NotFound)
    ));

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
    store.set_therapist_archived(t, true, t0()).await.unwrap();
    assert!(store.schedules().await.unwrap().is_empty());
}

/// Bookings: written under the check, replayed by key, refused on overlap, cancelled and moved.
pub async fn bookings(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();

    let first = new_booking(service.id, &[a, b], start, home(), Some("key-1"));
    let before = store.calendar_version().await.unwrap();
    let created = store.create_booking(&first, &pass).await.unwrap();
    let after = store.calendar_version().await.unwrap();
    assert_ne!(before, after, "a booking moves the calendar version");
    let Created::New(booking) = created else { panic!("a new booking") };
    assert_eq!(booking.visits.len(), 2, "a couples booking holds both visits");
    assert_eq!(booking.therapist_ids(), vec![a, b]);
    assert_eq!(booking.start, start);
    assert_eq!(booking.lat, Some(43.66));

    let (by_key, fingerprint) = store.booking_by_idempotency_key("key-1").await.unwrap().unwrap();
    assert_eq!((by_key.id, fingerprint.as_str()), (booking.id, "fp-1"));
    assert!(store.booking_by_idempotency_key("key-x").await.unwrap().is_none());
    let again = store.create_booking(&first, &pass).await.unwrap();
    assert!(matches!(&again, Created::Replayed(x) if x.id == booking.id), "same key, same booking");
    let mut other = first.clone();
    other.request_fingerprint = "fp-2".into();
    assert!(matches!(store.create_booking(&other, &pass).await, Err(BookingError::KeyReused)));

    // The database refuses an overlap even when the check (wrongly) passes: the backstop.
    let clash = new_booking(service.id, &[a], start + 30.minutes(), home(), None);
    assert!(matches!(store.create_booking(&clash, &pass).await, Err(BookingError::SlotTaken(_))));
    // A failing check writes nothing.
    let refused = new_booking(service.id, &[a], start + 3.hours(), home(), Some("key-2"));
    let r =
        store.create_booking(&refused, &|_: TherapistId, _: &[Stop]| Err("not enough travel time".to_string())).await;
    assert!(matches!(r, Err(BookingError::SlotTaken(ref why)) if why == "not enough travel time"));
    assert_eq!(
        store.stops_between(start - 1.hours(), start + 6.hours()).await.unwrap().len(),
        2,
        "nothing else written"
    );
    let later = store.create_booking(&refused, &pass).await.unwrap();
    assert!(matches!(later, Created::New(_)), "the refused request's key was not used up");

    let stops = store.stops_between(start - 1.hours(), start + 2.hours()).await.unwrap();
    assert_eq!(stops.len(), 2);
    assert_eq!(stops[0].1.end - stops[0].1.start, 90, "blocked range with buffers, in minutes");

    assert_eq!(store.booking_by_manage_token(&first.manage_token_hash).await.unwrap().id, booking.id);
    assert!(matches!(store.booking_by_manage_token("nope").await, Err(StoreError::NotFound)));
    let day = store.therapist_bookings(a, start - 10.hours(), start + 10.hours()).await.unwrap();
    assert_eq!(day.len(), 2);

    let version = store.calendar_version().await.unwrap();
    let cancelled = store.cancel_booking(booking.id, t0()).await.unwrap();
    assert_ne!(store.calendar_version().await.unwrap(), version, "a cancellation moves it too");
    assert_eq!(cancelled.status.as_str(), "cancelled");
    store.cancel_booking(booking.id, t0()).await.unwrap();
    let retry = new_booking(service.id, &[a], start, home(), None);
    assert!(matches!(store.create_booking(&retry, &pass).await, Ok(Created::New(_))), "cancelling frees the time");

    let Created::New(moving) =
        store.create_booking(&new_booking(service.id, &[b], start, home(), None), &pass).await.unwrap()
    else {
        panic!()
    };
    let to = new_booking(service.id, &[b], start + 30.minutes(), home(), None);
    let moved = store
        .reschedule_booking(moving.id, &to, &no_overlap((to.visits[0].block_start, to.visits[0].block_end)))
        .await
        .unwrap();
    assert_eq!(moved.start, start + 30.minutes(), "its own old visit does not block the move");
    assert_eq!(moved.visits.len(), 1);
    assert!(
        matches!(store.reschedule_booking(booking.id, &to, &pass).await, Err(BookingError::SlotTaken(_))),
        "cancelled bookings stay put"
    );

    let user = store.create_user(&NewUser::parse("c@example.com", "C", "client").unwrap(), "h", t0()).await.unwrap();
    let mut mine = new_booking(service.id, &[b], start + 5.hours(), home(), None);
    mine.client_user_id = Some(user.id);
    store.create_booking(&mine, &pass).await.unwrap();
    let own = store.client_bookings(user.id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].client_user_id, Some(user.id));
}

/// A clinic visit takes a free room; when every room is busy, the slot is taken.
pub async fn clinic_rooms_are_never_double_booked(store: &dyn Store) {
    let service = store.create_service(&service_input("Clinic massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let b = therapist_with_schedule(store, "Therapist B", service.id).await;
    let clinic = store
        .create_clinic(
            &ClinicInput {
                name: "Clinic".into(),
                address: String::new(),
                lat: 43.65,
                lon: -79.4,
                rooms: vec!["Only room".into()],
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let start: Timestamp = "2026-06-02T15:00:00Z".parse().unwrap();
    let first = store
        .create_booking(&new_booking(service.id, &[a], start, Where::Clinic(clinic.id), None), &pass)
        .await
        .unwrap();
    assert_eq!(first.booking().visits[0].room_id, Some(clinic.rooms[0].id));
    assert_eq!(first.booking().clinic_id, Some(clinic.id));
    let second =
        store.create_booking(&new_booking(service.id, &[b], start, Where::Clinic(clinic.id), None), &pass).await;
    assert!(matches!(second, Err(BookingError::SlotTaken(_))), "{second:?}");
    let (rooms, busy) = store.room_calendar(clinic.id, start - 1.hours(), start + 2.hours()).await.unwrap();
    assert_eq!((rooms, busy.len()), (1, 1));
}

/// Twenty simultaneous requests for one therapist's slot: exactly one is written, the rest are refused.
pub async fn concurrent_bookings_for_one_slot_let_exactly_one_through(store: &dyn Store) {
    let service = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let a = therapist_with_schedule(store, "Therapist A", service.id).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    let attempts = (0..20).map(|_| {
        let b = new_booking(service.id, &[a], start, home(), None);
        async move {
            let check = no_overlap((b.visits[0].block_start, b.visits[0].block_end));
            store.create_booking(&b, &check).await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let ok = results.iter().filter(|r| matches!(r, Ok(Created::New(_)))).count();
    let taken = results.iter().filter(|r| matches!(r, Err(BookingError::SlotTaken(_)))).count();
    assert_eq!((ok, taken), (1, 19), "{:?}", results.iter().filter(|r| r.is_err()).collect::<Vec<_>>());
}
