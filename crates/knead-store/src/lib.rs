//! Storage ports: what knead needs from a database, as traits per context, with one small error type.
//!
//! Adapters (`knead-store-sqlite`, `knead-store-postgres`) implement these traits and prove it by
//! passing the same conformance stories (`conformance`, behind the feature of that name), one file per port.

use async_trait::async_trait;
use std::sync::Arc;

mod account;
pub mod assemble;
mod catalog;
#[cfg(feature = "conformance")]
pub mod conformance;
mod content;
mod error;
mod scheduling;

pub use account::{AccountStore, NewSession, SessionRecord};
pub use catalog::CatalogStore;
pub use content::ContentStore;
pub use error::{StoreError, StoreResult};
pub use scheduling::{BookingError, Created, SchedulingStore};

/// Everything knead stores; what the web layer holds.
#[async_trait]
pub trait Store: AccountStore + CatalogStore + ContentStore + SchedulingStore {
    /// A cheap round trip, for /healthz.
    async fn ping(&self) -> StoreResult<()>;
    /// Which backend this is, for logs: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;
