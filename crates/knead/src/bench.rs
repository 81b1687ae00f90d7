//! `knead bench availability`: p50 and p99 of availability searches on the metro practice, timed through
//! `knead_web::booking::availability` (the store reads and the engine the API runs), then split into its steps.

use crate::cli::BenchAvailabilityArgs;
use crate::store;
use anyhow::{anyhow, bail, Result};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::calendar::{instant_of, local_date, local_day, minute_of, TherapistSchedule};
use knead_core::schedule::{
    search, Day, GeoPoint, RouteDay, SearchRequest, Stop, StraightLine, TravelTimes, UNREACHABLE,
};
use knead_core::{ServiceId, TherapistId};
use knead_demo::metro::{self, MetroPractice};
use knead_store::{DynStore, CHECK_MARGIN_MINUTES};
use knead_web::booking::{
    availability as web_availability, rfc3339_local, AvailabilityQuery, CalendarCache, PlaceQuery,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Searches run before timing starts, to warm the connection pool, SQLite's page cache and the allocator.
const WARMUP: usize = 20;
/// What each search covers, as the target states it.
const DAYS: i64 = 14;
/// Searches in flight in the what-if runs: the HTTP target is for 50 concurrent clients.
const WHAT_IF_CONCURRENCY: usize = 50;

/// A temporary directory removed when the benchmark ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The SQLite file a URL names, if it is a file URL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.contains(":memory:") {
        return None;
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    Some(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

/// The store with the metro practice: the given database when it has one, else a fresh temporary SQLite file.
/// The given database is not written (a missing SQLite file is not even created).
async fn open_metro(database_url: &str) -> Result<(DynStore, MetroPractice, Option<TempDir>)> {
    let missing_file = sqlite_path(database_url).is_some_and(|p| !p.exists());
    if !missing_file {
        let store = store::open(database_url).await?;
        if let Some(practice) = metro::find(&*store).await? {
            println!("Using the metro practice in {}.", store::display_url(database_url));
            return Ok((store, practice, None));
        }
    }
    let dir =
        std::env::temp_dir().join(format!("knead-bench-{}-{}", std::process::id(), Timestamp::now().as_millisecond()));
    std::fs::create_dir_all(&dir)?;
    let dir = TempDir(dir);
    let url = format!("sqlite://{}", dir.0.join("metro.db").display());
    println!(
        "{} has no metro practice; building one in a temporary SQLite file (under a minute)...",
        store::display_url(database_url)
    );
    let store = store::open(&url).await?;
    let started = Instant::now();
    let hash = |p: &str| knead_web::hash_password(p);
    let report =
        metro::load(&*store, &hash, Timestamp::now(), metro::DEFAULT_SEED).await.map_err(|e| anyhow!("{e}"))?;
    println!("Built it in {:.1} s: {} bookings.", started.elapsed().as_secs_f64(), report.bookings);
    let practice =
        metro::find(&*store).await?.ok_or_else(|| anyhow!("the metro practice was not found after loading it"))?;
    Ok((store, practice, Some(dir)))
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "p50 {:>9}  p99 {:>9}  max {:>9}",
        ms(percentile(times, 0.50)),
        ms(percentile(times, 0.99)),
        ms(times[times.len() - 1])
    )
}

pub async fn availability(database_url: &str, args: &BenchAvailabilityArgs) -> Result<()> {
    if args.searches == 0 || args.concurrency == 0 {
        bail!("--searches and --concurrency must be at least 1");
    }
    let (store, practice, _temp) = open_metro(database_url).await?;
    let now = Timestamp::now();
    let settings = store.practice_settings().await?;
    let tz = settings.zone();
    let from = local_date(&tz, now).tomorrow()?;
    let therapists = store.schedules().await?.iter().filter(|s| s.offers(practice.individual)).count();
    let (first, last) = (local_day(&tz, from), local_day(&tz, from.checked_add((DAYS - 1).days())?));
    let booked = store.stops_between(instant_of(first.origin), instant_of(last.end)).await?.len();
    println!(
        "Metro practice: {therapists} therapists, {booked} booked visits from {from} for {DAYS} days ({:.1} per therapist-day).",
        booked as f64 / (therapists.max(1) as f64 * DAYS as f64)
    );
    if booked == 0 {
        println!("  warning: no visits in the searched days; the metro was loaded more than two weeks ago. Load a fresh one.");
    }

    let places = metro::search_places(args.seed, args.searches + WARMUP);
    for (name, service) in [("individual", practice.individual), ("couples", practice.couples)] {
        let started = Instant::now();
        let (mut times, slots) = time_searches(&store, service, from, &places, args.concurrency).await?;
        let elapsed = started.elapsed();
        println!(
            "availability {name:<10} {}  over {} searches at {} at once, {:.0} slots on average, {:.0} searches/s",
            summary(&mut times),
            times.len(),
            args.concurrency,
            slots as f64 / times.len() as f64,
            times.len() as f64 / elapsed.as_secs_f64()
        );
    }
    if args.concurrency == 1 {
        let route_days = breakdown(&store, practice.individual, from, &places[WARMUP..], now).await?;
        what_if(route_days, &places[WARMUP..], &tz).await?;
    }
    Ok(())
}

/// Times `knead_web::booking::availability` at each place after the warm-up ones, `concurrency` at a time.
/// Returns the latencies and the total number of slots found.
async fn time_searches(
    store: &DynStore,
    service: ServiceId,
    from: Date,
    places: &[GeoPoint],
    concurrency: usize,
) -> Result<(Vec<Duration>, usize)> {
    let query = move |at: GeoPoint| AvailabilityQuery {
        service_id: service,
        place: PlaceQuery::Point(at),
        from,
        days: DAYS,
        therapist_id: None,
    };
    // One cache for all searches, as one server has: the warm-up builds it, the timed searches use it.
    let cache = Arc::new(CalendarCache::default());
    for &at in &places[..WARMUP] {
        web_availability(store.as_ref(), &cache, &query(at), Timestamp::now()).await.map_err(|e| anyhow!("{e:?}"))?;
    }
    let timed: Arc<Vec<GeoPoint>> = Arc::new(places[WARMUP..].to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (store, timed, next, cache) = (store.clone(), timed.clone(), next.clone(), cache.clone());
        // Each task takes the next place until none is left, so `concurrency` searches are always in flight.
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut slots = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&at) = timed.get(i) else { break };
                let started = Instant::now();
                let found = web_availability(store.as_ref(), &cache, &query(at), Timestamp::now())
                    .await
                    .map_err(|e| anyhow!("{e:?}"))?;
                times.push(started.elapsed());
                slots += found.len();
            }
            Ok::<_, anyhow::Error>((times, slots))
        }));
    }
    let mut times = Vec::with_capacity(timed.len());
    let mut slots = 0;
    for task in tasks {
        let (t, s) = task.await??;
        times.extend(t);
        slots += s;
    }
    Ok((times, slots))
}

