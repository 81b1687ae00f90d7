//! The metro practice: 200 fictional therapists spread over a 40 x 40 km city around Toronto and two weeks of
//! booked home visits, about five per therapist-day, for benchmarking availability at the size of a large practice.
//!
//! Bookings are planned with the core engine (`RouteDay::check`), not through the web layer: this crate must not
//! depend on `knead-web`. Each planned visit is then written with `create_booking`, whose travel re-check runs the
//! same rule inside the store's transaction, so every visit is one the engine accepts and the store allows.
//!
//! Everything is derived from a seed: loaded into an empty database, the same seed and the same "tomorrow" give
//! the same practice. Every person here is invented ("Metro Therapist 17", "Metro Client 4021"); emails use the
//! reserved `.test` domain and bookings carry no street address.

use crate::LoadError;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::plan::VisitFits;
use knead_core::booking::{Contact, NewBooking, NewVisit, Where};
use knead_core::calendar::{
    instant_of, local_date, local_day, Locale, PracticeSettings, PracticeSettingsInput, ScheduleInput, ServiceArea,
    TherapistSchedule, TimeFormat, WeeklyHoursInput,
};
use knead_core::geo::{haversine_km, GeoPoint};
use knead_core::schedule::{Fit, Minute, Stop};
use knead_core::{
    Email, Kind, NewUser, Password, Place, Role, Service, ServiceId, ServiceInput, TherapistInput, ValidationErrors,
};
use knead_routing::StraightLine;
use knead_store::{BookingError, Store, StoreError};

/// The city's centre: Toronto City Hall, the practice's default service-area centre.
pub const CENTRE: GeoPoint = GeoPoint { lat: 43.6532, lon: -79.3832 };
/// The city is a square this many km on a side around [`CENTRE`]; its corners are 28.3 km from the centre,
/// inside the 30 km service area.
pub const CITY_KM: f64 = 40.0;
pub const SERVICE_AREA_KM: f64 = 30.0;
pub const THERAPISTS: usize = 200;
/// Days booked, starting tomorrow in the practice's zone.
pub const DAYS: i64 = 14;
/// Visits planned per therapist-day (a few days end up with fewer when travel does not allow them).
pub const VISITS_PER_DAY: usize = 5;
pub const THERAPIST_RADIUS_KM: f64 = 25.0;
/// Booked visits lie within this distance of the therapist's base: a dispatcher keeps a therapist's day local,
/// and five visits with city-wide drives (20 km is about 50 minutes) would not fit in a nine-hour day.
pub const VISIT_SPREAD_KM: f64 = 4.0;
pub const DURATION_MINUTES: i64 = 60;
pub const BUFFER_MINUTES: i64 = 15;
/// Working hours, every day of the week: long enough that five visits of 90 blocked minutes, with the drives
/// between them, leave room for more, so searches find slots (a mobile spa works evenings).
pub const HOURS: (&str, &str) = ("08:00", "20:00");
pub const DEFAULT_SEED: u64 = 1;

/// The metro services' slugs: how a store with the metro practice is recognised.
pub const INDIVIDUAL_SLUG: &str = "metro-massage-at-home";
pub const COUPLES_SLUG: &str = "metro-couples-massage-at-home";

/// The metro manager's login, so its pages can be visited.
pub const MANAGER_EMAIL: &str = "manager@metro.knead.test";
pub const MANAGER_PASSWORD: &str = "knead-metro-manager";

/// What `load` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetroReport {
    /// True when the store already had the metro practice and nothing was written.
    pub skipped: bool,
    pub services: usize,
    pub therapists: usize,
    /// Therapist-days with working hours in the booked range.
    pub therapist_days: usize,
    /// Visits the plan placed.
    pub planned: usize,
    /// Bookings written.
    pub bookings: usize,
    /// Planned visits the store refused on its re-check (expected to be none).
    pub refused: usize,
    pub first_day: Option<Date>,
    pub days: i64,
}

/// The metro practice's services, as found in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetroPractice {
    pub individual: ServiceId,
    pub couples: ServiceId,
}

