//! The calendar's use cases: the practice's booking settings and its own details (name, phone, email,
//! address), its clinics and rooms (added, edited, archived), and each therapist's base, services, weekly
//! hours, dated hours and time off — everything availability is made from.
//!
//! Taking hours away (time off, a shorter date or a day off) never silently strands a booked visit: the
//! checked changes (`add_time_off_checked`, `set_day_override_checked`) refuse while visits are booked in the
//! time taken away, listing them, unless the caller says to go ahead; the visits then stay booked, and
//! `bookings_inside` and `bookings_outside_hours` list them until they are moved or reassigned.

use crate::{App, AppError, AppResult, NotFoundAs};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::BookingStatus;
use knead_core::booking::{Booking, Clinic, ClinicId, ClinicInput};
use knead_core::calendar::{
    check_date, check_instant, end_minute_of, instant_of, local_date, local_day, minute_of, overlaps, within_windows,
    DayOverride, DayWindows, PracticeSettings, PracticeSettingsInput, ScheduleInput, TherapistSchedule, TimeOff,
};
use knead_core::practice::{PracticeDetails, PracticeDetailsInput};
use knead_core::{FieldError, GeoPoint, TherapistId, UserId, ValidationErrors};
use knead_store::{BusyRoom, ClinicError};

pub async fn settings(app: &App) -> AppResult<PracticeSettings> {
    Ok(app.store().practice_settings().await?)
}

/// Checks and saves the practice's booking settings.
pub async fn save_settings(app: &App, input: &PracticeSettingsInput) -> AppResult<PracticeSettings> {
    let settings = input.validate()?;
    app.store().save_practice_settings(&settings).await?;
    Ok(settings)
}

/// The practice's own details: what every public page shows, none until a manager gives them.
pub async fn practice_details(app: &App) -> AppResult<PracticeDetails> {
    Ok(app.store().practice_details().await?)
}

/// Checks and saves the practice's details; an empty field removes that detail.
pub async fn save_practice_details(app: &App, input: &PracticeDetailsInput) -> AppResult<PracticeDetails> {
    let details = input.validate()?;
    app.store().save_practice_details(&details).await?;
    Ok(details)
}

/// The clinics clients may book, by name: archived ones are left out.
pub async fn clinics(app: &App) -> AppResult<Vec<Clinic>> {
    let mut clinics = app.store().clinics().await?;
    clinics.retain(|c| !c.archived);
    Ok(clinics)
}

/// Every clinic by name, archived ones too: the manager's list, and where bookings made before were.
pub async fn all_clinics(app: &App) -> AppResult<Vec<Clinic>> {
    Ok(app.store().clinics().await?)
}

/// One clinic, archived or not.
pub async fn clinic(app: &App, id: ClinicId) -> AppResult<Clinic> {
    app.store().clinic(id).await.not_found_as("clinic")
}

/// Checks and adds a clinic with its rooms (all new), placed where its point is given or its address is found.
pub async fn create_clinic(app: &App, input: &ClinicInput) -> AppResult<Clinic> {
    let at = clinic_point(app, input, None).await?;
    let draft = input.validate_at(at)?;
    draft.check_new()?;
    Ok(app.store().create_clinic(&draft).await?)
}

/// Replaces a clinic's name, address, point and rooms: rooms given by id are kept (renamed), the others
/// given are added, and the clinic's rooms left out are removed — refused, naming each room, while a room
/// has visits still to come. An unchanged address keeps the clinic's point.
pub async fn update_clinic(app: &App, id: ClinicId, input: &ClinicInput) -> AppResult<Clinic> {
    let current = clinic(app, id).await?;
    let at = clinic_point(app, input, Some(&current)).await?;
    let draft = input.validate_at(at)?;
    match app.store().update_clinic(id, &draft, app.now()).await {
        Ok(clinic) => Ok(clinic),
        Err(ClinicError::UnknownRoom { index }) => Err(AppError::field(
            "unknown",
            &format!("rooms[{index}].id"),
            "is not one of this clinic's rooms; leave the id out to add a new room",
        )),
        Err(ClinicError::RoomsInUse(busy)) => Err(rooms_in_use(app, &busy).await?.into()),
        Err(ClinicError::Store(e)) => Err(e).not_found_as("clinic"),
    }
}

