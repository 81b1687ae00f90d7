//! Availability, booking and moving at the edges of the calendar: far dates and the booking horizon.

use super::*;
use crate::accounts::test_support::{app_at, at};
use crate::calendar;
use jiff::civil::date;
use jiff::ToSpan;
use knead_core::booking::{BookingInput, Change, ContactInput};
use knead_core::calendar::{DayWindows, PracticeSettingsInput};

/// Noon in Helsinki on a Monday; the demo's therapists work every weekday.
pub(crate) fn now() -> Timestamp {
    "2026-06-01T09:00:00Z".parse().unwrap()
}

/// The demo practice with a booking horizon of `days`.
pub(crate) async fn demo_with_horizon(days: i64) -> App {
    let app = app_at(now()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), now()).await.unwrap();
    let input =
        PracticeSettingsInput { booking_horizon_days: days, ..calendar::settings(&app).await.unwrap().to_input() };
    calendar::save_settings(&app, &input).await.unwrap();
    app
}

/// A client's home in central Helsinki (Yrjönkatu 15), inside the demo's extract.
const HOME: GeoPoint = GeoPoint { lat: 60.1672, lon: 24.9402 };

fn home() -> Location {
    Location::Point(HOME)
}

pub(crate) fn query(from: Date, days: i64) -> AvailabilityQuery {
    AvailabilityQuery {
        service_id: ServiceId(1),
        place: home(),
        from,
        days,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    }
}

/// The one field error of `result`, as (code, field).
fn refusal<T>(result: AppResult<T>) -> (&'static str, String) {
    match result.map(|_| "accepted") {
        Err(AppError::Invalid(e)) if e.0.len() == 1 => (e.0[0].code, e.0[0].field.clone()),
        other => panic!("expected one field error, got {other:?}"),
    }
}

