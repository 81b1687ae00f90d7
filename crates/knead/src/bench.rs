//! `knead bench availability`: p50 and p99 of availability searches on the metro practice, timed through
//! `knead_app::booking::availability` (the store reads and the engine the API runs), then split into its steps.
//! With `--osrm-url`, drives are road times from that OSRM server, and each place's first search (its drives not
//! yet cached) is timed apart from its second.

use crate::cli::BenchAvailabilityArgs;
use crate::store;
use anyhow::{anyhow, bail, Result};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_app::accounts::hash_password;
use knead_app::booking::{self, travel_model, AvailabilityQuery};
use knead_app::travel::RoadRouter;
use knead_app::App;
use knead_core::booking::plan::search_request;
use knead_core::booking::Location;
use knead_core::calendar::{format_rfc3339, instant_of, local_date, local_day, route_days, BookedStops};
use knead_core::geo::GeoPoint;
use knead_core::schedule::{search, NEIGHBOUR_MARGIN_MINUTES};
use knead_core::ServiceId;
use knead_demo::metro::{self, MetroPractice};
use knead_places::osrm::OsrmRouter;
use knead_store::DynStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Searches run before timing starts, to warm the connection pool, SQLite's page cache and the allocator.
const WARMUP: usize = 20;
/// What each search covers, as the target states it.
const DAYS: i64 = 14;

/// A temporary directory removed when the benchmark ends.
pub(crate) struct TempDir(PathBuf);

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
pub(crate) async fn open_metro(database_url: &str) -> Result<(DynStore, MetroPractice, Option<TempDir>)> {
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
    let report = metro::load(&*store, &hash_password, Timestamp::now(), metro::DEFAULT_SEED)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!("Built it in {:.1} s: {} bookings.", started.elapsed().as_secs_f64(), report.bookings);
    let practice =
        metro::find(&*store).await?.ok_or_else(|| anyhow!("the metro practice was not found after loading it"))?;
    Ok((store, practice, Some(dir)))
}

/// Nearest-rank percentile of sorted durations.
pub(crate) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) fn summary(times: &mut [Duration]) -> String {
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
    let from = local_date(tz, now).tomorrow()?;
    let therapists = store.schedules().await?.iter().filter(|s| s.offers(practice.individual)).count();
    let (first, last) = (local_day(tz, from), local_day(tz, from.checked_add((DAYS - 1).days())?));
    let booked = store.stops_between(instant_of(first.origin), instant_of(last.end)).await?.len();
    println!(
        "Metro practice: {therapists} therapists, {booked} booked visits from {from} for {DAYS} days ({:.1} per therapist-day).",
        booked as f64 / (therapists.max(1) as f64 * DAYS as f64)
    );
    if booked == 0 {
        println!("  warning: no visits in the searched days; the metro was loaded more than two weeks ago. Load a fresh one.");
    }

    let places = metro::search_places(args.seed, args.searches + WARMUP);
    if let Some(url) = &args.osrm_url {
        return on_road_times(&store, practice, from, &places, args.concurrency, url).await;
    }
    // One app for all searches, as one server has: the warm-up builds its calendar cache, the timed searches use it.
    let app = Arc::new(App::new(store.clone()));
    for (name, service) in [("individual", practice.individual), ("couples", practice.couples)] {
        let started = Instant::now();
        let (mut times, slots) = time_searches(&app, service, from, &places, args.concurrency).await?;
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
        breakdown(&store, practice.individual, from, &places[WARMUP..], now).await?;
    }
    Ok(())
}

/// The benchmark's search at `at`.
fn query(service: ServiceId, from: Date, at: GeoPoint) -> AvailabilityQuery {
    AvailabilityQuery {
        service_id: service,
        place: Location::Point(at),
        from,
        days: DAYS,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    }
}