/// Why each busy room cannot go, under `rooms`, with the date of its next visit in the practice's zone.
async fn rooms_in_use(app: &App, busy: &[BusyRoom]) -> AppResult<ValidationErrors> {
    let settings = app.store().practice_settings().await?;
    let errors = busy.iter().map(|room| {
        let date = local_date(settings.zone(), room.next_visit).strftime("%A %-d %B %Y");
        FieldError::new(
            "room_in_use",
            "rooms",
            format!(
                "{} has visits booked from {date} on, so it cannot be removed; move or cancel them first",
                room.name
            ),
        )
    });
    Ok(ValidationErrors(errors.collect()))
}

/// Archives a clinic (clients no longer see it and it takes no new bookings; its bookings keep it), or
/// restores it.
pub async fn set_clinic_archived(app: &App, id: ClinicId, archived: bool) -> AppResult<Clinic> {
    app.store().set_clinic_archived(id, archived).await.not_found_as("clinic")
}

/// Where a clinic is, or why that is not known: the point given with it; else, when its address is the one
/// it has, the point it has; else where its address is found.
async fn clinic_point(
    app: &App,
    input: &ClinicInput,
    current: Option<&Clinic>,
) -> AppResult<Result<GeoPoint, FieldError>> {
    let address = input.address.trim();
    match input.given_point() {
        Err(why) => Ok(Err(why)),
        Ok(Some(at)) => Ok(Ok(at)),
        Ok(None) => match current {
            Some(clinic) if clinic.address == address => Ok(Ok(clinic.at())),
            // Validation says the address is missing; there is nothing to look up.
            _ if address.is_empty() => Ok(Err(FieldError::new("required", "address", "is required"))),
            _ => match crate::places::locate(app, "address", address).await {
                Ok(found) => Ok(Ok(found.at)),
                Err(AppError::Address(problem)) => match problem.field_error() {
                    Some(why) => Ok(Err(why)),
                    None => Err(AppError::Address(problem)),
                },
                Err(AppError::Invalid(mut why)) if !why.0.is_empty() => {
                    Ok(Err(FieldError { field: "address".into(), ..why.0.swap_remove(0) }))
                }
                Err(other) => Err(other),
            },
        },
    }
}

/// Every unarchived therapist's schedule.
pub async fn schedules(app: &App) -> AppResult<Vec<TherapistSchedule>> {
    Ok(app.store().schedules().await?)
}

pub async fn schedule(app: &App, therapist: TherapistId) -> AppResult<Option<TherapistSchedule>> {
    Ok(app.store().schedule(therapist).await?)
}

/// Checks and saves a therapist's base, radius, services and weekly hours; every service must exist and
/// be for sale (`service_ids[i]` names the one that is not).
pub async fn save_schedule(app: &App, therapist: TherapistId, input: &ScheduleInput) -> AppResult<TherapistSchedule> {
    let draft = input.validate()?;
    let services = app.store().list_services(false).await?;
    let mut errors = ValidationErrors::default();
    for (i, id) in input.service_ids.iter().enumerate() {
        if !services.iter().any(|s| s.id.0 == *id) {
            errors.push(FieldError::new("unknown", format!("service_ids[{i}]"), format!("no service has id {id}")));
        }
    }
    errors.check()?;
    let saved = app.store().save_schedule(therapist, &draft).await.not_found_as("therapist")?;
    hours_changed(app).await?;
    Ok(saved)
}

/// New hours may free starts the waitlist wants: its check runs (after the change; a check lost to a
/// crash in between is made up by the next change's).
async fn hours_changed(app: &App) -> AppResult<()> {
    let now = app.now();
    app.store().add_jobs(None, &[knead_core::notify::NewJob::waitlist_scan(now)], now).await?;
    app.jobs_added();
    Ok(())
}

/// Gives one date its own hours (`Some`, empty for a day off) or returns it to the weekly hours (`None`).
/// The therapist must have a schedule, and the date must lie in the range requests may name.
pub async fn set_day_override(
    app: &App,
    therapist: TherapistId,
    date: Date,
    windows: Option<&DayWindows>,
) -> AppResult<()> {
    check_date("date", date)?;
    if app.store().schedule(therapist).await?.is_none() {
        return Err(AppError::NotFound { what: "schedule" });
    }
    app.store().set_day_override(therapist, date, windows).await?;
    hours_changed(app).await
}

/// Adds time off from `start` to `end`, which must come after it, both on dates requests may name.
pub async fn add_time_off(app: &App, therapist: TherapistId, start: Timestamp, end: Timestamp) -> AppResult<TimeOff> {
    let mut e = ValidationErrors::default();
    e.take(check_instant("start", start));
    e.take(check_instant("end", end));
    e.check()?;
    if end <= start {
        return Err(AppError::field("invalid", "end", "must be after the start"));
    }
    app.store().add_time_off(therapist, start, end).await.not_found_as("therapist")
}

