//! Recurring visits: a series repeats a visit weekly or every N weeks at the same local wall-clock time in
//! the practice's zone, so a 10:00 visit stays at 10:00 across a daylight-saving change. Each occurrence is
//! checked and booked like any other booking; one that clashes is reported, never squeezed in.

use crate::calendar::{add_days, instant_of, local_minute};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesId(pub i64);

/// The longest gap between two visits of a series, in weeks.
pub const MAX_EVERY_WEEKS: i64 = 8;
/// The most visits one series books (half a year of weekly visits).
pub const MAX_VISITS: i64 = 26;

/// How a visit repeats: every `every_weeks` weeks, `visits` times in all (the first included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeat {
    pub every_weeks: i64,
    pub visits: i64,
}

impl Repeat {
    /// Checks the two numbers, naming the field that is out of range.
    pub fn parse(every_weeks: i64, visits: i64) -> Result<Repeat, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(1..=MAX_EVERY_WEEKS).contains(&every_weeks) {
            e.push(FieldError::new(
                "out_of_range",
                "every_weeks",
                format!("must be a whole number of weeks from 1 to {MAX_EVERY_WEEKS}"),
            ));
        }
        if !(2..=MAX_VISITS).contains(&visits) {
            e.push(FieldError::new("out_of_range", "visits", format!("must be from 2 to {MAX_VISITS} visits")));
        }
        e.finish(|| Some(Repeat { every_weeks, visits }))
    }
}

/// A series as it is stored: the first visit's local date and wall-clock time, and the zone they are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSeries {
    pub first_date: Date,
    pub local_time: Time,
    /// The IANA name of the practice's zone when the series was booked.
    pub zone: String,
    pub repeat: Repeat,
    /// A repeated request with this key finds the series it made.
    pub idempotency_key: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub id: SeriesId,
    pub series: NewSeries,
}

impl NewSeries {
    /// The series whose first visit starts at `first` in `tz` (named `zone`).
    pub fn starting(first: Timestamp, tz: &TimeZone, zone: &str, repeat: Repeat, now: Timestamp) -> NewSeries {
        let local = first.to_zoned(tz.clone());
        NewSeries {
            first_date: local.date(),
            local_time: local.time(),
            zone: zone.to_string(),
            repeat,
            idempotency_key: None,
            created_at: now,
        }
    }

    /// Each visit's start: the same wall-clock time on every `every_weeks`-th week. A time that a spring
    /// change skips moves forward by the gap; one a fall change repeats takes the first (as every local
    /// time in knead does).
    pub fn starts(&self, tz: &TimeZone) -> Vec<Timestamp> {
        let minute_of_day = i64::from(self.local_time.hour()) * 60 + i64::from(self.local_time.minute());
        (0..self.repeat.visits)
            .map(|k| {
                let date = add_days(self.first_date, k * 7 * self.repeat.every_weeks);
                let start = instant_of(local_minute(tz, date, minute_of_day));
                // Seconds the wall clock carries (none on the practice's grid) are kept.
                start.checked_add(jiff::SignedDuration::from_secs(i64::from(self.local_time.second()))).unwrap_or(start)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_series_keeps_its_wall_clock_time_across_the_spring_change() {
        let tz = TimeZone::get("Europe/Helsinki").unwrap();
        let first: Timestamp = "2027-03-16T08:00:00Z".parse().unwrap(); // 10:00 in Helsinki (+02)
        let s = NewSeries::starting(first, &tz, "Europe/Helsinki", Repeat::parse(1, 3).unwrap(), first);
        let starts: Vec<String> = s.starts(&tz).iter().map(|t| t.to_string()).collect();
        // Summer time starts on 28 March 2027: the third visit is 10:00 at +03, an hour earlier in UTC.
        assert_eq!(starts, ["2027-03-16T08:00:00Z", "2027-03-23T08:00:00Z", "2027-03-30T07:00:00Z"]);
    }

    #[test]
    fn every_n_weeks_spaces_the_visits() {
        let tz = TimeZone::get("America/Toronto").unwrap();
        let first: Timestamp = "2027-10-26T13:30:00Z".parse().unwrap(); // 09:30 at -04
        let s = NewSeries::starting(first, &tz, "America/Toronto", Repeat::parse(2, 2).unwrap(), first);
        // Two weeks on is after the fall change (7 November): 09:30 at -05.
        assert_eq!(s.starts(&tz)[1].to_string(), "2027-11-09T14:30:00Z");
    }

    #[test]
    fn out_of_range_numbers_name_their_field() {
        let e = Repeat::parse(0, 27).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["every_weeks", "visits"]);
        assert!(Repeat::parse(8, 26).is_ok());
    }
}