/// The metro practice in `store`, if it was loaded.
pub async fn find(store: &dyn Store) -> Result<Option<MetroPractice>, StoreError> {
    let individual = match store.service_by_slug(INDIVIDUAL_SLUG).await {
        Ok(s) => s.id,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let couples = match store.service_by_slug(COUPLES_SLUG).await {
        Ok(s) => s.id,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(MetroPractice { individual, couples }))
}

/// A small deterministic generator (xorshift64*, seeded through splitmix64): the metro needs repeatable
/// randomness, not a cryptographic one, and no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // xorshift must not start at zero.
        Rng(splitmix64(seed) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A uniformly random place in the city square.
    pub fn place_in_city(&mut self) -> GeoPoint {
        let half = CITY_KM / 2.0;
        offset(CENTRE, (self.unit() - 0.5) * CITY_KM, (self.unit() - 0.5) * CITY_KM).clamped(half)
    }

    /// A uniformly random place within `km` of `around`, kept inside the city.
    fn place_near(&mut self, around: GeoPoint, km: f64) -> GeoPoint {
        let r = km * self.unit().sqrt();
        let angle = std::f64::consts::TAU * self.unit();
        let (east, north) = around.km_from_centre();
        let (east, north) = (east + r * angle.cos(), north + r * angle.sin());
        offset(CENTRE, east, north).clamped(CITY_KM / 2.0)
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Km per degree of latitude; a flat map is plenty for a 40 km city.
const KM_PER_DEGREE: f64 = 111.2;

fn offset(from: GeoPoint, east_km: f64, north_km: f64) -> GeoPoint {
    GeoPoint {
        lat: from.lat + north_km / KM_PER_DEGREE,
        lon: from.lon + east_km / (KM_PER_DEGREE * from.lat.to_radians().cos()),
    }
}

trait CityMap {
    fn km_from_centre(self) -> (f64, f64);
    fn clamped(self, half_km: f64) -> GeoPoint;
}

impl CityMap for GeoPoint {
    fn km_from_centre(self) -> (f64, f64) {
        let east = (self.lon - CENTRE.lon) * KM_PER_DEGREE * CENTRE.lat.to_radians().cos();
        let north = (self.lat - CENTRE.lat) * KM_PER_DEGREE;
        (east, north)
    }

    fn clamped(self, half_km: f64) -> GeoPoint {
        let (east, north) = self.km_from_centre();
        offset(CENTRE, east.clamp(-half_km, half_km), north.clamp(-half_km, half_km))
    }
}

/// `n` random places in the city, for searches; the same seed gives the same places.
pub fn search_places(seed: u64, n: usize) -> Vec<GeoPoint> {
    let mut rng = Rng::new(seed ^ 0x7365_6172_6368);
    (0..n).map(|_| rng.place_in_city()).collect()
}

/// The practice's settings: Toronto's zone and defaults, serving 30 km around the city centre, with times on a
/// 12-hour clock and dates month first, as in Canada.
pub fn settings() -> PracticeSettings {
    let input = PracticeSettingsInput {
        service_area: ServiceArea { lat: CENTRE.lat, lon: CENTRE.lon, radius_km: SERVICE_AREA_KM },
        time_zone: "America/Toronto".into(),
        time_format: TimeFormat::H12,
        locale: Locale::EnCa,
        ..PracticeSettingsInput::default()
    };
    input.validate().expect("the metro practice's settings are valid")
}

fn services() -> [ServiceInput; 2] {
    let service = |slug: &str, name: &str, description: &str, price_cents: i64, kind: Kind| ServiceInput {
        slug: Some(slug.into()),
        name: name.into(),
        description: description.into(),
        duration_minutes: DURATION_MINUTES,
        price_cents,
        modality: "Swedish".into(),
        place: Place::Mobile,
        kind,
        buffer_minutes: BUFFER_MINUTES,
        add_ons: vec![],
    };
    [
        service(
            INDIVIDUAL_SLUG,
            "Metro massage at home",
            "A one-hour massage at the client's home (benchmark practice).",
            12_000,
            Kind::Individual,
        ),
        service(
            COUPLES_SLUG,
            "Metro couples massage at home",
            "Two therapists, side by side, for one hour (benchmark practice).",
            24_000,
            Kind::Couples,
        ),
    ]
}

fn therapist(n: usize) -> TherapistInput {
    TherapistInput {
        slug: Some(format!("metro-therapist-{n}")),
        name: format!("Metro Therapist {n}"),
        credentials: "Spa practitioner (fictional)".into(),
        registration_number: String::new(),
        bio: "A fictional therapist of the metro benchmark practice.".into(),
        modalities: vec!["Swedish massage".into()],
        conditions: vec!["Stress".into()],
        languages: vec!["English".into()],
        // Half the practice women, half men, so a client's preference narrows the choice but never empties it.
        gender: Some(if n.is_multiple_of(2) { "female" } else { "male" }.into()),
    }
}

fn invalid(what: &'static str, name: &str) -> impl FnOnce(ValidationErrors) -> LoadError {
    let name = name.to_string();
    move |errors| LoadError::Invalid { what, name, errors }
}

/// The size of a metro practice; `load` uses the full one, tests a small one.
#[derive(Debug, Clone, Copy)]
struct Scale {
    therapists: usize,
    days: i64,
}

/// One visit the plan placed: when it starts and where, and the travel the engine reported.
#[derive(Debug, Clone, Copy)]
struct PlannedVisit {
    start: Minute,
    at: GeoPoint,
    fit: Fit,
}

/// Loads the metro practice into `store`, once: settings, a manager login, the two services, 200 therapists with
/// schedules, and about 14,000 booked visits over the 14 days from tomorrow.
///
/// A store that already holds the metro services is left alone (`skipped`). The load is not one transaction;
/// if it is interrupted, load again into a fresh database.
pub async fn load(
    store: &dyn Store,
    hash_password: &(dyn Fn(&str) -> String + Sync),
    now: Timestamp,
    seed: u64,
) -> Result<MetroReport, LoadError> {
    load_scaled(store, hash_password, now, seed, Scale { therapists: THERAPISTS, days: DAYS }).await
}

async fn load_scaled(
    store: &dyn Store,
    hash_password: &(dyn Fn(&str) -> String + Sync),
    now: Timestamp,
    seed: u64,
    scale: Scale,
) -> Result<MetroReport, LoadError> {
    let mut report = MetroReport {
        skipped: false,
        services: 0,
        therapists: 0,
        therapist_days: 0,
        planned: 0,
        bookings: 0,
        refused: 0,
        first_day: None,
        days: scale.days,
    };
    if exists(store.service_by_slug(INDIVIDUAL_SLUG).await)? {
        report.skipped = true;
        return Ok(report);
    }
    // Validate everything before writing anything.
    let settings = settings();
    let manager = NewUser::parse(MANAGER_EMAIL, "Metro Manager", Role::Manager.as_str())
        .map_err(invalid("login", MANAGER_EMAIL))?;
    Password::parse_new("password", MANAGER_PASSWORD)
        .map_err(|e| invalid("login", MANAGER_EMAIL)(ValidationErrors(vec![e])))?;
    let service_drafts =
        services().iter().map(|s| s.validate().map_err(invalid("service", &s.name))).collect::<Result<Vec<_>, _>>()?;
    let therapist_drafts = (1..=scale.therapists)
        .map(|n| {
            let t = therapist(n);
            t.validate().map_err(invalid("therapist", &t.name))
        })
        .collect::<Result<Vec<_>, _>>()?;

    store.save_practice_settings(&settings).await?;
    if store.credentials_by_email(&manager.email).await?.is_none() {
        store.create_user(&manager, &hash_password(MANAGER_PASSWORD), now).await?;
    }
    let mut services: Vec<Service> = Vec::new();
    for draft in &service_drafts {
        services.push(store.create_service(draft, now).await?);
        report.services += 1;
    }
    let individual = services[0].clone();
    let service_ids: Vec<i64> = services.iter().map(|s| s.id.0).collect();

    // Bases come from their own stream, so the city's layout does not depend on how many visits were planned.
    let mut base_rng = Rng::new(seed);
    let mut schedules: Vec<TherapistSchedule> = Vec::with_capacity(scale.therapists);
    for draft in &therapist_drafts {
        let therapist = match store.therapist_by_slug(draft.slug.as_str()).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => store.create_therapist(draft, now).await?,
            Err(e) => return Err(e.into()),
        };
        let base = base_rng.place_in_city();
        let input = ScheduleInput {
            base_lat: base.lat,
            base_lon: base.lon,
            radius_km: THERAPIST_RADIUS_KM,
            service_ids: service_ids.clone(),
            weekly: (1..=7)
                .map(|d| WeeklyHoursInput { weekday: d, start: HOURS.0.into(), end: HOURS.1.into() })
                .collect(),
        };
        let schedule_draft = input.validate().map_err(invalid("schedule", &draft.name))?;
        schedules.push(store.save_schedule(therapist.id, &schedule_draft).await?);
        report.therapists += 1;
    }

    let tz = settings.zone();
    let first_day = local_date(tz, now).tomorrow().map_err(StoreError::other)?;
    report.first_day = Some(first_day);
    let dates: Vec<Date> = (0..scale.days).filter_map(|i| first_day.checked_add(i.days()).ok()).collect();
    let travel = StraightLine::new(settings.road_factor, settings.speed_kmh).unwrap_or_default();

    let mut client = 0usize;
    for schedule in &schedules {
        for (day_index, &date) in dates.iter().enumerate() {
            // Each therapist-day has its own stream, so the plan does not depend on the order of the loops.
            let stream = seed ^ splitmix64(((schedule.therapist_id.0 as u64) << 16) | day_index as u64);
            let visits = plan_day(schedule, tz, date, &travel, &mut Rng::new(stream));
            if !schedule.windows_on(tz, date).is_empty() {
                report.therapist_days += 1;
            }
            report.planned += visits.len();
            for visit in visits {
                client += 1;
                match book(store, &settings, &individual, schedule, &travel, visit, client, now).await {
                    Ok(()) => report.bookings += 1,
                    Err(BookingError::Unavailable(_)) => report.refused += 1,
                    Err(BookingError::KeyReused) => report.refused += 1,
                    Err(BookingError::Store(e)) => return Err(e.into()),
                }
            }
        }
    }
    Ok(report)
}

/// Whether a lookup found something; `NotFound` is an answer, other errors are errors.
fn exists<T>(found: Result<T, StoreError>) -> Result<bool, StoreError> {
    match found {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Up to [`VISITS_PER_DAY`] visits for one therapist-day: a random place near the base, then a random start
/// among those the engine accepts given the visits placed so far; a place with no such start is given up.
fn plan_day(
    schedule: &TherapistSchedule,
    tz: &jiff::tz::TimeZone,
    date: Date,
    travel: &StraightLine,
    rng: &mut Rng,
) -> Vec<PlannedVisit> {
    let mut stops: Vec<Stop> = Vec::new();
    let mut planned = Vec::new();
    let mut route = schedule.route_day(tz, date, Vec::new(), travel);
    let day = local_day(tz, date);
    let step = PracticeSettings::default().grid_minutes;
    // Grid starts whose blocked range lies inside a working window.
    let grid: Vec<Minute> = (0..(day.end - day.origin) / step)
        .map(|k| day.origin + k * step)
        .filter(|&t| {
            route.windows().iter().any(|&(s, e)| s <= t - BUFFER_MINUTES && t + DURATION_MINUTES + BUFFER_MINUTES <= e)
        })
        .collect();
    let mut feasible: Vec<(Minute, Fit)> = Vec::with_capacity(grid.len());
    for _attempt in 0..60 {
        if planned.len() == VISITS_PER_DAY || grid.is_empty() {
            break;
        }
        let at = rng.place_near(schedule.base, VISIT_SPREAD_KM);
        feasible.clear();
        feasible.extend(
            grid.iter()
                .filter_map(|&t| route.check(t, DURATION_MINUTES, BUFFER_MINUTES, at, travel).ok().map(|f| (t, f))),
        );
        if feasible.is_empty() {
            continue;
        }
        // Any start that fits, so free time is spread over the day as clients' choices spread it.
        let (start, fit) = feasible[rng.below(feasible.len())];
        stops.push(Stop { start: start - BUFFER_MINUTES, end: start + DURATION_MINUTES + BUFFER_MINUTES, at });
        planned.push(PlannedVisit { start, at, fit });
        route = schedule.route_day(tz, date, stops.clone(), travel);
    }
    planned
}

/// Writes one planned visit as a guest booking; the store re-checks travel with the engine's rule.
#[allow(clippy::too_many_arguments)]
async fn book(
    store: &dyn Store,
    settings: &PracticeSettings,
    service: &Service,
    schedule: &TherapistSchedule,
    travel: &StraightLine,
    visit: PlannedVisit,
    client: usize,
    now: Timestamp,
) -> Result<(), BookingError> {
    let start = instant_of(visit.start);
    let new = NewBooking {
        service_id: service.id,
        start,
        end: start + DURATION_MINUTES.minutes(),
        place: Where::Mobile { at: visit.at, address: String::new() },
        client: Contact {
            name: format!("Metro Client {client}"),
            email: Email::from_trusted(format!("client-{client}@metro.knead.test")),
            phone: "416-555-0100".into(),
        },
        client_user_id: None,
        client_id: None,
        new_client_record: false,
        status: knead_core::booking::BookingStatus::Confirmed,
        reason: None,
        screening_id: None,
        add_ons: Vec::new(),
        notes: String::new(),
        price_cents: service.price_cents,
        travel_fee_cents: settings.travel_fee_cents(haversine_km(schedule.base, visit.at)),
        visits: vec![NewVisit {
            therapist_id: schedule.therapist_id,
            block_start: instant_of(visit.start - BUFFER_MINUTES),
            block_end: instant_of(visit.start + DURATION_MINUTES + BUFFER_MINUTES),
            travel_before_min: i64::from(visit.fit.travel_before),
            travel_after_min: i64::from(visit.fit.travel_after),
        }],
        // Not the hash of any token: metro bookings have no working manage link.
        manage_token_hash: format!("metro-{client}"),
        idempotency_key: None,
        request_fingerprint: String::new(),
        created_at: now,
        jobs: Vec::new(),
        series_id: None,
        arrival: None,
        therapists_named: false,
        therapist_gender: None,
    };
    let rule = VisitFits {
        tz: settings.zone(),
        schedules: std::slice::from_ref(schedule),
        start,
        duration: DURATION_MINUTES,
        buffer: BUFFER_MINUTES,
        at: visit.at,
        travel,
    };
    store.create_booking(&new, &rule).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_store::SchedulingStore;
    use knead_store_sqlite::SqliteStore;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn places_stay_in_the_city_and_repeat_with_the_seed() {
        let a = search_places(1, 500);
        assert_eq!(a, search_places(1, 500));
        assert_ne!(a, search_places(2, 500));
        for p in &a {
            let (east, north) = p.km_from_centre();
            assert!(east.abs() <= CITY_KM / 2.0 + 1e-9 && north.abs() <= CITY_KM / 2.0 + 1e-9, "{p:?}");
            assert!(settings().service_area.contains(*p));
        }
    }

    #[tokio::test]
    async fn a_small_metro_books_about_five_visits_a_day_and_loads_once() {
        let store = SqliteStore::in_memory().await.unwrap();
        let hash = |p: &str| format!("plain:{p}");
        let scale = Scale { therapists: 6, days: 3 };
        let report = load_scaled(&store, &hash, now(), 7, scale).await.unwrap();
        assert_eq!((report.services, report.therapists, report.therapist_days), (2, 6, 18));
        assert_eq!(report.refused, 0, "every planned visit passes the store's re-check");
        assert_eq!(report.bookings, report.planned);
        assert!(report.bookings >= 18 * 4, "about five visits a day: {report:?}");
        assert_eq!(report.first_day, Some(jiff::civil::date(2026, 6, 2)));
        let practice = find(&store).await.unwrap().expect("the metro services are there");
        assert_ne!(practice.individual, practice.couples);
        let from = instant_of(local_day(settings().zone(), jiff::civil::date(2026, 6, 2)).origin);
        let stops = store.stops_between(from, from + 72.hours()).await.unwrap();
        assert_eq!(stops.len(), report.bookings);

        let again = load_scaled(&store, &hash, now(), 7, scale).await.unwrap();
        assert!(again.skipped);
    }

    #[tokio::test]
    async fn the_same_seed_plans_the_same_visits() {
        let mut plans = Vec::new();
        for _ in 0..2 {
            let store = SqliteStore::in_memory().await.unwrap();
            let hash = |p: &str| format!("plain:{p}");
            load_scaled(&store, &hash, now(), 11, Scale { therapists: 3, days: 2 }).await.unwrap();
            let from: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
            plans.push(store.stops_between(from, from + 96.hours()).await.unwrap());
        }
        assert_eq!(plans[0], plans[1]);
    }
}
