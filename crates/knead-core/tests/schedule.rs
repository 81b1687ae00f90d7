//! Property and edge-case tests for the availability engine: what it offers is bookable, a booked day
//! stays drivable, and search agrees with a slow one-start-at-a-time oracle built on `RouteDay::check`.

use knead_core::geo::{GeoPoint, TravelTimes};
use knead_core::schedule::*;
use knead_core::TherapistId;
use knead_routing::{StraightLine, TravelMatrix};
use proptest::prelude::*;

const TRAVEL: StraightLine = StraightLine { road_factor: 1.3, speed_kmh: 30.0 };
/// Local midnight of an arbitrary day in Toronto (UTC-5), as minutes since the epoch.
const ORIGIN: Minute = 20_000 * 1440 + 300;
const HOUR: i64 = 60;
const CENTRE: GeoPoint = GeoPoint { lat: 43.65, lon: -79.38 };

/// A point `east_km` and `north_km` from the centre of the test city.
fn near(east_km: f64, north_km: f64) -> GeoPoint {
    GeoPoint { lat: CENTRE.lat + north_km / 111.2, lon: CENTRE.lon + east_km / (111.2 * CENTRE.lat.to_radians().cos()) }
}

fn day(origin: Minute, hours: i64) -> Day {
    Day { origin, end: origin + hours * HOUR }
}

fn route_day(id: i64, base: GeoPoint, windows: Vec<(Minute, Minute)>, stops: Vec<Stop>) -> RouteDay {
    RouteDay::new(TherapistId(id), base, 25.0, windows, stops, &TRAVEL)
}

fn request(place: GeoPoint, duration: i64, buffer: i64, days: Vec<Day>) -> SearchRequest {
    SearchRequest {
        place,
        duration,
        buffer,
        therapists_needed: 1,
        step: DEFAULT_STEP,
        not_before: i64::MIN / 4,
        days,
        rooms: None,
    }
}

fn starts(slots: &[Slot]) -> Vec<Minute> {
    slots.iter().map(|s| s.start).collect()
}

/// The booked-day invariant: visits never overlap, each lies inside a working window, and within a
/// window each visit is reachable from the previous one (or from base at the window's opening).
fn assert_day_is_drivable(day: &RouteDay, travel: &dyn TravelTimes) {
    for pair in day.stops().windows(2) {
        assert!(pair[0].end <= pair[1].start, "visits overlap: {pair:?}");
    }
    for stop in day.stops() {
        assert!(
            day.windows().iter().any(|&(start, end)| start <= stop.start && stop.end <= end),
            "visit outside working hours: {stop:?}"
        );
    }
    for &(window_start, window_end) in day.windows() {
        let (mut free_at, mut at) = (window_start, day.base());
        for stop in day.stops().iter().filter(|s| s.start >= window_start && s.end <= window_end) {
            let needed = i64::from(travel.minutes(at, stop.at));
            assert!(free_at + needed <= stop.start, "not enough travel before {stop:?}: {needed} min from {free_at}");
            (free_at, at) = (stop.end, stop.at);
        }
    }
}

fn with_visit(day: &RouteDay, start: Minute, duration: i64, buffer: i64, at: GeoPoint) -> RouteDay {
    let mut stops = day.stops().to_vec();
    stops.push(Stop { start: start - buffer, end: start + duration + buffer, at });
    RouteDay::new(day.therapist(), day.base(), day.radius_km(), day.windows().to_vec(), stops, &TRAVEL)
}

// ---------------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------------

#[test]
fn a_visit_exactly_touching_the_window_end_is_offered() {
    let base = near(0.0, 0.0);
    let therapist = route_day(1, base, vec![(ORIGIN + 9 * HOUR, ORIGIN + 17 * HOUR)], vec![]);
    let slots = search(&request(base, 60, 15, vec![day(ORIGIN, 24)]), &[therapist], &TRAVEL);
    // Set-up from 9:00, so the first start is 9:15; pack-up ends at 17:00 for a 15:45 start.
    assert_eq!(slots.first().unwrap().start, ORIGIN + 9 * HOUR + 15);
    assert_eq!(slots.last().unwrap().start, ORIGIN + 15 * HOUR + 45);
    assert_eq!(slots.len(), 27);
}