/// One therapist-day per schedule and date, with the stops near it: `knead_web::booking`'s route-day step.
fn build_route_days(
    schedules: &[TherapistSchedule],
    stops: Vec<(TherapistId, Stop)>,
    dates: &[Date],
    tz: &jiff::tz::TimeZone,
    travel: &dyn TravelTimes,
) -> Vec<RouteDay> {
    let mut by_therapist: HashMap<TherapistId, Vec<Stop>> = HashMap::new();
    for (therapist, stop) in stops {
        by_therapist.entry(therapist).or_default().push(stop);
    }
    let mut route_days: Vec<RouteDay> = Vec::with_capacity(schedules.len() * dates.len());
    for s in schedules {
        let stops = by_therapist.get(&s.therapist_id).map(Vec::as_slice).unwrap_or(&[]);
        for &date in dates {
            let day = local_day(tz, date);
            let lo = stops.partition_point(|st| st.end <= day.origin - CHECK_MARGIN_MINUTES);
            let hi = stops.partition_point(|st| st.start < day.end + CHECK_MARGIN_MINUTES);
            route_days.push(s.route_day(tz, date, stops[lo..hi].to_vec(), travel));
        }
    }
    route_days
}

/// The same search split into its steps, one at a time, to show where the time goes. This mirrors
/// `knead_web::booking::availability` step by step (it keeps its steps private); the headline figures above
/// come from the real function. Returns the last route-days built, with the request they were built for.
async fn breakdown(
    store: &DynStore,
    service_id: ServiceId,
    from: Date,
    places: &[GeoPoint],
    now: Timestamp,
) -> Result<(Vec<RouteDay>, SearchRequest)> {
    let dates: Vec<Date> = (0..DAYS).filter_map(|i| from.checked_add(i.days()).ok()).collect();
    let mut steps: [Vec<Duration>; 5] = Default::default();
    let mut last = None;
    for &at in places {
        // 1. Service, settings and every schedule.
        let t = Instant::now();
        let service = store.service(service_id).await?;
        let settings = store.practice_settings().await?;
        let schedules: Vec<_> = store.schedules().await?.into_iter().filter(|s| s.offers(service.id)).collect();
        steps[0].push(t.elapsed());
        let tz = settings.zone();
        let travel = StraightLine::new(settings.road_factor, settings.speed_kmh).unwrap_or_default();

        // 2. Every booked stop in the range (with a day's margin each side).
        let t = Instant::now();
        let range_from = instant_of(local_day(&tz, dates[0]).origin - CHECK_MARGIN_MINUTES);
        let range_to = instant_of(local_day(&tz, dates[dates.len() - 1]).end + CHECK_MARGIN_MINUTES);
        let stops = store.stops_between(range_from, range_to).await?;
        steps[1].push(t.elapsed());
        let stop_count = stops.len();

        // 3. One route-day per therapist and date, gaps and their travel precomputed.
        let t = Instant::now();
        let route_days = build_route_days(&schedules, stops, &dates, &tz, &travel);
        steps[2].push(t.elapsed());

        // 4. The engine.
        let t = Instant::now();
        let request = SearchRequest {
            place: at,
            duration: service.duration_minutes,
            buffer: service.buffer_minutes,
            therapists_needed: service.therapists_needed(),
            step: settings.grid_minutes,
            not_before: minute_of(now) + settings.lead_minutes,
            days: dates.iter().map(|d| local_day(&tz, *d)).collect::<Vec<Day>>(),
            rooms: None,
        };
        let slots = search(&request, &route_days, &travel);
        steps[3].push(t.elapsed());

        // 5. Slots as the API shows them (RFC 3339 with the practice's offset).
        let t = Instant::now();
        let shown: Vec<(String, String)> = slots
            .iter()
            .map(|s| (rfc3339_local(&tz, instant_of(s.start)), rfc3339_local(&tz, instant_of(s.end))))
            .collect();
        std::hint::black_box(shown);
        steps[4].push(t.elapsed());
        last = Some((route_days, request, stop_count));
    }
    let (route_days, request, stop_count) = last.ok_or_else(|| anyhow!("no searches"))?;
    println!("Where the time goes (individual, one search at a time, {} searches):", places.len());
    let names =
        ["read service, settings, schedules", "read booked stops", "build route-days", "engine search", "format slots"];
    for (name, times) in names.iter().zip(steps.iter_mut()) {
        println!("  {name:<34} {}", summary(times));
    }
    println!("  ({stop_count} stops read and {} route-days built per search)", route_days.len());
    Ok((route_days, request))
}

