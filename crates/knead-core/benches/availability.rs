//! Availability search over a synthetic metro: 200 therapists in a 40 x 40 km city, 14 days with up to
//! 5 booked visits each (about 3.5 fit around travel, so days are mostly full), one search for one
//! place over all of it.
//!
//! `cargo bench -p knead-core --bench availability` prints criterion's estimates and then, because
//! criterion reports means and medians only, p50/p99 over 200 searches at different places.

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use criterion::{criterion_group, BenchmarkId, Criterion};
use knead_core::geo::GeoPoint;
use knead_core::schedule::{search, Day, RouteDay, SearchRequest, Stop, DEFAULT_STEP};
use knead_core::TherapistId;
use knead_routing::StraightLine;
use std::hint::black_box;
use std::time::{Duration, Instant};

const THERAPISTS: i64 = 200;
const DAYS: i64 = 14;
const CITY_KM: f64 = 40.0;
const RADIUS_KM: f64 = 25.0;
const VISITS_PER_DAY: usize = 5;
const HOUR: i64 = 60;
/// Local midnight of the first day in Toronto (UTC-5), as minutes since the epoch.
const FIRST_ORIGIN: i64 = 20_000 * 1440 + 300;
const CENTRE: GeoPoint = GeoPoint { lat: 43.65, lon: -79.38 };

/// xorshift64*: deterministic, so every run searches the same city.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next_u64() % n as u64) as i64
    }

    /// A point in the city, `east_km` and `north_km` from its south-west corner.
    fn place_in_city(&mut self) -> GeoPoint {
        let (east_km, north_km) = (self.unit() * CITY_KM, self.unit() * CITY_KM);
        offset(CENTRE, east_km - CITY_KM / 2.0, north_km - CITY_KM / 2.0)
    }
}

fn offset(from: GeoPoint, east_km: f64, north_km: f64) -> GeoPoint {
    GeoPoint { lat: from.lat + north_km / 111.2, lon: from.lon + east_km / (111.2 * from.lat.to_radians().cos()) }
}

struct Metro {
    route_days: Vec<RouteDay>,
    days: Vec<Day>,
    booked: usize,
}

/// Bases spread over the city; most work 9:00-17:00, every fourth a split shift. Visits of 60 minutes
/// (plus 10 minutes set-up and pack-up) within 10 km of base, placed where the engine's check allows.
fn build_metro(travel: &StraightLine) -> Metro {
    let mut rng = Rng(0x6b6e_6561_6421);
    let days: Vec<Day> = (0..DAYS)
        .map(|d| Day { origin: FIRST_ORIGIN + d * 24 * HOUR, end: FIRST_ORIGIN + (d + 1) * 24 * HOUR })
        .collect();
    let (duration, buffer) = (60, 10);
    let mut route_days = Vec::new();
    let mut booked = 0;
    for id in 1..=THERAPISTS {
        let base = rng.place_in_city();
        for day in &days {
            let windows = if id % 4 == 0 {
                vec![(day.origin + 8 * HOUR, day.origin + 12 * HOUR), (day.origin + 13 * HOUR, day.origin + 19 * HOUR)]
            } else {
                vec![(day.origin + 9 * HOUR, day.origin + 17 * HOUR)]
            };
            let mut stops: Vec<Stop> = Vec::new();
            let mut route = RouteDay::new(TherapistId(id), base, RADIUS_KM, windows.clone(), vec![], travel);
            for _attempt in 0..200 {
                if stops.len() == VISITS_PER_DAY {
                    break;
                }
                let at = offset(base, (rng.unit() - 0.5) * 20.0, (rng.unit() - 0.5) * 20.0);
                let start = day.origin + 8 * HOUR + rng.below(44) * DEFAULT_STEP;
                if route.check(start, duration, buffer, at, travel).is_ok() {
                    stops.push(Stop { start: start - buffer, end: start + duration + buffer, at });
                    route = RouteDay::new(TherapistId(id), base, RADIUS_KM, windows.clone(), stops.clone(), travel);
                }
            }
            booked += stops.len();
            route_days.push(route);
        }
    }
    Metro { route_days, days, booked }
}

fn request(metro: &Metro, place: GeoPoint, therapists_needed: usize) -> SearchRequest {
    SearchRequest {
        place,
        duration: 60,
        buffer: 10,
        therapists_needed,
        step: DEFAULT_STEP,
        // Asked at 10:00 on the first day, with no lead time.
        not_before: metro.days[0].origin + 10 * HOUR,
        days: metro.days.clone(),
        rooms: None,
    }
}

fn availability(c: &mut Criterion) {
    let travel = StraightLine::default();
    let metro = build_metro(&travel);
    let place = Rng(7).place_in_city();
    let mut group = c.benchmark_group("availability_200_therapists_14_days");
    for (name, needed) in [("individual", 1), ("couples", 2)] {
        let req = request(&metro, place, needed);
        group.bench_with_input(BenchmarkId::from_parameter(name), &req, |b, req| {
            b.iter(|| search(black_box(req), black_box(&metro.route_days), &travel))
        });
    }
    group.finish();
}

/// p50 and p99 of single searches at 200 different places, each timed on its own.
fn percentiles() {
    let travel = StraightLine::default();
    let setup = Instant::now();
    let metro = build_metro(&travel);
    println!(
        "metro: {} therapists, {} route-days, {} booked visits ({:.1} per therapist-day), built in {:.0?}",
        THERAPISTS,
        metro.route_days.len(),
        metro.booked,
        metro.booked as f64 / metro.route_days.len() as f64,
        setup.elapsed()
    );
    // What a caller pays if it builds every route-day afresh for each request instead of keeping them.
    let rebuild = Instant::now();
    let rebuilt: Vec<RouteDay> = metro
        .route_days
        .iter()
        .map(|r| {
            RouteDay::new(r.therapist(), r.base(), r.radius_km(), r.windows().to_vec(), r.stops().to_vec(), &travel)
        })
        .collect();
    println!(
        "rebuilding all {} route-days (gaps and their travel): {:.2?}",
        black_box(rebuilt).len(),
        rebuild.elapsed()
    );

    let mut rng = Rng(0x7365_6172_6368);
    let places: Vec<GeoPoint> = (0..200).map(|_| rng.place_in_city()).collect();
    for (name, needed) in [("individual", 1), ("couples", 2)] {
        // Warm caches and the allocator before timing.
        for &place in places.iter().take(20) {
            black_box(search(&request(&metro, place, needed), &metro.route_days, &travel));
        }
        let mut times: Vec<Duration> = Vec::with_capacity(places.len());
        let mut slot_count = 0;
        for &place in &places {
            let req = request(&metro, place, needed);
            let started = Instant::now();
            let slots = search(black_box(&req), black_box(&metro.route_days), &travel);
            times.push(started.elapsed());
            slot_count += slots.len();
        }
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
        println!(
            "search {name}: p50 {:.2?}  p99 {:.2?}  max {:.2?}  over {} places, {:.0} slots on average",
            at(0.50),
            at(0.99),
            times[times.len() - 1],
            times.len(),
            slot_count as f64 / places.len() as f64
        );
    }
}

criterion_group!(benches, availability);

fn main() {
    // `cargo test --benches` runs this binary without `--bench`; only time things when benchmarking.
    if std::env::args().any(|arg| arg == "--bench") {
        percentiles();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
