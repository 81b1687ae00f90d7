//! The scheduling port: what availability is made from (settings, clinics, schedules, hours, time off),
//! and the bookings written against it under the store's lock.

use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, Clinic, ClinicDraft, ClinicId, NewBooking, Unavailable};
use knead_core::calendar::{DayWindows, PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff};
use knead_core::schedule::{DayRule, RoomCalendar, Stop};
use knead_core::{TherapistId, UserId};

/// Why a booking (or a move) was not written.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// Another booking got there first, the day no longer leaves the travel the visit needs, or no room is free.
    #[error("the slot is no longer free: {0}")]
    Unavailable(Unavailable),
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

#[async_trait]
pub trait SchedulingStore: Send + Sync {
    /// The saved settings, or the defaults when none were saved.
    async fn practice_settings(&self) -> StoreResult<PracticeSettings>;
    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()>;

    /// Clinics by name, each with its rooms in the order they were given.
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
        date: Date,
        windows: Option<&DayWindows>,
    ) -> StoreResult<()>;
    async fn add_time_off(&self, therapist: TherapistId, start: Timestamp, end: Timestamp) -> StoreResult<TimeOff>;
    async fn delete_time_off(&self, therapist: TherapistId, time_off_id: i64) -> StoreResult<()>;

    /// Booked (not cancelled) visits overlapping `[from, to)`, as the engine's stops, by therapist.
    async fn stops_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<(TherapistId, Stop)>>;
    /// A clinic's rooms and the blocks they are busy overlapping `[from, to)`.
    async fn room_calendar(&self, clinic: ClinicId, from: Timestamp, to: Timestamp) -> StoreResult<RoomCalendar>;

    /// Writes a booking if, under a per-therapist lock, `rule` still passes for every visit on the stops the
    /// store reads then, and a room is free for a clinic visit. The database's overlap rule is the backstop.
    /// A repeated idempotency key returns the first booking.
    async fn create_booking(&self, booking: &NewBooking, rule: &dyn DayRule) -> Result<Created, BookingError>;
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
        rule: &dyn DayRule,
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
