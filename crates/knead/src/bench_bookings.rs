//! `knead bench bookings`: a load generator against the real server. It serves the metro practice on loopback
//! with the router, accept loop and job runner `knead serve` runs, then, from a thread of its own (as a separate
//! load generator would be), has clients post bookings over HTTP for distinct therapist-days as fast as they can,
//! and times the first availability search after a booking.
//!
//! Every client is fictional ("Bench Client 17", `bench…@example.com`); nothing personal is printed or logged.

use crate::bench::{ms, open_metro, percentile, summary};
use crate::cli::BenchBookingsArgs;
use crate::config::Config;
use crate::serve;
use crate::store;
use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::calendar::{instant_of, local_date, local_day, ServiceArea};
use knead_core::geo::GeoPoint;
use knead_demo::metro::{self, Rng};
use knead_store::DynStore;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The server's log filter while the benchmark runs, unless `KNEAD_LOG` sets one.
pub const LOG_FILTER: &str = "warn";

/// Bookings and searches sent before timing starts (after the target search, which warms the server too).
const WARMUP_BOOKINGS: usize = 16;
const WARMUP_SEARCHES: usize = 20;
/// What each timed availability search covers, as the issue states it.
const SEARCH_DAYS: i64 = 14;
/// A request with no answer in this time counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Visits are placed within this many km of the therapist's base.
const NEAR_BASE_KM: f64 = 2.0;
/// Days from tomorrow targets may fall on. The metro's booked days leave about one therapist-day in five a free
/// start; when they run out, targets come from the (empty) days after them, up to this many days out.
const TARGET_DAYS: i64 = 60;

/// The targets.
const TARGET_RATE: f64 = 500.0;
const TARGET_P99: Duration = Duration::from_millis(100);
const TARGET_FIRST_SEARCH: Duration = Duration::from_millis(10);

pub async fn bookings(config: &Config, args: &BenchBookingsArgs) -> Result<()> {
    if args.clients == 0 || args.bookings == 0 {
        bail!("--clients and --bookings must be at least 1");
    }
    let (store, practice, temp) = open_metro(&config.database_url).await?;
    let settings = store.practice_settings().await?;
    let from = local_date(settings.zone(), Timestamp::now()).tomorrow()?;
    let schedules = store.schedules().await?.into_iter().filter(|s| s.offers(practice.individual));
    let therapists: Vec<(i64, GeoPoint, f64)> = schedules.map(|s| (s.therapist_id.0, s.base, s.radius_km)).collect();
    if therapists.is_empty() {
        bail!("no therapist of the metro practice offers its individual service");
    }
    let (first, last) = (local_day(settings.zone(), from), local_day(settings.zone(), from + (metro::DAYS - 1).days()));
    let booked = store.stops_between(instant_of(first.origin), instant_of(last.end)).await?.len();
    let (count, days) = (therapists.len(), metro::DAYS);
    println!("Metro practice: {count} therapists, {booked} booked visits in the {days} days from {from}.");
    let wanted = WARMUP_BOOKINGS + args.bookings + args.first_searches;
    if temp.is_none() {
        println!(
            "This writes up to {wanted} fictional bookings into {}; load a fresh metro to start from the same state.",
            store::display_url(&config.database_url)
        );
    }

    let server = Server::start(config, store.clone(), args.clients).await?;
    let plan = Plan {
        base: format!("http://{}", server.addr),
        service: practice.individual.0,
        from,
        area: settings.service_area,
        therapists,
        args: args.clone(),
        wanted,
        run: Timestamp::now().as_second(),
    };
    // The clients run on a thread and runtime of their own, as a separate load generator would, so their
    // work is not queued behind the server's tasks (the two still share the machine's cores).
    let driven = tokio::task::spawn_blocking(move || -> Result<usize> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(drive(plan))
    })
    .await;
    let _ = server.stopping.send(true);
    let _ = server.serving.await;
    let _ = server.runner.await;
    drop(temp);
    let server_errors = driven.map_err(|e| anyhow!("the load generator stopped: {e}"))??;
    if server_errors > 0 {
        bail!("the server answered {server_errors} requests with a 5xx (see the counts above)");
    }
    Ok(())
}

