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
use knead_core::events::{ChairDay, GroupId, GuestVisit, NewChairDay, NewSignup, Signup};
use knead_core::schedule::DayRule;

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
    /// at that start. `SlotFull` when all are held; `NotFound` when the day does not exist.
    async fn sign_up(&self, id: GroupId, chairs: &[i64], signup: &NewSignup) -> Result<Signup, SignupError>;
    /// Cancels the sign-up whose cancel link has this token's hash (its chair frees at once); cancelling again
    /// changes nothing. `NotFound` for an unknown token.
    async fn cancel_signup(&self, cancel_token_hash: &str, now: Timestamp) -> StoreResult<Signup>;
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
}