pub(crate) fn request(start: Timestamp) -> BookingRequest {
    BookingInput {
        service_id: 1,
        start: start.to_string(),
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
    .unwrap()
}

#[tokio::test]
async fn a_search_from_a_far_date_is_refused_naming_from() {
    let app = demo_with_horizon(365).await;
    for far in [date(9999, 12, 31), Date::MAX, Date::MIN, date(3000, 1, 1)] {
        assert_eq!(refusal(availability(&app, &query(far, 1)).await), ("out_of_range", "from".into()), "{far}");
    }
    let past_horizon = date(2027, 6, 2);
    assert_eq!(refusal(availability(&app, &query(past_horizon, 1)).await), ("too_far", "from".into()));
    assert!(availability(&app, &query(date(2027, 6, 1), 1)).await.is_ok(), "the horizon's last day is searched");
}

#[tokio::test]
async fn days_past_the_horizon_are_not_searched() {
    let app = demo_with_horizon(3).await;
    let offer = availability(&app, &query(date(2026, 6, 2), 7)).await.unwrap();
    assert!(!offer.slots.is_empty(), "the days within the horizon have times");
    let last = date(2026, 6, 4);
    assert!(offer.slots.iter().all(|s| local_date(&offer.zone, s.start) <= last));
    assert!(offer.slots.iter().any(|s| local_date(&offer.zone, s.start) == last));
}

#[tokio::test]
async fn booking_or_moving_past_the_horizon_is_refused_naming_start() {
    let app = demo_with_horizon(3).await;
    let offer = availability(&app, &query(date(2026, 6, 4), 1)).await.unwrap();
    let within = offer.slots[0].start;
    let booked = book(&app, &request(within), None, None, "fp".into()).await.unwrap().booking;
    let beyond = within + 24.hours();
    let refused = book(&app, &request(beyond), None, None, "fp-2".into()).await;
    assert_eq!(refusal(refused), ("too_far", "start".into()));
    let moved = reschedule(&app, &booked, beyond, None, false).await;
    assert_eq!(refusal(moved), ("too_far", "start".into()));
    // Staff follow the same rule.
    let by_manager = reschedule(&app, &booked, Timestamp::MAX, None, true).await;
    assert_eq!(refusal(by_manager), ("too_far", "start".into()));
    // A day later the horizon has moved on, and so has what may be booked.
    let tomorrow = at(app, now() + 24.hours());
    assert!(reschedule(&tomorrow, &booked, beyond, None, false).await.is_ok());
}

#[tokio::test]
async fn hours_and_time_off_on_far_dates_are_refused_naming_the_field() {
    let app = demo_with_horizon(365).await;
    let therapist = calendar::schedules(&app).await.unwrap()[0].therapist_id;
    let day_off = DayWindows::day_off();
    let refused = calendar::set_day_override(&app, therapist, date(9999, 12, 31), Some(&day_off)).await;
    assert_eq!(refusal(refused), ("out_of_range", "date".into()));
    let refused = calendar::add_time_off(&app, therapist, now(), Timestamp::MAX).await;
    assert_eq!(refusal(refused), ("out_of_range", "end".into()));
}

/// A manager of the demo practice, as a user.
async fn manager(app: &App) -> User {
    crate::accounts::create_user(app, "desk@example.com", "Desk Manager", "manager", "a-long-enough-password")
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_move_reassign_and_cancel_inside_the_notice_window_each_recorded() {
    let app = demo_with_horizon(60).await;
    let staff = manager(&app).await;
    // This afternoon: well inside the 24 hours' notice a client needs.
    let today = date(2026, 6, 1);
    let offer = availability(&app, &query(today, 1)).await.unwrap();
    let booked = book(&app, &request(offer.slots[0].start), None, None, "fp".into()).await.unwrap().booking;
    let other_start = offer.slots.iter().map(|s| s.start).find(|s| *s != booked.start).unwrap();
    assert!(matches!(reschedule(&app, &booked, other_start, None, false).await, Err(AppError::TooLate { .. })));

    // One day's times for the same therapist, its own start left out.
    let times = staff_times(&app, &booked, today).await.unwrap();
    assert!(!times.slots.is_empty());
    assert!(times.slots.iter().all(|s| local_date(&times.zone, s.start) == today && s.start != booked.start));
    assert!(times.slots.iter().all(|s| s.therapist_ids == booked.therapist_ids()));
    let to = times.slots.last().unwrap().start;
    let moved = staff_move(&app, &booked, to, &staff).await.unwrap();
    assert_eq!((moved.start, moved.therapist_ids()), (to, booked.therapist_ids()));
    let recorded = changes(&app, booked.id).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].change, Change::Moved { from: booked.start, to });
    assert_eq!((recorded[0].by, recorded[0].at), (Some(staff.id), now()));

    // Only therapists the engine finds free then are offered, and each can take it.
    let options = replacements(&app, &moved).await.unwrap();
    assert!(!options.is_empty(), "another demo therapist is free then");
    assert!(options.iter().all(|r| r.instead_of == moved.therapist_ids()[0] && r.by != r.instead_of));
    let same = reassign(&app, &moved, moved.therapist_ids(), &staff).await;
    assert_eq!(refusal(same), ("invalid", "therapist_ids".into()));
    let two = reassign(&app, &moved, vec![options[0].by, moved.therapist_ids()[0]], &staff).await;
    assert_eq!(refusal(two), ("invalid", "therapist_ids".into()));
    let given = reassign(&app, &moved, options[0].team.clone(), &staff).await.unwrap();
    assert_eq!((given.start, given.therapist_ids()), (to, options[0].team.clone()));
    let recorded = changes(&app, booked.id).await.unwrap();
    assert!(
        matches!(&recorded[1].change, Change::Reassigned { from, to } if from[0].id == moved.therapist_ids()[0] && to[0].id == options[0].by)
    );

    let cancelled = staff_cancel(&app, &given, &staff).await.unwrap();
    assert_eq!(cancelled.status, knead_core::booking::BookingStatus::Cancelled);
    let kinds: Vec<_> = changes(&app, booked.id).await.unwrap().iter().map(|c| c.change.kind()).collect();
    assert_eq!(kinds, ["moved", "reassigned", "cancelled"]);
    assert!(!changeable(&app, &cancelled));
}

