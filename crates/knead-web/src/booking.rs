//! Booking as an application service: it gathers what the engine needs from the store (settings,
//! schedules, booked stops, rooms), runs the core's search or check, and writes bookings under the
//! store's lock. The API handlers, the pages and `knead bench` all call these functions; no HTTP here.

use crate::auth::{random_secret, secret_hash, Caller};
use crate::error::WebError;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{Booking, BookingRequest, ClinicId, Contact, NewBooking, NewVisit, Where};
use knead_core::calendar::{instant_of, local_date, local_day, minute_of, PracticeSettings, TherapistSchedule};
use knead_core::schedule::{
    haversine_km, search, Day, GeoPoint, Minute, RoomCalendar, RouteDay, SearchRequest, Slot, Stop, StraightLine,
};
use knead_core::{FieldError, Place, Role, Service, ServiceId, TherapistId, ValidationErrors};
use knead_store::{BookingError, Created, Store, CHECK_MARGIN_MINUTES};
use std::collections::HashMap;
use std::sync::Arc;

/// The longest date range one availability search may cover.
pub const MAX_DAYS: i64 = 60;

/// Where the client wants the visit, before it is checked against the service and the practice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlaceQuery {
    Point(GeoPoint),
    Clinic(ClinicId),
}

#[derive(Debug, Clone)]
pub struct AvailabilityQuery {
    pub service_id: ServiceId,
    pub place: PlaceQuery,
    pub from: Date,
    pub days: i64,
    pub therapist_id: Option<TherapistId>,
}

/// A start the client can book, as the API shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OfferedSlot {
    /// RFC 3339 with the practice's offset, e.g. `2026-12-01T10:00:00-05:00`.
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    #[schema(value_type = Vec<i64>)]
    pub therapist_ids: Vec<TherapistId>,
    /// Minutes of driving to the visit (the longest among the therapists).
    pub travel_before_min: u32,
    /// Minutes of driving on to the next visit, or home (the longest among the therapists).
    pub travel_after_min: u32,
    /// How much the therapists' driving grows, summed over them.
    pub added_travel_min: i64,
}

fn unknown_service() -> WebError {
    WebError::field("unknown", "service_id", "no bookable service has this id")
}

/// Everything a search or a booking needs, read once.
struct Context {
    settings: PracticeSettings,
    service: Service,
    at: GeoPoint,
    clinic: Option<ClinicId>,
    schedules: Vec<TherapistSchedule>,
}

async fn context(
    store: &dyn Store,
    service_id: ServiceId,
    place: PlaceQuery,
    therapists: Option<&[TherapistId]>,
) -> Result<Context, WebError> {
    let settings = store.practice_settings().await?;
    let schedules = store.schedules().await?;
    context_from(store, settings, &schedules, service_id, place, therapists).await
}

