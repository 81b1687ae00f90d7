//! The group events port: a chair day written with its booking in one transaction, its sheet's sign-ups, and
//! cancelling one.
//!
//! A chair day's booking goes through the same booking rule and locks as any booking (its visits hold one
//! therapist per chair for the whole block). A sign-up takes the lowest free chair at its start among those the
//! caller says have that slot; the database's partial unique index on (day, start, chair) is what keeps two
//! attendees out of one chair, so racing sign-ups, on one server or several, get one place each or
//! `SlotFull`.

use crate::{BookingError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, NewBooking};
use knead_core::events::enquiry::{Enquiry, EnquiryId, EnquiryStatus, NewEnquiry};
use knead_core::events::health::Answers;
use knead_core::events::payment::{NewPayment, Payment};
use knead_core::events::{ChairDay, GroupId, GuestVisit, NewChairDay, NewSignup, Signup, SignupId};
use knead_core::notify::NewJob;
use knead_core::schedule::DayRule;
use knead_core::UserId;

/// Why a sign-up was not written.
#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    /// Every chair that has this start is taken.
    #[error("every chair is taken at that time")]
    SlotFull,
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Writes `booking` as `create_booking` does (the rule re-checked on fresh stops under the therapists' locks)
    /// and the chair day beside it, in one transaction: both or neither.
    async fn create_chair_day(
        &self,
        booking: &NewBooking,
        day: &NewChairDay,
        rule: &dyn DayRule,
    ) -> Result<(Booking, ChairDay), BookingError>;
    async fn chair_day(&self, id: GroupId) -> StoreResult<ChairDay>;
    /// The chair day whose sign-up link has this token's hash; `NotFound` otherwise.
    async fn chair_day_by_token(&self, signup_token_hash: &str) -> StoreResult<ChairDay>;
    /// Chair days, newest first, at most `limit`.
    async fn chair_days(&self, limit: i64) -> StoreResult<Vec<ChairDay>>;
    /// A day's sign-ups, cancelled ones included, by start then chair.
    async fn chair_signups(&self, id: GroupId) -> StoreResult<Vec<Signup>>;
    /// Writes `signup` in the lowest of `chairs` (1-based, those whose sheet has `signup.start`) that nobody holds
    /// at that start, with `jobs` about it (their sign-up and the day's booking filled in) in the same
    /// transaction. `SlotFull` when all are held; `NotFound` when the day does not exist.
    async fn sign_up(
        &self,
        id: GroupId,
        chairs: &[i64],
        signup: &NewSignup,
        jobs: &[NewJob],
    ) -> Result<Signup, SignupError>;
    async fn signup(&self, id: SignupId) -> StoreResult<Signup>;
    /// Another cancel link for a sign-up (one per message sent to the attendee); only its hash is kept.
    async fn add_signup_link(&self, signup: SignupId, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    /// Cancels the sign-up one of whose cancel links has this token's hash (its chair frees at once); cancelling
    /// again changes nothing. `NotFound` for an unknown token.
    async fn cancel_signup(&self, cancel_token_hash: &str, now: Timestamp) -> StoreResult<Signup>;
    /// The chair day booked as `booking`; `NotFound` when that booking is not a chair day.
    async fn chair_day_by_booking(&self, booking: BookingId) -> StoreResult<ChairDay>;
    /// Writes a party's `booking` as `create_booking` does and its guests' visits beside it, in one
    /// transaction: all or nothing.
    async fn create_party(
        &self,
        booking: &NewBooking,
        guests: &[GuestVisit],
        rule: &dyn DayRule,
    ) -> Result<(Booking, Vec<GuestVisit>), BookingError>;
    /// A party's guests, in the host's order; none for a booking that is not a party.
    async fn party_guests(&self, booking: BookingId) -> StoreResult<Vec<GuestVisit>>;
    /// The parties' bookings, newest first, at most `limit`.
    async fn parties(&self, limit: i64) -> StoreResult<Vec<BookingId>>;
    /// The guest whose own health-check link has this token, with their party's booking; `NotFound` otherwise.
    async fn party_guest_by_token(&self, intake_token: &str) -> StoreResult<(BookingId, GuestVisit)>;
    /// Records that guest's answers and consent, once: `false` (nothing changed) when they had already answered.
    async fn record_guest_intake(&self, intake_token: &str, answers: &Answers, now: Timestamp) -> StoreResult<bool>;

    /// A private link to a group's page for its organiser or host (one per message); only its hash is kept.
    async fn add_group_link(&self, booking: BookingId, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    /// The group booking one of whose page links has this token's hash; `NotFound` otherwise.
    async fn group_by_link(&self, token_hash: &str) -> StoreResult<BookingId>;

    /// Records money received for a group booking; entries are never changed afterwards.
    async fn record_payment(&self, payment: &NewPayment) -> StoreResult<Payment>;
    /// A booking's payments, oldest first.
    async fn payments(&self, booking: BookingId) -> StoreResult<Vec<Payment>>;

    async fn add_enquiry(&self, enquiry: &NewEnquiry) -> StoreResult<Enquiry>;
    async fn enquiry(&self, id: EnquiryId) -> StoreResult<Enquiry>;
    /// Enquiries, newest first, at most `limit`; only those in `status` when given.
    async fn enquiries(&self, status: Option<EnquiryStatus>, limit: i64) -> StoreResult<Vec<Enquiry>>;
    /// Moves an open enquiry to `status` (accepted or declined) as decided by `by`: `false`, with nothing changed,
    /// when it was no longer open (another manager decided first).
    async fn decide_enquiry(
        &self,
        id: EnquiryId,
        status: EnquiryStatus,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Puts an accepted enquiry whose booking failed back to open.
    async fn reopen_enquiry(&self, id: EnquiryId) -> StoreResult<()>;
    /// The booking an accepted enquiry led to.
    async fn set_enquiry_booking(&self, id: EnquiryId, booking: BookingId) -> StoreResult<()>;
}
