//! The practice's calendar: its settings, each therapist's working hours, overrides and time off, and
//! the conversion from wall-clock hours in the practice's time zone to the engine's absolute minutes.
//!
//! All daylight-saving handling lives here: hours are kept as local wall-clock minutes and turned into
//! instants with jiff, day by day, so a 23- or 25-hour day comes out right and the engine never sees a zone.

use crate::catalog::{ServiceId, TherapistId};
use crate::schedule::{Day, GeoPoint, Minute, RouteDay, Stop, TravelTimes};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// The absolute minute (since the Unix epoch) an instant falls in.
pub fn minute_of(ts: Timestamp) -> Minute {
    ts.as_second().div_euclid(60)
}

/// The instant a minute starts.
pub fn instant_of(minute: Minute) -> Timestamp {
    Timestamp::from_second(minute * 60).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The area the practice serves: a circle around a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        crate::schedule::haversine_km(self.center(), place) <= self.radius_km
    }
}

/// Settings a manager sets for booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PracticeSettings {
    /// IANA zone, e.g. `America/Toronto`; every wall-clock time in the practice is in it.
    pub time_zone: String,
    pub service_area: ServiceArea,
    /// Minutes between bookable starts (15 by default).
    pub grid_minutes: i64,
    /// The earliest a visit may start, in minutes from now.
    pub lead_minutes: i64,
    /// Cancelling or rescheduling needs at least this many hours' notice.
    pub cancel_notice_hours: i64,
    /// Kilometres (straight line from the nearest therapist's base) included in the price.
    pub travel_fee_free_km: f64,
    /// Cents charged per kilometre beyond the free distance.
    pub travel_fee_cents_per_km: i64,
    /// Road distance as a multiple of the straight line, for the default travel model.
    pub road_factor: f64,
    /// Average driving speed, for the default travel model.
    pub speed_kmh: f64,
}

impl Default for PracticeSettings {
    fn default() -> Self {
        PracticeSettings {
            time_zone: "America/Toronto".into(),
            service_area: ServiceArea { lat: 43.6532, lon: -79.3832, radius_km: 30.0 },
            grid_minutes: 15,
            lead_minutes: 120,
            cancel_notice_hours: 24,
            travel_fee_free_km: 10.0,
            travel_fee_cents_per_km: 100,
            road_factor: 1.3,
            speed_kmh: 30.0,
        }
    }
}

impl PracticeSettings {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if TimeZone::get(&self.time_zone).is_err() {
            e.push(FieldError::new("invalid", "time_zone", "must be an IANA time zone such as America/Toronto"));
        }
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
        if !(self.travel_fee_free_km.is_finite() && (0.0..=500.0).contains(&self.travel_fee_free_km)) {
            e.push(FieldError::new("out_of_range", "travel_fee_free_km", "must be between 0 and 500"));
        }
        e.range("travel_fee_cents_per_km", self.travel_fee_cents_per_km, 0, 100_000, " cents");
        positive(&mut e, "road_factor", self.road_factor, 5.0);
        positive(&mut e, "speed_kmh", self.speed_kmh, 200.0);
        e.finish(|| ())
    }

    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.time_zone).unwrap_or(TimeZone::UTC)
    }

    /// The fee for a visit `distance_km` (straight line) from the therapist's base.
    pub fn travel_fee_cents(&self, distance_km: f64) -> i64 {
        let chargeable = (distance_km - self.travel_fee_free_km).max(0.0);
        (chargeable * self.travel_fee_cents_per_km as f64).round() as i64
    }

    /// Whether a visit starting at `start` may still be cancelled or moved at `now`.
    pub fn may_change(&self, start: Timestamp, now: Timestamp) -> bool {
        now + self.cancel_notice_hours.hours() <= start
    }
}

/// Working hours on one weekday, as local wall-clock minutes since midnight (half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklyWindow {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i8,
    pub start_minute: i64,
    pub end_minute: i64,
}

/// A dated change to a therapist's hours: these windows replace the weekly ones that day (none = day off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayOverride {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub windows: Vec<(i64, i64)>,
}

/// Time off between two instants (vacation, an appointment), removed from any working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOff {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub start: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub end: Timestamp,
}

/// Where a therapist works from and when: private (home bases are never public).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TherapistSchedule {
    pub therapist_id: TherapistId,
    pub base: GeoPoint,
    pub radius_km: f64,
    pub service_ids: Vec<ServiceId>,
    pub weekly: Vec<WeeklyWindow>,
    pub overrides: Vec<DayOverride>,
    pub time_off: Vec<TimeOff>,
}

