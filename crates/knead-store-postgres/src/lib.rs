//! The PostgreSQL adapter: for practices that run several knead servers against one database.
//!
//! Every query and row mapping lives in `knead_store::sql`, shared with the SQLite adapter (the conformance
//! stories prove both behave alike); this crate only connects, binds parameters as PostgreSQL's types
//! (`timestamptz`, `date`, `jsonb`), decodes columns by their type, classifies errors by SQLSTATE and
//! constraint name (`statement`), and takes the booking locks.
//!
//! Booking writes take transaction-scoped advisory locks, one per therapist (and one per clinic for a clinic
//! visit), before they read the day they re-check. The locks live in the database, so every knead server on
//! it queues for the same ones; the `visits_no_overlap` and `rooms_no_overlap` exclusion constraints are the
//! backstop.

use async_trait::async_trait;
use knead_store::sql::{DbError, Locks, Param, Rows, SqlDatabase, SqlTransaction};
use knead_store::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

mod statement;
#[cfg(feature = "testing")]
pub mod testing;
mod write;

use statement::{classify, execute, query};
use write::PostgresWrite;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Advisory-lock namespaces: the first key of `pg_advisory_xact_lock(int4, int4)`, so knead's locks do not
/// meet another application's on a shared server ("knT", "knC" and "knA").
const THERAPIST_LOCK: i32 = 0x006b_6e54;
const CLINIC_LOCK: i32 = 0x006b_6e43;
const AUDIT_LOCK: i32 = 0x006b_6e41;

/// How many prepared statements each connection keeps.
const STATEMENTS: usize = 512;
/// A pooled connection idle this long is tested before it is used.
const TEST_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A knead store on one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`); the database must exist.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        PostgresStore::connect_with_max(url, 10).await
    }

    pub(crate) async fn connect_with_max(url: &str, max_connections: u32) -> StoreResult<PostgresStore> {
        // Every statement knead runs stays prepared on each connection (there are a few hundred): none is parsed
        // again because others pushed it out.
        let options = PgConnectOptions::from_str(url).map_err(StoreError::other)?.statement_cache_capacity(STATEMENTS);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Some(Duration::from_secs(600)))
            // Recycled now and then so a failover or a server-side setting change reaches every connection.
            .max_lifetime(Some(Duration::from_secs(3600)))
            // A connection back from a statement moments ago is not tested again (a round trip per statement,
            // a quarter of the server's time under load); one idle a while is, in case the database restarted.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= TEST_AFTER_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::other)?;
        Ok(PostgresStore { pool })
    }

    /// Applies any migrations not yet applied; safe to run from several servers at once (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::other)
    }

    /// Closes every connection; waits for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The second lock key for an id. Ids beyond `i32` wrap and share a key with a smaller id, which only makes
/// those two wait for each other.
fn lock_key(id: i64) -> i32 {
    id as i32
}

/// The advisory locks for `locks` in one global order (therapists by key, then the clinic, then the audit
/// log's one key), so two writers never wait on each other in a circle.
fn lock_order(locks: &Locks) -> Vec<(i32, i32)> {
    let mut therapists: Vec<i32> = locks.therapists.iter().map(|t| lock_key(t.0)).collect();
    therapists.sort_unstable();
    therapists.dedup();
    let therapists = therapists.into_iter().map(|key| (THERAPIST_LOCK, key));
    // Room picks read which rooms are free, so clinic bookings for different therapists queue here too.
    let clinic = locks.clinic.map(|c| (CLINIC_LOCK, lock_key(c.0)));
    // One chain, so one key: every append waits for the one before it to commit.
    let audit = locks.audit.then_some((AUDIT_LOCK, 0));
    therapists.chain(clinic).chain(audit).collect()
}

#[async_trait]
impl SqlDatabase for PostgresStore {
    const BACKEND: &'static str = "postgres";

    async fn query(&self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError> {
        query(&self.pool, sql, params).await
    }

    async fn execute(&self, sql: &'static str, params: &[Param]) -> Result<u64, DbError> {
        execute(&self.pool, sql, params).await
    }

    async fn snapshot(&self) -> Result<Box<dyn SqlTransaction>, DbError> {
        let begin = "begin isolation level repeatable read, read only";
        Ok(Box::new(PostgresTransaction(self.pool.begin_with(begin).await.map_err(classify)?)))
    }

    /// Read committed, after the advisory locks: every read that follows sees what the writers before it
    /// committed, and the exclusion constraints catch whatever the locks do not cover.
    async fn write(&self, locks: &Locks) -> Result<Box<dyn SqlTransaction>, DbError> {
        Ok(Box::new(PostgresWrite::begin(&self.pool, &lock_order(locks)).await?))
    }
}

struct PostgresTransaction(Transaction<'static, Postgres>);

#[async_trait]
impl SqlTransaction for PostgresTransaction {
    async fn query(&mut self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError> {
        query(&mut *self.0, sql, params).await
    }

    async fn execute(&mut self, sql: &'static str, params: &[Param]) -> Result<u64, DbError> {
        execute(&mut *self.0, sql, params).await
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        self.0.commit().await.map_err(classify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::booking::ClinicId;
    use knead_core::TherapistId;

    #[test]
    fn lock_keys_wrap_rather_than_fail() {
        assert_eq!(lock_key(7), 7);
        assert_eq!(lock_key(i64::from(i32::MAX) + 1), i32::MIN);
    }

    #[test]
    fn locks_are_taken_in_one_order_therapists_first() {
        let locks = Locks {
            therapists: vec![TherapistId(9), TherapistId(2), TherapistId(9)],
            clinic: Some(ClinicId(1)),
            audit: true,
        };
        assert_eq!(lock_order(&locks), [(THERAPIST_LOCK, 2), (THERAPIST_LOCK, 9), (CLINIC_LOCK, 1), (AUDIT_LOCK, 0)]);
        assert_eq!(lock_order(&Locks::audit()), [(AUDIT_LOCK, 0)]);
        assert!(lock_order(&Locks::none()).is_empty());
    }
}
