//! Route-days kept in memory between availability searches: patched per therapist-day when only visits changed,
//! rebuilt whole when anything else availability reads changed.

use super::travel_model;
use super::waitlist::{holds_of, Held, MAX_OFFERS};
use crate::AppResult;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use knead_core::booking::waitlist::{WaitStatus, WaitlistId};
use knead_core::calendar::{instant_of, local_date, local_day, BookedStops, PracticeSettings, TherapistSchedule};
use knead_core::geo::TravelTimes;
use knead_core::schedule::{RouteDay, NEIGHBOUR_MARGIN_MINUTES};
use knead_core::{Service, ServiceId, TherapistId};
use knead_store::{Store, VisitChange};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Route-days built on road times, with the road cache's epoch they were built under.
type RoadDays = (u64, Arc<Vec<RouteDay>>);

/// How many days from today the cache holds: the longest search, and a day either side.
const CACHED_DAYS: i64 = super::MAX_DAYS + 2;

/// Route-days kept in memory between searches. The store's calendar version (moved by the database in the
/// same transaction as any change to visits, hours, time off, settings, services, clinics or the waitlist's
/// offers) says when the view is stale, and its change log says what changed: when only visits did, the
/// therapists they belong to are read again and their route-days on the dates touched rebuilt; otherwise
/// everything is. So several servers on one database stay correct, and a booking costs the next search one
/// therapist-day, not the practice. A stale view can only offer a slot that booking then refuses: booking
/// re-checks on fresh data under the store's lock.
#[derive(Default)]
pub struct CalendarCache {
    current: tokio::sync::Mutex<Option<Arc<CalendarSnapshot>>>,
    /// The setup last read, with the newest calendar version it is known to be current at.
    setup: Mutex<Option<(i64, Arc<Setup>)>>,
}

/// What planning reads of the practice besides its visits: the settings, the services (archived ones too), the
/// therapists' schedules and the starts the waitlist's offers hold. Kept between bookings and searches, since
/// visits moving the calendar version (every booking does) leave it as it is; anything else moving the version
/// has it read again.
pub struct Setup {
    pub settings: PracticeSettings,
    pub services: HashMap<ServiceId, Service>,
    pub schedules: Vec<TherapistSchedule>,
    holds: Vec<Held>,
}

impl Setup {
    /// Everything afresh; the caller reads the calendar version first, so a change racing with these reads only
    /// has the next caller read again.
    async fn read(store: &dyn Store) -> AppResult<Setup> {
        let settings = store.practice_settings().await?;
        let services: HashMap<ServiceId, Service> =
            store.list_services(true).await?.into_iter().map(|s| (s.id, s)).collect();
        let schedules = store.schedules().await?;
        let holds = holds_of(store.waitlist(Some(WaitStatus::Offered), MAX_OFFERS).await?, &services);
        Ok(Setup { settings, services, schedules, holds })
    }

    /// The starts live offers hold at `now` (not lapsed), but entry `except`'s own.
    pub(crate) fn holds(&self, now: Timestamp, except: Option<WaitlistId>) -> impl Iterator<Item = &Held> {
        self.holds.iter().filter(move |h| h.live_at(now) && Some(h.entry) != except)
    }
}

/// One version of the calendar: the setup and the booked stops, with route-days built per date on demand.
pub struct CalendarSnapshot {
    version: i64,
    /// The practice-local date it was built on; its window starts the day before.
    built_for: Date,
    pub setup: Arc<Setup>,
    first: Date,
    last: Date,
    booked: BookedStops,
    days: Mutex<HashMap<Date, Arc<Vec<RouteDay>>>>,
    road_days: Mutex<HashMap<Date, RoadDays>>,
}