/// The server `knead serve` runs, on 127.0.0.1 and a free port, until `stopping` says true.
struct Server {
    addr: SocketAddr,
    stopping: tokio::sync::watch::Sender<bool>,
    serving: tokio::task::JoinHandle<()>,
    runner: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves the store with the configured settings (flags do not apply, `--config` and `KNEAD_...` do), changing
    /// only what a benchmark deployment must, and saying so.
    async fn start(config: &Config, store: DynStore, clients: usize) -> Result<Server> {
        let mut config = config.clone();
        let mut changed = Vec::new();
        if std::env::var_os("KNEAD_LOG").is_none() {
            changed.push(format!("log filter `{LOG_FILTER}` (set KNEAD_LOG to choose)"));
        }
        if config.mail.smtp_url.take().is_some() {
            changed.push("no mail server: confirmations are filed in the outbox".to_string());
        }
        let mut limits = serve::Limits::within_open_files(&config.connections)?;
        // Every client connects from 127.0.0.1, one address; leave room for the pool's spares.
        let needed = clients + 4;
        if limits.per_client < needed {
            changed.push(format!("{needed} connections per client address instead of {}", limits.per_client));
            limits.per_client = needed;
        }
        if limits.total < needed {
            bail!("the server may hold {} connections in all; {clients} clients need {needed}", limits.total);
        }
        let backend = store.backend();
        let app = Arc::new(crate::configured_app(&config, store)?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("could not listen on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let public_url = format!("http://{addr}");
        let (stopping, stop) = tokio::sync::watch::channel(false);
        let stopped = |mut stop: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        let runner = tokio::spawn(crate::job_runner(app.clone(), &config, &public_url)?.run(stopped(stop.clone())));
        tokio::spawn({
            let app = app.clone();
            async move { app.warm_up_places().await }
        });
        let web = knead_web::WebConfig { public_url, ..config.web.clone() };
        let router = knead_web::router(knead_web::AppState::new(app, web));
        let serving = tokio::spawn(serve::run(listener, router, limits, stopped(stop)));
        println!(
            "Serving it on http://{addr} ({backend}) with knead serve's router, accept loop, job runner and settings \
             (header-read timeout {} s, {} connections per client address, {} in all).",
            limits.header_read_timeout.as_secs(),
            limits.per_client,
            limits.total
        );
        let changed = if changed.is_empty() { "nothing".to_string() } else { changed.join("; ") };
        println!("Changed for the benchmark: {changed}.");
        Ok(Server { addr, stopping, serving, runner })
    }
}

/// What the load generator needs, handed to its thread.
struct Plan {
    base: String,
    service: i64,
    /// Tomorrow, the first day searched and booked.
    from: Date,
    area: ServiceArea,
    /// Each therapist of the service: id, base, radius in km.
    therapists: Vec<(i64, GeoPoint, f64)>,
    args: BenchBookingsArgs,
    /// Targets to find: warm-up, timed and first-search bookings.
    wanted: usize,
    /// Tells this run's fictional clients from an earlier run's.
    run: i64,
}

/// A free start on one therapist-day, at a place near the therapist's base, found through the API.
#[derive(Debug, Clone)]
struct Target {
    therapist: i64,
    at: GeoPoint,
    start: String,
    /// Days after tomorrow: below `metro::DAYS`, a day the metro practice booked.
    day: i64,
    /// The search's place in the order they were sent.
    job: usize,
}

/// Runs the benchmark against the server; how many 5xx answers it got.
async fn drive(plan: Plan) -> Result<usize> {
    let api = Api::new(&plan.base)?;
    let (health, _) = api.send(api.http.get(api.url("/healthz"))).await;
    if health.status != Some(200) {
        bail!("the server did not answer its health check: {}", health.label);
    }

    // Free starts on distinct therapist-days, in a seeded random order.
    let started = Instant::now();
    let (targets, found) = find_targets(&api, &plan).await?;
    println!(
        "Found {} free starts on distinct therapist-days in {:.1} s ({} searches of one therapist-day: {}):",
        targets.len(),
        started.elapsed().as_secs_f64(),
        found.by_answer.values().sum::<usize>(),
        found.counts()
    );
    let on_booked_days = |targets: &[Target]| targets.iter().filter(|t| t.day < metro::DAYS).count();
    let busy = on_booked_days(&targets);
    println!(
        "  {busy} on the metro's booked days (the {} from {}), {} on the days after them (no visits yet).",
        metro::DAYS,
        plan.from,
        targets.len() - busy
    );
    let mut server_errors = found.server_errors;
    let spare = targets.len().saturating_sub(WARMUP_BOOKINGS + plan.args.first_searches);
    if spare == 0 {
        bail!(
            "only {} therapist-days have a free start, too few for the warm-up and the searches: load a fresh metro",
            targets.len()
        );
    }
    let bookings = plan.args.bookings.min(spare);
    if bookings < plan.args.bookings {
        println!("  so {bookings} bookings are timed instead of {}.", plan.args.bookings);
    }
    let (warmup, rest) = targets.split_at(WARMUP_BOOKINGS);
    let (timed, for_searches) = rest.split_at(bookings);
    println!("  {} of the {bookings} timed bookings are on the metro's booked days.", on_booked_days(timed));
    let places = metro::search_places(plan.args.seed, WARMUP_SEARCHES + plan.args.first_searches);

    // Warm-up, not timed.
    let mut warm = Tally::default();
    for (i, target) in warmup.iter().enumerate() {
        warm.add(&api.book(plan.service, plan.run, target, i).await);
    }
    for &at in &places[..WARMUP_SEARCHES] {
        warm.add(&api.search(plan.service, at, plan.from, SEARCH_DAYS, None).await.0);
    }
    println!("Warm-up (not timed): {WARMUP_BOOKINGS} bookings and {WARMUP_SEARCHES} searches: {}.", warm.counts());
    server_errors += warm.server_errors;

    // Phase 1: the clients post as fast as they can.
    println!("Posting {bookings} bookings from {} clients at once...", plan.args.clients);
    let bar = progress(bookings, "booking");
    let shared = Arc::new((api.clone(), timed.to_vec(), bar.clone(), plan.service, plan.run));
    let started = Instant::now();
    let replies = in_parallel(plan.args.clients, bookings, move |i| {
        let shared = shared.clone();
        async move {
            let (api, timed, bar, service, run) = &*shared;
            let reply = api.book(*service, *run, &timed[i], WARMUP_BOOKINGS + i).await;
            bar.inc(1);
            Some(reply)
        }
    })
    .await?;
    let wall = started.elapsed();
    bar.finish_and_clear();
    let mut posted = Tally::default();
    let mut times: Vec<Duration> = Vec::with_capacity(replies.len());
    for reply in &replies {
        posted.add(reply);
        if reply.status.is_some() {
            times.push(reply.took);
        }
    }
    let rate = posted.booked as f64 / wall.as_secs_f64();
    println!(
        "  {:.0} bookings/s ({} booked in {:.2} s; {:.0} requests/s)",
        rate,
        posted.booked,
        wall.as_secs_f64(),
        replies.len() as f64 / wall.as_secs_f64()
    );
    if !times.is_empty() {
        println!("  latency of every answer: {}", summary(&mut times));
    }
    println!("  answers: {}", posted.counts());
    server_errors += posted.server_errors;

    // Phase 2: book one, then time the next search (the first after the change) and the one after it.
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut searched = Tally::default();
    if !for_searches.is_empty() {
        println!(
            "First search after a booking, {} times: book one in those days (not timed), then search \
             {SEARCH_DAYS} days from {} for the individual service at a random place, every therapist; then the same search again (cache warm).",
            for_searches.len(),
            plan.from
        );
        let bar = progress(for_searches.len(), "searching");
        for (i, (target, &at)) in for_searches.iter().zip(&places[WARMUP_SEARCHES..]).enumerate() {
            let booking = api.book(plan.service, plan.run, target, WARMUP_BOOKINGS + bookings + i).await;
            searched.add(&booking);
            // Only a search after a booking that was made is the first after a change.
            let booked = booking.status == Some(201);
            for times in [&mut first, &mut second] {
                let (reply, _) = api.search(plan.service, at, plan.from, SEARCH_DAYS, None).await;
                if booked && reply.status == Some(200) {
                    times.push(reply.took);
                }
                searched.add(&reply);
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        if !first.is_empty() {
            println!("  first search:  {}", summary(&mut first));
            println!("  second search: {}", summary(&mut second));
        }
        println!("  answers: {}", searched.counts());
        server_errors += searched.server_errors;
    }

    // Against the targets (`times` and `first` are sorted by `summary`).
    let verdict = |what: String, met: bool| format!("{what}: {}", if met { "met" } else { "NOT met" });
    let mut verdicts = vec![verdict(format!("{rate:.0} bookings/s, at least {TARGET_RATE:.0}"), rate >= TARGET_RATE)];
    if let Some(p99) = (!times.is_empty()).then(|| percentile(&times, 0.99)) {
        verdicts.push(verdict(format!("p99 {}, under {}", ms(p99), ms(TARGET_P99)), p99 < TARGET_P99));
    }
    verdicts.push(verdict(format!("no 5xx ({server_errors} in all)"), server_errors == 0));
    if let Some(p50) = (!first.is_empty()).then(|| percentile(&first, 0.50)) {
        let first = format!("first search p50 {}, under {}", ms(p50), ms(TARGET_FIRST_SEARCH));
        verdicts.push(verdict(first, p50 < TARGET_FIRST_SEARCH));
    }
    println!("Targets ({} clients): {}.", plan.args.clients, verdicts.join("; "));
    Ok(server_errors)
}

/// Searches therapist-days, one therapist and one day at a time, at a place near the therapist's base,
/// `clients` at once, until `plan.wanted` have a free start: the metro's booked days first, in a seeded random
/// order, then the days after them. The starts found, in a seeded random order, and the answers.
async fn find_targets(api: &Api, plan: &Plan) -> Result<(Vec<Target>, Tally)> {
    let mut rng = Rng::new(plan.args.seed);
    let mut jobs: Vec<(i64, GeoPoint, i64)> = Vec::new();
    for days in [0..metro::DAYS, metro::DAYS..TARGET_DAYS] {
        let first = jobs.len();
        for &(id, base, radius_km) in &plan.therapists {
            for day in days.clone() {
                jobs.push((id, near(base, radius_km, &plan.area, &mut rng), day));
            }
        }
        shuffle(&mut jobs[first..], &mut rng);
    }
    let dates = (0..TARGET_DAYS).map(|d| plan.from.checked_add(d.days())).collect::<Result<Vec<Date>, _>>()?;
    let (n, wanted) = (jobs.len(), plan.wanted.min(jobs.len()));
    let bar = progress(wanted, "finding");
    let found = Arc::new(AtomicUsize::new(0));
    let shared = Arc::new((api.clone(), jobs, dates, bar.clone(), found, plan.service));
    let results = in_parallel(plan.args.clients, n, move |job| {
        let shared = shared.clone();
        async move {
            let (api, jobs, dates, bar, found, service) = &*shared;
            if found.load(Ordering::Relaxed) >= wanted {
                return None;
            }
            let (therapist, at, day) = jobs[job];
            let (reply, starts) = api.search(*service, at, dates[day as usize], 1, Some(therapist)).await;
            let target = starts.into_iter().next().map(|start| Target { therapist, at, start, day, job });
            if target.is_some() {
                found.fetch_add(1, Ordering::Relaxed);
                bar.inc(1);
            }
            Some((reply, target))
        }
    })
    .await?;
    bar.finish_and_clear();
    let mut tally = Tally::default();
    let mut targets = Vec::new();
    for (reply, target) in results {
        tally.add(&reply);
        targets.extend(target);
    }
    // The first found in the search's order (a few more may have been in flight), then mixed.
    targets.sort_by_key(|t| t.job);
    targets.truncate(wanted);
    shuffle(&mut targets, &mut rng);
    // The last are the first-search phase's: on the searched days, so each search meets the day its booking changed.
    let mut end = targets.len();
    for i in (0..targets.len()).rev() {
        if end + plan.args.first_searches == targets.len() {
            break;
        } else if targets[i].day < SEARCH_DAYS {
            end -= 1;
            targets.swap(i, end);
        }
    }
    Ok((targets, tally))
}

/// Fisher-Yates with the metro's generator, so a seed gives the same order.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

/// A random place within [`NEAR_BASE_KM`] of `base`: inside the therapist's radius, and inside the service
/// area (else the base itself).
fn near(base: GeoPoint, radius_km: f64, area: &ServiceArea, rng: &mut Rng) -> GeoPoint {
    let r = NEAR_BASE_KM.min(radius_km / 2.0) * rng.unit().sqrt();
    let angle = std::f64::consts::TAU * rng.unit();
    let km_per_degree = 111.2;
    let at = GeoPoint {
        lat: base.lat + r * angle.sin() / km_per_degree,
        lon: base.lon + r * angle.cos() / (km_per_degree * base.lat.to_radians().cos()),
    };
    if area.contains(at) {
        at
    } else {
        base
    }
}

/// Runs `work(i)` for each `i` below `n`, `clients` at a time, each client taking the next `i` as soon as it
/// is done; `None` from any stops them all. What each returned, in no particular order.
async fn in_parallel<T, F, Fut>(clients: usize, n: usize, work: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Option<T>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..clients.min(n) {
        let (next, work) = (next.clone(), work.clone());
        set.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                match work(i).await {
                    Some(t) => done.push(t),
                    None => {
                        next.store(n, Ordering::Relaxed);
                        break;
                    }
                }
            }
            done
        });
    }
    let mut all = Vec::with_capacity(n);
    while let Some(joined) = set.join_next().await {
        all.extend(joined.map_err(|e| anyhow!("a client stopped: {e}"))?);
    }
    Ok(all)
}

fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:9} [{bar:30}] {pos}/{len} {per_sec:>10} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// The API over HTTP.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: Arc<str>,
}

