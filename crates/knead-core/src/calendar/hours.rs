//! When a therapist works: weekly hours, a date's own hours, time off, and where they start from.
//!
//! Hours are local wall-clock minutes since midnight (`0..=1440`), kept as [`DayWindows`]: sorted, each
//! ending after it starts, none overlapping. Every way in (the API, the manager's forms, the store) goes
//! through the same rule.
//!
//! Times are read two ways: the API takes exactly "HH:MM" ([`parse_clock`], as its schema says); the pages'
//! forms take what people type ([`read_clock`]: "930", "9.30", "5pm", "noon"). Both give the same minutes.
//! [`within_windows`] and [`overlaps`] are the rules for which booked visits a change to the hours leaves
//! outside them.

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

/// What is wrong with a time typed into a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unread {
    /// Nothing typed.
    Empty,
    /// Not a shape of time we know.
    Shape,
    /// A 24-hour time past 24:00, or minutes past 59.
    Range,
    /// An hour of 0 or over 12 with am or pm.
    HalfDay,
}

impl Unread {
    fn error(self, field: &str) -> FieldError {
        let (code, detail) = match self {
            Unread::Empty => ("required", "is required: a time like 9:30 or 5pm"),
            Unread::Shape => ("invalid", "is not a time we can read; write it like 9:30, 17:30 or 5:30pm"),
            Unread::Range => ("out_of_range", "must be between 00:00 and 24:00, like 9:30 or 17:30"),
            Unread::HalfDay => ("invalid", "with am or pm the hour is 1 to 12, like 5pm or 12am for midnight"),
        };
        FieldError::new(code, field, detail)
    }
}

/// Reads a time of day as people type it into a form, into minutes since midnight:
///
/// - 24-hour: "9", "17", "930", "0930", "9:30", "09:30", "9.30", "17h", "17h30", "24:00" (an end);
/// - 12-hour: "5pm", "5 pm", "5:30pm", "5:30 PM", "5.30 p.m.", "12am" (midnight), "12pm";
/// - words: "noon", "midnight".
///
/// Without am or pm a time is on the 24-hour clock ("5" is 05:00). Minutes are always two digits after a
/// separator, so "9.5" (9:05? half past 9?) is refused rather than guessed. An error names `field` and
/// shows how to write a time.
pub fn read_clock(field: &str, text: &str) -> Result<i64, FieldError> {
    read_clock_text(text).map(|(minute, _)| minute).map_err(|why| why.error(field))
}

/// The minute, and whether the text said am, pm, noon or midnight.
fn read_clock_text(text: &str) -> Result<(i64, bool), Unread> {
    let lower = text.trim().to_ascii_lowercase();
    match lower.as_str() {
        "" => return Err(Unread::Empty),
        "noon" | "midday" => return Ok((12 * 60, true)),
        "midnight" => return Ok((0, true)),
        _ => {}
    }
    let mut afternoon = None;
    let mut rest = lower.as_str();
    for (suffix, pm) in [("a.m.", false), ("a.m", false), ("am", false), ("p.m.", true), ("p.m", true), ("pm", true)] {
        if let Some(before) = lower.strip_suffix(suffix) {
            afternoon = Some(pm);
            rest = before.trim_end();
            break;
        }
    }
    let rest = rest.strip_suffix('h').unwrap_or(rest);
    let (hour, minute) = clock_digits(rest).ok_or(Unread::Shape)?;
    if minute >= 60 {
        return Err(Unread::Range);
    }
    match afternoon {
        None if hour < 24 || (hour == 24 && minute == 0) => Ok((hour * 60 + minute, false)),
        None => Err(Unread::Range),
        Some(_) if !(1..=12).contains(&hour) => Err(Unread::HalfDay),
        Some(pm) => Ok(((hour % 12 + if pm { 12 } else { 0 }) * 60 + minute, true)),
    }
}