/// The checks of `context` over settings and schedules the caller already has (fresh or cached).
async fn context_from(
    store: &dyn Store,
    settings: PracticeSettings,
    all_schedules: &[TherapistSchedule],
    service_id: ServiceId,
    place: PlaceQuery,
    therapists: Option<&[TherapistId]>,
) -> Result<Context, WebError> {
    let service = store.service(service_id).await.map_err(|e| match e {
        knead_store::StoreError::NotFound => unknown_service(),
        other => other.into(),
    })?;
    if service.archived {
        return Err(unknown_service());
    }
    let (at, clinic) = match place {
        PlaceQuery::Point(at) => {
            if service.place == Place::Clinic {
                return Err(WebError::field(
                    "invalid",
                    "clinic_id",
                    "this service is given at a clinic: choose a clinic_id instead of lat and lon",
                ));
            }
            if !settings.service_area.contains(at) {
                return Err(WebError::field(
                    "outside_service_area",
                    "lat",
                    format!(
                        "this place is outside the area the practice serves ({} km around its centre)",
                        settings.service_area.radius_km
                    ),
                ));
            }
            (at, None)
        }
        PlaceQuery::Clinic(id) => {
            if service.place == Place::Mobile {
                return Err(WebError::field(
                    "invalid",
                    "clinic_id",
                    "this service is given at your place: give lat and lon instead of a clinic",
                ));
            }
            let clinic = store.clinics().await?.into_iter().find(|c| c.id == id);
            let clinic = clinic.ok_or_else(|| WebError::field("unknown", "clinic_id", "no clinic has this id"))?;
            (clinic.at(), Some(id))
        }
    };
    let mut schedules: Vec<TherapistSchedule> =
        all_schedules.iter().filter(|s| s.offers(service.id)).cloned().collect();
    if let Some(wanted) = therapists {
        for t in wanted {
            if !schedules.iter().any(|s| s.therapist_id == *t) {
                return Err(WebError::field(
                    "invalid",
                    "therapist_ids",
                    format!("therapist {} does not offer this service", t.0),
                ));
            }
        }
        schedules.retain(|s| wanted.contains(&s.therapist_id));
    }
    Ok(Context { settings, service, at, clinic, schedules })
}

impl Context {
    fn travel(&self) -> StraightLine {
        StraightLine::new(self.settings.road_factor, self.settings.speed_kmh).unwrap_or_default()
    }

    /// The engine's view of every schedule on every date, with the stops booked around them.
    async fn route_days(
        &self,
        store: &dyn Store,
        dates: &[Date],
        travel: &StraightLine,
    ) -> Result<Vec<RouteDay>, WebError> {
        let tz = self.settings.zone();
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else { return Ok(Vec::new()) };
        let from = instant_of(local_day(&tz, *first).origin - CHECK_MARGIN_MINUTES);
        let to = instant_of(local_day(&tz, *last).end + CHECK_MARGIN_MINUTES);
        let mut by_therapist: HashMap<TherapistId, Vec<Stop>> = HashMap::new();
        for (t, stop) in store.stops_between(from, to).await? {
            by_therapist.entry(t).or_default().push(stop);
        }
        let mut days = Vec::with_capacity(self.schedules.len() * dates.len());
        for s in &self.schedules {
            let stops = by_therapist.get(&s.therapist_id).map(Vec::as_slice).unwrap_or(&[]);
            for &date in dates {
                let day = local_day(&tz, date);
                // Only the stops near the day matter to it (stops are sorted by start).
                let lo = stops.partition_point(|st| st.end <= day.origin - CHECK_MARGIN_MINUTES);
                let hi = stops.partition_point(|st| st.start < day.end + CHECK_MARGIN_MINUTES);
                days.push(s.route_day(&tz, date, stops[lo..hi].to_vec(), travel));
            }
        }
        Ok(days)
    }

    async fn search(&self, store: &dyn Store, dates: &[Date], now: Timestamp) -> Result<Vec<Slot>, WebError> {
        let travel = self.travel();
        let route_days = self.route_days(store, dates, &travel).await?;
        self.search_in(store, &route_days, dates, now).await
    }

