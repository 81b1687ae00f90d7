//! Checking in and out over a real store with a fixed clock, and the runner filing the alerts into the
//! outbox (no mail server): the managers' alert a grace period after the visit's end, then the emergency
//! contact's (or the managers' again, when there is none); a check-out in time leaves nothing to send.

use super::*;
use crate::accounts::test_support::{app_at, at};
use crate::booking::{self, AvailabilityQuery};
use crate::notify::outbox;
use crate::notify::tests::run_at;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{BookingInput, ContactInput, Location};
use knead_core::geo::GeoPoint;
use knead_core::notify::{Job, JobKind, JobStatus};
use knead_core::safety::EmergencyContact;
use knead_core::{NewUser, ServiceId};

/// Noon in Helsinki on a Monday; the demo's therapists work every weekday.
fn monday() -> Timestamp {
    "2026-06-01T09:00:00Z".parse().unwrap()
}

const HOME: GeoPoint = GeoPoint { lat: 60.1672, lon: 24.9402 };

/// The demo practice with a home visit booked on Wednesday, a login for its therapist and one for another
/// therapist, and the demo's manager.
struct Visit {
    app: App,
    booking: Booking,
    therapist: User,
    other: User,
    manager: User,
    client: User,
}

async fn visit(slot: usize) -> Visit {
    let app = app_at(monday()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), monday()).await.unwrap();
    let query = AvailabilityQuery {
        service_id: ServiceId(1),
        place: Location::Point(HOME),
        from: jiff::civil::date(2026, 6, 3),
        days: 1,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    };
    let offer = booking::availability(&app, &query).await.unwrap();
    let request = BookingInput {
        service_id: 1,
        start: offer.slots[slot].start.to_string(),
        lat: Some(HOME.lat),
        lon: Some(HOME.lon),
        address: Some("15 Yrjönkatu, Helsinki".into()),
        client: Some(ContactInput {
            name: "Ana Fictional".into(),
            email: "ana@example.com".into(),
            phone: "416-555-0177".into(),
        }),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let booking = booking::book(&app, &request, None, None, "fp".into()).await.unwrap().booking;
    let store = app.store();
    let user = |email: &str, role: &str| NewUser::parse(email, "Staff Member", role).unwrap();
    let therapist =
        store.create_user(&user("visit-therapist@example.com", "therapist"), "plain:x", monday()).await.unwrap();
    store.link_therapist_user(booking.therapist_ids()[0], Some(therapist.id)).await.unwrap();
    let other =
        store.create_user(&user("other-therapist@example.com", "therapist"), "plain:x", monday()).await.unwrap();
    let someone_else = store
        .list_therapists(false)
        .await
        .unwrap()
        .into_iter()
        .find(|t| !booking.therapist_ids().contains(&t.id))
        .expect("another therapist");
    store.link_therapist_user(someone_else.id, Some(other.id)).await.unwrap();
    let client = store.create_user(&user("a-client@example.com", "client"), "plain:x", monday()).await.unwrap();
    let manager = store.list_users().await.unwrap().into_iter().find(|u| u.role == Role::Manager).unwrap();
    Visit { app, booking, therapist, other, manager, client }
}

async fn safety_jobs(app: &App) -> Vec<Job> {
    let all = outbox(app, None, None, 500).await.unwrap();
    all.into_iter().filter(|j| matches!(j.kind, JobKind::SafetyAlert | JobKind::SafetyEscalation)).collect()
}

fn one(jobs: &[Job], kind: JobKind) -> &Job {
    let of: Vec<&Job> = jobs.iter().filter(|j| j.kind == kind).collect();
    assert_eq!(of.len(), 1, "one {kind:?} in {jobs:#?}");
    of[0]
}

