//! Route-days kept in memory between availability searches, rebuilt when the store's calendar version moves.

use crate::AppResult;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::calendar::{instant_of, local_date, local_day, BookedStops, PracticeSettings, TherapistSchedule};
use knead_core::geo::TravelTimes;
use knead_core::schedule::{RouteDay, NEIGHBOUR_MARGIN_MINUTES};
use knead_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Route-days built on road times, with the road cache's epoch they were built under.
type RoadDays = (u64, Arc<Vec<RouteDay>>);

/// How many days from today the cache holds: the longest search, and a day either side.
const CACHED_DAYS: i64 = super::MAX_DAYS + 2;

/// Route-days kept in memory between searches. The store's calendar version (bumped by the database in the
/// same transaction as any change to visits, hours, time off, settings or clinics) says when to rebuild, so
/// several servers on one database stay correct. A stale view can only offer a slot that booking then
/// refuses: booking re-checks on fresh data under the store's lock.
#[derive(Default)]
pub struct CalendarCache {
    current: tokio::sync::Mutex<Option<Arc<CalendarSnapshot>>>,
}

/// One version of the calendar: settings, schedules and booked stops, with route-days built per date on demand.
pub struct CalendarSnapshot {
    version: i64,
    /// The practice-local date it was built on; its window starts the day before.
    built_for: Date,
    pub settings: PracticeSettings,
    pub schedules: Vec<TherapistSchedule>,
    first: Date,
    last: Date,
    booked: BookedStops,
    days: Mutex<HashMap<Date, Arc<Vec<RouteDay>>>>,
    road_days: Mutex<HashMap<Date, RoadDays>>,
}

impl CalendarCache {
    /// The snapshot for the store's current calendar version, rebuilt (once, by one caller) when it moved.
    pub async fn snapshot(&self, store: &dyn Store, now: Timestamp) -> AppResult<Arc<CalendarSnapshot>> {
        // The version is read before the data, so a change racing with a rebuild only causes another rebuild.
        let version = store.calendar_version().await?;
        let mut current = self.current.lock().await;
        if let Some(snapshot) = current.as_ref() {
            // A new day moves the window the snapshot holds, so it is rebuilt then too.
            let today = local_date(snapshot.settings.zone(), now);
            if snapshot.version == version && snapshot.built_for == today {
                return Ok(snapshot.clone());
            }
        }
        let settings = store.practice_settings().await?;
        let schedules = store.schedules().await?;
        let tz = settings.zone();
        let today = local_date(tz, now);
        let first = today.checked_sub(1.days()).unwrap_or(today);
        let last = today.checked_add(CACHED_DAYS.days()).unwrap_or(today);
        let from = instant_of(local_day(tz, first).origin - NEIGHBOUR_MARGIN_MINUTES);
        let to = instant_of(local_day(tz, last).end + NEIGHBOUR_MARGIN_MINUTES);
        let booked = BookedStops::from_rows(store.stops_between(from, to).await?);
        let snapshot = Arc::new(CalendarSnapshot {
            version,
            built_for: today,
            settings,
            schedules,
            first,
            last,
            booked,
            days: Default::default(),
            road_days: Default::default(),
        });
        *current = Some(snapshot.clone());
        Ok(snapshot)
    }
}

impl CalendarSnapshot {
    pub fn holds(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every scheduled therapist's route-day on `date`, built the first time it is asked for.
    pub fn route_days(&self, date: Date, travel: &dyn TravelTimes) -> Arc<Vec<RouteDay>> {
        if let Some(days) = self.days.lock().unwrap_or_else(|p| p.into_inner()).get(&date) {
            return days.clone();
        }
        let built = Arc::new(knead_core::calendar::route_days(
            &self.schedules,
            &self.booked,
            self.settings.zone(),
            &[date],
            travel,
        ));
        self.days.lock().unwrap_or_else(|p| p.into_inner()).insert(date, built.clone());
        built
    }

    /// Every scheduled therapist's route-day on `date`, built with `travel` and not kept.
    pub fn build_route_days(&self, date: Date, travel: &dyn TravelTimes) -> Vec<RouteDay> {
        knead_core::calendar::route_days(&self.schedules, &self.booked, self.settings.zone(), &[date], travel)
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
}
