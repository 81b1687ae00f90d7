//! The gathering, the cache and the fallback, over an in-process router implementing the port with a known road
//! model (so the right answer is known exactly). The adapter against a real OSRM is tested in `knead-places`.

use super::cache::{self, minutes_of, place_key, PairCache, PairMap};
use super::*;
use crate::accounts::test_support::app_at;
use crate::booking::{self, AvailabilityQuery, Offer};
use crate::calendar;
use jiff::civil::Date;
use knead_core::booking::{BookingInput, ContactInput, Location};
use knead_core::geo::UNREACHABLE;
use knead_core::ServiceId;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Duration;

/// Roads as a straight-line model would drive them, or none at all, or a server that is down.
struct TestRoads {
    model: StraightLine,
    no_roads: bool,
    down: AtomicBool,
    requests: AtomicUsize,
    most_places: AtomicUsize,
}

impl TestRoads {
    fn new(model: StraightLine) -> Arc<TestRoads> {
        Arc::new(TestRoads {
            model,
            no_roads: false,
            down: AtomicBool::new(false),
            requests: AtomicUsize::new(0),
            most_places: AtomicUsize::new(0),
        })
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl RoadRouter for TestRoads {
    async fn table(&self, sources: &[GeoPoint], destinations: &[GeoPoint]) -> Result<DurationTable, RoadRouterError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.most_places.fetch_max(sources.len().max(destinations.len()), Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(RoadRouterError("could not connect".into()));
        }
        Ok(sources
            .iter()
            .map(|&from| {
                destinations
                    .iter()
                    // Whole minutes in seconds, so the rounding up gives the model's own minutes back.
                    .map(|&to| (!self.no_roads).then(|| f64::from(self.model.minutes(from, to)) * 60.0))
                    .collect()
            })
            .collect())
    }

    fn describe(&self) -> String {
        "test roads".into()
    }
}

/// Noon UTC on a Monday; the demo's therapists work every weekday.
fn now() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn tomorrow() -> Date {
    jiff::civil::date(2026, 6, 2)
}

/// The demo practice, its straight lines driven at `speed_kmh`.
async fn demo(speed_kmh: f64) -> App {
    let app = app_at(now()).await;
    knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), now()).await.unwrap();
    let input = PracticeSettingsInputExt::with_speed(calendar::settings(&app).await.unwrap().to_input(), speed_kmh);
    calendar::save_settings(&app, &input).await.unwrap();
    app
}

trait PracticeSettingsInputExt {
    fn with_speed(self, speed_kmh: f64) -> Self;
}

impl PracticeSettingsInputExt for knead_core::calendar::PracticeSettingsInput {
    fn with_speed(self, speed_kmh: f64) -> Self {
        knead_core::calendar::PracticeSettingsInput { speed_kmh, ..self }
    }
}

/// A place `north` and `east` hundredths of a degree from the service area's centre.
async fn near_centre(app: &App, north: f64, east: f64) -> GeoPoint {
    let centre = calendar::settings(app).await.unwrap().service_area.center();
    GeoPoint { lat: centre.lat + north / 100.0, lon: centre.lon + east / 100.0 }
}

async fn search(app: &App, at: GeoPoint) -> Offer {
    let query = AvailabilityQuery {
        service_id: ServiceId(1),
        place: Location::Point(at),
        from: tomorrow(),
        days: 3,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    };
    booking::availability(app, &query).await.unwrap()
}

async fn book_first(app: &App, at: GeoPoint, offer: &Offer) {
    let input = BookingInput {
        service_id: 1,
        start: offer.slots[0].start.to_string(),
        lat: Some(at.lat),
        lon: Some(at.lon),
        address: Some("1 Test Street".into()),
        client: Some(ContactInput {
            name: "Ana Fictional".into(),
            email: "ana@example.com".into(),
            phone: "555-0100".into(),
        }),
        ..Default::default()
    };
    booking::book(app, &input.validate().unwrap(), None, None, "fp".into()).await.unwrap();
}

fn road_status(app: &App) -> RoadStatus {
    app.road_travel().unwrap().status()
}