    /// Searches the given route-days (fresh or cached) over `dates`.
    async fn search_in<'a>(
        &self,
        store: &dyn Store,
        route_days: impl IntoIterator<Item = &'a RouteDay>,
        dates: &[Date],
        now: Timestamp,
    ) -> Result<Vec<Slot>, WebError> {
        let tz = self.settings.zone();
        let travel = self.travel();
        let days: Vec<Day> = dates.iter().map(|d| local_day(&tz, *d)).collect();
        let rooms = match self.clinic {
            Some(clinic) => {
                let (from, to) = (instant_of(days[0].origin), instant_of(days[days.len() - 1].end));
                let (rooms, busy) = store.room_calendar(clinic, from, to).await?;
                Some(RoomCalendar { rooms, busy })
            }
            None => None,
        };
        let request = SearchRequest {
            place: self.at,
            duration: self.service.duration_minutes,
            buffer: self.service.buffer_minutes,
            therapists_needed: self.service.therapists_needed(),
            step: self.settings.grid_minutes,
            not_before: minute_of(now) + self.settings.lead_minutes,
            days,
            rooms,
        };
        Ok(search(&request, route_days, &travel))
    }

    fn offered(&self, slot: &Slot) -> OfferedSlot {
        let tz = self.settings.zone();
        OfferedSlot {
            start: rfc3339_local(&tz, instant_of(slot.start)),
            end: rfc3339_local(&tz, instant_of(slot.end)),
            therapist_ids: slot.picks.iter().map(|p| p.therapist).collect(),
            travel_before_min: slot.picks.iter().map(|p| p.travel_before).max().unwrap_or(0),
            travel_after_min: slot.picks.iter().map(|p| p.travel_after).max().unwrap_or(0),
            added_travel_min: slot.picks.iter().map(|p| p.added_travel).sum(),
        }
    }
}

/// An instant as RFC 3339 with the offset it has in `tz` (no bracketed zone name).
pub fn rfc3339_local(tz: &jiff::tz::TimeZone, ts: Timestamp) -> String {
    ts.display_with_offset(tz.to_offset(ts)).to_string()
}

/// Every bookable start for a service at a place over a date range, best therapists first.
///
/// Route-days come from `cache` while the store's calendar version is unchanged, so a search costs the engine
/// and a few small reads; dates outside the cached window are read fresh.
pub async fn availability(
    store: &dyn Store,
    cache: &CalendarCache,
    q: &AvailabilityQuery,
    now: Timestamp,
) -> Result<Vec<OfferedSlot>, WebError> {
    if !(1..=MAX_DAYS).contains(&q.days) {
        return Err(WebError::field("out_of_range", "days", format!("must be between 1 and {MAX_DAYS}")));
    }
    let snapshot = cache.snapshot(store, now).await?;
    let only = q.therapist_id.map(|t| vec![t]);
    let ctx =
        context_from(store, snapshot.settings.clone(), &snapshot.schedules, q.service_id, q.place, only.as_deref())
            .await
            .map_err(|e| rename_field(e, "therapist_ids", "therapist_id"))?;
    let dates: Vec<Date> = (0..q.days).filter_map(|i| q.from.checked_add(i.days()).ok()).collect();
    let slots = if dates.iter().all(|d| snapshot.holds(*d)) {
        let travel = ctx.travel();
        // A set: 2,800 route-days are filtered per search, so a linear scan per day would be the hot spot.
        let wanted: std::collections::HashSet<TherapistId> = ctx.schedules.iter().map(|s| s.therapist_id).collect();
        let cached: Vec<Arc<Vec<RouteDay>>> = dates.iter().map(|d| snapshot.route_days(*d, &travel)).collect();
        let route_days = cached.iter().flat_map(|days| days.iter()).filter(|d| wanted.contains(&d.therapist()));
        ctx.search_in(store, route_days, &dates, now).await?
    } else {
        ctx.search(store, &dates, now).await?
    };
    Ok(slots.iter().map(|s| ctx.offered(s)).collect())
}

/// How many days from today the cache holds: the longest search, and a day either side.
const CACHED_DAYS: i64 = MAX_DAYS + 2;

/// Route-days kept in memory between searches. The store's calendar version (bumped by the database in the
/// same transaction as any change to visits, hours, time off, settings or clinics) says when to rebuild, so
/// several servers on one database stay correct. A stale view can only offer a slot that booking then
/// refuses with 409: booking re-checks on fresh data under the store's lock.
#[derive(Default)]
pub struct CalendarCache {
    current: tokio::sync::Mutex<Option<Arc<CalendarSnapshot>>>,
}

