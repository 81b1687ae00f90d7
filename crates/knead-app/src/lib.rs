//! knead's application layer: the use cases, one module per context, each taking the storage ports and the
//! core's rules and returning an [`AppError`]. The web API, the pages, the command line and the benchmarks
//! all call these functions; none of them repeats one.
//!
//! - [`accounts`]: passwords, signing in (with a second factor), sessions, personal access tokens.
//! - [`listing`]: what the manager keeps in lists (services, therapist profiles, articles): create,
//!   replace, archive and restore, and what the public may see.
//! - [`catalog`] and [`content`]: those lists' own types.
//! - [`calendar`]: the practice's settings, clinics, therapists' hours, dated hours and time off.
//! - [`booking`]: availability (with its in-memory calendar), booking, moving and cancelling.
//! - [`places`]: addresses to points and back, behind the `Geocoder` port.
//! - [`travel`]: road travel times behind the `RoadRouter` port, cached, with the straight-line fallback.
//! - [`clients`]: client records (found or made for each booking), signing up, staff's lists and files.
//! - [`intake`]: the red-flag screening, health-history versions, clearances, the visit sheet and the
//!   hash-chained audit log.
//!
//! - [`notify`]: the job runner that sends (or files) the messages changes write, calendar feeds.
//! - [`dispatch`]: the day board, the day optimizer's re-plan as a proposal, and applying it in one transaction.
//! - [`safety`]: checking in and out of home visits, and the managers' day of them with the overdue flagged
//!   (the alerts themselves are jobs the runner sends).
//!
//! Coming contexts get a module here: `events`, `billing`, `data`.

pub mod accounts;
pub mod booking;
pub mod calendar;
pub mod catalog;
pub mod clients;
pub mod content;
pub mod dispatch;
mod error;
pub mod events;
pub mod intake;
pub mod listing;
pub mod notify;
pub mod places;
pub mod records;
pub mod safety;
pub mod travel;

pub use error::{AppError, AppResult, ConflictCode, NotFoundAs};
pub use knead_core::SessionPolicy;

use jiff::Timestamp;
use knead_core::{Clock, SystemClock};
use knead_store::{DynStore, Store};
use std::sync::Arc;

/// The application: the store, the clock, how long sessions last, and what is kept in memory between
/// requests. Cheap to share behind an `Arc`; every use case takes `&App`.
pub struct App {
    store: DynStore,
    clock: Arc<dyn Clock>,
    /// How long a session lasts, by role.
    sessions: SessionPolicy,
    /// Route-days between availability searches, rebuilt when the calendar version moves.
    calendar: booking::CalendarCache,
    /// Turns addresses into points and back: the embedded index unless a geocoder service is configured.
    geocoder: Arc<dyn places::Geocoder>,
    /// The embedded geocoder, when it is the one in use, so an in-process import can ask it to look again.
    embedded: Option<Arc<places::EmbeddedGeocoder>>,
    /// Checked against when an email is unknown, so both sign-in failures take the same time.
    dummy_hash: String,
    /// Road travel times when a router is set ([`App::with_road_router`]); straight lines otherwise.
    road: Option<Arc<travel::RoadTravel>>,
    /// Wakes this server's job runner when a change here wrote jobs (other servers' jobs are found by polling).
    jobs_wake: Arc<tokio::sync::Notify>,
}

impl App {
    /// An app on the wall clock with the default [`SessionPolicy`].
    pub fn new(store: DynStore) -> App {
        App::with_clock(store, Arc::new(SystemClock))
    }

    /// An app whose "now" comes from `clock` (tests pin it).
    pub fn with_clock(store: DynStore, clock: Arc<dyn Clock>) -> App {
        let embedded = Arc::new(places::EmbeddedGeocoder::new(store.clone()));
        App {
            geocoder: embedded.clone(),
            embedded: Some(embedded),
            store,
            clock,
            sessions: SessionPolicy::default(),
            calendar: booking::CalendarCache::default(),
            dummy_hash: accounts::hash_password("knead-dummy-password-for-timing"),
            road: None,
            jobs_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The same app with sessions lasting as `policy` says (the binary's configuration; check it first
    /// with [`SessionPolicy::validate`]).
    pub fn with_sessions(self, policy: SessionPolicy) -> App {
        App { sessions: policy, ..self }
    }

    /// The same app asking `geocoder` (a Nominatim-compatible service) instead of the embedded index.
    pub fn with_geocoder(self, geocoder: Arc<dyn places::Geocoder>) -> App {
        App { geocoder, embedded: None, ..self }
    }

    /// Tells the embedded geocoder and the road-time cache that the practice's places may have changed (an
    /// import in this process), so they look at the store now rather than at their next periodic check.
    pub fn places_changed(&self) {
        if let Some(embedded) = &self.embedded {
            embedded.recheck();
        }
        if let Some(road) = &self.road {
            road.recheck_places();
        }
    }

    /// Builds the embedded address index now, off any request (a no-op with a geocoder service).
    pub async fn warm_up_places(&self) {
        if let Some(embedded) = &self.embedded {
            match embedded.warm_up().await {
                Ok(addresses) => tracing::info!(addresses, "address index ready"),
                Err(e) => tracing::warn!(error = %e, "the address index could not be built at start"),
            }
        }
    }

    /// Says that jobs were written, so the runner looks now rather than at its next poll.
    pub fn jobs_added(&self) {
        self.jobs_wake.notify_one();
    }

    /// Waits until [`App::jobs_added`] is called (or was, since the last wait).
    pub async fn jobs_wanted(&self) {
        self.jobs_wake.notified().await;
    }

    /// How long sessions last, by role: for the cookie's max-age.
    pub fn session_policy(&self) -> &SessionPolicy {
        &self.sessions
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Which database this is: "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}