#[test]
fn a_gap_exactly_as_long_as_the_visit_offers_one_start_and_a_zero_length_gap_none() {
    let base = near(0.0, 0.0);
    let at = |h: i64, m: i64| ORIGIN + h * HOUR + m;
    let stops = vec![
        Stop { start: at(9, 0), end: at(10, 0), at: base },
        Stop { start: at(11, 0), end: at(12, 0), at: base },
        // Back to back with the previous stop: a gap of zero minutes.
        Stop { start: at(12, 0), end: at(17, 0), at: base },
    ];
    let therapist = route_day(1, base, vec![(at(9, 0), at(17, 0))], stops);
    let slots = search(&request(base, 60, 0, vec![day(ORIGIN, 24)]), std::slice::from_ref(&therapist), &TRAVEL);
    assert_eq!(starts(&slots), vec![at(10, 0)]);
    assert_eq!(
        therapist.check(at(12, 0), 1, 0, base, &TRAVEL),
        Err(Unfit::Overlaps { start: at(12, 0), end: at(17, 0) })
    );
}

#[test]
fn a_place_outside_the_radius_gets_no_slots_and_check_says_why() {
    let therapist = route_day(1, near(0.0, 0.0), vec![(ORIGIN + 9 * HOUR, ORIGIN + 17 * HOUR)], vec![]);
    let far = near(30.0, 0.0);
    assert!(search(&request(far, 60, 0, vec![day(ORIGIN, 24)]), std::slice::from_ref(&therapist), &TRAVEL).is_empty());
    let why = therapist.check(ORIGIN + 12 * HOUR, 60, 0, far, &TRAVEL).unwrap_err();
    assert!(matches!(why, Unfit::OutsideRadius { distance_km, .. } if (distance_km - 30.0).abs() < 0.5), "{why:?}");
}

#[test]
fn a_full_clinic_room_removes_the_starts_that_would_overlap_it() {
    let clinic = near(0.0, 0.0);
    let at = |h: i64| ORIGIN + h * HOUR;
    let therapists: Vec<RouteDay> = (1..=3).map(|id| route_day(id, clinic, vec![(at(9), at(17))], vec![])).collect();
    let mut req = request(clinic, 60, 15, vec![day(ORIGIN, 24)]);
    req.rooms = Some(RoomCalendar { rooms: 1, busy: vec![(at(12), at(13))] });
    let offered = starts(&search(&req, &therapists, &TRAVEL));
    // Blocked [t-15, t+75) must miss [12:00, 13:00): t <= 10:45 or t >= 13:15.
    assert!(offered.contains(&(at(10) + 45)) && !offered.contains(&at(11)));
    assert!(!offered.contains(&at(13)) && offered.contains(&(at(13) + 15)));

    req.rooms = Some(RoomCalendar { rooms: 2, busy: vec![(at(12), at(13))] });
    assert!(starts(&search(&req, &therapists, &TRAVEL)).contains(&at(12)));
    req.rooms = Some(RoomCalendar { rooms: 0, busy: vec![] });
    assert!(search(&req, &therapists, &TRAVEL).is_empty());
}

#[test]
fn not_before_in_the_middle_of_a_day_starts_at_the_next_grid_point() {
    let base = near(0.0, 0.0);
    let therapist = route_day(1, base, vec![(ORIGIN + 9 * HOUR, ORIGIN + 17 * HOUR)], vec![]);
    let mut req = request(base, 60, 0, vec![day(ORIGIN, 24)]);
    req.not_before = ORIGIN + 12 * HOUR + 7;
    let slots = search(&req, &[therapist], &TRAVEL);
    assert_eq!(slots.first().unwrap().start, ORIGIN + 12 * HOUR + 15);
}

#[test]
fn a_spring_forward_day_has_a_23_hour_grid_and_the_next_day_starts_at_its_own_midnight() {
    // On the spring-forward day local 9:00 is 8 hours after local midnight, and the day lasts 23 hours.
    let base = near(0.0, 0.0);
    let next_origin = ORIGIN + 23 * HOUR;
    let days = vec![day(ORIGIN, 23), day(next_origin, 24)];
    let therapists = vec![
        route_day(1, base, vec![(ORIGIN + 8 * HOUR, ORIGIN + 16 * HOUR)], vec![]),
        route_day(1, base, vec![(next_origin + 9 * HOUR, next_origin + 17 * HOUR)], vec![]),
    ];
    let offered = starts(&search(&request(base, 60, 0, days), &therapists, &TRAVEL));
    assert_eq!(offered.first(), Some(&(ORIGIN + 8 * HOUR)));
    assert!(offered.contains(&(ORIGIN + 15 * HOUR)) && !offered.contains(&(ORIGIN + 15 * HOUR + 15)));
    assert!(offered.contains(&(next_origin + 9 * HOUR)));
    assert_eq!(offered.len(), 2 * 29);
}