/// One version of the calendar: settings, schedules and booked stops, with route-days built per date on demand.
pub struct CalendarSnapshot {
    version: i64,
    /// The practice-local date it was built on; its window starts the day before.
    built_for: Date,
    settings: PracticeSettings,
    schedules: Vec<TherapistSchedule>,
    first: Date,
    last: Date,
    stops: HashMap<TherapistId, Vec<Stop>>,
    days: std::sync::Mutex<HashMap<Date, Arc<Vec<RouteDay>>>>,
}

impl CalendarCache {
    /// The snapshot for the store's current calendar version, rebuilt (once, by one caller) when it moved.
    pub async fn snapshot(&self, store: &dyn Store, now: Timestamp) -> Result<Arc<CalendarSnapshot>, WebError> {
        // The version is read before the data, so a change racing with a rebuild only causes another rebuild.
        let version = store.calendar_version().await?;
        let mut current = self.current.lock().await;
        if let Some(snapshot) = current.as_ref() {
            // A new day moves the window the snapshot holds, so it is rebuilt then too.
            let today = local_date(&snapshot.settings.zone(), now);
            if snapshot.version == version && snapshot.built_for == today {
                return Ok(snapshot.clone());
            }
        }
        let settings = store.practice_settings().await?;
        let schedules = store.schedules().await?;
        let tz = settings.zone();
        let today = local_date(&tz, now);
        let first = today.checked_sub(1.days()).unwrap_or(today);
        let last = today.checked_add(CACHED_DAYS.days()).unwrap_or(today);
        let from = instant_of(local_day(&tz, first).origin - CHECK_MARGIN_MINUTES);
        let to = instant_of(local_day(&tz, last).end + CHECK_MARGIN_MINUTES);
        let mut stops: HashMap<TherapistId, Vec<Stop>> = HashMap::new();
        for (t, stop) in store.stops_between(from, to).await? {
            stops.entry(t).or_default().push(stop);
        }
        let snapshot = Arc::new(CalendarSnapshot {
            version,
            built_for: today,
            settings,
            schedules,
            first,
            last,
            stops,
            days: Default::default(),
        });
        *current = Some(snapshot.clone());
        Ok(snapshot)
    }
}

