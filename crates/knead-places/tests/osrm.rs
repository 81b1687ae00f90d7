//! Road travel times against a real `osrm-routed` (never a stand-in): started here from the binaries and the test
//! extract that `scripts/osrm` prepares, on a free port, in front of a small practice in central Helsinki.
//!
//! Outside CI the tests skip, loudly, when the binaries are missing; with `CI=true` they fail.

use jiff::civil::{date, Date};
use jiff::Timestamp;
use knead_app::booking::{self, AvailabilityQuery, Offer};
use knead_app::catalog::{Services, Therapists};
use knead_app::travel::{FallbackReason, RoadRouter, RoadStatus};
use knead_app::{calendar, listing, App};
use knead_core::booking::{BookingInput, ContactInput, Location};
use knead_core::calendar::{ScheduleInput, ServiceArea, WeeklyHoursInput};
use knead_core::geo::{GeoPoint, TravelTimes};
use knead_core::{FixedClock, Kind, Place, ServiceId, ServiceInput, TherapistId, TherapistInput};
use knead_places::osrm::OsrmRouter;
use knead_routing::StraightLine;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Addresses in the extract (from its `addr:*` tags), and one whose road piece cars cannot reach from the rest.
const KAIVOKATU_6: GeoPoint = GeoPoint { lat: 60.170_147_5, lon: 24.941_792_9 };
const ETELAESPLANADI_16: GeoPoint = GeoPoint { lat: 60.167_023, lon: 24.946_782_5 };
const MANNERHEIMINTIE_20: GeoPoint = GeoPoint { lat: 60.169_331_4, lon: 24.937_990_1 };
/// The therapists' bases: Eerikinkatu 10, Fabianinkatu 13, Yliopistonkatu 2.
const BASES: [GeoPoint; 3] = [
    GeoPoint { lat: 60.167_122, lon: 24.935_354_9 },
    GeoPoint { lat: 60.165_048_1, lon: 24.949_974_8 },
    GeoPoint { lat: 60.169_770_3, lon: 24.949_654_4 },
];

/// An `osrm-routed` on the prepared test extract, stopped when dropped.
struct Osrm {
    child: Option<Child>,
    port: u16,
}

impl Osrm {
    /// Starts one, or says why the test is skipped (and fails in CI).
    async fn start() -> Option<Osrm> {
        let home = std::env::var("HOME").unwrap_or_default();
        let bin = std::env::var("KNEAD_TEST_OSRM_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(&home).join(".cache/knead-osrm/osrm/bin"));
        let data = std::env::var("KNEAD_TEST_OSRM_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(&home).join(".cache/knead-osrm/data/helsinki-centre.osrm"));
        let routed = bin.join("osrm-routed");
        if !routed.exists() || !data.with_extension("osrm.hsgr").exists() {
            let why = format!(
                "no osrm-routed at {} or no prepared extract at {}: run scripts/osrm",
                routed.display(),
                data.display()
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{why}");
            }
            eprintln!("\n*** SKIPPED: the OSRM tests need a real osrm-routed; {why} ***\n");
            return None;
        }
        let port = free_port();
        let child = Command::new(routed)
            .args(["--ip", "127.0.0.1", "--port", &port.to_string(), "-a", "CH", "-l", "WARNING"])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("osrm-routed starts");
        let osrm = Osrm { child: Some(child), port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "osrm-routed did not listen within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(osrm)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Osrm {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A TCP proxy in front of a server that counts the `/table` requests passing through it.
struct CountingProxy {
    port: u16,
    tables: Arc<AtomicUsize>,
}

impl CountingProxy {
    async fn start(upstream: u16) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tables = Arc::new(AtomicUsize::new(0));
        let counter = tables.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
                    let (mut from_client, mut to_server) = (client, server);
                    let (mut client_read, mut client_write) = from_client.split();
                    let (mut server_read, mut server_write) = to_server.split();
                    let upstream = async {
                        const NEEDLE: &[u8] = b"GET /table/";
                        let mut window: Vec<u8> = Vec::new();
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            let n = match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            // The bytes kept from the last read let a request line split across reads count once.
                            window.extend_from_slice(&buf[..n]);
                            let found = window.windows(NEEDLE.len()).filter(|w| *w == NEEDLE).count();
                            counter.fetch_add(found, Ordering::SeqCst);
                            let keep = window.len().min(NEEDLE.len() - 1);
                            window.drain(..window.len() - keep);
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        let _ = server_write.shutdown().await;
                    };
                    let downstream = async {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                        let _ = client_write.shutdown().await;
                    };
                    tokio::join!(upstream, downstream);
                });
            }
        });
        CountingProxy { port, tables }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn tables(&self) -> usize {
        self.tables.load(Ordering::SeqCst)
    }
}