/// One request's answer and how long it took (to the end of its body).
struct Reply {
    took: Duration,
    /// `None` when no answer came.
    status: Option<u16>,
    /// The status, with an error's first code and field (`409 unavailable on start`); or why no answer came.
    label: String,
}

impl Api {
    fn new(base: &str) -> Result<Api> {
        let builder = reqwest::Client::builder().no_proxy().timeout(REQUEST_TIMEOUT).tcp_nodelay(true);
        let http = builder.build().context("could not build the HTTP client")?;
        Ok(Api { http, base: base.into() })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `request`; its answer and time, and the body when one came.
    async fn send(&self, request: reqwest::RequestBuilder) -> (Reply, Vec<u8>) {
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                response.bytes().await.map(|body| (status, body))
            }
            Err(e) => Err(e),
        };
        let took = started.elapsed();
        match answer {
            Ok((status, body)) => {
                let label = if status >= 400 { format!("{status} {}", error_code(&body)) } else { status.to_string() };
                (Reply { took, status: Some(status), label }, body.to_vec())
            }
            // Why, in general terms (never the URL).
            Err(e) => {
                let why = if e.is_timeout() { "timed out" } else { "connection failed" };
                (Reply { took, status: None, label: format!("no answer ({why})") }, Vec::new())
            }
        }
    }

    /// An availability search (of one therapist, or all); with a 200, the starts it offers.
    async fn search(
        &self,
        service: i64,
        at: GeoPoint,
        from: Date,
        days: i64,
        who: Option<i64>,
    ) -> (Reply, Vec<String>) {
        let query = [("service_id", service.to_string()), ("lat", at.lat.to_string()), ("lon", at.lon.to_string())];
        let mut request = self.http.get(self.url("/api/v1/availability")).query(&query);
        request = request.query(&[("from", from.to_string()), ("days", days.to_string())]);
        if let Some(id) = who {
            request = request.query(&[("therapist_id", id)]);
        }
        let (reply, body) = self.send(request).await;
        let slots = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default();
        let starts = slots["slots"].as_array().into_iter().flatten().filter_map(|s| s["start"].as_str());
        (reply, starts.map(str::to_string).collect())
    }

    /// Books `target` as a guest, fictional client number `n` of run `run`.
    async fn book(&self, service: i64, run: i64, target: &Target, n: usize) -> Reply {
        let body = serde_json::json!({
            "service_id": service,
            "start": target.start,
            "therapist_ids": [target.therapist],
            "lat": target.at.lat,
            "lon": target.at.lon,
            "address": format!("{} Bench Street", 1 + n % 9_999),
            "client": {
                "name": format!("Bench Client {n}"),
                "email": format!("bench{run}-{n}@example.com"),
                "phone": format!("416-555-{:04}", n % 10_000),
            },
        });
        self.send(self.http.post(self.url("/api/v1/bookings")).json(&body)).await.0
    }
}

