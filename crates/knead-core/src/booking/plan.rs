//! The booking rules the application runs around the engine: the search request for a service, the visits
//! a slot becomes, the practice's grid and lead time, the travel fee, and [`VisitFits`], the re-check the
//! store runs on fresh data as it writes.

use super::NewVisit;
use crate::calendar::{add_minutes, local_date, local_day, minute_of, PracticeSettings, TherapistSchedule};
use crate::catalog::{Service, TherapistId};
use crate::geo::{haversine_km, GeoPoint, TravelTimes};
use crate::schedule::{DayRule, RoomCalendar, SearchRequest, Slot, Stop, Unfit};
use crate::validation::FieldError;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The engine's question for `service` at `at` over `dates`: the visit's length and buffers, how many
/// therapists it needs, the practice's grid, and nothing earlier than now plus the lead time.
pub fn search_request(
    service: &Service,
    settings: &PracticeSettings,
    at: GeoPoint,
    dates: &[Date],
    rooms: Option<RoomCalendar>,
    now: Timestamp,
) -> SearchRequest {
    SearchRequest {
        place: at,
        duration: service.duration_minutes,
        buffer: service.buffer_minutes,
        therapists_needed: service.therapists_needed(),
        step: settings.grid_minutes,
        not_before: minute_of(now) + settings.lead_minutes,
        days: dates.iter().map(|&date| local_day(settings.zone(), date)).collect(),
        rooms,
    }
}

/// The visits a slot becomes when booked at `start`: one per therapist the engine picked, each blocking the
/// treatment with its set-up and pack-up buffers.
pub fn visits_for(slot: &Slot, service: &Service, start: Timestamp) -> Vec<NewVisit> {
    let buffer = service.buffer_minutes;
    slot.picks
        .iter()
        .map(|p| NewVisit {
            therapist_id: p.therapist,
            block_start: add_minutes(start, -buffer),
            block_end: add_minutes(start, service.duration_minutes.saturating_add(buffer)),
            travel_before_min: i64::from(p.travel_before),
            travel_after_min: i64::from(p.travel_after),
        })
        .collect()
}

/// Whether `start` is one the practice offers at all: within its booking horizon, on its grid (whole
/// minutes from local midnight, in steps of the grid) and no sooner than its lead time. The horizon holds
/// for everyone, staff included: one rule, so what availability offers is exactly what can be booked.
pub fn check_start(settings: &PracticeSettings, start: Timestamp, now: Timestamp) -> Result<(), FieldError> {
    let tz = settings.zone();
    let today = local_date(tz, now);
    if local_date(tz, start) > settings.last_bookable_date(today) {
        return Err(settings.beyond_horizon("start", today));
    }
    let day = local_day(tz, local_date(tz, start));
    let on_grid = start.as_second() % 60 == 0
        && start.subsec_nanosecond() == 0
        && (minute_of(start) - day.origin) % settings.grid_minutes == 0;
    if !on_grid {
        return Err(FieldError::new(
            "off_grid",
            "start",
            format!(
                "must be on the practice's {}-minute grid (e.g. 10:00, 10:{:02})",
                settings.grid_minutes, settings.grid_minutes
            ),
        ));
    }
    if minute_of(start) < minute_of(now) + settings.lead_minutes {
        return Err(FieldError::new(
            "too_soon",
            "start",
            format!("must be at least {} minutes from now", settings.lead_minutes),
        ));
    }
    Ok(())
}

/// The travel fee for a visit at `at`: the straight-line distance from the farthest assigned therapist's
/// base, beyond the free distance, at the per-km rate. Clinic visits pay none (the caller passes `None`).
pub fn travel_fee_cents(
    settings: &PracticeSettings,
    schedules: &[TherapistSchedule],
    therapists: &[TherapistId],
    at: Option<GeoPoint>,
) -> i64 {
    let Some(at) = at else { return 0 };
    let farthest = schedules
        .iter()
        .filter(|s| therapists.contains(&s.therapist_id))
        .map(|s| haversine_km(s.base, at))
        .fold(0.0, f64::max);
    settings.travel_fee_cents(farthest)
}

/// The re-check a booking's write runs for each of its visits, on the therapist's stops as the store reads
/// them under its lock: the same [`crate::schedule::RouteDay::check`] that `search` is built on.
pub struct VisitFits<'a> {
    pub tz: &'a TimeZone,
    pub schedules: &'a [TherapistSchedule],
    pub start: Timestamp,
    pub duration: i64,
    pub buffer: i64,
    pub at: GeoPoint,
    pub travel: &'a dyn TravelTimes,
}

