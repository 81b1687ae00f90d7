//! A booking as an iCalendar file: what the confirmation and the manage page offer, and what messages about
//! the visit will carry.

use crate::{App, AppResult};
use knead_core::booking::{Booking, BookingStatus, Where};
use knead_core::calendar::ics::{visit_calendar, EventStatus, VisitEvent};

/// The booking's `.ics` in the practice's zone. `practice_name` is the name clients see.
///
/// The event's UID is the booking's id with the instant it was made (stable across every file for the
/// booking, unlikely to meet another practice's); its SEQUENCE counts the changes staff recorded, so a
/// calendar takes a moved or cancelled booking's file over the first one. The summary names the service and
/// the practice, never anything about the client's health.
pub async fn calendar_file(app: &App, booking: &Booking, practice_name: &str) -> AppResult<String> {
    let store = app.store();
    let zone = store.practice_settings().await?.zone().clone();
    let service = store.service(booking.service_id).await?;
    let location = match &booking.place {
        Where::Mobile { address, .. } => address.clone(),
        Where::Clinic(id) => {
            let clinic = store.clinic(*id).await?;
            format!("{}, {}", clinic.name, clinic.address)
        }
    };
    let details = store.practice_details().await?;
    let reach: Vec<String> =
        details.phone.as_ref().map(|p| p.as_str().to_string()).into_iter().chain(details.email.clone()).collect();
    let mut description = format!("{} with {practice_name}.", service.name);
    if !reach.is_empty() {
        description.push_str(&format!(" Questions or changes: {}.", reach.join(", ")));
    }
    let changes = store.booking_changes(booking.id).await?.len();
    let event = VisitEvent {
        uid: format!("booking-{}.{}@knead", booking.id.0, booking.created_at.as_second()),
        sequence: u32::try_from(changes).unwrap_or(u32::MAX),
        start: booking.start,
        end: booking.end,
        summary: format!("{} with {practice_name}", service.name),
        location: Some(location),
        description,
        status: match booking.status {
            BookingStatus::Confirmed => EventStatus::Confirmed,
            BookingStatus::AwaitingClearance => EventStatus::Tentative,
            BookingStatus::Cancelled => EventStatus::Cancelled,
        },
    };
    Ok(visit_calendar(&event, &zone, app.now()))
}