#[test]
fn a_grid_step_that_does_not_divide_the_day_still_stops_at_its_end() {
    // A window running past the day's end only offers starts before the day's end on this day's grid.
    let base = near(0.0, 0.0);
    let therapist = route_day(1, base, vec![(ORIGIN + 20 * HOUR, ORIGIN + 26 * HOUR)], vec![]);
    let mut req = request(base, 30, 0, vec![day(ORIGIN, 23)]);
    req.step = 25;
    let offered = starts(&search(&req, &[therapist], &TRAVEL));
    assert!(offered.iter().all(|&t| t < ORIGIN + 23 * HOUR && (t - ORIGIN) % 25 == 0));
    assert_eq!(offered.last(), Some(&(ORIGIN + 1375)));
}

#[test]
fn check_says_which_travel_is_missing() {
    let base = near(0.0, 0.0);
    let across_town = near(10.0, 0.0); // About 13 km of road at 30 km/h: 26 minutes.
    let at = |h: i64, m: i64| ORIGIN + h * HOUR + m;
    let stops = vec![Stop { start: at(12, 0), end: at(13, 0), at: across_town }];
    let therapist = route_day(1, base, vec![(at(9, 0), at(17, 0))], stops);
    let drive = TRAVEL.minutes(base, across_town);
    assert!(drive > 10);

    assert_eq!(
        therapist.check(at(9, 0), 60, 0, across_town, &TRAVEL),
        Err(Unfit::NotEnoughTravelBefore { needed: drive, available: 0 })
    );
    assert_eq!(
        therapist.check(at(10, 50), 60, 0, base, &TRAVEL),
        Err(Unfit::NotEnoughTravelAfter { needed: drive, available: 10 })
    );
    assert_eq!(therapist.check(at(16, 30), 60, 0, base, &TRAVEL), Err(Unfit::OutsideHours));
    assert_eq!(
        therapist.check(at(11, 30), 60, 0, base, &TRAVEL),
        Err(Unfit::Overlaps { start: at(12, 0), end: at(13, 0) })
    );
    assert!(matches!(therapist.check(at(10, 0), 0, 0, base, &TRAVEL), Err(Unfit::InvalidVisit { .. })));

    let fit = therapist.check(at(13, 0), 60, 0, across_town, &TRAVEL).unwrap();
    // From the visit across town, staying there, then home: the drive home was already in the day.
    assert_eq!(fit, Fit { travel_before: 0, travel_after: drive, added_travel: 0 });
}

#[test]
fn each_window_of_a_split_shift_starts_from_base() {
    let base = near(0.0, 0.0);
    let across_town = near(10.0, 0.0);
    let at = |h: i64| ORIGIN + h * HOUR;
    let stops = vec![Stop { start: at(11), end: at(12), at: across_town }];
    let therapist = route_day(1, base, vec![(at(9), at(12)), (at(14), at(17))], stops);
    let fit = therapist.check(at(14), 60, 0, base, &TRAVEL).unwrap();
    assert_eq!(fit.travel_before, 0);
    assert!(therapist.check(at(14), 60, 0, across_town, &TRAVEL).is_err());
}

#[test]
fn a_visit_straddling_the_window_opening_clips_it() {
    let base = near(0.0, 0.0);
    let across_town = near(10.0, 0.0);
    let at = |h: i64| ORIGIN + h * HOUR;
    let stops = vec![Stop { start: at(8), end: at(10), at: across_town }];
    let therapist = route_day(1, base, vec![(at(9), at(17))], stops);
    assert!(therapist.check(at(10), 60, 0, across_town, &TRAVEL).is_ok());
    assert!(therapist.check(at(10), 60, 0, base, &TRAVEL).is_err());
}

