//! The practice's booking settings: its time zone, the area it serves, the booking grid and notice policy,
//! how far ahead clients may book, the travel fee, the default travel model's parameters, how it writes
//! times and dates (its clock and locale, see [`super::wall_clock`]), and the safety of home visits (the
//! grace period before a visit not checked out alerts, and the emergency contact, see [`crate::safety`]).
//!
//! A time zone is an IANA Region/City name (`America/Toronto`) in one of [`ZONE_REGIONS`], or `UTC` (also
//! spelled `Etc/UTC`). Abbreviations and legacy names (`EST`, `MST`, `HST`, `EST5EDT`, `CET`, `US/Eastern`,
//! `Etc/GMT+5`) are refused: several are fixed offsets that never change for daylight saving, so a practice
//! that chose `EST` in Toronto would show every summer visit an hour off. Settings saved before this rule
//! still read (the zone exists), and the settings page asks for a Region/City zone before saving again.

use super::dates::{add_days, add_minutes};
use super::wall_clock::{Locale, TimeFormat, WallClock};
use crate::geo::{haversine_km, GeoPoint};
use crate::intake::ScreeningThresholds;
use crate::records::ResponsePolicy;
use crate::safety::{default_grace_minutes, EmergencyContact, GRACE_MINUTES};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An IANA time zone that exists: its name as given and the zone itself, parsed once.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// The regions whose Region/City zones a practice may choose, in the order a list offers them.
pub const ZONE_REGIONS: [&str; 9] =
    ["America", "Europe", "Asia", "Australia", "Pacific", "Africa", "Atlantic", "Indian", "Antarctica"];

/// The zone names allowed besides the regions' own: coordinated universal time.
const UNIVERSAL: [&str; 2] = ["UTC", "Etc/UTC"];

impl Zone {
    /// A zone a practice may choose: an IANA Region/City name in one of [`ZONE_REGIONS`], or `UTC`. The name
    /// is kept as the time-zone database spells it (`america/toronto` reads as `America/Toronto`).
    pub fn parse(field: &str, name: &str) -> Result<Zone, FieldError> {
        let zone = Zone::existing(name).ok_or_else(|| {
            FieldError::new("invalid", field, "must be an IANA time zone such as America/Toronto or America/New_York")
        })?;
        if Zone::is_offered(zone.name()) {
            Ok(zone)
        } else {
            Err(FieldError::new(
                "invalid",
                field,
                format!(
                    "must be a Region/City time zone such as America/Toronto or America/New_York (or UTC): {:?} \
                     is an abbreviation or legacy name, and some of those ignore daylight saving",
                    zone.name()
                ),
            ))
        }
    }

    /// Any zone the database knows, legacy names too: how stored settings are read back, so a practice saved
    /// with `EST` before it was refused still opens.
    fn existing(name: &str) -> Option<Zone> {
        let name = name.trim();
        let tz = TimeZone::get(name).ok()?;
        let names = Zone::database_names();
        let spelled = match names.binary_search_by(|n| n.as_str().cmp(name)) {
            Ok(_) => name.to_string(),
            Err(_) => names.iter().find(|n| n.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string()),
        };
        Some(Zone { name: spelled, tz })
    }

    /// Whether `name` is one a practice may choose (see [`Zone::parse`]).
    pub fn is_offered(name: &str) -> bool {
        UNIVERSAL.contains(&name)
            || name.split_once('/').is_some_and(|(region, city)| ZONE_REGIONS.contains(&region) && !city.is_empty())
    }

