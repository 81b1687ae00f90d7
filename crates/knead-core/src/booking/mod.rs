//! Bookings: what a client asks for (`BookingInput`), what the store is told to write (`NewBooking`),
//! and what comes back (`Booking`). A booking holds one visit per therapist, so a couples massage is
//! one booking with two visits (and chair days and parties can hold more).
//!
//! [`plan`] holds the rules the booking service runs around the engine: the search for a service, the
//! visits a slot becomes, the practice's grid, and the re-check the store runs as it writes.

mod clinic;
pub mod plan;
mod series;
pub mod waitlist;

pub use clinic::{Clinic, ClinicDraft, ClinicId, ClinicInput, Room, RoomDraft, RoomId, RoomInput, RoomRef};
pub use series::{NewSeries, Repeat, Series, SeriesId, MAX_EVERY_WEEKS, MAX_VISITS};

pub use crate::calendar::parse_instant;

use crate::account::{Email, UserId};
use crate::catalog::{Gender, ServiceId, TherapistId};
use crate::geo::GeoPoint;
use crate::intake::{ClientId, HealthHistory, IntakeInput, ScreeningId, VisitReason};
use crate::schedule::Unfit;
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingId(pub i64);

/// Who the booking is for, as a guest types it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: Email,
    pub phone: String,
}

impl ContactInput {
    pub fn validate(&self, e: &mut ValidationErrors) -> Option<Contact> {
        let name = e.text("client.name", &self.name, 1, 120);
        let email = Email::parse("client.email", &self.email).map_err(|err| e.push(err)).ok();
        let phone = self.phone.trim().to_string();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !(allowed && (7..=15).contains(&digits) && phone.len() <= 25) {
            e.push(FieldError::new(
                "invalid",
                "client.phone",
                "must be a phone number of 7 to 15 digits, e.g. 416-555-0123",
            ));
        }
        Some(Contact { name, email: email?, phone })
    }
}

/// A booking as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    pub service_id: i64,
    /// RFC 3339 with an offset, e.g. `2026-12-01T10:00:00-05:00`; must be a start the practice offers.
    pub start: String,
    /// Who gives the visit; when absent the practice picks (least added travel).
    #[serde(default)]
    pub therapist_ids: Option<Vec<i64>>,
    /// The client's street address, for a visit at home or office (required for one). Sent alone, the
    /// practice's map places it; programs that know the point send `lat` and `lon` with it.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Or a clinic, for a clinic visit.
    #[serde(default)]
    pub clinic_id: Option<i64>,
    /// Required for guests; a signed-in client may leave it out.
    #[serde(default)]
    pub client: Option<ContactInput>,
    /// What brings the client: `back_pain`, `leg_pain`, `sciatica`, `neck_shoulder`, `headache`, `stress`,
    /// `relaxation`, `sports`, `pregnancy`, `injury` or `other`. Back pain, leg pain and sciatica need a
    /// complete `screening_id`.
    #[serde(default)]
    pub reason: Option<String>,
    /// The red-flag screening made for this booking (`POST /api/v1/screenings`).
    #[serde(default)]
    pub screening_id: Option<String>,
    /// Names of the service's add-ons to include (their minutes and prices are added).
    #[serde(default)]
    pub add_ons: Vec<String>,
    /// For the therapist: parking, pets, stairs, the buzzer (at most 1,000 characters).
    #[serde(default)]
    pub notes: Option<String>,
    /// Staff booking on a client's behalf name the client record; its contact details are used.
    #[serde(default)]
    pub client_id: Option<i64>,
    /// The client's health history, given with the booking (asked before a first visit; a new version when
    /// something changed). Its precautions decide whether the booking can go ahead.
    #[serde(default)]
    pub intake: Option<IntakeInput>,
    /// How many minutes either side of `start` the client accepts the therapist arriving, so the practice can
    /// plan its day: 0 (the default: exactly at `start`), 15, 30, 45, 60, 90 or 120.
    #[serde(default)]
    pub arrival_window_minutes: Option<i64>,
    /// `female`, `male` or `non_binary`: only a therapist who states that gender gives the visit (both, for a
    /// couples visit). Left out, any therapist may. Therapists named in `therapist_ids` must meet it too.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Gender>))]
    pub therapist_gender: Option<String>,
}

