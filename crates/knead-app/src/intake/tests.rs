//! Intake and triage through the booking use case, on the demo practice over in-memory SQLite: what a
//! screening and a health history do to a booking, who may read what, and the audit log each read leaves.

use super::*;
use crate::accounts::test_support::app_at;
use crate::booking::{availability, book, quote, AvailabilityQuery, Booked};
use crate::clients::{self, SignUp};
use jiff::civil::date;
use jiff::Timestamp;
use knead_core::booking::{BookingInput, BookingRequest, BookingStatus, ContactInput, Location};
use knead_core::geo::GeoPoint;
use knead_core::intake::screening::all_clear;
use knead_core::intake::{Category, Consent, Level};
use knead_core::{ServiceId, TherapistId};

/// Noon in Helsinki on a Monday; the demo's therapists work every weekday.
fn now() -> Timestamp {
    "2026-06-01T09:00:00Z".parse().unwrap()
}

async fn demo() -> App {
    let app = app_at(now()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), now()).await.unwrap();
    app
}

/// A client's home in central Helsinki (Yrjönkatu 15), inside the demo's extract.
const HOME: GeoPoint = GeoPoint { lat: 60.1672, lon: 24.9402 };

const PW: &str = "a-long-enough-password";

async fn user(app: &App, email: &str, role: &str) -> User {
    crate::accounts::create_user(app, email, "Someone Fictional", role, PW).await.unwrap()
}

/// A therapist login linked to the demo therapist `t`.
async fn therapist_user(app: &App, email: &str, t: TherapistId) -> User {
    let u = user(app, email, "therapist").await;
    app.store().link_therapist_user(t, Some(u.id)).await.unwrap();
    u
}

/// The first free start of the 60-minute home massage (service 1) on 2 June, with `add_ons`.
async fn first_start(app: &App, add_ons: &[&str]) -> Timestamp {
    let q = AvailabilityQuery {
        service_id: ServiceId(1),
        place: Location::Point(HOME),
        from: date(2026, 6, 2),
        days: 1,
        therapist_id: None,
        therapist_gender: None,
        add_ons: add_ons.iter().map(|s| s.to_string()).collect(),
    };
    availability(app, &q).await.unwrap().slots[0].start
}

fn input(start: Timestamp, name: &str, email: &str) -> BookingInput {
    BookingInput {
        service_id: 1,
        start: start.to_string(),
        lat: Some(HOME.lat),
        lon: Some(HOME.lon),
        address: Some("15 Yrjönkatu, Helsinki".into()),
        client: Some(ContactInput { name: name.into(), email: email.into(), phone: "040 123 4567".into() }),
        ..Default::default()
    }
}

fn request(i: BookingInput) -> BookingRequest {
    i.validate().unwrap()
}

async fn book_as(app: &App, req: &BookingRequest, by: Option<&User>) -> AppResult<Booked> {
    book(app, req, by, None, format!("fp-{}", req.start)).await
}

/// The one field error of `result`, as (code, field).
fn refusal<T>(result: AppResult<T>) -> (&'static str, String, String) {
    match result.map(|_| "accepted") {
        Err(AppError::Invalid(e)) if e.0.len() == 1 => (e.0[0].code, e.0[0].field.clone(), e.0[0].detail.clone()),
        other => panic!("expected one field error, got {other:?}"),
    }
}

fn answers(yes: &[&str]) -> ScreeningInput {
    let mut a = all_clear();
    for f in yes {
        assert!(a.set_flag(f, Some(true)), "{f}");
    }
    a
}

fn history(change: impl FnOnce(&mut IntakeInput)) -> IntakeInput {
    let mut i = IntakeInput {
        consent: Consent {
            nature: true,
            benefits: true,
            risks: true,
            alternatives: true,
            no_treatment: true,
            right_to_stop: true,
        },
        ..Default::default()
    };
    i.fever_or_contagious = Some(false);
    i.suspected_clot = Some(false);
    i.clot_history = Some(false);
    i.anticoagulants = Some(false);
    i.bleeding_disorder = Some(false);
    i.long_term_steroids = Some(false);
    i.osteoporosis = Some(false);
    i.cancer = Some(false);
    i.heart_or_kidney_swelling = Some(false);
    i.varicose_veins = Some(false);
    i.pregnant = Some(false);
    i.recent_surgery = Some(false);
    i.reduced_sensation = Some(false);
    i.oil_or_lotion_allergy = Some(false);
    change(&mut i);
    i
}