    /// The database's names, sorted, read once (stored settings are read on every page).
    fn database_names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_string()).collect();
            names.sort();
            names
        })
    }

    /// Every zone a practice may choose, by region in [`ZONE_REGIONS`]' order, each region's names sorted, then
    /// `UTC` on its own: what the settings page lists and the API's schema enumerates.
    pub fn offered_by_region() -> Vec<(&'static str, Vec<String>)> {
        let names: Vec<&String> = Zone::database_names()
            .iter()
            .filter(|n| Zone::is_offered(n) && !UNIVERSAL.contains(&n.as_str()) && TimeZone::get(n).is_ok())
            .collect();
        let mut groups: Vec<(&'static str, Vec<String>)> = ZONE_REGIONS
            .iter()
            .map(|region| {
                let zones = names.iter().filter(|n| n.split('/').next() == Some(region)).map(|n| n.to_string());
                (*region, zones.collect())
            })
            .collect();
        groups.push(("Universal", vec!["UTC".to_string()]));
        groups
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::existing(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("{name:?} must be an IANA time zone such as America/Toronto"))
        })
    }
}

/// The area the practice serves: a circle around a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceArea {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

impl ServiceArea {
    pub fn center(&self) -> GeoPoint {
        GeoPoint { lat: self.lat, lon: self.lon }
    }

    pub fn contains(&self, place: GeoPoint) -> bool {
        haversine_km(self.center(), place) <= self.radius_km
    }
}

/// Settings a manager sets for booking, as stored and shown; a change is submitted as `PracticeSettingsInput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PracticeSettings {
    /// IANA zone, e.g. `America/Toronto`; every wall-clock time in the practice is in it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub time_zone: Zone,
    pub service_area: ServiceArea,
    /// Minutes between bookable starts (15 by default).
    pub grid_minutes: i64,
    /// The earliest a visit may start, in minutes from now.
    pub lead_minutes: i64,
    /// Cancelling or rescheduling needs at least this many hours' notice.
    pub cancel_notice_hours: i64,
    /// How far ahead a visit may be booked or moved to: its local date at most this many days after today.
    // Settings saved before the horizon existed read with the default, so it needs no migration.
    #[serde(default = "default_booking_horizon_days")]
    pub booking_horizon_days: i64,
    /// Kilometres (straight line from the nearest therapist's base) included in the price.
    pub travel_fee_free_km: f64,
    /// Cents charged per kilometre beyond the free distance.
    pub travel_fee_cents_per_km: i64,
    /// Road distance as a multiple of the straight line, for the default travel model.
    pub road_factor: f64,
    /// Average driving speed, for the default travel model.
    pub speed_kmh: f64,
    /// The clock times are written on: `12h` ("2:30 pm") or `24h` ("14:30").
    // Settings saved before the clock and locale existed read with the defaults, so they need no migration.
    #[serde(default)]
    pub time_format: TimeFormat,
    /// How dates are written: `en-US`/`en-CA` "Tuesday, December 1, 2026", the others "Tuesday 1 December 2026".
    #[serde(default)]
    pub locale: Locale,
    /// The red-flag screening's thresholds (age bounds of a first episode, weeks of nerve pain).
    #[serde(default)]
    pub screening: ScreeningThresholds,
    /// The non-response policy's thresholds (clinical reference, section 4), a clinic setting.
    #[serde(default)]
    pub response_policy: ResponsePolicy,
    /// Hours before a visit at which its client is reminded, largest first (24 and 2 by default; none
    /// turns reminders off).
    #[serde(default = "default_reminder_hours")]
    pub reminder_hours: Vec<i64>,
    /// How long a freed start is held for the first client in the waitlist's line before it is offered to
    /// the next.
    #[serde(default = "default_waitlist_offer_hours")]
    pub waitlist_offer_hours: i64,
    /// Minutes after a home visit's scheduled end, without a check-out, before the managers are alerted; as
    /// long again before the emergency contact is. Settings saved before it existed read as 30.
    #[serde(default = "default_grace_minutes")]
    pub safety_grace_minutes: i64,
    /// Who is alerted second; `None` sends the second alert to the managers again.
    #[serde(default)]
    pub emergency_contact: Option<EmergencyContact>,
    /// Minutes a therapist takes between two guests at a spa party (fresh linen, a word with the next guest):
    /// shorter than the buffer of a visit between homes. Settings saved before it existed read as 10.
    #[serde(default = "default_changeover_minutes")]
    pub party_changeover_minutes: i64,
    /// At an office chair-massage day, each therapist rests `length_minutes` every `every_minutes` (staggered
    /// chair by chair). Settings saved before it existed read as 10 minutes every 2 hours.
    #[serde(default)]
    pub chair_breaks: crate::events::chair::ChairBreaks,
}