/// "9" / "17" (hours), "930" / "0930" (hours then two digits of minutes), or hours, one of `:` `.` `h`, and
/// two digits of minutes. ASCII digits only: no signs, no spaces inside.
fn clock_digits(text: &str) -> Option<(i64, i64)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<i64>().ok();
    if let Some((h, m)) = text.split_once([':', '.', 'h']) {
        if !(digits(h) && h.len() <= 2 && digits(m) && m.len() == 2) {
            return None;
        }
        return Some((number(h)?, number(m)?));
    }
    if !digits(text) {
        return None;
    }
    match text.len() {
        1 | 2 => Some((number(text)?, 0)),
        3 | 4 => {
            let (h, m) = text.split_at(text.len() - 2);
            Some((number(h)?, number(m)?))
        }
        _ => None,
    }
}

/// Whether `[start, end)` lies wholly inside the working time `windows` make (in any order; windows that
/// touch or overlap make one stretch). Any units, as long as they are the same.
pub fn within_windows(windows: &[(i64, i64)], start: i64, end: i64) -> bool {
    let mut sorted = windows.to_vec();
    sorted.sort_unstable();
    let mut stretches: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        match stretches.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => stretches.push((s, e)),
        }
    }
    stretches.iter().any(|&(s, e)| s <= start && end <= e)
}

/// Whether two half-open spans share a moment: a visit and time off that only touch do not clash.
pub fn overlaps<T: PartialOrd>(a: (T, T), b: (T, T)) -> bool {
    a.0 < b.1 && b.0 < a.1
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
        self.add_named(errors, typed, start, end, "");
    }

    /// As [`add_typed`](Self::add_typed), reading the times as people type them into a form
    /// ([`read_clock`]). An end of midnight ("0", "12am") is the end of the day, the one thing it can mean
    /// there; an end before the start written without am or pm, that would fit in the afternoon, gets a hint.
    pub fn add_read(&mut self, errors: &mut ValidationErrors, typed: TypedWindow<'_>) {
        let start = errors.take(read_clock(typed.start_field, typed.start));
        let end = read_window_end(typed.end_field, typed.end);
        let end = errors.take(end.map(|(minute, _)| minute));
        let (Some(start), Some(end)) = (start, end) else { return };
        let hint = afternoon_hint(typed.end, start, end);
        self.add_named(errors, typed, start, end, &hint);
    }

    /// Adds `[start, end)`, pushing a refusal under the field at fault (`hint` added to an end before the start).
    fn add_named(&mut self, errors: &mut ValidationErrors, typed: TypedWindow<'_>, start: i64, end: i64, hint: &str) {
        match self.add(start, end) {
            Ok(()) => {}
            Err(WindowError::Overlaps) => {
                errors.push(FieldError::new("overlaps", typed.start_field, WindowError::Overlaps.to_string()))
            }
            Err(e) => errors.push(FieldError::new("invalid", typed.end_field, format!("{e}{hint}"))),
        }
    }

    pub fn as_slice(&self) -> &[(i64, i64)] {
        &self.0
    }

    pub fn is_day_off(&self) -> bool {
        self.0.is_empty()
    }
}

/// The end of a working window as typed into a form: [`read_clock`], with midnight read as the end of the day
/// (24:00); also whether am, pm or a word was given.
pub fn read_window_end(field: &str, text: &str) -> Result<(i64, bool), FieldError> {
    let (minute, said) = read_clock_text(text).map_err(|why| why.error(field))?;
    Ok((if minute == 0 { DAY_MINUTES } else { minute }, said))
}

