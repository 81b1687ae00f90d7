//! The clients port: client records, their health-history versions, red-flag screenings, clearances, and
//! the hash-chained audit log of every read and change of health information.
//!
//! Changes of health information take the [`AuditEvent`] that records them and write it in the same
//! transaction, chained under the audit lock (one writer at a time extends the chain), so a change is never
//! without its entry. Reads are recorded by the caller with [`ClientStore::record_access`], once per read.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, BookingStatus};
use knead_core::intake::{
    AuditEntry, AuditEvent, Clearance, Client, ClientDraft, ClientId, HealthHistory, IntakeVersion, ScreeningId,
    ScreeningRecord,
};
use knead_core::{Email, TherapistId, UserId};

/// Which bookings a staff list shows: those starting in `[from, to)`, of one therapist, in one status.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingFilter {
    pub from: Timestamp,
    pub to: Timestamp,
    pub therapist: Option<TherapistId>,
    pub status: Option<BookingStatus>,
}

/// A client in a list, with what staff look at first.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    pub client: Client,
    /// Bookings made (any status).
    pub bookings: i64,
    /// The latest intake version's number (0: none yet).
    pub intake_version: i64,
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// A new client record. Emails are not unique: two people may share one, and a mismatch is shown to
    /// staff rather than merged.
    async fn create_client(&self, draft: &ClientDraft, user: Option<UserId>, now: Timestamp) -> StoreResult<Client>;
    async fn client(&self, id: ClientId) -> StoreResult<Client>;
    /// Replaces contact details, date of birth and saved addresses.
    async fn update_client(&self, id: ClientId, draft: &ClientDraft) -> StoreResult<Client>;
    /// The client record a login belongs to.
    async fn client_for_user(&self, user: UserId) -> StoreResult<Option<Client>>;
    /// Every client record with this email (compared case-insensitively), oldest first.
    async fn clients_by_email(&self, email: &Email) -> StoreResult<Vec<Client>>;
    /// Every client, by name, each with their counts; `therapist` limits them to clients with a booking (any
    /// status) with a visit by that therapist.
    async fn client_summaries(&self, therapist: Option<TherapistId>) -> StoreResult<Vec<ClientSummary>>;
    /// Whether the client has a booking with a visit by the therapist (what lets a therapist see them).
    async fn is_client_of(&self, client: ClientId, therapist: TherapistId) -> StoreResult<bool>;
    /// The client's bookings, newest first.
    async fn bookings_of_client(&self, client: ClientId) -> StoreResult<Vec<Booking>>;
    /// Bookings by start, as a staff list filters them.
    async fn bookings_filtered(&self, filter: &BookingFilter) -> StoreResult<Vec<Booking>>;

    /// Adds the next version of the client's health history (never replacing one) with its audit entry.
    async fn add_intake(
        &self,
        client: ClientId,
        history: &HealthHistory,
        submitted_by: Option<UserId>,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<IntakeVersion>;
    /// Every version of the client's health history, newest first.
    async fn intakes(&self, client: ClientId) -> StoreResult<Vec<IntakeVersion>>;

    /// Stores a screening (emergency ones too: the attempt is kept for the practice) with its audit entry.
    async fn save_screening(&self, screening: &ScreeningRecord, audit: &AuditEvent) -> StoreResult<()>;
    async fn screening(&self, id: &ScreeningId) -> StoreResult<ScreeningRecord>;
    /// Links a screening to its client (a signed-in client's, or a booking's) if it has none yet.
    async fn claim_screening(&self, id: &ScreeningId, client: ClientId) -> StoreResult<()>;
    /// The client's screenings, newest first.
    async fn client_screenings(&self, client: ClientId) -> StoreResult<Vec<ScreeningRecord>>;
    /// Screenings that reached `emergency`, newest first (attempts that made no booking, for staff).
    async fn emergency_screenings(&self, since: Timestamp) -> StoreResult<Vec<ScreeningRecord>>;

    /// Records a physician's clearance for a booking awaiting one and confirms it, with its audit entry, in
    /// one transaction, with `jobs` (telling the client). `Conflict { field: "status" }` when the booking is not
    /// awaiting clearance.
    async fn record_clearance(
        &self,
        clearance: &Clearance,
        audit: &AuditEvent,
        jobs: &[knead_core::notify::NewJob],
    ) -> StoreResult<Booking>;
    /// Clearances given for the client's bookings, newest first.
    async fn clearances(&self, client: ClientId) -> StoreResult<Vec<Clearance>>;
    async fn clearance(&self, booking: BookingId) -> StoreResult<Option<Clearance>>;

    /// Appends one entry to the audit log (a read of health information).
    async fn record_access(&self, event: &AuditEvent) -> StoreResult<AuditEntry>;
    /// Audit entries with ids above `after`, oldest first, at most `limit`.
    async fn audit_entries(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// The newest entries first, at most `limit`, optionally for one client.
    async fn recent_audit(&self, client: Option<ClientId>, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}