/// Ten minutes between two guests at a party.
pub fn default_changeover_minutes() -> i64 {
    10
}

/// A freed start is held for a waitlisted client for half a day.
pub fn default_waitlist_offer_hours() -> i64 {
    12
}

/// Reminders a day and two hours before a visit.
pub fn default_reminder_hours() -> Vec<i64> {
    vec![24, 2]
}

/// A reminder's lead in hours: at least one, at most two weeks; at most three reminders.
pub const REMINDER_HOURS: std::ops::RangeInclusive<i64> = 1..=336;
pub const MAX_REMINDERS: usize = 3;

/// The booking horizon's default: a year ahead.
pub const DEFAULT_BOOKING_HORIZON_DAYS: i64 = 365;
/// The booking horizon's bounds: at least tomorrow, at most two years ahead.
pub const BOOKING_HORIZON_DAYS: std::ops::RangeInclusive<i64> = 1..=730;

fn default_booking_horizon_days() -> i64 {
    DEFAULT_BOOKING_HORIZON_DAYS
}

impl Default for PracticeSettings {
    fn default() -> Self {
        PracticeSettingsInput::default().validate().expect("the default settings are valid")
    }
}

impl PracticeSettings {
    /// The practice's zone.
    pub fn zone(&self) -> &TimeZone {
        self.time_zone.tz()
    }

    /// How the practice writes times and dates.
    pub fn wall_clock(&self) -> WallClock {
        WallClock { time_format: self.time_format, locale: self.locale }
    }

    /// The fee for a visit `distance_km` (straight line) from the therapist's base.
    pub fn travel_fee_cents(&self, distance_km: f64) -> i64 {
        let chargeable = (distance_km - self.travel_fee_free_km).max(0.0);
        (chargeable * self.travel_fee_cents_per_km as f64).round() as i64
    }

    /// Whether a visit starting at `start` may still be cancelled or moved at `now`.
    pub fn may_change(&self, start: Timestamp, now: Timestamp) -> bool {
        add_minutes(now, self.cancel_notice_hours.saturating_mul(60)) <= start
    }

    /// The last local date a visit may be booked on, seen from `today`: the booking horizon's end. The rule
    /// is the same for clients and staff, so what the booking pages offer is what anyone can book.
    pub fn last_bookable_date(&self, today: Date) -> Date {
        add_days(today, self.booking_horizon_days)
    }

    /// An error naming `field` for a local date past the booking horizon.
    pub fn beyond_horizon(&self, field: &str, today: Date) -> FieldError {
        FieldError::new(
            "too_far",
            field,
            format!(
                "must be no later than {}: the practice takes bookings up to {} days ahead",
                self.last_bookable_date(today),
                self.booking_horizon_days
            ),
        )
    }

    /// The settings as a form or API body holds them.
    pub fn to_input(&self) -> PracticeSettingsInput {
        PracticeSettingsInput {
            time_zone: self.time_zone.name().to_string(),
            service_area: self.service_area,
            grid_minutes: self.grid_minutes,
            lead_minutes: self.lead_minutes,
            cancel_notice_hours: self.cancel_notice_hours,
            booking_horizon_days: self.booking_horizon_days,
            travel_fee_free_km: self.travel_fee_free_km,
            travel_fee_cents_per_km: self.travel_fee_cents_per_km,
            road_factor: self.road_factor,
            speed_kmh: self.speed_kmh,
            time_format: self.time_format,
            locale: self.locale,
            screening: self.screening,
            response_policy: self.response_policy,
            reminder_hours: self.reminder_hours.clone(),
            waitlist_offer_hours: self.waitlist_offer_hours,
            safety_grace_minutes: self.safety_grace_minutes,
            emergency_contact: self.emergency_contact.clone(),
            party_changeover_minutes: self.party_changeover_minutes,
            chair_breaks: self.chair_breaks,
        }
    }
}

