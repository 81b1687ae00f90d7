//! The port for what books later: recurring series (each visit is a booking of its own; the series keeps
//! the wall-clock time and zone) and the waitlist, whose offers are held with their message and a check at
//! their expiry in one transaction.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::waitlist::{HeldStart, NewWaitlistEntry, WaitStatus, WaitlistEntry, WaitlistId};
use knead_core::booking::{BookingId, NewSeries, Series, SeriesId};
use knead_core::notify::NewJob;

#[async_trait]
pub trait WaitlistStore: Send + Sync {
    /// A new series, or the one a repeated idempotency key made.
    async fn add_series(&self, series: &NewSeries) -> StoreResult<Series>;
    async fn series(&self, id: SeriesId) -> StoreResult<Series>;

    /// A new entry, at the back of the line, with its message (`jobs`) in the same transaction.
    async fn join_waitlist(&self, entry: &NewWaitlistEntry, jobs: &[NewJob]) -> StoreResult<WaitlistEntry>;
    async fn waitlist_entry(&self, id: WaitlistId) -> StoreResult<WaitlistEntry>;
    async fn waitlist_by_token(&self, token_hash: &str) -> StoreResult<WaitlistEntry>;
    /// Another private link to an entry (the SHA-256 of its token); the first stays valid.
    async fn add_waitlist_link(&self, id: WaitlistId, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    /// Entries in line order (oldest first), only those with `status` when given; at most `limit`.
    async fn waitlist(&self, status: Option<WaitStatus>, limit: i64) -> StoreResult<Vec<WaitlistEntry>>;
    /// Offers that ran out by `now` go back in line, their start remembered as let lapse; entries whose last
    /// date is before `today` expire. How many offers lapsed.
    async fn lapse_waitlist_offers(&self, now: Timestamp, today: Date) -> StoreResult<u64>;
    /// Holds `offer` for a waiting entry, writing `jobs` (its message, and a check when it runs out) in the
    /// same transaction; `false`, with nothing written, when the entry no longer waits or another offer
    /// that has not run out holds the same start.
    async fn offer_waitlist_start(
        &self,
        id: WaitlistId,
        offer: &HeldStart,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Ends an entry that is waiting or offered: `Booked` (naming the booking) or `Left`; `false` when it
    /// was already over.
    async fn close_waitlist_entry(
        &self,
        id: WaitlistId,
        status: WaitStatus,
        booking: Option<BookingId>,
    ) -> StoreResult<bool>;
    /// An offered entry whose start was taken after all goes back in line.
    async fn return_to_waitlist(&self, id: WaitlistId) -> StoreResult<bool>;
}