impl CalendarSnapshot {
    fn holds(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every scheduled therapist's route-day on `date`, built the first time it is asked for.
    fn route_days(&self, date: Date, travel: &StraightLine) -> Arc<Vec<RouteDay>> {
        if let Some(days) = self.days.lock().unwrap_or_else(|p| p.into_inner()).get(&date) {
            return days.clone();
        }
        let tz = self.settings.zone();
        let day = local_day(&tz, date);
        let built: Vec<RouteDay> = self
            .schedules
            .iter()
            .map(|s| {
                let stops = self.stops.get(&s.therapist_id).map(Vec::as_slice).unwrap_or(&[]);
                let lo = stops.partition_point(|st| st.end <= day.origin - CHECK_MARGIN_MINUTES);
                let hi = stops.partition_point(|st| st.start < day.end + CHECK_MARGIN_MINUTES);
                s.route_day(&tz, date, stops[lo..hi].to_vec(), travel)
            })
            .collect();
        let built = Arc::new(built);
        self.days.lock().unwrap_or_else(|p| p.into_inner()).insert(date, built.clone());
        built
    }
}

fn rename_field(e: WebError, from: &str, to: &str) -> WebError {
    match e {
        WebError::Invalid(mut errs) => {
            for err in &mut errs.0 {
                if err.field == from {
                    err.field = to.to_string();
                }
            }
            WebError::Invalid(errs)
        }
        other => other,
    }
}

/// Why a start is not one the practice offers, if it is not.
fn check_start(settings: &PracticeSettings, start: Timestamp, now: Timestamp) -> Result<(), WebError> {
    let tz = settings.zone();
    let day = local_day(&tz, local_date(&tz, start));
    let on_grid = start.as_second() % 60 == 0
        && start.subsec_nanosecond() == 0
        && (minute_of(start) - day.origin) % settings.grid_minutes == 0;
    if !on_grid {
        return Err(WebError::field(
            "off_grid",
            "start",
            format!(
                "must be on the practice's {}-minute grid (e.g. 10:00, 10:{:02})",
                settings.grid_minutes, settings.grid_minutes
            ),
        ));
    }
    if minute_of(start) < minute_of(now) + settings.lead_minutes {
        return Err(WebError::field(
            "too_soon",
            "start",
            format!("must be at least {} minutes from now", settings.lead_minutes),
        ));
    }
    Ok(())
}

/// What was booked, and for a new booking the private token of its manage link.
pub struct Booked {
    pub created: Created,
    pub manage_token: Option<String>,
}

/// Books a slot: re-derives the therapists and travel from the calendar as it is now, then writes under
/// the store's lock, where the travel check runs again on fresh data.
pub async fn book(
    store: &dyn Store,
    req: &BookingRequest,
    caller: Option<&Caller>,
    idempotency_key: Option<String>,
    fingerprint: String,
    now: Timestamp,
) -> Result<Booked, WebError> {
    let client = match (&req.client, caller) {
        (Some(c), _) => c.clone(),
        (None, Some(caller)) => {
            Contact { name: caller.user.name.clone(), email: caller.user.email.clone(), phone: String::new() }
        }
        (None, None) => {
            return Err(WebError::field("required", "client", "give the client's name, email and phone (or sign in)"))
        }
    };
    let place = match &req.place {
        Where::Mobile { at, .. } => PlaceQuery::Point(*at),
        Where::Clinic(id) => PlaceQuery::Clinic(*id),
    };
    // A retry of a request that already succeeded returns its booking, even though its slot is now taken.
    if let Some(key) = &idempotency_key {
        if let Some((booking, earlier)) = store.booking_by_idempotency_key(key).await? {
            if earlier != fingerprint {
                return Err(booking_error(BookingError::KeyReused));
            }
            return Ok(Booked { created: Created::Replayed(booking), manage_token: None });
        }
    }
    let ctx = context(store, req.service_id, place, req.therapist_ids.as_deref()).await?;
    if let Some(ids) = &req.therapist_ids {
        if ids.len() != ctx.service.therapists_needed() {
            return Err(WebError::field(
                "invalid",
                "therapist_ids",
                format!("this service needs {} therapist(s)", ctx.service.therapists_needed()),
            ));
        }
    }
    check_start(&ctx.settings, req.start, now)?;
    let visits = plan_visits(store, &ctx, req.start, now).await?;
    let manage_token = random_secret();
    let base_km = ctx
        .schedules
        .iter()
        .filter(|s| visits.iter().any(|v| v.therapist_id == s.therapist_id))
        .map(|s| haversine_km(s.base, ctx.at))
        .fold(0.0, f64::max);
    let new = NewBooking {
        service_id: ctx.service.id,
        start: req.start,
        end: req.start + ctx.service.duration_minutes.minutes(),
        place: req.place.clone(),
        client,
        client_user_id: caller.filter(|c| c.user.role == Role::Client).map(|c| c.user.id),
        price_cents: ctx.service.price_cents,
        travel_fee_cents: if ctx.clinic.is_some() { 0 } else { ctx.settings.travel_fee_cents(base_km) },
        visits,
        manage_token_hash: secret_hash(&manage_token),
        idempotency_key,
        request_fingerprint: fingerprint,
        created_at: now,
    };
    let check = travel_check(&ctx, req.start);
    let created = store.create_booking(&new, &check).await.map_err(booking_error)?;
    let manage_token = matches!(created, Created::New(_)).then_some(manage_token);
    Ok(Booked { created, manage_token })
}

/// The visits for a start: the engine's picks for that one grid start, or 409 when none fit now.
async fn plan_visits(
    store: &dyn Store,
    ctx: &Context,
    start: Timestamp,
    now: Timestamp,
) -> Result<Vec<NewVisit>, WebError> {
    let tz = ctx.settings.zone();
    let date = local_date(&tz, start);
    let slots = ctx.search(store, &[date], now).await?;
    let wanted: Minute = minute_of(start);
    let slot = slots.into_iter().find(|s| s.start == wanted).ok_or_else(slot_taken)?;
    let buffer = ctx.service.buffer_minutes;
    Ok(slot
        .picks
        .iter()
        .map(|p| NewVisit {
            therapist_id: p.therapist,
            block_start: start - buffer.minutes(),
            block_end: start + (ctx.service.duration_minutes + buffer).minutes(),
            travel_before_min: i64::from(p.travel_before),
            travel_after_min: i64::from(p.travel_after),
        })
        .collect())
}

/// The engine's rule, run by the store on fresh data inside its transaction.
fn travel_check(
    ctx: &Context,
    start: Timestamp,
) -> impl Fn(TherapistId, &[Stop]) -> Result<(), String> + Send + Sync + '_ {
    move |therapist, stops| {
        let tz = ctx.settings.zone();
        let schedule =
            ctx.schedules.iter().find(|s| s.therapist_id == therapist).ok_or("the therapist has no schedule")?;
        let travel = ctx.travel();
        let day = schedule.route_day(&tz, local_date(&tz, start), stops.to_vec(), &travel);
        day.check(minute_of(start), ctx.service.duration_minutes, ctx.service.buffer_minutes, ctx.at, &travel)
            .map(|_| ())
            .map_err(|unfit| unfit.to_string())
    }
}

