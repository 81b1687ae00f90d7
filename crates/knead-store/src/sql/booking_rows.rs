//! Bookings as the database gives them back: the one statement that reads a booking with its visits, the rows
//! it returns made into bookings, a visit row as a stop, and a booking just written as reading it would give it.

use super::Rows;
use crate::{StoreError, StoreResult};
use jiff::Timestamp;
use knead_core::booking::{
    ArrivalWindow, Booking, BookingId, BookingStatus, ClinicId, Contact, NewBooking, RoomId, SeriesId, Visit, Where,
};
use knead_core::calendar::{end_minute_of, minute_of};
use knead_core::geo::GeoPoint;
use knead_core::intake::{ClientId, ScreeningId, VisitReason};
use knead_core::schedule::Stop;
use knead_core::{Email, Gender, ServiceId, TherapistId, UserId};

/// A booking and its visits in one statement (one snapshot: never a booking with another version's
/// visits), one row per visit, grouped in Rust.
macro_rules! booking_select {
    () => {
        "select b.id, b.service_id, b.status, b.starts_at, b.ends_at, b.lat, b.lon, b.address, b.clinic_id, \
         b.client_name, b.client_email, b.client_phone, b.client_user_id, b.client_id, b.reason, b.screening_id, \
         b.add_ons, b.notes, b.awaiting_clearance, b.price_cents, b.travel_fee_cents, \
         b.created_at, b.request_fingerprint, b.revision, b.series_id, b.arrive_from, b.arrive_until, \
         b.therapists_named, b.therapist_gender, v.id as visit_id, v.therapist_id, v.room_id, v.block_start, \
         v.block_end, v.travel_before_min, v.travel_after_min \
         from bookings b left join visits v on v.booking_id = b.id "
    };
}

pub(super) use booking_select;

/// How many columns of `booking_select!` are the booking's own.
const BOOKING_WIDTH: usize = 29;

pub(super) const BOOKING_BY_ID: &str = concat!(booking_select!(), "where b.id = $1 order by v.therapist_id, v.id");
pub(super) const BOOKING_BY_KEY: &str =
    concat!(booking_select!(), "where b.idempotency_key = $1 order by v.therapist_id, v.id");
pub(super) const BOOKING_BY_MANAGE_TOKEN: &str = concat!(
    booking_select!(),
    "where b.manage_token_hash = $1 or b.id = (select l.booking_id from manage_links l where l.token_hash = $1) \
     order by v.therapist_id, v.id"
);
pub(super) const THERAPIST_BOOKINGS: &str = concat!(
    booking_select!(),
    "where b.status = 'confirmed' and exists (select 1 from visits w where w.booking_id = b.id and w.active \
     and w.therapist_id = $1 and w.block_start < $3 and $2 < w.block_end) \
     order by b.starts_at, b.id, v.therapist_id, v.id"
);
/// A login's bookings: those it made, and those of its client record (made by staff, or before it signed up).
pub(super) const CLIENT_BOOKINGS: &str = concat!(
    booking_select!(),
    "where b.client_user_id = $1 or b.client_id in (select c.id from clients c where c.user_id = $1) \
     order by b.starts_at desc, b.id desc, v.therapist_id, v.id"
);

/// The stored status: `confirmed` or `cancelled` (awaiting clearance is `confirmed` with the flag set).
fn parse_status(text: &str) -> Option<BookingStatus> {
    [BookingStatus::Confirmed, BookingStatus::Cancelled].into_iter().find(|s| s.as_str() == text)
}

/// A place on earth from stored coordinates, or `None` when they are not one.
pub(super) fn point(lat: f64, lon: f64) -> Option<GeoPoint> {
    GeoPoint::parse(lat, lon).ok()
}