/// "; for the afternoon write 5pm or 17:00" when an end typed without am or pm comes before `start` but
/// twelve hours later would not: "9" to "5" most likely means until five in the afternoon.
fn afternoon_hint(end_text: &str, start: i64, end: i64) -> String {
    match read_clock_text(end_text) {
        Ok((_, false)) if end <= start && end < 12 * 60 && end + 12 * 60 > start && end >= 60 => {
            let pm = end + 12 * 60;
            let (hour, minute) = ((pm / 60) - 12, pm % 60);
            let twelve = if minute == 0 { format!("{hour}pm") } else { format!("{hour}:{minute:02}pm") };
            format!("; for the afternoon write {twelve} or {}", format_clock(pm))
        }
        _ => String::new(),
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
    /// The therapist's stated gender (from the profile), for clients who ask for a woman or a man.
    pub gender: Option<crate::catalog::Gender>,
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
    fn times_are_read_as_people_type_them() {
        let read = |text: &str| read_clock("from", text).map(format_clock).map_err(|e| (e.code, e.field));
        for (text, minute) in [
            ("9", "09:00"),
            ("17", "17:00"),
            ("930", "09:30"),
            ("0930", "09:30"),
            ("9:30", "09:30"),
            ("09:30", "09:30"),
            ("9.30", "09:30"),
            (" 17h ", "17:00"),
            ("17h30", "17:30"),
            ("5pm", "17:00"),
            ("5 pm", "17:00"),
            ("5:30pm", "17:30"),
            ("5:30 PM", "17:30"),
            ("5.30 p.m.", "17:30"),
            ("9am", "09:00"),
            ("12am", "00:00"),
            ("12:15am", "00:15"),
            ("12pm", "12:00"),
            ("Noon", "12:00"),
            ("midnight", "00:00"),
            ("0", "00:00"),
            ("24", "24:00"),
            ("24:00", "24:00"),
        ] {
            assert_eq!(read(text), Ok(minute.to_string()), "{text:?}");
        }
        for (text, code) in [
            ("", "required"),
            (" ", "required"),
            ("pm", "invalid"),
            ("9.5", "invalid"),
            ("9:5", "invalid"),
            ("12345", "invalid"),
            ("+930", "invalid"),
            ("9 30", "invalid"),
            ("٩:٣٠", "invalid"),
            ("half nine", "invalid"),
            ("25", "out_of_range"),
            ("24:30", "out_of_range"),
            ("9:60", "out_of_range"),
            ("13pm", "invalid"),
            ("0am", "invalid"),
        ] {
            assert_eq!(read(text), Err((code, "from".to_string())), "{text:?}");
        }
        assert!(read_clock("from", "13pm").unwrap_err().detail.contains("12am for midnight"));
        assert!(read_clock("from", "9.5").unwrap_err().detail.contains("9:30"), "the message shows how");
    }

    #[test]
    fn a_window_typed_in_a_form_ends_at_midnight_and_hints_at_the_afternoon() {
        let mut e = ValidationErrors::default();
        let mut day = DayWindows::day_off();
        let row = |start, end| TypedWindow { start_field: "s", end_field: "e", start, end };
        day.add_read(&mut e, row("6pm", "12am"));
        day.add_read(&mut e, row("9", "5"));
        day.add_read(&mut e, row("9", "12"));
        assert_eq!(day.as_slice(), [(540, 720), (1080, 1440)], "midnight ends the day");
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "e");
        assert_eq!(e.0[0].detail, "must be after the start; for the afternoon write 5pm or 17:00");
        let mut e = ValidationErrors::default();
        DayWindows::day_off().add_read(&mut e, row("12:00", "1:30"));
        assert_eq!(e.0[0].detail, "must be after the start; for the afternoon write 1:30pm or 13:30");
        let mut e = ValidationErrors::default();
        DayWindows::day_off().add_read(&mut e, row("14:00", "9am"));
        assert_eq!(e.0[0].detail, "must be after the start", "am was said: no guessing");
        let mut e = ValidationErrors::default();
        DayWindows::day_off().add_read(&mut e, row("14:00", "1:30"));
        assert_eq!(e.0[0].detail, "must be after the start", "1:30pm is before 14:00 too: no hint");
    }

    #[test]
    fn a_visit_is_within_working_windows_only_when_wholly_inside_one_stretch() {
        let windows = [(780, 1020), (540, 720), (720, 780)];
        assert!(within_windows(&windows, 600, 660));
        assert!(within_windows(&windows, 700, 800), "touching windows make one stretch");
        assert!(!within_windows(&windows, 1000, 1080), "runs past the end");
        assert!(!within_windows(&[], 600, 660), "a day off holds nothing");
        assert!(overlaps((1, 5), (4, 9)) && !overlaps((1, 5), (5, 9)), "touching does not overlap");
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
