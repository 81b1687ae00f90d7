//! Concurrent booking beyond the shared stories: two stores (two pools) on one database stand in for two
//! knead servers, so only the database's locks and constraints can keep them apart.

use jiff::{Timestamp, ToSpan};
use knead_core::booking::{ClinicInput, NewBooking, RoomInput, RoomRef, Unavailable, Where};
use knead_core::schedule::{DayRule, Stop, Unfit};
use knead_core::{Place, ServiceId, TherapistId, TherapistInput};
use knead_store::conformance::{home, new_booking, service_input, t0, Pass};
use knead_store::{BookingError, CatalogStore, ClinicError, Created, SchedulingStore};
use knead_store_postgres::testing::{fresh_database, TestDatabase};
use knead_store_postgres::PostgresStore;

type Outcome = Result<Created, BookingError>;

/// The database's store plus a second one with its own connections: a second server.
async fn two_servers(db: &TestDatabase) -> [PostgresStore; 2] {
    [db.postgres.clone(), PostgresStore::connect(&db.url).await.unwrap()]
}

async fn service_and_therapists(store: &PostgresStore, therapists: usize) -> (ServiceId, Vec<TherapistId>) {
    let mut input = service_input("Massage");
    input.place = Place::Both;
    input.add_ons.clear();
    let service = store.create_service(&input.validate().unwrap(), t0()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..therapists {
        let draft = TherapistInput { name: format!("Therapist {i}"), ..Default::default() }.validate().unwrap();
        ids.push(store.create_therapist(&draft, t0()).await.unwrap().id);
    }
    (service.id, ids)
}

fn booking(service: ServiceId, therapists: &[TherapistId], start: Timestamp, place: Where) -> NewBooking {
    new_booking(service, therapists, start, place, None)
}

/// Runs every booking at once, alternating between the two servers, with `rule` as the re-check.
async fn race(servers: &[PostgresStore; 2], bookings: Vec<NewBooking>, rule: &'static dyn DayRule) -> Vec<Outcome> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, b) in bookings.into_iter().enumerate() {
        let store = servers[i % 2].clone();
        tasks.spawn(async move { store.create_booking(&b, rule).await });
    }
    tasks.join_all().await
}

/// How many were written, replayed, and refused for `why`.
fn count(results: &[Outcome], why: &Unavailable) -> (usize, usize, usize) {
    let new = results.iter().filter(|r| matches!(r, Ok(Created::New(_)))).count();
    let replayed = results.iter().filter(|r| matches!(r, Ok(Created::Replayed(_)))).count();
    let refused = results.iter().filter(|r| matches!(r, Err(BookingError::Unavailable(w)) if w == why)).count();
    (new, replayed, refused)
}

fn others(results: &[Outcome]) -> Vec<&Outcome> {
    results.iter().filter(|r| !matches!(r, Ok(_) | Err(BookingError::Unavailable(_)))).collect()
}

/// The reason `OneADay` gives.
const TOO_FAR: Unfit = Unfit::NotEnoughTravelBefore { needed: 30, available: 0 };

/// A travel rule no overlap constraint can enforce: the therapist takes one visit a day.
struct OneADay;