/// A visit at the client's place needs the street address the therapist will drive to: a house number
/// and a street, not a blank or "at your place".
pub(crate) fn check_street_address(e: &mut ValidationErrors, address: &str) {
    let address = address.trim();
    if address.is_empty() {
        e.push(FieldError::new("required", "address", "a visit at your place needs its street address"));
    } else if !address.chars().any(|c| c.is_ascii_digit()) || !address.chars().any(char::is_alphabetic) {
        e.push(FieldError::new(
            "address_incomplete",
            "address",
            "give the street and house number, e.g. 11 Main Street",
        ));
    }
}

/// Where a visit happens, as availability needs it: the client's place, or a clinic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Location {
    Point(GeoPoint),
    Clinic(ClinicId),
}

impl Location {
    /// The one place parser: `lat` and `lon` of the client's place, or `clinic_id`, never both.
    /// Errors name the field as the API spells it.
    pub fn parse(lat: Option<f64>, lon: Option<f64>, clinic_id: Option<i64>) -> Result<Location, FieldError> {
        let required =
            |field| FieldError::new("required", field, "give lat and lon of the visit's place, or a clinic_id");
        match (lat, lon, clinic_id) {
            (Some(lat), Some(lon), None) => GeoPoint::parse(lat, lon).map(Location::Point),
            (None, None, Some(id)) => Ok(Location::Clinic(ClinicId(id))),
            (_, _, Some(_)) => Err(FieldError::new(
                "invalid",
                "clinic_id",
                "give either lat and lon (a visit at your place) or clinic_id, not both",
            )),
            (None, _, None) => Err(required("lat")),
            (_, None, None) => Err(required("lon")),
        }
    }
}

/// Where a booked visit happens: the client's place with its address, or a clinic.
#[derive(Debug, Clone, PartialEq)]
pub enum Where {
    Mobile { at: GeoPoint, address: String },
    Clinic(ClinicId),
}

impl Where {
    pub fn location(&self) -> Location {
        match self {
            Where::Mobile { at, .. } => Location::Point(*at),
            Where::Clinic(id) => Location::Clinic(*id),
        }
    }

    pub fn clinic(&self) -> Option<ClinicId> {
        match self {
            Where::Clinic(id) => Some(*id),
            Where::Mobile { .. } => None,
        }
    }
}

/// A validated booking request; still to be checked against the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingRequest {
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub therapist_ids: Option<Vec<TherapistId>>,
    pub place: Where,
    pub client: Option<Contact>,
    pub reason: Option<VisitReason>,
    pub screening_id: Option<ScreeningId>,
    /// Add-on names, as the service lists them, without repeats.
    pub add_ons: Vec<String>,
    pub notes: String,
    pub client_id: Option<ClientId>,
    pub intake: Option<HealthHistory>,
    /// Minutes either side of `start` the client accepts the arrival moving (0: a fixed start).
    pub arrival_window_minutes: i64,
    /// The therapist's gender the client asked for, if any.
    pub therapist_gender: Option<Gender>,
}

/// The arrival windows a client may accept, in minutes either side of the chosen start.
pub const ARRIVAL_WINDOWS: [i64; 7] = [0, 15, 30, 45, 60, 90, 120];

/// When the visit may start: anywhere in `[from, until]`, both included, as the client accepted when booking.
/// A day's re-plan may move the start inside it and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArrivalWindow {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub until: Timestamp,
}

impl ArrivalWindow {
    /// The window of `minutes` either side of `start`; `None` for 0 (a fixed start).
    pub fn around(start: Timestamp, minutes: i64) -> Option<ArrivalWindow> {
        (minutes > 0).then(|| ArrivalWindow {
            from: crate::calendar::add_minutes(start, -minutes),
            until: crate::calendar::add_minutes(start, minutes),
        })
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t <= self.until
    }
}