/// What a checked change to a therapist's hours did.
#[derive(Debug)]
pub enum HoursChange<T> {
    /// Saved. `still_booked`: the bookings now left in time the therapist does not work (the ones the caller
    /// went ahead over, and any booked while the change was made), to move or reassign.
    Saved { saved: T, still_booked: Vec<Booking> },
    /// Nothing was saved: these bookings have a visit of the therapist's in the time being taken away. Ask the
    /// person, then send the change again saying to go ahead.
    VisitsBooked(Vec<Booking>),
}

/// Adds time off as [`add_time_off`] does, unless visits are booked in it and `over_booked_visits` is false:
/// then nothing is added and the bookings are returned. Going ahead leaves them booked (listed back).
pub async fn add_time_off_checked(
    app: &App,
    therapist: TherapistId,
    start: Timestamp,
    end: Timestamp,
    over_booked_visits: bool,
) -> AppResult<HoursChange<TimeOff>> {
    // Bad times and an unknown therapist are refused before anything is looked up.
    let mut e = ValidationErrors::default();
    e.take(check_instant("start", start));
    e.take(check_instant("end", end));
    e.check()?;
    let booked = bookings_inside(app, therapist, start, end).await?;
    if !booked.is_empty() && !over_booked_visits {
        return Ok(HoursChange::VisitsBooked(booked));
    }
    let saved = add_time_off(app, therapist, start, end).await?;
    // Read again after the write: a visit booked between the look and the write is listed too.
    let still_booked = bookings_inside(app, therapist, start, end).await?;
    Ok(HoursChange::Saved { saved, still_booked })
}

/// The confirmed bookings with a visit of `therapist`'s overlapping `[start, end)`, by start: what time off
/// over that span leaves booked. A visit that only touches the span is not in it.
pub async fn bookings_inside(
    app: &App,
    therapist: TherapistId,
    start: Timestamp,
    end: Timestamp,
) -> AppResult<Vec<Booking>> {
    if end <= start {
        return Ok(Vec::new());
    }
    let mut found = app.store().therapist_bookings(therapist, start, end).await?;
    // The store finds visits by the time they block (with set-up buffers); the visit itself is what counts.
    found.retain(|b| b.status == BookingStatus::Confirmed && overlaps((b.start, b.end), (start, end)));
    Ok(found)
}

/// Changes one date's hours as [`set_day_override`] does, unless the new hours leave visits booked that day
/// outside them and `over_booked_visits` is false: then nothing is saved and the bookings are returned.
pub async fn set_day_override_checked(
    app: &App,
    therapist: TherapistId,
    date: Date,
    windows: Option<&DayWindows>,
    over_booked_visits: bool,
) -> AppResult<HoursChange<()>> {
    check_date("date", date)?;
    let Some(mut schedule) = app.store().schedule(therapist).await? else {
        return Err(AppError::NotFound { what: "schedule" });
    };
    schedule.overrides.retain(|o| o.date != date);
    if let Some(windows) = windows {
        schedule.overrides.push(DayOverride { date, windows: windows.clone() });
    }
    let left_out = outside_hours(app, &schedule, date).await?;
    if !left_out.is_empty() && !over_booked_visits {
        return Ok(HoursChange::VisitsBooked(left_out));
    }
    set_day_override(app, therapist, date, windows).await?;
    Ok(HoursChange::Saved { saved: (), still_booked: bookings_outside_hours(app, therapist, date).await? })
}

/// The confirmed bookings with a visit of the therapist's on local `date` that lies outside their working
/// hours that day (weekly or the date's own, less time off), by start.
pub async fn bookings_outside_hours(app: &App, therapist: TherapistId, date: Date) -> AppResult<Vec<Booking>> {
    match app.store().schedule(therapist).await? {
        Some(schedule) => outside_hours(app, &schedule, date).await,
        None => Ok(Vec::new()),
    }
}

async fn outside_hours(app: &App, schedule: &TherapistSchedule, date: Date) -> AppResult<Vec<Booking>> {
    let settings = app.store().practice_settings().await?;
    let tz = settings.zone();
    let day = local_day(tz, date);
    let windows = schedule.windows_on(tz, date);
    let mut found =
        app.store().therapist_bookings(schedule.therapist_id, instant_of(day.origin), instant_of(day.end)).await?;
    found.retain(|b| {
        b.status == BookingStatus::Confirmed
            && local_date(tz, b.start) == date
            && !within_windows(&windows, minute_of(b.start), end_minute_of(b.end))
    });
    Ok(found)
}

