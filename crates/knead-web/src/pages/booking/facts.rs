//! What the booking pages show of a booking and its times: the facts of a booking, its therapists' names,
//! the link that manages it, and offered starts grouped by day.

use crate::error::WebError;
use crate::state::AppState;
use crate::ui::{clock, when_text};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use knead_app::booking::OfferedSlot;
use knead_app::catalog::Therapists;
use knead_app::listing::{self, Audience};
use knead_core::booking::{Booking, BookingStatus, Clinic, Where};
use knead_core::calendar::{add_days, format_rfc3339, local_date};
use knead_core::money::format_cents;
use knead_core::Service;
use maud::{html, Markup};

/// Offered starts by local day: each start as its clock time and the RFC 3339 start the next step takes.
pub(super) type StartsByDay = Vec<(Date, Vec<(String, String)>)>;

/// The offered starts grouped by local day, for `days` days from `from` up to `last`, the booking horizon's
/// last day (days without starts too).
pub(super) fn slots_by_day(tz: &TimeZone, slots: &[OfferedSlot], from: Date, days: i64, last: Date) -> StartsByDay {
    let mut out: StartsByDay =
        (0..days).map(|i| add_days(from, i)).filter(|d| *d <= last).map(|d| (d, Vec::new())).collect();
    for slot in slots {
        let date = local_date(tz, slot.start);
        if let Some((_, times)) = out.iter_mut().find(|(d, _)| *d == date) {
            times.push((clock(tz, slot.start), format_rfc3339(tz, slot.start)));
        }
    }
    out
}

/// The manage page's address, with the private token of a guest's link and what was just done.
/// The booking's calendar file (`manage::calendar_file`), with the private link's token when there is one.
pub(super) fn calendar_link(id: i64, token: Option<&str>) -> String {
    match token {
        Some(t) => format!(
            "/bookings/{id}/calendar.ics?{}",
            form_urlencoded::Serializer::new(String::new()).append_pair("token", t).finish()
        ),
        None => format!("/bookings/{id}/calendar.ics"),
    }
}

/// The line offering the booking's calendar file: to add it, or (cancelled) to take it out again.
pub(super) fn calendar_offer(id: i64, token: Option<&str>, cancelled: bool) -> maud::Markup {
    maud::html! {
        p #calendar {
            a #calendar-link href=(calendar_link(id, token)) download {
                @if cancelled { "Remove it from your calendar" } @else { "Add to your calendar" }
            }
            " (an .ics file for your phone's or computer's calendar)"
        }
    }
}

pub(super) fn manage_link(id: i64, token: Option<&str>, done: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(t) = token {
        query.append_pair("token", t);
    }
    if let Some(d) = done {
        query.append_pair("done", d);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("/bookings/{id}/manage")
    } else {
        format!("/bookings/{id}/manage?{query}")
    }
}

/// The names of the booking's therapists, in the order of its visits.
pub(super) async fn therapist_names(state: &AppState, b: &Booking) -> Result<Vec<String>, WebError> {
    let all = listing::list::<Therapists>(state.app(), Audience::Manager).await?;
    Ok(b.visits.iter().filter_map(|v| all.iter().find(|t| t.id == v.therapist_id).map(|t| t.name.clone())).collect())
}

pub(super) fn booking_facts(
    tz: &TimeZone,
    b: &Booking,
    service: &Service,
    names: &[String],
    clinics: &[Clinic],
) -> Markup {
    let place = match &b.place {
        Where::Clinic(id) => clinics
            .iter()
            .find(|c| c.id == *id)
            .map_or_else(|| "Clinic".to_string(), |c| format!("{}, {}", c.name, c.address)),
        Where::Mobile { address, .. } if !address.trim().is_empty() => address.clone(),
        Where::Mobile { .. } => "At your place".into(),
    };
    html! {
        dl.facts.booking {
            dt { "Service" } dd { (service.name) }
            @if !b.add_ons.is_empty() { dt { "Add-ons" } dd #booking-add-ons { (b.add_ons.join(", ")) } }
            dt { "When" } dd #booking-when { (when_text(tz, b.start, b.end)) }
            @if let Some(w) = b.arrival {
                dt { "Arrival" } dd #booking-arrival { "Any time from " (clock(tz, w.from)) " to " (clock(tz, w.until)) ", as you accepted; the practice tells you if it changes" }
            }
            dt { @if names.len() > 1 { "Therapists" } @else { "Therapist" } } dd #booking-therapists { (names.join(" and ")) }
            dt { "Where" } dd { (place) }
            dt { "Price" } dd { (format_cents(b.price_cents)) }
            dt { "Travel fee" } dd { @if b.travel_fee_cents == 0 { "None" } @else { (format_cents(b.travel_fee_cents)) } }
            dt { "Total" } dd { strong { (format_cents(b.price_cents + b.travel_fee_cents)) } }
            @if !b.notes.is_empty() { dt { "Notes for your therapist" } dd #booking-notes { (b.notes) } }
            dt { "Status" } dd #booking-status { @match b.status { BookingStatus::Confirmed => "Confirmed", BookingStatus::AwaitingClearance => "Waiting for a physician's clearance", BookingStatus::Cancelled => "Cancelled" } }
        }
    }
}