impl BookingInput {
    pub fn validate(&self) -> Result<BookingRequest, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let start = e.take(parse_instant("start", &self.start));
        let location = e.take(Location::parse(self.lat, self.lon, self.clinic_id));
        let address = e.text("address", self.address.as_deref().unwrap_or(""), 0, 300);
        let therapist_ids = self.therapist_ids.as_ref().map(|ids| {
            let mut seen: Vec<TherapistId> = Vec::new();
            for &id in ids {
                if seen.contains(&TherapistId(id)) {
                    e.push(FieldError::new("invalid", "therapist_ids", "must name distinct therapists"));
                }
                seen.push(TherapistId(id));
            }
            seen
        });
        if let Some(Location::Point(_)) = &location {
            check_street_address(&mut e, &address);
        }
        let client = self.client.as_ref().and_then(|c| c.validate(&mut e));
        let reason = self.reason.as_deref().and_then(|r| e.take(VisitReason::parse("reason", r)));
        let screening_id = self.screening_id.as_deref().and_then(|s| e.take(ScreeningId::parse("screening_id", s)));
        let add_ons = e.labels("add_ons", &self.add_ons, 20, 120);
        let notes = e.text("notes", self.notes.as_deref().unwrap_or(""), 0, 1000);
        let client_id = self.client_id.map(ClientId);
        let arrival_window_minutes = self.arrival_window_minutes.unwrap_or(0);
        if !ARRIVAL_WINDOWS.contains(&arrival_window_minutes) {
            e.push(FieldError::new(
                "invalid",
                "arrival_window_minutes",
                "must be 0, 15, 30, 45, 60, 90 or 120 (minutes either side of the start)",
            ));
        }
        let therapist_gender = e.take(Gender::parse_field("therapist_gender", self.therapist_gender.as_deref()));
        let intake = self.intake.as_ref().and_then(|i| match i.validate() {
            Ok(h) => Some(h),
            Err(errors) => {
                for mut err in errors.0 {
                    err.field = format!("intake.{}", err.field);
                    e.push(err);
                }
                None
            }
        });
        e.finish(|| {
            let place = match location? {
                Location::Point(at) => Where::Mobile { at, address },
                Location::Clinic(id) => Where::Clinic(id),
            };
            Some(BookingRequest {
                service_id: ServiceId(self.service_id),
                start: start?,
                therapist_ids,
                place,
                client,
                reason,
                screening_id,
                add_ons,
                notes,
                client_id,
                intake,
                arrival_window_minutes,
                therapist_gender: therapist_gender?,
            })
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    /// Held (its time kept) until staff record a physician's clearance.
    AwaitingClearance,
    Cancelled,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 3] =
        [BookingStatus::Confirmed, BookingStatus::AwaitingClearance, BookingStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::AwaitingClearance => "awaiting_clearance",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<BookingStatus> {
        BookingStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the booking still holds its time (confirmed, or waiting for clearance).
    pub fn is_active(self) -> bool {
        self != BookingStatus::Cancelled
    }
}

/// One therapist's part of a booking.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    pub therapist_id: TherapistId,
    /// The time blocked in the therapist's day: the treatment with set-up and pack-up buffers.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub block_start: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub block_end: Timestamp,
    pub room_id: Option<RoomId>,
    pub travel_before_min: i64,
    pub travel_after_min: i64,
}

/// A booking as stored and shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub id: BookingId,
    pub service_id: ServiceId,
    pub status: BookingStatus,
    pub start: Timestamp,
    pub end: Timestamp,
    pub place: Where,
    pub client: Contact,
    /// The signed-in client who booked, if any.
    pub client_user_id: Option<UserId>,
    /// The client record the booking belongs to (every booking has one since migration 0010).
    pub client_id: Option<ClientId>,
    pub reason: Option<VisitReason>,
    pub screening_id: Option<ScreeningId>,
    /// The add-ons chosen, by name; their minutes and prices are in `end` and `price_cents`.
    pub add_ons: Vec<String>,
    /// What the client left for the therapist (parking, pets, stairs, buzzer).
    pub notes: String,
    pub price_cents: i64,
    pub travel_fee_cents: i64,
    pub visits: Vec<Visit>,
    pub created_at: Timestamp,
    /// Raised by every move and by the cancellation: the calendar file's SEQUENCE.
    pub revision: i64,
    /// The recurring series the booking is one visit of.
    pub series_id: Option<SeriesId>,
    /// The arrival window the client accepted; `None` for a fixed start.
    pub arrival: Option<ArrivalWindow>,
    /// Whether the client chose the therapist(s): a day's re-plan then keeps them.
    pub therapists_named: bool,
    /// The therapist's gender the client asked for: a move, a reassignment or a re-plan keeps to it.
    pub therapist_gender: Option<Gender>,
}

impl Booking {
    pub fn therapist_ids(&self) -> Vec<TherapistId> {
        self.visits.iter().map(|v| v.therapist_id).collect()
    }
}

/// A therapist as a change record names them: the id, and the name they had then (what the client was told).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedTherapist {
    pub id: TherapistId,
    pub name: String,
}