#[tokio::test]
async fn road_times_give_what_the_same_times_give_as_a_model() {
    // Roads that drive at half the practice's speed, against a practice whose straight lines do the same.
    let slow = StraightLine::new(1.3, 15.0).unwrap();
    let roads = TestRoads::new(slow);
    let on_roads = demo(30.0).await.with_road_router(roads.clone());
    let on_lines = demo(15.0).await;
    for (north, east) in [(0.2, 0.3), (-0.4, 0.1), (0.1, -0.5)] {
        let at = near_centre(&on_lines, north, east).await;
        let (by_road, by_line) = (search(&on_roads, at).await, search(&on_lines, at).await);
        assert!(!by_line.slots.is_empty());
        assert_eq!(by_road.slots, by_line.slots, "at {at:?}");
        // Each booking adds a stop whose drives the next search needs too.
        book_first(&on_roads, at, &by_road).await;
        book_first(&on_lines, at, &by_line).await;
    }
    let after = near_centre(&on_lines, 0.0, 0.0).await;
    assert_eq!(search(&on_roads, after).await.slots, search(&on_lines, after).await.slots);
    let status = road_status(&on_roads);
    assert_eq!(status.pairs_fell_back, 0, "{status:?}");
    assert!(status.pairs_from_roads > 0);
    assert!(roads.most_places.load(Ordering::SeqCst) <= TILE_LOCATIONS);
}

#[tokio::test]
async fn a_search_asks_the_router_once_and_a_repeated_search_not_at_all() {
    let roads = TestRoads::new(StraightLine::new(1.3, 20.0).unwrap());
    let app = demo(30.0).await.with_road_router(roads.clone());
    let at = near_centre(&app, 0.2, 0.2).await;
    let first = search(&app, at).await;
    assert_eq!(roads.requests(), 1, "one table request for the whole search");
    assert_eq!(search(&app, at).await.slots, first.slots);
    assert_eq!(roads.requests(), 1, "the same search again is answered from the cache");
    search(&app, near_centre(&app, -0.3, 0.1).await).await;
    assert_eq!(roads.requests(), 2, "a new place needs its own drives: one more request");
    assert!(road_status(&app).cached_pairs > 0);

    app.invalidate_road_times();
    assert_eq!(road_status(&app).cached_pairs, 0);
    assert_eq!(search(&app, at).await.slots, first.slots);
    assert_eq!(roads.requests(), 3, "after an invalidation the drives are asked for again");

    let road = app.road_travel().unwrap();
    // The first search read the store's generation (0, nothing imported).
    road.follow_places(0);
    search(&app, at).await;
    assert_eq!(roads.requests(), 3, "the generation already seen changes nothing");
    road.follow_places(2);
    search(&app, at).await;
    assert_eq!(roads.requests(), 4, "a new import empties the cache");
}

#[tokio::test]
async fn an_import_in_the_store_empties_the_cache_for_the_next_search() {
    let roads = TestRoads::new(StraightLine::new(1.3, 20.0).unwrap());
    let app = demo(30.0).await.with_road_router(roads.clone());
    let at = near_centre(&app, 0.2, 0.2).await;
    search(&app, at).await;
    search(&app, at).await;
    assert_eq!(roads.requests(), 1, "cached");
    let road = knead_core::places::Road {
        kind: knead_core::places::RoadKind::Minor,
        points: vec![at, GeoPoint { lat: at.lat + 0.01, lon: at.lon }],
    };
    app.store().replace_places(&[], &[road], now()).await.unwrap();
    app.places_changed();
    search(&app, at).await;
    assert_eq!(roads.requests(), 2, "drives priced on the old roads are asked for again");
}

#[tokio::test]
async fn pairs_without_a_road_use_straight_lines_and_are_counted() {
    let roads =
        Arc::new(TestRoads { no_roads: true, ..Arc::into_inner(TestRoads::new(StraightLine::default())).unwrap() });
    let app = demo(30.0).await.with_road_router(roads.clone());
    let lines = demo(30.0).await;
    let at = near_centre(&lines, 0.1, 0.2).await;
    assert_eq!(search(&app, at).await.slots, search(&lines, at).await.slots);
    let status = road_status(&app);
    assert_eq!(status.pairs_from_roads, 0);
    assert!(status.pairs_fell_back > 0);
    assert_eq!(status.last_fallback.as_ref().map(|f| f.reason.clone()), Some(FallbackReason::NoRoad));
    assert_eq!(status.failed_requests, 0, "no road is an answer, not a failure");
    search(&app, at).await;
    assert_eq!(roads.requests(), 1, "a missing road is remembered too");
}