impl DayRule for OneADay {
    fn check(&self, _: TherapistId, booked: &[Stop]) -> Result<(), Unfit> {
        if booked.is_empty() {
            Ok(())
        } else {
            Err(TOO_FAR)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_travel_check_sees_every_committed_visit_across_servers() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 1).await;
    let start: Timestamp = "2026-06-03T08:00:00Z".parse().unwrap();
    // Ten visits that never overlap, so only the per-therapist lock can make the check see the others.
    let bookings = (0..10).map(|i| booking(service, &t, start + (2 * i).hours(), home())).collect();
    let results = race(&servers, bookings, &OneADay).await;
    assert_eq!(count(&results, &Unavailable::DoesNotFit(TOO_FAR)), (1, 0, 9), "{:?}", others(&results));
    servers[1].close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_exclusion_constraint_answers_that_the_therapist_is_busy() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 1).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    // The rule lets everything through, so the constraint refuses the rest, each as a busy therapist.
    let bookings = (0..20).map(|_| booking(service, &t, start, home())).collect();
    let results = race(&servers, bookings, &Pass).await;
    assert_eq!(count(&results, &Unavailable::TherapistBusy), (1, 0, 19), "{:?}", others(&results));
    servers[1].close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn couples_booked_in_either_order_do_not_deadlock() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 2).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    let bookings = (0..20)
        .map(|i| {
            let pair = if i % 2 == 0 { [t[0], t[1]] } else { [t[1], t[0]] };
            booking(service, &pair, start, home())
        })
        .collect();
    let results = race(&servers, bookings, &Pass).await;
    assert_eq!(count(&results, &Unavailable::TherapistBusy), (1, 0, 19), "{:?}", others(&results));
    servers[1].close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_idempotency_key_is_written_once_even_for_different_therapists() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 10).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    // Different therapists take different locks, so the requests meet only at the key's unique index.
    let bookings = t
        .iter()
        .enumerate()
        .map(|(i, &therapist)| {
            let mut b = booking(service, &[therapist], start, home());
            b.idempotency_key = Some("same-key".into());
            b.request_fingerprint = if i % 2 == 0 { "fp-even" } else { "fp-odd" }.into();
            b
        })
        .collect();
    let results = race(&servers, bookings, &Pass).await;
    let new: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Ok(Created::New(b)) => Some(b.id),
            _ => None,
        })
        .collect();
    assert_eq!(new.len(), 1, "{results:?}");
    let replayed: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Ok(Created::Replayed(b)) => Some(b.id),
            _ => None,
        })
        .collect();
    assert_eq!(replayed.len(), 4, "the winner's four twins replay it: {results:?}");
    assert!(replayed.iter().all(|&id| id == new[0]));
    let reused = results.iter().filter(|r| matches!(r, Err(BookingError::KeyReused))).count();
    assert_eq!(reused, 5, "the other fingerprint's five are refused: {results:?}");
    assert_eq!(servers[0].stops_between(start - 1.hours(), start + 2.hours()).await.unwrap().len(), 1);
    servers[1].close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clinic_rooms_are_shared_out_one_each() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 6).await;
    let input = ClinicInput {
        name: "Clinic".into(),
        address: "1 Fictional St".into(),
        lat: Some(43.65),
        lon: Some(-79.4),
        rooms: vec!["Room A".into(), "Room B".into()],
    };
    let clinic = servers[0].create_clinic(&input.validate().unwrap()).await.unwrap();
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    let bookings = t.iter().map(|&therapist| booking(service, &[therapist], start, Where::Clinic(clinic.id))).collect();
    let results = race(&servers, bookings, &Pass).await;
    assert_eq!(count(&results, &Unavailable::NoRoomFree), (2, 0, 4), "{:?}", others(&results));
    let mut rooms: Vec<_> =
        results.iter().filter_map(|r| r.as_ref().ok()).map(|c| c.booking().visits[0].room_id.unwrap()).collect();
    rooms.sort();
    assert_eq!(rooms, clinic.rooms.iter().map(|r| r.id).collect::<Vec<_>>(), "each room once");
    servers[1].close().await;
    db.cleanup().await;
}

/// A room removed on one server while the other books the clinic: the removal and the room pick take the
/// same clinic lock, so either the room was removed before any visit took it, or the removal is refused
/// because a visit did — never a visit in a removed room.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_room_is_never_removed_under_a_visit_being_booked() {
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let (service, t) = service_and_therapists(&servers[0], 2).await;
    let start: Timestamp = "2026-06-03T15:00:00Z".parse().unwrap();
    for round in 0..8 {
        let input = ClinicInput {
            name: format!("Clinic {round}"),
            address: "1 Fictional St".into(),
            lat: Some(43.65),
            lon: Some(-79.4),
            rooms: vec!["Room A".into(), "Room B".into()],
        };
        let clinic = servers[0].create_clinic(&input.validate().unwrap()).await.unwrap();
        let (kept, removed) = (clinic.rooms[0].id, clinic.rooms[1].id);
        let only_a =
            ClinicInput { rooms: vec![RoomInput::Room(RoomRef { id: Some(kept.0), name: "Room A".into() })], ..input };
        let at = start + (2 * round as i64).hours();
        let bookings: Vec<NewBooking> =
            t.iter().map(|&therapist| booking(service, &[therapist], at, Where::Clinic(clinic.id))).collect();
        let remover = servers[round % 2].clone();
        let draft = only_a.validate().unwrap();
        let removal = tokio::spawn(async move { remover.update_clinic(clinic.id, &draft, t0()).await });
        let results = race(&servers, bookings, &Pass).await;
        let removal = removal.await.unwrap();
        let in_removed = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|c| c.booking().visits[0].room_id == Some(removed))
            .count();
        match removal {
            Ok(edited) => {
                assert_eq!(in_removed, 0, "round {round}: a visit was booked into the removed room");
                assert_eq!(edited.rooms.len(), 1);
                assert_eq!(count(&results, &Unavailable::NoRoomFree), (1, 0, 1), "{:?}", others(&results));
            }
            Err(ClinicError::RoomsInUse(busy)) => {
                assert_eq!((in_removed, busy.len(), busy[0].id), (1, 1, removed), "round {round}");
                assert_eq!(count(&results, &Unavailable::NoRoomFree), (2, 0, 0), "{:?}", others(&results));
            }
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
    servers[1].close().await;
    db.cleanup().await;
}