fn slot_taken() -> WebError {
    WebError::Conflict(FieldError::new("slot_taken", "start", "this time is no longer free; choose another slot"))
}

fn booking_error(e: BookingError) -> WebError {
    match e {
        BookingError::SlotTaken(_) => slot_taken(),
        BookingError::KeyReused => WebError::field(
            "idempotency_key_reused",
            "Idempotency-Key",
            "this key was already used for a different booking request; use a new key",
        ),
        BookingError::Store(e) => e.into(),
    }
}

/// Whether `caller` (or the holder of `manage_token`) may see and change `booking`.
pub fn may_manage(booking: &Booking, caller: Option<&Caller>, manage_token_hash_ok: bool) -> bool {
    manage_token_hash_ok
        || caller.is_some_and(|c| match c.user.role {
            Role::Manager => true,
            Role::Client => booking.client_user_id == Some(c.user.id),
            Role::Therapist => false,
        })
}

/// Moves a booking to a new start (and optionally other therapists), within the notice policy.
pub async fn reschedule(
    store: &dyn Store,
    booking: &Booking,
    start: Timestamp,
    therapist_ids: Option<Vec<TherapistId>>,
    is_manager: bool,
    now: Timestamp,
) -> Result<Booking, WebError> {
    let settings = store.practice_settings().await?;
    if !is_manager && !settings.may_change(booking.start, now) {
        return Err(notice_error(&settings));
    }
    let place = match (booking.clinic_id, booking.lat, booking.lon) {
        (Some(c), _, _) => PlaceQuery::Clinic(c),
        (None, Some(lat), Some(lon)) => PlaceQuery::Point(GeoPoint { lat, lon }),
        _ => return Err(WebError::internal(std::io::Error::other("a booking without a place"))),
    };
    let ctx = context(store, booking.service_id, place, therapist_ids.as_deref()).await?;
    check_start(&ctx.settings, start, now)?;
    // The booking's own visits must not block its new time: search as if they were gone.
    let visits = {
        let tz = ctx.settings.zone();
        let date = local_date(&tz, start);
        let travel = ctx.travel();
        let mut route_days = ctx.route_days(store, &[date], &travel).await?;
        let own: Vec<(TherapistId, Minute)> =
            booking.visits.iter().map(|v| (v.therapist_id, minute_of(v.block_start))).collect();
        route_days = route_days
            .into_iter()
            .map(|d| {
                let stops: Vec<Stop> =
                    d.stops().iter().copied().filter(|s| !own.contains(&(d.therapist(), s.start))).collect();
                RouteDay::new(d.therapist(), d.base(), d.radius_km(), d.windows().to_vec(), stops, &travel)
            })
            .collect();
        let request = SearchRequest {
            place: ctx.at,
            duration: ctx.service.duration_minutes,
            buffer: ctx.service.buffer_minutes,
            therapists_needed: ctx.service.therapists_needed(),
            step: ctx.settings.grid_minutes,
            not_before: minute_of(now) + ctx.settings.lead_minutes,
            days: vec![local_day(&tz, date)],
            rooms: None,
        };
        let slot = search(&request, &route_days, &travel)
            .into_iter()
            .find(|s| s.start == minute_of(start))
            .ok_or_else(slot_taken)?;
        slot.picks
            .iter()
            .map(|p| NewVisit {
                therapist_id: p.therapist,
                block_start: start - ctx.service.buffer_minutes.minutes(),
                block_end: start + (ctx.service.duration_minutes + ctx.service.buffer_minutes).minutes(),
                travel_before_min: i64::from(p.travel_before),
                travel_after_min: i64::from(p.travel_after),
            })
            .collect::<Vec<_>>()
    };
    let to = NewBooking {
        service_id: booking.service_id,
        start,
        end: start + ctx.service.duration_minutes.minutes(),
        place: match place {
            PlaceQuery::Clinic(c) => Where::Clinic(c),
            PlaceQuery::Point(at) => Where::Mobile { at, address: booking.address.clone().unwrap_or_default() },
        },
        client: Contact {
            name: booking.client_name.clone(),
            email: knead_core::Email::from_trusted(booking.client_email.clone()),
            phone: booking.client_phone.clone(),
        },
        client_user_id: booking.client_user_id,
        price_cents: booking.price_cents,
        travel_fee_cents: booking.travel_fee_cents,
        visits,
        manage_token_hash: String::new(),
        idempotency_key: None,
        request_fingerprint: String::new(),
        created_at: now,
    };
    let check = travel_check(&ctx, start);
    store.reschedule_booking(booking.id, &to, &check).await.map_err(booking_error)
}

