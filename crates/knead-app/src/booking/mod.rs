//! Booking: which starts a client can book, and booking, moving and cancelling them.
//!
//! Availability reads the calendar from memory ([`CalendarCache`]) and runs the core's `search`. Booking
//! and moving plan on fresh data, then write under the store's lock, where the store runs the core's
//! [`VisitFits`] rule again on what it reads then: every offered slot is bookable, and no two bookings
//! can take the same time.
//!
//! Drives are priced by the practice's straight-line model, or, with a road router set, by road times gathered
//! before the engine runs (see [`crate::travel`]); the model a booking was planned with goes with it into the
//! store, so the store's re-check prices the day the same way.
//!
//! [`staff`] holds what staff do with a booking (move, reassign, cancel, each recorded for the client).

mod block;
mod cache;
mod calendar_file;
mod intake;
mod series;
mod staff;
#[cfg(test)]
mod tests;
mod waitlist;

pub(crate) use block::{block_booking, party_booking, Block};
pub use cache::{CalendarCache, CalendarSnapshot, Setup};
pub(crate) use calendar_file::{bare_event, described_event, place_text, written_place};
pub use calendar_file::{calendar_file, visit_event};
pub use intake::{quote, Quote};
pub use series::{book_series, SeriesBooked, SeriesVisit};
pub use staff::{
    changeable, changes, check_reassignment, reassign, replacements, staff_cancel, staff_move, staff_reschedule,
    staff_times, staff_visible, Replacement,
};
pub(crate) use waitlist::new_waitlist_link;
pub use waitlist::{
    join_waitlist, leave_waitlist, scan_waitlist, take_waitlist_offer, waitlist, waitlist_entry, Joined,
};

use crate::accounts::{random_secret, secret_hash};
use crate::travel::{Lookup, Travel};
use crate::{App, AppError, AppResult, NotFoundAs};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_core::booking::plan::{check_start, search_request, travel_fee_cents, visits_for, VisitFits};
use knead_core::booking::{
    ArrivalWindow, Booking, BookingId, BookingRequest, BookingStatus, ClinicId, Location, NewBooking, Unavailable,
    Visit, Where,
};
use knead_core::calendar::{
    add_days, add_minutes, check_date, end_minute_of, instant_of, local_date, local_day, minute_of, route_days,
    BookedStops, PracticeSettings, TherapistSchedule,
};
use knead_core::geo::{GeoPoint, TravelTimes};
use knead_core::notify::{self, JobKind, NewJob};
use knead_core::schedule::{search, RoomCalendar, RouteDay, SearchRequest, Slot, NEIGHBOUR_MARGIN_MINUTES};
use knead_core::{Gender, Kind, Place, Role, Service, ServiceId, TherapistId, User, UserId};
use knead_routing::StraightLine;
use knead_store::{Created, Store};
use std::collections::HashSet;
use std::sync::Arc;

/// The longest date range one availability search may cover.
pub const MAX_DAYS: i64 = 60;

/// Up to this many therapists, planning reads their stops by name; beyond, the whole practice's (one read
/// instead of several).
const FEW_THERAPISTS: usize = 48;

#[derive(Debug, Clone)]
pub struct AvailabilityQuery {
    pub service_id: ServiceId,
    pub place: Location,
    pub from: Date,
    pub days: i64,
    pub therapist_id: Option<TherapistId>,
    /// Only therapists of this gender (as their profiles state it).
    pub therapist_gender: Option<Gender>,
    /// Add-ons by name, as the service lists them: the search is for the longer visit they make.
    pub add_ons: Vec<String>,
}

/// A start the client can book.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedSlot {
    pub start: Timestamp,
    /// The treatment's end, without the pack-up buffer.
    pub end: Timestamp,
    pub therapist_ids: Vec<TherapistId>,
    /// Minutes of driving to the visit (the longest among the therapists).
    pub travel_before_min: u32,
    /// Minutes of driving on to the next visit, or home (the longest among the therapists).
    pub travel_after_min: u32,
    /// How much the therapists' driving grows, summed over them.
    pub added_travel_min: i64,
}