/// Bookings from `booking_select!` rows, each with the fingerprint of the request that made it.
pub(super) fn read_bookings(mut rows: Rows) -> StoreResult<Vec<(Booking, String)>> {
    let mut bookings: Vec<(Booking, String)> = Vec::new();
    for mut r in rows.read("bookings") {
        let id = r.id("id")?;
        if bookings.last().is_some_and(|(b, _)| b.id.0 == id) {
            r.seek(BOOKING_WIDTH);
        } else {
            let service_id = ServiceId(r.int("service_id")?);
            let stored_status = r.parsed("status", "a booking status", parse_status)?;
            let (start, end) = (r.time("starts_at")?, r.time("ends_at")?);
            let (lat, lon) = (r.opt_float("lat")?, r.opt_float("lon")?);
            let (address, clinic) = (r.opt_text("address")?, r.opt_int("clinic_id")?);
            let place = match (lat, lon, address, clinic) {
                (Some(lat), Some(lon), Some(address), None) => Where::Mobile {
                    at: point(lat, lon).ok_or_else(|| r.corrupt("columns lat, lon: not a place on earth"))?,
                    address,
                },
                (None, None, None, Some(clinic)) => Where::Clinic(ClinicId(clinic)),
                _ => return Err(r.corrupt("needs lat, lon and address, or a clinic_id, and not both")),
            };
            let client = Contact {
                name: r.text("client_name")?,
                email: r.parsed("client_email", "an email address", |s| Email::parse("client_email", s).ok())?,
                phone: r.text("client_phone")?,
            };
            let client_user_id = r.opt_int("client_user_id")?.map(UserId);
            let client_id = r.opt_int("client_id")?.map(ClientId);
            let reason = match r.opt_text("reason")? {
                None => None,
                Some(text) => Some(
                    VisitReason::parse("reason", &text).map_err(|_| r.corrupt("column reason: not a visit reason"))?,
                ),
            };
            let screening_id = match r.opt_text("screening_id")? {
                None => None,
                Some(text) => Some(
                    ScreeningId::parse("screening_id", &text)
                        .map_err(|_| r.corrupt("column screening_id: not a screening id"))?,
                ),
            };
            let add_ons: Vec<String> = r.json("add_ons", "a list of add-on names")?;
            let notes = r.text("notes")?;
            let status = match (stored_status, r.bool("awaiting_clearance")?) {
                (BookingStatus::Confirmed, true) => BookingStatus::AwaitingClearance,
                (status, _) => status,
            };
            let booking = Booking {
                id: BookingId(id),
                service_id,
                status,
                start,
                end,
                place,
                client,
                client_user_id,
                client_id,
                reason,
                screening_id,
                add_ons,
                notes,
                price_cents: r.int("price_cents")?,
                travel_fee_cents: r.int("travel_fee_cents")?,
                visits: Vec::new(),
                created_at: r.time("created_at")?,
                revision: 0,
                series_id: None,
                arrival: None,
                therapists_named: false,
                therapist_gender: None,
            };
            let fingerprint = r.text("request_fingerprint")?;
            let revision = r.int("revision")?;
            let series_id = r.opt_int("series_id")?.map(SeriesId);
            let arrival = match (r.opt_time("arrive_from")?, r.opt_time("arrive_until")?) {
                (None, None) => None,
                (Some(from), Some(until)) if from <= until => Some(ArrivalWindow { from, until }),
                _ => return Err(r.corrupt("columns arrive_from, arrive_until: both or neither, in order")),
            };
            let therapists_named = r.bool("therapists_named")?;
            let therapist_gender = r.opt_parsed("therapist_gender", "a gender", Gender::parse)?;
            let booking = Booking { revision, series_id, arrival, therapists_named, therapist_gender, ..booking };
            bookings.push((booking, fingerprint));
        }
        if r.next_is_null() {
            continue;
        }
        let visit_id = r.int("visit_id")?;
        r.now_reading("visits", visit_id);
        let visit = Visit {
            therapist_id: TherapistId(r.int("therapist_id")?),
            room_id: r.opt_int("room_id")?.map(RoomId),
            block_start: r.time("block_start")?,
            block_end: r.time("block_end")?,
            travel_before_min: r.int("travel_before_min")?,
            travel_after_min: r.int("travel_after_min")?,
        };
        if let Some((booking, _)) = bookings.last_mut() {
            booking.visits.push(visit);
        }
    }
    Ok(bookings)
}

pub(super) fn read_booking_list(rows: Rows) -> StoreResult<Vec<Booking>> {
    Ok(read_bookings(rows)?.into_iter().map(|(b, _)| b).collect())
}

pub(super) fn one_booking(rows: Rows) -> StoreResult<Booking> {
    read_booking_list(rows)?.pop().ok_or(StoreError::NotFound)
}

/// Visit rows (`id, block_start, block_end, lat, lon` after any leading columns already read) as a stop.
pub(super) fn read_stop(r: &mut super::Row<'_>) -> StoreResult<Stop> {
    let (start, end) = (r.time("block_start")?, r.time("block_end")?);
    let (lat, lon) = (r.float("lat")?, r.float("lon")?);
    let at = point(lat, lon).ok_or_else(|| r.corrupt("columns lat, lon: not a place on earth"))?;
    Ok(Stop { start: minute_of(start), end: end_minute_of(end), at })
}

/// The booking `create` wrote, as reading it back would give it (one round trip fewer on the hot path): times
/// at the microsecond the databases keep, a new booking's revision 0, the visits in the order reads give them
/// (by therapist, then as inserted). The conformance story `a_new_booking_is_returned_as_it_reads_back` holds
/// the two together.
pub(super) fn as_written(
    id: BookingId,
    b: &NewBooking,
    client_id: Option<ClientId>,
    mut visits: Vec<Visit>,
) -> Booking {
    visits.sort_by_key(|v| v.therapist_id);
    Booking {
        id,
        service_id: b.service_id,
        status: b.status,
        start: kept(b.start),
        end: kept(b.end),
        place: b.place.clone(),
        client: b.client.clone(),
        client_user_id: b.client_user_id,
        client_id,
        reason: b.reason,
        screening_id: b.screening_id.clone(),
        add_ons: b.add_ons.clone(),
        notes: b.notes.clone(),
        price_cents: b.price_cents,
        travel_fee_cents: b.travel_fee_cents,
        visits,
        created_at: kept(b.created_at),
        revision: 0,
        series_id: b.series_id,
        arrival: b.arrival.map(|a| ArrivalWindow { from: kept(a.from), until: kept(a.until) }),
        therapists_named: b.therapists_named,
        therapist_gender: b.therapist_gender,
    }
}

/// An instant as both databases keep it: to the microsecond.
pub(super) fn kept(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}