/// What a staff member changed about a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// The booking now starts at `to` instead of `from`.
    Moved { from: Timestamp, to: Timestamp },
    /// The visit is now given by `to` instead of `from`.
    Reassigned { from: Vec<NamedTherapist>, to: Vec<NamedTherapist> },
    /// The practice cancelled the booking.
    Cancelled,
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Moved { .. } => "moved",
            Change::Reassigned { .. } => "reassigned",
            Change::Cancelled => "cancelled",
        }
    }
}

/// One change a staff member made to a booking, recorded by the store in the same transaction as the change
/// itself, so the record and the booking never disagree.
///
/// The client has to be told about these. No mail is sent yet: the client's manage page shows them, and
/// these records are what a later notifier will send (each one once).
///
/// The API shows these through its own view (`knead-web::api`), in the practice's offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingChange {
    pub booking_id: BookingId,
    pub at: Timestamp,
    /// The staff member who made it (`None` once their account is gone).
    pub by: Option<UserId>,
    #[serde(flatten)]
    pub change: Change,
}

/// Why a start cannot be booked, or a booking moved to it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unavailable {
    /// The engine no longer offers that start for this service and place.
    #[error("the engine does not offer this start any more")]
    NotOffered,
    /// Another visit of the therapist's got there first (the database's overlap rule said so).
    #[error("the therapist already has a visit then")]
    TherapistBusy,
    #[error("no room is free then")]
    NoRoomFree,
    /// The re-check on fresh data, under the store's lock, refused it.
    #[error("{0}")]
    DoesNotFit(Unfit),
    #[error("a cancelled booking cannot be moved")]
    Cancelled,
    /// The start is held, for a while, for a client on the waitlist who was offered it.
    #[error("this time is held for a client on the waitlist")]
    HeldForWaitlist,
    /// A day's re-plan was made from the booking as it was; it has been moved, reassigned or cancelled since.
    #[error("the booking changed after the plan was made")]
    ChangedSincePlanned,
}

/// A visit the store is to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVisit {
    pub therapist_id: TherapistId,
    pub block_start: Timestamp,
    pub block_end: Timestamp,
    pub travel_before_min: i64,
    pub travel_after_min: i64,
}

