//! The embedded SQLite adapter: knead's default store, a single file created on first run.
//!
//! Every query and row mapping lives in `knead_store::sql`; this crate only connects, binds parameters,
//! decodes values and classifies errors (`statement`). Writes go through short transactions; WAL mode lets
//! pages read while a write commits, and `synchronous = full` means an acknowledged write survives a crash
//! or power loss. Writers queue on `BEGIN IMMEDIATE`, SQLite's one write lock, before they read the day
//! they re-check; the `visits_no_overlap` trigger is the backstop.
//!
//! Within one process, writers first queue on an async lock of their own ([`SqliteStore::writer`]), so they wait
//! in line and are woken the moment the one before commits. Left to SQLite's busy handler, waiting writers would
//! poll with sleeps that grow to 100 ms, which under a burst of bookings costs far more than the writes.

use async_trait::async_trait;
use knead_store::sql::{DbError, Locks, Param, Rows, SqlDatabase, SqlTransaction};
use knead_store::{StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

mod statement;

use statement::{classify, execute, query};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A knead store on one SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Held by whoever writes through this store, from before `BEGIN IMMEDIATE` (or a lone write statement) to
    /// the end of the write. Another process on the same file still waits on SQLite's own lock.
    writer: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::other)?
            .create_if_missing(true)
            .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Every statement knead runs stays prepared on each connection (there are a few hundred).
            .statement_cache_capacity(512);
        // An in-memory database lives in one connection; more would each see an empty database.
        let max = if memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
            .max_lifetime(if memory { None } else { Some(Duration::from_secs(3600)) })
            // A file on this machine does not go away between statements: no test round trip before each.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(StoreError::other)?;
        Ok(SqliteStore { pool, writer: Arc::default() })
    }

    /// A fresh, migrated in-memory database; for tests.
    pub async fn in_memory() -> StoreResult<SqliteStore> {
        let store = SqliteStore::connect("sqlite::memory:").await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::other)
    }
}

#[async_trait]
impl SqlDatabase for SqliteStore {
    const BACKEND: &'static str = "sqlite";

    async fn query(&self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError> {
        let _writing = match reads_only(sql) {
            true => None,
            false => Some(self.writer.lock().await),
        };
        query(&self.pool, sql, params).await
    }

    async fn execute(&self, sql: &'static str, params: &[Param]) -> Result<u64, DbError> {
        let _writing = self.writer.lock().await;
        execute(&self.pool, sql, params).await
    }

    /// A deferred `BEGIN`: in WAL mode the snapshot is taken at the first read and kept to the end.
    async fn snapshot(&self) -> Result<Box<dyn SqlTransaction>, DbError> {
        Ok(Box::new(SqliteTransaction { tx: self.pool.begin().await.map_err(classify)?, _writing: None }))
    }

    /// `BEGIN IMMEDIATE` takes the database's one write lock before the first read, so writers queue (for up
    /// to the busy timeout) and each re-check sees every committed booking: it covers any `locks` asked for.
    async fn write(&self, _locks: &Locks) -> Result<Box<dyn SqlTransaction>, DbError> {
        let writing = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(classify)?;
        Ok(Box::new(SqliteTransaction { tx, _writing: Some(writing) }))
    }
}

/// Whether a statement run on its own only reads, so it need not queue with the writers. Anything else (an
/// `insert ... returning`, say) queues.
fn reads_only(sql: &str) -> bool {
    sql.trim_start().get(..6).is_some_and(|word| word.eq_ignore_ascii_case("select"))
}

/// A transaction, and for a write this process's writer lock, released after it (fields drop in order).
struct SqliteTransaction {
    tx: Transaction<'static, Sqlite>,
    _writing: Option<OwnedMutexGuard<()>>,
}

#[async_trait]
impl SqlTransaction for SqliteTransaction {
    async fn query(&mut self, sql: &'static str, params: &[Param]) -> Result<Rows, DbError> {
        query(&mut *self.tx, sql, params).await
    }

    async fn execute(&mut self, sql: &'static str, params: &[Param]) -> Result<u64, DbError> {
        execute(&mut *self.tx, sql, params).await
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        self.tx.commit().await.map_err(classify)
    }
}