async fn audit_count(app: &App) -> usize {
    app.store().audit_entries(0, 100_000).await.unwrap().len()
}

#[tokio::test]
async fn an_emergency_screening_never_becomes_a_booking() {
    let app = demo().await;
    let start = first_start(&app, &[]).await;
    let unscreened =
        request(BookingInput { reason: Some("sciatica".into()), ..input(start, "Ana Fictional", "ana@example.test") });
    let (code, field, _) = refusal(book_as(&app, &unscreened, None).await);
    assert_eq!((code, field.as_str()), ("required", "screening_id"));

    let incomplete = screen(&app, None, &ScreeningInput { saddle_numbness: Some(true), ..Default::default() }).await;
    let Err(AppError::Invalid(missing)) = incomplete else { panic!("an incomplete screening is refused") };
    assert!(missing.0.len() > 10, "every unanswered question is named");
    assert!(missing.for_field("saddle_numbness").is_none());

    let emergency = screen(&app, None, &answers(&["saddle_numbness"])).await.unwrap();
    assert_eq!(emergency.assessment.level, Level::Emergency);
    assert_eq!(emergency.id.0.len(), 32);
    for reason in ["sciatica", "relaxation"] {
        let req = request(BookingInput {
            reason: Some(reason.into()),
            screening_id: Some(emergency.id.0.clone()),
            ..input(start, "Ana Fictional", "ana@example.test")
        });
        let (code, field, detail) = refusal(book_as(&app, &req, None).await);
        assert_eq!((code, field.as_str()), ("red_flag_emergency", "screening_id"), "{reason}");
        assert!(detail.contains("emergency department today") && detail.contains("not drive"), "{detail}");
    }
    let manager = user(&app, "desk@example.test", "manager").await;
    let q = clients::BookingsQuery { date: Some(date(2026, 6, 2)), ..Default::default() };
    assert!(clients::bookings(&app, &manager, &q).await.unwrap().is_empty(), "no booking was made");
    let kept = app.store().emergency_screenings(now() - jiff::SignedDuration::from_hours(1)).await.unwrap();
    assert_eq!(kept.len(), 1, "the attempt is kept for the practice");

    let unknown = request(BookingInput {
        reason: Some("sciatica".into()),
        screening_id: Some("0".repeat(32)),
        ..input(start, "Ana Fictional", "ana@example.test")
    });
    assert_eq!(refusal(book_as(&app, &unknown, None).await).0, "unknown");
}

#[tokio::test]
async fn an_urgent_screening_waits_for_clearance_then_is_confirmed() {
    let app = demo().await;
    let start = first_start(&app, &[]).await;
    let urgent = screen(&app, None, &answers(&["progressive_weakness"])).await.unwrap();
    assert_eq!(urgent.assessment.level, Level::Urgent);
    let req = request(BookingInput {
        reason: Some("sciatica".into()),
        screening_id: Some(urgent.id.0.clone()),
        ..input(start, "Ben Fictional", "ben@example.test")
    });
    let booked = book_as(&app, &req, None).await.unwrap();
    assert_eq!(booked.booking.status, BookingStatus::AwaitingClearance);
    assert_eq!(booked.precautions[0].category, Category::ClearanceRequired);
    assert!(booked.precautions.iter().any(|p| p.category == Category::LocalAvoid), "sciatica's own precaution");
    assert_eq!(booked.screening.as_ref().map(|s| &s.id), Some(&urgent.id));

    // Only the booking's therapist or a manager may record it.
    let theirs = booked.booking.therapist_ids()[0];
    let others: Vec<TherapistId> = crate::calendar::schedules(&app)
        .await
        .unwrap()
        .iter()
        .map(|s| s.therapist_id)
        .filter(|t| *t != theirs)
        .collect();
    let stranger = therapist_user(&app, "other@example.test", others[0]).await;
    let note = ClearanceInput { cleared_by: "Dr. A. Example, Example Clinic".into(), note: String::new() };
    assert!(matches!(clear(&app, &stranger, booked.booking.id, &note).await, Err(AppError::NotFound { .. })));
    let giver = therapist_user(&app, "giver@example.test", theirs).await;
    let blank = ClearanceInput::default();
    assert_eq!(refusal(clear(&app, &giver, booked.booking.id, &blank).await).1, "cleared_by");
    let cleared = clear(&app, &giver, booked.booking.id, &note).await.unwrap();
    assert_eq!(cleared.status, BookingStatus::Confirmed);
    assert!(matches!(
        clear(&app, &giver, booked.booking.id, &note).await,
        Err(AppError::Conflict { field: "status", .. })
    ));
    let sheet = visit_sheet(&app, &giver, booked.booking.id).await.unwrap();
    assert_eq!(sheet.clearance.map(|c| c.cleared_by), Some(note.cleared_by.clone()));
    assert_eq!(sheet.screening.map(|s| s.assessment.level), Some(Level::Urgent));
    assert!(matches!(visit_sheet(&app, &stranger, booked.booking.id).await, Err(AppError::NotFound { .. })));
}

