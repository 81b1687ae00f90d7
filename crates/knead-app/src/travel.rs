//! Road travel times behind the core's `TravelTimes`: the [`RoadRouter`] port (an OSRM server's `/table` service,
//! in `knead-places`), a cache of the pairs it answered, and the models a search reads from memory.
//!
//! The engine is synchronous and never waits on a network, so a use case works in passes:
//!
//! 1. **Probe.** It builds its route-days and runs the engine once with a [`Lookup`] that answers every pair the
//!    cache knows and answers zero for the rest, writing those down. Zero is the most hopeful drive there is, so
//!    the probe asks for every pair any real times could make the engine ask for (the engine only skips a pair
//!    when an earlier drive already rules the gap out). With a warm cache nothing is missing and the probe's
//!    answer is the answer.
//! 2. **Fetch.** The missing pairs go to the router in one round: one `/table` request when they span at most
//!    [`TILE_LOCATIONS`] places, else rows and columns for the drives to and from the client's place and
//!    squares for the rest, a few at a time. The asked cells of every answer are kept in the cache. The search waits at most [`ROUND_TIMEOUT`]; a large round (the first search
//!    after a start, which also fetches every booked day's own drives) goes on filling the cache after that.
//! 3. **Final pass.** The same work again on road times, from memory.
//!
//! A pair the router answers `null` for (no road between the places, as on a network cut at the extract's edge)
//! and a pair it could not answer (server down or slow) use the practice's straight-line model instead; both are
//! counted for the staff's status page and logged as counts, never as places. After a failed request (or a round
//! with no answer in time) the router rests for [`REST_AFTER_FAILURE`], so a down server costs one timeout, not
//! one per search.
//!
//! The cache is keyed by coordinates rounded to 1e-5 degrees (about a metre). A searched place's drives are kept
//! together in a row (at most [`ROW_DRIVES`] in all, the oldest rows going first), the others by pair (at most
//! twice [`CACHE_PAIRS`]). It is emptied when the practice imports new places ([`RoadTravel::follow_places`]) or
//! when someone asks ([`crate::App::invalidate_road_times`]). A new OSRM URL is configuration: a restart.

mod cache;
mod lookup;
mod tiles;

pub use cache::{CACHE_PAIRS, ROW_DRIVES};
pub use lookup::{Lookup, RoadTimes, Travel};

use crate::App;
use async_trait::async_trait;
use cache::{place_key, PairCache, PairMap};
use jiff::Timestamp;
use knead_core::geo::{GeoPoint, TravelTimes};
use knead_routing::StraightLine;
use lookup::{Counts, Missing, Probe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// Driving seconds from each source (one row each) to each destination; `None` where no road connects them.
pub type DurationTable = Vec<Vec<Option<f64>>>;

/// Why a router gave no table. The text is shown to staff and logged, so it never holds coordinates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RoadRouterError(pub String);

/// Road driving times between places, from a routing service.
#[async_trait]
pub trait RoadRouter: Send + Sync {
    /// Seconds from each of `sources` to each of `destinations`: `sources.len()` rows of `destinations.len()`.
    async fn table(&self, sources: &[GeoPoint], destinations: &[GeoPoint]) -> Result<DurationTable, RoadRouterError>;
    /// What staff see of it, such as "OSRM at http://127.0.0.1:5000" (no credentials).
    fn describe(&self) -> String;
}

/// The most places in one square table request: OSRM's default `--max-table-size` allows 100 x 100 cells.
pub const TILE_LOCATIONS: usize = 100;
/// The most places in one row or column request (one place to or from the others): 300 x 1 cells, well within
/// OSRM's limit, in a URL of about 6 KB, within what proxies in front of a server usually accept (8 KB).
pub const STAR_LOCATIONS: usize = 300;
/// Table requests in flight at once, from all searches together, so that many new places at once queue here
/// rather than at the server.
pub const REQUESTS_IN_FLIGHT: usize = 8;
/// How long one round of table requests may take before its missing pairs use straight lines.
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the router is left alone after a round failed.
pub const REST_AFTER_FAILURE: Duration = Duration::from_secs(15);
/// Why drives last used straight lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackReason {
    /// The router knows no road between some pairs of places.
    NoRoad,
    /// The router did not answer (the text says why: down, slow, refused).
    RouterFailed(String),
    /// The router failed recently and is left alone for a while.
    RouterResting,
    /// The router had answered `answered` of the round's `requests` when the search stopped waiting; the rest
    /// are still coming, into the cache, for the next searches.
    StillFetching { answered: usize, requests: usize },
}