/// Parses "09:30" into minutes since midnight ("24:00" is allowed as an end).
pub fn parse_clock(field: &str, text: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new("invalid", field, "must be a time like 09:00 or 17:30");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_clock(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A therapist's schedule as a manager submits it; `validate` checks every part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    pub base_lat: f64,
    pub base_lon: f64,
    pub radius_km: f64,
    pub service_ids: Vec<i64>,
    /// Weekly hours: `{"weekday": 1, "start": "09:00", "end": "17:00"}`; several per day for split shifts.
    pub weekly: Vec<WeeklyHoursInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeeklyHoursInput {
    pub weekday: i8,
    pub start: String,
    pub end: String,
}

/// The validated parts of a `ScheduleInput`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleDraft {
    pub base: GeoPoint,
    pub radius_km: f64,
    pub service_ids: Vec<ServiceId>,
    pub weekly: Vec<WeeklyWindow>,
}

impl ScheduleInput {
    pub fn validate(&self) -> Result<ScheduleDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let base = GeoPoint::parse(self.base_lat, self.base_lon)
            .map_err(|err| e.push(FieldError::new(err.code, format!("base_{}", err.field), err.detail)))
            .ok();
        if !(self.radius_km.is_finite() && self.radius_km > 0.0 && self.radius_km <= 200.0) {
            e.push(FieldError::new("out_of_range", "radius_km", "must be above 0 and at most 200 km"));
        }
        let mut service_ids: Vec<ServiceId> = self.service_ids.iter().map(|&i| ServiceId(i)).collect();
        service_ids.sort();
        service_ids.dedup();
        let weekly = validate_weekly(&mut e, &self.weekly);
        e.finish(|| ScheduleDraft { base: base.unwrap(), radius_km: self.radius_km, service_ids, weekly })
    }
}

fn validate_weekly(e: &mut ValidationErrors, rows: &[WeeklyHoursInput]) -> Vec<WeeklyWindow> {
    let mut out: Vec<WeeklyWindow> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if !(1..=7).contains(&row.weekday) {
            e.push(FieldError::new("out_of_range", format!("weekly[{i}].weekday"), "must be 1 (Monday) to 7 (Sunday)"));
            continue;
        }
        let start = parse_clock(&format!("weekly[{i}].start"), &row.start).map_err(|err| e.push(err)).ok();
        let end = parse_clock(&format!("weekly[{i}].end"), &row.end).map_err(|err| e.push(err)).ok();
        let (Some(start), Some(end)) = (start, end) else { continue };
        if end <= start {
            e.push(FieldError::new("invalid", format!("weekly[{i}].end"), "must be after the start"));
            continue;
        }
        if out.iter().any(|w| w.weekday == row.weekday && w.start_minute < end && start < w.end_minute) {
            e.push(FieldError::new("overlaps", format!("weekly[{i}]"), "overlaps other hours on the same day"));
            continue;
        }
        out.push(WeeklyWindow { weekday: row.weekday, start_minute: start, end_minute: end });
    }
    out.sort_by_key(|w| (w.weekday, w.start_minute));
    out
}

/// The absolute minute at which local wall-clock `minute_of_day` on `date` happens. A time in a
/// spring-forward gap moves forward by the gap; one in a fall-back fold takes the first occurrence.
pub fn local_minute(tz: &TimeZone, date: Date, minute_of_day: i64) -> Minute {
    let (date, minute_of_day) = if minute_of_day >= 24 * 60 {
        (date.tomorrow().unwrap_or(date), minute_of_day - 24 * 60)
    } else {
        (date, minute_of_day)
    };
    let time = Time::new((minute_of_day / 60) as i8, (minute_of_day % 60) as i8, 0, 0).unwrap_or(Time::midnight());
    let zoned = date.to_datetime(time).to_zoned(tz.clone()).expect("a civil date within jiff's range");
    minute_of(zoned.timestamp())
}

/// One local calendar day in absolute minutes (23 or 25 hours long on daylight-saving days).
pub fn local_day(tz: &TimeZone, date: Date) -> Day {
    Day { origin: local_minute(tz, date, 0), end: local_minute(tz, date, 24 * 60) }
}

/// The local date an instant falls on.
pub fn local_date(tz: &TimeZone, ts: Timestamp) -> Date {
    ts.to_zoned(tz.clone()).date()
}

impl TherapistSchedule {
    /// Working windows on `date` in absolute minutes: the day's override or its weekly hours, less time off.
    pub fn windows_on(&self, tz: &TimeZone, date: Date) -> Vec<(Minute, Minute)> {
        let local: Vec<(i64, i64)> = match self.overrides.iter().find(|o| o.date == date) {
            Some(o) => o.windows.clone(),
            None => {
                let weekday = date.weekday().to_monday_one_offset();
                self.weekly.iter().filter(|w| w.weekday == weekday).map(|w| (w.start_minute, w.end_minute)).collect()
            }
        };
        let mut windows: Vec<(Minute, Minute)> = local
            .into_iter()
            .map(|(s, e)| (local_minute(tz, date, s), local_minute(tz, date, e)))
            .filter(|(s, e)| e > s)
            .collect();
        for off in &self.time_off {
            // Time off covers every minute it touches.
            let (off_start, off_end) = (minute_of(off.start), -(-off.end.as_second()).div_euclid(60));
            windows = windows
                .into_iter()
                .flat_map(|(s, e)| {
                    if off_end <= s || e <= off_start {
                        vec![(s, e)]
                    } else {
                        [(s, off_start.min(e)), (off_end.max(s), e)].into_iter().filter(|(a, b)| b > a).collect()
                    }
                })
                .collect();
        }
        windows.sort();
        windows
    }

