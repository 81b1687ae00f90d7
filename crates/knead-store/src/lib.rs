//! Storage ports: what knead needs from a database, as traits per context, with one small error type.
//!
//! The ports are implemented once, in [`sql`], for any database that runs its statements: adapters
//! (`knead-store-sqlite`, `knead-store-postgres`) implement only [`sql::SqlDatabase`] (bind, decode,
//! classify errors, lock) and prove the result by passing the same conformance stories (`conformance`,
//! behind the feature of that name, one file per port).

use async_trait::async_trait;
use std::sync::Arc;

mod account;
mod catalog;
mod clients;
#[cfg(feature = "conformance")]
pub mod conformance;
mod content;
mod error;
mod groups;
mod notify;
mod places;
mod records;
mod safety;
mod scheduling;
pub mod sql;
mod waitlist;

pub use account::{AccountStore, NewApiToken, NewSession, PendingSession, SecondFactor, SessionRecord};
pub use catalog::CatalogStore;
pub use clients::{BookingFilter, ClientStore, ClientSummary};
pub use content::ContentStore;
pub use error::{StoreError, StoreResult};
pub use groups::{GroupStore, SignupError};
pub use notify::{Claim, FeedOwner, JobFilter, JobOutcome, NotifyStore};
pub use places::PlaceStore;
pub use records::{MeasureDraft, NoteDraft, RecordStore};
pub use safety::SafetyStore;
pub use scheduling::{
    BookingError, BusyRoom, CalendarChanges, ClinicError, Created, PlannedMove, SchedulingStore, VisitChange,
    MAX_LOGGED_CHANGES,
};
pub use waitlist::WaitlistStore;

/// Everything knead stores; what the web layer holds.
#[async_trait]
pub trait Store:
    AccountStore
    + CatalogStore
    + ClientStore
    + ContentStore
    + GroupStore
    + NotifyStore
    + PlaceStore
    + RecordStore
    + SafetyStore
    + SchedulingStore
    + WaitlistStore
{
    /// A cheap round trip, for /healthz.
    async fn ping(&self) -> StoreResult<()>;
    /// Which backend this is, for logs: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;