#[tokio::test]
async fn a_block_precaution_refuses_the_booking_and_keeps_the_history() {
    let app = demo().await;
    let start = first_start(&app, &[]).await;
    let mut i = input(start, "Cai Fictional", "cai@example.test");
    i.intake = Some(history(|h| h.fever_or_contagious = Some(true)));
    let (code, field, detail) = refusal(book_as(&app, &request(i), None).await);
    assert_eq!((code, field.as_str()), ("contraindicated", "intake"));
    assert!(detail.contains("fever"), "{detail}");
    let manager = user(&app, "desk@example.test", "manager").await;
    let found = clients::search(&app, &manager, "cai").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].intake_version, 1, "the history given is kept, as version 1");

    // A local precaution travels with the visit instead.
    let mut ok = input(start, "Cai Fictional", "cai@example.test");
    ok.intake = Some(history(|h| {
        h.areas_to_avoid = "left shoulder".into();
        h.anticoagulants = Some(true);
    }));
    let booked = book_as(&app, &request(ok), None).await.unwrap();
    assert_eq!(booked.booking.status, BookingStatus::Confirmed);
    let cats: Vec<Category> = booked.precautions.iter().map(|p| p.category).collect();
    assert_eq!(cats, [Category::LocalAvoid, Category::ModifyPressure]);
    assert_eq!(booked.booking.client_id, Some(found[0].client.id), "the same client record, matched by email and name");
    assert_eq!(precautions_for(&app, &booked.booking).await.unwrap(), booked.precautions);
}

#[tokio::test]
async fn add_ons_lengthen_the_visit_and_add_to_the_price() {
    let app = demo().await;
    let start = first_start(&app, &["Hot stones"]).await;
    let mut i = input(start, "Dee Fictional", "dee@example.test");
    i.add_ons = vec!["hot stones".into()];
    let req = request(i);
    let q = quote(&app, &req).await.unwrap();
    assert_eq!((q.service_cents, q.price_cents, q.duration_minutes), (13_000, 15_500, 70));
    assert_eq!(q.total_cents, q.price_cents + q.travel_fee_cents);
    let booked = book_as(&app, &req, None).await.unwrap().booking;
    assert_eq!((booked.end.as_second() - booked.start.as_second()) / 60, 70);
    assert_eq!(booked.price_cents, 15_500);
    assert_eq!(booked.travel_fee_cents, q.travel_fee_cents);
    assert_eq!(booked.add_ons, ["Hot stones"], "named as the service names it");

    let mut unknown = input(start, "Dee Fictional", "dee@example.test");
    unknown.add_ons = vec!["Gold leaf".into()];
    assert_eq!(refusal(book_as(&app, &request(unknown), None).await).1, "add_ons");

    // Moving it keeps its length.
    let manager = user(&app, "desk@example.test", "manager").await;
    let times = crate::booking::staff_times(&app, &booked, date(2026, 6, 2)).await.unwrap();
    let to = times.slots.last().unwrap().start;
    let moved = crate::booking::staff_move(&app, &booked, to, &manager).await.unwrap();
    assert_eq!((moved.end.as_second() - moved.start.as_second()) / 60, 70);
}

