//! When a therapist works: weekly hours, a date's own hours, time off, and where they start from.
//!
//! Hours are local wall-clock minutes since midnight (`0..=1440`), kept as [`DayWindows`]: sorted, each
//! ending after it starts, none overlapping. Every way in (the API, the manager's forms, the store) goes
//! through the same rule.

use crate::catalog::{ServiceId, TherapistId};
use crate::geo::GeoPoint;
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Minutes in a day's wall clock; `24:00` is allowed as an end.
pub const DAY_MINUTES: i64 = 24 * 60;

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

/// Why a window cannot join a day's windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("must be within the day, 00:00 to 24:00")]
    OutsideTheDay,
    #[error("must be after the start")]
    EndsBeforeItStarts,
    #[error("overlaps other hours on the same day")]
    Overlaps,
}

/// One day's working windows, `[start, end)` in local minutes since midnight: sorted, each within the
/// day and ending after it starts, none overlapping (touching is fine). Empty is a day off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<(i64, i64)>", into = "Vec<(i64, i64)>")]
pub struct DayWindows(Vec<(i64, i64)>);

/// One window as typed into a form or an API body, with the field names its errors go under.
#[derive(Debug, Clone, Copy)]
pub struct TypedWindow<'a> {
    pub start_field: &'a str,
    pub end_field: &'a str,
    pub start: &'a str,
    pub end: &'a str,
}

impl DayWindows {
    /// No hours: a day off.
    pub fn day_off() -> DayWindows {
        DayWindows(Vec::new())
    }

    pub fn new(windows: impl IntoIterator<Item = (i64, i64)>) -> Result<DayWindows, WindowError> {
        let mut day = DayWindows::day_off();
        for (start, end) in windows {
            day.add(start, end)?;
        }
        Ok(day)
    }

    /// Adds a window, keeping the list sorted; the overlap rule.
    pub fn add(&mut self, start: i64, end: i64) -> Result<(), WindowError> {
        if !(0..=DAY_MINUTES).contains(&start) || !(0..=DAY_MINUTES).contains(&end) {
            return Err(WindowError::OutsideTheDay);
        }
        if end <= start {
            return Err(WindowError::EndsBeforeItStarts);
        }
        if self.0.iter().any(|&(s, e)| s < end && start < e) {
            return Err(WindowError::Overlaps);
        }
        let at = self.0.partition_point(|&(s, _)| s < start);
        self.0.insert(at, (start, end));
        Ok(())
    }

    /// Adds a window typed as clock times, pushing what is wrong with it under its own field names:
    /// an unreadable time under its field, an end before the start under the end, an overlap under the start.
    pub fn add_typed(&mut self, errors: &mut ValidationErrors, typed: TypedWindow<'_>) {
        let start = errors.take(parse_clock(typed.start_field, typed.start));
        let end = errors.take(parse_clock(typed.end_field, typed.end));
        let (Some(start), Some(end)) = (start, end) else { return };
        match self.add(start, end) {
            Ok(()) => {}
            Err(WindowError::Overlaps) => {
                errors.push(FieldError::new("overlaps", typed.start_field, WindowError::Overlaps.to_string()))
            }
            Err(e) => errors.push(FieldError::new("invalid", typed.end_field, e.to_string())),
        }
    }

    pub fn as_slice(&self) -> &[(i64, i64)] {
        &self.0
    }

    pub fn is_day_off(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<Vec<(i64, i64)>> for DayWindows {
    type Error = WindowError;

    fn try_from(windows: Vec<(i64, i64)>) -> Result<DayWindows, WindowError> {
        DayWindows::new(windows)
    }
}

impl From<DayWindows> for Vec<(i64, i64)> {
    fn from(day: DayWindows) -> Vec<(i64, i64)> {
        day.0
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
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<(i64, i64)>))]
    pub windows: DayWindows,
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
        e.finish(|| Some(ScheduleDraft { base: base?, radius_km: self.radius_km, service_ids, weekly }))
    }
}

/// Each weekday's rows go through that day's [`DayWindows`], so the overlap rule is the one dates use.
fn validate_weekly(e: &mut ValidationErrors, rows: &[WeeklyHoursInput]) -> Vec<WeeklyWindow> {
    let mut days: [DayWindows; 7] = Default::default();
    for (i, row) in rows.iter().enumerate() {
        if !(1..=7).contains(&row.weekday) {
            e.push(FieldError::new("out_of_range", format!("weekly[{i}].weekday"), "must be 1 (Monday) to 7 (Sunday)"));
            continue;
        }
        let (start_field, end_field) = (format!("weekly[{i}].start"), format!("weekly[{i}].end"));
        let typed = TypedWindow { start_field: &start_field, end_field: &end_field, start: &row.start, end: &row.end };
        days[row.weekday as usize - 1].add_typed(e, typed);
    }
    (1..=7i8)
        .zip(days)
        .flat_map(|(weekday, day)| {
            day.0.into_iter().map(move |(start_minute, end_minute)| WeeklyWindow { weekday, start_minute, end_minute })
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stay_sorted_and_refuse_overlaps() {
        let day = DayWindows::new([(13 * 60, 17 * 60), (9 * 60, 12 * 60), (12 * 60, 13 * 60)]).unwrap();
        assert_eq!(day.as_slice(), [(540, 720), (720, 780), (780, 1020)], "touching is fine");
        assert_eq!(DayWindows::new([(540, 720), (700, 800)]), Err(WindowError::Overlaps));
        assert_eq!(DayWindows::new([(600, 600)]), Err(WindowError::EndsBeforeItStarts));
        assert_eq!(DayWindows::new([(-5, 60)]), Err(WindowError::OutsideTheDay));
        let stored: Result<DayWindows, _> = serde_json::from_str("[[600,700],[650,800]]");
        assert!(stored.is_err(), "overlapping windows cannot be read back either");
    }

    #[test]
    fn typed_windows_name_the_field_at_fault() {
        let mut e = ValidationErrors::default();
        let mut day = DayWindows::day_off();
        let row = |start, end| TypedWindow { start_field: "a_start", end_field: "a_end", start, end };
        day.add_typed(&mut e, row("09:00", "12:00"));
        day.add_typed(&mut e, row("11:00", "13:00"));
        day.add_typed(&mut e, row("14:00", "13:00"));
        day.add_typed(&mut e, row("9am", "13:00"));
        let found: Vec<_> = e.0.iter().map(|x| (x.code, x.field.as_str())).collect();
        assert_eq!(found, [("overlaps", "a_start"), ("invalid", "a_end"), ("invalid", "a_start")]);
        assert_eq!(day.as_slice(), [(540, 720)]);
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
                WeeklyHoursInput { weekday: 3, start: "09:00".into(), end: "12:00".into() },
                WeeklyHoursInput { weekday: 3, start: "11:00".into(), end: "13:00".into() },
            ],
        };
        let errs = input.validate().unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["base_lat", "radius_km", "weekly[0].weekday", "weekly[1].start", "weekly[2].end", "weekly[4].start"]
        );
    }
}