#[tokio::test]
async fn a_visit_not_checked_out_alerts_the_managers_then_again_when_no_contact_is_set() {
    let Visit { app, booking: b, therapist, .. } = visit(0).await;
    let none = CheckInput::default();

    // Checking out first is refused, naming the missing check-in.
    let app = at(app, b.start - 5.minutes());
    let early = check_out(&app, &therapist, b.id, &none).await;
    assert!(
        matches!(early, Err(AppError::Conflict { code: ConflictCode::NotCheckedIn, field: "check_in" })),
        "{early:?}"
    );

    // Checked in by the app's clock; the managers' alert is due 30 minutes after the visit's end.
    let arrived =
        check_in(&app, &therapist, b.id, &CheckInput { note: Some(" stairs, 3rd floor ".into()), ..none.clone() })
            .await
            .unwrap();
    assert_eq!(
        (arrived.at, arrived.note.as_deref(), arrived.by),
        (b.start - 5.minutes(), Some("stairs, 3rd floor"), Some(therapist.id))
    );
    let again = check_in(&app, &therapist, b.id, &none).await;
    assert!(matches!(again, Err(AppError::Conflict { code: ConflictCode::AlreadyChecked, field: "check_in" })));
    let jobs = safety_jobs(&app).await;
    let alert = one(&jobs, JobKind::SafetyAlert);
    assert_eq!((alert.status, alert.run_at), (JobStatus::Pending, b.end + 30.minutes()));

    // Not a minute early; then filed in the outbox to the managers, saying who is where since when.
    let (app, _) = run_at(app, b.end + 29.minutes()).await;
    assert_eq!(one(&safety_jobs(&app).await, JobKind::SafetyAlert).status, JobStatus::Pending);
    let (app, _) = run_at(app, b.end + 30.minutes()).await;
    let jobs = safety_jobs(&app).await;
    let alert = one(&jobs, JobKind::SafetyAlert);
    assert_eq!(alert.status, JobStatus::Outbox, "{alert:#?}");
    let m = alert.message.as_ref().unwrap();
    assert!(m.to.contains("manager@demo.knead.test"), "{}", m.to);
    let therapist_name = app.store().therapist(b.therapist_ids()[0]).await.unwrap().name;
    for needle in [therapist_name.as_str(), "15 Yrjönkatu, Helsinki", "Checked in:", "No emergency contact is set"] {
        assert!(m.text.contains(needle), "{needle} in {}", m.text);
    }
    for secret in ["Ana", "ana@example.com", "416-555-0177", "stairs"] {
        assert!(!m.text.contains(secret) && !m.html.contains(secret), "{secret} must not be in the alert");
    }
    // The escalation waits another grace period.
    let escalation = one(&jobs, JobKind::SafetyEscalation);
    assert_eq!((escalation.status, escalation.run_at), (JobStatus::Pending, b.end + 60.minutes()));

    // Without an emergency contact, the second alert comes to the managers again, and says why.
    let (app, _) = run_at(app, b.end + 60.minutes()).await;
    let jobs = safety_jobs(&app).await;
    let escalation = one(&jobs, JobKind::SafetyEscalation);
    assert_eq!(escalation.status, JobStatus::Outbox);
    let m = escalation.message.as_ref().unwrap();
    assert!(m.to.contains("manager@demo.knead.test"), "{}", m.to);
    assert!(m.subject.starts_with("URGENT"), "{}", m.subject);
    assert!(m.text.contains("No emergency contact is set for the practice, so this second alert comes to you again"));

    // The managers' day shows the visit escalated; checking out ends it.
    let (_, _, day_visits) = day(&app, Some(jiff::civil::date(2026, 6, 3))).await.unwrap();
    let mine = day_visits.iter().find(|v| v.booking.id == b.id).unwrap();
    assert_eq!(mine.overdue, Overdue::Escalated);
    check_out(&app, &therapist, b.id, &none).await.unwrap();
    let (_, _, day_visits) = day(&app, Some(jiff::civil::date(2026, 6, 3))).await.unwrap();
    assert_eq!(day_visits.iter().find(|v| v.booking.id == b.id).unwrap().overdue, Overdue::No);
    let twice = check_out(&app, &therapist, b.id, &none).await;
    assert!(matches!(twice, Err(AppError::Conflict { code: ConflictCode::AlreadyChecked, field: "check_out" })));
}