fn notice_error(settings: &PracticeSettings) -> WebError {
    WebError::field(
        "too_late",
        "start",
        format!("changes need at least {} hours' notice; please call the practice", settings.cancel_notice_hours),
    )
}

/// Cancels within the notice policy (managers may always cancel).
pub async fn cancel(
    store: &dyn Store,
    booking: &Booking,
    is_manager: bool,
    now: Timestamp,
) -> Result<Booking, WebError> {
    let settings = store.practice_settings().await?;
    if !is_manager && !settings.may_change(booking.start, now) {
        return Err(notice_error(&settings));
    }
    Ok(store.cancel_booking(booking.id, now).await?)
}

/// Errors collected while parsing an availability query from strings.
pub fn parse_place(lat: Option<f64>, lon: Option<f64>, clinic_id: Option<i64>) -> Result<PlaceQuery, WebError> {
    match (lat, lon, clinic_id) {
        (Some(lat), Some(lon), None) => {
            GeoPoint::parse(lat, lon).map(PlaceQuery::Point).map_err(|e| WebError::Invalid(ValidationErrors(vec![e])))
        }
        (None, None, Some(id)) => Ok(PlaceQuery::Clinic(ClinicId(id))),
        (_, _, Some(_)) => {
            Err(WebError::field("invalid", "clinic_id", "give either lat and lon, or clinic_id, not both"))
        }
        (None, _, None) => {
            Err(WebError::field("required", "lat", "give lat and lon of the visit's place, or a clinic_id"))
        }
        (_, None, None) => {
            Err(WebError::field("required", "lon", "give lat and lon of the visit's place, or a clinic_id"))
        }
    }
}