/// Monday 1 June 2026, 09:00 in Helsinki; the search is for the next day.
fn now() -> Timestamp {
    "2026-06-01T06:00:00Z".parse().unwrap()
}

fn tomorrow() -> Date {
    date(2026, 6, 2)
}

/// A practice in central Helsinki: a one-hour visit at home and three therapists working 09:00-17:00 every day
/// from bases inside the extract.
async fn helsinki(router: Option<Arc<dyn RoadRouter>>) -> (App, ServiceId, Vec<TherapistId>) {
    let store = Arc::new(knead_store_sqlite::SqliteStore::in_memory().await.unwrap());
    let app = App::with_clock(store, Arc::new(FixedClock(now())));
    let app = match router {
        Some(router) => app.with_road_router(router),
        None => app,
    };
    let mut settings = calendar::settings(&app).await.unwrap().to_input();
    settings.time_zone = "Europe/Helsinki".into();
    settings.service_area = ServiceArea { lat: 60.1715, lon: 24.944, radius_km: 15.0 };
    calendar::save_settings(&app, &settings).await.unwrap();
    let service = listing::create::<Services>(
        &app,
        &ServiceInput {
            slug: None,
            name: "Massage at home".into(),
            description: String::new(),
            duration_minutes: 60,
            price_cents: 9_000,
            modality: String::new(),
            place: Place::Mobile,
            kind: Kind::Individual,
            buffer_minutes: 15,
            add_ons: vec![],
        },
    )
    .await
    .unwrap();
    let mut therapists = Vec::new();
    for (i, base) in BASES.iter().enumerate() {
        let input = TherapistInput { name: format!("Test Therapist {i}"), ..TherapistInput::default() };
        let therapist = listing::create::<Therapists>(&app, &input).await.unwrap();
        let schedule = ScheduleInput {
            base_lat: base.lat,
            base_lon: base.lon,
            radius_km: 10.0,
            service_ids: vec![service.id.0],
            weekly: (1..=7)
                .map(|weekday| WeeklyHoursInput { weekday, start: "09:00".into(), end: "17:00".into() })
                .collect(),
        };
        calendar::save_schedule(&app, therapist.id, &schedule).await.unwrap();
        therapists.push(therapist.id);
    }
    (app, service.id, therapists)
}

async fn search(app: &App, service: ServiceId, at: GeoPoint) -> Offer {
    let query = AvailabilityQuery {
        service_id: service,
        place: Location::Point(at),
        from: tomorrow(),
        days: 1,
        therapist_id: None,
        therapist_gender: None,
        add_ons: Vec::new(),
    };
    booking::availability(app, &query).await.unwrap()
}

async fn book_first(app: &App, service: ServiceId, at: GeoPoint, offer: &Offer) -> knead_core::booking::Booking {
    let input = BookingInput {
        service_id: service.0,
        start: offer.slots[0].start.to_string(),
        lat: Some(at.lat),
        lon: Some(at.lon),
        address: Some("Testikatu 1, Helsinki".into()),
        client: Some(ContactInput {
            name: "Test Client".into(),
            email: "client@example.com".into(),
            phone: "0401234567".into(),
        }),
        ..Default::default()
    };
    booking::book(app, &input.validate().unwrap(), None, None, "fp".into()).await.unwrap().booking
}