/// The practice's booking settings as a manager submits them; every field is checked before anything is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PracticeSettingsInput {
    /// IANA zone, e.g. `America/Toronto`; every wall-clock time in the practice is in it.
    pub time_zone: String,
    pub service_area: ServiceArea,
    /// Minutes between bookable starts: 5, 10, 15, 20, 30 or 60.
    pub grid_minutes: i64,
    /// The earliest a visit may start, in minutes from now.
    pub lead_minutes: i64,
    /// Cancelling or rescheduling needs at least this many hours' notice.
    pub cancel_notice_hours: i64,
    /// How many days ahead a visit may be booked or moved to, 1 to 730 (365 when left out).
    #[serde(default = "default_booking_horizon_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 730, default = 365))]
    pub booking_horizon_days: i64,
    /// Kilometres (straight line from the nearest therapist's base) included in the price.
    pub travel_fee_free_km: f64,
    /// Cents charged per kilometre beyond the free distance.
    pub travel_fee_cents_per_km: i64,
    /// Road distance as a multiple of the straight line, for the default travel model.
    pub road_factor: f64,
    /// Average driving speed, for the default travel model.
    pub speed_kmh: f64,
    /// The clock times are written on: `12h` ("2:30 pm", the default) or `24h` ("14:30").
    #[serde(default)]
    pub time_format: TimeFormat,
    /// How dates are written: `en-US` or `en-CA` ("Tuesday, December 1, 2026", `en-CA` the default), `en-GB`,
    /// `en-AU`, `en-NZ` or `en-IE` ("Tuesday 1 December 2026").
    #[serde(default)]
    pub locale: Locale,
    /// The red-flag screening's thresholds: a first episode of back pain under `first_episode_under_age`
    /// (16) or over `first_episode_over_age` (60) is urgent; nerve pain not improving after
    /// `nerve_pain_weeks` (6) is routine.
    #[serde(default)]
    pub screening: ScreeningThresholds,
    /// The non-response policy's thresholds: early warning at visit or week 3, non-responder at 6, the
    /// ceiling at 9 sessions or 12 weeks; responder 2 points or 30% on leg pain, PSFS 2; deterioration 2.
    #[serde(default)]
    pub response_policy: ResponsePolicy,
    /// Hours before a visit at which its client is reminded: up to 3 distinct values, each 1 to 336 (24 and
    /// 2 when left out; an empty list turns reminders off).
    #[serde(default = "default_reminder_hours")]
    #[cfg_attr(feature = "openapi", schema(max_items = 3, value_type = Vec<u32>, default = json!([24, 2])))]
    pub reminder_hours: Vec<i64>,
    /// Hours a freed start is held for the first client waiting for it, 1 to 168 (12 when left out).
    #[serde(default = "default_waitlist_offer_hours")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 168, default = 12))]
    pub waitlist_offer_hours: i64,
    /// Minutes after a home visit's scheduled end, without a check-out, before the managers are alerted, 5 to
    /// 240 (30 when left out); as long again before the emergency contact is.
    #[serde(default = "default_grace_minutes")]
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 240, default = 30))]
    pub safety_grace_minutes: i64,
    /// Who is alerted when a therapist has still not checked out after the second grace period: name, phone
    /// and email, all three. Left out, null or all empty: none, and the second alert goes to the managers.
    #[serde(default)]
    pub emergency_contact: Option<EmergencyContact>,
    /// Minutes a therapist takes between two guests at a spa party, 0 to 60 (10 when left out).
    #[serde(default = "default_changeover_minutes")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 60, default = 10))]
    pub party_changeover_minutes: i64,
    /// A chair-massage therapist's breaks: `length_minutes` (0 to 30; 0 for none) every `every_minutes` (30 to
    /// 480); 10 every 120 when left out.
    #[serde(default)]
    pub chair_breaks: crate::events::chair::ChairBreaks,
}