impl DayRule for VisitFits<'_> {
    fn check(&self, therapist: TherapistId, booked: &[Stop]) -> Result<(), Unfit> {
        let schedule = self.schedules.iter().find(|s| s.therapist_id == therapist).ok_or(Unfit::NoSchedule)?;
        let day = schedule.route_day(self.tz, local_date(self.tz, self.start), booked.to_vec(), self.travel);
        day.check(minute_of(self.start), self.duration, self.buffer, self.at, self.travel).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DayOverride, DayWindows, WeeklyWindow};
    use crate::catalog::ServiceId;
    use crate::geo::UNREACHABLE;

    /// Ten minutes between any two different places.
    struct TenMinutes;

    impl TravelTimes for TenMinutes {
        fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
            if from == to {
                0
            } else {
                10
            }
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_start_must_be_on_the_grid_and_after_the_lead_time() {
        let settings = PracticeSettings::default();
        let now = at("2026-06-01T12:00:00Z");
        assert_eq!(check_start(&settings, at("2026-06-02T14:15:00Z"), now), Ok(()));
        assert_eq!(check_start(&settings, at("2026-06-02T14:10:00Z"), now).unwrap_err().code, "off_grid");
        assert_eq!(check_start(&settings, at("2026-06-02T14:15:30Z"), now).unwrap_err().code, "off_grid");
        assert_eq!(check_start(&settings, at("2026-06-01T13:00:00Z"), now).unwrap_err().code, "too_soon");
    }

    #[test]
    fn a_start_past_the_booking_horizon_is_refused_naming_start() {
        let settings = PracticeSettings { booking_horizon_days: 30, ..PracticeSettings::default() };
        let now = at("2026-06-01T12:00:00Z");
        assert_eq!(check_start(&settings, at("2026-07-01T14:00:00Z"), now), Ok(()), "the last day is bookable");
        let past = check_start(&settings, at("2026-07-02T14:00:00Z"), now).unwrap_err();
        assert_eq!((past.code, past.field.as_str()), ("too_far", "start"));
        let far = check_start(&settings, Timestamp::MAX, now).unwrap_err();
        assert_eq!((far.code, far.field.as_str()), ("too_far", "start"), "jiff's last instant is refused, not a panic");
    }

    #[test]
    fn the_store_recheck_refuses_what_no_longer_fits_and_says_why() {
        let tz = TimeZone::get("America/Toronto").unwrap();
        let base = GeoPoint { lat: 43.65, lon: -79.38 };
        let schedule = TherapistSchedule {
            therapist_id: TherapistId(1),
            base,
            radius_km: 20.0,
            service_ids: vec![ServiceId(1)],
            weekly: (1..=7).map(|d| WeeklyWindow { weekday: d, start_minute: 9 * 60, end_minute: 17 * 60 }).collect(),
            overrides: vec![DayOverride { date: jiff::civil::date(2026, 6, 3), windows: DayWindows::day_off() }],
            time_off: vec![],
            gender: None,
        };
        let rule = |start: &str| VisitFits {
            tz: &tz,
            schedules: std::slice::from_ref(&schedule),
            start: at(start),
            duration: 60,
            buffer: 15,
            at: base,
            travel: &TenMinutes,
        };
        let ten = rule("2026-06-02T14:00:00Z");
        assert_eq!(ten.check(TherapistId(1), &[]), Ok(()));
        assert_eq!(ten.check(TherapistId(2), &[]), Err(Unfit::NoSchedule));
        let other_place = GeoPoint { lat: 43.70, lon: -79.40 };
        let busy = [Stop {
            start: minute_of(at("2026-06-02T13:00:00Z")),
            end: minute_of(at("2026-06-02T13:40:00Z")),
            at: other_place,
        }];
        assert!(matches!(ten.check(TherapistId(1), &busy), Err(Unfit::NotEnoughTravelBefore { needed: 10, .. })));
        assert_eq!(rule("2026-06-03T14:00:00Z").check(TherapistId(1), &[]), Err(Unfit::OutsideHours), "a day off");
        assert_ne!(TenMinutes.minutes(base, other_place), UNREACHABLE);
    }
}