impl CalendarCache {
    /// The snapshot for the store's current calendar version: the one held when nothing changed, patched when
    /// only visits did, rebuilt otherwise or on a new day; a patch or rebuild is made once, by one caller.
    pub async fn snapshot(&self, store: &dyn Store, now: Timestamp) -> AppResult<Arc<CalendarSnapshot>> {
        let today = |s: &CalendarSnapshot| s.built_for == local_date(s.setup.settings.zone(), now);
        let held = self.current.lock().await.clone().filter(|s| today(s));
        // Read before any data, so a change racing with a patch or rebuild only causes another.
        let (version, visits) = match &held {
            Some(held) => {
                let changes = store.calendar_changes(held.version).await?;
                if changes.version == held.version {
                    return Ok(held.clone());
                }
                (changes.version, changes.visits)
            }
            None => (store.calendar_version().await?, None),
        };
        let mut current = self.current.lock().await;
        if let Some(caught_up) = current.as_ref().filter(|c| c.version >= version && today(c)) {
            return Ok(caught_up.clone());
        }
        let patchable = held.filter(|h| current.as_ref().is_some_and(|c| Arc::ptr_eq(c, h)));
        let next = match (patchable, visits) {
            (Some(held), Some(visits)) => held.patched(store, version, &visits).await?,
            _ => {
                let setup = Arc::new(Setup::read(store).await?);
                self.keep_setup(version, setup.clone());
                CalendarSnapshot::build(store, version, setup, now).await?
            }
        };
        let next = Arc::new(next);
        *current = Some(next.clone());
        Ok(next)
    }

    /// The setup as it is now: the one kept when only visits changed since it was read (one small read of the
    /// change log says so), else read again.
    pub async fn setup(&self, store: &dyn Store) -> AppResult<Arc<Setup>> {
        let held = self.setup.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((version, setup)) = held {
            let changes = store.calendar_changes(version).await?;
            if changes.version == version {
                return Ok(setup);
            }
            if changes.visits.is_some() {
                self.keep_setup(changes.version, setup.clone());
                return Ok(setup);
            }
        }
        // The version first: a change racing with these reads only makes the next caller read again.
        let version = store.calendar_version().await?;
        let setup = Arc::new(Setup::read(store).await?);
        self.keep_setup(version, setup.clone());
        Ok(setup)
    }

    /// Keeps `setup` as current at `version`, unless one is kept at a newer version already.
    fn keep_setup(&self, version: i64, setup: Arc<Setup>) {
        let mut kept = self.setup.lock().unwrap_or_else(|p| p.into_inner());
        if kept.as_ref().is_none_or(|(at, _)| *at < version) {
            *kept = Some((version, setup));
        }
    }
}

impl CalendarSnapshot {
    /// The stops read afresh over `setup`, under `version` (read before both).
    async fn build(store: &dyn Store, version: i64, setup: Arc<Setup>, now: Timestamp) -> AppResult<CalendarSnapshot> {
        let today = local_date(setup.settings.zone(), now);
        let first = today.checked_sub(1.days()).unwrap_or(today);
        let last = today.checked_add(CACHED_DAYS.days()).unwrap_or(today);
        let mut snapshot = CalendarSnapshot {
            version,
            built_for: today,
            setup,
            first,
            last,
            booked: BookedStops::default(),
            days: Default::default(),
            road_days: Default::default(),
        };
        let (from, to) = snapshot.span();
        snapshot.booked = BookedStops::from_rows(store.stops_between(from, to).await?);
        Ok(snapshot)
    }

    /// The instants whose stops can matter to the dates held.
    fn span(&self) -> (Timestamp, Timestamp) {
        let tz = self.setup.settings.zone();
        (
            instant_of(local_day(tz, self.first).origin - NEIGHBOUR_MARGIN_MINUTES),
            instant_of(local_day(tz, self.last).end + NEIGHBOUR_MARGIN_MINUTES),
        )
    }

