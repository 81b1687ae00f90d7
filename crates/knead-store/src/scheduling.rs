//! The scheduling port: what availability is made from (settings, clinics, schedules, hours, time off),
//! the bookings written against it under the store's lock, and the practice's own details.

use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::{
    Booking, BookingChange, BookingId, Clinic, ClinicDraft, ClinicId, NewBooking, RoomId, Unavailable,
};
use knead_core::calendar::{DayWindows, PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff};
use knead_core::notify::NewJob;
use knead_core::practice::PracticeDetails;
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

/// Why a clinic was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ClinicError {
    /// Rooms the change would remove still have visits to come; nothing was written.
    #[error("{} room(s) to remove still have visits to come", .0.len())]
    RoomsInUse(Vec<BusyRoom>),
    /// The room at `rooms[index]` gives an id that is not one of the clinic's rooms.
    #[error("rooms[{index}].id is not a room of this clinic")]
    UnknownRoom { index: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A room with a visit still to come: it cannot be removed until that visit is moved or cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct BusyRoom {
    pub id: RoomId,
    pub name: String,
    /// When the first such visit starts (its set-up buffer included).
    pub next_visit: Timestamp,
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

/// One booking's part in a day's re-plan: the revision it was planned from, and where it goes (its new start,
/// visits and the messages that tell of it), with the rule its visits must pass on fresh data.
pub struct PlannedMove<'a> {
    pub id: BookingId,
    pub revision: i64,
    pub to: NewBooking,
    pub rule: &'a dyn DayRule,
}

#[async_trait]
pub trait SchedulingStore: Send + Sync {
    /// The saved settings, or the defaults when none were saved.
    async fn practice_settings(&self) -> StoreResult<PracticeSettings>;
    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()>;

    /// The practice's own details; none given until saved.
    async fn practice_details(&self) -> StoreResult<PracticeDetails>;
    async fn save_practice_details(&self, details: &PracticeDetails) -> StoreResult<()>;

    /// Every clinic by name, archived ones too, each with its rooms in the order they were added (removed
    /// rooms left out).
    async fn clinics(&self) -> StoreResult<Vec<Clinic>>;
    async fn clinic(&self, id: ClinicId) -> StoreResult<Clinic>;
    /// A new clinic with its rooms (the draft's rooms are all new).
    async fn create_clinic(&self, draft: &ClinicDraft) -> StoreResult<Clinic>;
    /// Replaces a clinic's name, address, point and rooms, under the clinic's booking lock: a room given by
    /// id is kept (renamed if its name changed), a room without one is added, and the clinic's other rooms are
    /// removed — unless one of those has an active visit ending after `now`, when nothing is written. A
    /// removed room keeps its row for the visits it had.
    async fn update_clinic(&self, id: ClinicId, draft: &ClinicDraft, now: Timestamp) -> Result<Clinic, ClinicError>;
    /// Archives (no new bookings) or restores a clinic, under its booking lock so a booking being written
    /// there finishes first.
    async fn set_clinic_archived(&self, id: ClinicId, archived: bool) -> StoreResult<Clinic>;

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
    /// Cancels a booking and frees its visits' time; cancelling twice is harmless. When a staff member
    /// (`staff`) cancels a confirmed booking, a `Change::Cancelled` record is written in the same transaction,
    /// and so are `jobs` (its pending reminders are skipped) when the booking was active.
    async fn cancel_booking(
        &self,
        id: BookingId,
        now: Timestamp,
        staff: Option<UserId>,
        jobs: &[NewJob],
    ) -> StoreResult<Booking>;
    /// Moves a booking to the times and therapists in `to` (its visits replace the old ones), under the same
    /// locks and checks as a new booking; the old visits do not count against the new ones. When a staff
    /// member (`staff`) moves it, what changed (`Moved` for a new start, `Reassigned` for other therapists,
    /// at `to.created_at`) is recorded in the same transaction, against the booking as it was under the lock.
    /// The booking's pending reminders are skipped and `to.jobs` written, in the same transaction.
    async fn reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        rule: &dyn DayRule,
        staff: Option<UserId>,
    ) -> Result<Booking, BookingError>;
    /// Writes a day's re-plan whole or nothing: under the locks of every therapist the moves give visits to,
    /// each booking must still be active at the revision it was planned from (else
    /// `Unavailable::ChangedSincePlanned`); the moving bookings' visits are all taken off the calendar first, then
    /// each move is written as `reschedule_booking` writes one (the rule re-run on fresh stops, what changed
    /// recorded for `staff`, pending reminders skipped and `to.jobs` written). Any refusal writes nothing.
    async fn apply_day_plan(&self, moves: &[PlannedMove<'_>], staff: UserId) -> Result<Vec<Booking>, BookingError>;
    /// What staff changed about a booking, oldest first.
    async fn booking_changes(&self, id: BookingId) -> StoreResult<Vec<BookingChange>>;
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
    /// overrides, time off, settings, services, therapists, clinics, rooms, the waitlist's offers), in the same
    /// transaction as the change.
    async fn calendar_version(&self) -> StoreResult<i64>;
    /// The calendar version now and what moved it since `since`, read together: each visit range changed, or
    /// `None` when anything else changed (or more than [`MAX_LOGGED_CHANGES`] versions passed, or the log no
    /// longer holds them), so the caller rebuilds everything.
    async fn calendar_changes(&self, since: i64) -> StoreResult<CalendarChanges>;
    /// The booked stops of `therapists` overlapping `[from, to)`, by therapist and start: what planning one
    /// booking, or patching a cache after one, reads instead of the whole practice's.
    async fn therapists_stops_between(
        &self,
        therapists: &[TherapistId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(TherapistId, Stop)>>;

    /// Links a therapist profile to the login of the therapist it describes (`None` unlinks).
    async fn link_therapist_user(&self, therapist: TherapistId, user: Option<UserId>) -> StoreResult<()>;
    /// The therapist profile a login belongs to, if any.
    async fn therapist_for_user(&self, user: UserId) -> StoreResult<Option<TherapistId>>;
}

/// How many versions back [`SchedulingStore::calendar_changes`] lists changes; further back is "everything".
pub const MAX_LOGGED_CHANGES: i64 = 512;

/// The calendar version and what moved it since a version the caller holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarChanges {
    pub version: i64,
    /// Every visit range added, moved or freed since (empty when nothing moved); `None` when something other
    /// than visits changed too.
    pub visits: Option<Vec<VisitChange>>,
}

/// A therapist's time that a change to a visit freed or took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitChange {
    pub therapist: TherapistId,
    pub from: Timestamp,
    pub to: Timestamp,
}