#[tokio::test]
async fn a_router_that_is_down_leaves_availability_and_booking_on_straight_lines() {
    let roads = TestRoads::new(StraightLine::new(1.3, 15.0).unwrap());
    roads.down.store(true, Ordering::SeqCst);
    let app = demo(30.0).await.with_road_router(roads.clone());
    let lines = demo(30.0).await;
    let at = near_centre(&lines, -0.1, 0.3).await;
    let offer = search(&app, at).await;
    assert_eq!(offer.slots, search(&lines, at).await.slots);
    let status = road_status(&app);
    assert_eq!((status.requests, status.failed_requests), (1, 1));
    assert!(
        matches!(status.last_fallback.unwrap().reason, FallbackReason::RouterFailed(why) if why == "could not connect")
    );

    book_first(&app, at, &offer).await;
    assert_eq!(roads.requests(), 1, "after a failure the router is left alone for a while");
    assert_eq!(road_status(&app).last_fallback.unwrap().reason, FallbackReason::RouterResting);
    assert!(!search(&app, at).await.slots.contains(&offer.slots[0]), "the booked start is gone");
}

#[test]
fn tiles_hold_every_pair_and_at_most_the_limit_of_places() {
    let point = |i: usize| GeoPoint { lat: 60.0 + i as f64 * 1e-3, lon: 24.0 };
    let hub = point(0);
    let mut pairs: Vec<(GeoPoint, GeoPoint)> = (1..=250).flat_map(|i| [(hub, point(i)), (point(i), hub)]).collect();
    pairs.extend((1..250).map(|i| (point(i), point(i + 1))));
    let tiles = tiles::tiles(&pairs, 100, 120);
    for (from, to) in &pairs {
        let (a, b) = (place_key(*from), place_key(*to));
        let holds = |t: &tiles::Tile| {
            t.asked.contains(&(a, b))
                && t.sources.iter().any(|p| place_key(*p) == a)
                && t.destinations.iter().any(|p| place_key(*p) == b)
        };
        assert!(tiles.iter().any(holds), "{from:?} -> {to:?} is in no tile");
    }
    let (stars, squares): (Vec<_>, Vec<_>) = tiles.iter().partition(|t| t.sources.len() != t.destinations.len());
    assert_eq!(stars.len(), 6, "the hub's 250 drives each way, in rows and columns of 119 others");
    assert!(stars.iter().all(|t| t.places() <= 120 && (t.sources.len() == 1 || t.destinations.len() == 1)));
    assert_eq!(squares.len(), 3, "the chain of 250 places, in squares");
    assert!(squares.iter().all(|t| t.places() <= 100));
    let small = tiles::tiles(&pairs[..10], 100, 120);
    assert_eq!(small.len(), 1, "a few places: one square, whatever they share");
    assert_eq!(small[0].sources, small[0].destinations);
}

#[test]
fn seconds_become_whole_minutes_rounded_up() {
    assert_eq!(minutes_of(Some(0.0)), Some(0));
    assert_eq!(minutes_of(Some(60.0)), Some(1));
    assert_eq!(minutes_of(Some(60.1)), Some(2));
    assert_eq!(minutes_of(None), None);
    assert_eq!(minutes_of(Some(f64::NAN)), None);
    assert_eq!(minutes_of(Some(-1.0)), None);
    assert_eq!(minutes_of(Some(1e300)), Some(UNREACHABLE));
}

