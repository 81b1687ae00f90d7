//! Storage ports: what knead needs from a database, as traits, with one small error type.
//!
//! Adapters (`knead-store-sqlite`, `knead-store-postgres`) implement these traits and prove it by
//! passing the same conformance stories (`conformance`, behind the feature of that name).

use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, Clinic, ClinicDraft, ClinicId, NewBooking};
use knead_core::calendar::{PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff};
use knead_core::schedule::{Minute, Stop};
use knead_core::{
    Article, ArticleDraft, ArticleId, Email, NewUser, Service, ServiceDraft, ServiceId, Therapist, TherapistDraft,
    TherapistId, User, UserId,
};
use std::sync::Arc;

pub mod assemble;
#[cfg(feature = "conformance")]
pub mod conformance;

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `field` names the input field that must change (e.g. `slug`).
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    #[error("storage failure: {0}")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Other(Box::new(e))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A signed-in browser session, stored server-side; the cookie holds only a random token whose hash is the key.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: UserId,
    /// Sent back in every form the session posts, to refuse cross-site requests.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `Conflict { field: "email" }` when the address is taken.
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<User>;
    /// The user and their password hash, for checking a login.
    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The live session for a token hash; expired sessions are not returned.
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    /// Stores a personal access token (only its hash).
    async fn create_api_token(&self, user_id: UserId, name: &str, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>>;
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Services by name; archived ones only when asked.
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>>;
    async fn service(&self, id: ServiceId) -> StoreResult<Service>;
    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service>;
    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn create_service(&self, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    /// Replaces every field and the add-ons.
    async fn update_service(&self, id: ServiceId, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    async fn set_service_archived(&self, id: ServiceId, archived: bool, now: Timestamp) -> StoreResult<Service>;

    async fn list_therapists(&self, include_archived: bool) -> StoreResult<Vec<Therapist>>;
    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist>;
    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist>;
    async fn create_therapist(&self, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist>;
    async fn update_therapist(&self, id: TherapistId, draft: &TherapistDraft, now: Timestamp)
        -> StoreResult<Therapist>;
    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist>;
}

#[async_trait]
pub trait ContentStore: Send + Sync {
    /// Articles, newest first; archived ones only when asked.
    async fn list_articles(&self, include_archived: bool) -> StoreResult<Vec<Article>>;
    async fn article(&self, id: ArticleId) -> StoreResult<Article>;
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article>;
    async fn create_article(&self, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article>;
    async fn update_article(&self, id: ArticleId, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article>;
    async fn set_article_archived(&self, id: ArticleId, archived: bool, now: Timestamp) -> StoreResult<Article>;
}

/// Why a booking (or a move) was not written.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// Another booking got there first, or the day no longer leaves the travel the visit needs.
    #[error("the slot is no longer free: {0}")]
    SlotTaken(String),
    /// The idempotency key was already used for a different request.
    #[error("that Idempotency-Key was already used for a different request")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A written booking, or the one an earlier request with the same idempotency key wrote.
#[derive(Debug, Clone)]
pub enum Created {
    New(Booking),
    Replayed(Booking),
}

impl Created {
    pub fn booking(&self) -> &Booking {
        match self {
            Created::New(b) | Created::Replayed(b) => b,
        }
    }
}

/// Re-checks one therapist's day inside the booking transaction: given the visits they have booked
/// (fresh, under the lock), says whether the new visit still fits, or why not. The rule lives in the
/// core; the store only supplies the data and the lock.
pub type TravelCheck<'a> = &'a (dyn Fn(TherapistId, &[Stop]) -> Result<(), String> + Send + Sync);

/// How far around a visit the store loads booked stops for the travel re-check: a whole day each side.
pub const CHECK_MARGIN_MINUTES: Minute = 24 * 60;

#[async_trait]
pub trait SchedulingStore: Send + Sync {
    /// The saved settings, or the defaults when none were saved.
    async fn practice_settings(&self) -> StoreResult<PracticeSettings>;
    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()>;

    async fn clinics(&self) -> StoreResult<Vec<Clinic>>;
    async fn create_clinic(&self, draft: &ClinicDraft) -> StoreResult<Clinic>;

    /// Schedules of every therapist who has one and is not archived.
    async fn schedules(&self) -> StoreResult<Vec<TherapistSchedule>>;
    async fn schedule(&self, therapist: TherapistId) -> StoreResult<Option<TherapistSchedule>>;
    /// Replaces base, radius, services and weekly hours; keeps overrides and time off.
    async fn save_schedule(&self, therapist: TherapistId, draft: &ScheduleDraft) -> StoreResult<TherapistSchedule>;
    /// Replaces the hours of one date (no windows = a day off); `None` removes the override.
    async fn set_day_override(
        &self,
        therapist: TherapistId,
        date: jiff::civil::Date,
        windows: Option<&[(i64, i64)]>,
    ) -> StoreResult<()>;
    async fn add_time_off(&self, therapist: TherapistId, start: Timestamp, end: Timestamp) -> StoreResult<TimeOff>;
    async fn delete_time_off(&self, therapist: TherapistId, time_off_id: i64) -> StoreResult<()>;

    /// Booked (not cancelled) visits overlapping `[from, to)`, as the engine's stops, by therapist.
    async fn stops_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<(TherapistId, Stop)>>;
    /// A clinic's room count and the blocks its rooms are busy overlapping `[from, to)`.
    async fn room_calendar(
        &self,
        clinic: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<(usize, Vec<(Minute, Minute)>)>;

    /// Writes a booking if, under a per-therapist lock, `check` still passes for every visit and a room
    /// is free for a clinic visit. The database's overlap rule is the backstop. A repeated idempotency key
    /// returns the first booking.
    async fn create_booking(&self, booking: &NewBooking, check: TravelCheck<'_>) -> Result<Created, BookingError>;
    async fn booking(&self, id: BookingId) -> StoreResult<Booking>;
    /// The booking an idempotency key made, with the fingerprint of the request that made it.
    async fn booking_by_idempotency_key(&self, key: &str) -> StoreResult<Option<(Booking, String)>>;
    async fn booking_by_manage_token(&self, token_hash: &str) -> StoreResult<Booking>;
    /// Cancels a booking and frees its visits' time; cancelling twice is harmless.
    async fn cancel_booking(&self, id: BookingId, now: Timestamp) -> StoreResult<Booking>;
    /// Moves a booking to the times and therapists in `to` (its visits replace the old ones), under the same
    /// locks and checks as a new booking; the old visits do not count against the new ones.
    async fn reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        check: TravelCheck<'_>,
    ) -> Result<Booking, BookingError>;
    /// Confirmed bookings with a visit by `therapist` overlapping `[from, to)`, by start.
    async fn therapist_bookings(
        &self,
        therapist: TherapistId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Booking>>;
    /// A client's own bookings, newest first.
    async fn client_bookings(&self, user: UserId) -> StoreResult<Vec<Booking>>;

    /// A number that changes whenever anything availability depends on changes (visits, schedules, hours,
    /// overrides, time off, settings, therapists, clinics, rooms), in the same transaction as the change.
    async fn calendar_version(&self) -> StoreResult<i64>;

    /// Links a therapist profile to the login of the therapist it describes (`None` unlinks).
    async fn link_therapist_user(&self, therapist: TherapistId, user: Option<UserId>) -> StoreResult<()>;
    /// The therapist profile a login belongs to, if any.
    async fn therapist_for_user(&self, user: UserId) -> StoreResult<Option<TherapistId>>;
}

/// Everything knead stores; what the web layer holds.
#[async_trait]
pub trait Store: AccountStore + CatalogStore + ContentStore + SchedulingStore {
    /// A cheap round trip, for /healthz.
    async fn ping(&self) -> StoreResult<()>;
    /// Which backend this is, for logs: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;