/// Each service on an app of its own with road times from OSRM: its very first search (nothing cached), then
/// every other place once, one at a time (the days' drives cached, the place's own not yet: new clients arrive
/// one by one), then the same places again, `concurrency` at a time (warm).
async fn on_road_times(
    store: &DynStore,
    practice: MetroPractice,
    from: Date,
    places: &[GeoPoint],
    concurrency: usize,
    url: &str,
) -> Result<()> {
    let router = OsrmRouter::new(url)?;
    println!("Drives priced by {}.", router.describe());
    for (name, service) in [("individual", practice.individual), ("couples", practice.couples)] {
        let app = Arc::new(App::new(store.clone()).with_road_router(Arc::new(router.clone())));
        let started = Instant::now();
        booking::availability(&app, &query(service, from, places[0])).await.map_err(|e| anyhow!("{e}"))?;
        let first = started.elapsed();
        let (mut cold, _) = time_each(&app, service, from, &places[1..], 1).await?;
        let (mut warm, slots) = time_each(&app, service, from, &places[1..], concurrency).await?;
        println!("availability {name:<10} the first search after start: {}", ms(first));
        println!("  a new place, one at a time:  {}", summary(&mut cold));
        println!(
            "  a place again (warm), {} at once: {}  ({:.0} slots on average)",
            concurrency,
            summary(&mut warm),
            slots as f64 / warm.len() as f64
        );
        if let Some(road) = app.road_travel() {
            let s = road.status();
            let drives = (s.pairs_from_roads + s.pairs_fell_back).max(1);
            println!(
                "  OSRM: {} table requests ({} failed); drives by road {}, by straight line {} ({:.1} %); {} pairs cached",
                s.requests,
                s.failed_requests,
                s.pairs_from_roads,
                s.pairs_fell_back,
                100.0 * s.pairs_fell_back as f64 / drives as f64,
                s.cached_pairs
            );
        }
    }
    Ok(())
}

/// Times `knead_app::booking::availability` at each place after the warm-up ones, `concurrency` at a time.
/// Returns the latencies and the total number of slots found.
async fn time_searches(
    app: &Arc<App>,
    service: ServiceId,
    from: Date,
    places: &[GeoPoint],
    concurrency: usize,
) -> Result<(Vec<Duration>, usize)> {
    for &at in &places[..WARMUP] {
        booking::availability(app, &query(service, from, at)).await.map_err(|e| anyhow!("{e}"))?;
    }
    time_each(app, service, from, &places[WARMUP..], concurrency).await
}

/// Times one search at each place, `concurrency` at a time; the latencies and the total number of slots found.
async fn time_each(
    app: &Arc<App>,
    service: ServiceId,
    from: Date,
    places: &[GeoPoint],
    concurrency: usize,
) -> Result<(Vec<Duration>, usize)> {
    let timed: Arc<Vec<GeoPoint>> = Arc::new(places.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (app, timed, next) = (app.clone(), timed.clone(), next.clone());
        // Each task takes the next place until none is left, so `concurrency` searches are always in flight.
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut slots = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&at) = timed.get(i) else { break };
                let started = Instant::now();
                let found = booking::availability(&app, &query(service, from, at)).await.map_err(|e| anyhow!("{e}"))?;
                times.push(started.elapsed());
                slots += found.slots.len();
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

/// The same search without the calendar cache, split into its steps one at a time, to show where the time
/// goes (and what the first search after a change costs). It runs the core functions `availability` is made
/// of; the headline figures above come from the real function.
async fn breakdown(
    store: &DynStore,
    service_id: ServiceId,
    from: Date,
    places: &[GeoPoint],
    now: Timestamp,
) -> Result<()> {
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
        let travel = travel_model(&settings);

        // 2. Every booked stop in the range (with a day's margin each side).
        let t = Instant::now();
        let range_from = instant_of(local_day(tz, dates[0]).origin - NEIGHBOUR_MARGIN_MINUTES);
        let range_to = instant_of(local_day(tz, dates[dates.len() - 1]).end + NEIGHBOUR_MARGIN_MINUTES);
        let stops = store.stops_between(range_from, range_to).await?;
        steps[1].push(t.elapsed());
        let stop_count = stops.len();

        // 3. One route-day per therapist and date, gaps and their travel precomputed.
        let t = Instant::now();
        let days = route_days(&schedules, &BookedStops::from_rows(stops), tz, &dates, &travel);
        steps[2].push(t.elapsed());

        // 4. The engine.
        let t = Instant::now();
        let request = search_request(&service, &settings, at, &dates, None, now);
        let slots = search(&request, &days, &travel);
        steps[3].push(t.elapsed());

        // 5. Slots as the API shows them (RFC 3339 with the practice's offset).
        let t = Instant::now();
        let shown: Vec<(String, String)> = slots
            .iter()
            .map(|s| (format_rfc3339(tz, instant_of(s.start)), format_rfc3339(tz, instant_of(s.end))))
            .collect();
        std::hint::black_box(shown);
        steps[4].push(t.elapsed());
        last = Some((days.len(), stop_count));
    }
    let (route_days, stop_count) = last.ok_or_else(|| anyhow!("no searches"))?;
    println!("Where the time goes without the cache (individual, one search at a time, {} searches):", places.len());
    let names =
        ["read service, settings, schedules", "read booked stops", "build route-days", "engine search", "format slots"];
    for (name, times) in names.iter().zip(steps.iter_mut()) {
        println!("  {name:<34} {}", summary(times));
    }
    println!("  ({stop_count} stops read and {route_days} route-days built per search)");
    Ok(())
}
