//! The practice's calendar: its settings, each therapist's working hours, overrides and time off, and
//! the conversion from wall-clock hours in the practice's time zone to the engine's absolute minutes.
//!
//! All daylight-saving handling lives here: hours are kept as local wall-clock minutes and turned into
//! instants with jiff, day by day, so a 23- or 25-hour day comes out right and the engine never sees a zone.
//!
//! - [`settings`]: the practice's zone, service area, grid, notice policy and travel fee.
//! - [`hours`]: weekly hours, a date's own hours ([`DayWindows`], with the overlap rule), time off.
//! - [`wall_clock`]: how the practice writes times and dates (12- or 24-hour clock, date style).
//! - [`dates`]: the range of dates and instants requests may name, and arithmetic on them that cannot panic.
//! - here: local dates and minutes, a therapist's windows on a date, and the route-days of a set of dates.

pub mod dates;
pub mod hours;
pub mod ics;
pub mod settings;
pub mod wall_clock;

pub use dates::{
    add_days, add_minutes, check_date, check_instant, parse_date, parse_instant, step_days, EARLIEST_DATE, LATEST_DATE,
};

pub use hours::{
    format_clock, overlaps, parse_clock, read_clock, read_window_end, within_windows, DayOverride, DayWindows,
    ScheduleDraft, ScheduleInput, TherapistSchedule, TimeOff, TypedWindow, WeeklyHoursInput, WeeklyWindow, WindowError,
};
pub use settings::{PracticeSettings, PracticeSettingsInput, ServiceArea, Zone, ZONE_REGIONS};
pub use wall_clock::{Locale, TimeFormat, WallClock};

use crate::catalog::{ServiceId, TherapistId};
use crate::geo::TravelTimes;
use crate::schedule::{Day, Minute, RouteDay, Stop, NEIGHBOUR_MARGIN_MINUTES};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;

/// The absolute minute (since the Unix epoch) an instant falls in.
pub fn minute_of(ts: Timestamp) -> Minute {
    ts.as_second().div_euclid(60)
}

/// The minute an interval ending at `ts` ends in, rounded up, so an interval covers every minute it touches.
pub fn end_minute_of(ts: Timestamp) -> Minute {
    -(-ts.as_second()).div_euclid(60)
}