/// A booking the store is to write, once the travel check passes inside its transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBooking {
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub place: Where,
    pub client: Contact,
    pub client_user_id: Option<UserId>,
    pub client_id: Option<ClientId>,
    /// With no `client_id`: the store makes a client record of `client` in the booking's own transaction and
    /// files the booking under it (a guest booking for the first time), so both are written or neither.
    pub new_client_record: bool,
    /// `Confirmed`, or `AwaitingClearance` for a booking held until staff record a clearance.
    pub status: BookingStatus,
    pub reason: Option<VisitReason>,
    /// The screening the booking was made with; the store links it to the booking and the client.
    pub screening_id: Option<ScreeningId>,
    pub add_ons: Vec<String>,
    pub notes: String,
    pub price_cents: i64,
    pub travel_fee_cents: i64,
    pub visits: Vec<NewVisit>,
    /// SHA-256 of the private manage-link token a guest receives.
    pub manage_token_hash: String,
    /// A repeated request with this key returns the first booking instead of making another.
    pub idempotency_key: Option<String>,
    /// What the request asked for, so a key reused for a different request is refused.
    pub request_fingerprint: String,
    pub created_at: Timestamp,
    /// The messages the booking (or the move) sends, written in its transaction
    /// ([`crate::notify::jobs_for_booking`]).
    pub jobs: Vec<crate::notify::NewJob>,
    /// The recurring series the booking is one visit of.
    pub series_id: Option<SeriesId>,
    /// The arrival window the client accepted; `None` for a fixed start.
    pub arrival: Option<ArrivalWindow>,
    /// Whether the client chose the therapist(s).
    pub therapists_named: bool,
    /// The therapist's gender the client asked for, if any.
    pub therapist_gender: Option<Gender>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> BookingInput {
        BookingInput {
            service_id: 1,
            start: "2026-12-01T10:00:00-05:00".into(),
            lat: Some(43.65),
            lon: Some(-79.38),
            address: Some("12 Example Street".into()),
            client: Some(ContactInput {
                name: "Ana".into(),
                email: "ana@example.com".into(),
                phone: "416-555-0123".into(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_booking_needs_one_place() {
        assert!(matches!(valid().validate().unwrap().place, Where::Mobile { .. }));
        let both = BookingInput { clinic_id: Some(1), ..valid() };
        assert_eq!(both.validate().unwrap_err().0[0].field, "clinic_id");
        let neither = BookingInput { lat: None, lon: None, ..valid() };
        assert_eq!(neither.validate().unwrap_err().0[0].field, "lat");
    }

    #[test]
    fn a_visit_at_home_needs_a_street_address_with_a_number() {
        let blank = BookingInput { address: Some("  ".into()), ..valid() };
        assert_eq!(blank.validate().unwrap_err().0[0].code, "required");
        let vague = BookingInput { address: Some("At your place".into()), ..valid() };
        let e = vague.validate().unwrap_err();
        assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("address_incomplete", "address"));
        let at_clinic = BookingInput { lat: None, lon: None, address: None, clinic_id: Some(1), ..valid() };
        assert!(at_clinic.validate().is_ok(), "a clinic visit needs no address of the client's");
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = BookingInput {
            start: "tomorrow at ten".into(),
            lat: Some(91.0),
            therapist_ids: Some(vec![3, 3]),
            client: Some(ContactInput { name: "".into(), email: "x".into(), phone: "call me".into() }),
            therapist_gender: Some("any".into()),
            ..valid()
        };
        let fields: Vec<_> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        let named =
            ["start", "lat", "therapist_ids", "client.name", "client.email", "client.phone", "therapist_gender"];
        assert_eq!(fields, named);
        let asked = BookingInput { therapist_gender: Some("female".into()), ..valid() }.validate().unwrap();
        assert_eq!(asked.therapist_gender, Some(Gender::Female));
    }

    #[test]
    fn one_parser_names_the_place_field_at_fault() {
        assert!(matches!(Location::parse(Some(43.65), Some(-79.38), None), Ok(Location::Point(_))));
        assert_eq!(Location::parse(None, None, Some(4)), Ok(Location::Clinic(ClinicId(4))));
        assert_eq!(Location::parse(Some(43.65), Some(-79.38), Some(4)).unwrap_err().field, "clinic_id");
        assert_eq!(Location::parse(None, Some(-79.38), None).unwrap_err().field, "lat");
        assert_eq!(Location::parse(Some(43.65), None, None).unwrap_err().field, "lon");
        assert_eq!(Location::parse(Some(91.0), Some(0.0), None).unwrap_err().code, "out_of_range");
    }

    #[test]
    fn a_start_needs_an_offset() {
        assert!(parse_instant("start", "2026-12-01T10:00:00").is_err());
        assert!(parse_instant("start", "2026-12-01T10:00:00Z").is_ok());
    }
}