impl std::fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FallbackReason::NoRoad => f.write_str("the router knows no road between some of the places"),
            FallbackReason::RouterFailed(why) => write!(f, "the router did not answer: {why}"),
            FallbackReason::RouterResting => {
                write!(f, "the router failed recently and is left alone for {} s", REST_AFTER_FAILURE.as_secs())
            }
            FallbackReason::StillFetching { answered, requests } => write!(
                f,
                "the router had answered {answered} of {requests} requests in {} s; the rest are still coming",
                ROUND_TIMEOUT.as_secs()
            ),
        }
    }
}

/// The last time drives fell back to straight lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastFallback {
    pub at: Timestamp,
    /// Drives that used straight lines in that search or booking.
    pub pairs: u64,
    pub reason: FallbackReason,
}

/// What staff see of road travel times since the server started.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoadStatus {
    /// Which router, as it describes itself.
    pub router: String,
    /// Drives that searches and bookings priced with road times.
    pub pairs_from_roads: u64,
    /// Drives priced with straight lines instead (no road, or the router did not answer).
    pub pairs_fell_back: u64,
    /// Table requests sent, and how many of them failed.
    pub requests: u64,
    pub failed_requests: u64,
    /// Pairs in the cache now.
    pub cached_pairs: usize,
    pub last_fallback: Option<LastFallback>,
}

/// How availability and booking price drives, for the staff's status page.
#[derive(Debug, Clone, PartialEq)]
pub enum TravelStatus {
    /// No router is set: the practice's straight-line model, with its settings.
    StraightLines {
        road_factor: f64,
        speed_kmh: f64,
    },
    Roads(RoadStatus),
}

/// The practice's travel status.
pub async fn status(app: &App) -> crate::AppResult<TravelStatus> {
    match app.road_travel() {
        Some(road) => Ok(TravelStatus::Roads(road.status())),
        None => {
            let settings = app.store().practice_settings().await?;
            Ok(TravelStatus::StraightLines { road_factor: settings.road_factor, speed_kmh: settings.speed_kmh })
        }
    }
}

/// What one round of table requests brought back.
#[derive(Default)]
struct Fetched {
    pairs: PairMap,
    failure: Option<FallbackReason>,
}

/// What a round's requests share with the search that sent them, and keep filling after it stopped waiting.
struct Shared {
    cache: RwLock<PairCache>,
    /// Bumped whenever the cache is emptied, so answers and work from before are not kept.
    epoch: AtomicU64,
    resting_until: Mutex<Option<Instant>>,
    status: Mutex<RoadStatus>,
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl Shared {
    fn resting(&self) -> bool {
        self.resting_until.lock().unwrap_or_else(|e| e.into_inner()).is_some_and(|until| Instant::now() < until)
    }

    /// Leaves the router alone for a while; false when it was already resting.
    fn start_resting(&self) -> bool {
        let mut until = self.resting_until.lock().unwrap_or_else(|e| e.into_inner());
        let was_resting = until.is_some_and(|until| Instant::now() < until);
        *until = Some(Instant::now() + REST_AFTER_FAILURE);
        !was_resting
    }

    /// Keeps answers asked under `epoch` for a search at `searched`, unless the cache was emptied since.
    fn keep(&self, epoch: u64, searched: Option<GeoPoint>, pairs: &PairMap) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::SeqCst) == epoch {
            cache.keep(searched.map(place_key), pairs);
        }
    }

    fn request_done(&self, failed: bool) {
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.requests += 1;
        status.failed_requests += u64::from(failed);
    }
}