/// The instant a minute starts (jiff's first or last instant for a minute beyond its range).
pub fn instant_of(minute: Minute) -> Timestamp {
    let second = minute.saturating_mul(60);
    Timestamp::from_second(second).unwrap_or(if second < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// The absolute minute at which local wall-clock `minute_of_day` on `date` happens. A time in a
/// spring-forward gap moves forward by the gap; one in a fall-back fold takes the first occurrence.
///
/// Requests name dates within [`EARLIEST_DATE`]..=[`LATEST_DATE`] (see [`dates`]); a date at the very ends of
/// jiff's range, whose local time has no instant, saturates to jiff's first or last instant.
pub fn local_minute(tz: &TimeZone, date: Date, minute_of_day: i64) -> Minute {
    let days = minute_of_day.div_euclid(24 * 60);
    let minute_of_day = minute_of_day.rem_euclid(24 * 60);
    let date = add_days(date, days);
    let time = Time::new((minute_of_day / 60) as i8, (minute_of_day % 60) as i8, 0, 0).unwrap_or(Time::midnight());
    let instant = match date.to_datetime(time).to_zoned(tz.clone()) {
        Ok(zoned) => zoned.timestamp(),
        Err(_) if date.year() < 0 => Timestamp::MIN,
        Err(_) => Timestamp::MAX,
    };
    minute_of(instant)
}

/// One local calendar day in absolute minutes (23 or 25 hours long on daylight-saving days).
pub fn local_day(tz: &TimeZone, date: Date) -> Day {
    Day { origin: local_minute(tz, date, 0), end: local_minute(tz, date, 24 * 60) }
}

/// An instant as RFC 3339 with the offset it has in `tz` (no bracketed zone name), as the API shows times.
pub fn format_rfc3339(tz: &TimeZone, ts: Timestamp) -> String {
    // RFC 3339 offsets are whole minutes: an offset with seconds (a zone's old local mean time) is cut to the
    // minute here, or jiff would round the offset it prints but not the time, naming another instant.
    let offset = tz.to_offset(ts);
    let whole_minutes = jiff::tz::Offset::from_seconds(offset.seconds() / 60 * 60).unwrap_or(offset);
    ts.display_with_offset(whole_minutes).to_string()
}

/// The local date an instant falls on.
pub fn local_date(tz: &TimeZone, ts: Timestamp) -> Date {
    ts.to_zoned(tz.clone()).date()
}

impl TherapistSchedule {
    /// Working windows on `date` in absolute minutes: the day's override or its weekly hours, less time off.
    pub fn windows_on(&self, tz: &TimeZone, date: Date) -> Vec<(Minute, Minute)> {
        let local: Vec<(i64, i64)> = match self.overrides.iter().find(|o| o.date == date) {
            Some(o) => o.windows.as_slice().to_vec(),
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
            let (off_start, off_end) = (minute_of(off.start), end_minute_of(off.end));
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

    /// Whether `place` lies within this therapist's service radius (as their route-days judge it).
    pub fn covers(&self, place: crate::geo::GeoPoint) -> bool {
        crate::schedule::within_radius(self.base, self.radius_km, place)
    }
}

/// Booked visits as the engine's stops, by therapist, each list sorted by start.
///
/// Each therapist's list is shared, so a copy that then replaces one therapist's stops (a cache patched after a
/// booking) copies pointers, not every stop of the practice.
#[derive(Debug, Clone, Default)]
pub struct BookedStops(HashMap<TherapistId, Arc<Vec<Stop>>>);

impl BookedStops {
    /// From the store's rows, in any order.
    pub fn from_rows(rows: impl IntoIterator<Item = (TherapistId, Stop)>) -> BookedStops {
        let mut by_therapist: HashMap<TherapistId, Vec<Stop>> = HashMap::new();
        for (therapist, stop) in rows {
            by_therapist.entry(therapist).or_default().push(stop);
        }
        for stops in by_therapist.values_mut() {
            stops.sort_by_key(|s| (s.start, s.end));
        }
        BookedStops(by_therapist.into_iter().map(|(t, stops)| (t, Arc::new(stops))).collect())
    }

    /// The therapist's stops that can matter to `day`: those within a day's margin of it.
    pub fn near(&self, therapist: TherapistId, day: Day) -> &[Stop] {
        let stops = self.0.get(&therapist).map(|s| s.as_slice()).unwrap_or(&[]);
        let lo = stops.partition_point(|st| st.end <= day.origin - NEIGHBOUR_MARGIN_MINUTES);
        let hi = stops.partition_point(|st| st.start < day.end + NEIGHBOUR_MARGIN_MINUTES);
        &stops[lo..hi.max(lo)]
    }

    /// Puts `stops` (any order) in place of the therapist's stops, as read again after a change.
    pub fn replace(&mut self, therapist: TherapistId, mut stops: Vec<Stop>) {
        stops.sort_by_key(|s| (s.start, s.end));
        self.0.insert(therapist, Arc::new(stops));
    }

    /// Takes the therapist's stops out (none when they have none).
    pub fn take(&mut self, therapist: TherapistId) -> Vec<Stop> {
        self.0.remove(&therapist).map(|s| Arc::try_unwrap(s).unwrap_or_else(|s| s.as_ref().clone())).unwrap_or_default()
    }

    /// Forgets the therapist's stop starting at `start` (a booking being moved does not block itself).
    pub fn remove(&mut self, therapist: TherapistId, start: Minute) {
        if let Some(stops) = self.0.get_mut(&therapist) {
            Arc::make_mut(stops).retain(|s| s.start != start);
        }
    }
}

/// One route-day per schedule and date, each with the stops near it, schedule by schedule.
pub fn route_days(
    schedules: &[TherapistSchedule],
    booked: &BookedStops,
    tz: &TimeZone,
    dates: &[Date],
    travel: &dyn TravelTimes,
) -> Vec<RouteDay> {
    let days: Vec<(Date, Day)> = dates.iter().map(|&date| (date, local_day(tz, date))).collect();
    schedules
        .iter()
        .flat_map(|s| {
            days.iter()
                .map(move |&(date, day)| s.route_day(tz, date, booked.near(s.therapist_id, day).to_vec(), travel))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::GeoPoint;
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
            gender: None,
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
        s.overrides.push(DayOverride { date: date(2026, 6, 2), windows: DayWindows::day_off() });
        s.overrides
            .push(DayOverride { date: date(2026, 6, 3), windows: DayWindows::new([(12 * 60, 20 * 60)]).unwrap() });
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
    fn the_ends_of_jiffs_range_saturate_instead_of_panicking() {
        let tz = toronto();
        let last = local_day(&tz, Date::MAX);
        assert_eq!(last.end, minute_of(Timestamp::MAX));
        assert!(last.origin <= last.end);
        let first = local_day(&tz, Date::MIN);
        assert_eq!(first.origin, minute_of(Timestamp::MIN));
        for d in [Date::MIN, Date::MAX, date(9999, 12, 30), LATEST_DATE, EARLIEST_DATE] {
            let windows = schedule().windows_on(&tz, d);
            assert!(windows.iter().all(|(s, e)| s < e), "{d}");
        }
        assert_eq!(instant_of(Minute::MAX), Timestamp::MAX);
        assert_eq!(instant_of(Minute::MIN), Timestamp::MIN);
        struct Still;
        impl TravelTimes for Still {
            fn minutes(&self, _: GeoPoint, _: GeoPoint) -> u32 {
                0
            }
        }
        let route = route_days(&[schedule()], &BookedStops::default(), &tz, &[Date::MAX], &Still);
        assert_eq!(route.len(), 1);
    }

    #[test]
    fn booked_stops_near_a_day_reach_a_day_either_side() {
        let tz = toronto();
        let day = local_day(&tz, date(2026, 6, 10));
        let stop = |start: Minute| Stop { start, end: start + 60, at: GeoPoint { lat: 43.65, lon: -79.38 } };
        let t = TherapistId(1);
        let rows = vec![
            (t, stop(day.origin - NEIGHBOUR_MARGIN_MINUTES - 61)),
            (t, stop(day.origin - NEIGHBOUR_MARGIN_MINUTES)),
            (t, stop(day.origin + 600)),
            (t, stop(day.end + NEIGHBOUR_MARGIN_MINUTES - 1)),
            (t, stop(day.end + NEIGHBOUR_MARGIN_MINUTES)),
        ];
        let booked = BookedStops::from_rows(rows);
        assert_eq!(booked.near(t, day).len(), 3);
        assert!(booked.near(TherapistId(2), day).is_empty());
        let mut without = booked.clone();
        without.remove(t, day.origin + 600);
        assert_eq!(without.near(t, day).len(), 2);
    }
}