#[tokio::test]
async fn staff_see_a_booking_only_as_their_role_allows() {
    let app = demo_with_horizon(60).await;
    let staff = manager(&app).await;
    let offer = availability(&app, &query(date(2026, 6, 2), 1)).await.unwrap();
    let booked = book(&app, &request(offer.slots[0].start), None, None, "fp".into()).await.unwrap().booking;
    assert_eq!(staff_visible(&app, booked.id, &staff).await.unwrap().map(|b| b.id), Some(booked.id));
    assert!(staff_visible(&app, BookingId(booked.id.0 + 1000), &staff).await.unwrap().is_none());
    let pw = "a-long-enough-password";
    let giver = crate::accounts::create_user(&app, "giver@example.com", "Giver", "therapist", pw).await.unwrap();
    let other = crate::accounts::create_user(&app, "other@example.com", "Other", "therapist", pw).await.unwrap();
    let client = crate::accounts::create_user(&app, "client@example.com", "Client", "client", pw).await.unwrap();
    app.store().link_therapist_user(booked.therapist_ids()[0], Some(giver.id)).await.unwrap();
    let someone_else = calendar::schedules(&app)
        .await
        .unwrap()
        .into_iter()
        .find(|s| !booked.therapist_ids().contains(&s.therapist_id))
        .unwrap();
    app.store().link_therapist_user(someone_else.therapist_id, Some(other.id)).await.unwrap();
    assert!(staff_visible(&app, booked.id, &giver).await.unwrap().is_some(), "their own visit");
    assert!(staff_visible(&app, booked.id, &other).await.unwrap().is_none(), "not another's");
    assert!(staff_visible(&app, booked.id, &client).await.unwrap().is_none());
}

/// A client who asks for a man is offered only men's times and booked with one, and the visit stays with a man:
/// replacements are men, and neither a manager nor the client's own request can name a woman.
#[tokio::test]
async fn a_gender_preference_narrows_who_is_offered_and_holds_through_changes() {
    let app = demo_with_horizon(60).await;
    let staff = manager(&app).await;
    let schedules = app.store().schedules().await.unwrap();
    let gender_of = |t: TherapistId| schedules.iter().find(|s| s.therapist_id == t).unwrap().gender;
    let day = date(2026, 6, 3);
    let anyone = availability(&app, &query(day, 1)).await.unwrap();
    assert!(anyone.slots.iter().any(|s| gender_of(s.therapist_ids[0]) == Some(Gender::Female)), "women by default");
    let for_men = AvailabilityQuery { therapist_gender: Some(Gender::Male), ..query(day, 1) };
    let men = availability(&app, &for_men).await.unwrap();
    assert!(!men.slots.is_empty());
    assert!(men.slots.iter().all(|s| s.therapist_ids.iter().all(|t| gender_of(*t) == Some(Gender::Male))));

    let asked = BookingRequest { therapist_gender: Some(Gender::Male), ..request(men.slots[0].start) };
    let booked = book(&app, &asked, None, None, "fp-male".into()).await.unwrap().booking;
    assert_eq!(booked.therapist_gender, Some(Gender::Male), "kept with the booking");
    assert_eq!(gender_of(booked.therapist_ids()[0]), Some(Gender::Male));
    let options = replacements(&app, &booked).await.unwrap();
    assert!(options.iter().all(|r| gender_of(r.by) == Some(Gender::Male)), "{options:?}");
    let woman = schedules
        .iter()
        .find(|s| s.gender == Some(Gender::Female) && s.offers(ServiceId(1)))
        .map(|s| s.therapist_id)
        .unwrap();
    assert_eq!(refusal(reassign(&app, &booked, vec![woman], &staff).await), ("invalid", "therapist_ids".into()));
    let later = men.slots.iter().map(|s| s.start).find(|s| *s >= booked.end + 2.hours()).unwrap();
    let moved = staff_reschedule(&app, &booked, later, None, &staff).await.unwrap();
    assert_eq!(gender_of(moved.therapist_ids()[0]), Some(Gender::Male), "whoever the practice picks is a man");

    let mixed = BookingRequest { therapist_ids: Some(vec![woman]), ..asked.clone() };
    assert_eq!(refusal(book(&app, &mixed, None, None, "fp-mixed".into()).await), ("invalid", "therapist_ids".into()));
    let nobody = AvailabilityQuery { therapist_gender: Some(Gender::NonBinary), ..query(day, 1) };
    assert_eq!(refusal(availability(&app, &nobody).await), ("unavailable", "therapist_gender".into()));
}