fn status(app: &App) -> RoadStatus {
    app.road_travel().expect("a road router is set").status()
}

/// The therapist's base, by their place in [`BASES`].
fn base_of(therapists: &[TherapistId], id: TherapistId) -> GeoPoint {
    BASES[therapists.iter().position(|t| *t == id).unwrap()]
}

/// Whole minutes of driving, as OSRM answers them, for each pair.
async fn osrm_minutes(router: &OsrmRouter, from: GeoPoint, to: GeoPoint) -> Option<u32> {
    let seconds = router.table(&[from], &[to]).await.unwrap()[0][0]?;
    Some((seconds / 60.0).ceil() as u32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_availability_search_makes_one_table_request_and_prices_drives_by_road() {
    let Some(osrm) = Osrm::start().await else { return };
    let proxy = CountingProxy::start(osrm.port).await;
    let (app, service, therapists) = helsinki(Some(Arc::new(OsrmRouter::new(&proxy.url()).unwrap()))).await;
    let offer = search(&app, service, KAIVOKATU_6).await;
    assert!(!offer.slots.is_empty());
    assert_eq!(proxy.tables(), 1, "one /table request for the whole search");

    // With nothing booked every drive is from a base to the client and back: exactly OSRM's minutes.
    let direct = OsrmRouter::new(&osrm.url()).unwrap();
    for slot in &offer.slots {
        let base = base_of(&therapists, slot.therapist_ids[0]);
        assert_eq!(Some(slot.travel_before_min), osrm_minutes(&direct, base, KAIVOKATU_6).await, "{slot:?}");
        assert_eq!(Some(slot.travel_after_min), osrm_minutes(&direct, KAIVOKATU_6, base).await, "{slot:?}");
    }
    let straight = StraightLine::new(1.3, 30.0).unwrap();
    assert!(
        offer
            .slots
            .iter()
            .any(|s| s.travel_before_min != straight.minutes(base_of(&therapists, s.therapist_ids[0]), KAIVOKATU_6)),
        "road times are not the straight-line estimate"
    );

    assert_eq!(search(&app, service, KAIVOKATU_6).await.slots, offer.slots);
    assert_eq!(proxy.tables(), 1, "the same search again is answered from the cache");
    book_first(&app, service, KAIVOKATU_6, &offer).await;
    assert_eq!(proxy.tables(), 1, "booking a searched slot needs no drive the search did not fetch");
    let next = search(&app, service, ETELAESPLANADI_16).await;
    assert!(!next.slots.is_empty());
    assert_eq!(proxy.tables(), 2, "a new place, with the new booking's stop: one more request");
    let s = status(&app);
    assert_eq!((s.requests, s.failed_requests, s.pairs_fell_back), (2, 0, 0), "{s:?}");
    assert!(s.router.starts_with("OSRM at http://127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_without_a_road_fall_back_to_straight_lines() {
    let Some(osrm) = Osrm::start().await else { return };
    let direct = OsrmRouter::new(&osrm.url()).unwrap();
    for base in BASES {
        assert_eq!(osrm_minutes(&direct, base, MANNERHEIMINTIE_20).await, None, "the test place has no road");
    }
    let (app, service, therapists) = helsinki(Some(Arc::new(direct.clone()))).await;
    let offer = search(&app, service, MANNERHEIMINTIE_20).await;
    assert!(!offer.slots.is_empty(), "a place without a road is still served, on straight lines");
    let straight = StraightLine::new(1.3, 30.0).unwrap();
    for slot in &offer.slots {
        let base = base_of(&therapists, slot.therapist_ids[0]);
        assert_eq!(slot.travel_before_min, straight.minutes(base, MANNERHEIMINTIE_20), "{slot:?}");
    }
    let s = status(&app);
    assert!(s.pairs_fell_back > 0, "{s:?}");
    assert_eq!(s.failed_requests, 0, "no road is an answer, not a failure");
    assert_eq!(s.last_fallback.map(|f| f.reason), Some(FallbackReason::NoRoad));
    book_first(&app, service, MANNERHEIMINTIE_20, &offer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_osrm_does_not_stop_booking() {
    let Some(mut osrm) = Osrm::start().await else { return };
    let (app, service, therapists) = helsinki(Some(Arc::new(OsrmRouter::new(&osrm.url()).unwrap()))).await;
    search(&app, service, KAIVOKATU_6).await;
    assert_eq!(status(&app).failed_requests, 0);

    osrm.stop();
    let offer = search(&app, service, ETELAESPLANADI_16).await;
    assert!(!offer.slots.is_empty(), "availability still answers");
    let straight = StraightLine::new(1.3, 30.0).unwrap();
    for slot in &offer.slots {
        let base = base_of(&therapists, slot.therapist_ids[0]);
        assert_eq!(slot.travel_before_min, straight.minutes(base, ETELAESPLANADI_16), "{slot:?}");
    }
    let s = status(&app);
    assert_eq!(s.failed_requests, 1, "{s:?}");
    match s.last_fallback.map(|f| f.reason) {
        Some(FallbackReason::RouterFailed(why)) => {
            assert!(why.starts_with("could not connect to http://127.0.0.1:"), "{why}")
        }
        other => panic!("expected a failed router, got {other:?}"),
    }
    let booked = book_first(&app, service, ETELAESPLANADI_16, &offer).await;
    assert_eq!(booked.start, offer.slots[0].start, "booking succeeds on straight lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_answer_costs_one_timeout_then_is_left_alone() {
    // It accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let router = OsrmRouter::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let (app, service, _) = helsinki(Some(Arc::new(router))).await;
    let started = Instant::now();
    assert!(!search(&app, service, KAIVOKATU_6).await.slots.is_empty());
    let first = started.elapsed();
    assert!((Duration::from_millis(1900)..Duration::from_secs(4)).contains(&first), "{first:?}");
    let again = Instant::now();
    search(&app, service, ETELAESPLANADI_16).await;
    assert!(again.elapsed() < Duration::from_millis(500), "resting: no second wait ({:?})", again.elapsed());
    let s = status(&app);
    assert_eq!(s.last_fallback.as_ref().map(|f| f.reason.clone()), Some(FallbackReason::RouterResting));
    // The first search's request is counted when its own timeout ends, about when the search stopped waiting.
    assert!(s.requests <= 1, "no second request while the router rests: {s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_and_columns_of_many_places_answer_as_single_pairs_do() {
    let Some(osrm) = Osrm::start().await else { return };
    let router = OsrmRouter::new(&osrm.url()).unwrap();
    // 240 places on a grid over the extract, and the client's place first.
    let mut places = vec![KAIVOKATU_6];
    for i in 0..20 {
        for j in 0..12 {
            places.push(GeoPoint { lat: 60.1645 + f64::from(i) * 0.0007, lon: 24.9355 + f64::from(j) * 0.0014 });
        }
    }
    let row = router.table(&places[..1], &places).await.unwrap();
    let column = router.table(&places, &places[..1]).await.unwrap();
    assert_eq!((row.len(), row[0].len(), column.len(), column[0].len()), (1, 241, 241, 1));
    assert_eq!(row[0][0], Some(0.0));
    let mut no_road = 0;
    for k in (1..places.len()).step_by(23) {
        let single = router.table(&places[..1], &places[k..=k]).await.unwrap()[0][0];
        assert_eq!(row[0][k], single, "to place {k}");
        let back = router.table(&places[k..=k], &places[..1]).await.unwrap()[0][0];
        assert_eq!(column[k][0], back, "from place {k}");
        no_road += usize::from(single.is_none());
    }
    assert!(no_road < 11, "most of the grid is reachable");
}