pub async fn delete_time_off(app: &App, therapist: TherapistId, time_off_id: i64) -> AppResult<()> {
    app.store().delete_time_off(therapist, time_off_id).await.not_found_as("time off")?;
    hours_changed(app).await
}

/// The therapist profile a login belongs to, if any.
pub async fn therapist_for_user(app: &App, user: UserId) -> AppResult<Option<TherapistId>> {
    Ok(app.store().therapist_for_user(user).await?)
}

/// A therapist's confirmed bookings overlapping `[from, to)`, by start: their day or week.
pub async fn therapist_bookings(
    app: &App,
    therapist: TherapistId,
    from: Timestamp,
    to: Timestamp,
) -> AppResult<Vec<Booking>> {
    Ok(app.store().therapist_bookings(therapist, from, to).await?)
}

/// A client's own bookings (those made while signed in), newest first: their account lists them.
pub async fn client_bookings(app: &App, user: UserId) -> AppResult<Vec<Booking>> {
    Ok(app.store().client_bookings(user).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_support::app_at;
    use crate::booking::{availability, book, AvailabilityQuery};
    use jiff::civil::date;
    use knead_core::booking::{BookingInput, ContactInput, Location, RoomInput, RoomRef};
    use knead_core::{Place, ServiceId};

    /// Noon in Toronto on a Monday.
    fn now() -> Timestamp {
        "2026-06-01T16:00:00Z".parse().unwrap()
    }

    async fn demo() -> App {
        let app = app_at(now()).await;
        knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), now()).await.unwrap();
        app
    }

    /// The fields of a refusal, as (code, field).
    fn refusal<T: std::fmt::Debug>(result: AppResult<T>) -> Vec<(&'static str, String)> {
        match result {
            Err(AppError::Invalid(e)) => e.0.into_iter().map(|e| (e.code, e.field)).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn kept(room: &knead_core::booking::Room, name: &str) -> RoomInput {
        RoomInput::Room(RoomRef { id: Some(room.id.0), name: name.into() })
    }

    /// The demo clinic as its edit form would send it: no point, its rooms by id.
    fn as_edited(c: &Clinic) -> ClinicInput {
        ClinicInput {
            name: c.name.clone(),
            address: c.address.clone(),
            lat: None,
            lon: None,
            rooms: c.rooms.iter().map(|r| kept(r, &r.name)).collect(),
        }
    }

    async fn clinic_service(app: &App) -> ServiceId {
        let services = app.store().list_services(false).await.unwrap();
        services.iter().find(|s| s.place == Place::Clinic).unwrap().id
    }

    #[tokio::test]
    async fn the_practices_details_are_saved_and_bad_ones_change_nothing() {
        let app = demo().await;
        let demo_details = knead_demo::practice_details().validate().unwrap();
        assert_eq!(practice_details(&app).await.unwrap(), demo_details, "the demo's own details");
        let input = PracticeDetailsInput {
            name: "Kneady Hands".into(),
            phone: "416-555-0123".into(),
            email: "hello@kneady.example".into(),
            address: "700 Queen St W\nToronto".into(),
        };
        let saved = save_practice_details(&app, &input).await.unwrap();
        assert_eq!(practice_details(&app).await.unwrap(), saved);
        let bad = PracticeDetailsInput { phone: "call us".into(), email: "nope".into(), ..input };
        assert_eq!(
            refusal(save_practice_details(&app, &bad).await),
            [("invalid", "phone".to_string()), ("invalid", "email".into())]
        );
        assert_eq!(practice_details(&app).await.unwrap(), saved, "nothing changed");
    }

    #[tokio::test]
    async fn a_clinic_without_a_point_needs_its_address_found() {
        let app = demo().await;
        let input = ClinicInput {
            name: "Annex".into(),
            address: "1 Fictional Ave, Toronto".into(),
            lat: None,
            lon: None,
            rooms: vec!["Room 1".into()],
        };
        assert_eq!(refusal(create_clinic(&app, &input).await), [("address_not_found", "address".to_string())]);
        let blank = ClinicInput { address: " ".into(), ..input.clone() };
        assert_eq!(refusal(create_clinic(&app, &blank).await), [("required", "address".to_string())]);
        let placed = ClinicInput { lat: Some(43.67), lon: Some(-79.39), ..input.clone() };
        let annex = create_clinic(&app, &placed).await.unwrap();
        assert_eq!(annex.at(), GeoPoint { lat: 43.67, lon: -79.39 });
        let with_ids = ClinicInput { rooms: vec![kept(&annex.rooms[0], "Room 1")], ..placed };
        assert_eq!(refusal(create_clinic(&app, &with_ids).await), [("invalid", "rooms[0].id".to_string())]);
        assert_eq!(all_clinics(&app).await.unwrap().len(), 2, "nothing else was added");
    }

    #[tokio::test]
    async fn an_edit_keeps_the_point_of_an_unchanged_address_and_finds_a_new_one() {
        let app = demo().await;
        let c = all_clinics(&app).await.unwrap().remove(0);
        let mut input = as_edited(&c);
        input.name = "Queen West Wellness".into();
        input.rooms.push("Room 3".into());
        let edited = update_clinic(&app, c.id, &input).await.unwrap();
        assert_eq!((edited.name.as_str(), edited.at()), ("Queen West Wellness", c.at()), "the point is kept");
        assert_eq!(edited.rooms.len(), 3);

        let moved = ClinicInput { address: "9 Elsewhere Rd".into(), ..input.clone() };
        assert_eq!(refusal(update_clinic(&app, c.id, &moved).await), [("address_not_found", "address".to_string())]);
        let placed = ClinicInput { lat: Some(43.70), lon: Some(-79.40), ..moved };
        let placed = update_clinic(&app, c.id, &placed).await.unwrap();
        assert_eq!((placed.address.as_str(), placed.at()), ("9 Elsewhere Rd", GeoPoint { lat: 43.70, lon: -79.40 }));

        let mut stranger = as_edited(&placed);
        stranger.rooms.push(RoomInput::Room(RoomRef { id: Some(9_999), name: "X".into() }));
        assert_eq!(refusal(update_clinic(&app, c.id, &stranger).await), [("unknown", "rooms[3].id".to_string())]);
        assert_eq!(clinic(&app, c.id).await.unwrap(), placed, "nothing changed");
        let missing = update_clinic(&app, ClinicId(9_999), &input).await;
        assert!(matches!(missing, Err(AppError::NotFound { what: "clinic" })), "{missing:?}");
    }

    #[tokio::test]
    async fn a_room_with_a_visit_to_come_is_named_when_its_removal_is_refused() {
        let app = demo().await;
        let c = all_clinics(&app).await.unwrap().remove(0);
        let booked = clinic_booking(&app).await;
        let start = booked.start;
        let busy = c.rooms.iter().find(|r| Some(r.id) == booked.visits[0].room_id).unwrap();
        let without = ClinicInput { rooms: vec!["Another room".into()], ..as_edited(&c) };
        match update_clinic(&app, c.id, &without).await {
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.0.len(), 1, "only the busy room: {e}");
                assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("room_in_use", "rooms"));
                assert!(e.0[0].detail.starts_with(&busy.name), "{}", e.0[0].detail);
                let day = local_date(&jiff::tz::TimeZone::get("America/Toronto").unwrap(), start);
                assert!(e.0[0].detail.contains(&day.strftime("%-d %B %Y").to_string()), "{}", e.0[0].detail);
            }
            other => panic!("expected the busy room named, got {other:?}"),
        }
        assert_eq!(clinic(&app, c.id).await.unwrap(), c, "nothing changed");
    }

    /// A booking at the demo clinic on the first free start from 3 June.
    async fn clinic_booking(app: &App) -> Booking {
        let c = all_clinics(app).await.unwrap().remove(0);
        let service = clinic_service(app).await;
        let q = AvailabilityQuery {
            service_id: service,
            place: Location::Clinic(c.id),
            from: date(2026, 6, 3),
            days: 7,
            therapist_id: None,
            therapist_gender: None,
            add_ons: Vec::new(),
        };
        let start = availability(app, &q).await.unwrap().slots[0].start;
        let request = BookingInput {
            service_id: service.0,
            start: start.to_string(),
            clinic_id: Some(c.id.0),
            client: Some(ContactInput {
                name: "Ana Fictional".into(),
                email: "ana@example.com".into(),
                phone: "416-555-0100".into(),
            }),
            ..Default::default()
        };
        book(app, &request.validate().unwrap(), None, None, "fp".into()).await.unwrap().booking
    }

    #[tokio::test]
    async fn time_off_over_a_booked_visit_is_refused_listing_it_until_the_manager_goes_ahead() {
        let app = demo().await;
        let booked = clinic_booking(&app).await;
        let therapist = booked.visits[0].therapist_id;
        let (start, end) = (booked.start - jiff::SignedDuration::from_hours(1), booked.end);
        match add_time_off_checked(&app, therapist, start, end, false).await.unwrap() {
            HoursChange::VisitsBooked(list) => assert_eq!(list.iter().map(|b| b.id).collect::<Vec<_>>(), [booked.id]),
            other => panic!("expected the visit listed, got {other:?}"),
        }
        assert!(schedule(&app, therapist).await.unwrap().unwrap().time_off.is_empty(), "nothing was added");
        // Time off that ends as the visit starts leaves it alone.
        let before = add_time_off_checked(&app, therapist, start, booked.start, false).await.unwrap();
        assert!(matches!(before, HoursChange::Saved { ref still_booked, .. } if still_booked.is_empty()), "{before:?}");
        match add_time_off_checked(&app, therapist, booked.start, end, true).await.unwrap() {
            HoursChange::Saved { saved, still_booked } => {
                assert_eq!((saved.start, saved.end), (booked.start, end));
                assert_eq!(still_booked.len(), 1, "the visit stays booked, listed to move or reassign");
            }
            other => panic!("expected it saved, got {other:?}"),
        }
        assert_eq!(schedule(&app, therapist).await.unwrap().unwrap().time_off.len(), 2);
        let refused = add_time_off_checked(&app, therapist, end, start, true).await;
        assert_eq!(refusal(refused), [("invalid", "end".to_string())]);
    }

    #[tokio::test]
    async fn a_day_off_over_a_booked_visit_is_refused_listing_it_until_the_manager_goes_ahead() {
        let app = demo().await;
        let booked = clinic_booking(&app).await;
        let therapist = booked.visits[0].therapist_id;
        let tz = settings(&app).await.unwrap().zone().clone();
        let day = local_date(&tz, booked.start);
        let off = DayWindows::day_off();
        let asked = set_day_override_checked(&app, therapist, day, Some(&off), false).await.unwrap();
        assert!(matches!(asked, HoursChange::VisitsBooked(ref list) if list.len() == 1), "{asked:?}");
        assert!(schedule(&app, therapist).await.unwrap().unwrap().overrides.is_empty(), "nothing was saved");
        // Hours that still hold the visit need no question.
        let whole = DayWindows::new([(0, 24 * 60)]).unwrap();
        let kept = set_day_override_checked(&app, therapist, day, Some(&whole), false).await.unwrap();
        assert!(matches!(kept, HoursChange::Saved { ref still_booked, .. } if still_booked.is_empty()), "{kept:?}");
        let done = set_day_override_checked(&app, therapist, day, Some(&off), true).await.unwrap();
        assert!(matches!(done, HoursChange::Saved { ref still_booked, .. } if still_booked.len() == 1), "{done:?}");
        assert_eq!(bookings_outside_hours(&app, therapist, day).await.unwrap()[0].id, booked.id);
        assert!(bookings_outside_hours(&app, therapist, day.tomorrow().unwrap()).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_archived_clinic_is_not_offered_and_takes_no_bookings_until_restored() {
        let app = demo().await;
        let c = all_clinics(&app).await.unwrap().remove(0);
        let service = clinic_service(&app).await;
        let q = AvailabilityQuery {
            service_id: service,
            place: Location::Clinic(c.id),
            from: date(2026, 6, 3),
            days: 2,
            therapist_id: None,
            therapist_gender: None,
            add_ons: Vec::new(),
        };
        assert!(!availability(&app, &q).await.unwrap().slots.is_empty());
        assert!(set_clinic_archived(&app, c.id, true).await.unwrap().archived);
        assert!(clinics(&app).await.unwrap().is_empty(), "clients no longer see it");
        assert_eq!(all_clinics(&app).await.unwrap().len(), 1, "the manager still does");
        let refused = availability(&app, &q).await.map(|o| o.slots.len());
        assert_eq!(refusal(refused), [("archived", "clinic_id".to_string())]);
        assert!(!set_clinic_archived(&app, c.id, false).await.unwrap().archived);
        assert_eq!(clinics(&app).await.unwrap(), std::slice::from_ref(&c));
        assert!(!availability(&app, &q).await.unwrap().slots.is_empty());
        let missing = set_clinic_archived(&app, ClinicId(9_999), true).await;
        assert!(matches!(missing, Err(AppError::NotFound { what: "clinic" })), "{missing:?}");
    }
}