#[tokio::test]
async fn clients_are_matched_by_email_and_name_and_never_merged_silently() {
    let app = demo().await;
    let manager = user(&app, "desk@example.test", "manager").await;
    let start = first_start(&app, &[]).await;
    let first = book_as(&app, &request(input(start, "Eve Fictional", "eve@example.test")), None).await.unwrap();
    let start2 = first_start(&app, &[]).await;
    let again = book_as(&app, &request(input(start2, "  eve   FICTIONAL ", "EVE@example.test")), None).await.unwrap();
    assert_eq!(first.booking.client_id, again.booking.client_id, "same email and name: the same record");
    let start3 = first_start(&app, &[]).await;
    let other = book_as(&app, &request(input(start3, "Eva Someone", "eve@example.test")), None).await.unwrap();
    assert_ne!(other.booking.client_id, first.booking.client_id, "another name: another record");

    let file = clients::file(&app, &manager, first.booking.client_id.unwrap()).await.unwrap();
    assert_eq!(file.bookings.len(), 2);
    assert_eq!(file.same_email.iter().map(|c| c.id).collect::<Vec<_>>(), [other.booking.client_id.unwrap()]);

    // Staff booking for a record under another typed name: shown as a mismatch.
    let start4 = first_start(&app, &[]).await;
    let mut by_staff = input(start4, "E. Fictional-Smith", "eve@example.test");
    by_staff.client_id = Some(first.booking.client_id.unwrap().0);
    let staff_booked = book_as(&app, &request(by_staff.clone()), Some(&manager)).await.unwrap();
    assert_eq!(staff_booked.booking.client_id, first.booking.client_id);
    let file = clients::file(&app, &manager, first.booking.client_id.unwrap()).await.unwrap();
    assert_eq!(file.name_mismatches.iter().map(|b| b.id).collect::<Vec<_>>(), [staff_booked.booking.id]);
    // A guest naming a client id is refused.
    assert_eq!(refusal(book_as(&app, &request(by_staff), None).await).1, "client_id");

    // Signing up with a guest's email gets a record of one's own; staff see the shared email.
    let signup = SignUp {
        name: "Eve Fictional".into(),
        email: "eve@example.test".into(),
        phone: String::new(),
        password: PW.into(),
    };
    let (login, record) = clients::sign_up(&app, &signup).await.unwrap();
    assert_eq!(record.user_id, Some(login.id));
    assert_ne!(Some(record.id), first.booking.client_id);
    assert!(matches!(clients::sign_up(&app, &signup).await, Err(AppError::Conflict { field: "email", .. })));
    let own = clients::file(&app, &login, record.id).await.unwrap();
    assert!(own.same_email.is_empty(), "a client is not shown other people's records");
    assert!(matches!(
        clients::file(&app, &login, first.booking.client_id.unwrap()).await,
        Err(AppError::NotFound { .. })
    ));
    let staff_view = clients::file(&app, &manager, record.id).await.unwrap();
    assert_eq!(staff_view.same_email.len(), 2);

    let found = clients::search(&app, &manager, "EVÉ").await.unwrap();
    assert_eq!(found.len(), 3, "accents and case aside");
    assert_eq!(clients::search(&app, &manager, "040123").await.unwrap().len(), 2, "by phone digits");
}