/// Two servers appending to the audit log at once, with intake versions among the entries: one chain, no
/// fork (every append waits on the audit lock for the one before it), and versions numbered without a gap.
#[tokio::test]
async fn audit_appends_from_two_servers_make_one_chain() {
    use knead_core::intake::audit::{verify, GENESIS};
    use knead_core::intake::Action;
    use knead_store::conformance::clients::{draft, event, history};
    use knead_store::ClientStore;
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let ana = servers[0].create_client(&draft("Ana", "ana@example.com"), None, t0()).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let store = servers[i % 2].clone();
        tasks.spawn(async move {
            let e = event(Some(ana.id), if i % 4 == 0 { Action::Create } else { Action::Read }, "intake", "x");
            match i % 4 {
                0 => store.add_intake(ana.id, &history("none"), None, t0(), &e).await.map(|_| ()),
                _ => store.record_access(&e).await.map(|_| ()),
            }
        });
    }
    for r in tasks.join_all().await {
        r.unwrap();
    }
    let entries = servers[1].audit_entries(0, 1000).await.unwrap();
    assert_eq!(entries.len(), 40);
    verify(GENESIS, &entries).unwrap();
    let versions: Vec<i64> = servers[1].intakes(ana.id).await.unwrap().iter().map(|v| v.version).collect();
    assert_eq!(versions, (1..=10).rev().collect::<Vec<_>>());
    servers[1].close().await;
    db.cleanup().await;
}

/// Two servers racing on one care record: a draft is signed once, a signed version is amended once, a
/// program and day get one log, and plan versions are numbered without a gap or a repeat; every success, and
/// only a success, is one entry in one chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_care_record_raced_from_two_servers_changes_once() {
    use jiff::civil::date;
    use knead_core::intake::audit::{verify, GENESIS};
    use knead_core::records::exercises::ExerciseLog;
    use knead_store::conformance::records::{changed, chart, created, episode, note_content, plan, prescription};
    use knead_store::{ClientStore, NoteDraft, RecordStore, StoreError};
    let Some(db) = fresh_database().await else { return };
    let servers = two_servers(&db).await;
    let c = chart(&servers[0]).await;
    let ep = episode(&servers[0], &c).await;
    let new = NoteDraft { episode: ep.id, content: note_content("Leg pain 6/10"), therapist: None, author: c.staff };
    let note = servers[0].create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    let exercises = [prescription("knee_to_chest", 10)];
    let program = servers[0].add_program(ep.id, &exercises, c.staff, t0(), &created(&c, "program")).await.unwrap();
    let before = servers[0].audit_entries(0, 1000).await.unwrap().len();

    let signs = {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..8 {
            let store = servers[i % 2].clone();
            tasks.spawn(async move {
                store.sign_note(note.id, c.staff, t0(), &format!("digest-{i}"), &changed(&c, "note", note.id)).await
            });
        }
        tasks.join_all().await
    };
    assert_eq!(signs.iter().filter(|r| r.is_ok()).count(), 1, "{signs:?}");
    assert!(signs.iter().all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict { field: "status" }))));

    let amendments = {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..8 {
            let store = servers[i % 2].clone();
            tasks.spawn(async move {
                let fix = note_content(&format!("Leg pain {i}/10"));
                store.amend_note(note.id, &fix, "Wrong score", c.staff, t0(), "d", &created(&c, "note")).await
            });
        }
        tasks.join_all().await
    };
    assert_eq!(amendments.iter().filter(|r| r.is_ok()).count(), 1, "{amendments:?}");
    assert!(amendments.iter().all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict { field: "status" }))));

    let logs = {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..8 {
            let store = servers[i % 2].clone();
            tasks.spawn(async move {
                let log = ExerciseLog {
                    program_id: program.id,
                    on: date(2026, 3, 2),
                    done: vec!["knee_to_chest".into()],
                    pain: i64::try_from(i).unwrap(),
                    note: String::new(),
                    created_at: t0(),
                };
                store.add_exercise_log(&log, &created(&c, "exercise_log")).await
            });
        }
        tasks.join_all().await
    };
    assert_eq!(logs.iter().filter(|r| r.is_ok()).count(), 1, "{logs:?}");
    assert!(logs.iter().all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict { field: "on" }))));

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = servers[i % 2].clone();
        tasks.spawn(async move { store.add_plan(ep.id, &plan(3.0), c.staff, t0(), &created(&c, "plan")).await });
    }
    for r in tasks.join_all().await {
        r.unwrap();
    }
    let versions: Vec<i64> = servers[1].plans(ep.id).await.unwrap().iter().map(|p| p.version).collect();
    assert_eq!(versions, (1..=8).rev().collect::<Vec<_>>());

    let entries = servers[1].audit_entries(0, 1000).await.unwrap();
    assert_eq!(entries.len(), before + 1 + 1 + 1 + 8);
    verify(GENESIS, &entries).unwrap();
    servers[1].close().await;
    db.cleanup().await;
}