/// The first error's code and field, from an error body (codes and field names only, never details).
fn error_code(body: &[u8]) -> String {
    let body = serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default();
    match (body["errors"][0]["code"].as_str(), body["errors"][0]["field"].as_str()) {
        (Some(code), Some(field)) if !field.is_empty() => format!("{code} on {field}"),
        (Some(code), _) => code.to_string(),
        (None, _) => "(no error body)".to_string(),
    }
}

/// Answers counted by status (and error code).
#[derive(Default)]
struct Tally {
    by_answer: BTreeMap<String, usize>,
    booked: usize,
    server_errors: usize,
    no_answer: usize,
}

impl Tally {
    fn add(&mut self, reply: &Reply) {
        *self.by_answer.entry(reply.label.clone()).or_default() += 1;
        match reply.status {
            Some(201) => self.booked += 1,
            Some(500..=599) => self.server_errors += 1,
            None => self.no_answer += 1,
            _ => {}
        }
    }

    /// The answers by status, flagging loudly the server's failures and the requests that got no answer.
    fn counts(&self) -> String {
        let counts: Vec<String> = self.by_answer.iter().map(|(answer, n)| format!("{answer}: {n}")).collect();
        let mut line = counts.join(", ");
        if self.server_errors + self.no_answer > 0 {
            line += &format!(" -- !! FAILED: {} answered 5xx, {} no answer", self.server_errors, self.no_answer);
        }
        line
    }
}