    /// The engine's view of this therapist on `date`, with the visits already booked.
    pub fn route_day(&self, tz: &TimeZone, date: Date, stops: Vec<Stop>, travel: &dyn TravelTimes) -> RouteDay {
        RouteDay::new(self.therapist_id, self.base, self.radius_km, self.windows_on(tz, date), stops, travel)
    }

    pub fn offers(&self, service: ServiceId) -> bool {
        self.service_ids.contains(&service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn toronto() -> TimeZone {
        TimeZone::get("America/Toronto").unwrap()
    }

    fn schedule() -> TherapistSchedule {
        TherapistSchedule {
            therapist_id: TherapistId(1),
            base: GeoPoint { lat: 43.65, lon: -79.38 },
            radius_km: 20.0,
            service_ids: vec![ServiceId(1)],
            weekly: (1..=7).map(|d| WeeklyWindow { weekday: d, start_minute: 9 * 60, end_minute: 17 * 60 }).collect(),
            overrides: vec![],
            time_off: vec![],
        }
    }

    #[test]
    fn daylight_saving_days_are_23_and_25_hours_long() {
        let tz = toronto();
        let spring = local_day(&tz, date(2026, 3, 8));
        assert_eq!(spring.end - spring.origin, 23 * 60);
        let fall = local_day(&tz, date(2026, 11, 1));
        assert_eq!(fall.end - fall.origin, 25 * 60);
        let plain = local_day(&tz, date(2026, 6, 1));
        assert_eq!(plain.end - plain.origin, 24 * 60);
    }

    #[test]
    fn working_hours_keep_their_wall_clock_time_across_transitions() {
        let tz = toronto();
        for d in [
            date(2026, 3, 7),
            date(2026, 3, 8),
            date(2026, 3, 9),
            date(2026, 10, 31),
            date(2026, 11, 1),
            date(2026, 11, 2),
        ] {
            let windows = schedule().windows_on(&tz, d);
            assert_eq!(windows.len(), 1);
            let start = instant_of(windows[0].0).to_zoned(tz.clone());
            let end = instant_of(windows[0].1).to_zoned(tz.clone());
            assert_eq!((start.hour(), start.minute(), end.hour()), (9, 0, 17), "{d}");
            assert_eq!(windows[0].1 - windows[0].0, 8 * 60, "{d}: eight hours of work");
        }
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_and_a_fold_takes_the_first() {
        let tz = toronto();
        let gap = instant_of(local_minute(&tz, date(2026, 3, 8), 2 * 60 + 30)).to_zoned(tz.clone());
        assert_eq!((gap.hour(), gap.minute()), (3, 30));
        let fold = instant_of(local_minute(&tz, date(2026, 11, 1), 60 + 30)).to_zoned(tz.clone());
        assert_eq!(fold.offset(), jiff::tz::offset(-4), "the first 01:30 is still daylight time");
    }

    #[test]
    fn overrides_replace_a_day_and_time_off_cuts_hours() {
        let tz = toronto();
        let mut s = schedule();
        s.overrides.push(DayOverride { date: date(2026, 6, 2), windows: vec![] });
        s.overrides.push(DayOverride { date: date(2026, 6, 3), windows: vec![(12 * 60, 20 * 60)] });
        assert!(s.windows_on(&tz, date(2026, 6, 2)).is_empty());
        let w = s.windows_on(&tz, date(2026, 6, 3));
        assert_eq!(w[0].1 - w[0].0, 8 * 60);
        let noon = local_minute(&tz, date(2026, 6, 4), 12 * 60);
        s.time_off.push(TimeOff { id: 1, start: instant_of(noon), end: instant_of(noon + 60) });
        let w = s.windows_on(&tz, date(2026, 6, 4));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].1, noon);
        assert_eq!(w[1].0, noon + 60);
    }

    #[test]
    fn schedule_input_names_each_bad_field() {
        let input = ScheduleInput {
            base_lat: 95.0,
            base_lon: -79.0,
            radius_km: 0.0,
            service_ids: vec![1],
            weekly: vec![
                WeeklyHoursInput { weekday: 8, start: "09:00".into(), end: "17:00".into() },
                WeeklyHoursInput { weekday: 1, start: "9am".into(), end: "17:00".into() },
                WeeklyHoursInput { weekday: 2, start: "17:00".into(), end: "09:00".into() },
            ],
        };
        let errs = input.validate().unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["base_lat", "radius_km", "weekly[0].weekday", "weekly[1].start", "weekly[2].end"]);
    }

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
        assert!(s.may_change(now + 24.hours(), now));
        assert!(!s.may_change(now + 23.hours(), now));
    }
}