#[tokio::test]
async fn a_therapist_reads_only_their_own_clients_and_each_read_is_one_audit_entry() {
    let app = demo().await;
    let manager = user(&app, "desk@example.test", "manager").await;
    let start = first_start(&app, &[]).await;
    let screened = screen(&app, None, &answers(&["inflammatory_pattern"])).await.unwrap();
    assert_eq!(screened.assessment.level, Level::Routine);
    let mut i = input(start, "Fay Fictional", "fay@example.test");
    i.reason = Some("back_pain".into());
    i.screening_id = Some(screened.id.0.clone());
    i.intake = Some(history(|h| h.varicose_veins = Some(true)));
    let booked = book_as(&app, &request(i), None).await.unwrap().booking;
    let client = booked.client_id.unwrap();
    let theirs = booked.therapist_ids()[0];
    let other =
        crate::calendar::schedules(&app).await.unwrap().iter().map(|s| s.therapist_id).find(|t| *t != theirs).unwrap();
    let giver = therapist_user(&app, "giver@example.test", theirs).await;
    let stranger = therapist_user(&app, "other@example.test", other).await;

    let before = audit_count(&app).await;
    assert!(matches!(clients::file(&app, &stranger, client).await, Err(AppError::NotFound { .. })));
    assert!(matches!(versions(&app, &stranger, client).await, Err(AppError::NotFound { .. })));
    assert!(matches!(screening(&app, &stranger, &screened.id).await, Err(AppError::NotFound { .. })));
    assert!(clients::search(&app, &stranger, "").await.unwrap().is_empty());
    assert_eq!(audit_count(&app).await, before, "a refused read is not a read");

    let file = clients::file(&app, &giver, client).await.unwrap();
    assert_eq!((file.intakes.len(), file.screenings.len(), file.bookings.len()), (1, 1, 1));
    assert_eq!(audit_count(&app).await, before + 1, "a file is one read, not one per section");
    versions(&app, &giver, client).await.unwrap();
    assert_eq!(audit_count(&app).await, before + 2);
    assert_eq!(screening(&app, &giver, &screened.id).await.unwrap().assessment.level, Level::Routine);
    assert_eq!(audit_count(&app).await, before + 3);
    let sheet = visit_sheet(&app, &giver, booked.id).await.unwrap();
    assert_eq!(sheet.precautions[0].category, Category::LocalAvoid);
    assert_eq!(audit_count(&app).await, before + 4);
    clients::contact(&app, &giver, client).await.unwrap();
    clients::search(&app, &giver, "fay").await.unwrap();
    assert_eq!(audit_count(&app).await, before + 4, "contact details alone are not health information");
    let log = audit_log(&app, &manager, Some(client), 50).await.unwrap();
    assert!(log.iter().all(|e| e.client == Some(client)));
    assert_eq!(log[0].record, "visit_sheet");
    assert!(matches!(audit_log(&app, &giver, None, 50).await, Err(AppError::NotFound { .. })));
    let csv = export_audit(&app, &manager).await.unwrap();
    assert_eq!(csv.lines().count(), audit_count(&app).await + 1);
    assert!(csv.lines().last().unwrap().contains(",export,audit_log,all,"));
    assert!(
        matches!(verify_audit(&app).await.unwrap(), AuditCheck::Intact { entries } if entries as usize == audit_count(&app).await)
    );
}

#[tokio::test]
async fn a_signed_in_client_sees_only_their_own_intake_and_screenings() {
    let app = demo().await;
    let (ana, _) = clients::sign_up(
        &app,
        &SignUp {
            name: "Ana Fictional".into(),
            email: "ana@example.test".into(),
            phone: "040 765 4321".into(),
            password: PW.into(),
        },
    )
    .await
    .unwrap();
    let bo = user(&app, "bo@example.test", "client").await;
    let mine = screen(&app, Some(&ana), &all_clear()).await.unwrap();
    let own = clients::own_record(&app, &ana).await.unwrap();
    assert_eq!(mine.client, Some(own.id));
    assert!(latest_own(&app, &ana).await.unwrap().is_none());
    let v = submit(&app, Some(&ana), own.id, &history(|_| {})).await.unwrap();
    assert_eq!(v.version, 1);
    assert_eq!(latest_own(&app, &ana).await.unwrap().map(|v| v.version), Some(1));
    assert_eq!(screening(&app, &ana, &mine.id).await.unwrap().id, mine.id);
    assert!(matches!(screening(&app, &bo, &mine.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(versions(&app, &bo, own.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(submit(&app, Some(&bo), own.id, &history(|_| {})).await, Err(AppError::NotFound { .. })));
    assert_eq!(versions(&app, &ana, own.id).await.unwrap().len(), 1);
    assert!(matches!(verify_audit(&app).await.unwrap(), AuditCheck::Intact { .. }));
}
