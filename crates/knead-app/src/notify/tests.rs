//! The runner over a real store, filing into the outbox (no mail server): reminders come due with the clock,
//! a moved visit's old reminder is not sent, and what is filed carries a working private link.

use super::*;
use crate::accounts::test_support::{app_at, at};
use crate::booking::{self, AvailabilityQuery};
use jiff::ToSpan;
use knead_core::booking::{BookingInput, ContactInput, Location};
use knead_core::geo::GeoPoint;
use knead_core::notify::JobKind;
use knead_core::{Role, ServiceId};

/// Noon in Helsinki on a Monday; the demo's therapists work every weekday.
fn monday() -> Timestamp {
    "2026-06-01T09:00:00Z".parse().unwrap()
}

const HOME: GeoPoint = GeoPoint { lat: 60.1672, lon: 24.9402 };

/// Runs the due jobs as of `now` and gives the app back.
pub(crate) async fn run_at(app: App, now: Timestamp) -> (App, usize) {
    let app = Arc::new(at(app, now));
    let runner = JobRunner::new(app.clone(), None, NotifyConfig::new("Lakeshore Spa", "https://spa.example"));
    let ran = runner.run_due().await.unwrap();
    drop(runner);
    (Arc::try_unwrap(app).ok().expect("the runner let go of the app"), ran)
}

async fn filed(app: &App, kind: JobKind) -> Vec<Job> {
    outbox(app, None, None, 100).await.unwrap().into_iter().filter(|j| j.kind == kind).collect()
}

#[tokio::test]
async fn reminders_come_due_with_the_clock_and_a_moved_visit_is_not_reminded_of_its_old_time() {
    let app = app_at(monday()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), monday()).await.unwrap();
    let from = jiff::civil::date(2026, 6, 3);
    let query = AvailabilityQuery {
        service_id: ServiceId(1),
        place: Location::Point(HOME),
        from,
        days: 1,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    };
    let offer = booking::availability(&app, &query).await.unwrap();
    let (first, later) = (offer.slots[0].start, offer.slots.last().unwrap().start);
    let request = BookingInput {
        service_id: 1,
        start: first.to_string(),
        lat: Some(HOME.lat),
        lon: Some(HOME.lon),
        address: Some("15 Yrjönkatu, Helsinki".into()),
        client: Some(ContactInput {
            name: "Ana Fictional".into(),
            email: "ana@example.com".into(),
            phone: "416-555-0100".into(),
        }),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let booked = booking::book(&app, &request, None, None, "fp".into()).await.unwrap();

    // At once: the confirmation is filed whole, with a link that opens the booking; no reminder yet.
    let (app, _) = run_at(app, monday()).await;
    let confirmation = &filed(&app, JobKind::BookingConfirmed).await[0];
    assert_eq!(confirmation.status, JobStatus::Outbox);
    let message = confirmation.message.as_ref().unwrap();
    let token = message.text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap();
    let opened = booking::manageable(&app, booked.booking.id, None, Some(token)).await.unwrap();
    assert_eq!(opened.map(|b| b.id), Some(booked.booking.id));
    assert!(filed(&app, JobKind::Reminder).await.iter().all(|j| j.status == JobStatus::Pending));

    // A day before, the day's reminder; two hours before, the other.
    let (app, _) = run_at(app, first - 24.hours() + 1.minutes()).await;
    let reminders = filed(&app, JobKind::Reminder).await;
    let day = reminders.iter().find(|j| j.status == JobStatus::Outbox).expect("the day's reminder");
    assert!(day.message.as_ref().unwrap().text.contains("in 1 day."), "{day:?}");
    assert_eq!(reminders.iter().filter(|j| j.status == JobStatus::Pending).count(), 1);

    // Moved to later that day before the two-hour reminder: it is skipped, and the new time gets its own.
    let app = at(app, first - 3.hours());
    let moved = booking::reschedule(&app, &booked.booking, later, None, true).await.unwrap();
    let (app, _) = run_at(app, later - 2.hours() + 1.minutes()).await;
    let reminders = filed(&app, JobKind::Reminder).await;
    let skipped: Vec<_> = reminders.iter().filter(|j| j.status == JobStatus::Skipped).collect();
    assert_eq!(skipped.len(), 1, "{reminders:#?}");
    assert_eq!(skipped[0].visit_start, Some(first));
    let sent_late: Vec<_> =
        reminders.iter().filter(|j| j.status == JobStatus::Outbox && j.visit_start == Some(later)).collect();
    assert!(sent_late.iter().any(|j| j.message.as_ref().unwrap().text.contains("in 2 hours.")), "{reminders:#?}");
    assert_eq!(filed(&app, JobKind::BookingChanged).await[0].status, JobStatus::Outbox);

    // The therapist's private feed lists the visit by service, first name and address; a new URL ends the old.
    let therapist = moved.therapist_ids()[0];
    let users = app.store().list_users().await.unwrap();
    let manager = users.into_iter().find(|u| u.role == Role::Manager).expect("the demo's manager");
    let old = feeds::new_therapist_feed(&app, &manager, therapist).await.unwrap();
    let new = feeds::new_therapist_feed(&app, &manager, therapist).await.unwrap();
    let file = feeds::feed(&app, &new, "Lakeshore Spa").await.unwrap();
    assert!(file.contains(": Ana\r\n") && file.contains("LOCATION:15 Yrjönkatu\\, Helsinki"), "{file}");
    assert!(!file.contains("ana@example.com") && !file.contains("Fictional"), "first name and address only");
    assert!(matches!(feeds::feed(&app, &old, "Lakeshore Spa").await, Err(crate::AppError::NotFound { .. })));
}

