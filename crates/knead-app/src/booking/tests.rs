//! Availability, booking and moving at the edges of the calendar: far dates and the booking horizon.

use super::*;
use crate::accounts::test_support::{app_at, at};
use crate::calendar;
use jiff::civil::date;
use jiff::ToSpan;
use knead_core::booking::{BookingInput, ContactInput};
use knead_core::calendar::{DayWindows, PracticeSettingsInput};

/// Noon in Helsinki on a Monday; the demo's therapists work every weekday.
fn now() -> Timestamp {
    "2026-06-01T09:00:00Z".parse().unwrap()
}

/// The demo practice with a booking horizon of `days`.
async fn demo_with_horizon(days: i64) -> App {
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

fn query(from: Date, days: i64) -> AvailabilityQuery {
    AvailabilityQuery { service_id: ServiceId(1), place: home(), from, days, therapist_id: None }
}

/// The one field error of `result`, as (code, field).
fn refusal<T>(result: AppResult<T>) -> (&'static str, String) {
    match result.map(|_| "accepted") {
        Err(AppError::Invalid(e)) if e.0.len() == 1 => (e.0[0].code, e.0[0].field.clone()),
        other => panic!("expected one field error, got {other:?}"),
    }
}

fn request(start: Timestamp) -> BookingRequest {
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
