//! The waitlist: a client asks for a service at a place on some days and times; when a matching start frees
//! (a cancellation, a move, new hours), the first in line is offered it for a limited time, then the next.
//!
//! The rules here are pure: what a client may ask for ([`WaitlistInput`]), which starts suit an entry
//! ([`Wish::suits`]), and which entries a free start may go to ([`WaitlistEntry::wants`]). Finding free starts is the
//! booking search's; holding an offer and booking it are the store's and the app's.

use super::{BookingId, BookingInput, BookingRequest, Contact, ContactInput};
use crate::catalog::TherapistId;
use crate::validation::{FieldError, ValidationErrors};
use crate::UserId;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitlistId(pub i64);

/// The longest span of dates one entry may wait for.
pub const MAX_WAIT_DAYS: i64 = 92;

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// When a client can come: local dates, weekdays, and the earliest and latest local start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wish {
    pub first_date: Date,
    pub last_date: Date,
    /// Bit 0 is Monday, bit 6 Sunday.
    pub weekdays: u8,
    /// Minutes after local midnight.
    pub earliest_minute: i64,
    pub latest_minute: i64,
}

impl Wish {
    /// Whether a visit starting at `start` is one the client asked for.
    pub fn suits(&self, tz: &TimeZone, start: Timestamp) -> bool {
        let local = start.to_zoned(tz.clone());
        let date = local.date();
        let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
        let day_bit = 1u8 << (date.weekday().to_monday_zero_offset());
        (self.first_date..=self.last_date).contains(&date)
            && self.weekdays & day_bit != 0
            && (self.earliest_minute..=self.latest_minute).contains(&minute)
    }

    /// The weekdays by their short names, Monday first.
    pub fn day_names(&self) -> Vec<&'static str> {
        DAYS.iter().enumerate().filter(|(i, _)| self.weekdays & (1 << i) != 0).map(|(_, (n, _))| *n).collect()
    }
}

/// Where an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitStatus {
    /// In line.
    Waiting,
    /// A start is held for the client until the offer expires.
    Offered,
    /// The client took a start: the entry names the booking.
    Booked,
    /// Its last date passed.
    Expired,
    /// The client left the list.
    Left,
}

impl WaitStatus {
    pub const ALL: [WaitStatus; 5] =
        [WaitStatus::Waiting, WaitStatus::Offered, WaitStatus::Booked, WaitStatus::Expired, WaitStatus::Left];