#[test]
fn any_therapist_ranks_by_added_travel_then_by_lower_id() {
    let place = near(0.0, 0.0);
    let at = |h: i64| ORIGIN + h * HOUR;
    let window = vec![(at(9), at(17))];
    let therapists = vec![
        route_day(7, near(5.0, 0.0), window.clone(), vec![]),
        route_day(3, near(0.0, 5.0), window.clone(), vec![]),
        route_day(5, near(1.0, 0.0), window.clone(), vec![]),
    ];
    let mut req = request(place, 60, 0, vec![day(ORIGIN, 24)]);
    req.therapists_needed = 2;
    let slots = search(&req, &therapists, &TRAVEL);
    let slot = slots.iter().find(|s| s.start == at(11)).unwrap();
    let ids: Vec<i64> = slot.picks.iter().map(|p| p.therapist.0).collect();
    // 3 and 7 live equally far away, so the lower id wins the second place.
    assert_eq!(ids, vec![5, 3]);
    assert_eq!(slot.picks[0].added_travel, 2 * i64::from(TRAVEL.minutes(near(1.0, 0.0), place)));
}

#[test]
fn one_therapist_passed_twice_never_makes_a_couples_slot() {
    let base = near(0.0, 0.0);
    let therapist = route_day(1, base, vec![(ORIGIN + 9 * HOUR, ORIGIN + 17 * HOUR)], vec![]);
    let mut req = request(base, 60, 0, vec![day(ORIGIN, 24)]);
    req.therapists_needed = 2;
    assert!(search(&req, &[therapist.clone(), therapist], &TRAVEL).is_empty());
}