    /// This snapshot with `changes` to visits applied under `version`: each therapist changed is read again, and
    /// their route-days on the dates a change touches are rebuilt; every other route-day is shared.
    async fn patched(&self, store: &dyn Store, version: i64, changes: &[VisitChange]) -> AppResult<CalendarSnapshot> {
        let (from, to) = self.span();
        let mut booked = self.booked.clone();
        let therapists: Vec<TherapistId> =
            changes.iter().map(|c| c.therapist).collect::<BTreeSet<_>>().into_iter().collect();
        let mut fresh = BookedStops::from_rows(store.therapists_stops_between(&therapists, from, to).await?);
        for t in therapists {
            booked.replace(t, fresh.take(t));
        }
        let touched = self.touched(changes);
        let travel = travel_model(&self.setup.settings);
        let tz = self.setup.settings.zone();
        let mut days = self.days.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for (date, day_list) in days.iter_mut() {
            let Some(on_date) = touched.get(date) else { continue };
            let day = local_day(tz, *date);
            let mut rebuilt = day_list.as_ref().clone();
            for route_day in rebuilt.iter_mut().filter(|d| on_date.contains(&d.therapist())) {
                if let Some(s) = self.setup.schedules.iter().find(|s| s.therapist_id == route_day.therapist()) {
                    *route_day = s.route_day(tz, *date, booked.near(s.therapist_id, day).to_vec(), &travel);
                }
            }
            *day_list = Arc::new(rebuilt);
        }
        let mut road_days = self.road_days.lock().unwrap_or_else(|p| p.into_inner()).clone();
        road_days.retain(|date, _| !touched.contains_key(date));
        Ok(CalendarSnapshot {
            version,
            built_for: self.built_for,
            setup: self.setup.clone(),
            first: self.first,
            last: self.last,
            booked,
            days: Mutex::new(days),
            road_days: Mutex::new(road_days),
        })
    }

    /// The therapists whose route-days each change can reach, by date: a stop matters to the days within the
    /// neighbour margin of it.
    fn touched(&self, changes: &[VisitChange]) -> HashMap<Date, BTreeSet<TherapistId>> {
        let tz = self.setup.settings.zone();
        let margin = SignedDuration::from_mins(NEIGHBOUR_MARGIN_MINUTES);
        let mut touched: HashMap<Date, BTreeSet<TherapistId>> = HashMap::new();
        for c in changes {
            let first = local_date(tz, c.from.checked_sub(margin).unwrap_or(c.from)).max(self.first);
            let last = local_date(tz, c.to.checked_add(margin).unwrap_or(c.to)).min(self.last);
            let mut date = first;
            while date <= last {
                touched.entry(date).or_default().insert(c.therapist);
                let Ok(next) = date.tomorrow() else { break };
                date = next;
            }
        }
        touched
    }