    pub fn as_str(self) -> &'static str {
        match self {
            WaitStatus::Waiting => "waiting",
            WaitStatus::Offered => "offered",
            WaitStatus::Booked => "booked",
            WaitStatus::Expired => "expired",
            WaitStatus::Left => "left",
        }
    }

    pub fn parse(text: &str) -> Option<WaitStatus> {
        WaitStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A start held for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldStart {
    pub start: Timestamp,
    pub therapist_ids: Vec<TherapistId>,
    pub expires_at: Timestamp,
}

/// An entry to write: the visit as a booking request (its `start` is set when a start is offered).
#[derive(Debug, Clone, PartialEq)]
pub struct NewWaitlistEntry {
    pub visit: BookingRequest,
    pub client: Contact,
    pub client_user_id: Option<UserId>,
    pub wish: Wish,
    /// SHA-256 of the private link's token: the client's way back to the entry.
    pub token_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitlistEntry {
    pub id: WaitlistId,
    pub entry: NewWaitlistEntry,
    pub status: WaitStatus,
    pub offer: Option<HeldStart>,
    /// A start the client let lapse: not offered to them again.
    pub passed_start: Option<Timestamp>,
    pub booking_id: Option<BookingId>,
}

/// What a client sends to join the waitlist.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WaitlistInput {
    pub service_id: i64,
    /// The client's street address, for a visit at home or office; sent alone, the practice's map places it.
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
    /// What brings the client, as for a booking; back pain, leg pain and sciatica need a `screening_id`.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub screening_id: Option<String>,
    #[serde(default)]
    pub add_ons: Vec<String>,
    /// First and last local date that suit, YYYY-MM-DD (at most 92 days apart).
    pub first_date: String,
    pub last_date: String,
    /// Weekdays that suit: `mon` .. `sun`; all when empty.
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// Earliest and latest local start, HH:MM; the whole day when left out.
    #[serde(default)]
    pub earliest: Option<String>,
    #[serde(default)]
    pub latest: Option<String>,
    /// `female`, `male` or `non_binary`: only a start with a therapist of that gender is offered.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::catalog::Gender>))]
    pub therapist_gender: Option<String>,
}

/// A local time of day as minutes after midnight.
fn minute_of_day(field: &str, text: &str) -> Result<i64, FieldError> {
    let time: jiff::civil::Time =
        text.trim().parse().map_err(|_| FieldError::new("invalid", field, "must be a time of day like 09:30"))?;
    Ok(i64::from(time.hour()) * 60 + i64::from(time.minute()))
}

fn date(field: &str, text: &str) -> Result<Date, FieldError> {
    text.trim().parse().map_err(|_| FieldError::new("invalid", field, "must be a date like 2027-01-15"))
}

impl WaitlistInput {
    /// The visit (as a booking request without its start) and when it suits; `today` is the practice's.
    pub fn validate(&self, today: Date) -> Result<(BookingRequest, Wish), ValidationErrors> {
        let as_booking = BookingInput {
            service_id: self.service_id,
            // Set when a start is offered; the booking's own checks run then.
            start: "2000-01-01T00:00:00Z".into(),
            therapist_ids: None,
            address: self.address.clone(),
            lat: self.lat,
            lon: self.lon,
            clinic_id: self.clinic_id,
            client: self.client.clone(),
            reason: self.reason.clone(),
            screening_id: self.screening_id.clone(),
            add_ons: self.add_ons.clone(),
            notes: None,
            client_id: None,
            intake: None,
            arrival_window_minutes: None,
            therapist_gender: self.therapist_gender.clone(),
        };
        let mut e = match as_booking.validate() {
            Ok(_) => ValidationErrors::default(),
            Err(errors) => errors,
        };
        let first = e.take(date("first_date", &self.first_date));
        let last = e.take(date("last_date", &self.last_date));
        if let (Some(first), Some(last)) = (first, last) {
            if first < today {
                e.push(FieldError::new("out_of_range", "first_date", "must be today or later"));
            }
            if last < first {
                e.push(FieldError::new("out_of_range", "last_date", "must be on or after first_date"));
            } else if i64::from((last - first).get_days()) > MAX_WAIT_DAYS {
                e.push(FieldError::new(
                    "out_of_range",
                    "last_date",
                    format!("must be at most {MAX_WAIT_DAYS} days after first_date"),
                ));
            }
        }
        let mut weekdays = 0u8;
        for (i, name) in self.weekdays.iter().enumerate() {
            match DAYS.iter().position(|(n, _)| name.trim().eq_ignore_ascii_case(n)) {
                Some(bit) => weekdays |= 1 << bit,
                None => e.push(FieldError::new(
                    "invalid",
                    format!("weekdays[{i}]"),
                    "must be one of mon, tue, wed, thu, fri, sat, sun",
                )),
            }
        }
        if self.weekdays.is_empty() {
            weekdays = 0b111_1111;
        }
        let earliest = e.take(self.earliest.as_deref().map_or(Ok(0), |t| minute_of_day("earliest", t)));
        let latest = e.take(self.latest.as_deref().map_or(Ok(24 * 60 - 1), |t| minute_of_day("latest", t)));
        if let (Some(a), Some(b)) = (earliest, latest) {
            if b < a {
                e.push(FieldError::new("out_of_range", "latest", "must be at or after earliest"));
            }
        }
        let request = if e.is_empty() { as_booking.validate().ok() } else { None };
        e.finish(|| {
            let wish = Wish {
                first_date: first?,
                last_date: last?,
                weekdays,
                earliest_minute: earliest?,
                latest_minute: latest?,
            };
            Some((request?, wish))
        })
    }
}

impl WaitlistEntry {
    /// Whether the entry waits for a free `start`: it is in line, the start suits it, and it did not let
    /// that start lapse before. The check offers a start to the first entry in line that wants it.
    pub fn wants(&self, tz: &TimeZone, start: Timestamp) -> bool {
        self.status == WaitStatus::Waiting && self.passed_start != Some(start) && self.entry.wish.suits(tz, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> WaitlistInput {
        WaitlistInput {
            service_id: 1,
            address: Some("15 Vuorikatu, Helsinki".into()),
            lat: Some(60.17),
            lon: Some(24.94),
            first_date: "2027-01-04".into(),
            last_date: "2027-01-31".into(),
            weekdays: vec!["mon".into(), "wed".into()],
            earliest: Some("09:00".into()),
            latest: Some("12:00".into()),
            client: Some(ContactInput {
                name: "Aino".into(),
                email: "aino@example.test".into(),
                phone: "040 123 4567".into(),
            }),
            ..WaitlistInput::default()
        }
    }

    #[test]
    fn a_wish_suits_only_its_days_and_hours() {
        let tz = TimeZone::get("Europe/Helsinki").unwrap();
        let (_, wish) = input().validate("2027-01-01".parse().unwrap()).unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(wish.suits(&tz, at("2027-01-04T08:00:00Z")), "Monday 10:00");
        assert!(!wish.suits(&tz, at("2027-01-05T08:00:00Z")), "a Tuesday");
        assert!(!wish.suits(&tz, at("2027-01-04T11:00:00Z")), "Monday 13:00 is after the latest");
        assert!(!wish.suits(&tz, at("2027-02-01T08:00:00Z")), "after the last date");
        assert_eq!(wish.day_names(), ["mon", "wed"]);
    }

    #[test]
    fn a_bad_wish_names_each_field() {
        let bad = WaitlistInput {
            first_date: "2026-12-01".into(),
            last_date: "2026-11-01".into(),
            weekdays: vec!["funday".into()],
            earliest: Some("25:00".into()),
            ..input()
        };
        let e = bad.validate("2027-01-01".parse().unwrap()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["first_date", "last_date", "weekdays[0]", "earliest"]);
    }
}