#[test]
fn a_malformed_request_gets_no_slots_and_validate_names_the_fields() {
    let base = near(0.0, 0.0);
    let therapist = route_day(1, base, vec![(ORIGIN + 9 * HOUR, ORIGIN + 17 * HOUR)], vec![]);
    let mut req = request(base, 60, 0, vec![day(ORIGIN, 24), Day { origin: ORIGIN, end: ORIGIN }]);
    req.step = 0;
    req.therapists_needed = 0;
    assert!(search(&req, std::slice::from_ref(&therapist), &TRAVEL).is_empty());
    let errors = req.validate().unwrap_err();
    assert!(errors.for_field("step").is_some());
    assert!(errors.for_field("therapists_needed").is_some());
    assert!(errors.for_field("days[1]").is_some());
    assert!(errors.for_field("duration").is_none());

    // A "day" of years would make the grid huge; it is refused, not searched.
    let endless = request(base, 60, 0, vec![Day { origin: ORIGIN, end: i64::MAX }]);
    assert!(endless.validate().is_err());
    assert!(search(&endless, &[therapist], &TRAVEL).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Properties over generated practices
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Shift {
    NineToFive,
    Split,
    Custom { start: i64, len: i64 },
}

impl Shift {
    fn windows(&self, origin: Minute) -> Vec<(Minute, Minute)> {
        match *self {
            Shift::NineToFive => vec![(origin + 9 * HOUR, origin + 17 * HOUR)],
            Shift::Split => {
                vec![(origin + 8 * HOUR, origin + 12 * HOUR), (origin + 13 * HOUR + 30, origin + 19 * HOUR)]
            }
            Shift::Custom { start, len } => vec![(origin + start, origin + start + len)],
        }
    }
}

#[derive(Debug, Clone)]
struct Proposal {
    day: usize,
    start: i64,
    duration: i64,
    buffer: i64,
    at: (f64, f64),
}

#[derive(Debug, Clone)]
struct TherapistSpec {
    base: (f64, f64),
    radius_km: f64,
    shift: Shift,
    proposals: Vec<Proposal>,
}

#[derive(Debug, Clone)]
struct Practice {
    days: Vec<Day>,
    route_days: Vec<RouteDay>,
}

fn km() -> impl Strategy<Value = (f64, f64)> {
    (-12.0..12.0f64, -12.0..12.0f64)
}

fn shift() -> impl Strategy<Value = Shift> {
    prop_oneof![
        Just(Shift::NineToFive),
        Just(Shift::Split),
        (0..900i64)
            .prop_flat_map(|start| (Just(start), 30..(1380 - start)))
            .prop_map(|(start, len)| Shift::Custom { start, len }),
    ]
}

fn proposal() -> impl Strategy<Value = Proposal> {
    (
        0..2usize,
        6 * HOUR..20 * HOUR,
        prop::sample::select(vec![30i64, 45, 60, 90]),
        prop::sample::select(vec![0i64, 5, 15]),
        km(),
    )
        .prop_map(|(day, start, duration, buffer, at)| Proposal { day, start, duration, buffer, at })
}

fn therapist_spec() -> impl Strategy<Value = TherapistSpec> {
    (km(), 5.0..30.0f64, shift(), prop::collection::vec(proposal(), 0..14))
        .prop_map(|(base, radius_km, shift, proposals)| TherapistSpec { base, radius_km, shift, proposals })
}

/// Two days, the first 23, 24 or 25 hours long, each therapist's visits placed only where `check` allows.
fn practice() -> impl Strategy<Value = Practice> {
    (prop::sample::select(vec![23i64, 24, 25]), prop::collection::vec(therapist_spec(), 1..5)).prop_map(
        |(first_day_hours, specs)| {
            let days = vec![day(ORIGIN, first_day_hours), day(ORIGIN + first_day_hours * HOUR, 24)];
            let mut route_days = Vec::new();
            for (i, spec) in specs.iter().enumerate() {
                let therapist = TherapistId(i as i64 + 1);
                let base = near(spec.base.0, spec.base.1);
                for (d, calendar_day) in days.iter().enumerate() {
                    let windows = spec.shift.windows(calendar_day.origin);
                    let mut route = RouteDay::new(therapist, base, spec.radius_km, windows, vec![], &TRAVEL);
                    for p in spec.proposals.iter().filter(|p| p.day == d) {
                        let (t, at) = (calendar_day.origin + p.start, near(p.at.0, p.at.1));
                        if route.check(t, p.duration, p.buffer, at, &TRAVEL).is_ok() {
                            route = with_visit(&route, t, p.duration, p.buffer, at);
                        }
                    }
                    route_days.push(route);
                }
            }
            Practice { days, route_days }
        },
    )
}

fn search_request(days: Vec<Day>) -> impl Strategy<Value = SearchRequest> {
    (
        km(),
        prop::sample::select(vec![30i64, 60, 90, 120]),
        prop::sample::select(vec![0i64, 10, 15]),
        1..=2usize,
        prop::sample::select(vec![15i64, 10, 20, 30]),
        -2 * HOUR..50 * HOUR,
    )
        .prop_map(move |(place, duration, buffer, therapists_needed, step, not_before)| SearchRequest {
            place: near(place.0, place.1),
            duration,
            buffer,
            therapists_needed,
            step,
            not_before: ORIGIN + not_before,
            days: days.clone(),
            rooms: None,
        })
}

fn practice_and_request() -> impl Strategy<Value = (Practice, SearchRequest)> {
    practice().prop_flat_map(|practice| {
        let days = practice.days.clone();
        (Just(practice), search_request(days))
    })
}

fn room_calendar() -> impl Strategy<Value = Option<RoomCalendar>> {
    prop::option::of((0..3usize, prop::collection::vec((6 * HOUR..40 * HOUR, 15..240i64), 0..8)).prop_map(
        |(rooms, busy)| RoomCalendar {
            rooms,
            busy: busy.into_iter().map(|(s, len)| (ORIGIN + s, ORIGIN + s + len)).collect(),
        },
    ))
}

/// The route-day of `therapist` whose hours hold a visit at `t`; route-days of one therapist never overlap here.
fn route_day_at<'a>(practice: &'a Practice, therapist: TherapistId, t: Minute, req: &SearchRequest) -> &'a RouteDay {
    practice
        .route_days
        .iter()
        .find(|r| {
            r.therapist() == therapist
                && r.windows().iter().any(|&(s, e)| s <= t - req.buffer && t + req.duration + req.buffer <= e)
        })
        .expect("a picked therapist works at the slot's time")
}

