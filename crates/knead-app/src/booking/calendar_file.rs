//! A booking as an iCalendar file: what the confirmation and the manage page offer, and what every message
//! about the visit carries.

use crate::{App, AppResult};
use jiff::tz::TimeZone;
use knead_core::booking::{Booking, BookingStatus, Clinic, Where};
use knead_core::calendar::ics::{visit_calendar, EventStatus, VisitEvent};
use knead_core::practice::PracticeDetails;
use knead_core::Service;

/// The booking's `.ics` in the practice's zone. `practice_name` is the name clients see.
pub async fn calendar_file(app: &App, booking: &Booking, practice_name: &str) -> AppResult<String> {
    let (event, zone) = visit_event(app, booking, practice_name).await?;
    Ok(visit_calendar(&event, &zone, app.now()))
}

/// The booking as a calendar event, with the practice's zone to write it in.
///
/// The event's UID is the booking's id with the instant it was made (stable across every file for the
/// booking, unlikely to meet another practice's); its SEQUENCE is the booking's revision, raised by every
/// move and by the cancellation, so a calendar takes a moved or cancelled booking's file over the first one.
/// The summary names the service and the practice, never anything about the client's health.
pub async fn visit_event(app: &App, booking: &Booking, practice_name: &str) -> AppResult<(VisitEvent, TimeZone)> {
    let store = app.store();
    let zone = store.practice_settings().await?.zone().clone();
    let service = store.service(booking.service_id).await?;
    let details = store.practice_details().await?;
    let place = place_text(app, booking).await?;
    Ok((described_event(booking, &service, &details, place, practice_name), zone))
}

/// [`visit_event`] from what the caller has already read: the booking's service, the practice's details and
/// where the visit is, written out.
pub(crate) fn described_event(
    booking: &Booking,
    service: &Service,
    details: &PracticeDetails,
    place: String,
    practice_name: &str,
) -> VisitEvent {
    let reach: Vec<String> =
        details.phone.as_ref().map(|p| p.as_str().to_string()).into_iter().chain(details.email.clone()).collect();
    let mut description = format!("{} with {practice_name}.", service.name);
    if !reach.is_empty() {
        description.push_str(&format!(" Questions or changes: {}.", reach.join(", ")));
    }
    VisitEvent {
        summary: format!("{} with {practice_name}", service.name),
        location: Some(place),
        description,
        ..bare_event(booking, service)
    }
}

/// The event's time, identity and status, with the service as its summary and nothing else.
pub(crate) fn bare_event(booking: &Booking, service: &Service) -> VisitEvent {
    VisitEvent {
        uid: format!("booking-{}.{}@knead", booking.id.0, booking.created_at.as_second()),
        sequence: u32::try_from(booking.revision).unwrap_or(u32::MAX),
        start: booking.start,
        end: booking.end,
        summary: service.name.clone(),
        location: None,
        description: String::new(),
        status: match booking.status {
            BookingStatus::Confirmed => EventStatus::Confirmed,
            BookingStatus::AwaitingClearance => EventStatus::Tentative,
            BookingStatus::Cancelled => EventStatus::Cancelled,
        },
    }
}

/// Where the visit is, written out: the client's address, or the clinic's name and address.
pub(crate) async fn place_text(app: &App, booking: &Booking) -> AppResult<String> {
    let clinic = match &booking.place {
        Where::Mobile { .. } => None,
        Where::Clinic(id) => Some(app.store().clinic(*id).await?),
    };
    Ok(written_place(&booking.place, clinic.as_ref()))
}

/// Where a visit is, written out, with its clinic (if any) already read.
pub(crate) fn written_place(place: &Where, clinic: Option<&Clinic>) -> String {
    match (place, clinic) {
        (Where::Mobile { address, .. }, _) => address.clone(),
        (Where::Clinic(_), Some(c)) => format!("{}, {}", c.name, c.address),
        (Where::Clinic(_), None) => String::new(),
    }
}