#[tokio::test]
async fn a_check_out_in_time_leaves_nothing_to_send_and_the_escalation_goes_to_the_emergency_contact() {
    let Visit { app, booking: b, therapist, manager, .. } = visit(0).await;
    let settings = app.store().practice_settings().await.unwrap();
    let contact = EmergencyContact {
        name: "Alex Owner".into(),
        phone: "+358 40 123 4567".into(),
        email: "alex@example.com".into(),
    };
    let input = knead_core::calendar::PracticeSettingsInput {
        safety_grace_minutes: 15,
        emergency_contact: Some(contact),
        ..settings.to_input()
    };
    crate::calendar::save_settings(&app, &input).await.unwrap();

    // A manager checks in for the visit's only therapist; the alert is due 15 minutes after the end.
    let app = at(app, b.start);
    let arrived = check_in(&app, &manager, b.id, &CheckInput::default()).await.unwrap();
    assert_eq!((arrived.therapist_id, arrived.by), (b.therapist_ids()[0], Some(manager.id)));
    assert_eq!(one(&safety_jobs(&app).await, JobKind::SafetyAlert).run_at, b.end + 15.minutes());

    // The managers' alert names the contact who is next; the escalation goes to that contact.
    let (app, _) = run_at(app, b.end + 15.minutes()).await;
    let jobs = safety_jobs(&app).await;
    let alert = one(&jobs, JobKind::SafetyAlert).message.clone().unwrap();
    assert!(alert.text.contains("the practice's emergency contact, Alex Owner, will be alerted"), "{}", alert.text);
    let (app, _) = run_at(app, b.end + 30.minutes()).await;
    let jobs = safety_jobs(&app).await;
    let escalation = one(&jobs, JobKind::SafetyEscalation).message.clone().unwrap();
    assert_eq!(escalation.to, "alex@example.com");
    assert!(escalation.text.starts_with("Hello Alex Owner,"), "{}", escalation.text);

    // The therapist's second visit that day: checked out in time, so nothing goes and the jobs say why.
    let second = visit_later(&app, &b).await;
    let app = at(app, second.start);
    check_in(&app, &therapist, second.id, &CheckInput::default()).await.unwrap();
    let app = at(app, second.end + 5.minutes());
    check_out(&app, &therapist, second.id, &CheckInput::default()).await.unwrap();
    let (app, _) = run_at(app, second.end + 3.hours()).await;
    let jobs: Vec<Job> = safety_jobs(&app).await.into_iter().filter(|j| j.booking_id == Some(second.id)).collect();
    assert_eq!(jobs.len(), 1, "no escalation: {jobs:#?}");
    assert_eq!((jobs[0].status, jobs[0].last_error.as_deref()), (JobStatus::Skipped, Some("checked out")));
}

/// Another home visit for the same therapist later on the same day.
async fn visit_later(app: &App, first: &Booking) -> Booking {
    let therapist = first.therapist_ids()[0];
    let query = AvailabilityQuery {
        service_id: ServiceId(1),
        place: Location::Point(HOME),
        from: jiff::civil::date(2026, 6, 3),
        days: 1,
        therapist_id: Some(therapist),
        therapist_gender: None,
        add_ons: Vec::new(),
    };
    let app_then = at(clone_app(app), monday());
    let offer = booking::availability(&app_then, &query).await.unwrap();
    let start = offer.slots.iter().map(|s| s.start).find(|s| *s >= first.end + 2.hours()).expect("a later start");
    let request = BookingInput {
        service_id: 1,
        start: start.to_string(),
        therapist_ids: Some(vec![therapist.0]),
        lat: Some(HOME.lat),
        lon: Some(HOME.lon),
        address: Some("15 Yrjönkatu, Helsinki".into()),
        client: Some(ContactInput {
            name: "Bo Fictional".into(),
            email: "bo@example.com".into(),
            phone: "416-555-0101".into(),
        }),
        ..Default::default()
    }
    .validate()
    .unwrap();
    booking::book(&app_then, &request, None, None, "fp2".into()).await.unwrap().booking
}

#[tokio::test]
async fn only_the_visits_own_therapist_or_a_manager_checks_in_and_only_at_a_confirmed_home_visit() {
    let Visit { app, booking: b, other, client, therapist, .. } = visit(0).await;
    let none = CheckInput::default();
    for who in [&other, &client] {
        let refused = check_in(&app, who, b.id, &none).await;
        assert!(matches!(refused, Err(AppError::NotFound { what: "visit" })), "{refused:?}");
        assert!(matches!(visit_checks(&app, who, b.id).await, Err(AppError::NotFound { .. })));
    }
    let for_another = CheckInput { therapist_id: Some(b.therapist_ids()[0].0 + 100), ..none.clone() };
    let refused = check_in(&app, &therapist, b.id, &for_another).await;
    assert!(matches!(&refused, Err(AppError::Invalid(e)) if e.0[0].field == "therapist_id"), "{refused:?}");
    let long = CheckInput { note: Some("x".repeat(501)), ..none.clone() };
    assert!(
        matches!(check_in(&app, &therapist, b.id, &long).await, Err(AppError::Invalid(e)) if e.0[0].field == "note")
    );
    assert!(safety_jobs(&app).await.is_empty(), "nothing refused wrote a job");

    // A cancelled visit is not checked in.
    let cancelled = app.store().cancel_booking(b.id, app.now(), None, &[]).await.unwrap();
    let refused = check_in(&app, &therapist, cancelled.id, &none).await;
    assert!(
        matches!(refused, Err(AppError::Conflict { code: ConflictCode::NotCheckable, field: "status" })),
        "{refused:?}"
    );
    assert!(visit_checks(&app, &therapist, b.id).await.unwrap().is_empty());
}

fn clone_app(app: &App) -> App {
    App::with_clock(app.store.clone(), app.clock.clone())
}