/// The slots of one search, with the practice's zone to show them in.
#[derive(Debug, Clone)]
pub struct Offer {
    pub zone: TimeZone,
    pub slots: Vec<OfferedSlot>,
}

fn unknown_service() -> AppError {
    AppError::field("unknown", "service_id", "no bookable service has this id")
}

/// Who may give a visit: the therapists the client named, if any, and only those of the gender the client asked
/// for, if any.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Who<'a> {
    pub named: Option<&'a [TherapistId]>,
    pub gender: Option<Gender>,
}

impl<'a> Who<'a> {
    pub fn new(named: Option<&'a [TherapistId]>, gender: Option<Gender>) -> Who<'a> {
        Who { named, gender }
    }
}

/// Everything a search or a booking needs, read once: the settings, the service, where the visit is, and
/// the schedules of the therapists who may give it.
struct Context {
    settings: PracticeSettings,
    service: Service,
    at: GeoPoint,
    clinic: Option<ClinicId>,
    schedules: Vec<TherapistSchedule>,
}

impl Context {
    /// The checks of a request over the practice as the calendar cache keeps it: the service is for sale, the
    /// place suits it and lies in the service area or is a clinic, and the therapists `who` names (when it names
    /// any) offer it and are of the gender asked for. The schedules kept are those of who may give the visit.
    async fn new(
        store: &dyn Store,
        setup: &Setup,
        service_id: ServiceId,
        place: Location,
        who: Who<'_>,
        add_ons: &[String],
    ) -> AppResult<Context> {
        let settings = setup.settings.clone();
        let service = setup.services.get(&service_id).filter(|s| !s.archived).ok_or_else(unknown_service)?;
        // The add-ons' minutes and prices make the visit the engine searches for and the price charged.
        let service = service.with_add_ons("add_ons", add_ons)?;
        let (at, clinic) = match place {
            Location::Point(at) => {
                if service.place == Place::Clinic {
                    return Err(AppError::field(
                        "invalid",
                        "clinic_id",
                        "this service is given at a clinic: choose a clinic_id instead of lat and lon",
                    ));
                }
                if !settings.service_area.contains(at) {
                    return Err(AppError::field(
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
            Location::Clinic(id) => {
                if service.place == Place::Mobile {
                    return Err(AppError::field(
                        "invalid",
                        "clinic_id",
                        "this service is given at your place: give lat and lon instead of a clinic",
                    ));
                }
                let clinic = store.clinic(id).await.map_err(|e| match e {
                    knead_store::StoreError::NotFound => {
                        AppError::field("unknown", "clinic_id", "no clinic has this id")
                    }
                    other => other.into(),
                })?;
                if clinic.archived {
                    return Err(AppError::field(
                        "archived",
                        "clinic_id",
                        "this clinic no longer takes bookings; choose another clinic",
                    ));
                }
                (clinic.at(), Some(id))
            }
        };
        let mut schedules: Vec<&TherapistSchedule> = setup.schedules.iter().filter(|s| s.offers(service.id)).collect();
        if let Some(wanted) = who.named {
            for t in wanted {
                let Some(s) = schedules.iter().find(|s| s.therapist_id == *t) else {
                    return Err(AppError::field(
                        "invalid",
                        "therapist_ids",
                        format!("therapist {} does not offer this service", t.0),
                    ));
                };
                if let Some(g) = who.gender.filter(|&g| s.gender != Some(g)) {
                    return Err(AppError::field(
                        "invalid",
                        "therapist_ids",
                        format!("therapist {} is not {}, as therapist_gender asks", t.0, g.label()),
                    ));
                }
            }
            schedules.retain(|s| wanted.contains(&s.therapist_id));
        }
        if let Some(g) = who.gender {
            let offered = !schedules.is_empty();
            schedules.retain(|s| s.gender == Some(g));
            if offered && schedules.is_empty() {
                return Err(AppError::field(
                    "unavailable",
                    "therapist_gender",
                    format!("no therapist who gives this service is {}; choose another or leave it open", g.label()),
                ));
            }
        }
        // Only those who can reach the place can give the visit (the engine would pass over the others), so
        // only their days are read and built.
        let schedules = schedules.into_iter().filter(|s| s.covers(at)).cloned().collect();
        Ok(Context { settings, service, at, clinic, schedules })
    }

    /// The checks on the settings and schedules as they are now (see [`CalendarCache::setup`]).
    async fn current(
        app: &App,
        service_id: ServiceId,
        place: Location,
        who: Who<'_>,
        add_ons: &[String],
    ) -> AppResult<Context> {
        let store = app.store();
        let setup = app.calendar.setup(store).await?;
        Context::new(store, &setup, service_id, place, who, add_ons).await
    }

    fn travel(&self) -> StraightLine {
        travel_model(&self.settings)
    }

    /// The booked stops around `dates` of the therapists who may give the visit, read fresh: theirs alone when
    /// they are few (a booking's usual case), else the whole practice's in one read.
    async fn booked(&self, store: &dyn Store, dates: &[Date]) -> AppResult<BookedStops> {
        let tz = self.settings.zone();
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else { return Ok(BookedStops::default()) };
        let from = instant_of(local_day(tz, *first).origin - NEIGHBOUR_MARGIN_MINUTES);
        let to = instant_of(local_day(tz, *last).end + NEIGHBOUR_MARGIN_MINUTES);
        let rows = if self.schedules.len() <= FEW_THERAPISTS {
            let therapists: Vec<TherapistId> = self.schedules.iter().map(|s| s.therapist_id).collect();
            store.therapists_stops_between(&therapists, from, to).await?
        } else {
            store.stops_between(from, to).await?
        };
        Ok(BookedStops::from_rows(rows))
    }

    /// A clinic's rooms over `dates`, for a clinic visit.
    async fn rooms(&self, store: &dyn Store, dates: &[Date]) -> AppResult<Option<RoomCalendar>> {
        let (Some(clinic), Some(first), Some(last)) = (self.clinic, dates.first(), dates.last()) else {
            return Ok(None);
        };
        let tz = self.settings.zone();
        let (from, to) = (instant_of(local_day(tz, *first).origin), instant_of(local_day(tz, *last).end));
        Ok(Some(store.room_calendar(clinic, from, to).await?))
    }

    /// What the engine is asked over `dates` (with the clinic's rooms for a clinic visit).
    async fn request(&self, store: &dyn Store, dates: &[Date], now: Timestamp) -> AppResult<SearchRequest> {
        let rooms = self.rooms(store, dates).await?;
        Ok(search_request(&self.service, &self.settings, self.at, dates, rooms, now))
    }

    /// Searches `dates` over the route-days of `booked`, with the travel model it was priced with.
    async fn search_booked(
        &self,
        app: &App,
        request: &SearchRequest,
        booked: &BookedStops,
        dates: &[Date],
    ) -> (Vec<Slot>, Travel) {
        let work = |travel: &dyn TravelTimes| {
            let days = route_days(&self.schedules, booked, self.settings.zone(), dates, travel);
            search(request, &days, travel)
        };
        match app.current_road_travel().await {
            None => {
                let travel = self.travel();
                (work(&travel), Travel::Straight(travel))
            }
            Some(road) => {
                let (slots, times) = road.run_owned(Some(self.at), self.travel(), app.now(), work).await;
                (slots, Travel::Road(times))
            }
        }
    }

    /// The slot the engine offers at `start` on fresh data, or why not, with the travel model it was priced
    /// with. `own` are the visits of a booking being moved: they do not block its new time (neither the
    /// therapists' days nor the rooms).
    async fn slot_at(&self, app: &App, start: Timestamp, now: Timestamp, own: &[Visit]) -> AppResult<(Slot, Travel)> {
        let store = app.store();
        let dates = [local_date(self.settings.zone(), start)];
        let mut booked = self.booked(store, &dates).await?;
        for v in own {
            booked.remove(v.therapist_id, minute_of(v.block_start));
        }
        let mut rooms = self.rooms(store, &dates).await?;
        if let Some(rooms) = &mut rooms {
            for v in own.iter().filter(|v| v.room_id.is_some()) {
                let block = (minute_of(v.block_start), end_minute_of(v.block_end));
                if let Some(at) = rooms.busy.iter().position(|b| *b == block) {
                    rooms.busy.swap_remove(at);
                }
            }
        }
        let request = search_request(&self.service, &self.settings, self.at, &dates, rooms, now);
        let (slots, travel) = self.search_booked(app, &request, &booked, &dates).await;
        let slot = slots.into_iter().find(|s| s.start == minute_of(start));
        Ok((slot.ok_or(AppError::Unavailable(Unavailable::NotOffered))?, travel))
    }

    fn offered(&self, slot: &Slot) -> OfferedSlot {
        OfferedSlot {
            start: instant_of(slot.start),
            end: instant_of(slot.end),
            therapist_ids: slot.picks.iter().map(|p| p.therapist).collect(),
            travel_before_min: slot.picks.iter().map(|p| p.travel_before).max().unwrap_or(0),
            travel_after_min: slot.picks.iter().map(|p| p.travel_after).max().unwrap_or(0),
            added_travel_min: slot.picks.iter().map(|p| p.added_travel).sum(),
        }
    }

    /// The rule the store runs again, on fresh stops under its lock, as it writes a visit starting at `start`.
    fn visit_fits<'a>(&'a self, start: Timestamp, travel: &'a dyn TravelTimes) -> VisitFits<'a> {
        VisitFits {
            tz: self.settings.zone(),
            schedules: &self.schedules,
            start,
            duration: self.service.duration_minutes,
            buffer: self.service.buffer_minutes,
            at: self.at,
            travel,
        }
    }
}

/// The practice's travel model: straight-line estimates from its road factor and speed.
pub fn travel_model(settings: &PracticeSettings) -> StraightLine {
    StraightLine::new(settings.road_factor, settings.speed_kmh).unwrap_or_default()
}

/// Every bookable start for a service at a place over a date range, best therapists first.
///
/// Only dates up to the practice's booking horizon are searched; a `from` beyond it is refused.
///
/// Route-days come from the app's calendar cache while the store's calendar version is unchanged, so a search
/// costs the engine and a few small reads; dates outside the cached window are read fresh. Starts held for a
/// waitlisted client are left out.
pub async fn availability(app: &App, q: &AvailabilityQuery) -> AppResult<Offer> {
    let now = app.now();
    let snapshot = app.calendar.snapshot(app.store(), now).await?;
    let mut offer = free_starts_in(app, &snapshot, q).await?;
    let held: Vec<_> = snapshot.setup.holds(now, None).collect();
    offer.slots.retain(|s| !held.iter().any(|h| h.blocks(s.start, s.end, &s.therapist_ids)));
    Ok(offer)
}

/// Every start the calendar leaves free, held ones included: the waitlist's check, which keeps its own list
/// of held starts, searches with this.
pub(crate) async fn free_starts(app: &App, q: &AvailabilityQuery) -> AppResult<Offer> {
    let snapshot = app.calendar.snapshot(app.store(), app.now()).await?;
    free_starts_in(app, &snapshot, q).await
}

/// [`free_starts`] in `snapshot`.
async fn free_starts_in(app: &App, snapshot: &CalendarSnapshot, q: &AvailabilityQuery) -> AppResult<Offer> {
    if !(1..=MAX_DAYS).contains(&q.days) {
        return Err(AppError::field("out_of_range", "days", format!("must be between 1 and {MAX_DAYS}")));
    }
    check_date("from", q.from)?;
    let store = app.store();
    let now = app.now();
    let today = local_date(snapshot.setup.settings.zone(), now);
    let last = snapshot.setup.settings.last_bookable_date(today);
    if q.from > last {
        return Err(snapshot.setup.settings.beyond_horizon("from", today).into());
    }
    let only = q.therapist_id.map(|t| vec![t]);
    let ctx = Context::new(
        store,
        &snapshot.setup,
        q.service_id,
        q.place,
        Who::new(only.as_deref(), q.therapist_gender),
        &q.add_ons,
    )
    .await
    .map_err(|e| rename_field(e, "therapist_ids", "therapist_id"))?;
    let dates: Vec<Date> = (0..q.days).map(|i| add_days(q.from, i)).filter(|d| *d <= last).collect();
    let request = ctx.request(store, &dates, now).await?;
    let slots = if dates.iter().all(|d| snapshot.holds(*d)) {
        // A set: 2,800 route-days are filtered per search, so a linear scan per day would be the hot spot.
        let wanted: HashSet<TherapistId> = ctx.schedules.iter().map(|s| s.therapist_id).collect();
        let search_days = |days: &[Arc<Vec<RouteDay>>], travel: &dyn TravelTimes| {
            let days = days.iter().flat_map(|days| days.iter()).filter(|d| wanted.contains(&d.therapist()));
            search(&request, days, travel)
        };
        match app.current_road_travel().await {
            None => {
                let travel = ctx.travel();
                let cached: Vec<_> = dates.iter().map(|d| snapshot.route_days(*d, &travel)).collect();
                search_days(&cached, &travel)
            }
            Some(road) => {
                road.run(Some(ctx.at), ctx.travel(), now, |travel| {
                    let days: Vec<_> = dates.iter().map(|d| road_days(snapshot, *d, travel)).collect();
                    search_days(&days, travel)
                })
                .await
            }
        }
    } else {
        let booked = ctx.booked(store, &dates).await?;
        ctx.search_booked(app, &request, &booked, &dates).await.0
    };
    Ok(Offer { zone: ctx.settings.zone().clone(), slots: slots.iter().map(|s| ctx.offered(s)).collect() })
}

/// The route-days on `date` on road times: the kept ones, else built now, and kept when they rest on road times
/// alone (none of their drives was a stand-in for a pair still to fetch or one the router did not answer).
fn road_days(snapshot: &CalendarSnapshot, date: Date, travel: &Lookup<'_>) -> Arc<Vec<RouteDay>> {
    if let Some(days) = snapshot.road_days(date, travel.epoch()) {
        return days;
    }
    let before = travel.incomplete();
    let days = Arc::new(snapshot.build_route_days(date, travel));
    if travel.incomplete() == before {
        snapshot.keep_road_days(date, travel.epoch(), days.clone());
    }
    days
}

fn rename_field(e: AppError, from: &str, to: &str) -> AppError {
    match e {
        AppError::Invalid(mut errs) => {
            for err in &mut errs.0 {
                if err.field == from {
                    err.field = to.to_string();
                }
            }
            AppError::Invalid(errs)
        }
        other => other,
    }
}

/// What was booked: the booking, whether an earlier request with the same key had already made it, and for
/// a new booking the private token of its manage link (shown once).
pub struct Booked {
    pub booking: Booking,
    pub replayed: bool,
    pub manage_token: Option<String>,
    /// The precautions the visit carries (strictest first): why it waits for clearance, what to avoid.
    pub precautions: Vec<knead_core::intake::Precaution>,
    /// The screening it was booked with: a `routine` one advises a physician or physiotherapist review.
    pub screening: Option<knead_core::intake::ScreeningRecord>,
    /// The practice's zone, to show the booking's times in.
    pub zone: TimeZone,
}

/// Books a slot for `req`, by a guest or by `user` (signed in): re-derives the therapists and travel from
/// the calendar as it is now, then writes under the store's lock, where the travel check runs again on
/// fresh data. A repeated `idempotency_key` with the same `fingerprint` returns the first booking.
///
/// The intake side (see [`intake`]): a back, leg or sciatica visit needs its screening, and an emergency
/// screening never becomes a booking; the client record is found or made; a health history sent with the
/// request is stored as a new version; then the precautions decide: a `block` refuses the booking, a
/// clearance holds it as `awaiting_clearance`.
pub async fn book(
    app: &App,
    req: &BookingRequest,
    user: Option<&User>,
    idempotency_key: Option<String>,
    fingerprint: String,
) -> AppResult<Booked> {
    book_visit(app, req, user, idempotency_key, fingerprint, Via::Direct).await
}

/// A booking that is one visit of a series: the series it names, and whether it sends the confirmation
/// (the first visit does; the others send their reminders only).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeriesPart {
    pub id: knead_core::booking::SeriesId,
    pub confirms: bool,
    /// Whether the client named the series' therapists (later visits are sent with the first visit's).
    pub therapists_named: bool,
}

/// How a booking comes to be made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via {
    /// On its own.
    Direct,
    /// As one visit of a series.
    Series(SeriesPart),
    /// By the waitlist entry taking the start held for it (the only booking that hold lets through).
    Waitlist(knead_core::booking::waitlist::WaitlistId),
}

pub(crate) async fn book_visit(
    app: &App,
    req: &BookingRequest,
    user: Option<&User>,
    idempotency_key: Option<String>,
    fingerprint: String,
    via: Via,
) -> AppResult<Booked> {
    let store = app.store();
    let now = app.now();
    // A retry of a request that already succeeded returns its booking, even though its slot is now taken.
    if let Some(key) = &idempotency_key {
        if let Some((booking, earlier)) = store.booking_by_idempotency_key(key).await? {
            if earlier != fingerprint {
                return Err(AppError::KeyReused);
            }
            return intake::replayed(app, booking).await;
        }
    }
    intake::may_name_client(req, user)?;
    if req.client.is_none() && user.is_none() && req.client_id.is_none() {
        return Err(AppError::field("required", "client", "give the client's name, email and phone (or sign in)"));
    }
    let screening = intake::screening_for(app, req).await?;
    let who = Who::new(req.therapist_ids.as_deref(), req.therapist_gender);
    let setup = app.calendar.setup(store).await?;
    let ctx = Context::new(store, &setup, req.service_id, req.place.location(), who, &req.add_ons).await?;
    if let Some(ids) = &req.therapist_ids {
        if ids.len() != ctx.service.therapists_needed() {
            return Err(AppError::field(
                "invalid",
                "therapist_ids",
                format!("this service needs {} therapist(s)", ctx.service.therapists_needed()),
            ));
        }
    }
    check_start(&ctx.settings, req.start, now)?;
    let (slot, travel) = ctx.slot_at(app, req.start, now, &[]).await?;
    let (client, contact) = intake::client_for_booking(app, req, user).await?;
    let (status, precautions) = intake::gate(app, req, user, client.as_ref(), screening.as_ref()).await?;
    let visits = visits_for(&slot, &ctx.service, req.start);
    let therapists: Vec<TherapistId> = visits.iter().map(|v| v.therapist_id).collect();
    let end = add_minutes(req.start, ctx.service.duration_minutes);
    let holder = match via {
        Via::Waitlist(id) => Some(id),
        Via::Direct | Via::Series(_) => None,
    };
    if setup.holds(now, holder).any(|h| h.blocks(req.start, end, &therapists)) {
        return Err(AppError::Unavailable(Unavailable::HeldForWaitlist));
    }
    let manage_token = random_secret();
    let mut jobs = notify::jobs_for_booking(
        status == BookingStatus::AwaitingClearance,
        &therapists,
        req.start,
        now,
        &ctx.settings.reminder_hours,
    );
    if matches!(via, Via::Series(part) if !part.confirms) {
        jobs.retain(|j| !matches!(j.kind, JobKind::BookingConfirmed | JobKind::AwaitingClearance));
    }
    let new = NewBooking {
        service_id: ctx.service.id,
        start: req.start,
        end,
        place: req.place.clone(),
        client: contact,
        client_user_id: user.filter(|u| u.role == Role::Client).map(|u| u.id),
        client_id: client.as_ref().map(|c| c.id),
        new_client_record: client.is_none(),
        status,
        reason: req.reason,
        screening_id: req.screening_id.clone(),
        add_ons: ctx.add_on_names(&req.add_ons),
        notes: req.notes.clone(),
        price_cents: ctx.service.price_cents,
        travel_fee_cents: travel_fee_cents(&ctx.settings, &ctx.schedules, &therapists, mobile_point(&req.place)),
        visits,
        manage_token_hash: secret_hash(&manage_token),
        idempotency_key,
        request_fingerprint: fingerprint,
        created_at: now,
        jobs,
        series_id: match via {
            Via::Series(part) => Some(part.id),
            Via::Direct | Via::Waitlist(_) => None,
        },
        arrival: ArrivalWindow::around(req.start, req.arrival_window_minutes),
        // A waitlist offer names the therapists the freed start was found with, not the client's choice.
        therapists_named: match via {
            Via::Direct => req.therapist_ids.is_some(),
            Via::Series(part) => part.therapists_named,
            Via::Waitlist(_) => false,
        },
        therapist_gender: req.therapist_gender,
    };
    let zone = ctx.settings.zone().clone();
    Ok(match store.create_booking(&new, &ctx.visit_fits(req.start, &travel)).await? {
        Created::New(booking) => {
            tracing::info!(booking = booking.id.0, status = booking.status.as_str(), "booked");
            app.jobs_added();
            Booked { booking, replayed: false, manage_token: Some(manage_token), precautions, screening, zone }
        }
        Created::Replayed(booking) => {
            Booked { booking, replayed: true, manage_token: None, precautions, screening, zone }
        }
    })
}

fn mobile_point(place: &Where) -> Option<GeoPoint> {
    match place {
        Where::Mobile { at, .. } => Some(*at),
        Where::Clinic(_) => None,
    }
}

/// The booking with this id if `user` (or the holder of `manage_token`) may see and change it: its client,
/// a manager, or whoever holds its private link. `Ok(None)` when they may not; whether it exists is then
/// nobody else's business.
pub async fn manageable(
    app: &App,
    id: BookingId,
    user: Option<&User>,
    manage_token: Option<&str>,
) -> AppResult<Option<Booking>> {
    let booking = app.store().booking(id).await.not_found_as("booking")?;
    let holds_link = match manage_token {
        Some(t) => app.store().booking_by_manage_token(&secret_hash(t)).await.is_ok_and(|b| b.id == booking.id),
        None => false,
    };
    let allowed = holds_link
        || user.is_some_and(|u| match u.role {
            Role::Manager => true,
            Role::Client => booking.client_user_id == Some(u.id),
            Role::Therapist => false,
        });
    Ok(allowed.then_some(booking))
}

/// Refuses a change the notice policy no longer allows (managers may always).
fn within_notice(settings: &PracticeSettings, booking: &Booking, by_manager: bool, now: Timestamp) -> AppResult<()> {
    if by_manager || settings.may_change(booking.start, now) {
        Ok(())
    } else {
        Err(AppError::TooLate { notice_hours: settings.cancel_notice_hours })
    }
}

/// Moves a booking to a new start (and optionally other therapists), within the notice policy. Its own
/// visits do not block the new time.
pub async fn reschedule(
    app: &App,
    booking: &Booking,
    start: Timestamp,
    therapist_ids: Option<Vec<TherapistId>>,
    by_manager: bool,
) -> AppResult<Booking> {
    move_booking(app, booking, start, therapist_ids, by_manager, None).await
}

/// Moves a booking; `staff` (a staff member's move) has what changed recorded with it, for the client.
async fn move_booking(
    app: &App,
    booking: &Booking,
    start: Timestamp,
    therapist_ids: Option<Vec<TherapistId>>,
    by_manager: bool,
    staff: Option<UserId>,
) -> AppResult<Booking> {
    let store = app.store();
    let now = app.now();
    let setup = app.calendar.setup(store).await?;
    within_notice(&setup.settings, booking, by_manager, now)?;
    let location = booking.place.location();
    // The client's preference holds for whoever takes the visit; the therapists it has now keep it.
    let keeps_team = therapist_ids.as_ref().is_some_and(|ids| same_team(ids, &booking.therapist_ids()));
    let who = Who::new(therapist_ids.as_deref(), booking.therapist_gender.filter(|_| !keeps_team));
    let ctx = Context::new(store, &setup, booking.service_id, location, who, &[]).await?.keeping_length_of(booking);
    if matches!(ctx.service.kind, Kind::Chair | Kind::Party) {
        // Its sheet (the chair day's sittings, the party's guests) is laid out on its time and therapists.
        return Err(AppError::field(
            "group_booking",
            "start",
            "a chair-massage day or spa party is not moved or given to others: cancel it and book it again",
        ));
    }
    check_start(&ctx.settings, start, now)?;
    let (slot, travel) = ctx.slot_at(app, start, now, &booking.visits).await?;
    let to = NewBooking {
        service_id: booking.service_id,
        start,
        end: add_minutes(start, ctx.service.duration_minutes),
        place: booking.place.clone(),
        client: booking.client.clone(),
        client_user_id: booking.client_user_id,
        client_id: booking.client_id,
        new_client_record: false,
        status: booking.status,
        reason: booking.reason,
        screening_id: booking.screening_id.clone(),
        add_ons: booking.add_ons.clone(),
        notes: booking.notes.clone(),
        price_cents: booking.price_cents,
        travel_fee_cents: booking.travel_fee_cents,
        visits: visits_for(&slot, &ctx.service, start),
        manage_token_hash: String::new(),
        idempotency_key: None,
        request_fingerprint: String::new(),
        created_at: now,
        jobs: Vec::new(),
        series_id: booking.series_id,
        arrival: booking.arrival,
        therapists_named: booking.therapists_named,
        therapist_gender: booking.therapist_gender,
    };
    let before = booking.therapist_ids();
    let new_therapists = to.visits.iter().map(|v| v.therapist_id).filter(|t| !before.contains(t));
    let to = NewBooking {
        jobs: [NewJob::now(JobKind::BookingChanged, now)]
            .into_iter()
            .chain(
                new_therapists
                    .map(|t| NewJob { therapist_id: Some(t), ..NewJob::now(JobKind::TherapistNewBooking, now) }),
            )
            .chain(notify::reminders(start, now, &ctx.settings.reminder_hours))
            // The old time is free: someone on the waitlist may want it.
            .chain([NewJob::waitlist_scan(now)])
            .collect(),
        ..to
    };
    let moved = store.reschedule_booking(booking.id, &to, &ctx.visit_fits(start, &travel), staff).await?;
    app.jobs_added();
    Ok(moved)
}

/// Whether `a` and `b` name the same therapists, in any order.
pub(crate) fn same_team(a: &[TherapistId], b: &[TherapistId]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// Cancels within the notice policy (managers may always).
pub async fn cancel(app: &App, booking: &Booking, by_manager: bool) -> AppResult<Booking> {
    let settings = app.store().practice_settings().await?;
    within_notice(&settings, booking, by_manager, app.now())?;
    cancel_now(app, booking, None).await
}

/// Cancels at once, telling the client (the store writes the message only if the booking was active).
pub(crate) async fn cancel_now(app: &App, booking: &Booking, staff: Option<UserId>) -> AppResult<Booking> {
    let now = app.now();
    // The freed time goes to the waitlist's check, written with the cancellation.
    let told = [NewJob::now(JobKind::BookingCancelled, now), NewJob::waitlist_scan(now)];
    let cancelled = app.store().cancel_booking(booking.id, now, staff, &told).await?;
    app.jobs_added();
    Ok(cancelled)
}
