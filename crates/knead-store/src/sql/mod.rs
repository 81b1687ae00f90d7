//! Every query and every row mapping, written once for both databases, over a small statement layer that
//! each adapter implements with its driver.
//!
//! An adapter implements [`SqlDatabase`]: run one statement on a pooled connection, open a read
//! transaction that is one snapshot, or open a write transaction holding the booking locks. It binds
//! [`Param`]s, decodes columns into [`Value`]s by their run-time type, and classifies its errors into
//! [`DbErrorKind`]s by code or constraint name. Everything else is here: the SQL (one text for both
//! dialects, `$n` placeholders, which sqlx's SQLite driver accepts), turning rows into domain values with no
//! silent defaults ([`Row`]), the booking re-check, the idempotency replay and the retry loop. Every port is
//! implemented for every `SqlDatabase` (`impl<D: SqlDatabase> AccountStore for D` and so on).
//!
//! The SQL keeps to what both dialects read alike: `true`/`false`, `not archived`, `returning`,
//! `on conflict ... do update`, left joins (a parent and its children in one statement, so one snapshot)
//! grouped in Rust, and ordering by name done in Rust by bytes (SQLite's default collation, and what
//! PostgreSQL's `collate "C"` used to be there for).

mod account;
mod booking;
mod booking_cancel;
mod booking_changes;
mod booking_rows;
mod catalog;
mod chair_days;
mod clients;
mod content;
mod day_plan;
mod error;
mod group_pages;
mod notify;
mod places;
mod practice;
mod records;
mod rows;
mod safety;
mod scheduling;
mod value;
mod waitlist;

pub use error::{conflict_field, DbError, DbErrorKind, OverlapRule};
pub use rows::{Row, Rows};
pub use value::{Param, Value};

use crate::{Store, StoreResult};
use async_trait::async_trait;
use knead_core::booking::{ClinicId, NewBooking};
use knead_core::TherapistId;

/// A database the ports can run on: what an adapter implements.
#[async_trait]
pub trait SqlDatabase: Send + Sync + 'static {
    /// Which backend this is, for logs: "sqlite" or "postgres".
    const BACKEND: &'static str;

    /// Runs one statement on a pooled connection and returns its rows.
    async fn query(&self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError>;
    /// Runs one statement on a pooled connection and returns how many rows it changed.
    async fn execute(&self, sql: &'static str, params: &[Param]) -> Result<u64, DbError>;
    /// A read-only transaction whose statements all see one snapshot.
    async fn snapshot(&self) -> Result<Box<dyn SqlTransaction>, DbError>;
    /// A write transaction that holds `locks` (and waits for them) before its first statement.
    async fn write(&self, locks: &Locks) -> Result<Box<dyn SqlTransaction>, DbError>;
}

/// An open transaction. Dropping it without `commit` rolls it back.
#[async_trait]
pub trait SqlTransaction: Send {
    async fn query(&mut self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError>;
    async fn execute(&mut self, sql: &'static str, params: &[Param]) -> Result<u64, DbError>;
    async fn commit(self: Box<Self>) -> Result<(), DbError>;
}

/// What a write transaction serialises on before it reads: the therapists whose days it re-checks, the
/// clinic whose rooms it hands out, and the audit log's chain (whose next entry follows the last one, so two
/// appends at once must take turns or the chain would fork). SQLite's single writer lock covers everything;
/// PostgreSQL takes an advisory lock for each, in one global order (therapists, clinic, audit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locks {
    pub therapists: Vec<TherapistId>,
    pub clinic: Option<ClinicId>,
    pub audit: bool,
}

impl Locks {
    /// A write that re-checks no one's day: only the database's own locks.
    pub fn none() -> Locks {
        Locks::default()
    }

    /// The locks a booking's visits need.
    pub fn for_booking(b: &NewBooking) -> Locks {
        Locks { therapists: b.visits.iter().map(|v| v.therapist_id).collect(), clinic: b.place.clinic(), audit: false }
    }

    /// A write that appends to the audit log.
    pub fn audit() -> Locks {
        Locks { audit: true, ..Locks::default() }
    }
}

#[async_trait]
impl<D: SqlDatabase> Store for D {
    async fn ping(&self) -> StoreResult<()> {
        self.query("select 1 as one", &[]).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        D::BACKEND
    }
}

/// The id a `returning id` statement gave back.
fn returned_id(mut rows: Rows, table: &'static str) -> StoreResult<i64> {
    let mut row = rows.first(table).ok_or_else(|| crate::StoreError::corrupt(table, "?", "no id came back"))?;
    row.id("id")
}