#[test]
fn places_a_metre_apart_share_a_key_and_the_cache_stays_bounded_by_pairs_and_by_rows() {
    let a = GeoPoint { lat: 60.171_501, lon: 24.944_001 };
    let b = GeoPoint { lat: 60.171_502, lon: 24.944_004 };
    assert_eq!(place_key(a), place_key(b));
    assert_ne!(place_key(a), place_key(GeoPoint { lat: 60.171_52, lon: 24.944 }));
    let mut cache = PairCache::default();
    let pairs: PairMap = (0..(2 * CACHE_PAIRS + 10) as u128).map(|i| (i, Some(1))).collect();
    cache.keep(None, &pairs);
    assert!(cache.len() <= 2 * CACHE_PAIRS);
    let newest = (2 * CACHE_PAIRS + 9) as u128;
    assert_eq!(cache.get(newest), Some(Some(1)), "the newest pairs stay");
    assert_eq!(cache.get(0), None, "the oldest went");

    // Rows of searched places: a place's drives both ways, the oldest rows dropped past the bound.
    let place = |i: u64| GeoPoint { lat: 10.0 + i as f64 * 1e-3, lon: 20.0 };
    let per_row = 1_000u64;
    let rows = (ROW_DRIVES as u64 / per_row) + 5;
    for searched in 0..rows {
        let at = place_key(place(searched));
        let pairs: PairMap = (0..per_row)
            .flat_map(|i| {
                let other = place_key(GeoPoint { lat: -10.0 - i as f64 * 1e-3, lon: 20.0 });
                [(cache::pair_key(at, other), Some(7)), (cache::pair_key(other, at), None)]
            })
            .collect();
        cache.keep(Some(at), &pairs);
    }
    let other = place_key(GeoPoint { lat: -10.0, lon: 20.0 });
    let newest = cache.row(place_key(place(rows - 1))).expect("the newest row stays");
    assert_eq!((newest.get(other, true), newest.get(other, false)), (Some(Some(7)), Some(None)));
    assert!(cache.row(place_key(place(0))).is_none(), "the oldest row went");
    assert!(cache.len() <= 2 * CACHE_PAIRS + ROW_DRIVES);
}

/// Answers its first `quick` requests at once and the others after `slow_for`.
struct SlowRoads {
    quick: usize,
    slow_for: Duration,
    requests: AtomicUsize,
}

#[async_trait]
impl RoadRouter for SlowRoads {
    async fn table(&self, sources: &[GeoPoint], destinations: &[GeoPoint]) -> Result<DurationTable, RoadRouterError> {
        if self.requests.fetch_add(1, Ordering::SeqCst) >= self.quick {
            tokio::time::sleep(self.slow_for).await;
        }
        Ok(vec![vec![Some(120.0); destinations.len()]; sources.len()])
    }

    fn describe(&self) -> String {
        "slow roads".into()
    }
}

#[tokio::test(start_paused = true)]
async fn a_round_too_large_to_wait_for_goes_on_filling_the_cache() {
    let roads = Arc::new(SlowRoads { quick: 2, slow_for: Duration::from_secs(5), requests: AtomicUsize::new(0) });
    let road = RoadTravel::new(roads.clone());
    // A chain of 1,000 places: ten or so tiles, of which two answer in time.
    let places: Vec<GeoPoint> = (0..1000).map(|i| GeoPoint { lat: 60.0 + i as f64 * 1e-4, lon: 24.0 }).collect();
    let drive_all = |travel: &Lookup<'_>| places.windows(2).map(|w| travel.minutes(w[0], w[1])).collect::<Vec<_>>();
    let fallback = StraightLine::default();

    let started = tokio::time::Instant::now();
    let first = road.run(None, fallback, now(), drive_all).await;
    assert_eq!(started.elapsed(), ROUND_TIMEOUT, "the search waits no longer than the round's timeout");
    assert!(first.contains(&2), "some drives came by road in time (120 s is 2 minutes)");
    assert!(first.iter().any(|m| *m != 2), "the others on straight lines");
    let status = road.status();
    assert!(matches!(status.last_fallback.unwrap().reason, FallbackReason::StillFetching { answered: 2, .. }));

    // Four at a time, five seconds each.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let sent = roads.requests.load(Ordering::SeqCst);
    assert!(sent > 2);
    let again = road.run(None, fallback, now(), drive_all).await;
    assert!(again.iter().all(|m| *m == 2), "the rest of the round arrived in the cache meanwhile");
    assert_eq!(roads.requests.load(Ordering::SeqCst), sent, "and nothing was asked again");
    assert_eq!(road.status().failed_requests, 0, "a busy router is not a failed one");
}