/// Distance on a flat map of the city (equirectangular projection at the city centre's latitude): over the
/// 40 km metro it is at most 0.3% (about 110 m) off the haversine, a minute apart for about 3% of pairs, and
/// costs a square root instead of five trigonometric calls. A what-if for the engine's travel model only.
struct FlatEarth {
    straight: StraightLine,
    km_per_degree_lon: f64,
}

/// Km per degree of latitude on the mean earth radius the core's haversine uses (6371.0088 km).
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

impl FlatEarth {
    fn new(straight: StraightLine, latitude: f64) -> FlatEarth {
        FlatEarth { straight, km_per_degree_lon: KM_PER_DEGREE * latitude.to_radians().cos() }
    }
}

impl TravelTimes for FlatEarth {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        let north = (to.lat - from.lat) * KM_PER_DEGREE;
        let east = (to.lon - from.lon) * self.km_per_degree_lon;
        let km = (north * north + east * east).sqrt();
        let minutes = (km * self.straight.road_factor / self.straight.speed_kmh * 60.0).ceil();
        if minutes.is_finite() && minutes >= 0.0 && minutes < UNREACHABLE as f64 {
            minutes as u32
        } else {
            UNREACHABLE
        }
    }
}

/// A what-if case: its name, the route-days kept in memory, and the travel model they were built with.
type WhatIf = (&'static str, Arc<Vec<RouteDay>>, Arc<dyn TravelTimes>);

/// What a search would cost if route-days were kept in memory between requests (engine and formatting only,
/// no store reads), one at a time and 50 at once, with the current travel model and a cheaper one.
async fn what_if(
    (route_days, request): (Vec<RouteDay>, SearchRequest),
    places: &[GeoPoint],
    tz: &jiff::tz::TimeZone,
) -> Result<()> {
    println!("What if route-days were kept in memory (no store reads; engine and formatting only):");
    let straight = StraightLine::default();
    let flat = FlatEarth::new(straight, metro::CENTRE.lat);
    // Rebuilt with the flat model so that the day's existing travel and the new place's agree.
    let flat_days: Vec<RouteDay> = route_days
        .iter()
        .map(|r| RouteDay::new(r.therapist(), r.base(), r.radius_km(), r.windows().to_vec(), r.stops().to_vec(), &flat))
        .collect();
    let cases: [WhatIf; 2] = [
        ("straight-line travel (haversine)", Arc::new(route_days), Arc::new(straight)),
        ("flat-map travel (no trigonometry)", Arc::new(flat_days), Arc::new(flat)),
    ];
    for (name, days, travel) in cases {
        for concurrency in [1, WHAT_IF_CONCURRENCY] {
            let request = Arc::new(request.clone());
            let places: Arc<Vec<GeoPoint>> = Arc::new(places.to_vec());
            let next = Arc::new(AtomicUsize::new(0));
            let started = Instant::now();
            let mut tasks = Vec::with_capacity(concurrency);
            for _ in 0..concurrency {
                let (days, travel, request, places, next, tz) =
                    (days.clone(), travel.clone(), request.clone(), places.clone(), next.clone(), tz.clone());
                tasks.push(tokio::spawn(async move {
                    let mut times = Vec::new();
                    let mut slots = 0;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&at) = places.get(i) else { break };
                        let t = Instant::now();
                        // Queue behind the other searches in flight, as a request waits for a worker thread.
                        tokio::task::yield_now().await;
                        let req = SearchRequest { place: at, ..(*request).clone() };
                        let found = search(&req, days.iter(), travel.as_ref());
                        let shown: Vec<(String, String)> = found
                            .iter()
                            .map(|s| (rfc3339_local(&tz, instant_of(s.start)), rfc3339_local(&tz, instant_of(s.end))))
                            .collect();
                        times.push(t.elapsed());
                        slots += std::hint::black_box(shown).len();
                    }
                    (times, slots)
                }));
            }
            let mut times = Vec::new();
            let mut slots = 0;
            for task in tasks {
                let (t, s) = task.await?;
                times.extend(t);
                slots += s;
            }
            let elapsed = started.elapsed();
            println!(
                "  {name:<34} {concurrency:>2} at once  {}  {:.0} slots on average, {:.0} searches/s",
                summary(&mut times),
                slots as f64 / times.len() as f64,
                times.len() as f64 / elapsed.as_secs_f64()
            );
        }
    }
    Ok(())
}