/// The slow answer: try every grid start against every route-day with `check`.
fn oracle(req: &SearchRequest, route_days: &[RouteDay]) -> Vec<Slot> {
    let mut slots = Vec::new();
    for d in &req.days {
        let mut t = d.origin;
        while t < d.end {
            let mut fits: Vec<Pick> = Vec::new();
            for r in route_days {
                if let Ok(fit) = r.check(t, req.duration, req.buffer, req.place, &TRAVEL) {
                    fits.push(Pick {
                        therapist: r.therapist(),
                        travel_before: fit.travel_before,
                        travel_after: fit.travel_after,
                        added_travel: fit.added_travel,
                    });
                }
            }
            fits.sort_by_key(|p| (p.added_travel, p.therapist));
            fits.dedup_by_key(|p| p.therapist);
            let room_free = req.rooms.as_ref().is_none_or(|rooms| {
                let (from, to) = (t - req.buffer, t + req.duration + req.buffer);
                rooms.busy.iter().filter(|&&(s, e)| s < to && e > from).count() < rooms.rooms
            });
            if t >= req.not_before && fits.len() >= req.therapists_needed && room_free {
                fits.truncate(req.therapists_needed);
                slots.push(Slot { start: t, end: t + req.duration, picks: fits });
            }
            t += req.step;
        }
    }
    slots
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_offered_slot_is_bookable_and_booking_it_keeps_the_day_drivable((practice, req) in practice_and_request()) {
        for route in &practice.route_days {
            assert_day_is_drivable(route, &TRAVEL);
        }
        let slots = search(&req, &practice.route_days, &TRAVEL);
        for pair in slots.windows(2) {
            prop_assert!(pair[0].start < pair[1].start, "slots in order");
        }
        for slot in &slots {
            prop_assert!(slot.start >= req.not_before);
            prop_assert_eq!(slot.picks.len(), req.therapists_needed);
            for pick in &slot.picks {
                let route = route_day_at(&practice, pick.therapist, slot.start, &req);
                let fit = route.check(slot.start, req.duration, req.buffer, req.place, &TRAVEL);
                prop_assert_eq!(
                    fit,
                    Ok(Fit { travel_before: pick.travel_before, travel_after: pick.travel_after, added_travel: pick.added_travel })
                );
                assert_day_is_drivable(&with_visit(route, slot.start, req.duration, req.buffer, req.place), &TRAVEL);
            }
        }
    }

    #[test]
    fn removing_a_booked_visit_never_removes_a_slot(
        (practice, req) in practice_and_request(),
        which_day in any::<prop::sample::Index>(),
        which_stop in any::<prop::sample::Index>(),
    ) {
        let day_index = which_day.index(practice.route_days.len());
        let route = &practice.route_days[day_index];
        prop_assume!(!route.stops().is_empty());
        let mut stops = route.stops().to_vec();
        stops.remove(which_stop.index(stops.len()));
        let mut after = practice.route_days.clone();
        after[day_index] = RouteDay::new(route.therapist(), route.base(), route.radius_km(), route.windows().to_vec(), stops, &TRAVEL);

        let before_starts = starts(&search(&req, &practice.route_days, &TRAVEL));
        let after_starts = starts(&search(&req, &after, &TRAVEL));
        for t in &before_starts {
            prop_assert!(after_starts.contains(t), "start {} disappeared", t - ORIGIN);
        }
    }

    #[test]
    fn couples_slots_always_have_two_distinct_therapists((practice, mut req) in practice_and_request()) {
        req.therapists_needed = 2;
        // Passing every route-day twice must not let one therapist fill both places.
        let doubled: Vec<RouteDay> = practice.route_days.iter().chain(&practice.route_days).cloned().collect();
        for slot in search(&req, &doubled, &TRAVEL) {
            prop_assert_eq!(slot.picks.len(), 2);
            prop_assert_ne!(slot.picks[0].therapist, slot.picks[1].therapist);
        }
    }

    #[test]
    fn search_offers_exactly_what_checking_each_grid_start_finds(
        (practice, mut req) in practice_and_request(),
        rooms in room_calendar(),
    ) {
        req.rooms = rooms;
        prop_assert_eq!(search(&req, &practice.route_days, &TRAVEL), oracle(&req, &practice.route_days));
    }

    #[test]
    fn search_through_a_travel_matrix_matches_the_model_it_caches((practice, req) in practice_and_request()) {
        let points = practice
            .route_days
            .iter()
            .flat_map(|r| std::iter::once(r.base()).chain(r.stops().iter().map(|s| s.at)))
            .chain([req.place]);
        let matrix = TravelMatrix::build(points, &TRAVEL);
        prop_assert_eq!(search(&req, &practice.route_days, &matrix), search(&req, &practice.route_days, &TRAVEL));
    }
}