/// A chair day's organiser is sent their group's page, and each attendee a confirmation with the sitting's
/// calendar file and a cancel link of their own; both links work and neither is kept once sent.
#[tokio::test]
async fn a_chair_days_organiser_and_attendees_are_sent_links_that_work() {
    use crate::events::{self, page};
    use knead_core::events::chair::ChairDayInput;
    use knead_core::events::health::AnswersInput;
    use knead_core::events::SignupInput;
    let app = app_at(monday()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), monday()).await.unwrap();
    let users = app.store().list_users().await.unwrap();
    let manager = users.into_iter().find(|u| u.role == Role::Manager).expect("the demo's manager");
    let services = app.store().list_services(false).await.unwrap();
    let chair = services.iter().find(|s| s.kind == knead_core::Kind::Chair).expect("the demo's chair service");
    let input = ChairDayInput {
        service_id: chair.id.0,
        date: "2026-06-04".into(),
        start: "13:00".into(),
        end: "15:00".into(),
        chairs: 2,
        slot_minutes: 15,
        address: Some("8 Bulevardi, Helsinki".into()),
        lat: Some(HOME.lat),
        lon: Some(HOME.lon),
        organiser: ContactInput {
            name: "Olli Fictional".into(),
            email: "olli@example.com".into(),
            phone: "040 555 0199".into(),
        },
    };
    let day = events::create_chair_day(&app, &input, &manager).await.unwrap();
    let no = Some(false);
    let health = AnswersInput {
        unwell: no,
        blood_clot: no,
        recent_injury: no,
        blood_thinners: no,
        fragile_bones: no,
        pregnant: no,
        note: None,
    };
    let signup = SignupInput {
        token: day.signup_token.clone(),
        start: day.sheet.sittings[0].start.to_string(),
        name: "Aino Fictional".into(),
        email: "aino@example.com".into(),
        consent: true,
        health: Some(health),
    };
    let signed = events::sign_up(&app, day.sheet.day.id, &signup).await.unwrap();
    let (app, _) = run_at(app, monday()).await;

    let booked = &filed(&app, JobKind::GroupBooked).await[0];
    let message = booked.message.as_ref().unwrap();
    assert_eq!(message.to, "olli@example.com");
    assert!(filed(&app, JobKind::BookingConfirmed).await.is_empty(), "a group's organiser gets no manage link");
    let token = message.text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap();
    let opened = page::group_page(&app, day.sheet.booking.id, token).await.unwrap();
    assert!(matches!(opened, page::GroupPage::ChairDay(sheet) if sheet.fill().0 == 1));

    let confirmed = &filed(&app, JobKind::SignupConfirmed).await[0];
    assert_eq!(confirmed.signup_id, Some(signed.signup.id));
    let message = confirmed.message.as_ref().unwrap();
    assert_eq!(message.to, "aino@example.com");
    let ics = message.calendar.as_ref().expect("the sitting's calendar file");
    assert!(ics.contains("BEGIN:VEVENT") && ics.contains("LOCATION:8 Bulevardi"), "{ics}");
    let token = message.text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap();
    let cancelled = events::cancel_signup(&app, token).await.unwrap();
    assert_eq!(cancelled.id, signed.signup.id);
    assert!(cancelled.cancelled_at.is_some());
}