    pub fn holds(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every scheduled therapist's route-day on `date`, built the first time it is asked for.
    pub fn route_days(&self, date: Date, travel: &dyn TravelTimes) -> Arc<Vec<RouteDay>> {
        if let Some(days) = self.days.lock().unwrap_or_else(|p| p.into_inner()).get(&date) {
            return days.clone();
        }
        let built = Arc::new(self.build_route_days(date, travel));
        self.days.lock().unwrap_or_else(|p| p.into_inner()).insert(date, built.clone());
        built
    }

    /// Every scheduled therapist's route-day on `date`, built with `travel` and not kept.
    pub fn build_route_days(&self, date: Date, travel: &dyn TravelTimes) -> Vec<RouteDay> {
        knead_core::calendar::route_days(
            &self.setup.schedules,
            &self.booked,
            self.setup.settings.zone(),
            &[date],
            travel,
        )
    }

    /// The route-days on `date` built on road times, if some were kept under the road cache's `epoch`.
    pub fn road_days(&self, date: Date, epoch: u64) -> Option<Arc<Vec<RouteDay>>> {
        let kept = self.road_days.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(&date).filter(|(built_under, _)| *built_under == epoch).map(|(_, days)| days.clone())
    }

    /// Keeps route-days built on road times alone (no straight-line stand-ins) under the road cache's `epoch`.
    pub fn keep_road_days(&self, date: Date, epoch: u64, days: Arc<Vec<RouteDay>>) {
        self.road_days.lock().unwrap_or_else(|p| p.into_inner()).insert(date, (epoch, days));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use knead_store::DynStore;

    #[tokio::test]
    async fn the_cache_is_rebuilt_when_the_calendar_or_the_day_changes() {
        let store: DynStore = Arc::new(knead_store_sqlite::SqliteStore::in_memory().await.unwrap());
        knead_demo::load(&*store, &|p: &str| format!("plain:{p}"), Timestamp::now()).await.unwrap();
        let cache = CalendarCache::default();
        let now = Timestamp::now();
        let first = cache.snapshot(store.as_ref(), now).await.unwrap();
        let same = cache.snapshot(store.as_ref(), now).await.unwrap();
        assert!(Arc::ptr_eq(&first, &same), "nothing changed: the same snapshot");
        let next_day = cache.snapshot(store.as_ref(), now + 24.hours()).await.unwrap();
        assert!(!Arc::ptr_eq(&same, &next_day), "a new day: rebuilt");
        let therapist = store.list_therapists(false).await.unwrap()[0].id;
        store.add_time_off(therapist, now + 48.hours(), now + 50.hours()).await.unwrap();
        let after_change = cache.snapshot(store.as_ref(), now + 24.hours()).await.unwrap();
        assert!(!Arc::ptr_eq(&next_day, &after_change), "time off moved the calendar version: rebuilt");
    }

    #[tokio::test]
    async fn a_booking_rebuilds_only_the_route_days_it_touched() {
        use crate::booking::tests::{demo_with_horizon, query, request};
        let app = demo_with_horizon(60).await;
        let store = app.store();
        let now = app.now();
        let cache = CalendarCache::default();
        let before = cache.snapshot(store, now).await.unwrap();
        let travel = travel_model(&before.setup.settings);
        let tz = before.setup.settings.zone().clone();
        let dates: Vec<Date> = (1..5).map(|i| local_date(&tz, now).checked_add(i.days()).unwrap()).collect();
        let kept: Vec<_> = dates.iter().map(|d| before.route_days(*d, &travel)).collect();

        // A visit on the second date, at the first start offered then.
        let offer = crate::booking::availability(&app, &query(dates[1], 1)).await.unwrap();
        let start = offer.slots.first().expect("a start on a weekday").start;
        let booked = crate::booking::book(&app, &request(start), None, None, "fingerprint".into()).await.unwrap();
        let therapist = booked.booking.visits[0].therapist_id;
        let stops_of = |days: &[RouteDay]| {
            days.iter().find(|d| d.therapist() == therapist).map(|d| d.stops().len()).expect("a route-day")
        };

        let after = cache.snapshot(store, now).await.unwrap();
        assert!(!Arc::ptr_eq(&before, &after), "the booking moved the calendar");
        // A stop matters to the days within a day of it: the day before and after are rebuilt too.
        for (i, date) in dates.iter().enumerate() {
            let days = after.route_days(*date, &travel);
            if i > 2 {
                assert!(Arc::ptr_eq(&days, &kept[i]), "{date} was not touched: shared, not rebuilt");
                continue;
            }
            assert!(!Arc::ptr_eq(&days, &kept[i]), "{date} is rebuilt");
            if i == 1 {
                assert_eq!(stops_of(&days), stops_of(&kept[i]) + 1, "with the new stop");
            }
            let around = (start - 96.hours(), start + 96.hours());
            let fresh = knead_core::calendar::route_days(
                &store.schedules().await.unwrap(),
                &BookedStops::from_rows(store.stops_between(around.0, around.1).await.unwrap()),
                &tz,
                &[*date],
                &travel,
            );
            assert_eq!(format!("{days:?}"), format!("{fresh:?}"), "patched is what a rebuild from scratch gives");
        }
    }
}