/// The router, the cache of pairs it answered, and what staff see. One per [`App`].
pub struct RoadTravel {
    router: Arc<dyn RoadRouter>,
    shared: Arc<Shared>,
    /// The places generation the cache belongs to (`None` until one is seen).
    places_generation: Mutex<Option<i64>>,
    /// When the store's places generation was last read, so a search reads it at most every few seconds.
    generation_checked: Mutex<Option<std::time::Instant>>,
}

/// How often the store's places generation is read to see whether the practice imported new places (perhaps
/// through another server on the same database).
const GENERATION_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

impl RoadTravel {
    pub fn new(router: Arc<dyn RoadRouter>) -> RoadTravel {
        let status = RoadStatus { router: router.describe(), ..RoadStatus::default() };
        let shared = Shared {
            cache: RwLock::default(),
            epoch: AtomicU64::new(0),
            resting_until: Mutex::new(None),
            status: Mutex::new(status),
            in_flight: Arc::new(tokio::sync::Semaphore::new(REQUESTS_IN_FLIGHT)),
        };
        RoadTravel {
            router,
            shared: Arc::new(shared),
            places_generation: Mutex::new(None),
            generation_checked: Mutex::new(None),
        }
    }

    /// Forgets every pair: road times computed on other road data are no longer right.
    pub fn invalidate(&self) {
        let mut cache = self.shared.cache.write().unwrap_or_else(|e| e.into_inner());
        cache.clear();
        self.shared.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Empties the cache when the practice's places generation (bumped by each import) is not the one the cache
    /// was filled under.
    pub fn follow_places(&self, generation: i64) {
        let mut seen = self.places_generation.lock().unwrap_or_else(|e| e.into_inner());
        if seen.is_some_and(|g| g != generation) {
            self.invalidate();
            tracing::info!(generation, "new places imported: road travel times are asked for again");
        }
        *seen = Some(generation);
    }

    /// Forgets when the places generation was last read, so the next search reads it.
    pub fn recheck_places(&self) {
        *self.generation_checked.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Follows the store's places generation, read at most every [`GENERATION_CHECK`]; a failed read keeps the
    /// cache (the next search tries again).
    pub async fn follow_store(&self, store: &dyn knead_store::Store) {
        {
            let mut checked = self.generation_checked.lock().unwrap_or_else(|e| e.into_inner());
            if checked.is_some_and(|at| at.elapsed() < GENERATION_CHECK) {
                return;
            }
            *checked = Some(std::time::Instant::now());
        }
        match store.places_generation().await {
            Ok(generation) => self.follow_places(generation),
            Err(e) => tracing::warn!(error = %e, "the places generation could not be read"),
        }
    }

    pub fn status(&self) -> RoadStatus {
        let mut status = self.shared.status.lock().unwrap_or_else(|e| e.into_inner()).clone();
        status.cached_pairs = self.shared.cache.read().unwrap_or_else(|e| e.into_inner()).len();
        status
    }

    /// The cache, read-locked, and the epoch it belongs to. The epoch is read first, so an invalidation in
    /// between only makes work look older than it is.
    fn read(&self) -> (u64, RwLockReadGuard<'_, PairCache>) {
        let epoch = self.shared.epoch.load(Ordering::SeqCst);
        (epoch, self.shared.cache.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `work` on road times: a probe, at most one round of table requests for what it found missing, and
    /// then (only if something was missing) `work` again on the answers. Returns what the last run returned.
    /// `searched` is the place the work is about (the client's), whose drives are kept together.
    pub async fn run<T>(
        &self,
        searched: Option<GeoPoint>,
        fallback: StraightLine,
        now: Timestamp,
        work: impl Fn(&Lookup<'_>) -> T,
    ) -> T {
        let missing = {
            let (epoch, cache) = self.read();
            let probe = Lookup::new(&cache, epoch, searched, None, fallback, Some(Probe::default()));
            let answer = work(&probe);
            let counts = probe.counts();
            let missing = probe.take_probe().missing.pairs;
            if missing.is_empty() {
                self.count(counts, None, now);
                return answer;
            }
            missing
        };
        let fetched = self.fetch(searched, missing).await;
        let (answer, counts) = {
            let (epoch, cache) = self.read();
            let last = Lookup::new(&cache, epoch, searched, Some(&fetched.pairs), fallback, None);
            (work(&last), last.counts())
        };
        self.count(counts, fetched.failure, now);
        answer
    }

    /// Like [`RoadTravel::run`], and also returns the road times of every pair `work` asked for, owned, to hand
    /// to the store with a booking.
    pub async fn run_owned<T>(
        &self,
        searched: Option<GeoPoint>,
        fallback: StraightLine,
        now: Timestamp,
        work: impl Fn(&dyn TravelTimes) -> T,
    ) -> (T, RoadTimes) {
        let probe = {
            let every_pair = Probe { every_pair: Some(Missing::default()), ..Probe::default() };
            let (epoch, cache) = self.read();
            let lookup = Lookup::new(&cache, epoch, searched, None, fallback, Some(every_pair));
            work(&lookup);
            lookup.take_probe()
        };
        let fetched = match probe.missing.pairs.is_empty() {
            true => Fetched::default(),
            false => self.fetch(searched, probe.missing.pairs).await,
        };
        let asked = probe.every_pair.unwrap_or_default();
        let times = {
            let (epoch, cache) = self.read();
            let lookup = Lookup::new(&cache, epoch, searched, Some(&fetched.pairs), fallback, None);
            let mut pairs = PairMap::with_capacity_and_hasher(asked.keys.len(), Default::default());
            for &key in &asked.keys {
                if let Some(known) = lookup.known_pair(key) {
                    pairs.insert(key, known);
                }
            }
            RoadTimes { pairs, fallback, unplanned: AtomicU64::new(0) }
        };
        let answer = work(&times);
        let from_roads = times.pairs.values().filter(|m| m.is_some()).count() as u64;
        let counts = Counts {
            from_roads,
            no_road: times.pairs.len() as u64 - from_roads,
            unknown: (asked.keys.len() - times.pairs.len()) as u64 + times.unplanned(),
        };
        self.count(counts, fetched.failure, now);
        (answer, times)
    }

    /// One round of table requests for `missing`, waited for at most [`ROUND_TIMEOUT`]. Each request keeps its
    /// answer in the cache itself, so a large round (the first search after a start) goes on filling the cache
    /// after the search stopped waiting; nothing is asked while the router rests after a failure.
    async fn fetch(&self, searched: Option<GeoPoint>, missing: Vec<(GeoPoint, GeoPoint)>) -> Fetched {
        if self.shared.resting() {
            tracing::debug!(pairs = missing.len(), "the road router is resting after a failure: straight lines");
            return Fetched { failure: Some(FallbackReason::RouterResting), ..Fetched::default() };
        }
        let epoch = self.shared.epoch.load(Ordering::SeqCst);
        let tiles = tiles::tiles(&missing, TILE_LOCATIONS, STAR_LOCATIONS);
        let requests = tiles.len();
        let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
        for tile in tiles {
            let (router, shared, answers) = (self.router.clone(), self.shared.clone(), answers.clone());
            tokio::spawn(async move {
                let _permit = shared.in_flight.clone().acquire_owned().await;
                // After a failure in this round (or since), the rest of it is not sent.
                if shared.resting() {
                    let _ = answers.send(Err(FallbackReason::RouterResting));
                    return;
                }
                let answer = match router.table(&tile.sources, &tile.destinations).await {
                    Ok(table) => tiles::answered(&tile, &table),
                    Err(why) => Err(why.0),
                };
                shared.request_done(answer.is_err());
                let answer = match answer {
                    Ok(pairs) => {
                        shared.keep(epoch, searched, &pairs);
                        Ok(pairs)
                    }
                    Err(why) => {
                        if shared.start_resting() {
                            tracing::warn!(
                                reason = %why,
                                rest_secs = REST_AFTER_FAILURE.as_secs(),
                                "road travel times: the router did not answer; drives use straight lines meanwhile"
                            );
                        }
                        Err(FallbackReason::RouterFailed(why))
                    }
                };
                let _ = answers.send(answer);
            });
        }
        drop(answers);
        let mut fetched = Fetched::default();
        let mut tables = 0;
        let deadline = tokio::time::sleep(ROUND_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                answer = answered.recv() => match answer {
                    None => break,
                    Some(Ok(pairs)) => {
                        tables += 1;
                        fetched.pairs.extend(pairs);
                    }
                    Some(Err(why)) => fetched.failure = Some(why),
                },
                () = &mut deadline => {
                    // Nothing at all in time: the server is down or too slow, so it rests. Some answers: it works
                    // and has much to do; the rest still comes into the cache for the next searches.
                    if tables == 0 {
                        if self.shared.start_resting() {
                            tracing::warn!(
                                requests,
                                rest_secs = REST_AFTER_FAILURE.as_secs(),
                                "road travel times: the router did not answer in time; drives use straight lines meanwhile"
                            );
                        }
                        let slow = format!("no answer within {} s", ROUND_TIMEOUT.as_secs());
                        fetched.failure = Some(FallbackReason::RouterFailed(slow));
                    } else {
                        fetched.failure = Some(FallbackReason::StillFetching { answered: tables, requests });
                    }
                    break;
                }
            }
        }
        let no_road = fetched.pairs.values().filter(|m| m.is_none()).count();
        if no_road > 0 {
            tracing::debug!(pairs = fetched.pairs.len(), no_road, "road travel times: some pairs have no road");
        }
        fetched
    }

    fn count(&self, counts: Counts, failure: Option<FallbackReason>, now: Timestamp) {
        let mut status = self.shared.status.lock().unwrap_or_else(|e| e.into_inner());
        status.pairs_from_roads += counts.from_roads;
        let fell_back = counts.no_road + counts.unknown;
        status.pairs_fell_back += fell_back;
        if fell_back > 0 {
            let reason = match failure {
                Some(reason) if counts.unknown > 0 => reason,
                _ if counts.unknown > 0 => FallbackReason::RouterResting,
                _ => FallbackReason::NoRoad,
            };
            status.last_fallback = Some(LastFallback { at: now, pairs: fell_back, reason });
        }
    }
}

impl App {
    /// The same app with drive times from `router` (road times, cached) instead of straight lines.
    pub fn with_road_router(self, router: Arc<dyn RoadRouter>) -> App {
        App { road: Some(Arc::new(RoadTravel::new(router))), ..self }
    }

    /// Forgets every road time the app has cached (say, after new road data was loaded).
    pub fn invalidate_road_times(&self) {
        if let Some(road) = &self.road {
            road.invalidate();
        }
    }

    /// The road router and its cache, when one is set.
    pub fn road_travel(&self) -> Option<&RoadTravel> {
        self.road.as_deref()
    }

    /// As [`App::road_travel`], with the cache emptied first if the practice imported new places since.
    pub(crate) async fn current_road_travel(&self) -> Option<&RoadTravel> {
        let road = self.road.as_deref()?;
        road.follow_store(self.store()).await;
        Some(road)
    }
}

#[cfg(test)]
mod tests;