impl Default for PracticeSettingsInput {
    fn default() -> Self {
        PracticeSettingsInput {
            time_zone: "America/Toronto".into(),
            service_area: ServiceArea { lat: 43.6532, lon: -79.3832, radius_km: 30.0 },
            grid_minutes: 15,
            lead_minutes: 120,
            cancel_notice_hours: 24,
            booking_horizon_days: DEFAULT_BOOKING_HORIZON_DAYS,
            travel_fee_free_km: 10.0,
            travel_fee_cents_per_km: 100,
            road_factor: 1.3,
            speed_kmh: 30.0,
            time_format: TimeFormat::default(),
            locale: Locale::default(),
            screening: ScreeningThresholds::default(),
            response_policy: ResponsePolicy::default(),
            reminder_hours: default_reminder_hours(),
            waitlist_offer_hours: default_waitlist_offer_hours(),
            safety_grace_minutes: default_grace_minutes(),
            emergency_contact: None,
            party_changeover_minutes: default_changeover_minutes(),
            chair_breaks: crate::events::chair::ChairBreaks::default(),
        }
    }
}

impl PracticeSettingsInput {
    pub fn validate(&self) -> Result<PracticeSettings, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let time_zone = e.take(Zone::parse("time_zone", &self.time_zone));
        if let Err(err) = GeoPoint::parse(self.service_area.lat, self.service_area.lon) {
            e.push(FieldError::new(err.code, format!("service_area.{}", err.field), err.detail));
        }
        let positive = |e: &mut ValidationErrors, field: &str, v: f64, max: f64| {
            if !(v.is_finite() && v > 0.0 && v <= max) {
                e.push(FieldError::new("out_of_range", field, format!("must be above 0 and at most {max}")));
            }
        };
        positive(&mut e, "service_area.radius_km", self.service_area.radius_km, 500.0);
        if ![5, 10, 15, 20, 30, 60].contains(&self.grid_minutes) {
            e.push(FieldError::new("invalid", "grid_minutes", "must be one of 5, 10, 15, 20, 30, 60"));
        }
        e.range("lead_minutes", self.lead_minutes, 0, 60 * 24 * 14, " minutes");
        e.range("cancel_notice_hours", self.cancel_notice_hours, 0, 24 * 14, " hours");
        let (fewest, most) = BOOKING_HORIZON_DAYS.into_inner();
        e.range("booking_horizon_days", self.booking_horizon_days, fewest, most, " days");
        if !(self.travel_fee_free_km.is_finite() && (0.0..=500.0).contains(&self.travel_fee_free_km)) {
            e.push(FieldError::new("out_of_range", "travel_fee_free_km", "must be between 0 and 500"));
        }
        e.range("travel_fee_cents_per_km", self.travel_fee_cents_per_km, 0, 100_000, " cents");
        positive(&mut e, "road_factor", self.road_factor, 5.0);
        positive(&mut e, "speed_kmh", self.speed_kmh, 200.0);
        self.screening.validate(&mut e);
        self.response_policy.validate(&mut e);
        let (least, most) = REMINDER_HOURS.into_inner();
        if self.reminder_hours.len() > MAX_REMINDERS {
            e.push(FieldError::new("out_of_range", "reminder_hours", "at most 3 reminders"));
        }
        for (i, h) in self.reminder_hours.iter().enumerate() {
            e.range(&format!("reminder_hours[{i}]"), *h, least, most, " hours");
            if self.reminder_hours[..i].contains(h) {
                e.push(FieldError::new(
                    "duplicate",
                    format!("reminder_hours[{i}]"),
                    "each reminder at a different hour",
                ));
            }
        }
        e.range("waitlist_offer_hours", self.waitlist_offer_hours, 1, 168, " hours");
        let (least_grace, most_grace) = GRACE_MINUTES.into_inner();
        e.range("safety_grace_minutes", self.safety_grace_minutes, least_grace, most_grace, " minutes");
        e.range("party_changeover_minutes", self.party_changeover_minutes, 0, 60, " minutes");
        e.range("chair_breaks.every_minutes", self.chair_breaks.every_minutes, 30, 480, " minutes");
        e.range("chair_breaks.length_minutes", self.chair_breaks.length_minutes, 0, 30, " minutes");
        let emergency_contact = self.emergency_contact.as_ref().and_then(|c| c.validate("emergency_contact", &mut e));
        let mut reminder_hours = self.reminder_hours.clone();
        reminder_hours.sort_unstable_by(|a, b| b.cmp(a));
        e.finish(|| {
            Some(PracticeSettings {
                time_zone: time_zone?,
                service_area: self.service_area,
                grid_minutes: self.grid_minutes,
                lead_minutes: self.lead_minutes,
                cancel_notice_hours: self.cancel_notice_hours,
                booking_horizon_days: self.booking_horizon_days,
                travel_fee_free_km: self.travel_fee_free_km,
                travel_fee_cents_per_km: self.travel_fee_cents_per_km,
                road_factor: self.road_factor,
                speed_kmh: self.speed_kmh,
                time_format: self.time_format,
                locale: self.locale,
                screening: self.screening,
                response_policy: self.response_policy,
                reminder_hours,
                waitlist_offer_hours: self.waitlist_offer_hours,
                safety_grace_minutes: self.safety_grace_minutes,
                emergency_contact,
                party_changeover_minutes: self.party_changeover_minutes,
                chair_breaks: self.chair_breaks,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_fees_start_after_the_free_distance() {
        let s = PracticeSettings::default();
        assert_eq!(s.travel_fee_cents(5.0), 0);
        assert_eq!(s.travel_fee_cents(12.5), 250);
    }

    #[test]
    fn changes_need_the_notice_the_policy_sets() {
        let s = PracticeSettings::default();
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        assert!(s.may_change(add_minutes(now, 24 * 60), now));
        assert!(!s.may_change(add_minutes(now, 23 * 60), now));
        assert!(!s.may_change(now, Timestamp::MAX), "saturates rather than panics");
    }

    #[test]
    fn reminders_are_at_most_three_distinct_leads_within_two_weeks() {
        let read = |hours: Vec<i64>| PracticeSettingsInput { reminder_hours: hours, ..Default::default() }.validate();
        assert_eq!(read(vec![2, 48]).unwrap().reminder_hours, [48, 2], "largest first");
        assert!(read(vec![]).unwrap().reminder_hours.is_empty(), "none turns them off");
        for (hours, field) in
            [(vec![0], "reminder_hours[0]"), (vec![24, 337], "reminder_hours[1]"), (vec![2, 2], "reminder_hours[1]")]
        {
            assert_eq!(read(hours).unwrap_err().0[0].field, field);
        }
        assert_eq!(read(vec![1, 2, 3, 4]).unwrap_err().0[0].field, "reminder_hours");
        let mut old = serde_json::to_value(PracticeSettings::default()).unwrap();
        old.as_object_mut().unwrap().remove("reminder_hours");
        assert_eq!(serde_json::from_value::<PracticeSettings>(old).unwrap().reminder_hours, [24, 2]);
    }

    #[test]
    fn an_unknown_zone_is_refused_naming_the_field() {
        let input = PracticeSettingsInput { time_zone: "Mars/Olympus_Mons".into(), ..Default::default() };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.0[0].field, "time_zone");
        let stored = serde_json::json!({ "time_zone": "Mars/Olympus_Mons" });
        assert!(serde_json::from_value::<Zone>(stored["time_zone"].clone()).is_err(), "a stored bad zone is an error");
    }

    #[test]
    fn the_booking_horizon_is_bounded_and_ends_that_many_days_after_today() {
        let s = PracticeSettings::default();
        assert_eq!(s.booking_horizon_days, 365);
        assert_eq!(s.last_bookable_date(jiff::civil::date(2026, 6, 1)), jiff::civil::date(2027, 6, 1));
        let refused = s.beyond_horizon("from", jiff::civil::date(2026, 6, 1));
        assert_eq!((refused.code, refused.field.as_str()), ("too_far", "from"));
        assert!(refused.detail.contains("2027-06-01") && refused.detail.contains("365 days"), "{}", refused.detail);
        for days in [0, -1, 731, i64::MAX] {
            let input = PracticeSettingsInput { booking_horizon_days: days, ..Default::default() };
            assert_eq!(input.validate().unwrap_err().0[0].field, "booking_horizon_days", "{days}");
        }
        for days in [1, 730] {
            let input = PracticeSettingsInput { booking_horizon_days: days, ..Default::default() };
            assert_eq!(input.validate().unwrap().booking_horizon_days, days);
        }
        let huge = PracticeSettings { booking_horizon_days: i64::MAX, ..PracticeSettings::default() };
        assert_eq!(huge.last_bookable_date(jiff::civil::date(2026, 6, 1)), jiff::civil::Date::MAX, "saturates");
    }

    #[test]
    fn settings_saved_before_the_horizon_existed_read_as_a_year() {
        let mut json = serde_json::to_value(PracticeSettings::default()).unwrap();
        json.as_object_mut().unwrap().remove("booking_horizon_days");
        let read: PracticeSettings = serde_json::from_value(json).unwrap();
        assert_eq!(read.booking_horizon_days, DEFAULT_BOOKING_HORIZON_DAYS);
        let mut input = serde_json::to_value(PracticeSettingsInput::default()).unwrap();
        input.as_object_mut().unwrap().remove("booking_horizon_days");
        let read: PracticeSettingsInput = serde_json::from_value(input).unwrap();
        assert_eq!(read.booking_horizon_days, DEFAULT_BOOKING_HORIZON_DAYS);
    }

    #[test]
    fn abbreviations_and_legacy_zones_are_refused_and_region_city_zones_kept() {
        for legacy in ["EST", "MST", "HST", "EST5EDT", "CET", "US/Eastern", "Canada/Eastern", "Etc/GMT+5", "GMT"] {
            let input = PracticeSettingsInput { time_zone: legacy.into(), ..Default::default() };
            let refused = &input.validate().unwrap_err().0[0];
            assert_eq!(refused.field, "time_zone", "{legacy}");
            assert!(
                refused.detail.contains("America/Toronto") && refused.detail.contains(legacy),
                "{}",
                refused.detail
            );
        }
        for kept in ["America/Toronto", "America/New_York", "Europe/Helsinki", "America/Vancouver", "UTC", "Etc/UTC"] {
            assert_eq!(Zone::parse("time_zone", kept).unwrap().name(), kept);
        }
        assert_eq!(
            Zone::parse("time_zone", " america/toronto ").unwrap().name(),
            "America/Toronto",
            "as the database spells it"
        );
        // A practice saved with a legacy zone before it was refused still reads.
        let stored: Zone = serde_json::from_value(serde_json::json!("EST")).unwrap();
        assert_eq!(stored.name(), "EST");
        let groups = Zone::offered_by_region();
        assert_eq!(groups.iter().map(|(r, _)| *r).take(9).collect::<Vec<_>>(), ZONE_REGIONS);
        let america = &groups[0].1;
        assert!(america.iter().any(|z| z == "America/Toronto") && america.iter().all(|z| z.starts_with("America/")));
        assert!(groups.iter().all(|(_, zones)| !zones.is_empty()));
        for (_, zones) in &groups {
            for zone in zones {
                assert_eq!(Zone::parse("time_zone", zone).unwrap().name(), zone, "every offered zone is accepted");
            }
        }
    }

    #[test]
    fn the_clock_and_locale_default_to_twelve_hours_in_canadian_english_and_are_kept() {
        let s = PracticeSettings::default();
        assert_eq!((s.time_format, s.locale), (TimeFormat::H12, Locale::EnCa));
        let mut json = serde_json::to_value(&s).unwrap();
        assert_eq!((&json["time_format"], &json["locale"]), (&"12h".into(), &"en-CA".into()));
        json.as_object_mut().unwrap().remove("time_format");
        json.as_object_mut().unwrap().remove("locale");
        assert_eq!(serde_json::from_value::<PracticeSettings>(json).unwrap(), s, "saved before they existed");
        let input = PracticeSettingsInput { time_format: TimeFormat::H24, locale: Locale::EnGb, ..Default::default() };
        let saved = input.validate().unwrap();
        assert_eq!(saved.wall_clock(), WallClock { time_format: TimeFormat::H24, locale: Locale::EnGb });
        assert_eq!(saved.to_input(), input);
        let bad = serde_json::json!({ "time_format": "25h" });
        assert!(serde_json::from_value::<PracticeSettingsInput>(bad).is_err());
    }

    #[test]
    fn an_unknown_field_in_the_service_area_is_refused() {
        let mut json = serde_json::to_value(PracticeSettingsInput::default()).unwrap();
        json["service_area"]["radius"] = 5.into();
        let err = serde_json::from_value::<PracticeSettingsInput>(json).unwrap_err().to_string();
        assert!(err.contains("unknown field `radius`"), "{err}");
    }

    #[test]
    fn the_safety_grace_period_is_bounded_and_old_settings_read_as_thirty_minutes_without_a_contact() {
        let s = PracticeSettings::default();
        assert_eq!((s.safety_grace_minutes, &s.emergency_contact), (30, &None));
        let mut json = serde_json::to_value(&s).unwrap();
        json.as_object_mut().unwrap().remove("safety_grace_minutes");
        json.as_object_mut().unwrap().remove("emergency_contact");
        assert_eq!(serde_json::from_value::<PracticeSettings>(json).unwrap(), s, "saved before they existed");
        for minutes in [4, 241, -1] {
            let input = PracticeSettingsInput { safety_grace_minutes: minutes, ..Default::default() };
            assert_eq!(input.validate().unwrap_err().0[0].field, "safety_grace_minutes", "{minutes}");
        }
        let contact = EmergencyContact {
            name: "Alex Owner".into(),
            phone: "416-555-0142".into(),
            email: "alex@example.com".into(),
        };
        let input = PracticeSettingsInput {
            safety_grace_minutes: 5,
            emergency_contact: Some(contact.clone()),
            ..Default::default()
        };
        let saved = input.validate().unwrap();
        assert_eq!((saved.safety_grace_minutes, saved.emergency_contact.as_ref()), (5, Some(&contact)));
        assert_eq!(saved.to_input(), input);
        let empty =
            PracticeSettingsInput { emergency_contact: Some(EmergencyContact::default()), ..Default::default() };
        assert_eq!(empty.validate().unwrap().emergency_contact, None, "all empty is none");
        let half = PracticeSettingsInput {
            emergency_contact: Some(EmergencyContact { name: "Alex".into(), ..EmergencyContact::default() }),
            ..Default::default()
        };
        let fields: Vec<String> = half.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["emergency_contact.phone", "emergency_contact.email"]);
    }

    #[test]
    fn settings_round_trip_through_their_input() {
        let s = PracticeSettings::default();
        assert_eq!(s.to_input().validate().unwrap(), s);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["time_zone"], "America/Toronto");
        assert_eq!(serde_json::from_value::<PracticeSettings>(json).unwrap(), s);
    }

    #[test]
    fn group_settings_are_bounded_and_default_for_settings_saved_before_them() {
        let s = PracticeSettings::default();
        let mut json = serde_json::to_value(&s).unwrap();
        json.as_object_mut().unwrap().remove("party_changeover_minutes");
        json.as_object_mut().unwrap().remove("chair_breaks");
        let old = serde_json::from_value::<PracticeSettings>(json).unwrap();
        assert_eq!(old, s, "saved before they existed");
        assert_eq!(
            (old.party_changeover_minutes, old.chair_breaks),
            (10, crate::events::chair::ChairBreaks::default())
        );
        let bad = PracticeSettingsInput {
            party_changeover_minutes: 90,
            chair_breaks: crate::events::chair::ChairBreaks { every_minutes: 5, length_minutes: 45 },
            ..Default::default()
        };
        let fields: Vec<String> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["party_changeover_minutes", "chair_breaks.every_minutes", "chair_breaks.length_minutes"]);
    }
}
